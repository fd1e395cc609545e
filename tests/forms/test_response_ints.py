"""The response criteria's and scores' arithmetic done in integers (issue 16) must give exactly
what the straightforward Fraction arithmetic gives: the TIS improvement percent, the PRINTO
percent and its "worse by more than 30 %", the PRINTO level met with missing variables at
their best or worst case, ``quantize``, and ``read_number`` remembering the values it read."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from forms import registry, response
from forms.response import PrintoVariable, _Measured, _printo_case, _printo_variable
from forms.score_base import InvalidValue, _read_number, quantize, read_number

RNG_SEED = 20261202


def _random_fraction(rng: random.Random) -> Fraction:
    kind = rng.random()
    if kind < 0.3:
        return Fraction(rng.randint(0, 20))
    if kind < 0.6:
        return Fraction(rng.randint(0, 1000), 10)  # one decimal, as the VAS and globals
    if kind < 0.8:
        return Fraction(rng.randint(0, 3000), rng.choice((100, 1000, 3, 7, 8)))
    return Fraction(rng.randint(-500, 500), rng.randint(1, 400))


# -- the TIS improvement percent -----------------------------------------------------------
def _percent_by_fractions(name: str, b: Fraction, f: Fraction, higher: bool,
                          relative: bool) -> Fraction | None:
    change = (f - b) if higher else (b - f)
    if relative:
        return None if b == 0 else change / b * 100
    fld = registry.get(name)
    assert fld.minimum is not None and fld.maximum is not None
    return change / (Fraction(fld.maximum) - Fraction(fld.minimum)) * 100


def test_improvement_percent_is_the_fraction_arithmetic() -> None:
    rng = random.Random(RNG_SEED)
    names = [response._PHYS, response._PARENT, response._FUNCTION, "cmas_total",
             "mmt8_total", response._EXTRAMUSCULAR]
    cases = 0
    for _ in range(20_000):
        name = rng.choice(names)
        b, f = _random_fraction(rng), _random_fraction(rng)
        higher, relative = rng.random() < 0.5, rng.random() < 0.3
        got = response.improvement_percent(name, b, f, higher_is_better=higher,
                                           relative=relative)
        assert got == _percent_by_fractions(name, b, f, higher, relative), (name, b, f)
        assert got is None or type(got) is Fraction
        cases += 1
    # the inputs the criteria pass: Decimals and ints too
    assert response.improvement_percent("ck", Decimal("200.5"), 100, relative=True) == \
        _percent_by_fractions("ck", Fraction("200.5"), Fraction(100), False, True)
    assert cases == 20_000


# -- a PRINTO variable -----------------------------------------------------------------------
class _Fixed:
    """A visit's measures with given exact values (what _printo_variable reads)."""

    def __init__(self, exact: Fraction | None) -> None:
        self.m = _Measured(exact, None if exact is None else Decimal(exact.numerator)
                           / exact.denominator, "not recorded")

    def get(self, name: str) -> _Measured:
        return self.m


def _printo_by_fractions(b: Fraction, f: Fraction, higher: bool
                         ) -> tuple[str, bool, Fraction | None]:
    change = (f - b) if higher else (b - f)
    if b == 0:
        if change == 0:
            return "no_change", False, None
        return ("improved", False, None) if change > 0 else ("worsened", True, None)
    percent = change / b * 100
    return "change", percent < -30, percent


def test_printo_variable_is_the_fraction_arithmetic() -> None:
    rng = random.Random(RNG_SEED + 1)
    for i in range(20_000):
        b, f = _random_fraction(rng), _random_fraction(rng)
        if i % 10 == 0:
            b = Fraction(0)
        higher = rng.random() < 0.5
        for explain in (True, False):
            v = _printo_variable("chaq", response._FUNCTION, higher, _Fixed(b), _Fixed(f),
                                 explain=explain)
            outcome, worse, percent = _printo_by_fractions(b, f, higher)
            assert (v.outcome, v.worsened, v.percent_exact) == (outcome, worse, percent), (b, f)
            assert v.percent == (None if percent is None else quantize(percent, 2))


