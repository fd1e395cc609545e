"""One running app per database file, and the files a process must never open by hand.

Why this module exists: SQLite's locks on a database are POSIX advisory locks, and POSIX
locks belong to the *process*. Any ``open()`` + ``close()`` of the database file (or of its
``-wal``/``-shm``) anywhere in the process releases every lock SQLite holds on it. Another
process then believes it is the last connection, checkpoints and deletes the WAL, and this
process keeps writing into the deleted file: saves that no one else sees and that a crash
loses (SQLite's "How To Corrupt An SQLite Database File", section 2.2).

* :class:`AppLock` is the ``<name>.lock`` file beside a database that the desktop app holds
  while it has the file open (an ``flock`` on the lock file, which is a different file, so it
  never touches SQLite's locks). It names the holder (user, host, process, since when); a
  second app on the same file is refused with that name. The lock file is removed on a clean
  close, so finding one left behind by a dead process means the app crashed or was killed:
  the lock is taken over and :attr:`AppLock.unclean` tells the caller to run the full
  integrity check. Command-line reads and ``backup`` never take the lock.
* :func:`register_open` / :func:`refuse_live_file`: every database this process opens is
  registered; a path that is one of them (or its ``-wal``/``-shm``/``-journal``/``.lock``) is
  refused wherever the program would otherwise read or replace a file by hand (import, export
  targets, backup destinations).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import threading
from pathlib import Path

from forms.records import frozen
from storage.errors import KnownStorageError


def _hostname() -> str:
    """This computer's name (what ``socket.gethostname`` returns; ``os.uname`` where it exists
    spares every open the socket module's import)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket  # noqa: PLC0415 - Windows

    return socket.gethostname()

try:  # POSIX; on Windows the holder's pid in the file decides
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = ".lock"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")

_registry_guard = threading.Lock()
_open_databases: set[Path] = set()  # resolved paths; kept for the life of the process
#: resolved path -> connections of this process open on it right now
_open_connections: dict[Path, int] = {}


def lock_path(db_path: Path | str) -> Path:
    """``clinic.sqlite`` -> ``clinic.sqlite.lock`` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


def _resolved(path: Path | str) -> Path:
    return Path(os.path.abspath(os.path.realpath(Path(path).expanduser())))


# --------------------------------------------------------------------------------------------
# Files this process must never open or replace by hand
# --------------------------------------------------------------------------------------------
def register_open(db_path: Path | str) -> None:
    """Remember that this process opened ``db_path`` with SQLite (see the module docstring)."""
    with _registry_guard:
        _open_databases.add(_resolved(db_path))


def connection_opened(db_path: Path | str) -> None:
    """Count a connection of this process on ``db_path`` (``storage.database`` calls it)."""
    target = _resolved(db_path)
    with _registry_guard:
        _open_connections[target] = _open_connections.get(target, 0) + 1


def connection_closed(db_path: Path | str) -> None:
    target = _resolved(db_path)
    with _registry_guard:
        left = _open_connections.get(target, 0) - 1
        if left > 0:
            _open_connections[target] = left
        else:
            _open_connections.pop(target, None)


def has_open_connection(db_path: Path | str) -> bool:
    """Whether SQLite holds ``db_path`` open in this process now: reading it by hand would
    release that connection's locks. (A file opened earlier and closed since is safe to read;
    :func:`live_database_of` stays conservative for the life of the process.)"""
    with _registry_guard:
        return _open_connections.get(_resolved(db_path), 0) > 0


def live_database_of(path: Path | str) -> Path | None:
    """The database this process opened that ``path`` is (or is a companion file of)."""
    target = _resolved(path)
    with _registry_guard:
        known = set(_open_databases)
    if target in known:
        return target
    for suffix in (*SIDE_SUFFIXES, LOCK_SUFFIX):
        if target.name.endswith(suffix):
            base = target.with_name(target.name[: -len(suffix)])
            if base in known:
                return base
    with contextlib.suppress(OSError):  # the same file under another name (a hard link)
        info = os.stat(target)
        for db in known:
            with contextlib.suppress(OSError):
                if os.path.samestat(info, os.stat(db)):
                    return db
    return None


def refuse_live_file(path: Path | str, purpose: str) -> None:
    """Refuse to read or replace ``path`` by hand when it is a database this process has open.

    Args:
        path: the file a command is about to open, import or write.
        purpose: what the program was about to do, e.g. ``"import"`` or ``"write the export"``.

    Raises:
        KnownStorageError: ``live_database``, naming the file.
    """
    db = live_database_of(path)
    if db is not None:
        raise KnownStorageError(
            "live_database", f"{Path(path).name} is the open database {db.name} (or one of "
            f"its working files), so JDM Capture will not {purpose} it. Choose another file.")


# --------------------------------------------------------------------------------------------
# The app's lock file
# --------------------------------------------------------------------------------------------
@frozen
class LockHolder:
    """Who holds (or last held) a database's lock file."""

    user: str
    host: str
    pid: int
    since: str  #: UTC, ISO 8601

    def describe(self) -> str:
        when = self.since
        with contextlib.suppress(ValueError):
            when = dt.datetime.fromisoformat(self.since.replace("Z", "+00:00")).astimezone() \
                .strftime("%Y-%m-%d %H:%M")
        return f"{self.user} on {self.host} (process {self.pid}) since {when}"

    @classmethod
    def me(cls) -> LockHolder:
        try:
            user = getpass.getuser() or "unknown user"
        except (KeyError, OSError):
            user = "unknown user"
        since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return cls(user, _hostname(), os.getpid(), since)


