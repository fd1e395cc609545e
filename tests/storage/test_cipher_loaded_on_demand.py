"""sqlcipher3 is loaded for the first encrypted file only (issue 16: 4-8 ms of every plain
file's report and GUI start), and the storage errors of both modules are still caught."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage import errors

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, tmp_path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"JDM_CAPTURE_PLAINTEXT": "1", "PATH": "/usr/bin:/bin",
                               "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_plain_file_is_opened_read_and_reported_without_sqlcipher3(tmp_path: Path) -> None:
    out = _run(f"""
        import sys
        sys.path.insert(0, "tests/exports")
        from export_factory import make_patient
        import main
        from storage.repository import Repository
        from storage.errors import KnownStorageError
        path = {str(tmp_path / "plain.sqlite")!r}
        with Repository(path) as repo:
            repo.add_patient(make_patient("P01", 3, seed=1), "nurse")
        for command in (["check"], ["report", "--cohort", "--out", {str(tmp_path / "c.pdf")!r}],
                        ["export", "--out", {str(tmp_path / "x.xlsx")!r}]):
            assert main.main(["--db", path, *command]) == 0, command
        try:  # an error path: a file that is not a database
            open({str(tmp_path / "bad.sqlite")!r}, "wb").write(b"not a database" * 100)
            Repository({str(tmp_path / "bad.sqlite")!r})
        except KnownStorageError as exc:
            print(exc.kind)
        print("sqlcipher3" in sys.modules)
    """, tmp_path)
    assert out.splitlines()[-2:] == ["not_a_database", "False"], out


def test_an_encrypted_file_loads_it_and_its_errors_are_caught(tmp_path: Path) -> None:
    out = _run(f"""
        import os, sys
        os.environ.pop("JDM_CAPTURE_PLAINTEXT")
        from storage import crypto
        from storage.errors import sqlite_errors, translated, KnownStorageError
        print("sqlcipher3" in sys.modules)
        path = {str(tmp_path / "enc.sqlite")!r}
        con = crypto.connect_raw(path, b"k" * 32)
        con.execute("CREATE TABLE t (x)")
        con.commit()
        import sqlcipher3
        print(sqlcipher3.Error in sqlite_errors())
        try:
            with translated(path):
                crypto.connect_raw(path, b"w" * 32).execute("SELECT * FROM t")
        except KnownStorageError as exc:
            print(exc.kind)
    """, tmp_path)
    assert out.splitlines() == ["False", "True", "not_a_database"]


@pytest.mark.parametrize("name", ["sqlite_errors", "database_errors", "operational_errors",
                                  "sqlite_or_known"])
def test_each_tuple_holds_sqlite3s_class(name: str) -> None:
    import sqlite3

    classes = getattr(errors, name)()
    assert classes[0] in (sqlite3.Error, sqlite3.DatabaseError, sqlite3.OperationalError)
    assert all(isinstance(c, type) and issubclass(c, Exception) for c in classes)
