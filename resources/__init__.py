"""Files shipped with the application (fonts with their licences, icons).

Read through :func:`path` or :func:`read_bytes`, never by a path relative to the working
directory.
"""

from __future__ import annotations

from pathlib import Path

_FOLDER = Path(__file__).parent


def path(*parts: str) -> str:
    """A file or folder of this package: from the package's folder when it is one (the source
    tree, a wheel, the bundle); through :mod:`importlib.resources` only for a zipped package
    (importing it costs a cold start ~3-5 ms)."""
    if _FOLDER.is_dir():
        return str(_FOLDER.joinpath(*parts))
    from importlib.resources import files  # noqa: PLC0415

    return str(files(__name__).joinpath(*parts))


def read_bytes(*parts: str) -> bytes:
    """The bytes of one shipped file (a font)."""
    if _FOLDER.is_dir():
        return _FOLDER.joinpath(*parts).read_bytes()
    from importlib.resources import files  # noqa: PLC0415

    return files(__name__).joinpath(*parts).read_bytes()
