"""Guard against a Qt binding that leaks references to None (PySide6 6.12.0 on Python 3.11).

There, every call of a void method (setText, setCurrentIndex, ...) drops one reference to
None; after a few hundred visit edits None's count reaches zero and the app aborts with
"none_dealloc". pyproject.toml excludes that release; this test fails on any release that
does it again. Python 3.12+ made None immortal, so there the check is moot.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QComboBox, QLabel


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_methods_do_not_leak_none_references(qtbot) -> None:
    label = QLabel()
    combo = QComboBox()
    qtbot.addWidget(label)
    qtbot.addWidget(combo)
    combo.addItems(["a", "b"])
    for _ in range(10):  # warm up caches that may hold a reference once
        label.setText("x")
        combo.setCurrentIndex(1)
    before = sys.getrefcount(None)
    for i in range(500):
        label.setText(str(i))
        label.setToolTip("tip")
        combo.setCurrentIndex(i % 2)
    assert sys.getrefcount(None) - before > -50  # a leaking binding loses 1500 here