# -- PRINTO levels with missing variables -----------------------------------------------------
def _case_by_closures(level: int, variables: tuple[PrintoVariable, ...], best: bool) -> bool:
    """The rule as it was written before: two predicates and a count of each."""
    def improved(v: PrintoVariable) -> bool:
        return best if v.outcome == "missing" else v.improved_at(level)

    def worsened(v: PrintoVariable) -> bool:
        return (not best) if v.outcome == "missing" else v.worsened

    n_improved = sum(1 for v in variables if improved(v))
    bad = [v for v in variables if worsened(v)]
    return (n_improved >= response.PRINTO_MIN_IMPROVED
            and len(bad) <= response.PRINTO_MAX_WORSENED
            and not any(v.is_muscle for v in bad))


def test_printo_case_is_the_two_predicate_rule() -> None:
    rng = random.Random(RNG_SEED + 2)
    keys = ("phys_global", "parent_global", "muscle", "chaq", "das", "chq_phs")
    met = {True: 0, False: 0}
    for _ in range(20_000):
        variables = []
        for key in keys:
            outcome = rng.choice(("missing", "change", "change", "change", "no_change",
                                  "improved", "worsened"))
            percent = _random_fraction(rng) * rng.choice((1, 10, -1)) if outcome == "change" \
                else None
            worse = outcome == "worsened" or (percent is not None and percent < -30)
            variables.append(PrintoVariable(key, key, key, None, None, None, outcome, worse,
                                            "", percent))
        for level in response.PRINTO_LEVELS:
            for best in (True, False):
                got = _printo_case(level, tuple(variables), best=best)
                assert got == _case_by_closures(level, tuple(variables), best)
                met[got] += 1
    assert met[True] > 1000 and met[False] > 1000  # both outcomes are exercised


# -- quantize --------------------------------------------------------------------------------
def _quantize_by_fractions(value: Fraction, places: int) -> Decimal:
    num, den = abs(value.numerator), value.denominator
    rounded = (2 * num * 10**places + den) // (2 * den)
    sign = -1 if value < 0 else 1
    return Decimal(sign * rounded).scaleb(-places)


def test_quantize_is_the_fraction_rounding() -> None:
    rng = random.Random(RNG_SEED + 3)
    cases = [Fraction(rng.randint(-10**7, 10**7), rng.randint(1, 10**5)) for _ in range(20_000)]
    cases += [Fraction(n, d) for n in range(-300, 300) for d in (1, 2, 3, 8, 200, 2000)]
    for value in cases:
        for places in (0, 1, 2, 3):
            got, want = quantize(value, places), _quantize_by_fractions(value, places)
            assert got == want and str(got) == str(want), (value, places)
    assert str(quantize(Fraction(-1, 1000), 2)) == "0.00"  # no negative zero
    assert str(quantize(Fraction(-5, 1000), 2)) == "-0.01"  # half away from zero


# -- read_number remembers what it read --------------------------------------------------------
def test_read_number_remembered_is_read_afresh() -> None:
    rng = random.Random(RNG_SEED + 4)
    numeric = [f for f in registry.visit_value_fields()
               if f.type.name in ("INTEGER", "DECIMAL") and f.minimum is not None
               and f.maximum is not None and not f.derived]
    assert len(numeric) > 50
    for _ in range(20_000):
        f = rng.choice(numeric)
        lo, hi = int(f.minimum), int(f.maximum)  # type: ignore[arg-type]
        raw: object = rng.choice((
            rng.randint(lo - 2, hi + 2),
            Decimal(rng.randint(lo * 10 - 5, hi * 10 + 5)) / 10,
            Decimal(rng.randint(lo * 100, hi * 100)).scaleb(-2),
            True, float(rng.randint(lo, hi)), "7"))
        values = {f.name: raw}
        for _repeat in range(2):  # the second read is the remembered one
            try:
                got: object = read_number(values, f.name)
            except InvalidValue as exc:
                got = ("error", str(exc))
            try:
                want: object = _read_number(f.name, raw)
            except InvalidValue as exc:
                want = ("error", str(exc))
            assert got == want and type(got) is type(want), (f.name, raw)


def test_read_number_keeps_equal_values_of_other_types_apart() -> None:
    name = next(f.name for f in registry.visit_value_fields()
                if f.type.name == "INTEGER" and f.minimum == 0 and f.maximum is not None
                and f.maximum >= 1 and not f.derived)
    assert read_number({name: 1}, name) == 1
    with pytest.raises(InvalidValue):  # True == 1, but a boolean is not a number
        read_number({name: True}, name)
    assert read_number({name: Decimal("1.0")}, name) == 1
