"""The Excel workbook for collaborators (data-contract section 4), written with openpyxl.

One pass over the patients streams rows into seven write-only sheets at once (``Patients``,
``Visits``, ``Response``, ``Medications``, ``Adverse events``, ``Missing``, ``Data dictionary``),
so memory stays flat however large the cohort is. Row 1 of every sheet holds the field names of
the registry; numbers are written as numbers, dates as dates.

De-identified by default, by the one policy of :mod:`exports.deid`: identifiers and free text
(names, MRN, date of birth, assessor, notes) are dropped, drugs and adverse-event terms are
written as codes of the registry's lists, visit labels as protocol labels or ``day N``, and every
date becomes a day offset from the patient's baseline visit (``visit_day``, ``start_day``,
``onset_day``, ...). ``identified=True`` writes everything as entered, dates next to the offsets.

Analysts' tools (pandas, R, Stata) type a column from its cells, so every numeric column holds
numbers only: a CHAQ item answered "not applicable" (``na``) is left empty on sheet Visits and
listed on sheet Missing with reason ``na``. The data dictionary's ``codes`` column lists every
choice machine-readably in REDCap's convention (``code, label | code, label``: a code never
holds a comma or ``|``, a label may hold ``/``). Sheet ``Settings`` records the scoring settings
behind the derived values (``setting``, ``value``), which an import compares with its
database's.

Text a user typed is always written as a string cell: a value beginning with ``=``, ``+``,
``-`` or ``@`` (or an error literal such as ``#N/A``) gets an explicit string type and Excel's
quote prefix, so it can neither be evaluated nor turn into a formula when the cell is edited.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports import deid
from exports.common import (
    PatientSummary,
    clean_text,
    day_offset,
    formula_like,
    summarise,
    summarise_stored,
    tofacitinib_start,
    written_atomically,
)
from forms import medication, registry
from forms.fields import Field, FieldType, Level
from forms.i18n import N_, in_language, translate_to
from forms.model import IDENTIFIER_KEYS, MISSING_REASONS, Patient
from forms.records import frozen
from forms.settings import SETTING_DESCRIPTIONS, ScoringSettings, settings_items

Progress = Callable[[int, "int | None"], None]

SETTINGS_SHEET = "Settings"
SHEETS = ("Patients", "Visits", "Response", "Medications", "Adverse events", "Missing",
          "Data dictionary", SETTINGS_SHEET)

#: the value of a CHAQ item answered "not applicable": on sheet Missing, not in a number column.
NOT_APPLICABLE = "na"


# --------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------
@frozen
class Column:
    """One workbook column: its header (a field name) and how the data dictionary describes it.

    Registry fields become columns through :meth:`from_field`; the few export-only columns
    (day offsets, ages, counts) are declared in :data:`EXTRA` below.
    """

    name: str
    label: str
    form: str
    type: FieldType
    allowed: str = ""
    unit: str = ""
    derived: bool = False
    identifier: bool = False
    description: str = ""
    level: str = ""
    label_zh: str = ""  #: the Chinese label when it is not the catalog's translation of label

    @classmethod
    def from_field(cls, f: Field) -> Column:
        with in_language("en"):  # the dictionary's English columns (label_zh is separate)
            return cls(name=f.name, label=f.label, form=f.form, type=f.type,
                       allowed=f.allowed_text(), unit=f.unit, derived=f.derived,
                       identifier=f.identifier, description=f.derivation or f.help,
                       level=str(f.level))

    @property
    def width(self) -> float:
        """A column width that fits the header and typical values."""
        base = {FieldType.DATE: 11, FieldType.TEXT: 18, FieldType.CHOICE: 10}.get(self.type, 8)
        return float(min(max(base, len(self.name) + 3), 40))


def _extra(name: str, label: str, ftype: FieldType, description: str, *, unit: str = "",
           allowed: str = "", level: str = "", derived: bool = True,
           identifier: bool = False) -> Column:
    return Column(name=name, label=label, form="export", type=ftype, allowed=allowed,
                  unit=unit, derived=derived, identifier=identifier, description=description,
                  level=level)


_INT, _DEC, _TXT, _DATE = FieldType.INTEGER, FieldType.DECIMAL, FieldType.TEXT, FieldType.DATE

#: export-only columns (not entered, not in the registry), for the data dictionary.
EXTRA: dict[str, Column] = {c.name: c for c in (
    _extra("visit_day", N_("Days from baseline"), _INT,
           "Days from the patient's baseline visit to this visit (baseline = 0, negative "
           "before it). Replaces visit_date in de-identified workbooks.", unit="days",
           level="visit"),
    _extra("baseline", N_("Baseline visit"), FieldType.BOOLEAN,
           "TRUE for the visit responses are measured from.", level="visit", derived=False),
    _extra("visit_notes", N_("Visit notes"), _TXT,
           "Free-text notes of the visit (identified workbooks only: free text may name the "
           "child).", level="visit", derived=False, identifier=True),
    _extra("age_at_baseline_years", N_("Age at baseline"), _DEC,
           "Age in years at the baseline visit, one decimal, rounded down.", unit="years",
           level="patient"),
    _extra("age_at_diagnosis_years", N_("Age at diagnosis"), _DEC,
           "Age in years at the date of diagnosis, one decimal, rounded down.", unit="years",
           level="patient"),
    _extra("diagnosis_day", N_("Diagnosis, days from baseline"), _INT,
           "Days from the baseline visit to the diagnosis (negative: before baseline).",
           unit="days", level="patient"),
    _extra("baseline_date", N_("Baseline visit date"), _DATE,
           "Date of the baseline visit (identified workbooks only).", level="patient",
           identifier=True),
    _extra("visits", N_("Number of visits"), _INT, "Visits recorded for the patient.",
           level="patient"),
    _extra("last_visit_day", N_("Last visit, days from baseline"), _INT,
           "Follow-up length: days from baseline to the last visit.", unit="days",
           level="patient"),
    _extra("tofacitinib_start_day", N_("Tofacitinib start, days from baseline"), _INT,
           "Days from baseline to the first tofacitinib course (negative: started before).",
           unit="days", level="patient"),
    _extra("printo_cid_followup", N_("Inactive disease at follow-up"), FieldType.CHOICE,
           "PRINTO clinically inactive disease at this visit (Lazarevic 2013).",
           allowed="yes/no/indeterminate", level="response"),
    _extra("field", N_("Field name"), _TXT, "The field that has no value (Missing sheet).",
           level="missing", derived=False),
    _extra("reason", N_("Reason missing"), FieldType.CHOICE,
           "Why the field has no value (data-contract section 2), or na: a CHAQ item "
           "answered 'not applicable' (kept off sheet Visits so its column stays numeric).",
           allowed="/".join((*MISSING_REASONS, NOT_APPLICABLE)), level="missing",
           derived=False),
)}


def _day_name(date_field: str) -> str:
    """``start_date`` -> ``start_day``: the de-identified column replacing a date field."""
    return date_field.removesuffix("_date") + "_day"


def _record_columns(level: Level, identified: bool) -> list[tuple[Column, str, bool]]:
    """(column, source attribute, is-day-offset) for medication or adverse-event records."""
    out: list[tuple[Column, str, bool]] = []
    for f in registry.fields_for(level=level):
        if not deid.included(f, identified=identified):
            continue
        if not identified and f.deid_policy is deid.Deid.CODE:
            out.append((Column.from_field(deid.coded_field(f)), f.name, False))
            continue
        if f.type is FieldType.DATE:
            day = _extra(_day_name(f.name), f"{f.label_en}, days from baseline", _INT,
                         f"Days from the patient's baseline visit to {f.name}.", unit="days",
                         level=str(level))
            day = dataclasses.replace(day, label_zh=translate_to("zh_CN", N_(
                "{label}, days from baseline")).format(label=translate_to("zh_CN", f.label_en)))
            out.append((day, f.name, True))
            if identified:
                out.append((Column.from_field(f), f.name, False))
        else:
            out.append((Column.from_field(f), f.name, False))
    return out


@frozen
class Layout:
    """The columns of every sheet for one workbook (identified or not)."""

    identified: bool

    @property
    def patients(self) -> list[Column]:
        f = registry.get
        cols = [Column.from_field(f("study_id")), Column.from_field(f("sex")),
                Column.from_field(f("autoantibody")), EXTRA["age_at_baseline_years"],
                EXTRA["age_at_diagnosis_years"], EXTRA["diagnosis_day"], EXTRA["visits"],
                EXTRA["last_visit_day"], EXTRA["tofacitinib_start_day"]]
        if self.identified:
            cols += [Column.from_field(f("diagnosis_date")), EXTRA["baseline_date"]]
            cols += [Column.from_field(f(k)) for k in IDENTIFIER_KEYS]
        return cols

    @property
    def visit_head(self) -> list[Column]:
        cols = [Column.from_field(registry.get("study_id")),
                Column.from_field(registry.get("visit_label")), EXTRA["visit_day"]]
        if self.identified:
            cols.append(Column.from_field(registry.get("visit_date")))
        return cols

    @property
    def visits(self) -> list[Column]:
        cols = [*self.visit_head, EXTRA["baseline"]]
        cols += [Column.from_field(f) for f in registry.visit_value_fields()
                 if deid.included(f, identified=self.identified)]
        cols += [Column.from_field(f) for f in registry.visit_fields(derived=True)]
        cols.append(Column.from_field(registry.GC_EXPOSURE))  # from the courses (issue 14)
        if self.identified:
            cols.append(EXTRA["visit_notes"])
        return cols

    @property
    def response(self) -> list[Column]:
        cols = [*self.visit_head]
        cols += [Column.from_field(f) for f in registry.fields_for(level=Level.RESPONSE)]
        cols += [EXTRA["printo_cid_followup"]]
        return cols

    @property
    def medications(self) -> list[tuple[Column, str, bool]]:
        return _record_columns(Level.MEDICATION, self.identified)

    @property
    def adverse_events(self) -> list[tuple[Column, str, bool]]:
        return _record_columns(Level.ADVERSE_EVENT, self.identified)

    @property
    def missing(self) -> list[Column]:
        return [*self.visit_head, EXTRA["field"], EXTRA["reason"]]


DICTIONARY_HEADER = ("field", "label", "label_zh", "form", "level", "type", "allowed", "unit",
                     "derived", "identifier", "sheet", "description", "codes")


def codes_text(f: Field | None) -> str:
    """A field's codes and labels, machine-readable: ``code, label | code, label``.

    REDCap's choice convention: split on `` | ``, then on the first ``, ``. Codes never hold a
    comma or ``|`` (``mg/kg`` is a code; labels may hold ``/`` or commas after the first).
    Choice fields list their choices, ordinal items their described levels, CHAQ items add
    ``na``; other fields give "".
    """
    if f is None:
        return ""
    options = [(str(c.code), c.label_en) for c in (f.choices or f.levels)]
    if f.na_allowed:
        options.append((NOT_APPLICABLE, "Not applicable (listed on sheet Missing)"))
    return " | ".join(f"{code}, {label.replace('|', '/')}" for code, label in options)


def _reason_codes() -> str:
    return " | ".join([*(f"{k}, {v}" for k, v in MISSING_REASONS.items()),
                       f"{NOT_APPLICABLE}, Not applicable (CHAQ items)"])


def dictionary_rows(layout: Layout) -> Iterator[list[Any]]:
    """One row per registry field, then one per export-only column of this workbook.

    A field name used on several sheets (``study_id``) is listed once, with every sheet.
    """
    sheets: dict[str, list[str]] = {}

    def note(sheet: str, cols: Iterable[Column]) -> None:
        for c in cols:
            sheets.setdefault(c.name, [])
            if sheet not in sheets[c.name]:
                sheets[c.name].append(sheet)

    note("Patients", layout.patients)
    note("Medications", [Column.from_field(registry.get("study_id"))])
    note("Adverse events", [Column.from_field(registry.get("study_id"))])
    note("Visits", layout.visits)
    note("Response", layout.response)
    note("Medications", (c for c, _, _ in layout.medications))
    note("Adverse events", (c for c, _, _ in layout.adverse_events))
    note("Missing", layout.missing)

    def row(c: Column, sheet_list: str, codes: str = "") -> list[Any]:
        return [c.name, c.label, c.label_zh or translate_to("zh_CN", c.label), c.form, c.level,
                str(c.type), c.allowed, c.unit,
                "yes" if c.derived else "no", "yes" if c.identifier else "no", sheet_list,
                c.description, codes]

    level_sheet = {Level.MEDICATION: "Medications", Level.ADVERSE_EVENT: "Adverse events"}
    for f in registry.FIELDS:
        kept = deid.included(f, identified=layout.identified)
        if f.level in level_sheet:
            shown = [level_sheet[f.level]] if kept else []
        else:
            shown = sheets.get(f.name, [])
        if not kept and not shown:
            shown_text = "(identified workbooks only)"
        else:
            shown_text = ", ".join(shown) if shown else "(not exported)"
        coded = not layout.identified and f.deid_policy is deid.Deid.CODE
        shown_field = deid.coded_field(f) if coded else f
        yield row(Column.from_field(shown_field), shown_text, codes_text(shown_field))
    seen = {f.name for f in registry.FIELDS}
    extra_cols = [*layout.patients, *layout.visits, *layout.response, *layout.missing,
                  *(c for c, _, _ in layout.medications),
                  *(c for c, _, _ in layout.adverse_events)]
    for c in extra_cols:
        if c.name not in seen:
            seen.add(c.name)
            codes = _reason_codes() if c.name == "reason" else ""
            yield row(c, ", ".join(sheets.get(c.name, [])), codes)


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------
_HEADER_FONT = Font(bold=True)


def text_cell(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A cell that holds ``text`` as a string whatever it looks like (never a formula/error).

    openpyxl would otherwise store ``=...`` as a formula and ``#N/A`` as an error value. The
    quote prefix keeps Excel and LibreOffice from re-reading it as a formula after an edit.
    """
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


