"""Scoring of one visit: every derived per-visit field of the registry, computed exactly.

This module owns the clinical totals of ``shared/spec/instruments.md`` and the project
conventions of its section 0:

* CMAS total (section 1; convention 2: all 14 items are needed),
* MMT-8 unilateral with the side rule, and bilateral (section 2; conventions 2 and 3),
* CHAQ disability index (section 4; convention 4: at least 6 of 8 domains),
* CDASI v2 activity and damage (section 3a; convention 2, the CDASI exception),
* DAS total (section 3b), steroid mg/kg/day (section 10; convention 8),
* PRINTO clinically inactive disease (section 8; convention 7).

Every result is a :class:`Score` carrying the value or, when a needed item is missing or
invalid, ``None`` with a reason in words; a partial total that looks complete is never returned.
All arithmetic is exact (:class:`fractions.Fraction` built from ``Decimal(str(x))``; convention
1); stored decimals are rounded half-up only at the end. Every score records the version of the
rule that produced it (:data:`RULE_VERSIONS`, convention 9).

Ranges, item lists and labels come from :mod:`forms.registry`; the only numbers written here
are clinical cut-offs that are not field ranges (the PRINTO CID criteria, the CHAQ 6-domain
rule, the aids/help minimum of 2), each with its source.
"""

from __future__ import annotations

from collections.abc import Mapping

from forms import registry, score_base
from forms.i18n import _
from forms.instruments.cdasi import cdasi_scores
from forms.instruments.chaq import AID_MINIMUM as CHAQ_AID_MINIMUM
from forms.instruments.chaq import MIN_DOMAINS as CHAQ_MIN_DOMAINS
from forms.instruments.chaq import chaq_di, chaq_domain_scores
from forms.instruments.cmas import cmas_item_from_seconds, cmas_total
from forms.instruments.globals import CID_PHYS_GLOBAL_MAX, das_total
from forms.instruments.header import steroid_mg_kg_day
from forms.instruments.mdi import mdi_extent, mdi_severity
from forms.instruments.mmt8 import mmt8_bilateral, mmt8_side_total, mmt8_total
from forms.instruments.response import (
    CID_CK_MAX,
    CID_CMAS_MIN,
    CID_MMT8_MIN,
    CID_NEEDED,
    CidCriterion,
    CidResult,
    clinically_inactive_disease,
)
from forms.score_base import InvalidValue, Score, quantize, read_number, to_fraction

__all__ = [
    "CHAQ_AID_MINIMUM",
    "CHAQ_MIN_DOMAINS",
    "CID_CK_MAX",
    "CID_CMAS_MIN",
    "CID_MMT8_MIN",
    "CID_NEEDED",
    "CID_PHYS_GLOBAL_MAX",
    "RULE_NAMES",
    "RULE_VERSIONS",
    "CidCriterion",
    "CidResult",
    "InvalidValue",
    "Score",
    "cdasi_scores",
    "chaq_di",
    "chaq_domain_scores",
    "clinically_inactive_disease",
    "cmas_item_from_seconds",
    "cmas_total",
    "das_total",
    "mdi_extent",
    "mdi_severity",
    "mmt8_bilateral",
    "mmt8_side_total",
    "mmt8_total",
    "quantize",
    "read_number",
    "rule_summary",
    "score_visit",
    "steroid_mg_kg_day",
    "to_fraction",
]

#: The version of every rule that produces a derived value (project convention 9), from the
#: instruments' declarations (``Derived.version``): per-visit scores in scoring order, then the
#: response criteria between two visits (``forms.response``). Bump the number in the
#: instrument module when a rule changes so stored values are recomputed.
RULE_VERSIONS: dict[str, str] = score_base.RULE_VERSIONS  # filled by forms.registry

#: readable names of the rule tags (``tis@2`` -> "ACR/EULAR TIS"), for report footers.
RULE_NAMES: dict[str, str] = {rule.tag.partition("@")[0]: rule.name for rule in registry.rules()}


def rule_summary() -> str:
    """The rule versions as one readable line: ``CMAS v1, MMT-8 v1, ..., ACR/EULAR TIS v2``."""
    tags: dict[str, str] = {}
    for version in RULE_VERSIONS.values():
        tag = version.split(" ", 1)[0]
        name, _sep, number = tag.partition("@")
        tags.setdefault(name, number)
    return ", ".join(f"{_(RULE_NAMES.get(name, name))} v{number}"
                     for name, number in tags.items())


def score_visit(values: Mapping[str, object]) -> dict[str, Score]:
    """Every derived per-visit field of the registry for one visit's values.

    Runs each instrument's declared rules (``Instrument.derived``) in
    :data:`forms.registry.SCORING_ORDER`; a rule sees the scores computed before it (the
    PRINTO CID reads the CMAS and MMT-8 totals).

    Args:
        values: ``Visit.values`` (entered values only; derived keys in it are ignored).

    Returns:
        field name -> :class:`Score`, in registry order, one entry per
        ``registry.visit_fields(derived=True)``.
    """
    out: dict[str, Score] = {}
    for rule in registry.scoring_rules():
        assert rule.compute is not None
        out.update(rule.compute(values, out))
    ordered: dict[str, Score] = {}
    for fld in registry.visit_fields(derived=True):
        ordered[fld.name] = out.get(fld.name) or Score(
            fld.name, None, _("{label}: no scoring rule implemented").format(label=fld.label),
            "")
    return ordered
