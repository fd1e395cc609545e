"""JSON case files (data-contract section 2): strict reading, all-or-nothing import, export.

Reading never raises a traceback for bad input: :func:`parse_case_text` checks the whole file
(JSON syntax, ``format``/``version``, the shape of every object, every value through
``forms.validation``) and raises :class:`CaseFileRejected` with **every** problem, one line
each, in the data-contract wording::

    cases.json: patient P07, visit 2021-03-04 (M3): cmas_leg_raise = 3 is out of range 0-2

:func:`import_case_file` then writes the file's patients in one transaction
(:meth:`storage.repository.Repository.import_patients`), so a file is imported whole or not at
all. :func:`export_case_file` writes the whole database back in the same format, with the
stored derived values under ``"derived"`` (which import ignores) and the scoring settings that
produced them under ``"settings"``.

Settings travel with the data: a file whose ``settings`` differ from the database's is not
imported until the caller chooses (``settings="file"``: the database takes the file's settings
and every stored response is recomputed with them; ``settings="keep"``: the database keeps its
own, and the file's visits are scored with them). Without a choice
:class:`SettingsDiffer` lists the differences and nothing is saved.

Limits: a file larger than :data:`MAX_FILE_BYTES` is refused before it is read, the text is
parsed once, and after :data:`MAX_PROBLEMS` problems checking stops (the list says so).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from forms import registry, validation
from forms.fields import Level
from forms.i18n import N_, _
from forms.model import IDENTIFIER_KEYS, AdverseEvent, Medication, Patient, Visit
from forms.records import mutable
from forms.settings import (
    ScoringSettings,
    settings_differences,
    settings_from_items,
    settings_items,
)
from storage import locks, tempfiles
from storage.errors import KnownStorageError, ValidationFailed
from storage.repository import AppSettings, CheckedVisit, ImportSummary, Repository

FORMAT = "jdm-capture-cases"
VERSION = 1

#: the largest case file read (the 5,000-patient x 20-visit benchmark cohort is ~110 MB).
MAX_FILE_BYTES = 512 * 1024 * 1024
#: checking stops after this many problems: a file that wrong needs fixing at its source.
MAX_PROBLEMS = 1000

#: how an import treats a file whose scoring settings differ from the database's.
SettingsChoice = Literal["file", "keep"]

_TOP_KEYS = ("format", "version", "patients", "exported_at", "generator", "note", "settings")
_PATIENT_KEYS = ("study_id", "identifiers", "sex", "diagnosis_date", "autoantibody", "visits",
                 "medications", "adverse_events", "derived")
_VISIT_KEYS = ("visit_date", "visit_label", "baseline", "values", "missing", "notes",
               "derived")


class CaseFileRejected(Exception):
    """The file was refused; nothing of it was saved.

    Attributes:
        problems: one line per problem, each starting with the file name.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class SettingsDiffer(CaseFileRejected):
    """The file's scoring settings differ from the database's and no choice was made.

    Nothing was saved. ``problems`` holds the explanation and one line per setting;
    ``differences`` the setting lines alone; ``settings`` the file's settings.
    """

    def __init__(self, name: str, differences: list[str], settings: ScoringSettings) -> None:
        super().__init__([f"{name}: {settings_question()}",
                          *(_("{file}: setting {difference}").format(file=name, difference=d)
                            for d in differences)])
        self.differences = differences
        self.settings = settings


def settings_question() -> str:
    """The sentence every import front end uses when settings differ."""
    return _("its scoring settings differ from this database's, so its responses (TIS, "
             "PRINTO) would come out differently; choose which settings apply: the file's "
             "(every stored response is recomputed with them) or this database's (the "
             "file's visits are scored with them)")


