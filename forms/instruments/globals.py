"""Global assessments (instruments.md sections 3b, 5): physician, parent and extramuscular
global VAS 0-10 with one decimal; the DAS (Bode 2003) and its total; the CHQ-PF50 physical
summary score.

Their roles in the response criteria (TIS and PRINTO rows, PRINTO inactive disease: physician
global <= 0.2), the sign-off core set and the report's globals table are declared here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction
from typing import Any

from forms.fields import Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments.base import (
    Derived,
    Domain,
    DomainPart,
    Instrument,
    ReportGroup,
    ReportRow,
    Role,
    RoleBinding,
)
from forms.score_base import RULE_VERSIONS, Score, invalid, labels, read_item

FORM = Form("global", "Global assessments", Level.VISIT,
            "Physician, parent and extramuscular global assessments; DAS; CHQ physical summary")

DEC = FieldType.DECIMAL
INT = FieldType.INTEGER
#: a 10-cm visual analogue scale, 0-10 with one decimal (also the CHAQ's and the MDI's).
VAS: dict[str, Any] = dict(minimum=D(0), maximum=D(10), decimals=1, unit="cm (0-10)")

FIELDS: tuple[Field, ...] = (
    Field("phys_global", "Physician global assessment of disease activity", "global", DEC,
          help="10-cm VAS, 0 = no activity, 10 = extremely active.", short="PhGA", **VAS),
    Field("parent_global", "Parent global assessment of overall well-being", "global", DEC,
          help="10-cm VAS, 0 = very well, 10 = very poor.", short="PtGA", **VAS),
    Field("parent_global_activity", "Parent/patient global assessment of disease activity",
          "global", DEC,
          help="IMACS 10-cm VAS of the child's overall disease activity, 0 = no activity, "
               "10 = extremely active. The TIS parent row uses it when it is entered at both "
               "visits (instruments.md convention 5).", short="PtGA act.", **VAS),
    Field("extramuscular_global", "Extramuscular global activity (MDAAT)", "global", DEC,
          help="Physician's 10-cm VAS of extramuscular disease activity.", short="EMGA", **VAS),
    Field("das_skin", "DAS skin subscale", "global", INT, minimum=D(0), maximum=D(9),
          help="Disease Activity Score (Bode 2003) skin subscale total, 0-9."),
    Field("das_muscle", "DAS muscle subscale", "global", INT, minimum=D(0), maximum=D(11),
          help="Disease Activity Score (Bode 2003) muscle subscale total, 0-11."),
    Field("chq_phs", "CHQ-PF50 physical summary score", "global", DEC, minimum=D(0),
          maximum=D(100), decimals=1, warn_below=D(5), warn_above=D(70), short="CHQ PhS",
          help="Norm-based score (population mean 50, SD 10); higher is better."),
)

DAS_TOTAL = Field("das_total", "DAS total", "global", INT, minimum=D(0), maximum=D(20),
                  derived=True, short="DAS",
                  derivation="das_skin + das_muscle; missing unless both are entered.")
VERSION = "das_total@1 (skin + muscle, both required)"

#: PRINTO clinically inactive disease: physician global VAS <= 0.2 cm (instruments.md 8).
CID_PHYS_GLOBAL_MAX = Decimal("0.2")


def das_total(values: Mapping[str, object]) -> Score:
    """DAS total = skin subscale + muscle subscale (0-20); missing unless both are entered."""
    version = RULE_VERSIONS["das_total"]
    errors: list[str] = []
    skin = read_item(values, "das_skin", errors)
    muscle = read_item(values, "das_muscle", errors)
    if errors:
        return Score("das_total", None, invalid("DAS", errors), version)
    missing = [n for n, v in (("das_skin", skin), ("das_muscle", muscle)) if v is None]
    if missing:
        return Score("das_total", None, _("DAS: {names} missing").format(
            names=labels(missing)), version, missing=tuple(missing))
    assert skin is not None and muscle is not None
    total = skin + muscle
    return Score("das_total", total, "", version, _(
        "skin {skin} + muscle {muscle} = {total}").format(skin=skin, muscle=muscle, total=total),
                 Fraction(total))


def _score(values: Mapping[str, object], _scores: Mapping[str, Score]) -> dict[str, Score]:
    return {"das_total": das_total(values)}


INSTRUMENT = Instrument(
    form=FORM,
    fields=FIELDS,
    derived=(Derived((DAS_TOTAL,), VERSION, "DAS", _score),),
    roles=(RoleBinding(Role.PHYSICIAN_GLOBAL, "phys_global"),
           RoleBinding(Role.PARENT_GLOBAL, "parent_global"),
           RoleBinding(Role.PARENT_GLOBAL_ACTIVITY, "parent_global_activity"),
           RoleBinding(Role.EXTRAMUSCULAR_GLOBAL, "extramuscular_global"),
           RoleBinding(Role.DISEASE_ACTIVITY_SCORE, "das_total"),
           RoleBinding(Role.QUALITY_OF_LIFE, "chq_phs")),
    domains=(DomainPart(Domain.PHYSICIAN_GLOBAL, fields=("phys_global",)),
             DomainPart(Domain.PARENT_GLOBAL, fields=("parent_global",)),
             DomainPart(Domain.EXTRAMUSCULAR, fields=("extramuscular_global",))),
    report=(ReportRow(ReportGroup.GLOBAL, "phys_global"),
            ReportRow(ReportGroup.GLOBAL, "parent_global"),
            ReportRow(ReportGroup.GLOBAL, "extramuscular_global"),
            ReportRow(ReportGroup.GLOBAL, "das_total")),
)
