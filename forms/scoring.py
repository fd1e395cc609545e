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

import dataclasses
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from forms import registry
from forms.fields import Field, FieldType
from forms.i18n import _

__all__ = [
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

_TIS = ("tis@2 (ACR/EULAR 2016, range-scaled %, enzyme relative %, inclusive upper bands; "
        "enzyme among those at both visits, parent activity global when at both, MMT-8 same "
        "side at both)")
_PRINTO = ("printo_response@2 (PRINTO 2010 20/50/70, relative %, worsening > 30 %, baseline-0 "
           "convention, best/worst case for missing, MMT-8 same side at both)")

#: readable names of the rule tags (``tis@2`` -> "Total Improvement Score"), for report footers.
RULE_NAMES: dict[str, str] = {
    "cmas_total": "CMAS", "mmt8_total": "MMT-8", "mmt8_bilateral": "MMT-8 bilateral",
    "chaq_di": "CHAQ", "cdasi": "CDASI", "das_total": "DAS", "steroid_mg_kg_day": "steroid dose",
    "printo_cid": "PRINTO inactive disease", "baseline": "baseline choice",
    "tis": "ACR/EULAR TIS", "acr_eular_response": "ACR/EULAR category",
    "acr_eular_bounds": "ACR/EULAR bounds", "printo_response": "PRINTO response",
}


def rule_summary() -> str:
    """The rule versions as one readable line: ``CMAS v1, MMT-8 v1, ..., ACR/EULAR TIS v2``."""
    tags: dict[str, str] = {}
    for version in RULE_VERSIONS.values():
        tag = version.split(" ", 1)[0]
        name, _sep, number = tag.partition("@")
        tags.setdefault(name, number)
    return ", ".join(f"{_(RULE_NAMES.get(name, name))} v{number}"
                     for name, number in tags.items())


#: The version of every rule that produces a derived value (project convention 9). Bump the
#: number when a rule changes so stored values can be traced to the rule that made them.
RULE_VERSIONS: dict[str, str] = {
    # per-visit scores (this module)
    "cmas_total": "cmas_total@1 (sum of 14 items, all required)",
    "mmt8_total": "mmt8_total@1 (neck + right 7, else neck + left 7)",
    "mmt8_side": "mmt8_total@1 (neck + right 7, else neck + left 7)",
    "mmt8_bilateral": "mmt8_bilateral@1 (neck + 14 paired, all required)",
    "chaq_di": "chaq_di@1 (mean of >= 6 scored domains, aids/help min 2, 3 dp half-up)",
    "cdasi_activity": "cdasi@1 (v2; unentered fields 0 once any entered)",
    "cdasi_damage": "cdasi@1 (v2; unentered fields 0 once any entered)",
    "das_total": "das_total@1 (skin + muscle, both required)",
    "steroid_mg_kg_day": "steroid_mg_kg_day@1 (mg/day / kg, 3 dp half-up)",
    "printo_cid": "printo_cid@1 (Lazarevic 2013, 3 of 4; missing -> best/worst case)",
    # response criteria between two visits (forms.response)
    "baseline_label": "baseline@1 (flagged baseline visit, else the earliest)",
    "tis": _TIS,
    "tis_measures": _TIS,
    "tis_muscle_measure": _TIS,
    "tis_enzyme": _TIS,
    "tis_parent_measure": _TIS,
    "acr_eular_response": "acr_eular_response@2 (TIS category; missing rows -> indeterminate "
                          "when a higher category stays reachable)",
    "acr_eular_response_min": "acr_eular_bounds@1 (category of the available rows; with the "
                              "missing rows' maxima)",
    "acr_eular_response_max": "acr_eular_bounds@1 (category of the available rows; with the "
                              "missing rows' maxima)",
    "printo_response": _PRINTO,
    "printo_response_worst": _PRINTO,
    "printo_response_best": _PRINTO,
}

# PRINTO clinically inactive disease cut-offs (instruments.md section 8, Lazarevic 2013; all
# inclusive as written). These are clinical criteria, not field ranges.
CID_CK_MAX = Decimal(150)  # CK <= 150 U/L (absolute, not ULN-relative)
CID_CMAS_MIN = Decimal(48)  # CMAS >= 48 of 52
CID_MMT8_MIN = Decimal(78)  # MMT-8 (unilateral, 0-80) >= 78
CID_PHYS_GLOBAL_MAX = Decimal("0.2")  # physician global VAS <= 0.2 cm
CID_NEEDED = 3  # at least 3 of the 4 criteria (no single criterion mandatory)

# CHAQ (instruments.md section 4): aids/devices or help raise a domain to at least 2; the DI
# needs at least 6 of the 8 domains scored (Stanford HAQ convention, project convention 4).
CHAQ_AID_MINIMUM = 2
CHAQ_MIN_DOMAINS = 6

_NA = "na"
_PAPULES = "cdasi_gottron_hand_papules"
_HAND_ERYTHEMA = "cdasi_gottron_hand_ery"
_NECK = registry.MMT_AXIAL[0]


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Score:
    """One derived value of a visit.

    Attributes:
        field: the registry name of the derived field (``cmas_total``, ...).
        value: the stored value (int, Decimal or str code), or ``None`` when missing.
        missing_reason: why ``value`` is None, in words ("CMAS: 2 of 14 items missing");
            empty when the value is present.
        rule_version: the :data:`RULE_VERSIONS` entry the value was computed with.
        detail: a human-readable account of the computation ("neck 8 + right 57 = 65").
        exact: the exact value before rounding (CHAQ DI, steroid mg/kg/day), else None.
        parts: structured components (item scores, domain scores) for exports and the GUI.
    """

    field: str
    value: int | Decimal | str | None
    missing_reason: str = ""
    rule_version: str = ""
    detail: str = ""
    exact: Fraction | None = None
    parts: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)

    @property
    def is_missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class CidResult:
    """PRINTO clinically inactive disease at one visit.

    Attributes:
        status: ``yes``, ``no`` or ``indeterminate`` (project convention 7).
        criteria: the 4 criteria with their values.
        explanation: one paragraph for the GUI and the PDF.
        rule_version: :data:`RULE_VERSIONS` ``["printo_cid"]``.
        met: how many criteria are met; unknown: how many cannot be evaluated.
    """

    status: str
    criteria: tuple[CidCriterion, ...]
    explanation: str
    rule_version: str
    met: int = 0
    unknown: int = 0


