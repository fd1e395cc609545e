"""The study protocol in the GUI (issue 14): the "Due and overdue" list with simulated dates,
sorting and opening; the protocol tab of the patient page; the label review; the protocol in
settings."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from forms.model import Patient, Visit
from forms.protocol import Protocol
from gui import dialogs
from gui.main_window import MainWindow
from gui.operations import settings
from gui.session import Session

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASE = dt.date(2024, 1, 10)
TODAY = BASE + dt.timedelta(days=100)  # M3 window: days 77-105


def _patient(session: Session, sid: str, start: dt.date, labels: list[tuple[int, str]],
             name: tuple[str, str] = ("Anna", "Berg")) -> None:
    session.add_patient(Patient(sid, identifiers={"given_name": name[0],
                                                  "family_name": name[1],
                                                  "birth_date": dt.date(2012, 1, 1)}))
    for i, (days, label) in enumerate(labels):
        session.save_visit(sid, Visit(start + dt.timedelta(days=days), label, baseline=i == 0,
                                      values={"phys_global": Decimal(2)}))


def _cohort(session: Session) -> None:
    _patient(session, "DUE-1", BASE, [(0, "M0")])  # M3 target day 91: due, target 9 days ago
    _patient(session, "LATE-2", BASE - dt.timedelta(days=20), [(0, "M0")],
             ("Li", "Wang"))  # day 120: M3 window closed on day 105 -> 15 days overdue
    _patient(session, "DONE-3", BASE, [(0, "M0"), (90, "M3")])  # next M6, not yet
    _patient(session, "FLARE-4", BASE, [(0, "M0"), (30, "flare")])  # flare counts nothing
    _patient(session, "EARLY-5", BASE + dt.timedelta(days=30), [(0, "M0")])  # day 70


def _table_rows(window: MainWindow) -> list[tuple[str, str, str, str]]:
    m = window.due_page.model
    return [tuple(m.index(r, c).data() for c in (0, 2, 3, 4)) for r in range(m.rowCount())]


def test_due_and_overdue_with_simulated_dates(qtbot, window: MainWindow,
                                              session: Session) -> None:
    _cohort(session)
    window.show_due_list(today=TODAY)
    assert window.stack.currentWidget() is window.due_page
    rows = _table_rows(window)
    # most urgent first; equally urgent by study ID
    assert rows == [("LATE-2", "M3", "Overdue", "15 days overdue"),
                    ("DUE-1", "M3", "Due", "target 9 days ago"),
                    ("FLARE-4", "M3", "Due", "target 9 days ago")]
    assert "DONE-3" not in {r[0] for r in rows} and "EARLY-5" not in {r[0] for r in rows}
    assert "as of 2024-04-19: 3 patients, 1 overdue" in window.due_page.as_of.text()
    # another day, another list: 60 days later DONE-3's M6 window (161-203) is open
    window.show_due_list(today=TODAY + dt.timedelta(days=65))
    ids = {r[0] for r in _table_rows(window)}
    assert "DONE-3" in ids and "EARLY-5" in ids
    # upcoming too
    window.show_due_list(today=TODAY)
    window.due_page.upcoming.setChecked(True)
    assert "DONE-3" not in {r[0] for r in _table_rows(window)}  # M6 opens in 61 days
    assert "EARLY-5" in {r[0] for r in _table_rows(window)}  # its M3 window opens in 7 days
    window.due_page.upcoming.setChecked(False)


def test_due_list_sorts_and_opens_the_patient(qtbot, window: MainWindow,
                                              session: Session) -> None:
    _cohort(session)
    window.show_due_list(today=TODAY)
    header = window.due_page.table.horizontalHeader()
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # by study ID
    assert [r[0] for r in _table_rows(window)] == ["DUE-1", "FLARE-4", "LATE-2"]
    header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert [r[0] for r in _table_rows(window)] == ["LATE-2", "FLARE-4", "DUE-1"]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    table = window.due_page.table
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.patient_page
    assert "LATE-2" in window.patient_page.title.text()
    assert "Wang, Li" in window.patient_page.title.text()


def test_ctrl_d_opens_the_due_list(qtbot, window: MainWindow, session: Session) -> None:
    _cohort(session)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.due_page


def test_protocol_tab_groups_by_protocol_visit(qtbot, window: MainWindow,
                                               session: Session) -> None:
    _patient(session, "G-1", BASE, [(0, "M0"), (40, "flare"), (95, "M3"), (150, "unscheduled")])
    window.open_patient("G-1")
    model = window.patient_page.protocol_model
    timing = [c.key for c in model.columns].index("status")
    rows = [(model.index(r, 0).data(), model.index(r, timing).data())
            for r in range(model.rowCount())]
    labels = [r[0] for r in rows]
    assert labels[:2] == ["M0", "M3"]
    assert rows[1][1] == "in the window (+4 d)"
    assert labels[-2:] == ["Flare visit", "Unscheduled visit"]
    assert all(r[1] == "not in protocol summaries" for r in rows[-2:])
    assert ("M6", "missed") in rows or ("M6", "due now") in rows or ("M6", "not yet") in rows


def test_protocol_in_settings_changes_labels_and_the_due_list(qtbot, monkeypatch,
                                                              window: MainWindow,
                                                              session: Session) -> None:
    def change(self) -> int:
        assert self.protocol_visits.text() == "0:0, 3:14, 6:21, 12:30"
        self.protocol_visits.setText("0:0, 1:7, 3:14")
        self.protocol_visits.textEdited.emit("0:0, 1:7, 3:14")
        self.repeat_months.setText("3")
        self.repeat_months.textEdited.emit("3")
        self.accept()
        return 1

    monkeypatch.setattr(dialogs.SettingsDialog, "exec", change)
    settings.edit_settings(window)
    protocol = session.settings().protocol
    assert isinstance(protocol, Protocol)
    assert protocol.labels(through_month=9) == ("M0", "M1", "M3", "M6", "M9")
    # settings kept the rest: the scoring measure and assessor did not reset
    _patient(session, "S-1", BASE, [(0, "M0")])
    window.show_due_list(today=BASE + dt.timedelta(days=30))  # M1 target day 30
    assert [r[1] for r in _table_rows(window)] == ["M1"]


def test_a_bad_protocol_in_settings_is_refused_with_a_message(qtbot, monkeypatch,
                                                              window: MainWindow,
                                                              session: Session) -> None:
    seen = {}

    def change(self) -> int:
        self.protocol_visits.setText("0:0, 6:14, 3:14")
        self.protocol_visits.textEdited.emit("x")
        seen["ok"] = self.buttons.button(self.buttons.StandardButton.Ok).isEnabled()
        seen["text"] = self.protocol_problem.text()
        return 0

    monkeypatch.setattr(dialogs.SettingsDialog, "exec", change)
    settings.edit_settings(window)
    assert seen["ok"] is False
    assert "M3 must come after M6" in seen["text"]


def test_upgraded_labels_are_listed_once_for_review(qtbot, monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "m001_schema.sqlite", path)
    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO visits (patient_id, visit_date, visit_label) VALUES "
                    "(1, '2021-09-01', '6m'), (1, '2021-10-01', 'extra1')")
    con.close()
    shown = []

    def review(self) -> int:
        shown.append([(self.model.index(r, 2).data(), self.model.index(r, 3).data())
                      for r in range(self.model.rowCount())])
        return 1

    monkeypatch.setattr(dialogs.LabelReviewDialog, "exec", review)
    session = Session(path)
    try:
        w = MainWindow(session)
        qtbot.addWidget(w)
        qtbot.waitUntil(lambda: w.runner.running == 0, timeout=20000)
        w.after_show()
        assert shown == [[("6m", "M6"), ("extra1", "Unscheduled visit")]]
        w.after_show()  # reviewed: not shown again
        assert len(shown) == 1
        w.runner.shutdown()
    finally:
        session.close()
