"""Helpers shared by every export: derived values per visit, day offsets, text safety, versions.

The exports work from :mod:`forms.model` objects, never from SQL, so they depend on nothing of
``storage``'s internals. :func:`summarise` computes, once per patient, everything a report or a
workbook shows: each visit's derived scores (:func:`forms.scoring.score_visit`), its day offset
from the patient's baseline visit, and the response of every follow-up visit against the baseline
(:func:`forms.response.compare_visits`).

Reusable pieces for other collaborator formats (REDCap CSV, spreadsheet import):

* :func:`formula_like` / :func:`formula_safe`: spreadsheet formula injection guards;
* :func:`clean_text`: drop the control characters XML (and so .xlsx) cannot hold;
* :func:`day_offset`: the de-identified day number of a date;
* :func:`number_text`: a ``Decimal``/``int`` as plain text without exponent or trailing zeros
  (:mod:`forms.formatting`, re-exported).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from forms import protocol, registry, response, scoring
from forms.fields import Level
from forms.formatting import (  # noqa: F401 - re-exported: the exports' number helpers
    fixed_text,
    number_text,
    signed_fixed,
    signed_text,
)
from forms.i18n import _
from forms.model import Medication, Patient, Visit
from forms.response import VisitResponse
from forms.scoring import Score
from forms.settings import ScoringSettings
from storage import locks, tempfiles
from storage.errors import KnownStorageError

# --------------------------------------------------------------------------------------------
# Text safety
# --------------------------------------------------------------------------------------------
#: first characters that make a spreadsheet treat typed text as a formula (OWASP "CSV
#: injection"); tab and carriage return are included because some programs strip them first.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: spreadsheet error literals: written as plain strings they would be read back as errors.
ERROR_LITERALS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                            "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                            "#UNKNOWN!", "#BUSY!", "#CONNECT!"})

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula or an error value.

    Use it to decide that a cell must be written explicitly as text.
    """
    return text.startswith(FORMULA_PREFIXES) or text.upper() in ERROR_LITERALS


def formula_safe(value: object) -> object:
    """``value`` made safe for a CSV or any other untyped spreadsheet input.

    Text that :func:`formula_like` flags gets a leading apostrophe (the usual spreadsheet
    "this is text" mark); everything else, including negative *numbers*, is returned unchanged.
    Typed formats (xlsx) should rather write such text as an explicit string cell: see
    :func:`exports.excel.text_cell`.
    """
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def clean_text(text: str) -> str:
    """``text`` without the control characters XML 1.0 forbids (xlsx cells cannot hold them)."""
    return _ILLEGAL_XML.sub("", text)


# --------------------------------------------------------------------------------------------
# Dates and numbers
# --------------------------------------------------------------------------------------------
def day_offset(day: dt.date | None, baseline_day: dt.date | None) -> int | None:
    """Days from ``baseline_day`` to ``day`` (negative before it), or None if either is missing.

    This is how de-identified exports replace dates (data-contract section 4).
    """
    if day is None or baseline_day is None:
        return None
    return (day - baseline_day).days


# number_text, signed_text: forms.formatting (the one value formatter), re-exported here.


# --------------------------------------------------------------------------------------------
# Versions (report footers)
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def written_atomically(out: Path, suffix: str) -> Iterator[Path]:
    """A temporary path that replaces ``out`` only if the block succeeds.

    Every export writes through this, so a failed or interrupted export never leaves a
    half-written file under the final name (and never clobbers an older good one). The
    temporary file is in the private folder beside ``out`` (``storage.tempfiles``: mode 0700,
    swept when its writer no longer runs), and so are openpyxl's own sheet files
    (:func:`openpyxl_temp_files`). ``out`` may not be a database this process has open.
    """
    out = Path(out)
    locks.refuse_live_file(out, "overwrite")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfiles.new_temp_file(out, suffix)
    except OSError as exc:
        raise KnownStorageError("cannot_write", f"Could not write {out}: "
                                f"{exc.strerror or exc}") from exc
    try:
        with openpyxl_temp_files(tmp.parent):
            yield tmp
        os.replace(tmp, out)
    finally:
        tempfiles.finished(tmp)


