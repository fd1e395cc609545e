"""Migrations: blank file, the committed m001 fixture, newer and foreign files, backups."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from storage_samples import FIXTURES

from storage import migrations as mig
from storage.database import check_database, open_database
from storage.errors import KnownStorageError
from storage.repository import Repository

FIXTURE = FIXTURES / "m001_schema.sqlite"


def test_blank_file_gets_every_migration(tmp_path: Path) -> None:
    db = open_database(tmp_path / "new.sqlite")
    try:
        assert [m.name for m in mig.migrations.applied(db)] == mig.known_names()
        assert db["derived_values"].pks == ["visit_id", "field"]
        assert db["visit_missing"].pks == ["visit_id", "field"]
        fks = {(fk.column, fk.other_table) for fk in db["visits"].foreign_keys}
        assert fks == {("patient_id", "patients")}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        db.close()
    # no backup is made of a brand-new file
    assert list(tmp_path.glob("*.before-*")) == []


def test_migrating_twice_is_a_no_op(tmp_path: Path) -> None:
    open_database(tmp_path / "a.sqlite").close()
    db = open_database(tmp_path / "a.sqlite")
    try:
        assert len(mig.migrations.applied(db)) == len(mig.known_names())
    finally:
        db.close()


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    return path


def test_fixture_is_at_the_first_schema(old_file: Path) -> None:
    con = sqlite3.connect(old_file)
    names = [r[0] for r in con.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    con.close()
    assert names == ["m001_initial"]


def test_fixture_upgrade_keeps_data_and_backs_up_first(old_file: Path) -> None:
    with Repository(old_file) as repo:
        patient = repo.get_patient("FX-01")
        assert [v.visit_label for v in patient.visits] == ["M0", "M3"]
        m0, m3 = patient.visits
        assert m0.baseline and not m3.baseline
        assert m0.values["chaq_dress"] == "na"
        assert m0.values["ck"] == 1250
        assert m3.missing == {"ck": "not_done"}
        assert patient.medications[0].drug == "tofacitinib"
        # m002's derived values were filled on first open, with the fixture's CMAS setting
        derived = repo.get_derived(m3.id or 0)
        assert derived["cmas_total"].value == sum(m3.values[k] for k in m3.values
                                                  if k.startswith("cmas_"))
        assert derived["baseline_label"].value == "M0"
        assert derived["tis_muscle_measure"].value == "cmas"
        assert repo.list_patients()[0].cmas_total == derived["cmas_total"].value
        # the old audit row survives and new writes are audited next to it
        assert repo.audit_history("patients", 1)[0].actor == "fixture"
    backups = list(old_file.parent.glob("old.before-m002_derived_values_and_drafts-*.sqlite"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert [r[0] for r in con.execute("SELECT name FROM _sqlite_migrations")] == [
        "m001_initial"]
    assert con.execute("SELECT count(*) FROM visits").fetchone()[0] == 2
    con.close()
    assert check_database(old_file).healthy


def test_check_refuses_an_outdated_file_without_changing_it(old_file: Path) -> None:
    before = old_file.read_bytes()
    report = check_database(old_file)
    assert not report.healthy
    assert any("pending migrations m002" in p for p in report.problems)
    assert old_file.read_bytes() == before


def test_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES "
                "('jdm_capture', 'm099_from_the_future', '2030-01-01')")
    con.commit()
    con.close()
    with pytest.raises(KnownStorageError) as info:
        open_database(path)
    assert info.value.kind == "newer_version"
    assert "newer version of JDM Capture" in info.value.message
    assert "m099_from_the_future" in info.value.message


def test_foreign_sqlite_file_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE photos (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(KnownStorageError) as info:
        open_database(path)
    assert info.value.kind == "not_a_database"
    assert Database(path).table_names() == ["photos"]


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is a text file, not SQLite\n" * 100)
    with pytest.raises(KnownStorageError) as info:
        open_database(path)
    assert info.value.kind == "not_a_database"


def test_failing_migration_rolls_back_and_stays_pending(tmp_path: Path) -> None:
    """One transaction per migration: a failure leaves the previous schema intact."""
    path = tmp_path / "f.sqlite"
    db = Database(path, strict=True, execute_plugins=False)
    broken = mig.MigrationSet(mig.MIGRATION_SET)
    broken(name="m001_initial")(mig.m001_initial)

    @broken(name="m002_broken")
    def _m002(d: Database) -> None:
        d.execute('CREATE TABLE "half" (x INTEGER)')
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        broken.apply(db)
    assert "half" not in db.table_names()
    assert [m.name for m in broken.pending(db)] == ["m002_broken"]
    db.close()


def test_migration_names_are_append_only() -> None:
    """Released names never change (a renamed migration would run twice)."""
    assert mig.known_names()[:2] == ["m001_initial", "m002_derived_values_and_drafts"]
    # numbers ascend; ranges reserved for parallel branches may leave gaps (m005 .. m010)
    numbers = [int(n[1:4]) for n in mig.known_names()]
    assert all(n.startswith("m") and n[4] == "_" for n in mig.known_names())
    assert numbers == sorted(set(numbers)) and numbers[:4] == [1, 2, 3, 4]


def test_two_processes_upgrading_at_once(old_file: Path) -> None:
    """Both openers succeed; each migration is applied exactly once."""
    import threading

    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def opener() -> None:
        try:
            start.wait()
            open_database(old_file).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    con = sqlite3.connect(old_file)
    names = [r[0] for r in con.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    con.close()
    assert names == mig.known_names()


def test_opening_while_another_process_migrates_reads_one_snapshot(
        old_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The foreign-trigger check compares the schema with the migrations the file lists. Both
    must be read from one snapshot: when another opener commits a migration between the two
    reads, its new triggers are not foreign (the race behind a rare failure of the test
    above under load)."""
    import subprocess
    import sys

    from storage import database, integrity

    real = integrity.schema_findings
    migrated_meanwhile: list[bool] = []

    def findings_after_another_process_migrated(*args: object, **kwargs: object) -> object:
        if not migrated_meanwhile:  # the other opener commits between our two reads
            migrated_meanwhile.append(True)
            subprocess.run([sys.executable, "-c", "import sys; from storage.database import "
                            "open_database; open_database(sys.argv[1]).close()",
                            str(old_file)], check=True, timeout=120)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(integrity, "schema_findings", findings_after_another_process_migrated)
    database.open_database(old_file).close()
    assert migrated_meanwhile
    con = sqlite3.connect(old_file)
    names = [r[0] for r in con.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    con.close()
    assert names == mig.known_names()