@mutable
class CaseFile:
    """A parsed and validated case file.

    Attributes:
        settings: the scoring settings the file was exported with, or None when it names none.
    """

    name: str
    patients: list[Patient] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    settings: ScoringSettings | None = None
    #: ``id(visit)`` -> proof of the check each parsed visit passed, so the import does not
    #: validate it a second time (the repository re-checks any visit changed since).
    checked: dict[int, CheckedVisit] = field(default_factory=dict)

    @property
    def visit_count(self) -> int:
        return sum(len(p.visits) for p in self.patients)


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)  # at C speed; a repeated key leaves fewer entries than pairs
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:  # the first key that repeats, as the file has it
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float, Decimal)):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


class _Collector:
    """Gathers problem lines with the file name and the record being read."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.checked: dict[int, CheckedVisit] = {}

    def error(self, where: str, text: str) -> None:
        self.errors.append(f"{self.name}: {where}: {text}" if where else f"{self.name}: {text}")

    def problems(self, where: str, problems: Iterable[validation.Problem]) -> None:
        for p in problems:
            line = f"{self.name}: {where}: {p.code_message}"
            (self.errors if p.is_error else self.warnings).append(line)

    @property
    def full(self) -> bool:
        """True once so many problems were found that checking further helps nobody."""
        return len(self.errors) >= MAX_PROBLEMS

    def stop_note(self) -> None:
        self.errors.append(_("{file}: more than {n} problems; checking stopped here (nothing "
                             "was saved)").format(file=self.name, n=MAX_PROBLEMS))

    def unknown_keys(self, where: str, obj: Mapping[str, Any], allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in obj:
            if key not in allowed:
                self.error(where, _('"{key}" is not a known key here (allowed: {allowed})')
                           .format(key=key, allowed=", ".join(allowed)))


def _load_json(data: str | bytes, col: _Collector) -> Any:
    """Decode and parse the file once."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            col.error("", _("is not UTF-8 text (byte 0x{byte} at position {position})").format(
                byte=f"{data[exc.start]:02x}", position=exc.start))
            return None
    else:
        text = data
    if not text.strip():
        col.error("", _('is empty; a case file is a JSON object with "format", "version" and '
                        '"patients"'))
        return None
    try:
        # Numbers are bounded before conversion (validation.json_number): a 5,000-digit
        # integer or 1e-99999999 becomes a problem naming its field, not an exception.
        return json.loads(text, parse_float=validation.json_float,
                          parse_int=validation.json_int, object_pairs_hook=_pairs,
                          parse_constant=float)
    except _DuplicateKey as exc:
        col.error("", _('the key "{key}" appears twice in one object').format(key=exc.args[0]))
    except json.JSONDecodeError as exc:
        col.error("", _("is not valid JSON: {error} (line {line}, column {column})").format(
            error=_json_error(exc.msg), line=exc.lineno, column=exc.colno))
    except RecursionError:
        col.error("", _("is not a case file: its JSON is nested too deeply"))
    except ValueError as exc:  # an integer too long for Python to convert
        col.error("", _("is not a case file: {error}").format(error=str(exc)[:200]))
    return None


#: the json module's error messages (json.decoder), for the user's language
_JSON_ERRORS = {
    "Expecting value": N_("Expecting value"),
    "Expecting ',' delimiter": N_("Expecting ',' delimiter"),
    "Expecting ':' delimiter": N_("Expecting ':' delimiter"),
    "Expecting property name enclosed in double quotes":
        N_("Expecting property name enclosed in double quotes"),
    "Unterminated string starting at": N_("Unterminated string starting at"),
    "Invalid control character at": N_("Invalid control character at"),
    "Invalid \\escape": N_("Invalid \\escape"),
    "Invalid \\uXXXX escape": N_("Invalid \\uXXXX escape"),
    "Extra data": N_("Extra data"),
    "Illegal trailing comma before end of object":
        N_("Illegal trailing comma before end of object"),
    "Illegal trailing comma before end of array":
        N_("Illegal trailing comma before end of array"),
}


