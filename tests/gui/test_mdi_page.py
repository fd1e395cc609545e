"""The Myositis Damage Index in the visit editor (issue 11): a new instrument gets its page and
a widget for every entered field from the registry alone (gui/ was not edited for it)."""

from __future__ import annotations

from decimal import Decimal

from forms import registry
from forms.instruments import mdi
from gui.main_window import MainWindow


def test_mdi_page_has_a_widget_for_every_entered_field(editor_window: MainWindow) -> None:
    editor = editor_window.editor
    pages = {p.form.key: p for p in editor.pages}
    assert "mdi" in pages, list(pages)
    page = pages["mdi"]
    entered = {f.name for f in registry.fields_for(form="mdi", derived=False)}
    assert len(entered) == 38 + 11 + 1
    assert set(page.widgets) == entered
    assert [w.objectName() for w in page.order] == [
        f.name for f in registry.fields_for(form="mdi", derived=False)]
    # the tooltip of an item whose wording is unverified tells the user to check it
    for item in mdi.ITEMS:
        said = "IMACS Form 08" in page.widgets[item.name].toolTip()
        assert said is not item.verified, item.name


def test_mdi_items_and_vas_take_typed_values(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    item = editor.widgets["mdi_contractures"]
    editor.focus_field("mdi_contractures")
    qtbot.keyClicks(item, "1")
    assert editor.state.value("mdi_contractures") == 1
    editor.state.set_text("mdi_alopecia", "na")
    assert editor.state.value("mdi_alopecia") == "na"
    editor.state.set_text("mdi_sev_skeletal", "2.5")
    assert editor.state.value("mdi_sev_skeletal") == Decimal("2.5")
    assert set(mdi.SEVERITY_NAMES) <= set(editor.widgets)
