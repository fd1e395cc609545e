"""The registry is complete and introspectable: every field of data-contract section 3 is there,
once, with a range or choices; labels and ranges agree with instruments.md."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from forms import registry
from forms.fields import FieldType, Level
from forms.instruments import cdasi

_ROOT = Path(__file__).resolve().parents[2]
#: The data contract lives in shared/spec beside the checkout; a snapshot is committed for
#: machines that have the checkout alone (refresh it when the contract changes).
CONTRACT = next(p for p in (_ROOT.parent / "shared" / "spec" / "data-contract.md",
                            _ROOT / "tests" / "fixtures" / "data-contract.md") if p.exists())


def _contract_field_names() -> set[str]:
    """Every field name written in backticks in data-contract section 3, with the patterns
    (``_r``/``_l``, ``chaq_aid_<domain>``, ``cdasi_<loc>_<part>``, ``<name>_uln``) expanded."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text.split("## 3. Field names", 1)[1].split("## 4.", 1)[0]
    section = " ".join(section.split())  # fold the line breaks inside backtick lists
    names = set(re.findall(r"`([a-z][a-z0-9_]*)`", section))
    mmt_stems = {n for n in names if n.startswith("mmt_") and n != "mmt_neck_flexors"}
    names -= mmt_stems
    names |= {f"{stem}_{side}" for stem in mmt_stems for side in ("r", "l")}
    domain_text = section.split("domain one of `", 1)[1].split("`", 1)[0]
    domains = [d.strip() for d in domain_text.split(",")]
    names |= {f"chaq_{kind}_{d}" for kind in ("aid", "help") for d in domains}
    loc_text = section.split("loc in `", 1)[1].split("` and part in", 1)[0]
    locs = [loc.strip() for loc in loc_text.split(",")]
    part_text = section.split("and part in", 1)[1].split(";", 1)[0]
    parts = re.findall(r"`([a-z]+)` \(", part_text)
    names |= {f"cdasi_{loc}_{part}" for loc in locs for part in parts}
    labs = ("ck", "aldolase", "ldh", "ast", "alt")
    names |= {f"{lab}_uln" for lab in labs}
    # Prose words in backticks that are not field names.
    names -= {"values", "missing", "yes", "no", "na", "name", "true", "false", "part", "loc",
              "domain", "ery", "scale", "eros", "poik", "calc", "r", "l", "uln"}
    return {n for n in names if n not in {"dressing", "arising", "eating", "walking", "hygiene",
                                          "reach", "grip", "activities", "indeterminate"}}


def test_contract_parse_found_the_sections() -> None:
    names = _contract_field_names()
    # A sanity floor so a broken parse cannot make the completeness test vacuous.
    assert len(names) > 200
    assert {"cdasi_scalp_ery", "chaq_aid_grip", "mmt_deltoid_r", "ck_uln"} <= names


def test_every_contract_field_is_in_the_registry() -> None:
    missing = sorted(n for n in _contract_field_names() if not registry.has(n))
    assert missing == []


def test_no_field_defined_twice() -> None:
    keys = [(f.level, f.name) for f in registry.FIELDS]
    assert len(keys) == len(set(keys))
    # Visit and patient names share one namespace (REDCap-style).
    flat = [f.name for f in registry.FIELDS
            if f.level not in (Level.MEDICATION, Level.ADVERSE_EVENT)]
    assert len(flat) == len(set(flat))


@pytest.mark.parametrize("f", registry.FIELDS, ids=lambda f: f.name)
def test_every_field_has_a_range_or_choices(f) -> None:
    assert f.label and f.form in registry.FORMS_BY_KEY
    assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name)
    if f.type in (FieldType.INTEGER, FieldType.DECIMAL):
        assert f.minimum is not None, f"{f.name} has no minimum"
        if not f.derived or f.name != "steroid_mg_kg_day":
            assert f.maximum is not None, f"{f.name} has no maximum"
            assert f.minimum < f.maximum
    elif f.type is FieldType.CHOICE:
        assert f.choices and len(set(f.choice_codes)) == len(f.choices)
    elif f.type is FieldType.TEXT:
        assert f.max_length
    if f.levels:
        codes = [c.code for c in f.levels]
        assert codes == list(range(int(f.minimum), int(f.maximum) + 1)), f.name


def test_cmas_item_maxima_sum_to_52() -> None:
    maxima = [int(registry.get(n).maximum) for n in registry.cmas_item_names()]
    assert maxima == [5, 2, 5, 3, 6, 3, 3, 4, 3, 4, 4, 4, 3, 3]
    assert sum(maxima) == registry.get("cmas_total").maximum == 52


def test_mmt8_ranges_give_80_and_150() -> None:
    neck = registry.get("mmt_neck_flexors").maximum
    one_side = sum(registry.get(n).maximum for n in registry.mmt8_side_names("r"))
    both = one_side + sum(registry.get(n).maximum for n in registry.mmt8_side_names("l"))
    assert neck + one_side == registry.get("mmt8_total").maximum == 80
    assert neck + both == registry.get("mmt8_bilateral").maximum == 150
    assert [g for g, *_ in registry.KENDALL_GRADES] == list(range(11))


def test_cdasi_maxima_give_100_and_32() -> None:
    activity = damage = Decimal(0)
    for f in registry.fields_for(form="cdasi", derived=False):
        if f.type is not FieldType.INTEGER:
            continue
        top = f.maximum * (2 if f.name == "cdasi_gottron_hand_ery" else 1)
        if cdasi.KINDS[f.name] == "activity":  # the instrument's typed data (issue 11)
            activity += top
        else:
            damage += top
    assert activity == registry.get("cdasi_activity").maximum == 100
    assert damage == registry.get("cdasi_damage").maximum == 32


def test_chaq_has_30_items_in_8_domains() -> None:
    items = [n for d in registry.CHAQ_DOMAINS for n in registry.chaq_domain_items(d)]
    assert len(items) == 30 and len(registry.CHAQ_DOMAINS) == 8
    assert all(registry.get(n).na_allowed for n in items)


def test_identifiers_are_flagged() -> None:
    flagged = {f.name for f in registry.FIELDS if f.identifier}
    assert flagged == {"given_name", "family_name", "mrn", "birth_date"}


def test_derived_fields_are_not_entered_values() -> None:
    entered = {f.name for f in registry.visit_value_fields()}
    derived = {f.name for f in registry.visit_fields(derived=True)}
    assert not entered & derived
    assert {"cmas_total", "mmt8_total", "mmt8_bilateral", "chaq_di", "cdasi_activity",
            "cdasi_damage", "das_total", "steroid_mg_kg_day", "printo_cid"} <= derived


def test_allowed_text_is_readable() -> None:
    assert registry.get("cmas_leg_raise").allowed_text() == "0-2"
    assert registry.get("phys_global").allowed_text() == "0-10 (1 decimal place)"
    assert registry.get("sex").allowed_text() == "female/male"
    assert registry.get("chaq_dress").allowed_text() == '0-3 or "na" (not applicable)'
