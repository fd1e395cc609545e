"""Response criteria between a baseline and a follow-up visit.

* ACR/EULAR 2016 Total Improvement Score for JDM (instruments.md section 7; project
  convention 5): level scores per core set row from the *absolute* (range-scaled) percent change,
  the enzyme relative to baseline, categories by the JDM (or adult) thresholds of
  :data:`forms.settings.THRESHOLDS`.
* PRINTO 20/50/70 (section 6; convention 6): relative change from baseline of the 6 PRINTO core
  set variables, with the worsening clause and the baseline-0 convention.
* PRINTO clinically inactive disease of the follow-up visit (section 8; convention 7), from
  :func:`forms.scoring.clinically_inactive_disease`.

Inputs are entered values dicts (``Visit.values``); the totals (CMAS, MMT-8, CHAQ DI, DAS) are
computed here through :mod:`forms.scoring`, and the CHAQ DI is used exactly, not rounded. All
arithmetic is exact (:class:`fractions.Fraction`; convention 1); scale ranges come from the
registry fields' minimum and maximum. Every result carries an ``explanation`` that the GUI and
the PDF show, and the ``rule_version`` it was computed with (convention 9).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from forms import registry, scoring
from forms.fields import plain_number
from forms.i18n import N_, _
from forms.instruments.base import Role
from forms.records import frozen
from forms.scoring import CidResult, InvalidValue, Score, quantize, read_number
from forms.settings import THRESHOLDS, ScoringSettings, default_ulns

__all__ = [
    "CATEGORIES",
    "PRINTO_LEVELS",
    "PrintoResult",
    "PrintoVariable",
    "TisResult",
    "TisRow",
    "VisitResponse",
    "compare_followups",
    "compare_visits",
    "describe_bounds",
    "enzyme_ratio",
    "improvement_percent",
    "level_points",
    "most_abnormal_enzyme",
    "printo_response",
    "total_improvement_score",
]

Values = Mapping[str, object]

#: ACR/EULAR categories from lowest to highest (instruments.md 7.3), plus ``indeterminate``.
CATEGORIES: tuple[str, ...] = ("none", "minimal", "moderate", "major")

#: TIS muscle measure setting -> the derived field it reads, as the instruments declare them
#: (``registry.muscle_measures()``; forms.settings.MUSCLE_MEASURES has their scale ranges).
MUSCLE_FIELDS: dict[str, str] = {m.key: m.field for m in registry.muscle_measures()}
#: the CMAS: the TIS fallback and PRINTO's first muscle measure (instruments.md 6, 7.1).
_FALLBACK = next(m.key for m in registry.muscle_measures() if m.fallback)

# The fields the criteria read, by their role (each instrument declares its roles).
_PHYS = registry.role(Role.PHYSICIAN_GLOBAL)
_PARENT = registry.role(Role.PARENT_GLOBAL)
_PARENT_ACTIVITY = registry.role(Role.PARENT_GLOBAL_ACTIVITY)
_EXTRAMUSCULAR = registry.role(Role.EXTRAMUSCULAR_GLOBAL)
_FUNCTION = registry.role(Role.PHYSICAL_FUNCTION)
_DAS = registry.role(Role.DISEASE_ACTIVITY_SCORE)
_QOL = registry.role(Role.QUALITY_OF_LIFE)

# Level-score table, instruments.md 7.2 (Rider 2017, Table 3; same for JDM and adults).
# Band upper bounds in percent improvement, each inclusive ("> 5 - 15 %" = 5 < x <= 15); a
# percent at or below the first bound (any worsening included) scores 0.
_GENERAL_BOUNDS: tuple[int, ...] = (5, 15, 25, 40)
_MUSCLE_BOUNDS: tuple[int, ...] = (2, 10, 20, 30)  # MMT or CMAS use their own cut-points

#: TIS row key -> (band upper bounds, points per band from "<= first bound" to "> last bound").
LEVEL_SCORES: dict[str, tuple[tuple[int, ...], tuple[Decimal, ...]]] = {
    "phys_global": (_GENERAL_BOUNDS, tuple(Decimal(p) for p in
                                           ("0", "7.5", "15", "17.5", "20"))),
    "parent_global": (_GENERAL_BOUNDS, tuple(Decimal(p) for p in
                                             ("0", "2.5", "5", "7.5", "10"))),
    "muscle": (_MUSCLE_BOUNDS, tuple(Decimal(p) for p in
                                     ("0", "10", "20", "27.5", "32.5"))),
    "chaq": (_GENERAL_BOUNDS, tuple(Decimal(p) for p in ("0", "5", "7.5", "7.5", "10"))),
    "enzyme": (_GENERAL_BOUNDS, tuple(Decimal(p) for p in ("0", "2.5", "5", "7.5", "7.5"))),
    "extramuscular": (_GENERAL_BOUNDS, tuple(Decimal(p) for p in
                                             ("0", "7.5", "12.5", "15", "20"))),
}

# PRINTO provisional criteria (instruments.md section 6, Ruperto 2010): improvement levels in
# percent (inclusive), at least 3 of the 6 variables, and at most 1 variable worse by more than
# 30 % (exclusive), which may not be muscle strength.
PRINTO_LEVELS: tuple[int, ...] = (70, 50, 20)
PRINTO_MIN_IMPROVED = 3
PRINTO_WORSENING = 30
PRINTO_MAX_WORSENED = 1

_HUNDRED = Fraction(100)


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------
@frozen
class TisRow:
    """One row of the Total Improvement Score.

    Attributes:
        key: ``phys_global``, ``parent_global``, ``muscle``, ``chaq``, ``enzyme`` or
            ``extramuscular``.
        label: the measure's words (registry label of the field used).
        field: the field the row reads (``mmt8_total``, ``ck``, ``chaq_di``, ...); None for an
            enzyme row without any baseline enzyme.
        baseline, followup: the values compared (None when missing).
        percent: the improvement in percent, rounded to 2 decimals for display (None when
            missing or undefined); the band is looked up on ``percent_exact``.
        points: the level score (None when the row is missing).
        max_points: the row's maximum level score.
        note: how the percent was computed, or why the row is missing.
        percent_exact: the exact improvement percent.
    """

    key: str
    label: str
    field: str | None
    baseline: Decimal | None
    followup: Decimal | None
    percent: Decimal | None
    points: Decimal | None
    max_points: Decimal
    note: str = ""
    percent_exact: Fraction | None = None

    @property
    def measure(self) -> str | None:
        """Alias of :attr:`field`."""
        return self.field

    @property
    def available(self) -> bool:
        return self.points is not None


@frozen
class TisResult:
    """ACR/EULAR 2016 Total Improvement Score between two visits.

    Attributes:
        tis: sum of the available rows' points; None when physician global or the muscle
            measure is missing at either visit (then the category is ``indeterminate``).
        measures: how many of the 6 rows were available.
        muscle_measure: ``mmt8``, ``mmt8_bilateral`` or ``cmas`` (the one used, or the one
            asked for when neither could be used).
        enzyme: the enzyme used (most abnormal at baseline by value/ULN), or None.
        category: ``none``, ``minimal``, ``moderate``, ``major`` or ``indeterminate``.
        max_attainable: the available points plus the maxima of the missing rows.
        rows: the 6 rows, in table order.
        explanation: text for the GUI and the PDF.
        rule_version: the TIS rule version.
        thresholds: ``jdm`` or ``adult``.
        partial_tis: the sum of the available rows, always (even when ``tis`` is None).
        category_min: ``acr_eular_response_min``: the category ``partial_tis`` reaches.
        category_max: ``acr_eular_response_max``: the category of ``max_attainable``
            (both equal ``category`` when it is determinate; convention 5).
        missing: keys of the missing rows, in table order (``missing_labels`` names them).
        parent_measure: ``parent_global_activity`` when entered at both visits, else
            ``parent_global`` (convention 5; stored as ``tis_parent_measure``).
        mmt8_side: ``right``/``left``: the MMT-8 side compared at both visits (convention 3),
            None when the MMT-8 was not used.
        required_missing: short names of missing rows the category requires (PhGA, muscle).
        summary: the one-sentence result (points, measures, verdict, bounds): the first line
            of ``explanation``, kept as its own field so nobody parses the explanation (it is
            the stored reason when ``tis`` is None).
    """

    tis: Decimal | None
    measures: int
    muscle_measure: str
    enzyme: str | None
    category: str
    max_attainable: Decimal
    rows: tuple[TisRow, ...]
    explanation: str
    rule_version: str
    thresholds: str = "jdm"
    partial_tis: Decimal = Decimal(0)
    category_min: str = "none"
    category_max: str = "none"
    missing: tuple[str, ...] = ()
    parent_measure: str = "parent_global"
    mmt8_side: str | None = None
    required_missing: tuple[str, ...] = ()
    summary: str = ""

    @property
    def missing_labels(self) -> tuple[str, ...]:
        """The short names (registry abbreviations) of the missing rows, in table order."""
        by_key = {r.key: r for r in self.rows}
        return tuple(_row_short(by_key[k]) for k in self.missing)

    def describe(self, *, capital: bool = False) -> str:
        """The category as people read it: ``moderate``, or for a partial result
        ``at least moderate (major possible; 2 measures missing)`` (convention 5);
        ``capital``: first letter upper case, for a table cell or a heading."""
        return describe_bounds(self.category, self.category_min, self.category_max,
                               len(self.missing), kind="acr",
                               required=self.required_missing, capital=capital)


@frozen
class PrintoVariable:
    """One PRINTO core set variable between two visits.

    Attributes:
        key: ``phys_global``, ``parent_global``, ``muscle``, ``chaq``, ``das``, ``chq_phs``.
        label: registry label of the field used.
        field: the field read (``cmas_total`` or ``mmt8_total`` for muscle strength).
        baseline, followup: the values (None when missing).
        percent: relative improvement in percent (2 decimals, display); None when missing or
            when the baseline is 0.
        outcome: ``missing``, ``change`` (percent defined), ``no_change`` (0 -> 0),
            ``improved`` (baseline 0, better follow-up: improved at every level) or
            ``worsened`` (baseline 0, worse follow-up: worsened by more than 30 %).
        worsened: worse by more than 30 % (exclusive), or worse from a baseline of 0.
        note: words for the explanation.
        percent_exact: exact relative improvement.
    """

    key: str
    label: str
    field: str | None
    baseline: Decimal | None
    followup: Decimal | None
    percent: Decimal | None
    outcome: str
    worsened: bool
    note: str = ""
    percent_exact: Fraction | None = None

    def improved_at(self, level: int) -> bool:
        """Improved by at least ``level`` percent (inclusive)."""
        if self.outcome == "improved":
            return True
        exact = self.percent_exact
        if self.outcome != "change" or exact is None:
            return False
        if type(exact) is Fraction and type(level) is int:  # the same comparison in ints
            return exact.numerator >= level * exact.denominator
        return exact >= level

    @property
    def is_muscle(self) -> bool:
        return self.key == "muscle"


@frozen
class PrintoResult:
    """PRINTO 2010 response between two visits.

    Attributes:
        level: ``70``, ``50``, ``20``, ``none`` or ``indeterminate``.
        variables: the 6 variables.
        muscle_measure: ``cmas`` or ``mmt8`` (None when neither is at both visits).
        explanation: text for the GUI and the PDF.
        rule_version: the PRINTO rule version.
        levels_met: ``"20"``/``"50"``/``"70"`` -> ``yes``/``no``/``indeterminate``.
        worst, best: ``printo_response_worst``/``_best``: the level with every missing
            variable worsened by more than 30 % / improved at every level (convention 6).
        missing: keys of the missing variables, in table order.
        mmt8_side: the MMT-8 side compared at both visits when MMT-8 was the muscle measure.
    """

    level: str
    variables: tuple[PrintoVariable, ...]
    muscle_measure: str | None
    explanation: str
    rule_version: str
    levels_met: Mapping[str, str]
    worst: str = "none"
    best: str = "none"
    missing: tuple[str, ...] = ()
    mmt8_side: str | None = None

    @property
    def missing_labels(self) -> tuple[str, ...]:
        """The short names of the missing variables, in table order."""
        by_key = {v.key: v for v in self.variables}
        return tuple(_row_short(by_key[k]) for k in self.missing)

    def describe(self, *, capital: bool = False) -> str:
        """The level as people read it: ``PRINTO 50``, or for a partial result
        ``at least PRINTO 20 (PRINTO 70 possible; 1 variable missing)`` (convention 6)."""
        return describe_bounds(self.level, self.worst, self.best, len(self.missing),
                               kind="printo", capital=capital)


@frozen
class VisitResponse:
    """Everything :func:`compare_visits` says about a follow-up visit.

    Attributes:
        tis: the ACR/EULAR 2016 result.
        printo: the PRINTO 20/50/70 result.
        cid: the follow-up visit's PRINTO clinically inactive disease.
    """

    tis: TisResult
    printo: PrintoResult
    cid: CidResult

    def response_values(self) -> dict[str, object]:
        """The registry's response fields (Level.RESPONSE) computed here, for exports.

        Returns:
            ``tis`` (Decimal with the registry's decimals, or None), ``tis_measures``,
            ``tis_muscle_measure``, ``tis_enzyme``, ``tis_parent_measure``,
            ``acr_eular_response`` with its bounds ``acr_eular_response_min``/``_max``,
            ``printo_response`` with ``printo_response_worst``/``_best``.
        """
        tis = self.tis.tis
        places = registry.get("tis").decimals
        return {
            "tis": None if tis is None else quantize(Fraction(tis), places),
            "tis_measures": self.tis.measures,
            "tis_muscle_measure": self.tis.muscle_measure,
            "tis_enzyme": self.tis.enzyme,
            "tis_parent_measure": self.tis.parent_measure,
            "acr_eular_response": self.tis.category,
            "acr_eular_response_min": self.tis.category_min,
            "acr_eular_response_max": self.tis.category_max,
            "printo_response": self.printo.level,
            "printo_response_worst": self.printo.worst,
            "printo_response_best": self.printo.best,
        }


# --------------------------------------------------------------------------------------------
# Words for people (conventions 5 and 6: never a bare "indeterminate")
# --------------------------------------------------------------------------------------------
_ACR_WORDS = {"none": N_("no improvement"), "minimal": "minimal", "moderate": "moderate",
              "major": "major"}


def _level_words(code: str, kind: str) -> str:
    if kind == "acr":
        return _(_ACR_WORDS.get(code, code))
    return f"PRINTO {code}" if code.isdigit() else _("no PRINTO response")


def describe_bounds(result: str, low: str | None, high: str | None, n_missing: int, *,
                    kind: str, required: Sequence[str] = (), capital: bool = False) -> str:
    """A response result as people read it, from its code and its bounds (data, not text).

    Args:
        result: the category/level code (``moderate``, ``20``, ``indeterminate``, ...).
        low, high: the bounds (``acr_eular_response_min``/``_max`` or
            ``printo_response_worst``/``_best``); None when unknown (old stored values).
        n_missing: how many measures (TIS rows) or variables (PRINTO) are missing.
        kind: ``acr`` or ``printo``.
        required: TIS rows missing that the category needs (physician global, muscle).
        capital: upper-case the first letter (table cells, the patient list).

    Returns:
        e.g. ``moderate``, ``at least moderate (major possible; 2 measures missing)``,
        ``no improvement so far (up to major possible; 3 measures missing)``.
    """
    text = _describe(result, low, high, n_missing, kind, required)
    return text[:1].upper() + text[1:] if capital and text.isascii() else text


def _describe(result: str, low: str | None, high: str | None, n_missing: int, kind: str,
              required: Sequence[str]) -> str:
    if kind == "acr":
        missing = (_("{n} measure missing") if n_missing == 1 else _("{n} measures missing"))
    else:
        missing = (_("{n} variable missing") if n_missing == 1 else _("{n} variables missing"))
    missing = missing.format(n=n_missing)
    if result != "indeterminate":
        return _level_words(result, kind) + (_(" ({missing}, cannot change it)").format(
            missing=missing) if n_missing else "")
    if low is None or high is None:
        return _("not determined") + (f" ({missing})" if n_missing else "")
    order = CATEGORIES if kind == "acr" else ("none", *sorted(
        (str(lv) for lv in PRINTO_LEVELS), key=int))
    gap = order.index(high) - order.index(low) if high in order and low in order else 0
    if low == high:
        need = (_("{rows} required").format(rows=_(" and ").join(required)) if required
                else missing)
        return _("{level} on the measures available (not final: {need})").format(
            level=_level_words(low, kind), need=need)
    possible = (_("up to {level} possible") if gap > 1 else _("{level} possible")).format(
        level=_level_words(high, kind))
    if required:
        missing += "; " + _("{rows} required").format(rows=_(" and ").join(required))
    if low == "none":
        start = _("no improvement so far") if kind == "acr" else _("no PRINTO response so far")
        return f"{start} ({possible}; {missing})"
    return _("at least {level} ({possible}; {missing})").format(
        level=_level_words(low, kind), possible=possible, missing=missing)


def _row_short(row: TisRow | PrintoVariable) -> str:
    if row.field and registry.has(row.field):
        return registry.get(row.field).short_label
    return row.label


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _display(value: Fraction | None, places: int = 3) -> Decimal | None:
    if value is None:
        return None
    return quantize(value, places).normalize() if value.denominator != 1 else Decimal(
        value.numerator)


def _pct_text(value: Fraction) -> str:
    """A percent change for people: rounded to the TIS's registry decimals (10.65... -> 10.7);
    two decimals where that rounding would land on a band edge the exact value is not on
    (15.04 stays 15.04, so it never reads as the 15 of the band below)."""
    places = registry.get("tis").decimals
    dec = quantize(value, places)
    if Fraction(dec) != value and Fraction(dec) % 5 == 0:
        dec = quantize(value, places + 1)
    text = format(dec, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + " %"


def _num(value: Decimal | None) -> str:
    return "missing" if value is None else plain_number(value)


@functools.cache  # the registry is fixed once loaded
def _scale_range(field_name: str) -> Fraction:
    """max - min of a bounded registry field (convention 5: the range scales the percent)."""
    fld = registry.get(field_name)
    assert fld.minimum is not None and fld.maximum is not None, field_name
    return Fraction(fld.maximum) - Fraction(fld.minimum)


def improvement_percent(field_name: str, baseline: object, followup: object, *,
                        higher_is_better: bool = False,
                        relative: bool = False) -> Fraction | None:
    """The exact TIS improvement percent of one measure (instruments.md 7.4, convention 5).

    Bounded scales: ``(baseline - follow-up) / (max - min) x 100`` (or follow-up - baseline when
    higher is better), with min and max from the registry field. Enzymes (``relative``):
    ``(baseline - follow-up) / baseline x 100``, undefined (None) for a baseline of 0.

    Args:
        field_name: the registry field (its range scales the change).
        baseline, followup: int, Decimal, Fraction or (defensively) float values.
        higher_is_better: MMT, CMAS and CHQ-PhS improve upwards.
        relative: scale to the baseline value instead of the range (enzymes).

    Returns:
        The exact percent (positive = better), or None when undefined.
    """
    b, f = scoring.to_fraction(baseline), scoring.to_fraction(followup)
    if relative:
        return None if b == 0 else _percent_change(b, f, b, higher_is_better)
    return _percent_change(b, f, _scale_range(field_name), higher_is_better)


def _percent_change(b: Fraction, f: Fraction, over: Fraction, higher_is_better: bool) -> Fraction:
    """``(f - b) / over x 100`` (``b - f`` when lower is better; ``over`` != 0) in ints, one
    Fraction made at the end: the same exact value as the Fraction arithmetic
    (tests/forms/test_response_ints.py), for the TIS rows and the PRINTO variables."""
    b_num, b_den = b.as_integer_ratio()
    f_num, f_den = f.as_integer_ratio()
    o_num, o_den = over.as_integer_ratio()
    change = (f_num * b_den - b_num * f_den) if higher_is_better else (
        b_num * f_den - f_num * b_den)  # over f_den * b_den
    return Fraction(change * 100 * o_den, f_den * b_den * o_num)


def level_points(row_key: str, percent: Fraction | None) -> Decimal:
    """The level score of a TIS row for an exact improvement percent (instruments.md 7.2).

    Band upper bounds are inclusive (5 < x <= 15 is the "> 5-15 %" band; convention 1); any
    worsening, and an undefined percent (enzyme baseline 0), score 0.

    Args:
        row_key: a key of :data:`LEVEL_SCORES`.
        percent: the exact improvement in percent (positive = better), or None.

    Returns:
        The points.
    """
    bounds, points = LEVEL_SCORES[row_key]
    if percent is None:
        return points[0]
    if type(percent) is Fraction:  # percent > bound in ints (the denominator is positive)
        num, den = percent.numerator, percent.denominator
        return points[sum(1 for bound in bounds if num > bound * den)]
    return points[sum(1 for bound in bounds if percent > bound)]


def max_points(row_key: str) -> Decimal:
    return LEVEL_SCORES[row_key][1][-1]


@frozen
class _Measured:
    """A value of one visit for the criteria: exact value, display value, or why missing."""

    exact: Fraction | None
    shown: Decimal | None
    reason: str = ""


def _from_score(score: Score) -> _Measured:
    if score.value is None:
        return _Measured(None, None, score.missing_reason)
    exact = score.exact if score.exact is not None else Fraction(str(score.value))
    shown = score.value if isinstance(score.value, Decimal) else Decimal(str(score.value))
    return _Measured(exact, shown)


def _from_field(values: Values, name: str) -> _Measured:
    try:
        exact = read_number(values, name)
    except InvalidValue as exc:
        return _Measured(None, None, str(exc))
    if exact is None:
        return _Measured(None, None, _("{name} not recorded").format(name=name))
    return _Measured(exact, _display(exact))


def _scorer(name: str) -> Callable[[Values], Score]:
    """The declared rule computing derived total ``name``, as a function of the values."""
    rule = registry.scoring_rule(name)
    assert rule.compute is not None, name
    compute = rule.compute
    return lambda values: compute(values, {})[name]


#: derived totals the criteria read -> the instrument rule computing their Score.
_SCORERS: dict[str, Callable[[Values], Score]] = {
    name: _scorer(name) for name in (*MUSCLE_FIELDS.values(), _FUNCTION, _DAS)}


class _VisitMeasures:
    """Lazily computed measures of one visit (totals via forms.scoring), each computed once.

    :func:`compare_visits` shares one instance per visit between the TIS, PRINTO and CID, so
    a total (e.g. the CHAQ DI) is scored once per visit rather than once per criterion.
    """

    def __init__(self, values: Values, scores: Mapping[str, Score] | None = None) -> None:
        self.values = values
        self._cache: dict[str, _Measured] = {}
        self._ratios: dict[tuple[str, object, bool], tuple[Fraction, str]] = {}
        # the visit's scores when the caller has them (forms.scoring.score_visit of the same
        # values: the same Score objects the rules compute), so they are not computed again
        self._scores: dict[str, Score] = {} if scores is None else {
            name: scores[name] for name in _SCORERS if name in scores}

    def get(self, name: str) -> _Measured:
        if name not in self._cache:
            self._cache[name] = self._compute(name)
        return self._cache[name]

    def enzyme_ratio(self, enzyme: str, value: Fraction, settings: ScoringSettings,
                     explain: bool) -> tuple[Fraction, str]:
        """:func:`_enzyme_ratio` of this visit, remembered per default ULN that applies (the
        baseline's ratios are the same for each of its follow-ups)."""
        key = (enzyme, settings.uln_defaults.get(enzyme), explain)
        if key not in self._ratios:
            self._ratios[key] = _enzyme_ratio(self.values, enzyme, value, settings, explain)
        return self._ratios[key]

    def score(self, name: str) -> Score:
        """The :class:`~forms.scoring.Score` of derived total ``name`` (a key of _SCORERS)."""
        if name not in self._scores:
            self._scores[name] = _SCORERS[name](self.values)
        return self._scores[name]

    def _compute(self, name: str) -> _Measured:
        if name in _SCORERS:
            return _from_score(self.score(name))
        if name.startswith(_MMT_SIDE):  # "mmt8_total@r": one given side (convention 3)
            suffix = name[len(_MMT_SIDE):]
            if suffix not in dict(registry.SIDES):
                return _Measured(None, None, "no MMT-8 side complete at both visits")
            return _from_score(scoring.mmt8_side_total(self.values, suffix))
        return _from_field(self.values, name)


_MMT_SIDE = "mmt8_total@"


def _mmt8_pair(base: _VisitMeasures, follow: _VisitMeasures) -> tuple[str | None, str]:
    """The MMT-8 side compared between two visits (convention 3) and words for it.

    The right side when it is complete at both visits, else the left when it is complete at
    both, else None (the MMT-8 is missing for this pair).

    Returns:
        (``"r"``/``"l"`` or None, a note naming the side or saying why there is none).
    """
    for suffix, word in registry.SIDES:
        if (base.get(_MMT_SIDE + suffix).exact is not None
                and follow.get(_MMT_SIDE + suffix).exact is not None):
            note = _("{side} side at both visits").format(side=_(word))
            if suffix != registry.SIDES[0][0]:
                note += _(" (right side not complete at both)")
            return suffix, note
    have = []
    for who, m in ((_("baseline"), base), (_("follow-up"), follow)):
        sides = [_(w) for s_, w in registry.SIDES if m.get(_MMT_SIDE + s_).exact is not None]
        have.append(f"{who} {'/'.join(sides) if sides else _('none')}")
    return None, _("no side complete at both visits ({sides})").format(sides=", ".join(have))


# --------------------------------------------------------------------------------------------
# ACR/EULAR 2016 Total Improvement Score (instruments.md section 7, convention 5)
# --------------------------------------------------------------------------------------------
def most_abnormal_enzyme(baseline_values: Values,
                         settings: ScoringSettings | None = None,
                         followup_values: Values | None = None) -> tuple[str | None, str]:
    """The TIS enzyme: the highest value/ULN at baseline (instruments.md 7.5, convention 5).

    Only enzymes measured at both visits are candidates when ``followup_values`` is given (the
    TIS compares one enzyme at both visits). The ULN is the visit's ``<enzyme>_uln`` when
    recorded, else ``settings.uln_defaults``. Ties go to the earlier enzyme of
    :data:`forms.registry.ENZYMES` (CK, aldolase, LDH, AST, ALT).

    Returns:
        (enzyme name or None when no candidate enzyme was measured, explanation text).
    """
    return _most_abnormal_enzyme(_VisitMeasures(baseline_values), settings,
                                 None if followup_values is None
                                 else _VisitMeasures(followup_values))


def _most_abnormal_enzyme(measures: _VisitMeasures, settings: ScoringSettings | None,
                          follow: _VisitMeasures | None = None, *,
                          explain: bool = True) -> tuple[str | None, str]:
    """``explain=False``: the enzyme only, no words (the stored responses need none)."""
    settings = settings or ScoringSettings()
    best: tuple[Fraction, str] | None = None
    ratios: list[str] = []
    only_baseline: list[str] = []
    for enzyme in _ENZYMES:
        value = measures.get(enzyme).exact
        if value is None:
            continue
        if follow is not None and follow.get(enzyme).exact is None:
            only_baseline.append(registry.get(enzyme).short_label)
            continue
        ratio, text = measures.enzyme_ratio(enzyme, value, settings, explain)
        ratios.append(text)
        if best is None or ratio > best[0]:  # strict: ties keep the earlier enzyme
            best = (ratio, enzyme)
    if not explain:
        return (None if best is None else best[1]), ""
    skipped = (f"; not at follow-up: {', '.join(only_baseline)}" if only_baseline else "")
    if best is None:
        if follow is None:
            return None, _("no muscle enzyme recorded at baseline")
        return None, _("no muscle enzyme measured at both visits") + skipped
    return best[1], "; ".join(ratios) + skipped


#: the muscle enzymes in the registry's order (ties of value/ULN go to the earlier one)
_ENZYMES: tuple[str, ...] = tuple(e.name for e in registry.enzymes())


def _enzyme_ratio(values: Values, enzyme: str, value: Fraction, settings: ScoringSettings,
                  explain: bool) -> tuple[Fraction, str]:
    """One visit's ``enzyme`` value / ULN, and (``explain``) the words for it."""
    uln, source = _uln(values, enzyme, settings)
    ratio = value / uln
    if not explain:
        return ratio, ""
    fld = registry.get(enzyme)
    return ratio, (f"{fld.short_label} {_num(_display(value, fld.decimals))} {fld.unit} "
                   f"(ULN {_num(_display(uln, fld.decimals))}, {_(source)}) = "
                   f"{_num(_display(ratio, 2))} x ULN")


def _uln(values: Values, enzyme: str, settings: ScoringSettings) -> tuple[Fraction, str]:
    try:
        local = read_number(values, registry.enzyme(enzyme).uln_field)
    except InvalidValue:
        local = None
    if local is not None and local > 0:
        return local, N_("local ULN")
    default = settings.uln_defaults.get(enzyme)
    if default is None:
        default = default_ulns()[enzyme]
    return Fraction(default), N_("default ULN")


def enzyme_ratio(values: Values, enzyme: str, settings: ScoringSettings) -> Decimal | None:
    """``enzyme`` / its upper limit of normal, to 2 decimals (half up), or None when unmeasured.

    The ULN is the visit's own ``<enzyme>_uln``, else the study default: the same rule that
    picks the most abnormal enzyme for the TIS (instruments.md 7.5). The GUI highlights and the
    PDF's CK/ULN rows show this ratio.
    """
    try:
        value = read_number(values, enzyme)
    except InvalidValue:
        return None
    if value is None:
        return None
    uln, _source = _uln(values, enzyme, settings)
    return quantize(value / uln, 2)


def _why_missing(b: _Measured, f: _Measured) -> str:
    """``baseline: ...; follow-up: ...`` for the visit(s) where a measure is missing."""
    parts = []
    if b.exact is None:
        parts.append(_("baseline: {reason}").format(reason=b.reason))
    if f.exact is None:
        parts.append(_("follow-up: {reason}").format(reason=f.reason))
    return "; ".join(parts)


def _tis_row(key: str, field_name: str | None, base: _VisitMeasures, follow: _VisitMeasures,
             *, higher_is_better: bool, relative: bool, label: str | None = None,
             extra_note: str = "", source: str | None = None, explain: bool = True) -> TisRow:
    """One TIS row: range-scaled percent (bounded scales) or relative (enzyme).

    ``source`` is the measure read when it differs from the field (one MMT-8 side);
    ``explain=False``: no note (the same row otherwise)."""
    top = max_points(key)
    if field_name is None:
        return TisRow(key, label or key, None, None, None, None, None, top,
                      (extra_note or _("not available")) if explain else "")
    row_label = label or registry.get(field_name).label
    b, f = base.get(source or field_name), follow.get(source or field_name)
    if b.exact is None or f.exact is None:
        if not explain:
            return TisRow(key, row_label, field_name, b.shown, f.shown, None, None, top, "")
        why = _why_missing(b, f)
        note = _("missing ({why})").format(why=why) + (f"; {extra_note}" if extra_note else "")
        return TisRow(key, row_label, field_name, b.shown, f.shown, None, None, top, note)
    percent = improvement_percent(field_name, b.exact, f.exact,
                                  higher_is_better=higher_is_better, relative=relative)
    if percent is None:
        if not explain:
            return TisRow(key, row_label, field_name, b.shown, f.shown, None,
                          level_points(key, None), top, "")
        note = _("baseline 0: percent change undefined, scores 0 (convention 5)")
        if extra_note:
            note = f"{extra_note}; {note}"
        return TisRow(key, row_label, field_name, b.shown, f.shown, None, level_points(
            key, None), top, note)
    if not explain:
        return TisRow(key, row_label, field_name, b.shown, f.shown, quantize(percent, 2),
                      level_points(key, percent), top, "", percent)
    if relative:
        how = (f"({_num(b.shown)} - {_num(f.shown)}) / {_num(b.shown)} "
               + _("(relative to baseline)"))
    else:
        first, second = (f.shown, b.shown) if higher_is_better else (b.shown, f.shown)
        how = (f"({_num(first)} - {_num(second)}) / {_num(_display(_scale_range(field_name)))}"
               + _(" (range)"))
    points = level_points(key, percent)
    note = f"{how} = {_pct_text(percent)} -> " + _("{points} of {top} points").format(
        points=_num(points), top=_num(top))
    if extra_note:
        note = f"{extra_note}; {note}"
    return TisRow(key, row_label, field_name, b.shown, f.shown, quantize(percent, 2), points,
                  top, note, percent)


def _category(total: Fraction, thresholds: tuple[Decimal, ...]) -> str:
    # ">= threshold" inclusive, compared in ints (both denominators are positive)
    num, den = total.numerator, total.denominator
    reached = sum(1 for t_num, t_den in _ratios(thresholds) if num * t_den >= t_num * den)
    return CATEGORIES[reached]


@functools.cache  # a few fixed threshold sets (forms.settings.THRESHOLDS)
def _ratios(numbers: tuple[Decimal, ...]) -> tuple[tuple[int, int], ...]:
    return tuple(Fraction(n).as_integer_ratio() for n in numbers)


def total_improvement_score(baseline_values: Values, followup_values: Values,
                            settings: ScoringSettings | None = None) -> TisResult:
    """ACR/EULAR 2016 Total Improvement Score for JDM (instruments.md 7; convention 5).

    Rows (IMACS core set version): physician global, parent global, muscle strength (the
    settings' MMT measure; CMAS when that is missing at either visit and CMAS is present at
    both), CHAQ DI, the most abnormal enzyme at baseline, extramuscular global. Bounded scales
    use ``(change) / (max - min) x 100`` with the range from the registry; the enzyme uses
    ``(baseline - follow-up) / baseline x 100`` and scores 0 from a baseline of 0.

    Missing rows: when physician global or the muscle measure is missing at either visit the
    category is ``indeterminate`` (and ``tis`` None). Otherwise ``tis`` is the sum of the
    available rows; the category is the highest one that sum reaches, unless adding the
    maxima of the missing rows would reach a higher one (then ``indeterminate``).

    Args:
        baseline_values: the baseline visit's entered values.
        followup_values: the follow-up visit's entered values.
        settings: muscle measure, thresholds (jdm/adult) and default ULNs.

    Returns:
        A :class:`TisResult`.
    """
    return _total_improvement_score(_VisitMeasures(baseline_values),
                                    _VisitMeasures(followup_values), settings)


def _total_improvement_score(base: _VisitMeasures, follow: _VisitMeasures,
                             settings: ScoringSettings | None, *,
                             explain: bool = True) -> TisResult:
    """``explain=False``: the rows without notes and no explanation (the summary is kept:
    storage stores it), every other attribute the same."""
    settings = settings or ScoringSettings()
    version = scoring.RULE_VERSIONS["tis"]

    # Muscle measure: the setting; the MMT-8 on the same side at both visits (convention 3);
    # CMAS when the setting's measure is missing at either visit and CMAS is at both (conv. 5).
    muscle_key = settings.tis_muscle_measure
    wanted = MUSCLE_FIELDS[muscle_key]
    side: str | None = None
    side_note = ""
    source: str | None = None
    if muscle_key == "mmt8":
        side, side_note = _mmt8_pair(base, follow)
        source = _MMT_SIDE + side if side else None
        usable = side is not None
    else:
        usable = muscle_key == "cmas" or (base.get(wanted).exact is not None
                                          and follow.get(wanted).exact is not None)
    muscle_note = side_note if muscle_key == "mmt8" and usable else ""
    if not usable:
        cmas = MUSCLE_FIELDS[_FALLBACK]
        if base.get(cmas).exact is not None and follow.get(cmas).exact is not None:
            if muscle_key == "mmt8" and (base.get(wanted).exact is not None
                                         and follow.get(wanted).exact is not None):
                why = f"MMT-8 {side_note}"
            else:
                why = (_("{measure} missing at baseline") if base.get(wanted).exact is None
                       else _("{measure} missing at follow-up")).format(
                           measure=registry.get(wanted).short_label)
            muscle_note = _("{why}; CMAS used instead").format(why=why)
            muscle_key, side, source = _FALLBACK, None, None
        elif muscle_key == "mmt8":
            muscle_note = f"MMT-8 {side_note}"
            # nothing to compare: make the row missing even if each visit has a total
            source = _MMT_SIDE + "none"
    muscle_field = MUSCLE_FIELDS[muscle_key]

    # Parent row: the IMACS parent global activity when entered at both visits (conv. 5).
    parent = _PARENT_ACTIVITY
    if base.get(parent).exact is None or follow.get(parent).exact is None:
        parent = _PARENT
        parent_note = _("parent global activity not entered at both visits; "
                        "parent global well-being used")
    else:
        parent_note = _("parent global activity (IMACS) at both visits")

    enzyme, enzyme_why = _most_abnormal_enzyme(base, settings, follow, explain=explain)
    enzyme_label = (_("Most abnormal enzyme: {enzyme}").format(
        enzyme=registry.get(enzyme).label) if enzyme else _("Most abnormal enzyme"))
    rows = (
        _tis_row("phys_global", _PHYS, base, follow, higher_is_better=False,
                 relative=False, explain=explain),
        _tis_row("parent_global", parent, base, follow, higher_is_better=False,
                 relative=False, extra_note=parent_note, explain=explain),
        _tis_row("muscle", muscle_field, base, follow, higher_is_better=True, relative=False,
                 extra_note=muscle_note, source=source if muscle_key == "mmt8" else None,
                 explain=explain),
        _tis_row("chaq", _FUNCTION, base, follow, higher_is_better=False, relative=False,
                 explain=explain),
        _tis_row("enzyme", enzyme, base, follow, higher_is_better=False, relative=True,
                 label=enzyme_label, extra_note=_(
                     "selected at baseline among the enzymes at both visits: {why}").format(
                     why=enzyme_why) if enzyme and explain else enzyme_why, explain=explain),
        _tis_row("extramuscular", _EXTRAMUSCULAR, base, follow,
                 higher_is_better=False, relative=False, explain=explain),
    )
    available = [r for r in rows if r.points is not None]
    missing = [r for r in rows if r.points is None]
    partial = sum((Fraction(r.points) for r in available if r.points is not None),
                  Fraction(0))
    ceiling = partial + sum((Fraction(r.max_points) for r in missing), Fraction(0))
    thresholds = THRESHOLDS[settings.thresholds]
    core_missing = [r for r in rows if r.key in ("phys_global", "muscle")
                    and r.points is None]
    reached = _category(partial, thresholds)
    possible = _category(ceiling, thresholds)
    if core_missing:
        category = "indeterminate"
        tis: Decimal | None = None
        verdict = _("indeterminate: {rows} missing at a visit (both are required)").format(
            rows=_(" and ").join(r.label for r in core_missing))
    elif possible != reached:
        category = "indeterminate"
        tis = _display(partial, 1)
        verdict = _("indeterminate: {reached} reached, {possible} possible (up to {ceiling} "
                    "with the missing rows)").format(reached=_(reached), possible=_(possible),
                                                     ceiling=_num(_display(ceiling, 1)))
    else:
        category = reached
        tis = _display(partial, 1)
        verdict = _(category) if not missing else _(
            "{category} (missing rows cannot change it)").format(category=_(category))
    names = (N_("minimal"), N_("moderate"), N_("major"))
    N_("none")
    thr_text = "/".join(_num(t) for t in thresholds)
    lines = []
    for r in rows if explain else ():
        if r.points is None:
            lines.append(f"{r.label}: {r.note}")
        else:
            lines.append(f"{r.label}: {_num(r.baseline)} -> {_num(r.followup)}: {r.note}")
    summary = (
        _("ACR/EULAR 2016 Total Improvement Score ({set} thresholds {thresholds} for "
          "{names}): {points} points from {n} of {total} measures").format(
              set=settings.thresholds.upper(), thresholds=thr_text,
              names="/".join(_(n) for n in names), points=_num(_display(partial, 1)),
              n=len(available), total=len(rows))
        + (_(", at most {ceiling}").format(ceiling=_num(_display(ceiling, 1))) if missing
           else "")
        + f" -> {verdict}"
        + _("; bounds {reached} to {possible}").format(reached=_(reached), possible=_(possible))
        + ".")
    explanation = summary + "\n" + "\n".join(lines) if explain else ""
    return TisResult(tis, len(available), muscle_key, enzyme, category,
                     quantize(ceiling, 1).normalize() if ceiling.denominator != 1
                     else Decimal(ceiling.numerator), rows, explanation, version,
                     settings.thresholds, Decimal(_num(_display(partial, 1))),
                     category_min=reached, category_max=possible,
                     missing=tuple(r.key for r in missing), parent_measure=parent,
                     mmt8_side=dict(registry.SIDES)[side] if side else None,
                     required_missing=tuple(_row_short(r) for r in core_missing),
                     summary=summary)


# --------------------------------------------------------------------------------------------
# PRINTO 20/50/70 (instruments.md section 6, convention 6)
# --------------------------------------------------------------------------------------------
#: (key, field or None for muscle strength, higher is better) of the PRINTO core set (5.1).
_PRINTO_VARIABLES: tuple[tuple[str, str | None, bool], ...] = (
    ("phys_global", _PHYS, False),
    ("parent_global", _PARENT, False),
    ("muscle", None, True),
    ("chaq", _FUNCTION, False),
    ("das", _DAS, False),
    ("chq_phs", _QOL, True),
)


def _printo_variable(key: str, field_name: str | None, higher_is_better: bool,
                     base: _VisitMeasures, follow: _VisitMeasures,
                     missing_note: str = "", source: str | None = None,
                     explain: bool = True) -> PrintoVariable:
    """``explain=False``: no note (the same variable otherwise)."""
    if field_name is None:
        return PrintoVariable(key, _("Muscle strength"), None, None, None, None, "missing",
                              False, (missing_note or _("missing")) if explain else "")
    label = registry.get(field_name).label
    if missing_note and source:
        label = f"{label}, {missing_note}"
    b, f = base.get(source or field_name), follow.get(source or field_name)
    if b.exact is None or f.exact is None:
        return PrintoVariable(key, label, field_name, b.shown, f.shown, None, "missing", False,
                              _("missing ({why})").format(why=_why_missing(b, f))
                              if explain else "")
    if b.exact == 0:
        # Convention 6: baseline 0 -> equal = no change; better = improved at every level;
        # worse = worsened by more than 30 %.
        change = f.exact if higher_is_better else -f.exact
        if change == 0:
            outcome, worse, note = "no_change", False, N_("baseline 0, unchanged: no change")
        elif change > 0:
            outcome, worse, note = ("improved", False,
                                    N_("baseline 0, better: improved at every level"))
        else:
            note = N_("baseline 0, worse: counts as worsened by more than 30 %")
            outcome, worse = "worsened", True
        return PrintoVariable(key, label, field_name, b.shown, f.shown, None, outcome, worse,
                              _(note) if explain else "")
    percent = _percent_change(b.exact, f.exact, b.exact, higher_is_better)
    # "more than 30 %" is exclusive
    worsened = percent.numerator < -PRINTO_WORSENING * percent.denominator
    if not explain:
        note = ""
    elif percent == 0:
        note = _("unchanged (0 %)")
    elif percent > 0:
        note = _("improved {percent}").format(percent=_pct_text(percent))
    else:
        note = _("worse by {percent}").format(percent=_pct_text(-percent)) + (
            _(" (more than 30 %)") if worsened else "")
    return PrintoVariable(key, label, field_name, b.shown, f.shown, quantize(percent, 2),
                          "change", worsened, note, percent)


def _printo_case(level: int, variables: tuple[PrintoVariable, ...], *, best: bool) -> bool:
    """PRINTO ``level`` met with the missing variables at their best (improved at every level)
    or worst (worsened by more than 30 %) case (convention 6)."""
    # _printo_met with those two cases, in one pass (the same counts)
    n_improved = n_worse = 0
    muscle_worse = False
    for v in variables:
        if v.outcome == "missing":
            improved, worse = best, not best
        else:
            improved, worse = v.improved_at(level), v.worsened
        if improved:
            n_improved += 1
        if worse:
            n_worse += 1
            muscle_worse = muscle_worse or v.is_muscle
    return (n_improved >= PRINTO_MIN_IMPROVED and n_worse <= PRINTO_MAX_WORSENED
            and not muscle_worse)


def printo_response(baseline_values: Values, followup_values: Values) -> PrintoResult:
    """PRINTO provisional criteria for response in JDM, 20/50/70 (Ruperto 2010; convention 6).

    Relative change from baseline of the 6 PRINTO core set variables (physician global, parent
    global, muscle strength, CHAQ DI, DAS total, CHQ-PhS). A level is met with at least 3
    variables improved by at least that percent (inclusive) and at most 1 variable worse by
    more than 30 % (exclusive), which may not be muscle strength. Muscle strength is CMAS when
    it is present at both visits, else MMT-8 (unilateral). Missing variables: the best and the
    worst case are evaluated; when both give the same level it is reported, else
    ``indeterminate``.

    Returns:
        A :class:`PrintoResult`.
    """
    return _printo_response(_VisitMeasures(baseline_values), _VisitMeasures(followup_values))


def _printo_response(base: _VisitMeasures, follow: _VisitMeasures, *,
                     explain: bool = True) -> PrintoResult:
    """``explain=False``: the variables without notes and no explanation, the rest the
    same."""
    version = scoring.RULE_VERSIONS["printo_response"]
    muscle_measure: str | None = None
    muscle_field: str | None = None
    muscle_note = ""
    source: str | None = None
    side: str | None = None
    cmas = MUSCLE_FIELDS[_FALLBACK]
    if base.get(cmas).exact is not None and follow.get(cmas).exact is not None:
        muscle_measure, muscle_field = _FALLBACK, cmas
    else:
        # MMT-8 on the same side at both visits (conventions 3 and 6)
        side, side_note = _mmt8_pair(base, follow)
        if side is not None:
            muscle_measure, muscle_field = "mmt8", MUSCLE_FIELDS["mmt8"]
            source, muscle_note = _MMT_SIDE + side, side_note
        else:
            muscle_note = _("missing (CMAS not at both visits; MMT-8 {note})").format(
                note=side_note)
    variables = tuple(
        _printo_variable(key, muscle_field if key == "muscle" else fname, higher, base,
                         follow, muscle_note if key == "muscle" else "",
                         source if key == "muscle" else None, explain)
        for key, fname, higher in _PRINTO_VARIABLES)

    levels_met: dict[str, str] = {}
    best_level = worst_level = "none"
    for level in sorted(PRINTO_LEVELS):
        best = _printo_case(level, variables, best=True)
        worst = _printo_case(level, variables, best=False)
        levels_met[str(level)] = ("yes" if best and worst else "no" if not best and not worst
                                  else "indeterminate")
        if best:
            best_level = str(level)
        if worst:
            worst_level = str(level)
    result = best_level if best_level == worst_level else "indeterminate"

    missing = tuple(v.key for v in variables if v.outcome == "missing")
    mmt8_side = dict(registry.SIDES)[side] if side else None
    if not explain:
        return PrintoResult(result, variables, muscle_measure, "", version, levels_met,
                            worst=worst_level, best=best_level, missing=missing,
                            mmt8_side=mmt8_side)
    n_missing = len(missing)
    lines = [f"{v.label}: {v.note}" if v.outcome == "missing" else
             f"{v.label}: {_num(v.baseline)} -> {_num(v.followup)}: {v.note}"
             for v in variables]
    met_text = ", ".join(f"PRINTO {lv} {_(levels_met[lv])}" for lv in sorted(levels_met,
                                                                             key=int))
    worsened = [v.label for v in variables if v.worsened]
    summary = (_("PRINTO 2010 response: {levels} -> ").format(levels=met_text)
               + (f"PRINTO {result}" if result.isdigit() else _(result)))
    if n_missing:
        summary += _(" ({n} variable(s) missing: best case {best}, worst case {worst})").format(
            n=n_missing, best=_(best_level), worst=_(worst_level))
    if worsened:
        summary += _("; worsened by more than 30 %: {names}").format(names=", ".join(worsened))
    explanation = (summary + _(". Needs >= 3 of 6 improved by the level, at most 1 worse by "
                               "more than 30 % and not muscle strength.") + "\n"
                   + "\n".join(lines))
    N_("yes")
    N_("no")
    N_("indeterminate")
    return PrintoResult(result, variables, muscle_measure, explanation, version, levels_met,
                        worst=worst_level, best=best_level, missing=missing,
                        mmt8_side=mmt8_side)


# --------------------------------------------------------------------------------------------
# Both visits at once
# --------------------------------------------------------------------------------------------
def compare_visits(baseline_values: Values, followup_values: Values,
                   settings: ScoringSettings | None = None) -> VisitResponse:
    """TIS, PRINTO response and the follow-up visit's CID.

    Args:
        baseline_values: the baseline visit's entered values.
        followup_values: the follow-up visit's entered values.
        settings: TIS settings (muscle measure, thresholds, default ULNs).

    Returns:
        A :class:`VisitResponse`.
    """
    return _compare(_VisitMeasures(baseline_values), followup_values, settings)


def compare_followups(baseline_values: Values, followups: Iterable[Values],
                      settings: ScoringSettings | None = None, *,
                      baseline_scores: Mapping[str, Score] | None = None,
                      followup_scores: Sequence[Mapping[str, Score] | None] | None = None,
                      explain: bool = True) -> list[VisitResponse]:
    """:func:`compare_visits` of several follow-up visits against one baseline.

    Same results as calling :func:`compare_visits` for each follow-up, but the baseline's
    totals (CMAS, MMT-8, CHAQ DI, DAS) and values are read and scored once for all of them
    (storage recomputes every follow-up of a patient when the baseline changes).

    Args:
        baseline_values: the baseline visit's entered values (not modified meanwhile).
        followups: the follow-up visits' entered values.
        settings: TIS settings (muscle measure, thresholds, default ULNs).
        baseline_scores, followup_scores: :func:`forms.scoring.score_visit` of the baseline
            and of each follow-up (in order; None where not scored), when the caller has
            already scored them (an import stores every visit's scores): the totals are then
            not scored again. Same results either way.
        explain: False for the results without the words for people (what storage keeps:
            :meth:`VisitResponse.response_values` and the TIS summary, the same as with
            words): the TIS rows' and PRINTO variables' notes and both explanations are
            empty, and the CID is the one in ``followup_scores`` when given.

    Returns:
        One :class:`VisitResponse` per follow-up, in order.
    """
    base = _VisitMeasures(baseline_values, baseline_scores)
    items = list(followups)
    scored = list(followup_scores) if followup_scores is not None else [None] * len(items)
    assert len(scored) == len(items), "one score map (or None) per follow-up"
    return [_compare(base, values, settings, scores, explain=explain)
            for values, scores in zip(items, scored, strict=True)]


def _compare(base: _VisitMeasures, followup_values: Values,
             settings: ScoringSettings | None,
             scores: Mapping[str, Score] | None = None, *,
             explain: bool = True) -> VisitResponse:
    # One set of measures per visit, shared by the three criteria: each total (CMAS, MMT-8,
    # CHAQ DI, DAS) is scored once per visit instead of once per criterion.
    follow = _VisitMeasures(followup_values, scores)
    cid = None if explain or scores is None else _scored_cid(scores.get(_CID))
    if cid is None:
        cid = scoring.clinically_inactive_disease(
            followup_values, {m.field: follow.score(m.field) for m in registry.muscle_measures()
                              if m.cid_minimum is not None})
    return VisitResponse(
        _total_improvement_score(base, follow, settings, explain=explain),
        _printo_response(base, follow, explain=explain),
        cid,
    )


#: the visit score holding the PRINTO CID (forms.instruments.response)
_CID = "printo_cid"


def _scored_cid(score: Score | None) -> CidResult | None:
    """The CID a visit's scores hold (``score_visit`` computes it from the same values and
    totals as :func:`_compare`), or None when they hold none."""
    if score is None or "criteria" not in score.parts:
        return None
    criteria = tuple(score.parts["criteria"])
    return CidResult(str(score.value), criteria, score.detail, score.rule_version,
                     sum(1 for c in criteria if c.met is True),
                     sum(1 for c in criteria if c.met is None))
