"""``check`` proves the data, not only the audit rows (issue 17).

Each attack is done the way someone with the file would: plain ``sqlite3`` on a database
written through the repository, then ``check_database`` (and ``main.py check``) must fail
naming what differs. Before issue 17 every one of these left ``check`` at exit 0.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import FIXTURES, sample_patient

from main import main
from storage import integrity, signoff
from storage.database import check_database, open_database
from storage.errors import KnownStorageError
from storage.repository import Repository

PDF = b"%PDF-1.4\n% stand-in\n%%EOF\n"


def _populated(db_path: Path) -> Path:
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
        repo.add_patient(sample_patient("P02"), "nurse")
        visit = repo.get_patient("P01").visits[1]
        visit.values["phys_global"] = Decimal("3.5")
        repo.save_visit("P01", visit, "doctor")
    return db_path


def _sql(db_path: Path, *statements: str) -> None:
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


def _problems(db_path: Path) -> list[str]:
    return check_database(db_path).problems


def test_an_untouched_file_checks_clean(db_path: Path) -> None:
    _populated(db_path)
    report = check_database(db_path)
    assert report.healthy, report.problems
    assert report.findings == [] or all(f.severity == "note" for f in report.findings)


@pytest.mark.parametrize(("statement", "expected"), [
    ("UPDATE values_global SET phys_global = 0.1 WHERE visit_id = 1",
     r"values_global record 1 .*phys_global is '0.1' but the audit trail says '6.5'"),
    ("UPDATE patients SET mrn = 'FORGED' WHERE study_id = 'P01'",
     r"patients record 1 .*mrn is 'FORGED' but the audit trail says 'H123456'"),
    ("DELETE FROM adverse_events WHERE id = 1",
     r"adverse_events record 1 .*herpes zoster.*missing from the database"),
    ("UPDATE derived_values SET value = 'major' WHERE visit_id = 2 AND "
     "field = 'acr_eular_response'",
     r"derived: .*P01, visit 2021-03-04.*acr_eular_response is stored as 'major'"),
    ("UPDATE visits SET notes = 'rewritten' WHERE id = 1",
     r"visits record 1 .*notes is 'rewritten' but the audit trail says 'first visit'"),
    ("UPDATE medications SET patient_id = 2 WHERE id = 1",
     r"medications record 1 .*patient_id is '2' but the audit trail says '1'"),
    ("INSERT INTO visit_missing (visit_id, field, reason) VALUES (2, 'crp', 'not_done')",
     r"visit_missing record 2: is in the database but the audit trail has no record"),
    ("INSERT INTO patients (study_id) VALUES ('GHOST')",
     r"patients record 3: is in the database but the audit trail has no record"),
    ("UPDATE settings SET value = 'adult' WHERE key = 'thresholds'",
     r"setting thresholds: is 'adult' but the audit trail says no value"),
])
def test_editing_clinical_data_with_sqlite_is_caught_and_named(
        db_path: Path, statement: str, expected: str) -> None:
    _populated(db_path)
    if "settings" in statement:
        statement = "INSERT INTO settings (key, value) VALUES ('thresholds', 'adult')"
    _sql(db_path, statement)
    problems = _problems(db_path)
    assert any(__import__("re").search(expected, p) for p in problems), problems


def test_a_forged_value_is_not_laundered_by_a_later_save(db_path: Path) -> None:
    """The app's next audit row records the forged value as 'old': the replay catches that."""
    _populated(db_path)
    _sql(db_path, "UPDATE values_global SET phys_global = 0.1 WHERE visit_id = 1")
    with Repository(db_path) as repo:
        visit = repo.get_patient("P01").visits[0]
        visit.values["phys_global"] = Decimal("7")
        repo.save_visit("P01", visit, "doctor")
    problems = _problems(db_path)
    assert any("changes phys_global from '0.1', but the trail before it says '6.5'" in p
               for p in problems), problems


