"""Every entered field has a widget on its page, by construction (the shape of sqlite-utils'
tests/test_docs.py: the set the pages provide is computed once, then one test per registry
field).

A field added to a form's registry and absent from the form's layout still gets a widget, a
problem label and a place in the tab order (the hand-built CMAS, MMT-8, skin, CDASI, CHAQ and
labs pages lost such a field before the generic builder)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from forms import registry
from forms.fields import Field, FieldType, Level
from forms.i18n import in_language
from forms.model import Visit
from gui.form_pages import PageWidgets, build_page

FORMS = registry.entered_forms(Level.VISIT)
ENTERED = registry.visit_fields(derived=False)


@pytest.fixture(scope="module")
def pages(qapp: QApplication) -> Iterator[dict[str, tuple[QScrollArea, PageWidgets]]]:
    del qapp
    built = {form.key: build_page(form) for form in FORMS}
    yield built
    for area, _page in built.values():
        area.deleteLater()


@pytest.mark.parametrize("fld", ENTERED, ids=lambda f: f.name)
def test_every_entered_field_has_a_widget_on_its_page(
        pages: dict[str, tuple[QScrollArea, PageWidgets]], fld: Field) -> None:
    area, page = pages[fld.form]
    widget = page.widgets.get(fld.name)
    assert widget is not None, f"{fld.name} has no widget on the {fld.form} page"
    assert widget.objectName() == fld.name
    assert widget in page.order  # reachable with Tab
    assert fld.name in page.problems  # its inline problem label
    assert area.widget().isAncestorOf(widget)  # on the page itself
    others = [k for k, (_a, p) in pages.items() if k != fld.form and fld.name in p.widgets]
    assert others == [], f"{fld.name} also on {others}"


@pytest.mark.parametrize("form", [f.key for f in FORMS])
def test_each_page_shows_exactly_its_forms_fields(
        pages: dict[str, tuple[QScrollArea, PageWidgets]], form: str) -> None:
    _area, page = pages[form]
    expected = {f.name for f in ENTERED if f.form == form}
    shown = set(page.widgets) - {"notes"}
    assert shown == expected
    assert len(page.order) == len(page.widgets)  # each widget once in the tab order


def _probe(form: str) -> Field:
    """A new decimal field for ``form`` in the group of its first field, named by no layout (as
    a newcomer adds one to the registry)."""
    with in_language("en"):
        base = next(f for f in registry.FIELDS if f.form == form and not f.derived)
        return dataclasses.replace(
            base, name=f"{form}_parity_probe", label=f"Parity probe of {form}",
            type=FieldType.DECIMAL, minimum=Decimal(0), maximum=Decimal(9), decimals=1,
            levels=(), choices=(), unit="", help="", na_allowed=False,
            pattern=None, max_length=None, required=False)


@pytest.fixture
def with_probe(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[Field]:
    probe = _probe(request.param)
    monkeypatch.setattr(registry, "FIELDS", (*registry.FIELDS, probe))
    monkeypatch.setitem(registry._BY_NAME, probe.name, probe)
    monkeypatch.setitem(registry._BY_KEY, (probe.level, probe.name), probe)
    registry.fields_for.cache_clear()
    yield probe
    monkeypatch.undo()
    registry.fields_for.cache_clear()


@pytest.mark.parametrize("with_probe", [f.key for f in FORMS], indirect=True)
def test_a_field_added_to_the_registry_gets_a_widget(qtbot, with_probe: Field) -> None:
    form = registry.FORMS_BY_KEY[with_probe.form]
    area, page = build_page(form)
    qtbot.addWidget(area)
    widget = page.widgets.get(with_probe.name)
    assert widget is not None, f"no widget for {with_probe.name} on the {form.key} page"
    assert widget in page.order  # reachable with Tab
    body: QWidget = area.widget()
    assert body.isAncestorOf(widget)
    area.resize(1200, 800)
    area.show()
    qtbot.waitExposed(area)
    assert widget.isVisible()
    assert with_probe.name in page.problems


def test_an_inline_problem_is_as_tall_as_its_text(qtbot, session, window) -> None:
    """A warning under a field takes the lines its text needs at the field's width, right
    under the field. A problem shown while its visit loads (the page not laid out yet, the
    label 100 px wide) used to keep that narrow height: a gap of many lines under the field."""
    saved = session.save_visit("P01", Visit(dt.date(2021, 5, 6), "M0", values={
        "weight_kg": Decimal(30), "steroid_mg_day": Decimal(70)}))  # above the warning limit
    window.resize(1366, 768)
    window.open_patient("P01")
    window.open_visit(saved.id)
    editor = window.editor
    editor.go_to_page(0)
    label = editor.pages[0].problems["steroid_mg_day"]
    qtbot.waitUntil(lambda: label.isVisible() and label.width() > 300)
    QApplication.processEvents()

    def needed() -> int:
        return label.fontMetrics().boundingRect(
            0, 0, label.width(), 10_000, int(Qt.TextFlag.TextWordWrap), label.text()).height()

    assert "60" in label.text()
    assert needed() <= label.height() < needed() + label.fontMetrics().lineSpacing()
    window.resize(700, 768)  # narrower: it wraps and grows
    qtbot.waitUntil(lambda: label.height() >= needed() > label.fontMetrics().lineSpacing())
