"""The full ``check``: the live data against its audit trail, the schema against the
migrations, stored scores against a recalculation, settings and drafts against their rules.

:func:`storage.database.check_database` runs the file-level checks (integrity, foreign keys,
schema version, the hash chain) and then the ones here, collecting one :class:`Finding` per
problem. A finding has a ``kind`` (``data``, ``schema``, ``derived``, ``settings``,
``drafts``, ``anchor``, ...), where it is and one sentence saying what differs; notes
(``severity="note"``) are reported but do not fail the check. A new check is one more
function returning findings, called from ``check_database`` (``report.findings.extend(...)``
or ``report.add(kind, message, where)``) with its own ``kind``.

Replaying the trail
-------------------
Every audited change names its table, record, field, old and new value (canonical text,
:func:`storage.schema.audit_text`). Replaying the rows oldest first gives, for every record,
the values the trail says it holds; :func:`data_findings` compares that with the live tables,
record by record (streamed in key order, so memory stays flat), and also checks each change's
*old* value against the replayed one (a value edited outside JDM Capture and then changed in
the app would otherwise be laundered by the app's next audit row).

Migration m005 adopts, once, whatever the trail did not account for when it ran (records
written before the trail existed, the owning patient of older records): it writes one chained
audit row per such record and an ``integrity`` marker row. Audit rows before that marker are
replayed leniently (their old values are not compared); every row after it strictly.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from forms import i18n, registry
from forms.fields import Field, Level
from forms.i18n import N_, Shown, _, context_text, said, word
from forms.records import frozen, mutable
from forms.settings import MUSCLE_MEASURES, THRESHOLDS
from storage import audit_chain, schema, user_cache

if TYPE_CHECKING:
    from pathlib import Path

    from storage.repository import Repository

#: ``audit.table_name`` of the marker row m005 writes after adopting unaudited state.
MARKER_TABLE = "integrity"
#: settings key written by the repository without an audit row (a cache fingerprint).
FINGERPRINT_KEY = "_derived_fingerprint"
_MAX_PER_KIND = 50
_SIGNOFFS = "visit_signoffs"


#: the kinds of finding, as ``check`` names them (the English kind is also the code
#: ``restore --accept-finding`` takes)
KIND_NAMES = {"data": N_("data"), "schema": N_("schema"), "derived": N_("derived"),
              "settings": N_("settings"), "drafts": N_("drafts"), "records": N_("records"),
              "integrity": N_("integrity"), "foreign key": N_("foreign key"),
              "audit trail": N_("audit trail"), "history": N_("history"), "file": N_("file"),
              "anchor": N_("anchor"), "signoff": N_("signoff")}

#: a finding's ``where`` pattern and its template; compiled when a finding is shown
_WHERE_SOURCES = (
    (r"^(?P<table>\w+) record (?P<rid>\d+) \((?P<context>.+)\)$",
     N_("{table} record {rid} ({context})")),
    (r"^(?P<table>\w+) record (?P<rid>\d+)$", N_("{table} record {rid}")),
    (r"^setting (?P<name>\S+) = (?P<value>.*)$", N_("setting {name} = {value}")),
    (r"^setting (?P<name>\S+)$", N_("setting {name}")),
    (r"^draft (?P<key>.+)$", N_("draft {key}")),
    (r"^sign-off (?P<sid>\d+) of visit (?P<vid>\d+)$",
     N_("sign-off {sid} of visit {vid}")),
    (r"^sign-off (?P<sid>\d+)$", N_("sign-off {sid}")),
    (r"^derived values of (?P<context>.+)$", N_("derived values of {context}")),
    (r"^trigger (?P<name>\S+) on (?P<table>\S+)$",
     N_("trigger {name} on {table}")),
    (r"^trigger (?P<name>\S+)$", N_("trigger {name}")),
    (r"^view (?P<name>\S+)$", N_("view {name}")),
    (r"^table (?P<name>\S+)$", N_("table {name}")),
    (r"^index (?P<name>\S+)(?: on (?P<table>\S+))?$", N_("index {name}")),
)


@functools.cache
def _where_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), template) for pattern, template in _WHERE_SOURCES)


#: the clinical tables by the names the user knows them by (the values_* tables keep theirs)
_TABLE_NAMES = {"patients": N_("patient table"), "visits": N_("visit table"),
                "medications": N_("medication table"),
                "adverse_events": N_("adverse event table")}


def where_text(where: str) -> str:
    """A finding's ``where`` (English, as made) in the user's language."""
    for pattern, template in _where_rules():
        match = pattern.match(where)
        if match:
            values = match.groupdict()
            if "context" in values:
                values["context"] = context_text(values["context"])
            if (values.get("table") in _TABLE_NAMES and "rid" in values
                    and i18n.language() != i18n.DEFAULT):
                values["table"] = _(_TABLE_NAMES[values["table"]])
            return _(template).format(**values)
    return context_text(where)


#: :attr:`Finding.code` of a schema object JDM Capture creates that the file lacks (the open
#: refuses planted and changed objects, not dropped ones: ``check`` reports those).
DROPPED = "dropped"
#: :attr:`Finding.code` of a file whose schema waits for migrations (a restore migrates it).
PENDING_MIGRATIONS = "pending_migrations"


@frozen
class Finding:
    """One thing ``check`` found.

    Attributes:
        kind: which check (``data``, ``schema``, ``derived``, ``settings``, ``drafts``,
            ``anchor``, ``signoff``); other checks add their own.
        where: the record or object (``values_global record 3 (patient P01, visit ...)``).
        message: what differs, in one sentence.
        severity: ``problem`` (check exits 2) or ``note`` (reported, check still passes).
        code: what code decides on, when it must tell one finding from another
            (:data:`DROPPED`, :data:`PENDING_MIGRATIONS`); never read from the message.

    ``message`` and ``where`` are English (compared by code, written to the audit trail by
    ``restore --accept-finding``: :meth:`english`); ``str()`` reads in the user's language (a
    :class:`Shown` message keeps its translation, a plain one is looked up in the catalog).
    """

    kind: str
    where: str
    message: str
    severity: str = "problem"
    code: str = ""

    def english(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.kind}: {where}{self.message}"

    def __str__(self) -> str:
        where = f"{where_text(self.where)}{_(': ')}" if self.where else ""
        message = getattr(self.message, "text", None) or _(self.message)
        return f"{_(KIND_NAMES.get(self.kind, self.kind))}{_(': ')}{where}{message}"


def problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "problem"]


# --------------------------------------------------------------------------------------------
# What each audited table holds, as canonical text
# --------------------------------------------------------------------------------------------
@functools.cache
def _fields(table: str) -> Mapping[str, Field | None]:
    if table == "patients":
        return {f.name: f for f in schema.record_fields(Level.PATIENT)}
    if table == "visits":
        return {**{n: registry.get(n) for n in registry.VISIT_KEYS}, "baseline": None,
                "notes": None, "patient_id": None}
    for level in (Level.MEDICATION, Level.ADVERSE_EVENT):
        if table == schema.RECORD_TABLES[level][0]:
            return {**{f.name: f for f in schema.record_fields(level)}, "patient_id": None}
    fields = schema.value_tables().get(table)
    if fields is not None:
        return {f.name: f for f in fields}
    return {}


def _key(table: str) -> str:
    return "visit_id" if table.startswith(schema.VALUE_TABLE_PREFIX) else "id"


def record_tables() -> tuple[str, ...]:
    """Tables replayed record by record (one row per record, key column ``id``/``visit_id``)."""
    return ("patients", "visits", *schema.value_tables(), "medications", "adverse_events")


def canonical(f: Field | None, value: Any) -> str | None:
    """A live column value as the audit trail writes it ("" counts as no value)."""
    if value is None or value == "":
        return None
    try:
        text = schema.audit_text(value if f is None else schema.from_sql(f, value))
    except (ValueError, TypeError, InvalidOperation):
        text = str(value)
    return None if text == "" else text


def _live_rows(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, dict[str, str]]]:
    fields = _fields(table)
    key = _key(table)
    cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"')
    names = [d[0] for d in cur.description]
    for row in cur:
        record = dict(zip(names, row, strict=True))
        rid = int(record.pop(key))
        state = {}
        for name, value in record.items():
            text = canonical(fields.get(name), value)
            if text is not None:
                state[name] = text
        yield rid, state


def _live_missing(conn: sqlite3.Connection) -> Iterator[tuple[int, dict[str, str]]]:
    current: int | None = None
    state: dict[str, str] = {}
    for vid, name, reason in conn.execute(
            "SELECT visit_id, field, reason FROM visit_missing ORDER BY visit_id, field"):
        if current is not None and vid != current:
            yield current, state
            state = {}
        current = int(vid)
        state[name] = reason
    if current is not None:
        yield current, state


@mutable
class _Replayed:
    """One record as its audit rows describe it."""

    rid: int
    exists: bool
    state: dict[str, str]
    context: str
    last_id: int
    #: strict-mode inconsistencies within the trail (old values that do not match)
    issues: list[str]


def marker_id(conn: sqlite3.Connection) -> int:
    """The id of m005's adoption marker (0 when m005 ran on an empty file, or not yet)."""
    row = conn.execute("SELECT max(id) FROM audit WHERE table_name = ?",
                       (MARKER_TABLE,)).fetchone()
    return int(row[0] or 0)


