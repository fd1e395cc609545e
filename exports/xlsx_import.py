"""Spreadsheet import: a workbook in the identified export layout becomes forms.model Patients.

Reads the sheets of data-contract section 4 that hold entered data (``Patients``, ``Visits``,
``Medications``, ``Adverse events``, ``Missing``) and ``Settings`` (the scoring settings the
export was made with, compared with the database's: see :func:`import_workbook`);
``Response`` and ``Data dictionary`` (and the
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
refused: the workbook must hold values. The one exception: LibreOffice Calc saves every TRUE/FALSE
cell as the formula ``TRUE()``/``FALSE()``, and exactly those two are read as booleans. A CHAQ
item listed on sheet Missing with reason ``na`` is read as answered "not applicable".

Hostile files (issue 10 section 2, issue 17): before openpyxl opens anything,
:func:`container_problem` bounds the file size and every zip part's declared size and
compression ratio; each sheet's XML is then checked at C speed (well-formed, no DTD, at most
:data:`MAX_ROWS` rows) and streamed row by row through a parser that reports a cell it cannot
convert (``0x10`` in a number cell) instead of raising; NaN/infinite numbers, rows wider than
Excel's and row numbers past Excel's last are refused with their place; reading stops after
:data:`MAX_PROBLEMS` problems. Two medication courses (or adverse events) with the same match
key, which the import would merge, are refused naming both rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError, fromstring, iterparse
from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    CELL_TAG,
    DATA_TAG,
    FORMULA_TAG,
    INLINE_STRING,
    ROW_TAG,
    VALUE_TAG,
    WorkSheetParser,
)

from exports.excel import NOT_APPLICABLE, SETTINGS_SHEET, Layout
from forms import registry, validation
from forms.fields import Field, FieldType, Level
from forms.i18n import N_, _
from forms.model import IDENTIFIER_KEYS, MISSING_REASONS, AdverseEvent, Medication, Patient, Visit
from forms.records import frozen, mutable
from forms.settings import ScoringSettings, settings_from_items
from forms.validation import Problem
from storage import locks
from storage.casefile import (
    MATCH_KEYS,
    SettingsChoice,
    SettingsDiffer,
    apply_file_settings,
    match_key_text,
)
from storage.errors import ValidationFailed
from storage.repository import Repository

Progress = Callable[[int, int], None]

#: sheets read, in reading order.
DATA_SHEETS = ("Patients", "Visits", "Medications", "Adverse events", "Missing")
#: sheets an export or the template writes that hold nothing to import (sheet Settings is read
#: too: the scoring settings the export was made with).
SKIPPED_SHEETS = ("Response", "Data dictionary", "Lists", "Instructions")

#: export-only columns that carry entered data and are read back.
VISIT_BASELINE = "baseline"
VISIT_NOTES = "visit_notes"
MISSING_FIELD = "field"
MISSING_REASON = "reason"


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@frozen
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
        where = [_("sheet {sheet}").format(sheet=self.sheet)] if self.sheet else []
        if self.row:
            where.append(_("row {row}").format(row=self.row))
        if self.column:
            where.append(_("column {column}").format(column=self.column))
        place = _(", ").join(where)
        return f"{self.file}: {place}: {self.text}" if place else f"{self.file}: {self.text}"


@mutable
class WorkbookRead:
    """The patients read from a workbook, or why they cannot be imported."""

    path: Path
    patients: list[Patient] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)
    #: sheet Settings, when the workbook has one (exports do; the template does not).
    settings: ScoringSettings | None = None

    @property
    def errors(self) -> list[SheetProblem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[SheetProblem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


@mutable
class WorkbookImportSummary:
    """What :func:`import_workbook` did: counts imported, or the problems that stopped it.

    Attributes:
        path: the workbook.
        imported: True when the file was saved (all of it); False when nothing was saved.
        patients, visits, medications, adverse_events: counts in the file (saved when imported).
        patients_added, patients_updated, visits_replaced: what storage did with them.
        errors: one line per problem that refused the file (empty when imported).
        warnings: one line per value to double-check (saved anyway).
        settings_differences: the scoring settings that differ from the database's when the
            file was refused for them (no choice was made); the caller asks and imports again.
        has_settings: the workbook has a Settings sheet.
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
    settings_differences: list[str] = field(default_factory=list)
    has_settings: bool = False


# --------------------------------------------------------------------------------------------
# Columns each sheet may have
# --------------------------------------------------------------------------------------------
def _layout() -> Layout:
    return Layout(identified=True)


def _ignored(columns: Iterable[Any], keep: Iterable[str] = ()) -> frozenset[str]:
    """Derived and export-only columns of an export sheet, minus those read back."""
    keep = set(keep)
    return frozenset(c.name for c in columns if c.derived and c.name not in keep)


