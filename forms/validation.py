"""Validation of entered values: types, ranges, choices, dates and cross-field rules.

Two entry points per value:

* :func:`check_field` for structured input (JSON case files, spreadsheets' typed cells, the
  model): strict about types. ``True`` is not a number, ``NaN`` and infinities are not numbers,
  ``2.5`` is not a CMAS score and the string ``"3"`` is not a number either.
* :func:`parse_text` for what a person typed (the GUI, text cells): lenient about spelling
  (" 3 ", "3,5" is refused, "Yes"/"yes", a choice's label) but just as strict about ranges.

Record checks (:func:`check_visit`, :func:`check_patient`, :func:`check_medication`,
:func:`check_adverse_event`) run the field checks and the cross-field rules and return the
normalized values with every problem found. Errors block saving; warnings do not.

Messages name the field, the value and what is allowed, in plain words:
``Problem.message`` for people ("2. Leg raise / touch object: 3 is out of range 0-2") and
``Problem.code_message`` in the data-contract wording ("cmas_leg_raise = 3 is out of range 0-2").
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from forms import registry
from forms.fields import Field, FieldType, Level, plain_number
from forms.i18n import _
from forms.model import MISSING_REASONS, Value
from forms.scoring import cmas_item_from_seconds

#: how far in the past a date may plausibly be (the oldest patients' birth dates).
EARLIEST_DATE = dt.date(1900, 1, 1)
#: above this oral steroid dose per kg a warning is shown (instruments.md section 10); the
#: number lives in the registry (``steroid_mg_kg_day.warn_above``), not here.
_steroid_warn = registry.get("steroid_mg_kg_day").warn_above
assert _steroid_warn is not None, "registry: steroid_mg_kg_day needs warn_above"
STEROID_MG_KG_WARN: Decimal = _steroid_warn
#: body-mass index outside this range is implausible for a child (weight/height typo check).
BMI_PLAUSIBLE = (Decimal(9), Decimal(45))

_TRUE_TEXT = {"true", "yes", "y", "1", "是", "有"}
_FALSE_TEXT = {"false", "no", "n", "0", "否", "无"}
#: typed dates: 2024-05-22, 2024-5-22, 2024/5/22, 2024.5.22, 2024年5月22日 and 20240522.
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


class Severity(StrEnum):
    ERROR = "error"  #: blocks saving
    WARNING = "warning"  #: shown, saving allowed


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value.

    Attributes:
        field: the field name (registry name, or a record key such as ``missing``).
        value: the offending value as given.
        reason: what is wrong, phrased to follow the value ("is out of range 0-2").
        severity: error (blocks saving) or warning.
        label: the field's label for people.
    """

    field: str
    value: object
    reason: str
    severity: Severity = Severity.ERROR
    label: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def shown_value(self) -> str:
        return _show(self.value)

    @property
    def message(self) -> str:
        """For people: ``"<label>: <value> <reason>"``."""
        return _("{label}: {value} {reason}").format(
            label=self.label or self.field, value=self.shown_value, reason=self.reason)

    @property
    def code_message(self) -> str:
        """Data-contract wording: ``"<field> = <value> <reason>"``."""
        return f"{self.field} = {self.shown_value} {self.reason}"


def _show(value: object) -> str:
    if value is None:
        return _("(empty)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if value.strip() != value or not value else f'"{value}"'
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (int, float)):
        return str(value)
    return f"{type(value).__name__} {value!r}"[:80]


def _resolve(field_or_name: Field | str, level: Level | None = None) -> Field:
    if isinstance(field_or_name, Field):
        return field_or_name
    return registry.get(field_or_name, level)


def _problem(f: Field, value: object, reason: str,
             severity: Severity = Severity.ERROR) -> Problem:
    return Problem(f.name, value, reason, severity, f.label)


