"""forms.layout: every visit form's declared page layout is sound and places every field."""

from __future__ import annotations

import dataclasses

import pytest

from forms import layout, registry
from forms.fields import Level

FORMS = [f.key for f in registry.entered_forms(Level.VISIT)]


@pytest.mark.parametrize("form", FORMS)
def test_layout_is_sound(form: str) -> None:
    page = layout.layout_for(form)
    assert page.form == form
    assert page.problems() == []


@pytest.mark.parametrize("form", FORMS)
def test_layout_places_every_entered_field_today(form: str) -> None:
    page = layout.layout_for(form)
    assert page.unplaced() == ()
    assert set(page.placed()) == {f.name for f in layout.entered_fields(form)}


def test_problems_name_what_is_wrong() -> None:
    bad = layout.Layout("cmas", (layout.Column(("cmas_leg_raise", "cmas_leg_raise", "ck",
                                                "cmas_total", "no_such_field")),))
    assert bad.problems() == [
        "cmas: cmas_leg_raise placed twice",
        "cmas: ck belongs to form 'labs'",
        "cmas: cmas_total is derived, not entered",
        "cmas: unknown field 'no_such_field'",
    ]


def test_unplaced_lists_a_field_the_layout_does_not_name(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    extra = dataclasses.replace(registry.get("cmas_leg_raise"), name="cmas_new_item")
    entered = layout.entered_fields("cmas")
    monkeypatch.setattr(layout, "entered_fields",
                        lambda form: (*entered, extra) if form == "cmas" else ())
    assert layout.layout_for("cmas").unplaced() == ("cmas_new_item",)


def test_mmt8_tab_order_walks_the_right_side_then_the_left() -> None:
    grid = layout.layout_for("mmt8").sections[0]
    assert isinstance(grid, layout.Grid)
    names = grid.names()
    assert names[0] == registry.MMT_AXIAL[0]
    assert names[1:8] == registry.mmt8_side_names("r")
    assert names[8:] == registry.mmt8_side_names("l")


def test_a_form_without_a_declared_layout_gets_one_column() -> None:
    page = layout.layout_for("global")
    assert page.sections == (layout.Column(layout.Query("global")),)
    assert page.placed() == tuple(f.name for f in layout.entered_fields("global"))
