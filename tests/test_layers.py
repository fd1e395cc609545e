"""The layer rules of the fixed design, enforced with import-linter (pyproject [tool.importlinter]).

forms imports nothing of ours and no Qt/SQLite/file formats; storage and exports never import
Qt; gui never touches SQLite directly; and the layers only import downwards.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is not installed in this environment"
    return subprocess.run([exe, "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          check=False)


def test_import_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("forms/_probe.py", "import sqlite3", "forms is pure"),
        ("storage/_probe.py", "import PySide6.QtCore", "storage and exports never import Qt"),
        ("gui/_probe.py", "import sqlite_utils", "gui reaches SQLite only through storage"),
        ("forms/_probe.py", "import storage", "Layers"),
    ],
)
def test_contracts_catch_a_violation(tmp_path: Path, module: str, line: str,
                                     contract: str) -> None:
    """Copy the packages, add one forbidden import, and check import-linter breaks."""
    for name in ("forms", "storage", "exports", "gui"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(textwrap.dedent(f'"""probe"""\n{line}\n'))
    result = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, '.'); "
         "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode != 0, result.stdout
    assert contract in result.stdout
    assert "BROKEN" in result.stdout
