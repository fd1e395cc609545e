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

from forms import registry
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


def _offered(widget: Any, typed: str) -> list[str]:
    """What the drug field's completer offers for ``typed`` (its popup's rows)."""
    completer = widget.completer()
    completer.setCompletionPrefix(typed)
    model = completer.completionModel()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


@pytest.mark.parametrize(("typed", "offered"), [
    ("托法", "托法替布"), ("tofa", "托法替布"), ("MTX", "甲氨蝶呤"), ("methotrex", "甲氨蝶呤"),
    ("环", "环孢素")])
def test_the_drug_completer_offers_chinese_names_for_what_is_typed(
        qtbot: Any, chinese: None, typed: str, offered: str) -> None:
    """The completer offered the English labels only; in Chinese it offers the Chinese names,
    found by the Chinese name, the English name or an abbreviation, and what it puts in the
    field is the Chinese name (saved by the drug's code)."""
    dialog = _dialog(qtbot)
    drug = dialog.widgets["drug"]
    found = _offered(drug, typed)
    assert offered in found, found
    assert all(not name.isascii() for name in found), found
    drug.setFocus()
    drug.completer().activated.emit(offered)
    drug.setText(offered)
    drug.editingFinished.emit()
    assert dialog.texts["drug"] == registry.drug(offered).label  # as the other tests


def test_the_drug_completer_offers_english_names_in_english(qtbot: Any, qapp: Any) -> None:
    dialog = _dialog(qtbot)
    found = _offered(dialog.widgets["drug"], "tofa")
    assert found == ["Tofacitinib"], found


@pytest.mark.parametrize(("field", "typed", "offered"), [
    ("term", "zoster", "带状疱疹"), ("term", "带状", "带状疱疹"),
    ("related_drug", "MTX", "甲氨蝶呤"), ("related_drug", "xeljanz", "托法替布")])
def test_the_adverse_event_completers_find_chinese_terms_by_any_name(
        qtbot: Any, chinese: None, field: str, typed: str, offered: str) -> None:
    """gui.widgets' vocabulary completer (the event's term and related drug) offered the
    Chinese names, found only by Chinese text: "zoster" or "MTX" offered nothing."""
    dialog = RecordDialog(Level.ADVERSE_EVENT, "不良事件", None)
    qtbot.addWidget(dialog)
    found = _offered(dialog.widgets[field], typed)
    assert offered in found and all(not name.isascii() for name in found), found
