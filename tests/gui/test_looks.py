"""Our looks (problem colours, read-only paper, carried-over blue, headings) are style sheets on
the few widgets that have them, never one on the whole application: a sheet on the application
gave every widget Qt's style-sheet style and made building the visit editor's pages about twice
as slow (issue 16)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from forms import registry
from gui import app as gui_app
from gui import i18n as gui_i18n
from gui.widgets import STYLE_SHEET, make_field_widget, set_role


@pytest.fixture
def made_app(qapp: QApplication) -> Iterator[QApplication]:
    gui_app.make_app()
    yield qapp
    gui_i18n.uninstall()


def _centre_colour(widget: QWidget) -> QColor:
    """The background just inside the frame (the field's text is right-aligned)."""
    image = widget.grab().toImage()
    return image.pixelColor(5, image.height() // 2)


def test_the_application_has_no_style_sheet(made_app: QApplication) -> None:
    assert made_app.styleSheet() == ""


def test_a_problem_colours_the_field_and_clearing_it_removes_the_sheet(
        made_app: QApplication, qtbot: Any) -> None:
    widget = make_field_widget(registry.get("weight_kg"))
    qtbot.addWidget(widget)
    widget.resize(120, 28)
    widget.show()
    assert widget.styleSheet() == ""  # an ordinary field has no sheet at all
    plain = _centre_colour(widget)
    widget.set_severity("error")
    assert widget.styleSheet() == STYLE_SHEET
    assert _centre_colour(widget) == QColor("#fde2e1") != plain
    widget.set_severity("warning")  # same sheet, another rule: matched again
    assert _centre_colour(widget) == QColor("#fff4d6")
    widget.set_severity("")
    assert widget.styleSheet() == ""
    assert _centre_colour(widget) == plain


def test_a_heading_gets_its_larger_bold_font(made_app: QApplication, qtbot: Any) -> None:
    heading, body = QLabel("Live totals"), QLabel("Live totals")
    qtbot.addWidget(heading)
    qtbot.addWidget(body)
    set_role(heading, "heading")
    heading.ensurePolished()
    body.ensurePolished()
    assert heading.font().bold() and not body.font().bold()
    assert heading.font().pointSizeF() == 13
    assert heading.sizeHint().height() > body.sizeHint().height()
