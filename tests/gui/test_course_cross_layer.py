"""One rule for the patient's course, in every layer (issue 11).

A patient with M0 (2024-01-10), M3 (2024-04-10) flagged as the baseline and M6 (2024-07-10):
only M6 is a follow-up. M0 is dated before the baseline, so it has no response anywhere: not
in storage's stored derived values, not in the workbook's Response sheet, not in the REDCap
``response`` instrument, not in the patient PDF's response tables, not on the patient page and
not on the visit editor's Response page (before forms.course, the editor's own copy of the rule
had no date check and showed a time-reversed TIS for M0). M6 is the positive control: each
check finds its response, so each check can see one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest
from PySide6.QtWidgets import QApplication

from exports.excel import write_workbook
from exports.pdf import write_patient_report
from exports.redcap import write_redcap_project
from forms import course
from forms.entry import VisitState
from forms.model import Visit
from gui.main_window import MainWindow
from gui.session import Session

M0, M3, M6 = dt.date(2024, 1, 10), dt.date(2024, 4, 10), dt.date(2024, 7, 10)


def _values(phys: str, parent: str, extra: str, situps: int) -> dict[str, object]:
    return {"phys_global": Decimal(phys), "parent_global": Decimal(parent),
            "extramuscular_global": Decimal(extra), "cmas_situps": situps}


def _save_course(session: Session) -> dict[str, int]:
    ids = {}
    for day, label, flag, values in (
            (M0, "M0", False, _values("8", "7", "5", 1)),
            (M3, "M3", True, _values("5", "5", "3", 2)),
            (M6, "M6", False, _values("2", "2", "1", 4))):
        ids[label] = session.save_visit("P01", Visit(day, label, baseline=flag,
                                                     values=values)).id or 0
    return ids


@pytest.mark.slow
def test_a_visit_before_the_flagged_baseline_has_no_response_anywhere(
        qtbot, tmp_path: Path, window: MainWindow, session: Session) -> None:
    ids = _save_course(session)
    repo = session.repo
    settings = repo.scoring_settings()
    patient = repo.get_patient("P01")
    assert course.baseline_of(patient.visits).visit_label == "M3"  # type: ignore[union-attr]
    assert [v.visit_label for v in course.follow_ups(patient.visits)] == ["M6"]

    # storage: the stored derived values
    assert "acr_eular_response" not in repo.get_derived(ids["M0"])
    assert "tis" not in repo.get_derived(ids["M0"])
    assert "acr_eular_response" not in repo.get_derived(ids["M3"])
    assert repo.get_derived(ids["M6"])["acr_eular_response"].value is not None

    # the workbook's Response sheet (from stored values, and rescored)
    for stored in (True, False):
        book = tmp_path / f"book-{stored}.xlsx"
        write_workbook(list(repo.iter_patients(with_derived=stored)), book, identified=True,
                       settings=settings)
        sheet = openpyxl.load_workbook(book)["Response"]
        rows = list(sheet.iter_rows(values_only=True))
        label_at = rows[0].index("visit_label")
        assert [r[label_at] for r in rows[1:]] == ["M6"]

    # REDCap: the response instrument's fields are filled for M6 only
    summary = write_redcap_project(list(repo.iter_patients(with_derived=True)),
                                   tmp_path / "redcap", identified=True, settings=settings)
    with summary.files["records"].open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    responses = {r["visit_label"]: r["acr_eular_response"] for r in records
                 if r.get("visit_label")}
    assert responses["M0"] == "" and responses["M3"] == ""
    assert responses["M6"] != ""

    # the patient PDF, read back with pypdf: the response tables list M6 alone
    pdf = io.BytesIO()
    write_patient_report(patient, pdf, deidentified=False, settings=settings)
    text = "\n".join(page.extract_text() for page in
                     pypdf.PdfReader(io.BytesIO(pdf.getvalue())).pages)
    section = text[text.index("Response at each follow-up"):]
    section = section[:section.index("Generated ")]
    assert "M6" in section and "M0" not in section and "2024-01-10" not in section
    how = text[text.index("How each response was reached"):]
    how = how[:how.index("Generated ")]
    assert "M6" in how and "M0" not in how

    # the patient page's visit timeline
    window.open_patient("P01")
    rows = {r.visit.visit_label: r for r in window.patient_page.visit_model.rows()}
    assert rows["M0"].response is None and not rows["M0"].is_baseline
    assert rows["M3"].response is None and rows["M3"].is_baseline
    assert rows["M6"].response is not None

    # the visit editor's Response page
    editor = window.editor
    for label in ("M6", "M0"):
        window.open_visit(ids[label])
        qtbot.waitUntil(lambda: window.stack.currentWidget() is editor)
        editor.go_to_page(len(editor.pages))  # the Response page
        QApplication.processEvents()
        assert editor.state is not None
        tis_text = editor.response_panel.tis_label.text()
        if label == "M6":
            assert editor.state.response() is not None
            assert "Total Improvement Score" in tis_text
        else:
            assert editor.state.response() is None
            assert tis_text == "" and editor.response_panel.printo_label.text() == ""
            assert "dated before it" in editor.response_panel.baseline_label.text()
        editor.discard()


def test_the_editor_follows_the_date_being_typed() -> None:
    """An unsaved visit's response appears only once its date is after the baseline."""
    base = Visit(M3, "M3", baseline=True, values=_values("5", "5", "3", 2), id=7)
    state = VisitState("P01", None, baseline=base, today=dt.date(2025, 1, 1))
    for name, value in _values("2", "2", "1", 4).items():
        state.set_text(name, str(value))
    state.set_text("visit_date", "2024-02-01")
    assert state.response() is None and state.course_role() == "before_baseline"
    state.set_text("visit_date", "2024-04-10")  # the baseline's own date: not after it
    assert state.response() is None
    state.set_text("visit_date", "2024-05-01")
    assert state.response() is not None and state.course_role() == "follow_up"
    state.set_text("visit_date", "not a date")
    assert state.response() is None and state.course_role() == "undated"
    state.set_text("visit_date", "2024-05-01")
    state.set_baseline(True)  # being made the baseline
    assert state.response() is None and state.course_role() == "baseline"
