"""REDCap-ready export: a data dictionary, a longitudinal records file and the project set-up files.

``write_redcap_project`` writes a folder a REDCap administrator uses to build a project and load
the data (README "Moving to REDCap"):

* ``data_dictionary.csv``: REDCap's 18-column dictionary generated from :mod:`forms.registry`;
* ``events.csv``: the events to create in arm 1 (API / "Upload events" column names);
* ``instrument_event_mapping.csv``: which instrument is designated for which event;
* ``repeating_instruments.csv``: the repeating instruments and the repeating event;
* ``records.csv``: the data, one row per record x event x repeat instance, raw codes.

Project layout (one arm):

* event ``patient_arm_1``: the ``patient`` instrument, plus ``medication`` and ``adverse_event``
  as repeating instruments (one instance per course / event, in date order);
* one event per protocol visit label ``M<n>`` (``m0_arm_1``, ``m3_arm_1``, ...) holding the visit
  instruments (``visit``, ``cmas``, ``mmt8``, ...);
* the repeating event ``other_visit_arm_1`` for visits without a protocol label (and a second
  visit that repeats a protocol label), one instance per visit in date order.

REDCap rules this module follows, and where they were checked (see also the test module):

* Unique event names: REDCap's own ``Project::getUniqueEventNames`` (REDCap 15.7.6 source,
  ``Classes/Project.php``): keep ``[0-9a-z_ ]`` (case-insensitive), spaces -> ``_``, first 18
  characters, lower case, trim ``_`` at both ends, append ``_arm_<n>``; re-implemented in
  :func:`unique_event_name`.
* Reserved variable names: ``Project::$reserved_field_names`` in the same file (e.g. ``action``,
  ``event_id``, ``redcap_event_name``). Our adverse-event field ``action`` is one of them, so it is
  exported as ``ae_action`` (:func:`redcap_name`).
* Validation type names ``integer``, ``number``, ``date_ymd``: ``redcap_validation_types`` in
  REDCap's install SQL. ``number_1dp``..``number_4dp`` exist there too, but are hidden by default
  (an administrator must enable them) and demand exactly that many decimals ("32" fails
  ``number_1dp``), so decimal fields use ``number`` and state their decimals in the field note.
* Variable names: lowercase letters, digits and ``_``, starting with a letter, at most 100
  characters, 26 or fewer recommended. These come from REDCap user guides, not from REDCap's
  source: not verified against the code. One registry name is 27 characters
  (``cmas_arm_raise_duration_sec``): allowed, above the recommendation.
* Choice codes: REDCap's data dictionary upload accepts a raw code that is a number or matches
  ``^[a-zA-Z0-9._\\-]+$`` (``MetaData::`` dictionary checks, REDCap 15.7.6
  ``Classes/MetaData.php``), so registry codes are written as they are (``Mi-2``, ``Jo-1``);
  only codes with other characters (``mg/kg``, ``mg/m2``) get a REDCap code (``mg_kg``) with
  the original kept in the label.
* Formula-looking text: REDCap's CSV import removes one leading space before ``-``, ``@``,
  ``+`` or ``=`` (``Records::saveData``, "If a value begins with a space followed by a CSV
  injection character, then remove the space"; its own CSV exports add that space), so such
  text is written with a leading space: Excel never sees a formula and REDCap stores the text
  as typed. An apostrophe would be stored as part of the value.
* Missing values: a visit field recorded as ``not_done``, ``not_assessable`` or ``unknown``
  is written as a REDCap Missing Data Code (:data:`MISSING_DATA_CODES`: ``ND``, ``NASS``,
  ``UNK``), which the administrator declares first (Project Setup > Additional customizations >
  Missing Data Codes; the text to paste is ``missing_data_codes.txt``). REDCap's import accepts
  a declared code in any field type (it skips range, date and choice checks for it); codes may
  hold letters, digits, ``.``, ``-`` and ``_`` and must not clash with a real value, so none is
  a registry choice code.
* ``<form>_complete``: 2 (Complete) when every field of the form that is entered has a value
  or a missing data code, 1 (Unverified) when only some have, blank when the form holds
  nothing. Not counted: derived (read-only) fields, free text, the visit label, the CMAS
  seconds (they only back the item scores) and the dates that close a record
  (``stop_date``, ``resolution_date``: empty while ongoing). A form of derived fields only
  (``response``) is 2 when JDM Capture computed it.
* Import file columns (``event_name, arm_num, day_offset, offset_min, offset_max,
  custom_event_label``; ``arm_num, unique_event_name, form``; ``event_name, form_name,
  custom_form_label``) are REDCap API's "Import Events", "Import Instrument-Event Mappings" and
  "Import Repeating Instruments and Events" fields, as documented by the REDCap API client
  libraries (redcapAPI, REDCapR); the project's own API page was not available to check.

De-identified (the default), by the one policy of :mod:`exports.deid`: identifier fields
(``given_name``, ``family_name``, ``mrn``, ``birth_date``) and free-text fields (``assessor``,
medication ``notes``, the visit's notes) are left out of the dictionary and the records;
identified exports flag them ``Identifier? = y`` so REDCap's own de-identified exports drop them
too. ``drug``, ``related_drug`` and ``term`` become drop-downs of the registry's drug and JDM
adverse-event lists holding codes (``other`` for text not in a list); visit labels other than
protocol labels become ``day N``. REDCap needs real dates in ``date_ymd`` fields, so instead of
a day number every date is written as ``2000-01-01`` plus the day offset from the patient's
baseline visit (the baseline visit is 2000-01-01; a date 90 days later is 2000-03-31). Intervals
are exact; calendar dates are gone. A visit without a label is named ``day N`` in labels and
notes, never by its date. A patient without visits has no baseline, so their dates are left
blank.

Derived values (totals, CID, responses) are exported as read-only fields under their own names
(``@READONLY`` action tag), never as REDCap ``calc`` fields: REDCap's ``sum()`` skips blank items,
so a CMAS with 2 items missing would show a total where JDM Capture reports none.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

from exports import deid
from exports.common import (
    VisitSummary,
    formula_like,
    number_text,
    summarise,
    summarise_stored,
    written_atomically,
)
from exports.excel import EXTRA
from forms import registry
from forms.fields import Field, FieldType, Form, Level
from forms.i18n import _, in_language
from forms.model import Patient
from forms.records import frozen, mutable
from forms.settings import SETTING_DESCRIPTIONS, ScoringSettings, settings_items
from forms.validation import study_id_looks_like_mrn
from storage.repository import Repository

#: REDCap's 18 data dictionary columns, in order (REDCap "Data Dictionary" download).
DICTIONARY_HEADER: tuple[str, ...] = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)

#: columns REDCap adds to a longitudinal, repeating records file before the fields.
SYSTEM_COLUMNS: tuple[str, ...] = ("redcap_event_name", "redcap_repeat_instrument",
                                   "redcap_repeat_instance")

#: REDCap's reserved variable names (``Project::$reserved_field_names``, REDCap 15.7.6).
RESERVED_NAMES: frozenset[str] = frozenset({
    "redcap_event_name", "redcap_csrf_token", "redcap_survey_timestamp",
    "redcap_survey_identifier", "redcap_survey_return_code", "redcap_data_access_group",
    "hidden_edit_flag", "instance", "redcap_repeat_instance", "redcap_repeat_instrument",
    "submit", "new", "return", "continue", "case", "switch", "class", "enum", "catch", "throw",
    "document", "super", "focus", "elements", "action", "event_id", "target", "field_label",
})

#: the validation types this export uses, all in REDCap's built-in ``redcap_validation_types``.
VALIDATION_TYPES: frozenset[str] = frozenset({"integer", "number", "date_ymd"})

#: form status codes of ``<form>_complete`` (REDCap: 0 Incomplete, 1 Unverified, 2 Complete).
FORM_COMPLETE = "2"
FORM_UNVERIFIED = "1"

#: why a visit value is missing (forms.model.MISSING_REASONS) -> REDCap Missing Data Code and
#: label (project setting ``missing_data_codes``, one "CODE, Label" per line).
MISSING_DATA_CODES: dict[str, tuple[str, str]] = {
    "not_done": ("ND", "Not done"),
    "not_assessable": ("NASS", "Not assessable"),
    "unknown": ("UNK", "Unknown"),
}

#: fields that do not count towards ``<form>_complete``: empty while a record is ongoing.
OPEN_ENDED: frozenset[str] = frozenset({"stop_date", "resolution_date", "visit_label"})

#: REDCap's import removes one space before these (``Records::$csvInjectionChars``).
REDCAP_FORMULA_CHARS = ("-", "@", "+", "=")

#: de-identified dates are this day plus the day offset from the patient's baseline visit.
DEIDENTIFIED_EPOCH = deid.DEIDENTIFIED_EPOCH

#: prefix for medication / adverse-event fields whose names are reserved or taken.
_RECORD_PREFIX = {Level.MEDICATION: "med", Level.ADVERSE_EVENT: "ae"}

#: label of the "na" (not applicable) answer of CHAQ items; the registry allows the code.
NA_LABEL = "Not applicable"

#: ``Visit.notes`` (registry.VISIT_NOTES, not a value column): identified exports only,
#: named and labelled like the workbook's column (exports.excel.EXTRA).
VISIT_NOTES = registry.VISIT_NOTES
assert VISIT_NOTES.name == EXTRA["visit_notes"].name

PATIENT_EVENT = "Patient"
OTHER_VISIT_EVENT = "Other visit"
ARM = 1
_PROTOCOL = re.compile(r"[Mm](\d{1,3})")
#: radio buttons up to this many options, a drop-down above.
_RADIO_MAX = 6


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------
def unique_event_name(event_name: str, arm_num: int = ARM) -> str:
    """The unique event name REDCap generates for an event (``Project::getUniqueEventNames``).

    Duplicates (two events cleaning to the same text) get ``a``, ``b``... in REDCap; this export
    never creates such events, so that part is not reproduced.
    """
    text = re.sub(r"[^0-9a-zA-Z_ ]", "", event_name.strip())
    text = text.replace(" ", "_")[:18].lower().strip("_")
    if not text:
        raise ValueError(f"event name {event_name!r} has no letters or digits")
    return f"{text}_arm_{arm_num}"


def protocol_month(visit_label: str | None) -> int | None:
    """The month of a protocol visit label (``M0`` -> 0, ``m12`` -> 12), else None."""
    if visit_label is None:
        return None
    match = _PROTOCOL.fullmatch(visit_label.strip())
    return int(match.group(1)) if match else None


def redcap_name(f: Field) -> str:
    """The REDCap variable name of a registry field.

    The registry name, except for medication and adverse-event fields whose name is reserved by
    REDCap or used by a patient/visit field: those get a ``med_`` / ``ae_`` prefix.
    """
    if f.level in _RECORD_PREFIX and (f.name in RESERVED_NAMES or registry.has(f.name)):
        return f"{_RECORD_PREFIX[f.level]}_{f.name}"
    return f.name


def redcap_code(code: object) -> str:
    """A choice code as REDCap raw value: the registry code wherever REDCap allows it
    (letters, digits, ``.``, ``-``, ``_``: ``Mi-2`` stays ``Mi-2``), else the other characters
    become ``_`` (``mg/kg`` -> ``mg_kg``)."""
    text = str(code)
    if re.fullmatch(r"[A-Za-z0-9._\-]+", text):
        return text
    return re.sub(r"[^a-z0-9._\-]", "_", text.lower())


def redcap_text(text: str) -> str:
    """Free text as written to records.csv: a leading space before REDCap's formula
    characters (``-@+=``), which REDCap's import removes again, so the stored value is the
    text as typed and a spreadsheet opening the CSV never sees a formula."""
    return " " + text if text.startswith(REDCAP_FORMULA_CHARS) else text


def missing_data_codes_text() -> str:
    """The project's Missing Data Codes, as pasted into REDCap's Project Setup."""
    return "\n".join(f"{code}, {label}" for code, label in MISSING_DATA_CODES.values()) + "\n"


def counted_fields(form: Form, *, identified: bool) -> tuple[Field, ...]:
    """The fields of ``form`` whose values decide ``<form>_complete`` (see module notes)."""
    seconds = {name for name, _bounds in registry.CMAS_TIMED.values()}
    return tuple(f for f in exported_fields(form, identified=identified)
                 if not f.derived and not _is_free_text(f) and f.name not in seconds
                 and f.name not in OPEN_ENDED and f is not VISIT_NOTES)


# --------------------------------------------------------------------------------------------
# Which fields, in which form
# --------------------------------------------------------------------------------------------
def _is_free_text(f: Field) -> bool:
    """Free text or an identifier: flagged ``Identifier? = y`` (exports.deid policy DROP)."""
    return not deid.included(f, identified=False)


def exported_fields(form: Form, *, identified: bool) -> tuple[Field, ...]:
    """The registry fields of ``form`` that go to REDCap, in registry order.

    Visit header fields are in the ``visit`` form; ``study_id`` is the record id and not listed.
    De-identified: no identifiers, no free text.
    """
    out = []
    for f in registry.FIELDS:
        if f.form != form.key or f.name == "study_id":
            continue
        if not deid.included(f, identified=identified):
            continue
        coded = not identified and f.deid_policy is deid.Deid.CODE
        out.append(deid.coded_field(f) if coded else f)
    if identified and form.key == VISIT_NOTES.form:
        out.append(VISIT_NOTES)
    return tuple(out)


def project_forms() -> tuple[Form, ...]:
    """The REDCap instruments, in the registry's entry order (all registry forms)."""
    return registry.FORMS


