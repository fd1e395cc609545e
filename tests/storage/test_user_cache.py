"""storage.user_cache and the cached expected schema (issue 16: running every migration in
memory cost ~20 ms of every open). The cache never changes an answer: the same schema with it,
without it and from a damaged entry; a changed migration is a different entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import integrity, user_cache
from storage import migrations as mig


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(user_cache.CACHE_ENV, str(tmp_path))
    integrity.expected_schema.cache_clear()
    yield tmp_path
    integrity.expected_schema.cache_clear()


def _fresh(applied: tuple[str, ...]) -> dict[tuple[str, str], str | None]:
    integrity.expected_schema.cache_clear()
    return integrity.expected_schema(applied)


def test_the_same_schema_with_and_without_the_cache(cache: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    applied = tuple(mig.known_names())
    written = _fresh(applied)
    (entry,) = (cache / "schema").iterdir()
    assert entry.stat().st_mode & 0o777 == 0o600
    read = _fresh(applied)
    monkeypatch.setenv(user_cache.CACHE_ENV, "")
    computed = _fresh(applied)
    assert written == read == computed
    assert any(kind == "trigger" for kind, _name in computed)  # what the open check uses
    older = _fresh(applied[:3])
    assert older != computed


@pytest.mark.parametrize("damage", [b"", b"{", b'{"a": 1}', b'[["trigger", 1, null]]'])
def test_a_damaged_entry_is_computed_again(cache: Path, damage: bytes) -> None:
    applied = tuple(mig.known_names())
    good = _fresh(applied)
    (entry,) = (cache / "schema").iterdir()
    entry.write_bytes(damage)
    assert _fresh(applied) == good
    assert entry.read_bytes() != damage  # rewritten


def test_a_changed_migration_set_is_another_entry(cache: Path) -> None:
    applied = tuple(mig.known_names())
    first = integrity._schema_cache_entry(applied)

    def m999_probe(db: object) -> None:
        """Not a real migration: only registered for the duration of this test."""

    mig.migrations._migrations.append(mig._Migration("m999_probe", m999_probe, True))
    try:
        assert integrity._schema_cache_entry(applied) != first
    finally:
        mig.migrations._migrations.pop()
    assert integrity._schema_cache_entry(applied) == first


def test_writing_to_an_unusable_folder_is_harmless(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(user_cache.CACHE_ENV, str(blocker))
    path = user_cache.entry("schema", "x.json")
    user_cache.write(path, b"[]")
    assert user_cache.read(path) is None
