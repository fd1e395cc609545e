"""Screens that fit: the main window at 1366x768, at 150 % scaling of that screen (910x512
logical pixels) and at 1024x600, in English and in Chinese: it can be that small, nothing is
cut off outside a scroll area, long status and sign-off messages never widen it, the live
totals panel can be hidden; and colours keep their contrast in a dark system palette."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_samples import demo_window as open_demo_window
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QWidget

from forms import registry
from gui import i18n as gui_i18n
from gui.widgets import ElidedLabel, contrast, readable

#: (name, logical width, logical height) of the window's room on each screen, after a 32 px
#: title bar: 1366x768; the same laptop at 150 % (Windows' default there); a 1024x600 netbook.
SIZES = [("1366x768", 1366, 768 - 32), ("1366x768 at 150 %", 910, 512 - 32),
         ("1024x600", 1024, 600 - 32)]


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    gui_i18n.install(qapp, request.param)
    yield request.param
    gui_i18n.uninstall()


@pytest.fixture
def demo(qtbot: Any, tmp_path: Path, language: str) -> Iterator[Any]:
    yield from open_demo_window(qtbot, tmp_path, "layout")  # after the translators


def _inside_scroll_area(w: QWidget) -> bool:
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def cut_off(window: QWidget) -> list[str]:
    """Visible widgets (outside scroll areas) that stick out of the window or their parent."""
    bad = []
    room = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.isWindow() or _inside_scroll_area(w):
            continue
        rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        if rect.width() <= 0 or rect.height() <= 0:
            continue
        if not room.contains(rect):
            bad.append(f"{type(w).__name__} {w.objectName()} at {rect.getRect()} outside "
                       f"{room.getRect()}")
        elif isinstance(w, QAbstractButton) and w.width() + 1 < w.minimumSizeHint().width():
            bad.append(f"{type(w).__name__} {w.text()!r} squeezed below its minimum "
                       f"({w.width()} < {w.minimumSizeHint().width()})")
    return bad


def _pages(window: Any) -> Iterator[str]:
    yield "patient list"
    rows = window.session.patient_rows()
    window.open_patient(max(rows, key=lambda r: r.visits).study_id)
    yield "patient page"
    patient = window.patient
    window.open_visit(patient.sorted_visits()[-1].id)
    editor = window.editor
    for i in range(editor.nav.count()):
        editor.go_to_page(i)
        yield f"editor page {i + 1}"


@pytest.mark.parametrize(("name", "width", "height"), SIZES)
def test_every_page_fits(demo: Any, qtbot: Any, name: str, width: int, height: int) -> None:
    window = demo
    problems = []
    for page in _pages(window):
        QApplication.processEvents()
        assert window.minimumSizeHint().width() <= width, (page, window.minimumSizeHint())
        assert window.minimumSizeHint().height() <= height, (page, window.minimumSizeHint())
        window.resize(width, height)
        QApplication.processEvents()
        assert (window.width(), window.height()) == (width, height), page
        problems += [f"{name}, {page}: {p}" for p in cut_off(window)]
    assert problems == [], "\n".join(problems[:40])


def test_long_messages_never_widen_the_window(demo: Any) -> None:
    window = demo
    rows = window.session.patient_rows()
    window.open_patient(rows[0].study_id)
    window.open_visit(window.patient.sorted_visits()[-1].id)
    editor = window.editor
    window.resize(1024, 568)
    QApplication.processEvents()
    before = window.minimumSizeHint().width()
    long = ("Signed by Dr. Annabelle Featherstonehaugh-Montgomery on 2026-11-25 10:04 CST "
            "(UTC+08:00) (verified against source) " * 3)
    editor.signoff_bar.label.setText(long)
    editor.status.setText("Not saved: " + "the database is locked by another program; " * 4)
    window.statusBar().showMessage(long)
    QApplication.processEvents()
    assert window.minimumSizeHint().width() <= max(before, 1024), window.minimumSizeHint()
    assert window.width() == 1024
    assert editor.signoff_bar.label.text().startswith("Signed by Dr. Annabelle")  # kept whole
    assert editor.signoff_bar.label.toolTip().startswith("Signed by")  # shown in full on hover


def test_the_totals_panel_can_be_hidden(demo: Any) -> None:
    window = demo
    rows = window.session.patient_rows()
    window.open_patient(rows[0].study_id)
    window.open_visit(window.patient.sorted_visits()[0].id)
    editor = window.editor
    form_width = editor.stack.width()
    editor.totals_button.click()
    QApplication.processEvents()
    assert not editor.side_panel.isVisible()
    assert editor.stack.width() > form_width
    editor.totals_button.click()
    QApplication.processEvents()
    assert editor.side_panel.isVisible()


def test_window_opens_within_a_small_screen(demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = demo
    screen = window.screen()
    monkeypatch.setattr(type(screen), "availableGeometry", lambda _s: QRect(0, 0, 1024, 600))
    window.fit_to_screen()
    assert window.width() <= 1024 and window.height() <= 600 - 32


def test_elided_label_keeps_its_text(qapp: QApplication) -> None:
    label = ElidedLabel(max_width=200)
    label.setText("x" * 500)
    assert label.text() == "x" * 500
    assert label.sizeHint().width() <= 200
    assert label.minimumSizeHint().width() <= 60


@pytest.mark.parametrize("colour", ["#1b5e20", "#2e7d32", "#8a5a00", "#b71c1c", "#555555"])
def test_response_and_problem_colours_read_on_dark_and_light(colour: str) -> None:
    for base in (QColor("#1e1e1e"), QColor("#2d2d30"), QColor("#ffffff")):
        assert contrast(readable(colour, base), base) >= 4.5, (colour, base.name())
    # before the fix: the green response text on a dark table was nearly invisible
    assert contrast(QColor("#1b5e20"), QColor("#1e1e1e")) < 4.5


def test_dark_palette_styles(qapp: QApplication) -> None:
    from gui.widgets import DARK_STYLE_SHEET, STYLE_SHEET, style_sheet  # noqa: PLC0415

    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    assert style_sheet(dark) == DARK_STYLE_SHEET
    assert style_sheet(QPalette(QColor("#f0f0f0"))) == STYLE_SHEET
    # problem text colours of the dark sheet read on the dark window
    for colour in ("#ff8a80", "#ffd180", "#b0b0b0"):
        assert colour in DARK_STYLE_SHEET
        assert contrast(QColor(colour), QColor("#202020")) >= 4.5
    # highlighted fields keep dark text on their light backgrounds
    assert contrast(QColor("#1a1a1a"), QColor("#fde2e1")) >= 4.5


def test_live_totals_keep_each_value_on_one_line_at_150_percent(demo: Any) -> None:
    """At 150 % the value column of the live totals is narrow: "0.099 mg/kg/天" wrapped to
    three lines (0.099 / mg/kg/ / 天). The unit is now beside the name (which may wrap),
    kept whole, and every value holds one line."""
    window = demo
    window.resize(910, 480)
    rows = window.session.patient_rows()
    window.open_patient(max(rows, key=lambda r: r.visits).study_id)
    window.open_visit(window.patient.sorted_visits()[-1].id)
    editor = window.editor
    QApplication.processEvents()
    totals = editor.totals
    name_label, value_label = totals.labels["steroid_mg_kg_day"]
    assert value_label.text(), "the demo visit has a steroid dose per kg"
    assert "mg" not in value_label.text() and "mg/" in name_label.text()
    checked = 0
    for name, (label, value) in totals.labels.items():
        if not value.text():
            continue
        if value.property("role") == "missing":  # what is missing ("MDI: 38 of 38 items
            reason = totals.reasons[name]  # missing") has a line of its own, whole width
            assert reason.isVisible() and reason.wordWrap() and reason.text()
            assert reason.width() > value.width(), (name, reason.width(), value.width())
            assert reason.height() >= reason.heightForWidth(reason.width()), (
                name, reason.text(), reason.height(), reason.heightForWidth(reason.width()))
        checked += 1
        wide = value.fontMetrics().horizontalAdvance(value.text())
        assert wide <= value.contentsRect().width(), (name, value.text(), wide, value.width())
        if registry.get(name).unit:  # the unit is not broken at a slash
            assert "/\u2060" in label.text(), label.text()
    assert checked >= 5, "the demo visit's totals were compared"
