"""The per-field compiled checks of a visit's values (forms.validation.compiled_check) answer
exactly what check_field does, for every entered visit field and values in, at and beyond its
bounds, of every kind a case file or a caller can hand over."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from forms import registry, validation
from forms.fields import FieldType
from forms.validation import OversizedNumber


class _Str(str):
    pass


#: fields a cross-field rule of check_visit also checks (it may report what check_field
#: does not: a timed CMAS item without its seconds, an MDI severity without its items)
_CROSS_CHECKED = {f.name for f in registry.visit_value_fields()
                  if f.name.startswith(("cmas_", "mdi_"))}


def _candidates(f, rng: random.Random) -> list[object]:
    out: list[object] = [None, True, False, "na", "", "x", 0, -1, 1, 1.5, Decimal("NaN"),
                         Decimal("Infinity"), float("inf"), OversizedNumber("9" * 50), 10 ** 40,
                         Decimal("0.000"), Decimal("1E+1"), Decimal("-0"), [], {},
                         dt.date(2024, 1, 1), _Str("yes")]
    for c in f.choices:
        out += [c.code, _Str(str(c.code)), str(c.code).upper()]
    for bound in (f.minimum, f.maximum, f.warn_above, f.warn_below):
        if bound is None:
            continue
        for delta in (Decimal(0), Decimal(1), Decimal(-1), Decimal("0.1"), Decimal("-0.1"),
                      Decimal("0.01"), Decimal("0.001"), Decimal("0.00")):
            d = bound + delta
            out += [d, float(d), d.normalize(), d.quantize(Decimal("0.000"))]
            if d == d.to_integral_value():
                out += [int(d)]
    if f.minimum is not None and f.maximum is not None:
        lo, hi = float(f.minimum), float(f.maximum)
        for _ in range(40):
            x = rng.uniform(lo - 2, hi + 2)
            out += [round(x), round(x, 1), Decimal(str(round(x, 1))), Decimal(str(round(x, 2))),
                    Decimal(str(round(x, 3))), Decimal(f"{x:.1E}")]
    return out


def test_compiled_checks_equal_check_field() -> None:
    rng = random.Random(16)
    compared = 0
    kinds = set()
    for f in registry.visit_value_fields():
        check = validation.compiled_check(f)
        for raw in _candidates(f, rng):
            fast = check(raw)
            slow = validation.check_field(f, raw)
            assert fast == slow, (f.name, raw, fast, slow)
            assert type(fast[0]) is type(slow[0]), (f.name, raw, fast, slow)
            if isinstance(fast[0], Decimal):  # same digits, not only an equal number
                assert fast[0].as_tuple() == slow[0].as_tuple(), (f.name, raw)
            compared += 1
        kinds.add(f.type)
    assert compared > 5000
    assert {FieldType.INTEGER, FieldType.DECIMAL, FieldType.CHOICE, FieldType.BOOLEAN} <= kinds


def test_check_visit_uses_them_with_the_same_problems() -> None:
    """A visit with good, out-of-range, warned and wrong-kind values: check_visit finds the
    problems check_field finds for each value."""
    values: dict[str, object] = {}
    for f in registry.visit_value_fields():
        if f.type is FieldType.INTEGER and f.maximum is not None:
            values[f.name] = int(f.maximum) + 1
        elif f.type is FieldType.DECIMAL and f.warn_above is not None:
            values[f.name] = f.warn_above + Decimal("0.1") if f.decimals else f.warn_above + 1
        elif f.type is FieldType.BOOLEAN:
            values[f.name] = "yes"
    check = validation.check_visit(values)
    expected = [p for name, raw in values.items()
                for p in validation.check_field(registry.get(name), raw)[1]]
    found = [p for p in check.problems if p.field in values]
    assert len(found) >= len(values) * 0.9
    assert sorted(map(repr, expected)) == sorted(map(repr, found))


def test_check_visit_takes_each_value_as_check_field_does() -> None:
    """check_visit takes the common values (ints in range, yes/no, choice codes) without
    calling a check per value: each candidate value of each field, alone in a visit, comes
    out as check_field returns it (same type, same digits) with its problems."""
    rng = random.Random(61)
    compared = 0
    for f in registry.visit_value_fields():
        for raw in _candidates(f, rng):
            value, problems = validation.check_field(f, raw)
            check = validation.check_visit({f.name: raw})
            got = check.values.get(f.name)
            assert got == value and type(got) is type(value), (f.name, raw, got, value)
            if isinstance(value, Decimal):
                assert got is not None and got.as_tuple() == value.as_tuple()
            found = [p for p in check.problems if p.field == f.name]
            # every problem check_field finds (a cross-field rule may add its own)
            assert all(p in found for p in problems), (f.name, raw, problems, found)
            assert bool(problems) == bool(found) or f.name in _CROSS_CHECKED, (f.name, raw)
            compared += 1
    assert compared > 5000
