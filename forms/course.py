"""The patient's course: the baseline visit, its follow-ups, and each visit's scores and response.

This is the one place that decides (data-contract section 2):

* **the baseline**: the visit flagged ``baseline`` (the earliest flagged one, should a file
  hold several), else the earliest visit: :func:`baseline_of`;
* **the follow-ups**: the visits strictly after the baseline's date; a visit before a flagged
  baseline is neither, and has no response (:func:`is_follow_up`, :func:`follow_ups`);
* **each visit's scores and response**: from the entered values (:func:`course_of`, with
  :func:`forms.scoring.score_visit` and :func:`forms.response.compare_followups`), or from the
  derived values storage computed at save time (:func:`stored_course_of`).

Storage (the stored responses, the due list's baseline date), the exports (workbook, REDCap,
PDFs), the patient page and the visit editor's Response page all ask this module, so they
cannot disagree about which visits have a response. Pure Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from forms import protocol, registry, scoring
from forms.fields import Level
from forms.i18n import _
from forms.model import Patient, Visit
from forms.records import frozen
from forms.scoring import Score
from forms.settings import ScoringSettings

if TYPE_CHECKING:  # imported on use: listing patients needs none of the response criteria
    from forms.response import VisitResponse


class Dated(Protocol):
    """Anything with a visit date and a baseline flag (a ``Visit``, a stored visit header)."""

    @property
    def visit_date(self) -> dt.date: ...

    @property
    def baseline(self) -> bool: ...


D = TypeVar("D", bound=Dated)


# --------------------------------------------------------------------------------------------
# Baseline and follow-ups
# --------------------------------------------------------------------------------------------
def baseline_of(visits: Iterable[D]) -> D | None:
    """The visit responses are measured from: the flagged one (the earliest flagged, should
    several be flagged), else the earliest visit; None without visits."""
    items = list(visits)
    flagged = [v for v in items if v.baseline]
    pool = flagged or items
    return min(pool, key=lambda v: v.visit_date) if pool else None


def is_follow_up(visit_date: dt.date | None, baseline: Dated | None) -> bool:
    """Whether a visit on ``visit_date`` is a follow-up of ``baseline``: strictly after its
    date (a visit before a flagged baseline is no follow-up and has no response)."""
    return baseline is not None and visit_date is not None and (
        visit_date > baseline.visit_date)


def follow_ups(visits: Iterable[D], baseline: Dated | None = None) -> list[D]:
    """The follow-ups of ``baseline`` (default: :func:`baseline_of` the visits), in date
    order."""
    items = list(visits)
    base = baseline if baseline is not None else baseline_of(items)
    return sorted((v for v in items if v is not base and is_follow_up(v.visit_date, base)),
                  key=lambda v: v.visit_date)


def day_offset(day: dt.date | None, baseline_day: dt.date | None) -> int | None:
    """Days from ``baseline_day`` to ``day`` (negative before it), or None if either is
    missing. De-identified exports show this instead of dates."""
    if day is None or baseline_day is None:
        return None
    return (day - baseline_day).days


def editor_response(baseline: Visit | None, *, visit_id: int | None, flagged: bool,
                    visit_date: dt.date | None, values: Mapping[str, Any],
                    settings: ScoringSettings) -> VisitResponse | None:
    """The response of the visit being edited (not yet saved) against the patient's saved
    baseline, by the same rule as every other layer: None when this visit is (or is being
    made) the baseline, or is not after the baseline's date."""
    if baseline is None or flagged or (visit_id is not None and baseline.id == visit_id):
        return None
    if not is_follow_up(visit_date, baseline):
        return None
    from forms import response  # noqa: PLC0415

    return response.compare_visits(baseline.values, values, settings)


# --------------------------------------------------------------------------------------------
# The course: every visit with its scores and response
# --------------------------------------------------------------------------------------------
#: the registry's derived visit fields (scores) and response fields
SCORE_FIELDS = tuple(f.name for f in registry.visit_fields(derived=True))
RESPONSE_FIELDS = tuple(f.name for f in registry.fields_for(level=Level.RESPONSE))


