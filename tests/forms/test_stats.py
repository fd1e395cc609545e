"""forms.stats against percentiles worked out by hand (Hyndman-Fan type 7) and, where it is
installed here anyway, against the standard library's statistics.quantiles(method="inclusive"),
which is the same definition computed independently."""

from __future__ import annotations

import statistics
from decimal import Decimal as D
from fractions import Fraction as F

import pytest

from forms import stats


def test_hand_worked_quartiles_of_eight_values() -> None:
    # x = 1 2 3 4 5 6 8 10 (n = 8). Type 7: h = (n - 1) p (0-based).
    # p = 1/4: h = 7/4 -> x[1] + 3/4 (x[2] - x[1]) = 2 + 3/4 = 2.75
    # p = 1/2: h = 7/2 -> x[3] + 1/2 (x[4] - x[3]) = 4.5
    # p = 3/4: h = 21/4 -> x[5] + 1/4 (x[6] - x[5]) = 6 + 1/2 = 6.5
    xs = [10, 1, 8, 2, 6, 3, 5, 4]
    s = stats.describe(xs)
    assert (s.n, s.q1, s.median, s.q3) == (8, F(11, 4), F(9, 2), F(13, 2))
    assert (s.minimum, s.maximum) == (1, 10)


def test_hand_worked_odd_count_and_decimals() -> None:
    # 0.2 0.5 0.5 1.1 2.4 (n = 5): p = 1/4 -> h = 1 -> 0.5; median h = 2 -> 0.5;
    # p = 3/4 -> h = 3 -> 1.1. Exact decimals, no float error.
    s = stats.describe([D("1.1"), D("0.2"), D("2.4"), D("0.5"), D("0.5")])
    assert (s.q1, s.median, s.q3) == (F(1, 2), F(1, 2), F(11, 10))
    # 0.1 0.2 0.7 (n = 3): p = 1/4 -> h = 1/2 -> 0.1 + 1/2 x 0.1 = 0.15 exactly
    assert stats.quantile([0.1, 0.2, 0.7], F(1, 4)) == F(15, 100)


def test_one_and_two_values() -> None:
    assert stats.describe([7]) == stats.Summary(1, F(7), F(7), F(7), F(7), F(7))
    # 2 values 3, 5: q1 h = 1/4 -> 3.5; median 4; q3 h = 3/4 -> 4.5
    s = stats.describe([5, 3])
    assert (s.q1, s.median, s.q3) == (F(7, 2), F(4), F(9, 2))
    assert stats.describe([]) == stats.Summary(0, None, None, None, None, None)


@pytest.mark.parametrize("xs", [[3, 1, 4, 1, 5, 9, 2, 6], [48, 52, 30, 45], list(range(17)),
                                [D("0.3"), D("1.25"), D("2.5"), D("0.75"), D("1.5"), D("2")]])
def test_same_as_statistics_inclusive(xs: list) -> None:
    # statistics.quantiles(method="inclusive") is type 7; with Fractions it is exact too
    expected = statistics.quantiles([F(x) for x in xs], n=4, method="inclusive")
    s = stats.describe(xs)
    assert [s.q1, s.median, s.q3] == expected


def test_paired_differences_skip_incomplete_pairs() -> None:
    diffs = stats.paired_differences([(30, 40), (None, 50), (45, None), (D("1.5"), D("0.5"))])
    assert diffs == [10, -1]
    assert stats.median(diffs) == F(9, 2)


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        stats.quantile([], F(1, 2))
    with pytest.raises(ValueError):
        stats.quantile([1], 2)
    with pytest.raises(TypeError):
        stats.exact(True)