#: the most characters an Excel cell holds; Excel and LibreOffice cut longer text silently.
CELL_MAX = 32_767


def fit_cell(text: str) -> str:
    """``text``, or its start with a note saying it was cut, when longer than a cell holds
    (only text saved before the registry's limits can be that long)."""
    if len(text) <= CELL_MAX:
        return text
    note = (f" [... cut: {len(text):,} characters, an Excel cell holds {CELL_MAX:,}; the full "
            "text is in the JSON case file export]")
    return text[:CELL_MAX - len(note)] + note


def _safe_row(ws: WriteOnlyWorksheet, values: Sequence[Any],
              safe: dict[str, str] | None = None) -> list[Any]:
    """Values ready for ``ws.append``: user text cleaned and guarded, Decimal/int/date kept.

    ``safe`` remembers texts already found safe as they are (study IDs, labels and codes
    repeat on every row of a sheet); a text that looks like a formula is never remembered: it
    becomes a text cell of this sheet each time."""
    return _guard_cells(ws, list(values), safe)


def _guard_cells(ws: WriteOnlyWorksheet, out: list[Any],
                 safe: dict[str, str] | None) -> list[Any]:
    """``out`` (a row, or a column of rows: any cells) with each text cell made safe as
    :func:`_safe_row` says, in place."""
    for i, v in enumerate(out):
        kind = type(v)
        if kind in _NOT_TEXT or not v:
            continue
        if kind is str and safe is not None and v in safe:
            out[i] = safe[v]
        elif isinstance(v, str):  # a str subclass gets the same guard, never remembered
            cleaned = fit_cell(clean_text(v))
            if formula_like(cleaned):
                out[i] = text_cell(ws, cleaned)
            else:
                out[i] = cleaned
                if kind is str and safe is not None and len(safe) < _SAFE_TEXTS:
                    safe[v] = cleaned
    return out


