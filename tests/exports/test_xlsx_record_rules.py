"""The spreadsheet path refuses what the PDF, sign-off and exports could not handle, with the
sheet, row and column named (the same rules as the GUI and JSON paths: forms.validation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from export_factory import make_patient
from openpyxl import load_workbook

from exports.excel import write_workbook
from exports.xlsx_import import import_workbook
from forms.settings import ScoringSettings
from storage.repository import Repository


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    r = Repository(tmp_path / "clinic.sqlite")
    yield r
    r.close()


def _set(ws: Any, row: int, column: str, value: object) -> None:
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(column) + 1, value=value)


CASES: dict[str, tuple[Callable[[Any], None], str]] = {
    "multi-line term": (lambda wb: _set(wb["Adverse events"], 2, "term", "zoster\nface"),
                        "sheet Adverse events, row 2, column term"),
    "stop 9999": (lambda wb: _set(wb["Medications"], 2, "stop_date", dt.datetime(9999, 12, 31)),
                  "sheet Medications, row 2, column stop_date"),
    "onset 9999": (lambda wb: _set(wb["Adverse events"], 2, "onset_date",
                                   dt.datetime(9999, 12, 31)),
                   "sheet Adverse events, row 2, column onset_date"),
    "leading dash study ID": (lambda wb: [_set(wb[s], r, "study_id", "-P01")
                                          for s in ("Patients", "Visits", "Medications",
                                                    "Adverse events")
                                          for r in range(2, wb[s].max_row + 1)],
                              "sheet Patients, row 2, column study_id"),
    "date-like label": (lambda wb: _set(wb["Visits"], 2, "visit_label", "2021-01-11"),
                        "sheet Visits, row 2, column visit_label"),
    "bidi override in notes": (lambda wb: _set(wb["Medications"], 2, "notes", "ok\u202eevil"),
                               "sheet Medications, row 2, column notes"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_spreadsheet_import_refuses_unprintable_records(case: str, tmp_path: Path,
                                                        repo: Repository) -> None:
    path = tmp_path / "clinic.xlsx"
    write_workbook([make_patient("P01", 3)], path, identified=True, settings=ScoringSettings())
    wb = load_workbook(path)
    change, expected = CASES[case]
    change(wb)
    wb.save(path)
    summary = import_workbook(path, repo, "test")
    assert not summary.imported
    assert any(expected in e for e in summary.errors), summary.errors
    assert repo.patient_count() == 0


def test_spreadsheet_import_refuses_huge_visit_notes(tmp_path: Path, repo: Repository) -> None:
    path = tmp_path / "clinic.xlsx"
    write_workbook([make_patient("P01", 3)], path, identified=True, settings=ScoringSettings())
    wb = load_workbook(path)
    _set(wb["Visits"], 2, "visit_notes", "x" * 20_000)
    wb.save(path)
    summary = import_workbook(path, repo, "test")
    assert not summary.imported
    assert any("visit_notes" in e and "10000" in e.replace(",", "") for e in summary.errors), \
        summary.errors
    assert repo.patient_count() == 0
