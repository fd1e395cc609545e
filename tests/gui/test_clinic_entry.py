"""Entry that catches paper-to-screen slips (issue 14): digit entry without timing, carry-over,
plausibility warnings, guarded dialogs, locked signed visits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow


@pytest.fixture
def editor_window(qtbot, window: MainWindow) -> MainWindow:
    """The main window with a new visit of P01 open in the editor."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.open_patient("P01")
    qtbot.keyClick(window.patient_page.visit_table, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.editor
    return window


def test_kendall_ten_needs_no_timing(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    picker = editor.widgets["mmt_deltoid_r"]
    editor.focus_field("mmt_deltoid_r")
    qtbot.keyClick(picker, Qt.Key.Key_1)
    assert editor.state.value("mmt_deltoid_r") == 1  # shown and kept as 1 meanwhile
    qtbot.wait(1100)  # a pause longer than the old 0.8 s window
    qtbot.keyClick(picker, Qt.Key.Key_0)
    assert editor.state.value("mmt_deltoid_r") == 10
    assert "(5)" in picker.currentText()


def test_a_one_then_another_key_stays_one(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    editor.focus_field("mmt_deltoid_r")
    picker = editor.widgets["mmt_deltoid_r"]
    qtbot.keyClick(picker, Qt.Key.Key_1)
    qtbot.keyClick(picker, Qt.Key.Key_Tab)
    assert editor.state.value("mmt_deltoid_r") == 1
    nxt = QApplication.focusWidget()
    assert nxt is not picker
    # coming back later and typing 0 records 0: the 1 is no longer pending
    editor.focus_field("mmt_deltoid_r")
    qtbot.keyClick(picker, Qt.Key.Key_0)
    assert editor.state.value("mmt_deltoid_r") == 0
    # 1, 1 is 1 (11 is no grade); 1, Delete, 0 is 0
    qtbot.keyClicks(picker, "11")
    assert editor.state.value("mmt_deltoid_r") == 1
    qtbot.keyClick(picker, Qt.Key.Key_Delete)
    qtbot.keyClick(picker, Qt.Key.Key_0)
    assert editor.state.value("mmt_deltoid_r") == 0
    qtbot.keyClicks(picker, "5")
    assert editor.state.value("mmt_deltoid_r") == 5
