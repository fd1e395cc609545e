"""Independent clinical cases, derived by hand from shared/spec/instruments.md.

Written by a reviewer who did not read the existing tests or copy numbers from the code under
test: every expected value below was worked out from the spec (section 0 conventions, sections
1-8 rules) with exact fractions, and the arithmetic is shown next to each case. None of these
cases repeats a section 11 worked example.

Field names are the data-contract section 3 names, written out literally on purpose (an
independent check that the registry uses them). Helper builders only place item values; they
never compute a score.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from forms import response, scoring, validation
from forms.instruments import mdi
from forms.settings import ScoringSettings

# --------------------------------------------------------------------------------------------
# Builders (data-contract section 3 names)
# --------------------------------------------------------------------------------------------
CMAS_NAMES = (
    "cmas_head_elevation", "cmas_leg_raise", "cmas_straight_leg_lift", "cmas_supine_to_prone",
    "cmas_situps", "cmas_supine_to_sit", "cmas_arm_raise_straighten", "cmas_arm_raise_duration",
    "cmas_floor_sit", "cmas_all_fours", "cmas_floor_rise", "cmas_chair_rise", "cmas_stool_step",
    "cmas_pick_up",
)
# Item maxima from the spec section 1 table (5+2+5+3+6+3+3+4+3+4+4+4+3+3 = 52).
CMAS_MAXIMA = (5, 2, 5, 3, 6, 3, 3, 4, 3, 4, 4, 4, 3, 3)
MMT_STEMS = ("mmt_deltoid", "mmt_biceps", "mmt_wrist_extensors", "mmt_gluteus_maximus",
             "mmt_gluteus_medius", "mmt_quadriceps", "mmt_ankle_dorsiflexors")
CHAQ_ITEMS = {
    "dressing": ("chaq_dress", "chaq_shampoo", "chaq_socks", "chaq_nails"),
    "arising": ("chaq_stand_chair", "chaq_bed"),
    "eating": ("chaq_cut_meat", "chaq_cup", "chaq_cereal_box"),
    "walking": ("chaq_walk", "chaq_steps"),
    "hygiene": ("chaq_wash", "chaq_tub", "chaq_toilet", "chaq_teeth", "chaq_comb"),
    "reach": ("chaq_reach_object", "chaq_bend_floor", "chaq_sweater", "chaq_turn_neck"),
    "grip": ("chaq_write", "chaq_car_door", "chaq_jar", "chaq_taps", "chaq_door_knob"),
    "activities": ("chaq_errands", "chaq_car", "chaq_bike", "chaq_chores", "chaq_play"),
}
DOMAINS = tuple(CHAQ_ITEMS)


def cmas(items) -> dict:
    """14 item scores in sheet order; None leaves an item out."""
    assert len(items) == 14
    return {n: v for n, v in zip(CMAS_NAMES, items) if v is not None}


def cmas_total_of(total: int) -> dict:
    """Items whose sum is ``total``: start from all maxima (52), lower items from the end."""
    items = list(CMAS_MAXIMA)
    deficit = 52 - total
    for i in reversed(range(14)):
        cut = min(deficit, items[i])
        items[i] -= cut
        deficit -= cut
    assert deficit == 0 and sum(items) == total
    return cmas(items)


def mmt(neck, right, left) -> dict:
    """Neck grade and two lists of 7 grades (None = group not graded, or a whole side None)."""
    out = {}
    if neck is not None:
        out["mmt_neck_flexors"] = neck
    for suffix, grades in (("r", right), ("l", left)):
        if grades is None:
            continue
        for stem, g in zip(MMT_STEMS, grades):
            if g is not None:
                out[f"{stem}_{suffix}"] = g
    return out


def spread(total: int, n: int, cap: int) -> list[int]:
    """``n`` grades each <= cap adding up to ``total`` (fill from the first)."""
    out = []
    for _ in range(n):
        g = min(cap, total)
        out.append(g)
        total -= g
    assert total == 0
    return out


def mmt_of(unilateral: int) -> dict:
    """MMT-8 with neck + right = ``unilateral`` (both sides equal, so bilateral = 2u - neck)."""
    neck = min(10, unilateral)
    side = spread(unilateral - neck, 7, 10)
    return mmt(neck, side, side)


def mmt_bilateral_of(neck: int, right: int, left: int) -> dict:
    return mmt(neck, spread(right, 7, 10), spread(left, 7, 10))


def chaq(scores, **flags) -> dict:
    """8 domain scores in DOMAINS order: int -> first item that score, the rest 0;
    None -> domain not answered; "na" -> every item not applicable."""
    out = {}
    for domain, score in zip(DOMAINS, scores):
        items = CHAQ_ITEMS[domain]
        if score is None:
            continue
        if score == "na":
            out.update({n: "na" for n in items})
            continue
        out[items[0]] = score
        out.update({n: 0 for n in items[1:]})
    out.update(flags)
    return out


def chaq_eighths(n: int) -> dict:
    """All 8 domains scored with domain scores adding to ``n`` (so DI = n/8)."""
    return chaq(spread(n, 8, 3))


def visit(phys=None, parent=None, mmt_total=None, cmas_total=None, chaq_sum=None,
          extra=None, das=None, chq=None, **more) -> dict:
    v: dict = {}
    for name, value in (("phys_global", phys), ("parent_global", parent),
                        ("extramuscular_global", extra), ("chq_phs", chq)):
        if value is not None:
            v[name] = D(value)
    if mmt_total is not None:
        v.update(mmt_of(mmt_total))
    if cmas_total is not None:
        v.update(cmas_total_of(cmas_total))
    if chaq_sum is not None:
        v.update(chaq_eighths(chaq_sum))
    if das is not None:
        skin = min(9, das)
        v.update(das_skin=skin, das_muscle=das - skin)
    for k, val in more.items():
        v[k] = D(val) if isinstance(val, str) else val
    return v


def score(values, name):
    return scoring.score_visit(values)[name]


# --------------------------------------------------------------------------------------------
# CMAS (spec section 1; convention 2)
# --------------------------------------------------------------------------------------------
OTHER_11_MAX = {n: m for n, m in zip(CMAS_NAMES, CMAS_MAXIMA)
                if n not in ("cmas_head_elevation", "cmas_straight_leg_lift",
                             "cmas_arm_raise_duration")}
# the 11 untimed items at maximum: 2+3+6+3+3+3+4+4+4+3+3 = 38

CMAS_CASES = [
    # id, values, expected total (None = missing)
    ("all-maxima", cmas(CMAS_MAXIMA), 52),
    ("all-zero-is-0-not-missing", cmas([0] * 14), 0),
    # seconds only: head 125 s -> 5 (>= 120), SLL 9 s -> 1 (1-9), arm 600 s -> 4 (item 8 cap)
    # 38 + 5 + 1 + 4 = 48
    ("seconds-only-125-9-600", {**OTHER_11_MAX, "cmas_head_elevation_sec": 125,
                                "cmas_straight_leg_lift_sec": 9,
                                "cmas_arm_raise_duration_sec": 600}, 48),
    # 0 s = unable -> 0 for all three: 38 + 0 = 38
    ("seconds-only-all-0", {**OTHER_11_MAX, "cmas_head_elevation_sec": 0,
                            "cmas_straight_leg_lift_sec": 0,
                            "cmas_arm_raise_duration_sec": 0}, 38),
    # head 10 s -> 2, SLL 119 s -> 4, arm 59 s -> 3: 38 + 9 = 47
    ("seconds-only-10-119-59", {**OTHER_11_MAX, "cmas_head_elevation_sec": 10,
                                "cmas_straight_leg_lift_sec": 119,
                                "cmas_arm_raise_duration_sec": 59}, 47),
    # head 1 s -> 1, SLL 29 s -> 2, arm 120 s -> 4 (cap, not 5): 38 + 7 = 45
    ("seconds-only-1-29-120-cap", {**OTHER_11_MAX, "cmas_head_elevation_sec": 1,
                                   "cmas_straight_leg_lift_sec": 29,
                                   "cmas_arm_raise_duration_sec": 120}, 45),
    # head 30 s -> 3, SLL 60 s -> 4, arm 60 s -> 4: 38 + 11 = 49
    ("seconds-only-30-60-60", {**OTHER_11_MAX, "cmas_head_elevation_sec": 30,
                               "cmas_straight_leg_lift_sec": 60,
                               "cmas_arm_raise_duration_sec": 60}, 49),
    # item 8 score missing and no seconds for it -> total missing (13 of 14)
    ("one-timed-item-missing", {**OTHER_11_MAX, "cmas_head_elevation": 5,
                                "cmas_straight_leg_lift": 5}, None),
    # item 14 missing -> missing, even though the other 13 sum to 49
    ("untimed-item-missing", cmas([*CMAS_MAXIMA[:13], None]), None),
    ("nothing", {}, None),
]


@pytest.mark.parametrize("case_id, values, expected", CMAS_CASES,
                         ids=[c[0] for c in CMAS_CASES])
def test_cmas_total(case_id, values, expected):
    s = score(values, "cmas_total")
    assert s.value == expected
    if expected is None:
        assert s.missing_reason.startswith("CMAS")
    assert s.rule_version


@pytest.mark.parametrize("item, seconds, expected", [
    ("cmas_arm_raise_duration", 119, 4), ("cmas_arm_raise_duration", 120, 4),
    ("cmas_arm_raise_duration", 3600, 4), ("cmas_arm_raise_duration", 9, 1),
    ("cmas_head_elevation", 120, 5), ("cmas_head_elevation", 119, 4),
    ("cmas_straight_leg_lift", 1, 1), ("cmas_straight_leg_lift", 0, 0),
    ("cmas_straight_leg_lift", 30, 3), ("cmas_head_elevation", 29, 2),
])
def test_cmas_seconds_bands(item, seconds, expected):
    assert scoring.cmas_item_from_seconds(item, seconds) == expected


def test_check_visit_derives_item_from_seconds_and_rejects_disagreement():
    ok = validation.check_visit({"cmas_arm_raise_duration_sec": 125})
    assert ok.ok and ok.values["cmas_arm_raise_duration"] == 4  # capped at 4
    bad = validation.check_visit({"cmas_head_elevation_sec": 125, "cmas_head_elevation": 4})
    assert not bad.ok  # 125 s scores 5, not 4
    agree = validation.check_visit({"cmas_head_elevation_sec": 9, "cmas_head_elevation": 1})
    assert agree.ok


# --------------------------------------------------------------------------------------------
# MMT-8 (spec section 2.3; conventions 2 and 3)
# --------------------------------------------------------------------------------------------
R = [8, 8, 8, 8, 8, 8, 8]  # right sum 56
L = [10, 9, 10, 9, 10, 9, 10]  # left sum 67

MMT_CASES = [
    # id, values, unilateral, side, bilateral
    ("complete-right-used", mmt(9, R, L), 65, "right", 132),  # 9+56; 9+56+67
    # right deltoid missing -> left side: 9 + 67 = 76; bilateral incomplete
    ("right-incomplete-left-used", mmt(9, [None, *R[1:]], L), 76, "left", None),
    # right has no grades at all -> left: 9 + 67 = 76
    ("right-absent-left-used", mmt(9, None, L), 76, "left", None),
    # right biceps and left quadriceps missing -> neither side -> missing
    ("both-incomplete", mmt(9, [8, None, 8, 8, 8, 8, 8], [10, 9, 10, 9, 10, None, 10]),
     None, None, None),
    # neck missing, both sides complete -> unilateral and bilateral missing
    ("neck-missing", mmt(None, R, L), None, None, None),
    # all 0 (trace is graded 0): 0, not missing
    ("all-zero", mmt(0, [0] * 7, [0] * 7), 0, "right", 0),
    ("all-ten", mmt(10, [10] * 7, [10] * 7), 80, "right", 150),
    # only right complete: 7 + 56 = 63; bilateral missing
    ("only-right", mmt(7, R, None), 63, "right", None),
]


@pytest.mark.parametrize("case_id, values, total, side, bilateral", MMT_CASES,
                         ids=[c[0] for c in MMT_CASES])
def test_mmt8(case_id, values, total, side, bilateral):
    scores = scoring.score_visit(values)
    assert scores["mmt8_total"].value == total
    assert scores["mmt8_side"].value == side
    assert scores["mmt8_bilateral"].value == bilateral
    for name in ("mmt8_total", "mmt8_side", "mmt8_bilateral"):
        assert scores[name].rule_version
        if scores[name].value is None:
            assert scores[name].missing_reason


# --------------------------------------------------------------------------------------------
# CHAQ DI (spec section 4; convention 4); domains in order dressing, arising, eating, walking,
# hygiene, reach, grip, activities
# --------------------------------------------------------------------------------------------
CHAQ_CASES = [
    ("all-zero", chaq([0] * 8), D("0")),
    ("all-three", chaq([3] * 8), D("3")),
    # aid dressing raises 0 -> 2, help arising raises 1 -> 2, aid eating leaves 3 at 3:
    # 2 + 2 + 3 + 0*5 = 7 -> 7/8 = 0.875
    ("aids-raise-0-and-1-not-3",
     chaq([0, 1, 3, 0, 0, 0, 0, 0], chaq_aid_dressing=True, chaq_help_arising=True,
          chaq_aid_eating=True), D("0.875")),
    # aid flag False changes nothing: 1/8 = 0.125
    ("aid-false", chaq([1, 0, 0, 0, 0, 0, 0, 0], chaq_aid_dressing=False), D("0.125")),
    # activities all NA -> 7 domains; dressing 2, walking ("na", 1) -> 1: 3/7 = 0.428571.. -> 0.429
    ("na-items-and-na-domain",
     {**chaq([2, 0, 0, None, 0, 0, 0, "na"]), "chaq_walk": "na", "chaq_steps": 1},
     D("0.429")),
    # eating and grip all NA, help in grip (no rated item -> not scored); 6 scored:
    # 3 + 2 + 1 + 1 + 1 + 3 = 11 -> 11/6 = 1.8333.. -> 1.833
    ("whole-domains-na-help-unrated-domain",
     chaq([3, 2, "na", 1, 1, 1, "na", 3], chaq_help_grip=True), D("1.833")),
    # exactly 5 scored domains -> missing (an aid on an unanswered domain adds nothing)
    ("five-domains", chaq([1, 1, 1, 1, 1, None, None, None], chaq_aid_reach=True), None),
    ("five-domains-three-na", chaq([1, 1, 1, 1, 1, "na", "na", "na"]), None),
    # exactly 6 scored: 1/6 = 0.16666.. -> 0.167 (rounds up at the 3rd decimal)
    ("six-domains-1/6", chaq([1, 0, None, 0, 0, 0, None, 0]), D("0.167")),
    # 6 scored: 5/6 = 0.8333.. -> 0.833
    ("six-domains-5/6", chaq([2, 1, 1, 1, None, 0, None, 0]), D("0.833")),
    # 7 scored: 3+3+2+1+1+0+0 = 10 -> 10/7 = 1.428571.. -> 1.429
    ("seven-domains-10/7", chaq([3, 3, 2, 1, 1, 0, 0, None]), D("1.429")),
    # 7 scored: 6/7 = 0.857142.. -> 0.857
    ("seven-domains-6/7", chaq([1, 1, 1, 1, 1, 1, None, 0]), D("0.857")),
    # 7 scored: 13/7 = 1.857142.. -> 1.857 (help raises walking 0 -> 2: 3+3+3+2+1+1+0 = 13)
    ("seven-domains-13/7-help", chaq([3, 3, 3, 0, 1, 1, 0, None], chaq_help_walking=True),
     D("1.857")),
    # 6 scored with an item of 3 and "na" mixed in: dressing ("na",3,...) -> 3; 3+1+1+1+1+0 = 7
    # -> 7/6 = 1.1666.. -> 1.167
    ("six-domains-7/6-na-mixed",
     {**chaq([None, 1, 1, 1, 1, 0, None, None]), "chaq_dress": "na", "chaq_shampoo": 3},
     D("1.167")),
]


@pytest.mark.parametrize("case_id, values, expected", CHAQ_CASES,
                         ids=[c[0] for c in CHAQ_CASES])
def test_chaq_di(case_id, values, expected):
    s = score(values, "chaq_di")
    assert s.value == expected
    if expected is None:
        assert "CHAQ" in s.missing_reason
    else:
        assert isinstance(s.value, D)
        assert s.value.as_tuple().exponent == -3  # stored with 3 decimals
    assert s.rule_version


# --------------------------------------------------------------------------------------------
# CDASI v2 (spec section 3a; convention 2 exception)
# --------------------------------------------------------------------------------------------
LOCS = ("scalp", "malar", "periorbital", "face", "v_neck", "post_neck", "upper_back",
        "back_buttocks", "abdomen", "lat_thigh", "leg_feet", "arm", "mechanics_hand",
        "dorsal_hand", "gottron_other")
ALL_MAX_CDASI = {
    **{f"cdasi_{loc}_{part}": m for loc in LOCS
       for part, m in (("ery", 3), ("scale", 2), ("eros", 1), ("poik", 1), ("calc", 1))},
    "cdasi_gottron_hand_ery": 3, "cdasi_gottron_hand_papules": True,
    "cdasi_gottron_hand_ulc": 1, "cdasi_gottron_hand_damage": 2, "cdasi_periungual": 2,
    "cdasi_alopecia": 1,
}

CDASI_CASES = [
    # id, values, activity, damage
    ("one-field-only", {"cdasi_scalp_ery": 2}, 2, 0),
    ("one-damage-field-only", {"cdasi_arm_calc": 1}, 0, 1),
    ("papules-flag-only", {"cdasi_gottron_hand_papules": True}, 0, 0),
    ("a-zero-entered", {"cdasi_alopecia": 0}, 0, 0),
    # hands: erythema 3 doubled = 6, + ulceration 1 = 7; damage scarring 2
    ("hands-papules-scarring", {"cdasi_gottron_hand_ery": 3, "cdasi_gottron_hand_papules": True,
                                "cdasi_gottron_hand_ulc": 1, "cdasi_gottron_hand_damage": 2},
     7, 2),
    # no papules: erythema 3 counted once
    ("hands-no-papules", {"cdasi_gottron_hand_ery": 3, "cdasi_gottron_hand_papules": False},
     3, 0),
    # papules present, erythema 1 -> 2; periungual 1; malar erythema 2 + scale 2: 2+1+4 = 7
    ("papules-ery1-plus-others", {"cdasi_gottron_hand_ery": 1, "cdasi_gottron_hand_papules": True,
                                  "cdasi_periungual": 1, "cdasi_malar_ery": 2,
                                  "cdasi_malar_scale": 2}, 7, 0),
    # damage: poik at malar, upper back, arm (3) + calc at arm, leg (2) + hands 2 = 7
    ("damage-mix", {"cdasi_malar_poik": 1, "cdasi_upper_back_poik": 1, "cdasi_arm_poik": 1,
                    "cdasi_arm_calc": 1, "cdasi_leg_feet_calc": 1,
                    "cdasi_gottron_hand_damage": 2}, 0, 7),
    # 15 x 6 + 7 + 2 + 1 = 100; 15 x 2 + 2 = 32
    ("all-maxima", ALL_MAX_CDASI, 100, 32),
    ("nothing-entered", {"phys_global": D("1.0")}, None, None),
]


@pytest.mark.parametrize("case_id, values, activity, damage", CDASI_CASES,
                         ids=[c[0] for c in CDASI_CASES])
def test_cdasi(case_id, values, activity, damage):
    scores = scoring.score_visit(values)
    assert scores["cdasi_activity"].value == activity
    assert scores["cdasi_damage"].value == damage
    assert scores["cdasi_activity"].rule_version and scores["cdasi_damage"].rule_version


# --------------------------------------------------------------------------------------------
# DAS and steroid mg/kg/day (spec 3b; convention 8)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, expected", [
    ({"das_skin": 9, "das_muscle": 11}, 20),
    ({"das_skin": 0, "das_muscle": 0}, 0),
    ({"das_muscle": 7}, None),  # skin subscale missing
    ({"das_skin": 4}, None),
])
def test_das_total(values, expected):
    s = score(values, "das_total")
    assert s.value == expected and s.rule_version
    if expected is None:
        assert s.missing_reason


@pytest.mark.parametrize("dose, weight, expected", [
    ("60", "32.5", D("1.846")),  # 60/32.5 = 1.8461538.. -> 1.846
    ("2.01", "4", D("0.503")),  # 2.01/4 = 0.5025 exactly -> half-up 0.503 (not 0.502)
    ("10", "8", D("1.250")),  # 1.25
    ("1", "1.5", D("0.667")),  # 0.6666.. -> 0.667
    ("25", "30", D("0.833")),  # 0.8333.. -> 0.833
    ("0", "20", D("0.000")),  # no steroid: 0, not missing
    ("5", None, None),  # weight missing at the visit -> missing
    (None, "20", None),
])
def test_steroid_mg_kg_day(dose, weight, expected):
    values = {}
    if dose is not None:
        values["steroid_mg_day"] = D(dose)
    if weight is not None:
        values["weight_kg"] = D(weight)
    s = score(values, "steroid_mg_kg_day")
    assert s.value == expected and s.rule_version
    if expected is not None:
        assert s.value.as_tuple().exponent == -3


# --------------------------------------------------------------------------------------------
# PRINTO CID (spec section 8; convention 7)
# --------------------------------------------------------------------------------------------
MMT_78 = mmt(10, [10, 10, 10, 10, 10, 9, 9], [10] * 7)  # 10 + 68 = 78 (right side)
MMT_77 = mmt(10, [10, 10, 10, 10, 9, 9, 9], [10] * 7)  # 10 + 67 = 77
MMT_78_LEFT = mmt(10, [10, None, 10, 10, 10, 10, 10], [10, 10, 10, 10, 10, 9, 9])  # 78 (left)


def cid_visit(ck=None, cmas_t=None, mmt_vals=None, phys=None) -> dict:
    v = {}
    if ck is not None:
        v["ck"] = D(ck)
    if cmas_t is not None:
        v.update(cmas_total_of(cmas_t))
    if mmt_vals is not None:
        v.update(mmt_vals)
    if phys is not None:
        v["phys_global"] = D(phys)
    return v


CID_CASES = [
    # CK 150 ok, CMAS 47 no, MMT 77 no, PhGA 0.2 ok -> 2 -> no
    ("150-47-77-0.2", cid_visit("150", 47, MMT_77, "0.2"), "no"),
    # CK 150.1 no, CMAS 48 ok, MMT 78 ok, PhGA 0.3 no -> 2 -> no
    ("150.1-48-78-0.3", cid_visit("150.1", 48, MMT_78, "0.3"), "no"),
    # CK 150.1 no, CMAS 48, MMT 78, PhGA 0.2 -> 3 -> yes
    ("150.1-48-78-0.2", cid_visit("150.1", 48, MMT_78, "0.2"), "yes"),
    # all four met at the edges
    ("all-edges", cid_visit("150", 48, MMT_78, "0.2"), "yes"),
    # CK missing, 2 met (CMAS, MMT), PhGA 0.3 -> 2 + 1 unknown = 3 possible -> indeterminate
    ("ck-missing-2-met", cid_visit(None, 48, MMT_78, "0.3"), "indeterminate"),
    # CK missing, CMAS 47, MMT 77, PhGA 0.1 -> 1 met + 1 unknown = 2 -> no
    ("ck-missing-1-met", cid_visit(None, 47, MMT_77, "0.1"), "no"),
    ("all-missing", {}, "indeterminate"),  # 0 met + 4 unknown
    # CK 160 no, CMAS/MMT missing, PhGA 0.2 -> 1 + 2 unknown = 3 -> indeterminate
    ("two-unknown-one-met", cid_visit("160", None, None, "0.2"), "indeterminate"),
    # CK 160 no, CMAS 47 no, MMT and PhGA missing -> 0 + 2 = 2 -> no
    ("two-unknown-none-met", cid_visit("160", 47, None, None), "no"),
    # CMAS incomplete (13 items) counts as unknown: CK 150, PhGA 0.0 met, MMT missing ->
    # 2 + 2 unknown -> indeterminate
    ("cmas-incomplete", {"ck": D("150"), "phys_global": D("0.0"),
                         **cmas([*CMAS_MAXIMA[:13], None])}, "indeterminate"),
    # MMT from the left side (right incomplete) = 78 counts: CK 100 + MMT + PhGA 0.1 -> yes
    ("mmt-left-side", cid_visit("100", None, MMT_78_LEFT, "0.1"), "yes"),
    # CK 150, CMAS 52, MMT missing, PhGA 0.3 -> 2 met + 1 unknown -> indeterminate
    ("mmt-missing-2-met", cid_visit("150", 52, None, "0.3"), "indeterminate"),
]


@pytest.mark.parametrize("case_id, values, expected", CID_CASES, ids=[c[0] for c in CID_CASES])
def test_cid(case_id, values, expected):
    result = scoring.clinically_inactive_disease(values)
    assert result.status == expected
    assert result.rule_version
    s = score(values, "printo_cid")
    assert s.value == expected and s.rule_version


# --------------------------------------------------------------------------------------------
# ACR/EULAR 2016 TIS (spec section 7; convention 5). Range-scaled % for PhGA, parent,
# extramuscular (range 10), CHAQ (3), MMT-8 (80) / bilateral (150) / CMAS (52); the enzyme is
# relative to baseline. Points by row: general (<=5, >5-15, >15-25, >25-40, >40):
# PhGA 0/7.5/15/17.5/20, parent 0/2.5/5/7.5/10, CHAQ 0/5/7.5/7.5/10, enzyme 0/2.5/5/7.5/7.5,
# extramuscular 0/7.5/12.5/15/20; muscle (<=2, >2-10, >10-20, >20-30, >30): 0/10/20/27.5/32.5.
# CHAQ values are given as the sum of the 8 domain scores (DI = sum/8).
# --------------------------------------------------------------------------------------------
ROWS = ("phys_global", "parent_global", "muscle", "chaq", "enzyme", "extramuscular")
JDM = ScoringSettings()
ADULT = ScoringSettings(thresholds="adult")
BILATERAL = ScoringSettings(tis_muscle_measure="mmt8_bilateral")

TIS_CASES = [
    # id, baseline, follow-up, settings, expected points per row (None = missing), tis, category
    ("edges-5-15-10-25-40-5",
     # PhGA 8.0->7.5 = 0.5/10 = 5 % -> 0; parent 6.0->4.5 = 15 % -> 2.5; MMT 40->48 = 8/80 =
     # 10 % -> 10; CHAQ 16/8 -> 10/8: (6/8)/3 = 25 % -> 7.5; CK 1000->600 = 40 % -> 7.5;
     # extramuscular 5.0->4.5 = 5 % -> 0. Sum 27.5 -> none
     visit("8.0", "6.0", 40, None, 16, "5.0", ck="1000", ck_uln="200"),
     visit("7.5", "4.5", 48, None, 10, "4.5", ck="600"),
     JDM, ("0", "2.5", "10", "7.5", "7.5", "0"), "27.5", "none"),
    ("just-above-5-15-10-25-40",
     # PhGA 8.0->7.4 = 6 % -> 7.5; parent 6.0->4.4 = 16 % -> 5; MMT 40->49 = 11.25 % -> 20;
     # CHAQ 16->9: (7/8)/3 = 29.17 % -> 7.5; CK 1000->599 = 40.1 % -> 7.5; extra 5.0->4.4 =
     # 6 % -> 7.5. Sum 55 -> moderate
     visit("8.0", "6.0", 40, None, 16, "5.0", ck="1000", ck_uln="200"),
     visit("7.4", "4.4", 49, None, 9, "4.4", ck="599"),
     JDM, ("7.5", "5", "20", "7.5", "7.5", "7.5"), "55", "moderate"),
    ("edges-25-40-20",
     # PhGA 6.0->3.5 = 25 % -> 15; parent 6.0->2.0 = 40 % -> 7.5; MMT 40->56 = 20 % -> 20;
     # CHAQ 16->15 = (1/8)/3 = 4.17 % -> 0; CK 1000->750 = 25 % -> 5; extra 6.0->2.0 = 40 % ->
     # 15. Sum 62.5 -> moderate
     visit("6.0", "6.0", 40, None, 16, "6.0", ck="1000", ck_uln="200"),
     visit("3.5", "2.0", 56, None, 15, "2.0", ck="750"),
     JDM, ("15", "7.5", "20", "0", "5", "15"), "62.5", "moderate"),
    ("just-above-25-40-20",
     # PhGA 6.0->3.4 = 26 % -> 17.5; parent 6.0->1.9 = 41 % -> 10; MMT 40->57 = 21.25 % ->
     # 27.5; CHAQ 16->6: (10/8)/3 = 41.67 % -> 10; CK 1000->749 = 25.1 % -> 7.5; extra 6.0->1.9
     # = 41 % -> 20. Sum 92.5 -> major
     visit("6.0", "6.0", 40, None, 16, "6.0", ck="1000", ck_uln="200"),
     visit("3.4", "1.9", 57, None, 6, "1.9", ck="749"),
     JDM, ("17.5", "10", "27.5", "10", "7.5", "20"), "92.5", "major"),
    ("edges-15-and-muscle-30",
     # PhGA 5.0->3.5 = 15 % -> 7.5; parent 5.0->3.4 = 16 % -> 5; MMT 40->64 = 24/80 = 30 % ->
     # 27.5; CHAQ 16->12: (4/8)/3 = 16.67 % -> 7.5; CK 1000->850 = 15 % -> 2.5; extra 5.0->3.5
     # = 15 % -> 7.5. Sum 57.5 -> moderate
     visit("5.0", "5.0", 40, None, 16, "5.0", ck="1000", ck_uln="200"),
     visit("3.5", "3.4", 64, None, 12, "3.5", ck="850"),
     JDM, ("7.5", "5", "27.5", "7.5", "2.5", "7.5"), "57.5", "moderate"),
    ("worsening-rows-and-muscle-above-30",
     # PhGA 5->6 worse -> 0; parent 3->5 worse -> 0; MMT 40->65 = 31.25 % -> 32.5; CHAQ 8->12
     # worse -> 0; CK 1000->2000 worse -> 0; extra 4->4 = 0 % -> 0. Sum 32.5 -> minimal
     visit("5.0", "3.0", 40, None, 8, "4.0", ck="1000", ck_uln="200"),
     visit("6.0", "5.0", 65, None, 12, "4.0", ck="2000"),
     JDM, ("0", "0", "32.5", "0", "0", "0"), "32.5", "minimal"),
    ("muscle-edge-2-percent-of-52-cmas",
     # CMAS setting: CMAS 30->31 = 1/52 = 1.92 % -> 0; PhGA 5->3 = 20 % -> 15; others 0 % -> 0
     visit("5.0", "5.0", None, 30, 8, "5.0", ck="1000", ck_uln="200"),
     visit("3.0", "5.0", None, 31, 8, "5.0", ck="1000"),
     ScoringSettings(tis_muscle_measure="cmas"), ("15", "0", "0", "0", "0", "0"), "15", "none"),
    ("cmas-3.85-percent",
     # CMAS 30->32 = 2/52 = 3.85 % -> 10; PhGA 20 % -> 15 -> 25 -> none
     visit("5.0", "5.0", None, 30, 8, "5.0", ck="1000", ck_uln="200"),
     visit("3.0", "5.0", None, 32, 8, "5.0", ck="1000"),
     ScoringSettings(tis_muscle_measure="cmas"), ("15", "0", "10", "0", "0", "0"), "25",
     "none"),
    ("cmas-fallback-mmt-missing-at-follow-up",
     # MMT-8 (setting) missing at follow-up, CMAS at both -> CMAS: 30->40 = 10/52 = 19.23 % ->
     # 20; PhGA 5->3 = 20 % -> 15; others 0. Sum 35 -> minimal
     {**visit("5.0", "5.0", 60, 30, 8, "5.0", ck="1000", ck_uln="200")},
     visit("3.0", "5.0", None, 40, 8, "5.0", ck="1000"),
     JDM, ("15", "0", "20", "0", "0", "0"), "35", "minimal"),
    ("mmt-missing-cmas-only-at-one-visit",
     # MMT missing at follow-up and CMAS missing at baseline -> no muscle row -> indeterminate
     visit("5.0", "5.0", 60, None, 8, "5.0", ck="1000", ck_uln="200"),
     visit("3.0", "5.0", None, 40, 8, "5.0", ck="1000"),
     JDM, ("15", "0", None, "0", "0", "0"), None, "indeterminate"),
    ("phys-global-missing-rest-max",
     # PhGA missing at follow-up -> indeterminate even though the other rows give 80
     # (parent 10->0 = 100 % -> 10; MMT 0->80 -> 32.5; CHAQ 24->0 -> 10; CK -> 7.5; extra 20)
     visit("10.0", "10.0", 10, None, 24, "10.0", ck="5000", ck_uln="200"),
     visit(None, "0.0", 80, None, 0, "0.0", ck="100"),
     JDM, (None, "10", "32.5", "10", "7.5", "20"), None, "indeterminate"),
    ("chaq-missing-moderate-determinate",
     # PhGA 6.0->3.5 = 25 % -> 15; parent 5->5 -> 0; MMT 40->56 = 20 % -> 20; CHAQ missing at
     # follow-up; CK 1000->850 = 15 % -> 2.5; extra 5.0->4.4 = 6 % -> 7.5. Partial 45 ->
     # moderate; + CHAQ max 10 = 55 < 70 -> moderate
     visit("6.0", "5.0", 40, None, 16, "5.0", ck="1000", ck_uln="200"),
     visit("3.5", "5.0", 56, None, None, "4.4", ck="850"),
     JDM, ("15", "0", "20", None, "2.5", "7.5"), "45", "moderate"),
    ("chaq-missing-major-reachable-at-exactly-70",
     # PhGA 6.0->3.4 = 26 % -> 17.5; parent 6.0->4.4 = 16 % -> 5; MMT 40->57 -> 27.5; CHAQ
     # missing; CK 1000->850 -> 2.5; extra 5.0->4.4 -> 7.5. Partial 60 (moderate); 60 + 10 =
     # 70 reaches major -> indeterminate
     visit("6.0", "6.0", 40, None, None, "5.0", ck="1000", ck_uln="200"),
     visit("3.4", "4.4", 57, None, 16, "4.4", ck="850"),
     JDM, ("17.5", "5", "27.5", None, "2.5", "7.5"), "60", "indeterminate"),
    ("chaq-missing-major-out-of-reach",
     # as above but parent 6.0->4.5 = 15 % -> 2.5: partial 57.5, + 10 = 67.5 < 70 -> moderate
     visit("6.0", "6.0", 40, None, None, "5.0", ck="1000", ck_uln="200"),
     visit("3.4", "4.5", 57, None, 16, "4.4", ck="850"),
     JDM, ("17.5", "2.5", "27.5", None, "2.5", "7.5"), "57.5", "moderate"),
    ("no-enzyme-minimal-possible",
     # no enzyme at baseline; PhGA 5->3.5 = 15 % -> 7.5; parent 0; MMT 40->48 -> 10; CHAQ
     # 16->10 = 25 % -> 7.5; extra 5.0->4.5 = 5 % -> 0. Partial 25; + 7.5 = 32.5 >= 30 ->
     # indeterminate
     visit("5.0", "5.0", 40, None, 16, "5.0"),
     visit("3.5", "5.0", 48, None, 10, "4.5"),
     JDM, ("7.5", "0", "10", "7.5", None, "0"), "25", "indeterminate"),
    ("no-enzyme-none-determinate",
     # as above but CHAQ 16->15 -> 0: partial 17.5; + 7.5 = 25 < 30 -> none
     visit("5.0", "5.0", 40, None, 16, "5.0"),
     visit("3.5", "5.0", 48, None, 15, "4.5"),
     JDM, ("7.5", "0", "10", "0", None, "0"), "17.5", "none"),
    ("selected-enzyme-missing-at-follow-up",
     # baseline CK 1000/200 = 5x, LDH 300/250 = 1.2x; follow-up has only LDH. REVISED
     # convention 5 (instruments.md 0.5): the enzyme is chosen among those measured at BOTH
     # visits -> LDH, 300 -> 200 = 33.3 % relative -> 7.5 (was: CK chosen, row missing, 57.5).
     # Other rows as edges-25-40-20: 15+7.5+20+0+15 = 57.5; + 7.5 = 65 < 70 -> moderate
     visit("6.0", "6.0", 40, None, 16, "6.0", ck="1000", ck_uln="200", ldh="300",
           ldh_uln="250"),
     visit("3.5", "2.0", 56, None, 15, "2.0", ldh="200"),
     JDM, ("15", "7.5", "20", "0", "7.5", "15"), "65", "moderate"),
    ("adult-20-is-minimal",
     # PhGA 5->3 = 20 % -> 15; parent 5->4.4 = 6 % -> 2.5; CK 1000->900 = 10 % -> 2.5; rest 0
     # -> 20: adult minimal (>= 20), JDM none
     visit("5.0", "5.0", 40, None, 8, "5.0", ck="1000", ck_uln="200"),
     visit("3.0", "4.4", 40, None, 8, "5.0", ck="900"),
     ADULT, ("15", "2.5", "0", "0", "2.5", "0"), "20", "minimal"),
    ("jdm-20-is-none",
     visit("5.0", "5.0", 40, None, 8, "5.0", ck="1000", ck_uln="200"),
     visit("3.0", "4.4", 40, None, 8, "5.0", ck="900"),
     JDM, ("15", "2.5", "0", "0", "2.5", "0"), "20", "none"),
    ("adult-40-is-moderate",
     # PhGA 20 % -> 15; parent 6 % -> 2.5; MMT 40->56 = 20 % -> 20; CK 15 % -> 2.5 -> 40
     visit("5.0", "5.0", 40, None, 8, "5.0", ck="1000", ck_uln="200"),
     visit("3.0", "4.4", 56, None, 8, "5.0", ck="850"),
     ADULT, ("15", "2.5", "20", "0", "2.5", "0"), "40", "moderate"),
    ("adult-60-is-major",
     # PhGA 5->0.9 = 41 % -> 20; MMT 40->56 -> 20; CHAQ 16->12 = 16.67 % -> 7.5; extra
     # 5->3.4 = 16 % -> 12.5; parent, CK unchanged -> 60: adult major, JDM moderate
     visit("5.0", "5.0", 40, None, 16, "5.0", ck="1000", ck_uln="200"),
     visit("0.9", "5.0", 56, None, 12, "3.4", ck="1000"),
     ADULT, ("20", "0", "20", "7.5", "0", "12.5"), "60", "major"),
    ("jdm-60-is-moderate",
     visit("5.0", "5.0", 40, None, 16, "5.0", ck="1000", ck_uln="200"),
     visit("0.9", "5.0", 56, None, 12, "3.4", ck="1000"),
     JDM, ("20", "0", "20", "7.5", "0", "12.5"), "60", "moderate"),
    ("enzyme-baseline-zero-scores-0",
     # CK 0 at baseline (only enzyme) -> selected, percent undefined -> 0 points, row counted;
     # PhGA 5->3 -> 15; rest 0 -> 15 none with 6 measures
     visit("5.0", "5.0", 40, None, 8, "5.0", ck="0", ck_uln="200"),
     visit("3.0", "5.0", 40, None, 8, "5.0", ck="50"),
     JDM, ("15", "0", "0", "0", "0", "0"), "15", "none"),
]


def _bilateral_case(case_id, follow_bilateral, muscle_pts, tis, category):
    # Bilateral setting, range 150. Baseline bilateral = 10 + 45 + 45 = 100. PhGA 5->3 = 20 %
    # -> 15; every other row unchanged -> 0. TIS = 15 + muscle points.
    right = (follow_bilateral - 10) // 2
    left = follow_bilateral - 10 - right
    return (case_id,
            {**visit("5.0", "5.0", None, None, 8, "5.0", ck="1000", ck_uln="200"),
             **mmt_bilateral_of(10, 45, 45)},
            {**visit("3.0", "5.0", None, None, 8, "5.0", ck="1000"),
             **mmt_bilateral_of(10, right, left)},
            BILATERAL, ("15", "0", muscle_pts, "0", "0", "0"), tis, category)


TIS_CASES += [
    _bilateral_case("bilateral-100-103-2pct", 103, "0", "15", "none"),  # 3/150 = 2 %
    _bilateral_case("bilateral-100-104", 104, "10", "25", "none"),  # 2.67 %
    _bilateral_case("bilateral-100-115-10pct", 115, "10", "25", "none"),  # 15/150 = 10 %
    _bilateral_case("bilateral-100-116", 116, "20", "35", "minimal"),  # 10.67 %
    _bilateral_case("bilateral-100-130-20pct", 130, "20", "35", "minimal"),  # 20 %
    _bilateral_case("bilateral-100-131", 131, "27.5", "42.5", "minimal"),  # 20.67 %
    _bilateral_case("bilateral-100-145-30pct", 145, "27.5", "42.5", "minimal"),  # 30 %
    _bilateral_case("bilateral-100-146", 146, "32.5", "47.5", "moderate"),  # 30.67 %
]


@pytest.mark.parametrize("case_id, base, follow, settings, points, tis, category", TIS_CASES,
                         ids=[c[0] for c in TIS_CASES])
def test_tis(case_id, base, follow, settings, points, tis, category):
    result = response.total_improvement_score(base, follow, settings)
    got = {r.key: r.points for r in result.rows}
    want = {k: (None if p is None else D(p)) for k, p in zip(ROWS, points)}
    assert got == want
    assert result.category == category
    assert result.tis == (None if tis is None else D(tis))
    assert result.measures == sum(p is not None for p in points)
    assert result.rule_version


def test_tis_muscle_measure_reported():
    base = visit("5.0", "5.0", 60, 30, 8, "5.0", ck="1000", ck_uln="200")
    follow = visit("3.0", "5.0", None, 40, 8, "5.0", ck="1000")
    assert response.total_improvement_score(base, follow, JDM).muscle_measure == "cmas"
    follow_mmt = visit("3.0", "5.0", 64, 40, 8, "5.0", ck="1000")
    assert response.total_improvement_score(base, follow_mmt, JDM).muscle_measure == "mmt8"
    bil = response.total_improvement_score(base, follow_mmt, BILATERAL)
    assert bil.muscle_measure == "mmt8_bilateral"


ENZYME_CASES = [
    # id, baseline labs, follow-up labs, expected enzyme, expected enzyme points
    # CK 400/200 = 2x, LDH 900/300 = 3x, AST 100/40 = 2.5x -> LDH; 900->800 = 11.1 % -> 2.5
    ("highest-ratio-ldh", dict(ck="400", ck_uln="200", ldh="900", ldh_uln="300", ast="100",
                               ast_uln="40"),
     dict(ck="100", ldh="800", ast="40"), "ldh", "2.5"),
    # CK 400/200 = 2x tie LDH 500/250 = 2x -> CK (tie order); CK 400->300 = 25 % -> 5
    ("tie-ck-beats-ldh", dict(ck="400", ck_uln="200", ldh="500", ldh_uln="250"),
     dict(ck="300", ldh="250"), "ck", "5"),
    # aldolase 16/8 = 2x tie LDH 500/250 -> aldolase (before LDH); 16->12 = 25 % -> 5
    ("tie-aldolase-beats-ldh", dict(aldolase="16", aldolase_uln="8", ldh="500", ldh_uln="250"),
     dict(aldolase="12", ldh="100"), "aldolase", "5"),
    # AST 80/40 = 2x tie ALT 80/40 -> AST; 80->60 = 25 % -> 5
    ("tie-ast-beats-alt", dict(ast="80", ast_uln="40", alt="80", alt_uln="40"),
     dict(ast="60", alt="10"), "ast", "5"),
    # local ALT ULN 25: ALT 100/25 = 4x vs CK 600/default 200 = 3x -> ALT; 100->90 = 10 % -> 2.5
    ("visit-uln-alt", dict(ck="600", alt="100", alt_uln="25"), dict(ck="300", alt="90"),
     "alt", "2.5"),
    # no local ULNs: ALT 100/40 = 2.5x vs CK 600/200 = 3x -> CK; 600->300 = 50 % -> 7.5
    ("default-uln-ck", dict(ck="600", alt="100"), dict(ck="300", alt="90"), "ck", "7.5"),
    # ck 1000 with local ULN 1000 = 1x vs LDH 300/250 default = 1.2x -> LDH; 300->255 = 15 %
    # -> 2.5
    ("local-uln-demotes-ck", dict(ck="1000", ck_uln="1000", ldh="300"),
     dict(ck="100", ldh="255"), "ldh", "2.5"),
    # the follow-up's ULN does not change the selection: baseline CK 3x vs ALT 2.5x -> CK
    ("follow-up-uln-ignored-for-selection", dict(ck="600", alt="100"),
     dict(ck="570", alt="90", alt_uln="10"), "ck", "0"),  # 600->570 = 5 % -> 0
]


@pytest.mark.parametrize("case_id, base_labs, follow_labs, enzyme, points", ENZYME_CASES,
                         ids=[c[0] for c in ENZYME_CASES])
def test_tis_enzyme_selection(case_id, base_labs, follow_labs, enzyme, points):
    base = visit("5.0", "5.0", 40, None, 8, "5.0", **base_labs)
    follow = visit("5.0", "5.0", 40, None, 8, "5.0", **follow_labs)
    result = response.total_improvement_score(base, follow, JDM)
    assert result.enzyme == enzyme
    row = {r.key: r for r in result.rows}["enzyme"]
    assert row.field == enzyme
    assert row.points == D(points)


def test_tis_custom_default_ulns():
    # settings default ULN for CK 1000: CK 600/1000 = 0.6x vs ALT 100/40 = 2.5x -> ALT
    defaults = dict(ScoringSettings().uln_defaults)
    defaults["ck"] = D(1000)
    settings = ScoringSettings(uln_defaults=defaults)
    base = visit("5.0", "5.0", 40, None, 8, "5.0", ck="600", alt="100")
    follow = visit("5.0", "5.0", 40, None, 8, "5.0", ck="300", alt="90")
    assert response.total_improvement_score(base, follow, settings).enzyme == "alt"


# --------------------------------------------------------------------------------------------
# PRINTO 20/50/70 (spec section 6; convention 6): relative change from baseline.
# --------------------------------------------------------------------------------------------
def pv(phys=None, parent=None, cmas_t=None, chaq_sum=None, das=None, chq=None, mmt_t=None):
    return visit(phys, parent, mmt_t, cmas_t, chaq_sum, None, das, chq)


PRINTO_CASES = [
    # id, baseline, follow-up, level, muscle measure
    # PhGA 5->4 = 20 %, parent 5->4 = 20 %, CMAS 40->48 = +20 %: 3 at exactly 20 -> 20
    ("exactly-20", pv("5.0", "5.0", 40, 8, 10, "40"), pv("4.0", "4.0", 48, 8, 10, "40"), "20",
     "cmas"),
    # 19.x: PhGA 5->4.1 = 18 % -> only 2 at 20 -> none
    ("just-below-20", pv("5.0", "5.0", 40, 8, 10, "40"), pv("4.1", "4.0", 48, 8, 10, "40"),
     "none", "cmas"),
    # PhGA 4->2 = 50 %, parent 5->2.5 = 50 %, CMAS 30->45 = 50 %, CHAQ 8->7 = 12.5 %, DAS
    # 10->9 = 10 % -> 50
    ("exactly-50", pv("4.0", "5.0", 30, 8, 10, "40"), pv("2.0", "2.5", 45, 7, 9, "40"), "50",
     "cmas"),
    # PhGA 10->3, parent 5->1.5, DAS 10->3: all exactly 70 % -> 70
    ("exactly-70", pv("10.0", "5.0", 30, 8, 10, "40"), pv("3.0", "1.5", 30, 8, 3, "40"), "70",
     "cmas"),
    # PhGA 10->3.1 = 69 % -> only 2 at 70, 3 at 50 -> 50
    ("69-percent", pv("10.0", "5.0", 30, 8, 10, "40"), pv("3.1", "1.5", 30, 8, 3, "40"), "50",
     "cmas"),
    # CHQ-PhS 40->28 = exactly -30 % (not a disqualifying worsening) and CHAQ 8->11 = -37.5 %
    # (one worsening allowed); PhGA, parent, DAS 60 % -> 50
    ("minus-30-exact-not-counted", pv("5.0", "5.0", 40, 8, 10, "40"),
     pv("2.0", "2.0", 40, 11, 4, "28"), "50", "cmas"),
    # muscle CMAS 40->28 = exactly -30 %: not a worsening, so muscle does not disqualify -> 50
    ("muscle-minus-30-exact", pv("5.0", "5.0", 40, 8, 10, "40"),
     pv("2.0", "2.0", 28, 8, 4, "40"), "50", "cmas"),
    # CHQ-PhS 100->69.9 = -30.1 % (worsened, the only one, not muscle) -> still 50
    ("minus-30.1-one-allowed", pv("5.0", "5.0", 40, 8, 10, "100"),
     pv("2.0", "2.0", 40, 8, 4, "69.9"), "50", "cmas"),
    # CHQ-PhS -30.1 % and CHAQ 8->11 = -37.5 % -> two worsened -> none
    ("minus-30.1-two-worsened", pv("5.0", "5.0", 40, 8, 10, "100"),
     pv("2.0", "2.0", 40, 11, 4, "69.9"), "none", "cmas"),
    # muscle CMAS 40->27 = -32.5 % worsened; four others 60 % -> none
    ("muscle-worsened", pv("5.0", "5.0", 40, 8, 10, "40"),
     pv("2.0", "2.0", 27, 4, 4, "40"), "none", "cmas"),
    # MMT-8 as muscle (no CMAS): 50->34 = -32 % worsened -> none despite 4 at 50 %
    ("mmt-muscle-worsened", pv("5.0", "5.0", None, 8, 10, "40", mmt_t=50),
     pv("2.0", "2.0", None, 4, 4, "40", mmt_t=34), "none", "mmt8"),
    # MMT-8 as muscle: 50->60 = +20 %; PhGA, parent 20 % -> 20
    ("mmt-muscle-improved", pv("5.0", "5.0", None, 8, 10, "40", mmt_t=50),
     pv("4.0", "4.0", None, 8, 10, "40", mmt_t=60), "20", "mmt8"),
    # CMAS and MMT at both: CMAS (40->40, 0 %) is the muscle measure, the MMT drop 50->30
    # (-40 %) is ignored; PhGA, parent, DAS 20 % -> 20
    ("cmas-preferred-over-mmt", {**pv("5.0", "5.0", 40, 8, 10, "40"), **mmt_of(50)},
     {**pv("4.0", "4.0", 40, 8, 8, "40"), **mmt_of(30)}, "20", "cmas"),
    # CMAS only at baseline, MMT at both -> MMT: 50->60 = +20 % -> PhGA, parent, MMT -> 20
    ("cmas-one-visit-mmt-used", {**pv("5.0", "5.0", 40, 8, 10, "40"), **mmt_of(50)},
     {**pv("4.0", "4.0", None, 8, 10, "40"), **mmt_of(60)}, "20", "mmt8"),
    # baseline 0 -> 0 (parent, CHAQ): no change; PhGA 5->4, DAS 10->8, CMAS 40->48 = 20 % -> 20
    ("baseline-zero-unchanged", pv("5.0", "0.0", 40, 0, 10, "40"),
     pv("4.0", "0.0", 48, 0, 8, "40"), "20", "cmas"),
    # parent 0->1 = worsened (> 30 %), not muscle, the only one; PhGA 4->2, DAS 10->5, CMAS
    # 20->30 = 50 % -> 50
    ("baseline-zero-worse-one", pv("4.0", "0.0", 20, 8, 10, "40"),
     pv("2.0", "1.0", 30, 8, 5, "40"), "50", "cmas"),
    # ... and CHAQ 0 -> 1/8 also worse -> two worsened -> none
    ("baseline-zero-worse-two", pv("4.0", "0.0", 20, 0, 10, "40"),
     pv("2.0", "1.0", 30, 1, 5, "40"), "none", "cmas"),
    # CHQ-PhS 0->10 (higher is better) = improved at every level; PhGA 10->3, DAS 10->3 (70 %)
    # -> 3 at 70 -> 70
    ("baseline-zero-better", pv("10.0", "5.0", 30, 8, 10, "0"),
     pv("3.0", "5.0", 30, 8, 3, "10"), "70", "cmas"),
    # CMAS 0->10 improved at every level; PhGA 5->2.5, DAS 10->5 = 50 % -> 50
    ("cmas-baseline-zero-better", pv("5.0", "5.0", 0, 8, 10, "40"),
     pv("2.5", "5.0", 10, 8, 5, "40"), "50", "cmas"),
    # CHQ-PhS missing at follow-up; 4 others 70 %: best 70, worst (CHQ worsened, allowed) 70
    ("missing-determinate-70", pv("10.0", "10.0", 20, 16, 10, "40"),
     pv("3.0", "3.0", 34, 16, 3, None), "70", "cmas"),
    # CHQ-PhS missing; PhGA 10->3, DAS 10->3 (70 %) only: best 70, worst none -> indeterminate
    ("missing-indeterminate", pv("10.0", "5.0", 30, 8, 10, "40"),
     pv("3.0", "5.0", 30, 8, 3, None), "indeterminate", "cmas"),
    # muscle missing entirely and only PhGA improved: best 2 improved -> none; worst none
    ("missing-muscle-none", pv("5.0", "5.0", None, 8, 10, "40"),
     pv("2.0", "5.0", None, 8, 10, "40"), "none", None),
    # muscle missing, 4 others 70 %: best 70, worst muscle worsened -> none -> indeterminate
    ("missing-muscle-indeterminate", pv("10.0", "10.0", None, 16, 10, "40"),
     pv("3.0", "3.0", None, 4, 3, "12"), "indeterminate", None),
    # parent and CHQ-PhS missing; PhGA 70 %, DAS 50 %, CMAS 20->30 = 50 %, CHAQ same: best 50
    # (PhGA + 2 missing reach 70? only 3 at 70: PhGA + 2 missing = 3 -> 70); worst: 2
    # worsened -> none -> indeterminate
    ("two-missing", pv("10.0", None, 20, 8, 10, None), pv("3.0", None, 30, 8, 5, None),
     "indeterminate", "cmas"),
    # CHAQ missing at baseline, 3 at 50 and CHQ-PhS 40->20 = -50 % worsened: worst adds a
    # second worsening -> none; best 50 -> indeterminate
    ("missing-plus-one-worsened", pv("4.0", "4.0", 20, None, 10, "40"),
     pv("2.0", "2.0", 30, 8, 10, "20"), "indeterminate", "cmas"),
]


@pytest.mark.parametrize("case_id, base, follow, level, muscle", PRINTO_CASES,
                         ids=[c[0] for c in PRINTO_CASES])
def test_printo(case_id, base, follow, level, muscle):
    result = response.printo_response(base, follow)
    assert result.level == level
    assert result.muscle_measure == muscle
    assert result.rule_version


# --------------------------------------------------------------------------------------------
# Review checks: rule versions on every derived value; compare_visits agrees with the parts.
# --------------------------------------------------------------------------------------------
def test_every_derived_visit_value_has_a_rule_version():
    values = {**cmas(CMAS_MAXIMA), **mmt(9, R, L), **chaq([1] * 8), **ALL_MAX_CDASI,
              "das_skin": 3, "das_muscle": 4, "steroid_mg_day": D("20"), "weight_kg": D("40"),
              "ck": D("100"), "phys_global": D("0.1"),
              # the Myositis Damage Index (added by issue 11 after this review): no damage
              **dict.fromkeys(mdi.ITEM_NAMES, 0), **dict.fromkeys(mdi.SEVERITY_NAMES, D(0))}
    for name, s in scoring.score_visit(values).items():
        assert s.rule_version, name
        assert s.value is not None, (name, s.missing_reason)
    for name, s in scoring.score_visit({}).items():
        assert s.rule_version, name


def test_compare_visits_matches_the_parts():
    for _, base, follow, settings, *_ in TIS_CASES[:6]:
        whole = response.compare_visits(base, follow, settings)
        assert whole.tis == response.total_improvement_score(base, follow, settings)
        assert whole.printo == response.printo_response(base, follow)
        assert whole.cid == scoring.clinically_inactive_disease(follow)


def test_rule_versions_cover_every_derived_field():
    from forms import registry
    derived = {f.name for f in registry.FIELDS if f.derived}
    assert derived <= set(scoring.RULE_VERSIONS), derived - set(scoring.RULE_VERSIONS)
    assert all(scoring.RULE_VERSIONS[name] for name in derived)


@pytest.mark.parametrize("text, expected", [("T", 0), (" t ", 0), ("7", 7)])
def test_typed_trace_is_graded_0(text, expected):
    # convention 3: trace ("T") is graded 0 on the Kendall 0-10 scale
    value, problems = validation.parse_text("mmt_deltoid_r", text)
    assert (value, problems) == (expected, [])


def test_typed_t_is_not_a_number_elsewhere():
    value, problems = validation.parse_text("cmas_situps", "T")
    assert value is None and problems and problems[0].is_error


# --------------------------------------------------------------------------------------------
# More edges: float inputs (convention 1), fallback limits (convention 5), help everywhere
# --------------------------------------------------------------------------------------------
def test_tis_float_input_exact_40_percent():
    # PhGA 8.3 -> 4.3 as binary floats: exact 4.0/10 = 40 % -> 17.5 (float 4.000000000000001
    # would give 20); parent 5.0 -> 5.0 = 0; MMT 40 -> 40 = 0; CHAQ 8 -> 8 = 0; CK unchanged;
    # extra 5 -> 5. TIS 17.5 -> none
    base = {**visit(None, "5.0", 40, None, 8, "5.0", ck="1000", ck_uln="200"), "phys_global": 8.3}
    follow = {**visit(None, "5.0", 40, None, 8, "5.0", ck="1000"), "phys_global": 4.3}
    result = response.total_improvement_score(base, follow, JDM)
    assert {r.key: r.points for r in result.rows}["phys_global"] == D("17.5")
    assert result.tis == D("17.5") and result.category == "none"


def test_printo_float_input_exact_20_percent():
    # PhGA 1.5 -> 1.2 as floats: exact 0.3/1.5 = 20 % (float gives 19.999..); parent 2.5 -> 2.0
    # = 20 %; CMAS 40 -> 48 = 20 % -> PRINTO 20
    base = {**pv(None, None, 40, 8, 10, "40"), "phys_global": 1.5, "parent_global": 2.5}
    follow = {**pv(None, None, 48, 8, 10, "40"), "phys_global": 1.2, "parent_global": 2.0}
    assert response.printo_response(base, follow).level == "20"


def test_tis_cmas_setting_has_no_mmt_fallback():
    # setting CMAS, CMAS missing at follow-up, MMT-8 at both: convention 5 only falls back
    # from MMT to CMAS -> the muscle row is missing -> indeterminate
    base = visit("5.0", "5.0", 40, 30, 8, "5.0", ck="1000", ck_uln="200")
    follow = visit("3.0", "5.0", 64, None, 8, "5.0", ck="1000")
    result = response.total_improvement_score(base, follow, ScoringSettings(
        tis_muscle_measure="cmas"))
    assert result.category == "indeterminate" and result.tis is None


def test_tis_bilateral_setting_falls_back_to_cmas_not_unilateral():
    # bilateral setting, left side incomplete at follow-up (bilateral missing), unilateral
    # present at both, CMAS at both: CMAS 30 -> 36 = 6/52 = 11.54 % -> 20; PhGA 5 -> 3 -> 15
    base = visit("5.0", "5.0", 40, 30, 8, "5.0", ck="1000", ck_uln="200")
    follow = {**visit("3.0", "5.0", 64, 36, 8, "5.0", ck="1000")}
    del follow["mmt_deltoid_l"]
    result = response.total_improvement_score(base, follow, BILATERAL)
    assert result.muscle_measure == "cmas"
    assert result.tis == D("35") and result.category == "minimal"


def test_chaq_help_in_every_domain():
    # all items 0, help in every domain -> every domain 2 -> DI 16/8 = 2
    flags = {f"chaq_help_{d}": True for d in DOMAINS}
    assert score(chaq([0] * 8, **flags), "chaq_di").value == D("2")


def test_compare_followups_equals_compare_visits_one_by_one():
    base = TIS_CASES[0][1]
    follows = [c[2] for c in TIS_CASES[:8]] + [{}]
    together = response.compare_followups(base, follows, JDM)
    assert together == [response.compare_visits(base, f, JDM) for f in follows]


def test_warning_without_unit_has_no_stray_space():
    # chq_phs has no unit: "(above 70)" not "(above 70 )"
    _, problems = validation.check_field("chq_phs", 80)
    assert problems and not problems[0].is_error
    assert "(above 70)" in problems[0].reason