@frozen
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
# Limits: checked before the workbook is opened, and while its rows stream past
# --------------------------------------------------------------------------------------------
#: the largest workbook file read (the 5,000-patient x 20-visit export is about 50 MB).
MAX_FILE_BYTES = 200 * 2**20
#: the largest part of the zip archive, uncompressed (that export's Visits sheet: ~380 MB).
#: It also bounds the memory one oversized cell can take (the XML parser holds a cell's text
#: whole): about twice this at worst.
MAX_PART_BYTES = 512 * 2**20
#: the shared-strings part is held in memory whole, so it gets a lower cap.
MAX_SHARED_STRINGS_BYTES = 256 * 2**20
#: all parts together, uncompressed.
MAX_TOTAL_BYTES = 2 * 2**30
#: sheet XML compresses about 10:1; a part above :data:`RATIO_FLOOR` compressed more than
#: this is the mark of a zip bomb (1.5 MB inflating to 1.5 GB is 1,000:1).
MAX_RATIO = 100
RATIO_FLOOR = 10 * 2**20
#: data rows read per sheet (2.5-10x the 5,000 x 20 benchmark cohort); more is refused.
MAX_ROWS: dict[str, int] = {"Patients": 50_000, "Visits": 250_000, "Medications": 250_000,
                            "Adverse events": 250_000, "Missing": 1_000_000,
                            "Settings": 1_000}
#: Excel's own last row and column: beyond them a file was not written by a spreadsheet.
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
#: reading stops after this many problems: a workbook that wrong needs fixing at its source.
MAX_PROBLEMS = 1000

#: the only formulas accepted: LibreOffice Calc saves every TRUE/FALSE cell as one of these.
BOOLEAN_FORMULAS = {"=TRUE()": True, "=FALSE()": False}


