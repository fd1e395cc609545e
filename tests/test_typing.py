"""forms/, storage/, exports/ and gui/ type-check under mypy ([tool.mypy] in pyproject.toml),
every function annotated (``disallow_untyped_defs``) in every layer, the GUI included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mypy(*args: str, cache: Path = ROOT / ".mypy_cache") -> subprocess.CompletedProcess[str]:
    exe = shutil.which("mypy", path=str(Path(sys.executable).parent))
    assert exe, "mypy is not installed in this environment (pyproject test extras)"
    # mypy's own incremental cache (.mypy_cache/, git-ignored): ~13 s from scratch, a few
    # seconds when little changed since the last run
    return subprocess.run([exe, "--cache-dir", str(cache), *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def test_mypy_finds_nothing() -> None:
    result = _mypy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


@pytest.mark.parametrize("package", ["gui", "forms"])
def test_the_gate_refuses_an_unannotated_function(tmp_path: Path, package: str) -> None:
    """The gate can fail: a function without annotations planted in a package is refused
    under the project's own configuration (no per-package exception lets it through)."""
    planted = tmp_path / package
    planted.mkdir()
    (planted / "__init__.py").write_text("")
    (planted / "planted.py").write_text("def untyped(x):\n    return x\n")
    result = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(planted / "planted.py"),
                   cache=tmp_path / "cache")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "planted.py:1: error: Function is missing a type annotation" in result.stdout
    assert "[no-untyped-def]" in result.stdout
