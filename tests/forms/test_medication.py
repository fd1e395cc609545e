"""Medications as prescribed (forms.medication): schedule rules, counting administrations,
mg per administration, the visit's steroid dose against the courses, cumulative glucocorticoid
exposure, and reading the older doses-per-day field. Expected figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from fractions import Fraction

import pytest

from forms import validation
from forms.medication import (
    administrations,
    body_surface_area,
    course_history,
    daily_rate,
    exposure_between_visits,
    glucocorticoid_exposure,
    mg_per_administration,
    oral_steroid_on,
    schedule_from_frequency,
    schedule_problems,
    schedule_text,
    steroid_agreement,
)
from forms.model import Medication

JAN1 = dt.date(2024, 1, 1)


def day(n: int) -> dt.date:
    return JAN1 + dt.timedelta(days=n)


def med(drug: str = "prednisolone", dose: str = "10", unit: str = "mg", schedule: str = "daily",
        times: int | None = 1, start: int = 0, stop: int | None = None, route: str = "oral",
        pulses: int | None = None, freq: str | None = None) -> Medication:
    return Medication(drug, day(start), D(dose), unit, None if freq is None else D(freq), route,
                      None if stop is None else day(stop), schedule=schedule,
                      times_per_period=times, pulse_count=pulses)


# ---- counting ----------------------------------------------------------------------------
def test_daily_twice_a_day() -> None:
    m = med(times=2, start=0, stop=9)
    assert administrations(m, day(0), day(30)) == 20  # 10 days x 2
    assert administrations(m, day(5), day(6)) == 4
    assert administrations(m, day(10), day(20)) == 0  # stopped on day 9 (inclusive)


def test_weekly_methotrexate_as_prescribed() -> None:
    mtx = med("methotrexate", "15", schedule="weekly", start=0, route="sc")
    # doses on days 0, 7, 14, 21, 28: five in [0, 28], four in [1, 28]
    assert administrations(mtx, day(0), day(28)) == 5
    assert administrations(mtx, day(1), day(28)) == 4
    assert administrations(mtx, day(1), day(6)) == 0
    assert daily_rate(mtx) == Fraction(1, 7)
    assert schedule_text(mtx) == "15 mg once a week"


def test_twice_weekly_spreads_the_doses() -> None:
    m = med(schedule="weekly", times=2)  # days 0, 3, 7, 10, 14, ...
    assert administrations(m, day(0), day(13)) == 4
    assert administrations(m, day(1), day(2)) == 0
    assert administrations(m, day(3), day(3)) == 1


def test_monthly_ivig_on_the_same_day_each_month() -> None:
    ivig = med("ivig", "2", "g/kg", schedule="monthly", start=30, route="iv")  # 2024-01-31
    # Jan 31, Feb 29 (clamped), Mar 31, Apr 30, May 31
    assert administrations(ivig, day(0), dt.date(2024, 5, 31)) == 5
    assert administrations(ivig, dt.date(2024, 2, 1), dt.date(2024, 2, 29)) == 1
    assert administrations(ivig, dt.date(2024, 3, 1), dt.date(2024, 3, 30)) == 0
    assert schedule_text(ivig) == "2 g/kg once a month"


def test_single_dose_and_pulse_series() -> None:
    rtx = med("rituximab", "375", "mg/m2", schedule="single", times=None, start=10, route="iv")
    assert administrations(rtx, day(0), day(9)) == 0
    assert administrations(rtx, day(0), day(10)) == 1
    ivmp = med("methylprednisolone", "30", "mg/kg", schedule="pulse", times=None, pulses=3,
               start=5, route="iv")
    assert administrations(ivmp, day(0), day(30)) == 3
    assert administrations(ivmp, day(6), day(30)) == 2  # the second and third pulse
    assert daily_rate(ivmp) is None
    assert schedule_text(ivmp) == "30 mg/kg x 3 (IV pulses on consecutive days)"


def test_older_doses_per_day_is_a_rate() -> None:
    old = med(schedule=None, times=None, freq="0.5")  # every other day, kept from m001
    assert administrations(old, day(0), day(9)) == 5
    assert daily_rate(old) == Fraction(1, 2)
    assert "0.5 doses per day (older record)" in schedule_text(old)


# ---- milligrams ----------------------------------------------------------------------------
def test_mg_per_administration_units() -> None:
    assert mg_per_administration(med(dose="2", unit="g"), None) == 2000
    assert mg_per_administration(med(dose="500", unit="ug"), None) == Fraction(1, 2)
    assert mg_per_administration(med(dose="30", unit="mg/kg"), D("20")) == 600
    assert mg_per_administration(med(dose="30", unit="mg/kg"), None) is None
    assert mg_per_administration(med(dose="2", unit="g/kg"), D("25.5")) == 51000
    # Mosteller: sqrt(144 cm x 36 kg / 3600) = sqrt(1.44) = 1.2 m2
    assert body_surface_area(D(36), D(144)) == Fraction(6, 5)
    assert mg_per_administration(med(dose="15", unit="mg/m2"), D(36), D(144)) == 18
    assert mg_per_administration(med(dose="1", unit="mL"), D(30)) is None


# ---- the visit's steroid dose --------------------------------------------------------------
def test_visit_dose_agrees_with_a_taper() -> None:
    # taper: 30 mg/day days 0-27, then 20 mg/day from day 28 (the course's history)
    taper = [med(dose="30", stop=27), med(dose="20", start=28)]
    assert oral_steroid_on(taper, day(10))[0] == 30
    assert oral_steroid_on(taper, day(40))[0] == 20
    assert steroid_agreement(D("20"), taper, day(40)) is None
    assert steroid_agreement(D("20.4"), taper, day(40)) is None  # within half a mg
    warning = steroid_agreement(D("30"), taper, day(40))
    assert warning is not None and not warning.is_error
    assert "differs from the medication list" in warning.message
    assert "20 mg/day prednisone-equivalent" in warning.message
    assert "Prednisolone 20 mg once a day" in warning.message


def test_visit_dose_in_prednisone_equivalents() -> None:
    mp = [med("methylprednisolone", "16")]  # 16 mg x 1.25 = 20 mg prednisone
    assert steroid_agreement(D("20"), mp, day(3)) is None
    assert steroid_agreement(D("16"), mp, day(3)) is not None
    # IV pulses never count towards the oral dose
    pulses = [med("methylprednisolone", "30", "mg/kg", "pulse", None, pulses=3, route="iv")]
    assert oral_steroid_on(pulses, day(1), D(20)) == (None, [])
    assert steroid_agreement(None, pulses, day(1)) is None


def test_dose_missing_at_the_visit_or_in_the_list() -> None:
    listed = [med(dose="15")]
    w = steroid_agreement(None, listed, day(1))
    assert w is not None and "not recorded at this visit" in w.message
    w = steroid_agreement(D("10"), [], day(1))
    assert w is not None and "no oral glucocorticoid course" in w.message
    assert steroid_agreement(D("0"), [], day(1)) is None


def test_course_history_groups_spellings_of_one_drug() -> None:
    meds = [med("Prednisolone", "20", start=28), med("prednisolone", "30", stop=27),
            med("methotrexate", "15", schedule="weekly")]
    hist = course_history(meds, "prednisolone")
    assert [m.dose for m in hist] == [D(30), D(20)]


# ---- cumulative exposure -----------------------------------------------------------------
def test_exposure_between_visits_prednisone_equivalent_per_kg() -> None:
    meds = [
        med("methylprednisolone", "30", "mg/kg", "pulse", None, pulses=3, start=0, route="iv"),
        med("prednisolone", "40", stop=13),  # days 0-13: 14 x 40 = 560 mg
        med("prednisolone", "30", start=14),  # from day 14
        med("methotrexate", "15", schedule="weekly"),  # not a glucocorticoid
        med("dexamethasone", "0.75", start=20, stop=21),  # 2 x 0.75 x 20/3 = 10 mg
    ]
    visits = [(day(0), D(20), None), (day(30), D(21), None)]
    first, second = exposure_between_visits(meds, visits)
    assert first is None
    assert second is not None
    assert (second.first, second.last) == (day(1), day(30))
    # IV: pulses on days 1 and 2 fall in (day 0, day 30]: 2 x 30 mg/kg x 20 kg x 1.25
    assert second.iv_mg == 2 * 600 * Fraction(5, 4)
    # oral: days 1-13 at 40 (13 x 40 = 520) + days 14-30 at 30 (17 x 30 = 510) + dexa 10
    assert second.oral_mg == 520 + 510 + 10
    assert second.total_mg == 1500 + 1040
    assert second.mg_per_kg == Fraction(2540, 20)
    assert second.mg_per_kg_decimal() == D("127.0")


def test_exposure_lists_what_it_could_not_count() -> None:
    meds = [med("prednisolone", "2", "mg/kg")]
    e = glucocorticoid_exposure(meds, day(1), day(10), None)
    assert e.total_mg == 0 and e.mg_per_kg is None
    assert e.uncounted and "Prednisolone" in e.uncounted[0]
    free = [med("my own steroid", "10")]
    assert glucocorticoid_exposure(free, day(1), day(10), D(20)).total_mg == 0


# ---- schedule rules and the older field -------------------------------------------------
@pytest.mark.parametrize(("values", "field"), [
    ({"schedule": "daily", "times_per_period": 5}, "times_per_period"),
    ({"schedule": "single", "times_per_period": 1}, "times_per_period"),
    ({"schedule": "pulse"}, "pulse_count"),
    ({"schedule": "daily", "pulse_count": 3}, "pulse_count"),
    ({"schedule": "weekly", "frequency_per_day": D("0.143")}, "frequency_per_day"),
])
def test_schedule_rules(values: dict[str, object], field: str) -> None:
    problems = schedule_problems(values)
    assert [p.field for p in problems] == [field]
    assert problems[0].is_error


def test_schedule_rules_accept_what_is_prescribed() -> None:
    for values in ({"schedule": "daily", "times_per_period": 4},
                   {"schedule": "weekly", "times_per_period": 7},
                   {"schedule": "pulse", "pulse_count": 3}, {"schedule": "single"},
                   {"frequency_per_day": D("0.5")}):
        assert schedule_problems(values) == [], values


def test_check_medication_runs_the_schedule_rules() -> None:
    check = validation.check_medication({"drug": "methotrexate", "start_date": JAN1,
                                         "schedule": "daily", "times_per_period": 6})
    assert not check.ok
    assert any("more than 4 times per day" in p.message for p in check.errors)


@pytest.mark.parametrize(("freq", "expected"), [
    ("1", ("daily", 1)), ("2", ("daily", 2)), ("4", ("daily", 4)),
    ("0.143", ("weekly", 1)), ("0.1429", ("weekly", 1)), ("0.286", ("weekly", 2)),
    ("0.429", ("weekly", 3)), ("0.033", ("monthly", 1)), ("0.0357", ("monthly", 1)),
    ("0.5", None), ("6", None), ("0", None), ("1.5", None), ("0.2", None),
])
def test_schedule_from_frequency(freq: str, expected: tuple[str, int] | None) -> None:
    assert schedule_from_frequency(D(freq)) == expected
