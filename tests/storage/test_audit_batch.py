"""Audit rows written together (storage.audit_chain.append_many, issue 16) are the rows and
hashes of writing them one by one; the canonical bytes are those of the file format's
json.dumps; a savepoint rolled back between writes leaves a chain that verifies."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

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



def test_canonical_bytes_unchanged_for_any_row() -> None:
    """canonical writes the repository's rows (text values, int ids, distinct fields)
    directly and anything unusual (a repeated field, a number or bytes where text belongs, a
    float id read from a hostile file) through json: the file format's bytes either way, for
    random texts with quotes, backslashes, control characters, line separators, non-Latin
    letters and emoji."""
    rng = random.Random(16)
    alphabet = 'ab"\\\n\t\x00\x1f\x7f\u2028\u2029é中😀 /<>&\''

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

    odd: list[object] = [1, 1.5, True, b"x", 2.0]
    direct = 0
    for i in range(4000):
        names = list(dict.fromkeys(text() for _ in range(rng.randint(0, 8))))
        changes: list[tuple[object, object, object]] = [
            (name, None if rng.random() < 0.5 else text(),
             None if rng.random() < 0.2 else text()) for name in names]
        if changes and i % 10 == 1:  # the same field twice (values that compare)
            changes.append((changes[0][0], text(), text()))
        if changes and i % 10 == 2:  # a value that is not text
            changes[-1] = (changes[-1][0], rng.choice(odd), changes[-1][2])
        row = (text(), text(), rng.choice(["insert", "update", "delete"]), text(),
               rng.choice(odd) if i % 10 == 3 else rng.randint(0, 10**12), text())
        audit_id = 3.0 if i % 10 == 4 else rng.randint(1, 10**9)
        prev = text() if i % 10 == 5 else audit_chain.GENESIS
        try:
            expected = _old_canonical(audit_id, row, changes, prev)  # type: ignore[arg-type]
        except TypeError:  # bytes are no JSON: the json path refuses them, as before
            with pytest.raises(TypeError):
                audit_chain.canonical(audit_id, row, changes, prev)  # type: ignore[arg-type]
            continue
        assert audit_chain.canonical(audit_id, row, changes,  # type: ignore[arg-type]
                                     prev) == expected, (row, changes)
        direct += audit_chain._fast_canonical(audit_id, row, changes,  # noqa: SLF001
                                              prev) is not None
    assert 2000 < direct < 4000  # both paths were taken
