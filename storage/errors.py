"""The two kinds of storage failure, chosen from the SQLite result code (style practice 9).

* :class:`KnownStorageError`: something about the file or the machine that a person can act on
  (the file is locked by another window, read-only, the disk is full, the file is not a JDM
  Capture database, it was written by a newer version, it is damaged). The GUI shows
  :attr:`KnownStorageError.message` as a plain message; the command line prints it and exits 2.
* :class:`StorageBug`: anything else (a constraint the validation should have caught, a SQL
  error). The GUI shows its crash dialog; the command line exits 1.

:class:`ValidationFailed` is neither: the input was refused before anything was written, and
its :attr:`~ValidationFailed.problems` say why (``forms.validation.Problem`` objects).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms.i18n import _

if TYPE_CHECKING:
    from forms.validation import Problem


class StorageError(Exception):
    """Base of every error raised by :mod:`storage`."""


class KnownStorageError(StorageError):
    """A failure with a known, explainable cause.

    Attributes:
        kind: ``locked``, ``read_only``, ``disk_full``, ``not_a_database``, ``newer_version``,
            ``corrupt`` (confirmed by a fresh connection's integrity check), ``inconsistent``
            (looked damaged, but a fresh check finds the file healthy), ``missing``,
            ``cannot_open``, ``signed`` (a signed-off visit), ``files_replaced`` (the WAL or
            file was removed under the connection), ``in_use`` (open in another app) or
            ``live_database`` (a file the program must not open by hand).
        message: one plain sentence for the user, naming the file.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class SignedVisitLocked(KnownStorageError):
    """A change to a signed-off visit was refused: unlock it with a reason first.

    Raised by the repository before writing, and mapped from the sign-off triggers' message
    (``storage.migrations.SIGNED_READ_ONLY``) when something bypasses the repository check.
    """

    def __init__(self, message: str) -> None:
        super().__init__("signed", message)


class StorageBug(StorageError):
    """An unexpected database failure: a bug to report, not something the user caused."""


class NotFound(StorageError, LookupError):
    """The patient, visit or record asked for does not exist."""


class ValidationFailed(StorageError):
    """Input refused by ``forms.validation``; nothing was written.

    Attributes:
        problems: every error found (``forms.validation.Problem``), in field order.
    """

    def __init__(self, problems: Sequence[Problem], context: str = "") -> None:
        self.problems = list(problems)
        self.context = context
        lines = [p.code_message for p in self.problems]
        prefix = f"{context}: " if context else ""
        super().__init__(prefix + ("; ".join(lines) if lines else "invalid input"))


# The exception classes of both DB-API modules: ``sqlite3`` (plain files) and ``sqlcipher3``
# (encrypted files; its classes are its own, not subclasses of ``sqlite3``'s). Catch these
# (``except sqlite_errors() as exc:``) instead of ``sqlite3.Error`` and its subclasses.
# ``sqlcipher3`` is imported only when an encrypted file is opened (storage.crypto), 4-8 ms
# that a plain file's report or a GUI start would otherwise pay (issue 16); until it is, none of
# its errors can be raised, so the tuple holds ``sqlite3``'s class alone. An ``except``
# clause evaluates its expression only when an exception reaches it.
def _of_both(name: str) -> tuple[type[Exception], ...]:
    cipher = sys.modules.get("sqlcipher3")
    cipher_class = getattr(cipher, name, None)
    plain: type[Exception] = getattr(sqlite3, name)
    return (plain,) if cipher_class is None else (plain, cipher_class)


def sqlite_errors() -> tuple[type[Exception], ...]:
    """``sqlite3.Error``, and ``sqlcipher3.Error`` once that module is loaded."""
    return _of_both("Error")


def database_errors() -> tuple[type[Exception], ...]:
    """``sqlite3.DatabaseError``, and ``sqlcipher3``'s once that module is loaded."""
    return _of_both("DatabaseError")


def operational_errors() -> tuple[type[Exception], ...]:
    """``sqlite3.OperationalError``, and ``sqlcipher3``'s once that module is loaded."""
    return _of_both("OperationalError")


def sqlite_or_known() -> tuple[type[Exception], ...]:
    """An SQLite error of either module, or a known cause (no key, missing key file, ...)."""
    return (*_of_both("Error"), KnownStorageError)


# SQLite primary result codes (https://sqlite.org/rescode.html); extended codes carry the
# primary code in their low byte.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, \
    14, 26


def classify(exc: Any, path: Path | str | None = None) -> StorageError:
    """Turn a ``sqlite3`` exception into a :class:`KnownStorageError` or :class:`StorageBug`.

    Args:
        exc: the exception raised by ``sqlite3``.
        path: the database file, named in the message.

    Returns:
        The storage error to raise instead (``raise classify(exc) from exc``).
    """
    name = Path(path).name if path else _("the database")
    restore = _(" (File > Restore backup..., or `python main.py restore --db FILE --from "
                "BACKUP`; automatic backups are in the `backups` folder next to the file)")
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc).lower()
    primary = code & 0xFF if isinstance(code, int) else None
    if "signed visit is read-only" in text:
        return SignedVisitLocked(_("{name}: a signed visit is read-only; unlock it with a "
                                   "reason first.").format(name=name))
    if path and primary in (_READONLY, _CANTOPEN, _IOERR, _FULL, None):
        found = _file_system_problem(Path(path))
        if found is not None:
            return found
    if primary in (_BUSY, _LOCKED) or "database is locked" in text:
        return KnownStorageError(
            "locked", _("{name} is busy: another JDM Capture window or command is writing to "
                        "it. Wait a moment and try again.").format(name=name))
    if primary == _READONLY or "readonly database" in text:
        return KnownStorageError(
            "read_only", _("{name} cannot be changed: the file or its folder is read-only. "
                           "Copy it to a folder you can write to, or ask IT for write "
                           "access.").format(name=name))
    if primary == _FULL or "database or disk is full" in text:
        return KnownStorageError(
            "disk_full", _("The disk holding {name} is full: nothing was saved. Free some "
                           "space and try again.").format(name=name))
    if (primary == _NOTADB or "file is not a database" in text) and path and \
            Path(f"{path}.keys").exists():
        return KnownStorageError(
            "wrong_key", _("{name} cannot be decrypted with the key its key file {name}.keys "
                           "gives: the key file belongs to another database, or the file is "
                           "damaged. Put the right key file beside it, or restore a "
                           "backup{restore}.").format(name=name, restore=restore))
    if primary == _NOTADB or "file is not a database" in text:
        return KnownStorageError(
            "not_a_database", _("{name} is not a JDM Capture database (it is not an SQLite "
                                "file, or its start is damaged). Choose the right file, or "
                                "restore a backup{restore}.").format(name=name,
                                                                     restore=restore))
    if (primary == _CORRUPT or "malformed" in text) and path and Path(path).exists() and \
            fresh_integrity(Path(path)) is not False:
        return KnownStorageError(
            "inconsistent", _("{name} could not be read consistently just now (SQLite reports: "
                              "{error}), but a fresh check of the file finds it healthy: the "
                              "file is not damaged and needs no restore. Close and reopen it; "
                              "if this happens again, note what other program was using the "
                              "file.").format(name=name, error=exc))
    if primary == _CORRUPT or "malformed" in text:
        return KnownStorageError(
            "corrupt", _("{name} is damaged (SQLite reports: {error}). Nothing was written to "
                         "it. Keep a copy of it, and restore the most recent "
                         "backup{restore}.").format(name=name, error=exc, restore=restore))
    if primary == _CANTOPEN or "unable to open database" in text:
        return KnownStorageError(
            "cannot_open", _("{name} cannot be opened: check that its folder exists and that "
                             "you may write to it.").format(name=name))
    if primary == _IOERR or "disk i/o error" in text:
        return KnownStorageError(
            "io_error", _("Reading or writing {name} failed (disk I/O error). Check the disk "
                          "or network drive, then try again.").format(name=name))
    return StorageBug(f"unexpected database error on {name}: {exc}")


