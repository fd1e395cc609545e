"""The storage side of "saves reach the file" (issue 10 section 1, issue 16 open cost):
identity checks before writes, the app's lock file, files the program never opens by hand,
"damaged" only when a fresh check says so, private temporary files, cheap opens."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from forms.model import Visit
from storage import database, locks, tempfiles
from storage.backups import BackupError, online_backup
from storage.casefile import CaseFileRejected, load_case_file
from storage.database import FilesReplaced, backup_to, needs_full_check
from storage.errors import KnownStorageError, classify
from storage.repository import Repository
from tests.storage.storage_samples import sample_patient

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


def _count(path: Path, table: str = "visits") -> int:
    code = (f"import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
            f"'SELECT count(*) FROM {table}').fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, check=True, timeout=60)
    return int(out.stdout)


# ------------------------------------------------------------------ identity before writes
def test_a_write_is_refused_when_the_wal_was_unlinked_from_outside(repo: Repository,
                                                                   db_path: Path) -> None:
    repo.add_patient(sample_patient("P01"), "nurse")
    before = len(repo.get_patient("P01").visits)
    wal = Path(f"{db_path}-wal")
    assert wal.exists()
    os.unlink(wal)  # what a second process that thinks it is the last connection does
    with pytest.raises(FilesReplaced) as info:
        repo.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0", values={"ck": Decimal(5)}),
                        "nurse")
    assert info.value.kind == "files_replaced"
    assert "NOT written" in info.value.message and "\n" not in info.value.message
    repo.close()
    with Repository(db_path) as fresh:  # reopening works and the refused save is absent
        dates = [v.visit_date for v in fresh.get_patient("P01").visits]
        assert len(dates) == before and dt.date(2024, 1, 1) not in dates
        fresh.save_visit("P01", Visit(dt.date(2024, 1, 1), "M9"), "nurse")
    assert _count(db_path) == before + 1


def test_a_write_is_refused_when_the_database_file_was_replaced(repo: Repository,
                                                                db_path: Path) -> None:
    repo.add_patient(sample_patient("P01"), "nurse")
    other = db_path.with_name("other.sqlite")
    with Repository(other):
        pass
    os.replace(other, db_path)
    with pytest.raises(FilesReplaced, match="database file was replaced"):
        repo.add_patient(sample_patient("P02"), "nurse")


def test_unchanged_files_pass_the_check(repo: Repository) -> None:
    for n in range(3):
        repo.add_patient(sample_patient(f"P0{n}"), "nurse")
    assert repo.patient_count() == 3


# ------------------------------------------------------------------ the app's lock file
_HOLD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from storage.locks import AppLock
    lock = AppLock.acquire(sys.argv[1])
    print("HELD", flush=True)
    time.sleep(float(sys.argv[3]))
    lock.release()
""")


def _hold(db: Path, seconds: float = 60) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(db), str(ROOT), str(seconds)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and "HELD" in child.stdout.readline()
    return child


def test_a_second_app_is_refused_naming_the_holder(db_path: Path) -> None:
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
    child = _hold(db_path)
    try:
        with pytest.raises(locks.DatabaseInUse) as info:
            locks.AppLock.acquire(db_path)
        message = info.value.message
        assert f"process {child.pid}" in message and socket.gethostname() in message
        assert "since" in message and "\n" not in message
        # command-line reads and backup keep working meanwhile
        assert _cli("check", "--db", db_path).returncode == 0
        result = _cli("backup", "--db", db_path, "--out", db_path.with_name("b.sqlite"))
        assert result.returncode == 0, result.stderr
        assert _count(db_path.with_name("b.sqlite"), "patients") == 1
    finally:
        child.kill()
        child.wait()
        assert child.stdout is not None
        child.stdout.close()


def test_a_stale_lock_of_a_dead_process_is_taken_over_as_unclean(db_path: Path) -> None:
    with Repository(db_path):
        pass
    child = _hold(db_path)
    child.kill()  # SIGKILL: the lock file stays behind
    child.wait()
    assert child.stdout is not None
    child.stdout.close()
    assert locks.lock_path(db_path).exists()
    assert locks.holder_if_running(db_path) is None
    lock = locks.AppLock.acquire(db_path)
    try:
        assert lock.unclean and lock.previous is not None and lock.previous.pid == child.pid
        assert locks.read_holder(db_path).pid == os.getpid()  # type: ignore[union-attr]
    finally:
        lock.release()
    assert not locks.lock_path(db_path).exists()  # a clean close leaves no lock file
    again = locks.AppLock.acquire(db_path)
    assert not again.unclean
    again.release()


def test_a_lock_of_another_host_is_not_taken_over(db_path: Path) -> None:
    locks.lock_path(db_path).write_text(json.dumps(
        {"user": "amy", "host": "ward-pc-7", "pid": 4242, "since": "2026-01-02T03:04:05Z"}))
    with pytest.raises(locks.DatabaseInUse) as info:
        locks.AppLock.acquire(db_path)
    assert "amy on ward-pc-7 (process 4242)" in info.value.message
    assert "delete" in info.value.message