_VISIT_FORM_LEVELS = (Level.VISIT, Level.RESPONSE)


def visit_forms() -> tuple[Form, ...]:
    return tuple(f for f in project_forms() if f.level in _VISIT_FORM_LEVELS)


def patient_event_forms() -> tuple[Form, ...]:
    return tuple(f for f in project_forms() if f.level not in _VISIT_FORM_LEVELS)


REPEATING_FORMS: tuple[str, ...] = ("medication", "adverse_event")


# --------------------------------------------------------------------------------------------
# Data dictionary
# --------------------------------------------------------------------------------------------
#: columns of ``data_dictionary_zh.csv``: the Chinese texts of the dictionary, row for row
#: (REDCap's dictionary has exactly 18 columns, so the translation is a second file; a project
#: administrator enters it through REDCap's Multi-Language Management, or reads it).
TRANSLATION_HEADER: tuple[str, ...] = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note")


def _choices(f: Field) -> list[tuple[str, str]]:
    options = f.choices or f.levels
    rows = []
    for c in options:
        code = redcap_code(c.code)
        label = c.label if code == str(c.code) else f"{c.label} ({c.code})"
        rows.append((code, label))
    if f.na_allowed:
        rows.append(("na", NA_LABEL))
    return rows


def choices_text(options: Iterable[tuple[str, str]]) -> str:
    """REDCap choice syntax: ``code, label | code, label``."""
    return " | ".join(f"{code}, {label}" for code, label in options)


