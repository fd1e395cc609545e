"""What a Chinese-speaking nurse types into the medication dialog: the drug by its Chinese
name or an abbreviation, dates as 2024/5/22 or 2024年5月22日. The drug is saved by its code
(the data are the same in every language) and shown in Chinese: it used to be replaced by the
English generic name in the field as soon as the nurse left it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from forms.fields import Level
from gui import i18n as gui_i18n
from gui.dialogs import RecordDialog


@pytest.fixture
def chinese(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # closing a dialog with typing asks first: the tests' dialogs are discarded at teardown
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))
    assert gui_i18n.install(qapp, "zh_CN") == "zh_CN"
    yield
    gui_i18n.uninstall()


def type_text(widget: Any, text: str) -> None:
    """Type ``text``: key presses for ASCII, an input method's commit (as a Chinese IME
    delivers 甲氨蝶呤 or 年/月/日) for the rest."""
    if text.isascii():
        QTest.keyClicks(widget, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _dialog(qtbot: Any, initial: dict[str, object] | None = None) -> RecordDialog:
    dialog = RecordDialog(Level.MEDICATION, "用药", initial)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize("typed", ["MTX", "甲氨蝶呤", "methotrexate"])
def test_a_listed_drug_is_shown_in_chinese_and_saved_by_its_code(
        qtbot: Any, chinese: None, typed: str) -> None:
    dialog = _dialog(qtbot)
    drug = dialog.widgets["drug"]
    drug.setFocus()
    type_text(drug, typed)
    drug.editingFinished.emit()
    assert drug.text() == "甲氨蝶呤"
    assert dialog.texts["drug"] == "Methotrexate"
    assert dialog.texts["schedule"] == "weekly"  # the listed drug's usual schedule
    QTest.keyClicks(dialog.widgets["dose"], "15")
    start = dialog.widgets["start_date"]
    type_text(start, "2024年5月22日")
    start.editingFinished.emit()
    assert start.text() == "2024-05-22"
    dialog.accept()
    assert dialog.result() == RecordDialog.DialogCode.Accepted, dialog.summary.text()
    assert dialog.values["drug"] == "methotrexate"  # the listed drug's code is what is saved
    assert dialog.values["start_date"] == dt.date(2024, 5, 22)


def test_an_existing_course_shows_its_drug_in_chinese(qtbot: Any, chinese: None) -> None:
    dialog = _dialog(qtbot, {"drug": "tofacitinib", "dose": 5, "start_date": dt.date(2024, 5, 2),
                             "route": "oral"})
    assert dialog.widgets["drug"].text() == "托法替布"
    assert dialog.texts["drug"] == "tofacitinib"
    assert not dialog.changed  # nothing typed: closing asks nothing


@pytest.mark.parametrize("typed", ["2024/5/22", "2024.5.22", "20240522", "2024-5-22"])
def test_date_spellings_in_the_dialog(qtbot: Any, chinese: None, typed: str) -> None:
    dialog = _dialog(qtbot)
    start = dialog.widgets["start_date"]
    type_text(start, typed)
    start.editingFinished.emit()
    assert start.text() == "2024-05-22"
    assert dialog.texts["start_date"] == "2024-05-22"
