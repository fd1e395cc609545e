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
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from forms import i18n, registry
from forms.fields import Deid, Field, FieldType, Level, plain_number
from forms.i18n import _
from forms.instruments import mdi
from forms.model import MISSING_REASONS, Patient, Value
from forms.records import frozen, mutable
from forms.scoring import cmas_item_from_seconds

#: how far in the past a date may plausibly be (the oldest patients' birth dates).
EARLIEST_DATE = dt.date(1900, 1, 1)
#: no date after this is accepted anywhere (a typo such as 9999-12-31 would otherwise break
#: date arithmetic in reports and exports); the per-record rules below are stricter.
LATEST_DATE = dt.date(2099, 12, 31)
#: medication start and stop dates may be planned ahead up to this many days (a warning says
#: so); adverse-event, visit, birth and diagnosis dates may not be in the future at all.
PLANNED_HORIZON_DAYS = 366
#: format characters that scripts need (Persian, Indic, emoji sequences) and that do not
#: reorder text; every other Unicode Cf character (bidi overrides, BOM, ...) is refused.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
#: line breaks, refused in single-line text.
_LINE_BREAKS = frozenset({"\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"})
#: a visit label that would carry a calendar date into a de-identified export.
_DATE_LIKE = re.compile(r"(?:\d{4}[-_]?\d{1,2}[-_]?\d{1,2}|\d{1,2}[-_]\d{1,2}[-_]\d{2,4}|"
                        r"\d{6,8})", re.ASCII)
#: above this oral steroid dose per kg a warning is shown (instruments.md section 10); the
#: number lives in the registry (``steroid_mg_kg_day.warn_above``), not here.
_steroid_warn = registry.get("steroid_mg_kg_day").warn_above
assert _steroid_warn is not None, "registry: steroid_mg_kg_day needs warn_above"
STEROID_MG_KG_WARN: Decimal = _steroid_warn
#: body-mass index outside this range is implausible for a child (weight/height typo check).
BMI_PLAUSIBLE = (Decimal(9), Decimal(45))

#: Bounds applied to every number *before* exact arithmetic touches it (``Decimal`` and
#: ``Fraction`` are exact, so ``1e-99999999`` or a 5,000-digit integer would take minutes or
#: gigabytes): typed or JSON text longer than this is not a clinical number ...
MAX_NUMBER_CHARS = 40
#: ... nor one with more significant digits ...
MAX_NUMBER_DIGITS = 30
#: ... nor one of magnitude 10**16 or more, or with more than this many decimal places.
MAX_NUMBER_ADJUSTED = 15
MAX_NUMBER_PLACES = 20
#: messages quote at most this many characters of a value.
SHOWN_VALUE_CHARS = 60

_TRUE_TEXT = {"true", "yes", "y", "1", "是", "有"}
_FALSE_TEXT = {"false", "no", "n", "0", "否", "无"}
#: typed dates: 2024-05-22, 2024-5-22, 2024/5/22, 2024.5.22, 2024年5月22日 and 20240522.
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


class Severity(StrEnum):
    ERROR = "error"  #: blocks saving
    WARNING = "warning"  #: shown, saving allowed


@frozen
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


_SURROGATE_RE = re.compile("[\ud800-\udfff]")
#: the reason given for text holding half of a UTF-16 pair (JSON "\\ud800", bad file names)
LONE_SURROGATE = ("contains a character that is not valid Unicode (a lone surrogate, "
                  "U+D800-U+DFFF); retype it")


def has_lone_surrogate(text: str) -> bool:
    """True for text that cannot be stored or printed as UTF-8 (a lone surrogate)."""
    return _SURROGATE_RE.search(text) is not None


def _shorten(text: str, limit: int = SHOWN_VALUE_CHARS) -> str:
    """``12345...(5,000 characters)`` for a text too long to quote whole."""
    if len(text) <= limit:
        return text
    return f"{text[:limit - 20]}...({len(text):,} characters)"