class InvalidValue(ValueError):
    """A value in a visit's values map is of the wrong type or out of its registry range."""


# --------------------------------------------------------------------------------------------
# Reading values exactly
# --------------------------------------------------------------------------------------------
def to_fraction(value: object) -> Fraction:
    """The exact rational value of an int, Decimal or (defensively) float.

    Floats go through ``str`` so that ``2.2`` means 22/10, not its binary approximation
    (instruments.md section 0, convention 1).

    Raises:
        InvalidValue: booleans, strings, NaN and infinities are not numbers.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidValue(f"{value!r} is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue(f"{value} is not a finite number")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValue(f"{value} is not a finite number")
        return Fraction(Decimal(str(value)))
    if isinstance(value, Fraction):
        return value
    raise InvalidValue(f"{value!r} is not a number")


def quantize(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, as an exact Decimal."""
    value = Fraction(value)
    num, den = abs(value.numerator), value.denominator
    # floor(|value| x 10^places + 1/2) in integers: (2 num 10^p + den) // (2 den)
    rounded = (2 * num * 10**places + den) // (2 * den)
    sign = -1 if value < 0 else 1
    return Decimal(sign * rounded).scaleb(-places)


def _decimal_text(value: Fraction) -> str:
    """A short exact-ish text of a fraction for explanations (at most 3 decimals shown)."""
    if value.denominator == 1:
        return str(value.numerator)
    dec = quantize(value, 3).normalize()
    text = format(dec, "f")
    exact = Fraction(dec) == value
    return text if exact else f"{text}..."


def _fmt(value: object) -> str:
    if isinstance(value, Fraction):
        return _decimal_text(value)
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(
            value, "f")
    return str(value)