def test_check_exits_2_naming_the_forgery(db_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    _populated(db_path)
    assert main(["check", "--db", str(db_path)]) == 0
    _sql(db_path, "UPDATE values_global SET phys_global = 0.1 WHERE visit_id = 1")
    assert main(["check", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "phys_global is '0.1'" in err and "Traceback" not in err


def test_a_planted_trigger_is_refused_by_check_and_at_open(db_path: Path) -> None:
    _populated(db_path)
    _sql(db_path, "CREATE TRIGGER zz AFTER INSERT ON values_global BEGIN UPDATE values_global "
                  "SET phys_global = 0 WHERE visit_id = NEW.visit_id; END")
    assert any("trigger zz on values_global" in p and "not created by JDM Capture" in p
               for p in _problems(db_path))
    with pytest.raises(KnownStorageError, match="trigger zz") as caught:
        Repository(db_path)
    assert caught.value.kind == "foreign_schema"


@pytest.mark.parametrize("statement", [
    "CREATE VIEW patients_view AS SELECT * FROM patients",
    "DROP TRIGGER audit_append_only_delete",
    "CREATE TABLE notes_extra (x TEXT)",
    "CREATE INDEX extra_idx ON patients(sex)",
])
def test_schema_objects_jdm_capture_did_not_make_are_listed(db_path: Path,
                                                            statement: str) -> None:
    _populated(db_path)
    _sql(db_path, statement)
    problems = _problems(db_path)
    assert any(p.startswith("schema: ") for p in problems), problems


def test_a_changed_trigger_definition_is_caught(db_path: Path) -> None:
    _populated(db_path)
    _sql(db_path, "DROP TRIGGER audit_append_only_delete",
         "CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit BEGIN SELECT 1; END")
    assert any("trigger audit_append_only_delete: differs" in p for p in _problems(db_path))


def test_an_upgraded_m001_file_reconciles(tmp_path: Path) -> None:
    """Values written before the audit trail covered them are adopted once by m005, in
    chained audit rows, so the upgraded fixture checks clean and stays checkable."""
    db = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "m001_schema.sqlite", db)
    with Repository(db):
        pass
    report = check_database(db)
    assert report.healthy, report.problems
    con = sqlite3.connect(db)
    try:
        adopted = con.execute("SELECT count(*) FROM audit WHERE context = ?",
                              (integrity.ADOPTED_CONTEXT,)).fetchone()[0]
    finally:
        con.close()
    assert adopted >= 8  # visits, values tables, missing, medication, settings
    _sql(db, "UPDATE values_cmas SET cmas_situps = 0 WHERE visit_id = 2")
    assert any("cmas_situps" in p for p in _problems(db))


def test_bad_settings_and_drafts_fail_check_and_give_plain_messages(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _populated(db_path)
    with Repository(db_path) as repo:
        repo.save_draft("visit/P01/new", json.dumps({"study_id": "P01"}))
    _sql(db_path, "INSERT INTO settings (key, value) VALUES ('uln_ck', 'abc')",
         "INSERT INTO drafts (key, payload, saved_at) VALUES ('visit/P01/9', '[1]', 'never')")
    problems = _problems(db_path)
    assert any("settings: setting uln_ck = 'abc': is not a number" in p for p in problems)
    assert any("drafts: draft 'visit/P01/9'" in p for p in problems)
    # other commands: a plain refusal (exit 2), not "unexpected error" (exit 1)
    out = db_path.with_name("x.json")
    assert main(["export", "--db", str(db_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "uln_ck" in err and "unexpected" not in err


def test_drafts_with_bad_rows_are_skipped_not_a_crash(db_path: Path) -> None:
    _populated(db_path)
    with Repository(db_path) as repo:
        repo.save_draft("visit/P01/new", json.dumps({"study_id": "P01"}))
    _sql(db_path, "INSERT INTO drafts (key, payload, saved_at) VALUES ('visit/P01/9', '[1]', "
                  "'never')")
    with Repository(db_path) as repo:
        assert [d.key for d in repo.load_drafts()] == ["visit/P01/new"]


def test_a_signed_visits_frozen_values_are_a_note_not_a_failure(db_path: Path) -> None:
    from forms.settings import ScoringSettings
    from storage.repository import AppSettings

    with Repository(db_path) as repo:
        patient = sample_patient()
        patient.visits[1].values["extramuscular_global"] = Decimal("1.5")
        patient.visits[1].missing["chaq_dress"] = "not_done"
        repo.add_patient(patient, "nurse")
        m3 = patient.visits[1].id or 0
        signoff.sign_off_visit(repo, m3, "Dr A", PDF)
        repo.set_settings(AppSettings(ScoringSettings(thresholds="adult")), "admin")
    report = check_database(db_path)
    assert report.healthy, report.problems
    assert any("kept as signed" in n for n in report.notes)
    # ...but a forged derived value of that signed visit is a problem
    con = sqlite3.connect(db_path, isolation_level=None)
    for event in ("insert", "update", "delete"):
        con.execute(f"DROP TRIGGER derived_values_signed_{event}")
    con.execute("UPDATE derived_values SET value = 'major' WHERE visit_id = ? AND "
                "field = 'acr_eular_response'", (m3,))
    con.close()
    assert any("differ from the values verified at sign-off" in p
               for p in _problems(db_path))


def test_a_deleted_signature_is_caught(db_path: Path) -> None:
    with Repository(db_path) as repo:
        patient = sample_patient()
        patient.visits[1].values["extramuscular_global"] = Decimal("1.5")
        patient.visits[1].missing["chaq_dress"] = "not_done"
        repo.add_patient(patient, "nurse")
        signoff.sign_off_visit(repo, patient.visits[1].id or 0, "Dr A", PDF)
    _sql(db_path, "DROP TRIGGER visit_signoffs_keep", "DELETE FROM visit_signoffs")
    assert any("signature evidence deleted" in p for p in _problems(db_path))


def test_receipt_catches_a_truncated_tail(db_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The newest audit rows deleted, with no backup beside the file: the receipt the user
    kept elsewhere still names the head."""
    _populated(db_path)
    receipt = db_path.with_name("receipt.json")
    assert main(["check", "--db", str(db_path), "--receipt", str(receipt)]) == 0
    body = json.loads(receipt.read_text())
    assert body["last_id"] == body["audit_rows"] > 0 and len(body["last_hash"]) == 64
    last = body["last_id"]
    _sql(db_path, "DROP TRIGGER audit_append_only_delete",
         "DROP TRIGGER audit_changes_append_only_delete",
         f"DELETE FROM audit_changes WHERE audit_id = {last}",
         f"DELETE FROM audit WHERE id = {last}",
         # put the triggers back, so only the receipt (and the replay) can tell
         "CREATE TRIGGER \"audit_append_only_delete\" BEFORE DELETE ON \"audit\"\n"
         "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
         "CREATE TRIGGER \"audit_changes_append_only_delete\" BEFORE DELETE ON "
         "\"audit_changes\"\nBEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
    capsys.readouterr()
    assert main(["check", "--db", str(db_path), "--receipt", str(receipt)]) == 2
    err = capsys.readouterr().err
    assert f"audit row {last} (the newest when the receipt" in err
    assert json.loads(receipt.read_text()) == body  # a failed check leaves it alone


def test_every_backup_anchors_the_head(db_path: Path) -> None:
    """Not only the newest backup: an older one whose head was removed is caught too."""
    import datetime as dt

    from storage.backups import automatic_backup

    _populated(db_path)
    automatic_backup(db_path, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient("P03"), "nurse")
    newest = automatic_backup(db_path, dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert check_database(db_path).healthy
    newest.unlink()  # the attacker removes the newest backup and the rows after the older
    con = sqlite3.connect(db_path, isolation_level=None)
    old_head = con.execute("SELECT max(id) FROM audit WHERE table_name = 'patients' AND "
                           "record_id = 2").fetchone()[0]
    con.close()
    _sql(db_path, "DROP TRIGGER audit_append_only_delete",
         "DROP TRIGGER audit_changes_append_only_delete",
         f"DELETE FROM audit_changes WHERE audit_id >= {old_head}",
         f"DELETE FROM audit WHERE id >= {old_head}")
    assert any("backup" in p and "missing here" in p for p in _problems(db_path))


def test_findings_are_a_list_other_checks_can_extend(db_path: Path) -> None:
    _populated(db_path)
    report = check_database(db_path)
    report.add("dates", "visit before birth", where="patient P01")
    assert not report.healthy
    assert report.problems == ["dates: patient P01: visit before birth"]


def test_open_database_refuses_a_planted_view(db_path: Path) -> None:
    _populated(db_path)
    _sql(db_path, "CREATE VIEW v AS SELECT 1")
    with pytest.raises(KnownStorageError, match="view v"):
        open_database(db_path)


def test_receipt_in_a_missing_folder_or_a_folder_is_refused_plainly(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _populated(db_path)
    assert main(["check", "--db", str(db_path), "--receipt",
                 str(db_path.parent / "nope" / "r.json")]) == 2
    assert main(["check", "--db", str(db_path), "--receipt", str(db_path.parent)]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "is a folder" in err and "unexpected" not in err


def test_an_unreadable_receipt_is_a_problem_named(db_path: Path) -> None:
    _populated(db_path)
    receipt = db_path.with_name("r.json")
    receipt.write_text("{not json", encoding="utf-8")
    report = check_database(db_path, receipt=receipt)
    assert any("receipt r.json cannot be read" in p for p in report.problems)


def test_a_file_with_a_later_migration_applied_before_m005_upgrades_and_checks_clean(
        tmp_path: Path) -> None:
    """Branches merge: a file written by a build that had m010 but not m005."""
    from sqlite_utils import Database

    from storage import migrations as mig

    db_path = tmp_path / "merged.sqlite"
    db = Database(db_path, strict=True, execute_plugins=False)
    integrity._apply_only(db, tuple(n for n in mig.known_names() if not n.startswith("m005")))
    db.close()
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
    assert main(["init", "--db", str(db_path)]) == 0
    report = check_database(db_path)
    assert report.healthy, report.problems
    assert set(report.applied) == set(mig.known_names())