def _field_note(f: Field, *, identified: bool) -> str:
    parts = []
    if f.unit:
        parts.append(f.unit)
    if f.type is FieldType.DECIMAL and f.decimals:
        parts.append(f"up to {f.decimals} decimal place{'s' if f.decimals > 1 else ''}")
    if f.type is FieldType.DATE and not identified:
        parts.append(f"de-identified: {DEIDENTIFIED_EPOCH.isoformat()} + days from baseline")
    return "; ".join(parts)


def dictionary_row(f: Field, *, identified: bool) -> dict[str, str]:
    """One data dictionary row for a registry field."""
    row = dict.fromkeys(DICTIONARY_HEADER, "")
    row["Variable / Field Name"] = redcap_name(f)
    row["Form Name"] = f.form
    row["Field Label"] = f.label
    row["Field Note"] = _field_note(f, identified=identified)
    options = _choices(f) if (f.choices or f.levels) else []
    if f.type is FieldType.BOOLEAN:
        row["Field Type"] = "yesno"
    elif options:
        row["Field Type"] = "radio" if len(options) <= _RADIO_MAX else "dropdown"
        row["Choices, Calculations, OR Slider Labels"] = choices_text(options)
    elif f.type is FieldType.TEXT and (f.max_length or 0) > 200:
        row["Field Type"] = "notes"
    else:
        row["Field Type"] = "text"
        if f.is_numeric:
            row["Text Validation Type OR Show Slider Number"] = (
                "integer" if f.type is FieldType.INTEGER else "number")
            row["Text Validation Min"] = number_text(f.minimum)
            row["Text Validation Max"] = number_text(f.maximum)
        elif f.type is FieldType.DATE:
            row["Text Validation Type OR Show Slider Number"] = "date_ymd"
    if f.identifier or _is_free_text(f) or (f.type is FieldType.TEXT
                                            and f.deid_policy is deid.Deid.CODE):
        # REDCap's own de-identified exports then drop them as well (typed drug and event
        # text may name people and places; the de-identified project holds codes instead).
        row["Identifier?"] = "y"
    if f.required:
        row["Required Field?"] = "y"
    if f.derived:
        annotation = "@READONLY"
        if f.derivation:
            annotation += " Computed by JDM Capture: " + f.derivation
        row["Field Annotation"] = annotation
    return row