def _replay(conn: sqlite3.Connection, table: str, strict_after: int,
            ) -> Iterator[_Replayed]:
    """Replay the audit rows of one table, record by record (ascending record id)."""
    cur = conn.execute(
        "SELECT a.id, a.action, a.record_id, a.context, c.field, c.old, c.new FROM audit a "
        "LEFT JOIN audit_changes c ON c.audit_id = a.id WHERE a.table_name = ? "
        "ORDER BY a.record_id, a.id, c.field", (table,))
    rec: _Replayed | None = None
    last_audit = -1
    last_action = ""
    for audit_id, action, rid, context, name, old, new in cur:
        if rec is not None and rid != rec.rid:
            yield _after_delete(rec, table, last_action)
            rec = None
        if rec is None:
            rec = _Replayed(int(rid), False, {}, context, audit_id, [])
            last_action = ""
        strict = audit_id > strict_after
        if audit_id != last_audit:  # a new audit row of this record
            _after_delete(rec, table, last_action)
            last_audit = audit_id
            last_action = action
            rec.context = context or rec.context
            rec.last_id = audit_id
            if action == "insert" and rec.exists and strict and table != "visit_missing":
                rec.issues.append(said(N_("audit row {id} inserts it again while the "
                                          "trail says it exists"), id=audit_id))
            if action == "insert":
                rec.exists = True
                if table != "visit_missing":
                    rec.state = {}
            elif action == "update":
                if not rec.exists and strict:
                    rec.issues.append(said(N_("audit row {id} updates it while the trail "
                                              "says it does not exist"), id=audit_id))
                rec.exists = True
        if name is not None:
            old_text = None if old == "" else old
            new_text = None if new == "" else new
            if strict and rec.state.get(name) != old_text:
                rec.issues.append(said(N_(
                    "audit row {id} changes {name} from {old}, but the trail before it says "
                    "{before} (changed outside JDM Capture before that row)"), id=audit_id,
                    name=name, old=_show(old_text), before=_show(rec.state.get(name))))
            if new_text is None:
                rec.state.pop(name, None)
            else:
                rec.state[name] = new_text
        if action == "delete" and (table != "visit_missing" or not rec.state):
            rec.exists = False
        if table == "visit_missing":
            rec.exists = bool(rec.state)
    if rec is not None:
        yield _after_delete(rec, table, last_action)


