"""Spreadsheet import: a workbook in the identified export layout becomes forms.model Patients.

Reads the sheets of data-contract section 4 that hold entered data (``Patients``, ``Visits``,
``Medications``, ``Adverse events``, ``Missing``); ``Response`` and ``Data dictionary`` (and the
template's ``Lists``/``Instructions``) are skipped, and so are derived and export-only columns
(totals, ``visit_day``, ages, ...), which JDM Capture recomputes. Every cell is checked with
:mod:`forms.validation`, then every record with the record checks, and *all* problems are
reported, each naming the file, sheet, row and column::

    clinic.xlsx: sheet Visits, row 14, column cmas_leg_raise: 3 is out of range 0-2

:func:`read_workbook` only reads and checks. :func:`import_workbook` then hands the patients to
:meth:`storage.repository.Repository.import_patients` (the verb JSON case files use), so the whole
file is saved in one transaction or not at all, with the same rules: an existing study_id gets the
file's visits, and a visit on a saved date replaces that visit.

Cells: text is parsed as typed text (:func:`forms.validation.parse_text`: " 3 ", "Yes", a choice
label); numbers, dates and TRUE/FALSE cells are checked as typed values
(:func:`forms.validation.check_field`). A number in a text or choice column (an MRN typed as a
number, a study id like 101) is read as its digits. Formulas and spreadsheet error values are
refused: the workbook must hold values.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from exports.excel import Layout
from forms import registry, validation
from forms.fields import Field, FieldType, Level
from forms.model import IDENTIFIER_KEYS, MISSING_REASONS, AdverseEvent, Medication, Patient, Visit
from forms.validation import Problem
from storage import locks
from storage.errors import ValidationFailed
from storage.repository import Repository

Progress = Callable[[int, int], None]

#: sheets read, in reading order.
DATA_SHEETS = ("Patients", "Visits", "Medications", "Adverse events", "Missing")
#: sheets an export or the template writes that hold nothing to import.
SKIPPED_SHEETS = ("Response", "Data dictionary", "Lists", "Instructions")

#: export-only columns that carry entered data and are read back.
VISIT_BASELINE = "baseline"
VISIT_NOTES = "visit_notes"
MISSING_FIELD = "field"
MISSING_REASON = "reason"


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetProblem:
    """One problem at one place of the workbook.

    Attributes:
        file: the workbook's file name.
        sheet: sheet name, or "" for the whole file.
        row: 1-based row number (1 = the header), or 0 for the whole sheet.
        column: the column's header (a field name), or "".
        text: what is wrong ("3 is out of range 0-2").
        is_error: errors refuse the file; warnings are shown and the import goes on.
    """

    file: str
    sheet: str
    row: int
    column: str
    text: str
    is_error: bool = True

    def __str__(self) -> str:
        where = [f"sheet {self.sheet}"] if self.sheet else []
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        place = ", ".join(where)
        return f"{self.file}: {place}: {self.text}" if place else f"{self.file}: {self.text}"


@dataclass
class WorkbookRead:
    """The patients read from a workbook, or why they cannot be imported."""

    path: Path
    patients: list[Patient] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[SheetProblem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[SheetProblem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class WorkbookImportSummary:
    """What :func:`import_workbook` did: counts imported, or the problems that stopped it.

    Attributes:
        path: the workbook.
        imported: True when the file was saved (all of it); False when nothing was saved.
        patients, visits, medications, adverse_events: counts in the file (saved when imported).
        patients_added, patients_updated, visits_replaced: what storage did with them.
        errors: one line per problem that refused the file (empty when imported).
        warnings: one line per value to double-check (saved anyway).
    """

    path: Path
    imported: bool = False
    patients: int = 0
    visits: int = 0
    medications: int = 0
    adverse_events: int = 0
    patients_added: int = 0
    patients_updated: int = 0
    visits_replaced: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Columns each sheet may have
# --------------------------------------------------------------------------------------------
def _layout() -> Layout:
    return Layout(identified=True)


def _ignored(columns: Iterable[Any], keep: Iterable[str] = ()) -> frozenset[str]:
    """Derived and export-only columns of an export sheet, minus those read back."""
    keep = set(keep)
    return frozenset(c.name for c in columns if c.derived and c.name not in keep)


@dataclass(frozen=True)
class SheetSpec:
    """Which columns a sheet may hold: read (name -> Field or None) and skipped."""

    name: str
    fields: Mapping[str, Field | None]
    skipped: frozenset[str]
    required: tuple[str, ...]


def sheet_specs() -> dict[str, SheetSpec]:
    """The readable columns of every data sheet, from the registry and the export layout."""
    layout = _layout()
    patient_fields: dict[str, Field | None] = {
        f.name: f for f in registry.fields_for(level=Level.PATIENT, derived=False)}
    visit_fields: dict[str, Field | None] = {
        "study_id": registry.get("study_id"), "visit_date": registry.get("visit_date"),
        "visit_label": registry.get("visit_label"), VISIT_BASELINE: None, VISIT_NOTES: None}
    visit_fields.update({f.name: f for f in registry.visit_value_fields()})
    med_fields: dict[str, Field | None] = {"study_id": registry.get("study_id")}
    med_fields.update({f.name: f for f in registry.fields_for(level=Level.MEDICATION)})
    ae_fields: dict[str, Field | None] = {"study_id": registry.get("study_id")}
    ae_fields.update({f.name: f for f in registry.fields_for(level=Level.ADVERSE_EVENT)})
    missing_fields: dict[str, Field | None] = {
        "study_id": registry.get("study_id"), "visit_date": registry.get("visit_date"),
        "visit_label": registry.get("visit_label"), MISSING_FIELD: None, MISSING_REASON: None}
    return {
        "Patients": SheetSpec("Patients", patient_fields, _ignored(layout.patients),
                              ("study_id",)),
        "Visits": SheetSpec("Visits", visit_fields,
                            _ignored(layout.visits, (VISIT_BASELINE, VISIT_NOTES)),
                            ("study_id", "visit_date")),
        "Medications": SheetSpec("Medications", med_fields,
                                 frozenset(c.name for c, _, is_day in layout.medications
                                           if is_day), ("study_id",)),
        "Adverse events": SheetSpec("Adverse events", ae_fields,
                                    frozenset(c.name for c, _, is_day in layout.adverse_events
                                              if is_day), ("study_id",)),
        "Missing": SheetSpec("Missing", missing_fields,
                             _ignored(layout.missing, (MISSING_FIELD, MISSING_REASON)),
                             ("study_id", "visit_date", MISSING_FIELD, MISSING_REASON)),
    }


# --------------------------------------------------------------------------------------------
# Reading cells
# --------------------------------------------------------------------------------------------
@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # column -> parsed value (only cells that parsed)
    bad: set[str]  # columns whose cell had a problem


class _Reader:
    """Collects problems with their place while the sheets are read."""

    def __init__(self, path: Path, today: dt.date) -> None:
        self.file = path.name
        self.today = today
        self.problems: list[SheetProblem] = []
        #: sheets whose header was readable; cross-sheet checks against the others are skipped
        #: (their problems are already reported once, at row 1).
        self.readable: set[str] = set()

    def add(self, sheet: str, row: int, column: str, text: str, *, error: bool = True) -> None:
        self.problems.append(SheetProblem(self.file, sheet, row, column, text, error))

    def add_problem(self, sheet: str, row: int, column: str, p: Problem) -> None:
        self.add(sheet, row, column, f"{p.shown_value} {p.reason}", error=p.is_error)

    # ---- one cell ---------------------------------------------------------------------------
    def cell(self, sheet: str, row: int, column: str, f: Field | None,
             cell: Any) -> tuple[Any, bool]:
        """(value or None, ok) for one cell; problems are recorded."""
        value = cell.value
        kind = getattr(cell, "data_type", None)
        if kind == "f" or (isinstance(value, str) and kind != "s" and value.startswith("=")):
            self.add(sheet, row, column, f"{value!s:.40} is a formula; type the value itself")
            return None, False
        if kind == "e":
            self.add(sheet, row, column, f"{value} is a spreadsheet error, not a value")
            return None, False
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, True
        if f is None:  # a column without a registry field: handled by the caller
            return value, True
        if isinstance(value, str):
            parsed, problems = validation.parse_text(f, value)
        else:
            if f.type in (FieldType.TEXT, FieldType.CHOICE) and _is_count(value):
                parsed, problems = validation.parse_text(f, _number_text(value))
            elif isinstance(value, dt.datetime) and f.type is FieldType.DATE:
                parsed, problems = validation.check_field(f, value.date())
            else:
                parsed, problems = validation.check_field(f, value)
        ok = True
        for p in problems:
            self.add_problem(sheet, row, column, p)
            ok = ok and not p.is_error
        return (parsed if ok else None), ok


def _is_count(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer())


def _number_text(value: int | float) -> str:
    return str(int(value))


def _rows(reader: _Reader, ws: Any, spec: SheetSpec) -> Iterator[_Row]:
    """Check the header of ``ws`` and yield its data rows, cells parsed."""
    # Workbooks from other programs may carry a wrong dimension tag: read every stored row,
    # from row 1 (rows come contiguous, gaps as empty rows, so numbering stays exact).
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    rows = ws.iter_rows(min_row=1)
    try:
        header_cells = next(rows)
    except StopIteration:
        reader.add(spec.name, 0, "", "is empty: row 1 must hold the field names")
        return
    header: list[str | None] = []
    seen: dict[str, int] = {}
    header_ok = True
    for i, c in enumerate(header_cells, start=1):
        name = c.value
        if name is None or (isinstance(name, str) and not name.strip()):
            header.append(None)
            continue
        name = str(name).strip()
        letter = get_column_letter(i)
        if name in seen:
            reader.add(spec.name, 1, name, f"appears twice (columns {get_column_letter(seen[name])}"
                       f" and {letter})")
            header_ok = False
        elif name not in spec.fields and name not in spec.skipped:
            hint = _hint(name)
            reader.add(spec.name, 1, name, f"is not a column of sheet {spec.name}{hint}")
            header_ok = False
        seen.setdefault(name, i)
        header.append(name)
    for name in spec.required:
        if name not in seen:
            extra = (" (a de-identified export cannot be imported: export with --identified)"
                     if name == "visit_date" else "")
            reader.add(spec.name, 1, "", f"has no {name} column{extra}")
            header_ok = False
    if not header_ok:
        return
    reader.readable.add(spec.name)
    for number, cells in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        bad: set[str] = set()
        empty = True
        for i, c in enumerate(cells):
            if c.value is None and getattr(c, "data_type", None) != "f":
                continue
            if isinstance(c.value, str) and not c.value.strip():
                continue
            empty = False
            name = header[i] if i < len(header) else None
            if name is None:
                reader.add(spec.name, number, get_column_letter(i + 1),
                           "holds a value but the column has no field name in row 1")
                continue
            if name in spec.skipped:
                continue
            value, ok = reader.cell(spec.name, number, name, spec.fields[name], c)
            if not ok:
                bad.add(name)
            elif value is not None:
                values[name] = value
        if not empty:
            yield _Row(number, values, bad)


def _hint(name: str) -> str:
    low = name.strip().lower()
    for f in registry.FIELDS:
        if f.name == low or f.label.lower() == low:
            return f" (did you mean {f.name}?)"
    return ""


# --------------------------------------------------------------------------------------------
# Sheets to records
# --------------------------------------------------------------------------------------------
def _record_problems(reader: _Reader, sheet: str, row: _Row, problems: Iterable[Problem],
                     columns: Iterable[str]) -> bool:
    """Record-level problems of one row; cell problems already reported are not repeated."""
    cols = set(columns)
    ok = True
    for p in problems:
        if p.field in row.bad:
            continue
        reader.add_problem(sheet, row.number, p.field if p.field in cols else "", p)
        ok = ok and not p.is_error
    return ok


@dataclass
class _VisitRow:
    row: _Row
    visit: Visit


def read_workbook(path: Path | str, *, today: dt.date | None = None,
                  progress: Progress | None = None,
                  birth_dates: Mapping[str, dt.date | None] | None = None) -> WorkbookRead:
    """Read and check a workbook; nothing is saved.

    Args:
        path: the ``.xlsx`` file.
        today: the current date (visits may not be in the future); defaults to today.
        progress: called as ``progress(done, total)`` after each sheet.
        birth_dates: saved birth dates of study IDs already in the database, so a visit
            before birth is caught when the sheet leaves ``birth_date`` empty.

    Returns:
        A :class:`WorkbookRead` with the patients (complete only when ``ok``) and every problem.
    """
    path = Path(path)
    locks.refuse_live_file(path, "import")  # never opened by hand: storage.locks
    reader = _Reader(path, today or dt.date.today())
    result = WorkbookRead(path=path)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        reader.add("", 0, "", f"cannot be read as an Excel workbook (.xlsx): {exc}")
        result.problems = reader.problems
        return result
    try:
        _read_sheets(wb, reader, result, progress, birth_dates or {})
    finally:
        wb.close()
    result.problems = reader.problems
    if not result.ok:
        result.patients = []
    return result


def _read_sheets(wb: Any, reader: _Reader, result: WorkbookRead,
                 progress: Progress | None, saved_births: Mapping[str, dt.date | None]) -> None:
    names = list(wb.sheetnames)
    for name in names:
        if name not in DATA_SHEETS and name not in SKIPPED_SHEETS:
            close = [s for s in DATA_SHEETS if s.lower() == name.strip().lower()
                     or s.lower().rstrip("s") == name.strip().lower().rstrip("s")]
            hint = f" (did you mean {close[0]}?)" if close else ""
            reader.add(name, 0, "", f"is not a sheet JDM Capture reads{hint}; expected "
                       + ", ".join(DATA_SHEETS))
    if "Patients" not in names:
        reader.add("", 0, "", "has no sheet named Patients")
    specs = sheet_specs()
    total = len(DATA_SHEETS)
    patients: dict[str, Patient] = {}
    patient_rows: dict[str, int] = {}

    # ---- Patients --------------------------------------------------------------------------
    if "Patients" in names:
        spec = specs["Patients"]
        before = len(reader.problems)
        for row in _rows(reader, wb["Patients"], spec):
            sid = row.values.get("study_id")
            if sid is None:
                if "study_id" not in row.bad:
                    reader.add(spec.name, row.number, "study_id", "is empty: every row needs one")
                continue
            if sid in patient_rows:
                reader.add(spec.name, row.number, "study_id",
                           f'"{sid}" is already on row {patient_rows[sid]}')
                continue
            patient_rows[sid] = row.number
            check = validation.check_patient(row.values, today=reader.today)
            _record_problems(reader, spec.name, row, check.problems, spec.fields)
            v = check.values
            patients[sid] = Patient(
                study_id=sid, sex=v.get("sex"), diagnosis_date=v.get("diagnosis_date"),
                autoantibody=v.get("autoantibody"),
                identifiers={k: v[k] for k in IDENTIFIER_KEYS if v.get(k) is not None})
        if not patient_rows and len(reader.problems) == before:
            reader.add("Patients", 0, "", "has no patients: nothing to import")
    _tick(progress, 1, total)

    def owner(sheet: str, row: _Row) -> Patient | None:
        sid = row.values.get("study_id")
        if sid is None:
            if "study_id" not in row.bad:
                reader.add(sheet, row.number, "study_id", "is empty: every row needs one")
            return None
        if sid not in patients:
            if sid not in patient_rows and "Patients" in reader.readable:
                reader.add(sheet, row.number, "study_id",
                           f'"{sid}" is not on sheet Patients')
            return None
        return patients[sid]

    # ---- Visits ----------------------------------------------------------------------------
    visit_rows: list[tuple[Patient, _VisitRow]] = []
    by_date: dict[tuple[str, dt.date], int] = {}
    if "Visits" in names:
        spec = specs["Visits"]
        for row in _rows(reader, wb["Visits"], spec):
            patient = owner(spec.name, row)
            day = row.values.get("visit_date")
            if day is None and "visit_date" not in row.bad:
                reader.add(spec.name, row.number, "visit_date", "is empty: every visit needs "
                           "its date")
            if patient is None or day is None:
                continue
            key = (patient.study_id, day)
            if key in by_date:
                reader.add(spec.name, row.number, "visit_date",
                           f"{day.isoformat()} is a second visit of {patient.study_id} on that "
                           f"day (first on row {by_date[key]})")
                continue
            by_date[key] = row.number
            baseline = _yes_no(reader, spec.name, row, VISIT_BASELINE)
            notes = row.values.get(VISIT_NOTES)
            visit = Visit(visit_date=day, visit_label=row.values.get("visit_label"),
                          baseline=bool(baseline), notes=str(notes) if notes else "")
            visit.values = {k: v for k, v in row.values.items() if k not in (
                "study_id", "visit_date", "visit_label", VISIT_BASELINE, VISIT_NOTES)}
            visit_rows.append((patient, _VisitRow(row, visit)))
    _tick(progress, 2, total)

    # ---- Missing ---------------------------------------------------------------------------
    missing_rows: dict[tuple[str, dt.date], dict[str, int]] = {}
    if "Missing" in names:
        spec = specs["Missing"]
        value_names = {f.name for f in registry.visit_value_fields()}
        for row in _rows(reader, wb["Missing"], spec):
            patient = owner(spec.name, row)
            day = row.values.get("visit_date")
            name = row.values.get(MISSING_FIELD)
            reason = row.values.get(MISSING_REASON)
            ok = patient is not None and day is not None
            if day is None and "visit_date" not in row.bad:
                reader.add(spec.name, row.number, "visit_date", "is empty")
            if not isinstance(name, str) or name.strip() not in value_names:
                reader.add(spec.name, row.number, MISSING_FIELD,
                           f'"{name}" is not a visit field name' if name is not None
                           else "is empty")
                ok = False
            if not isinstance(reason, str) or reason.strip() not in MISSING_REASONS:
                reader.add(spec.name, row.number, MISSING_REASON,
                           f'"{reason}" is not a reason; allowed {"/".join(MISSING_REASONS)}'
                           if reason is not None else "is empty")
                ok = False
            if not ok:
                continue
            assert patient is not None and isinstance(name, str) and isinstance(reason, str)
            assert isinstance(day, dt.date)
            key = (patient.study_id, day)
            if key not in by_date and "Visits" not in reader.readable:
                continue
            if key not in by_date:
                reader.add(spec.name, row.number, "visit_date",
                           f"{day.isoformat()}: {patient.study_id} has no visit on that day on "
                           "sheet Visits")
                continue
            fields = missing_rows.setdefault(key, {})
            if name.strip() in fields:
                reader.add(spec.name, row.number, MISSING_FIELD,
                           f"{name} is already listed on row {fields[name.strip()]}")
                continue
            fields[name.strip()] = row.number
            visit = next(vr.visit for p, vr in visit_rows
                         if p.study_id == patient.study_id and vr.visit.visit_date == day)
            visit.missing[name.strip()] = reason.strip()
    _tick(progress, 3, total)

    # ---- check every visit -----------------------------------------------------------------
    visit_columns = set(specs["Visits"].fields)
    for patient, vr in visit_rows:
        visit, row = vr.visit, vr.row
        born = patient.birth_date or saved_births.get(patient.study_id)
        check = validation.check_visit(
            visit.values, visit.missing, visit_date=visit.visit_date,
            visit_label=visit.visit_label, birth_date=born, today=reader.today)
        listed = missing_rows.get((patient.study_id, visit.visit_date), {})
        visit_problems = []
        for p in check.problems:
            if p.field in listed and p.field not in row.values:
                # about a Missing-sheet entry (e.g. seconds recorded for an item marked missing)
                reader.add_problem("Missing", listed[p.field], MISSING_FIELD, p)
            elif p.field in listed:
                reader.add("Missing", listed[p.field], MISSING_FIELD,
                           f"{p.field} has a value on sheet Visits row {row.number}; "
                           "a field is either measured or missing")
            else:
                visit_problems.append(p)
        _record_problems(reader, "Visits", row, visit_problems, visit_columns)
        visit.values = {k: v for k, v in check.values.items()
                        if k not in ("visit_date", "visit_label")}
        visit.missing = dict(check.missing)
        patient.visits.append(visit)
    for patient in patients.values():
        flagged = [v for v in patient.visits if v.baseline]
        if len(flagged) > 1:
            rows = sorted(by_date[(patient.study_id, v.visit_date)] for v in flagged)
            reader.add("Visits", rows[1], VISIT_BASELINE,
                       f"{patient.study_id} has more than one baseline visit (rows "
                       f"{', '.join(map(str, rows))}); mark one")

    # ---- Medications and adverse events ----------------------------------------------------
    for sheet, check_record, build, step in (
            ("Medications", validation.check_medication, Medication, 4),
            ("Adverse events", validation.check_adverse_event, AdverseEvent, 5)):
        if sheet in names:
            spec = specs[sheet]
            for row in _rows(reader, wb[sheet], spec):
                patient = owner(sheet, row)
                record = {k: v for k, v in row.values.items() if k != "study_id"}
                check = check_record(record)
                ok = _record_problems(reader, sheet, row, check.problems, spec.fields)
                if patient is None or not ok or row.bad:
                    continue
                if build is Medication:
                    patient.medications.append(Medication(**check.values))
                else:
                    patient.adverse_events.append(AdverseEvent(**check.values))
        _tick(progress, step, total)

    result.patients = list(patients.values())


def _yes_no(reader: _Reader, sheet: str, row: _Row, column: str) -> bool | None:
    value = row.values.get(column)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    reader.add(sheet, row.number, column, f'"{value}" is not TRUE or FALSE')
    row.bad.add(column)
    return None


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def import_workbook(path: Path | str, repo: Repository, actor: str, *,
                    today: dt.date | None = None,
                    progress: Progress | None = None) -> WorkbookImportSummary:
    """Check a workbook and, if nothing is wrong, save all of it in one transaction.

    Args:
        path: the ``.xlsx`` file.
        repo: the database (:class:`storage.repository.Repository`) to import into.
        actor: who imports, for the audit trail.
        today: the current date for the "not in the future" checks.
        progress: called as ``progress(done, total)``: one step per sheet, one for saving.

    Returns:
        A :class:`WorkbookImportSummary`: ``imported`` with counts, or the ``errors`` (one line
        each, naming sheet, row and column) and nothing saved.

    Raises:
        storage.errors.KnownStorageError: the database cannot be written (locked, read-only,
            disk full); nothing was saved.
    """
    locks.refuse_live_file(path, "import")  # never opened by hand: storage.locks
    path = Path(path)
    summary = WorkbookImportSummary(path=path)
    total = len(DATA_SHEETS) + 1

    def sheet_progress(done: int, _total: int) -> None:
        if progress is not None:
            progress(done, total)

    births = _saved_birth_dates(path, repo)
    read = read_workbook(path, today=today, progress=sheet_progress, birth_dates=births)
    summary.warnings = [str(p) for p in read.warnings]
    if not read.ok:
        summary.errors = [str(p) for p in read.errors]
        return summary
    (summary.patients, summary.visits, summary.medications,
     summary.adverse_events) = count(read.patients)
    try:
        stored = repo.import_patients(read.patients, actor, today=today)
    except ValidationFailed as exc:
        # The sheet checks normally catch everything first; name the file at least.
        context = f"{exc.context}: " if exc.context else ""
        summary.errors = [f"{path.name}: {context}{p.code_message}" for p in exc.problems] or [
            f"{path.name}: {exc}"]
        return summary
    summary.imported = True
    summary.patients_added = stored.patients_added
    summary.patients_updated = stored.patients_updated
    summary.visits_replaced = stored.visits_replaced
    if progress is not None:
        progress(total, total)
    return summary


def _saved_birth_dates(path: Path, repo: Repository) -> dict[str, dt.date | None]:
    """Birth dates already saved for the workbook's study IDs (a quick pre-read of Patients)."""
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        return {}
    try:
        if "Patients" not in wb.sheetnames:
            return {}
        rows = wb["Patients"].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or "study_id" not in header:
            return {}
        at = list(header).index("study_id")
        ids = {str(r[at]).strip() for r in rows if at < len(r) and r[at] is not None}
    finally:
        wb.close()
    return repo.birth_dates(ids)


def count(patients: Iterable[Patient]) -> tuple[int, int, int, int]:
    """(patients, visits, medications, adverse events)."""
    ps = list(patients)
    return (len(ps), sum(len(p.visits) for p in ps), sum(len(p.medications) for p in ps),
            sum(len(p.adverse_events) for p in ps))


__all__ = ["DATA_SHEETS", "SheetProblem", "WorkbookImportSummary", "WorkbookRead", "count",
           "import_workbook", "read_workbook", "sheet_specs"]
