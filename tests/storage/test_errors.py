"""Known storage errors vs bugs, chosen from real SQLite failures; nothing half-saved."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from storage_samples import sample_patient

from forms.model import Patient
from storage.errors import KnownStorageError, StorageBug, classify
from storage.repository import Repository


def _error(sql: str, con: sqlite3.Connection) -> sqlite3.Error:
    try:
        con.execute(sql)
    except sqlite3.Error as exc:
        return exc
    raise AssertionError(f"{sql} did not fail")


def test_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    Repository(path).close()
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    exc = _error("INSERT INTO settings (key, value) VALUES ('a', 'b')", con)
    con.close()
    err = classify(exc, path)
    assert isinstance(err, KnownStorageError) and err.kind == "read_only"
    assert "ro.sqlite cannot be changed: the file or its folder is read-only" in err.message


def test_disk_full_rolls_back_the_whole_save(db_path: Path) -> None:
    with Repository(db_path) as repo:
        repo.add_patient(Patient("FIRST"), "dr.a")
        pages = repo.db.execute("PRAGMA page_count").fetchone()[0]
        repo.db.execute(f"PRAGMA max_page_count = {pages}")  # simulate a full disk
        with pytest.raises(KnownStorageError) as info, repo.transaction():
            for i in range(40):
                repo.add_patient(sample_patient(f"BIG{i}"), "dr.a")
        assert info.value.kind == "disk_full"
        assert "is full: nothing was saved" in info.value.message
        assert [p.study_id for p in repo.list_patients()] == ["FIRST"]
        assert repo.db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0


def test_sql_mistakes_are_bugs(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "x.sqlite")
    con.execute("CREATE TABLE t (x INTEGER CHECK (x > 0))")
    for sql in ("SELEC 1", "INSERT INTO t VALUES (-1)", "SELECT * FROM missing_table"):
        err = classify(_error(sql, con))
        assert isinstance(err, StorageBug), sql
    con.close()


def test_locked_and_corrupt_are_known() -> None:
    locked = sqlite3.OperationalError("database is locked")
    corrupt = sqlite3.DatabaseError("database disk image is malformed")
    assert classify(locked, "a.sqlite").kind == "locked"  # type: ignore[union-attr]
    assert classify(corrupt, "a.sqlite").kind == "corrupt"  # type: ignore[union-attr]
