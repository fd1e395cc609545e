"""The audit trail's hash chain: writing chained audit rows and verifying the chain.

Every ``audit`` row carries ``prev_hash`` (the ``hash`` of the row before it, or
:data:`GENESIS` for the first) and ``hash``: SHA-256 over a canonical serialization
(:func:`canonical`) of the row's own columns, **all** of its ``audit_changes`` rows (field, old,
new), and ``prev_hash``. Editing any audited value, adding or removing a change row, or deleting
or inserting an audit row anywhere before the newest one breaks the chain at that row, and
:func:`verify_chain` names it.

What the chain does *not* do (documented in the README's "Data safety"): it holds no secret, so
someone who edits the file *and* recomputes every later hash with this module, or who deletes
the newest rows only, is not detected by the chain alone; the dated backups keep earlier heads
of the chain to compare against. It makes silent edits evident; it is not a signature.

The serialization is part of the file format (version :data:`CHAIN_VERSION`): changing it would
break every stored chain, so it is never changed; a new format would get a new version number.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Sequence
from json.encoder import encode_basestring
from pathlib import Path

from forms.i18n import N_, said, word
from forms.records import frozen

CHAIN_VERSION = 1
GENESIS = "0" * 64

#: (at, actor, action, table_name, record_id, context)
AuditRow = tuple[str, str, str, str, int, str]
#: (field, old, new) as stored in ``audit_changes`` (canonical text or None)
ChangeRow = tuple[str, "str | None", "str | None"]


@frozen
class SortedChanges:
    """The change rows of an inserted record (every ``old`` None) already in canonical form,
    for writers of many rows (an import).

    Attributes:
        fields: the fields, distinct and in sorted order (the order :func:`canonical` sorts
            them in, and ``audit_changes``' key order).
        new: each field's new value as stored in ``audit_changes`` (canonical text).
        json: the rows as :func:`canonical` writes them inside its ``"changes"`` array:
            :func:`change_json` of each ``(field, None, new)`` joined by ``,``. Whoever
            builds one keeps the three in step (``check`` recomputes every hash from the
            stored rows).
    """

    fields: list[str]
    new: list[str | None]
    json: str

    @property
    def rows(self) -> list[ChangeRow]:
        """``(field, None, new)`` of each field."""
        return [(name, None, value) for name, value in zip(self.fields, self.new, strict=True)]


def change_json(field: str, old: str | None, new: str | None) -> str:
    """One change row as :func:`canonical` writes it (``["field",null,"41"]``)."""
    return "".join(("[", _QUOTE(field), ",", "null" if old is None else _QUOTE(old), ",",
                    "null" if new is None else _QUOTE(new), "]"))


def canonical(audit_id: int, row: Sequence[object], changes: Sequence[Sequence[object]],
              prev_hash: str) -> bytes:
    """The bytes hashed for one audit row (stable: part of the file format).

    Args:
        audit_id: the row's id.
        row: ``(at, actor, action, table_name, record_id, context)``.
        changes: ``(field, old, new)`` of every change row; order does not matter.
        prev_hash: the previous row's hash, or :data:`GENESIS`.
    """
    fast = _fast_canonical(audit_id, row, changes, prev_hash)
    if fast is not None:
        return fast
    at, actor, action, table, record_id, context = row
    body = {
        "v": CHAIN_VERSION, "id": audit_id, "at": at, "actor": actor, "action": action,
        "table": table, "record_id": record_id, "context": context,
        "changes": sorted([str(c[0]), c[1], c[2]] for c in changes), "prev": prev_hash,
    }
    return _CANONICAL.encode(body).encode("utf-8")


#: what ``json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))``
#: builds on every call, built once (the same bytes: tests/storage/test_audit_batch.py)
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))

#: the string encoder ``_CANONICAL`` uses (``ensure_ascii=False``: json's C
#: ``encode_basestring``: quotes, backslash escapes, control characters as ``\u00XX``)
_QUOTE = encode_basestring


def _fast_canonical(audit_id: object, row: Sequence[object],
                    changes: Sequence[Sequence[object]], prev_hash: object) -> bytes | None:
    """:func:`canonical`'s bytes written directly, for the rows the repository writes: every
    text a ``str``, the ids ``int``, the change rows' fields distinct (so sorting the change
    rows is sorting their fields). Anything else (a float or bytes read from a hostile
    file, a repeated field) returns None and goes through ``json`` as before. The same bytes
    as the ``json`` path (tests/storage/test_audit_batch.py compares them)."""
    by_field: dict[str, str] = {}
    for change in changes:
        name, old, new = change[0], change[1], change[2]
        if (type(name) is not str or name in by_field
                or (old is not None and type(old) is not str)
                or (new is not None and type(new) is not str)):
            return None
        by_field[name] = change_json(name, old, new)
    return _with_changes(audit_id, row, ",".join([by_field[k] for k in sorted(by_field)]),
                         prev_hash)


def _with_changes(audit_id: object, row: Sequence[object], changes_json: str,
                  prev_hash: object) -> bytes | None:
    """:func:`canonical`'s bytes around the change rows' JSON, or None when a column is not
    of the type the repository writes (then the ``json`` path)."""
    at, actor, action, table, record_id, context = row
    if (type(at) is not str or type(actor) is not str or type(action) is not str
            or type(table) is not str or type(record_id) is not int
            or type(context) is not str or type(audit_id) is not int
            or type(prev_hash) is not str):
        return None
    quote = _QUOTE
    return "".join((
        '{"action":', quote(action), ',"actor":', quote(actor), ',"at":', quote(at),
        ',"changes":[', changes_json, '],"context":', quote(context),
        ',"id":', int.__repr__(audit_id), ',"prev":', quote(prev_hash),
        ',"record_id":', int.__repr__(record_id), ',"table":', quote(table),
        ',"v":', str(CHAIN_VERSION), "}")).encode("utf-8")


def row_hash(audit_id: int, row: Sequence[object], changes: Sequence[Sequence[object]],
             prev_hash: str) -> str:
    """SHA-256 (hex) of :func:`canonical`."""
    return hashlib.sha256(canonical(audit_id, row, changes, prev_hash)).hexdigest()


def append(conn: sqlite3.Connection, row: AuditRow, changes: Sequence[ChangeRow]) -> int:
    """Write one chained audit row and its change rows; call inside the write transaction.

    The id is chosen here (one more than the newest row) so the hash, which covers the id, can
    be written with the row; the caller's ``BEGIN IMMEDIATE`` makes this safe against a second
    writer.

    Returns:
        The new audit row's id.
    """
    return append_many(conn, [(row, changes)])[0]


def append_many(conn: sqlite3.Connection,
                entries: Sequence[tuple[AuditRow, Sequence[ChangeRow] | SortedChanges]],
                ) -> list[int]:
    """:func:`append` of several audit rows in order, in one statement per table.

    The same rows and hashes as appending them one after the other: the chain's head is read
    once, here, and each row's hash is the next row's ``prev_hash``. Nothing is remembered
    between calls, so a savepoint rolled back after a call cannot leave a stale head.
    An entry's changes may come as :class:`SortedChanges` (their JSON written by the caller).

    Returns:
        The new audit rows' ids, in order.
    """
    if not entries:
        return []
    last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    audit_id = 1 if last is None else int(last[0]) + 1
    prev = GENESIS if last is None else (last[1] or GENESIS)
    rows: list[object] = []  # the columns of every row, one after the other
    change_rows: list[object] = []
    ids: list[int] = []
    sha256 = hashlib.sha256
    for row, changes in entries:
        if isinstance(changes, SortedChanges):
            body = _with_changes(audit_id, row, changes.json, prev)
            digest = (sha256(body).hexdigest() if body is not None
                      else row_hash(audit_id, row, changes.rows, prev))
            # (audit_id, field, None, new) of each field, laid out by slices (at C speed)
            n = len(changes.fields)
            block: list[object] = [None] * (4 * n)
            block[0::4] = [audit_id] * n
            block[1::4] = changes.fields
            block[3::4] = changes.new
            change_rows += block
        else:
            digest = row_hash(audit_id, row, changes, prev)
            for change in changes:
                change_rows += (audit_id, change[0], change[1], change[2])
        rows += (audit_id, *row, prev, digest)
        ids.append(audit_id)
        prev = digest
        audit_id += 1
    insert_rows(conn, "audit (id, at, actor, action, table_name, record_id, context, "
                 "prev_hash, hash)", 9, rows)
    insert_rows(conn, "audit_changes (audit_id, field, old, new)", 4, change_rows)
    return ids


#: rows per ``INSERT ... VALUES (...), (...)`` statement: the largest first, then halves, so
#: any number of rows takes a few statements of at most eight different shapes (the
#: connection's statement cache keeps them prepared)
_CHUNKS = (128, 64, 32, 16, 8, 4, 2, 1)


@functools.lru_cache(maxsize=64)
def _values_sql(into: str, width: int, rows: int) -> str:
    one = "(" + ", ".join("?" * width) + ")"
    return f"INSERT INTO {into} VALUES " + ", ".join([one] * rows)


def insert_rows(conn: sqlite3.Connection, into: str, width: int, flat: list[object]) -> None:
    """Insert rows given as their columns one after the other (``width`` per row), many rows
    per statement: a quarter less of SQLite's time per row than ``executemany`` of one row
    per statement, for the ~260 change rows of a fully filled visit (and its ~50 derived
    values: ``storage.repo_derived``). The rows go in in their order, as with
    ``executemany``; ``into`` is ``table (columns)``, never user text."""
    left = len(flat) // width
    start = 0
    for size in _CHUNKS:
        while left >= size:
            end = start + size * width
            conn.execute(_values_sql(into, width, size), flat[start:end])
            start = end
            left -= size


def fill_missing_hashes(conn: sqlite3.Connection) -> int:
    """Compute the chain for audit rows written before the chain existed (migration m003).

    Returns:
        How many rows were hashed.
    """
    prev = GENESIS
    rows = conn.execute("SELECT id, at, actor, action, table_name, record_id, context "
                        "FROM audit ORDER BY id").fetchall()
    updates = []
    for audit_id, *row in rows:
        changes = conn.execute("SELECT field, old, new FROM audit_changes WHERE audit_id = ?",
                               (audit_id,)).fetchall()
        digest = row_hash(audit_id, row, changes, prev)
        updates.append((prev, digest, audit_id))
        prev = digest
    conn.executemany("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", updates)
    return len(updates)


@frozen
class ChainReport:
    """Result of :func:`verify_chain`.

    Attributes:
        ok: every row checked out.
        rows_checked: audit rows verified before the first break (all of them when ``ok``).
        first_broken_id: the id of the first audit row that does not verify, else None.
        reason: one sentence saying what is wrong with it ("" when ``ok``).
        head: the hash of the newest verified row (compare with a backup's to spot a
            truncated trail).
    """

    ok: bool
    rows_checked: int
    first_broken_id: int | None = None
    reason: str = ""
    head: str = GENESIS


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Recompute the hash chain over every audit row and its change rows, oldest first.

    Streams both tables in id order (constant memory, one pass), so it is usable on a large
    clinic file. It never writes.

    Args:
        conn: an open ``sqlite3`` connection to a database at migration m003 or later.

    Returns:
        A :class:`ChainReport` naming the first broken row and why.
    """
    audit = conn.execute("SELECT id, at, actor, action, table_name, record_id, context, "
                         "prev_hash, hash FROM audit ORDER BY id")
    changes_cur = conn.cursor().execute(
        "SELECT audit_id, field, old, new FROM audit_changes ORDER BY audit_id, field")
    pending = changes_cur.fetchone()
    prev = GENESIS
    checked = 0

    def broken(audit_id: int, reason: str) -> ChainReport:
        return ChainReport(False, checked, audit_id, said(N_("audit row {id}: {reason}"),
                                                          id=audit_id, reason=word(reason)),
                           prev)

    for audit_id, at, actor, action, table, record_id, context, stored_prev, stored in audit:
        mine: list[tuple[str, str | None, str | None]] = []
        while pending is not None and pending[0] <= audit_id:
            if pending[0] < audit_id:
                return broken(pending[0], N_("has change rows but the audit row itself is "
                                             "missing (deleted?)"))
            mine.append((pending[1], pending[2], pending[3]))
            pending = changes_cur.fetchone()
        if stored is None or stored_prev is None:
            return broken(audit_id, N_("has no chain hash (written outside JDM Capture?)"))
        if stored_prev != prev:
            return broken(audit_id, N_("does not follow the row before it: an audit row "
                                       "before it was deleted or inserted"))
        row = (at, actor, action, table, record_id, context)
        if row_hash(audit_id, row, mine, prev) != stored:
            return broken(audit_id, N_("its contents (or its changed fields) do not match "
                                       "its hash: it was edited"))
        prev = stored
        checked += 1
    if pending is not None:
        return broken(pending[0], N_("has change rows but the audit row itself is missing "
                                     "(deleted?)"))
    return ChainReport(True, checked, None, "", prev)


