"""Medications as prescribed: schedules, the arithmetic of doses, glucocorticoid exposure.

A course records the dose **per administration** with its schedule (``registry.SCHEDULES``):
per day (1-4 times), per week, per month (times per period), a single dose, or an IV pulse
series (``pulse_count`` doses on consecutive days). Weekly methotrexate is "15 mg, per week",
monthly IVIG "2 g/kg, per month", never 0.143 doses a day. Records from before the schedule
keep their ``frequency_per_day`` when it could not be converted exactly (m021); the arithmetic
then uses it as a continuous rate.

A dose change (a steroid taper) is the course's history: each dose period is one record of the
same drug, the earlier one stopped the day before the next starts (:func:`course_history`).

Everything here is exact (:class:`fractions.Fraction`); rounding happens only for display, to the
registry's decimals.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from forms import registry
from forms.fields import Field, Level, plain_number
from forms.i18n import _
from forms.model import Medication
from forms.records import frozen
from forms.validation import Problem, Severity

DAILY, WEEKLY, MONTHLY, SINGLE, PULSE = "daily", "weekly", "monthly", "single", "pulse"
#: most administrations per period each schedule allows ("per day (1-4 times)").
MAX_TIMES: dict[str, int] = {DAILY: 4, WEEKLY: 7, MONTHLY: 4}

#: the tolerance for "the visit's steroid dose and the course agree": half a milligram.
AGREEMENT_MG = Fraction(1, 2)


def _field(name: str) -> Field:
    return registry.get(name, Level.MEDICATION)


def _error(name: str, value: object, reason: str) -> Problem:
    return Problem(name, value, reason, Severity.ERROR, _field(name).label)


def schedule_problems(values: Mapping[str, object]) -> list[Problem]:
    """Cross-field rules of a course's schedule (the dialog, imports and storage use them)."""
    problems: list[Problem] = []
    schedule = values.get("schedule")
    times = values.get("times_per_period")
    pulses = values.get("pulse_count")
    legacy = values.get("frequency_per_day")
    if schedule in MAX_TIMES and isinstance(times, int) and times > MAX_TIMES[str(schedule)]:
        per = {DAILY: "day", WEEKLY: "week", MONTHLY: "month"}[str(schedule)]
        problems.append(_error("times_per_period", times,
                               f"is more than {MAX_TIMES[str(schedule)]} times per {per}"))
    if schedule in (SINGLE, PULSE) and times is not None:
        problems.append(_error("times_per_period", times,
                               f"does not apply to a {_schedule_words(schedule).lower()}"))
    if schedule == PULSE and pulses is None:
        problems.append(Problem("pulse_count", None, "How many doses in the IV pulse series? "
                                "(needed for a pulse series)", Severity.ERROR,
                                _field("pulse_count").label))
    if pulses is not None and schedule != PULSE:
        problems.append(_error("pulse_count", pulses, "applies to an IV pulse series only"))
    if legacy is not None and schedule is not None:
        problems.append(_error("frequency_per_day", legacy,
                               "is the older doses-per-day field: with a schedule, leave it "
                               "empty"))
    return problems


def _schedule_words(code: object) -> str:
    return _field("schedule").choice_label(code)


def schedule_text(med: Medication) -> str:
    """``"15 mg once a week"``, ``"5 mg twice a day"``, ``"30 mg/kg x 3 (IV pulses)"``."""
    dose = "" if med.dose is None else f"{_plain(med.dose)} {med.dose_unit or ''}".strip()
    sched = med.schedule
    times = med.times_per_period or 1
    if sched in (DAILY, WEEKLY, MONTHLY):
        words = {  # whole phrases, so that each language can order them its own way
            (DAILY, 1): _("{dose} once a day"), (DAILY, 2): _("{dose} twice a day"),
            (WEEKLY, 1): _("{dose} once a week"), (WEEKLY, 2): _("{dose} twice a week"),
            (MONTHLY, 1): _("{dose} once a month"), (MONTHLY, 2): _("{dose} twice a month"),
        }.get((sched, times)) or {DAILY: _("{dose} {n} times a day"),
                                  WEEKLY: _("{dose} {n} times a week"),
                                  MONTHLY: _("{dose} {n} times a month")}[sched]
        return words.format(dose=dose, n=times).strip()
    if sched == SINGLE:
        return _("{dose} single dose").format(dose=dose).strip()
    if sched == PULSE:
        return _("{dose} x {n} (IV pulses on consecutive days)").format(
            dose=dose, n=med.pulse_count or "?").strip()
    if med.frequency_per_day is not None:
        return _("{dose}, {n} doses per day (older record)").format(
            dose=dose, n=_plain(med.frequency_per_day)).strip()
    return dose


