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
