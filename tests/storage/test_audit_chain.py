"""The audit hash chain: written with every change, and verification catches tampering.

Tampering is done the way an attacker with the file would: plain ``sqlite3``, dropping the
append-only triggers first.
"""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import FIXTURES, sample_patient

from storage import audit_chain
from storage.audit_chain import GENESIS, verify_chain
from storage.repository import Repository


def _populated(db_path: Path) -> int:
    """A file with a few dozen audit rows; returns how many."""
    with Repository(db_path) as repo:
        patient = sample_patient()
        repo.add_patient(patient, "nurse")
        visit = repo.get_patient("P01").visits[1]
        visit.values["phys_global"] = Decimal("3.5")
        repo.save_visit("P01", visit, "doctor")
        repo.add_patient(sample_patient("P02"), "nurse")
        return int(repo.db.execute("SELECT count(*) FROM audit").fetchone()[0])


def _attacker(db_path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(db_path, isolation_level=None)
    for name in ("audit_append_only_update", "audit_append_only_delete",
                 "audit_changes_append_only_update", "audit_changes_append_only_delete"):
        con.execute(f'DROP TRIGGER "{name}"')
    return con


def _verify(db_path: Path) -> audit_chain.ChainReport:
    con = sqlite3.connect(db_path)
    try:
        return verify_chain(con)
    finally:
        con.close()


def test_untouched_chain_verifies(db_path: Path) -> None:
    n = _populated(db_path)
    report = _verify(db_path)
    assert report.ok, report.reason
    assert report.rows_checked == n > 20
    assert report.first_broken_id is None


def test_each_hash_is_recomputable_from_the_row_and_its_changes(db_path: Path) -> None:
    _populated(db_path)
    con = sqlite3.connect(db_path)
    try:
        rows = con.execute("SELECT id, at, actor, action, table_name, record_id, context, "
                           "prev_hash, hash FROM audit ORDER BY id").fetchall()
        assert rows[0][7] == GENESIS
        for (aid, *row, prev, digest), nxt in zip(rows, rows[1:], strict=False):
            changes = con.execute("SELECT field, old, new FROM audit_changes WHERE "
                                  "audit_id = ?", (aid,)).fetchall()
            assert audit_chain.row_hash(aid, row, changes, prev) == digest
            assert nxt[7] == digest
    finally:
        con.close()


def test_append_only_triggers_still_refuse_app_level_edits(db_path: Path) -> None:
    _populated(db_path)
    con = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("UPDATE audit SET hash = ? WHERE id = 1", (GENESIS,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("DELETE FROM audit_changes WHERE audit_id = 1")
    finally:
        con.close()


@pytest.mark.parametrize(("tamper", "broken_id", "reason"), [
    # an audited value rewritten
    ("UPDATE audit_changes SET new = '9.5' WHERE audit_id = 7 AND field = "
     "(SELECT min(field) FROM audit_changes WHERE audit_id = 7)", 7, "edited"),
    # who made a change rewritten
    ("UPDATE audit SET actor = 'someone else' WHERE id = 5", 5, "edited"),
    # the time of a change rewritten
    ("UPDATE audit SET at = '2020-01-01T00:00:00.000Z' WHERE id = 3", 3, "edited"),
    # a change row removed from an audit row
    ("DELETE FROM audit_changes WHERE audit_id = 4 AND field = "
     "(SELECT min(field) FROM audit_changes WHERE audit_id = 4)", 4, "edited"),
    # a change row added to an audit row
    ("INSERT INTO audit_changes (audit_id, field, old, new) VALUES (6, 'zz_forged', NULL, 'x')",
     6, "edited"),
    # an audit row (with its changes) deleted: the next row no longer follows
    ("DELETE FROM audit_changes WHERE audit_id = 8; DELETE FROM audit WHERE id = 8", 9,
     "deleted or inserted"),
    # an audit row deleted but its change rows left behind
    ("DELETE FROM audit WHERE id = 8", 8, "missing"),
])
def test_verification_catches_edits_and_deletions(db_path: Path, tamper: str, broken_id: int,
                                                  reason: str) -> None:
    _populated(db_path)
    con = _attacker(db_path)
    con.executescript(tamper)
    before = con.execute("SELECT count(*) FROM audit WHERE id < ?", (broken_id,)).fetchone()[0]
    con.close()
    report = _verify(db_path)
    assert not report.ok
    assert report.first_broken_id == broken_id
    assert reason in report.reason
    assert f"audit row {broken_id}" in report.reason
    assert report.rows_checked == before


def test_verification_catches_an_inserted_row(db_path: Path) -> None:
    _populated(db_path)
    con = _attacker(db_path)
    # make room in the middle (renumber rows 10.. upwards) and slip a forged row in, copying
    # its neighbour's hashes: the forged row does not hash to what it claims
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("UPDATE audit_changes SET audit_id = audit_id + 1000 WHERE audit_id >= 10")
    con.execute("UPDATE audit SET id = id + 1000 WHERE id >= 10")
    con.execute("INSERT INTO audit (id, at, actor, action, table_name, record_id, context, "
                "prev_hash, hash) SELECT 10, at, 'forger', 'update', 'visits', 1, '', "
                "hash, hash FROM audit WHERE id = 9")
    con.close()
    report = _verify(db_path)
    assert not report.ok and report.first_broken_id == 10


def test_verification_catches_a_forged_row_at_the_end(db_path: Path) -> None:
    n = _populated(db_path)
    con = sqlite3.connect(db_path)
    last = con.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    con.execute("INSERT INTO audit (id, at, actor, action, table_name, record_id, context, "
                "prev_hash, hash) VALUES (?, '2026-01-01T00:00:00Z', 'x', 'delete', "
                "'patients', 1, '', ?, ?)", (n + 1, last, "f" * 64))
    con.commit()
    con.close()
    report = _verify(db_path)
    assert not report.ok and report.first_broken_id == n + 1
    assert report.rows_checked == n


def test_a_row_without_a_hash_is_reported(db_path: Path) -> None:
    n = _populated(db_path)
    con = sqlite3.connect(db_path)
    con.execute("INSERT INTO audit (at, actor, action, table_name, record_id) VALUES "
                "('2026-01-01T00:00:00Z', 'x', 'insert', 'patients', 1)")
    con.commit()
    con.close()
    report = _verify(db_path)
    assert report.first_broken_id == n + 1 and "no chain hash" in report.reason


def test_m003_chains_the_rows_of_an_upgraded_file(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "m001_schema.sqlite", path)
    with Repository(path) as repo:
        old_rows = repo.db.execute("SELECT count(*) FROM audit").fetchone()[0]
        assert old_rows >= 1
        patient = repo.get_patient("FX-01")
        visit = patient.visits[0]
        visit.notes = "after the upgrade"
        repo.save_visit("FX-01", visit, "nurse")
        report = verify_chain(repo.db.conn)
        total = repo.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert report.ok, report.reason
    assert report.rows_checked == total > old_rows


def test_deleting_the_newest_rows_is_caught_against_the_newest_backup(db_path: Path) -> None:
    from storage.backups import automatic_backup
    from storage.database import check_database

    n = _populated(db_path)
    automatic_backup(db_path)
    assert check_database(db_path).healthy
    con = _attacker(db_path)
    con.execute("DELETE FROM audit_changes WHERE audit_id > ?", (n - 3,))
    con.execute("DELETE FROM audit WHERE id > ?", (n - 3,))
    con.close()
    # the chain itself still verifies (no secret: a truncated chain is a valid chain) ...
    assert _verify(db_path).ok
    # ... but the newest backup holds row n, so check names it
    report = check_database(db_path)
    assert not report.healthy
    assert any(f"audit row {n}" in p and "deleted" in p for p in report.problems)


def test_rewriting_the_newest_row_consistently_is_caught_against_the_backup(
        db_path: Path) -> None:
    from storage.backups import automatic_backup
    from storage.database import check_database

    n = _populated(db_path)
    automatic_backup(db_path)
    con = _attacker(db_path)
    aid, *row, prev, _digest = con.execute(
        "SELECT id, at, actor, action, table_name, record_id, context, prev_hash, hash "
        "FROM audit WHERE id = ?", (n,)).fetchone()
    row[1] = "someone else"
    changes = con.execute("SELECT field, old, new FROM audit_changes WHERE audit_id = ?",
                          (n,)).fetchall()
    con.execute("UPDATE audit SET actor = ?, hash = ? WHERE id = ?",
                (row[1], audit_chain.row_hash(aid, row, changes, prev), n))
    con.close()
    assert _verify(db_path).ok  # recomputed by someone who knows the format
    problems = check_database(db_path).problems
    assert any(f"audit row {n} differs" in p for p in problems)
