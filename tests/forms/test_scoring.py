"""Per-visit scores (forms.scoring) against instruments.md section 11 and section 0 conventions.

Expected values are the worked examples of the spec (computed there by hand), never values read
back from the code under test.
"""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from forms import registry, scoring
from forms.instruments import mdi

CMAS_NAMES = registry.cmas_item_names()
RIGHT = registry.mmt8_side_names("r")
LEFT = registry.mmt8_side_names("l")
NECK = registry.MMT_AXIAL[0]


def cmas_values(items: list[int]) -> dict[str, object]:
    return dict(zip(CMAS_NAMES, items, strict=True))


def mmt_values(neck: int | None, right: list[int | None] | None = None,
               left: list[int | None] | None = None) -> dict[str, object]:
    values: dict[str, object] = {}
    if neck is not None:
        values[NECK] = neck
    for names, grades in ((RIGHT, right), (LEFT, left)):
        for name, grade in zip(names, grades or [None] * 7, strict=True):
            if grade is not None:
                values[name] = grade
    return values


def chaq_values(domains: dict[str, list[object]], **flags: bool) -> dict[str, object]:
    values: dict[str, object] = {}
    for domain, answers in domains.items():
        for name, answer in zip(registry.chaq_domain_items(domain), answers, strict=True):
            if answer is not None:
                values[name] = answer
    values.update(flags)
    return values


# --------------------------------------------------------------------------------------------
# CMAS-A / CMAS-B
# --------------------------------------------------------------------------------------------
def test_cmas_a_total_is_44() -> None:
    score = scoring.cmas_total(cmas_values([3, 2, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 2, 3]))
    assert score.value == 44
    assert score.missing_reason == ""
    assert score.rule_version == scoring.RULE_VERSIONS["cmas_total"]


def test_cmas_all_maxima_give_52() -> None:
    maxima = [5, 2, 5, 3, 6, 3, 3, 4, 3, 4, 4, 4, 3, 3]  # instruments.md section 1 maxima
    assert scoring.cmas_total(cmas_values(maxima)).value == 52


@pytest.mark.parametrize(("name", "bad"), [("cmas_leg_raise", 3), ("cmas_situps", 7)])
def test_cmas_out_of_range_item_gives_missing_total_naming_it(name: str, bad: int) -> None:
    values = cmas_values([3, 2, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 2, 3])
    values[name] = bad
    score = scoring.cmas_total(values)
    assert score.value is None
    assert f"{name} = {bad} is out of range" in score.missing_reason


@pytest.mark.parametrize(("item", "seconds", "expected"), [
    ("cmas_head_elevation", 45, 3),
    ("cmas_straight_leg_lift", 125, 5),
    ("cmas_arm_raise_duration", 60, 4),
    ("cmas_head_elevation", 9, 1),
    ("cmas_head_elevation", 10, 2),
    ("cmas_head_elevation", 59, 3),
    ("cmas_head_elevation", 119, 4),
    ("cmas_head_elevation", 120, 5),
    ("cmas_straight_leg_lift", 9, 1),
    ("cmas_straight_leg_lift", 10, 2),
    ("cmas_straight_leg_lift", 120, 5),
    ("cmas_arm_raise_duration", 120, 4),
    ("cmas_arm_raise_duration", 600, 4),
    ("cmas_arm_raise_duration", 59, 3),
    ("cmas_head_elevation", 0, 0),
    ("cmas_arm_raise_duration", 0, 0),
    ("cmas_head_elevation", 1, 1),
    ("cmas_head_elevation", D("9.5"), 1),  # "1-9 s" means under 10 s
    ("cmas_head_elevation", 29.9, 2),
])
def test_cmas_b_timed_item_bands(item: str, seconds: object, expected: int) -> None:
    assert scoring.cmas_item_from_seconds(item, seconds) == expected  # type: ignore[arg-type]


def test_cmas_item_from_seconds_rejects_untimed_items_and_negative_seconds() -> None:
    with pytest.raises(ValueError, match="not a timed"):
        scoring.cmas_item_from_seconds("cmas_leg_raise", 10)
    with pytest.raises(ValueError, match="negative"):
        scoring.cmas_item_from_seconds("cmas_head_elevation", -1)


def test_cmas_total_uses_seconds_when_only_seconds_given() -> None:
    values = cmas_values([3, 2, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 2, 3])
    del values["cmas_head_elevation"]
    values["cmas_head_elevation_sec"] = 125  # -> 5 instead of 3
    assert scoring.cmas_total(values).value == 46


