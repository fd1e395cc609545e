"""A per-user cache of costly, derived, rebuildable data (issue 16: cold starts).

What is kept here can always be computed again from what ships with the app (parsed font
metrics, the schema the migrations create); an entry is named by a key covering everything it
was computed from, so a changed input is simply a miss. Entries are written atomically
(a temporary file renamed over the name) and owner-only (0600 in a 0700 folder); a missing,
unreadable or damaged entry is a miss, and a folder that cannot be written only means nothing
is cached. Nothing read from here is ever executed: callers store plain data (JSON, marshal of
numbers and strings) and check its shape before use.

The folder is ``$JDM_CAPTURE_CACHE_DIR`` (an empty value turns the cache off), else the
platform's per-user cache folder (``~/.cache/jdm-capture`` on Linux).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: where the cache lives; "" turns it off
CACHE_ENV = "JDM_CAPTURE_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_cache_dir("jdm-capture", appauthor=False))


def entry(kind: str, name: str) -> Path | None:
    """The path of entry ``name`` in the ``kind`` subfolder (None when caching is off)."""
    folder = cache_dir()
    return folder / kind / name if folder is not None else None


def read(path: Path | None) -> bytes | None:
    """The entry's bytes, or None (caching off, no entry, unreadable)."""
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(path: Path | None, data: bytes) -> None:
    """Store ``data`` as the entry (atomically, owner-only); failures are ignored."""
    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)  # readers see the old entry or the whole new one
    except OSError:  # read-only or full: the caller goes on without the cache
        with contextlib.suppress(OSError):
            tmp.unlink()