def _study_id_row() -> dict[str, str]:
    f = registry.get("study_id")
    row = dict.fromkeys(DICTIONARY_HEADER, "")
    row.update({"Variable / Field Name": f.name, "Form Name": f.form, "Field Type": "text",
                "Field Label": f.label, "Field Note": f.pattern_help})
    return row


def _group_labels(form_key: str) -> dict[str, str]:
    """Section headers of a form's field groups, as its instrument declares them
    (``Instrument.sections``: CHAQ domains, CDASI locations, MDI organ systems)."""
    return {s.group: _(s.label) for s in registry.sections(form_key)}


def dictionary_rows(*, identified: bool) -> list[dict[str, str]]:
    """Every data dictionary row: ``study_id`` first, then each form's fields contiguously.

    A field group an instrument names a section for (a CHAQ domain, a CDASI location, an MDI
    organ system) starts with a section header (its label).
    """
    rows = [_study_id_row()]
    for form in project_forms():
        headers = _group_labels(form.key)
        group = None
        for f in exported_fields(form, identified=identified):
            row = dictionary_row(f, identified=identified)
            if (f.group != group and f.group in headers
                    and f.type is not FieldType.BOOLEAN):  # not before each aids/help pair
                row["Section Header"] = headers[f.group]
            group = f.group
            rows.append(row)
    return rows