def test_convention_2_cmas_two_items_missing() -> None:
    values = cmas_values([3, 2, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 2, 3])
    del values["cmas_pick_up"]
    del values["cmas_leg_raise"]
    score = scoring.cmas_total(values)
    assert score.value is None
    assert score.missing_reason.startswith("CMAS: 2 of 14 items missing")


def test_convention_2_not_assessed_is_never_zero_none_counts_as_absent() -> None:
    values = cmas_values([0] * 14)
    assert scoring.cmas_total(values).value == 0
    values["cmas_pick_up"] = None  # JSON null = not assessed
    assert scoring.cmas_total(values).value is None


# --------------------------------------------------------------------------------------------
# MMT-A / MMT-B and convention 3
# --------------------------------------------------------------------------------------------
def test_mmt_a_unilateral_63() -> None:
    # neck 4- = 7; deltoid 4 = 8; biceps 4+ = 9; wrist 5 = 10; glut max 3+ = 6; glut med 3 = 5;
    # quadriceps 4 = 8; ankle DF 5 = 10 (Kendall table, instruments.md 2.2)
    total, side = scoring.mmt8_total(mmt_values(7, [8, 9, 10, 6, 5, 8, 10]))
    assert total.value == 63
    assert side.value == "right"


MMT_B = mmt_values(8, [8, 9, 10, 6, 5, 9, 10], [9, 9, 10, 7, 6, 9, 10])


def test_mmt_b_bilateral_125_and_right_side_65() -> None:
    assert scoring.mmt8_bilateral(MMT_B).value == 125
    total, side = scoring.mmt8_total(MMT_B)
    assert (total.value, side.value) == (65, "right")
    cid = scoring.clinically_inactive_disease(MMT_B)
    mmt = next(c for c in cid.criteria if c.key == "mmt8")
    assert mmt.value == 65 and mmt.met is False


def test_convention_3_left_side_used_when_right_incomplete() -> None:
    values = mmt_values(8, [8, 9, 10, 6, None, 9, 10], [9, 9, 10, 7, 6, 9, 10])
    total, side = scoring.mmt8_total(values)
    assert total.value == 8 + 9 + 9 + 10 + 7 + 6 + 9 + 10
    assert side.value == "left"
    assert scoring.mmt8_bilateral(values).value is None


def test_convention_3_right_preferred_even_when_left_is_complete_and_higher() -> None:
    values = mmt_values(10, [1] * 7, [10] * 7)
    total, side = scoring.mmt8_total(values)
    assert (total.value, side.value) == (17, "right")


def test_convention_3_neither_side_complete_reason() -> None:
    values = mmt_values(8, [8, 9, 10, 6, None, None, 10], [9, None, 10, 7, 6, 9, 10])
    total, side = scoring.mmt8_total(values)
    assert total.value is None and side.value is None
    assert total.missing_reason == ("MMT-8: neither side complete (right: 2 of 7 groups "
                                    "missing; left: 1 of 7 groups missing)")


def test_convention_3_neck_is_required() -> None:
    total, _ = scoring.mmt8_total(mmt_values(None, [10] * 7, [10] * 7))
    assert total.value is None
    assert "neck" in total.missing_reason


def test_convention_3_trace_is_graded_zero() -> None:
    # Trace "T" is stored as Kendall 0 (registry KENDALL_GRADES); the total accepts it as 0.
    assert registry.KENDALL_GRADES[0][0] == 0
    total, _ = scoring.mmt8_total(mmt_values(0, [0] * 7))
    assert total.value == 0


def test_mmt_bilateral_all_maxima_is_registry_maximum() -> None:
    values = mmt_values(10, [10] * 7, [10] * 7)
    assert scoring.mmt8_bilateral(values).value == registry.get("mmt8_bilateral").maximum


# --------------------------------------------------------------------------------------------
# CHAQ-A and convention 4
# --------------------------------------------------------------------------------------------
CHAQ_A = chaq_values({
    "dressing": [1, 0, 0, 2],
    "arising": [1, 1],
    "eating": [0, 0, "na"],
    "walking": [2, 1],
    "hygiene": [1, 1, 0, 0, 0],
    "reach": [0, 1, 0, 0],
    "grip": [0, 0, 1, 0, 0],
    "activities": [2, "na", 1, 3, 2],
}, chaq_aid_walking=True, chaq_help_hygiene=True)


