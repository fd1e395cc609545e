"""The instrument modules (forms/instruments/, issue 11): every layer reads what an instrument
declares, and the declarations are complete and consistent."""

from __future__ import annotations

from forms import registry, response, scoring, settings, validation
from forms.fields import Level
from forms.instruments.base import Domain, ReportGroup, Role


def test_every_visit_form_is_one_instrument() -> None:
    keys = [i.key for i in registry.INSTRUMENTS]
    assert keys == [f.key for f in registry.FORMS if f.level in (Level.PATIENT, Level.VISIT,
                                                                  Level.RESPONSE)]
    for inst in registry.INSTRUMENTS:
        assert all(f.form == inst.key for f in (*inst.fields, *inst.derived_fields)), inst.key


def test_every_derived_field_has_exactly_one_rule() -> None:
    produced = [f.name for rule in registry.rules() for f in rule.fields]
    assert len(produced) == len(set(produced))
    derived = {f.name for f in registry.FIELDS if f.derived}
    assert set(produced) == derived - {"gc_exposure_mg_kg"} or set(produced) == derived
    per_visit = {f.name for rule in registry.scoring_rules() for f in rule.fields}
    assert per_visit == {f.name for f in registry.visit_fields(derived=True)}


def test_rule_versions_are_the_declared_ones() -> None:
    for rule in registry.rules():
        for f in rule.fields:
            assert scoring.RULE_VERSIONS[f.name] == rule.version
        assert rule.tag.partition("@")[0] in scoring.RULE_NAMES


def test_every_declared_cross_check_is_implemented() -> None:
    declared = {c.key for c in registry.cross_checks()}
    assert declared == set(validation.CROSS_CHECKS) == {"cmas_seconds", "body",
                                                         "mdi_severity_items"}


def test_roles_name_registry_fields() -> None:
    for which in Role:
        assert registry.has(registry.role(which)), which
    assert registry.role(Role.PHYSICIAN_GLOBAL) == "phys_global"
    assert registry.role(Role.PHYSICAL_FUNCTION) == "chaq_di"


def test_muscle_measures_read_the_totals() -> None:
    assert [m.key for m in registry.muscle_measures()] == ["mmt8", "mmt8_bilateral", "cmas"]
    assert response.MUSCLE_FIELDS == {"mmt8": "mmt8_total", "mmt8_bilateral": "mmt8_bilateral",
                                      "cmas": "cmas_total"}
    assert {m.key: registry.get(m.field).maximum
                                        for m in registry.muscle_measures()} == settings.MUSCLE_MEASURES


def test_one_enzyme_description_with_its_uln_field() -> None:
    enzymes = registry.enzymes()
    assert [e.name for e in enzymes] == ["ck", "aldolase", "ldh", "ast", "alt"]  # tie order
    for e in enzymes:
        uln = registry.get(e.uln_field)
        assert uln.minimum <= e.default_uln <= uln.maximum
        assert settings.ScoringSettings().uln_defaults[e.name] == e.default_uln
    assert registry.enzyme("ck").cid_maximum == scoring.CID_CK_MAX == 150


def test_signoff_core_set_is_merged_from_the_instruments() -> None:
    domains = {d.domain: d for d in registry.core_domains()}
    assert list(domains) == list(Domain)
    muscle = domains[Domain.MUSCLE_STRENGTH]
    assert (muscle.totals, muscle.fields, muscle.forms) == (("cmas_total", "mmt8_total"), (),
                                                            ("cmas", "mmt8"))
    assert domains[Domain.MUSCLE_ENZYMES].fields == ("ck", "aldolase", "ldh", "ast", "alt")
    assert domains[Domain.PHYSICIAN_GLOBAL].fields == ("phys_global",)
    for d in domains.values():
        assert all(registry.has(n) for n in (*d.totals, *d.fields))


def test_report_rows_name_registry_fields() -> None:
    groups = registry.report_groups()
    assert [g for g, _rows in groups] == list(ReportGroup)
    damage = dict(groups)[ReportGroup.DAMAGE]
    assert [r.field for r in damage] == ["mdi_extent", "mdi_severity", "mdi_phys_global_damage"]
    for _g, rows in groups:
        assert all(registry.has(r.field) for r in rows)


def test_no_uln_field_name_is_rebuilt_anywhere() -> None:
    """The ULN field comes from the Enzyme description (``Enzyme.uln_field``): no module of
    forms/, storage/, exports/ or gui/ builds ``f"{enzyme}_uln"`` or strips ``"_uln"`` itself
    (labs.py declares them; m001's frozen schema and the demo data name real columns)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    rebuilt = re.compile(r'\}_uln"|"_uln"')
    offenders = [str(p.relative_to(root)) for folder in ("forms", "storage", "exports", "gui")
                 for p in (root / folder).rglob("*.py")
                 if rebuilt.search(p.read_text(encoding="utf-8")) and p.name != "labs.py"]
    assert offenders == []
