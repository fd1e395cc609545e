"""MMT-8, manual muscle testing of 8 groups (instruments.md section 2): Kendall 0-10; the neck
once, 7 groups right and left.

Fields, the unilateral total with the side rule (convention 3), the bilateral total, each
side's total (the same side is compared between two visits), and the MMT-8's roles: TIS muscle
measure (the default), PRINTO inactive disease (MMT-8 >= 78), the sign-off muscle strength
domain and the report's muscle table.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction

from forms.fields import Choice, Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments.base import (
    Derived,
    Domain,
    DomainPart,
    Instrument,
    MuscleMeasure,
    ReportGroup,
    ReportRow,
)
from forms.records import frozen
from forms.score_base import RULE_VERSIONS, Score, invalid, missing_names, read_item

FORM = Form("mmt8", "MMT-8", Level.VISIT, "Manual muscle testing of 8 groups, Kendall 0-10")


@frozen
class Grade:
    """A Kendall 0-10 grade with its 0-5 notation (+/-), name and criterion."""

    grade: int
    five: str
    name: str
    criterion: str


#: Kendall 0-10 grades. 0 covers Zero and Trace (T), project convention 3.
GRADES: tuple[Grade, ...] = (
    Grade(0, "0 / 1 (T)", "Zero or Trace", "No contraction, or a flicker / tendon prominence only"),
    Grade(1, "2-", "Poor-", "Gravity eliminated: partial range"),
    Grade(2, "2", "Poor", "Gravity eliminated: full range"),
    Grade(3, "2+", "Poor+", "Against gravity: partial range"),
    Grade(4, "3-", "Fair-", "Gradual release from the antigravity test position"),
    Grade(5, "3", "Fair", "Holds the test position, no added pressure"),
    Grade(6, "3+", "Fair+", "Holds against slight pressure"),
    Grade(7, "4-", "Good-", "Holds against slight-to-moderate pressure"),
    Grade(8, "4", "Good", "Holds against moderate pressure"),
    Grade(9, "4+", "Good+", "Holds against moderate-to-strong pressure"),
    Grade(10, "5", "Normal", "Holds against strong pressure"),
)
_LEVELS = tuple(Choice(g.grade, f"{g.five} {g.name}: {g.criterion}") for g in GRADES)


@frozen
class Muscle:
    """A muscle group: its field name (the axial neck) or stem (``<stem>_r``/``<stem>_l``)."""

    stem: str
    label: str


NECK = Muscle("mmt_neck_flexors", "Neck flexors")
#: the 7 paired muscle groups; fields are ``<stem>_r`` and ``<stem>_l``.
PAIRED: tuple[Muscle, ...] = (
    Muscle("mmt_deltoid", "Deltoid (middle)"),
    Muscle("mmt_biceps", "Biceps brachii"),
    Muscle("mmt_wrist_extensors", "Wrist extensors"),
    Muscle("mmt_gluteus_maximus", "Gluteus maximus"),
    Muscle("mmt_gluteus_medius", "Gluteus medius"),
    Muscle("mmt_quadriceps", "Quadriceps"),
    Muscle("mmt_ankle_dorsiflexors", "Ankle dorsiflexors"),
)
#: (suffix, side word); the right side is preferred (IMACS).
SIDES: tuple[tuple[str, str], ...] = (("r", "right"), ("l", "left"))
_NECK = NECK.stem


@functools.cache  # the muscles are fixed: each side's names are built once
def side_names(side: str) -> tuple[str, ...]:
    """The 7 paired field names of one side (``"r"`` or ``"l"``)."""
    return tuple(f"{m.stem}_{side}" for m in PAIRED)


_HELP = ("Kendall 0-10 scale (0-5 with +/- in brackets): "
         + "; ".join(f"{g.grade} = {g.five}" for g in GRADES))


def _fields() -> tuple[Field, ...]:
    out = [Field(NECK.stem, NECK.label, "mmt8", FieldType.INTEGER, minimum=D(0), maximum=D(10),
                 levels=_LEVELS, group="axial", help=_HELP)]
    for muscle in PAIRED:
        for suffix, side in SIDES:
            out.append(Field(f"{muscle.stem}_{suffix}", f"{muscle.label}, {side}", "mmt8",
                             FieldType.INTEGER, minimum=D(0), maximum=D(10), levels=_LEVELS,
                             group=side, help=_HELP))
    return tuple(out)


TOTAL = Field("mmt8_total", "MMT-8 total (unilateral)", "mmt8", FieldType.INTEGER, minimum=D(0),
              maximum=D(80), derived=True, short="MMT-8",
              derivation="Neck flexors + the 7 right-side groups; the left side when "
              "the right is incomplete; missing when neither side is complete.")
SIDE = Field("mmt8_side", "MMT-8 side used", "mmt8", FieldType.CHOICE, derived=True,
             choices=(Choice("right", "Right"), Choice("left", "Left")),
             derivation="The side summed in mmt8_total.")
BILATERAL = Field("mmt8_bilateral", "MMT-8 total (bilateral)", "mmt8", FieldType.INTEGER,
                  minimum=D(0), maximum=D(150), derived=True, short="MMT-8 bilat.",
                  derivation="Neck flexors + the 7 groups on both sides; missing unless all 15 "
                  "graded.")
VERSION = "mmt8_total@1 (neck + right 7, else neck + left 7)"
VERSION_BILATERAL = "mmt8_bilateral@1 (neck + 14 paired, all required)"

#: PRINTO clinically inactive disease: MMT-8 (unilateral, 0-80) >= 78 (instruments.md 8).
CID_MINIMUM = Decimal(78)


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------
def _mmt_grades(values: Mapping[str, object]) -> tuple[dict[str, int], list[str]]:
    grades: dict[str, int] = {}
    errors: list[str] = []
    names = [_NECK, *side_names("r"), *side_names("l")]
    for name in names:
        grade = read_item(values, name, errors)
        if grade is not None:
            grades[name] = grade
    return grades, errors


def mmt8_total(values: Mapping[str, object]) -> tuple[Score, Score]:
    """MMT-8 unilateral total (0-80) and the side used (project convention 3).

    Neck flexors + the 7 right-side groups when all 7 right groups are graded, else neck + the
    7 left groups when all 7 left are graded, else missing (IMACS: test the right side; the
    left when the right cannot be tested). Trace is graded 0 (convention 3).

    Returns:
        ``(Score("mmt8_total"), Score("mmt8_side"))``; both missing together.
    """
    version = RULE_VERSIONS["mmt8_total"]
    grades, errors = _mmt_grades(values)

    def both(reason: str, summary: str = "",
             missing: tuple[str, ...] = ()) -> tuple[Score, Score]:
        return (Score("mmt8_total", None, reason, version, parts=grades, missing=missing,
                      summary=summary),
                Score("mmt8_side", None, reason, version, parts=grades, missing=missing,
                      summary=summary))

    if errors:
        return both(invalid("MMT-8", errors))
    side_missing: dict[str, list[str]] = {}
    for suffix, _side in SIDES:
        side_missing[suffix] = [n for n in side_names(suffix) if n not in grades]
    chosen = next((s for s, _ in SIDES if not side_missing[s]), None)
    n_groups = len(PAIRED)
    all_names = (_NECK, *(n for s, _side in SIDES for n in side_names(s)))
    absent = tuple(n for n in all_names if n not in grades)
    if not grades:
        return both(_("MMT-8: not assessed (neck and {n} groups per side missing)").format(
            n=n_groups), _("MMT-8: not assessed"), absent)
    problems = []
    short = []
    if _NECK not in grades:
        problems.append(_("neck flexors not graded"))
        short.append(problems[-1])
    if chosen is None:
        parts = "; ".join(_("{side}: {n} of {total} groups missing").format(
            side=_(side), n=len(side_missing[s]), total=n_groups) for s, side in SIDES)
        problems.append(_("neither side complete ({parts})").format(parts=parts))
        short.append(_("neither side complete"))
    if problems:
        return both("MMT-8: " + "; ".join(problems), "MMT-8: " + "; ".join(short), absent)
    assert chosen is not None
    side = dict(SIDES)[chosen]
    chosen_names = side_names(chosen)
    side_sum = sum(grades[n] for n in chosen_names)
    total = grades[_NECK] + side_sum
    detail = (_("neck {grade} + {side} ").format(grade=grades[_NECK], side=_(side))
              + " + ".join(str(grades[n]) for n in chosen_names) + f" = {total}")
    if chosen != SIDES[0][0]:
        detail += _(" (right side incomplete: {n} of {total} groups missing)").format(
            n=len(side_missing[SIDES[0][0]]), total=n_groups)
    used = {n: grades[n] for n in (_NECK, *chosen_names)}
    return (Score("mmt8_total", total, "", version, detail, Fraction(total), parts=used),
            Score("mmt8_side", side, "", version, detail, parts=used))


def mmt8_side_total(values: Mapping[str, object], side: str) -> Score:
    """MMT-8 total of one given side: neck + the 7 groups of ``side`` (``"r"`` or ``"l"``).

    Between two visits the same side is compared at both (convention 3), so the response
    criteria need each side's total, not only the one :func:`mmt8_total` prefers.

    Returns:
        ``Score("mmt8_total")`` of that side; missing unless the neck and all 7 groups of the
        side are graded.
    """
    version = RULE_VERSIONS["mmt8_total"]
    grades, errors = _mmt_grades(values)
    side_word = dict(SIDES)[side]
    if errors:
        return Score("mmt8_total", None, invalid("MMT-8", errors), version)
    names = (_NECK, *side_names(side))
    missing = [n for n in names if n not in grades]
    if missing:
        return Score("mmt8_total", None, f"MMT-8 {side_word} side: {len(missing)} of "
                     f"{len(names)} groups missing", version, missing=tuple(missing))
    total = sum(grades[n] for n in names)
    return Score("mmt8_total", total, "", version,
                 f"neck {grades[_NECK]} + {side_word} "
                 + " + ".join(str(grades[n]) for n in names[1:]) + f" = {total}",
                 Fraction(total), parts={n: grades[n] for n in names})


def mmt8_bilateral(values: Mapping[str, object]) -> Score:
    """MMT-8 bilateral total = neck + 7 groups x 2 sides, 0-150; missing unless all 15 graded."""
    version = RULE_VERSIONS["mmt8_bilateral"]
    grades, errors = _mmt_grades(values)
    if errors:
        return Score("mmt8_bilateral", None, invalid("MMT-8 bilateral", errors), version,
                     parts=grades)
    names = [_NECK, *side_names("r"), *side_names("l")]
    missing = [n for n in names if n not in grades]
    if missing:
        summary = _("MMT-8 bilateral: {n} of {total} groups missing").format(
            n=len(missing), total=len(names))
        reason = summary + (f" ({missing_names(missing)})" if grades else _(" (not assessed)"))
        return Score("mmt8_bilateral", None, reason, version, parts=grades,
                     missing=tuple(missing), summary=summary)
    total = sum(grades.values())
    right = sum(grades[n] for n in side_names("r"))
    left = sum(grades[n] for n in side_names("l"))
    detail = _("neck {neck} + right {right} + left {left} = {total}").format(
        neck=grades[_NECK], right=right, left=left, total=total)
    return Score("mmt8_bilateral", total, "", version, detail, Fraction(total), parts=grades)


def _score(values: Mapping[str, object], _scores: Mapping[str, Score]) -> dict[str, Score]:
    total, side = mmt8_total(values)
    return {"mmt8_total": total, "mmt8_side": side}


def _score_bilateral(values: Mapping[str, object],
                     _scores: Mapping[str, Score]) -> dict[str, Score]:
    return {"mmt8_bilateral": mmt8_bilateral(values)}


INSTRUMENT = Instrument(
    form=FORM,
    fields=_fields(),
    derived=(Derived((TOTAL, SIDE), VERSION, "MMT-8", _score),
             Derived((BILATERAL,), VERSION_BILATERAL, "MMT-8 bilateral", _score_bilateral)),
    muscle_measures=(
        MuscleMeasure("mmt8", "mmt8_total", "MMT-8 (0-80)", cid_minimum=CID_MINIMUM),
        MuscleMeasure("mmt8_bilateral", "mmt8_bilateral", "MMT-8 (0-150)")),
    domains=(DomainPart(Domain.MUSCLE_STRENGTH, totals=("mmt8_total",),
                        missing_reason_counts=True),),
    report=(ReportRow(ReportGroup.MUSCLE, "mmt8_total"),
            ReportRow(ReportGroup.MUSCLE, "mmt8_bilateral")),
)