def _after_delete(rec: _Replayed, table: str, action: str) -> _Replayed:
    """Once every change row of a delete was compared (each field's old value against the
    trail), the deleted record holds nothing."""
    if action == "delete" and table != "visit_missing":
        rec.state = {}
    return rec


def _show(text: str | None) -> str:
    if text is None:
        return word(N_("no value"))
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _merge(replayed: Iterator[_Replayed], live: Iterator[tuple[int, dict[str, str]]],
           ) -> Iterator[tuple[int, _Replayed | None, dict[str, str] | None]]:
    """Pair replayed and live records by record id (both ascending)."""
    r = next(replayed, None)
    lv = next(live, None)
    while r is not None or lv is not None:
        if lv is None or (r is not None and r.rid < lv[0]):
            assert r is not None
            yield r.rid, r, None
            r = next(replayed, None)
        elif r is None or lv[0] < r.rid:
            yield lv[0], None, lv[1]
            lv = next(live, None)
        else:
            yield r.rid, r, lv[1]
            r = next(replayed, None)
            lv = next(live, None)


def _differences(table: str, rid: int, rec: _Replayed | None,
                 live: dict[str, str] | None) -> list[str]:
    trail = rec.state if rec is not None and rec.exists else None
    if trail is None and live is None:
        return []
    if trail is None:
        return [word(N_("is in the database but the audit trail has no record of it being "
                        "entered (written outside JDM Capture)"))]
    if live is None:
        return [word(N_("is missing from the database, but the audit trail has no deletion "
                        "of it (deleted outside JDM Capture)"))]
    out: list[str] = []
    for name in sorted(set(trail) | set(live)):
        if trail.get(name) != live.get(name):
            out.append(said(N_("{name} is {live} but the audit trail says {trail} (changed "
                               "outside JDM Capture)"), name=name, live=_show(live.get(name)),
                            trail=_show(trail.get(name))))
    return out


