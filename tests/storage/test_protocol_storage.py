"""The study protocol in storage (issue 14): the m020 label upgrade from the last released
schema, the one-time review list, the protocol setting, labels normalised on save, and the
schedule inputs of the due list."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from storage_samples import FIXTURES, sample_patient

from forms.model import Patient, Visit
from forms.protocol import DEFAULT_PROTOCOL, Protocol, ProtocolVisit
from storage import migrations as mig
from storage.audit_chain import verify_chain
from storage.database import open_database
from storage.repository import AppSettings, Repository

FIXTURE = FIXTURES / "m001_schema.sqlite"

#: free labels a clinic typed before there was a protocol -> what m020 makes of them
FREE_LABELS = {"3M": "M3", "month6": "M6", "m12": "M12", "FLARE": "flare",
               "visit2": "unscheduled", "M9": "unscheduled", "Baseline": "M0", "M18": "M18"}


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    """The committed m001 fixture plus a patient with free-text labels, written with plain
    sqlite3 at the m001 schema (as version 1 of the app stored them)."""
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO patients (id, study_id) VALUES (50, 'FX-LAB')")
        for i, label in enumerate(FREE_LABELS):
            con.execute("INSERT INTO visits (patient_id, visit_date, visit_label, baseline) "
                        "VALUES (50, ?, ?, ?)",
                        ((dt.date(2020, 1, 1) + dt.timedelta(days=40 * i)).isoformat(), label,
                         1 if label == "Baseline" else 0))
    con.close()
    return path


def test_m020_maps_free_labels_audits_and_lists_them(old_file: Path) -> None:
    with Repository(old_file) as repo:
        labels = [v.visit_label for v in repo.get_patient("FX-LAB").sorted_visits()]
        assert labels == list(FREE_LABELS.values())
        # the fixture's own labels were already codes: unchanged, not listed
        assert [v.visit_label for v in repo.get_patient("FX-01").sorted_visits()] == ["M0",
                                                                                     "M3"]
        review = repo.label_review()
        assert {(r.old_label, r.new_label) for r in review} == {
            (old, new) for old, new in FREE_LABELS.items() if old != new}
        assert all(r.study_id == "FX-LAB" and not r.kept for r in review)
        # every change is in the audit trail with the old label, and the chain still holds
        changes = repo.db.conn.execute(
            "SELECT a.actor, c.old, c.new FROM audit a JOIN audit_changes c ON c.audit_id = a.id "
            "WHERE a.table_name = 'visits' AND c.field = 'visit_label' AND c.old IS NOT NULL"
        ).fetchall()
        assert {(old, new) for _a, old, new in changes} == {
            (old, new) for old, new in FREE_LABELS.items() if old != new}
        assert {a for a, _o, _n in changes} == {"upgrade m020"}
        assert verify_chain(repo.db.conn).ok
        # reviewed once: never listed again, and the review itself is audited
        repo.mark_label_review_done("nurse")
        assert repo.label_review() == []
    with Repository(old_file) as repo:
        assert repo.label_review() == []


def test_m020_keeps_a_signed_visits_label(tmp_path: Path) -> None:
    path = tmp_path / "signed.sqlite"
    db = Database(path)
    mig.migrations.apply(db, stop_before="m020_protocol_visit_labels")
    pdf = b"%PDF-1.4 snapshot"
    with db.conn:
        db.execute("INSERT INTO patients (id, study_id) VALUES (1, 'S1')")
        db.execute("INSERT INTO visits (id, patient_id, visit_date, visit_label) VALUES "
                   "(1, 1, '2024-01-01', 'm3'), (2, 1, '2024-02-01', 'm6')")
        db.execute("INSERT INTO visit_signoffs (visit_id, signed_by, signed_at, meaning, "
                   "snapshot_pdf, snapshot_sha256) VALUES (1, 'Dr A', '2024-01-02', 'verified',"
                   " ?, ?)", (pdf, hashlib.sha256(pdf).hexdigest()))
    db.close()
    with Repository(path) as repo:
        visits = {v.visit_date.month: v.visit_label for v in repo.get_patient("S1").visits}
        assert visits == {1: "m3", 2: "M6"}  # the signed one is untouched
        kept = {r.old_label: r.kept for r in repo.label_review()}
        assert kept == {"m3": True, "m6": False}


def test_labels_are_stored_as_protocol_codes(repo: Repository) -> None:
    repo.add_patient(Patient("P01", identifiers={"birth_date": dt.date(2012, 1, 1)}), "dr.a")
    repo.save_visit("P01", Visit(dt.date(2024, 1, 1), " baseline ", baseline=True), "dr.a")
    repo.save_visit("P01", Visit(dt.date(2024, 4, 1), "3m"), "dr.a")
    repo.save_visit("P01", Visit(dt.date(2024, 5, 1), "Flare"), "dr.a")
    labels = [v.visit_label for v in repo.get_patient("P01").sorted_visits()]
    assert labels == ["M0", "M3", "flare"]
    # a label that is no protocol visit (older data being imported) is kept as unscheduled,
    # with a warning naming the allowed labels, and the original goes to the review list
    result = repo.save_visit("P01", Visit(dt.date(2024, 6, 1), "M9"), "dr.a")
    (warning,) = [w for w in result.warnings if w.field == "visit_label"]
    assert not warning.is_error and "M0, M3, M6" in warning.message
    assert "saved as unscheduled" in warning.message
    assert repo.get_patient("P01").sorted_visits()[-1].visit_label == "unscheduled"
    assert [(r.old_label, r.new_label) for r in repo.label_review()] == [("M9", "unscheduled")]
    repo.mark_label_review_done("nurse")
    assert repo.label_review() == []
    repo.save_visit("P01", Visit(dt.date(2024, 7, 1), "visit7"), "dr.a")  # a later one shows
    assert [r.old_label for r in repo.label_review()] == ["visit7"]


def test_protocol_setting_round_trip_and_labels_follow_it(repo: Repository) -> None:
    assert repo.get_settings().protocol == DEFAULT_PROTOCOL
    custom = Protocol((ProtocolVisit(0, 0, 0), ProtocolVisit.at_month(1, 7),
                       ProtocolVisit.at_month(9, 21)), repeat_every_months=0, last_month=9)
    repo.set_settings(AppSettings(protocol=custom), "lead")
    assert repo.get_settings().protocol == custom
    audited = repo.db.conn.execute(
        "SELECT count(*) FROM audit_changes WHERE field = 'study_protocol'").fetchone()[0]
    assert audited == 1
    repo.add_patient(Patient("P01", identifiers={"birth_date": dt.date(2012, 1, 1)}), "dr.a")
    repo.save_visit("P01", Visit(dt.date(2024, 10, 1), "m9"), "dr.a")  # M9 exists now
    assert repo.get_patient("P01").visits[0].visit_label == "M9"
    repo.save_visit("P01", Visit(dt.date(2024, 11, 1), "M3"), "dr.a")  # no M3 in this one
    assert repo.get_patient("P01").sorted_visits()[-1].visit_label == "unscheduled"


def test_a_damaged_protocol_setting_falls_back_to_the_default(db_path: Path) -> None:
    open_database(db_path).close()
    con = sqlite3.connect(db_path)
    with con:
        con.execute("INSERT INTO settings (key, value) VALUES ('study_protocol', '{\"x\": 1}')")
    con.close()
    with Repository(db_path) as repo:
        assert repo.get_settings().protocol == DEFAULT_PROTOCOL


def test_schedule_inputs(repo: Repository) -> None:
    repo.add_patient(sample_patient("P01"), "dr.a")
    repo.add_patient(Patient("P02"), "dr.a")
    by_id = {s.study_id: s for s in repo.schedule_inputs()}
    assert by_id["P01"].baseline_date == dt.date(2021, 1, 4)
    assert by_id["P01"].labels == ("M0", "M3")
    assert by_id["P01"].last_visit_date == dt.date(2021, 3, 4)
    assert by_id["P02"].baseline_date is None and by_id["P02"].labels == ()