def test_chaq_a_domains_and_di_1_5() -> None:
    domains, errors = scoring.chaq_domain_scores(CHAQ_A)
    assert errors == []
    assert domains == {"dressing": 2, "arising": 1, "eating": 0, "walking": 2, "hygiene": 2,
                       "reach": 1, "grip": 1, "activities": 3}
    score = scoring.chaq_di(CHAQ_A)
    assert score.value == D("1.5")
    assert score.exact == Fraction(3, 2)


def test_chaq_aid_never_lowers_a_3_and_raises_0_to_2() -> None:
    values = dict(CHAQ_A, chaq_aid_activities=True, chaq_aid_eating=True)
    domains, _ = scoring.chaq_domain_scores(values)
    assert domains["activities"] == 3
    assert domains["eating"] == 2


def test_chaq_false_aid_does_not_raise() -> None:
    values = dict(CHAQ_A, chaq_aid_eating=False)
    assert scoring.chaq_domain_scores(values)[0]["eating"] == 0


def test_convention_4_only_5_domains_scored_is_missing() -> None:
    values = chaq_values({
        "dressing": [1, 0, 0, 2], "arising": [1, 1], "eating": ["na", "na", "na"],
        "walking": [2, 1], "hygiene": [1, 1, 0, 0, 0], "reach": [0, 1, 0, 0],
    }, chaq_aid_grip=True)  # an aid on an unrated domain does not score it
    score = scoring.chaq_di(values)
    assert score.value is None
    assert score.missing_reason.startswith("CHAQ: only 5 of 8 domains scored (6 needed")


def test_convention_4_six_domains_is_enough_and_rounds_to_3_decimals() -> None:
    values = chaq_values({
        "dressing": [1, 0, 0, 0], "arising": [1, 1], "eating": [0, 0, 0],
        "walking": [2, 1], "hygiene": [0, 0, 0, 0, 0], "reach": [0, 1, 0, 0],
    })
    score = scoring.chaq_di(values)
    assert score.exact == Fraction(5, 6)
    assert score.value == D("0.833")


def test_chaq_seven_domains_mean_of_scored_only() -> None:
    # one answered item per domain; activities not answered at all
    firsts = {"dressing": 3, "arising": 3, "eating": 3, "walking": 3, "hygiene": 3,
              "reach": 3, "grip": 2}
    values = {registry.chaq_domain_items(d)[0]: a for d, a in firsts.items()}
    score = scoring.chaq_di(values)
    assert score.exact == Fraction(20, 7)
    assert score.value == D("2.857")


def test_chaq_pain_vas_to_0_3_scale() -> None:
    # CHAQ-A: pain 45 mm -> 45 x 0.03 = 1.35 on the 0-3 scale (stored raw as 4.5 cm)
    assert Fraction(D("4.5")) * 10 * Fraction(3, 100) == Fraction(135, 100)


# --------------------------------------------------------------------------------------------
# CDASI-A and the convention-2 exception
# --------------------------------------------------------------------------------------------
def _cdasi_a() -> dict[str, object]:
    v: dict[str, object] = {}
    activity = {"scalp": (1, 1, 0), "malar": (2, 1, 0), "periorbital": (3, 0, 0),
                "face": (1, 0, 0), "v_neck": (2, 1, 0), "post_neck": (1, 0, 0),
                "upper_back": (2, 1, 1), "lat_thigh": (1, 0, 0), "arm": (1, 0, 0),
                "dorsal_hand": (1, 0, 0), "gottron_other": (2, 1, 0)}
    for loc, (ery, scale, eros) in activity.items():
        v[f"cdasi_{loc}_ery"] = ery
        v[f"cdasi_{loc}_scale"] = scale
        v[f"cdasi_{loc}_eros"] = eros
    v.update(cdasi_gottron_hand_ery=2, cdasi_gottron_hand_papules=True,
             cdasi_gottron_hand_ulc=1, cdasi_periungual=2, cdasi_alopecia=1)
    v.update(cdasi_malar_poik=1, cdasi_upper_back_poik=1, cdasi_gottron_other_poik=1,
             cdasi_arm_calc=1, cdasi_gottron_other_calc=1, cdasi_gottron_hand_damage=1)
    return v


def test_cdasi_a_activity_31_damage_6() -> None:
    activity, damage = scoring.cdasi_scores(_cdasi_a())
    assert activity.value == 31
    assert damage.value == 6


def test_cdasi_papules_double_hands_erythema() -> None:
    values = _cdasi_a()
    values["cdasi_gottron_hand_papules"] = False
    assert scoring.cdasi_scores(values)[0].value == 31 - 2