_openpyxl_guard = threading.RLock()


@contextlib.contextmanager
def openpyxl_temp_files(folder: Path) -> Iterator[None]:
    """openpyxl's write-only sheets go to temporary files (``tempfile`` in ``/tmp``, readable
    patient data left behind by a killed export); while the block runs they are made in
    ``folder`` instead, named for this process so a sweep can remove them."""
    writer: Any = sys.modules.get("openpyxl.worksheet._writer")
    if writer is None:  # openpyxl not loaded: nothing to redirect
        yield
        return
    with _openpyxl_guard:
        original = writer.create_temporary_file

        def create_temporary_file(suffix: str = "") -> str:
            fd, name = tempfile.mkstemp(prefix=f"p{os.getpid()}-openpyxl.", suffix=suffix,
                                        dir=folder)
            os.close(fd)
            writer.ALL_TEMP_FILES.append(name)
            return name

        writer.create_temporary_file = create_temporary_file
        try:
            yield
        finally:
            writer.create_temporary_file = original


@cache
def app_version() -> str:
    """The installed JDM Capture version (``pyproject.toml``), or ``unknown``."""
    try:
        return metadata.version("jdm-capture")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_author() -> str:
    """Who a report is by when the caller does not say: the OS user, else "JDM Capture".

    Callers pass the signed-in user or the clinic's name when they have one."""
    try:
        import getpass  # noqa: PLC0415 - only reports need it

        return getpass.getuser() or "JDM Capture"
    except (OSError, KeyError, ImportError):
        return "JDM Capture"


# fixed_text, signed_fixed: forms.formatting (the one value formatter), re-exported here.


def rule_versions() -> dict[str, str]:
    """Rule name -> version for every scoring and response rule the exports use."""
    versions: dict[str, str] = {}
    for module in (scoring, response):
        versions.update(getattr(module, "RULE_VERSIONS", {}))
    return versions


# --------------------------------------------------------------------------------------------
# Per-patient analysis
# --------------------------------------------------------------------------------------------
TOFACITINIB = "tofacitinib"


@dataclass(frozen=True)
class VisitSummary:
    """One visit with everything derived from it.

    Attributes:
        visit: the entered visit.
        day: days from the patient's baseline visit (0 for the baseline itself).
        is_baseline: this is the visit responses are measured from.
        scores: :func:`forms.scoring.score_visit` result (derived field name -> Score).
        response: :func:`forms.response.compare_visits` against the baseline, for visits
            after the baseline only.
        stored_response: for a follow-up summarised by :func:`summarise_stored`, the
            response values storage computed at save time (registry response fields);
            ``response`` is then None.
    """

    visit: Visit
    day: int | None
    is_baseline: bool
    scores: Mapping[str, Score]
    response: VisitResponse | None = None
    stored_response: Mapping[str, Any] | None = None

    @property
    def is_follow_up(self) -> bool:
        return self.response is not None or self.stored_response is not None

    def response_values(self) -> dict[str, Any]:
        """The registry response fields of a follow-up (empty for other visits)."""
        if self.response is not None:
            return self.response.response_values()
        return dict(self.stored_response or {})

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
        return getattr(score, "missing_reason", None) if score is not None else None


