"""The de-identification policy: one place for what leaves the clinic in a de-identified output.

The workbook (:mod:`exports.excel`), the REDCap project (:mod:`exports.redcap`) and the
de-identified patient PDF (:mod:`exports.pdf`) all build their de-identified output from
:func:`deidentify`, a copy of the patient that holds nothing the policy does not allow, and choose
their columns with :func:`included`. The policy of each field is stated in the registry
(:attr:`forms.fields.Field.deid_policy`):

* ``DROP``: identifiers (names, MRN, date of birth) and free text (assessor, medication notes,
  the visit's notes; :data:`forms.registry.VISIT_NOTES`) are left out;
* ``CODE``: drugs and adverse-event terms are replaced by their code in the registry's
  vocabularies (:data:`forms.registry.VOCABULARIES`); text that is not exactly a listed name or
  synonym becomes ``other``, so "zoster; seen by Dr Roe at St Mary's 01/04/2021" never leaves;
* ``LABEL``: a visit label is kept only when it is a protocol label (``M0``, ``M3``, ...),
  anything else becomes ``day N`` (days from the patient's baseline visit), so a label such as
  ``2021-03-04`` or a child's initials cannot carry an identifier out;
* ``DATE``: dates stay in the copy (reports need the intervals) and each output writes them as
  day offsets (:func:`exports.common.day_offset`) or as :data:`DEIDENTIFIED_EPOCH` plus the
  offset (:func:`shifted_date`);
* ``KEEP``: codes, numbers, booleans and the pseudonymous study ID.

What this does not cover (README "Data safety"): the study ID is exported as entered (a
warning at entry flags one that looks like the MRN); exact day intervals, ages at baseline, rare
autoantibodies and small cohorts can still single a child out to someone who knows them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from functools import cache, lru_cache

from forms import protocol, registry
from forms.fields import Choice, Deid, Field, FieldType, Level
from forms.i18n import in_language
from forms.model import Patient
from forms.validation import vocabulary_code

#: de-identified REDCap dates are this day plus the day offset from the patient's baseline.
DEIDENTIFIED_EPOCH = dt.date(2000, 1, 1)

#: protocol visit labels: month visits ``M0``, ``M3``, ``M12`` (the REDCap events).
_PROTOCOL = re.compile(r"[Mm](\d{1,3})")


def included(f: Field, *, identified: bool) -> bool:
    """Whether field ``f`` appears in an output (identified outputs hold every field)."""
    return identified or f.deid_policy is not Deid.DROP


@lru_cache(maxsize=1024)  # a pure function of the text; a cohort's labels repeat
def protocol_label(label: str | None) -> str | None:
    """The canonical label of a protocol, flare or unscheduled visit
    (:func:`forms.protocol.canonical_label`: ``m3`` -> ``M3``, ``Flare`` -> ``flare``), also for
    a month label outside the default schedule (``M9``); None for any other text."""
    if label is None:
        return None
    canonical = protocol.canonical_label(label)
    if canonical is not None:
        return canonical
    match = _PROTOCOL.fullmatch(label.strip())
    return f"M{int(match.group(1))}" if match else None


def visit_label(label: str | None, day: int | None) -> str | None:
    """A visit label as de-identified outputs show it: the protocol label, else ``day N``.

    An empty label stays empty (outputs then name the visit by its day number themselves).
    """
    if not label:
        return None
    proto = protocol_label(label)
    if proto is not None:
        return proto
    return f"day {day}" if day is not None else "visit"


def code(f: Field, text: str | None) -> str | None:
    """The vocabulary code of a coded field's text (``other`` when not listed)."""
    return vocabulary_code(f, text)


@cache
def code_choices(vocabulary: str) -> tuple[Choice, ...]:
    """The codes of a registry vocabulary as choices (for dictionaries and drop-downs)."""
    return tuple(Choice(t.code, t.label_en) for t in registry.VOCABULARIES[vocabulary])