def test_convention_2_cdasi_one_field_entered_others_count_zero() -> None:
    activity, damage = scoring.cdasi_scores({"cdasi_scalp_ery": 2})
    assert (activity.value, damage.value) == (2, 0)
    activity, damage = scoring.cdasi_scores({"cdasi_alopecia": 0})
    assert (activity.value, damage.value) == (0, 0)


def test_convention_2_cdasi_nothing_entered_is_missing() -> None:
    activity, damage = scoring.cdasi_scores({"phys_global": D(1)})
    assert activity.value is None and damage.value is None
    assert "CDASI" in activity.missing_reason


def test_cdasi_all_maxima_reach_registry_maxima() -> None:
    values: dict[str, object] = {}
    for name in registry.cdasi_entered_names():
        fld = registry.get(name)
        values[name] = True if fld.type.value == "boolean" else int(fld.maximum or 0)
    activity, damage = scoring.cdasi_scores(values)
    assert activity.value == registry.get("cdasi_activity").maximum
    assert damage.value == registry.get("cdasi_damage").maximum


# --------------------------------------------------------------------------------------------
# DAS, steroid (convention 8)
# --------------------------------------------------------------------------------------------
def test_das_total_needs_both_subscales() -> None:
    assert scoring.das_total({"das_skin": 4, "das_muscle": 7}).value == 11
    score = scoring.das_total({"das_skin": 4})
    # in the words people read, never the field name (issue 14)
    assert score.value is None and score.missing_reason == "DAS: DAS muscle subscale missing"


@pytest.mark.parametrize(("mg", "kg", "expected"), [
    (D("30"), D("15"), D("2.000")),
    (D("20"), D("32.5"), D("0.615")),   # 0.61538...
    (D("5"), D("8"), D("0.625")),
    (D("1"), D("1.6"), D("0.625")),
    (D("10"), D("3"), D("3.333")),
    (D("2.5"), D("15.1"), D("0.166")),  # 0.16556... -> 0.166
    (0.5, 1.5, D("0.333")),           # floats defensively via str
])
def test_convention_8_steroid_mg_kg_day(mg: object, kg: object, expected: D) -> None:
    score = scoring.steroid_mg_kg_day({"steroid_mg_day": mg, "weight_kg": kg})
    assert score.value == expected
    assert score.exact == Fraction(D(str(mg))) / Fraction(D(str(kg)))


def test_convention_8_steroid_needs_same_visit_weight() -> None:
    score = scoring.steroid_mg_kg_day({"steroid_mg_day": D(10)})
    assert score.value is None and score.missing_reason == "Steroid mg/kg/day: Weight missing"


def test_steroid_rounds_half_up() -> None:
    # 0.0625 mg/kg/day -> 0.063 (half-up), not banker's 0.062
    score = scoring.steroid_mg_kg_day({"steroid_mg_day": D("1"), "weight_kg": D("16")})
    assert score.value == D("0.063")


# --------------------------------------------------------------------------------------------
# CID-A..F (convention 7)
# --------------------------------------------------------------------------------------------
def _cid_values(ck: object, cmas: int | None, mmt: int | None, phys: object
                ) -> dict[str, object]:
    values: dict[str, object] = {}
    if ck is not None:
        values["ck"] = ck
    if phys is not None:
        values["phys_global"] = phys
    if cmas is not None:
        # 13 items at their maximum and the pick-up item adjusted to reach `cmas`
        maxima = [5, 2, 5, 3, 6, 3, 3, 4, 3, 4, 4, 4, 3, 3]
        items = list(maxima)
        deficit = 52 - cmas
        for i in range(len(items)):
            take = min(items[i], deficit)
            items[i] -= take
            deficit -= take
        values.update(cmas_values(items))
    if mmt is not None:
        deficit = 80 - mmt
        grades = [10] * 8
        for i in range(8):
            take = min(10, deficit)
            grades[i] -= take
            deficit -= take
        values.update(mmt_values(grades[0], grades[1:]))
    return values


@pytest.mark.parametrize(("case", "ck", "cmas", "mmt", "phys", "met", "status"), [
    ("A", 120, 49, 76, D("0.2"), 3, "yes"),
    ("B", 151, 48, 77, D("0.1"), 2, "no"),
    ("C", 100, 50, None, D("0.0"), 3, "yes"),
    ("D", 140, None, None, D("0.1"), 2, "indeterminate"),
    ("E", 90, 52, 80, D("0.5"), 3, "yes"),
    ("F", 150, 47, 78, D("0.3"), 2, "no"),
])
def test_cid_examples(case: str, ck: object, cmas: int | None, mmt: int | None, phys: object,
                      met: int, status: str) -> None:
    values = _cid_values(ck, cmas, mmt, phys)
    assert scoring.cmas_total(values).value == cmas
    assert scoring.mmt8_total(values)[0].value == mmt
    result = scoring.clinically_inactive_disease(values)
    assert result.met == met, case
    assert result.status == status, case
    assert scoring.score_visit(values)["printo_cid"].value == status