def _where(table: str, rid: int, rec: _Replayed | None) -> str:
    context = f" ({rec.context})" if rec is not None and rec.context else ""
    return f"{table} record {rid}{context}"


def data_findings(conn: sqlite3.Connection) -> list[Finding]:
    """The live clinical tables compared with the replayed audit trail."""
    strict_after = marker_id(conn)
    if not _has_marker_or_fresh(conn, strict_after):
        return [Finding("data", "", word(N_("the file has not been through migration m005; "
                                            "run `init`")))]
    out: list[Finding] = []
    for table in (*record_tables(), "visit_missing"):
        live = _live_missing(conn) if table == "visit_missing" else _live_rows(conn, table)
        count = 0
        for rid, rec, state in _merge(_replay(conn, table, strict_after), live):
            messages = (rec.issues if rec is not None else []) + _differences(
                table, rid, rec, state)
            for message in messages:
                count += 1
                if count <= _MAX_PER_KIND:
                    out.append(Finding("data", _where(table, rid, rec), message))
        if count > _MAX_PER_KIND:
            out.append(Finding("data", table, said(N_("... and {n} more differences"),
                                                   n=count - _MAX_PER_KIND)))
    out.extend(_settings_vs_trail(conn, strict_after))
    out.extend(_signoffs_vs_trail(conn))
    return out


def _has_marker_or_fresh(conn: sqlite3.Connection, marker: int) -> bool:
    names = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
    return any(n.startswith("m005_") for n in names) or bool(marker)


def _settings_vs_trail(conn: sqlite3.Connection, strict_after: int) -> list[Finding]:
    trail: dict[str, str] = {}
    out = []
    for audit_id, name, old, new in conn.execute(
            "SELECT a.id, c.field, c.old, c.new FROM audit a JOIN audit_changes c ON "
            "c.audit_id = a.id WHERE a.table_name = 'settings' ORDER BY a.id, c.field"):
        if audit_id > strict_after and trail.get(name) != old:
            out.append(Finding("data", f"setting {name}", said(N_(
                "audit row {id} changes it from {old}, but the trail before it says {before} "
                "(changed outside JDM Capture)"), id=audit_id, old=_show(old),
                before=_show(trail.get(name)))))
        if new is None:
            trail.pop(name, None)
        else:
            trail[name] = new
    live = {k: v for k, v in conn.execute("SELECT key, value FROM settings")
            if k != FINGERPRINT_KEY}
    for name in sorted(set(trail) | set(live)):
        if trail.get(name) != live.get(name):
            out.append(Finding("data", f"setting {name}", said(N_(
                "is {live} but the audit trail says {trail} (changed outside JDM Capture)"),
                live=_show(live.get(name)), trail=_show(trail.get(name)))))
    return out