def record_columns(*, identified: bool) -> list[str]:
    """The records file header: ``study_id``, the system columns, each form's fields and its
    ``<form>_complete`` column (REDCap's own export order)."""
    columns = ["study_id", *SYSTEM_COLUMNS]
    for form in project_forms():
        columns.extend(redcap_name(f) for f in exported_fields(form, identified=identified))
        columns.append(f"{form.key}_complete")
    return columns


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------
@frozen
class Event:
    """One REDCap event in arm 1."""

    name: str
    day_offset: int
    forms: tuple[str, ...]
    repeating: bool = False

    @property
    def unique_name(self) -> str:
        return unique_event_name(self.name)


def project_events(patients: Iterable[Patient]) -> list[Event]:
    """The patient event, one event per protocol month seen in the data, the other-visit event.

    REDCap orders events by ``day_offset`` (then name), and its first event is where data entry
    of a new record starts, so the patient event is day 0 and protocol month ``m`` is day
    ``1 + m x 30.4375`` (rounded); the offsets matter for ordering and scheduling only.
    """
    months = sorted({m for p in patients for v in p.visits
                     if (m := protocol_month(v.visit_label)) is not None})
    visit = tuple(f.key for f in visit_forms())
    events = [Event(PATIENT_EVENT, 0, tuple(f.key for f in patient_event_forms()))]
    events += [Event(f"M{m}", 1 + round(m * Decimal("30.4375")), visit) for m in months]
    last = events[-1].day_offset
    events.append(Event(OTHER_VISIT_EVENT, last + 1, visit, repeating=True))
    return events


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------
@mutable
class RedcapSummary:
    """What :func:`write_redcap_project` wrote.

    Attributes:
        out_dir: the folder.
        files: file role -> path (``dictionary``, ``records``, ``events``, ``mapping``,
            ``repeating``).
        patients, visits, medications, adverse_events: counts written.
        records_rows: data rows in ``records.csv``.
        events: REDCap events defined.
        identified: identifiers and free text included.
        notes: things the administrator should know (dates blanked, visits moved, text marked).
    """

    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    patients: int = 0
    visits: int = 0
    medications: int = 0
    adverse_events: int = 0
    records_rows: int = 0
    events: int = 0
    identified: bool = False
    notes: list[str] = field(default_factory=list)