_FRESH_CHECK = """
import sys
key = sys.stdin.read().strip()  # the key of an encrypted file comes on stdin, never argv
if key:
    import sqlcipher3 as sqlite3
else:
    import sqlite3
try:
    con = sqlite3.connect(sys.argv[1], uri=True, timeout=10)
    if key:
        con.execute("PRAGMA key = \\"x'" + key + "'\\"")
    row = con.execute("PRAGMA integrity_check(1)").fetchone()
except sqlite3.DatabaseError as exc:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    sys.exit(3 if code in (11, 26) or "malformed" in str(exc) else 4)
sys.exit(0 if row and row[0] == "ok" else 3)
"""


def fresh_integrity(path: Path) -> bool | None:
    """The verdict of a *fresh* connection's integrity check: True healthy, False damaged,
    None when it could not tell (busy, unreadable for another reason).

    It runs in a separate process, read-only: a connection in this process would share
    SQLite's per-process view of the file (the same WAL index), which is exactly what may be
    stale when an error looks like damage. Frozen builds without a Python interpreter check
    in-process instead.
    """
    from storage import crypto  # noqa: PLC0415 - crypto imports this module

    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        key = crypto.key_for(path)  # an encrypted file is checked with its key, never called
    except KnownStorageError:       # damaged because plain sqlite3 cannot read it
        return None
    if getattr(sys, "frozen", False):  # pragma: no cover - bundled app
        try:
            con = crypto.connect_raw(uri, key, uri=True, timeout=10)
            try:
                row = con.execute("PRAGMA integrity_check(1)").fetchone()
            finally:
                con.close()
        except database_errors():
            return False
        return bool(row and row[0] == "ok")
    import subprocess  # noqa: PLC0415 - only when a file looks damaged

    try:
        done = subprocess.run([sys.executable, "-I", "-c", _FRESH_CHECK, uri],
                              input=(key.hex() if key else "").encode(),
                              capture_output=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return {0: True, 3: False}.get(done.returncode)


#: less free space than this on the database's disk makes a write failure "disk full".
LOW_SPACE_BYTES = 1 << 20


def _file_system_problem(path: Path) -> KnownStorageError | None:
    """Read-only medium or full disk behind an open/write/I/O failure, from the file system.

    SQLite reports both as a generic "unable to open" or "disk I/O error" when the WAL index
    (``-shm``) cannot be created or grown; the file system says which it really is.
    """
    folder = path.resolve().parent
    try:
        stat = os.statvfs(folder)
        usage = shutil.disk_usage(folder)
    except OSError:
        return None
    if stat.f_flag & os.ST_RDONLY or not os.access(folder, os.W_OK) or (
            path.exists() and not os.access(path, os.W_OK)):
        return KnownStorageError(
            "read_only", _("{name} is on a read-only disk or folder, so it cannot be opened "
                           "for changes; nothing was changed. Copy it to a folder you can "
                           "write to (or ask IT for write access) and open the "
                           "copy.").format(name=path.name))
    if usage.free < LOW_SPACE_BYTES:
        return KnownStorageError(
            "disk_full", _("The disk holding {name} is full ({kb} KB free): nothing was saved "
                           "and the file is unchanged. Free some space and try "
                           "again.").format(name=path.name, kb=usage.free // 1024))
    return None


@contextlib.contextmanager
def translated(path: Path | str | None = None) -> Iterator[None]:
    """Re-raise any ``sqlite3`` / ``sqlcipher3`` error inside the block as :func:`classify`
    decides."""
    try:
        yield
    except sqlite_errors() as exc:
        raise classify(exc, path) from exc
