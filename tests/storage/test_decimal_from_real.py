"""``schema.decimal_from_real`` (every stored decimal read back) takes a shortcut for finite
floats; it must give exactly what the Decimal comparison gives (issue 16)."""

from __future__ import annotations

import math
import random
import struct
from decimal import Decimal

import pytest

from storage.schema import decimal_from_real


def _by_comparison(value: float | int) -> Decimal:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number


def test_the_same_decimal_as_the_comparison() -> None:
    rng = random.Random(16)
    values: list[float | int] = [0.0, -0.0, 1.0, -1.0, 2.5, 0.1, 1e15, 1e16 + 2, 1e22, 123.456,
                                 5e-324, 1.7976931348623157e308, -1e-7, 3, 0, -12]
    values += [round(rng.uniform(-1000, 1000), rng.randint(0, 4)) for _ in range(20000)]
    values += [struct.unpack("d", rng.randbytes(8))[0] for _ in range(20000)]
    values = [v for v in values if not (isinstance(v, float) and not math.isfinite(v))]
    for value in values:
        got, expected = decimal_from_real(value), _by_comparison(value)
        assert got == expected and str(got) == str(expected), value


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_take_the_old_way(value: float) -> None:
    try:
        expected: object = _by_comparison(value)
    except (OverflowError, ValueError) as exc:
        expected = type(exc)
    try:
        got: object = decimal_from_real(value)
    except (OverflowError, ValueError) as exc:
        got = type(exc)
    assert str(got) == str(expected)