class _Dates:
    """Writes dates as they are (identified) or as epoch + days from baseline."""

    def __init__(self, baseline: dt.date | None, *, identified: bool) -> None:
        self.baseline = baseline
        self.identified = identified

    def __call__(self, day: dt.date | None) -> str:
        if day is None:
            return ""
        if self.identified:
            return day.isoformat()
        shifted = deid.shifted_date(day, self.baseline)
        return "" if shifted is None else shifted.isoformat()


def _cell(f: Field, value: Any, dates: _Dates, notes: list[str], where: str) -> str:
    """One value as REDCap raw text; blank when not assessed."""
    if value is None:
        return ""
    if f.type is FieldType.BOOLEAN:
        return "1" if value else "0"
    if f.type is FieldType.DATE:
        return dates(value)
    if value == "na" and f.na_allowed:
        return "na"
    if f.type is FieldType.CHOICE:
        return redcap_code(value)
    if f.is_numeric:
        return number_text(value, f.decimals if f.type is FieldType.DECIMAL else None)
    text = str(value)
    if formula_like(text):
        notes.append(f"{where}: {redcap_name(f)} starts like a spreadsheet formula; written "
                     "with a leading space, which REDCap's import removes")
    return redcap_text(text)


def _response_values(vs: VisitSummary, baseline_label: str) -> dict[str, Any]:
    """Response-level derived values of one follow-up visit (data-contract section 4 names);
    empty for a visit that is no follow-up (forms.course)."""
    return vs.response_values(baseline_label)


def _fill(row: dict[str, str], forms: Iterable[Form], values: Mapping[str, Any], *,
          identified: bool, dates: _Dates, notes: list[str], where: str,
          missing: Mapping[str, str] | None = None) -> None:
    """Write ``values`` (and the missing data codes of ``missing``) and each form's status."""
    missing = missing or {}
    for form in forms:
        filled = False
        for f in exported_fields(form, identified=identified):
            text = _cell(f, values.get(f.name), dates, notes, where)
            if text == "" and f.name in missing and missing[f.name] in MISSING_DATA_CODES:
                text = MISSING_DATA_CODES[missing[f.name]][0]
            if text != "":
                row[redcap_name(f)] = text
                filled = True
        if filled:
            counted = counted_fields(form, identified=identified)
            done = all(row.get(redcap_name(f), "") != "" for f in counted)
            row[f"{form.key}_complete"] = FORM_COMPLETE if done else FORM_UNVERIFIED


