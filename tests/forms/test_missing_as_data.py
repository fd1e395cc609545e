"""What a missing total lacks travels as data (issue 11): ``Score.missing`` names the absent
inputs and ``Score.short_reason`` says it in a few words, so no layer cuts ``missing_reason``
text to recover either."""

from __future__ import annotations

import random

import pytest

from forms import registry, scoring


def _complete_visit() -> dict[str, object]:
    """Every entered field of the scored instruments at a valid value (the lowest level)."""
    values: dict[str, object] = {}
    for fld in registry.visit_fields(derived=False):
        if fld.levels:
            values[fld.name] = fld.levels[0].code
        elif fld.minimum is not None:
            values[fld.name] = fld.minimum
    return values


def _inputs_of(score_name: str) -> set[str]:
    """The entered fields whose removal can leave ``score_name`` missing."""
    complete = _complete_visit()
    base = scoring.score_visit(complete)[score_name]
    assert base.value is not None, (score_name, base.missing_reason)
    found = set()
    for name in complete:
        reduced = {k: v for k, v in complete.items() if k != name}
        if scoring.score_visit(reduced)[score_name].value is None:
            found.add(name)
    return found


@pytest.mark.parametrize("name", ["cmas_total", "mmt8_bilateral", "das_total",
                                  "steroid_mg_kg_day", "mdi_extent", "mdi_severity"])
def test_each_dropped_input_is_named_as_data(name: str) -> None:
    complete = _complete_visit()
    inputs = sorted(_inputs_of(name))
    assert inputs, name
    rng = random.Random(name)
    for k in range(1, min(4, len(inputs)) + 1):
        dropped = set(rng.sample(inputs, k))
        score = scoring.score_visit(
            {n: v for n, v in complete.items() if n not in dropped})[name]
        assert score.value is None
        assert set(score.missing) == dropped, (name, dropped, score.missing)
        assert all(registry.get(n).name == n for n in score.missing)
        # the few words carry no field identifiers; the full reason still lists them
        assert not any(n in score.short_reason for n in dropped), score.short_reason
        assert score.short_reason and score.short_reason in score.missing_reason


def test_every_missing_total_has_a_short_reason_without_identifiers() -> None:
    """Over many random partial visits, every missing total's short reason is a non-empty
    prefix of the full reason and names no entered field by its identifier."""
    complete = _complete_visit()
    names = sorted(complete)
    rng = random.Random(11)
    identifiers = [n for n in names if "_" in n]
    seen: set[str] = set()
    for _ in range(120):
        kept = rng.sample(names, rng.randrange(len(names)))
        scores = scoring.score_visit({n: complete[n] for n in kept})
        for derived, score in scores.items():
            if score.value is not None or not score.missing_reason:
                continue
            assert not score.missing_reason.startswith(tuple(
                f"{w}: invalid" for w in ("CMAS", "MMT-8", "CHAQ", "MDI"))), score.missing_reason
            seen.add(derived)
            assert score.missing_reason.startswith(score.short_reason)
            assert not [n for n in identifiers if n in score.short_reason], \
                (derived, score.short_reason)
            assert set(score.missing) <= {f.name for f in registry.FIELDS}
    assert {"cmas_total", "mmt8_total", "chaq_di", "mdi_extent"} <= seen


def test_the_chaq_names_the_items_of_its_unscored_domains() -> None:
    from forms.instruments import chaq

    values = {q.name: 0 for dom in chaq.DOMAINS[:5] for q in dom.items}
    score = scoring.score_visit(values)["chaq_di"]
    assert score.value is None
    expected = {q.name for dom in chaq.DOMAINS[5:] for q in dom.items}
    assert set(score.missing) == expected
    assert score.short_reason == "CHAQ: only 5 of 8 domains scored"


def test_an_invalid_value_keeps_its_whole_reason_short() -> None:
    """An invalid value is not "missing": its short reason is the whole message, range and
    all (cutting text at " (" used to drop what a bracketed range said)."""
    values = {n: 1 for n in registry.cmas_item_names()}
    values[registry.cmas_item_names()[0]] = 9
    score = scoring.score_visit(values)["cmas_total"]
    assert score.missing == ()
    assert score.short_reason == score.missing_reason
    assert "0-5" in score.short_reason



def test_the_reasons_of_an_empty_visit_are_chinese_in_chinese() -> None:
    """Every missing total of an empty visit says why in Chinese (the CDASI's "not assessed"
    was an English literal in the Chinese live totals)."""
    import re  # noqa: PLC0415

    from forms.i18n import in_language  # noqa: PLC0415

    abbreviations = {"CMAS", "MMT", "CHAQ", "CDASI", "DAS", "MDI", "mg", "kg", "d"}
    with in_language("zh_CN"):
        scores = scoring.score_visit({})
    reasons = [s.missing_reason for s in scores.values() if s.value is None and s.missing_reason]
    assert len(reasons) >= 8
    for reason in reasons:
        english = [w for w in re.findall(r"[A-Za-z]+", reason) if w not in abbreviations]
        assert not english, reason