@frozen
class CourseVisit:
    """One visit of the course with everything derived from it.

    Attributes:
        visit: the entered visit.
        day: days from the patient's baseline visit (0 for the baseline itself).
        is_baseline: this is the visit responses are measured from.
        scores: :func:`forms.scoring.score_visit` result (derived field name -> Score).
        response: :func:`forms.response.compare_visits` against the baseline, for follow-ups
            computed from entered values.
        stored_response: for a follow-up of a :func:`stored_course_of`, the response values
            storage computed at save time (registry response fields); ``response`` is then
            None.
        is_follow_up: after the baseline's date (:func:`is_follow_up`): it has a response.
    """

    visit: Visit
    day: int | None
    is_baseline: bool
    scores: Mapping[str, Score]
    response: VisitResponse | None = None
    stored_response: Mapping[str, Any] | None = None
    is_follow_up: bool = False

    def response_values(self, baseline_label: str | None = None) -> dict[str, Any]:
        """The registry response fields of a follow-up (empty for other visits), with
        ``baseline_label`` when given."""
        if not self.is_follow_up:
            return {}
        if self.response is not None:
            values: dict[str, Any] = self.response.response_values()
        else:
            values = dict(self.stored_response or {})
        if baseline_label is not None:
            values["baseline_label"] = baseline_label
        return values

    @property
    def label(self) -> str:
        """The visit label in words (``M3``, ``Flare visit``: :func:`forms.protocol.label_words`),
        else ``day N`` (never the date: reports may be de-identified)."""
        if self.visit.visit_label:
            return protocol.label_words(self.visit.visit_label)
        return _("day {n}").format(n=self.day) if self.day is not None else _("visit")

    def value(self, name: str) -> Any:
        """An entered or derived value of this visit, or None when it has none."""
        if name in self.scores:
            return self.scores[name].value
        return self.visit.values.get(name)

    def missing_reason(self, name: str) -> str | None:
        """Why ``name`` has no value: the recorded reason, or the scoring rule's reason."""
        if name in self.visit.missing:
            return self.visit.missing[name]
        score = self.scores.get(name)
        return score.missing_reason if score is not None else None


@frozen
class Course:
    """A patient's visits in date order, the baseline, and each visit's derived values."""

    patient: Patient
    baseline: Visit | None
    visits: tuple[CourseVisit, ...]
    settings: ScoringSettings = field(repr=False)

    @property
    def baseline_summary(self) -> CourseVisit | None:
        return next((v for v in self.visits if v.is_baseline), None)

    @property
    def follow_ups(self) -> tuple[CourseVisit, ...]:
        """The visits with a response (after the baseline's date)."""
        return tuple(v for v in self.visits if v.is_follow_up)

    def baseline_date(self) -> dt.date | None:
        return self.baseline.visit_date if self.baseline else None

    def day(self, date: dt.date | None) -> int | None:
        return day_offset(date, self.baseline_date())


C = TypeVar("C", bound=Course)


@overload
def course_of(patient: Patient, settings: ScoringSettings) -> Course: ...
@overload
def course_of(patient: Patient, settings: ScoringSettings, *, kind: type[C]) -> C: ...
def course_of(patient: Patient, settings: ScoringSettings, *,
              kind: type[Course] = Course) -> Course:
    """Score every visit of ``patient`` and compare each follow-up with the baseline.

    Args:
        patient: the patient with visits (any order).
        settings: the study's scoring settings (TIS muscle measure, thresholds, ULNs).
        kind: the :class:`Course` class to build (the exports add helpers to it).

    Returns:
        The course, visits in date order.
    """
    baseline = baseline_of(patient.visits)
    ordered = patient.sorted_visits()
    later = follow_ups(ordered, baseline)
    scores = {id(v): scoring.score_visit(v.values) for v in ordered}  # once per visit
    responses: dict[int, VisitResponse] = {}
    if baseline is not None and later:
        from forms import response  # noqa: PLC0415

        # the baseline's totals are scored once for all its follow-ups, and every visit's
        # scores above are the response's too
        computed = response.compare_followups(
            baseline.values, [v.values for v in later], settings,
            baseline_scores=scores[id(baseline)], followup_scores=[scores[id(v)] for v in later])
        responses = {id(v): r for v, r in zip(later, computed, strict=True)}
    base_date = baseline.visit_date if baseline else None
    rows = tuple(CourseVisit(visit=v, day=day_offset(v.visit_date, base_date),
                             is_baseline=v is baseline, scores=scores[id(v)],
                             response=responses.get(id(v)), is_follow_up=id(v) in responses)
                 for v in ordered)
    return kind(patient=patient, baseline=baseline, visits=rows, settings=settings)


