"""forms/, storage/ and exports/ type-check under mypy ([tool.mypy] in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_nothing() -> None:
    exe = shutil.which("mypy", path=str(Path(sys.executable).parent))
    assert exe, "mypy is not installed in this environment (pyproject test extras)"
    # mypy's own incremental cache (.mypy_cache/, git-ignored): ~13 s from scratch, a few
    # seconds when little changed since the last run
    result = subprocess.run([exe, "--cache-dir", str(ROOT / ".mypy_cache")], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