def test_convention_7_cid_no_even_with_unknowns() -> None:
    # CK and CMAS fail; MMT unknown; PhGA fails -> at most 1 -> no
    result = scoring.clinically_inactive_disease(_cid_values(500, 30, None, D(3)))
    assert (result.status, result.unknown) == ("no", 1)


def test_convention_7_cid_all_unknown_is_indeterminate() -> None:
    result = scoring.clinically_inactive_disease({})
    assert (result.status, result.met, result.unknown) == ("indeterminate", 0, 4)


def test_convention_1_cid_float_edges_are_exact() -> None:
    # 0.2 as a float must compare as exactly 0.2 (convention 1)
    result = scoring.clinically_inactive_disease({"phys_global": 0.2, "ck": 150.0})
    assert result.met == 2


def test_cid_explanation_names_criteria() -> None:
    result = scoring.clinically_inactive_disease(_cid_values(120, 49, 76, D("0.2")))
    assert "MMT-8 >= 78: 76 -> not met" in result.explanation
    assert "3 of 4 criteria met" in result.explanation


# --------------------------------------------------------------------------------------------
# score_visit and convention 9
# --------------------------------------------------------------------------------------------
def test_score_visit_covers_every_derived_visit_field_with_a_rule_version() -> None:
    scores = scoring.score_visit({})
    expected = [f.name for f in registry.visit_fields(derived=True)]
    assert list(scores) == expected
    for name, score in scores.items():
        assert score.field == name
        assert score.rule_version == scoring.RULE_VERSIONS[name]
        if name != "printo_cid":
            assert score.value is None and score.missing_reason


def test_convention_9_rule_versions_cover_every_derived_field() -> None:
    derived = {f.name for f in registry.FIELDS if f.derived}
    assert derived <= set(scoring.RULE_VERSIONS)
    assert all(scoring.RULE_VERSIONS[name] for name in derived)


def test_score_visit_full_visit() -> None:
    values = cmas_values([3, 2, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 2, 3]) | MMT_B | CHAQ_A
    values |= _cdasi_a() | {"das_skin": 4, "das_muscle": 7, "ck": D(120),
                            "phys_global": D("0.2"), "steroid_mg_day": D(30),
                            "weight_kg": D(15)}
    # the Myositis Damage Index (issue 11): 2 items present, 1 not applicable; severity 1.5 + 2
    values |= dict.fromkeys(mdi.ITEM_NAMES, 0) | {"mdi_contractures": 1, "mdi_calcinosis": 1,
                                                   "mdi_menstrual": "na"}
    values |= dict.fromkeys(mdi.SEVERITY_NAMES, D(0)) | {"mdi_sev_skeletal": D("1.5"),
                                                         "mdi_sev_cutaneous": D(2)}
    scores = scoring.score_visit(values)
    got = {k: s.value for k, s in scores.items()}
    assert got == {"cmas_total": 44, "mmt8_total": 65, "mmt8_side": "right",
                   "mmt8_bilateral": 125, "chaq_di": D("1.5"), "cdasi_activity": 31,
                   "cdasi_damage": 6, "das_total": 11, "steroid_mg_kg_day": D("2"),
                   "mdi_extent": 2, "mdi_severity": D("3.5"), "printo_cid": "no"}


@pytest.mark.parametrize("bad", [True, "3", D("NaN"), float("inf"), 2.5])
def test_invalid_item_types_never_score(bad: object) -> None:
    values = cmas_values([3, 2, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 2, 3])
    values["cmas_floor_sit"] = bad
    score = scoring.cmas_total(values)
    assert score.value is None
    assert "cmas_floor_sit" in score.missing_reason


def test_integral_decimal_and_float_items_are_accepted() -> None:
    values = cmas_values([3, 2, 4, 3, 4, 3, 3, 4, 3, 3, 3, 4, 2, 3])
    values["cmas_floor_sit"] = D("3")
    values["cmas_pick_up"] = 3.0
    assert scoring.cmas_total(values).value == 44