def _safe_rows(ws: WriteOnlyWorksheet, rows: list[Sequence[Any]],
               safe: dict[str, str] | None = None) -> Iterable[Sequence[Any]]:
    """Each row as :func:`_safe_row` makes it, the cells looked at column by column: a
    column holding no text (numbers, dates, None: most of a sheet's columns, found by exact
    type in one pass) is kept as it is, and every cell of the others goes through the guard.
    Rows of unequal length are guarded one by one."""
    if len(set(map(len, rows))) != 1:
        return [_safe_row(ws, row, safe) for row in rows]
    cols: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for j, col in enumerate(cols):
        if not _NOT_TEXT.issuperset(map(type, col)):
            cols[j] = _guard_cells(ws, list(col), safe)
    return zip(*cols, strict=True)


#: how many distinct safe texts a sheet remembers (codes and labels; free text rarely repeats)
_SAFE_TEXTS = 4096
#: the cell types that are never text (checked by exact type: a subclass goes the long way)
_NOT_TEXT = frozenset({type(None), int, bool, float, Decimal, dt.date, dt.datetime})
#: rows a sheet guards and writes at a time (:func:`_safe_rows`: column by column)
_BATCH = 256


class _Sheet:
    """A write-only sheet with a bold, frozen header, fixed widths and an autofilter."""

    def __init__(self, wb: Workbook, title: str, columns: Sequence[Column],
                 freeze: str = "A2") -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(title)
        self._safe: dict[str, str] = {}
        self._pending: list[Sequence[Any]] = []  # rows not yet guarded and written
        self.ncols = len(columns)
        self.rows = 1
        for i, c in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = c.width
        self.ws.freeze_panes = freeze
        header = []
        for c in columns:
            cell = WriteOnlyCell(self.ws, value=c.name)
            cell.data_type = "s"
            cell.font = _HEADER_FONT
            header.append(cell)
        self.ws.append(header)

    def append(self, values: Sequence[Any]) -> None:
        """Add a row (written with the next :data:`_BATCH` rows, or by :meth:`finish`: pass
        a row nothing changes afterwards)."""
        self._pending.append(values)
        self.rows += 1
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            for row in _safe_rows(self.ws, self._pending, self._safe):
                self.ws.append(row)
            self._pending = []

    def finish(self) -> None:
        self._flush()
        last = get_column_letter(max(self.ncols, 1))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows}"


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------
def _patient_row(s: PatientSummary, layout: Layout) -> list[Any]:
    p = s.patient
    base = s.baseline_date()
    age_base = p.age_on(base) if base else None
    age_dx = p.age_on(p.diagnosis_date) if p.diagnosis_date else None
    last_day = s.visits[-1].day if s.visits else None
    row: list[Any] = [p.study_id, p.sex, p.autoantibody, age_base, age_dx,
                      day_offset(p.diagnosis_date, base), len(s.visits), last_day,
                      day_offset(tofacitinib_start(p.medications), base)]
    if layout.identified:
        row += [p.diagnosis_date, base]
        row += [p.identifiers.get(k) for k in IDENTIFIER_KEYS]
    return row


