"""Opening the database file: connection settings, version guard, migration, backup, check.

Every connection is opened by :func:`open_database` with

* :class:`storage.connection.Connection` (sqlite-utils' execute and transaction behaviour,
  ``recursive_triggers``; sqlite-utils itself is imported only to migrate),
* ``PRAGMA foreign_keys=ON`` (visits cannot point at a missing patient),
* ``journal_mode=WAL`` (the GUI reads while an import writes),
* ``busy_timeout`` (5 s by default: a writer waits for another writer instead of failing),
* ``synchronous=FULL`` (a commit is on disk before the save is reported; in WAL mode NORMAL
  could lose the last transactions on power loss).

Opening is cheap whatever the file's size (:func:`cheap_checks`: the schema, the page count
against the file size, the first row of every table); the whole file is read
(:func:`integrity_check`) by ``check``, after an unclean shutdown (:func:`needs_full_check`, or
the app's lock file left by a dead process: :mod:`storage.locks`), after a restore and by the
GUI's scheduled check. Before each write the repository calls :func:`verify_files`: the database
and its WAL on disk must still be the files this connection writes to.

Before pending migrations run, the file is copied with the SQLite backup API to
``<name>.before-<migration>-<UTC time>.sqlite`` beside it. A file whose ``_sqlite_migrations``
lists names this build does not know was written by a newer JDM Capture and is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import weakref
from dataclasses import field
from pathlib import Path

from forms.i18n import N_, _
from forms.records import frozen, mutable
from storage import audit_chain, crypto, integrity, locks, schema, tempfiles
from storage import migrations as mig
from storage.connection import Connection
from storage.errors import (
    KnownStorageError,
    StorageError,
    classify,
    sqlite_errors,
    sqlite_or_known,
    translated,
)

DEFAULT_BUSY_TIMEOUT_MS = 5000
#: environment variable that overrides the default database file (data-contract section 1).
DB_ENV = "JDM_CAPTURE_DB"
DB_FILE_NAME = "jdm-capture.sqlite"


def default_db_path() -> Path:
    """``$JDM_CAPTURE_DB``, else ``jdm-capture.sqlite`` in the platform's user data folder."""
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs  # noqa: PLC0415 - only needed when no path is given

    return Path(platformdirs.user_data_dir("jdm-capture", appauthor=False)) / DB_FILE_NAME
_STAMP = "%Y%m%d-%H%M%S"


def _configure(db: Connection, busy_timeout_ms: int, wal: bool, full_check: bool) -> None:
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA foreign_keys = ON")
    # A damaged file is refused before anything writes to it (switching to WAL, migrating,
    # saving would spread the damage). Routine opens use cheap checks that read a few pages
    # whatever the file's size; the whole file is read only when asked (``check``, after an
    # unclean shutdown, after a restore, the GUI's scheduled check).
    if full_check:
        integrity_check(db)
    else:
        cheap_checks(db)
    if wal:
        db.enable_wal()
    db.execute("PRAGMA synchronous = FULL")


def _damaged(detail: object) -> sqlite3.DatabaseError:
    text = " ".join(str(detail).split())[:200]
    return sqlite3.DatabaseError(f"database disk image is malformed: {text}")


