"""Hypothesis properties of forms.scoring and forms.response.

Ranges come from the registry; properties check what must hold for *any* valid input: totals in
range, order independence, missing items never giving a total, and that the missing-data rules
(TIS, PRINTO, CID) never report a determinate answer that more data could contradict.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from forms import registry, response, scoring
from forms.settings import ScoringSettings

CMAS_NAMES = registry.cmas_item_names()
NECK = registry.MMT_AXIAL[0]
MMT_NAMES = (NECK, *registry.mmt8_side_names("r"), *registry.mmt8_side_names("l"))
CHAQ_ITEMS = tuple(n for d in registry.CHAQ_DOMAINS for n in registry.chaq_domain_items(d))


def _max(name: str) -> int:
    return int(registry.get(name).maximum or 0)


def item(name: str) -> st.SearchStrategy[int]:
    fld = registry.get(name)
    return st.integers(int(fld.minimum or 0), int(fld.maximum or 0))


def decimal_of(name: str) -> st.SearchStrategy[Decimal]:
    """Any value of a DECIMAL field with its registry range and decimals."""
    fld = registry.get(name)
    lo = int(Decimal(fld.minimum or 0).scaleb(fld.decimals))
    hi = int(Decimal(fld.maximum or 0).scaleb(fld.decimals))
    return st.integers(lo, hi).map(lambda n: Decimal(n).scaleb(-fld.decimals))


cmas_items = st.fixed_dictionaries({n: item(n) for n in CMAS_NAMES})
mmt_grades = st.fixed_dictionaries({n: item(n) for n in MMT_NAMES})
chaq_answers = st.fixed_dictionaries(
    {n: st.one_of(item(n), st.just("na"), st.none()) for n in CHAQ_ITEMS},
    optional={f"chaq_{kind}_{d}": st.booleans() for d in registry.CHAQ_DOMAINS
              for kind in ("aid", "help")})
cdasi_values = st.fixed_dictionaries({}, optional={
    n: (st.booleans() if registry.get(n).type.value == "boolean" else item(n))
    for n in registry.cdasi_entered_names()})


def in_range(name: str, value: object) -> bool:
    fld = registry.get(name)
    return Fraction(fld.minimum or 0) <= Fraction(str(value)) <= Fraction(fld.maximum or 0)


# --------------------------------------------------------------------------------------------
# Totals stay within range; item order does not matter
# --------------------------------------------------------------------------------------------
@given(cmas_items)
def test_cmas_total_in_range_and_is_the_sum(items: dict[str, int]) -> None:
    score = scoring.cmas_total(items)
    assert score.value == sum(items.values())
    assert in_range("cmas_total", score.value)


@given(mmt_grades)
def test_mmt_totals_in_range(grades: dict[str, int]) -> None:
    total, side = scoring.mmt8_total(grades)
    assert in_range("mmt8_total", total.value)
    assert side.value == "right"
    assert in_range("mmt8_bilateral", scoring.mmt8_bilateral(grades).value)


@given(chaq_answers)
def test_chaq_di_in_range_or_missing_with_reason(values: dict[str, object]) -> None:
    score = scoring.chaq_di(values)
    domains, errors = scoring.chaq_domain_scores(values)
    assert errors == []
    scored = [s for s in domains.values() if s is not None]
    if len(scored) >= scoring.CHAQ_MIN_DOMAINS:
        assert in_range("chaq_di", score.value)
        assert score.exact == Fraction(sum(scored), len(scored))
    else:
        assert score.value is None and score.missing_reason.startswith("CHAQ: only")


@given(cdasi_values)
def test_cdasi_in_range(values: dict[str, object]) -> None:
    activity, damage = scoring.cdasi_scores(values)
    if any(v is not None for v in values.values()):
        assert in_range("cdasi_activity", activity.value)
        assert in_range("cdasi_damage", damage.value)
    else:
        assert activity.value is None and damage.value is None


@given(cmas_items, mmt_grades, chaq_answers, cdasi_values, st.randoms(use_true_random=False))
@settings(max_examples=50)
def test_item_order_does_not_matter(cmas: dict[str, int], mmt: dict[str, int],
                                    chaq: dict[str, object], cdasi: dict[str, object],
                                    rnd: object) -> None:
    values = {**cmas, **mmt, **chaq, **cdasi}
    keys = list(values)
    rnd.shuffle(keys)  # type: ignore[attr-defined]
    shuffled = {k: values[k] for k in keys}
    first = {k: (s.value, s.missing_reason) for k, s in scoring.score_visit(values).items()}
    second = {k: (s.value, s.missing_reason) for k, s in scoring.score_visit(shuffled).items()}
    assert first == second


# --------------------------------------------------------------------------------------------
# A missing item always gives a missing total
# --------------------------------------------------------------------------------------------
@given(cmas_items, st.sampled_from(CMAS_NAMES))
def test_missing_cmas_item_gives_missing_total(items: dict[str, int], drop: str) -> None:
    del items[drop]
    score = scoring.cmas_total(items)
    assert score.value is None
    assert score.missing_reason == f"CMAS: 1 of 14 items missing ({drop})"


@given(mmt_grades, st.sampled_from(MMT_NAMES))
def test_missing_mmt_group_gives_missing_bilateral(grades: dict[str, int], drop: str) -> None:
    del grades[drop]
    assert scoring.mmt8_bilateral(grades).value is None
    total, side = scoring.mmt8_total(grades)
    if drop == NECK:
        assert total.value is None and side.value is None
    else:
        # one side is still complete: the total uses it, and never the incomplete one
        assert total.value is not None
        assert drop not in total.parts


@given(mmt_grades, st.sets(st.sampled_from(registry.mmt8_side_names("r")), min_size=1),
       st.sets(st.sampled_from(registry.mmt8_side_names("l")), min_size=1))
def test_both_sides_incomplete_gives_missing_unilateral(grades: dict[str, int],
                                                        right: set[str], left: set[str]) -> None:
    for name in right | left:
        del grades[name]
    total, side = scoring.mmt8_total(grades)
    assert total.value is None and side.value is None
    assert total.missing_reason.startswith("MMT-8: neither side complete")


@given(st.fixed_dictionaries({"das_skin": item("das_skin"), "das_muscle": item("das_muscle")}),
       st.sampled_from(["das_skin", "das_muscle"]))
def test_das_total_in_range_and_missing_subscale(values: dict[str, int], drop: str) -> None:
    assert in_range("das_total", scoring.das_total(values).value)
    del values[drop]
    assert scoring.das_total(values).value is None


@given(decimal_of("steroid_mg_day"), decimal_of("weight_kg"))
def test_steroid_is_exact_quotient_rounded_to_3_places(mg: Decimal, kg: Decimal) -> None:
    score = scoring.steroid_mg_kg_day({"steroid_mg_day": mg, "weight_kg": kg})
    assert score.exact == Fraction(mg) / Fraction(kg)
    assert isinstance(score.value, Decimal)
    assert abs(Fraction(score.value) - score.exact) <= Fraction(1, 2000)


# --------------------------------------------------------------------------------------------
# TIS
# --------------------------------------------------------------------------------------------
def mmt8_from_total(total: int) -> dict[str, object]:
    deficit = _max("mmt8_total") - total
    values: dict[str, object] = {}
    for name in (NECK, *registry.mmt8_side_names("r")):
        take = min(_max(name), deficit)
        values[name] = _max(name) - take
        deficit -= take
    return values


def chaq_from_eighths(eighths: int) -> dict[str, object]:
    values: dict[str, object] = {}
    for domain in registry.CHAQ_DOMAINS:
        score = min(3, eighths)
        eighths -= score
        values[registry.chaq_domain_items(domain)[0]] = score
    return values


@st.composite
def tis_visit(draw: st.DrawFn) -> dict[str, object]:
    values: dict[str, object] = {
        "phys_global": draw(decimal_of("phys_global")),
        "parent_global": draw(decimal_of("parent_global")),
        "extramuscular_global": draw(decimal_of("extramuscular_global")),
        "ck": Decimal(draw(st.integers(0, 20_000))),
        "ldh": Decimal(draw(st.integers(0, 3_000))),
    }
    values.update(mmt8_from_total(draw(st.integers(0, _max("mmt8_total")))))
    values.update(chaq_from_eighths(draw(st.integers(0, 24))))
    return values


@st.composite
def tis_pair(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, object]]:
    """A baseline and a follow-up; half the time every measure improves (so that all
    categories are reached often), else two independent visits."""
    base = draw(tis_visit())
    if draw(st.booleans()):
        return base, draw(tis_visit())
    follow: dict[str, object] = {}
    for name in ("phys_global", "parent_global", "extramuscular_global"):
        tenths = int(Decimal(str(base[name])) * 10)
        follow[name] = Decimal(draw(st.integers(0, tenths))).scaleb(-1)
    for name in ("ck", "ldh"):
        follow[name] = Decimal(draw(st.integers(0, int(Decimal(str(base[name]))))))
    mmt = scoring.mmt8_total(base)[0].value
    assert isinstance(mmt, int)
    follow.update(mmt8_from_total(draw(st.integers(mmt, _max("mmt8_total")))))
    chaq_eighths = int(Fraction(str(scoring.chaq_di(base).value)) * 8)
    follow.update(chaq_from_eighths(draw(st.integers(0, chaq_eighths))))
    return base, follow


OPTIONAL_ROWS = {
    "parent_global": ("parent_global",),
    "chaq": tuple(registry.chaq_domain_items(d)[0] for d in registry.CHAQ_DOMAINS),
    "enzyme": ("ck", "ldh"),
    "extramuscular": ("extramuscular_global",),
}


def _drop(values: dict[str, object], rows: set[str]) -> dict[str, object]:
    out = dict(values)
    for row in rows:
        for name in OPTIONAL_ROWS[row]:
            out.pop(name, None)
    return out


RANK = {c: i for i, c in enumerate(response.CATEGORIES)}


@given(tis_pair(), st.sets(st.sampled_from(sorted(OPTIONAL_ROWS))),
       st.sampled_from(["jdm", "adult"]))
@settings(max_examples=200)
def test_adding_a_missing_row_never_lowers_tis_and_determinate_partials_hold(
        pair: tuple[dict[str, object], dict[str, object]], dropped: set[str],
        thresholds: str) -> None:
    base, follow = pair
    config = ScoringSettings(thresholds=thresholds)
    full = response.total_improvement_score(base, follow, config)
    part = response.total_improvement_score(_drop(base, dropped), _drop(follow, dropped),
                                            config)
    assert full.measures == 6 and full.category != "indeterminate"
    assert part.measures == 6 - len(dropped)
    assert full.tis is not None and part.tis is not None
    assert part.tis <= full.tis <= part.max_attainable
    assert in_range("tis", full.tis)
    assert full.tis == sum(r.points for r in full.rows if r.points is not None)
    if part.category != "indeterminate":
        assert part.category == full.category  # more data can never contradict it


@given(tis_pair(), tis_pair())
@settings(max_examples=100)
def test_tis_category_is_monotone_in_tis(
        first: tuple[dict[str, object], dict[str, object]],
        second: tuple[dict[str, object], dict[str, object]]) -> None:
    one = response.total_improvement_score(*first)
    two = response.total_improvement_score(*second)
    assert one.tis is not None and two.tis is not None
    if one.tis <= two.tis:
        assert RANK[one.category] <= RANK[two.category]
    else:
        assert RANK[one.category] >= RANK[two.category]


@given(tis_visit(), tis_visit())
@settings(max_examples=50)
def test_float_inputs_score_like_their_decimal_text(base: dict[str, object],
                                                    follow: dict[str, object]) -> None:
    as_float = [{k: float(v) if isinstance(v, Decimal) else v for k, v in d.items()}
                for d in (base, follow)]
    exact = response.total_improvement_score(base, follow)
    floaty = response.total_improvement_score(*as_float)
    assert [r.points for r in exact.rows] == [r.points for r in floaty.rows]


# --------------------------------------------------------------------------------------------
# PRINTO and CID: a determinate answer with missing data holds for every completion
# --------------------------------------------------------------------------------------------
@st.composite
def printo_visit(draw: st.DrawFn) -> dict[str, object]:
    values: dict[str, object] = {
        "phys_global": draw(decimal_of("phys_global")),
        "parent_global": draw(decimal_of("parent_global")),
        "chq_phs": draw(decimal_of("chq_phs")),
        "das_skin": draw(item("das_skin")),
        "das_muscle": draw(item("das_muscle")),
    }
    cmas_total = draw(st.integers(0, _max("cmas_total")))
    deficit = _max("cmas_total") - cmas_total
    for name in CMAS_NAMES:
        take = min(_max(name), deficit)
        values[name] = _max(name) - take
        deficit -= take
    values.update(chaq_from_eighths(draw(st.integers(0, 24))))
    return values


PRINTO_GROUPS = {
    "phys_global": ("phys_global",),
    "parent_global": ("parent_global",),
    "muscle": CMAS_NAMES,
    "chaq": tuple(registry.chaq_domain_items(d)[0] for d in registry.CHAQ_DOMAINS),
    "das": ("das_skin", "das_muscle"),
    "chq_phs": ("chq_phs",),
}
PRINTO_RANK = {"none": 0, "20": 1, "50": 2, "70": 3}


@given(printo_visit(), printo_visit(), st.sets(st.sampled_from(sorted(PRINTO_GROUPS)),
                                                max_size=3))
@settings(max_examples=150)
def test_printo_missing_variables_never_contradicted(base: dict[str, object],
                                                     follow: dict[str, object],
                                                     dropped: set[str]) -> None:
    full = response.printo_response(base, follow)
    names = {n for g in dropped for n in PRINTO_GROUPS[g]}
    part = response.printo_response({k: v for k, v in base.items() if k not in names},
                                    {k: v for k, v in follow.items() if k not in names})
    assert full.level in PRINTO_RANK
    if part.level != "indeterminate":
        assert part.level == full.level
    for level, verdict in part.levels_met.items():
        if verdict != "indeterminate":
            assert verdict == full.levels_met[level]
    # levels nest: meeting 70 implies 50 implies 20
    met = [full.levels_met[lv] == "yes" for lv in ("20", "50", "70")]
    assert met == sorted(met, reverse=True)


@given(st.one_of(st.none(), st.integers(0, 400).map(Decimal)),
       st.one_of(st.none(), st.integers(40, 52)),
       st.one_of(st.none(), st.integers(70, 80)),
       st.one_of(st.none(), st.integers(0, 10).map(lambda n: Decimal(n).scaleb(-1))),
       st.integers(40, 52), st.integers(70, 80), st.integers(0, 400))
def test_cid_determinate_answers_hold_for_every_completion(
        ck: Decimal | None, cmas: int | None, mmt: int | None, phys: Decimal | None,
        cmas_fill: int, mmt_fill: int, ck_fill: int) -> None:
    def build(ck_v: Decimal | None, cmas_v: int | None, mmt_v: int | None,
              phys_v: Decimal | None) -> dict[str, object]:
        values: dict[str, object] = {}
        if ck_v is not None:
            values["ck"] = ck_v
        if phys_v is not None:
            values["phys_global"] = phys_v
        if mmt_v is not None:
            values.update(mmt8_from_total(mmt_v))
        if cmas_v is not None:
            deficit = _max("cmas_total") - cmas_v
            for name in CMAS_NAMES:
                take = min(_max(name), deficit)
                values[name] = _max(name) - take
                deficit -= take
        return values

    part = scoring.clinically_inactive_disease(build(ck, cmas, mmt, phys))
    full = scoring.clinically_inactive_disease(build(
        ck if ck is not None else Decimal(ck_fill), cmas if cmas is not None else cmas_fill,
        mmt if mmt is not None else mmt_fill, phys if phys is not None else Decimal("0.5")))
    assert full.status in ("yes", "no")
    if part.status != "indeterminate":
        assert part.status == full.status