def _visit_head(s: PatientSummary, v: Any, layout: Layout) -> list[Any]:
    row = [s.patient.study_id, v.visit.visit_label, v.day]
    if layout.identified:
        row.append(v.visit.visit_date)
    return row


def _response_row(v: Any, response_names: Sequence[str], base_label: str | None) -> list[Any]:
    """The Response sheet cells after the visit columns, in ``layout.response`` order."""
    values = v.response_values()
    values["baseline_label"] = base_label
    return [*(values.get(n) for n in response_names), v.scores["printo_cid"].value]


def write_workbook(patients: Iterable[Patient], out: Path, *, identified: bool,
                   settings: ScoringSettings,
                   progress: Progress | None = None) -> None:
    """Write the collaborator workbook of data-contract section 4.

    Args:
        patients: the patients to export (any iterable; a generator keeps memory flat).
        out: the ``.xlsx`` path; written to a temporary file first and then renamed, so a
            failed export leaves no half-written workbook.
        identified: keep identifiers, free-text notes and dates (default workbooks drop them).
        settings: the study's scoring settings for the derived responses.
        progress: called as ``progress(done, total)`` after each patient; ``total`` is None
            when ``patients`` has no length.
    """
    layout = Layout(identified=identified)
    total = len(patients) if isinstance(patients, Sized) else None
    wb = Workbook(write_only=True)
    study_col = Column.from_field(registry.get("study_id"))
    # keep the identifying columns (study, visit, day[, date]) in view while scrolling right
    freeze = get_column_letter(len(layout.visit_head) + 1) + "2"
    sheets = {
        "Patients": _Sheet(wb, "Patients", layout.patients),
        "Visits": _Sheet(wb, "Visits", layout.visits, freeze=freeze),
        "Response": _Sheet(wb, "Response", layout.response, freeze=freeze),
        "Medications": _Sheet(wb, "Medications",
                              [study_col, *(c for c, _, _ in layout.medications)]),
        "Adverse events": _Sheet(wb, "Adverse events",
                                 [study_col, *(c for c, _, _ in layout.adverse_events)]),
        "Missing": _Sheet(wb, "Missing", layout.missing),
    }
    try:
        _write_rows(patients, sheets, layout, settings, progress, total)
        dictionary = _Sheet(wb, "Data dictionary",
                            [_extra(n, n, _TXT, "") for n in DICTIONARY_HEADER])
        for drow in dictionary_rows(layout):
            dictionary.append(drow)
        settings_sheet = _Sheet(wb, SETTINGS_SHEET,
                                [_extra(n, n, _TXT, "") for n in SETTINGS_HEADER])
        for srow in settings_rows(settings):
            settings_sheet.append(srow)
        for sheet in (*sheets.values(), dictionary, settings_sheet):
            sheet.finish()
        _save_atomically(wb, Path(out))
    except BaseException:
        _discard(wb)
        raise


