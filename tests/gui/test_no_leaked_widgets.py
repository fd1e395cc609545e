"""Closed windows are deleted between tests (tests/conftest.py, issue 16).

pytest-qt closes a test's widgets and calls ``deleteLater``, then only ``processEvents``, which
never runs deferred deletes: each closed main window (3,000 widgets) stayed alive in its
worker, and later translator or font changes walked every one of them."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QLabel, QWidget

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def root_conftest(request: pytest.FixtureRequest) -> ModuleType:
    """tests/conftest.py as pytest loaded it (``import conftest`` finds tests/gui's)."""
    for plugin in request.config.pluginmanager.get_plugins():
        if Path(getattr(plugin, "__file__", "") or "").resolve() == ROOT_CONFTEST:
            return plugin
    raise AssertionError("tests/conftest.py is not loaded")


def _window() -> QWidget:
    window = QWidget()
    for i in range(50):
        QLabel(str(i), window)
    window.show()
    return window


def test_process_events_alone_leaves_a_deleted_later_window_alive(
        qapp: QApplication, root_conftest: ModuleType) -> None:
    """What the fix is for: the Qt behaviour pytest-qt's teardown relies on."""
    window = _window()
    window.close()
    window.deleteLater()
    qapp.processEvents()
    assert shiboken6.isValid(window)
    root_conftest._flush_deferred_deletes()
    assert not shiboken6.isValid(window)


def test_the_teardown_hook_flushes_them(qapp: QApplication, request: pytest.FixtureRequest,
                                       root_conftest: ModuleType) -> None:
    hooks = request.config.pluginmanager.hook.pytest_runtest_teardown.get_hookimpls()
    assert any(h.function is root_conftest.pytest_runtest_teardown for h in hooks)
    window = _window()
    labels = window.findChildren(QLabel)
    window.close()
    window.deleteLater()
    before = len(QApplication.allWidgets())
    root_conftest._flush_deferred_deletes()
    assert len(QApplication.allWidgets()) <= before - len(labels) - 1