def _show(value: object) -> str:
    if value is None:
        return _("(empty)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, OversizedNumber):
        return _shorten(value.text)
    if isinstance(value, str):
        short = _shorten(value)
        if has_lone_surrogate(short):
            short = short.encode("utf-8", "backslashreplace").decode("utf-8")
        return repr(short) if value.strip() != value or not value else f'"{short}"'
    if isinstance(value, Decimal):
        if not value.is_finite() or len(value.as_tuple().digits) > MAX_NUMBER_DIGITS or \
                not -MAX_NUMBER_PLACES <= value.adjusted() <= MAX_NUMBER_ADJUSTED:
            return _shorten(str(value))  # scientific notation: never 10**8 zeros
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool) and \
            value.bit_length() > 3 * MAX_NUMBER_CHARS:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (int, float)):
        return str(value)
    return f"{type(value).__name__} {value!r}"[:80]


@frozen
class OversizedNumber:
    """A number in a JSON file whose text is too long to be read as a number (kept as text
    so the file can still be parsed and the problem named: :func:`json_number`)."""

    text: str


def json_number(text: str) -> Decimal | int | OversizedNumber:
    """``parse_float``/``parse_int`` for ``json.loads``: bounded before conversion, so a
    5,000-digit integer or ``1e-99999999`` is a problem to report, not an exception (Python
    refuses integers of more than 4,300 digits) or minutes of exact arithmetic."""
    if len(text) > MAX_NUMBER_CHARS:
        return OversizedNumber(text)
    if "." in text or "e" in text or "E" in text:
        return Decimal(text)
    return int(text)


def json_int(text: str) -> int | OversizedNumber:
    """:func:`json_number` for ``parse_int``: json passes it the numbers without a point or
    an exponent, which json_number reads with ``int`` (the same result, fewer tests)."""
    return OversizedNumber(text) if len(text) > MAX_NUMBER_CHARS else int(text)


def json_float(text: str) -> Decimal | OversizedNumber:
    """:func:`json_number` for ``parse_float``: json passes it the numbers with a point or an
    exponent, which json_number reads as a ``Decimal`` (the same result, fewer tests)."""
    return OversizedNumber(text) if len(text) > MAX_NUMBER_CHARS else Decimal(text)


def number_problem(f: Field, number: Decimal, raw: object) -> Problem | None:
    """Why ``number`` may not go near exact arithmetic, or None (bounds above; O(1)).

    Too large a magnitude is out of range; too many decimal places or significant digits
    (``6.50000000000000000000000000000000001``) is refused naming the decimals allowed,
    never rounded.
    """
    if not number.is_finite():
        return _problem(f, raw, _("is not a number; allowed {allowed}").format(
            allowed=f.allowed_text()))
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):
        return None
    if number.adjusted() > MAX_NUMBER_ADJUSTED:
        return _problem(f, raw, _("is out of range {allowed}").format(allowed=f.allowed_text()))
    trailing = _trailing_zeros(digits)
    places = -(exponent + trailing)  # decimal places once trailing zeros are dropped
    if places > MAX_NUMBER_PLACES or len(digits) - trailing > MAX_NUMBER_DIGITS or \
            places > _allowed_places(f):
        return _problem(f, raw, _("has too many decimals: {places} allowed").format(
            places=_places_text(f)))
    return None


def _TOO_MANY_DECIMALS() -> str:  # noqa: N802 - reads like the message it stands for
    """The start of the too-many-decimals message in the current language."""
    return _("has too many decimals: {places} allowed").split("{")[0]


def _trailing_zeros(digits: tuple[int, ...]) -> int:
    n = 0
    for d in reversed(digits):
        if d:
            break
        n += 1
    return n


def _allowed_places(f: Field) -> int:
    return 0 if f.type is FieldType.INTEGER else f.decimals


def _places_text(f: Field) -> str:
    places = _allowed_places(f)
    return _("no decimals") if places == 0 else (
        _("1 decimal place") if places == 1 else _("{n} decimal places").format(n=places))


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


