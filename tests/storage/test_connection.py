"""storage.connection: sqlite-utils' execute and transaction behaviour without importing
sqlite-utils on routine opens (issue 16: about 50 ms of every cold report and GUI start)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.connection import Connection, first_keyword

ROOT = Path(__file__).resolve().parents[2]


def _two(tmp_path: Path) -> tuple[Connection, sqlite3.Connection]:
    path = tmp_path / "c.sqlite"
    db = Connection(sqlite3.connect(path))
    db.execute("CREATE TABLE t (x INTEGER UNIQUE)")
    return db, sqlite3.connect(path)


def test_a_write_outside_a_transaction_is_committed_at_once(tmp_path: Path) -> None:
    db, other = _two(tmp_path)
    db.execute("INSERT INTO t VALUES (?)", (1,))
    assert not db.conn.in_transaction
    assert other.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_a_failed_write_leaves_no_transaction_open(tmp_path: Path) -> None:
    db, other = _two(tmp_path)
    db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO t VALUES (1)")
    assert not db.conn.in_transaction
    db.execute("INSERT INTO t VALUES (2)")
    assert other.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]


def test_atomic_nests_as_savepoints(tmp_path: Path) -> None:
    db, other = _two(tmp_path)
    with db.atomic():
        db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RuntimeError), db.atomic():
            db.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("inner fails")
        assert db.conn.in_transaction  # the outer transaction goes on
        assert other.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert other.execute("SELECT x FROM t").fetchall() == [(1,)]
    with pytest.raises(RuntimeError), db.atomic():
        db.execute("INSERT INTO t VALUES (3)")
        raise RuntimeError("outer fails")
    assert other.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_recursive_triggers_wal_and_table_names(tmp_path: Path) -> None:
    db, _other = _two(tmp_path)
    assert db.execute("PRAGMA recursive_triggers").fetchone() == (1,)
    db.enable_wal()
    assert db.journal_mode == "wal"
    assert db.table_names() == ["t"]
    assert db["t"].columns_dict == {"x": int}  # the sqlite-utils table API, on demand


def test_first_keyword_skips_comments() -> None:
    assert first_keyword("  -- note\n /* x */ ;begin immediate") == "BEGIN"
    assert first_keyword("/* unterminated") == ""


def test_opening_and_reading_a_patient_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    code = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
from storage.repository import Repository
from storage_samples import sample_patient
with Repository(sys.argv[1]) as repo:
    repo.add_patient(sample_patient("P01"), "nurse")
assert "sqlite_utils" in sys.modules  # creating the file ran the migrations through it
""".format(root=str(ROOT), tests=str(ROOT / "tests" / "storage"))
    db = tmp_path / "r.sqlite"
    subprocess.run([sys.executable, "-c", code, str(db)], check=True, cwd=ROOT)
    read = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from storage.repository import Repository
with Repository(sys.argv[1]) as repo:
    assert repo.get_patient("P01").study_id == "P01"
    repo.list_patients()
print("sqlite_utils" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", read, str(db)], check=True, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.stdout.strip() == "False"
