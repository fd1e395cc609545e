#!/usr/bin/env python3
"""Bootstrap, test and package JDM Capture from a checkout with nothing but python3.

    python3 dev.py run [ARGS...]     create/refresh .venv, then run main.py (no ARGS: the GUI)
    python3 dev.py test [ARGS...]    create/refresh .venv, then run the test suite (pytest ARGS)
    python3 dev.py bundle [--smoke]  build the self-contained application in dist/jdm-capture/
                                     (--smoke: then start it and run check and report from it)
    python3 dev.py lock [--upgrade]  re-resolve requirements*.lock after a dependency change
                                     (keeps every other pin; --upgrade moves all to the newest)

The virtual environment lives in .venv next to this file. It is installed from the hashed,
pinned requirements.lock (every package, every version, every file hash), so a developer, CI
and the bundle all run the same versions, and a new release of a dependency (say a PySide6
that breaks the app) reaches nobody until `dev.py lock` is run and the tests pass. The project
itself is installed in editable mode without downloading anything unpinned.
The translations (forms/locale/*.po, gui/i18n/*.ts) are compiled on every run when they
changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".jdm-capture-installed"
LOCK = ROOT / "requirements.lock"
BUNDLE_LOCK = ROOT / "requirements-bundle.lock"
SPEC = ROOT / "packaging" / "jdm-capture.spec"
DIST = ROOT / "dist"


def _say(text: str) -> None:
    print(f"dev.py: {text}", flush=True)


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _wanted_stamp() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", LOCK):
        digest.update(path.read_bytes())
    return f"{digest.hexdigest()} {sys.version_info.major}.{sys.version_info.minor}"


def _pinned_count(lock: Path) -> int:
    return sum(1 for line in lock.read_text(encoding="utf-8").splitlines()
               if line[:1].isalnum() and "==" in line)


def _pip(py: Path, *args: str, quiet: bool = False) -> None:
    cmd = [str(py), "-m", "pip", *args, "--disable-pip-version-check"]
    if quiet:
        cmd.append("--quiet")
    subprocess.run(cmd, check=True)


def ensure_venv() -> Path:
    """Create .venv and install the pinned dependencies and the project when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any python3 to say so
        sys.exit("JDM Capture needs Python 3.11 or newer; this is " + sys.version.split()[0])
    py = _venv_python()
    if not py.exists():
        _say(f"creating the virtual environment in {VENV} ...")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _wanted_stamp():
        _say(f"installing {_pinned_count(LOCK)} pinned packages from {LOCK.name} "
             "(PySide6/Qt is most of it: about 250 MB on a first run, 1-3 minutes; "
             "pip shows each package below) ...")
        _pip(py, "install", "--require-hashes", "--progress-bar", "on", "-r", str(LOCK))
        _say("installing JDM Capture itself (editable, from this checkout) ...")
        _pip(py, "install", "--no-deps", "--no-build-isolation", "-e", str(ROOT), quiet=True)
        STAMP.write_text(_wanted_stamp())
        _say("environment ready.")
    return py


def build_translations(py: Path) -> None:
    """Compile the committed message catalogs (.po -> .mo, .ts -> .qm) when they changed.

    Which are stale is asked here (``scripts/i18n.py``'s ``stale``, stdlib only): starting the
    venv's Python only to find nothing to do cost every ``dev.py run`` ~50 ms."""
    if _i18n_script().stale():
        subprocess.run([str(py), str(ROOT / "scripts" / "i18n.py"), "build"], check=True,
                       cwd=ROOT)


def _i18n_script() -> ModuleType:
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location("jdm_i18n_script",
                                                  ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bundle(py: Path, smoke: bool) -> int:
    """Build dist/jdm-capture/ with PyInstaller from the pinned tools of the bundle lock."""
    _say(f"installing the pinned bundle tools from {BUNDLE_LOCK.name} ...")
    _pip(py, "install", "--require-hashes", "-r", str(BUNDLE_LOCK), quiet=True)
    work = ROOT / "build" / "pyinstaller"
    _say(f"building {DIST / 'jdm-capture'} with PyInstaller (about a minute) ...")
    rc = subprocess.call([str(py), "-m", "PyInstaller", "--noconfirm", "--clean",
                          "--log-level", "WARN", "--distpath", str(DIST),
                          "--workpath", str(work), str(SPEC)], cwd=ROOT)
    if rc != 0:
        return rc
    _say(f"built {DIST / 'jdm-capture'}")
    if smoke:
        _say("smoke test of the bundle (check, report, the window under a display) ...")
        return subprocess.call([str(py), str(ROOT / "packaging" / "smoke_test.py"),
                                str(DIST / "jdm-capture")], cwd=ROOT)
    return 0


def lock(py: Path, upgrade: bool) -> int:
    """Re-resolve both lock files for every platform (uv's universal resolution). Existing
    pins are kept unless ``upgrade``: adding one dependency moves nothing else."""
    _pip(py, "install", "uv", quiet=True)
    uv = [str(py), "-m", "uv", "pip", "compile", "--universal", "--generate-hashes",
          "--python-version", "3.11", "--no-header", *(["--upgrade"] if upgrade else [])]
    rc = subprocess.call([*uv, "pyproject.toml", "packaging/lock-extra.in", "--extra", "test",
                          "-o", LOCK.name], cwd=ROOT)
    if rc == 0:
        rc = subprocess.call([*uv, "packaging/bundle.in", "-c", LOCK.name,
                              "-o", BUNDLE_LOCK.name], cwd=ROOT)
    return rc


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "bundle", "lock"}:
        print(__doc__.strip())
        return 2
    py = ensure_venv()
    build_translations(py)
    command, rest = argv[0], argv[1:]
    if command == "bundle":
        if (ROOT / "build").exists():
            shutil.rmtree(ROOT / "build" / "pyinstaller", ignore_errors=True)
        return bundle(py, smoke="--smoke" in rest)
    if command == "lock":
        return lock(py, upgrade="--upgrade" in rest)
    if command == "run":
        return subprocess.call([str(py), str(ROOT / "main.py"), *rest], cwd=ROOT)
    return subprocess.call([str(py), "-m", "pytest", *rest], cwd=ROOT, env=test_environment())


def test_environment() -> dict[str, str]:
    """The suite's environment: this one, but with bytecode written. With
    PYTHONDONTWRITEBYTECODE set (as on this machine and its CI), every pytest worker and every
    command-line child process of the tests compiled our modules from source and rewrote
    every test module's asserts again: about 10 s of CPU per worker and 0.1 s per child.
    __pycache__ is ignored by git."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