def cheap_checks(db: Connection) -> None:
    """Refuse a file that is not SQLite, is truncated or has unreadable tables, cheaply.

    Reads the schema (``sqlite_master``: not an SQLite file, an encrypted one, a zeroed
    header fail here), compares the page count with the file size when no WAL holds pages
    (a truncated file), and reads the first row of every table (each table's root page and
    the leftmost path below it: a few pages per table, whatever the file's size). Damage
    deeper in the file is found by :func:`integrity_check`.

    Raises:
        sqlite3.DatabaseError: the file is damaged or not a database.
    """
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0").fetchall()]
    # int(): SQLCipher answers these pragmas as text, the standard sqlite3 as integers
    page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
    page_count = int(db.execute("PRAGMA page_count").fetchone()[0])
    row = db.execute("PRAGMA database_list").fetchone()
    path = Path(row[2]) if row and row[2] else None
    if path is not None:
        wal = Path(str(path) + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        size = path.stat().st_size
        if wal_size == 0 and size < page_count * page_size:
            raise _damaged(f"the file is truncated ({size} bytes, {page_count} pages of "
                           f"{page_size} expected)")
    for name in tables:
        quoted = name.replace('"', '""')
        db.execute(f'SELECT * FROM "{quoted}" LIMIT 1').fetchall()


def integrity_check(db: Connection) -> None:
    """``PRAGMA integrity_check``: reads every page, checks every index (seconds at 900 MB).

    Raises:
        sqlite3.DatabaseError: the check found damage.
    """
    result = db.execute("PRAGMA integrity_check(1)").fetchone()
    if result is None or result[0] != "ok":
        raise _damaged(result[0] if result else "no answer")


# --------------------------------------------------------------------------------------------
# The files SQLite writes to are still the files on disk
# --------------------------------------------------------------------------------------------
class FilesReplaced(KnownStorageError):
    """The database file or its WAL on disk is no longer the one this connection writes to."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(
            "files_replaced", f"{path.name}: {what}, so this save was NOT written (it would "
            "not have reached the file). Nothing is lost: what you typed is kept, and the "
            "database is being reopened; save again.")
        self.path = path


@frozen
class FileIdentity:
    """Device and inode of the database, its WAL and its WAL index when the connection
    opened (:func:`verify_files` compares them with the disk before each write)."""

    path: Path
    files: tuple[tuple[str, int, int], ...]  #: (suffix, st_dev, st_ino)

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        found = []
        for suffix in ("", "-wal", "-shm"):
            try:
                info = os.stat(f"{path}{suffix}")
            except FileNotFoundError:
                continue
            found.append((suffix, info.st_dev, info.st_ino))
        return cls(path, tuple(found))


_identities: weakref.WeakKeyDictionary[Connection, FileIdentity] = weakref.WeakKeyDictionary()


def _remember_files(db: Connection, path: Path) -> None:
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the WAL exists from here
    _identities[db] = FileIdentity.of(path)


def verify_files(db: Connection) -> None:
    """Before a write: the database and WAL files on disk are still the ones this connection
    has open (same device and inode, still linked).

    Another process that wrongly believes it is the last connection checkpoints and deletes
    the WAL (see :mod:`storage.locks`); a program may replace or delete the file. Writing on
    would put saves into a file no one else sees. Connections opened without WAL (read-only
    uses) are not tracked.

    Raises:
        FilesReplaced: a tracked file was removed or replaced.
    """
    identity = _identities.get(db)
    if identity is None:
        return
    names = {"": "the database file", "-wal": "its write-ahead log (-wal)",
             "-shm": "its shared-memory index (-shm)"}
    for suffix, dev, ino in identity.files:
        try:
            info = os.stat(f"{identity.path}{suffix}")
        except FileNotFoundError:
            raise FilesReplaced(identity.path, f"{names[suffix]} was deleted from the disk "
                                "by another program") from None
        if (info.st_dev, info.st_ino) != (dev, ino) or info.st_nlink < 1:
            raise FilesReplaced(identity.path, f"{names[suffix]} was replaced on the disk by "
                                "another program")


def connect(path: Path | str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
            create: bool = True, wal: bool = True, full_check: bool | None = None) -> Connection:
    """Open a connection with the project's settings, without migrating.

    Args:
        path: the database file.
        busy_timeout_ms: how long a write waits for another writer before "locked".
        create: create the file when it does not exist; otherwise a missing file is refused.
        wal: switch the file to WAL mode (False for read-only uses such as ``check``, which
            must not change the file).
        full_check: read the whole file (``PRAGMA integrity_check``) before anything else;
            None: only when :func:`needs_full_check` says the last session ended uncleanly.

    Raises:
        KnownStorageError: missing file (``create=False``), not a database, locked, read-only.
    """
    path = Path(path)
    if not create and not path.exists():
        raise KnownStorageError("missing", _("There is no database at {path}. Create it with "
                                             "`init`, or pass the right file with --db.").format(
                                                 path=path))
    if create and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = crypto.key_for(path)  # None for a plain file; refuses a locked encrypted one
    if key is None and create and not crypto.plaintext_allowed() and (
            not path.exists() or path.stat().st_size == 0):
        raise KnownStorageError(
            "needs_setup", f"{path.name} does not exist yet, and new databases are encrypted: "
            "create it with `init --user NAME` (or open it in the app, which sets it up).")
    if full_check is None:
        full_check = wal and needs_full_check(path)
    db: Connection | None = None
    try:
        with translated(path):
            locks.register_open(path)
            db = _sqlite_connection(path, key)
            _configure(db, busy_timeout_ms, wal, full_check)
            if wal:
                _remember_files(db, path)
    except StorageError:
        if db is not None:
            db.close()
        raise
    return db


class _Connection(Connection):
    """A connection that tells :mod:`storage.locks` while it is open, so nothing in
    this process reads the file by hand meanwhile (:func:`storage.locks.has_open_connection`)."""

    _tracked: Path | None = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._tracked is not None:
                locks.connection_closed(self._tracked)
                self._tracked = None


def _sqlite_connection(path: Path, key: bytes | None) -> Connection:
    """The one place a connection is made: SQLCipher keyed with ``key`` for an encrypted
    file, the standard library's sqlite3 for a plain one (:func:`storage.crypto.connect_raw`)."""
    db = _Connection(crypto.connect_raw(path, key))
    locks.connection_opened(path)
    db._tracked = path
    return db


def needs_full_check(path: Path | str) -> bool:
    """True when the last session on the file may have ended uncleanly: a write-ahead log
    with content is left beside it and no running app holds it (a crash or SIGKILL leaves
    one; a clean close checkpoints and removes it)."""
    path = Path(path)
    try:
        wal_size = Path(f"{path}-wal").stat().st_size
    except OSError:
        return False
    return wal_size > 0 and locks.holder_if_running(path) is None


def applied_migrations(db: Connection) -> list[str]:
    with translated():
        return [m.name for m in mig.migrations.applied(db)]


def _user_tables(db: Connection) -> list[str]:
    return [name for name in db.table_names() if not name.startswith("sqlite_")]


def check_version(db: Connection, path: Path | str | None = None) -> list[str]:
    """Refuse newer or foreign files; return the names of pending migrations.

    Raises:
        KnownStorageError: ``newer_version`` when the file lists migrations this build does not
            know; ``not_a_database`` when it is some other application's SQLite file.
    """
    name = Path(path).name if path else _("the database")
    with translated(path):
        applied = applied_migrations(db)
        tables = _user_tables(db)
    known = mig.known_names()
    unknown = [n for n in applied if n not in known]
    if unknown:
        raise KnownStorageError("newer_version", _(
            "{file} was written by a newer version of JDM Capture (it has schema changes "
            "{names} that this version does not know). Install the newer version to open it; "
            "this version will not change the file.").format(file=name,
                                                             names=", ".join(unknown)))
    if not applied and tables:
        raise KnownStorageError("not_a_database", _(
            "{file} is an SQLite file but not a JDM Capture database (it has tables "
            "{tables}). Choose the right file.").format(
                file=name, tables=", ".join(sorted(tables)[:5])))
    return [n for n in known if n not in applied]


def refuse_foreign_triggers(db: Connection, path: Path | str | None = None) -> None:
    """Refuse a file whose triggers or views are not exactly the ones JDM Capture creates.

    A planted trigger runs inside every later save and can rewrite what is entered (for
    example ``AFTER INSERT ON values_global ... SET phys_global = 0``), and so can one of ours
    whose definition was replaced; a planted or changed view misleads whoever reads it.
    Opening such a file to write would record falsified data under the user's name, so it is
    refused before anything is written; ``check`` lists every foreign
    object (tables and indexes too, which cannot change a save, and dropped triggers, whose
    absence removes a protection but falsifies nothing by itself: both reported only there).

    Raises:
        KnownStorageError: ``foreign_schema``, naming the objects.
    """
    # One read transaction, so the migrations listed and the schema compared with them are one
    # snapshot: another opener may commit a migration (and its triggers) between two reads.
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        applied = applied_migrations(db)
        if not applied:
            return
        with translated(path):
            found = [f for f in integrity.schema_findings(conn, applied,
                                                          types=("trigger", "view"))
                     if f.code != integrity.DROPPED]  # a dropped one: `check` reports it
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")  # nothing was written: this only ends the snapshot
    if found:
        name = Path(path).name if path else _("the database")
        listed = _("; ").join(
            integrity.where_text(f.where) + " " + re.split(
                r"[.。] ?", getattr(f.message, "text", f.message), maxsplit=1)[0]
            for f in found[:5])
        raise KnownStorageError("foreign_schema", _(
            "{file} was changed outside JDM Capture and is not opened, so that nothing is "
            "saved through it: {objects}. Keep the file for investigation and restore a "
            "backup (`check` lists every difference).").format(file=name, objects=listed))


def open_database(path: Path | str, *, migrate: bool = True, create: bool = True,
                  busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
                  full_check: bool | None = None) -> Connection:
    """Open the database, upgrading an older schema (after a backup copy) when ``migrate``.

    Args:
        path: the database file.
        migrate: apply pending migrations; without it an outdated file is refused.
        create: create a missing file (``init``, ``import``, the GUI); else refuse it.
        busy_timeout_ms: see :func:`connect`.
        full_check: see :func:`connect` (the whole file is read after an unclean shutdown).

    Returns:
        An open :class:`storage.connection.Connection` at the current schema.

    Raises:
        KnownStorageError: newer or foreign file, outdated file with ``migrate=False``, locked,
            read-only, disk full, not a database.
    """
    path = Path(path)
    db = connect(path, busy_timeout_ms=busy_timeout_ms, create=create, full_check=full_check)
    try:
        pending = check_version(db, path)
        refuse_foreign_triggers(db, path)
        if pending and not migrate:
            raise KnownStorageError(
                "outdated", f"{path.name} uses an older schema (pending: {', '.join(pending)}). "
                "Run `init` to upgrade it (a backup copy is made first).")
        if pending:
            migrate_database(db, path)
    except BaseException:
        db.close()
        raise
    return db


def migrate_database(db: Connection, path: Path | str) -> Path | None:
    """Back up the file, then apply every pending migration, each in its own transaction.

    Each step runs in a ``BEGIN IMMEDIATE`` transaction: holding the write lock from its start
    serializes two processes that open an old file at the same moment (the second waits, sees
    the step applied, and skips it; a plain ``Migrations.apply`` would let both run
    ``CREATE TABLE`` and fail the second). Inside that transaction sqlite-utils applies exactly
    the one migration (its ``atomic()`` becomes a savepoint) with its ``_sqlite_migrations``
    row. An existing file is first copied with the backup API (outside any transaction: the
    backup cannot read through a connection that holds the write lock); the copy's name is
    made unique so two processes upgrading at once never overwrite each other's copy.

    Returns:
        The backup copy, or None when nothing was pending or the file was new.
    """
    path = Path(path)
    pending = check_version(db, path)
    if not pending:
        return None
    conn = db.conn
    names = mig.known_names()
    copy = None
    with translated(path):
        if applied_migrations(db):  # an existing file: copy it first (never inside a txn)
            stamp = dt.datetime.now(dt.UTC).strftime(_STAMP)
            copy = _unique(path.with_name(f"{path.stem}.before-{pending[0]}-{stamp}.sqlite"))
            backup_to(db, copy)
        for i, name in enumerate(names):
            conn.execute("BEGIN IMMEDIATE")
            try:
                done = applied_migrations(db)
                if name not in done:
                    # sqlite-utils refuses to stop before an applied one: a file can have a
                    # later migration and miss an earlier one (ranges of parallel branches)
                    mig.migrations.apply(db, stop_before=[n for n in names[i + 1:]
                                                          if n not in done])
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    return copy


def _unique(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def backup_to(db: Connection, dest: Path | str) -> Path:
    """Consistent copy of an open database with the SQLite backup API (safe during writes).

    The copy is written to the private temporary folder beside ``dest``
    (:mod:`storage.tempfiles`: mode 0700, swept when its writer no longer runs) and renamed
    into place when complete, in rollback journal mode so it is one self-contained file.
    ``dest`` may not be a database this process has open (:func:`storage.locks.refuse_live_file`).
    """
    dest = Path(dest)
    locks.refuse_live_file(dest, "overwrite")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfiles.new_temp_file(dest)
    except OSError as exc:
        raise KnownStorageError("cannot_write", _("Could not write the backup {path}: "
                                                  "{error}").format(
            path=dest, error=exc.strerror or exc)) from exc
    source = _db_file(db)
    key = crypto.key_for(source) if source else None
    try:
        with translated(dest):
            out = crypto.connect_raw(tmp, key)  # an encrypted file's copy has the same key
            try:
                db.conn.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
            finally:
                out.close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        if source and key is not None:
            crypto.copy_key_file(source, dest)  # the slots travel with the copy
        os.replace(tmp, dest)
    except OSError as exc:
        raise KnownStorageError("cannot_write", _("Could not write the backup {path}: "
                                                  "{error}").format(
            path=dest, error=exc.strerror or exc)) from exc
    finally:
        tempfiles.finished(tmp)
    return dest


def _db_file(db: Connection) -> Path | None:
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def backup_file(path: Path | str, dest: Path | str) -> Path:
    """Back up the database at ``path`` to ``dest`` (``main.py backup``), without migrating."""
    db = connect(path, create=False, wal=False)
    try:
        check_version(db, path)
        return backup_to(db, dest)
    finally:
        db.close()


@mutable
class CheckReport:
    """What ``main.py check`` found: a list of :class:`storage.integrity.Finding`.

    ``healthy`` only when no finding is a problem (notes are reported but pass). Checks add
    their findings with :meth:`add` (or by extending ``findings``).
    """

    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    findings: list[integrity.Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: the audit hash chain's verification (None before migration m003)
    chain: audit_chain.ChainReport | None = None
    #: the newest audit row: (row count, last id, last hash)
    head: tuple[int, int, str] | None = None

    def add(self, kind: str, message: str, where: str = "", severity: str = "problem",
            code: str = "") -> None:
        """One finding; ``message`` English (an :func:`storage.integrity.said` text reads in
        the user's language too); ``code`` see :attr:`storage.integrity.Finding.code`."""
        self.findings.append(integrity.Finding(kind, where, message, severity, code))

    @property
    def problems(self) -> list[str]:
        """One line per problem (``kind: where: what``)."""
        return [str(f) for f in integrity.problems(self.findings)]

    @property
    def notes(self) -> list[str]:
        return [str(f) for f in self.findings if f.severity != "problem"]

    @property
    def healthy(self) -> bool:
        return not self.problems


def _backup_problems(db: Connection, path: Path) -> list[str]:
    """Compare the audit trail with every automatic backup's newest row (``storage.backups``):
    each backup anchors the head of the chain at the time it was taken."""
    from storage.backups import list_backups  # noqa: PLC0415 - only `check` reads backups

    out = []
    for backup in list_backups(path):
        try:
            other = crypto.connect_path(backup.path, readonly=True)
        except sqlite_or_known():
            continue
        try:
            problem = audit_chain.compare_with_backup(db.conn, other, backup.path.name)
        except sqlite_errors():
            problem = ""  # an unreadable backup says nothing about this file
        finally:
            other.close()
        if problem:
            out.append(problem)
    return out


def check_database(path: Path | str, *, receipt: Path | str | None = None) -> CheckReport:
    """Everything ``check`` proves, without changing the database file.

    Integrity, foreign keys, schema version and registry columns; schema objects against what
    the migrations create; the audit hash chain; the chain's head against every backup and
    the receipt; the live data against the replayed audit trail; stored scores against a
    recalculation; settings and drafts rows (:mod:`storage.integrity`).

    Args:
        path: the database.
        receipt: a receipt file written by an earlier ``check --receipt`` to compare the
            chain's head with (:func:`storage.audit_chain.compare_receipt`).

    Returns:
        A :class:`CheckReport`; every problem is one :class:`~storage.integrity.Finding`.

    Raises:
        KnownStorageError: the file is missing, not a database, or locked.
    """
    path = Path(path)
    report = CheckReport()
    db = connect(path, create=False, wal=False)
    try:
        try:
            with translated(path):
                rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
        except KnownStorageError as exc:
            if exc.kind not in ("corrupt",):
                raise
            report.add("integrity", exc.message)
            return report
        if rows != ["ok"]:
            for r in rows[:20]:
                report.add("integrity", r)
            return report
        with translated(path):
            for n, (table, rowid, parent, _fk) in enumerate(
                    db.execute("PRAGMA foreign_key_check").fetchall()):
                report.add("foreign key", integrity.said(N_(
                    "{table} row {row} refers to a missing {parent} row"), table=table,
                    row=rowid, parent=parent))
                if n >= 20:
                    break
        try:
            report.pending = check_version(db, path)
        except KnownStorageError as exc:
            report.add("schema", exc.message)
            return report
        report.applied = applied_migrations(db)
        if report.pending:
            report.add("schema", integrity.said(N_("pending migrations {names}; run `init` to "
                                                   "upgrade"), names=", ".join(report.pending)),
                       code=integrity.PENDING_MIGRATIONS)
            return report
        existing = {t: set(db[t].columns_dict) for t in db.table_names()}
        for statement in schema.missing_columns(existing):
            report.add("schema", integrity.said(N_("the registry needs a column this file "
                                                   "lacks: {column}"),
                                                column=statement.splitlines()[-1][:120]))
        with translated(path):
            report.findings.extend(integrity.schema_findings(db.conn, report.applied))
            for table in ("patients", "visits", "medications", "adverse_events", "audit"):
                report.counts[table] = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            _check_chain(db, path, report, receipt)
            report.findings.extend(integrity.data_findings(db.conn))
            settings = integrity.settings_findings(db.conn)
            report.findings.extend(settings)
            report.findings.extend(integrity.drafts_findings(db.conn))
            if not settings:  # scoring needs usable settings
                from storage.repository import Repository  # noqa: PLC0415 - import cycle

                report.findings.extend(integrity.derived_findings(
                    Repository(db, refresh=False)))
            # the saved records against today's entry rules (storage.data_rules)
            from storage import data_rules  # noqa: PLC0415 - only `check` needs the rules

            for line in data_rules.record_findings(db):
                report.add("records", line)
    except sqlite_errors() as exc:
        raise classify(exc, path) from exc
    finally:
        db.close()
    return report


def _check_chain(db: Connection, path: Path, report: CheckReport,
                 receipt: Path | str | None) -> None:
    report.chain = audit_chain.verify_chain(db.conn)
    report.head = audit_chain.head(db.conn)
    if not report.chain.ok:
        report.add("audit trail", integrity.said(N_(
            "{reason} (first broken row {row}; {n} rows before it verify). Keep this file for "
            "investigation and compare with a backup."), reason=report.chain.reason,
            row=report.chain.first_broken_id, n=report.chain.rows_checked))
        return
    for problem in _backup_problems(db, path):
        report.add("audit trail", integrity.said(N_("{problem}. Keep this file for "
                                                    "investigation."), problem=problem))
    if receipt is not None and Path(receipt).exists():
        problem = audit_chain.compare_receipt(db.conn, Path(receipt))
        if problem:
            report.add("audit trail", integrity.said(N_("{problem}. Keep this file for "
                                                        "investigation."), problem=problem))