SETTINGS_HEADER = ("setting", "value", "description")


def settings_rows(settings: ScoringSettings) -> list[list[Any]]:
    """Sheet Settings: one row per scoring setting (a code, or a ULN as a number)."""
    return [[name, value, SETTING_DESCRIPTIONS[name]]
            for name, value in settings_items(settings).items()]


def _discard(wb: Workbook) -> None:
    """Close the streams of a workbook that will not be saved and delete its temp files."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        with contextlib.suppress(Exception):
            ws.close()
        if writer is not None and isinstance(writer.out, str):
            with contextlib.suppress(OSError):
                os.unlink(writer.out)


def _exposures(patient: Patient, visits: Sequence[Any]) -> dict[int, Decimal | None]:
    """Glucocorticoid exposure since the previous visit, mg/kg prednisone-equivalent, by
    ``id(visit)`` (forms.medication; None at the first visit or without a weight)."""
    if not patient.medications:
        return {}
    ordered = sorted(visits, key=lambda v: v.visit_date)

    def dec(value: object) -> Decimal | None:
        return value if isinstance(value, Decimal) else None

    found = medication.exposure_between_visits(patient.medications, [
        (v.visit_date, dec(v.values.get("weight_kg")), dec(v.values.get("height_cm")))
        for v in ordered])
    return {id(v): (e.mg_per_kg_decimal() if e is not None else None)
            for v, e in zip(ordered, found, strict=True)}


def _write_rows(patients: Iterable[Patient], sheets: dict[str, _Sheet], layout: Layout,
                settings: ScoringSettings, progress: Progress | None,
                total: int | None) -> None:
    identified = layout.identified
    value_names = [f.name for f in registry.visit_value_fields()
                   if deid.included(f, identified=identified)]
    na_names = [f.name for f in registry.visit_value_fields()
                if f.na_allowed and f.name in value_names]
    first = len(layout.visit_head) + 1  # the visit head, then the baseline flag
    na_at = {n: first + value_names.index(n) for n in na_names}
    derived_names = [f.name for f in registry.visit_fields(derived=True)]
    med_cols = layout.medications
    ae_cols = layout.adverse_events
    response_names = [f.name for f in registry.fields_for(level=Level.RESPONSE)]
    for done, patient in enumerate(patients, start=1):
        if not identified:  # the one policy (exports.deid): nothing it forbids is in the copy
            patient = deid.deidentify(patient)
        # Values storage computed at save time when current (Visit.derived), else score now.
        s = summarise_stored(patient, settings) or summarise(patient, settings)
        base = s.baseline_date()
        sheets["Patients"].append(_patient_row(s, layout))
        base_label = s.baseline.visit_label if s.baseline else None
        exposures = _exposures(patient, [v.visit for v in s.visits])
        for v in s.visits:
            head = _visit_head(s, v, layout)
            values = v.visit.values
            scores = v.scores
            row = [*head, v.is_baseline]
            row.extend(map(values.get, value_names))
            # "na" would turn a CHAQ item's number column into text: it goes to Missing
            not_applicable = ([n for n in na_names if values.get(n) == NOT_APPLICABLE]
                              if NOT_APPLICABLE in map(values.get, na_names) else [])
            for n in not_applicable:
                row[na_at[n]] = None
            row += [scores[n].value if n in scores else None for n in derived_names]
            row.append(exposures.get(id(v.visit)))
            if identified:
                row.append(v.visit.notes or None)
            sheets["Visits"].append(row)
            if v.is_follow_up:
                sheets["Response"].append([*head, *_response_row(v, response_names,
                                                                  base_label)])
            for name, reason in v.visit.missing.items():
                sheets["Missing"].append([*head, name, reason])
            for name in not_applicable:
                sheets["Missing"].append([*head, name, NOT_APPLICABLE])
        for med in patient.medications:
            sheets["Medications"].append([patient.study_id, *_record_values(med, med_cols, base)])
        for ae in patient.adverse_events:
            sheets["Adverse events"].append([patient.study_id,
                                             *_record_values(ae, ae_cols, base)])
        if progress is not None:
            progress(done, total)


def _record_values(record: Any, cols: list[tuple[Column, str, bool]],
                   base: dt.date | None) -> list[Any]:
    out: list[Any] = []
    for _col, attr, is_day in cols:
        value = getattr(record, attr)
        if is_day:
            out.append(day_offset(value, base))
        elif attr == "notes":
            out.append(value or None)
        else:
            out.append(value)
    return out


def _save_atomically(wb: Workbook, out: Path) -> None:
    with written_atomically(out, ".xlsx") as tmp:
        wb.save(tmp)


__all__ = ["NOT_APPLICABLE", "SETTINGS_SHEET", "SHEETS", "Column", "Layout", "codes_text",
           "dictionary_rows", "settings_rows", "text_cell", "write_workbook"]
