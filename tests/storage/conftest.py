"""Fixtures for the storage tests: a fresh database file per test.

A test module that sets ``ENCRYPTED_TOO = True`` runs each of its tests (except those named in
its ``PLAIN_ONLY``) that use ``db_path``
(or ``repo``) twice: on a plain file and on an encrypted one (SQLCipher, a key file beside it,
an administrator signed in), so the repository, backups and case files are covered on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import accounts, crypto
from storage.repository import Repository

TEST_ADMIN = ("tester", "Tess Tester", "tester's password 1")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # tests that inspect plain-file specifics (raw sqlite3 reads, audit actors passed by
    # name, exact audit row counts) list themselves in the module's PLAIN_ONLY
    if getattr(metafunc.module, "ENCRYPTED_TOO", False) and \
            "storage_mode" in metafunc.fixturenames and \
            metafunc.function.__name__ not in getattr(metafunc.module, "PLAIN_ONLY", ()):
        metafunc.parametrize("storage_mode", ["plain", "encrypted"], indirect=True)


@pytest.fixture
def storage_mode(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "plain"))


@pytest.fixture
def db_path(tmp_path: Path, storage_mode: str) -> Iterator[Path]:
    path = tmp_path / "clinic.sqlite"
    if storage_mode == "encrypted":
        user, full, password = TEST_ADMIN
        accounts.create_encrypted(path, user, full, password)
    yield path
    if storage_mode == "encrypted":
        accounts.sign_out(path)
        crypto.forget()


@pytest.fixture
def repo(db_path: Path) -> Iterator[Repository]:
    r = Repository(db_path)
    yield r
    r.close()
