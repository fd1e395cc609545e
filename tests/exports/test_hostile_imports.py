"""Hostile and malformed import files: refused whole, quickly, with the place named.

Issue 10 section 2 and issue 17 ("Resource and exit-code limits"): zip bombs and oversized
parts are refused before anything is inflated; malformed sheet XML (also XXE and billion
laughs) and number cells holding NaN/INF/0x10 give exit 2 naming sheet, row and column; a
million rows or thousands of problems stop early; duplicate match keys inside one file are
refused naming both records. Every hostile file is generated here (nothing large is
committed); ``bench/bench_hostile_imports.py`` times the same files at full size.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import main
from exports import xlsx_import
from exports.excel import write_workbook
from exports.xlsx_import import import_workbook, read_workbook
from forms.settings import ScoringSettings
from storage import casefile
from storage.casefile import CaseFileRejected, import_case_file
from storage.repository import Repository

sys.path.insert(0, str(Path(__file__).parent))
from export_factory import make_patient  # noqa: E402
from hostile_xlsx import HEADER, PATIENTS, VISITS_HEADER, sheet_xml, workbook  # noqa: E402

ACTOR = "test"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    r = Repository(tmp_path / "clinic.jdm")
    yield r
    r.close()


def _errors(path: Path) -> list[str]:
    read = read_workbook(path)
    assert not read.ok and not read.patients
    return [str(p) for p in read.errors]


def _visits(*rows: list[object]) -> dict[str, Any]:
    return {"Patients": sheet_xml(PATIENTS), "Visits": sheet_xml([VISITS_HEADER, *rows])}


# ------------------------------------------------------------------------------------------
# Cells that are not what their type says
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("NaN", '"NaN" is stored as a number cell but cannot be read as one; type the value '
            "again"),
    ("INF", '"INF" is stored as a number cell but cannot be read as one; type the value '
            "again"),
    ("0x10", '"0x10" is stored as a number cell but cannot be read as one; type the value '
             "again"),
    ("1E999", "inf is not a number; a cell must hold a finite number"),
    ("-1E999", "-inf is not a number; a cell must hold a finite number"),
])
def test_number_cells_holding_nan_inf_or_hex_are_named(raw: str, expected: str,
                                                       tmp_path: Path) -> None:
    path = workbook(tmp_path / "n.xlsx", _visits(["P01", "2021-01-04", "M0", 30,
                                                  ("raw", "n", raw)]))
    assert _errors(path) == [f"n.xlsx: sheet Visits, row 2, column phys_global: {expected}"]


def test_unreadable_boolean_and_shared_string_cells_are_named(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", _visits(
        ["P01", "2021-01-04", ("raw", "s", "99"), ("raw", "b", "maybe")]))
    errors = _errors(path)
    assert any("sheet Visits, row 2, column visit_label:" in e for e in errors), errors
    assert any("sheet Visits, row 2, column weight_kg:" in e and "TRUE/FALSE" in e
               for e in errors), errors


# ------------------------------------------------------------------------------------------
# Sheet XML that cannot be parsed
# ------------------------------------------------------------------------------------------
XXE = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM '
       '"file:///etc/hostname">]>' + HEADER[HEADER.index("<worksheet"):] +
       '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>study_id</t></is></c></row>'
       '<row r="2"><c r="A2" t="inlineStr"><is><t>&secret;</t></is></c></row>'
       '</sheetData></worksheet>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.replace(
              "&lol0;", "&lol;") for i in range(1, 10))
          + ']>' + HEADER[HEADER.index("<worksheet"):]
          + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
          '</sheetData></worksheet>')


@pytest.mark.parametrize(("name", "xml"), [
    ("truncated", HEADER + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>study'),
    ("not xml", "this is not XML at all"),
    ("xxe", XXE),
    ("billion laughs", LAUGHS),
])
def test_damaged_or_entity_sheet_xml_is_refused_naming_the_sheet(
        name: str, xml: str, tmp_path: Path) -> None:
    path = workbook(tmp_path / "x.xlsx", {"Patients": xml})
    errors = _errors(path)
    assert len(errors) == 1, errors
    assert errors[0].startswith("x.xlsx: sheet Patients: cannot be read: the sheet's XML is "
                                "damaged"), errors
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in errors[0]  # no file content leaks


def test_damaged_workbook_part_is_one_line_not_a_crash(tmp_path: Path) -> None:
    path = workbook(tmp_path / "w.xlsx", {"Patients": sheet_xml(PATIENTS)})
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = b"<workbook><sheets><sheet"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    errors = _errors(path)
    assert len(errors) == 1 and "\n" not in errors[0]
    assert errors[0].startswith("w.xlsx: cannot be read as an Excel workbook (.xlsx): ")


def test_cli_refuses_damaged_xml_with_exit_2_and_no_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite"
    assert main.main(["init", "--db", str(db)]) == 0
    path = workbook(tmp_path / "x.xlsx", {"Patients": XXE})
    code = main.main(["import", "--db", str(db), str(path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err and "ParseError" not in err
    assert err.splitlines()[0].startswith("x.xlsx: sheet Patients: cannot be read")


# ------------------------------------------------------------------------------------------
# Sizes: refused before anything is inflated
# ------------------------------------------------------------------------------------------
def test_zip_bomb_is_refused_before_opening(tmp_path: Path, repo: Repository) -> None:
    """A 200 MB sheet of whitespace compresses ~1,000:1; it is never inflated."""
    chunk = " " * (1 << 20)
    bomb = workbook(tmp_path / "bomb.xlsx", {
        "Patients": [HEADER, "<sheetData>", *([chunk] * 200), "</sheetData></worksheet>"]})
    assert bomb.stat().st_size < 2 * 2**20
    summary = import_workbook(bomb, repo, ACTOR)
    assert not summary.imported
    assert len(summary.errors) == 1
    assert "bomb.xlsx: part xl/worksheets/sheet1.xml is compressed" in summary.errors[0]
    assert "zip bomb" in summary.errors[0]


def test_oversized_file_part_and_total_are_refused(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["study_id", "sex"], *([f"P{i:05d}", "female"] for i in range(2000))]
    path = workbook(tmp_path / "w.xlsx", {"Patients": sheet_xml(rows)})
    assert read_workbook(path).ok
    part = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
    monkeypatch.setattr(xlsx_import, "MAX_PART_BYTES", part - 1)
    assert "part xl/worksheets/sheet1.xml would inflate to" in _errors(path)[0]
    monkeypatch.setattr(xlsx_import, "MAX_PART_BYTES", 2**30)
    monkeypatch.setattr(xlsx_import, "MAX_TOTAL_BYTES", part)
    assert "would inflate to" in _errors(path)[0] and "in all" in _errors(path)[0]
    monkeypatch.setattr(xlsx_import, "MAX_FILE_BYTES", 1000)
    assert "the largest workbook JDM Capture reads is" in _errors(path)[0]


def test_not_a_workbook_folder_and_encrypted_part(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(4000))  # an OLE file: what Excel encrypts to
    assert "not a zip archive" in _errors(junk)[0] and "password" in _errors(junk)[0]
    folder = tmp_path / "dir.xlsx"
    folder.mkdir()
    assert _errors(folder) == ["dir.xlsx: is a folder, not a workbook"]
    path = workbook(tmp_path / "e.xlsx", {"Patients": sheet_xml(PATIENTS)})
    data = bytearray(path.read_bytes())
    # set the "encrypted" flag bit of every local and central header
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + at] |= 1
            start = i + 4
    path.write_bytes(bytes(data))
    assert "is encrypted" in _errors(path)[0]


# ------------------------------------------------------------------------------------------
# Too many rows, rows past Excel's last, too many problems
# ------------------------------------------------------------------------------------------
def test_rows_past_the_cap_are_refused_before_any_is_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(xlsx_import.MAX_ROWS, "Patients", 50)
    rows = [["study_id", "sex"], *([f"P{i:05d}", "female"] for i in range(60))]
    path = workbook(tmp_path / "r.xlsx", {"Patients": sheet_xml(rows)})
    assert _errors(path) == ["r.xlsx: sheet Patients: has more than 50 data rows, the most JDM "
                             "Capture reads per sheet; split the workbook"]
    # the streaming reader enforces the same cap should the quick count ever miss rows
    monkeypatch.setattr(xlsx_import, "_precheck", lambda *a: None)
    assert _errors(path) == ["r.xlsx: sheet Patients, row 52: is past the last row JDM Capture "
                             "reads (50 data rows per sheet); split the workbook"]


def test_the_quick_row_count_is_exact_across_chunks(tmp_path: Path) -> None:
    """70,000 rows span several 1 MB chunks; the count must be exact at the cap's edge."""
    rows = [["study_id", "sex"], *([f"P{i:07d}", "female"] for i in range(69_999))]
    path = workbook(tmp_path / "c.xlsx", {"Patients": sheet_xml(rows)})
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > 3 * 2**20
    with open(path, "rb") as handle:
        wb = xlsx_import._open_book(handle)
        ws = wb["Patients"]
        assert xlsx_import._more_rows_than(wb, ws, 69_999)
        assert not xlsx_import._more_rows_than(wb, ws, 70_000)
        wb.close()