def _json_error(msg: str) -> str:
    return _(_JSON_ERRORS[msg]) if msg in _JSON_ERRORS else msg


BirthDates = Mapping[str, dt.date | None] | Callable[[list[str]], Mapping[str, dt.date | None]]


def parse_case_text(data: str | bytes, name: str = "cases.json", *,
                    birth_dates: BirthDates | None = None,
                    today: dt.date | None = None) -> CaseFile:
    """Parse and validate a whole case file.

    Args:
        data: the file's content.
        name: the file name used at the start of every message.
        birth_dates: saved birth dates of study IDs already in the database, so a visit of an
            existing patient is checked against it when the file gives none; or a function
            that looks them up for the file's study IDs (the file is parsed only once).
        today: the current date (visits may not be in the future).

    Returns:
        The validated :class:`CaseFile` (normalized values, warnings).

    Raises:
        CaseFileRejected: with every problem found.
    """
    col = _Collector(name)
    doc = _load_json(data, col)
    if col.errors:
        raise CaseFileRejected(col.errors)
    result = CaseFile(name)
    if not isinstance(doc, dict):
        col.error("", _("is not a case file: the top level is {type}, not an object").format(
            type=_type_name(doc)))
        raise CaseFileRejected(col.errors)
    fmt = doc.get("format")
    if fmt != FORMAT:
        col.error("", _('"format" is {value}, not "{format}": this is not a JDM Capture case '
                        'file').format(value=json.dumps(fmt, default=str), format=FORMAT))
        raise CaseFileRejected(col.errors)
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        col.error("", _('"version" must be the whole number {version}, not {value}').format(
            version=VERSION, value=json.dumps(version, default=str)))
        raise CaseFileRejected(col.errors)
    if version > VERSION:
        col.error("", _("is case-file version {version}, written by a newer JDM Capture; this "
                        "version reads version {current}. Update JDM Capture to import it")
                  .format(version=version, current=VERSION))
        raise CaseFileRejected(col.errors)
    if version < VERSION:
        col.error("", _("version {version} does not exist; the current version is {current}")
                  .format(version=version, current=VERSION))
        raise CaseFileRejected(col.errors)
    col.unknown_keys("", doc, _TOP_KEYS)
    result.settings = _settings(doc.get("settings"), col)
    patients = doc.get("patients")
    if not isinstance(patients, list):
        col.error("", _('"patients" must be a list of patients, not {type}').format(
            type=_type_name(patients)))
        raise CaseFileRejected(col.errors)
    births = birth_dates or {}
    if callable(births):
        births = births([p["study_id"].strip() for p in patients
                         if isinstance(p, dict) and isinstance(p.get("study_id"), str)])
    seen: set[str] = set()
    for index, raw in enumerate(patients):
        if col.full:
            col.stop_note()
            break
        patient = _patient(raw, index, col, births, today)
        if patient is None:
            continue
        if patient.study_id in seen:
            col.error(f"patient {patient.study_id}", _("appears twice in this file"))
        seen.add(patient.study_id)
        result.patients.append(patient)
    if col.errors:
        raise CaseFileRejected(col.errors)
    result.warnings = col.warnings
    result.checked = col.checked
    return result