def _signoffs_vs_trail(conn: sqlite3.Connection) -> list[Finding]:
    """Each sign-off row against its audited signing (and voiding, and visit deletion)."""
    rows: dict[int, tuple[str, int, dict[str, str | None]]] = {}
    for audit_id, at, vid, name, new in conn.execute(
            "SELECT a.id, a.at, a.record_id, c.field, c.new FROM audit a JOIN "
            "audit_changes c ON c.audit_id = a.id WHERE a.table_name = ? "
            "ORDER BY a.id, c.field", (_SIGNOFFS,)):
        rows.setdefault(audit_id, (at, vid, {}))[2][name] = new
    trail: dict[int, dict[str, Any]] = {}
    for at, vid, changes in rows.values():
        if changes.get("signoff_id") is None:
            continue
        entry = trail.setdefault(int(changes["signoff_id"] or 0), {"visit_id": vid})
        entry.update({k: v for k, v in changes.items() if k != "signoff_id"})
        if "signed_by" in changes:
            entry["signed_at"] = at
        if "voided_by" in changes:
            entry["voided_at"] = at
    conn.create_function("jdm_sha256", 1, lambda b: hashlib.sha256(bytes(b)).hexdigest()
                         if b is not None else None, deterministic=True)
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({_SIGNOFFS})")}
    deleted = "visit_deleted_at" if "visit_deleted_at" in cols else "NULL"
    out = []
    seen = set()
    for (sid, vid, signed_by, signed_at, meaning, digest, actual, voided_at, voided_by,
         reason, gone) in conn.execute(
            f"SELECT id, visit_id, signed_by, signed_at, meaning, snapshot_sha256, "
            f"jdm_sha256(snapshot_pdf), voided_at, voided_by, void_reason, {deleted} "
            f"FROM {_SIGNOFFS} ORDER BY id"):
        seen.add(sid)
        where = f"sign-off {sid} of visit {vid}"
        found = trail.get(sid)
        if found is None:
            out.append(Finding("data", where, word(N_("has no audited signing (written "
                                                      "outside JDM Capture)"))))
            continue
        if actual != digest:
            out.append(Finding("data", where, word(N_("its PDF snapshot does not match its "
                                                      "SHA-256 (the snapshot was replaced)"))))
        expected = {"visit_id": found.get("visit_id"), "signed_by": found.get("signed_by"),
                    "meaning": found.get("meaning"), "snapshot_sha256":
                        found.get("snapshot_sha256"), "signed_at": found.get("signed_at"),
                    "voided_by": found.get("voided_by"), "void_reason":
                        found.get("void_reason"), "voided_at": found.get("voided_at")}
        live = {"visit_id": vid, "signed_by": signed_by, "meaning": meaning,
                "snapshot_sha256": digest, "signed_at": signed_at, "voided_by": voided_by,
                "void_reason": reason, "voided_at": voided_at}
        for name, value in expected.items():
            if value != live[name] and not (name == "voided_at" and value is None
                                            and live[name] is None):
                out.append(Finding("data", where, said(N_(
                    "{name} is {live} but the audit trail says {trail}"), name=name,
                    live=_show(_text(live[name])), trail=_show(_text(value)))))
        if (gone is not None) != ("visit_deleted_at" in found):
            out.append(Finding("data", where, word(N_("its visit-deleted mark does not match "
                                                      "the audit trail"))))
    for sid in sorted(set(trail) - seen):
        out.append(Finding("data", f"sign-off {sid}", word(N_(
            "is in the audit trail but missing from the database (signature evidence "
            "deleted)"))))
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------------------------------
# Adopting what the trail did not cover (migration m005)
# --------------------------------------------------------------------------------------------
ADOPTED_CONTEXT = "state adopted at upgrade (recorded before the audit trail covered it)"


def adopt_unaudited_state(conn: sqlite3.Connection, actor: str) -> int:
    """Write one chained audit row per record whose live values the trail does not explain.

    Called once by migration m005, inside its transaction. Writes the ``integrity`` marker
    row when the file had any audit rows or records (nothing on a new, empty file).

    Returns:
        How many records were adopted.
    """
    at = _utc_now()
    adopted = 0
    pending: list[tuple[audit_chain.AuditRow, list[audit_chain.ChangeRow]]] = []
    # a table a later migration adds (values_mdi, m030) does not exist yet when m005 runs
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in (*(t for t in record_tables() if t in existing), "visit_missing"):
        live = _live_missing(conn) if table == "visit_missing" else _live_rows(conn, table)
        for rid, rec, state in _merge(_replay(conn, table, 1 << 62), live):
            trail = rec.state if rec is not None and rec.exists else None
            if trail == state:
                continue
            changes: list[audit_chain.ChangeRow]
            if state is None:  # the trail has a record the file does not: record its end
                assert trail is not None
                action = "delete"
                changes = [(k, v, None) for k, v in sorted(trail.items())]
            else:
                action = "insert" if trail is None else "update"
                base = trail or {}
                changes = [(k, base.get(k), state.get(k)) for k in sorted(set(base) | set(state))
                           if base.get(k) != state.get(k)]
            pending.append(((at, actor, action, table, rid, ADOPTED_CONTEXT), changes))
    trail_settings: dict[str, str] = {}
    for name, new in conn.execute(
            "SELECT c.field, c.new FROM audit a JOIN audit_changes c ON c.audit_id = a.id "
            "WHERE a.table_name = 'settings' ORDER BY a.id"):
        if new is None:
            trail_settings.pop(name, None)
        else:
            trail_settings[name] = new
    for rowid, name, value in conn.execute("SELECT rowid, key, value FROM settings ORDER BY key"
                                           ).fetchall():
        if name != FINGERPRINT_KEY and trail_settings.get(name) != value:
            pending.append(((at, actor, "update" if name in trail_settings else "insert",
                             "settings", rowid, ADOPTED_CONTEXT),
                            [(name, trail_settings.get(name), value)]))
    any_audit = conn.execute("SELECT 1 FROM audit LIMIT 1").fetchone() is not None
    for row, changes in pending:
        audit_chain.append(conn, row, changes)
        adopted += 1
    if any_audit or pending:
        audit_chain.append(conn, (at, actor, "insert", MARKER_TABLE, 0,
                                  "the audit trail accounts for every record from here on"),
                           [("adopted_records", None, str(adopted))])
    return adopted


