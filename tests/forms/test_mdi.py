"""The Myositis Damage Index (instruments.md 9.2; forms/instruments/mdi.py): its structure and
its two totals, worked by hand.

Extent = the number of items present (0-38, every item answered: 0, 1 or "na"); severity = the
sum of the 11 organ-system VAS (0-110, all entered).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from forms import registry, scoring, validation
from forms.i18n import in_language
from forms.instruments import mdi


def no_damage() -> dict[str, object]:
    return {**dict.fromkeys(mdi.ITEM_NAMES, 0), **dict.fromkeys(mdi.SEVERITY_NAMES, D(0))}


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------
def test_juvenile_version_has_38_items_in_11_systems_plus_other() -> None:
    assert len(mdi.ITEMS) == 38  # instruments.md 9.2: extent 0-38 in the juvenile version
    assert len(mdi.SYSTEMS) == 11  # severity 0-110
    systems = {s.key for s in mdi.SYSTEMS}
    assert {i.system for i in mdi.ITEMS} == systems | {"other"}
    assert registry.get("mdi_extent").maximum == 38
    assert registry.get("mdi_severity").maximum == 110
    assert len(set(mdi.ITEM_NAMES)) == 38


def test_item_and_vas_fields_come_from_the_registry() -> None:
    entered = registry.fields_for(form="mdi", derived=False)
    items = [f for f in entered if f.name in mdi.ITEM_NAMES]
    assert len(items) == 38
    for f in items:
        assert (f.minimum, f.maximum, f.na_allowed) == (0, 1, True)
        assert f.choice_label(1) == "Present"
    for name in (*mdi.SEVERITY_NAMES, "mdi_phys_global_damage"):
        f = registry.get(name)
        assert (f.minimum, f.maximum, f.decimals) == (0, 10, 1)
    assert registry.get("mdi_extent").derived and registry.get("mdi_severity").derived


def test_the_form_text_items_are_marked_verified() -> None:
    """Items 1-13 were read from the published form; the others are marked unverified."""
    verified = [i.name for i in mdi.ITEMS if i.verified]
    assert verified[:5] == ["mdi_muscle_atrophy", "mdi_muscle_weakness",
                            "mdi_muscle_dysfunction", "mdi_muscle_atrophy_imaging",
                            "mdi_low_creatinine"]
    assert len(verified) == 13
    assert verified[-1] == "mdi_alopecia"


def test_an_unverified_item_says_so_where_users_read_it() -> None:
    """The help (the entry field's tooltip; the data dictionaries' notes) of each unverified
    item tells the user to compare its wording with the printed form; a verified item does
    not (tests/exports/test_mdi_exports.py reads it back from the REDCap dictionary)."""
    for item in mdi.ITEMS:
        text = registry.get(item.name).help
        assert ("not checked against the printed IMACS Form 08" in text) is not item.verified
    with in_language("zh_CN"):
        assert "IMACS 表 08" in registry.get("mdi_dysphagia").help
        assert "IMACS" not in registry.get("mdi_alopecia").help


# --------------------------------------------------------------------------------------------
# Extent of damage
# --------------------------------------------------------------------------------------------
def test_extent_no_damage_is_0() -> None:
    score = mdi.mdi_extent(no_damage())
    assert score.value == 0 and score.missing_reason == ""
    assert score.rule_version == scoring.RULE_VERSIONS["mdi_extent"]


def test_extent_counts_present_items_and_na_is_not_present() -> None:
    # contractures + calcinosis + growth failure = 3 present; 2 not applicable
    values = no_damage() | {"mdi_contractures": 1, "mdi_calcinosis": 1,
                            "mdi_growth_failure": 1, "mdi_menstrual": "na",
                            "mdi_hirsutism": "na"}
    with in_language("en"):
        score = mdi.mdi_extent(values)
    assert score.value == 3
    assert score.detail == "3 of 38 items present (2 not applicable)"
    assert score.parts["present"] == ("mdi_contractures", "mdi_calcinosis",
                                      "mdi_growth_failure")


def test_extent_all_present_is_38() -> None:
    assert mdi.mdi_extent(dict.fromkeys(mdi.ITEM_NAMES, 1)).value == 38


def test_extent_needs_every_item_answered() -> None:
    values = no_damage()
    del values["mdi_other"]
    with in_language("en"):
        score = mdi.mdi_extent(values)
    assert score.value is None
    assert score.missing_reason == "MDI: 1 of 38 items missing (mdi_other)"
    with in_language("en"):
        assert mdi.mdi_extent({}).missing_reason == "MDI: 38 of 38 items missing (not assessed)"


@pytest.mark.parametrize("bad", [2, -1, True, "1", D("0.5")])
def test_extent_refuses_invalid_items(bad: object) -> None:
    values = no_damage() | {"mdi_alopecia": bad}
    score = mdi.mdi_extent(values)
    assert score.value is None and "mdi_alopecia" in score.missing_reason


# --------------------------------------------------------------------------------------------
# Severity of damage
# --------------------------------------------------------------------------------------------
def test_severity_sums_the_11_systems() -> None:
    # muscle 2.5 + skeletal 1.5 + cutaneous 3 + endocrine 0.4, the other 7 systems 0 = 7.4
    values = no_damage() | {"mdi_sev_muscle": D("2.5"), "mdi_sev_skeletal": D("1.5"),
                            "mdi_sev_cutaneous": D(3), "mdi_sev_endocrine": D("0.4")}
    score = mdi.mdi_severity(values)
    assert score.value == D("7.4") and str(score.value) == "7.4"


def test_severity_is_exact_not_floating_point() -> None:
    # 11 x 0.1 is 1.1 exactly (a float sum gives 1.0999999999999999)
    values = dict.fromkeys(mdi.SEVERITY_NAMES, 0.1)
    assert sum([0.1] * 11) != 1.1
    assert mdi.mdi_severity(values).value == D("1.1")


def test_severity_maximum_is_110() -> None:
    assert mdi.mdi_severity(dict.fromkeys(mdi.SEVERITY_NAMES, D(10))).value == 110


def test_severity_needs_all_11_systems() -> None:
    values = no_damage()
    del values["mdi_sev_ocular"]
    with in_language("en"):
        score = mdi.mdi_severity(values)
    assert score.value is None
    assert score.missing_reason == ("MDI severity: 1 of 11 organ systems missing "
                                    "(mdi_sev_ocular)")
    with in_language("en"):
        assert mdi.mdi_severity({}).missing_reason == (
            "MDI severity: 11 of 11 organ systems missing (not assessed)")


def test_severity_out_of_range_is_invalid() -> None:
    score = mdi.mdi_severity(no_damage() | {"mdi_sev_muscle": D("10.5")})
    assert score.value is None and "mdi_sev_muscle" in score.missing_reason


def test_physician_global_damage_is_entered_not_summed() -> None:
    values = no_damage() | {"mdi_phys_global_damage": D(6)}
    assert mdi.mdi_severity(values).value == 0


# --------------------------------------------------------------------------------------------
# Through score_visit and validation
# --------------------------------------------------------------------------------------------
def test_score_visit_runs_the_declared_mdi_rules() -> None:
    values = no_damage() | {"mdi_dysphagia": 1, "mdi_sev_gastrointestinal": D("2.2")}
    scores = scoring.score_visit(values)
    assert scores["mdi_extent"].value == 1
    assert scores["mdi_severity"].value == D("2.2")
    assert scores["mdi_extent"].rule_version.startswith("mdi@1")
    assert scores["mdi_severity"].rule_version == scores["mdi_extent"].rule_version


def test_validation_accepts_na_and_refuses_2() -> None:
    check = validation.check_visit({"mdi_alopecia": "na", "mdi_scarring": 1})
    assert check.ok and check.values == {"mdi_alopecia": "na", "mdi_scarring": 1}
    check = validation.check_visit({"mdi_alopecia": 2})
    assert not check.ok
    assert "mdi_alopecia" in check.errors[0].code_message
    value, problems = validation.parse_text("mdi_alopecia", "NA")
    assert value == "na" and not problems


def test_every_mdi_label_is_translated_to_chinese() -> None:
    from forms.i18n import translate_to

    texts = [registry.get("mdi_extent").label_en, registry.get("mdi_severity").label_en]
    for f in registry.fields_for(form="mdi"):
        texts += [f.label_en, *(f.en(a) for a in ("help", "derivation", "unit") if f.en(a))]
    texts += [registry.FORMS_BY_KEY["mdi"].label_en,
              *(s.label for s in (*mdi.SYSTEMS, mdi.OTHER))]
    untranslated = sorted({t for t in texts if translate_to("zh_CN", t) == t})
    assert untranslated == []


def test_severity_disagreeing_with_the_items_is_a_warning() -> None:
    values = no_damage() | {"mdi_sev_muscle": D(3)}  # every muscle item absent
    check = validation.check_visit(values)
    assert check.ok  # warnings do not block saving
    [warning] = check.warnings
    assert warning.field == "mdi_sev_muscle"
    values = no_damage() | {"mdi_contractures": 1}  # skeletal item present, severity 0
    [warning] = validation.check_visit(values).warnings
    assert warning.field == "mdi_sev_skeletal"
    with in_language("en"):
        assert "Joint contractures" in warning.message
    # agreeing, or not all items answered yet: nothing to say
    values = no_damage() | {"mdi_contractures": 1, "mdi_sev_skeletal": D(2)}
    assert validation.check_visit(values).warnings == []
    assert validation.check_visit({"mdi_sev_muscle": D(3)}).warnings == []