# ------------------------------------------------------------------------------------------
# One value
# ------------------------------------------------------------------------------------------
def check_field(field_or_name: Field | str, raw: object,
                level: Level | None = None) -> tuple[Value | dt.date | None, list[Problem]]:
    """Check one structured value against its field definition.

    Args:
        field_or_name: the field, or its registry name.
        raw: the value as given (JSON scalar, Python value, ``None`` for not assessed).
        level: registry namespace for medication/adverse-event fields.

    Returns:
        ``(normalized value or None, problems)``. ``None`` with no problems means "not
        assessed". Normalized: int, Decimal, bool, choice code str, ``"na"``, date, or text.
    """
    f = _resolve(field_or_name, level)
    if raw is None:
        return None, []
    t = f.type
    if t in (FieldType.INTEGER, FieldType.DECIMAL):
        if f.na_allowed and isinstance(raw, str) and raw == "na":
            return "na", []
        number = _structured_number(f, raw)
        if isinstance(number, Problem):
            return None, [number]
        return _check_number(f, number, raw)
    if t is FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw, []
        return None, [_problem(f, raw, _("is not true or false"))]
    if t is FieldType.CHOICE:
        if isinstance(raw, str) and raw in f.choice_codes:
            return raw, []
        return None, [_problem(f, raw, _("is not one of {allowed}")
                                       .format(allowed=f.allowed_text()))]
    if t is FieldType.DATE:
        return _check_date(f, raw)
    return _check_text(f, raw)


def parse_text(field_or_name: Field | str, text: str | None,
               level: Level | None = None) -> tuple[Value | dt.date | None, list[Problem]]:
    """Parse what a person typed into a field; an empty text means "not assessed".

    Numbers accept surrounding spaces and a leading ``+``; choices accept the code or the label
    in any letter case; booleans accept yes/no/true/false/1/0; dates accept ``YYYY-MM-DD`` and the
    spellings of :func:`date_text`.
    """
    f = _resolve(field_or_name, level)
    if text is None:
        return None, []
    stripped = text.strip()
    if not stripped:
        return None, []
    t = f.type
    if t in (FieldType.INTEGER, FieldType.DECIMAL):
        if f.na_allowed and stripped.lower() in {"na", "n/a"}:
            return "na", []
        if f.form == "mmt8" and stripped.upper() == "T":
            # Kendall trace is written "T"; it is graded 0 (project convention 3).
            return _check_number(f, Decimal(0), text)
        try:
            number = Decimal(stripped)
        except InvalidOperation:
            return None, [_problem(f, text, _("is not a number; allowed {allowed}")
                                            .format(allowed=f.allowed_text()))]
        if not number.is_finite():
            return None, [_problem(f, text, _("is not a number; allowed {allowed}")
                                            .format(allowed=f.allowed_text()))]
        return _check_number(f, number, text)
    if t is FieldType.BOOLEAN:
        low = stripped.lower()
        if low in _TRUE_TEXT:
            return True, []
        if low in _FALSE_TEXT:
            return False, []
        return None, [_problem(f, text, _("is not yes or no"))]
    if t is FieldType.CHOICE:
        low = stripped.lower()
        for c in f.choices:
            if low in (str(c.code).lower(), c.label.lower(), c.label_en.lower()):
                return c.code, []
        return None, [_problem(f, text, _("is not one of {allowed}")
                                        .format(allowed=f.allowed_text()))]
    if t is FieldType.DATE:
        return _check_date(f, date_text(stripped))
    return _check_text(f, text)


def date_text(text: str) -> str:
    """A typed date in ISO form when it is one of the accepted spellings (2024-05-22,
    2024/5/22, 2024.5.22, 2024年5月22日, 20240522), else ``text`` unchanged (the check then
    says what is allowed)."""
    m = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if m is None:
        return text
    year, month, day = m.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _structured_number(f: Field, raw: object) -> Decimal | Problem:
    if isinstance(raw, bool):
        return _problem(f, raw, _("is true/false, not a number; allowed {allowed}").format(
            allowed=f.allowed_text()))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return _problem(f, raw, _("is not a number; allowed {allowed}")
                                    .format(allowed=f.allowed_text()))
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return _problem(f, raw, _("is not a number; allowed {allowed}")
                                    .format(allowed=f.allowed_text()))
        return raw
    return _problem(f, raw, _("is not a number; allowed {allowed}")
                            .format(allowed=f.allowed_text()))