def code_label(f: Field, value: str | None) -> str | None:
    """The label of a coded value (``herpes_zoster`` -> ``Herpes zoster``)."""
    if value is None:
        return None
    for c in code_choices(f.vocabulary):
        if c.code == value:
            return c.label
    return value


def coded_field(f: Field) -> Field:
    """``f`` as de-identified outputs define it: a choice of its vocabulary's codes."""
    what = "drug list" if f.vocabulary == "drugs" else "JDM adverse-event term list"
    with in_language("en"):  # replace() reads the texts back: keep the English originals
        return dataclasses.replace(
            f, type=FieldType.CHOICE, choices=code_choices(f.vocabulary), max_length=None,
            help=f"De-identified: the code of the {what}; text that is not a listed name is "
                 f"'{registry.OTHER_CODE}' (the typed text is in identified exports only).")


def shifted_date(day: dt.date | None, baseline: dt.date | None) -> dt.date | None:
    """``DEIDENTIFIED_EPOCH`` plus the days from ``baseline`` to ``day`` (REDCap needs real
    dates); None without a baseline, or when the result is outside the calendar (a date saved
    before dates were bounded)."""
    if day is None or baseline is None:
        return None
    try:
        return DEIDENTIFIED_EPOCH + (day - baseline)
    except OverflowError:
        return None


def _coded(f: Field, text: str | None, as_label: bool) -> str | None:
    value = code(f, text)
    return code_label(f, value) if as_label else value


@cache
def _dropped_visit_values() -> frozenset[str]:
    """The visit values no de-identified output holds (the registry is fixed at import; this
    was computed again for every patient of an export)."""
    return frozenset(f.name for f in registry.visit_value_fields()
                     if not included(f, identified=False))


def deidentify(patient: Patient, *, labels: bool = False) -> Patient:
    """A copy of ``patient`` holding only what de-identified outputs may show.

    Names, MRN and free text are removed, drugs and adverse-event terms replaced by their
    vocabulary codes (their labels with ``labels=True``, for printed reports), visit labels by
    protocol labels or ``day N``; dates (the birth date too, for ages), values, codes and stored
    scores are kept, and each output writes dates as day numbers and never the birth date. The
    original is not changed.
    """
    baseline = patient.baseline_visit()
    base_date = baseline.visit_date if baseline else None
    dropped = _dropped_visit_values()
    base_label = None
    if baseline is not None:
        base_label = visit_label(baseline.visit_label, 0)
    visits = []
    for v in patient.visits:
        day = (v.visit_date - base_date).days if base_date else None
        derived = v.derived
        if derived is not None and "baseline_label" in derived:
            derived = {**derived, "baseline_label": base_label}
        values = dict(v.values)  # a copy (in order) without what no de-identified output holds
        for name in [k for k in dropped if k in values]:
            del values[name]
        visits.append(dataclasses.replace(
            v, visit_label=visit_label(v.visit_label, day), values=values, notes="",
            derived=derived))
    med = {f.name: f for f in registry.fields_for(level=Level.MEDICATION)}
    ae = {f.name: f for f in registry.fields_for(level=Level.ADVERSE_EVENT)}
    meds = [dataclasses.replace(m, drug=_coded(med["drug"], m.drug, labels) or "", notes="")
            for m in patient.medications]
    events = [dataclasses.replace(a, term=_coded(ae["term"], a.term, labels) or "",
                                  related_drug=_coded(ae["related_drug"], a.related_drug, labels))
              for a in patient.adverse_events]
    # Like every date, the birth date stays in the copy for arithmetic (ages at baseline and
    # diagnosis); no de-identified output writes it (its policy is DROP). The baseline is found
    # by flag or date, both kept: it is the same visit in the copy.
    kept: dict[str, str | dt.date] = ({"birth_date": patient.birth_date}
                                      if patient.birth_date else {})
    return dataclasses.replace(patient, identifiers=kept, visits=visits, medications=meds,
                               adverse_events=events)


__all__ = ["DEIDENTIFIED_EPOCH", "Deid", "code", "code_choices", "code_label", "coded_field",
           "deidentify", "included", "protocol_label", "shifted_date", "visit_label"]