#: what :func:`check_field` returns for one value
Checked = tuple["Value | dt.date | None", list["Problem"]]
_CHECKERS: tuple[tuple[Field, ...], dict[str, tuple[Field, Callable[[object], Checked]]],
                 _Accepted] | None = None


@frozen
class _Accepted:
    """The values :func:`compiled_check` returns unchanged with no problem, by field name, for
    :func:`check_visit` to take without a call per value (~260 values a visit): an int of an
    integer field within ``ints[name]`` (bounds inclusive), a bool of a yes/no field, a
    choice code of ``choices[name]``."""

    ints: dict[str, tuple[Decimal, Decimal]]
    bools: frozenset[str]
    choices: dict[str, frozenset[str]]


def _visit_checkers() -> dict[str, tuple[Field, Callable[[object], Checked]]]:
    """Each entered visit field's name -> (field, a check of one value equal to
    :func:`check_field`), built once from the registry (it is fixed once loaded)."""
    return _visit_checks()[1]


def _visit_checks() -> tuple[tuple[Field, ...],
                             dict[str, tuple[Field, Callable[[object], Checked]]], _Accepted]:
    global _CHECKERS  # noqa: PLW0603 - a cache of what the registry declares
    fields = registry.visit_value_fields()
    if _CHECKERS is None or _CHECKERS[0] is not fields:
        ints = {f.name: bounds for f in fields if f.type is FieldType.INTEGER
                for bounds in (_plain_bounds(f),) if bounds is not None}
        accepted = _Accepted(ints, frozenset(f.name for f in fields
                                             if f.type is FieldType.BOOLEAN),
                             {f.name: _choice_codes(f) for f in fields
                              if f.type is FieldType.CHOICE})
        _CHECKERS = (fields, {f.name: (f, compiled_check(f)) for f in fields}, accepted)
    return _CHECKERS


def _choice_codes(f: Field) -> frozenset[str]:
    return frozenset(c for c in f.choice_codes if isinstance(c, str))


def _plain_bounds(f: Field) -> tuple[Decimal, Decimal] | None:
    """(low, high): a number of ``f`` (integer or decimal) inside them, with no more places
    than allowed, has no problem and no warning (range and warning limits); None when the
    field's numbers all go to :func:`check_field` (no bounds, or bounds so large that the
    digit limits of :func:`number_problem` could apply)."""
    lo, hi = f.minimum, f.maximum
    if f.type not in (FieldType.INTEGER, FieldType.DECIMAL) or lo is None or hi is None or \
            max(abs(lo), abs(hi)) >= 10 ** MAX_NUMBER_ADJUSTED or \
            _allowed_places(f) > MAX_NUMBER_PLACES or \
            MAX_NUMBER_ADJUSTED + _allowed_places(f) >= MAX_NUMBER_DIGITS:
        return None
    # inside these bounds number_problem finds nothing: no more digits or places than allowed
    low = lo if f.warn_below is None else max(lo, f.warn_below)
    high = hi if f.warn_above is None else min(hi, f.warn_above)
    return low, high


