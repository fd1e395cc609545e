"""Temporary files that may hold patient data: in a private folder beside their target.

Backups, exports and workbooks are written to a temporary file first and renamed into place
when complete. Those temporary files hold the same patient data as the finished file, so they
live in ``.jdm-capture-tmp/`` beside the target (mode 0700: only the owner can list or read
it), never in a shared ``/tmp`` and never as a world-readable ``.partial`` beside the file.
Each name carries the writing process's id; files of processes that no longer run (an
interrupted backup, a killed export) are swept the first time a process uses the folder, and
when the app opens a database (:func:`sweep_beside`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import threading
from pathlib import Path

from storage import locks

PRIVATE_DIR_NAME = ".jdm-capture-tmp"
_NAME_RE = re.compile(r"^p(?P<pid>\d+)-")
_swept: set[Path] = set()
_guard = threading.Lock()


def private_dir(folder: Path | str) -> Path:
    """``folder/.jdm-capture-tmp`` (created 0700; stale files swept once per process).

    Raises:
        OSError: the folder cannot be created, or the name is taken by something that is not
            a private folder of this user (a symlink, a file, another owner's folder).
    """
    where = Path(folder)
    if where.name != PRIVATE_DIR_NAME:
        where = where / PRIVATE_DIR_NAME
    with contextlib.suppress(FileExistsError):
        os.makedirs(where, mode=0o700)
    info = os.lstat(where)
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise OSError(f"{where} is not a private folder of this user")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(where, 0o700)
    key = where.resolve()
    with _guard:
        first = key not in _swept
        _swept.add(key)
    if first:
        sweep(where)
    return where


def sweep(where: Path) -> list[Path]:
    """Delete the temporary files of processes that no longer run; returns what was removed."""
    removed = []
    with contextlib.suppress(OSError):
        for path in where.iterdir():
            match = _NAME_RE.match(path.name)
            if match and not locks.pid_alive(int(match.group("pid"))):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


def sweep_beside(target: Path | str) -> list[Path]:
    """Sweep the private folder beside ``target`` if it exists (the app does this at start)."""
    where = Path(target).parent / PRIVATE_DIR_NAME
    return sweep(where) if where.is_dir() else []


def temp_path(target: Path | str, suffix: str = ".partial") -> Path:
    """A fresh temporary path for ``target`` in the private folder beside it (not created)."""
    target = Path(target)
    where = private_dir(target.parent)
    return where / f"p{os.getpid()}-{secrets.token_hex(4)}-{target.name}{suffix}"


def new_temp_file(target: Path | str, suffix: str = ".partial") -> Path:
    """Like :func:`temp_path`, but the file is created (empty, mode 0600)."""
    for attempt in range(3):
        path = temp_path(target, suffix)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:  # another writer just removed the empty folder: again
            if attempt == 2:
                raise
            continue
        os.close(fd)
        return path
    raise AssertionError("unreachable")  # pragma: no cover


def finished(tmp: Path | str) -> None:
    """After a temporary file was renamed into place (or given up): remove it if it is still
    there, and the private folder if nothing else is in it (so an export folder keeps only
    what was exported)."""
    tmp = Path(tmp)
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)
    if tmp.parent.name == PRIVATE_DIR_NAME:
        with contextlib.suppress(OSError):
            os.rmdir(tmp.parent)  # fails while another file is in it: then it stays
