"""CMAS, the Childhood Myositis Assessment Scale (instruments.md section 1): 14 items, 0-52.

Fields, the timed items' seconds, the total and its rule (all 14 items needed, convention 2),
the seconds-vs-score cross-check, and the CMAS's roles: TIS/PRINTO muscle measure (the TIS
fallback, PRINTO's first choice), PRINTO inactive disease (CMAS >= 48), the sign-off muscle
strength domain and the report's muscle table.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction

from forms.fields import Choice, Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments.base import (
    CrossCheck,
    Derived,
    Domain,
    DomainPart,
    Instrument,
    MuscleMeasure,
    ReportGroup,
    ReportRow,
    levels,
)
from forms.records import frozen
from forms.score_base import (
    RULE_VERSIONS,
    InvalidValue,
    Score,
    field_range,
    fmt,
    invalid,
    missing_names,
    read_item,
    read_number,
    registry_field,
    to_fraction,
)

FORM = Form("cmas", "CMAS", Level.VISIT, "Childhood Myositis Assessment Scale, 14 items, 0-52")


@frozen
class TimedBands:
    """A timed item's seconds field and its band lower bounds in seconds: the score is the
    number of bounds reached (0 s -> 0; 1-9 -> 1; 10-29 -> 2; 30-59 -> 3; 60-119 -> 4;
    >= 120 -> 5), capped at the item maximum (item 8 caps at 4). instruments.md section 1."""

    seconds_field: str
    bounds: tuple[int, ...]


@frozen
class Item:
    """One CMAS item: its field name, label, described levels and, for timed items, bands."""

    name: str
    label: str
    levels: tuple[Choice, ...]
    timed: TimedBands | None = None


_TIME5 = levels("Unable", "1-9 seconds", "10-29 seconds", "30-59 seconds", "60-119 seconds",
                "2 minutes or more")
_TIME4 = levels("Unable", "1-9 seconds", "10-29 seconds", "30-59 seconds", "60 seconds or more")
_BANDS5 = (1, 10, 30, 60, 120)

#: the 14 items, in the order of the scoring sheet.
ITEMS: tuple[Item, ...] = (
    Item("cmas_head_elevation", "1. Head elevation (neck flexion, supine), timed", _TIME5,
         TimedBands("cmas_head_elevation_sec", _BANDS5)),
    Item("cmas_leg_raise", "2. Leg raise / touch object (supine)", levels(
        "Cannot lift leg off the table",
        "Clears the table but cannot touch the examiner's hand",
        "Lifts the leg high enough to touch the object")),
    Item("cmas_straight_leg_lift", "3. Straight leg lift, duration", _TIME5,
         TimedBands("cmas_straight_leg_lift_sec", _BANDS5)),
    Item("cmas_supine_to_prone", "4. Supine to prone", levels(
        "Can barely turn to the side; cannot free the arm",
        "Turns to the side but cannot fully free the arm or reach prone",
        "Turns easily, frees the arm with some difficulty, reaches prone",
        "Turns over and frees the arm easily")),
    Item("cmas_situps", "5. Sit-ups (count of the 6 variants completed)", levels(
        "None of the 6 sit-up variants", "1 variant", "2 variants", "3 variants",
        "4 variants", "5 variants",
        "All 6: hands on thighs / across chest / behind head, each with and without feet held")),
    Item("cmas_supine_to_sit", "6. Supine to sit", levels(
        "Unable by self", "Much difficulty: very slow, barely able", "Some difficulty",
        "No difficulty")),
    Item("cmas_arm_raise_straighten", "7. Arm raise / straighten", levels(
        "Cannot raise the wrists to shoulder (AC joint) level",
        "Raises the wrists to AC level but not above the head",
        "Wrists above the head but elbows not fully straight",
        "Arms straight overhead, elbows fully extended")),
    Item("cmas_arm_raise_duration", "8. Arm raise, duration (wrists above head)", _TIME4,
         TimedBands("cmas_arm_raise_duration_sec", (1, 10, 30, 60))),
    Item("cmas_floor_sit", "9. Floor sit (standing to sitting on the floor)", levels(
        "Unable, or afraid even with a chair for support",
        "Needs a chair to hold during the descent",
        "No chair, but some difficulty (e.g. slow, Gowers-type manoeuvre)",
        "No difficulty")),
    Item("cmas_all_fours", "10. All-fours manoeuvre", levels(
        "Cannot get from prone to all-fours",
        "Barely holds all-fours; cannot lift the head to look ahead",
        "Holds all-fours with head up and back straight but cannot crawl",
        "Can crawl forward",
        "Can also lift and extend one leg, keeping balance")),
    Item("cmas_floor_rise", "11. Floor rise (kneeling to standing)", levels(
        "Unable, even with a chair", "Needs a chair for support",
        "No chair, but needs hands on thighs, knees or floor",
        "No hands, but some difficulty", "No difficulty")),
    Item("cmas_chair_rise", "12. Chair rise", levels(
        "Unable, even with hands on the seat", "Needs hands on the sides of the seat",
        "Needs hands on knees or thighs", "No hands, but some difficulty", "No difficulty")),
    Item("cmas_stool_step", "13. Stool step", levels(
        "Unable", "Needs a hand on the exam table or examiner",
        "No table support, but a hand on knee or thigh", "No support")),
    Item("cmas_pick_up", "14. Pick-up (object off the floor)", levels(
        "Unable", "Relies heavily on hands on knees or thighs",
        "Brief or minimal hand support, somewhat slow", "No difficulty or compensation")),
)
ITEM_NAMES: tuple[str, ...] = tuple(i.name for i in ITEMS)
TIMED: dict[str, TimedBands] = {i.name: i.timed for i in ITEMS if i.timed is not None}


def _fields() -> tuple[Field, ...]:
    out: list[Field] = []
    for item in ITEMS:
        out.append(Field(item.name, item.label, "cmas", FieldType.INTEGER, minimum=D(0),
                         maximum=D(len(item.levels) - 1), levels=item.levels,
                         help="; ".join(f"{c.code} = {c.label_en}" for c in item.levels)))
        if item.timed is not None:
            out.append(Field(
                item.timed.seconds_field, item.label.split(",")[0] + ": seconds held", "cmas",
                FieldType.INTEGER, minimum=D(0), maximum=D(3600), warn_above=D(600), unit="s",
                help="Whole seconds. When given, the item score is derived from it: "
                     + "; ".join(f">= {b} s" for b in item.timed.bounds)
                     + " raise the score by one."))
    return tuple(out)


TOTAL = Field("cmas_total", "CMAS total", "cmas", FieldType.INTEGER, minimum=D(0),
              maximum=D(52), derived=True, short="CMAS",
              derivation="Sum of the 14 CMAS items; missing unless all 14 are scored.")
VERSION = "cmas_total@1 (sum of 14 items, all required)"

#: PRINTO clinically inactive disease: CMAS >= 48 of 52 (instruments.md section 8).
CID_MINIMUM = Decimal(48)


# --------------------------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------------------------
def cmas_item_from_seconds(item_name: str, seconds: int | Decimal | float | Fraction) -> int:
    """The CMAS score of a timed item from the seconds held.

    The score is the number of band lower bounds of :data:`TIMED` reached
    (0 s -> 0; 1-9 -> 1; 10-29 -> 2; 30-59 -> 3; 60-119 -> 4; >= 120 -> 5), capped at the
    item's registry maximum (item 8, arm raise duration, caps at 4). Fractional seconds round
    down ("1-9 s" means under 10 s; instruments.md section 1 implementation note).

    Args:
        item_name: ``cmas_head_elevation``, ``cmas_straight_leg_lift`` or
            ``cmas_arm_raise_duration``.
        seconds: seconds held; 0 means unable.

    Returns:
        The item score.

    Raises:
        ValueError: not a timed item, or seconds negative or not a finite number.
    """
    if item_name not in TIMED:
        raise ValueError(f"{item_name} is not a timed CMAS item "
                         f"(timed: {', '.join(TIMED)})")
    # an int compares with the int bounds as its Fraction would
    exact = seconds if type(seconds) is int else to_fraction(seconds)
    if exact < 0:
        raise ValueError(f"seconds must not be negative, got {fmt(seconds)}")
    bounds = TIMED[item_name].bounds
    reached = sum(1 for bound in bounds if exact >= bound)
    _, item_max = field_range(registry_field(item_name))
    return min(reached, int(item_max))


def _cmas_items(values: Mapping[str, object]) -> tuple[dict[str, int], list[str], list[str],
                                                          list[str]]:
    """Item scores (seconds used when only seconds were given), missing names, errors, notes."""
    scores: dict[str, int] = {}
    missing: list[str] = []
    errors: list[str] = []
    notes: list[str] = []
    for name in ITEM_NAMES:
        n_errors = len(errors)
        score = read_item(values, name, errors)
        is_invalid = len(errors) > n_errors
        if score is None and not is_invalid and name in TIMED:
            # Data contract: seconds given without the item score derive the score.
            sec_name = TIMED[name].seconds_field
            try:
                seconds = read_number(values, sec_name)
            except InvalidValue as exc:
                errors.append(str(exc))
                is_invalid = True
                seconds = None
            if seconds is not None:
                score = cmas_item_from_seconds(name, seconds)
                notes.append(f"{name} = {score} from {fmt(seconds)} s")
        if score is not None:
            scores[name] = score
        elif not is_invalid:
            missing.append(name)
    return scores, missing, errors, notes


def cmas_total(values: Mapping[str, object]) -> Score:
    """CMAS total = sum of the 14 item scores, 0-52; missing unless all 14 are scored.

    Args:
        values: a visit's values (``Visit.values``). A timed item given only as seconds is
            scored from them with :func:`cmas_item_from_seconds`.

    Returns:
        ``Score("cmas_total", ...)``.
    """
    version = RULE_VERSIONS["cmas_total"]
    scores, missing, errors, notes = _cmas_items(values)
    n_items = len(ITEMS)
    if errors:
        return Score("cmas_total", None, invalid("CMAS", errors), version, parts=scores)
    if missing:
        summary = _("CMAS: {n} of {total} items missing").format(n=len(missing), total=n_items)
        if len(missing) < n_items:
            reason = summary + f" ({missing_names(missing)})"
        else:
            reason = summary + _(" (not assessed)")
        return Score("cmas_total", None, reason, version, parts=scores,
                     missing=tuple(missing), summary=summary)
    total = sum(scores.values())
    detail = " + ".join(str(scores[n]) for n in ITEM_NAMES) + f" = {total}"
    if notes:
        detail += " (" + "; ".join(notes) + ")"
    return Score("cmas_total", total, "", version, detail, Fraction(total), parts=scores)


def _score(values: Mapping[str, object], _scores: Mapping[str, Score]) -> dict[str, Score]:
    return {"cmas_total": cmas_total(values)}


INSTRUMENT = Instrument(
    form=FORM,
    fields=_fields(),
    derived=(Derived((TOTAL,), VERSION, "CMAS", _score),),
    cross_checks=(CrossCheck(
        "cmas_seconds", "Timed items: the score is derived from the seconds when only seconds "
        "are given, and must agree with them when both are."),),
    muscle_measures=(MuscleMeasure("cmas", "cmas_total", "CMAS (0-52)", fallback=True,
                                   cid_minimum=CID_MINIMUM),),
    domains=(DomainPart(Domain.MUSCLE_STRENGTH, totals=("cmas_total",),
                        missing_reason_counts=True),),
    report=(ReportRow(ReportGroup.MUSCLE, "cmas_total"),),
)