#: the :class:`Score` of each stored value :func:`stored_course_of` has met, by (field, rule
#: version, type, value; a Decimal by its text, since its equality ignores the exponent): a
#: Score is immutable, the same few values recur in every visit, and a cohort's export would
#: build a dozen per visit. Bounded: cleared when full.
_STORED_SCORES: dict[tuple[Any, ...], Score] = {}
_STORED_SCORES_MAX = 20_000
#: the types whose equal values are the same value (others are remembered by their text)
_EXACT_KEYS = frozenset({int, str, bool, type(None)})


def _stored_score(name: str, value: Any) -> Score:
    """``Score(name, value, rule_version=...)`` for a stored value, shared by equal ones."""
    version = scoring.RULE_VERSIONS.get(name, "")
    kind = type(value)
    key = (name, version, kind, value if kind in _EXACT_KEYS else str(value))
    found = _STORED_SCORES.get(key)
    if found is None:
        if len(_STORED_SCORES) >= _STORED_SCORES_MAX:
            _STORED_SCORES.clear()
        found = _STORED_SCORES[key] = Score(name, value, rule_version=version)
    return found


@overload
def stored_course_of(patient: Patient, settings: ScoringSettings) -> Course | None: ...
@overload
def stored_course_of(patient: Patient, settings: ScoringSettings, *,
                     kind: type[C]) -> C | None: ...
def stored_course_of(patient: Patient, settings: ScoringSettings, *,
                     kind: type[Course] = Course) -> Course | None:
    """:func:`course_of` from the derived values storage computed at save time
    (``Visit.derived``, attached by ``Repository.iter_patients(with_derived=True)`` only
    while current), without rescoring. Explanations are not stored, so reports that print
    them use :func:`course_of`.

    Returns:
        The course, or None when any visit lacks stored values (the caller then uses
        :func:`course_of`).
    """
    if any(v.derived is None for v in patient.visits):
        return None
    baseline = baseline_of(patient.visits)
    base_date = baseline.visit_date if baseline else None
    rows = []
    for visit in patient.sorted_visits():
        derived = visit.derived or {}
        follows = visit is not baseline and is_follow_up(visit.visit_date, baseline)
        stored_response = None
        if follows:
            if "acr_eular_response" not in derived:
                return None
            stored_response = {n: derived.get(n) for n in RESPONSE_FIELDS}
        if any(n not in derived for n in SCORE_FIELDS):
            return None
        scores = {n: _stored_score(n, derived[n]) for n in SCORE_FIELDS}
        rows.append(CourseVisit(visit=visit, day=day_offset(visit.visit_date, base_date),
                                is_baseline=visit is baseline, scores=scores,
                                stored_response=stored_response, is_follow_up=follows))
    return kind(patient=patient, baseline=baseline, visits=tuple(rows), settings=settings)


def responses_of(visits: Sequence[Visit], settings: ScoringSettings,
                 only: int | None = None, *,
                 scores: Mapping[int, Mapping[str, Score]] | None = None,
                 explain: bool = True,
                 ) -> tuple[Visit | None, list[tuple[Visit, VisitResponse]]]:
    """The baseline of ``visits`` and each follow-up with its response (``only``: just the
    follow-up with that visit id). What storage stores as the follow-ups' responses.

    ``scores``: visit id -> :func:`forms.scoring.score_visit` of that visit's values, for the
    visits the caller has just scored (an import); the others are scored here as before.
    ``explain=False``: without the words for people (what storage stores is the same:
    :func:`forms.response.compare_followups`)."""
    baseline = baseline_of(visits)
    later = [v for v in follow_ups(visits, baseline) if only is None or v.id == only]
    if baseline is None or not later:
        return baseline, []
    from forms import response  # noqa: PLC0415

    known = scores or {}
    computed = response.compare_followups(
        baseline.values, [v.values for v in later], settings,
        baseline_scores=known.get(baseline.id) if baseline.id is not None else None,
        followup_scores=[known.get(v.id) if v.id is not None else None for v in later],
        explain=explain)
    return baseline, list(zip(later, computed, strict=True))