def _settings(raw: Any, col: _Collector) -> ScoringSettings | None:
    """The file's ``settings`` object (data-contract section 2), checked; None when absent."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        col.error("", _('"settings" must be an object of setting names and values, not {type}')
                  .format(type=_type_name(raw)))
        return None
    settings, problems = settings_from_items(raw)
    for line in problems:
        col.error("", line)
    return settings


def _list(obj: Mapping[str, Any], key: str, where: str, col: _Collector) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        col.error(where, _('"{key}" must be a list, not {type}').format(
            key=key, type=_type_name(value)))
        return []
    return value


def _patient(raw: Any, index: int, col: _Collector, birth_dates: Mapping[str, dt.date | None],
             today: dt.date | None) -> Patient | None:
    where = f"patients[{index}]"
    if not isinstance(raw, dict):
        col.error(where, _("must be an object, not {type}").format(type=_type_name(raw)))
        return None
    sid = raw.get("study_id")
    if isinstance(sid, str) and sid.strip():
        where = f"patient {sid.strip()}"
    col.unknown_keys(where, raw, _PATIENT_KEYS)
    record = {k: raw.get(k) for k in ("study_id", "sex", "diagnosis_date", "autoantibody")}
    identifiers = raw.get("identifiers")
    if identifiers is not None:
        if not isinstance(identifiers, dict):
            col.error(where, _('"identifiers" must be an object, not {type}').format(
                type=_type_name(identifiers)))
        else:
            col.unknown_keys(f"{where}, identifiers", identifiers, IDENTIFIER_KEYS)
            record.update({k: v for k, v in identifiers.items() if k in IDENTIFIER_KEYS})
    check = validation.check_patient(record, today=today)
    col.problems(where, check.problems)
    values = check.values
    study_id = values.get("study_id")
    birth = values.get("birth_date")
    if birth is None and isinstance(study_id, str):
        birth = birth_dates.get(study_id)
    patient = Patient(
        study_id=str(study_id or sid or f"#{index}"), sex=values.get("sex"),
        diagnosis_date=values.get("diagnosis_date"), autoantibody=values.get("autoantibody"),
        identifiers={k: values[k] for k in IDENTIFIER_KEYS if values.get(k) is not None})
    dates: set[dt.date] = set()
    baselines = 0
    for vi, vraw in enumerate(_list(raw, "visits", where, col)):
        visit = _visit(vraw, vi, where, col, birth, today)
        if visit is None:
            continue
        if visit.visit_date in dates:
            col.error(f"{where}, visit {visit.describe()}",
                      _("the same visit_date appears twice for this patient"))
        dates.add(visit.visit_date)
        baselines += visit.baseline
        patient.visits.append(visit)
    if baselines > 1:
        col.error(where, _("{n} visits are marked baseline; at most one may be").format(
            n=baselines))
    courses: dict[tuple[Any, ...], int] = {}
    for mi, mraw in enumerate(_list(raw, "medications", where, col)):
        med = _record(mraw, mi, where, col, Level.MEDICATION)
        if med is not None and _unique(med, mi, courses, where, col, Level.MEDICATION):
            patient.medications.append(Medication(**med))
    events: dict[tuple[Any, ...], int] = {}
    for ai, araw in enumerate(_list(raw, "adverse_events", where, col)):
        event = _record(araw, ai, where, col, Level.ADVERSE_EVENT)
        if event is not None and _unique(event, ai, events, where, col, Level.ADVERSE_EVENT):
            patient.adverse_events.append(AdverseEvent(**event))
    return patient


#: the fields an import matches a saved medication course / adverse event by
#: (:meth:`storage.repository.Repository.import_patients`).
MATCH_KEYS: dict[Level, tuple[str, str]] = {Level.MEDICATION: ("drug", "start_date"),
                                            Level.ADVERSE_EVENT: ("onset_date", "term")}


def match_key_text(level: Level, values: Mapping[str, Any]) -> str:
    """``drug mtx, start_date 2021-01-04``: a record's match key in words."""
    return ", ".join(f"{k} {json_value(values.get(k))}" for k in MATCH_KEYS[level])


