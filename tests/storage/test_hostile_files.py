"""Hostile files: corrupt, not SQLite, truncated, read-only, on a full disk, tampered audit.

Each case is opened through ``storage.database.open_database`` and through ``main.py check`` /
``init`` in a subprocess. Every case must give a clear one-line message with a way forward,
exit 2 (never a traceback, never exit 1), and leave the file byte-for-byte unchanged.

The read-only and full-disk cases need a real file system that says so: as root they mount a
small tmpfs (read-only remount, or filled up); otherwise the read-only case falls back to
``chmod`` and the full-disk case is skipped with the reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_samples import sample_patient

from storage.database import check_database, open_database
from storage.errors import KnownStorageError
from storage.repository import Repository

ROOT = Path(__file__).resolve().parents[2]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JDM_CAPTURE_DEBUG": ""}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
                          check=False)


def _good(path: Path) -> Path:
    with Repository(path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
        repo.add_patient(sample_patient("P02"), "nurse")
    # one self-contained file (no -wal beside it), as a copied or restored file would be
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


def _corrupt(path: Path) -> None:
    _good(path)
    page = 4096
    with open(path, "r+b") as handle:  # overwrite pages 4-5 (table b-tree pages) with noise
        handle.seek(page * 3)
        handle.write(bytes((i * 37 + 11) % 256 for i in range(page * 2)))


def _truncated(path: Path) -> None:
    _good(path)
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _not_sqlite(path: Path) -> None:
    path.write_text("patient,visit\nP01,2021-01-04\n", encoding="utf-8")


def _zeroed_header(path: Path) -> None:
    _good(path)
    with open(path, "r+b") as handle:
        handle.write(b"\0" * 100)


CASES = {
    "corrupt": (_corrupt, "corrupt", "damaged"),
    "truncated": (_truncated, "corrupt", "damaged"),
    "not_sqlite": (_not_sqlite, "not_a_database", "not a JDM Capture database"),
    "zeroed_header": (_zeroed_header, "not_a_database", "not a JDM Capture database"),
}


def _assert_clean_failure(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert words in result.stderr
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize("case", list(CASES))
def test_open_database_refuses_without_writing(tmp_path: Path, case: str) -> None:
    make, kind, words = CASES[case]
    path = tmp_path / "clinic.sqlite"
    make(path)
    before = _digest(path)
    with pytest.raises(KnownStorageError) as info:
        open_database(path)
    assert info.value.kind == kind
    assert words in info.value.message
    assert "restore" in info.value.message.lower()
    assert "\n" not in info.value.message
    assert _digest(path) == before
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", ["check", "init"])
def test_cli_gives_a_clear_message_and_leaves_the_file_alone(tmp_path: Path, case: str,
                                                             command: str) -> None:
    make, _kind, words = CASES[case]
    path = tmp_path / "clinic.sqlite"
    make(path)
    before = _digest(path)
    result = _cli(command, "--db", path)
    _assert_clean_failure(result, words)
    assert "restore" in result.stderr
    assert _digest(path) == before


def test_check_database_reports_corruption_as_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _corrupt(path)
    try:
        report = check_database(path)
    except KnownStorageError as exc:  # damage in the schema pages is refused outright
        assert exc.kind == "corrupt"
    else:
        assert not report.healthy
        assert any("integrity" in p for p in report.problems)


# -------------------------------------------------------------------------------- mounts
def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, check=False)
    return done.returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", str(where)], capture_output=True, check=False)


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    """A healthy database on a read-only medium (tmpfs remounted ro), else chmod-protected."""
    source = _good(tmp_path / "source.sqlite")
    mnt = tmp_path / "ro"
    if _mount_tmpfs(mnt, "4m"):
        shutil.copy(source, mnt / "clinic.sqlite")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            yield mnt / "clinic.sqlite"
        finally:
            _umount(mnt)
        return
    if os.geteuid() == 0:
        pytest.skip("running as root without mount: permissions cannot make a file read-only")
    mnt.mkdir()
    shutil.copy(source, mnt / "clinic.sqlite")
    (mnt / "clinic.sqlite").chmod(0o444)
    mnt.chmod(0o555)
    try:
        yield mnt / "clinic.sqlite"
    finally:
        mnt.chmod(0o755)


def test_read_only_file(read_only_db: Path) -> None:
    before = _digest(read_only_db)
    with pytest.raises(KnownStorageError) as info:
        Repository(read_only_db)
    assert info.value.kind == "read_only"
    assert "Copy it to a folder you can write to" in info.value.message
    for command in ("check", "init"):
        _assert_clean_failure(_cli(command, "--db", read_only_db), "read-only")
    assert _digest(read_only_db) == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    if not _mount_tmpfs(mnt, "1m"):
        pytest.skip("a full disk is simulated with a 1 MB tmpfs, which needs root and mount")
    try:
        yield mnt
    finally:
        _umount(mnt)


def _fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system, leaving about ``leave`` bytes free."""
    filler = folder / "filler"
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as handle:
        try:
            handle.write(b"\0" * max(0, free - leave))
            handle.flush()
        except OSError:
            pass
    return filler