def test_row_numbers_past_excels_last_row_are_refused(tmp_path: Path) -> None:
    xml = (HEADER + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>study_id</t></is>'
           '</c></row><row r="2000000"><c r="A2000000" t="inlineStr"><is><t>P1</t></is></c>'
           "</row></sheetData></worksheet>")
    errors = _errors(workbook(tmp_path / "r.xlsx", {"Patients": xml}))
    assert errors == ["r.xlsx: sheet Patients, row 2000000: is past the last row JDM Capture "
                      "reads (row 1,048,576, Excel's last); split the workbook"]


def test_a_row_wider_than_excel_allows_is_refused_while_it_is_read(tmp_path: Path) -> None:
    cells = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(20_000))
    xml = (HEADER + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>study_id</t></is>'
           f'</c></row><row r="2">{cells}</row></sheetData></worksheet>')
    errors = _errors(workbook(tmp_path / "w.xlsx", {"Patients": xml}))
    assert errors == ["w.xlsx: sheet Patients: cannot be read: row 2 has more than 16,384 "
                      "cells (Excel's limit)"]


def test_thousands_of_problems_stop_at_the_cap(tmp_path: Path) -> None:
    rows = [["study_id", "sex"], *([f"P{i:05d}", "x"] for i in range(5000))]
    read = read_workbook(workbook(tmp_path / "p.xlsx", {"Patients": sheet_xml(rows)}))
    assert len(read.errors) == xlsx_import.MAX_PROBLEMS + 1
    assert str(read.errors[-1]) == ("p.xlsx: more than 1000 problems; reading stopped here "
                                    "(nothing was saved)")


