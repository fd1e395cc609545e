"""One value formatter: a field's value as people read it, from the registry (no Qt).

The registry says how a value is written: its decimals, its unit, its choice or level labels.
:func:`format_value` applies them, so the GUI, the PDFs and the messages of ``forms`` print
``0.099 mg/kg/day``, ``Right`` or ``3.0 cm (0-10)`` the same way. Two number styles:

* plain (:func:`number_text`): exact, without exponent or trailing zeros (``Decimal('2.50')``
  -> ``2.5``); with ``decimals``, rounded half-up to that many places first. Used where one
  value stands alone (a message, a REDCap cell, a carried-over value).
* fixed (:func:`fixed_text`): exactly the registry's decimals (``3`` -> ``3.0`` beside ``4.2``),
  so a column or a list of one measure never mixes ``3`` and ``4.2`` (reports, live totals).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeGuard

from forms import registry
from forms.fields import Field, FieldType, Level


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, exactly."""
    num, den = abs(value.numerator), value.denominator
    rounded = (2 * num * 10**places + den) // (2 * den)
    return Decimal(-rounded if value < 0 else rounded).scaleb(-places)


def _decimal(value: int | float | Decimal | Fraction, places: int | None) -> Decimal:
    if isinstance(value, Fraction):
        if places is None:
            return Decimal(value.numerator) / Decimal(value.denominator)
        return _round_half_up(value, places)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is None:
        return number
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _is_number(value: object) -> TypeGuard[int | float | Decimal | Fraction]:
    return not isinstance(value, bool) and isinstance(value, int | float | Decimal | Fraction)


def number_text(value: object, decimals: int | None = None) -> str:
    """A number as a short string: ``Decimal('2.50')`` -> ``2.5``; None -> ``""``.

    Args:
        value: int, Decimal, float, Fraction or None (other values are ``str()``-ed).
        decimals: round to this many places first (half-up), then strip trailing zeros.
    """
    if value is None:
        return ""
    if not _is_number(value):
        return str(value)
    text = format(_decimal(value, decimals), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fixed_text(value: object, decimals: int) -> str:
    """A number with exactly ``decimals`` places (half-up): ``3`` -> ``3.0``; None -> ``""``."""
    if value is None:
        return ""
    if not _is_number(value):
        return str(value)
    number = _decimal(value, decimals)
    text = format(number, "f")
    return "0" + text[2:] if text.startswith("-0") and not number else text


def signed_text(value: object, decimals: int | None = None) -> str:
    """Like :func:`number_text` with an explicit sign: ``+3``, ``-1.5``, ``0``."""
    text = number_text(value, decimals)
    if text and text != "0" and not text.startswith("-"):
        return "+" + text
    return text


def signed_fixed(value: object, decimals: int) -> str:
    """Like :func:`fixed_text` with an explicit sign: ``+3.0``, ``-1.5``, ``0.0``."""
    text = fixed_text(value, decimals)
    if text and text.lstrip("0.") and not text.startswith("-"):
        return "+" + text
    return text


def yes_no(value: bool) -> str:
    """``Yes`` / ``No`` in the current language (the registry's yes/no labels)."""
    yes, no = registry.YES_NO
    return yes.label if value else no.label


def format_value(fld: Field | str, value: object, *, unit: bool = True, fixed: bool = False,
                 levels: bool = False, level: Level | None = None, missing: str = "") -> str:
    """The value of a registry field as people read it.

    Args:
        fld: the field, or its name (looked up with ``level``).
        value: as stored or scored (int, Decimal, Fraction, str code, bool, date, text).
        unit: append the field's unit to a number (``0.099 mg/kg/day``).
        fixed: numbers with exactly the field's decimals (reports and totals); else plain,
            rounded to the field's decimals when it has more.
        levels: show a described level by its label (an adverse event's grade
            ``Moderate``) instead of its number (a CMAS item ``2``).
        missing: the text for None or an empty value.

    A choice is shown by its label (``right`` -> ``Right``); a scored item by its number
    unless ``levels``; ``"na"`` of a CHAQ item as ``na``; a boolean
    as Yes/No; a date in ISO form; text as it is.
    """
    f = registry.get(fld, level) if isinstance(fld, str) else fld
    if value is None or value == "":
        return missing
    if isinstance(value, bool) or f.type is FieldType.BOOLEAN:
        return yes_no(bool(value))
    if f.type is FieldType.CHOICE:
        return f.choice_label(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if _is_number(value) and f.is_numeric:
        if levels and f.levels:
            return f.choice_label(value)
        text = fixed_text(value, f.decimals) if fixed else number_text(
            value, f.decimals if _more_places(value, f.decimals) else None)
        return f"{text} {f.unit}" if unit and f.unit else text
    return str(value)


def _more_places(value: object, decimals: int) -> bool:
    """``value`` has more decimal places than ``decimals`` (a Fraction always may)."""
    if isinstance(value, Fraction | float):
        return True
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return isinstance(exponent, int) and -exponent > decimals
    return False


__all__ = ["fixed_text", "format_value", "number_text", "signed_fixed", "signed_text",
           "yes_no"]
