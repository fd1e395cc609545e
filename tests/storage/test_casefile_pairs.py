"""The case file's objects are built by ``dict()`` with a check that no key repeats
(``storage.casefile._pairs``, issue 16): the same objects, and the same first repeated key
named, as the loop that checked each key as it went."""

from __future__ import annotations

import random
from typing import Any

import pytest

from storage import casefile


def _by_loop(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise casefile._DuplicateKey(key)
        out[key] = value
    return out


def _outcome(build: Any, pairs: list[tuple[str, Any]]) -> tuple[str, Any]:
    try:
        out = build(pairs)
    except casefile._DuplicateKey as exc:
        return "repeated", exc.args[0]
    return "object", list(out.items())


def test_the_same_objects_and_repeated_keys_as_the_loop() -> None:
    rng = random.Random(16)
    repeated = 0
    for _ in range(20_000):
        keys = [rng.choice("abcdefghijklmnopqrstuvwxyz") * rng.randint(1, 2)
                for _ in range(rng.randint(0, 12))]
        pairs = [(k, rng.randint(0, 9)) for k in keys]
        want = _outcome(_by_loop, pairs)
        assert _outcome(casefile._pairs, pairs) == want, pairs
        repeated += want[0] == "repeated"
    assert 1000 < repeated < 19_000  # both outcomes exercised


@pytest.mark.parametrize("text, key", [('{"a": 1, "b": 2, "a": 3}', "a"),
                                       ('{"x": {"b": 1, "c": 2, "c": 3, "b": 4}}', "c")])
def test_a_repeated_key_in_a_case_file_is_named(text: str, key: str) -> None:
    with pytest.raises(casefile.CaseFileRejected) as info:
        casefile.parse_case_text(text, "c.json")
    assert f'c.json: the key "{key}" appears twice in one object' in info.value.problems