def test_full_disk_when_opening(small_disk: Path) -> None:
    path = small_disk / "clinic.sqlite"
    Repository(path).close()
    before = _digest(path)
    filler = _fill(small_disk)
    with pytest.raises(KnownStorageError) as info:
        Repository(path)
    assert info.value.kind == "disk_full"
    assert "Free some space" in info.value.message
    for command in ("check", "init", "demo"):
        _assert_clean_failure(_cli(command, "--db", path), "is full")
    filler.unlink()
    assert _digest(path) == before
    assert check_database(path).healthy


def test_full_disk_while_saving_saves_nothing(small_disk: Path) -> None:
    path = small_disk / "clinic.sqlite"
    with Repository(path) as repo:
        repo.add_patient(sample_patient("P01"), "nurse")
    filler = _fill(small_disk, leave=400 * 1024)  # room to open and save a few patients
    with Repository(path) as repo, pytest.raises(KnownStorageError) as info:
        for n in range(40):  # each add is its own transaction; one of them hits the limit
            repo.add_patient(sample_patient(f"Q{n:02d}"), "nurse")
    assert info.value.kind == "disk_full"
    filler.unlink()
    report = check_database(path)
    assert report.healthy, report.problems
    with Repository(path) as repo:
        ids = [p.study_id for p in repo.list_patients()]
        # whole patients only: the one that hit the limit was rolled back entirely
        for sid in ids:
            assert len(repo.get_patient(sid).visits) == 2
    assert "P01" in ids and 1 < len(ids) < 41  # some saved before the disk filled


def test_tampered_audit_trail_fails_check_naming_the_row(tmp_path: Path) -> None:
    path = _good(tmp_path / "clinic.sqlite")
    healthy = _cli("check", "--db", path)
    assert healthy.returncode == 0
    assert "hash chain verified over" in healthy.stdout
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_changes_append_only_update")
    con.execute("UPDATE audit_changes SET new = 'forged' WHERE audit_id = 12")
    con.commit()
    con.close()
    result = _cli("check", "--db", path)
    _assert_clean_failure(result, "audit row 12")
    assert "edited" in result.stderr


def test_open_tells_a_dropped_trigger_from_a_planted_one_by_code_not_wording(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dropped trigger is reported by `check` but does not stop the open; a planted one does.
    The open decides by ``Finding.code``: rewording the dropped-object message (as a
    translation or an edit might) must not turn the open into a refusal."""
    from storage import integrity

    path = _good(tmp_path / "clinic.sqlite")
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER visits_signed_delete")
    con.commit()
    con.close()
    real = integrity.schema_findings

    def reworded(*args: object, **kwargs: object) -> list[integrity.Finding]:
        return [integrity.Finding(f.kind, f.where, "was removed", f.severity, f.code)
                for f in real(*args, **kwargs)]  # type: ignore[arg-type]

    monkeypatch.setattr(integrity, "schema_findings", reworded)
    open_database(path).close()  # opens: the protection is gone, nothing is falsified
    con = sqlite3.connect(path)
    found = real(con, _applied(path), types=("trigger",))
    con.close()
    assert [(f.where, f.code) for f in found] == [
        ("trigger visits_signed_delete", integrity.DROPPED)]


def _applied(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        con.close()
