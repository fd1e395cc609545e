"""The repository's core: one write transaction at a time, audit rows, and the public unit of
work that the storage modules beside the repository (``storage.signoff``,
``storage.accounts``) write through instead of reaching into repository internals.

:class:`RepositoryCore` holds the open file (``db``, ``path``, ``database_id``) and the
low-level verbs every part of the repository shares (``_write``, ``_rows``, ``_audit``,
``_insert``, ``_update``, ``_delete``). The parts (``repo_patients``, ``repo_visits``,
``repo_derived``, ``repo_settings``, ``repo_drafts``, ``repo_history``) build on it, and
:class:`storage.repository.Repository` assembles them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms.fields import Field, Level
from forms.protocol import Protocol
from storage import accounts, audit_chain, schema
from storage.connection import Connection
from storage.database import verify_files
from storage.errors import translated

if TYPE_CHECKING:
    import sqlite3

    from forms.model import Patient, Visit
    from forms.scoring import Score
    from forms.settings import ScoringSettings
    from storage.repo_records import CheckedVisit, SaveResult

#: columns that identify a row rather than describe it (not audited on delete)
KEY_COLUMNS = ("id", "patient_id", "visit_id")
CHUNK = 200  #: patients loaded per batch (iter_patients, refresh_derived)


def now() -> str:
    """The current UTC time as stored in audit rows (ISO 8601, milliseconds, ``Z``)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def record_fields(level: Level) -> tuple[Field, ...]:
    return schema.record_fields(level)