def _plain(value: Decimal | int) -> str:
    return plain_number(Decimal(value))


# ---- counting administrations ------------------------------------------------------------
def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


def _window(med: Medication, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of [first, last] (inclusive) on which the course runs."""
    lo = max(first, med.start_date)
    hi = last if med.stop_date is None else min(last, med.stop_date)
    return (lo, hi) if lo <= hi else None


_EXACT: dict[Decimal | int, Fraction] = {}


def _exact(value: Decimal | int) -> Fraction:
    """``Fraction(Decimal(value))``, remembered (bounded): a function of the exact value only
    (equal values give equal Fractions), and exposure sums convert the same doses and weights
    in every interval between visits."""
    try:
        return _EXACT[value]
    except KeyError:
        pass
    except TypeError:  # unhashable (a signalling NaN): converted, and refused, as before
        return Fraction(Decimal(value))
    found = Fraction(Decimal(value))
    if len(_EXACT) >= 4096:
        _EXACT.clear()
    _EXACT[value] = found
    return found


@functools.cache
def _quantum(places: int) -> Decimal:
    """``Decimal(1).scaleb(-places)``: the step a value is rounded to."""
    return Decimal(1).scaleb(-places)


#: zero administrations or milligrams (one immutable Fraction: exposure sums start from it)
_NONE_GIVEN = Fraction(0)


def administrations(med: Medication, first: dt.date, last: dt.date) -> Fraction:
    """How many doses of the course fall on days ``first`` to ``last`` (inclusive).

    Weekly and monthly doses fall on the start day and every week / month after it (several
    per period: spread evenly); a pulse series is one dose a day from the start; a record with
    only the older ``frequency_per_day`` counts that many doses each day (a rate, so it may be
    fractional).
    """
    window = _window(med, first, last)
    if window is None:
        return _NONE_GIVEN
    lo, hi = window
    days = (hi - lo).days + 1
    times = med.times_per_period or 1
    sched = med.schedule
    if sched == DAILY:
        return Fraction(days * times)
    if sched == WEEKLY:
        return Fraction(sum(_every(med.start_date, (7 * i) // times, 7, lo, hi)
                            for i in range(times)))
    if sched == MONTHLY:
        count = 0
        k = 0
        while True:
            month_start = _add_months(med.start_date, k)
            if month_start > hi:
                break
            for i in range(times):
                day = month_start + dt.timedelta(days=(30 * i) // times)
                if lo <= day <= hi and (med.stop_date is None or day <= med.stop_date):
                    count += 1
            k += 1
        return Fraction(count)
    if sched == SINGLE:
        return Fraction(1 if lo <= med.start_date <= hi else 0)
    if sched == PULSE:
        series_end = med.start_date + dt.timedelta(days=(med.pulse_count or 1) - 1)
        a, b = max(lo, med.start_date), min(hi, series_end)
        return Fraction(max(0, (b - a).days + 1))
    if med.frequency_per_day is not None:
        return Fraction(days) * _exact(med.frequency_per_day)
    return Fraction(0)


def _every(start: dt.date, offset: int, period: int, lo: dt.date, hi: dt.date) -> int:
    """Days ``start + offset + period * k`` (k >= 0) inside [lo, hi]."""
    first = start + dt.timedelta(days=offset)
    if first > hi:
        return 0
    skip = max(0, -(-(lo - first).days // period))  # ceil
    first = first + dt.timedelta(days=skip * period)
    if first > hi:
        return 0
    return (hi - first).days // period + 1


def daily_rate(med: Medication) -> Fraction | None:
    """Average administrations per day of a continuing schedule (daily, weekly, monthly, the
    older doses/day); None for a single dose or a pulse series."""
    times = Fraction(med.times_per_period or 1)
    if med.schedule == DAILY:
        return times
    if med.schedule == WEEKLY:
        return times / 7
    if med.schedule == MONTHLY:
        return times * 12 / Fraction(36525, 100)
    if med.schedule is None and med.frequency_per_day is not None:
        return Fraction(Decimal(med.frequency_per_day))
    return None


# ---- milligrams ----------------------------------------------------------------------------
def body_surface_area(weight_kg: Decimal | None, height_cm: Decimal | None) -> Fraction | None:
    """Mosteller: sqrt(height cm x weight kg / 3600) m2 (12 significant digits)."""
    if weight_kg is None or height_cm is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 12
        return Fraction((Decimal(height_cm) * Decimal(weight_kg) / 3600).sqrt())


def mg_per_administration(med: Medication, weight_kg: Decimal | None,
                          height_cm: Decimal | None = None) -> Fraction | None:
    """The dose of one administration in mg; None when it cannot be known (no dose, a unit
    that is no mass, mg/kg without a weight, mg/m2 without weight and height)."""
    if med.dose is None or med.dose_unit is None:
        return None
    dose = _exact(med.dose)
    unit = med.dose_unit
    if unit == "mg":
        return dose
    if unit == "g":
        return dose * 1000
    if unit == "ug":
        return dose / 1000
    if unit in ("mg/kg", "g/kg"):
        if weight_kg is None:
            return None
        return dose * _exact(weight_kg) * (1000 if unit == "g/kg" else 1)
    if unit == "mg/m2":
        bsa = body_surface_area(weight_kg, height_cm)
        return None if bsa is None else dose * bsa
    return None


def is_glucocorticoid(med: Medication) -> bool:
    found = registry.drug(med.drug)
    return found is not None and found.is_glucocorticoid


def prednisone_factor(med: Medication) -> Fraction | None:
    found = registry.drug(med.drug)
    return None if found is None else found.prednisone_factor


def is_oral_daily_glucocorticoid(med: Medication) -> bool:
    """Counts towards the visit's oral steroid dose: a glucocorticoid not given IV, on a
    continuing schedule (IV pulses are counted apart, instruments.md section 10)."""
    return (is_glucocorticoid(med) and med.route != "iv"
            and med.schedule not in (SINGLE, PULSE) and daily_rate(med) is not None)


# ---- the course's history and the visit's dose ------------------------------------------
def course_history(medications: Iterable[Medication], drug: str) -> list[Medication]:
    """The dose periods of one drug (any spelling of a listed drug), oldest first."""
    key = registry.drug(drug)
    same = [m for m in medications
            if (registry.drug(m.drug) is key if key is not None
                else m.drug.strip().casefold() == drug.strip().casefold())]
    return sorted(same, key=lambda m: (m.start_date, m.id or 0))


def oral_steroid_on(medications: Iterable[Medication], day: dt.date,
                    weight_kg: Decimal | None = None) -> tuple[Fraction | None, list[str]]:
    """The oral prednisone-equivalent mg/day the medication list gives on ``day``, and the
    courses it comes from (``"prednisolone 15 mg once a day"``); (None, []) without any."""
    total = Fraction(0)
    parts: list[str] = []
    for med in medications:
        if not is_oral_daily_glucocorticoid(med) or _window(med, day, day) is None:
            continue
        mg = mg_per_administration(med, weight_kg)
        rate = daily_rate(med)
        factor = prednisone_factor(med)
        if mg is None or rate is None or factor is None:
            continue
        total += mg * rate * factor
        parts.append(f"{registry.drug_label(med.drug)} {schedule_text(med)}")
    return (total, parts) if parts else (None, [])


def steroid_agreement(visit_mg_day: Decimal | None, medications: Sequence[Medication],
                      day: dt.date, weight_kg: Decimal | None = None) -> Problem | None:
    """A warning when the visit's oral steroid dose and the medication list disagree on the
    visit day (by more than :data:`AGREEMENT_MG`), else None."""
    listed, parts = oral_steroid_on(medications, day, weight_kg)
    label = registry.get("steroid_mg_day").label

    def warn(value: object, reason: str) -> Problem:
        return Problem("steroid_mg_day", value, reason, Severity.WARNING, label)

    if listed is None:
        if visit_mg_day is not None and visit_mg_day > 0:
            return warn(visit_mg_day, _("mg/day, but the medication list has no oral "
                                        "glucocorticoid course on {day}").format(
                                            day=day.isoformat()))
        return None
    shown = mg_text(listed)
    if visit_mg_day is None:
        return warn(Decimal(shown), _("mg/day prednisone-equivalent in the medication list on "
                                      "{day} ({courses}), not recorded at this visit").format(
                                          day=day.isoformat(), courses="; ".join(parts)))
    if abs(Fraction(Decimal(visit_mg_day)) - listed) > AGREEMENT_MG:
        return warn(visit_mg_day, _("mg/day differs from the medication list on {day}: "
                                    "{shown} mg/day prednisone-equivalent ({courses})").format(
                                        day=day.isoformat(), shown=shown,
                                        courses="; ".join(parts)))
    return None


def mg_text(value: Fraction, decimals: int | None = None) -> str:
    """A dose rounded for people (the registry's steroid decimals by default)."""
    places = registry.get("steroid_mg_day").decimals if decimals is None else decimals
    q = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return plain_number(exact.quantize(q, rounding=ROUND_HALF_UP))


# ---- cumulative exposure ---------------------------------------------------------------
@frozen
class Exposure:
    """Glucocorticoid given on the days ``first`` to ``last``, prednisone-equivalent.

    Attributes:
        oral_mg, iv_mg: exact totals (IV pulses and other IV doses apart).
        weight_kg: the weight the mg/kg figure divides by (None: no weight known).
        uncounted: courses that could not be counted, in words (unknown dose or unit).
    """

    first: dt.date
    last: dt.date
    oral_mg: Fraction
    iv_mg: Fraction
    weight_kg: Decimal | None
    uncounted: tuple[str, ...] = ()

    @property
    def total_mg(self) -> Fraction:
        return self.oral_mg + self.iv_mg

    @property
    def mg_per_kg(self) -> Fraction | None:
        if self.weight_kg is None or self.weight_kg <= 0:
            return None
        return self.total_mg / _exact(self.weight_kg)

    def mg_per_kg_decimal(self) -> Decimal | None:
        """mg/kg rounded to :data:`registry.GC_EXPOSURE`'s decimals (exports, display)."""
        value = self.mg_per_kg
        if value is None:
            return None
        q = _quantum(registry.GC_EXPOSURE.decimals)
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(q, rounding=ROUND_HALF_UP)


def glucocorticoid_exposure(medications: Iterable[Medication], first: dt.date, last: dt.date,
                            weight_kg: Decimal | None,
                            height_cm: Decimal | None = None) -> Exposure:
    """Glucocorticoid exposure on days ``first`` to ``last`` (inclusive), prednisone-equivalent
    (instruments.md section 10 factors via the registry's drug list)."""
    oral = iv = _NONE_GIVEN
    uncounted: list[str] = []
    for med in medications:
        if not is_glucocorticoid(med):
            continue
        n = administrations(med, first, last)
        if n == 0:
            continue
        mg = mg_per_administration(med, weight_kg, height_cm)
        factor = prednisone_factor(med)
        if mg is None or factor is None:
            uncounted.append(f"{registry.drug_label(med.drug)} from "
                             f"{med.start_date.isoformat()}: dose in mg not known")
            continue
        amount = mg * n * factor
        if med.route == "iv":
            iv += amount
        else:
            oral += amount
    return Exposure(first, last, oral, iv, weight_kg, tuple(uncounted))


def exposure_between_visits(medications: Sequence[Medication],
                            visits: Sequence[tuple[dt.date, Decimal | None, Decimal | None]]
                            ) -> list[Exposure | None]:
    """For each visit (date, weight, height; oldest first) the exposure since the previous
    visit: the day after it through the visit day; None for the first visit. mg/kg uses the
    weight of the visit at the start of the interval, else the visit's own."""
    # only glucocorticoids count: found once, not once per interval (same courses, same order)
    medications = [med for med in medications if is_glucocorticoid(med)]
    out: list[Exposure | None] = []
    for i, (day, weight, height) in enumerate(visits):
        if i == 0:
            out.append(None)
            continue
        prev_day, prev_weight, prev_height = visits[i - 1]
        out.append(glucocorticoid_exposure(
            medications, prev_day + dt.timedelta(days=1), day,
            prev_weight if prev_weight is not None else weight,
            prev_height if prev_height is not None else height))
    return out


# ---- the older doses-per-day field (m021) ----------------------------------------------------
def schedule_from_frequency(freq: Decimal) -> tuple[str, int] | None:
    """(schedule, times per period) for an older ``frequency_per_day`` that means exactly one
    (1-4 a day, k/7 a week written to 3 decimals, once a month as 1/28-1/31), else None."""
    f = Fraction(Decimal(freq))
    if f.denominator == 1 and 1 <= f <= 4:
        return DAILY, int(f)
    for k in range(1, 7):
        if abs(f - Fraction(k, 7)) <= Fraction(1, 1000):
            return WEEKLY, k
    if Fraction(1, 31) - Fraction(1, 2000) <= f <= Fraction(1, 28) + Fraction(1, 2000):
        return MONTHLY, 1
    return None
