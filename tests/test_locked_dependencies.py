"""The pinned, hashed lock files are what dev.py, CI and the bundle install: they must cover
every dependency pyproject.toml declares, with versions pyproject.toml allows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every pinned package of a lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif not line.startswith(" "):
            current = None
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in
            [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def test_pin_parser_reads_versions_and_hashes(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text("foo-bar==1.2 ; sys_platform == 'win32' \\\n    --hash=sha256:aa \\\n"
                    "    --hash=sha256:bb\n    # via baz\nqux==3\n", encoding="utf-8")
    assert _pins(lock) == {"foo-bar": ("1.2", 2), "qux": ("3", 0)}


@pytest.mark.parametrize("requirement", _declared(), ids=lambda r: r.name)
def test_every_declared_dependency_is_pinned_with_hashes(requirement: Requirement) -> None:
    pins = _pins(ROOT / "requirements.lock")
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{requirement.name} is missing from requirements.lock: dev.py lock"
    version, hashes = pins[name]
    assert requirement.specifier.contains(version, prereleases=True), (
        f"requirements.lock pins {requirement.name}=={version}, which pyproject.toml's "
        f"{requirement.specifier} refuses: run `python3 dev.py lock`")
    assert hashes >= 1


def test_every_pin_has_hashes() -> None:
    for lock in (ROOT / "requirements.lock", ROOT / "requirements-bundle.lock"):
        unhashed = [n for n, (_, hashes) in _pins(lock).items() if hashes == 0]
        assert unhashed == [], f"{lock.name}: pins without hashes: {unhashed}"


def test_bundle_tools_agree_with_the_application_lock() -> None:
    app, tools = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-bundle.lock")
    assert "pyinstaller" in tools
    shared = sorted(set(app) & set(tools))
    assert shared, "the bundle lock is constrained by requirements.lock"
    assert {n: tools[n][0] for n in shared} == {n: app[n][0] for n in shared}


def test_the_broken_pyside_release_cannot_be_installed() -> None:
    """PySide6 6.12.0 aborts the GUI (tests/gui/test_pyside_refcount.py): pyproject excludes it
    and the lock pins a release the exclusion allows."""
    pyside = next(r for r in _declared() if canonicalize_name(r.name) == "pyside6-essentials")
    assert not pyside.specifier.contains("6.12.0")
    version, _ = _pins(ROOT / "requirements.lock")["pyside6-essentials"]
    assert version != "6.12.0" and pyside.specifier.contains(version)