#: ``audit.table_name`` of the row :func:`record_restore` writes.
RESTORES = "restores"


def record_restore(conn: sqlite3.Connection, at: str, actor: str, backup_name: str,
                   aside_name: str | None, *, accepted: str | None = None) -> int | None:
    """Append "this file was restored from a backup" to a just-restored file's audit trail.

    Called by :func:`storage.backups.restore_backup`. A file older than the chain (no hash
    columns) is left alone; it is chained when it is next opened and migrated.

    Returns:
        The new audit row's id, or None when the file has no chain.
    """
    cols = {r[1] for r in conn.execute("PRAGMA table_info(audit)")}
    if "hash" not in cols:
        return None
    conn.execute("BEGIN IMMEDIATE")
    try:
        audit_id = append(conn, (at, actor, "insert", RESTORES, 0,
                                 f"restored from backup {backup_name}"),
                          [("backup", None, backup_name),
                           ("previous_file_kept_as", None, aside_name),
                           *([("accepted_findings", None, accepted[:4000])] if accepted
                             else [])])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return audit_id


def compare_with_backup(conn: sqlite3.Connection, backup: sqlite3.Connection,
                        backup_name: str) -> str:
    """Check that the newest audit row of a backup is still in the database, unchanged.

    The audit trail only grows, so every row a backup holds must still be in the live file
    with the same hash. This catches what the chain alone cannot: the newest rows deleted
    (or the whole chain rewritten) after that backup. A restore recorded after the backup's
    newest row (:func:`record_restore`) explains a difference and is not a problem.

    Returns:
        "" when consistent (or nothing to compare), else one sentence saying what differs.
    """
    cols = {r[1] for r in backup.execute("PRAGMA table_info(audit)")}
    if "hash" not in cols:
        return ""
    head = backup.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    if head is None:
        return ""
    head_id, head_hash, head_at = head
    mine = conn.execute("SELECT hash FROM audit WHERE id = ?", (head_id,)).fetchone()
    if mine is not None and mine[0] == head_hash:
        return ""
    restored = conn.execute("SELECT 1 FROM audit WHERE table_name = ? AND at >= ? LIMIT 1",
                            (RESTORES, head_at)).fetchone()
    if restored:
        return ""
    if mine is None:
        return said(N_("audit row {id} (in backup {backup}) is missing here: the newest "
                       "audit rows were deleted after that backup"), id=head_id,
                    backup=backup_name)
    return said(N_("audit row {id} differs from backup {backup}: the audit trail was "
                   "rewritten after that backup"), id=head_id, backup=backup_name)


