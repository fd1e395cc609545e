"""Qt's own texts in Chinese: the standard buttons of every dialog and message box.

Our translator looks texts up by their English source; for a text it does not have it must
answer "no translation" (a null string) so Qt asks its own catalog (qtbase_zh_CN). It used to
answer with an empty string, which Qt took as the translation: every OK, Cancel, Save, Yes and
No button of the Chinese GUI was blank.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from gui import i18n as gui_i18n

B = QDialogButtonBox.StandardButton


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert gui_i18n.install(qapp, "zh_CN") == "zh_CN"
    yield
    gui_i18n.uninstall()


def test_standard_buttons_are_translated_not_blank(chinese: None) -> None:
    box = QDialogButtonBox(B.Ok | B.Cancel | B.Save | B.Discard | B.Yes | B.No | B.Close)
    texts = {box.button(b).text().replace("(&Y)", "").replace("(&N)", "")
             for b in (B.Ok, B.Cancel, B.Save, B.Discard, B.Yes, B.No, B.Close)}
    assert texts == {"确定", "取消", "保存", "丢弃", "是", "否", "关闭"}


def test_message_box_buttons_are_translated(chinese: None) -> None:
    box = QMessageBox(QMessageBox.Icon.Question, "t", "q",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert all(b.text() for b in box.buttons())
    assert {b.text() for b in box.buttons()} == {"是(&Y)", "否(&N)"}


def test_our_texts_still_win_and_unknown_texts_stay_english(chinese: None) -> None:
    assert QCoreApplication.translate("anything", "Patients") == "患者列表"
    assert QCoreApplication.translate("anything", "no such message 42") == "no such message 42"
