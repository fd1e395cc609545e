"""``decimal_text`` (the numbers in score explanations) is computed in integers; it must say
exactly what the Decimal way says: the value rounded half away from zero to 3 decimals,
trailing zeros dropped, "..." when that is not the exact value."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

from forms.score_base import decimal_text


def _by_decimal(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    scaled = magnitude * 1000
    rounded = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    dec = (Decimal(sign * rounded) / 1000).normalize()
    text = format(dec, "f")
    if text in ("-0", "0"):
        text = "0"
    return text if Fraction(dec) == value else f"{text}..."


def test_the_same_text_as_decimal_arithmetic() -> None:
    rng = random.Random(16)
    cases = [Fraction(rng.randint(-10**6, 10**6), rng.randint(1, 5000)) for _ in range(20000)]
    cases += [Fraction(n, d) for n in range(-600, 600) for d in (1, 2, 3, 7, 8, 16, 1000, 2000)]
    cases += [Fraction(-1, 2000), Fraction(1, 2000), Fraction(-1, 3000), Fraction(9995, 10000),
              Fraction(-9995, 10000), Fraction(1, 3), Fraction(2, 3)]
    assert [decimal_text(c) for c in cases] == [_by_decimal(c) for c in cases]


def test_examples() -> None:
    assert decimal_text(Fraction(5, 2)) == "2.5"
    assert decimal_text(Fraction(1, 3)) == "0.333..."
    assert decimal_text(Fraction(2, 3)) == "0.667..."
    assert decimal_text(Fraction(-1, 8)) == "-0.125"
    assert decimal_text(Fraction(1, 2000)) == "0.001..."  # half away from zero
    assert decimal_text(Fraction(-1, 3000)) == "0..."
    assert decimal_text(Fraction(7)) == "7"