def _check_number(f: Field, number: Decimal, raw: object) -> tuple[Value | None, list[Problem]]:
    problems: list[Problem] = []
    if f.type is FieldType.INTEGER:
        if number != number.to_integral_value():
            return None, [_problem(f, raw, _("is not a whole number; allowed {allowed}").format(
                allowed=f.allowed_text()))]
        value: Value = int(number)
    else:
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > f.decimals:
            places = _("no decimals") if f.decimals == 0 else (
                _("1 decimal place") if f.decimals == 1
                else _("{n} decimal places").format(n=f.decimals))
            return None, [_problem(f, raw, _("has too many decimals: {places} allowed").format(
                places=places))]
        # 32.0 and 32 are the same weight: keep integral decimals without a fraction part.
        value = Decimal(int(number)) if number == number.to_integral_value() else number
    if (f.minimum is not None and number < f.minimum) or (
            f.maximum is not None and number > f.maximum):
        return None, [_problem(f, raw, _("is out of range {allowed}")
                                       .format(allowed=f.allowed_text()))]
    unit = f" {f.unit}" if f.unit else ""
    if f.warn_above is not None and number > f.warn_above:
        problems.append(_problem(f, raw, _("is unusually high (above {limit}{unit}); please "
                                           "check").format(limit=_num(f.warn_above), unit=unit),
                                 Severity.WARNING))
    if f.warn_below is not None and number < f.warn_below:
        problems.append(_problem(f, raw, _("is unusually low (below {limit}{unit}); please "
                                           "check").format(limit=_num(f.warn_below), unit=unit),
                                 Severity.WARNING))
    return value, problems


_num = plain_number


