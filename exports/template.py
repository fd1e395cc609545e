"""Blank data-entry workbook: the identified export layout with Excel data validation.

``write_template`` writes the sheets :mod:`exports.xlsx_import` reads (``Patients``, ``Visits``,
``Medications``, ``Adverse events``, ``Missing``) with the entered-data columns only (no totals,
no day offsets: JDM Capture computes those), plus ``Instructions``, a ``Data dictionary`` sheet
and a hidden ``Lists`` sheet. Every column carries Excel data validation generated from
:mod:`forms.registry`:

* choices -> a drop-down of the codes (CHAQ items: 0-3 and ``na``);
* integers / decimals -> a whole-number / decimal range from the registry's hard limits;
* dates -> a date on or after 1900-01-01, the cells formatted ``yyyy-mm-dd``;
* text -> its maximum length; ``study_id`` on the other sheets -> a drop-down of the ids typed
  on ``Patients``; ``Missing.field`` -> the visit field names.

Excel checks typed values against these; the importer checks everything again, so a value pasted
past the validation is still caught. Filled in, the file imports as it is (``import FILE.xlsx``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from exports.common import number_text, written_atomically
from exports.excel import EXTRA, Column
from exports.xlsx_import import MISSING_FIELD, MISSING_REASON, VISIT_BASELINE, VISIT_NOTES
from forms import registry, validation
from forms.fields import Field, FieldType, Level
from forms.model import IDENTIFIER_KEYS, MISSING_REASONS
from forms.records import frozen

#: rows (after the header) that carry the data validation.
TEMPLATE_ROWS = 5000
DATE_FORMAT = "yyyy-mm-dd"
_BOLD = Font(bold=True)

INSTRUCTIONS = (
    "JDM Capture data-entry template",
    "",
    "One row per record; row 1 holds the field names: do not rename, reorder freely.",
    "Patients: one row per child. Visits: one row per visit (study_id + visit_date). "
    "Medications and Adverse events: one row per course / event. Missing: why a visit value "
    "was not measured (not_done, not_assessable, unknown).",
    "Leave a cell empty when something was not assessed; never type 0 for 'not done'.",
    "Dates as dates (yyyy-mm-dd). Choices from the drop-downs. Totals and indices are computed "
    "by JDM Capture: there are no columns for them.",
    "Column meanings, ranges and units: sheet 'Data dictionary'. Hover a column's cells for a "
    "short description.",
    "Import: python main.py import --db clinic.jdm FILE.xlsx (or File > Import spreadsheet). "
    "The file is checked as a whole; if anything is wrong nothing is saved and every problem "
    "is listed with its sheet, row and column.",
)


@frozen
class TemplateColumn:
    """A template column: header, the registry field (None for export-only columns)."""

    name: str
    field: Field | None
    column: Column


def _col(f: Field) -> TemplateColumn:
    return TemplateColumn(f.name, f, Column.from_field(f))


def _extra(name: str) -> TemplateColumn:
    return TemplateColumn(name, None, EXTRA[name])


def template_columns() -> dict[str, list[TemplateColumn]]:
    """Sheet -> columns, in the export's order, entered data only."""
    get = registry.get
    sid = _col(get("study_id"))
    patients = [sid, _col(get("sex")), _col(get("autoantibody")), _col(get("diagnosis_date")),
                *(_col(get(k)) for k in IDENTIFIER_KEYS)]
    visits = [sid, _col(get("visit_label")), _col(get("visit_date")), _extra(VISIT_BASELINE),
              *(_col(f) for f in registry.visit_value_fields()), _extra(VISIT_NOTES)]
    meds = [sid, *(_col(f) for f in registry.fields_for(level=Level.MEDICATION))]
    aes = [sid, *(_col(f) for f in registry.fields_for(level=Level.ADVERSE_EVENT))]
    missing = [sid, _col(get("visit_label")), _col(get("visit_date")), _extra(MISSING_FIELD),
               _extra(MISSING_REASON)]
    return {"Patients": patients, "Visits": visits, "Medications": meds,
            "Adverse events": aes, "Missing": missing}