def test_a_crash_leaves_a_hot_wal_and_the_next_open_checks_the_whole_file(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
    assert not needs_full_check(db_path)  # clean close: no WAL left
    code = textwrap.dedent("""
        import os, signal, sys
        sys.path.insert(0, sys.argv[2])
        from storage.repository import Repository
        from tests.storage.storage_samples import sample_patient
        repo = Repository(sys.argv[1])
        repo.add_patient(sample_patient("P02"), "nurse")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    subprocess.run([sys.executable, "-c", code, str(db_path), str(ROOT)], cwd=ROOT,
                   check=False, timeout=60)
    assert needs_full_check(db_path)
    seen: list[str] = []
    real = database.integrity_check
    monkeypatch.setattr(database, "integrity_check", lambda db: seen.append("full") or real(db))
    with Repository(db_path) as repo:
        assert repo.patient_count() == 2
    assert seen == ["full"]
    with Repository(db_path):  # the crash was recovered: routine opens are cheap again
        pass
    assert seen == ["full"]


# ------------------------------------------------------------------ never opened by hand
def test_the_open_database_is_never_imported_or_overwritten(repo: Repository,
                                                            db_path: Path) -> None:
    repo.add_patient(sample_patient("P01"), "nurse")
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        with pytest.raises(CaseFileRejected, match="open database"):
            load_case_file(path)
        with pytest.raises(KnownStorageError, match="open database"):
            backup_to(repo.db, path)
        with pytest.raises(BackupError, match="open database"):
            online_backup(db_path, path)
    assert Path(f"{db_path}-wal").exists()
    assert _count(db_path, "patients") == 1


def test_the_open_database_is_never_an_export_target(repo: Repository, db_path: Path) -> None:
    from exports.common import written_atomically

    with pytest.raises(KnownStorageError, match="open database"), \
            written_atomically(db_path, ".xlsx"):
        pass
    assert _count(db_path, "patients") == 0


# ------------------------------------------------------------------ damaged only when it is
def test_a_healthy_file_is_never_called_damaged(repo: Repository, db_path: Path) -> None:
    repo.add_patient(sample_patient("P01"), "nurse")
    error = classify(sqlite3.DatabaseError("database disk image is malformed"), db_path)
    assert isinstance(error, KnownStorageError) and error.kind == "inconsistent"
    assert "not damaged" in error.message and "restore" in error.message.lower()
    assert "needs no restore" in error.message


def test_a_damaged_file_is_still_called_damaged(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite"
    with Repository(path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with open(path, "r+b") as handle:  # noise over the table pages
        handle.seek(4096 * 3)
        handle.write(bytes((i * 37 + 11) % 256 for i in range(4096 * 2)))
    error = classify(sqlite3.DatabaseError("database disk image is malformed"), path)
    assert isinstance(error, KnownStorageError) and error.kind == "corrupt"
    assert "restore" in error.message


# ------------------------------------------------------------------ private temporary files
def test_temporary_files_live_in_a_private_folder_and_stale_ones_are_swept(
        tmp_path: Path) -> None:
    target = tmp_path / "out.sqlite"
    tmp = tempfiles.new_temp_file(target)
    folder = tmp.parent
    assert folder == tmp_path / tempfiles.PRIVATE_DIR_NAME
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o600
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f"p{dead.pid}-0000-out.sqlite.partial"
    stale.write_text("patient data")
    assert tempfiles.sweep(folder) == [stale]
    assert tmp.exists()  # ours: this process still runs


_KILLED_BACKUP = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[2])
    from storage import backups
    def killed(path):  # the whole copy is written, not yet renamed: the worst moment
        os.kill(os.getpid(), signal.SIGKILL)
    backups._fsync = killed
    backups.online_backup(sys.argv[1], sys.argv[3])
""")


def test_an_interrupted_backup_leaves_no_readable_copy(db_path: Path, tmp_path: Path) -> None:
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
    out = tmp_path / "copies" / "b.sqlite"
    subprocess.run([sys.executable, "-c", _KILLED_BACKUP, str(db_path), str(ROOT), str(out)],
                   cwd=ROOT, check=False, timeout=60)
    leftovers = [p for p in out.parent.rglob("*") if p.is_file()]
    assert leftovers  # the killed backup's copy
    assert not [p for p in leftovers if p.parent == out.parent]  # nothing beside the target
    assert all(p.parent.name == tempfiles.PRIVATE_DIR_NAME for p in leftovers)
    assert stat.S_IMODE((out.parent / tempfiles.PRIVATE_DIR_NAME).stat().st_mode) == 0o700
    online_backup(db_path, out)  # the next run sweeps the killed one's file
    assert [p for p in out.parent.rglob("*") if p.is_file()] == [out]


# ------------------------------------------------------------------ cheap opens
def test_routine_opens_do_not_read_the_whole_file(db_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with Repository(db_path):
        pass
    seen: list[str] = []
    monkeypatch.setattr(database, "integrity_check", lambda db: seen.append("full"))
    start = time.perf_counter()
    with Repository(db_path):
        pass
    assert seen == [] and time.perf_counter() - start < 5
    with Repository(db_path, full_check=True):
        pass
    assert seen == ["full"]


def test_the_open_database_is_never_read_as_a_workbook(repo: Repository,
                                                       db_path: Path) -> None:
    from exports.xlsx_import import import_workbook, read_workbook

    repo.add_patient(sample_patient("P01"), "nurse")
    for path in (db_path, Path(f"{db_path}-wal")):
        with pytest.raises(KnownStorageError, match="open database"):
            read_workbook(path)
        with pytest.raises(KnownStorageError, match="open database"):
            import_workbook(path, repo, "nurse")
    assert Path(f"{db_path}-wal").exists()