@dataclass(frozen=True)
class PatientSummary:
    """A patient with visits in date order, the baseline, and the derived values."""

    patient: Patient
    baseline: Visit | None
    visits: tuple[VisitSummary, ...]
    settings: ScoringSettings = field(repr=False)

    @property
    def baseline_summary(self) -> VisitSummary | None:
        return next((v for v in self.visits if v.is_baseline), None)

    @property
    def follow_ups(self) -> tuple[VisitSummary, ...]:
        return tuple(v for v in self.visits if v.response is not None)

    def baseline_date(self) -> dt.date | None:
        return self.baseline.visit_date if self.baseline else None

    def day(self, date: dt.date | None) -> int | None:
        return day_offset(date, self.baseline_date())

    def tofacitinib_start(self) -> dt.date | None:
        return tofacitinib_start(self.patient.medications)

    def enzyme_ratio(self, visit: VisitSummary, enzyme: str) -> Decimal | None:
        return enzyme_ratio(visit.visit.values, enzyme, self.settings)


enzyme_ratio = response.enzyme_ratio  # the clinical rule lives in forms.response


def tofacitinib_start(medications: list[Medication]) -> dt.date | None:
    """The first start date of a tofacitinib course, or None."""
    starts = [m.start_date for m in medications if TOFACITINIB in m.drug.casefold()]
    return min(starts) if starts else None


def summarise(patient: Patient, settings: ScoringSettings) -> PatientSummary:
    """Score every visit of ``patient`` and compare each later visit with the baseline.

    Args:
        patient: the patient with visits (any order).
        settings: the study's scoring settings (TIS muscle measure, thresholds, ULNs).

    Returns:
        A :class:`PatientSummary` with visits in date order.
    """
    baseline = patient.baseline_visit()
    base_date = baseline.visit_date if baseline else None
    rows = []
    for visit in patient.sorted_visits():
        is_baseline = visit is baseline
        compared = None
        if baseline is not None and not is_baseline and visit.visit_date > baseline.visit_date:
            compared = response.compare_visits(baseline.values, visit.values, settings)
        rows.append(VisitSummary(visit=visit, day=day_offset(visit.visit_date, base_date),
                                 is_baseline=is_baseline,
                                 scores=scoring.score_visit(visit.values), response=compared))
    return PatientSummary(patient=patient, baseline=baseline, visits=tuple(rows),
                          settings=settings)


_DERIVED_VISIT = tuple(f.name for f in registry.visit_fields(derived=True))
_RESPONSE_FIELDS = tuple(f.name for f in registry.fields_for(level=Level.RESPONSE))


def summarise_stored(patient: Patient, settings: ScoringSettings) -> PatientSummary | None:
    """:func:`summarise` from the derived values storage computed at save time.

    Bulk exports of a database use this: ``Repository.iter_patients(with_derived=True)``
    attaches ``Visit.derived`` only while it is current (same rule versions and scoring
    settings), so the values are the ones :func:`summarise` would compute, without rescoring
    100,000 visits. Explanations are not stored, so reports that print them use
    :func:`summarise`.

    Returns:
        The summary, or None when any visit lacks stored values (the caller then uses
        :func:`summarise`).
    """
    if any(v.derived is None for v in patient.visits):
        return None
    baseline = patient.baseline_visit()
    base_date = baseline.visit_date if baseline else None
    rows = []
    for visit in patient.sorted_visits():
        derived = visit.derived or {}
        is_baseline = visit is baseline
        stored_response = None
        if baseline is not None and not is_baseline and visit.visit_date > baseline.visit_date:
            if "acr_eular_response" not in derived:
                return None
            stored_response = {n: derived.get(n) for n in _RESPONSE_FIELDS}
        if any(n not in derived for n in _DERIVED_VISIT):
            return None
        scores = {n: Score(n, derived[n], rule_version=scoring.RULE_VERSIONS.get(n, ""))
                  for n in _DERIVED_VISIT}
        rows.append(VisitSummary(visit=visit, day=day_offset(visit.visit_date, base_date),
                                 is_baseline=is_baseline, scores=scores,
                                 stored_response=stored_response))
    return PatientSummary(patient=patient, baseline=baseline, visits=tuple(rows),
                          settings=settings)


def label(name: str) -> str:
    """The clinician-facing label of a patient/visit/response field, from the registry."""
    return registry.get(name).label
