"""compare_followups(explain=False), what storage stores the responses from (issue 16: the
words for people were most of the responses' time in an import), gives the results with
words minus the words: the same response values, TIS summary, rows, variables, bounds and
CID, for random visits with any measure missing, zeros, local ULNs, both MMT-8 sides and
every scoring setting."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from typing import Any

import pytest

from forms import registry, response, scoring
from forms.fields import FieldType
from forms.i18n import in_language
from forms.settings import MUSCLE_MEASURES, THRESHOLDS, ScoringSettings, default_ulns


def _random_visit(rng: random.Random) -> dict[str, object]:
    """Every entered field with a valid value, then a random share of them dropped (whole
    measures missing at one visit or the other), some set to 0 or to their maximum."""
    values: dict[str, object] = {}
    for f in registry.visit_value_fields():
        if f.name in registry.VISIT_KEYS or f.derived or f.type is FieldType.TEXT:
            continue
        if f.type is FieldType.BOOLEAN:
            values[f.name] = rng.random() < 0.3
        elif f.type is FieldType.CHOICE:
            values[f.name] = rng.choice([c.code for c in f.choices])
        elif f.type in (FieldType.INTEGER, FieldType.DECIMAL):
            lo, hi = Decimal(f.minimum or 0), Decimal(f.maximum or 0)
            pick = rng.random()
            if pick < 0.1:
                number = lo
            elif pick < 0.15:
                number = hi
            else:
                places = f.decimals or 0
                step = Decimal(1).scaleb(-places)
                span = int((min(hi, lo + 300) - lo) / step)
                number = lo + step * rng.randint(0, span)
            values[f.name] = int(number) if f.type is FieldType.INTEGER else number
    share = rng.choice([0.0, 0.05, 0.3, 0.7])
    return {k: v for k, v in values.items() if rng.random() >= share}


def _without_words(result: response.VisitResponse) -> response.VisitResponse:
    tis = dataclasses.replace(
        result.tis, explanation="",
        rows=tuple(dataclasses.replace(r, note="") for r in result.tis.rows))
    printo = dataclasses.replace(
        result.printo, explanation="",
        variables=tuple(dataclasses.replace(v, note="") for v in result.printo.variables))
    return dataclasses.replace(result, tis=tis, printo=printo)


SETTINGS = [ScoringSettings(tis_muscle_measure=m, thresholds=t) for m in MUSCLE_MEASURES
            for t in THRESHOLDS]
SETTINGS.append(ScoringSettings(uln_defaults={**default_ulns(), "ck": Decimal("250"),
                                              "ldh": Decimal("1")}))


@pytest.mark.parametrize("seed", range(6))
def test_results_without_words_are_the_results_with_words_minus_the_words(seed: int) -> None:
    rng = random.Random(seed)
    compared = 0
    for _patient in range(6):
        visits = [_random_visit(rng) for _ in range(7)]
        with in_language("en"):
            scores = [scoring.score_visit(v) for v in visits]
        for config in SETTINGS:
            kwargs: dict[str, Any] = {"baseline_scores": scores[0],
                                      "followup_scores": scores[1:]}
            with in_language("en"):
                full = response.compare_followups(visits[0], visits[1:], config, **kwargs)
                lean = response.compare_followups(visits[0], visits[1:], config, **kwargs,
                                                  explain=False)
            assert [_without_words(r) for r in full] == lean
            for with_words, without in zip(full, lean, strict=True):
                assert without.response_values() == with_words.response_values()
                assert without.tis.summary == with_words.tis.summary != ""
                assert without.cid == with_words.cid  # taken from the visit's scores
                assert with_words.tis.explanation and with_words.printo.explanation
                assert not without.tis.explanation and not without.printo.explanation
            compared += len(lean)
    assert compared == 6 * 6 * len(SETTINGS)


def test_some_random_pairs_reach_each_kind_of_result() -> None:
    """The random visits above are varied enough to mean something: determinate and
    indeterminate TIS categories, PRINTO levels, missing rows and enzymes chosen."""
    rng = random.Random(99)
    seen: set[str] = set()
    enzymes: set[str | None] = set()
    for _ in range(150):
        base, follow = _random_visit(rng), _random_visit(rng)
        with in_language("en"):
            (result,) = response.compare_followups(base, [follow], explain=False)
        seen.add(result.tis.category)
        seen.add(f"printo {result.printo.level}")
        enzymes.add(result.tis.enzyme)
    assert {"indeterminate", "none", "major", "printo indeterminate"} <= seen
    assert None in enzymes and len(enzymes) >= 3
