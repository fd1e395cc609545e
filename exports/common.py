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
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from forms import course, registry, response, scoring
from forms.formatting import (  # noqa: F401 - re-exported: the exports' number helpers
    fixed_text,
    number_text,
    signed_fixed,
    signed_text,
)
from forms.i18n import _
from forms.model import Medication, Patient
from forms.records import frozen
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
day_offset = course.day_offset  #: days from the baseline (forms.course)


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
        raise KnownStorageError("cannot_write", _("Could not write {path}: {error}").format(
            path=out, error=exc.strerror or exc)) from exc
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
@cache
def app_version() -> str:
    """The installed JDM Capture version (``pyproject.toml``), or ``unknown``.

    Read from the ``Version:`` line of the installed ``METADATA`` when it is found on
    ``sys.path`` (what ``importlib.metadata`` reads, without importing it and its e-mail
    header parser: about 10 ms of every cold report); else through ``importlib.metadata``.
    """
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("jdm_capture-") and name.endswith(".dist-info"):
                try:
                    with open(os.path.join(entry or ".", name, "METADATA"),
                              encoding="utf-8") as handle:
                        for line in handle:
                            if line.startswith("Version:"):
                                return line.split(":", 1)[1].strip()
                            if not line.strip():
                                break  # the headers end at the first blank line
                except OSError:
                    pass
    from importlib import metadata  # noqa: PLC0415

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


VisitSummary = course.CourseVisit  #: one visit with its scores and response (forms.course)


@frozen
class PatientSummary(course.Course):
    """A patient's course (:class:`forms.course.Course`: visits in date order, the baseline,
    the derived values) with the helpers the reports use."""

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
    """Score every visit of ``patient`` and compare each follow-up with the baseline
    (:func:`forms.course.course_of`: the one rule for the baseline and its follow-ups).

    Args:
        patient: the patient with visits (any order).
        settings: the study's scoring settings (TIS muscle measure, thresholds, ULNs).

    Returns:
        A :class:`PatientSummary` with visits in date order.
    """
    return course.course_of(patient, settings, kind=PatientSummary)


def summarise_stored(patient: Patient, settings: ScoringSettings) -> PatientSummary | None:
    """:func:`summarise` from the derived values storage computed at save time
    (:func:`forms.course.stored_course_of`).

    Bulk exports of a database use this: ``Repository.iter_patients(with_derived=True)``
    attaches ``Visit.derived`` only while it is current (same rule versions and scoring
    settings), so the values are the ones :func:`summarise` would compute, without rescoring
    100,000 visits. Explanations are not stored, so reports that print them use
    :func:`summarise`.

    Returns:
        The summary, or None when any visit lacks stored values (the caller then uses
        :func:`summarise`).
    """
    return course.stored_course_of(patient, settings, kind=PatientSummary)


def label(name: str) -> str:
    """The clinician-facing label of a patient/visit/response field, from the registry."""
    return registry.get(name).label
