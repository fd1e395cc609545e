"""MDI, the Myositis Damage Index 2001, juvenile version (instruments.md section 9.2).

Damage is a persistent change (present for at least 6 months) in anatomy, physiology or
function from previously active disease or its treatment. Each item is scored 0 = absent,
1 = present, or "na" (not applicable / cannot be assessed); each organ system's severity of
damage is a 10-cm VAS (0 = none, 10 = maximum), and the physician's global assessment of damage
is one more VAS.

* **Extent of damage** (``mdi_extent``) = the number of items present, 0-38 in the juvenile
  version. Like every total here (convention 2), it needs every item
  answered (0, 1 or "na"; "na" is not present); one unanswered item gives no total.
* **Severity of damage** (``mdi_severity``) = the sum of the 11 organ-system VAS, 0-110
  missing unless all 11 are entered. Both follow rule ``mdi@1``.

Sources: IMACS Form 08 "Myositis Damage Index (MDI) - 2001" (the form text at docest.com doc
274068); Rider LG et al. "Damage extent and predictors in adult and juvenile dermatomyositis
and polymyositis as determined with the Myositis Damage Index", Arthritis Rheum
2009;60:3425-35, doi:10.1002/art.24904 (juvenile extent 0-38, severity 0-110; the item totals
and ranges in the J Rheumatol JDM table cited in instruments.md).

**What was verified and what was not.** Items 1-13 (muscle, skeletal, and the cutaneous items
calcinosis and alopecia) follow the wording of the form text read from the published form.
The remaining items (cutaneous scarring, poikiloderma and lipodystrophy; gastrointestinal,
pulmonary, cardiovascular, peripheral vascular, endocrine, ocular, infection, malignancy and
other) could not be read from a source here: they follow the organ systems of instruments.md
9.2 and the item list as usually cited for the juvenile MDI, and are marked ``verified=False``
below; check them against the printed form before relying on item-level data. The form scores
items 11 (limitation of joint motion: elbow, hip, knee, ankle) and 12 (calcinosis: superficial,
tumoral, planar, exoskeleton) with sub-items; here each is one item (present when any sub-item
is), which is how it counts towards the extent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal as D
from fractions import Fraction

from forms.fields import Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments.base import (
    CrossCheck,
    Derived,
    Instrument,
    ReportGroup,
    ReportRow,
    Section,
    levels,
)
from forms.instruments.globals import VAS
from forms.records import frozen
from forms.score_base import (
    RULE_VERSIONS,
    Score,
    fmt,
    invalid,
    missing_names,
    quantize,
    read_item,
    read_number,
)

FORM = Form("mdi", "Damage (MDI)", Level.VISIT,
            "Myositis Damage Index 2001, juvenile version: extent (items present, 0-38) and "
            "severity (organ-system VAS, 0-110) of damage, physician global damage")


@frozen
class OrganSystem:
    """An organ system of the MDI: its key (``mdi_sev_<key>``) and label."""

    key: str
    label: str


@frozen
class Item:
    """One MDI damage item: field name, label, organ system, and whether its wording was
    checked against the published form (see the module docstring)."""

    name: str
    label: str
    system: str
    verified: bool = True


#: the 11 organ systems with a severity VAS (instruments.md 9.2: 11 systems, 0-110).
SYSTEMS: tuple[OrganSystem, ...] = (
    OrganSystem("muscle", "Muscle"),
    OrganSystem("skeletal", "Skeletal"),
    OrganSystem("cutaneous", "Cutaneous"),
    OrganSystem("gastrointestinal", "Gastrointestinal"),
    OrganSystem("pulmonary", "Pulmonary"),
    OrganSystem("cardiovascular", "Cardiovascular"),
    OrganSystem("periph_vascular", "Peripheral vascular"),
    OrganSystem("endocrine", "Endocrine"),
    OrganSystem("ocular", "Ocular"),
    OrganSystem("infection", "Infection"),
    OrganSystem("malignancy", "Malignancy"),
)
#: the "other" items have no severity VAS of their own.
OTHER = OrganSystem("other", "Other")

#: the 38 items of the juvenile MDI, by organ system, in the order of the form.
ITEMS: tuple[Item, ...] = (
    # Muscle (form items 1-5, verified)
    Item("mdi_muscle_atrophy", "Muscle atrophy (clinical)", "muscle"),
    Item("mdi_muscle_weakness", "Muscle weakness not attributable to active muscle disease",
         "muscle"),
    Item("mdi_muscle_dysfunction", "Muscle dysfunction: decrease in aerobic exercise capacity",
         "muscle"),
    Item("mdi_muscle_atrophy_imaging", "Muscle atrophy assessed by radiographic methods",
         "muscle"),
    Item("mdi_low_creatinine", "Low serum creatinine", "muscle"),
    # Skeletal (form items 6-11, verified)
    Item("mdi_contractures", "Joint contractures", "skeletal"),
    Item("mdi_osteoporotic_fracture", "Osteoporosis with fracture or vertebral collapse "
         "(excluding avascular necrosis)", "skeletal"),
    Item("mdi_avascular_necrosis", "Avascular necrosis", "skeletal"),
    Item("mdi_deforming_arthropathy", "Deforming arthropathy (including reducible deformities, "
         "excluding avascular necrosis and contractures)", "skeletal"),
    Item("mdi_osteoporosis_treated", "Osteoporosis without clinical fracture, requiring "
         "treatment of osteoporosis", "skeletal"),
    Item("mdi_limited_motion", "Limitation of joint motion (passive range: elbow extension, "
         "hip flexion, knee extension or ankle dorsiflexion)", "skeletal"),
    # Cutaneous (form items 12-13 verified; the rest not verified)
    Item("mdi_calcinosis", "Calcinosis (superficial, tumoral, planar or exoskeleton)",
         "cutaneous"),
    Item("mdi_alopecia", "Alopecia", "cutaneous"),
    Item("mdi_scarring", "Cutaneous scarring or atrophy", "cutaneous", verified=False),
    Item("mdi_poikiloderma", "Poikiloderma", "cutaneous", verified=False),
    Item("mdi_lipodystrophy", "Lipodystrophy", "cutaneous", verified=False),
    # Gastrointestinal (not verified)
    Item("mdi_dysphagia", "Dysphagia", "gastrointestinal", verified=False),
    Item("mdi_gi_dysmotility", "Gastrointestinal dysmotility (constipation, diarrhoea or "
         "abdominal pain)", "gastrointestinal", verified=False),
    Item("mdi_gi_infarction", "Infarction or resection of bowel or other gastrointestinal "
         "organ", "gastrointestinal", verified=False),
    # Pulmonary (not verified)
    Item("mdi_dysphonia", "Dysphonia", "pulmonary", verified=False),
    Item("mdi_lung_function", "Impaired lung function (pulmonary function tests)", "pulmonary",
         verified=False),
    Item("mdi_pulmonary_fibrosis", "Pulmonary fibrosis", "pulmonary", verified=False),
    Item("mdi_pulmonary_hypertension", "Pulmonary hypertension", "pulmonary", verified=False),
    # Cardiovascular (not verified)
    Item("mdi_hypertension", "Hypertension requiring treatment for more than 6 months",
         "cardiovascular", verified=False),
    Item("mdi_lv_dysfunction", "Ventricular dysfunction or cardiomyopathy",
         "cardiovascular", verified=False),
    # Peripheral vascular (not verified)
    Item("mdi_tissue_loss", "Tissue or pulp loss", "periph_vascular", verified=False),
    Item("mdi_digit_loss", "Digit or limb loss or amputation", "periph_vascular",
         verified=False),
    Item("mdi_venous_thrombosis", "Venous thrombosis with swelling, ulceration or venous "
         "stasis", "periph_vascular", verified=False),
    # Endocrine (not verified; the juvenile items)
    Item("mdi_growth_failure", "Growth failure", "endocrine", verified=False),
    Item("mdi_pubertal_delay", "Delay in development of secondary sexual characteristics",
         "endocrine", verified=False),
    Item("mdi_hirsutism", "Hirsutism", "endocrine", verified=False),
    Item("mdi_menstrual", "Irregular menses or amenorrhoea", "endocrine", verified=False),
    Item("mdi_diabetes", "Diabetes mellitus", "endocrine", verified=False),
    # Ocular (not verified)
    Item("mdi_cataract", "Cataract", "ocular", verified=False),
    Item("mdi_vision_loss", "Vision loss", "ocular", verified=False),
    # Infection, malignancy, other (not verified)
    Item("mdi_chronic_infection", "Chronic infection", "infection", verified=False),
    Item("mdi_malignancy", "Malignancy", "malignancy", verified=False),
    Item("mdi_other", "Other damage", "other", verified=False),
)
ITEM_NAMES: tuple[str, ...] = tuple(i.name for i in ITEMS)
#: organ system -> its item names (the "other" items have no severity VAS).
SYSTEM_ITEMS: dict[str, tuple[str, ...]] = {
    s.key: tuple(i.name for i in ITEMS if i.system == s.key) for s in SYSTEMS}
SEVERITY_NAMES: tuple[str, ...] = tuple(f"mdi_sev_{s.key}" for s in SYSTEMS)
_PRESENCE = levels("Absent", "Present")
_SYSTEM_LABELS = {s.key: s.label for s in (*SYSTEMS, OTHER)}


_PRESENT_HELP = ('Damage present for at least 6 months: 0 = absent, 1 = present, "na" = not '
                 'applicable.')
#: said on every item whose wording was not checked against the printed form (module docstring)
_UNVERIFIED = (" The wording of this item was not checked against the printed IMACS Form 08: "
               "compare it with your form before relying on item-level data.")


def _fields() -> tuple[Field, ...]:
    out: list[Field] = []
    for system in (*SYSTEMS, OTHER):
        for item in ITEMS:
            if item.system == system.key:
                out.append(Field(
                    item.name, item.label, "mdi", FieldType.INTEGER, minimum=D(0),
                    maximum=D(1), na_allowed=True, levels=_PRESENCE, group=system.key,
                    help=_PRESENT_HELP if item.verified else _PRESENT_HELP + _UNVERIFIED))
        if system is not OTHER:
            out.append(Field(
                f"mdi_sev_{system.key}", f"{system.label}: severity of damage", "mdi",
                FieldType.DECIMAL, group=system.key,
                help="10-cm VAS, 0 = no damage, 10 = maximum damage in this organ system.",
                **VAS))
    out.append(Field(
        "mdi_phys_global_damage", "Physician global assessment of damage", "mdi",
        FieldType.DECIMAL, group="global", short="PhGD",
        help="10-cm VAS of the overall damage, 0 = no damage, 10 = extreme damage.", **VAS))
    return tuple(out)


EXTENT = Field("mdi_extent", "MDI extent of damage", "mdi", FieldType.INTEGER, minimum=D(0),
               maximum=D(len(ITEMS)), derived=True, short="MDI extent",
               derivation="Number of MDI items present (0-38); missing unless every item is "
               'answered (0, 1 or "na").')
SEVERITY = Field("mdi_severity", "MDI severity of damage", "mdi", FieldType.DECIMAL,
                 minimum=D(0), maximum=D(10 * len(SYSTEMS)), decimals=1, derived=True,
                 short="MDI severity",
                 derivation="Sum of the 11 organ-system severity VAS (0-110); missing unless "
                 "all 11 are entered.")
VERSION = ("mdi@1 (juvenile MDI 2001: extent = items present, every item answered; severity = "
           "sum of the 11 organ-system VAS, all required)")


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------
def mdi_extent(values: Mapping[str, object]) -> Score:
    """MDI extent of damage: the number of items present (0-38).

    Every item must be answered: 0 (absent), 1 (present) or "na" (not applicable, which is not
    present). An unanswered item gives no total (convention 2), with a reason naming it.
    """
    version = RULE_VERSIONS["mdi_extent"]
    errors: list[str] = []
    present: list[str] = []
    missing: list[str] = []
    not_applicable = 0
    for name in ITEM_NAMES:
        raw = values.get(name)
        if raw is None:
            missing.append(name)
            continue
        if isinstance(raw, str) and raw.strip().lower() == "na":
            not_applicable += 1
            continue
        score = read_item(values, name, errors)
        if score is None:
            continue
        if score == 1:
            present.append(name)
    parts = {"present": tuple(present)}
    if errors:
        return Score("mdi_extent", None, invalid("MDI", errors), version, parts=parts)
    if missing:
        summary = _("MDI: {n} of {total} items missing").format(n=len(missing),
                                                                  total=len(ITEMS))
        reason = summary + (f" ({missing_names(missing)})" if len(missing) < len(ITEMS)
                            else _(" (not assessed)"))
        return Score("mdi_extent", None, reason, version, parts=parts,
                     missing=tuple(missing), summary=summary)
    detail = _("{n} of {total} items present").format(n=len(present), total=len(ITEMS))
    if not_applicable:
        detail += _(" ({n} not applicable)").format(n=not_applicable)
    return Score("mdi_extent", len(present), "", version, detail,
                 Fraction(len(present)), parts=parts)


def mdi_severity(values: Mapping[str, object]) -> Score:
    """MDI severity of damage: the sum of the 11 organ-system VAS (0-110), all required."""
    version = RULE_VERSIONS["mdi_severity"]
    errors: list[str] = []
    found: dict[str, Fraction] = {}
    for name in SEVERITY_NAMES:
        try:
            value = read_number(values, name)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if value is not None:
            found[name] = value
    if errors:
        return Score("mdi_severity", None, invalid(_("MDI severity"), errors),
                     version)
    missing = [n for n in SEVERITY_NAMES if n not in found]
    if missing:
        summary = _("MDI severity: {n} of {total} organ systems missing").format(
            n=len(missing), total=len(SYSTEMS))
        reason = summary + (f" ({missing_names(missing)})" if found else _(" (not assessed)"))
        return Score("mdi_severity", None, reason, version, missing=tuple(missing),
                     summary=summary)
    exact = sum(found.values(), Fraction(0))
    detail = " + ".join(fmt(found[n]) for n in SEVERITY_NAMES) + f" = {fmt(exact)}"
    return Score("mdi_severity", quantize(exact, SEVERITY.decimals), "", version,
                 detail, exact, parts={n: found[n] for n in SEVERITY_NAMES})


def _score(values: Mapping[str, object], _scores: Mapping[str, Score]) -> dict[str, Score]:
    return {"mdi_extent": mdi_extent(values), "mdi_severity": mdi_severity(values)}


INSTRUMENT = Instrument(
    form=FORM,
    fields=_fields(),
    derived=(Derived((EXTENT, SEVERITY), VERSION, "MDI", _score),),
    cross_checks=(CrossCheck(
        "mdi_severity_items", "An organ system's severity of damage agrees with its items: a "
        "severity above 0 with every item absent, or an item present with severity 0, is a "
        "warning."),),
    report=(ReportRow(ReportGroup.DAMAGE, "mdi_extent"),
            ReportRow(ReportGroup.DAMAGE, "mdi_severity"),
            ReportRow(ReportGroup.DAMAGE, "mdi_phys_global_damage")),
    sections=(*(Section(s.key, s.label) for s in (*SYSTEMS, OTHER)),
              Section("global", "Global damage")),
)
