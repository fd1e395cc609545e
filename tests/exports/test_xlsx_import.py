"""Spreadsheet import: an identified export imports back value for value, and a malformed
workbook is refused whole, with every problem named by file, sheet, row and column."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports.excel import write_workbook
from exports.xlsx_import import import_workbook, read_workbook
from forms import registry
from forms.model import Patient
from forms.settings import ScoringSettings
from storage.repository import Repository

sys.path.insert(0, str(Path(__file__).parent))
from export_factory import make_cohort, make_patient  # noqa: E402

SETTINGS = ScoringSettings()
ACTOR = "test"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    r = Repository(tmp_path / "clinic.jdm")
    yield r
    r.close()


def _cohort() -> list[Patient]:
    patients = make_cohort(3, 5)
    # text that looks like a formula, a CHAQ "na", a boolean and a missing reason round-trip too
    patients[0].visits[0].notes = "=SUM(A1) is what the parent said"
    patients[0].visits[0].values["chaq_dress"] = "na"
    patients[0].visits[0].values["chaq_aid_dressing"] = True
    patients[0].medications[0].notes = "+ taper over 6 weeks"
    return patients


@pytest.fixture
def cohort() -> list[Patient]:
    return _cohort()


@pytest.fixture(scope="module")
def _written_workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The cohort's workbook, written once per module (0.4 s each time; the cohort is seeded,
    so every test's copy is the workbook of the cohort its ``cohort`` fixture gives)."""
    path = tmp_path_factory.mktemp("workbook") / "clinic.xlsx"
    write_workbook(_cohort(), path, identified=True, settings=SETTINGS)
    return path.read_bytes()


@pytest.fixture
def workbook(tmp_path: Path, _written_workbook: bytes) -> Path:
    path = tmp_path / "clinic.xlsx"
    path.write_bytes(_written_workbook)
    return path


def _strip_ids(p: Patient) -> Patient:
    p.id = None
    for item in (*p.visits, *p.medications, *p.adverse_events):
        item.id = None
    p.visits.sort(key=lambda v: v.visit_date)
    p.medications.sort(key=lambda m: (m.start_date, m.drug))
    p.adverse_events.sort(key=lambda a: (a.onset_date, a.term))
    return p


# ------------------------------------------------------------------------------------------
# Round trip
# ------------------------------------------------------------------------------------------
def test_identified_export_imports_back_every_value(
        workbook: Path, repo: Repository, cohort: list[Patient]) -> None:
    summary = import_workbook(workbook, repo, ACTOR)
    assert summary.imported, summary.errors
    assert (summary.patients, summary.visits, summary.medications,
            summary.adverse_events) == (3, 15, 12, 3)
    saved = {p.study_id: _strip_ids(p) for p in repo.iter_patients()}
    for original in cohort:
        expected = _strip_ids(original)
        got = saved[original.study_id]
        assert got.identifiers == expected.identifiers
        assert (got.sex, got.diagnosis_date, got.autoantibody) == (
            expected.sex, expected.diagnosis_date, expected.autoantibody)
        assert got.visits == expected.visits  # values, missing reasons, baseline, notes
        assert got.medications == expected.medications
        assert got.adverse_events == expected.adverse_events
    first = saved[cohort[0].study_id].visits[0]
    assert first.values["chaq_dress"] == "na" and first.values["chaq_aid_dressing"] is True
    assert isinstance(first.values["weight_kg"], Decimal)


def test_importing_twice_replaces_visits_instead_of_adding(
        workbook: Path, repo: Repository) -> None:
    assert import_workbook(workbook, repo, ACTOR).imported
    again = import_workbook(workbook, repo, ACTOR)
    assert again.imported and again.visits_replaced == 15 and again.patients_added == 0
    assert sum(len(p.visits) for p in repo.iter_patients()) == 15


def test_warnings_do_not_block_and_name_the_cell(tmp_path: Path, repo: Repository) -> None:
    patient = make_patient("P01", 2)
    patient.visits[1].values["ck"] = Decimal(25000)  # above the plausibility limit
    path = tmp_path / "w.xlsx"
    write_workbook([patient], path, identified=True, settings=SETTINGS)
    summary = import_workbook(path, repo, ACTOR)
    assert summary.imported
    assert any(w.startswith("w.xlsx: sheet Visits, row 3, column ck: 25000 is unusually high")
               for w in summary.warnings), summary.warnings


