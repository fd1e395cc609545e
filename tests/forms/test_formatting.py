"""forms.formatting: one formatter for registry values (decimals, units, choice labels)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from fractions import Fraction

import pytest

from forms import registry
from forms.fields import Field, FieldType, Level
from forms.formatting import (
    fixed_text,
    format_value,
    number_text,
    signed_fixed,
    signed_text,
)
from forms.i18n import in_language, translate_to


@pytest.mark.parametrize(("value", "decimals", "plain", "fixed"), [
    (D("2.50"), None, "2.5", None),
    (D("2.50"), 1, "2.5", "2.5"),
    (3, 1, "3", "3.0"),
    (D("0.0995"), 3, "0.1", "0.100"),   # half-up, then trailing zeros stripped / kept
    (D("-0.04"), 1, "0", "0.0"),        # never "-0"
    (Fraction(2, 3), 3, "0.667", "0.667"),
    (Fraction(-5, 2), 0, "-3", "-3"),   # half away from zero
    (0.1 + 0.2, 2, "0.3", "0.30"),      # a float is read through its repr
    (D("1E+3"), None, "1000", None),    # no exponent
])
def test_numbers(value: object, decimals: int | None, plain: str, fixed: str | None) -> None:
    assert number_text(value, decimals) == plain
    if fixed is not None:
        assert decimals is not None
        assert fixed_text(value, decimals) == fixed


def test_signs_none_and_non_numbers() -> None:
    assert signed_text(D("1.50")) == "+1.5"
    assert signed_text(0) == "0"
    assert signed_fixed(D("-1.25"), 1) == "-1.3"
    assert signed_fixed(0, 1) == "0.0"
    assert number_text(None) == fixed_text(None, 2) == ""
    assert number_text(True) == "True" and number_text("na") == "na"


def test_format_value_reads_the_registry() -> None:
    assert format_value("steroid_mg_kg_day", D("0.099"), fixed=True) == "0.099 mg/kg/day"
    assert format_value("steroid_mg_kg_day", Fraction(1, 10), fixed=True) == "0.100 mg/kg/day"
    assert format_value("chaq_di", D("0"), fixed=True, unit=False) == "0.000"
    assert format_value("weight_kg", D("31.25")) == "31.3 kg"  # more places than allowed
    assert format_value("weight_kg", D("31")) == "31 kg"
    assert format_value("phys_global", D("3"), fixed=True) == "3.0 cm (0-10)"
    assert format_value("mmt8_side", "right") == "Right"
    assert format_value("cmas_leg_raise", 2) == "2"
    assert format_value("grade", 2, level=Level.ADVERSE_EVENT, levels=True) == "Moderate"
    assert format_value("serious", True, level=Level.ADVERSE_EVENT) == "Yes"
    assert format_value("chaq_dress", "na") == "na"
    assert format_value("visit_date", dt.date(2024, 5, 2)) == "2024-05-02"
    assert format_value("assessor", "Dr Lee") == "Dr Lee"
    assert format_value("ck", None) == "" and format_value("ck", None, missing="-") == "-"


def test_labels_and_units_follow_the_language() -> None:
    with in_language("zh_CN"):
        side = format_value("mmt8_side", "left")
        yes = format_value("serious", True, level=Level.ADVERSE_EVENT)
    assert side == translate_to("zh_CN", "Left") != "Left"
    assert yes == translate_to("zh_CN", "Yes") != "Yes"


NUMERIC = [f for f in registry.FIELDS if f.is_numeric and not f.levels
           and f.level is not Level.MEDICATION]


@pytest.mark.parametrize("fld", NUMERIC, ids=lambda f: f.name)
def test_fixed_values_have_exactly_the_registry_decimals(fld: Field) -> None:
    value = fld.minimum if fld.minimum is not None else D(0)
    text = format_value(fld, value + D("0.4"), fixed=True, unit=False)
    places = len(text.split(".")[1]) if "." in text else 0
    assert places == (fld.decimals if fld.type is FieldType.DECIMAL else 0)
    with_unit = format_value(fld, value, fixed=True)
    assert with_unit.endswith(f" {fld.unit}") if fld.unit else " " not in with_unit
