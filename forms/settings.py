"""Study settings that change how responses are scored (not how values are validated).

Stored by ``storage`` in its settings table and edited in the GUI's settings dialog; passed
explicitly to :mod:`forms.response` and the exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from forms import registry

#: TIS muscle-strength measures (instruments.md 7.1): field name -> scale range used to scale
#: the percent change. MMT-8 unilateral is the default (project convention 5).
MUSCLE_MEASURES: dict[str, Decimal] = {
    "mmt8": registry.get("mmt8_total").maximum or Decimal(80),
    "mmt8_bilateral": registry.get("mmt8_bilateral").maximum or Decimal(150),
    "cmas": registry.get("cmas_total").maximum or Decimal(52),
}

#: ACR/EULAR 2016 category thresholds (instruments.md 7.3): minimal, moderate, major.
THRESHOLDS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "jdm": (Decimal(30), Decimal(45), Decimal(70)),
    "adult": (Decimal(20), Decimal(40), Decimal(60)),
}


def default_ulns() -> Mapping[str, Decimal]:
    """Default upper limits of normal per enzyme, from the registry (``<enzyme>_uln`` fields)."""
    return MappingProxyType({
        name: Decimal(registry.get(f"{name}_uln").extra["default_uln"])
        for name in registry.ENZYMES
    })


@dataclass(frozen=True)
class ScoringSettings:
    """How responses are scored for this database.

    Attributes:
        tis_muscle_measure: ``mmt8`` (default), ``mmt8_bilateral`` or ``cmas``; CMAS is the
            fallback when the chosen MMT measure is missing at either visit.
        thresholds: ``jdm`` (30/45/70, default) or ``adult`` (20/40/60).
        uln_defaults: enzyme -> ULN used when a visit has no ``<enzyme>_uln``.
    """

    tis_muscle_measure: str = "mmt8"
    thresholds: str = "jdm"
    uln_defaults: Mapping[str, Decimal] = field(default_factory=default_ulns)

    def __post_init__(self) -> None:
        if self.tis_muscle_measure not in MUSCLE_MEASURES:
            raise ValueError(f"TIS muscle measure must be one of {sorted(MUSCLE_MEASURES)}, "
                             f"not {self.tis_muscle_measure!r}")
        if self.thresholds not in THRESHOLDS:
            raise ValueError(f"thresholds must be one of {sorted(THRESHOLDS)}, "
                             f"not {self.thresholds!r}")