def compiled_check(f: Field) -> Callable[[object], Checked]:
    """A check of one value of ``f`` that returns exactly what ``check_field(f, raw)`` does.

    The common cases (not assessed; a number of the right kind inside the range and warning
    limits; a choice code; true/false) are answered from what the field declares, looked up
    once; anything else (text, dates, "na", out of range, a warning, a problem) goes to
    :func:`check_field`, so there is still one rule for every value.
    """
    def slow(raw: object) -> Checked:
        return check_field(f, raw)

    t = f.type
    if t is FieldType.BOOLEAN:
        def check_bool(raw: object) -> Checked:
            if raw is None or raw is True or raw is False:
                return raw, []
            return check_field(f, raw)
        return check_bool
    if t is FieldType.CHOICE:
        codes = _choice_codes(f)

        def check_choice(raw: object) -> Checked:
            if raw is None:
                return None, []
            if type(raw) is str and raw in codes:
                return raw, []
            return check_field(f, raw)
        return check_choice
    bounds = _plain_bounds(f)
    if bounds is None:
        return slow
    low, high = bounds
    places = -_allowed_places(f)
    if t is FieldType.INTEGER:
        def check_int(raw: object) -> Checked:
            if raw is None:
                return None, []
            if type(raw) is int and low <= raw <= high:
                return raw, []
            return check_field(f, raw)
        return check_int

    def check_decimal(raw: object) -> Checked:
        if raw is None:
            return None, []
        if type(raw) is int:
            if low <= raw <= high:
                return Decimal(raw), []
        elif type(raw) is Decimal and raw.is_finite() and low <= raw <= high:
            exponent = raw.as_tuple().exponent
            if isinstance(exponent, int) and exponent >= places:
                return (Decimal(int(raw)) if raw == raw.to_integral_value() else raw), []
        return check_field(f, raw)
    return check_decimal


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
        if len(stripped) > MAX_NUMBER_CHARS:
            return None, [_problem(f, text, f"is too long to be a number; allowed "
                                            f"{f.allowed_text()}")]
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
    if isinstance(raw, OversizedNumber):
        return _problem(f, raw, _("is too long to be a number; allowed {allowed}").format(
            allowed=f.allowed_text()))
    if isinstance(raw, int):
        if raw.bit_length() > 3 * MAX_NUMBER_CHARS:  # before Decimal(): no 4,300-digit work
            return _problem(f, raw, f"is out of range {f.allowed_text()}")
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
    bounded = number_problem(f, number, raw)  # before any arithmetic (module constants)
    if bounded is not None:
        if f.type is FieldType.INTEGER and bounded.reason.startswith(_TOO_MANY_DECIMALS()):
            return None, [_problem(f, raw, _("is not a whole number; allowed {allowed}").format(
                allowed=f.allowed_text()))]
        return None, [bounded]
    if f.type is FieldType.INTEGER:
        value: Value = int(number)
    else:
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
    if day > LATEST_DATE:
        return None, [_problem(f, raw, _("is in the future (dates after {date} are not "
                                         "accepted)").format(date=LATEST_DATE.isoformat()))]
    return day, []


def text_shape_problem(f: Field, text: str) -> str | None:
    """What is wrong with the characters of ``text`` for field ``f``, or None.

    Single-line fields refuse line breaks and tabs; every text field refuses the other control
    characters (Unicode Cc: NUL, ESC, C1 controls), format characters (Cf: bidi overrides,
    BOM; ZWJ/ZWNJ are allowed, scripts need them) and lone surrogates. Multi-line fields allow
    TAB, LF and CR.
    """
    for i, ch in enumerate(text):
        if ch in _LINE_BREAKS or ch == "\t":
            if f.multiline and ch in "\t\n\r":
                continue
            if ch != "\t" and not f.multiline:
                return _("contains a line break at character {n}; this field is one "
                         "line").format(n=i + 1)
            if ch == "\t":
                return _("contains a tab at character {n}; this field is one line").format(
                    n=i + 1)
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or (category == "Cf" and ch not in _ALLOWED_FORMAT):
            kind = _("a format character") if category == "Cf" else _("a control character")
            return _("contains {kind} (U+{code}) at character {n}; control and invisible "
                     "format characters are not allowed").format(kind=kind,
                                                                 code=f"{ord(ch):04X}", n=i + 1)
    return None


def _shown_long(text: str) -> str:
    return f"{text[:20]}..." if len(text) > 20 else text


