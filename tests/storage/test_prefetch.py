"""storage.prefetch: the patient list read at start on a second, read-only connection is used
only while it is exactly what the session would read itself."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from forms.model import Patient
from storage import accounts, crypto
from storage.prefetch import ListPrefetch
from storage.repo_patients import list_rows, list_rows_from_json, list_rows_json
from storage.repository import Repository

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exports"))
from export_factory import make_patient  # noqa: E402
from storage_samples import sample_patient  # noqa: E402


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """Patients with every kind of list row: visits with and without scores and responses,
    no visits, Chinese names, no birth date."""
    path = tmp_path / "clinic.sqlite"
    with Repository(path) as repo:
        for i in range(12):
            repo.add_patient(make_patient(f"P{i:02d}", 1 + i % 5, seed=i,
                                          given_name="梅" if i % 3 else "Anna",
                                          family_name="李" if i % 3 else "Berg"), "nurse")
        repo.add_patient(sample_patient("A-first"), "nurse")
        repo.add_patient(Patient("Z-no-visits", sex="male"), "nurse")
    return path


def _session_rows(path: Path) -> list[tuple[object, ...]]:
    with Repository(path) as repo:
        return repo.patient_list_rows()


def test_the_prefetched_rows_are_the_sessions_rows(clinic: Path) -> None:
    expected = _session_rows(clinic)
    assert len(expected) == 14 and any(r[11] is not None for r in expected)
    prefetch = ListPrefetch.start(clinic)
    assert prefetch is not None
    rows = prefetch.take(clinic)
    assert rows == expected
    assert [type(v) for r in rows for v in r] == [type(v) for r in expected for v in r]


def test_the_json_rows_are_the_querys_rows_on_any_values(clinic: Path) -> None:
    con = sqlite3.connect(clinic)
    try:  # odd values the list may meet: a real-valued total, quotes, control characters
        con.execute("UPDATE derived_values SET value = 41.0 WHERE field = 'cmas_total' "
                    "AND value IS NOT NULL AND visit_id = (SELECT min(id) FROM visits)")
        con.execute("UPDATE patients SET given_name = ?, family_name = ? WHERE study_id = 'P01'",
                    ('Ann "the" \\ \t\n\u2028', "O'Brien"))
        con.commit()
        assert list_rows_from_json(list_rows_json(con)) == list_rows(con)
    finally:
        con.close()


def test_a_commit_by_another_connection_makes_them_stale(clinic: Path) -> None:
    prefetch = ListPrefetch.start(clinic)
    assert prefetch is not None
    with Repository(clinic) as repo:  # e.g. an upgrade's migration, or a second process
        repo.add_patient(make_patient("P99", 1, seed=5), "nurse")
    assert prefetch.take(clinic) is None
    assert "P99" in [r[1] for r in _session_rows(clinic)]


def test_a_save_by_another_process_makes_them_stale(clinic: Path) -> None:
    """The real case: a command-line import or a second program saves while the GUI starts."""
    prefetch = ListPrefetch.start(clinic)
    assert prefetch is not None
    prefetch._thread.join()
    root = Path(__file__).resolve().parents[2]
    code = ("import sys; sys.path[:0] = [sys.argv[2], sys.argv[2] + '/tests/exports']\n"
            "from export_factory import make_patient\n"
            "from storage.repository import Repository\n"
            "with Repository(sys.argv[1]) as repo:\n"
            "    repo.add_patient(make_patient('P77', 1, seed=7), 'nurse')\n")
    done = subprocess.run([sys.executable, "-c", code, str(clinic), str(root)], cwd=root,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "JDM_CAPTURE_PLAINTEXT": "1"})
    assert done.returncode == 0, done.stderr
    assert prefetch.take(clinic) is None
    assert "P77" in [r[1] for r in _session_rows(clinic)]


def test_a_replaced_file_or_another_path_gets_nothing(clinic: Path, tmp_path: Path) -> None:
    prefetch = ListPrefetch.start(clinic)
    assert prefetch is not None
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(clinic, copy)
    assert prefetch.take(copy) is None  # asked for another file

    prefetch = ListPrefetch.start(clinic)
    assert prefetch is not None
    prefetch._thread.join()
    os.replace(copy, clinic)  # a restore put another file at the path
    assert prefetch.take(clinic) is None


def test_files_that_are_not_plain_sqlite_are_not_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    assert ListPrefetch.start(missing) is None
    assert not missing.exists()
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all", encoding="utf-8")
    assert ListPrefetch.start(text) is None
    encrypted = tmp_path / "encrypted.sqlite"
    accounts.create_encrypted(encrypted, "tester", "Tess Tester", "tester's password 1")
    try:
        assert ListPrefetch.start(encrypted) is None  # SQLCipher pages: no plain header
    finally:
        accounts.sign_out(encrypted)
        crypto.forget()


def test_a_damaged_file_gives_no_rows_and_is_not_written(clinic: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(clinic.read_bytes())
    data[4096:len(data) // 2] = b"\xa5" * (len(data) // 2 - 4096)  # header kept, pages not
    damaged.write_bytes(bytes(data))
    before = damaged.read_bytes(), damaged.stat().st_mtime_ns
    prefetch = ListPrefetch.start(damaged)
    assert prefetch is not None
    assert prefetch.take(damaged) is None
    assert (damaged.read_bytes(), damaged.stat().st_mtime_ns) == before
    assert not damaged.with_name(damaged.name + "-journal").exists()


def test_closing_unused_lets_go_of_the_file(clinic: Path) -> None:
    prefetch = ListPrefetch.start(clinic)
    assert prefetch is not None
    prefetch.close()
    prefetch.close()  # idempotent
    assert prefetch.take(clinic) is None
    assert prefetch._conn is None


def test_an_empty_database_lists_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    Repository(path).close()
    prefetch = ListPrefetch.start(path)
    assert prefetch is not None
    assert prefetch.take(path) == [] == _session_rows(path)


def test_ages_are_computed_on_the_day_of_the_take(clinic: Path) -> None:
    rows = ListPrefetch.start(clinic).take(clinic)  # type: ignore[union-attr]
    born = next(r for r in rows if r[6] is not None)
    assert born[7] == _session_rows(clinic)[rows.index(born)][7]
    assert isinstance(born[6], dt.date) and born[7] > 0
