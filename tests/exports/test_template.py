"""The blank template: the importer's columns, Excel data validation from the registry, and a
filled-in template that imports as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from exports.template import write_template
from exports.xlsx_import import DATA_SHEETS, import_workbook, read_workbook, sheet_specs
from forms import registry
from forms.fields import FieldType
from storage.repository import Repository


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "template.xlsx")


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    r = Repository(tmp_path / "clinic.jdm")
    yield r
    r.close()


def _header(ws: Worksheet) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def _validation(ws: Worksheet, column: str) -> DataValidation | None:
    """The data validation covering row 2 of the column headed ``column``."""
    letter = next(c.column_letter for c in ws[1] if c.value == column)
    found = [dv for dv in ws.data_validations.dataValidation if f"{letter}2" in dv.sqref]
    assert len(found) <= 1, column
    return found[0] if found else None


def test_sheets_and_columns_match_what_the_importer_reads(template: Path) -> None:
    wb = load_workbook(template)
    for sheet in DATA_SHEETS:
        assert sheet in wb.sheetnames
    specs = sheet_specs()
    derived = {f.name for f in registry.FIELDS if f.derived}
    for sheet in DATA_SHEETS:
        header = _header(wb[sheet])
        assert header[0] == "study_id"
        assert set(header) <= set(specs[sheet].fields), sheet
        assert not set(header) & derived, f"{sheet} has computed columns"
    visits = _header(wb["Visits"])
    for f in registry.visit_value_fields():
        assert f.name in visits
    assert wb["Lists"].sheet_state == "hidden"
    dictionary = {r[0] for r in wb["Data dictionary"].iter_rows(min_row=2, values_only=True)}
    assert set().union(*(_header(wb[s]) for s in DATA_SHEETS)) <= dictionary


@pytest.mark.parametrize("name", ["sex", "autoantibody"])
def test_choices_are_drop_downs_of_the_registry_codes(template: Path, name: str) -> None:
    dv = _validation(load_workbook(template)["Patients"], name)
    assert dv is not None and dv.type == "list"
    assert dv.formula1.strip('"').split(",") == [str(c) for c in registry.get(name).choice_codes]
    assert dv.showErrorMessage


def test_numbers_have_the_registry_range(template: Path) -> None:
    ws = load_workbook(template)["Visits"]
    checked = 0
    for f in registry.visit_value_fields():
        if not f.is_numeric or f.na_allowed:
            continue
        dv = _validation(ws, f.name)
        assert dv is not None, f.name
        assert dv.type == ("whole" if f.type is FieldType.INTEGER else "decimal"), f.name
        if f.minimum is not None and f.maximum is not None:
            assert dv.operator == "between"
            assert (Decimal(dv.formula1), Decimal(dv.formula2)) == (f.minimum, f.maximum)
        checked += 1
    assert checked > 100
    leg = _validation(ws, "cmas_leg_raise")
    assert leg is not None and (leg.type, leg.formula1, leg.formula2) == ("whole", "0", "2")


def test_chaq_items_offer_na_and_dates_are_dates(template: Path) -> None:
    wb = load_workbook(template)
    chaq = _validation(wb["Visits"], "chaq_dress")
    assert chaq is not None and chaq.type == "list"
    assert chaq.formula1.strip('"').split(",") == ["0", "1", "2", "3", "na"]
    for sheet, column in (("Visits", "visit_date"), ("Patients", "birth_date"),
                          ("Medications", "start_date"), ("Adverse events", "onset_date")):
        dv = _validation(wb[sheet], column)
        assert dv is not None and dv.type == "date", (sheet, column)
    boolean = _validation(wb["Visits"], "chaq_aid_dressing")
    assert boolean is not None and boolean.type == "list"


def test_cross_sheet_drop_downs(template: Path) -> None:
    wb = load_workbook(template)
    sid = _validation(wb["Visits"], "study_id")
    assert sid is not None and sid.formula1.replace("'", "").startswith("Patients!$A$2")
    field = _validation(wb["Missing"], "field")
    assert field is not None and field.formula1.replace("'", "").startswith("Lists!")
    listed = [r[0] for r in wb["Lists"].iter_rows(min_row=2, values_only=True)]
    assert listed == [f.name for f in registry.visit_value_fields()]


def test_blank_template_is_refused_with_a_clear_message(template: Path) -> None:
    read = read_workbook(template)
    assert not read.ok
    assert [str(p) for p in read.errors] == [
        "template.xlsx: sheet Patients: has no patients: nothing to import"]


def _put(ws: Worksheet, row: int, values: dict[str, Any]) -> None:
    header = [c.value for c in ws[1]]
    for name, value in values.items():
        ws.cell(row=row, column=header.index(name) + 1, value=value)


def test_filled_template_imports_as_it_is(template: Path, tmp_path: Path,
                                          repo: Repository) -> None:
    wb = load_workbook(template)
    _put(wb["Patients"], 2, {"study_id": "C01", "sex": "male", "autoantibody": "MDA5",
                             "birth_date": dt.date(2013, 6, 1), "given_name": "Ola"})
    _put(wb["Visits"], 2, {"study_id": "C01", "visit_date": dt.date(2022, 3, 1),
                           "visit_label": "M0", "baseline": True, "cmas_leg_raise": 2,
                           "weight_kg": 31.5, "chaq_dress": "na", "skin_heliotrope": "yes",
                           "chaq_aid_dressing": True})
    _put(wb["Visits"], 3, {"study_id": "C01", "visit_date": dt.date(2022, 6, 2),
                           "visit_label": "M3", "phys_global": 2.5})
    _put(wb["Missing"], 2, {"study_id": "C01", "visit_date": dt.date(2022, 6, 2),
                            "visit_label": "M3", "field": "ck", "reason": "not_done"})
    _put(wb["Medications"], 2, {"study_id": "C01", "drug": "tofacitinib", "dose": 5,
                                "dose_unit": "mg", "frequency_per_day": 2, "route": "oral",
                                "start_date": dt.date(2022, 3, 1)})
    _put(wb["Adverse events"], 2, {"study_id": "C01", "onset_date": dt.date(2022, 4, 1),
                                   "term": "acne", "grade": 1, "serious": False})
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    summary = import_workbook(filled, repo, "test")
    assert summary.imported, summary.errors
    saved = repo.get_patient("C01")
    assert saved.sex == "male" and saved.identifiers["given_name"] == "Ola"
    m0, m3 = saved.sorted_visits()
    assert m0.baseline and m0.values["cmas_leg_raise"] == 2
    assert m0.values["weight_kg"] == Decimal("31.5") and m0.values["chaq_dress"] == "na"
    assert m3.missing == {"ck": "not_done"}
    assert saved.medications[0].drug == "tofacitinib"
    assert saved.adverse_events[0].grade == 1 and saved.adverse_events[0].serious is False


def test_cli_writes_the_template_without_a_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import main

    out = tmp_path / "entry.xlsx"
    assert main.main(["export", "--db", str(tmp_path / "none.jdm"), "--template",
                      str(out)]) == 0
    assert "entry.xlsx" in capsys.readouterr().out
    assert not (tmp_path / "none.jdm").exists()
    assert set(DATA_SHEETS) <= set(load_workbook(out).sheetnames)
    assert main.main(["export", "--template", str(tmp_path / "entry.csv")]) == 2
