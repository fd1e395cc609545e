"""Backups: consistent online copies, rotation over simulated dates, restore keeps the old file."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from storage.backups import (
    Backup,
    BackupError,
    RotationPolicy,
    automatic_backup,
    backup_due,
    backups_to_keep,
    describe_backup,
    list_backups,
    online_backup,
    restore_backup,
)

ENCRYPTED_TOO = True  # tests/storage/conftest.py: each test on a plain and an encrypted file


def _make_db(path: Path, patients: int = 3) -> Path:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, study_id TEXT)")
    con.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, patient_id INTEGER)")
    con.executemany("INSERT INTO patients (study_id) VALUES (?)",
                    [(f"P{i:02d}",) for i in range(patients)])
    con.commit()
    con.close()
    return path


def _make_jdm_db(path: Path, patients: int = 3) -> Path:
    """A real JDM Capture database (restore refuses a foreign file with a patients table)."""
    from forms.model import Patient
    from storage.repository import Repository

    with Repository(path) as repo:
        for i in range(patients):
            repo.add_patient(Patient(study_id=f"P{i:02d}"), "tester")
    return path


def _add_patient(path: Path, study_id: str) -> None:
    from forms.model import Patient
    from storage.repository import Repository

    with Repository(path) as repo:
        repo.add_patient(Patient(study_id=study_id), "tester")


def _count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM patients").fetchone()[0]
    finally:
        con.close()


def test_online_backup_is_consistent_while_another_connection_writes(tmp_path: Path) -> None:
    db = _make_db(tmp_path / "clinic.sqlite", patients=0)
    stop = threading.Event()

    def writer() -> None:
        con = sqlite3.connect(db, timeout=30)
        n = 0
        while not stop.is_set() and n < 2000:
            with con:
                con.execute("INSERT INTO patients (study_id) VALUES (?)", (f"W{n}",))
                con.execute("INSERT INTO visits (patient_id) VALUES (last_insert_rowid())")
            n += 1
        con.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [online_backup(db, tmp_path / f"copy{i}.sqlite", pages_per_step=1)
                  for i in range(5)]
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        con = sqlite3.connect(copy)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Each transaction wrote one patient and one visit: a torn copy would differ.
        patients = con.execute("SELECT count(*) FROM patients").fetchone()[0]
        visits = con.execute("SELECT count(*) FROM visits").fetchone()[0]
        con.close()
        assert patients == visits


def test_online_backup_of_a_missing_or_non_database_file_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        online_backup(tmp_path / "nope.sqlite", tmp_path / "out.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError):
        online_backup(junk, tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()
    assert not (tmp_path / "out.sqlite.partial").exists()


def _fake_backups(times: list[dt.datetime]) -> list[Backup]:
    return [Backup(Path(f"b-{t:%Y%m%d-%H%M%S}.sqlite"), t) for t in times]


def test_rotation_keeps_7_daily_4_weekly_12_monthly() -> None:
    start = dt.datetime(2025, 1, 1, 18, 0, tzinfo=dt.UTC)
    # Two backups a day for 500 days.
    times = [start + dt.timedelta(days=d, hours=h) for d in range(500) for h in (0, 3)]
    backups = _fake_backups(times)
    keep = backups_to_keep(backups)
    kept = sorted((b for b in backups if b.path in keep), key=lambda b: b.taken_at,
                  reverse=True)
    newest = max(times)
    # The newest of each of the last 7 days.
    days = {b.taken_at.date() for b in kept}
    for back in range(7):
        assert (newest - dt.timedelta(days=back)).date() in days
    # At most one per day, and the kept one is the newest of its day.
    assert len(days) == len(kept)
    assert all(b.taken_at.hour == 21 for b in kept)
    # 12 distinct months are covered, 7 daily + some weekly + monthly: bounded size.
    months = {(b.taken_at.year, b.taken_at.month) for b in kept}
    assert len(months) == 12
    assert len(kept) <= 7 + 4 + 12
    # Nothing older than ~12 months survives.
    assert min(b.taken_at for b in kept) > newest - dt.timedelta(days=366)


def test_rotation_with_few_backups_keeps_them_all() -> None:
    times = [dt.datetime(2026, 1, d, tzinfo=dt.UTC) for d in (1, 5, 9)]
    backups = _fake_backups(times)
    assert backups_to_keep(backups) == {b.path for b in backups}


def test_automatic_backup_rotates_over_simulated_dates(tmp_path: Path) -> None:
    db = _make_db(tmp_path / "clinic.sqlite")
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    policy = RotationPolicy(daily=3, weekly=2, monthly=2)
    for day in range(40):
        automatic_backup(db, start + dt.timedelta(days=day), policy)
    backups = list_backups(db)
    assert len(backups) == len(backups_to_keep(backups, policy))
    assert len(backups) <= 3 + 2 + 2
    assert backups[0].taken_at == start + dt.timedelta(days=39)
    assert all(_count(b.path) == 3 for b in backups)


def test_backup_due_at_most_daily(tmp_path: Path) -> None:
    db = _make_db(tmp_path / "clinic.sqlite")
    now = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    assert backup_due(db, now)
    automatic_backup(db, now)
    assert not backup_due(db, now + dt.timedelta(hours=23))
    assert backup_due(db, now + dt.timedelta(hours=24))


def test_describe_backup(tmp_path: Path) -> None:
    db = _make_db(tmp_path / "clinic.sqlite", patients=4)
    backup = automatic_backup(db, dt.datetime(2026, 2, 3, 4, 5, 6, tzinfo=dt.UTC))
    summary = describe_backup(backup)
    assert summary.healthy and summary.table_counts == {"patients": 4, "visits": 0}
    assert summary.taken_at == dt.datetime(2026, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"\0" * 50 + b"garbage")
    assert not describe_backup(junk).healthy


def test_restore_keeps_the_current_file_aside(tmp_path: Path) -> None:
    db = _make_jdm_db(tmp_path / "clinic.sqlite", patients=2)
    backup = automatic_backup(db, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    _add_patient(db, "LATER")
    aside = restore_backup(db, backup, dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert aside is not None and aside.exists() and aside != db
    assert _count(db) == 2
    assert _count(aside) == 3


def test_restore_refuses_a_bad_backup_and_leaves_the_database_alone(tmp_path: Path) -> None:
    db = _make_jdm_db(tmp_path / "clinic.sqlite", patients=2)
    before = db.read_bytes()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"SQLite format 3\0" + b"\xff" * 200)
    with pytest.raises(BackupError, match="cannot be restored"):
        restore_backup(db, bad)
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "before-restore" in p.name] == []


def test_restore_over_a_corrupt_database_keeps_its_raw_bytes(tmp_path: Path) -> None:
    good = _make_jdm_db(tmp_path / "good.sqlite", patients=5)
    backup = online_backup(good, tmp_path / "backups" / "clinic-20260101-000000.sqlite")
    db = tmp_path / "clinic.sqlite"
    db.write_bytes(b"garbage that used to be a database")
    aside = restore_backup(db, backup)
    assert aside is not None
    assert aside.read_bytes() == b"garbage that used to be a database"
    assert _count(db) == 5


def test_database_in_use_while_another_connection_reads(tmp_path: Path) -> None:
    from storage.backups import database_in_use

    db = _make_jdm_db(tmp_path / "live.sqlite")
    assert not database_in_use(db)
    con = sqlite3.connect(db)
    con.execute("SELECT count(*) FROM patients").fetchone()
    try:
        assert database_in_use(db)
        backup = automatic_backup(db)
        with pytest.raises(BackupError, match="close it there first"):
            restore_backup(db, backup)
    finally:
        con.close()
    assert not database_in_use(db)
    assert not database_in_use(tmp_path / "missing.sqlite")


def test_describe_backup_reports_the_audit_chain(tmp_path: Path) -> None:
    from storage_samples import sample_patient

    from storage.repository import Repository

    db = tmp_path / "c.sqlite"
    with Repository(db) as repo:
        repo.add_patient(sample_patient(), "nurse")
    backup = automatic_backup(db)
    summary = describe_backup(backup)
    assert summary.chain_ok is True and summary.chain_detail.startswith("verified")
    con = sqlite3.connect(backup)
    con.execute("DROP TRIGGER audit_append_only_update")
    con.execute("UPDATE audit SET actor = 'x' WHERE id = 1")
    con.commit()
    con.close()
    tampered = describe_backup(backup)
    assert tampered.chain_ok is False and "BROKEN at row 1" in tampered.describe()