def read_number(values: Mapping[str, object], name: str) -> Fraction | None:
    """The exact value of numeric field ``name`` in ``values``, None when absent/not assessed.

    Checks the type (INTEGER fields need a whole number) and the registry range.

    Raises:
        InvalidValue: a wrong type or a value outside the field's range; the message is in
            the data-contract wording (``"cmas_leg_raise = 3 is out of range 0-2"``).
    """
    raw = values.get(name)
    if raw is None:
        return None
    fld, low, high = _numeric_field(name)
    if type(raw) is int:  # fast path for item scores and grades (exact already)
        if (low is not None and raw < low) or (high is not None and raw > high):
            raise InvalidValue(f"{name} = {raw} is out of range {fld.allowed_text()}")
        return Fraction(raw)
    try:
        number = to_fraction(raw)
    except InvalidValue as exc:
        raise InvalidValue(f"{name} = {raw!r} is not a number (allowed {fld.allowed_text()})"
                           ) from exc
    if fld.type is FieldType.INTEGER and number.denominator != 1:
        raise InvalidValue(f"{name} = {_fmt(raw)} is not a whole number "
                           f"(allowed {fld.allowed_text()})")
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidValue(f"{name} = {_fmt(raw)} is out of range {fld.allowed_text()}")
    return number


@functools.cache
def _numeric_field(name: str) -> tuple[Field, Fraction | int | None, Fraction | int | None]:
    """The registry field ``name`` with its range as exact fractions (the registry is fixed
    at import time, so this look-up is cached; it is on every scoring path)."""
    fld = registry.get(name)

    def exact(bound: Decimal | None) -> Fraction | int | None:
        if bound is None:
            return None
        value = Fraction(bound)
        return value.numerator if value.denominator == 1 else value  # ints compare fastest

    return fld, exact(fld.minimum), exact(fld.maximum)


def _read_bool(values: Mapping[str, object], name: str) -> bool | None:
    raw = values.get(name)
    if raw is None:
        return None
    if not isinstance(raw, bool):
        raise InvalidValue(f"{name} = {raw!r} is not true/false")
    return raw


def _read_item(values: Mapping[str, object], name: str, errors: list[str]) -> int | None:
    """An integer item, None when absent; an invalid value is recorded in ``errors``."""
    raw = values.get(name)
    if type(raw) is int:  # fast path: a whole number in range is the item score itself
        _, low, high = _numeric_field(name)
        if (low is None or raw >= low) and (high is None or raw <= high):
            return raw
    try:
        number = read_number(values, name)
    except InvalidValue as exc:
        errors.append(str(exc))
        return None
    return None if number is None else int(number)


def _field_range(fld: Field) -> tuple[Fraction, Fraction]:
    assert fld.minimum is not None and fld.maximum is not None, fld.name
    return Fraction(fld.minimum), Fraction(fld.maximum)


def _invalid(prefix: str, errors: list[str]) -> str:
    template = _("{what}: invalid values: {errors}") if len(errors) > 1 else _(
        "{what}: invalid value: {errors}")
    return template.format(what=prefix, errors="; ".join(errors))


def _missing_names(names: list[str]) -> str:
    return ", ".join(names)


