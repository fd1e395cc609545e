"""The Qt-free state of the visit being edited: typing kept, forms called for every rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from forms import registry
from forms.entry import VisitState
from forms.model import Visit
from forms.settings import ScoringSettings

TODAY = dt.date(2024, 6, 1)


def test_invalid_typing_is_kept_but_not_a_value() -> None:
    state = VisitState("P01", today=TODAY)
    state.set_text("weight_kg", "32,5kg")
    assert state.text("weight_kg") == "32,5kg"
    assert "weight_kg" not in state.values()
    assert not state.can_save
    assert any(p.field == "weight_kg" and p.is_error for p in state.problems())


def test_warning_does_not_block_saving() -> None:
    state = VisitState("P01", today=TODAY)
    fld = registry.get("weight_kg")
    above_warning = str(fld.warn_above + 10)
    state.set_text("weight_kg", above_warning)
    assert state.can_save
    assert any(p.field == "weight_kg" and not p.is_error for p in state.problems())
    assert state.to_visit().values["weight_kg"] == Decimal(above_warning)


def test_clearing_means_not_assessed_not_zero() -> None:
    state = VisitState("P01", today=TODAY)
    state.set_text("cmas_leg_raise", "2")
    state.set_text("cmas_leg_raise", "")
    assert "cmas_leg_raise" not in state.to_visit().values


def test_seconds_fill_the_timed_cmas_item_and_clear_it_again() -> None:
    state = VisitState("P01", today=TODAY)
    changed = state.set_text("cmas_head_elevation_sec", "45")
    assert "cmas_head_elevation" in changed
    # 45 s falls in the 30-59 s level of the registry's descriptors
    level = next(c.code for c in registry.get("cmas_head_elevation").levels
                 if c.label.startswith("30-59"))
    assert state.value("cmas_head_elevation") == level
    state.set_text("cmas_head_elevation_sec", "")
    assert state.value("cmas_head_elevation") is None


def test_a_typed_score_is_not_overwritten_by_seconds() -> None:
    state = VisitState("P01", today=TODAY)
    state.set_value("cmas_head_elevation", 1)
    state.set_text("cmas_head_elevation_sec", "45")
    assert state.value("cmas_head_elevation") == 1
    assert any(p.field.startswith("cmas_head_elevation") for p in state.problems())


def test_enzyme_value_fills_the_default_uln_from_settings() -> None:
    settings = ScoringSettings(uln_defaults={**ScoringSettings().uln_defaults,
                                             "ck": Decimal(180)})
    state = VisitState("P01", today=TODAY, settings=settings)
    state.set_text("ck", "900")
    assert state.value("ck_uln") == Decimal(180)
    assert state.lab_ratio("ck") == Decimal(5)


def test_draft_round_trip_keeps_invalid_typing() -> None:
    state = VisitState("P01", today=TODAY)
    state.set_text("weight_kg", "abc")
    state.set_text("phys_global", "4.5")
    state.set_notes("left before saving")
    payload = state.draft_payload()
    again = VisitState("P01", today=TODAY)
    again.restore_draft(payload)
    assert again.text("weight_kg") == "abc"
    assert again.value("phys_global") == Decimal("4.5")
    assert again.notes == "left before saving"
    assert again.dirty


def test_loading_a_saved_visit_shows_its_values() -> None:
    visit = Visit(dt.date(2024, 1, 2), "M0", values={"cmas_leg_raise": 2,
                                                      "phys_global": Decimal("6.5")}, id=7)
    state = VisitState("P01", visit, today=TODAY)
    assert state.text("visit_date") == "2024-01-02"
    assert state.text("phys_global") == "6.5"
    assert not state.dirty
    assert state.to_visit().id == 7


def test_response_is_measured_from_the_baseline_visit() -> None:
    base = Visit(dt.date(2024, 1, 2), "M0", baseline=True,
                 values={"phys_global": Decimal(8)}, id=1)
    state = VisitState("P01", today=TODAY, baseline=base)
    state.set_text("phys_global", "2")
    resp = state.response()
    assert resp is not None
    assert resp.tis is not None
    at_baseline = VisitState("P01", base, baseline=base, today=TODAY)
    assert at_baseline.response() is None


def test_a_new_visit_on_a_taken_date_cannot_be_saved() -> None:
    taken = dt.date(2024, 5, 2)
    state = VisitState("P01", today=TODAY, other_visits={taken: "2024-05-02 (M3)"})
    state.set_text("visit_date", taken.isoformat())
    assert not state.can_save
    assert any(p.field == "visit_date" and "(M3)" in p.message for p in state.errors())
    state.set_text("visit_date", "2024-05-03")
    assert state.can_save