# ------------------------------------------------------------------------------------------
# Duplicate match keys inside one file (issue 17): refused, naming both records
# ------------------------------------------------------------------------------------------
def test_workbook_with_two_courses_of_one_drug_and_start_is_refused(
        tmp_path: Path, repo: Repository) -> None:
    path = tmp_path / "d.xlsx"
    write_workbook([make_patient("P01", 2)], path, identified=True, settings=ScoringSettings())
    wb = load_workbook(path)
    for sheet in ("Medications", "Adverse events"):
        ws = wb[sheet]
        copy = [c.value for c in ws[2]]
        if sheet == "Medications":
            copy[[c.value for c in ws[1]].index("dose")] = 99  # differs, same drug and start
        ws.append(copy)
    wb.save(path)
    summary = import_workbook(path, repo, ACTOR)
    assert not summary.imported
    meds = [e for e in summary.errors if "sheet Medications" in e]
    aes = [e for e in summary.errors if "sheet Adverse events" in e]
    assert len(meds) == 1 and len(aes) == 1, summary.errors
    assert meds[0].startswith("d.xlsx: sheet Medications, row 6, column drug: P01 has the same "
                              "drug and start_date on row 2 (drug prednisolone, start_date "
                              "2021-01-11)")
    assert "sheet Adverse events, row 3, column onset_date: P01 has the same onset_date and " \
           "term on row 2" in aes[0]
    assert repo.patient_count() == 0


