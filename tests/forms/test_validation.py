"""Validation: types, ranges, choices, dates, cross-field rules and the wording of messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms import registry
from forms.fields import Level
from forms.validation import (
    Severity,
    check_adverse_event,
    check_field,
    check_medication,
    check_patient,
    check_visit,
    parse_text,
)

TODAY = dt.date(2026, 11, 25)


def _one_error(raw, name="cmas_leg_raise"):
    value, problems = check_field(name, raw)
    assert value is None
    assert len(problems) == 1 and problems[0].is_error
    return problems[0]


# --- types ------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [True, False])
def test_a_boolean_is_not_an_integer(raw) -> None:
    p = _one_error(raw)
    assert "not a number" in p.reason and "0-2" in p.reason


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf"), Decimal("NaN")])
def test_nan_and_infinities_are_not_numbers(raw) -> None:
    p = _one_error(raw, "phys_global")
    assert "not a number" in p.reason


def test_two_and_a_half_is_not_a_cmas_score() -> None:
    p = _one_error(2.5, "cmas_situps")
    assert p.code_message == "cmas_situps = 2.5 is not a whole number; allowed 0-6"


def test_integral_float_is_accepted_as_integer() -> None:
    assert check_field("cmas_situps", 4.0) == (4, [])
    assert isinstance(check_field("cmas_situps", 4.0)[0], int)


def test_string_is_not_a_number_in_structured_input() -> None:
    p = _one_error("3", "cmas_situps")
    assert "not a number" in p.reason


def test_decimal_places_are_enforced() -> None:
    assert check_field("phys_global", 2.5) == (Decimal("2.5"), [])
    p = _one_error(2.55, "phys_global")
    assert p.reason == "has too many decimals: 1 decimal place allowed"
    assert check_field("phys_global", 2.50)[0] == Decimal("2.5")


def test_decimals_are_exact_not_binary() -> None:
    value, _ = check_field("phys_global", 2.2)
    assert value == Decimal("2.2") and isinstance(value, Decimal)


# --- ranges and choices ------------------------------------------------------------------------
def test_out_of_range_message_matches_the_data_contract() -> None:
    p = _one_error(3)
    assert p.code_message == "cmas_leg_raise = 3 is out of range 0-2"
    assert p.message == "2. Leg raise / touch object (supine): 3 is out of range 0-2"


@pytest.mark.parametrize(("name", "bad"), [("cmas_leg_raise", 3), ("cmas_situps", 7),
                                           ("mmt_deltoid_r", 11), ("chaq_dress", 4),
                                           ("phys_global", Decimal("10.1")), ("ck", -1),
                                           ("das_muscle", 12), ("cdasi_scalp_eros", 2)])
def test_values_outside_the_registry_range_are_errors(name, bad) -> None:
    p = _one_error(bad, name)
    assert registry.get(name).allowed_text().split(" (")[0] in p.reason


def test_range_edges_are_inclusive() -> None:
    f = registry.get("cmas_situps")
    assert check_field(f, int(f.minimum)) == (0, [])
    assert check_field(f, int(f.maximum)) == (6, [])


def test_chaq_not_applicable_is_not_zero() -> None:
    assert check_field("chaq_cereal_box", "na") == ("na", [])
    assert parse_text("chaq_cereal_box", "N/A") == ("na", [])
    assert check_field("cmas_leg_raise", "na")[0] is None  # only CHAQ items allow "na"


def test_choice_codes_and_labels() -> None:
    assert check_field("sex", "female") == ("female", [])
    assert _one_error("F", "sex").reason == "is not one of female/male"
    assert parse_text("sex", " Female ") == ("female", [])
    assert parse_text("skin_heliotrope", "YES") == ("yes", [])


def test_warnings_do_not_block() -> None:
    value, problems = check_field("ck", 25_000)
    assert value == Decimal(25_000)
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "unusually high" in problems[0].reason


# --- dates and text ----------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["2021-02-30", "2021-13-01", "04/03/2021", "2021-3-4", 20210304])
def test_invalid_dates(raw) -> None:
    p = _one_error(raw, "diagnosis_date")
    assert "date" in p.reason


def test_study_id_pattern_and_length() -> None:
    assert check_field("study_id", "P-01_a") == ("P-01_a", [])
    assert "1-32 letters" in _one_error("P 01", "study_id").reason
    assert _one_error("X" * 33, "study_id")


def test_text_keeps_markup_and_formulas_literally() -> None:
    assert check_field("notes", "=1+1 <b>&", Level.MEDICATION) == ("=1+1 <b>&", [])


def test_parse_text_empty_means_not_assessed() -> None:
    assert parse_text("cmas_leg_raise", "   ") == (None, [])
    assert parse_text("cmas_leg_raise", "2") == (2, [])
    assert parse_text("cmas_leg_raise", "two")[1][0].reason.startswith("is not a number")


# --- visits ------------------------------------------------------------------------------------
def test_unknown_and_derived_fields_are_refused() -> None:
    check = check_visit({"cmas_total": 40, "cmas_legraise": 1})
    reasons = {p.field: p.reason for p in check.errors}
    assert reasons["cmas_total"] == "is computed by JDM Capture and cannot be entered"
    assert reasons["cmas_legraise"] == "is not a known field name"
    assert check.values == {}


def test_valued_and_missing_at_once_is_an_error() -> None:
    check = check_visit({"ck": 100}, {"ck": "not_done"})
    assert [p.field for p in check.errors] == ["ck"]
    assert "also marked missing" in check.errors[0].reason


def test_missing_reasons_are_checked() -> None:
    check = check_visit({}, {"ck": "not_done", "phys_global": "forgot"})
    assert check.missing == {"ck": "not_done"}
    assert "not_done/not_assessable/unknown" in check.errors[0].reason


@pytest.mark.parametrize(("seconds", "item", "score"), [
    (45, "cmas_head_elevation", 3), (125, "cmas_straight_leg_lift", 5),
    (60, "cmas_arm_raise_duration", 4), (9, "cmas_head_elevation", 1),
    (10, "cmas_head_elevation", 2), (59, "cmas_head_elevation", 3),
    (119, "cmas_head_elevation", 4), (120, "cmas_head_elevation", 5),
    (120, "cmas_arm_raise_duration", 4), (0, "cmas_head_elevation", 0),
])
def test_cmas_seconds_fill_the_item_score(seconds, item, score) -> None:
    sec_name = registry.CMAS_TIMED[item][0]
    check = check_visit({sec_name: seconds})
    assert check.ok and check.values[item] == score


def test_cmas_seconds_and_score_must_agree() -> None:
    check = check_visit({"cmas_head_elevation_sec": 45, "cmas_head_elevation": 4})
    assert [p.field for p in check.errors] == ["cmas_head_elevation"]
    assert "45 s scores 3" in check.errors[0].reason
    agree = check_visit({"cmas_head_elevation_sec": 45, "cmas_head_elevation": 3})
    assert agree.ok


def test_steroid_above_2_mg_per_kg_is_a_warning_not_an_error() -> None:
    check = check_visit({"steroid_mg_day": 50, "weight_kg": 20})
    assert check.ok
    assert [p.field for p in check.warnings] == ["steroid_mg_day"]
    assert "2.50 mg/kg/day" in check.warnings[0].reason
    assert check_visit({"steroid_mg_day": 40, "weight_kg": 20}).warnings == []


def test_weight_height_plausibility_is_a_warning() -> None:
    check = check_visit({"weight_kg": 95, "height_cm": 120})
    assert check.ok and check.warnings[0].field == "weight_kg"


def test_visit_header_dates() -> None:
    future = check_visit({}, visit_date="2026-12-01", today=TODAY)
    assert "is in the future" in future.errors[0].reason
    before_birth = check_visit({}, visit_date="2010-01-01", birth_date=dt.date(2012, 5, 1),
                               today=TODAY)
    assert "before the date of birth" in before_birth.errors[0].reason
    ok = check_visit({}, visit_date="2021-03-04", visit_label="M3", today=TODAY)
    assert ok.ok and ok.values == {"visit_date": dt.date(2021, 3, 4), "visit_label": "M3"}


def test_all_problems_are_reported_not_just_the_first() -> None:
    check = check_visit({"cmas_leg_raise": 3, "cmas_situps": 7, "phys_global": 11})
    assert sorted(p.field for p in check.errors) == ["cmas_leg_raise", "cmas_situps",
                                                     "phys_global"]


# --- records -----------------------------------------------------------------------------------
def test_patient_record() -> None:
    good = check_patient({"study_id": "P01", "sex": "female", "birth_date": "2009-04-12",
                          "diagnosis_date": "2016-03-01", "autoantibody": "NXP2"}, today=TODAY)
    assert good.ok and good.values["birth_date"] == dt.date(2009, 4, 12)
    bad = check_patient({"sex": "female", "birth_date": "2012-01-01",
                         "diagnosis_date": "2011-01-01", "autoantibody": "anti-NXP2"},
                        today=TODAY)
    assert sorted(p.field for p in bad.errors) == ["autoantibody", "diagnosis_date", "study_id"]


def test_medication_record() -> None:
    good = check_medication({"drug": "tofacitinib", "dose": 5, "dose_unit": "mg",
                             "frequency_per_day": 2, "route": "oral",
                             "start_date": "2019-01-10", "stop_date": None})
    assert good.ok and good.values["dose"] == Decimal(5)
    bad = check_medication({"drug": "", "start_date": "2019-01-10", "stop_date": "2018-01-01",
                            "dose": -5})
    assert sorted(p.field for p in bad.errors) == ["dose", "drug", "stop_date"]


def test_adverse_event_record() -> None:
    good = check_adverse_event({"onset_date": "2019-03-02", "term": "herpes zoster",
                                "grade": 2, "serious": False, "related_drug": "tofacitinib",
                                "action": "none", "outcome": "resolved",
                                "resolution_date": "2019-03-20"})
    assert good.ok
    bad = check_adverse_event({"onset_date": "2019-03-02", "term": "x", "grade": 6,
                               "serious": "no", "resolution_date": "2019-03-01"})
    assert sorted(p.field for p in bad.errors) == ["grade", "resolution_date", "serious"]


# --- properties --------------------------------------------------------------------------------
@given(st.sampled_from([f for f in registry.visit_value_fields() if f.is_numeric]),
       st.integers(min_value=-10**6, max_value=10**6))
def test_integers_are_accepted_exactly_inside_the_range(f, n) -> None:
    value, problems = check_field(f, n)
    inside = f.minimum <= n <= f.maximum
    assert (value is not None) == inside
    assert any(p.is_error for p in problems) != inside


@given(st.sampled_from([f for f in registry.visit_value_fields() if f.is_numeric]),
       st.decimals(allow_nan=False, allow_infinity=False, places=3,
                   min_value=-1000, max_value=300000))
def test_parse_text_and_check_field_agree(f, number) -> None:
    from_text = parse_text(f, str(number))
    structured = check_field(f, number)
    assert from_text[0] == structured[0]
    assert [p.reason for p in from_text[1]] == [p.reason for p in structured[1]]