def _utc_now() -> str:
    import datetime as dt  # noqa: PLC0415

    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------------------------
# Schema objects: only what the migrations create
# --------------------------------------------------------------------------------------------
@functools.cache
def expected_schema(applied: tuple[str, ...]) -> dict[tuple[str, str], str | None]:
    """``(type, name) -> sql`` of a new in-memory database migrated through ``applied``.

    The migrations run on a plain :class:`storage.connection.Connection` (they use only
    ``execute`` and ``conn``), so opening a file never imports sqlite-utils; sqlite-utils' own
    bookkeeping table ``_sqlite_migrations`` (and its index) is left out here and of the
    file's objects alike (:func:`_schema_objects`). Running the migrations costs ~20 ms of
    every open (issue 16), so the result is kept in the per-user cache
    (:mod:`storage.user_cache`) under a key covering the compiled code of
    :mod:`storage.migrations` and :mod:`storage._schema_m001` (where all DDL is spelled out)
    and of every registered migration function, the SQLite version and ``applied``: a changed
    migration is a different key, never a stale answer.
    """
    path = _schema_cache_entry(applied)
    cached = _read_schema(user_cache.read(path))
    if cached is not None:
        return cached
    from storage.connection import Connection  # noqa: PLC0415

    db = Connection(sqlite3.connect(":memory:"))
    try:
        # exactly the applied set, in this build's order (a file may have a later migration
        # applied while an earlier one is still pending, when branches merged)
        _apply_only(db, applied, record=False)
        objects = _schema_objects(db.conn)
    finally:
        db.close()
    user_cache.write(path, json.dumps(sorted([t, n, q] for (t, n), q in objects.items()),
                                      ensure_ascii=False).encode("utf-8"))
    return objects


def _schema_cache_entry(applied: tuple[str, ...]) -> Path | None:
    import marshal  # noqa: PLC0415

    from storage import _schema_m001  # noqa: PLC0415
    from storage import migrations as mig  # noqa: PLC0415

    digest = hashlib.sha256(f"schema v1|sqlite {sqlite3.sqlite_version}|".encode())
    for module in (mig, _schema_m001):
        loader = getattr(module.__spec__, "loader", None)
        try:
            code = loader.get_code(module.__name__)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - no code to key on: do not cache
            return None
        if code is None:
            return None
        digest.update(marshal.dumps(code))
    for migration in mig.migrations._migrations:  # noqa: SLF001 - also ones added at run time
        digest.update(migration.name.encode())
        code = getattr(migration.fn, "__code__", None)
        if code is None:
            return None
        digest.update(marshal.dumps(code))
    digest.update(json.dumps(list(applied)).encode())
    return user_cache.entry("schema", f"expected-{digest.hexdigest()[:40]}.json")


def _read_schema(blob: bytes | None) -> dict[tuple[str, str], str | None] | None:
    if blob is None:
        return None
    try:
        rows = json.loads(blob)
    except ValueError:
        return None
    if not isinstance(rows, list):
        return None
    out: dict[tuple[str, str], str | None] = {}
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
                and isinstance(row[1], str) and (row[2] is None or isinstance(row[2], str))):
            return None
        out[(row[0], row[1])] = row[2]
    return out


