"""Internal names never reach people (issue 14): explanations use the registry's labels and
round to its decimals."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

from forms import response
from forms.response import _pct_text


def test_percent_changes_are_rounded_to_the_registry_decimals() -> None:
    assert _pct_text(Fraction(1065, 100) + Fraction(1, 3000)) == "10.7 %"  # was "10.65... %"
    assert _pct_text(Fraction(25)) == "25 %"
    assert _pct_text(Fraction(125, 10)) == "12.5 %"
    # never rounded onto a band edge it is not on (15.04 is in the band above 15)
    assert _pct_text(Fraction(1504, 100)) == "15.04 %"
    assert _pct_text(Fraction(15)) == "15 %"


def test_the_enzyme_row_explanation_names_the_enzyme_and_its_uln() -> None:
    base = {"ck": D(648), "ck_uln": D(200), "ldh": D(300), "ldh_uln": D(250),
            "phys_global": D(6)}
    follow = {"ck": D(300), "ck_uln": D(200), "ldh": D(250), "ldh_uln": D(250),
              "phys_global": D(3)}
    result = response.compare_visits(base, follow)
    text = result.tis.explanation + " ".join(r.note for r in result.tis.rows)
    assert "CK 648 U/L (ULN 200" in text
    assert "ck 648/200" not in text
