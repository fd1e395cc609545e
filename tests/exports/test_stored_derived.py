"""Bulk exports from a database reuse the derived values storage computed at save time.

The workbook written from stored values (``Repository.iter_patients(with_derived=True)``)
must be cell-for-cell the workbook written by rescoring every visit, and stale stored values
(after a settings change not yet refreshed) must never be used.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from exports.common import summarise_stored
from exports.excel import write_workbook
from forms.model import Patient, Visit
from storage.demo import add_demo_cohort
from storage.repository import AppSettings, Repository


@pytest.fixture
def repo(tmp_path: Path):
    with Repository(tmp_path / "clinic.sqlite") as repo:
        add_demo_cohort(repo)
        # An unlabelled baseline: its label must never leak a date into de-identified sheets.
        repo.add_patient(Patient("X-01", sex="male", visits=[
            Visit(dt.date(2024, 1, 5), None, values={"phys_global": Decimal("6"),
                                                      "cmas_situps": 3}),
            Visit(dt.date(2024, 4, 5), "M3", values={"phys_global": Decimal("2.5")}),
        ]), "tester")
        yield repo


def _cells(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets}


@pytest.mark.parametrize("identified", [False, True])
def test_stored_and_recomputed_workbooks_are_identical(repo: Repository, tmp_path: Path,
                                                       identified: bool) -> None:
    settings = repo.scoring_settings()
    stored = list(repo.iter_patients(with_derived=True))
    assert all(v.derived for p in stored for v in p.visits)
    assert all(summarise_stored(p, settings) is not None for p in stored)
    fresh = list(repo.iter_patients())
    assert all(v.derived is None for p in fresh for v in p.visits)
    a, b = tmp_path / "stored.xlsx", tmp_path / "fresh.xlsx"
    write_workbook(stored, a, identified=identified, settings=settings)
    write_workbook(fresh, b, identified=identified, settings=settings)
    cells_a, cells_b = _cells(a), _cells(b)
    assert cells_a == cells_b
    response = cells_a["Response"]
    assert len(response) > 20  # follow-ups of the demo cohort are there
    header = response[0]
    x01 = [r for r in response if r[0] == "X-01"][0]
    assert x01[header.index("baseline_label")] is None  # unlabelled baseline: no date


def test_stale_stored_values_are_not_attached(repo: Repository) -> None:
    current = repo.get_settings()
    changed = AppSettings(scoring=type(current.scoring)(tis_muscle_measure="cmas"),
                          assessor=current.assessor)
    repo.set_settings(changed, "tester", refresh=False)
    assert repo.needs_refresh()
    assert all(v.derived is None for p in repo.iter_patients(with_derived=True)
               for v in p.visits)
    repo.refresh_derived()
    patients = list(repo.iter_patients(with_derived=True))
    assert all(v.derived is not None for p in patients for v in p.visits)
    follow_ups = [v.derived for p in patients for v in p.visits
                  if v.derived and v.derived.get("tis_muscle_measure")]
    assert follow_ups and all(d["tis_muscle_measure"] == "cmas" for d in follow_ups)


def test_a_visit_without_stored_values_falls_back_to_scoring(repo: Repository) -> None:
    patient = next(iter(repo.iter_patients(with_derived=True)))
    patient.visits[0].derived = None
    assert summarise_stored(patient, repo.scoring_settings()) is None


@pytest.mark.parametrize("identified", [False, True])
def test_stored_and_recomputed_redcap_records_are_identical(repo: Repository, tmp_path: Path,
                                                            identified: bool) -> None:
    from exports.redcap import write_redcap_project

    settings = repo.scoring_settings()
    a, b = tmp_path / "stored", tmp_path / "fresh"
    write_redcap_project(repo.iter_patients(with_derived=True), a, identified=identified,
                         settings=settings)
    write_redcap_project(repo.iter_patients(), b, identified=identified, settings=settings)
    records = (a / "records.csv").read_text(encoding="utf-8")
    assert records == (b / "records.csv").read_text(encoding="utf-8")
    assert "2024-01-05" not in records or identified  # the unlabelled baseline's date
    assert "major" in records  # follow-up responses are there