def _check_date(f: Field, raw: object) -> tuple[dt.date | None, list[Problem]]:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        day = raw
    elif isinstance(raw, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            return None, [_problem(f, raw, _("is not a real calendar date"))]
    else:
        return None, [_problem(f, raw, _("is not a date in the form YYYY-MM-DD"))]
    if day < EARLIEST_DATE:
        return None, [_problem(f, raw, _("is before {date}")
                                       .format(date=EARLIEST_DATE.isoformat()))]
    return day, []


def _check_text(f: Field, raw: object) -> tuple[str | None, list[Problem]]:
    if not isinstance(raw, str):
        return None, [_problem(f, raw, _("is not text"))]
    text = raw.strip() if f.pattern else raw
    if any(ord(ch) < 32 and ch not in "\n\t\r" for ch in text):
        return None, [_problem(f, raw, _("contains control characters"))]
    if f.max_length is not None and len(text) > f.max_length:
        return None, [_problem(f, f"{text[:20]}...", _("is longer than {n} characters")
                                                     .format(n=f.max_length))]
    if f.pattern and not re.fullmatch(f.pattern, text):
        return None, [_problem(f, raw, _("is not valid: {rule}").format(rule=f.pattern_help))]
    if not text.strip():
        return None, []
    return text, []


# ------------------------------------------------------------------------------------------
# Records
# ------------------------------------------------------------------------------------------
@dataclass
class RecordCheck:
    """Normalized values of one record and everything found wrong with them."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        """True when nothing blocks saving (warnings allowed)."""
        return not self.errors


@dataclass
class VisitCheck(RecordCheck):
    """A visit's normalized ``values`` and ``missing`` reasons, with every problem found."""

    missing: dict[str, str] = field(default_factory=dict)


def check_visit(values: Mapping[str, object], missing: Mapping[str, object] | None = None, *,
                visit_date: object = None, visit_label: object = None,
                birth_date: dt.date | None = None,
                today: dt.date | None = None) -> VisitCheck:
    """Check one visit's entered values, missing reasons and header.

    Args:
        values: field name -> raw value (``Visit.values`` or a case file's ``values``).
        missing: field name -> reason code (``not_done``, ``not_assessable``, ``unknown``).
        visit_date: the visit date, checked when given (required by storage).
        visit_label: the visit label, checked when given.
        birth_date: the child's birth date, for "visit before birth" errors.
        today: the current date (a visit cannot be in the future); defaults to today.

    Returns:
        A :class:`VisitCheck` with normalized values. When a timed CMAS item has only its
        seconds, the item score is derived from them and added to ``values``.
    """
    result = VisitCheck()
    today = today or dt.date.today()
    allowed = {f.name: f for f in registry.visit_value_fields()}
    if not isinstance(values, Mapping):
        result.problems.append(Problem("values", values, _("is not a map of field names to "
                                                           "values")))
        return result
    for name, raw in values.items():
        f = allowed.get(name) if isinstance(name, str) else None
        if f is None:
            result.problems.append(_unknown_field(name, raw))
            continue
        value, problems = check_field(f, raw)
        result.problems.extend(problems)
        if value is not None:
            result.values[name] = value
    _check_missing(missing, values, allowed, result)
    if visit_date is not None or visit_label is not None:
        _check_header(visit_date, visit_label, birth_date, today, result)
    _cross_check_cmas_seconds(values, result)
    _cross_check_body(result)
    return result


def _unknown_field(name: object, value: object = None) -> Problem:
    if isinstance(name, str) and registry.has(name):
        f = registry.get(name)
        if f.derived:
            return Problem(name, value, _("is computed by JDM Capture and cannot be entered"),
                           Severity.ERROR, f.label)
        return Problem(name, value, _("is not a visit field"), Severity.ERROR, f.label)
    return Problem(str(name), value, _("is not a known field name"))


def _check_missing(missing: Mapping[str, object] | None, values: Mapping[str, object],
                   allowed: Mapping[str, Field], result: VisitCheck) -> None:
    if missing is None:
        return
    if not isinstance(missing, Mapping):
        result.problems.append(Problem("missing", missing, _("is not a map of field names "
                                                             "to reasons")))
        return
    reasons = "/".join(MISSING_REASONS)
    for name, reason in missing.items():
        f = allowed.get(name) if isinstance(name, str) else None
        if f is None:
            result.problems.append(_unknown_field(name, reason))
            continue
        if not isinstance(reason, str) or reason not in MISSING_REASONS:
            result.problems.append(Problem(name, reason, _("is not a missing-value reason; allowed "
                                             "{allowed}").format(allowed=reasons),
                                           Severity.ERROR, f.label))
            continue
        if values.get(name) is not None:
            result.problems.append(Problem(
                name, values[name],
                _("has a value and is also marked missing ({reason}); keep one of the "
                  "two").format(reason=reason), Severity.ERROR, f.label))
            continue
        result.missing[name] = reason


def _check_header(visit_date: object, visit_label: object, birth_date: dt.date | None,
                  today: dt.date, result: RecordCheck) -> None:
    f_date = registry.get("visit_date")
    if visit_date is None:
        result.problems.append(_problem(f_date, None, _("is required")))
    else:
        day, problems = check_field(f_date, visit_date)
        result.problems.extend(problems)
        if day is not None:
            assert isinstance(day, dt.date)
            result.values["visit_date"] = day
            if day > today:
                result.problems.append(_problem(f_date, visit_date, _("is in the future")))
            if birth_date is not None and day < birth_date:
                result.problems.append(_problem(
                    f_date, visit_date, _("is before the date of birth {date}")
                                        .format(date=birth_date.isoformat())))
    if visit_label is not None:
        label, problems = check_field(registry.get("visit_label"), visit_label)
        result.problems.extend(problems)
        if label is not None:
            result.values["visit_label"] = label


def _cross_check_cmas_seconds(raw_values: Mapping[str, object], result: VisitCheck) -> None:
    """Timed CMAS items: derive the score from seconds, or check that both agree (section 1)."""
    for item, (sec_name, _bounds) in registry.CMAS_TIMED.items():
        seconds = result.values.get(sec_name)
        if not isinstance(seconds, int) or isinstance(seconds, bool):
            continue
        f_item = registry.get(item)
        derived = cmas_item_from_seconds(item, seconds)  # the one seconds -> score rule
        if item in result.missing:
            result.problems.append(Problem(
                item, None, _("is marked missing but {seconds} s were recorded for it").format(
                    seconds=seconds),
                Severity.ERROR, f_item.label))
            continue
        given = result.values.get(item)
        if given is None:
            if raw_values.get(item) is None:  # not an item value rejected above
                result.values[item] = derived
        elif given != derived:
            result.problems.append(Problem(
                item, given, _("does not match the {seconds} seconds recorded ({seconds} s scores "
                  "{derived})").format(seconds=seconds, derived=derived),
                Severity.ERROR, f_item.label))


def _cross_check_body(result: VisitCheck) -> None:
    """Weight, height and steroid plausibility (instruments.md section 10): warnings only."""
    weight = result.values.get("weight_kg")
    height = result.values.get("height_cm")
    steroid = result.values.get("steroid_mg_day")
    if isinstance(weight, Decimal) and isinstance(height, Decimal):
        bmi = weight / (height / 100) ** 2
        if not BMI_PLAUSIBLE[0] <= bmi <= BMI_PLAUSIBLE[1]:
            f = registry.get("weight_kg")
            result.problems.append(Problem(
                "weight_kg", weight,
                _("and height {height} cm give a body-mass index of {bmi}; please check "
                  "both").format(height=_num(height), bmi=f"{bmi:.1f}"), Severity.WARNING, f.label))
    if isinstance(steroid, Decimal) and isinstance(weight, Decimal) and weight > 0:
        per_kg = steroid / weight
        if per_kg > STEROID_MG_KG_WARN:
            f = registry.get("steroid_mg_day")
            result.problems.append(Problem(
                "steroid_mg_day", steroid,
                _("mg/day is {per_kg} mg/kg/day at {weight} kg, above the usual maximum of "
                  "{limit} mg/kg/day; please check").format(
                    per_kg=f"{per_kg:.2f}", weight=_num(weight), limit=STEROID_MG_KG_WARN),
                Severity.WARNING, f.label))


def _check_record(record: Mapping[str, object], level: Level) -> RecordCheck:
    result = RecordCheck()
    if not isinstance(record, Mapping):
        result.problems.append(Problem(level.value, record, _("is not a record (a map of fields)")))
        return result
    fields = {f.name: f for f in registry.fields_for(level=level, derived=False)}
    for name, raw in record.items():
        f = fields.get(name) if isinstance(name, str) else None
        if f is None:
            result.problems.append(Problem(str(name), raw, _("is not a known field name")))
            continue
        value, problems = check_field(f, raw)
        result.problems.extend(problems)
        if value is not None:
            result.values[name] = value
    for f in fields.values():
        if f.required and result.values.get(f.name) is None and not any(
                p.field == f.name for p in result.problems):
            result.problems.append(_problem(f, record.get(f.name), _("is required")))
    return result


def check_patient(record: Mapping[str, object], *, today: dt.date | None = None) -> RecordCheck:
    """Check a patient record (study_id, sex, diagnosis_date, autoantibody, identifiers)."""
    result = _check_record(record, Level.PATIENT)
    today = today or dt.date.today()
    born = result.values.get("birth_date")
    diagnosed = result.values.get("diagnosis_date")
    for name in ("birth_date", "diagnosis_date"):
        day = result.values.get(name)
        if isinstance(day, dt.date) and day > today:
            result.problems.append(_problem(registry.get(name), day, _("is in the future")))
    if isinstance(born, dt.date) and isinstance(diagnosed, dt.date) and diagnosed < born:
        result.problems.append(_problem(registry.get("diagnosis_date"), diagnosed,
                                        _("is before the date of birth {date}")
                                        .format(date=born.isoformat())))
    return result


def check_medication(record: Mapping[str, object]) -> RecordCheck:
    """Check a medication course; the stop date may not precede the start date."""
    result = _check_record(record, Level.MEDICATION)
    start, stop = result.values.get("start_date"), result.values.get("stop_date")
    if isinstance(start, dt.date) and isinstance(stop, dt.date) and stop < start:
        result.problems.append(_problem(registry.get("stop_date", Level.MEDICATION), stop,
                                        _("is before the start date {date}")
                                        .format(date=start.isoformat())))
    return result


def check_adverse_event(record: Mapping[str, object]) -> RecordCheck:
    """Check an adverse event; the resolution date may not precede the onset date."""
    result = _check_record(record, Level.ADVERSE_EVENT)
    onset, end = result.values.get("onset_date"), result.values.get("resolution_date")
    if isinstance(onset, dt.date) and isinstance(end, dt.date) and end < onset:
        result.problems.append(_problem(registry.get("resolution_date", Level.ADVERSE_EVENT),
                                        end, _("is before the onset date {date}")
                                             .format(date=onset.isoformat())))
    if result.values.get("outcome") == "fatal" and result.values.get("grade") not in (None, 5):
        result.problems.append(_problem(registry.get("grade", Level.ADVERSE_EVENT),
                                        result.values.get("grade"),
                                        _("does not fit a fatal outcome (CTCAE grade 5 = death)")))
    return result