def test_case_file_with_duplicate_courses_and_events_is_refused(
        tmp_path: Path, repo: Repository) -> None:
    patient = casefile.patient_to_json(make_patient("P01", 2))
    patient["medications"].append(dict(patient["medications"][0], dose=99))
    patient["adverse_events"].append(dict(patient["adverse_events"][0]))
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"format": "jdm-capture-cases", "version": 1,
                                "patients": [patient]}))
    with pytest.raises(CaseFileRejected) as refused:
        import_case_file(repo, path, ACTOR)
    assert refused.value.problems == [
        "d.json: patient P01, medication 5 (prednisolone): has the same drug and start_date as "
        "medication 1 (drug prednisolone, start_date 2021-01-11); the import matches "
        "medications by them, so the two would become one: correct one of them, or merge them",
        "d.json: patient P01, adverse event 2 (herpes zoster): has the same onset_date and term "
        "as adverse event 1 (onset_date 2021-03-22, term herpes zoster); the import matches "
        "adverse events by them, so the two would become one: correct one of them, or merge "
        "them"]
    assert repo.patient_count() == 0


# ------------------------------------------------------------------------------------------
# JSON case files
# ------------------------------------------------------------------------------------------
def _case(tmp_path: Path, patients: list[Any], name: str = "c.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"format": "jdm-capture-cases", "version": 1,
                                "patients": patients}))
    return path


def test_case_file_too_large_is_refused_before_reading(tmp_path: Path, repo: Repository,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = _case(tmp_path, [{"study_id": "P01"}])
    monkeypatch.setattr(casefile, "MAX_FILE_BYTES", 10)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(CaseFileRejected) as refused:
        import_case_file(repo, path, ACTOR)
    assert "the largest case file JDM Capture reads is" in refused.value.problems[0]


def test_case_file_integer_of_5000_digits_is_refused_not_a_crash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"format": "jdm-capture-cases", "version": 1, "patients": [{"study_id": '
                    '"P01", "visits": [{"visit_date": "2021-01-04", "values": {"ck": '
                    + "9" * 5000 + "}}]}]}")
    db = tmp_path / "c.sqlite"
    assert main.main(["init", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main.main(["import", "--db", str(db), str(path)]) == 2
    err = capsys.readouterr().err
    # refused naming the patient, visit and field, with the number quoted shortened
    assert err.startswith("big.json: patient P01, visit 2021-01-04: ck = ") and len(err) < 600


def test_case_file_with_thousands_of_problems_stops_at_the_cap(tmp_path: Path,
                                                               repo: Repository) -> None:
    path = _case(tmp_path, [{"study_id": f"P{i}", "sex": "x"} for i in range(5000)])
    with pytest.raises(CaseFileRejected) as refused:
        import_case_file(repo, path, ACTOR)
    problems = refused.value.problems
    assert len(problems) == casefile.MAX_PROBLEMS + 1
    assert problems[-1] == ("c.json: more than 1000 problems; checking stopped here (nothing "
                            "was saved)")


def test_case_file_is_parsed_once(tmp_path: Path, repo: Repository,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: the file was parsed twice (6.4x its size in memory)."""
    path = _case(tmp_path, [{"study_id": "P01", "visits": [{"visit_date": "2021-01-04"}]}])
    calls: list[int] = []
    real = json.loads

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(casefile.json, "loads", counting)
    import_case_file(repo, path, ACTOR, today=dt.date(2026, 1, 1))
    assert len(calls) == 1


def test_case_file_that_is_a_folder(tmp_path: Path, repo: Repository) -> None:
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(CaseFileRejected) as refused:
        import_case_file(repo, tmp_path / "dir.json", ACTOR)
    assert refused.value.problems == ["dir.json: is a folder, not a case file"]