def _list_formula(items: Iterable[object]) -> str:
    return '"' + ",".join(str(i) for i in items) + '"'


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validation_for(f: Field) -> DataValidation | None:
    """The Excel data validation of a registry field's cells, or None for free text."""
    dv: DataValidation | None = None
    if f.type is FieldType.CHOICE:
        dv = DataValidation(type="list", formula1=_list_formula(f.choice_codes))
    elif f.type is FieldType.BOOLEAN:
        dv = DataValidation(type="list", formula1=_list_formula(("TRUE", "FALSE")))
    elif f.is_numeric and f.na_allowed:
        lo, hi = int(f.minimum or 0), int(f.maximum or 0)
        dv = DataValidation(type="list", formula1=_list_formula([*range(lo, hi + 1), "na"]))
    elif f.is_numeric:
        kind = "whole" if f.type is FieldType.INTEGER else "decimal"
        if f.minimum is not None and f.maximum is not None:
            dv = DataValidation(type=kind, operator="between",
                                formula1=number_text(f.minimum), formula2=number_text(f.maximum))
        elif f.minimum is not None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual",
                                formula1=number_text(f.minimum))
        elif f.maximum is not None:
            dv = DataValidation(type=kind, operator="lessThanOrEqual",
                                formula1=number_text(f.maximum))
    elif f.type is FieldType.DATE:
        first = validation.EARLIEST_DATE
        dv = DataValidation(type="date", operator="greaterThanOrEqual",
                            formula1=f"DATE({first.year},{first.month},{first.day})")
    elif f.type is FieldType.TEXT and f.max_length:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual",
                            formula1=str(f.max_length))
    if dv is None:
        return None
    allowed = f.allowed_text() + (f" {f.unit}" if f.unit and f.is_numeric else "")
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = _clip(f.name, 32)
    dv.error = _clip(f"{f.label}: allowed {allowed}. Leave empty if not assessed.", 225)
    dv.showInputMessage = True
    dv.promptTitle = _clip(f.name, 32)
    dv.prompt = _clip(f"{f.label}. Allowed: {allowed}", 255)
    return dv


def _header(ws: Worksheet, names: list[str]) -> None:
    ws.append(names)
    for cell in ws[1]:
        cell.font = _BOLD
    ws.freeze_panes = "B2"
    for i, name in enumerate(names, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(name) + 3, 10), 40)


def _apply(ws: Worksheet, letter: str, dv: DataValidation) -> None:
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")


def write_template(out: Path | str) -> Path:
    """Write the blank template workbook to ``out`` (replaced atomically).

    Returns:
        The path written.
    """
    out = Path(out)
    wb = Workbook()
    intro = wb.active
    assert intro is not None
    intro.title = "Instructions"
    for line in INSTRUCTIONS:
        intro.append([line])
    intro["A1"].font = Font(bold=True, size=14)
    intro.column_dimensions["A"].width = 120
    for row in intro.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True)

    lists = wb.create_sheet("Lists")
    value_names = [f.name for f in registry.visit_value_fields()]
    lists.append(["visit_field"])
    for name in value_names:
        lists.append([name])
    lists.sheet_state = "hidden"
    field_range = f"{quote_sheetname('Lists')}!$A$2:$A${len(value_names) + 1}"
    ids_range = f"{quote_sheetname('Patients')}!$A$2:$A${TEMPLATE_ROWS + 1}"

    columns = template_columns()
    for sheet, cols in columns.items():
        ws = wb.create_sheet(sheet)
        _header(ws, [c.name for c in cols])
        for i, c in enumerate(cols, start=1):
            letter = get_column_letter(i)
            dv: DataValidation | None
            if c.name == "study_id" and sheet != "Patients":
                dv = DataValidation(type="list", formula1=ids_range, allow_blank=True,
                                    showErrorMessage=True, errorTitle="study_id",
                                    error="Type the study_id on sheet Patients first.")
            elif c.name == MISSING_FIELD:
                dv = DataValidation(type="list", formula1=field_range, allow_blank=True,
                                    showErrorMessage=True, errorTitle="field",
                                    error="A visit field name (see sheet Data dictionary).")
            elif c.name == MISSING_REASON:
                dv = DataValidation(type="list", formula1=_list_formula(MISSING_REASONS),
                                    allow_blank=True, showErrorMessage=True,
                                    errorTitle="reason", error="not_done, not_assessable or "
                                    "unknown")
            elif c.name == VISIT_BASELINE:
                dv = DataValidation(type="list", formula1=_list_formula(("TRUE", "FALSE")),
                                    allow_blank=True, showErrorMessage=True,
                                    errorTitle="baseline",
                                    error="TRUE for the visit responses are measured from.")
            else:
                dv = validation_for(c.field) if c.field is not None else None
            if dv is not None:
                _apply(ws, letter, dv)
            if c.column.type is FieldType.DATE:
                ws.column_dimensions[letter].number_format = DATE_FORMAT
                for row in range(2, 202):  # pre-format the first rows people type into
                    ws.cell(row=row, column=i).number_format = DATE_FORMAT

    dictionary = wb.create_sheet("Data dictionary")
    _header(dictionary, ["field", "label", "form", "level", "type", "allowed", "unit",
                         "identifier", "sheet", "description"])
    seen: dict[str, list[str]] = {}
    described: dict[str, TemplateColumn] = {}
    for sheet, cols in columns.items():
        for c in cols:
            seen.setdefault(c.name, []).append(sheet)
            described.setdefault(c.name, c)
    for name, c in described.items():
        col = c.column
        dictionary.append([name, col.label, col.form, col.level, str(col.type), col.allowed,
                           col.unit, "yes" if col.identifier else "no", ", ".join(seen[name]),
                           col.description])

    with written_atomically(out, ".xlsx") as tmp:
        wb.save(tmp)
    return out
