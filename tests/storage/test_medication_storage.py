"""Medications as prescribed in storage (issue 14): m021 converts the older doses-per-day
field from the last released schema without loss, and the schedule fields round-trip."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import FIXTURES

from forms.model import Medication, Patient
from storage.audit_chain import verify_chain
from storage.errors import ValidationFailed
from storage.repository import Repository

FIXTURE = FIXTURES / "m001_schema.sqlite"

#: frequency_per_day as version 1 stored it -> (schedule, times, frequency kept)
OLD = {"methotrexate": (0.143, "weekly", 1, None), "ivig": (0.033, "monthly", 1, None),
       "prednisolone": (0.5, None, None, Decimal("0.5")),  # every other day: kept as it was
       "ciclosporin": (2.0, "daily", 2, None), "hydroxychloroquine": (0.286, "weekly", 2, None)}


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    con = sqlite3.connect(path)
    with con:
        for drug, (freq, *_rest) in OLD.items():
            con.execute("INSERT INTO medications (patient_id, drug, dose, dose_unit, "
                        "frequency_per_day, route, start_date) VALUES (1, ?, 10, 'mg', ?, "
                        "'oral', '2020-02-01')", (drug, freq))
    con.close()
    return path


def test_m021_converts_doses_per_day_to_schedules(old_file: Path) -> None:
    with Repository(old_file) as repo:
        meds = {m.drug: m for m in repo.get_patient("FX-01").medications}
        tofa = meds["tofacitinib"]  # the fixture's own course: 5 mg, 2 a day
        assert (tofa.schedule, tofa.times_per_period, tofa.frequency_per_day) == ("daily", 2,
                                                                                  None)
        assert tofa.dose == 5
        for drug, (_freq, schedule, times, kept) in OLD.items():
            m = meds[drug]
            assert (m.schedule, m.times_per_period, m.frequency_per_day) == (schedule, times,
                                                                             kept), drug
            assert m.dose == 10 and m.dose_unit == "mg"
        changes = repo.db.conn.execute(
            "SELECT a.actor, a.record_id, c.field, c.old, c.new FROM audit a "
            "JOIN audit_changes c ON c.audit_id = a.id WHERE a.table_name = 'medications'"
        ).fetchall()
        old_freq = {(rid, old) for actor, rid, f, old, _n in changes
                    if f == "frequency_per_day" and actor == "upgrade m021"}
        assert {old for _rid, old in old_freq} == {"2", "0.143", "0.033", "0.286"}
        assert verify_chain(repo.db.conn).ok
        # an upgraded course saves again unchanged (the rules accept it)
        repo.record_medication("FX-01", meds["methotrexate"], "nurse")
        repo.record_medication("FX-01", meds["prednisolone"], "nurse")


def test_schedule_fields_round_trip_and_are_checked(repo: Repository) -> None:
    repo.add_patient(Patient("P01"), "dr.a")
    mtx = Medication("methotrexate", dt.date(2024, 1, 1), Decimal(15), "mg", route="sc",
                     schedule="weekly", times_per_period=1)
    ivmp = Medication("methylprednisolone", dt.date(2024, 1, 1), Decimal(30), "mg/kg",
                      route="iv", schedule="pulse", pulse_count=3)
    repo.record_medication("P01", mtx, "dr.a")
    repo.record_medication("P01", ivmp, "dr.a")
    got = {m.drug: m for m in repo.get_patient("P01").medications}
    assert (got["methotrexate"].schedule, got["methotrexate"].times_per_period) == ("weekly",
                                                                                   1)
    assert (got["methylprednisolone"].schedule, got["methylprednisolone"].pulse_count) == (
        "pulse", 3)
    bad = Medication("prednisolone", dt.date(2024, 1, 1), Decimal(10), "mg",
                     schedule="daily", times_per_period=6)
    with pytest.raises(ValidationFailed, match="more than 4 times per day"):
        repo.record_medication("P01", bad, "dr.a")


def test_a_taper_is_the_courses_history(repo: Repository) -> None:
    repo.add_patient(Patient("P01"), "dr.a")
    first = Medication("prednisolone", dt.date(2024, 1, 1), Decimal(40), "mg", route="oral",
                       schedule="daily", times_per_period=1)
    repo.record_medication("P01", first, "dr.a")
    step = Medication("prednisolone", dt.date(2024, 2, 1), Decimal(30), "mg", route="oral",
                      schedule="daily", times_per_period=1)
    repo.change_dose("P01", first.id or 0, step, "dr.a")
    meds = sorted(repo.get_patient("P01").medications, key=lambda m: m.start_date)
    assert [(m.dose, m.start_date, m.stop_date) for m in meds] == [
        (Decimal(40), dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        (Decimal(30), dt.date(2024, 2, 1), None)]
    with pytest.raises(ValidationFailed, match="must be after the start of the current dose"):
        repo.change_dose("P01", meds[1].id or 0, Medication(
            "prednisolone", dt.date(2024, 1, 15), Decimal(20), "mg"), "dr.a")
    assert len(repo.get_patient("P01").medications) == 2  # nothing half-written