def _unique(values: Mapping[str, Any], index: int, seen: dict[tuple[Any, ...], int],
            where: str, col: _Collector, level: Level) -> bool:
    """False (and an error naming both records) when an earlier record has the same key.

    The import matches records by these keys, so two of them would silently become one.
    """
    key = tuple(values.get(k) for k in MATCH_KEYS[level])
    kind = "medication" if level is Level.MEDICATION else "adverse event"
    name = values.get("drug" if level is Level.MEDICATION else "term")
    if key in seen:
        col.error(f"{where}, {kind} {index + 1}" + (f" ({name})" if name else ""),
                  (_("has the same {keys} as medication {other} ({values}); the import "
                     "matches medications by them, so the two would become one: correct one "
                     "of them, or merge them") if level is Level.MEDICATION else
                   _("has the same {keys} as adverse event {other} ({values}); the import "
                     "matches adverse events by them, so the two would become one: correct "
                     "one of them, or merge them")).format(
                      keys=_("{a} and {b}").format(a=MATCH_KEYS[level][0],
                                                   b=MATCH_KEYS[level][1]),
                      other=seen[key] + 1,
                      values=match_key_text(level, values)))
        return False
    seen[key] = index
    return True


def _visit(raw: Any, index: int, where: str, col: _Collector, birth: Any,
           today: dt.date | None) -> Visit | None:
    vwhere = f"{where}, visits[{index}]"
    if not isinstance(raw, dict):
        col.error(vwhere, _("must be an object, not {type}").format(type=_type_name(raw)))
        return None
    vdate, vlabel = raw.get("visit_date"), raw.get("visit_label")
    if isinstance(vdate, str):
        vwhere = f"{where}, visit {vdate}" + (f" ({vlabel})" if isinstance(vlabel, str) else "")
    col.unknown_keys(vwhere, raw, _VISIT_KEYS)
    values = raw.get("values")
    if values is None:
        values = {}
    if not isinstance(values, dict):
        col.error(vwhere, _('"values" must be an object of field names and values, not {type}')
                  .format(type=_type_name(values)))
        values = {}
    missing = raw.get("missing")
    if missing is not None and not isinstance(missing, dict):
        col.error(vwhere, _('"missing" must be an object of field names and reasons, not '
                            '{type}').format(type=_type_name(missing)))
        missing = None
    baseline = raw.get("baseline", False)
    if baseline is None:
        baseline = False
    if not isinstance(baseline, bool):
        col.error(vwhere, _("baseline = {value} must be true or false").format(
            value=json.dumps(baseline, default=str)))
        baseline = False
    notes = raw.get("notes")
    if notes is None:
        notes = ""
    if not isinstance(notes, str):
        col.error(vwhere, _("notes must be text, not {type}").format(type=_type_name(notes)))
        notes = ""
    elif validation.has_lone_surrogate(notes):
        col.error(vwhere, f"notes {validation.LONE_SURROGATE}")
        notes = ""
    check = validation.check_visit(values, missing, visit_date=vdate if vdate is not None
                                   else None, visit_label=vlabel,
                                   birth_date=birth if isinstance(birth, dt.date) else None,
                                   today=today)
    col.problems(vwhere, check.problems)
    if vdate is None and not any(p.field == "visit_date" for p in check.problems):
        col.error(vwhere, _("visit_date = (empty) is required"))
    day = check.values.get("visit_date")
    if not isinstance(day, dt.date):
        return None
    label = check.values.get("visit_label")
    entered = dict(check.values)  # without the visit's header
    for key in registry.VISIT_KEYS:
        entered.pop(key, None)
    visit = Visit(visit_date=day, visit_label=label if isinstance(label, str) else None,
                  baseline=baseline, values=entered, missing=dict(check.missing), notes=notes)
    if not check.errors:
        col.checked[id(visit)] = CheckedVisit(
            visit, check, birth_date=birth if isinstance(birth, dt.date) else None, today=today)
    return visit


def _record(raw: Any, index: int, where: str, col: _Collector,
            level: Level) -> dict[str, Any] | None:
    kind = "medication" if level is Level.MEDICATION else "adverse event"
    rwhere = f"{where}, {kind} {index + 1}"
    if not isinstance(raw, dict):
        col.error(rwhere, _("must be an object, not {type}").format(type=_type_name(raw)))
        return None
    name = raw.get("drug" if level is Level.MEDICATION else "term")
    if isinstance(name, str) and name.strip():
        rwhere += f" ({name.strip()})"
    check = (validation.check_medication(raw) if level is Level.MEDICATION
             else validation.check_adverse_event(raw))
    col.problems(rwhere, check.problems)
    if check.errors:
        return None
    values = dict(check.values)
    if level is Level.MEDICATION:
        values["notes"] = values.get("notes") or ""
    return values