def _apply_only(db: Any, applied: tuple[str, ...], *, record: bool = True) -> None:
    """Apply the migrations named in ``applied``, one by one, in this build's order, each
    with its ``_sqlite_migrations`` row unless ``record`` is False."""
    from storage import migrations as mig  # noqa: PLC0415

    if record:
        mig.migrations.ensure_migrations_table(db)
    for migration in mig.migrations._migrations:  # noqa: SLF001 - no public accessor
        if migration.name in applied:
            with db.atomic():
                migration.fn(db)
                if record:
                    mig.migrations._record_applied(db, migration.name)  # noqa: SLF001


def _schema_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], str | None]:
    return {(t, n): s for t, n, s in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite^_%' ESCAPE '^' "
        "AND tbl_name != '_sqlite_migrations'")}


def schema_findings(conn: sqlite3.Connection, applied: list[str], *,
                    types: tuple[str, ...] = ("table", "index", "trigger", "view"),
                    ) -> list[Finding]:
    """Objects in the file that the migrations do not create, or create differently."""
    expected = expected_schema(tuple(applied))
    actual = _schema_objects(conn)
    out = []
    for (kind, name), sql in sorted(actual.items()):
        if kind not in types:
            continue
        if (kind, name) not in expected:
            table = conn.execute("SELECT tbl_name FROM sqlite_master WHERE name = ?",
                                 (name,)).fetchone()
            on = f" on {table[0]}" if table and table[0] != name else ""
            out.append(Finding("schema", f"{kind} {name}{on}", word(
                N_("was not created by JDM Capture (it runs on every save and can rewrite "
                   "what is entered). Keep the file for investigation; restore a backup or "
                   "remove it with sqlite3 once understood.") if kind == "trigger" else
                N_("was not created by JDM Capture. Keep the file for investigation; restore "
                   "a backup or remove it with sqlite3 once understood."))))
        elif " ".join((expected[(kind, name)] or "").split()) != " ".join((sql or "").split()):
            out.append(Finding("schema", f"{kind} {name}", word(N_(
                "differs from what JDM Capture creates (its definition was changed outside "
                "the app)"))))
    for (kind, name) in sorted(set(expected) - set(actual)):
        if kind in types:
            out.append(Finding("schema", f"{kind} {name}", word(N_(
                "is missing (dropped outside JDM Capture): its protection no longer "
                "applies")), code=DROPPED))
    return out


# --------------------------------------------------------------------------------------------
# Settings and drafts
# --------------------------------------------------------------------------------------------
def _check_setting(name: str, value: str) -> str:
    """Why a stored setting is unusable ("" when it is fine)."""
    if name == "tis_muscle_measure":
        return "" if value in MUSCLE_MEASURES else said(N_("must be one of {choices}"),
                                                        choices=sorted(MUSCLE_MEASURES))
    if name == "thresholds":
        return "" if value in THRESHOLDS else said(N_("must be one of {choices}"),
                                                   choices=sorted(THRESHOLDS))
    if name == "assessor":
        limit = registry.get("assessor").max_length or 100
        return "" if len(value) <= limit else said(N_("is longer than {n} characters"),
                                                   n=limit)
    if name.startswith("uln_") and name[4:] in registry.ENZYMES:
        from forms import validation  # noqa: PLC0415

        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError):
            return word(N_("is not a number"))
        uln = registry.get(registry.enzyme(name[4:]).uln_field)
        _v, found = validation.check_field(uln, number)
        if not found:
            return ""
        with i18n.in_language("en"):
            english = "; ".join(p.message for p in validation.check_field(uln, number)[1])
        return Shown(english, _("; ").join(p.message for p in found))
    if name == FINGERPRINT_KEY:
        return ""
    return ""


def settings_findings(conn: sqlite3.Connection) -> list[Finding]:
    out = []
    for name, value in conn.execute("SELECT key, value FROM settings ORDER BY key"):
        reason = _check_setting(name, value)
        if reason:
            out.append(Finding("settings", f"setting {name} = {_show(value)}", reason))
    return out


