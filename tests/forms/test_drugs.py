"""The drug list of JDM treatments in the registry: codes, look-up, classes, equivalence."""

from __future__ import annotations

from fractions import Fraction

import pytest

from forms import registry
from forms.registry import DRUGS, DrugClass, drug, drug_label


def test_codes_are_unique_and_stored_form() -> None:
    codes = [d.code for d in DRUGS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code == code.casefold() and " " not in code
        assert len(code) <= (registry.get("drug", registry.Level.MEDICATION).max_length or 0)


def test_the_jdm_treatments_the_issue_names_are_listed() -> None:
    wanted = {"prednisone", "prednisolone", "methylprednisolone", "dexamethasone",
              "methotrexate", "ciclosporin", "tacrolimus", "mycophenolate_mofetil",
              "hydroxychloroquine", "azathioprine", "ivig", "rituximab", "cyclophosphamide",
              "tofacitinib", "baricitinib", "ruxolitinib", "abatacept"}
    assert wanted <= {d.code for d in DRUGS}


def test_a_text_that_is_a_lookup_key_names_what_its_normal_form_names() -> None:
    """``drug`` takes a text found as it is among the look-up keys (a stored code) without
    normalising it: right only because every key is its own normal form."""
    keys = registry._DRUG_KEYS  # noqa: SLF001 - the invariant of the fast path
    assert keys and all(registry._drug_key(k) == k for k in keys)  # noqa: SLF001
    for key, found in keys.items():
        assert drug(key) is found
        assert drug(key.upper()) is found  # the normalising path agrees


@pytest.mark.parametrize(("text", "code"), [
    ("MTX", "methotrexate"), ("Methotrexate", "methotrexate"), (" methotrexate ", "methotrexate"),
    ("IVIG", "ivig"), ("MMF", "mycophenolate_mofetil"),
    ("mycophenolate mofetil", "mycophenolate_mofetil"), ("Cyclosporine", "ciclosporin"),
    ("IVMP", "methylprednisolone"), ("Solu-Medrol", "methylprednisolone"),
    ("tofacitinib", "tofacitinib"), ("HCQ", "hydroxychloroquine"),
])
def test_lookup_by_code_name_or_synonym(text: str, code: str) -> None:
    found = drug(text)
    assert found is not None and found.code == code


def test_free_text_stays_free_text() -> None:
    assert drug("ginger tea") is None and drug("") is None and drug(None) is None
    assert drug_label("ginger tea") == "ginger tea"
    assert drug_label("mmf") == "Mycophenolate mofetil"


def test_prednisone_equivalence() -> None:
    # instruments.md section 10: prednisone = prednisolone mg for mg, methylprednisolone x 1.25;
    # dexamethasone 0.75 mg = prednisone 5 mg (x 20/3 = 6.67), hydrocortisone 20 mg = 5 mg.
    factors = {d.code: d.prednisone_factor for d in DRUGS if d.is_glucocorticoid}
    assert factors == {"prednisone": 1, "prednisolone": 1,
                       "methylprednisolone": Fraction(5, 4), "dexamethasone": Fraction(20, 3),
                       "hydrocortisone": Fraction(1, 4)}
    non_gc = [d for d in DRUGS if not d.is_glucocorticoid]
    assert non_gc and all(d.prednisone_factor is None for d in non_gc)


def test_routes_units_and_schedules_are_codes_of_the_medication_fields() -> None:
    routes = set(registry.get("route", registry.Level.MEDICATION).choice_codes)
    units = set(registry.get("dose_unit", registry.Level.MEDICATION).choice_codes)
    schedules = {c.code for c in registry.SCHEDULES}
    for d in DRUGS:
        assert d.routes and set(d.routes) <= routes, d.code
        assert d.unit in units, d.code
        assert d.schedule in schedules, d.code
        assert d.drug_class in registry.DRUG_CLASS_LABELS


def test_usual_schedules() -> None:
    mtx, ivig, ivmp = drug("methotrexate"), drug("ivig"), drug("methylprednisolone")
    assert mtx is not None and mtx.schedule == "weekly"
    assert ivig is not None and ivig.schedule == "monthly" and ivig.unit == "g/kg"
    assert ivmp is not None and ivmp.schedule == "pulse" and ivmp.routes[0] == "iv"
    assert {d.drug_class for d in DRUGS} == set(DrugClass)
