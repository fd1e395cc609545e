"""No range of a registry field is written out by hand in gui/ or exports/ (one definition).

A literal such as ``"(0-52)"`` in a label would go stale the day the registry changed; titles
must be built with ``Field.range_text()``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms import registry

ROOT = Path(__file__).resolve().parents[1]
RANGES = sorted({f.range_text() for f in registry.FIELDS if f.range_text()})


def _string_literals(path: Path) -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#", 1)[0]
        out += [(number, s) for s in re.findall(r'"([^"\n]*)"', code)]
    return out


@pytest.mark.parametrize("package", ["gui", "exports"])
def test_no_hand_written_field_ranges(package: str) -> None:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for number, literal in _string_literals(path):
            for rng in RANGES:
                if f"({rng})" in literal:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {literal!r}")
    assert found == []


def test_range_text() -> None:
    assert registry.get("cmas_total").range_text() == "0-52"
    assert registry.get("phys_global").range_text() == "0-10"
    assert registry.get("visit_label").range_text() == ""


@pytest.mark.parametrize("package", ["gui", "exports"])
def test_no_hand_written_abbreviations(package: str) -> None:
    """Column headers such as "PhGA" or "CMAS" come from Field.short_label."""
    shorts = {f.short for f in registry.FIELDS if f.short}
    found = [f"{path.relative_to(ROOT)}:{number}: {literal!r}"
             for path in sorted((ROOT / package).rglob("*.py"))
             for number, literal in _string_literals(path) if literal in shorts]
    assert found == []


def test_short_labels_are_distinct() -> None:
    shorts = [f.short for f in registry.FIELDS if f.short]
    assert len(shorts) == len(set(shorts))
    assert registry.get("phys_global").short_label == "PhGA"
    assert registry.get("cmas_leg_raise").short_label == registry.get("cmas_leg_raise").label
