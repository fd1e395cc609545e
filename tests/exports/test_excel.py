"""The collaborator workbook (data-contract section 4), read back with openpyxl and as XML."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from export_factory import make_patient

from exports.excel import SHEETS, write_workbook
from forms import registry, response
from forms.fields import Level
from forms.model import Patient
from forms.settings import ScoringSettings

RISKY = {
    "visit_notes": "=HYPERLINK(\"http://x\",\"click\")",
    "assessor": "-Dr Who",
    "drug": "@SUM(A1)",
    "med_notes": "+44 123",
    "term": "#N/A",
    "related_drug": "=1+1",
}


def _patients() -> list[Patient]:
    first = make_patient("P01", 6, seed=1, given_name="Mei", family_name="Li",
                         notes=RISKY["visit_notes"] + "\x07bell")
    first.visits[0].values["assessor"] = RISKY["assessor"]
    first.medications[0].drug = RISKY["drug"]
    first.medications[0].notes = RISKY["med_notes"]
    first.adverse_events[0].term = RISKY["term"]
    first.adverse_events[0].related_drug = RISKY["related_drug"]
    second = make_patient("P02", 4, seed=2, given_name="Zoë", family_name="Okafor")
    return [first, second, make_patient("P03", 1, seed=3, given_name="Ana",
                                        family_name="Silva")]


def _write(tmp_path: Path, identified: bool) -> Path:
    out = tmp_path / ("id.xlsx" if identified else "deid.xlsx")
    write_workbook(_patients(), out, identified=identified, settings=ScoringSettings())
    return out


@pytest.fixture(scope="module")
def deid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("x"), identified=False)


@pytest.fixture(scope="module")
def ident(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("x"), identified=True)


def _header(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[str]:
    return [c.value for c in ws[1]]


def _records(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    head = _header(ws)
    return [dict(zip(head, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]


def _all_cells(path: Path) -> Iterator[tuple[str, openpyxl.cell.cell.Cell]]:
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                yield ws.title, cell


def test_sheets_in_contract_order(deid: Path) -> None:
    assert openpyxl.load_workbook(deid).sheetnames == list(SHEETS) == [
        "Patients", "Visits", "Response", "Medications", "Adverse events", "Missing",
        "Data dictionary", "Settings"]


def test_visit_header_is_every_entered_then_every_derived_field(deid: Path) -> None:
    head = _header(openpyxl.load_workbook(deid)["Visits"])
    # every entered field the de-identification policy keeps (assessor is free text: dropped)
    entered = [f.name for f in registry.visit_value_fields() if f.name != "assessor"]
    assert "assessor" not in head
    derived = [f.name for f in registry.visit_fields(derived=True)]
    assert head[:3] == ["study_id", "visit_label", "visit_day"]
    # then the glucocorticoid exposure since the previous visit, from the courses (issue 14)
    assert head[-len(derived) - 1:] == [*derived, "gc_exposure_mg_kg"]
    assert head[head.index(entered[0]):head.index(entered[0]) + len(entered)] == entered


def test_visits_carry_the_glucocorticoid_exposure(tmp_path: Path) -> None:
    import datetime as dt
    from decimal import Decimal

    from exports.excel import write_workbook
    from forms.model import Medication, Patient, Visit
    from forms.settings import ScoringSettings

    p = Patient("GC1", visits=[
        Visit(dt.date(2024, 1, 1), "M0", baseline=True, values={"weight_kg": Decimal(20)}),
        Visit(dt.date(2024, 4, 1), "M3", values={"weight_kg": Decimal(22)})],
        medications=[Medication("prednisolone", dt.date(2024, 1, 1), Decimal(10), "mg",
                                route="oral", schedule="daily", times_per_period=2,
                                stop_date=dt.date(2024, 1, 31))])
    out = tmp_path / "gc.xlsx"
    write_workbook([p], out, identified=False, settings=ScoringSettings())
    rows = _records(openpyxl.load_workbook(out)["Visits"])
    # Jan 2-31: 30 days x 2 x 10 mg = 600 mg / 20 kg (weight at the previous visit)
    assert [r["gc_exposure_mg_kg"] for r in rows] == [None, 30]
    dictionary = _records(openpyxl.load_workbook(out)["Data dictionary"])
    assert any(r["field"] == "gc_exposure_mg_kg" for r in dictionary)


def test_headers_of_the_other_sheets(deid: Path, ident: Path) -> None:
    wb = openpyxl.load_workbook(deid)
    assert _header(wb["Response"]) == [
        "study_id", "visit_label", "visit_day", "baseline_label", "tis", "tis_measures",
        "tis_muscle_measure", "tis_enzyme", "tis_parent_measure", "acr_eular_response",
        "acr_eular_response_min", "acr_eular_response_max", "printo_response",
        "printo_response_worst", "printo_response_best", "printo_cid_followup"]
    assert _header(wb["Missing"]) == ["study_id", "visit_label", "visit_day", "field",
                                      "reason"]
    assert _header(wb["Medications"]) == ["study_id", "drug", "dose", "dose_unit",
                                          "schedule", "times_per_period", "pulse_count",
                                          "frequency_per_day", "route", "start_day",
                                          "stop_day"]
    assert _header(wb["Adverse events"]) == ["study_id", "onset_day", "term", "grade",
                                             "serious", "related_drug", "action", "outcome",
                                             "resolution_day"]
    assert _header(wb["Patients"])[:4] == ["study_id", "sex", "autoantibody",
                                           "age_at_baseline_years"]
    assert _header(wb["Data dictionary"])[:8] == ["field", "label", "label_zh", "form", "level", "type",
                                                  "allowed", "unit"]
    assert "derived" in _header(wb["Data dictionary"])
    wbi = openpyxl.load_workbook(ident)
    assert _header(wbi["Medications"])[9:13] == ["start_day", "start_date", "stop_day",
                                                  "stop_date"]
    assert _header(wbi["Medications"])[-1] == "notes"
    for key in ("given_name", "family_name", "mrn", "birth_date"):
        assert key in _header(wbi["Patients"])


def test_numbers_are_numbers_and_codes_stay_text(deid: Path) -> None:
    visits = _records(openpyxl.load_workbook(deid)["Visits"])
    first = visits[0]
    assert first["study_id"] == "P01" and first["visit_day"] == 0 and first["baseline"] is True
    assert isinstance(first["cmas_head_elevation"], int)
    assert isinstance(first["ck"], float | int) and first["ck"] > 1000
    assert isinstance(first["cmas_total"], int)
    assert isinstance(first["steroid_mg_kg_day"], float | int)
    assert first["skin_heliotrope"] == "yes"
    assert first["cdasi_gottron_hand_papules"] is True
    assert first["chq_phs"] is None
    later = [v for v in visits if v["study_id"] == "P01"]
    assert [v["visit_day"] for v in later] == sorted(v["visit_day"] for v in later)
    assert later[-1]["visit_day"] > 300


def test_negative_offsets_stay_numbers(deid: Path) -> None:
    wb = openpyxl.load_workbook(deid)
    pats = _records(wb["Patients"])
    assert pats[0]["diagnosis_day"] == -45
    meds = _records(wb["Medications"])
    ivmp = [m for m in meds if m["drug"] == "methylprednisolone"]
    assert ivmp and ivmp[0]["start_day"] == -3 and isinstance(ivmp[0]["start_day"], int)


def test_derived_values_match_forms(deid: Path) -> None:
    patient = _patients()[0]
    base = patient.baseline_visit()
    follow = patient.sorted_visits()[3]
    expected = response.compare_visits(base.values, follow.values, ScoringSettings())
    rows = [r for r in _records(openpyxl.load_workbook(deid)["Response"])
            if r["study_id"] == "P01" and r["visit_label"] == follow.visit_label]
    assert len(rows) == 1
    row = rows[0]
    assert Decimal(str(row["tis"])) == expected.tis.tis
    assert row["acr_eular_response"] == expected.tis.category
    assert row["printo_response"] == expected.printo.level
    # the bounds of conventions 5 and 6 reach the Response sheet
    assert row["acr_eular_response_min"] == expected.tis.category_min
    assert row["acr_eular_response_max"] == expected.tis.category_max
    assert row["printo_response_worst"] == expected.printo.worst
    assert row["printo_response_best"] == expected.printo.best
    assert row["tis_parent_measure"] == expected.tis.parent_measure
    assert row["tis_measures"] == expected.tis.measures
    assert row["baseline_label"] == base.visit_label
    assert row["visit_day"] == (follow.visit_date - base.visit_date).days


def test_one_response_row_per_follow_up(deid: Path) -> None:
    rows = _records(openpyxl.load_workbook(deid)["Response"])
    per = {sid: sum(r["study_id"] == sid for r in rows) for sid in ("P01", "P02", "P03")}
    assert per == {"P01": 5, "P02": 3, "P03": 0}


def test_missing_sheet_lists_recorded_reasons(deid: Path) -> None:
    rows = _records(openpyxl.load_workbook(deid)["Missing"])
    p01 = {(r["visit_label"], r["field"], r["reason"]) for r in rows if r["study_id"] == "P01"}
    # the factory's month-1 visit is no protocol visit: it is an unscheduled one (issue 14)
    assert ("unscheduled", "chq_phs", "not_done") in p01
    assert ("unscheduled", "mmt_neck_flexors", "not_assessable") in p01


def test_deidentified_has_no_identifiers_dates_or_notes(deid: Path) -> None:
    names = {"Mei", "Li", "Zoë", "Okafor", "Ana", "Silva", "H100002"}
    for sheet, cell in _all_cells(deid):
        if sheet == "Data dictionary":
            continue
        assert not isinstance(cell.value, dt.date | dt.datetime), (sheet, cell.coordinate)
        assert cell.value not in names, (sheet, cell.coordinate)
        if isinstance(cell.value, str):
            assert "HYPERLINK" not in cell.value and "+44" not in cell.value
    wb = openpyxl.load_workbook(deid)
    for sheet in wb:
        head = _header(sheet) if sheet.title != "Data dictionary" else []
        assert not {"given_name", "family_name", "mrn", "birth_date", "notes",
                    "visit_notes", "visit_date", "start_date"} & set(head)


def test_identified_keeps_identifiers_dates_and_notes(ident: Path) -> None:
    wb = openpyxl.load_workbook(ident)
    pats = _records(wb["Patients"])
    assert (pats[0]["given_name"], pats[0]["family_name"]) == ("Mei", "Li")
    assert pats[1]["given_name"] == "Zoë"
    assert pats[0]["birth_date"] == dt.datetime(2012, 4, 12)
    visits = _records(wb["Visits"])
    patient = _patients()[0]
    assert visits[0]["visit_date"] == dt.datetime.combine(patient.visits[0].visit_date,
                                                          dt.time())
    assert wb["Visits"]["D2"].is_date
    # the bell character cannot live in XML and is dropped; the rest is kept as typed
    assert visits[0]["visit_notes"] == RISKY["visit_notes"] + "bell"


def test_user_text_is_never_a_formula(ident: Path) -> None:
    wb = openpyxl.load_workbook(ident)
    for _sheet, cell in _all_cells(ident):
        assert cell.data_type != "f", cell.coordinate
        assert cell.data_type != "e", cell.coordinate
    meds = _records(wb["Medications"])
    assert meds[0]["drug"] == RISKY["drug"]
    assert meds[0]["notes"] == RISKY["med_notes"]
    aes = _records(wb["Adverse events"])
    assert aes[0]["term"] == RISKY["term"]
    assert aes[0]["related_drug"] == RISKY["related_drug"]
    assert _records(wb["Visits"])[0]["assessor"] == RISKY["assessor"]
    with zipfile.ZipFile(ident) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = z.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name
            assert 't="e"' not in xml, name
        # the risky strings are explicit inline strings with a quote-prefix style
        med_xml = z.read("xl/worksheets/sheet4.xml").decode("utf-8")
        cell = re.search(r'<c r="B2"([^>]*)>', med_xml)
        assert cell and 't="inlineStr"' in cell.group(1) and 's="' in cell.group(1)
        styles = z.read("xl/styles.xml").decode("utf-8")
        assert 'quotePrefix="1"' in styles


def test_layout_frozen_header_widths_and_filter(deid: Path) -> None:
    wb = openpyxl.load_workbook(deid)
    for ws in wb:
        assert ws.freeze_panes in ("A2", "D2"), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws[1][0].font.bold
        assert ws.column_dimensions["A"].width >= 8
    assert wb["Visits"].auto_filter.ref.endswith(str(wb["Visits"].max_row))


def test_dictionary_covers_registry_and_every_column(deid: Path) -> None:
    wb = openpyxl.load_workbook(deid)
    rows = _records(wb["Data dictionary"])
    listed = {r["field"] for r in rows}
    assert {f.name for f in registry.FIELDS} <= listed
    for ws in wb:
        if ws.title not in ("Data dictionary", "Settings"):  # their own headers
            assert set(_header(ws)) <= listed, ws.title
    cmas = next(r for r in rows if r["field"] == "cmas_leg_raise")
    assert cmas["allowed"] == registry.get("cmas_leg_raise").allowed_text()
    assert cmas["derived"] == "no"
    total = next(r for r in rows if r["field"] == "cmas_total")
    assert total["derived"] == "yes"
    dose = next(r for r in rows if r["field"] == "dose")
    assert dose["level"] == str(Level.MEDICATION)


def test_progress_and_generator_input(tmp_path: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    out = tmp_path / "gen.xlsx"
    write_workbook((p for p in _patients()), out, identified=False, settings=ScoringSettings(),
                   progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, None), (2, None), (3, None)]
    calls.clear()
    write_workbook(_patients(), out, identified=False, settings=ScoringSettings(),
                   progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3)
    assert len(_records(openpyxl.load_workbook(out)["Patients"])) == 3


def test_failed_export_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> Iterator[Patient]:
        yield make_patient("P01", 2)
        raise RuntimeError("database went away")

    out = tmp_path / "broken.xlsx"
    with pytest.raises(RuntimeError):
        write_workbook(broken(), out, identified=False, settings=ScoringSettings())
    assert list(tmp_path.iterdir()) == []


def test_empty_cohort_still_has_every_sheet(tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    write_workbook([], out, identified=False, settings=ScoringSettings())
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == list(SHEETS)
    assert wb["Visits"].max_row == 1


def test_flagged_baseline_later_than_first_visit(tmp_path: Path) -> None:
    p = make_patient("P05", 4, seed=5)
    p.visits[0].baseline = False
    p.visits[1].baseline = True  # a screening visit before the flagged baseline (M0)
    p.visits[0].visit_label, p.visits[1].visit_label = "unscheduled", "M0"
    p.identifiers = {}  # no birth date: ages stay empty, not 0
    out = tmp_path / "flag.xlsx"
    write_workbook([p], out, identified=False, settings=ScoringSettings())
    wb = openpyxl.load_workbook(out)
    visits = _records(wb["Visits"])
    gap = (p.visits[1].visit_date - p.visits[0].visit_date).days
    assert [v["visit_day"] for v in visits][:2] == [-gap, 0]
    assert [v["baseline"] for v in visits] == [False, True, False, False]
    responses = _records(wb["Response"])
    assert [r["visit_label"] for r in responses] == ["M3", "M6"]
    assert {r["baseline_label"] for r in responses} == {"M0"}
    patient = _records(wb["Patients"])[0]
    assert patient["age_at_baseline_years"] is None


# ------------------------------------------------------------------------------------------
# Analysts (pandas, R, Stata) type a column from its cells
# ------------------------------------------------------------------------------------------
def test_every_numeric_column_holds_only_numbers_even_with_chaq_na(tmp_path: Path) -> None:
    """A CHAQ item answered "na" used to turn its whole column into text.

    pandas/readxl/Stata type a column from its cells: numeric cells and blanks give a number
    column. openpyxl's cell types are what those readers see, so checking them is enough
    (pandas itself is not a dependency of JDM Capture).
    """
    patients = _patients()
    patients[0].visits[0].values["chaq_dress"] = "na"
    patients[1].visits[2].values["chaq_errands"] = "na"
    out = tmp_path / "na.xlsx"
    write_workbook(patients, out, identified=False, settings=ScoringSettings())
    wb = openpyxl.load_workbook(out)
    ws = wb["Visits"]
    header = _header(ws)
    numeric = {f.name for f in registry.FIELDS
               if f.is_numeric or f.levels or f.na_allowed} & set(header)
    assert {"chaq_dress", "chaq_errands", "cmas_total", "weight_kg"} <= numeric
    for row in ws.iter_rows(min_row=2):
        for name, cell in zip(header, row, strict=True):
            if name in numeric and cell.value is not None:
                assert cell.data_type == "n", (name, cell.value)
    missing = _records(wb["Missing"])
    assert {(r["study_id"], r["field"], r["reason"]) for r in missing} >= {
        ("P01", "chaq_dress", "na"), ("P02", "chaq_errands", "na")}
    dress = next(r for r in _records(wb["Data dictionary"]) if r["field"] == "chaq_dress")
    assert "na, Not applicable (listed on sheet Missing)" in str(dress["codes"])


def test_dictionary_codes_are_machine_readable(ident: Path) -> None:
    """``code, label | code, label``: splits back into exactly the registry's codes."""
    rows = {r["field"]: r for r in _records(openpyxl.load_workbook(ident)["Data dictionary"])}
    checked = 0
    for f in registry.FIELDS:
        options = [*(str(c.code) for c in (f.choices or f.levels)),
                   *(["na"] if f.na_allowed else [])]
        text = rows[f.name]["codes"] or ""
        parsed = [part.split(", ", 1)[0] for part in str(text).split(" | ")] if text else []
        assert parsed == options, f.name
        checked += bool(options)
    assert checked > 100
    unit = str(rows["dose_unit"]["codes"])
    assert "mg/kg, mg/kg" in unit.split(" | ")  # codes with "/" survive the separator
    reason = str(rows["reason"]["codes"]).split(" | ")
    assert [r.split(", ")[0] for r in reason] == ["not_done", "not_assessable", "unknown",
                                                  "na"]