# --------------------------------------------------------------------------------------------
# CMAS (instruments.md section 1)
# --------------------------------------------------------------------------------------------
def cmas_item_from_seconds(item_name: str, seconds: int | Decimal | float | Fraction) -> int:
    """The CMAS score of a timed item from the seconds held.

    The score is the number of band lower bounds of :data:`forms.registry.CMAS_TIMED` reached
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
    if item_name not in registry.CMAS_TIMED:
        raise ValueError(f"{item_name} is not a timed CMAS item "
                         f"(timed: {', '.join(registry.CMAS_TIMED)})")
    exact = to_fraction(seconds)
    if exact < 0:
        raise ValueError(f"seconds must not be negative, got {_fmt(seconds)}")
    _, bounds = registry.CMAS_TIMED[item_name]
    reached = sum(1 for bound in bounds if exact >= bound)
    _, item_max = _field_range(registry.get(item_name))
    return min(reached, int(item_max))


def _cmas_items(values: Mapping[str, object]) -> tuple[dict[str, int], list[str], list[str],
                                                          list[str]]:
    """Item scores (seconds used when only seconds were given), missing names, errors, notes."""
    scores: dict[str, int] = {}
    missing: list[str] = []
    errors: list[str] = []
    notes: list[str] = []
    for name in registry.cmas_item_names():
        n_errors = len(errors)
        score = _read_item(values, name, errors)
        invalid = len(errors) > n_errors
        if score is None and not invalid and name in registry.CMAS_TIMED:
            # Data contract: seconds given without the item score derive the score.
            sec_name, _ = registry.CMAS_TIMED[name]
            try:
                seconds = read_number(values, sec_name)
            except InvalidValue as exc:
                errors.append(str(exc))
                invalid = True
                seconds = None
            if seconds is not None:
                score = cmas_item_from_seconds(name, seconds)
                notes.append(f"{name} = {score} from {_fmt(seconds)} s")
        if score is not None:
            scores[name] = score
        elif not invalid:
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
    n_items = len(registry.CMAS_ITEMS)
    if errors:
        return Score("cmas_total", None, _invalid("CMAS", errors), version, parts=scores)
    if missing:
        reason = _("CMAS: {n} of {total} items missing").format(n=len(missing), total=n_items)
        if len(missing) < n_items:
            reason += f" ({_missing_names(missing)})"
        else:
            reason += _(" (not assessed)")
        return Score("cmas_total", None, reason, version, parts=scores)
    total = sum(scores.values())
    detail = " + ".join(str(scores[n]) for n in registry.cmas_item_names()) + f" = {total}"
    if notes:
        detail += " (" + "; ".join(notes) + ")"
    return Score("cmas_total", total, "", version, detail, Fraction(total), parts=scores)


# --------------------------------------------------------------------------------------------
# MMT-8 (instruments.md section 2)
# --------------------------------------------------------------------------------------------
def _mmt_grades(values: Mapping[str, object]) -> tuple[dict[str, int], list[str]]:
    grades: dict[str, int] = {}
    errors: list[str] = []
    names = [_NECK, *registry.mmt8_side_names("r"), *registry.mmt8_side_names("l")]
    for name in names:
        grade = _read_item(values, name, errors)
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

    def both(reason: str) -> tuple[Score, Score]:
        return (Score("mmt8_total", None, reason, version, parts=grades),
                Score("mmt8_side", None, reason, version, parts=grades))

    if errors:
        return both(_invalid("MMT-8", errors))
    side_missing: dict[str, list[str]] = {}
    for suffix, _side in registry.SIDES:
        side_missing[suffix] = [n for n in registry.mmt8_side_names(suffix) if n not in grades]
    chosen = next((s for s, _ in registry.SIDES if not side_missing[s]), None)
    n_groups = len(registry.MMT_PAIRED)
    if not grades:
        return both(_("MMT-8: not assessed (neck and {n} groups per side missing)").format(
            n=n_groups))
    problems = []
    if _NECK not in grades:
        problems.append(_("neck flexors not graded"))
    if chosen is None:
        parts = "; ".join(_("{side}: {n} of {total} groups missing").format(
            side=_(side), n=len(side_missing[s]), total=n_groups) for s, side in registry.SIDES)
        problems.append(_("neither side complete ({parts})").format(parts=parts))
    if problems:
        return both("MMT-8: " + "; ".join(problems))
    assert chosen is not None
    side = dict(registry.SIDES)[chosen]
    side_names = registry.mmt8_side_names(chosen)
    side_sum = sum(grades[n] for n in side_names)
    total = grades[_NECK] + side_sum
    detail = (_("neck {grade} + {side} ").format(grade=grades[_NECK], side=_(side))
              + " + ".join(str(grades[n]) for n in side_names) + f" = {total}")
    if chosen != registry.SIDES[0][0]:
        detail += _(" (right side incomplete: {n} of {total} groups missing)").format(
            n=len(side_missing[registry.SIDES[0][0]]), total=n_groups)
    used = {n: grades[n] for n in (_NECK, *side_names)}
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
    side_word = dict(registry.SIDES)[side]
    if errors:
        return Score("mmt8_total", None, _invalid("MMT-8", errors), version)
    names = (_NECK, *registry.mmt8_side_names(side))
    missing = [n for n in names if n not in grades]
    if missing:
        return Score("mmt8_total", None, f"MMT-8 {side_word} side: {len(missing)} of "
                     f"{len(names)} groups missing", version)
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
        return Score("mmt8_bilateral", None, _invalid("MMT-8 bilateral", errors), version,
                     parts=grades)
    names = [_NECK, *registry.mmt8_side_names("r"), *registry.mmt8_side_names("l")]
    missing = [n for n in names if n not in grades]
    if missing:
        reason = _("MMT-8 bilateral: {n} of {total} groups missing").format(
            n=len(missing), total=len(names))
        reason += f" ({_missing_names(missing)})" if grades else _(" (not assessed)")
        return Score("mmt8_bilateral", None, reason, version, parts=grades)
    total = sum(grades.values())
    right = sum(grades[n] for n in registry.mmt8_side_names("r"))
    left = sum(grades[n] for n in registry.mmt8_side_names("l"))
    detail = _("neck {neck} + right {right} + left {left} = {total}").format(
        neck=grades[_NECK], right=right, left=left, total=total)
    return Score("mmt8_bilateral", total, "", version, detail, Fraction(total), parts=grades)


# --------------------------------------------------------------------------------------------
# CHAQ (instruments.md section 4)
# --------------------------------------------------------------------------------------------
def chaq_domain_scores(values: Mapping[str, object]) -> tuple[dict[str, int | None],
                                                              list[str]]:
    """Each CHAQ domain's score, None when the domain has no scored item.

    Domain = highest item score, "na" items ignored; an aid/device or help from another person
    raises a scored domain to at least 2 (a 3 stays 3). A domain whose items are all absent or
    "na" is not scored even when an aid is ticked (nothing was rated).

    Returns:
        (domain -> score or None, list of invalid-value messages).
    """
    domains, errors, _ = _chaq_domains(values)
    return domains, errors


def _chaq_domains(values: Mapping[str, object]) -> tuple[dict[str, int | None], list[str],
                                                         list[str]]:
    """Domain scores, invalid-value messages, and the domains raised by aids/help."""
    domains: dict[str, int | None] = {}
    errors: list[str] = []
    raised_domains: list[str] = []
    for domain in registry.CHAQ_DOMAINS:
        item_scores: list[int] = []
        for name in registry.chaq_domain_items(domain):
            raw = values.get(name)
            if isinstance(raw, str) and raw.strip().lower() == _NA:
                continue  # not applicable = missing, never 0
            score = _read_item(values, name, errors)
            if score is not None:
                item_scores.append(score)
        raised = False
        for flag in (f"chaq_aid_{domain}", f"chaq_help_{domain}"):
            try:
                raised = bool(_read_bool(values, flag)) or raised
            except InvalidValue as exc:
                errors.append(str(exc))
        if not item_scores:
            domains[domain] = None
            continue
        score = max(item_scores)
        if raised and score < CHAQ_AID_MINIMUM:
            score = CHAQ_AID_MINIMUM  # aids/devices or help: at least 2 (a 3 stays 3)
            raised_domains.append(domain)
        domains[domain] = score
    return domains, errors, raised_domains


def chaq_di(values: Mapping[str, object]) -> Score:
    """CHAQ disability index: mean of the scored domains, when at least 6 of 8 are scored.

    The stored value is rounded half-up to the registry's decimals (3); :attr:`Score.exact`
    keeps the exact mean, which the response criteria use.
    """
    version = RULE_VERSIONS["chaq_di"]
    domains, errors, raised = _chaq_domains(values)
    if errors:
        return Score("chaq_di", None, _invalid("CHAQ", errors), version, parts=domains)
    scored = {d: s for d, s in domains.items() if s is not None}
    n_domains = len(registry.CHAQ_DOMAINS)
    if len(scored) < CHAQ_MIN_DOMAINS:
        unscored = [d for d, s in domains.items() if s is None]
        reason = _("CHAQ: only {n} of {total} domains scored ({needed} needed)").format(
            n=len(scored), total=n_domains, needed=CHAQ_MIN_DOMAINS)
        if scored:
            reason += _("; not scored: {domains}").format(domains=", ".join(
                _(registry.CHAQ_DOMAINS[d][0]) for d in unscored))
        return Score("chaq_di", None, reason, version, parts=domains)
    exact = Fraction(sum(scored.values()), len(scored))
    places = registry.get("chaq_di").decimals
    value = quantize(exact, places)
    detail = (" + ".join(f"{_(registry.CHAQ_DOMAINS[d][0])} {s}" for d, s in scored.items())
              + _(" = {sum} / {n} domains = {mean}").format(
                  sum=sum(scored.values()), n=len(scored), mean=_fmt(exact)))
    if raised:
        detail += _(" (raised to {minimum} by aids or help: {domains})").format(
            minimum=CHAQ_AID_MINIMUM,
            domains=", ".join(_(registry.CHAQ_DOMAINS[d][0]) for d in raised))
    return Score("chaq_di", value, "", version, detail, exact, parts=domains)


# --------------------------------------------------------------------------------------------
# CDASI v2 (instruments.md section 3a)
# --------------------------------------------------------------------------------------------
def cdasi_scores(values: Mapping[str, object]) -> tuple[Score, Score]:
    """CDASI activity (0-100) and damage (0-32).

    Convention 2: CDASI is scored by marking abnormal areas, so once any ``cdasi_`` field is
    entered at the visit its other ``cdasi_`` fields count 0; with none entered both are
    missing. Gottron's papules on the hands double the hands' erythema score.

    Returns:
        ``(Score("cdasi_activity"), Score("cdasi_damage"))``.
    """
    version = RULE_VERSIONS["cdasi_activity"]
    names = registry.cdasi_entered_names()
    entered = [n for n in names if values.get(n) is not None]
    if not entered:
        reason = "CDASI: not assessed (no CDASI field entered)"
        return (Score("cdasi_activity", None, reason, version),
                Score("cdasi_damage", None, reason, version))
    errors: list[str] = []
    try:
        papules = bool(_read_bool(values, _PAPULES))
    except InvalidValue as exc:
        errors.append(str(exc))
        papules = False
    sums = {"activity": 0, "damage": 0}
    parts: dict[str, int] = {}
    for name in names:
        fld = registry.get(name)
        if fld.type is FieldType.BOOLEAN:
            continue  # the papules flag only doubles the hands' erythema
        score = _read_item(values, name, errors)
        if score is None:
            continue  # unentered = 0 once the form is in use (convention 2)
        if name == _HAND_ERYTHEMA and papules:
            score *= 2  # CDASI v2: hands' erythema doubled when papules are present
        parts[name] = score
        sums[fld.extra["cdasi_kind"]] += score
    if errors:
        reason = _invalid("CDASI", errors)
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


# --------------------------------------------------------------------------------------------
# DAS and steroid dose
# --------------------------------------------------------------------------------------------
def _labels(names: list[str]) -> str:
    """Field names in the words people read ("DAS skin subscale and DAS muscle subscale")."""
    return _(" and ").join(registry.get(n).label for n in names)


def das_total(values: Mapping[str, object]) -> Score:
    """DAS total = skin subscale + muscle subscale (0-20); missing unless both are entered."""
    version = RULE_VERSIONS["das_total"]
    errors: list[str] = []
    skin = _read_item(values, "das_skin", errors)
    muscle = _read_item(values, "das_muscle", errors)
    if errors:
        return Score("das_total", None, _invalid("DAS", errors), version)
    missing = [n for n, v in (("das_skin", skin), ("das_muscle", muscle)) if v is None]
    if missing:
        return Score("das_total", None, _("DAS: {names} missing").format(
            names=_labels(missing)), version)
    assert skin is not None and muscle is not None
    total = skin + muscle
    return Score("das_total", total, "", version, _(
        "skin {skin} + muscle {muscle} = {total}").format(skin=skin, muscle=muscle, total=total),
                 Fraction(total))


def steroid_mg_kg_day(values: Mapping[str, object]) -> Score:
    """Oral steroid mg/kg/day = ``steroid_mg_day`` / ``weight_kg`` of the same visit (conv. 8).

    Rounded half-up to the registry's decimals (3); the exact quotient is kept in ``exact``.
    """
    version = RULE_VERSIONS["steroid_mg_kg_day"]
    try:
        dose = read_number(values, "steroid_mg_day")
        weight = read_number(values, "weight_kg")
    except InvalidValue as exc:
        return Score("steroid_mg_kg_day", None, _invalid(_("Steroid mg/kg/day"), [str(exc)]),
                     version)
    missing = [n for n, v in (("steroid_mg_day", dose), ("weight_kg", weight)) if v is None]
    if missing:
        return Score("steroid_mg_kg_day", None,
                     _("Steroid mg/kg/day: {names} missing").format(
                         names=_labels(missing)), version)
    assert dose is not None and weight is not None
    if weight == 0:  # the registry forbids it; guard anyway rather than divide by zero
        return Score("steroid_mg_kg_day", None, _("Steroid mg/kg/day: weight is 0"), version)
    exact = dose / weight
    value = quantize(exact, registry.get("steroid_mg_kg_day").decimals)
    return Score("steroid_mg_kg_day", value, "", version,
                 f"{_fmt(dose)} {_('mg/day')} / {_fmt(weight)} kg = {_fmt(exact)}", exact)


# --------------------------------------------------------------------------------------------
# PRINTO clinically inactive disease (instruments.md section 8)
# --------------------------------------------------------------------------------------------
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
            lines.append(f"{c.label}: {_fmt(c.value)} -> "
                         + (_("met") if c.met else _("not met")))
    verdict = {"yes": _("clinically inactive disease"),
               "no": _("not clinically inactive disease"),
               "indeterminate": _("indeterminate (the unknown criteria decide)")}[status]
    explanation = (_("PRINTO CID: {met} of 4 criteria met, {unknown} unknown ({needed} "
                     "needed) -> {verdict}. ").format(met=n_met, unknown=n_unknown,
                                                      needed=CID_NEEDED, verdict=verdict)
                   + "; ".join(lines) + _("."))
    return CidResult(status, tuple(criteria), explanation, version, n_met, n_unknown)


# --------------------------------------------------------------------------------------------
# All derived visit fields
# --------------------------------------------------------------------------------------------
def score_visit(values: Mapping[str, object]) -> dict[str, Score]:
    """Every derived per-visit field of the registry for one visit's values.

    Args:
        values: ``Visit.values`` (entered values only; derived keys in it are ignored).

    Returns:
        field name -> :class:`Score`, in registry order, one entry per
        ``registry.visit_fields(derived=True)``.
    """
    out: dict[str, Score] = {}
    out["cmas_total"] = cmas_total(values)
    out["mmt8_total"], out["mmt8_side"] = mmt8_total(values)
    out["mmt8_bilateral"] = mmt8_bilateral(values)
    out["chaq_di"] = chaq_di(values)
    out["cdasi_activity"], out["cdasi_damage"] = cdasi_scores(values)
    out["das_total"] = das_total(values)
    out["steroid_mg_kg_day"] = steroid_mg_kg_day(values)
    cid = clinically_inactive_disease(values, out)
    out["printo_cid"] = Score("printo_cid", cid.status, "", cid.rule_version, cid.explanation,
                              parts={"criteria": cid.criteria})
    ordered: dict[str, Score] = {}
    for fld in registry.visit_fields(derived=True):
        ordered[fld.name] = out.get(fld.name) or Score(
            fld.name, None, _("{label}: no scoring rule implemented").format(label=fld.label),
            "")
    return ordered
