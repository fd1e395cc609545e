"""Fixtures for the storage tests: a fresh database file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.repository import Repository


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "clinic.sqlite"


@pytest.fixture
def repo(db_path: Path) -> Iterator[Repository]:
    r = Repository(db_path)
    yield r
    r.close()
