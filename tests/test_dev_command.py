"""`python3 dev.py test` runs the suite with bytecode written, whatever the shell says: with
PYTHONDONTWRITEBYTECODE set (this machine and its CI set it), every pytest worker and every
command-line child of the tests compiled our modules and rewrote the test modules' asserts
again (issue 16: the suite's time)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("jdm_dev_command", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_the_suite_writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("JDM_SOMETHING_ELSE", "kept")
    env = _dev().test_environment()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["JDM_SOMETHING_ELSE"] == "kept"


def test_pycache_is_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "__pycache__/" in ignored


def test_translations_are_built_only_when_a_catalog_changed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`dev.py run` asks which catalogs are stale itself; it starts the venv's Python to build
    them only when one is (that start cost every launch ~50 ms)."""
    dev = _dev()
    script = dev._i18n_script()
    lang = script.LANGS[0]
    files = {kind: tmp_path / f"{lang}.{kind}" for kind in ("po", "mo", "ts", "qm")}
    monkeypatch.setattr(script, "po_path", lambda _lang: files["po"])
    monkeypatch.setattr(script, "mo_path", lambda _lang: files["mo"])
    monkeypatch.setattr(script, "ts_path", lambda _lang: files["ts"])
    monkeypatch.setattr(script, "qm_path", lambda _lang: files["qm"])
    monkeypatch.setattr(dev, "_i18n_script", lambda: script)
    spawned: list[object] = []
    monkeypatch.setattr(dev.subprocess, "run", lambda *a, **k: spawned.append(a))
    import os

    for kind, when in (("po", 100), ("mo", 200), ("ts", 100), ("qm", 200)):
        files[kind].write_text(kind, encoding="utf-8")
        os.utime(files[kind], (when, when))
    assert script.stale() == []
    dev.build_translations(Path("python"))
    assert spawned == []

    os.utime(files["ts"], (300, 300))  # a translator edited the GUI catalog
    assert script.stale() == [(files["ts"], files["qm"])]
    assert script.stale(qt=False) == []
    dev.build_translations(Path("python"))
    assert len(spawned) == 1
    files["mo"].unlink()
    assert (files["po"], files["mo"]) in script.stale()
