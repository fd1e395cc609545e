"""Plausibility warnings (forms.plausibility): asymmetry, implausible change since the previous
visit, parent global vs CHAQ well-being, and what a new visit may carry over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from forms import registry
from forms.plausibility import (
    ASYMMETRY_GRADES,
    asymmetry_warnings,
    carry_over,
    change_warnings,
    parent_vas_warnings,
    plausibility_warnings,
)


def _mmt(right: int, left: int) -> dict[str, object]:
    values: dict[str, object] = {registry.MMT_AXIAL[0]: 10}
    values.update({n: right for n in registry.mmt8_side_names("r")})
    values.update({n: left for n in registry.mmt8_side_names("l")})
    return values


def test_symmetric_grades_are_quiet() -> None:
    assert asymmetry_warnings(_mmt(8, 8)) == []
    one_off = _mmt(8, 8)
    one_off["mmt_biceps_l"] = 8 - ASYMMETRY_GRADES + 1  # one group 2 apart: allowed
    assert asymmetry_warnings(one_off) == []


def test_one_group_far_apart_is_a_warning_naming_it() -> None:
    values = _mmt(9, 9)
    values["mmt_deltoid_l"] = 5
    warnings = asymmetry_warnings(values)
    assert [w.field for w in warnings] == ["mmt_deltoid_l"]
    w = warnings[0]
    assert not w.is_error
    assert w.message.startswith("Deltoid (middle): 5 (left) is 4 grades from the right side (9)")
    assert "mmt_" not in w.message


def test_side_totals_far_apart() -> None:
    warnings = asymmetry_warnings(_mmt(9, 7))  # 63 vs 49 and every group 2 apart
    assert len(warnings) == 1 and "left-side sum of 7 groups, 14 from the right side (63)" in \
        warnings[0].message


def test_change_since_the_previous_visit() -> None:
    before = {"weight_kg": D("30.0"), "cmas_total": 40, "mmt8_total": 70, "ck": D(200)}
    assert change_warnings({"weight_kg": D("33.0"), "cmas_total": 45, "mmt8_total": 65,
                            "ck": D(900)}, before) == []
    warnings = change_warnings({"weight_kg": D("3.1"), "cmas_total": 12, "mmt8_total": 48,
                                "ck": D(2500)}, before, dt.date(2024, 1, 5))
    assert [w.field for w in warnings] == ["weight_kg", "cmas_total", "mmt8_total", "ck"]
    assert warnings[0].message == ("Weight: 3.1 kg is a large change from 30 kg at the previous "
                                   "visit on 2024-01-05: check the score sheet")
    assert "CMAS total: 12 is a large change from 40 at the previous visit" in \
        warnings[1].message
    assert all(not w.is_error for w in warnings)


def test_ck_needs_both_the_ratio_and_the_absolute_change() -> None:
    assert change_warnings({"ck": D(90)}, {"ck": D(9)}) == []  # x10 but only 81 U/L
    assert len(change_warnings({"ck": D(15000)}, {"ck": D(1200)})) == 1
    assert change_warnings({"ck": D(5000)}, {"ck": D(1200)}) == []  # x4


def test_parent_global_and_chaq_wellbeing_far_apart() -> None:
    assert parent_vas_warnings({"parent_global": D("2.0"), "chaq_wellbeing": D("6.5")}) == []
    (w,) = parent_vas_warnings({"parent_global": D("1.5"), "chaq_wellbeing": D("8.5")})
    assert w.field == "parent_global" and not w.is_error
    assert "is 7 cm from the CHAQ overall well-being VAS (8.5)" in w.message
    assert parent_vas_warnings({"parent_global": D("1.5")}) == []


def test_all_rules_together() -> None:
    values = {**_mmt(9, 9), "parent_global": D(0), "chaq_wellbeing": D(9), "cmas_total": 10}
    fields = [w.field for w in plausibility_warnings(values, {"cmas_total": 50})]
    assert fields == ["parent_global", "cmas_total"]
    assert [w.field for w in plausibility_warnings(values)] == ["parent_global"]


def test_carry_over_offers_assessor_and_each_uln() -> None:
    previous = {"assessor": "Dr Keys", "ck_uln": D(150), "ldh_uln": D(300), "ck": D(900),
                "weight_kg": D(30)}
    offer = carry_over(previous, {"ldh_uln": D(280)})
    assert offer == {"assessor": "Dr Keys", "ck_uln": D(150)}  # never values, never over typing
    assert carry_over({}, {}) == {}