# --------------------------------------------------------------------------------------------
# Import and export
# --------------------------------------------------------------------------------------------
def _read(path: Path) -> bytes:
    """The file's bytes, refusing a file too large to be a case file before reading it, and
    an open database (or its -wal/-shm) unread: opening it by hand would release SQLite's
    locks on it (``storage.locks``)."""
    if (live := locks.live_database_of(path)) is not None:
        raise CaseFileRejected([_("{file}: is the open database {db} (or one of its working "
                                  "files), not a case file; choose a .json case file").format(
                                      file=path.name, db=live.name)])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CaseFileRejected([_(
                "{file}: is {size} MB; the largest case file JDM Capture reads is {limit} MB "
                "(split it, e.g. by patient)").format(file=path.name, size=f"{size / 2**20:,.0f}",
                                                      limit=MAX_FILE_BYTES // 2**20)])
        if path.is_dir():
            raise CaseFileRejected([_("{file}: is a folder, not a case file").format(
                file=path.name)])
        return path.read_bytes()
    except OSError as exc:
        raise CaseFileRejected([_("{file}: cannot be read: {error}").format(
            file=path.name, error=exc.strerror or exc)]) from exc


def load_case_file(path: Path | str, *, birth_dates: BirthDates | None = None,
                   today: dt.date | None = None) -> CaseFile:
    """Read and validate a case file from disk (see :func:`parse_case_text`)."""
    path = Path(path)
    return parse_case_text(_read(path), path.name, birth_dates=birth_dates, today=today)


def import_case_file(repo: Repository, path: Path | str, actor: str, *,
                     today: dt.date | None = None,
                     settings: SettingsChoice | None = None) -> tuple[CaseFile, ImportSummary]:
    """Validate a whole file, then save it in one transaction (all or nothing).

    Args:
        settings: what to do when the file's scoring settings differ from the database's:
            ``"file"`` (the database takes the file's settings, every stored response is
            recomputed, in the same transaction), ``"keep"`` (the database's settings stay),
            or None (refuse with :class:`SettingsDiffer`).

    Returns:
        The parsed file (with its warnings) and what was written.

    Raises:
        SettingsDiffer: the settings differ and ``settings`` is None; nothing was saved.
        CaseFileRejected: any problem in the file; nothing was saved.
        KnownStorageError: the database is locked, read-only, full, ...
    """
    path = Path(path)
    case = parse_case_text(_read(path), path.name, birth_dates=repo.birth_dates, today=today)
    try:
        with repo.transaction():
            # settings first: a refusal costs nothing, and the file's visits are then scored
            # with the settings that apply
            apply_file_settings(repo, path.name, case.settings, settings, actor)
            summary = repo.import_patients(case.patients, actor, today=today,
                                           checked=case.checked)
    except ValidationFailed as exc:
        where = f"{exc.context}: " if exc.context else ""
        raise CaseFileRejected([f"{path.name}: {where}{p.code_message}"
                                for p in exc.problems]) from exc
    return case, summary


def apply_file_settings(repo: Repository, name: str, theirs: ScoringSettings | None,
                        choice: SettingsChoice | None, actor: str) -> list[str]:
    """Compare a file's scoring settings with the database's and act on the user's choice.

    Call it inside the import's transaction: :class:`SettingsDiffer` (no choice made) then
    rolls the whole import back. ``"file"`` saves the file's settings (audited) and
    recomputes every stored response; ``"keep"`` changes nothing.

    Returns:
        The differences found (empty when the file names no settings or the same ones).
    """
    if theirs is None:
        return []
    current = repo.get_settings()
    differences = settings_differences(theirs, current.scoring)
    if not differences:
        return []
    if choice is None:
        raise SettingsDiffer(name, differences, theirs)
    if choice == "file":
        repo.set_settings(AppSettings(theirs, current.assessor), actor, refresh=True)
    elif choice != "keep":
        raise ValueError(f"settings choice must be 'file' or 'keep', not {choice!r}")
    return differences


def json_value(value: Any) -> Any:
    """A normalized value as written in a case file (exact decimals, ISO dates)."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)  # json writes the shortest repr: exactly the decimal entered
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value} to a case file")
        return value
    return str(value)


def patient_to_json(patient: Patient,
                    derived: Mapping[int, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """One patient as a case-file object (``derived``: visit id -> derived values)."""
    out: dict[str, Any] = {"study_id": patient.study_id}
    if patient.identifiers:
        out["identifiers"] = {k: json_value(v) for k, v in patient.identifiers.items()}
    for key in ("sex", "diagnosis_date", "autoantibody"):
        value = getattr(patient, key)
        if value is not None:
            out[key] = json_value(value)
    visits = []
    for v in patient.sorted_visits():
        item: dict[str, Any] = {"visit_date": v.visit_date.isoformat()}
        if v.visit_label:
            item["visit_label"] = v.visit_label
        if v.baseline:
            item["baseline"] = True
        item["values"] = {k: json_value(x) for k, x in v.values.items()}
        if v.missing:
            item["missing"] = dict(v.missing)
        if v.notes:
            item["notes"] = v.notes
        if derived is not None and v.id is not None and v.id in derived:
            item["derived"] = {k: json_value(x) for k, x in derived[v.id].items()}
        visits.append(item)
    out["visits"] = visits
    out["medications"] = [
        {f.name: json_value(getattr(m, f.name)) for f in
         registry.fields_for(level=Level.MEDICATION, derived=False)}
        for m in patient.medications]
    out["adverse_events"] = [
        {f.name: json_value(getattr(a, f.name)) for f in
         registry.fields_for(level=Level.ADVERSE_EVENT, derived=False)}
        for a in patient.adverse_events]
    return out


def export_case_file(repo: Repository, out: Path | str, *, with_derived: bool = True) -> int:
    """Write every patient to a case file (identifiers included: this is the full copy).

    The file is streamed patient by patient into the private temporary folder beside ``out``
    (``storage.tempfiles``) and renamed into place.

    Returns:
        The number of patients written.
    """
    out = Path(out)
    locks.refuse_live_file(out, "overwrite")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfiles.new_temp_file(out)  # private 0700 folder beside out, swept if killed
    except OSError as exc:
        raise KnownStorageError("cannot_write", _("Could not write {path}: {error}").format(
            path=out, error=exc.strerror or exc)) from exc
    count = 0
    settings = {k: json_value(v) for k, v in settings_items(repo.scoring_settings()).items()}
    try:
        # owner-only from the first byte, like every other export: it holds identifiers
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with open(fd, "w", encoding="utf-8") as handle:
            stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
            handle.write(f'{{"format": "{FORMAT}", "version": {VERSION}, '
                         f'"generator": "JDM Capture", "exported_at": "{stamp}",\n'
                         f' "settings": {json.dumps(settings)},\n'
                         ' "patients": [')
            for patient in repo.iter_patients():
                derived = None
                if with_derived:
                    ids = [v.id for v in patient.visits if v.id is not None]
                    derived = {vid: {k: d.value for k, d in values.items()}
                               for vid, values in repo.get_derived_many(ids).items()}
                handle.write(",\n  " if count else "\n  ")
                handle.write(json.dumps(patient_to_json(patient, derived), ensure_ascii=False,
                                        allow_nan=False))
                count += 1
            handle.write("\n ]\n}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    finally:
        tempfiles.finished(tmp)
    return count
