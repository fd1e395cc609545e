"""File actions of issue 6 (REDCap export, spreadsheet import, data-entry template), deleting
mistaken records, the de-identified patient report and the sign-off column of the visit table.
Every modal is patched with the user's answer; background jobs are awaited, never slept on."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from gui_samples import complete_visit, sign_in_editor
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from forms.model import AdverseEvent, Medication, Patient, Visit
from gui import file_dialogs
from gui.dialogs import SummaryDialog
from gui.main_window import MainWindow
from gui.operations import records
from gui.session import Session
from storage import signoff

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def _answer(monkeypatch: pytest.MonkeyPatch, name: str, value: object) -> list[tuple]:
    """Patch QFileDialog/QMessageBox ``name`` to return ``value``; returns the calls seen."""
    calls: list[tuple] = []
    if name.startswith("get"):  # the app's dialogs (gui.file_dialogs), same signatures
        monkeypatch.setattr(file_dialogs, name, lambda *a, **k: calls.append(a) or value)
    else:
        monkeypatch.setattr(QMessageBox, name,
                            staticmethod(lambda *a, **k: calls.append(a) or value))
    return calls


def _summaries(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    shown: list[dict[str, str]] = []

    def look(dialog: SummaryDialog) -> int:
        shown.append({"title": dialog.windowTitle(), "text": dialog.text.text(),
                      "details": dialog.details.toPlainText(),
                      "read_only": str(dialog.details.isReadOnly())})
        return 0

    monkeypatch.setattr(SummaryDialog, "exec", look)
    return shown


def _run(qtbot, window: MainWindow, action: Any) -> None:
    """Trigger ``action`` and wait until its background job has reported back."""
    action.trigger()
    assert not action.isEnabled()  # disabled while its job runs
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=30000)
    assert action.isEnabled()


def _visit(session: Session, day: dt.date, label: str, **values: Any) -> int:
    return session.save_visit("P01", Visit(day, label, values=values)).id or 0


# ------------------------------------------------------------------------------ REDCap
def test_redcap_export_writes_the_folder_deidentified_by_default(
        qtbot, monkeypatch, window: MainWindow, session: Session, tmp_path: Path) -> None:
    _visit(session, dt.date(2024, 1, 1), "M0", ck=Decimal(300), phys_global=Decimal(5))
    out = tmp_path / "redcap"
    _answer(monkeypatch, "getExistingDirectory", str(out))
    asked = _answer(monkeypatch, "question", NO)  # the default answer: de-identified
    shown = _summaries(monkeypatch)
    _run(qtbot, window, window.export_redcap_action)
    assert asked, "the identified/de-identified choice was not offered"
    names = {p.name for p in out.iterdir()}
    assert {"data_dictionary.csv", "records.csv"} <= names
    with (out / "records.csv").open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["study_id"] for r in rows} == {"P01"}
    text = (out / "records.csv").read_text(encoding="utf-8-sig")
    assert "Test" not in text and "2012-03-04" not in text  # given name and birth date
    assert "REDCap files written" in window.progress.result_link.text()
    assert all("de-identified" in s["text"] for s in shown)


def test_redcap_export_identified_when_chosen(qtbot, monkeypatch, window: MainWindow,
                                              tmp_path: Path) -> None:
    out = tmp_path / "redcap-id"
    _answer(monkeypatch, "getExistingDirectory", str(out))
    _answer(monkeypatch, "question", YES)
    _summaries(monkeypatch)
    _run(qtbot, window, window.export_redcap_action)
    assert "2012-03-04" in (out / "records.csv").read_text(encoding="utf-8-sig")


def test_redcap_export_cancelled_folder_writes_nothing(monkeypatch, window: MainWindow) -> None:
    _answer(monkeypatch, "getExistingDirectory", "")
    window.export_redcap_action.trigger()
    assert window.runner.running == 0


# ------------------------------------------------------------------------------ spreadsheet
def _workbook(tmp_path: Path) -> Path:
    """An identified export of another database: P02 with a visit, a medication, an event."""
    from exports.excel import write_workbook

    other = Session(tmp_path / "other.sqlite")
    other.add_patient(Patient("P02", sex="male", identifiers={"birth_date": dt.date(2013, 5, 6),
                                                              "given_name": "Zed"}))
    other.repo.save_visit("P02", Visit(dt.date(2024, 2, 1), "M0", baseline=True, values={
        "phys_global": Decimal("6.5"), "ck": Decimal(1200)}), "test")
    other.save_medication("P02", Medication("methotrexate", dose=Decimal(15),
                                            start_date=dt.date(2024, 2, 1)))
    other.save_adverse_event("P02", AdverseEvent(onset_date=dt.date(2024, 3, 1), term="nausea"))
    out = tmp_path / "cases.xlsx"
    write_workbook(other.repo.iter_patients(with_derived=True), out, identified=True,
                   settings=other.scoring())
    other.close()
    return out


def test_spreadsheet_import_adds_patients_and_shows_the_summary(
        qtbot, monkeypatch, window: MainWindow, session: Session, tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    _answer(monkeypatch, "getOpenFileName", (str(book), ""))
    shown = _summaries(monkeypatch)
    _run(qtbot, window, window.import_xlsx_action)
    patient = session.get_patient("P02")
    assert patient.visits[0].values["phys_global"] == Decimal("6.5")
    assert [m.drug for m in patient.medications] == ["methotrexate"]
    assert window.list_page.model.row_of("P02") is not None  # the list was refreshed
    assert len(shown) == 1
    text = shown[0]["text"]
    assert "Imported cases.xlsx" in text
    for part in ("Patients: 1 (1 added, 0 updated)", "visits: 1 (0 replaced)",
                 "medications: 1", "adverse events: 1"):
        assert part in text


def test_malformed_workbook_imports_nothing_and_lists_the_problems(
        qtbot, monkeypatch, window: MainWindow, session: Session, tmp_path: Path) -> None:
    book = _workbook(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["Visits"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("phys_global") + 1, value=42)  # range is 0-10
    wb.save(book)
    _answer(monkeypatch, "getOpenFileName", (str(book), ""))
    shown = _summaries(monkeypatch)
    _run(qtbot, window, window.import_xlsx_action)
    with pytest.raises(LookupError):
        session.get_patient("P02")
    assert window.list_page.model.row_of("P02") is None
    assert len(shown) == 1
    assert "Nothing was imported from cases.xlsx" in shown[0]["text"]
    assert shown[0]["read_only"] == "True"
    details = shown[0]["details"].splitlines()
    assert any("sheet Visits" in line and "row 2" in line and "phys_global" in line
               and "42" in line for line in details), details


def test_json_import_still_imports_case_files(qtbot, monkeypatch, window: MainWindow,
                                             session: Session, tmp_path: Path) -> None:
    from storage import casefile

    other = Session(tmp_path / "other.sqlite")
    other.add_patient(Patient("P03", sex="female"))
    casefile.export_case_file(other.repo, tmp_path / "c.json")
    other.close()
    _answer(monkeypatch, "getOpenFileNames", ([str(tmp_path / "c.json")], ""))
    _run(qtbot, window, window.import_action)
    assert session.get_patient("P03").sex == "female"


# ------------------------------------------------------------------------------ template
def test_template_is_saved_in_the_background(qtbot, monkeypatch, window: MainWindow,
                                             tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    _answer(monkeypatch, "getSaveFileName", (str(out), ""))
    _run(qtbot, window, window.template_action)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert {"Patients", "Visits"} <= set(wb.sheetnames)
    wb.close()
    assert out.name in window.progress.result_link.text()


# ------------------------------------------------------------------------------ deleting
def test_delete_visit_asks_naming_it_and_cancel_keeps_it(
        qtbot, monkeypatch, window: MainWindow, session: Session) -> None:
    keep = _visit(session, dt.date(2024, 1, 1), "M0", ck=Decimal(300))
    gone = _visit(session, dt.date(2024, 4, 1), "M3", ck=Decimal(200))
    window.open_patient("P01")
    window.patient_page.visit_table.selectRow(1)
    asked = _answer(monkeypatch, "question", NO)
    window.patient_page.delete_visit_button.click()
    assert "2024-04-01 (M3) of patient P01" in asked[0][2]
    assert {v.id for v in session.get_patient("P01").visits} == {keep, gone}

    _answer(monkeypatch, "question", YES)
    window.patient_page.delete_visit_button.click()
    assert {v.id for v in session.get_patient("P01").visits} == {keep}
    assert window.patient_page.visit_model.rowCount() == 1
    assert any(e.action == "delete" for e in session.visit_history(gone))


def test_delete_key_on_the_visit_table_and_from_the_editor(
        qtbot, monkeypatch, window: MainWindow, session: Session) -> None:
    first = _visit(session, dt.date(2024, 1, 1), "M0", ck=Decimal(300))
    second = _visit(session, dt.date(2024, 4, 1), "M3", ck=Decimal(200))
    window.open_patient("P01")
    window.patient_page.visit_table.selectRow(0)
    window.patient_page.visit_table.setFocus()
    _answer(monkeypatch, "question", YES)
    qtbot.keyClick(window.patient_page.visit_table, Qt.Key.Key_Delete)
    assert [v.id for v in session.get_patient("P01").visits] == [second]

    window.open_visit(second)
    assert window.stack.currentWidget() is window.editor
    window.delete_visit_action.trigger()
    assert session.get_patient("P01").visits == []
    assert window.stack.currentWidget() is window.patient_page
    assert not window.editor.dirty
    assert window.session.visit_history(first)  # the deletions stay in the audit trail


def test_signed_visit_cannot_be_deleted(qtbot, monkeypatch, window: MainWindow,
                                        session: Session) -> None:
    vid = _signed_visit(qtbot, monkeypatch, window, session)
    window.leave_editor()
    _answer(monkeypatch, "question", YES)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: warned.append(text)))
    records.delete_visit(window, vid)
    assert len(warned) == 1 and "signed" in warned[0].lower()
    assert [v.id for v in session.get_patient("P01").visits] == [vid]


@pytest.mark.parametrize("kind", ["medication", "adverse_event"])
def test_delete_medication_and_adverse_event(qtbot, monkeypatch, window: MainWindow,
                                             session: Session, kind: str) -> None:
    session.save_medication("P01", Medication("prednisolone", dose=Decimal(20),
                                              start_date=dt.date(2024, 1, 1)))
    session.save_adverse_event("P01", AdverseEvent(onset_date=dt.date(2024, 2, 1), term="rash"))
    window.open_patient("P01")
    page = window.patient_page
    table = page.med_table if kind == "medication" else page.ae_table
    table.selectRow(0)
    button = page.findChild(QPushButton, f"delete_{kind}")
    asked = _answer(monkeypatch, "question", NO)
    button.click()
    name = "prednisolone" if kind == "medication" else "rash"
    assert name in asked[0][2]

    def records() -> list[Any]:
        p = session.get_patient("P01")
        return p.medications if kind == "medication" else p.adverse_events

    assert len(records()) == 1  # cancelled: kept
    _answer(monkeypatch, "question", YES)
    button.click()
    assert records() == []
    assert table.model().rowCount() == 0
    other = session.get_patient("P01")
    assert len(other.adverse_events if kind == "medication" else other.medications) == 1


# ------------------------------------------------------------------------------ PDF report
@pytest.mark.parametrize("deidentified", [True, False])
def test_patient_report_identified_or_deidentified(qtbot, monkeypatch, window: MainWindow,
                                                   session: Session, tmp_path: Path,
                                                   deidentified: bool) -> None:
    from pypdf import PdfReader

    _visit(session, dt.date(2024, 1, 1), "M0", ck=Decimal(300))
    window.open_patient("P01")
    out = tmp_path / "report.pdf"
    seen = _answer(monkeypatch, "getSaveFileName", (str(out), ""))
    action = (window.patient_report_deid_action if deidentified
              else window.patient_report_action)
    _run(qtbot, window, action)
    assert ("deidentified" in seen[0][2]) is deidentified  # the suggested file name says so
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "P01" in text
    assert ("Test" in text) is not deidentified  # the given name of the fixture patient


# ------------------------------------------------------------------------------ sign-off
def _signed_visit(qtbot, monkeypatch: pytest.MonkeyPatch, window: MainWindow,
                  session: Session) -> int:
    vid = complete_visit(session)
    sign_in_editor(qtbot, monkeypatch, window, vid)
    return vid


def _signoff_cell(window: MainWindow) -> str:
    model = window.patient_page.visit_model
    col = next(i for i, c in enumerate(model.columns) if c.key == "signoff")
    return str(model.index(0, col).data())


def test_signoff_column_shows_the_signer_then_unlocked(qtbot, monkeypatch, window: MainWindow,
                                                       session: Session) -> None:
    vid = _signed_visit(qtbot, monkeypatch, window, session)
    window.leave_editor()
    assert window.stack.currentWidget() is window.patient_page
    current = signoff.signoff_status(session.repo, vid).current
    assert current is not None
    cell = _signoff_cell(window)
    assert "Dr Signer" in cell and current.signed_at.strftime("%Y-%m-%d") in cell
    signoff.unlock_visit(session.repo, vid, "Dr Signer", "wrong CK")
    window.open_patient("P01")
    assert _signoff_cell(window) == "unlocked"


def test_signoff_column_is_empty_for_a_never_signed_visit(window: MainWindow,
                                                          session: Session) -> None:
    _visit(session, dt.date(2024, 1, 1), "M0", ck=Decimal(300))
    window.open_patient("P01")
    assert _signoff_cell(window) == ""


# ------------------------------------------------------------------------------ settings
def _other_settings_export(tmp_path: Path, suffix: str) -> Path:
    """An export of a database scored with other settings (CMAS, adult thresholds)."""
    from exports.excel import write_workbook
    from forms.settings import ScoringSettings
    from storage import casefile
    from storage.repository import AppSettings

    other = Session(tmp_path / "other-settings.sqlite")
    other.add_patient(Patient("P05", sex="female"))
    other.repo.save_visit("P05", Visit(dt.date(2024, 1, 1), "M0", baseline=True,
                                       values={"phys_global": Decimal(6)}), "test")
    other.repo.set_settings(AppSettings(ScoringSettings("cmas", "adult")), "test")
    out = tmp_path / f"settings{suffix}"
    if suffix == ".json":
        casefile.export_case_file(other.repo, out)
    else:
        write_workbook(other.repo.iter_patients(with_derived=True), out, identified=True,
                       settings=other.repo.scoring_settings())
    other.close()
    return out


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
@pytest.mark.parametrize("answer", ["file", "keep", None])
def test_import_asks_which_scoring_settings_apply(
        qtbot, monkeypatch, window: MainWindow, session: Session, tmp_path: Path,
        suffix: str, answer: str | None) -> None:
    from gui.operations import imports

    path = _other_settings_export(tmp_path, suffix)
    asked: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(imports, "choose_settings",
                        lambda parent, name, diffs: asked.append((name, diffs)) or answer)
    _summaries(monkeypatch)
    if suffix == ".json":
        _answer(monkeypatch, "getOpenFileNames", ([str(path)], ""))
        _run(qtbot, window, window.import_action)
    else:
        _answer(monkeypatch, "getOpenFileName", (str(path), ""))
        _run(qtbot, window, window.import_xlsx_action)
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=30000)  # the second run
    assert asked == [(path.name, ["tis_muscle_measure: cmas in the file, mmt8 in this database",
                                  "thresholds: adult in the file, jdm in this database"])]
    if answer is None:
        with pytest.raises(LookupError):
            session.get_patient("P05")
        assert session.scoring().tis_muscle_measure == "mmt8"
        assert "cancelled" in window.statusBar().currentMessage()
    else:
        assert session.get_patient("P05").sex == "female"
        assert session.scoring().tis_muscle_measure == ("cmas" if answer == "file" else "mmt8")


def test_settings_question_offers_both_choices_and_cancel(qtbot, window: MainWindow) -> None:
    from gui.operations.imports import settings_question_box

    box, choices = settings_question_box(window, "x.json", ["thresholds: adult in the file, "
                                                            "jdm in this database"])
    qtbot.addWidget(box)
    assert sorted(choices.values()) == ["file", "keep"]
    labels = sorted(b.text() for b in choices)
    assert labels == ["Keep this database's settings", "Use the file's settings"]
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert "x.json" in box.text() and "adult" in box.informativeText()