def _check_text(f: Field, raw: object) -> tuple[str | None, list[Problem]]:
    if not isinstance(raw, str):
        return None, [_problem(f, raw, _("is not text"))]
    text = raw.strip() if f.pattern else raw
    if has_lone_surrogate(text):
        return None, [_problem(f, _shown_long(text), LONE_SURROGATE)]
    if f.max_length is not None and len(text) > f.max_length:
        return None, [_problem(f, _shown_long(text), _("is longer than {n} characters ({length})")
                               .format(n=f.max_length, length=f"{len(text):,}"))]
    shape = text_shape_problem(f, text)
    if shape is not None:
        return None, [_problem(f, _shown_long(text), shape)]
    if f.pattern and not re.fullmatch(f.pattern, text):
        return None, [_problem(f, raw, _("is not valid: {rule}").format(rule=f.pattern_help))]
    if f.deid is Deid.LABEL and _DATE_LIKE.search(text):
        return None, [_problem(f, raw, _("looks like a date; the visit date is recorded "
                                         "separately, so use a protocol label (M0, M3, ...) "
                                         "or leave it empty"))]
    if not text.strip():
        return None, []
    return text, []


def check_visit_notes(notes: object) -> list[Problem]:
    """Problems with a visit's free-text notes (``registry.VISIT_NOTES``: length, shape)."""
    if notes is None or notes == "":
        return []
    return check_field(registry.VISIT_NOTES, notes)[1]


def vocabulary_code(f: Field, text: str | None) -> str | None:
    """The code of ``text`` in the vocabulary of coded field ``f`` (``registry.VOCABULARIES``).

    ``text`` matches a term when it equals the term's code, label or a synonym, ignoring letter
    case, spacing and a trailing full stop; anything else is ``registry.OTHER_CODE``. Part of a
    longer text never matches (``"zoster; seen by Dr Roe"`` is ``other``): the text may name
    people and places, and guessing would hide that. None for empty text.
    """
    if text is None or not text.strip():
        return None
    if f.vocabulary == "drugs":  # the drug list's own matching (registry.drug)
        found = registry.drug(text.strip().rstrip("."))
        return found.code if found is not None else registry.OTHER_CODE
    key = _term_key(text)
    return _vocabulary_index(f.vocabulary).get(key, registry.OTHER_CODE)


def _term_key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".").strip()


_VOCAB_INDEX: dict[str, dict[str, str]] = {}


def _vocabulary_index(name: str) -> dict[str, str]:
    index = _VOCAB_INDEX.get(name)
    if index is None:
        index = {}
        for term in registry.VOCABULARIES[name]:
            translated = [i18n.translate_to(lang, term.label_en) for lang in i18n.LANGUAGES]
            for spelling in (term.code, term.code.replace("_", " "), term.label_en,
                             *translated, *term.synonyms):
                index.setdefault(_term_key(spelling), term.code)
        _VOCAB_INDEX[name] = index
    return index


def _vocabulary_warning(f: Field, value: object) -> Problem | None:
    if f.deid is not Deid.CODE or not isinstance(value, str):
        return None
    if vocabulary_code(f, value) != registry.OTHER_CODE:
        return None
    message = (_("is not in the drug list: de-identified exports show 'other'")
               if f.vocabulary == "drugs" else
               _("is not in the term list: de-identified exports show 'other'"))
    return _problem(f, value, message, Severity.WARNING)


# ------------------------------------------------------------------------------------------
# Records
# ------------------------------------------------------------------------------------------
@mutable
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


@mutable
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
    # per field, built once (the same answers as check_field)
    _fields, checkers, accepted = _visit_checks()
    if not isinstance(values, Mapping):
        result.problems.append(Problem("values", values, _("is not a map of field names to "
                                                           "values")))
        return result
    ints, bools, choices = accepted.ints, accepted.bools, accepted.choices
    out = result.values
    for name, raw in values.items():
        # the common values, taken as the field's compiled check would return them
        if type(raw) is int:
            bounds = ints.get(name)
            if bounds is not None and bounds[0] <= raw <= bounds[1]:
                out[name] = raw
                continue
        elif type(raw) is bool:
            if name in bools:
                out[name] = raw
                continue
        elif type(raw) is str:
            codes = choices.get(name)
            if codes is not None and raw in codes:
                out[name] = raw
                continue
        known = checkers.get(name) if isinstance(name, str) else None
        if known is None:
            result.problems.append(_unknown_field(name, raw))
            continue
        value, problems = known[1](raw)
        if problems:
            result.problems.extend(problems)
        if value is not None:
            result.values[name] = value
    if missing is not None:
        _check_missing(missing, values, {n: c[0] for n, c in checkers.items()}, result)
    if visit_date is not None or visit_label is not None:
        _check_header(visit_date, visit_label, birth_date, today, result)
    for check in registry.cross_checks():  # the instruments' declared cross-field rules
        CROSS_CHECKS[check.key](values, result)
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


