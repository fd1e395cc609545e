"""Fixtures for the GUI tests: a fresh database per test, a main window on it, and modal
dialogs that fail loudly unless a test patches them (a real modal would hang offscreen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from forms.model import Patient
from gui import file_dialogs
from gui.main_window import MainWindow
from gui.session import Session

BIRTH = dt.date(2012, 3, 4)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns once per top-level window that it cannot propagate size
    # hints; that says nothing about our code.
    for item in items:
        if "tests/gui" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


def _unexpected(*args: object, **kwargs: object) -> object:
    raise AssertionError(f"unexpected modal dialog: {args[1:3] if len(args) > 2 else args}")


@pytest.fixture(autouse=True)
def no_modals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every modal is an error unless the test patches it with what the user would answer."""
    for name in ("question", "warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(_unexpected))
    monkeypatch.setattr(QMessageBox, "exec", _unexpected)
    monkeypatch.setattr(QDialog, "exec", _unexpected)
    for name in ("getSaveFileName", "getOpenFileName", "getOpenFileNames",
                 "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(_unexpected))
        monkeypatch.setattr(file_dialogs, name, _unexpected)


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Remembered folders (QSettings) go to a throwaway ini file, never the user's."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "clinic.sqlite"


@pytest.fixture
def session(db_path: Path) -> Iterator[Session]:
    """A new database with one patient, P01, born 2012-03-04."""
    s = Session(db_path)
    s.add_patient(Patient("P01", sex="female", identifiers={"birth_date": BIRTH,
                                                           "given_name": "Test"}))
    yield s
    s.close()


@pytest.fixture
def window(qtbot, session: Session) -> Iterator[MainWindow]:
    w = MainWindow()
    w.set_session(session)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.runner.running == 0, timeout=20000)  # the stored-scores check
    yield w
    # Closed here rather than by qtbot, so unsaved test typing is discarded first and the
    # session fixture (not the window) closes the database.
    if w.built_editor is not None:  # the editor is built on first use: not for every test
        w.built_editor.discard()
    qtbot.waitUntil(lambda: w.runner.running == 0, timeout=20000)  # jobs report back first
    w.runner.shutdown()
    w.session = None
    w.close()
    w.deleteLater()


@pytest.fixture
def editor_window(qtbot, window: MainWindow) -> MainWindow:
    """The main window with a new visit of P01 open in the editor (Ctrl+N on its visits)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.open_patient("P01")
    qtbot.keyClick(window.patient_page.visit_table, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.editor
    return window
