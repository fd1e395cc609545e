"""The response criteria's own values: PRINTO clinically inactive disease at one visit
(instruments.md section 8, Lazarevic 2013; convention 7) and the values between a baseline and
a follow-up visit (``forms.response``: ACR/EULAR 2016 TIS, PRINTO 20/50/70) with their rule
versions.

The CID criteria read their cut-offs from the instruments that own them (CK from ``labs``,
CMAS from ``cmas``, MMT-8 from ``mmt8``, the physician global from ``globals``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction

from forms.fields import Choice, Deid, Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments import cmas, labs, mmt8
from forms.instruments.base import Derived, Instrument
from forms.instruments.cmas import cmas_total
from forms.instruments.globals import CID_PHYS_GLOBAL_MAX
from forms.instruments.mmt8 import mmt8_total
from forms.records import frozen
from forms.score_base import RULE_VERSIONS, InvalidValue, Score, fmt, quantize, read_number

FORM = Form("response", "Response", Level.RESPONSE,
            "Derived response criteria and inactive disease")
CHOICE = FieldType.CHOICE

CID_CK_MAX = labs.CID_CK_MAX
CID_CMAS_MIN = cmas.CID_MINIMUM
CID_MMT8_MIN = mmt8.CID_MINIMUM
CID_NEEDED = 3  # at least 3 of the 4 criteria (no single criterion mandatory)

#: the TIS muscle measures: the default first, the CMAS fallback last (instruments.md 7.1).
MUSCLE_MEASURES = tuple(sorted((*mmt8.INSTRUMENT.muscle_measures,
                                *cmas.INSTRUMENT.muscle_measures), key=lambda m: m.fallback))

CID = Field("printo_cid", "PRINTO clinically inactive disease", "response", CHOICE,
            choices=(Choice("yes", "Yes"), Choice("no", "No"),
                     Choice("indeterminate", "Indeterminate")), derived=True,
            derivation="At least 3 of: CK <= 150 U/L, CMAS >= 48, MMT-8 >= 78, physician "
            "global <= 0.2 (Lazarevic 2013).")
CID_VERSION = "printo_cid@1 (Lazarevic 2013, 3 of 4; missing -> best/worst case)"


@frozen
class CidCriterion:
    """One of the 4 PRINTO CID criteria at a visit (instruments.md section 8).

    Attributes:
        key: ``ck``, ``cmas``, ``mmt8`` or ``phys_global``.
        label: words for the GUI/PDF ("CK <= 150 U/L").
        field: the value it is tested on (``ck``, ``cmas_total``, ``mmt8_total``, ``phys_global``).
        value: the visit's value, or None when unknown.
        cutoff: the inclusive cut-off.
        comparison: ``"<="`` or ``">="``.
        met: True/False, or None when the value is unknown.
        note: why the value is unknown (e.g. the CMAS missing reason).
    """

    key: str
    label: str
    field: str
    value: int | Decimal | None
    cutoff: Decimal
    comparison: str
    met: bool | None
    note: str = ""


@frozen
class CidResult:
    """PRINTO clinically inactive disease at one visit.

    Attributes:
        status: ``yes``, ``no`` or ``indeterminate`` (project convention 7).
        criteria: the 4 criteria with their values.
        explanation: one paragraph for the GUI and the PDF.
        rule_version: :data:`CID_VERSION`.
        met: how many criteria are met; unknown: how many cannot be evaluated.
    """

    status: str
    criteria: tuple[CidCriterion, ...]
    explanation: str
    rule_version: str
    met: int = 0
    unknown: int = 0


def clinically_inactive_disease(values: Mapping[str, object],
                                scores: Mapping[str, Score] | None = None) -> CidResult:
    """PRINTO 2013 clinically inactive disease at one visit (Lazarevic 2013; convention 7).

    Criteria (inclusive): CK <= 150 U/L, CMAS >= 48, MMT-8 (unilateral, 0-80) >= 78, physician
    global <= 0.2. At least 3 of 4 met -> ``yes``; when even meeting every unknown criterion
    could not reach 3 -> ``no``; otherwise ``indeterminate``. No criterion is mandatory.

    Args:
        values: a visit's entered values.
        scores: already computed CMAS/MMT-8 scores of this visit (optional, saves work).

    Returns:
        A :class:`CidResult` with per-criterion detail.
    """
    version = RULE_VERSIONS["printo_cid"]
    cmas = scores["cmas_total"] if scores and "cmas_total" in scores else cmas_total(values)
    mmt = scores["mmt8_total"] if scores and "mmt8_total" in scores else mmt8_total(values)[0]

    def lab(name: str) -> tuple[Fraction | None, str]:
        try:
            value = read_number(values, name)
        except InvalidValue as exc:
            return None, str(exc)
        return value, "" if value is not None else _("{name} not recorded").format(name=name)

    ck, ck_note = lab("ck")
    phys, phys_note = lab("phys_global")
    specs: list[tuple[str, str, str, Fraction | None, Decimal, str, str]] = [
        ("ck", f"CK <= {CID_CK_MAX} U/L", "ck", ck, CID_CK_MAX, "<=", ck_note),
        ("cmas", f"CMAS >= {CID_CMAS_MIN}", "cmas_total",
         None if cmas.value is None else Fraction(cmas.value), CID_CMAS_MIN, ">=",
         cmas.missing_reason),
        ("mmt8", f"MMT-8 >= {CID_MMT8_MIN}", "mmt8_total",
         None if mmt.value is None else Fraction(mmt.value), CID_MMT8_MIN, ">=",
         mmt.missing_reason),
        ("phys_global", _("Physician global <= {limit}").format(limit=CID_PHYS_GLOBAL_MAX),
         "phys_global", phys,
         CID_PHYS_GLOBAL_MAX, "<=", phys_note),
    ]
    criteria: list[CidCriterion] = []
    for key, label, fname, value, cutoff, op, note in specs:
        if value is None:
            met = None
            shown: int | Decimal | None = None
        else:
            met = value <= Fraction(cutoff) if op == "<=" else value >= Fraction(cutoff)
            shown = int(value) if value.denominator == 1 else quantize(value, 3).normalize()
            note = ""
        criteria.append(CidCriterion(key, label, fname, shown, cutoff, op, met, note))
    n_met = sum(1 for c in criteria if c.met is True)
    n_unknown = sum(1 for c in criteria if c.met is None)
    if n_met >= CID_NEEDED:
        status = "yes"
    elif n_met + n_unknown < CID_NEEDED:
        status = "no"
    else:
        status = "indeterminate"
    lines = []
    for c in criteria:
        if c.met is None:
            lines.append(_("{criterion}: unknown ({note})").format(criterion=c.label,
                                                                    note=c.note))
        else:
            lines.append(f"{c.label}: {fmt(c.value)} -> "
                         + (_("met") if c.met else _("not met")))
    verdict = {"yes": _("clinically inactive disease"),
               "no": _("not clinically inactive disease"),
               "indeterminate": _("indeterminate (the unknown criteria decide)")}[status]
    explanation = (_("PRINTO CID: {met} of 4 criteria met, {unknown} unknown ({needed} "
                     "needed) -> {verdict}. ").format(met=n_met, unknown=n_unknown,
                                                      needed=CID_NEEDED, verdict=verdict)
                   + "; ".join(lines) + _("."))
    return CidResult(status, tuple(criteria), explanation, version, n_met, n_unknown)


def _score(values: Mapping[str, object], scores: Mapping[str, Score]) -> dict[str, Score]:
    cid = clinically_inactive_disease(values, scores)
    return {"printo_cid": Score("printo_cid", cid.status, "", cid.rule_version,
                                cid.explanation, parts={"criteria": cid.criteria})}


# --------------------------------------------------------------------------------------------
# Between a baseline and a follow-up visit (computed by forms.response)
# --------------------------------------------------------------------------------------------
_ACR_CATEGORIES = (Choice("none", "No improvement"), Choice("minimal", "Minimal"),
                   Choice("moderate", "Moderate"), Choice("major", "Major"))
_PRINTO_LEVELS = (Choice("70", "PRINTO 70"), Choice("50", "PRINTO 50"),
                  Choice("20", "PRINTO 20"), Choice("none", "None"))
BETWEEN_VISITS: tuple[Field, ...] = (
    Field("baseline_label", "Baseline visit", "response", FieldType.TEXT, Level.RESPONSE,
          derived=True, max_length=16, deid=Deid.LABEL,
          derivation="Label of the visit responses are measured from."),
    Field("tis", "ACR/EULAR Total Improvement Score", "response", FieldType.DECIMAL,
          Level.RESPONSE, minimum=D(0), maximum=D(100), decimals=1, derived=True, short="TIS",
          derivation="Sum of the level scores of the 6 core set rows (Rider 2017, Table 3); "
          "the sum of the available rows when some are missing."),
    Field("tis_measures", "TIS core set measures available", "response", FieldType.INTEGER,
          Level.RESPONSE, minimum=D(0), maximum=D(6), derived=True),
    Field("tis_muscle_measure", "TIS muscle measure used", "response", CHOICE, Level.RESPONSE,
          choices=tuple(Choice(m.key, m.choice) for m in MUSCLE_MEASURES), derived=True),
    Field("tis_enzyme", "TIS enzyme", "response", CHOICE, Level.RESPONSE, derived=True,
          choices=tuple(Choice(s.name, s.label) for s in labs.SPECS),
          derivation="The muscle enzyme in the TIS enzyme row: the highest value/ULN at "
          "baseline (ties in the order CK, aldolase, LDH, AST, ALT)."),
    Field("tis_parent_measure", "TIS parent global used", "response", CHOICE, Level.RESPONSE,
          derived=True,
          choices=(Choice("parent_global_activity", "Parent/patient global activity (IMACS)"),
                   Choice("parent_global", "Parent global well-being (PRINTO)")),
          derivation="parent_global_activity when entered at both visits, else parent_global "
          "(instruments.md convention 5)."),
    Field("acr_eular_response", "ACR/EULAR 2016 response", "response", CHOICE,
          Level.RESPONSE, derived=True,
          choices=(*_ACR_CATEGORIES, Choice("indeterminate", "Indeterminate"))),
    Field("acr_eular_response_min", "ACR/EULAR 2016 response, lower bound", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_ACR_CATEGORIES,
          derivation="The category the sum of the available TIS rows reaches (convention 5)."),
    Field("acr_eular_response_max", "ACR/EULAR 2016 response, upper bound", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_ACR_CATEGORIES,
          derivation="The category of the available rows plus the maxima of the missing rows "
          "(convention 5); equals the lower bound when the response is determinate."),
    Field("printo_response", "PRINTO response level", "response", CHOICE, Level.RESPONSE,
          derived=True, choices=(*_PRINTO_LEVELS, Choice("indeterminate", "Indeterminate"))),
    Field("printo_response_worst", "PRINTO response level, worst case", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_PRINTO_LEVELS,
          derivation="The level met with every missing variable worsened by more than 30 % "
          "(convention 6)."),
    Field("printo_response_best", "PRINTO response level, best case", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_PRINTO_LEVELS,
          derivation="The level met with every missing variable improved at every level "
          "(convention 6)."),
)
_BY_NAME = {f.name: f for f in BETWEEN_VISITS}

TIS_VERSION = ("tis@2 (ACR/EULAR 2016, range-scaled %, enzyme relative %, inclusive upper "
               "bands; enzyme among those at both visits, parent activity global when at both, "
               "MMT-8 same side at both)")
PRINTO_VERSION = ("printo_response@2 (PRINTO 2010 20/50/70, relative %, worsening > 30 %, "
                  "baseline-0 convention, best/worst case for missing, MMT-8 same side at both)")


def _fields(*names: str) -> tuple[Field, ...]:
    return tuple(_BY_NAME[n] for n in names)


#: the response rules (computed between two visits by forms.response, not by score_visit).
RESPONSE_RULES: tuple[Derived, ...] = (
    Derived(_fields("baseline_label"),
            "baseline@1 (flagged baseline visit, else the earliest)", "baseline choice"),
    Derived(_fields("tis", "tis_measures", "tis_muscle_measure", "tis_enzyme",
                    "tis_parent_measure"), TIS_VERSION, "ACR/EULAR TIS"),
    Derived(_fields("acr_eular_response"),
            "acr_eular_response@2 (TIS category; missing rows -> indeterminate when a higher "
            "category stays reachable)", "ACR/EULAR category"),
    Derived(_fields("acr_eular_response_min", "acr_eular_response_max"),
            "acr_eular_bounds@1 (category of the available rows; with the missing rows' "
            "maxima)", "ACR/EULAR bounds"),
    Derived(_fields("printo_response", "printo_response_worst", "printo_response_best"),
            PRINTO_VERSION, "PRINTO response"),
)
assert {f.name for rule in RESPONSE_RULES for f in rule.fields} == set(_BY_NAME)

INSTRUMENT = Instrument(
    form=FORM,
    derived=(Derived((CID,), CID_VERSION, "PRINTO inactive disease", _score),
             *RESPONSE_RULES),
)
