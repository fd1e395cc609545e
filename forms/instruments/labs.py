"""Labs and imaging (instruments.md section 10): muscle enzymes with the local upper limit of
normal, other labs, MRI. Hard limits reject, soft limits warn.

Each :class:`~forms.instruments.base.Enzyme` names its ULN field and default ULN: the TIS
enzyme row and its "most abnormal at baseline" choice (instruments.md 7.5; the tie order is the
order of :data:`ENZYMES`), the default ULN settings, the report's ratio rows and PRINTO
inactive disease (CK <= 150 U/L) all read them from here.
"""

from __future__ import annotations

from decimal import Decimal
from decimal import Decimal as D

from forms.fields import Field, FieldType, Form, Level
from forms.instruments.base import (
    YES_NO,
    Domain,
    DomainPart,
    Enzyme,
    Instrument,
    ReportGroup,
    ReportRow,
    RowKind,
)
from forms.records import frozen

FORM = Form("labs", "Labs & imaging", Level.VISIT,
            "Muscle enzymes with local ULN, other labs, MRI")


@frozen
class EnzymeSpec:
    """How an enzyme is entered: label, abbreviation, hard maximum and warning level (U/L),
    the accepted range of a laboratory's ULN, the default ULN."""

    name: str
    label: str
    short: str
    hard_max: int
    warn_above: int
    uln_range: tuple[int, int]
    default_uln: int


SPECS: tuple[EnzymeSpec, ...] = (
    EnzymeSpec("ck", "Creatine kinase (CK)", "CK", 200_000, 20_000, (10, 2_000), 200),
    EnzymeSpec("aldolase", "Aldolase", "Aldolase", 500, 100, (1, 50), 8),
    EnzymeSpec("ldh", "Lactate dehydrogenase (LDH)", "LDH", 20_000, 3_000, (50, 2_000), 250),
    EnzymeSpec("ast", "Aspartate aminotransferase (AST)", "AST", 20_000, 1_000, (5, 500), 40),
    EnzymeSpec("alt", "Alanine aminotransferase (ALT)", "ALT", 20_000, 1_000, (5, 500), 40),
)

#: PRINTO clinically inactive disease: CK <= 150 U/L (absolute, not ULN-relative; section 8).
CID_CK_MAX = Decimal(150)

ENZYMES: tuple[Enzyme, ...] = tuple(
    Enzyme(s.name, f"{s.name}_uln", Decimal(s.default_uln),
           CID_CK_MAX if s.name == "ck" else None) for s in SPECS)


def _enzyme_fields() -> tuple[Field, ...]:
    out: list[Field] = []
    for s, enzyme in zip(SPECS, ENZYMES, strict=True):
        out.append(Field(s.name, s.label, "labs", FieldType.DECIMAL, minimum=D(0),
                         maximum=D(s.hard_max), decimals=1, warn_above=D(s.warn_above),
                         unit="U/L", group="enzymes", short=s.short,
                         help="U/L (IU/L). From ukat/L multiply by 60."))
        out.append(Field(enzyme.uln_field, f"{s.label}: upper limit of normal", "labs",
                         FieldType.DECIMAL, minimum=D(s.uln_range[0]),
                         maximum=D(s.uln_range[1]), decimals=1, unit="U/L", group="enzymes",
                         help="The reporting laboratory's upper limit of normal for this "
                              "child."))
    return tuple(out)


DEC = FieldType.DECIMAL
OTHER: tuple[Field, ...] = (
    Field("esr", "ESR", "labs", DEC, minimum=D(0), maximum=D(150), decimals=0, short="ESR",
          warn_above=D(100), unit="mm/h", group="other"),
    Field("crp", "CRP", "labs", DEC, minimum=D(0), maximum=D(500), decimals=1, short="CRP",
          warn_above=D(100), unit="mg/L", group="other", help="mg/L (from mg/dL multiply by 10)."),
    Field("ferritin", "Ferritin", "labs", DEC, minimum=D(0), maximum=D(100_000), decimals=0,
          warn_above=D(1_000), unit="ug/L", group="other"),
    Field("lymphocytes", "Lymphocytes (absolute)", "labs", DEC, minimum=D(0), maximum=D(50),
          decimals=2, warn_below=D("0.5"), unit="10^9/L", group="other",
          help="x10^9/L (from cells/uL divide by 1000)."),
    Field("igg", "IgG", "labs", DEC, minimum=D(0), maximum=D(60), decimals=1, warn_below=D(3),
          warn_above=D(20), unit="g/L", group="other", help="g/L (from mg/dL divide by 100)."),
    Field("ifn_score", "Type I interferon gene score", "labs", DEC, minimum=D(0),
          maximum=D(100_000), decimals=2, group="other",
          help="Unitless, as reported by the laboratory."),
    Field("mri_muscle_edema", "Muscle oedema on MRI", "labs", FieldType.CHOICE, choices=YES_NO,
          group="imaging", help="Muscle oedema on MRI at or near this visit."),
)

INSTRUMENT = Instrument(
    form=FORM,
    fields=(*_enzyme_fields(), *OTHER),
    enzymes=ENZYMES,
    domains=(DomainPart(Domain.MUSCLE_ENZYMES, fields=tuple(e.name for e in ENZYMES)),),
    report=(ReportRow(ReportGroup.LABORATORY, "ck"),
            *(ReportRow(ReportGroup.LABORATORY, e.name, RowKind.ULN_RATIO) for e in ENZYMES),
            ReportRow(ReportGroup.LABORATORY, "esr"),
            ReportRow(ReportGroup.LABORATORY, "crp")),
)