def _cross_check_mdi_severity(result: VisitCheck) -> None:
    """MDI (forms/instruments/mdi.py): a system's severity VAS against its items (warnings).

    A severity above 0 while every item of the system is answered and none is present, or an
    item present while the system's severity is 0, usually means one of them was mistyped.
    """
    values = result.values
    for system, items in mdi.SYSTEM_ITEMS.items():
        severity_name = f"mdi_sev_{system}"
        severity = values.get(severity_name)
        if not isinstance(severity, Decimal):
            continue
        answers = [values.get(n) for n in items]
        present = [n for n, a in zip(items, answers, strict=True) if a == 1]
        f = registry.get(severity_name)
        if severity > 0 and not present and all(a is not None for a in answers):
            result.problems.append(Problem(
                severity_name, severity, _("but no damage item of this organ system is "
                                           "present; please check"), Severity.WARNING, f.label))
        elif severity == 0 and present:
            result.problems.append(Problem(
                severity_name, severity, _("but {item} is present; please check").format(
                    item=registry.get(present[0]).label), Severity.WARNING, f.label))


#: the implementation of each cross-check an instrument declares (``Instrument.cross_checks``,
#: by key): raw values and the visit check so far -> problems added to it.
CROSS_CHECKS: dict[str, Callable[[Mapping[str, object], VisitCheck], None]] = {
    "cmas_seconds": _cross_check_cmas_seconds,
    "body": lambda _raw, result: _cross_check_body(result),
    "mdi_severity_items": lambda _raw, result: _cross_check_mdi_severity(result),
}


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
        warning = _vocabulary_warning(f, result.values.get(f.name))
        if warning is not None:
            result.problems.append(warning)
    return result


def _check_record_dates(result: RecordCheck, level: Level, birth_date: dt.date | None,
                        today: dt.date) -> None:
    """Dates of a medication or adverse event against the child's birth and today.

    Medication start and stop dates may be planned: after today is a warning, more than
    :data:`PLANNED_HORIZON_DAYS` ahead an error. Adverse-event dates have happened: after
    today is an error. Before the date of birth is an error for every record date.
    """
    horizon = today + dt.timedelta(days=PLANNED_HORIZON_DAYS)
    for f in registry.fields_for(level=level, derived=False):
        day = result.values.get(f.name)
        if f.type is not FieldType.DATE or not isinstance(day, dt.date):
            continue
        if birth_date is not None and day < birth_date:
            result.problems.append(_problem(f, day, _("is before the date of birth {date}")
                                            .format(date=birth_date.isoformat())))
        if level is Level.MEDICATION:
            if day > horizon:
                result.problems.append(_problem(
                    f, day, _("is more than {days} days in the future (after {date})").format(
                        days=PLANNED_HORIZON_DAYS, date=horizon.isoformat())))
            elif day > today:
                result.problems.append(_problem(f, day, _("is in the future: a planned date? "
                                                          "please check"), Severity.WARNING))
        elif day > today:
            result.problems.append(_problem(f, day, _("is in the future")))


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
    sid, mrn = result.values.get("study_id"), result.values.get("mrn")
    if isinstance(sid, str) and isinstance(mrn, str) and study_id_looks_like_mrn(sid, mrn):
        result.problems.append(_problem(
            registry.get("study_id"), sid, _("looks like the medical record number {mrn}; a "
                                             "study ID must not reveal the MRN (it is kept in "
                                             "de-identified exports)").format(mrn=mrn),
            Severity.WARNING))
    return result


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def study_id_looks_like_mrn(study_id: str, mrn: str) -> bool:
    """True when the study ID reveals the MRN: the same letters and digits, one containing
    the other, or the same run of 4 or more digits (``H100123`` / ``JDM-100123``)."""
    sid, rec = _alnum(study_id), _alnum(mrn)
    if not sid or not rec:
        return False
    if sid == rec or (min(len(sid), len(rec)) >= 4 and (sid in rec or rec in sid)):
        return True
    sid_digits = "".join(ch for ch in sid if ch.isdigit())
    rec_digits = "".join(ch for ch in rec if ch.isdigit())
    return len(rec_digits) >= 4 and (rec_digits in sid_digits if sid_digits else False)


