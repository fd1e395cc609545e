"""CDASI v2, the Cutaneous Dermatomyositis Disease Area and Severity Index (instruments.md
section 3a): 15 locations x (erythema, scale, erosion | poikiloderma, calcinosis) plus
Gottron's hands, periungual and alopecia. Activity 0-100, damage 0-32.

Which score each field counts towards (activity or damage) is :data:`KINDS`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal as D
from fractions import Fraction

from forms.fields import Choice, Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments.base import (
    Derived,
    Instrument,
    ReportGroup,
    ReportRow,
    Section,
    levels,
)
from forms.records import frozen
from forms.score_base import (
    RULE_VERSIONS,
    InvalidValue,
    Score,
    invalid,
    read_bool,
    read_item,
    registry_field,
)

FORM = Form("cdasi", "CDASI", Level.VISIT, "Cutaneous Dermatomyositis Disease Area and Severity "
            "Index, version 2")

ACTIVITY = "activity"
DAMAGE = "damage"


@frozen
class Location:
    key: str
    label: str


@frozen
class Part:
    """A per-location column: field suffix, label, the score it counts towards, its levels."""

    part: str
    label: str
    kind: str
    levels: tuple[Choice, ...]


LOCATIONS: tuple[Location, ...] = (
    Location("scalp", "Scalp"),
    Location("malar", "Malar area"),
    Location("periorbital", "Periorbital"),
    Location("face", "Rest of the face"),
    Location("v_neck", "V-area of the neck (front)"),
    Location("post_neck", "Posterior neck"),
    Location("upper_back", "Upper back and shoulders"),
    Location("back_buttocks", "Rest of back and buttocks"),
    Location("abdomen", "Abdomen"),
    Location("lat_thigh", "Lateral upper thigh"),
    Location("leg_feet", "Rest of leg and feet"),
    Location("arm", "Arm"),
    Location("mechanics_hand", "Mechanic's hand"),
    Location("dorsal_hand", "Dorsum of hands (not over joints)"),
    Location("gottron_other", "Gottron's, not on hands (e.g. elbows, knees)"),
)
#: the per-location CDASI columns.
PARTS: tuple[Part, ...] = (
    Part("ery", "erythema", ACTIVITY, levels("Absent", "Pink; faint erythema", "Red",
                                             "Dark red; violaceous")),
    Part("scale", "scale", ACTIVITY, levels("Absent", "Scale", "Crust / lichenification")),
    Part("eros", "erosion / ulceration", ACTIVITY, levels("Absent", "Present")),
    Part("poik", "poikiloderma", DAMAGE, levels("Absent", "Present (dyspigmentation or "
                                                          "telangiectasia)")),
    Part("calc", "calcinosis", DAMAGE, levels("Absent", "Present")),
)
_PAPULES = "cdasi_gottron_hand_papules"
_HAND_ERYTHEMA = "cdasi_gottron_hand_ery"

#: (field, the score it counts towards) of the other CDASI fields.
_OTHER: tuple[tuple[Field, str], ...] = (
    (Field("cdasi_gottron_hand_ery", "Gottron's papules on hands: erythema", "cdasi",
           FieldType.INTEGER, minimum=D(0), maximum=D(3), group="gottron_hand",
           levels=levels("Absent", "Pink; faint erythema", "Red", "Dark red; violaceous"),
           help="CDASI activity; doubled when papules are present (0-6)."), ACTIVITY),
    (Field("cdasi_gottron_hand_papules", "Gottron's papules on hands: papules present", "cdasi",
           FieldType.BOOLEAN, group="gottron_hand",
           help="When present, the hands' erythema score counts double."), ACTIVITY),
    (Field("cdasi_gottron_hand_ulc", "Gottron's papules on hands: ulceration", "cdasi",
           FieldType.INTEGER, minimum=D(0), maximum=D(1), group="gottron_hand",
           levels=levels("Absent", "Present")), ACTIVITY),
    (Field("cdasi_gottron_hand_damage", "Gottron's papules on hands: damage", "cdasi",
           FieldType.INTEGER, minimum=D(0), maximum=D(2), group="gottron_hand",
           levels=levels("Absent", "Dyspigmentation", "Scarring")), DAMAGE),
    (Field("cdasi_periungual", "Periungual changes", "cdasi", FieldType.INTEGER, minimum=D(0),
           maximum=D(2), group="other",
           levels=levels("Absent", "Pink/red erythema or microscopic telangiectasia",
                         "Visible telangiectasia")), ACTIVITY),
    (Field("cdasi_alopecia", "Alopecia: recent hair loss (last 30 days)", "cdasi",
           FieldType.INTEGER, minimum=D(0), maximum=D(1), group="other",
           levels=levels("Absent", "Present")), ACTIVITY),
)


def _fields() -> tuple[tuple[Field, str], ...]:
    out: list[tuple[Field, str]] = []
    for loc in LOCATIONS:
        for part in PARTS:
            out.append((Field(
                f"cdasi_{loc.key}_{part.part}", f"{loc.label}: {part.label}", "cdasi",
                FieldType.INTEGER, minimum=D(0), maximum=D(len(part.levels) - 1),
                levels=part.levels, group=loc.key,
                help=f"CDASI {part.kind}. "
                     + "; ".join(f"{c.code} = {c.label_en}" for c in part.levels)), part.kind))
    return (*out, *_OTHER)


_KINDED = _fields()
#: entered CDASI field -> ``activity`` or ``damage``.
KINDS: dict[str, str] = {f.name: kind for f, kind in _KINDED}
ENTERED_NAMES: tuple[str, ...] = tuple(KINDS)


@functools.cache
def _scored_names() -> tuple[str, ...]:
    """The CDASI fields that carry points (all but the yes/no flags), in form order."""
    return tuple(n for n in ENTERED_NAMES if registry_field(n).type is not FieldType.BOOLEAN)

ACTIVITY_TOTAL = Field(
    "cdasi_activity", "CDASI activity", "cdasi", FieldType.INTEGER, minimum=D(0),
    maximum=D(100), derived=True, short="CDASI act.",
    derivation="Sum of erythema, scale and erosion over 15 locations + "
    "Gottron's hands (erythema doubled with papules, + ulceration) + periungual + "
    "alopecia. Unentered CDASI fields count 0 once any CDASI field is entered.")
DAMAGE_TOTAL = Field(
    "cdasi_damage", "CDASI damage", "cdasi", FieldType.INTEGER, minimum=D(0), maximum=D(32),
    derived=True, short="CDASI dam.", derivation="Sum of poikiloderma and calcinosis over 15 "
    "locations + Gottron's hands damage.")
VERSION = "cdasi@1 (v2; unentered fields 0 once any entered)"


def cdasi_scores(values: Mapping[str, object]) -> tuple[Score, Score]:
    """CDASI activity (0-100) and damage (0-32).

    Convention 2: CDASI is scored by marking abnormal areas, so once any ``cdasi_`` field is
    entered at the visit its other ``cdasi_`` fields count 0; with none entered both are
    missing. Gottron's papules on the hands double the hands' erythema score.

    Returns:
        ``(Score("cdasi_activity"), Score("cdasi_damage"))``.
    """
    version = RULE_VERSIONS["cdasi_activity"]
    names = ENTERED_NAMES
    entered = [n for n in names if values.get(n) is not None]
    if not entered:
        reason = _("CDASI: not assessed (no CDASI field entered)")
        summary = _("CDASI: not assessed")
        return (Score("cdasi_activity", None, reason, version, missing=names, summary=summary),
                Score("cdasi_damage", None, reason, version, missing=names, summary=summary))
    errors: list[str] = []
    try:
        papules = bool(read_bool(values, _PAPULES))
    except InvalidValue as exc:
        errors.append(str(exc))
        papules = False
    sums = {"activity": 0, "damage": 0}
    parts: dict[str, int] = {}
    for name in _scored_names():  # the papules flag only doubles the hands' erythema
        score = read_item(values, name, errors)
        if score is None:
            continue  # unentered = 0 once the form is in use (convention 2)
        if name == _HAND_ERYTHEMA and papules:
            score *= 2  # CDASI v2: hands' erythema doubled when papules are present
        parts[name] = score
        sums[KINDS[name]] += score
    if errors:
        reason = invalid("CDASI", errors)
        return (Score("cdasi_activity", None, reason, version, parts=parts),
                Score("cdasi_damage", None, reason, version, parts=parts))
    note = _("{n} of {total} CDASI fields entered; the rest count 0").format(
        n=len(entered), total=len(names))
    if papules:
        note += _("; hands' erythema doubled (papules present)")
    return (Score("cdasi_activity", sums["activity"], "", version,
                  _("activity {score} ({note})").format(score=sums["activity"], note=note),
                  Fraction(sums["activity"]), parts=parts),
            Score("cdasi_damage", sums["damage"], "", version,
                  _("damage {score} ({note})").format(score=sums["damage"], note=note),
                  Fraction(sums["damage"]), parts=parts))


def _score(values: Mapping[str, object], _scores: Mapping[str, Score]) -> dict[str, Score]:
    activity, damage = cdasi_scores(values)
    return {"cdasi_activity": activity, "cdasi_damage": damage}


INSTRUMENT = Instrument(
    form=FORM,
    fields=tuple(f for f, _kind in _KINDED),
    derived=(Derived((ACTIVITY_TOTAL, DAMAGE_TOTAL), VERSION, "CDASI", _score),),
    report=(ReportRow(ReportGroup.SKIN, "cdasi_activity"),
            ReportRow(ReportGroup.SKIN, "cdasi_damage")),
    sections=tuple(Section(loc.key, loc.label) for loc in LOCATIONS),
)
