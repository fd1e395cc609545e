"""Hostile numbers are refused in milliseconds, never rounded, never turned into exact
arithmetic (issue 10 section 2, issue 17): the one parser shared by the GUI, JSON and xlsx."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from forms import validation

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = {
    "1e-99999999": "has too many decimals: 1 decimal place allowed",
    "1e999999999": "is out of range 0-10",
    "9" * 5000: "is too long to be a number",
    "6.50000000000000000000000000000000001": "has too many decimals: 1 decimal place allowed",
    "-1e-400": "has too many decimals",
    "1E+17": "is out of range",
}


@pytest.mark.parametrize("text", list(HOSTILE), ids=lambda t: t[:20])
def test_typed_hostile_numbers_are_refused_fast_with_the_field_named(text: str) -> None:
    start = time.perf_counter()
    value, problems = validation.parse_text("phys_global", text)
    assert time.perf_counter() - start < 0.5
    assert value is None and len(problems) == 1
    message = problems[0].message
    assert HOSTILE[text] in message and message.startswith("Physician global")
    assert len(message) < 250  # a 5,000-digit number is quoted shortened


@pytest.mark.parametrize("raw", [Decimal("1e-99999999"), Decimal("1e999999999"), 10 ** 5000,
                                 Decimal("6.50000000000000000000000000000000001")],
                         ids=["tiny", "huge", "5000-digit-int", "over-precise"])
def test_structured_hostile_numbers_are_refused_fast(raw: object) -> None:
    start = time.perf_counter()
    value, problems = validation.check_field("phys_global", raw)
    assert time.perf_counter() - start < 0.5
    assert value is None and problems and problems[0].is_error
    assert len(problems[0].code_message) < 250


def test_integer_fields_refuse_tiny_fractions_as_not_whole() -> None:
    value, problems = validation.parse_text("cmas_leg_raise", "1e-99999999")
    assert value is None and "is not a whole number" in problems[0].message


@pytest.mark.parametrize("text, expected", [("6.5", Decimal("6.5")), ("6.50", Decimal("6.5")),
                                            ("5e0", Decimal(5)), ("1E+1", Decimal(10)),
                                            ("0.0000", Decimal(0)), ("+3", Decimal(3))])
def test_ordinary_numbers_still_parse(text: str, expected: Decimal) -> None:
    value, problems = validation.parse_text("phys_global", text)
    assert problems == [] and value == expected


def test_json_numbers_are_bounded_before_conversion() -> None:
    assert validation.json_number("12") == 12
    assert validation.json_number("6.5") == Decimal("6.5")
    big = validation.json_number("9" * 5000)
    assert isinstance(big, validation.OversizedNumber)


def _case_file(tmp_path: Path, raw: str) -> Path:
    from storage import casefile

    doc = {"format": casefile.FORMAT, "version": casefile.VERSION, "patients": [
        {"study_id": "P01", "sex": "female", "visits": [
            {"visit_date": "2021-03-04", "visit_label": "M3", "values": {"phys_global": 0}}]}]}
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(doc).replace('"phys_global": 0', f'"phys_global": {raw}'))
    return path


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


@pytest.mark.parametrize("raw", ["1e-99999999", "1e999999999", "9" * 5000,
                                 "6.50000000000000000000000000000000001"],
                         ids=["tiny", "huge", "5000-digits", "over-precise"])
def test_json_import_refuses_hostile_numbers_naming_patient_visit_field(tmp_path: Path,
                                                                        raw: str) -> None:
    db = tmp_path / "clinic.sqlite"
    assert _cli("init", "--db", db).returncode == 0
    start = time.perf_counter()
    result = _cli("import", "--db", db, _case_file(tmp_path, raw))
    assert time.perf_counter() - start < 30
    assert result.returncode == 2, result.stderr
    assert "patient P01, visit 2021-03-04 (M3): phys_global" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 300


@pytest.mark.parametrize("raw", ["1e-99999999", "1e999999999", "9" * 5000,
                                 "6.50000000000000000000000000000000001"],
                         ids=["tiny", "huge", "5000-digits", "over-precise"])
def test_xlsx_text_cells_with_hostile_numbers_are_refused_fast(tmp_path: Path,
                                                               raw: str) -> None:
    from openpyxl import load_workbook

    from exports.excel import write_workbook
    from exports.xlsx_import import import_workbook
    from forms.settings import ScoringSettings
    from storage.repository import Repository

    sys.path.insert(0, str(ROOT / "tests" / "exports"))
    from export_factory import make_cohort

    good = tmp_path / "good.xlsx"
    write_workbook(make_cohort(1, 2), good, identified=True, settings=ScoringSettings())
    wb = load_workbook(good)
    ws = wb["Visits"]
    column = next(c.column for c in ws[1] if c.value == "phys_global")
    ws.cell(row=2, column=column, value=raw)  # typed as text, as a clinic's sheet would hold
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with Repository(tmp_path / "clinic.sqlite") as repo:
        start = time.perf_counter()
        summary = import_workbook(bad, repo, "test")
        assert time.perf_counter() - start < 30
        assert repo.patient_count() == 0
    errors = [e for e in summary.errors if "phys_global" in e]
    assert errors and "sheet Visits, row 2, column phys_global" in errors[0]
    assert len(errors[0]) < 300


def test_json_int_and_float_are_json_number_for_what_json_passes_them() -> None:
    """json calls parse_int for a number without a point or an exponent and parse_float for
    the rest: the two one-purpose hooks return what json_number returns for those texts."""
    rng = random.Random(16)
    ints = ["0", "-0", "7", "-12", "9" * 40, "9" * 41, "-" + "9" * 39, "-" + "9" * 40]
    ints += [str(rng.randint(-10**12, 10**12)) for _ in range(5000)]
    floats = ["6.5", "6.50", "-0.0", "5e0", "1E+1", "1e-99999999", "0." + "0" * 38 + "1",
              "0." + "0" * 39 + "1", "6.50000000000000000000000000000000001"]
    floats += [f"{rng.uniform(-1e4, 1e4):.{rng.randint(1, 6)}f}" for _ in range(5000)]
    floats += [f"{rng.randint(1, 99)}e{rng.randint(-30, 30)}" for _ in range(2000)]
    for text in ints:
        got, want = validation.json_int(text), validation.json_number(text)
        assert got == want and type(got) is type(want), text
    for text in floats:
        got, want = validation.json_float(text), validation.json_number(text)
        assert got == want and type(got) is type(want), text
        if isinstance(got, Decimal):
            assert str(got) == str(want)  # the same exponent too
    # json really passes them so: a case file's numbers read either way are the same
    doc = "[" + ",".join(ints + floats) + "]"
    by_hooks = json.loads(doc, parse_int=validation.json_int, parse_float=validation.json_float)
    by_number = json.loads(doc, parse_int=validation.json_number,
                           parse_float=validation.json_number)
    assert [(type(v), str(v)) for v in by_hooks] == [(type(v), str(v)) for v in by_number]