def test_parent_global_activity_in_visits_and_dictionary(tmp_path: Path) -> None:
    patients = _patients()
    patients[0].visits[0].values["parent_global_activity"] = Decimal("6.5")
    out = tmp_path / "pga.xlsx"
    write_workbook(patients, out, identified=False, settings=ScoringSettings())
    wb = openpyxl.load_workbook(out)
    rows = _records(wb["Visits"])
    assert "parent_global_activity" in _header(wb["Visits"])
    assert Decimal(str(rows[0]["parent_global_activity"])) == Decimal("6.5")
    fields = {r["field"] for r in _records(wb["Data dictionary"])}
    assert {"parent_global_activity", "tis_parent_measure", "acr_eular_response_min",
            "printo_response_best"} <= fields


def test_rows_guarded_column_by_column_are_the_rows_guarded_one_by_one() -> None:
    """A sheet guards its rows in batches, column by column (exports.excel._safe_rows): a
    formula-like text in a column of numbers, a str subclass, an error literal or a control
    character among hundreds of safe rows is guarded exactly as row by row."""
    import enum  # noqa: PLC0415
    import random  # noqa: PLC0415

    from openpyxl import Workbook  # noqa: PLC0415

    from exports.excel import _safe_row, _safe_rows  # noqa: PLC0415

    class Code(enum.StrEnum):
        BAD = "+cmd|' /C calc'!A0"

    rng = random.Random(7)
    hostile = ["=1+1", Code.BAD, "#N/A", "-2", "@x", "tab\there", "bell\x07", "\t=1", ""]
    rows: list[list[object]] = []
    for i in range(300):
        row: list[object] = [f"P{i % 7:02d}", "M3", i, Decimal("2.5"), None, True,
                             dt.date(2024, 1, 1), "yes" if i % 2 else "no", float(i)]
        if rng.random() < 0.1:
            row[rng.randrange(len(row))] = rng.choice(hostile)
        rows.append(row)
    rows[123][2] = "=HYPERLINK(\"http://x\")"  # a formula in a column of numbers

    def cells(row: object) -> list[tuple[object, object, object]]:
        return [(getattr(c, "value", c), getattr(c, "data_type", None),
                 getattr(c, "quotePrefix", None)) for c in row]  # type: ignore[attr-defined]

    ws = Workbook(write_only=True).create_sheet("t")
    by_row = [cells(_safe_row(ws, r, {})) for r in rows]
    by_column = [cells(r) for r in _safe_rows(ws, rows, {})]
    assert by_column == by_row
    assert by_column[123][2] == ("=HYPERLINK(\"http://x\")", "s", True)
    assert sum(c[1] == "s" for r in by_column for c in r) >= 5  # hostile texts were planted
    uneven = [*rows[:3], ["P01", "=2"]]  # rows of unequal length: one by one
    assert [cells(r) for r in _safe_rows(ws, uneven, {})] == [
        cells(_safe_row(ws, r, {})) for r in uneven]


def test_remembered_safe_texts_never_let_a_formula_through() -> None:
    """The sheet remembers texts already found safe (issue 16: codes and IDs repeat on every
    row); a formula-like text is guarded every time it comes, and so is a str subclass."""
    import enum  # noqa: PLC0415

    from openpyxl import Workbook  # noqa: PLC0415

    from exports.excel import _safe_row  # noqa: PLC0415

    class Code(enum.StrEnum):
        BAD = "=HYPERLINK('http://x')"

    ws = Workbook(write_only=True).create_sheet("t")
    safe: dict[str, str] = {}
    rows = [_safe_row(ws, ["P01", "=1+1", Code.BAD, 3, None, "", "@SUM(A1)"], safe)
            for _ in range(3)]
    for row in rows:
        assert row[0] == "P01" and row[3] == 3 and row[4] is None and row[5] == ""
        for i in (1, 2, 6):
            assert getattr(row[i], "data_type", None) == "s", row[i]
            assert row[i].quotePrefix
    assert safe == {"P01": "P01"}
