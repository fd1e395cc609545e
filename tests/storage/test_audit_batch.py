"""Audit rows written together (storage.audit_chain.append_many, issue 16) are the rows and
hashes of writing them one by one; the canonical bytes are those of the file format's
json.dumps; a savepoint rolled back between writes leaves a chain that verifies."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from storage import audit_chain
from storage.repository import Repository

ROWS = [
    (("2026-12-01T10:00:00", "ann", "insert", "values_cmas", 7, "patient P01, visit 2024"),
     [("cmas_total", None, "41"), ("zeta", "old", None), ("alpha", None, "Ünïcödé \"q\" \\ 中文")]),
    (("2026-12-01T10:00:01", "bo\u2028b", "update", "visits", 8, ""), [("notes", "a", "b\n")]),
    (("2026-12-01T10:00:02", "ann", "delete", "patients", 9, "ctx"), []),
]


def _old_canonical(audit_id: int, row: tuple, changes: list, prev: str) -> bytes:
    at, actor, action, table, record_id, context = row
    body = {"v": audit_chain.CHAIN_VERSION, "id": audit_id, "at": at, "actor": actor,
            "action": action, "table": table, "record_id": record_id, "context": context,
            "changes": sorted([str(c[0]), c[1], c[2]] for c in changes), "prev": prev}
    return json.dumps(body, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def test_canonical_bytes_unchanged() -> None:
    for i, (row, changes) in enumerate(ROWS):
        assert audit_chain.canonical(i + 1, row, changes, audit_chain.GENESIS) == \
            _old_canonical(i + 1, row, changes, audit_chain.GENESIS)


def _dump(conn: sqlite3.Connection) -> tuple[list, list]:
    return (conn.execute("SELECT * FROM audit ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM audit_changes ORDER BY audit_id, field").fetchall())


def test_append_many_is_append_one_after_the_other(tmp_path: Path) -> None:
    dumps = []
    for name, batched in (("one.sqlite", False), ("many.sqlite", True)):
        Repository(tmp_path / name).close()
        conn = sqlite3.connect(tmp_path / name)
        with conn:
            audit_chain.append(conn, *ROWS[0])  # a head to follow
            if batched:
                ids = audit_chain.append_many(conn, ROWS)
            else:
                ids = [audit_chain.append(conn, row, changes) for row, changes in ROWS]
        assert audit_chain.verify_chain(conn).ok
        dumps.append((ids, _dump(conn)))
        conn.close()
    assert dumps[0] == dumps[1]
    assert dumps[0][0] == [2, 3, 4]
    assert audit_chain.append_many(sqlite3.connect(":memory:"), []) == []


def test_rolled_back_savepoint_between_batches(tmp_path: Path) -> None:
    Repository(tmp_path / "sp.sqlite").close()
    conn = sqlite3.connect(tmp_path / "sp.sqlite", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    audit_chain.append_many(conn, ROWS[:1])
    conn.execute("SAVEPOINT inner")
    audit_chain.append_many(conn, ROWS[1:])
    conn.execute("ROLLBACK TO SAVEPOINT inner")
    conn.execute("RELEASE SAVEPOINT inner")
    audit_chain.append_many(conn, ROWS[1:2])  # follows the row that is still there
    conn.execute("COMMIT")
    report = audit_chain.verify_chain(conn)
    assert report.ok and report.rows_checked == 2, report
