"""Qt's own texts in Chinese: the standard buttons of every dialog and message box.

Our translator looks texts up by their English source; for a text it does not have it must
answer "no translation" (a null string) so Qt asks its own catalog (qtbase_zh_CN). It used to
answer with an empty string, which Qt took as the translation: every OK, Cancel, Save, Yes and
No button of the Chinese GUI was blank.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


def test_every_tr_text_of_the_gui_is_in_the_catalog() -> None:
    """lupdate does not see a tr() inside an f-string; such a text stayed English (or blank)
    in the Chinese GUI while scripts/i18n.py check said the catalog was complete."""
    import ast  # noqa: PLC0415
    import xml.etree.ElementTree as ET  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    root = Path(__file__).resolve().parents[2]
    sources = {m.findtext("source") for m in ET.parse(
        root / "gui" / "i18n" / "jdm_capture_zh_CN.ts").getroot().iter("message")}
    missing = []
    for path in sorted((root / "gui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            index = {"tr": 0, "_tr": 0, "translate": 1}.get(str(name))
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                    and arg.value not in sources:
                missing.append(f"{path.name}:{node.lineno}: {arg.value!r}")
    assert not missing, "\n".join(missing)


def test_the_settings_choice_is_the_file_the_command_line_reads(
        qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QSettings  # noqa: PLC0415

    from forms import i18n  # noqa: PLC0415

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    saved = tmp_path / "jdm-capture" / "language"
    assert gui_i18n.saved_choice() == "system"
    gui_i18n.save_choice("zh_CN")  # what the settings dialog does on OK
    assert saved.read_text(encoding="utf-8").strip() == "zh_CN"
    assert i18n.saved_choice() == "zh_CN" and gui_i18n.saved_choice() == "zh_CN"
    gui_i18n.save_choice("system")
    assert not saved.exists() and i18n.saved_choice() == "system"
    # a choice an earlier version kept in QSettings moves to the file
    QSettings().setValue(gui_i18n.SETTING, "zh_CN")
    assert gui_i18n.saved_choice() == "zh_CN"
    assert saved.read_text(encoding="utf-8").strip() == "zh_CN"
    assert QSettings().value(gui_i18n.SETTING) is None