def patient_date_problems(patient: Patient, *, today: dt.date | None = None,
                          ) -> list[tuple[str, Problem]]:
    """Cross-record date rules of one saved patient: ``(where, problem)`` pairs.

    Every visit, medication and adverse-event date against the date of birth and the
    record-level rules (future dates, planned-date horizon), as :func:`check_visit`,
    :func:`check_medication` and :func:`check_adverse_event` apply them at entry. Storage runs
    this when a patient's dates change (a birth date moved after saved visits is refused) and
    ``check`` reports it for data saved before the rules existed.
    """
    today = today or dt.date.today()
    born = patient.birth_date
    out: list[tuple[str, Problem]] = []
    f_date = registry.get("visit_date")
    for visit in patient.visits:
        where = f"visit {visit.describe()}"
        if visit.visit_date > today:
            out.append((where, _problem(f_date, visit.visit_date, _("is in the future"))))
        if born is not None and visit.visit_date < born:
            out.append((where, _problem(f_date, visit.visit_date, _(
                "is before the date of birth {date}").format(date=born.isoformat()))))
    if patient.diagnosis_date is not None and born is not None and patient.diagnosis_date < born:
        out.append(("patient", _problem(registry.get("diagnosis_date"), patient.diagnosis_date,
                                        _("is before the date of birth {date}").format(
                                            date=born.isoformat()))))
    records: Iterable[tuple[str, Level, object]] = [
        *((f"medication {m.drug} from {m.start_date.isoformat()}", Level.MEDICATION, m)
          for m in patient.medications),
        *((f"adverse event {a.term} on {a.onset_date.isoformat()}", Level.ADVERSE_EVENT, a)
          for a in patient.adverse_events)]
    for where, level, record in records:
        result = RecordCheck()
        for f in registry.fields_for(level=level, derived=False):
            if f.type is FieldType.DATE:
                result.values[f.name] = getattr(record, f.name)
        _check_record_dates(result, level, born, today)
        out.extend((where, p) for p in result.problems if p.is_error)
    return out


def check_medication(record: Mapping[str, object], *, birth_date: dt.date | None = None,
                     today: dt.date | None = None) -> RecordCheck:
    """Check a medication course; the stop date may not precede the start date.

    Dates are also checked against ``birth_date`` (when known) and ``today`` (default: today):
    see :func:`_check_record_dates`.
    """
    result = _check_record(record, Level.MEDICATION)
    _check_record_dates(result, Level.MEDICATION, birth_date, today or dt.date.today())
    start, stop = result.values.get("start_date"), result.values.get("stop_date")
    if isinstance(start, dt.date) and isinstance(stop, dt.date) and stop < start:
        result.problems.append(_problem(registry.get("stop_date", Level.MEDICATION), stop,
                                        _("is before the start date {date}")
                                        .format(date=start.isoformat())))
    from forms.medication import schedule_problems  # schedule rules live with the arithmetic

    result.problems.extend(schedule_problems(result.values))
    return result


def check_adverse_event(record: Mapping[str, object], *, birth_date: dt.date | None = None,
                        today: dt.date | None = None) -> RecordCheck:
    """Check an adverse event; the resolution date may not precede the onset date, and no date
    may be in the future or before ``birth_date``."""
    result = _check_record(record, Level.ADVERSE_EVENT)
    _check_record_dates(result, Level.ADVERSE_EVENT, birth_date, today or dt.date.today())
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
