"""``check`` stays clean after the app's own audited deletions (a visit, a medication, an
adverse event, a whole patient): replaying a delete row compares every field's old value with
the trail, not only the first one (before the fix every field after the first of a deleted
record was reported as "changed outside JDM Capture")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import sample_patient

from forms.model import AdverseEvent, Medication, Patient, Visit
from storage.database import check_database
from storage.repository import Repository


def _with_records(db_path: Path) -> None:
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
        repo.add_patient(Patient("P02", sex="male"), "nurse")
        repo.save_visit("P02", Visit(dt.date(2024, 3, 1), "M0",
                                     values={"ck": Decimal(200), "phys_global": Decimal(4)}),
                        "nurse")
        repo.record_medication("P02", Medication("methotrexate", dt.date(2024, 3, 1),
                                                 dose=Decimal(15)), "nurse")
        repo.record_adverse_event("P02", AdverseEvent(dt.date(2024, 3, 5), "nausea",
                                                      grade=1), "nurse")


@pytest.mark.parametrize("what", ["visit", "medication", "adverse_event", "patient"])
def test_check_is_clean_after_an_audited_deletion(db_path: Path, what: str) -> None:
    _with_records(db_path)
    with Repository(db_path) as repo:
        patient = repo.get_patient("P02")
        if what == "visit":
            repo.delete_visit(patient.visits[0].id or 0, "dr.a")
        elif what == "medication":
            repo.delete_medication(patient.medications[0].id or 0, "dr.a")
        elif what == "adverse_event":
            repo.delete_adverse_event(patient.adverse_events[0].id or 0, "dr.a")
        else:
            repo.delete_patient("P02", "dr.a")
    report = check_database(db_path)
    assert report.healthy, report.problems
    assert not [p for p in report.problems if "changed outside" in p]


def test_a_delete_row_whose_old_value_was_altered_is_still_found(db_path: Path) -> None:
    """The replay still compares each deleted field: a delete row claiming an old value the
    trail never had is reported (the check did not just stop looking at deletes)."""
    import sqlite3

    _with_records(db_path)
    with Repository(db_path) as repo:
        repo.delete_visit(repo.get_patient("P02").visits[0].id or 0, "dr.a")
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        audit_id = con.execute("SELECT max(id) FROM audit WHERE table_name = 'visits' "
                               "AND action = 'delete'").fetchone()[0]
        con.execute("DROP TRIGGER IF EXISTS audit_changes_no_update")
        triggers = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'audit_changes'")]
        for name in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        con.execute("UPDATE audit_changes SET old = '1999-01-01' WHERE audit_id = ? AND "
                    "field = 'visit_label'", (audit_id,))
    finally:
        con.close()
    problems = check_database(db_path).problems
    assert any("changes visit_label from '1999-01-01'" in p for p in problems), problems