def patient_rows(patient: Patient, events: Mapping[str, Event], *, identified: bool,
                 settings: ScoringSettings, notes: list[str]) -> list[dict[str, str]]:
    """All records-file rows of one patient (patient event, visits, repeating instruments)."""
    if not identified:  # the one policy (exports.deid): nothing it forbids is in the copy
        mrn = patient.identifiers.get("mrn")
        if isinstance(mrn, str) and study_id_looks_like_mrn(patient.study_id, mrn):
            notes.append(f"patient {patient.study_id}: the study ID looks like the medical "
                         "record number and is exported as the record ID; give the patient a "
                         "pseudonymous study ID before sharing")
        patient = deid.deidentify(patient)
    # Values storage computed at save time when current (Visit.derived), else score now.
    summary = summarise_stored(patient, settings) or summarise(patient, settings)
    dates = _Dates(summary.baseline_date(), identified=identified)
    sid = patient.study_id
    if not identified and summary.baseline is None and _has_dates(patient):
        notes.append(f"patient {sid}: no visits, so no baseline to count days from; "
                     "dates left blank")
    pforms = {f.key: f for f in patient_event_forms()}
    rows: list[dict[str, str]] = []

    def new_row(event: str, instrument: str = "", instance: int | None = None) -> dict[str, str]:
        return {"study_id": sid, "redcap_event_name": event,
                "redcap_repeat_instrument": instrument,
                "redcap_repeat_instance": "" if instance is None else str(instance)}

    patient_event = events[PATIENT_EVENT].unique_name
    row = new_row(patient_event)
    pvalues = patient.field_values()
    _fill(row, [pforms["patient"]], pvalues, identified=identified, dates=dates, notes=notes,
          where=f"patient {sid}")
    rows.append(row)

    def visit_name(label: str | None, day: dt.date, offset: int | None) -> str:
        # A visit without a label is named by its date, or by its day number when
        # de-identified (a real date must not slip out through a label or a note).
        if label:
            return label
        return day.isoformat() if identified else f"day {offset}"

    baseline_label = ""
    if summary.baseline is not None:
        baseline_label = visit_name(summary.baseline.visit_label, summary.baseline.visit_date, 0)
    used: set[str] = set()
    other = 0
    for vs in summary.visits:
        visit = vs.visit
        month = protocol_month(visit.visit_label)
        event_name = f"M{month}" if month is not None else None
        if event_name is None or event_name in used:
            if event_name is not None:
                notes.append(f"patient {sid}: a second {event_name} visit "
                             f"({visit.visit_date.isoformat() if identified else vs.day}) "
                             f"is in the {OTHER_VISIT_EVENT} event")
            other += 1
            row = new_row(events[OTHER_VISIT_EVENT].unique_name, "", other)
        else:
            used.add(event_name)
            row = new_row(events[event_name].unique_name)
        values: dict[str, Any] = dict(visit.values)
        values["visit_date"] = visit.visit_date
        values["visit_label"] = visit.visit_label
        values[VISIT_NOTES.name] = visit.notes or None
        values.update({name: score.value for name, score in vs.scores.items()})
        values.update(_response_values(vs, baseline_label))
        _fill(row, visit_forms(), values, identified=identified, dates=dates, notes=notes,
              where=f"patient {sid}, visit "
                    f"{visit_name(visit.visit_label, visit.visit_date, vs.day)}",
              missing=visit.missing)
        rows.append(row)

    courses = sorted(patient.medications, key=lambda m: (m.start_date, m.drug))
    for i, med in enumerate(courses, start=1):
        row = new_row(patient_event, "medication", i)
        _fill(row, [pforms["medication"]], vars(med), identified=identified, dates=dates,
              notes=notes, where=f"patient {sid}, medication {i}")
        rows.append(row)
    aes = sorted(patient.adverse_events, key=lambda a: (a.onset_date, a.term))
    for i, ae in enumerate(aes, start=1):
        row = new_row(patient_event, "adverse_event", i)
        _fill(row, [pforms["adverse_event"]], vars(ae), identified=identified, dates=dates,
              notes=notes, where=f"patient {sid}, adverse event {i}")
        rows.append(row)
    return rows


def _has_dates(patient: Patient) -> bool:
    return bool(patient.diagnosis_date or patient.medications or patient.adverse_events)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