# --------------------------------------------------------------------------------------------
# The chain's head outside the file: receipts
# --------------------------------------------------------------------------------------------
RECEIPT_FORMAT = "jdm-capture-audit-receipt/1"


def head(conn: sqlite3.Connection) -> tuple[int, int, str]:
    """(number of audit rows, id of the newest, its hash); (0, 0, GENESIS) when empty."""
    count = int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])
    row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return 0, 0, GENESIS
    return count, int(row[0]), str(row[1] or GENESIS)


def receipt_body(conn: sqlite3.Connection, database_name: str, at: str) -> dict[str, object]:
    """What ``check --receipt FILE`` writes: the chain's head, to keep away from the file."""
    count, last_id, last_hash = head(conn)
    return {"format": RECEIPT_FORMAT, "database": database_name, "audit_rows": count,
            "last_id": last_id, "last_hash": last_hash, "checked_at": at}


def write_receipt(conn: sqlite3.Connection, dest: Path, database_name: str, at: str) -> None:
    """Write the receipt (replacing an older one) atomically."""
    body = receipt_body(conn, database_name, at)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, dest)


def compare_receipt(conn: sqlite3.Connection, receipt: Path) -> str:
    """Check that the audit row a receipt names is still in the file, unchanged.

    Like a backup, a receipt anchors the head of the chain when it was written; the trail only
    grows, so that row must still be there with the same hash (unless the file was restored
    from a backup since, which the trail records).

    Returns:
        "" when consistent, else one sentence naming what differs.
    """
    try:
        body = json.loads(receipt.read_text(encoding="utf-8"))
        last_id, last_hash = int(body["last_id"]), str(body["last_hash"])
        count, at = int(body["audit_rows"]), str(body.get("checked_at", ""))
        if body.get("format") != RECEIPT_FORMAT:
            raise ValueError("unknown format")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return said(N_("the receipt {file} cannot be read ({error})"), file=receipt.name,
                    error=exc)
    if last_id == 0:
        return ""
    row = conn.execute("SELECT hash FROM audit WHERE id = ?", (last_id,)).fetchone()
    if row is not None and row[0] == last_hash:
        before = conn.execute("SELECT count(*) FROM audit WHERE id <= ?",
                              (last_id,)).fetchone()[0]
        if before == count:
            return ""
        return said(N_("the receipt {file} counted {count} audit rows up to row {row}, the "
                       "file has {before}: audit rows were removed or added before it"),
                    file=receipt.name, count=count, row=last_id, before=before)
    restored = conn.execute("SELECT 1 FROM audit WHERE table_name = ? AND at >= ? LIMIT 1",
                            (RESTORES, at)).fetchone()
    if restored:
        return ""
    newest = head(conn)
    if row is None:
        return said(N_("audit row {row} (the newest when the receipt {file} was written at "
                       "{at}) is missing: the file now ends at row {end}, so the newest audit "
                       "rows were deleted"), row=last_id, file=receipt.name, at=at,
                    end=newest[1])
    return said(N_("audit row {row} differs from the receipt {file} (written at {at}): the "
                   "audit trail was rewritten"), row=last_id, file=receipt.name, at=at)
