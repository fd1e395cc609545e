"""Descriptive statistics for cohort reports, exact (no floats, no numpy).

Percentiles follow **Hyndman and Fan (1996) definition 7**, the default of R's ``quantile()``,
of Excel's ``PERCENTILE.INC``/``QUARTILE.INC`` and of NumPy's ``percentile``: for sorted values
``x[1] <= ... <= x[n]`` and a probability ``p``, ``h = (n - 1) p + 1`` and

    Q(p) = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])

so the median is the usual middle value (or the mean of the two middle values) and the quartiles
are interpolated between order statistics. Every value is a :class:`fractions.Fraction` built
from ``Decimal(str(x))`` (project convention 1), so a reader can recompute each figure by hand.

Reference: Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat 1996;50:361-5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from forms.records import frozen

__all__ = ["METHOD", "Summary", "describe", "exact", "median", "paired_differences",
           "quantile"]

#: How the percentiles are computed, in words for the reports and the README.
METHOD = ("Hyndman and Fan type 7 (linear interpolation between order statistics; the "
          "default of R quantile() and Excel PERCENTILE.INC)")

Number = int | Decimal | Fraction | float


def exact(value: Number) -> Fraction:
    """``value`` as an exact fraction (floats through ``str``: 2.2 means 22/10)."""
    if isinstance(value, bool):
        raise TypeError(f"{value!r} is not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        return Fraction(Decimal(str(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return Fraction(value)
    raise TypeError(f"{value!r} is not a number")


def quantile(values: Iterable[Number], p: Number) -> Fraction:
    """The Hyndman-Fan type 7 sample quantile of ``values`` at probability ``p`` (0-1).

    Raises:
        ValueError: no values, or ``p`` outside 0-1.
    """
    xs = sorted(exact(v) for v in values)
    prob = exact(p)
    if not xs:
        raise ValueError("quantile of no values")
    if not 0 <= prob <= 1:
        raise ValueError(f"probability must be between 0 and 1, got {p}")
    h = (len(xs) - 1) * prob  # 0-based position: (n - 1) p
    low = math.floor(h)
    if low + 1 >= len(xs):
        return xs[-1]
    return xs[low] + (h - low) * (xs[low + 1] - xs[low])


def median(values: Iterable[Number]) -> Fraction:
    """The median (type 7 at p = 1/2: the middle value, or the mean of the two middle ones)."""
    return quantile(values, Fraction(1, 2))


@frozen
class Summary:
    """n, median, quartiles (type 7) and range of some values; all None when n is 0."""

    n: int
    median: Fraction | None
    q1: Fraction | None
    q3: Fraction | None
    minimum: Fraction | None
    maximum: Fraction | None


def describe(values: Iterable[Number]) -> Summary:
    """n, median, first and third quartile (Hyndman-Fan type 7), minimum and maximum."""
    xs = sorted(exact(v) for v in values)
    if not xs:
        return Summary(0, None, None, None, None, None)
    return Summary(len(xs), quantile(xs, Fraction(1, 2)), quantile(xs, Fraction(1, 4)),
                   quantile(xs, Fraction(3, 4)), xs[0], xs[-1])


def paired_differences(pairs: Sequence[tuple[Number | None, Number | None]]) -> list[Fraction]:
    """``after - before`` for every pair where both are present (change from baseline)."""
    return [exact(after) - exact(before) for before, after in pairs
            if before is not None and after is not None]
