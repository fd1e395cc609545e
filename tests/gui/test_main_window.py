"""Main-window routes: demo cohort on an empty file, patients, medications, settings,
history, page shortcuts, and the crash hook. Dialogs are driven, never shown modally."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from forms import registry
from forms.model import Visit
from gui import app as gui_app
from gui import dialogs
from gui.main_window import MainWindow
from gui.operations import records, review, settings
from gui.session import Session


def test_empty_database_offers_the_demo_cohort(qtbot, monkeypatch, tmp_path: Path) -> None:
    from storage.demo import demo_patients

    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.Yes))
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_path(tmp_path / "new.sqlite")
    qtbot.waitUntil(lambda: bool(asked), timeout=3000)
    qtbot.waitUntil(lambda: w.runner.running == 0, timeout=30000)
    assert w.list_page.model.rowCount() == len(demo_patients())
    w.runner.shutdown()


def test_new_patient_through_the_generated_dialog(qtbot, monkeypatch,
                                                  window: MainWindow) -> None:
    def fill(self) -> int:
        self.widgets["study_id"].setFocus()
        qtbot.keyClicks(self.widgets["study_id"], "bad id!")
        assert not self.buttons.button(self.buttons.StandardButton.Ok).isEnabled()
        assert registry.get("study_id").label in self.problems["study_id"].text()
        self.widgets["study_id"].selectAll()
        qtbot.keyClicks(self.widgets["study_id"], "P77")
        qtbot.keyClicks(self.widgets["sex"], "m")
        qtbot.keyClicks(self.widgets["birth_date"], "2015-06-30")
        self.accept()
        return 1

    monkeypatch.setattr(dialogs.RecordDialog, "exec", fill)
    records.new_patient(window)
    patient = window.session.get_patient("P77")
    assert patient.sex == "male"
    assert patient.birth_date == dt.date(2015, 6, 30)
    assert window.stack.currentWidget() is window.patient_page


def test_add_medication(qtbot, monkeypatch, window: MainWindow) -> None:
    def fill(self) -> int:
        qtbot.keyClicks(self.widgets["drug"], "methotrexate")
        qtbot.keyClicks(self.widgets["dose"], "15")
        qtbot.keyClicks(self.widgets["start_date"], "2024-01-01")
        self.accept()
        return 1

    window.open_patient("P01")
    monkeypatch.setattr(dialogs.RecordDialog, "exec", fill)
    records.edit_record(window, "medication", None)
    meds = window.session.get_patient("P01").medications
    assert [(m.drug, m.dose) for m in meds] == [("methotrexate", Decimal(15))]
    assert window.patient_page.med_model.rowCount() == 1


def test_settings_change_the_default_uln_of_new_visits(qtbot, monkeypatch,
                                                       window: MainWindow) -> None:
    def change(self) -> int:
        self.ulns["ck"].setText("175")
        self.assessor.setText("Dr Settings")
        self.accept()
        return 1

    monkeypatch.setattr(dialogs.SettingsDialog, "exec", change)
    settings.edit_settings(window)
    assert window.session.settings().scoring.uln_defaults["ck"] == Decimal(175)
    window.open_patient("P01")
    window.new_visit()
    state = window.editor.state
    assert state.text("assessor") == "Dr Settings"
    window.editor._edited("ck", "700")
    assert state.value("ck_uln") == Decimal(175)


def test_history_of_a_saved_visit(qtbot, monkeypatch, window: MainWindow) -> None:
    visit = window.session.save_visit("P01", Visit(dt.date(2024, 2, 2), "M0",
                                                   values={"phys_global": Decimal(5)}))
    shown = []

    def record(self) -> int:
        shown.append(self.model.rowCount())
        return 0

    monkeypatch.setattr(dialogs.HistoryDialog, "exec", record)
    window.open_patient("P01")
    window.patient_page.visit_table.selectRow(0)
    review.show_history(window)
    assert shown
    assert shown[0] >= 1
    review.show_history(window, visit.id)
    assert len(shown) == 2


def test_alt_digit_and_ctrl_pgup_switch_editor_pages(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.open_patient("P01")
    window.new_visit()
    editor = window.editor
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert editor.pages[editor.nav.currentRow()].form.key == "mmt8"
    assert QApplication.focusWidget() is editor.pages[2].first()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp,
                   Qt.KeyboardModifier.ControlModifier)
    assert editor.nav.currentRow() == 1


def test_excepthook_shows_one_crash_dialog(qtbot, monkeypatch) -> None:
    from gui import background
    from storage.errors import KnownStorageError

    crashes, messages = [], []
    monkeypatch.setattr(background, "show_crash", lambda *a: crashes.append(a[1]))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, m: messages.append(m)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    gui_app.install_excepthook(QApplication.instance())
    try:
        raise ZeroDivisionError("bug")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())
    sys.excepthook(KnownStorageError, KnownStorageError("read_only", "x.sqlite is read-only"),
                   None)
    assert crashes == [ZeroDivisionError]
    assert messages == ["x.sqlite is read-only"]
    assert background.show_crash is not None


@pytest.mark.parametrize("kind", ["locked"])
def test_locked_database_message_not_traceback(qtbot, monkeypatch, db_path, session: Session,
                                               kind: str) -> None:
    from storage.errors import KnownStorageError

    def refuse(path, **_options):
        raise KnownStorageError(kind, f"{Path(path).name} is busy")

    shown = []
    monkeypatch.setattr("gui.operations.files.Session", refuse)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, m: shown.append(m)))
    w = MainWindow()
    qtbot.addWidget(w)
    assert not w.open_path(db_path)
    assert shown == [f"{db_path.name} is busy"]


def test_stale_scores_are_recomputed_off_the_gui_thread(qtbot, monkeypatch, db_path,
                                                        session: Session) -> None:
    import threading

    from storage.repository import Repository

    calls = []

    def fake_refresh(self, *, force: bool = False) -> int:
        calls.append(threading.current_thread() is threading.main_thread())
        return 3

    monkeypatch.setattr(Repository, "refresh_derived", fake_refresh)
    w = MainWindow()
    qtbot.addWidget(w)
    w.open_path(db_path)
    qtbot.waitUntil(lambda: w.runner.running == 0, timeout=20000)
    assert calls == [False]
    assert "3" in w.statusBar().currentMessage()
    w.session.close()
    w.session = None
