"""What the GUI remembers (the last folders of its file dialogs) goes to an INI file in the
user's configuration folder on every system, never to the Windows registry: the README
promises a program folder that can be copied in and deleted, with no registry keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from gui import app as gui_app
from gui import i18n as gui_i18n


@pytest.fixture
def native_default() -> Iterator[None]:
    """Qt's own default (the registry on Windows), as a fresh process starts with it."""
    QSettings.setDefaultFormat(QSettings.Format.NativeFormat)
    yield
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # as tests/gui/conftest.py has it
    gui_i18n.uninstall()


def test_make_app_keeps_settings_in_an_ini_file(qapp: QApplication,
                                                native_default: None) -> None:
    assert QSettings().format() is QSettings.Format.NativeFormat
    assert gui_app.make_app() is qapp
    settings = QSettings()
    assert settings.format() is QSettings.Format.IniFormat
    assert settings.fileName().endswith("JDM Capture.ini")
    assert "jdm-capture" in settings.fileName()
