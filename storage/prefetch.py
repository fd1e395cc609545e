"""The patient list read on a second connection while the GUI builds its window (issue 16).

At start the list query is the longest single step between the window appearing and a usable
list (~50 ms of SQLite at 5,000 patients). SQLite runs it without holding Python's GIL, so
:class:`ListPrefetch` runs it in a thread of its own, on a read-only connection, while the main
thread imports the GUI and builds the window; the session opened afterwards
(``gui.session.Session``) takes the rows instead of asking again, when they are still current:

* only a plain SQLite file is read (its header says so): an encrypted one needs a key first,
  and anything else is left to the usual open, which refuses it with its message;
* the connection is read-only (``mode=ro``): nothing is written before the usual checks;
* the rows are used only if no other connection committed since they were read
  (``PRAGMA data_version`` on the same connection, before and after the query and again at
  :meth:`ListPrefetch.take`: an upgrade's migrations, a repair, a second process all count)
  and the path still names the same file (device and inode: not replaced by a restore);
* any failure (locked, damaged, an older schema the query doesn't fit) just means no rows: the
  session then reads them itself, as without this.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from storage.repo_patients import list_rows_from_json, list_rows_json

#: the first 16 bytes of every plain SQLite 3 file
SQLITE_HEADER = b"SQLite format 3\x00"


class ListPrefetch:
    """The patient list's rows, read in a background thread from ``path`` (as one JSON text:
    :func:`storage.repo_patients.list_rows_json`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._identity = _identity(self.path)
        self._conn: sqlite3.Connection | None = None
        self._text: str | None = None
        self._version: int | None = None
        self._thread = threading.Thread(target=self._read, name="list-prefetch", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, path: Path | str) -> ListPrefetch | None:
        """Start reading the list of ``path``; None when it is not a plain SQLite file."""
        try:
            with open(path, "rb") as f:
                if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                    return None
        except OSError:
            return None
        return cls(Path(path))

    def _read(self) -> None:
        try:  # (the thread imports nothing: two threads importing one module can deadlock)
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=1.0, check_same_thread=False)
            self._conn = conn
            before = _data_version(conn)
            text = list_rows_json(conn)
            if _data_version(conn) == before:
                self._text, self._version = text, before
        except Exception:  # noqa: BLE001 - any failure: no rows, the session reads them
            self._text = None

    def take(self, path: Path | str) -> list[tuple[Any, ...]] | None:
        """The rows, if they were read from ``path`` and nothing has changed since; else None.
        Waits for the thread (it is done by the time the window shows); closes the
        connection either way."""
        self._thread.join()
        try:
            if (self._text is None or self._conn is None or Path(path) != self.path
                    or _identity(self.path) != self._identity
                    or _data_version(self._conn) != self._version):
                return None
            return list_rows_from_json(self._text)
        except (sqlite3.Error, ValueError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Close the connection (idempotent); the rows are no longer offered."""
        self._thread.join()
        conn, self._conn = self._conn, None
        self._text = None
        if conn is not None:
            conn.close()


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino
