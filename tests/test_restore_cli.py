"""``python main.py restore --db PATH --from BACKUP``: restores, keeps the old file, refuses
bad backups and a database that is still open, never with a traceback."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from main import main
from storage.backups import automatic_backup, list_backups
from storage.repository import Repository

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "storage"))
from storage_samples import sample_patient  # noqa: E402


def _db(path: Path, *study_ids: str) -> Path:
    with Repository(path) as repo:
        for sid in study_ids:
            repo.add_patient(sample_patient(sid), "nurse")
    return path


def _ids(path: Path) -> list[str]:
    with Repository(path) as repo:
        return [p.study_id for p in repo.list_patients()]


def _sha(path: Path) -> str:
    con = sqlite3.connect(path)  # content, not bytes: a WAL checkpoint may rewrite pages
    try:
        rows = con.execute("SELECT study_id FROM patients ORDER BY study_id").fetchall()
        audit = con.execute("SELECT count(*), max(hash) FROM audit").fetchone()
    finally:
        con.close()
    return hashlib.sha256(repr((rows, audit)).encode()).hexdigest()


def test_restore_puts_the_backup_back_and_keeps_the_current_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path / "clinic.sqlite", "P01")
    backup = automatic_backup(db)
    with Repository(db) as repo:  # work done after the backup
        repo.add_patient(sample_patient("P02"), "nurse")
    current = _sha(db)
    assert main(["restore", "--db", str(db), "--from", str(backup)]) == 0
    out = capsys.readouterr().out
    assert _ids(db) == ["P01"]
    kept = [p for p in tmp_path.glob("clinic.before-restore-*.sqlite")]
    assert len(kept) == 1
    assert _sha(kept[0]) == current and _ids(kept[0]) == ["P01", "P02"]
    assert str(kept[0]) in out
    assert "1 patients" in out and "restored" in out
    assert "audit trail verified" in out


def test_restore_to_a_missing_database(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    backup = automatic_backup(_db(tmp_path / "old" / "clinic.sqlite", "P07"))
    target = tmp_path / "new.sqlite"
    assert main(["restore", "--db", str(target), "--from", str(backup)]) == 0
    assert "no previous database" in capsys.readouterr().out
    assert _ids(target) == ["P07"]


@pytest.mark.parametrize("bad", ["missing", "text", "same"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    db = _db(tmp_path / "clinic.sqlite", "P01")
    source = {"missing": tmp_path / "nope.sqlite", "text": tmp_path / "notes.sqlite",
              "same": db}[bad]
    if bad == "text":
        source.write_text("not a database", encoding="utf-8")
    before = _sha(db)
    assert main(["restore", "--db", str(db), "--from", str(source)]) == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err
    assert _sha(db) == before
    assert list(tmp_path.glob("*.before-restore-*")) == []


def test_restore_refuses_while_the_database_is_open(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path / "clinic.sqlite", "P01")
    backup = automatic_backup(db)
    with Repository(db) as repo:
        repo.list_patients()
        assert main(["restore", "--db", str(db), "--from", str(backup)]) == 2
        assert "close it there first" in capsys.readouterr().err
        assert repo.patient_count() == 1


def test_restore_over_a_corrupt_database_in_a_subprocess(tmp_path: Path) -> None:
    db = _db(tmp_path / "clinic.sqlite", "P01", "P02")
    automatic_backup(db)
    backup = list_backups(db)[0].path
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with open(db, "r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\xff" * 8192)
    damaged = db.read_bytes()
    check = subprocess.run([sys.executable, "main.py", "check", "--db", str(db)], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    assert check.returncode == 2 and "restore" in check.stderr
    done = subprocess.run([sys.executable, "main.py", "restore", "--db", str(db), "--from",
                           str(backup)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert _ids(db) == ["P01", "P02"]
    kept = list(tmp_path.glob("clinic.before-restore-*.sqlite"))
    assert len(kept) == 1
    # the damaged pages are kept as they were (only the header's journal-mode bytes differ)
    assert kept[0].read_bytes()[100:] == damaged[100:]


def test_restore_is_recorded_and_check_accepts_the_rolled_back_trail(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from storage.database import check_database

    db = _db(tmp_path / "clinic.sqlite", "P01")
    old = automatic_backup(db, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with Repository(db) as repo:
        repo.add_patient(sample_patient("P02"), "nurse")
    automatic_backup(db, dt.datetime(2026, 1, 2, tzinfo=dt.UTC))  # newest: has P02's rows
    assert main(["restore", "--db", str(db), "--from", str(old)]) == 0
    capsys.readouterr()
    with Repository(db) as repo:
        entries = repo.audit_history("restores", 0)
    assert {e.field: e.new for e in entries}["backup"] == old.name
    assert entries[0].actor.endswith("(restore)")
    report = check_database(db)
    assert report.healthy, report.problems


# ------------------------------------------------------------------------------------------
# Issue 17: restore refuses what check would refuse, unless the finding is accepted by name
# ------------------------------------------------------------------------------------------
def _tampered_copy(db: Path, dest: Path, *statements: str) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(automatic_backup(db), dest)
    con = sqlite3.connect(dest, isolation_level=None)
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()
    return dest


def _refused(db: Path, source: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    before = _sha(db)
    assert main(["restore", "--db", str(db), "--from", str(source), *extra]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nothing was changed" in err
    assert _sha(db) == before
    assert list(db.parent.glob("*.before-restore-*")) == []
    return err


def test_restore_refuses_a_foreign_sqlite_file_with_a_patients_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path / "clinic.sqlite", "P01")
    foreign = tmp_path / "other-app.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, study_id TEXT)")
    con.execute("INSERT INTO patients (study_id) VALUES ('X')")
    con.commit()
    con.close()
    err = _refused(db, foreign, capsys)
    assert "not a JDM Capture database" in err


def test_restore_refuses_a_newer_schema_backup(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path / "clinic.sqlite", "P01")
    newer = _tampered_copy(db, tmp_path / "b" / "newer.sqlite",
                           "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                           "VALUES ('jdm_capture', 'm999_future', '2030-01-01')")
    err = _refused(db, newer, capsys)
    assert "newer version" in err and "m999_future" in err


def test_restore_refuses_a_broken_chain_unless_the_finding_is_accepted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _db(tmp_path / "clinic.sqlite", "P01")
    broken = _tampered_copy(db, tmp_path / "b" / "broken.sqlite",
                            "DROP TRIGGER audit_append_only_update",
                            "UPDATE audit SET actor = 'mallory' WHERE id = 1")
    err = _refused(db, broken, capsys)
    assert "[audit-trail]" in err and "--accept-finding audit-trail" in err
    # the user names what they accept; it is restored and the acceptance is audited
    assert main(["restore", "--db", str(db), "--from", str(broken), "--accept-finding",
                 "audit-trail", "--accept-finding", "schema"]) == 0
    con = sqlite3.connect(db)
    try:
        accepted = con.execute("SELECT c.new FROM audit a JOIN audit_changes c ON "
                               "c.audit_id = a.id WHERE a.table_name = 'restores' AND "
                               "c.field = 'accepted_findings'").fetchone()[0]
    finally:
        con.close()
    assert "audit row 1" in accepted


def test_restore_refuses_a_backup_whose_audit_trail_was_emptied(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Today that erases the history and check then says ok."""
    db = _db(tmp_path / "clinic.sqlite")
    with Repository(db) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
        repo.delete_patient("P01", "nurse")
    emptied = _tampered_copy(db, tmp_path / "b" / "emptied.sqlite",
                             "DROP TRIGGER audit_append_only_delete",
                             "DROP TRIGGER audit_changes_append_only_delete",
                             "DELETE FROM audit_changes", "DELETE FROM audit")
    err = _refused(db, emptied, capsys)
    assert "[history]" in err and "erase the history" in err


def test_restore_through_a_symlinked_db_replaces_the_real_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = _db(tmp_path / "data" / "clinic.sqlite", "P01")
    backup = automatic_backup(real)
    with Repository(real) as repo:
        repo.add_patient(sample_patient("P02"), "nurse")
    link = tmp_path / "link.sqlite"
    link.symlink_to(real)
    assert main(["restore", "--db", str(link), "--from", str(backup)]) == 0, \
        capsys.readouterr().err
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert _ids(real) == ["P01"]
    assert list((tmp_path / "data").glob("clinic.before-restore-*.sqlite"))
