"""The exact-arithmetic primitives every scoring rule uses (instruments.md convention 1).

:class:`Score` is one derived value (or ``None`` with a reason); :func:`read_number` reads a
visit's value exactly and checks it against its registry field; :func:`quantize` rounds half
away from zero. The rules themselves live in their instrument modules
(``forms/instruments/cmas.py``: the CMAS total, ...); :mod:`forms.scoring` runs them.

This module does not import the registry at import time (the registry is built from the
instrument modules, which import this one); field look-ups happen on first use.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from forms.fields import Field, FieldType
from forms.i18n import _
from forms.records import frozen

#: rule name (a derived field) -> the version of the rule that computes it (convention 9). The
#: instruments declare each version (``Derived.version``); ``forms.registry`` fills this table
#: once at import, and the rules read it when they run (``forms.scoring.RULE_VERSIONS`` is this
#: same table).
RULE_VERSIONS: dict[str, str] = {}


def registry_field(name: str) -> Field:
    """The registry field ``name`` (imported on use: the registry imports the instruments)."""
    return _registry_get()(name)


@functools.cache
def _registry_get() -> Callable[[str], Field]:
    """``forms.registry.get``, imported on the first call (an import statement on every call
    cost ~1.5 us, 80 times per fully filled visit)."""
    from forms import registry  # noqa: PLC0415 - see the module docstring

    return registry.get


@frozen
class Score:
    """One derived value of a visit.

    Attributes:
        field: the registry name of the derived field (``cmas_total``, ...).
        value: the stored value (int, Decimal or str code), or ``None`` when missing.
        missing_reason: why ``value`` is None, in words ("CMAS: 2 of 14 items missing");
            empty when the value is present.
        rule_version: the :data:`RULE_VERSIONS` entry the value was computed with.
        detail: a human-readable account of the computation ("neck 8 + right 57 = 65").
        exact: the exact value before rounding (CHAQ DI, steroid mg/kg/day), else None.
        parts: structured components (item scores, domain scores) for exports and the GUI.
        missing: the registry names of the inputs whose absence left ``value`` missing, as
            data (the reason may list them in words, or say "not assessed" instead).
        summary: ``missing_reason`` in a few words, without the list of names ("CMAS: 2 of 14
            items missing"); empty when the reason is already short. Read it through
            :attr:`short_reason`, never by cutting ``missing_reason``.
    """

    field: str
    value: int | Decimal | str | None
    missing_reason: str = ""
    rule_version: str = ""
    detail: str = ""
    exact: Fraction | None = None
    parts: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    missing: tuple[str, ...] = ()
    summary: str = ""

    @property
    def is_missing(self) -> bool:
        return self.value is None

    @property
    def short_reason(self) -> str:
        """Why the value is missing, in a few words (the live totals' line under a total)."""
        return self.summary or self.missing_reason




class InvalidValue(ValueError):
    """A value in a visit's values map is of the wrong type or out of its registry range."""


# --------------------------------------------------------------------------------------------
# Reading values exactly
# --------------------------------------------------------------------------------------------
def to_fraction(value: object) -> Fraction:
    """The exact rational value of an int, Decimal or (defensively) float.

    Floats go through ``str`` so that ``2.2`` means 22/10, not its binary approximation
    (instruments.md section 0, convention 1).

    Raises:
        InvalidValue: booleans, strings, NaN and infinities are not numbers.
    """
    if type(value) is Fraction:  # already exact (the criteria pass the values they read)
        return value
    if isinstance(value, bool) or value is None:
        raise InvalidValue(f"{value!r} is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue(f"{value} is not a finite number")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValue(f"{value} is not a finite number")
        return Fraction(Decimal(str(value)))
    if isinstance(value, Fraction):
        return value
    raise InvalidValue(f"{value!r} is not a number")


def quantize(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, as an exact Decimal."""
    if type(value) is not Fraction:  # a Fraction is used as it is (no copy: the same value)
        value = Fraction(value)
    num, den = value.as_integer_ratio()  # den > 0: the sign is the numerator's
    # floor(|value| x 10^places + 1/2) in integers: (2 |num| 10^p + den) // (2 den)
    if num < 0:
        return Decimal(-((-2 * num * 10**places + den) // (2 * den))).scaleb(-places)
    return Decimal((2 * num * 10**places + den) // (2 * den)).scaleb(-places)


def decimal_text(value: Fraction) -> str:
    """A short exact-ish text of a fraction for explanations (at most 3 decimals shown):
    ``quantize(value, 3)`` without trailing zeros, and "..." when that is not exact. In
    integers (every visit's explanations call this a dozen times)."""
    num, den = value.numerator, value.denominator
    if den == 1:
        return str(num)
    magnitude = abs(num)
    rounded = (2 * magnitude * 1000 + den) // (2 * den)  # half away from zero, as quantize
    whole, thousandths = divmod(rounded, 1000)
    text = str(whole) + (f".{thousandths:03d}".rstrip("0") if thousandths else "")
    if num < 0 and rounded:
        text = "-" + text
    exact = (magnitude * 1000) % den == 0
    return text if exact else f"{text}..."


def fmt(value: object) -> str:
    if isinstance(value, Fraction):
        return decimal_text(value)
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(
            value, "f")
    return str(value)


def read_number(values: Mapping[str, object], name: str) -> Fraction | None:
    """The exact value of numeric field ``name`` in ``values``, None when absent/not assessed.

    Checks the type (INTEGER fields need a whole number) and the registry range.

    Raises:
        InvalidValue: a wrong type or a value outside the field's range; the message is in
            the data-contract wording (``"cmas_leg_raise = 3 is out of range 0-2"``).
    """
    raw = values.get(name)
    if raw is None:
        return None
    try:  # a value read before: the same exact value, in range (immutable, safe to share)
        hit = _READ.get((name, type(raw), raw))
    except TypeError:  # unhashable: read below, not remembered
        hit = None
    if hit is not None:
        return hit
    number = _read_number(name, raw)
    if type(raw) is not float:  # a float's exact value comes from its text: not remembered
        if len(_READ) > 20_000:
            _READ.clear()
        _READ[(name, type(raw), raw)] = number
    return number


#: (field, type, value) -> :func:`read_number`'s result for that value (an int or Decimal in
#: the field's range). The same values recur visit after visit (globals, enzymes, VAS); the
#: type is in the key because ``1``, ``1.0`` and ``True`` are equal keys, and equal values of
#: one type have one exact value (``Decimal("5.3")`` and ``Decimal("5.30")``: 53/10).
_READ: dict[tuple[str, type, object], Fraction] = {}


def _read_number(name: str, raw: object) -> Fraction:
    """:func:`read_number` of a value that is not None, checked and converted."""
    fld, low, high = _numeric_field(name)
    if type(raw) is int:  # fast path for item scores and grades (exact already)
        if (low is not None and raw < low) or (high is not None and raw > high):
            raise InvalidValue(f"{name} = {raw} is out of range {fld.allowed_text()}")
        return Fraction(raw)
    try:
        number = to_fraction(raw)
    except InvalidValue as exc:
        raise InvalidValue(f"{name} = {raw!r} is not a number (allowed {fld.allowed_text()})"
                           ) from exc
    if fld.type is FieldType.INTEGER and number.denominator != 1:
        raise InvalidValue(f"{name} = {fmt(raw)} is not a whole number "
                           f"(allowed {fld.allowed_text()})")
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidValue(f"{name} = {fmt(raw)} is out of range {fld.allowed_text()}")
    return number


@functools.cache
def _numeric_field(name: str) -> tuple[Field, Fraction | int | None, Fraction | int | None]:
    """The registry field ``name`` with its range as exact fractions (the registry is fixed
    at import time, so this look-up is cached; it is on every scoring path)."""
    fld = registry_field(name)

    def exact(bound: Decimal | None) -> Fraction | int | None:
        if bound is None:
            return None
        value = Fraction(bound)
        return value.numerator if value.denominator == 1 else value  # ints compare fastest

    return fld, exact(fld.minimum), exact(fld.maximum)


def read_bool(values: Mapping[str, object], name: str) -> bool | None:
    raw = values.get(name)
    if raw is None:
        return None
    if not isinstance(raw, bool):
        raise InvalidValue(f"{name} = {raw!r} is not true/false")
    return raw


def read_item(values: Mapping[str, object], name: str, errors: list[str]) -> int | None:
    """An integer item, None when absent; an invalid value is recorded in ``errors``."""
    raw = values.get(name)
    if type(raw) is int:  # fast path: a whole number in range is the item score itself
        low, high = _item_bounds(name)
        if low <= raw <= high:
            return raw
    try:
        number = read_number(values, name)
    except InvalidValue as exc:
        errors.append(str(exc))
        return None
    return None if number is None else int(number)


@functools.cache
def _item_bounds(name: str) -> tuple[Fraction | int | float, Fraction | int | float]:
    """The range of :func:`_numeric_field`, an absent bound as -inf / +inf (the fast path of
    :func:`read_item` compares in one chain)."""
    _, low, high = _numeric_field(name)
    return (-math.inf if low is None else low, math.inf if high is None else high)


def field_range(fld: Field) -> tuple[Fraction, Fraction]:
    assert fld.minimum is not None and fld.maximum is not None, fld.name
    return Fraction(fld.minimum), Fraction(fld.maximum)


def invalid(prefix: str, errors: list[str]) -> str:
    template = _("{what}: invalid values: {errors}") if len(errors) > 1 else _(
        "{what}: invalid value: {errors}")
    return template.format(what=prefix, errors="; ".join(errors))


def missing_names(names: list[str]) -> str:
    return ", ".join(names)


def labels(names: list[str]) -> str:
    """Field names in the words people read ("DAS skin subscale and DAS muscle subscale")."""
    return _(" and ").join(registry_field(n).label for n in names)