def test_progress_reports_each_sheet_and_the_save(workbook: Path, repo: Repository) -> None:
    seen: list[tuple[int, int]] = []
    import_workbook(workbook, repo, ACTOR, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (6, 6) and len(seen) == 6


# ------------------------------------------------------------------------------------------
# Malformed workbooks: refused whole, every problem named
# ------------------------------------------------------------------------------------------
def _col(ws: Worksheet, name: str) -> int:
    for cell in ws[1]:
        if cell.value == name:
            return cell.column
    raise KeyError(name)


def _set(ws: Worksheet, row: int, name: str, value: Any) -> None:
    ws.cell(row=row, column=_col(ws, name), value=value)


def _mutated(path: Path, change: Callable[[Any], None]) -> Path:
    wb = load_workbook(path)
    change(wb)
    out = path.with_name("bad.xlsx")
    wb.save(out)
    return out


def _rename_sheet(wb: Any) -> None:
    wb["Visits"].title = "Visit"


def _drop_patients(wb: Any) -> None:
    del wb["Patients"]


def _rename_study_id(wb: Any) -> None:
    ws = wb["Visits"]
    ws.cell(row=1, column=_col(ws, "study_id"), value="patient")


def _text_in_number(wb: Any) -> None:
    _set(wb["Visits"], 3, "weight_kg", "heavy")


def _out_of_range(wb: Any) -> None:
    _set(wb["Visits"], 2, "cmas_leg_raise", 3)


def _impossible_date(wb: Any) -> None:
    _set(wb["Visits"], 4, "visit_date", "2021-02-30")


def _day_month_date(wb: Any) -> None:
    _set(wb["Medications"], 2, "start_date", "04/03/2021")


def _unknown_column(wb: Any) -> None:
    ws = wb["Visits"]
    ws.cell(row=1, column=ws.max_column + 1, value="cmas_leg_rasie")


def _duplicate_visit(wb: Any) -> None:
    ws = wb["Visits"]
    ws.append([c.value for c in ws[2]])


def _formula(wb: Any) -> None:
    _set(wb["Visits"], 2, "ck", "=100*2")


def _bad_choice(wb: Any) -> None:
    _set(wb["Patients"], 2, "sex", "f")


def _unknown_patient(wb: Any) -> None:
    _set(wb["Adverse events"], 2, "study_id", "P99999")


def _bad_reason(wb: Any) -> None:
    _set(wb["Missing"], 2, "reason", "forgot")


def _stop_before_start(wb: Any) -> None:
    ws = wb["Medications"]
    start = ws.cell(row=2, column=_col(ws, "start_date")).value
    _set(ws, 2, "stop_date", start - dt.timedelta(days=1))


def _half_score(wb: Any) -> None:
    _set(wb["Visits"], 2, "cmas_chair_rise", 1.5)


def _duplicate_header(wb: Any) -> None:
    ws = wb["Patients"]
    ws.cell(row=1, column=ws.max_column + 1, value="sex")


def _future_visit(wb: Any) -> None:
    _set(wb["Visits"], 2, "visit_date", dt.datetime(2999, 1, 1))


def _derived_typed_on_missing(wb: Any) -> None:
    _set(wb["Missing"], 2, "field", "cmas_total")


def _bad_boolean(wb: Any) -> None:
    _set(wb["Visits"], 2, "chaq_aid_dressing", "maybe")


MALFORMED = {
    "renamed sheet": (_rename_sheet,
                      "clinic.xlsx: sheet Visit: is not a sheet JDM Capture reads (did you mean "
                      "Visits?)"),
    "no Patients sheet": (_drop_patients, "clinic.xlsx: has no sheet named Patients"),
    "no study_id column": (_rename_study_id,
                           "clinic.xlsx: sheet Visits, row 1: has no study_id column"),
    "text in a number cell": (_text_in_number,
                              'clinic.xlsx: sheet Visits, row 3, column weight_kg: "heavy" is '
                              "not a number; allowed 1-250 (1 decimal place)"),
    "out of range": (_out_of_range,
                     "clinic.xlsx: sheet Visits, row 2, column cmas_leg_raise: 3 is out of range "
                     "0-2"),
    "impossible date": (_impossible_date,
                        'clinic.xlsx: sheet Visits, row 4, column visit_date: "2021-02-30" is '
                        "not a real calendar date"),
    "day/month date text": (_day_month_date,
                            'clinic.xlsx: sheet Medications, row 2, column start_date: '
                            '"04/03/2021" is not a date in the form YYYY-MM-DD'),
    "unknown column": (_unknown_column,
                       "clinic.xlsx: sheet Visits, row 1, column cmas_leg_rasie: is not a "
                       "column of sheet Visits"),
    "duplicate visit": (_duplicate_visit, "is a second visit of P00000 on that day (first on "
                                          "row 2)"),
    "formula": (_formula, "clinic.xlsx: sheet Visits, row 2, column ck: =100*2 is a formula; "
                          "type the value itself"),
    "bad choice": (_bad_choice, 'clinic.xlsx: sheet Patients, row 2, column sex: "f" is not '
                                "one of female/male"),
    "unknown patient": (_unknown_patient,
                        'clinic.xlsx: sheet Adverse events, row 2, column study_id: "P99999" is '
                        "not on sheet Patients"),
    "bad missing reason": (_bad_reason,
                           "clinic.xlsx: sheet Missing, row 2, column reason: \"forgot\" is "
                           "not a reason; allowed not_done/not_assessable/unknown"),
    "stop before start": (_stop_before_start, "clinic.xlsx: sheet Medications, row 2, column "
                                              "stop_date:"),
    "half a CMAS point": (_half_score, "clinic.xlsx: sheet Visits, row 2, column "
                                       "cmas_chair_rise: 1.5 is not a whole number"),
    "duplicate column": (_duplicate_header, "clinic.xlsx: sheet Patients, row 1, column sex: "
                                            "appears twice"),
    "visit in the future": (_future_visit, "column visit_date: 2999-01-01 is in the future"),
    "derived field marked missing": (_derived_typed_on_missing,
                                     "sheet Missing, row 2, column field: \"cmas_total\" is not a "
                                     "visit field name"),
    "bad boolean": (_bad_boolean, 'column chaq_aid_dressing: "maybe" is not yes or no'),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_workbook_is_refused_whole(case: str, workbook: Path,
                                             repo: Repository) -> None:
    change, expected = MALFORMED[case]
    bad = _mutated(workbook, change)
    bad = bad.rename(workbook)  # keep the file name the messages use
    summary = import_workbook(bad, repo, ACTOR)
    assert not summary.imported
    assert any(expected in e for e in summary.errors), summary.errors
    # one mistake, one message: no cascade of follow-on complaints
    assert len(summary.errors) <= 2, summary.errors
    assert repo.patient_count() == 0, "nothing may be saved from a refused file"


def test_every_problem_is_reported_not_just_the_first(workbook: Path,
                                                      repo: Repository) -> None:
    def many(wb: Any) -> None:
        _out_of_range(wb)
        _text_in_number(wb)
        _bad_choice(wb)
        _bad_reason(wb)
        _formula(wb)

    bad = _mutated(workbook, many).rename(workbook)
    summary = import_workbook(bad, repo, ACTOR)
    assert not summary.imported
    places = {e.split(":")[1].strip() for e in summary.errors}
    assert {"sheet Visits, row 2, column cmas_leg_raise", "sheet Visits, row 3, column weight_kg",
            "sheet Patients, row 2, column sex", "sheet Missing, row 2, column reason",
            "sheet Visits, row 2, column ck"} <= places, summary.errors
    assert repo.patient_count() == 0


def test_deidentified_export_is_refused_with_a_hint(tmp_path: Path, cohort: list[Patient],
                                                   repo: Repository) -> None:
    path = tmp_path / "deid.xlsx"
    write_workbook(cohort, path, identified=False, settings=SETTINGS)
    summary = import_workbook(path, repo, ACTOR)
    assert not summary.imported
    assert any("has no visit_date column (a de-identified export cannot be imported" in e
               for e in summary.errors), summary.errors
    assert repo.patient_count() == 0


def test_not_a_workbook(tmp_path: Path, repo: Repository) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("study_id,sex\nP01,female\n")
    summary = import_workbook(path, repo, ACTOR)
    assert not summary.imported
    assert summary.errors[0].startswith("notes.xlsx: cannot be read as an Excel workbook")


def test_existing_saved_birth_date_is_used_for_visit_checks(
        tmp_path: Path, repo: Repository) -> None:
    patient = make_patient("P01", 2)
    repo.import_patients([make_patient("P01", 1)], ACTOR)
    born = patient.identifiers["birth_date"]
    assert isinstance(born, dt.date)
    patient.identifiers = {}
    patient.visits[1].visit_date = born - dt.timedelta(days=1)
    path = tmp_path / "w.xlsx"
    write_workbook([patient], path, identified=True, settings=SETTINGS)
    summary = import_workbook(path, repo, ACTOR)
    assert not summary.imported
    assert any("is before the date of birth" in e for e in summary.errors), summary.errors


def test_typed_cells_are_read_leniently(tmp_path: Path) -> None:
    """Numbers typed as text, labels for codes and numeric study ids are understood."""
    path = tmp_path / "typed.xlsx"
    write_workbook([make_patient("101", 1)], path, identified=True, settings=SETTINGS)
    wb = load_workbook(path)
    for sheet in ("Patients", "Visits", "Medications", "Adverse events", "Missing"):
        ws = wb[sheet]
        for row in range(2, ws.max_row + 1):
            _set(ws, row, "study_id", 101)  # a number, not text
    _set(wb["Patients"], 2, "sex", "Female")  # the label, not the code
    _set(wb["Visits"], 2, "cmas_leg_raise", " 2 ")
    wb.save(path)
    read = read_workbook(path)
    assert read.ok, [str(p) for p in read.errors]
    patient = read.patients[0]
    assert patient.study_id == "101" and patient.sex == "female"
    assert patient.visits[0].values["cmas_leg_raise"] == 2
    assert registry.get("cmas_leg_raise").maximum == 2


# ------------------------------------------------------------------------------------------
# Command line: import FILE.xlsx
# ------------------------------------------------------------------------------------------
def test_cli_imports_a_workbook_and_refuses_a_bad_one(
        workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import main

    db = tmp_path / "cli.jdm"
    assert main.main(["init", "--db", str(db)]) == 0
    bad = _mutated(workbook, _out_of_range)
    code = main.main(["import", "--db", str(db), str(bad)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "bad.xlsx: sheet Visits, row 2, column cmas_leg_raise: 3 is out of range 0-2" in err
    assert "bad.xlsx: not imported (nothing of this file was saved)" in err
    code = main.main(["import", "--db", str(db), str(workbook)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "clinic.xlsx: imported 3 patients (3 new), 15 visits" in out
    with Repository(db) as repo:
        assert repo.patient_count() == 3


def test_derived_columns_and_other_sheets_are_ignored(workbook: Path) -> None:
    """Totals are recomputed by JDM Capture: whatever a derived cell says is not read."""
    def scribble(wb: Any) -> None:
        _set(wb["Visits"], 2, "cmas_total", 999)
        _set(wb["Visits"], 2, "visit_day", "garbage")
        _set(wb["Patients"], 2, "age_at_baseline_years", "old")
        wb["Response"]["A2"] = "=1/0"
        wb["Data dictionary"]["B3"] = "edited"

    read = read_workbook(_mutated(workbook, scribble))
    assert read.ok, [str(p) for p in read.errors]
    first = min(read.patients[0].visits, key=lambda v: v.visit_date)
    assert "cmas_total" not in first.values


def test_row_numbers_count_blank_rows_and_a_headerless_value_is_named(
        tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Patients"
    ws.append(["study_id", "sex"])
    ws.append(["P01", "female"])
    ws["A7"] = "P02"
    ws["B7"] = "other"
    ws["D9"] = "stray"
    path = tmp_path / "gaps.xlsx"
    wb.save(path)
    errors = [str(p) for p in read_workbook(path).errors]
    assert errors == [
        'gaps.xlsx: sheet Patients, row 7, column sex: "other" is not one of female/male',
        "gaps.xlsx: sheet Patients, row 9, column D: holds a value but the column has no field "
        "name in row 1",
        "gaps.xlsx: sheet Patients, row 9, column study_id: is empty: every row needs one"]