def setting_problem(name: str, value: str) -> str:
    """Used by the repository to refuse an unusable stored setting with a plain message (in
    the user's language)."""
    reason = _check_setting(name, value)
    return getattr(reason, "text", reason)


def drafts_findings(conn: sqlite3.Connection) -> list[Finding]:
    """Draft rows the GUI could not offer back (they are skipped at start, never a crash)."""
    import datetime as dt  # noqa: PLC0415

    out = []
    for key, payload, saved_at in conn.execute("SELECT key, payload, saved_at FROM drafts"):
        where = f"draft {_show(key)}"
        try:
            dt.datetime.fromisoformat(str(saved_at).replace("Z", "+00:00"))
        except ValueError:
            out.append(Finding("drafts", where, said(N_("saved_at {value} is not a time"),
                                                     value=_show(str(saved_at)))))
        try:
            body = json.loads(payload)
        except (ValueError, TypeError):
            out.append(Finding("drafts", where, word(N_("its payload is not JSON"))))
            continue
        if not isinstance(body, dict) or not isinstance(body.get("study_id", ""), str):
            out.append(Finding("drafts", where, word(N_(
                "its payload is not a visit draft (a JSON object with a study_id)"))))
    return out


# --------------------------------------------------------------------------------------------
# Stored scores and responses against a recalculation
# --------------------------------------------------------------------------------------------
def derived_findings(repo: Repository) -> list[Finding]:
    """Recompute every visit's scores and responses and compare with ``derived_values``.

    A signed visit's values are frozen at signing: they must still hash to the digest audited
    then (a problem otherwise); when a recalculation now gives something else (the settings
    or the baseline's values changed since), that is a note, shown until the visit is
    unlocked and recomputed.
    """
    from storage import signoff  # noqa: PLC0415

    if repo.needs_refresh():
        return [Finding("derived", "", word(N_(
            "the stored scores were computed with other rules or settings and are recomputed "
            "at the next open; they were not compared")), "note")]
    conn = repo.db.conn
    signed = signoff.signed_derived_digests(conn)
    out: list[Finding] = []
    count = 0
    for patient in repo.iter_patients():
        ids = [v.id for v in patient.visits if v.id is not None]
        expected = repo.expected_derived(patient.visits)
        stored: dict[int, set[tuple[Any, ...]]] = {vid: set() for vid in ids}
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for vid, *rest in conn.execute(
                    "SELECT visit_id, field, value, missing_reason, rule_version FROM "
                    f"derived_values WHERE visit_id IN ({marks})", chunk):
                stored[vid].add(tuple(rest))
        for visit in patient.visits:
            vid = visit.id or 0
            where = f"derived values of patient {patient.study_id}, visit {visit.describe()}"
            if vid in signed:
                digest = signed[vid]
                if digest is not None and signoff.derived_digest(conn, vid) != digest:
                    out.append(Finding("derived", where, word(N_(
                        "differ from the values verified at sign-off (changed outside JDM "
                        "Capture)"))))
                elif stored.get(vid) != expected.get(vid, set()):
                    out.append(Finding("derived", where, word(N_(
                        "kept as signed; a recalculation with the current settings or "
                        "baseline gives other values (unlock the visit to update them)")),
                        "note"))
                continue
            if stored.get(vid) != expected.get(vid, set()):
                count += 1
                if count <= _MAX_PER_KIND:
                    out.append(Finding("derived", where, _derived_diff(
                        stored.get(vid, set()), expected.get(vid, set()))))
    if count > _MAX_PER_KIND:
        out.append(Finding("derived", "", said(N_("... and {n} more visits"),
                                               n=count - _MAX_PER_KIND)))
    return out


def _derived_diff(stored: set[tuple[Any, ...]], expected: set[tuple[Any, ...]]) -> Shown:
    have = {r[0]: r for r in stored}
    want = {r[0]: r for r in expected}
    parts = []
    for name in sorted(set(have) | set(want)):
        if have.get(name) != want.get(name):
            got = word(N_("absent")) if name not in have else repr(have[name][1])
            should = word(N_("absent")) if name not in want else repr(want[name][1])
            parts.append(said(N_("{name} is stored as {got}, recalculated {should}"), name=name,
                              got=got, should=should))
    return said(N_("{differences} (the stored score was changed outside JDM Capture)"),
                differences=Shown("; ".join(parts[:5]),
                                  _("; ").join(p.text for p in parts[:5])))
