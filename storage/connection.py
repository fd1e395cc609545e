"""The storage layer's database connection, without importing sqlite-utils on every open.

:class:`Connection` wraps one DB-API connection (the standard library's ``sqlite3`` for a plain
file, ``sqlcipher3`` for an encrypted one) with the few conveniences of
``sqlite_utils.Database`` that the storage layer uses on its routine paths, with the same
behaviour:

* :meth:`Connection.execute`: a write statement outside a transaction is committed at once
  (sqlite-utils 4 semantics); inside a transaction it joins it;
* :meth:`Connection.atomic`: a transaction, nested blocks as savepoints;
* :meth:`Connection.table_names`, :meth:`Connection.enable_wal`;
* ``PRAGMA recursive_triggers = ON`` on every connection, as sqlite-utils sets it.

Importing sqlite-utils (with click, dateutil and pluggy) costs about 50 ms of every cold start
(``report --patient``, the GUI; issue 16), for a table API only the migrations and a few tests
need. Those use :attr:`Connection.utils`: a ``sqlite_utils.Database`` on the same connection,
imported and made on first use; ``connection["table"]`` is that database's table.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.db import Table

#: statements that start or end a transaction themselves (never auto-committed)
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_savepoints = itertools.count(1)


def first_keyword(sql: str) -> str:
    """The first keyword of ``sql``, upper-cased, after whitespace, ``--`` and ``/* */``
    comments, bare ``;`` and a byte order mark (as sqlite-utils reads it); "" if none."""
    i, n = 0, len(sql)
    while i < n:
        if sql[i].isspace() or sql[i] in (";", "\ufeff"):
            i += 1
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            if newline == -1:
                return ""
            i = newline + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                return ""
            i = end + 2
        else:
            break
    j = i
    while j < n and (sql[j].isalpha() or sql[j] == "_"):
        j += 1
    return sql[i:j].upper()


class Connection:
    """One open database: ``conn`` is the DB-API connection (default transaction handling).

    Args:
        conn: a ``sqlite3`` or ``sqlcipher3`` connection; this object owns it from now on.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._utils: Database | None = None
        self.execute("PRAGMA recursive_triggers = ON")

    def execute(self, sql: str,
                parameters: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """Run one statement and return its cursor.

        A write statement outside a transaction is committed at once; one that fails leaves no
        implicit transaction open behind it (as ``sqlite_utils.Database.execute``).
        """
        conn = self.conn
        was_in_transaction = conn.in_transaction
        try:
            cursor = conn.execute(sql) if parameters is None else conn.execute(sql, parameters)
        except Exception:
            if not was_in_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if (not was_in_transaction and conn.in_transaction and cursor.description is None
                and first_keyword(sql) not in _TRANSACTION_CONTROL):
            conn.execute("COMMIT")
        return cursor

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Connection]:
        """A transaction (``BEGIN`` ... ``COMMIT``); inside one already open, a savepoint that
        is rolled back alone when the block fails."""
        conn = self.conn
        if conn.in_transaction:
            savepoint = f"jdm_sp_{next(_savepoints)}"
            conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                # a RAISE(ROLLBACK) trigger may have ended the whole transaction already
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            else:
                conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def table_names(self) -> list[str]:
        """Every table in the file (``sqlite_master``), internal ones included."""
        return [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]

    @property
    def journal_mode(self) -> str:
        return str(self.conn.execute("PRAGMA journal_mode").fetchone()[0])

    def enable_wal(self) -> None:
        """Switch the file to write-ahead logging (outside any transaction)."""
        if self.journal_mode == "wal":
            return
        if self.conn.in_transaction:
            raise RuntimeError("enable_wal() cannot be used while a transaction is open")
        previous = self.conn.isolation_level
        try:
            self.conn.isolation_level = None
            self.conn.execute("PRAGMA journal_mode = wal")
        finally:
            self.conn.isolation_level = previous

    @property
    def utils(self) -> Database:
        """A ``sqlite_utils.Database`` on this same connection (imported on first use: the
        migrations and the table API need it, routine opens and reads do not)."""
        if self._utils is None:
            from sqlite_utils import Database  # noqa: PLC0415 - ~50 ms, needed rarely

            self._utils = Database(self.conn, strict=True, execute_plugins=False)
        return self._utils

    def __getitem__(self, table: str) -> Table:
        return self.utils.table(table)


def as_utils(db: Any) -> Database:
    """``db`` as a ``sqlite_utils.Database`` (a :class:`Connection`'s, or ``db`` itself)."""
    return db.utils if isinstance(db, Connection) else db
