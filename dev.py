#!/usr/bin/env python3
"""Bootstrap and run JDM Capture from a checkout with nothing but python3.

    python3 dev.py run [ARGS...]   create/refresh .venv, then run main.py (no ARGS: the GUI)
    python3 dev.py test [ARGS...]  create/refresh .venv, then run the test suite (pytest ARGS)

The virtual environment lives in .venv next to this file. It is (re)installed from
pyproject.toml whenever that file changes, so a fresh clone and CI need no other step. The
translations (forms/locale/*.po, gui/i18n/*.ts) are compiled on every run when they changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".jdm-capture-installed"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_stamp() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {sys.version_info.major}.{sys.version_info.minor}"


def ensure_venv() -> Path:
    """Create .venv and install the project with its test extras when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any python3 to say so
        sys.exit("JDM Capture needs Python 3.11 or newer; this is " + sys.version.split()[0])
    py = _venv_python()
    if not py.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _wanted_stamp():
        print("Installing JDM Capture and its dependencies into .venv ...", flush=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-e", f"{ROOT}[test]"],
            check=True,
        )
        STAMP.write_text(_wanted_stamp())
    return py


def build_translations(py: Path) -> None:
    """Compile the committed message catalogs (.po -> .mo, .ts -> .qm) when they changed."""
    subprocess.run([str(py), str(ROOT / "scripts" / "i18n.py"), "build"], check=True, cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__.strip())
        return 2
    py = ensure_venv()
    build_translations(py)
    command, rest = argv[0], argv[1:]
    if command == "run":
        cmd = [str(py), str(ROOT / "main.py"), *rest]
    else:
        cmd = [str(py), "-m", "pytest", *rest]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
