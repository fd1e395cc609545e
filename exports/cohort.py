"""The cohort results of a pilot study, per protocol visit: what the cohort PDF prints.

For each protocol visit (M0, M3, M6, ... in protocol order; flare and unscheduled visits are
kept apart and never pooled, unrecognised labels are only counted):

* n, median and interquartile range (:mod:`forms.stats`, Hyndman-Fan type 7) of each measure;
* the change from each child's baseline visit as the median (IQR) of the paired differences,
  with its own n (children measured at both);
* for follow-ups, the number of children at each ACR/EULAR 2016 category, with partial results
  counted honestly: a category that is known is counted as such; a child whose category is not
  determined (measures missing) is counted separately, and "at least X" is given as the range
  from the lower bounds (``acr_eular_response_min``) to the upper bounds (``_max``);
  PRINTO 20/50/70 likewise from the worst and best cases; PRINTO inactive disease with the
  indeterminate visits as the upper end of a range.

A child with two visits under the same protocol label contributes the first of them.
Everything clinical comes from ``forms``; this module only groups and counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from fractions import Fraction
from typing import Any

from exports.common import PatientSummary, VisitSummary
from forms import protocol, registry, stats
from forms.records import frozen, mutable
from forms.response import CATEGORIES, PRINTO_LEVELS

Getter = Callable[[PatientSummary, VisitSummary], Any]


@frozen
class CohortMeasure:
    """One measure of the results table: what it reads and how it is named and printed."""

    key: str
    label: str
    short: str
    decimals: int
    get: Getter
    higher_is_better: bool | None = None
    y_max: float | None = None


@frozen
class Range:
    """A count known only within bounds: ``low`` to ``high`` children of ``n``."""

    low: int
    high: int
    n: int

    @property
    def exact(self) -> bool:
        return self.low == self.high


@frozen
class VisitResponses:
    """The response counts of the follow-ups at one protocol visit."""

    n: int  #: children with a response evaluated at this visit
    acr: dict[str, int]  #: determinate category -> children
    acr_open: int  #: children whose category is not determined
    acr_open_bounds: dict[tuple[str, str], int]  #: (lower, upper) -> children, undetermined
    acr_at_least: dict[str, Range]  #: minimal/moderate/major -> children reaching at least it
    printo: dict[str, Range]  #: "20"/"50"/"70" -> children reaching at least that level
    printo_open: int  #: children whose PRINTO level is not determined
    cid: Range  #: children in clinically inactive disease (indeterminate in the upper end)


@mutable
class CohortVisit:
    """One protocol visit's column."""

    label: str
    children: dict[str, tuple[PatientSummary, VisitSummary]] = field(default_factory=dict)
    values: dict[str, stats.Summary] = field(default_factory=dict)
    changes: dict[str, stats.Summary] = field(default_factory=dict)
    responses: VisitResponses | None = None
    duplicates: int = 0


@mutable
class CohortResults:
    """Everything the cohort report prints, computed once."""

    patients: int
    visits: list[CohortVisit]
    other: dict[str, tuple[int, int]]  #: flare/unscheduled -> (visits, children)
    unrecognised: dict[str, int]  #: raw label (or "no label") -> visits
    measures: Sequence[CohortMeasure]
    summaries: list[PatientSummary]
    #: measure key -> study_id -> [value or None per protocol visit column]
    courses: dict[str, dict[str, list[Fraction | None]]] = field(default_factory=dict)


def _value(m: CohortMeasure, s: PatientSummary, v: VisitSummary) -> Fraction | None:
    value = m.get(s, v)
    if value is None or isinstance(value, bool | str):
        return None
    return stats.exact(value)