def sql_row(fields: Iterable[Field], values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalized values -> column values (every field present, None when absent)."""
    return {f.name: schema.to_sql(f, values.get(f.name)) for f in fields}


def ensure_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("every change needs an actor (who made it) for the audit trail")
    return actor.strip()


def from_column(f: Field | None, value: Any) -> Any:
    return value if f is None else schema.from_sql(f, value)


#: audit texts of stored values already converted: (id(field), type, value) -> text. The same
#: few values recur in every visit (grades, yes/no, round numbers); type is in the key because
#: 1, 1.0 and True are equal dict keys. _AUDIT_FIELDS keeps each field alive so ids stay valid.
_AUDIT_TEXTS: dict[tuple[int, type, Any], str | None] = {}
_AUDIT_FIELDS: dict[int, Field] = {}


def sql_audit_text(f: Field, value: Any) -> str | None:
    """``schema.audit_text(schema.from_sql(f, value))``, remembered."""
    key = (id(f), type(value), value)
    try:
        return _AUDIT_TEXTS[key]
    except KeyError:
        pass
    text = schema.audit_text(schema.from_sql(f, value))
    if len(_AUDIT_TEXTS) > 50_000:
        _AUDIT_TEXTS.clear()
    _AUDIT_FIELDS.setdefault(id(f), f)
    _AUDIT_TEXTS[key] = text
    return text


@functools.lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'


class UnitOfWork:
    """One write transaction on the repository's file, with the operations the storage
    modules beside the repository need (sign-off, accounts): the connection, audit rows in
    the same transaction, and bringing a visit's derived values up to date.

    Get one from :meth:`RepositoryCore.unit_of_work`; it is valid only inside that ``with``
    block (everything done through it is committed at its end, or rolled back on an error).
    """

    def __init__(self, repo: RepositoryCore) -> None:
        self._repo = repo
        #: the open connection, inside the transaction
        self.conn: sqlite3.Connection = repo.db.conn

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict]:
        """The rows of a query as dicts (column name -> value)."""
        return self._repo._rows(sql, params)  # noqa: SLF001 - the unit of work's own repository

    def audit(self, actor: str, at: str, action: str, table: str, record_id: int,
              changes: Sequence[tuple[str, Any, Any]], context: str = "") -> None:
        """One audit row (and its change rows); on an encrypted file the signed-in account is
        the actor, whatever ``actor`` says."""
        self._repo._audit(actor, at, action, table, record_id, changes, context)  # noqa: SLF001

    def audit_as(self, actor: str, at: str, action: str, table: str, record_id: int,
                 changes: Sequence[tuple[str, Any, Any]], context: str = "") -> None:
        """One audit row recorded under exactly ``actor`` (a signer who entered a password
        now, an account event)."""
        self._repo._audit_as(actor, at, action, table, record_id, changes,  # noqa: SLF001
                             context)

    def refresh_visit_derived(self, visit_id: int) -> None:
        """Rescore one (unlocked) visit and recompute its patient's responses."""
        self._repo._refresh_visit_derived(visit_id)  # noqa: SLF001


class RepositoryCore:
    """The open file and the low-level verbs every part of the repository shares."""

    db: Connection
    path: Path | None
    #: the key file's database id for an encrypted file (accounts and roles apply), else
    #: None (a plain file: no accounts, the caller's actor string is recorded)
    database_id: str | None
    _owns: bool
    _protocol: Protocol | None

    #: visit id -> the scores ``_store_scores`` just stored (English reasons), while an
    #: import keeps them for the responses it computes next (``import_patients``)
    _scores_memo: dict[int, Mapping[str, Score]] | None = None
    #: visit id -> the visit as ``_save_visit`` just stored it (what ``_load_visits`` would
    #: read back), while an import keeps them for a new patient's responses
    _saved_visits: dict[int, Visit] | None = None

    if TYPE_CHECKING:  # verbs of one part that another part calls (defined in repo_*.py)
        def _patient_row(self, study_id: str) -> dict[str, Any]: ...
        def _load_visits(self, patient_ids: list[int]) -> list[tuple[Visit, int]]: ...
        def _save_visit(self, pid: int, visit: Visit, actor: str, at: str,
                        today: dt.date | None, proof: CheckedVisit | None = None
                        ) -> SaveResult: ...
        def _delete_visit(self, vid: int, actor: str, at: str) -> None: ...
        def _baseline_id(self, pid: int) -> int | None: ...
        def _guard_signed_baseline(self, pid: int, before: int | None, after: int | None,
                                   context: str) -> None: ...
        def _store_scores(self, vid: int, values: Mapping[str, Any]) -> None: ...
        def _refresh_responses(self, pid: int, only: int | None = None, *,
                               scores: Mapping[int, Mapping[str, Score]] | None = None,
                               visits: Sequence[Visit] | None = None) -> None: ...
        def _refresh_visit_derived(self, visit_id: int) -> None: ...
        def _attach_derived(self, patients: Sequence[Patient]) -> None: ...
        def needs_refresh(self) -> bool: ...
        def refresh_derived(self, *, force: bool = False) -> int: ...
        def scoring_settings(self) -> ScoringSettings: ...
        def protocol(self) -> Protocol: ...

    @contextlib.contextmanager
    def unit_of_work(self, permission: str | None = "enter") -> Iterator[UnitOfWork]:
        """One write transaction (``BEGIN IMMEDIATE``; nested units join the outer one).

        On an encrypted file somebody must be signed in whose role allows ``permission``
        (``storage.accounts.PERMISSIONS``; None only for set-up and security events).
        """
        with self._write(permission):
            yield UnitOfWork(self)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several verbs into one transaction: all of them are saved, or none."""
        with self._write():
            yield

    @property
    def account(self) -> accounts.Account | None:
        """Who is signed in to this (encrypted) file in this process; None for a plain file."""
        return accounts.signed_in(self.database_id)

    @contextlib.contextmanager
    def _write(self, permission: str | None = "enter") -> Iterator[None]:
        """One write transaction (``BEGIN IMMEDIATE``); nested calls join the outer one.

        On an encrypted file somebody must be signed in whose role allows ``permission``
        (``storage.accounts.PERMISSIONS``; None only for set-up and security events).
        """
        if permission is not None:
            accounts.require(self, permission)
        conn = self.db.conn
        with translated(self.path):
            if conn.in_transaction:
                with self.db.atomic():
                    yield
                return
            verify_files(self.db)  # FilesReplaced: the WAL or file was removed from the disk
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict]:
        cur = self.db.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _audit(self, actor: str, at: str, action: str, table: str, record_id: int,
               changes: Sequence[tuple[str, Any, Any]], context: str = "", *,
               as_text: bool = False) -> None:
        """One audit row plus one change row per field (values as canonical text;
        ``as_text``: the changes already hold ``schema.audit_text`` of each value).

        On an encrypted file the signed-in account is the actor, whatever ``actor`` says.
        """
        me = self.account
        self._audit_as(me.actor if me is not None else actor, at, action, table, record_id,
                       changes, context, as_text=as_text)

    def _audit_as(self, actor: str, at: str, action: str, table: str, record_id: int,
                  changes: Sequence[tuple[str, Any, Any]], context: str = "", *,
                  as_text: bool = False) -> None:
        if action == "update" and not changes:
            return
        rows = changes if as_text else [(name, schema.audit_text(old), schema.audit_text(new))
                                        for name, old, new in changes]
        # chained: the row's hash covers its change rows and the previous row's hash
        audit_chain.append(self.db.conn, (at, actor, action, table, record_id, context), rows)

    def _insert(self, actor: str, at: str, table: str, row: Mapping[str, Any],
                fields: Sequence[Field], context: str, fixed: Mapping[str, Any] | None = None,
                record_id: int | None = None) -> int:
        return self._insert_many(actor, at, [(table, row, fields, context, fixed,
                                              record_id)])[0]

    def _insert_many(self, actor: str, at: str,
                     inserts: Sequence[tuple[str, Mapping[str, Any], Sequence[Field], str,
                                             Mapping[str, Any] | None, int | None]],
                     ) -> list[int]:
        """Insert rows, each (table, row, fields, context, fixed columns, record id), with
        one audit row each, in order: the same rows as one :meth:`_insert` after the other,
        the audit rows written together (:func:`storage.audit_chain.append_many`)."""
        me = self.account  # on an encrypted file the signed-in account is the actor
        who = me.actor if me is not None else actor
        texts = schema.audit_text
        ids: list[int] = []
        entries: list[tuple[audit_chain.AuditRow, list[audit_chain.ChangeRow]]] = []
        for table, row, fields, context, fixed, record_id in inserts:
            data = {**(fixed or {}), **row}
            cur = self.db.conn.execute(_insert_sql(table, tuple(data)), list(data.values()))
            rid = record_id if record_id is not None else int(cur.lastrowid or 0)
            by_name = {f.name: f for f in fields}
            changes: list[audit_chain.ChangeRow] = [
                (name, None, texts(value) if f is None else sql_audit_text(f, value))
                for name, value in row.items()
                if value is not None and value != "" for f in (by_name.get(name),)]
            if fixed and "patient_id" in fixed:  # whose record it is (checked by `check`)
                changes.append(("patient_id", None, texts(fixed["patient_id"])))
            ids.append(rid)
            entries.append(((at, who, "insert", table, rid, context), changes))
        # chained: each row's hash covers its change rows and the previous row's hash
        audit_chain.append_many(self.db.conn, entries)
        return ids

    def _update(self, actor: str, at: str, table: str, key: str, rid: int,
                old: Mapping[str, Any], new: Mapping[str, Any], fields: Sequence[Field],
                context: str) -> int:
        """Update the columns of ``new`` that differ from ``old``; returns fields changed."""
        by_name = {f.name: f for f in fields}
        diff = [name for name in new if old.get(name) != new[name]]
        if not diff:
            return 0
        sets = ", ".join(f'"{name}" = ?' for name in diff)
        self.db.conn.execute(f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?',
                             [new[name] for name in diff] + [rid])
        changes = [(name, from_column(by_name.get(name), old.get(name)),
                    from_column(by_name.get(name), new[name])) for name in diff]
        self._audit(actor, at, "update", table, rid, changes, context)
        return len(diff)

    def _delete(self, actor: str, at: str, table: str, key: str, rid: int,
                old: Mapping[str, Any], fields: Sequence[Field], context: str) -> None:
        self.db.conn.execute(f'DELETE FROM "{table}" WHERE "{key}" = ?', (rid,))
        by_name = {f.name: f for f in fields}
        changes = [(name, from_column(by_name.get(name), value), None)
                   for name, value in old.items()
                   if value is not None and value != "" and name not in KEY_COLUMNS]
        self._audit(actor, at, "delete", table, rid, changes, context)