FILES = {
    "dictionary": "data_dictionary.csv",
    "dictionary_zh": "data_dictionary_zh.csv",
    "records": "records.csv",
    "events": "events.csv",
    "mapping": "instrument_event_mapping.csv",
    "repeating": "repeating_instruments.csv",
    "missing_codes": "missing_data_codes.txt",
    "settings": "scoring_settings.csv",
}


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Write one CSV (UTF-8, header row, quoted only where needed) via a temporary file, so a
    failure never leaves a half-written file under the final name."""
    with written_atomically(path, ".csv") as tmp, tmp.open("w", encoding="utf-8",
                                                            newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


def write_redcap_project(patients: Iterable[Patient], out_dir: Path, *, identified: bool,
                         settings: ScoringSettings,
                         progress: Callable[[int, int], None] | None = None) -> RedcapSummary:
    """Write the REDCap project folder for ``patients``.

    Args:
        patients: the patients to export (with visits, medications, adverse events).
        out_dir: the folder to write into (created if needed; the five files are replaced).
        identified: include identifiers and free text, and real dates.
        settings: scoring settings for the derived response values.
        progress: called as ``progress(done, total)`` after each patient.

    Returns:
        A :class:`RedcapSummary` with counts, file paths and notes for the administrator.
    """
    patients = list(patients)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = RedcapSummary(out_dir=out_dir, identified=identified)
    events = project_events(patients)
    by_name = {e.name: e for e in events}

    rows: list[dict[str, str]] = []
    for i, patient in enumerate(sorted(patients, key=lambda p: p.study_id), start=1):
        rows.extend(patient_rows(patient, by_name, identified=identified, settings=settings,
                                 notes=summary.notes))
        summary.patients += 1
        summary.visits += len(patient.visits)
        summary.medications += len(patient.medications)
        summary.adverse_events += len(patient.adverse_events)
        if progress is not None:
            progress(i, len(patients))

    columns = record_columns(identified=identified)
    paths = {role: out_dir / name for role, name in FILES.items()}
    with in_language("en"):  # REDCap's dictionary is the English one, whatever the GUI shows
        _write_csv(paths["dictionary"], DICTIONARY_HEADER,
                   dictionary_rows(identified=identified))
    with in_language("zh_CN"):
        _write_csv(paths["dictionary_zh"], TRANSLATION_HEADER,
                   ({c: r[c] for c in TRANSLATION_HEADER}
                    for r in dictionary_rows(identified=identified)))
    _write_csv(paths["records"], columns, ({c: r.get(c, "") for c in columns} for r in rows))
    _write_csv(paths["events"], ("event_name", "arm_num", "day_offset", "offset_min",
                                 "offset_max", "custom_event_label"),
               ({"event_name": e.name, "arm_num": ARM, "day_offset": e.day_offset,
                 "offset_min": 0, "offset_max": 0, "custom_event_label": ""} for e in events))
    _write_csv(paths["mapping"], ("arm_num", "unique_event_name", "form"),
               ({"arm_num": ARM, "unique_event_name": e.unique_name, "form": form}
                for e in events for form in e.forms))
    repeating = [{"event_name": by_name[PATIENT_EVENT].unique_name, "form_name": form,
                  "custom_form_label": label}
                 for form, label in (("medication", "[drug]"), ("adverse_event", "[term]"))]
    repeating += [{"event_name": e.unique_name, "form_name": "",
                   "custom_form_label": "[visit_label]"} for e in events if e.repeating]
    _write_csv(paths["repeating"], ("event_name", "form_name", "custom_form_label"), repeating)
    with written_atomically(paths["missing_codes"], ".txt") as tmp:
        tmp.write_text(missing_data_codes_text(), encoding="utf-8")
    _write_csv(paths["settings"], ("setting", "value", "description"),
               ({"setting": k, "value": number_text(v) if isinstance(v, Decimal) else v,
                 "description": SETTING_DESCRIPTIONS[k]}
                for k, v in settings_items(settings).items()))
    # REDCap's own menu names stay in English: that is how REDCap shows them
    summary.notes.insert(0, _(
        "before importing records.csv, declare the Missing Data Codes of {file} (Project "
        "Setup > Additional customizations > Missing Data Codes): {codes}").format(
            file=FILES["missing_codes"], codes="; ".join(
                f"{c} = {label}" for c, label in MISSING_DATA_CODES.values())))
    summary.notes.insert(1, _("the responses were computed with the scoring settings in {file} "
                              "({settings})").format(
        file=FILES["settings"], settings=", ".join(
            f"{k} {number_text(v) if isinstance(v, Decimal) else v}"
            for k, v in settings_items(settings).items())))
    summary.files = paths
    summary.records_rows = len(rows)
    summary.events = len(events)
    return summary


def export_redcap(repo: Repository, out_dir: Path, *, identified: bool,
                  progress: Callable[[int, int], None] | None = None) -> RedcapSummary:
    """:func:`write_redcap_project` for every patient of a database, with its scoring settings.

    The entry point for ``main.py export --redcap`` and the GUI's background job (which gives
    it the worker thread's own :class:`~storage.repository.Repository`).
    """
    return write_redcap_project(repo.iter_patients(with_derived=True), out_dir,
                                identified=identified,
                                settings=repo.scoring_settings(), progress=progress)