class DatabaseInUse(KnownStorageError):
    """The database is open in another running JDM Capture (its holder named)."""

    def __init__(self, db_path: Path, holder: LockHolder | None, *, other_host: bool = False,
                 ) -> None:
        who = holder.describe() if holder else "another JDM Capture window"
        if other_host:
            message = (f"{db_path.name} appears to be open in JDM Capture by {who}. Close it "
                       f"there first. If that computer crashed or is switched off, delete "
                       f"{lock_path(db_path).name} beside the database and open it again.")
        else:
            message = (f"{db_path.name} is already open in JDM Capture by {who}. Close it "
                       "there first (only one window may have a database open); command-line "
                       "reads and `backup` work meanwhile.")
        super().__init__("in_use", message)
        self.holder = holder


def read_holder(db_path: Path | str) -> LockHolder | None:
    """The holder recorded in the lock file (None when there is none or it is unreadable)."""
    try:
        data = json.loads(lock_path(db_path).read_text(encoding="utf-8") or "null")
        return LockHolder(str(data["user"]), str(data["host"]), int(data["pid"]),
                          str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether a process with that id runs on this computer (this process counts)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover - Windows without the process
        return False
    return True


def holder_if_running(db_path: Path | str) -> LockHolder | None:
    """The app holding ``db_path`` right now, else None (no lock file, or a stale one)."""
    holder = read_holder(db_path)
    if holder is None:
        return None
    if holder.host != _hostname():
        return holder  # cannot tell from here: assume it runs
    if fcntl is not None:  # the flock decides (a reused pid does not fool it)
        try:
            fd = os.open(lock_path(db_path), os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return holder
        finally:
            os.close(fd)  # closing releases our probe's flock
        return None
    return holder if pid_alive(holder.pid) else None


class AppLock:
    """The app's hold on one database (module docstring). Use :meth:`acquire`.

    Attributes:
        unclean: a lock file of a process that no longer runs was found and taken over (the
            app crashed or was killed): run the full integrity check.
        previous: that process's holder record.
    """

    _held: dict[Path, tuple[AppLock, int]] = {}  # per process: re-entrant for the same file
    _guard = threading.Lock()

    def __init__(self, db_path: Path, fd: int, unclean: bool,
                 previous: LockHolder | None) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd = fd
        self.unclean = unclean
        self.previous = previous

    @classmethod
    def acquire(cls, db_path: Path | str) -> AppLock:
        """Take the lock beside ``db_path`` (re-entrant within this process).

        Raises:
            DatabaseInUse: another running app holds it (or another host appears to).
            KnownStorageError: the lock file cannot be written (read-only folder).
        """
        db_path = _resolved(db_path)
        with cls._guard:
            held = cls._held.get(db_path)
            if held is not None:
                cls._held[db_path] = (held[0], held[1] + 1)
                return held[0]
            lock = cls._take(db_path)
            cls._held[db_path] = (lock, 1)
            return lock

    @classmethod
    def _take(cls, db_path: Path) -> AppLock:
        path = lock_path(db_path)
        for _attempt in range(5):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # no patient data
            except OSError as exc:
                if not db_path.parent.exists():
                    raise
                raise KnownStorageError(
                    "read_only", f"{db_path.name} cannot be opened for changes: the lock "
                    f"file {path.name} cannot be written ({exc.strerror or exc}). Copy the "
                    "database to a folder you can write to.") from exc
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    raise DatabaseInUse(db_path, read_holder(db_path)) from None
                # The holder may have removed the file between our open and flock: retry on
                # the new file rather than lock a deleted one.
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(path))
                except OSError:
                    same = False
                if not same:
                    os.close(fd)
                    continue
            previous = read_holder(db_path)
            if previous is not None and previous.pid != os.getpid():
                if previous.host != _hostname():
                    os.close(fd)
                    raise DatabaseInUse(db_path, previous, other_host=True)
                if fcntl is None and pid_alive(previous.pid):  # pragma: no cover - Windows
                    os.close(fd)
                    raise DatabaseInUse(db_path, previous)
            me = LockHolder.me()
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({"user": me.user, "host": me.host, "pid": me.pid,
                                     "since": me.since, "app": "JDM Capture"}).encode())
            os.fsync(fd)
            return cls(db_path, fd, unclean=previous is not None, previous=previous)
        raise DatabaseInUse(db_path, read_holder(db_path))  # pragma: no cover - a busy race

    def release(self) -> None:
        """Give the lock up (the last release in this process removes the lock file: the
        clean-shutdown marker)."""
        with self._guard:
            held = self._held.get(self.db_path)
            if held is None or held[0] is not self:
                return
            if held[1] > 1:
                self._held[self.db_path] = (self, held[1] - 1)
                return
            del self._held[self.db_path]
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            with contextlib.suppress(OSError):
                os.close(self._fd)