def container_problem(path: Path) -> str | None:
    """Why ``path`` cannot be opened safely as a workbook, or None.

    Checks the file size and every zip member's declared uncompressed size and compression
    ratio before anything is inflated (Python's zipfile never yields more than a member's
    declared size, so the declaration is a real bound).
    """
    try:
        if path.is_dir():
            return _("is a folder, not a workbook")
        size = path.stat().st_size
    except OSError as exc:
        return _("cannot be read: {error}").format(error=exc.strerror or exc)
    if size > MAX_FILE_BYTES:
        return _("is {size} MB; the largest workbook JDM Capture reads is {limit} MB (split "
                 "it, e.g. by patient)").format(size=f"{size / 2**20:,.0f}",
                                                limit=MAX_FILE_BYTES // 2**20)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return _("cannot be read as an Excel workbook (.xlsx): it is not a zip archive "
                 "({error}); a password-protected workbook must be saved without a "
                 "password").format(error=_zip_error(exc))
    total = 0
    for part in parts:
        if part.flag_bits & 0x1:
            return _("part {part} is encrypted; save the workbook without a password").format(
                part=part.filename)
        total += part.file_size
        limit = (MAX_SHARED_STRINGS_BYTES if part.filename.lower().endswith("sharedstrings.xml")
                 else MAX_PART_BYTES)
        if part.file_size > limit:
            return _("part {part} would inflate to {size} MB (the limit is {limit} MB); "
                     "refused before opening it").format(
                part=part.filename, size=f"{part.file_size / 2**20:,.0f}", limit=limit // 2**20)
        if (part.file_size > RATIO_FLOOR
                and part.file_size > MAX_RATIO * max(part.compress_size, 1)):
            ratio = part.file_size // max(part.compress_size, 1)
            return _("part {part} is compressed {ratio}:1 (a workbook is about 10:1; the "
                     "limit is {limit}:1): the mark of a zip bomb, refused before opening "
                     "it").format(part=part.filename, ratio=f"{ratio:,}", limit=MAX_RATIO)
    if total > MAX_TOTAL_BYTES:
        return _("would inflate to {size} MB in all (the limit is {limit} MB); refused "
                 "before opening it").format(size=f"{total / 2**20:,.0f}",
                                             limit=MAX_TOTAL_BYTES // 2**20)
    return None


# --------------------------------------------------------------------------------------------
# Reading rows: openpyxl's streaming sheet parser, made to report a bad cell instead of raising
# --------------------------------------------------------------------------------------------
@frozen
class _Unreadable:
    """A cell whose stored value openpyxl cannot convert (``<v>0x10</v>`` in a number cell)."""

    raw: str
    kind: str

    def __str__(self) -> str:
        return self.raw


class _SafeParser(WorkSheetParser):
    """openpyxl's sheet parser; a cell it cannot convert becomes an :class:`_Unreadable`, and
    a row with more cells than Excel allows is refused while it is being read (before the
    whole row is held in memory)."""

    def parse_rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """``(row number, cells)`` of each ``<row>``; everything else in the sheet is skipped."""
        cells = 0
        rows: Any = None  # <sheetData>: emptied after each row, so memory stays flat
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                if element.tag == DATA_TAG:
                    rows = element
                elif element.tag == CELL_TAG:
                    cells += 1
                    if cells > EXCEL_MAX_COLUMNS:
                        raise _SheetDamaged(_("row {row} has more than {n} cells (Excel's "
                                              "limit)").format(row=self.row_counter + 1,
                                                               n=f"{EXCEL_MAX_COLUMNS:,}"))
                continue
            if element.tag == ROW_TAG:
                yield self.parse_row(element)
                element.clear()
                if rows is not None:
                    rows.clear()
                cells = 0
            elif element.tag != CELL_TAG and element.tag not in _ROW_PARTS:
                element.clear()  # sheet properties, views, validations: not needed

    def parse_cell(self, element: Any) -> dict[str, Any]:
        try:
            return dict(super().parse_cell(element))
        except (ValueError, TypeError, IndexError, KeyError, OverflowError):
            column = int(getattr(self, "col_counter", 0)) + 1
            coordinate = element.get("r")
            if coordinate:
                with contextlib.suppress(ValueError, TypeError):
                    column = coordinate_to_tuple(coordinate)[1]
            self.col_counter = column
            raw = element.findtext(VALUE_TAG) or ""
            return {"row": self.row_counter, "column": column, "data_type": "x",
                    "value": _Unreadable(raw[:40], element.get("t", "n")), "style_id": 0}


#: elements inside a cell: cleared with their row, not before (parse_row still reads them).
_ROW_PARTS = frozenset({VALUE_TAG, FORMULA_TAG, INLINE_STRING,
                        INLINE_STRING.replace("}is", "}t"), INLINE_STRING.replace("}is", "}r"),
                        INLINE_STRING.replace("}is", "}rPr")})


@frozen
class _Cell:
    column: int  # 1-based
    value: Any
    kind: str  # openpyxl data type: n s b d e f, or x (unreadable)


class _SheetDamaged(Exception):
    """The sheet's XML cannot be parsed (malformed, or entities refused), or is too wide."""


_DAMAGED = N_("the sheet's XML is damaged or uses features refused for safety (entities, "
              "external references)")

#: expat's and zipfile's most common messages, for the user's language
_PARSER_ERRORS = {
    "not well-formed (invalid token)": N_("not well-formed (invalid token)"),
    "mismatched tag": N_("mismatched tag"), "unclosed token": N_("unclosed token"),
    "no element found": N_("no element found"), "syntax error": N_("syntax error"),
    "junk after document element": N_("junk after document element"),
    "undefined entity": N_("undefined entity"),
    "unclosed CDATA section": N_("unclosed CDATA section"),
    "File is not a zip file": N_("File is not a zip file"),
}


def _parser_error(text: str) -> str:
    """A parser's message in the user's language (``unclosed token: line 1, column 18``)."""
    at = re.fullmatch(r"(?P<error>.+): line (?P<line>\d+), column (?P<column>\d+)", text)
    if at is not None:
        return _("{error}: line {line}, column {column}").format(
            error=_parser_error(at["error"]), line=at["line"], column=at["column"])
    return _(_PARSER_ERRORS[text]) if text in _PARSER_ERRORS else text


def _zip_error(exc: BaseException) -> str:
    return _parser_error(str(exc))


def _damaged(detail: str) -> str:
    """The damaged-sheet sentence with what the parser said."""
    return _("{damaged}: {detail}").format(damaged=_(_DAMAGED), detail=detail)


class _LazySheet(ReadOnlyWorksheet):
    """A read-only sheet that does not parse its XML when the workbook is opened.

    openpyxl looks for the ``<dimension>`` tag at open; without one it parses the whole
    sheet (a million-row sheet: seconds per sheet before anything is checked). Rows are
    streamed by :func:`_stream` instead, which needs no dimension.
    """

    def _get_size(self) -> None:
        return None


class _BookReader(ExcelReader):
    """openpyxl's workbook reader, with :class:`_LazySheet` sheets (chart sheets skipped)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _LazySheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def _open_book(handle: Any) -> Any:
    reader = _BookReader(handle, read_only=True, keep_vba=False, data_only=False,
                         keep_links=False)
    reader.read()
    return reader.wb


_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


class _Doctype(Exception):
    pass


def _refuse_doctype(*_args: object) -> None:
    raise _Doctype


def _precheck(wb: Any, ws: Any, limit: int) -> str | None:
    """Why the sheet is refused before any cell is read, or None.

    One pass over the sheet's XML at C speed: it must be well-formed (expat), hold no DTD
    (spreadsheets never write one; entity tricks such as XXE or "billion laughs" need it) and
    hold at most ``limit`` rows (counted by a byte scan). A damaged end or a million rows are
    found in a second instead of after every row before them was checked.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    found = 0
    tail = b""
    try:
        with wb._archive.open(ws._worksheet_path) as src:
            while chunk := src.read(1 << 20):
                parser.Parse(chunk, False)
                data = tail + chunk
                keep = max(len(data) - 64, 0)  # a tag starting in the last 64 bytes: next
                found += sum(1 for m in _ROW_START.finditer(data) if m.start() < keep)
                if found > limit:
                    return "too many rows"
                tail = data[keep:]
            parser.Parse(b"", True)
    except _Doctype:
        return _damaged(_("a sheet may not declare a DTD"))
    except expat.ExpatError as exc:
        return _damaged(_("{error}: line {line}, column {column}").format(
            error=_parser_error(expat.ErrorString(exc.code) or ""), line=exc.lineno,
            column=exc.offset))
    found += len(_ROW_START.findall(tail))
    return "too many rows" if found > limit else None


def _more_rows_than(wb: Any, ws: Any, limit: int) -> bool:
    """True when the sheet's XML holds more than ``limit`` rows (see :func:`_precheck`)."""
    return _precheck(wb, ws, limit) == "too many rows"


def _stream(wb: Any, ws: Any) -> Iterator[tuple[int, list[_Cell]]]:
    """``(row number, cells)`` of every stored row, in file order, straight from the XML."""
    try:
        with ws._get_source() as src:
            parser = _SafeParser(src, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                 date_formats=wb._date_formats,
                                 timedelta_formats=wb._timedelta_formats)
            for number, cells in parser.parse_rows():
                yield number, [_Cell(c["column"], c["value"], c["data_type"]) for c in cells]
    except _SheetDamaged:
        raise
    except (ParseError, ValueError, TypeError, KeyError, IndexError,
            zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _SheetDamaged(_damaged(_parser_error(str(exc)[:160]))) from exc


# --------------------------------------------------------------------------------------------
# Reading cells
# --------------------------------------------------------------------------------------------
@mutable
class _Row:
    number: int
    values: dict[str, Any]  # column -> parsed value (only cells that parsed)
    bad: set[str]  # columns whose cell had a problem


class _TooManyProblems(Exception):
    pass


class _Reader:
    """Collects problems with their place while the sheets are read."""

    def __init__(self, path: Path, today: dt.date) -> None:
        self.file = path.name
        self.today = today
        self.problems: list[SheetProblem] = []
        self.errors = 0
        #: sheets whose header was readable; cross-sheet checks against the others are skipped
        #: (their problems are already reported once, at row 1).
        self.readable: set[str] = set()

    def add(self, sheet: str, row: int, column: str, text: str, *, error: bool = True) -> None:
        self.problems.append(SheetProblem(self.file, sheet, row, column, text, error))
        if error:
            self.errors += 1
            if self.errors >= MAX_PROBLEMS:
                raise _TooManyProblems

    def add_problem(self, sheet: str, row: int, column: str, p: Problem) -> None:
        self.add(sheet, row, column, f"{p.shown_value} {p.reason}", error=p.is_error)

    # ---- one cell ---------------------------------------------------------------------------
    def cell(self, sheet: str, row: int, column: str, f: Field | None,
             cell: _Cell) -> tuple[Any, bool]:
        """(value or None, ok) for one cell; problems are recorded."""
        value, kind = cell.value, cell.kind
        if kind == "f" and isinstance(value, str) and value.strip() in BOOLEAN_FORMULAS:
            value, kind = BOOLEAN_FORMULAS[value.strip()], "b"
        if kind == "f" or (isinstance(value, str) and kind != "s" and value.startswith("=")):
            self.add(sheet, row, column, _("{value} is a formula; type the value itself").format(
                value=f"{value!s:.40}"))
            return None, False
        if kind == "e":
            self.add(sheet, row, column, _("{value} is a spreadsheet error, not a "
                                           "value").format(value=f"{value!s:.40}"))
            return None, False
        if kind == "x":
            stored = _KIND_NAMES.get(getattr(value, "kind", ""), N_("typed"))
            self.add(sheet, row, column, _('"{value}" is stored as a {kind} cell but cannot be '
                                           "read as one; type the value again").format(
                value=value, kind=_(stored)))
            return None, False
        if isinstance(value, float) and not math.isfinite(value):
            self.add(sheet, row, column, _("{value} is not a number; a cell must hold a finite "
                                           "number").format(value=value))
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


_KIND_NAMES = {"n": N_("number"), "b": N_("TRUE/FALSE"), "s": N_("text"), "d": N_("date"),
               "str": N_("text")}


def _is_count(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer())


def _number_text(value: int | float) -> str:
    return str(int(value))


def _header(reader: _Reader, spec: SheetSpec, cells: list[_Cell]) -> list[str | None] | None:
    """Column index (0-based) -> field name, or None (and problems) when row 1 is unusable."""
    header: list[str | None] = []
    seen: dict[str, int] = {}
    ok = True
    for c in cells:
        while len(header) < c.column - 1:
            header.append(None)
        name = c.value
        if c.kind in ("x", "e", "f") or name is None or (isinstance(name, str)
                                                          and not name.strip()):
            header.append(None)
            continue
        name = str(name).strip()
        letter = get_column_letter(c.column)
        if name in seen:
            reader.add(spec.name, 1, name, _("appears twice (columns {first} and {second})").format(
                first=get_column_letter(seen[name]), second=letter))
            ok = False
        elif name not in spec.fields and name not in spec.skipped:
            reader.add(spec.name, 1, name, _("is not a column of sheet {sheet}{hint}").format(
                sheet=spec.name, hint=_hint(name)))
            ok = False
        seen.setdefault(name, c.column)
        header.append(name)
    for name in spec.required:
        if name not in seen:
            message = (_("has no {column} column (a de-identified export cannot be imported: "
                         "export with --identified)") if name == "visit_date" else
                       _("has no {column} column"))
            reader.add(spec.name, 1, "", message.format(column=name))
            ok = False
    return header if ok else None


def _rows(reader: _Reader, wb: Any, spec: SheetSpec) -> Iterator[_Row]:
    """Check the header of sheet ``spec.name`` and yield its data rows, cells parsed.

    Row numbers are the sheet's own (from the XML), so messages match what Excel shows.
    A damaged sheet, a sheet with too many rows or row numbers past Excel's last row stop
    the sheet with one message.
    """
    limit = MAX_ROWS.get(spec.name, MAX_ROWS["Visits"])
    try:
        ws = wb[spec.name]
        refused = _precheck(wb, ws, limit + 1)  # + 1: the header row
        if refused == "too many rows":
            reader.add(spec.name, 0, "", _("has more than {n} data rows, the most JDM Capture "
                                           "reads per sheet; split the workbook").format(
                n=f"{limit:,}"))
            return
        if refused is not None:
            reader.add(spec.name, 0, "", _("cannot be read: {error}").format(error=refused))
            return
        rows = _stream(wb, ws)
        first = next(rows, None)
        if first is None or first[0] != 1:
            reader.add(spec.name, 0, "", _("is empty: row 1 must hold the field names"))
            return
        header = _header(reader, spec, first[1])
        if header is None:
            return
        reader.readable.add(spec.name)
        for count, (number, cells) in enumerate(rows, start=1):
            if count > limit or number > EXCEL_MAX_ROW:
                last = (_("{n} data rows per sheet").format(n=f"{limit:,}") if count > limit
                        else _("row {row}, Excel's last").format(row=f"{EXCEL_MAX_ROW:,}"))
                reader.add(spec.name, number, "", _("is past the last row JDM Capture reads "
                                                    "({last}); split the workbook").format(
                    last=last))
                return
            row = _row(reader, spec, header, number, cells)
            if row is not None:
                yield row
    except _SheetDamaged as exc:
        reader.add(spec.name, 0, "", _("cannot be read: {error}").format(error=exc))
    except (ParseError, ValueError, TypeError, KeyError) as exc:  # opening the sheet part
        reader.add(spec.name, 0, "", _("cannot be read: the sheet's XML is damaged or uses "
                                       "features refused for safety: {error}").format(
            error=_parser_error(str(exc)[:160])))


def _row(reader: _Reader, spec: SheetSpec, header: list[str | None], number: int,
         cells: list[_Cell]) -> _Row | None:
    """One data row's cells parsed, or None when it is empty."""
    values: dict[str, Any] = {}
    bad: set[str] = set()
    empty = True
    for c in cells:
        if c.value is None and c.kind not in ("f", "x"):
            continue
        if isinstance(c.value, str) and not c.value.strip():
            continue
        empty = False
        name = header[c.column - 1] if c.column - 1 < len(header) else None
        if name is None:
            reader.add(spec.name, number, get_column_letter(c.column),
                       _("holds a value but the column has no field name in row 1"))
            continue
        if name in spec.skipped:
            continue
        value, ok = reader.cell(spec.name, number, name, spec.fields[name], c)
        if not ok:
            bad.add(name)
        elif value is not None:
            values[name] = value
    return None if empty else _Row(number, values, bad)


def _hint(name: str) -> str:
    low = name.strip().lower()
    for f in registry.FIELDS:
        if f.name == low or f.label.lower() == low:
            return _(" (did you mean {name}?)").format(name=f.name)
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


@mutable
class _VisitRow:
    row: _Row
    visit: Visit
    patient: Patient


BirthDates = Mapping[str, dt.date | None] | Callable[[list[str]], Mapping[str, dt.date | None]]


@mutable
class _Book:
    """What the sheets read so far hold (shared by the per-sheet readers)."""

    wb: Any
    reader: _Reader
    names: list[str]
    specs: dict[str, SheetSpec]
    patients: dict[str, Patient] = field(default_factory=dict)
    patient_rows: dict[str, int] = field(default_factory=dict)
    visits: dict[tuple[str, dt.date], _VisitRow] = field(default_factory=dict)
    #: (study_id, visit_date) -> field -> Missing-sheet row
    missing_rows: dict[tuple[str, dt.date], dict[str, int]] = field(default_factory=dict)
    settings: ScoringSettings | None = None

    def owner(self, sheet: str, row: _Row) -> Patient | None:
        """The patient a row belongs to (by study_id), or None with the problem recorded."""
        sid = row.values.get("study_id")
        if sid is None:
            if "study_id" not in row.bad:
                self.reader.add(sheet, row.number, "study_id", _("is empty: every row needs one"))
            return None
        if sid not in self.patients:
            if sid not in self.patient_rows and "Patients" in self.reader.readable:
                self.reader.add(sheet, row.number, "study_id",
                                _('"{sid}" is not on sheet Patients').format(sid=sid))
            return None
        return self.patients[sid]


def read_workbook(path: Path | str, *, today: dt.date | None = None,
                  progress: Progress | None = None,
                  birth_dates: BirthDates | None = None) -> WorkbookRead:
    """Read and check a workbook; nothing is saved.

    Args:
        path: the ``.xlsx`` file.
        today: the current date (visits may not be in the future); defaults to today.
        progress: called as ``progress(done, total)`` after each sheet.
        birth_dates: saved birth dates of study IDs already in the database, so a visit
            before birth is caught when the sheet leaves ``birth_date`` empty; or a function
            that looks them up for the study IDs of sheet Patients.

    Returns:
        A :class:`WorkbookRead` with the patients (complete only when ``ok``) and every problem
        (at most :data:`MAX_PROBLEMS` errors: reading stops there and the list says so).
    """
    path = Path(path)
    locks.refuse_live_file(path, "import")  # never opened by hand: storage.locks
    reader = _Reader(path, today or dt.date.today())
    result = WorkbookRead(path=path)
    problem = container_problem(path)
    if problem is not None:
        reader.add("", 0, "", problem)
        result.problems = reader.problems
        return result
    with open(path, "rb") as handle:  # closed even when openpyxl gives up half-way
        try:
            wb = _open_book(handle)
        except Exception as exc:  # noqa: BLE001 - a failure to open an untrusted file is its own
            sheet, why = _damaged_part(path) or ("", " ".join(str(exc).split())[:200])
            reader.add(sheet, 0, "", _("cannot be read: {error}").format(
                error=_damaged(_parser_error(why)))
                       if sheet else _("cannot be read as an Excel workbook (.xlsx): {error}")
                       .format(error=_parser_error(why)))
            result.problems = reader.problems
            return result
        _read_book(wb, reader, result, progress, birth_dates)
    result.problems = reader.problems
    if not result.ok:
        result.patients = []
    return result


def _damaged_part(path: Path) -> tuple[str, str] | None:
    """(sheet name, parser message) of the first worksheet part that does not parse.

    Used only after openpyxl failed to open the file, to name the sheet to blame. Each part
    is parsed streaming (the container checks already bounded its size).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = _sheet_parts(archive)
            for part, sheet in names.items():
                try:
                    with archive.open(part) as src:
                        for _event, element in iterparse(src):
                            element.clear()
                except ParseError as exc:
                    return sheet, str(exc)[:160]
    except (zipfile.BadZipFile, OSError, KeyError, ParseError, ValueError):
        return None
    return None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part path -> sheet name, from ``xl/workbook.xml`` and its relationships."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    targets = {}
    for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels")):
        target = rel.get("Target", "").lstrip("/")
        targets[rel.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    out = {}
    for sheet in fromstring(archive.read("xl/workbook.xml")).iter(f"{ns}sheet"):
        part = targets.get(sheet.get(f"{rel_ns}id"))
        if part:
            out[part] = sheet.get("name", part)
    return out


def _read_book(wb: Any, reader: _Reader, result: WorkbookRead, progress: Progress | None,
               birth_dates: BirthDates | None) -> None:
    try:
        book = _Book(wb, reader, list(wb.sheetnames), sheet_specs())
        try:
            _read_sheets(book, progress, birth_dates or {})
        except _TooManyProblems:
            reader.problems.append(SheetProblem(
                reader.file, "", 0, "", _("more than {n} problems; reading stopped here "
                                          "(nothing was saved)").format(n=MAX_PROBLEMS)))
        result.patients = list(book.patients.values())
        result.settings = book.settings
    finally:
        wb.close()


def _read_sheets(book: _Book, progress: Progress | None, births: BirthDates) -> None:
    """Every sheet, in an order where each can check against those before it."""
    reader, names = book.reader, book.names
    for name in names:
        if name not in DATA_SHEETS and name not in SKIPPED_SHEETS and name != SETTINGS_SHEET:
            close = [s for s in DATA_SHEETS if s.lower() == name.strip().lower()
                     or s.lower().rstrip("s") == name.strip().lower().rstrip("s")]
            reader.add(name, 0, "", (_("is not a sheet JDM Capture reads (did you mean "
                                       "{sheet}?); expected {sheets}") if close else
                                     _("is not a sheet JDM Capture reads; expected {sheets}"))
                       .format(sheet=close[0] if close else "", sheets=", ".join(DATA_SHEETS)))
    if "Patients" not in names:
        reader.add("", 0, "", _("has no sheet named Patients"))
    total = len(DATA_SHEETS)
    _read_patients(book)
    _tick(progress, 1, total)
    if callable(births):
        births = births(list(book.patients))
    _read_visits(book)
    _tick(progress, 2, total)
    _read_missing(book)
    _tick(progress, 3, total)
    _check_visits(book, births)
    for step, (sheet, level) in enumerate((("Medications", Level.MEDICATION),
                                           ("Adverse events", Level.ADVERSE_EVENT)), start=4):
        _read_records(book, sheet, level)
        _tick(progress, step, total)
    _read_settings(book)


def _read_patients(book: _Book) -> None:
    if "Patients" not in book.names:
        return
    reader, spec = book.reader, book.specs["Patients"]
    before = len(reader.problems)
    for row in _rows(reader, book.wb, spec):
        sid = row.values.get("study_id")
        if sid is None:
            if "study_id" not in row.bad:
                reader.add(spec.name, row.number, "study_id", _("is empty: every row needs one"))
            continue
        if sid in book.patient_rows:
            reader.add(spec.name, row.number, "study_id",
                       _('"{sid}" is already on row {row}').format(
                           sid=sid, row=book.patient_rows[sid]))
            continue
        book.patient_rows[sid] = row.number
        check = validation.check_patient(row.values, today=reader.today)
        _record_problems(reader, spec.name, row, check.problems, spec.fields)
        v = check.values
        book.patients[sid] = Patient(
            study_id=sid, sex=v.get("sex"), diagnosis_date=v.get("diagnosis_date"),
            autoantibody=v.get("autoantibody"),
            identifiers={k: v[k] for k in IDENTIFIER_KEYS if v.get(k) is not None})
    if not book.patient_rows and len(reader.problems) == before:
        reader.add("Patients", 0, "", _("has no patients: nothing to import"))


def _read_visits(book: _Book) -> None:
    if "Visits" not in book.names:
        return
    reader, spec = book.reader, book.specs["Visits"]
    for row in _rows(reader, book.wb, spec):
        patient = book.owner(spec.name, row)
        day = row.values.get("visit_date")
        if day is None and "visit_date" not in row.bad:
            reader.add(spec.name, row.number, "visit_date", _("is empty: every visit needs its "
                                                              "date"))
        if patient is None or day is None:
            continue
        key = (patient.study_id, day)
        if key in book.visits:
            reader.add(spec.name, row.number, "visit_date",
                       _("{day} is a second visit of {sid} on that day (first on row "
                         "{row})").format(day=day.isoformat(), sid=patient.study_id,
                                          row=book.visits[key].row.number))
            continue
        baseline = _yes_no(reader, spec.name, row, VISIT_BASELINE)
        notes = row.values.get(VISIT_NOTES)
        visit = Visit(visit_date=day, visit_label=row.values.get("visit_label"),
                      baseline=bool(baseline), notes=str(notes) if notes else "")
        visit.values = {k: v for k, v in row.values.items() if k not in (
            "study_id", "visit_date", "visit_label", VISIT_BASELINE, VISIT_NOTES)}
        book.visits[key] = _VisitRow(row, visit, patient)


def _read_missing(book: _Book) -> None:
    """Sheet Missing: why a visit field has no value, or ``na`` for a not-applicable CHAQ item.

    Exports list a CHAQ item answered "not applicable" here (reason ``na``) rather than in
    its Visits column, so that every numeric column holds numbers only.
    """
    if "Missing" not in book.names:
        return
    reader, spec = book.reader, book.specs["Missing"]
    value_names = {f.name for f in registry.visit_value_fields()}
    allowed = "/".join((*MISSING_REASONS, NOT_APPLICABLE))
    for row in _rows(reader, book.wb, spec):
        patient = book.owner(spec.name, row)
        day = row.values.get("visit_date")
        name = row.values.get(MISSING_FIELD)
        reason = row.values.get(MISSING_REASON)
        ok = patient is not None and day is not None
        if day is None and "visit_date" not in row.bad:
            reader.add(spec.name, row.number, "visit_date", _("is empty"))
        name = name.strip() if isinstance(name, str) else name
        reason = reason.strip() if isinstance(reason, str) else reason
        if not isinstance(name, str) or name not in value_names:
            reader.add(spec.name, row.number, MISSING_FIELD,
                       _('"{name}" is not a visit field name').format(name=name)
                       if name is not None else _("is empty"))
            ok = False
        if not isinstance(reason, str) or reason not in (*MISSING_REASONS, NOT_APPLICABLE):
            reader.add(spec.name, row.number, MISSING_REASON,
                       _('"{reason}" is not a reason; allowed {allowed}').format(
                           reason=reason, allowed=allowed)
                       if reason is not None else _("is empty"))
            ok = False
        elif reason == NOT_APPLICABLE and isinstance(name, str) and name in value_names and (
                not registry.get(name).na_allowed):
            reader.add(spec.name, row.number, MISSING_REASON,
                       _('"{na}" (not applicable) is an answer of CHAQ items only, not of '
                         '{name}').format(na=NOT_APPLICABLE, name=name))
            ok = False
        if not ok:
            continue
        assert patient is not None and isinstance(name, str) and isinstance(reason, str)
        assert isinstance(day, dt.date)
        key = (patient.study_id, day)
        if key not in book.visits:
            if "Visits" in reader.readable:
                reader.add(spec.name, row.number, "visit_date",
                           _("{date}: {sid} has no visit on that day on sheet Visits").format(
                               date=day.isoformat(), sid=patient.study_id))
            continue
        fields = book.missing_rows.setdefault(key, {})
        if name in fields:
            reader.add(spec.name, row.number, MISSING_FIELD,
                       _("{name} is already listed on row {row}").format(
                           name=name, row=fields[name]))
            continue
        fields[name] = row.number
        visit = book.visits[key].visit
        if reason == NOT_APPLICABLE:
            if name in visit.values:
                reader.add(spec.name, row.number, MISSING_FIELD,
                           _("{name} has a value on sheet Visits row {row}; an item is either "
                             "answered or not applicable").format(
                               name=name, row=book.visits[key].row.number))
                continue
            visit.values[name] = NOT_APPLICABLE
        else:
            visit.missing[name] = reason


def _check_visits(book: _Book, births: Mapping[str, dt.date | None]) -> None:
    """The record checks of every visit (cross-field rules, missing vs measured)."""
    reader = book.reader
    visit_columns = set(book.specs["Visits"].fields)
    for key, vr in book.visits.items():
        visit, row, patient = vr.visit, vr.row, vr.patient
        born = patient.birth_date or births.get(patient.study_id)
        check = validation.check_visit(
            visit.values, visit.missing, visit_date=visit.visit_date,
            visit_label=visit.visit_label, birth_date=born, today=reader.today)
        listed = book.missing_rows.get(key, {})
        visit_problems = []
        for p in check.problems:
            if p.field in listed and p.field not in row.values:
                # about a Missing-sheet entry (e.g. seconds recorded for an item marked missing)
                reader.add_problem("Missing", listed[p.field], MISSING_FIELD, p)
            elif p.field in listed:
                reader.add("Missing", listed[p.field], MISSING_FIELD,
                           _("{name} has a value on sheet Visits row {row}; a field is either "
                             "measured or missing").format(name=p.field, row=row.number))
            else:
                visit_problems.append(p)
        _record_problems(reader, "Visits", row, visit_problems, visit_columns)
        visit.values = {k: v for k, v in check.values.items()
                        if k not in ("visit_date", "visit_label")}
        visit.missing = dict(check.missing)
        patient.visits.append(visit)
    for patient in book.patients.values():
        flagged = [v for v in patient.visits if v.baseline]
        if len(flagged) > 1:
            rows = sorted(book.visits[(patient.study_id, v.visit_date)].row.number
                          for v in flagged)
            reader.add("Visits", rows[1], VISIT_BASELINE,
                       _("{sid} has more than one baseline visit (rows {rows}); mark one").format(
                           sid=patient.study_id, rows=", ".join(map(str, rows))))


def _read_records(book: _Book, sheet: str, level: Level) -> None:
    """Sheet Medications or Adverse events; two rows with one match key are refused."""
    if sheet not in book.names:
        return
    reader, spec = book.reader, book.specs[sheet]
    check_record = (validation.check_medication if level is Level.MEDICATION
                    else validation.check_adverse_event)
    keys = MATCH_KEYS[level]
    seen: dict[tuple[Any, ...], int] = {}
    for row in _rows(reader, book.wb, spec):
        patient = book.owner(sheet, row)
        record = {k: v for k, v in row.values.items() if k != "study_id"}
        check = check_record(record)
        ok = _record_problems(reader, sheet, row, check.problems, spec.fields)
        if patient is None or not ok or row.bad:
            continue
        key = (patient.study_id, *(check.values.get(k) for k in keys))
        if key in seen:
            reader.add(sheet, row.number, keys[0], (
                _("{sid} has the same {keys} on row {row} ({values}); the import matches each "
                  "course by them, so the two would become one: correct one of them, or merge "
                  "them") if level is Level.MEDICATION else
                _("{sid} has the same {keys} on row {row} ({values}); the import matches each "
                  "event by them, so the two would become one: correct one of them, or merge "
                  "them")).format(sid=patient.study_id,
                                  keys=_("{a} and {b}").format(a=keys[0], b=keys[1]),
                                  row=seen[key], values=match_key_text(level, check.values)))
            continue
        seen[key] = row.number
        if level is Level.MEDICATION:
            patient.medications.append(Medication(**check.values))
        else:
            patient.adverse_events.append(AdverseEvent(**check.values))


def _read_settings(book: _Book) -> None:
    """Sheet Settings (``setting``, ``value``): the scoring settings the export was made with."""
    if SETTINGS_SHEET not in book.names:
        return
    reader = book.reader
    spec = SheetSpec(SETTINGS_SHEET, {"setting": None, "value": None},
                     frozenset({"description"}), ("setting", "value"))
    items: dict[str, object] = {}
    rows: dict[str, int] = {}
    for row in _rows(reader, book.wb, spec):
        name = row.values.get("setting")
        if not isinstance(name, str) or not name.strip():
            reader.add(SETTINGS_SHEET, row.number, "setting", "is empty")
            continue
        name = name.strip()
        if name in rows:
            reader.add(SETTINGS_SHEET, row.number, "setting",
                       f"{name} is already on row {rows[name]}")
            continue
        rows[name] = row.number
        value = row.values.get("value")
        if isinstance(value, float):
            value = Decimal(str(value))
        if value is not None:
            items[name] = value.strip() if isinstance(value, str) else value
    if SETTINGS_SHEET not in reader.readable:
        return
    settings, problems = settings_from_items(items)
    for line in problems:
        name = line.split()[1].strip('"') if line.startswith("setting ") else ""
        reader.add(SETTINGS_SHEET, rows.get(name, 0), "value" if name in rows else "", line)
    book.settings = settings


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
                    progress: Progress | None = None,
                    settings: SettingsChoice | None = None) -> WorkbookImportSummary:
    """Check a workbook and, if nothing is wrong, save all of it in one transaction.

    Args:
        path: the ``.xlsx`` file.
        repo: the database (:class:`storage.repository.Repository`) to import into.
        actor: who imports, for the audit trail.
        today: the current date for the "not in the future" checks.
        progress: called as ``progress(done, total)``: one step per sheet, one for saving.
        settings: when the workbook's sheet Settings differs from the database's scoring
            settings: ``"file"`` (the database takes the workbook's, every stored response is
            recomputed), ``"keep"`` (the database keeps its own), or None (nothing is saved;
            ``settings_differences`` lists the differences for the user to choose).

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

    read = read_workbook(path, today=today, progress=sheet_progress,
                         birth_dates=repo.birth_dates)
    summary.warnings = [str(p) for p in read.warnings]
    summary.has_settings = read.settings is not None
    if not read.ok:
        summary.errors = [str(p) for p in read.errors]
        return summary
    (summary.patients, summary.visits, summary.medications,
     summary.adverse_events) = count(read.patients)
    try:
        with repo.transaction():
            apply_file_settings(repo, path.name, read.settings, settings, actor)
            stored = repo.import_patients(read.patients, actor, today=today)
    except SettingsDiffer as exc:
        summary.errors = list(exc.problems)
        summary.settings_differences = list(exc.differences)
        return summary
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


def count(patients: Iterable[Patient]) -> tuple[int, int, int, int]:
    """(patients, visits, medications, adverse events)."""
    ps = list(patients)
    return (len(ps), sum(len(p.visits) for p in ps), sum(len(p.medications) for p in ps),
            sum(len(p.adverse_events) for p in ps))


__all__ = ["DATA_SHEETS", "MAX_FILE_BYTES", "SETTINGS_SHEET", "SheetProblem",
           "WorkbookImportSummary", "WorkbookRead", "container_problem", "count",
           "import_workbook", "read_workbook", "sheet_specs"]