def compute(summaries: Iterable[PatientSummary],
            measures: Sequence[CohortMeasure]) -> CohortResults:
    """Group the visits by protocol label and compute the results table."""
    columns: dict[str, CohortVisit] = {}
    other: dict[str, list[str]] = defaultdict(list)
    unrecognised: dict[str, int] = defaultdict(int)
    kept: list[PatientSummary] = []
    for s in summaries:
        kept.append(s)
        for v in s.visits:
            raw = v.visit.visit_label
            label = protocol.canonical_label(raw or "")
            if label is None:
                unrecognised[raw or "no label"] += 1
            elif not protocol.is_protocol_label(label):
                other[label].append(s.patient.study_id)
            else:
                col = columns.setdefault(label, CohortVisit(label))
                if s.patient.study_id in col.children:
                    col.duplicates += 1
                else:
                    col.children[s.patient.study_id] = (s, v)
    ordered = sorted(columns.values(), key=lambda c: protocol.protocol_order(c.label))
    for col in ordered:
        for m in measures:
            col.values[m.key] = stats.describe(
                x for x in (_value(m, s, v) for s, v in col.children.values()) if x is not None)
            pairs = []
            for s, v in col.children.values():
                base = s.baseline_summary
                if base is None or v.is_baseline or not v.is_follow_up:
                    continue
                pairs.append((_value(m, s, base), _value(m, s, v)))
            col.changes[m.key] = stats.describe(stats.paired_differences(pairs))
        col.responses = _responses(col)
    courses: dict[str, dict[str, list[Fraction | None]]] = {}
    for m in measures:
        per_child: dict[str, list[Fraction | None]] = {}
        for s in kept:
            row = []
            for col in ordered:
                pair = col.children.get(s.patient.study_id)
                row.append(_value(m, *pair) if pair else None)
            if any(x is not None for x in row):
                per_child[s.patient.study_id] = row
        courses[m.key] = per_child
    return CohortResults(
        patients=len(kept), visits=ordered,
        other={k: (len(ids), len(set(ids))) for k, ids in sorted(
            other.items(), key=lambda kv: protocol.protocol_order(kv[0]))},
        unrecognised=dict(sorted(unrecognised.items())), measures=measures, summaries=kept,
        courses=courses)


_ACR_ORDER = {c: i for i, c in enumerate(CATEGORIES)}
_PRINTO_ORDER = {"none": 0, **{str(lv): i + 1 for i, lv in enumerate(sorted(PRINTO_LEVELS))}}


def _responses(col: CohortVisit) -> VisitResponses | None:
    evaluated = [(s, v) for s, v in col.children.values() if v.is_follow_up]
    cid_values = [v.value("printo_cid") for _s, v in col.children.values()]
    cid_known = [c for c in cid_values if c]
    cid = Range(sum(c == "yes" for c in cid_known),
                sum(c in ("yes", "indeterminate") for c in cid_known), len(cid_known))
    if not evaluated:
        return VisitResponses(0, {}, 0, {}, {}, {}, 0, cid)
    acr: dict[str, int] = defaultdict(int)
    open_bounds: dict[tuple[str, str], int] = defaultdict(int)
    lows: list[str] = []
    highs: list[str] = []
    worst: list[str] = []
    best: list[str] = []
    printo_open = 0
    for _s, v in evaluated:
        r = v.response_values()
        category = r.get("acr_eular_response") or "indeterminate"
        low = r.get("acr_eular_response_min") or ("none" if category == "indeterminate"
                                                  else category)
        high = r.get("acr_eular_response_max") or ("major" if category == "indeterminate"
                                                   else category)
        if category == "indeterminate":
            open_bounds[(low, high)] += 1
        else:
            acr[category] += 1
        lows.append(low)
        highs.append(high)
        level = r.get("printo_response") or "indeterminate"
        w = r.get("printo_response_worst") or ("none" if level == "indeterminate" else level)
        b = r.get("printo_response_best") or ("70" if level == "indeterminate" else level)
        printo_open += level == "indeterminate"
        worst.append(w)
        best.append(b)
    n = len(evaluated)
    at_least = {c: Range(sum(_ACR_ORDER[x] >= _ACR_ORDER[c] for x in lows),
                         sum(_ACR_ORDER[x] >= _ACR_ORDER[c] for x in highs), n)
                for c in CATEGORIES[1:]}
    printo = {str(lv): Range(sum(_PRINTO_ORDER[x] >= _PRINTO_ORDER[str(lv)] for x in worst),
                             sum(_PRINTO_ORDER[x] >= _PRINTO_ORDER[str(lv)] for x in best), n)
              for lv in sorted(PRINTO_LEVELS)}
    return VisitResponses(n, dict(acr), sum(open_bounds.values()), dict(open_bounds),
                          at_least, printo, printo_open, cid)


def measure_from_field(name: str, *, higher_is_better: bool | None = None) -> CohortMeasure:
    """A results-table measure reading one registry field (entered or derived)."""
    f = registry.get(name)

    def get(s: PatientSummary, v: VisitSummary, _n: str = name) -> Any:
        return v.value(_n)

    top = float(f.maximum) if f.maximum is not None and f.form not in ("labs", "visit") \
        else None
    return CohortMeasure(name, f.label, f.short_label, f.decimals, get, higher_is_better, top)
