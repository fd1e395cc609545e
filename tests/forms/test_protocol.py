"""The study protocol: label spellings, order, the schedule and what is due on a given day."""

from __future__ import annotations

import datetime as dt

import pytest

from forms.protocol import (
    DEFAULT_PROTOCOL,
    FLARE,
    UNSCHEDULED,
    DueStatus,
    Protocol,
    ProtocolVisit,
    canonical_label,
    is_protocol_label,
    map_labels,
    month_target_day,
    next_visit,
    proposed_label,
    protocol_order,
)

BASE = dt.date(2024, 1, 10)


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


@pytest.mark.parametrize("text", ["M3", "m3", "3M", "3m", "month 3", " M 3 ", "Month 3",
                                  "M03", "3 months", "M-3", "m_3", "3mo"])
def test_spellings_of_month_3(text: str) -> None:
    assert canonical_label(text) == "M3"


@pytest.mark.parametrize(("text", "code"), [
    ("flare", FLARE), ("Flare", FLARE), (" FLARE ", FLARE),
    ("unscheduled", UNSCHEDULED), ("Unscheduled", UNSCHEDULED),
    ("M0", "M0"), ("baseline", "M0"), ("Baseline", "M0"),
    ("M12", "M12"), ("12m", "M12"), ("M18", "M18"), ("M24", "M24"), ("M120", "M120"),
])
def test_other_codes(text: str, code: str) -> None:
    assert canonical_label(text) == code


@pytest.mark.parametrize("text", ["M9", "M1", "M126", "hello", "", "   ", "V2", "M", "33x",
                                  "flares", "M3a", None])
def test_anything_else_is_none(text: str | None) -> None:
    assert canonical_label(text) is None


def test_canonical_label_follows_the_protocol() -> None:
    monthly = Protocol((ProtocolVisit.at_month(0, 0), ProtocolVisit.at_month(1, 5),
                        ProtocolVisit.at_month(9, 14)), repeat_every_months=0)
    assert canonical_label("m9", monthly) == "M9"
    assert canonical_label("M1", monthly) == "M1"
    assert canonical_label("M3", monthly) is None
    assert canonical_label("M9") is None  # not in the default protocol


def test_is_protocol_label() -> None:
    assert is_protocol_label("M0") and is_protocol_label("M6") and is_protocol_label("m6")
    for other in ("flare", "unscheduled", None, "M9", "xyz"):
        assert not is_protocol_label(other)


def test_protocol_order_sorts_by_month_then_others() -> None:
    labels = ["flare", "M12", "unscheduled", "M3", "junk", "M0", "M24", "M6", None, "M18"]
    ordered = sorted(labels, key=protocol_order)
    assert ordered[:7] == ["M0", "M3", "M6", "M12", "M18", "M24", "flare"]
    assert ordered[7] == "unscheduled"  # stable: the two other kinds keep their order
    assert set(ordered[8:]) == {"junk", None}
    assert protocol_order("M12") == 12
    assert protocol_order("flare") > protocol_order("M120")


def test_default_schedule() -> None:
    visits = list(DEFAULT_PROTOCOL.schedule())
    assert [v.label for v in visits[:7]] == ["M0", "M3", "M6", "M12", "M18", "M24", "M30"]
    assert visits[-1].label == "M120"
    assert [v.target_day for v in visits[:6]] == [0, 91, 182, 365, 547, 730]
    assert [v.window_days for v in visits[:5]] == [0, 14, 21, 30, 30]
    assert month_target_day(36) == 1095
    m3 = DEFAULT_PROTOCOL.visit("M3")
    assert m3 is not None and (m3.window_start, m3.window_end) == (77, 105)


def test_round_trip_through_settings() -> None:
    custom = Protocol((ProtocolVisit(0, 0, 0), ProtocolVisit(1, 30, 7),
                       ProtocolVisit(4, 120, 10)), repeat_every_months=12,
                      repeat_window_days=45, last_month=60)
    again = Protocol.from_dict(custom.to_dict())
    assert again == custom
    assert again.labels() == ("M0", "M1", "M4", "M16", "M28", "M40", "M52")
    assert Protocol.from_dict(DEFAULT_PROTOCOL.to_dict()) == DEFAULT_PROTOCOL


@pytest.mark.parametrize(("visits", "message"), [
    ((), "at least the baseline"),
    ((ProtocolVisit(3, 91, 14),), "first protocol visit must be M0"),
    ((ProtocolVisit(0, 0, 0), ProtocolVisit(6, 182, 10), ProtocolVisit(3, 91, 10)),
     "M3 must come after M6"),
    ((ProtocolVisit(0, 0, 0), ProtocolVisit(3, 91, -1)), "must not be negative"),
    ((ProtocolVisit(0, 0, 0), ProtocolVisit(3, 91, 1), ProtocolVisit(6, 80, 1)),
     "must be later than"),
])
def test_bad_protocols_are_refused_in_words(visits: tuple[ProtocolVisit, ...],
                                            message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Protocol(visits)


def test_from_dict_names_a_malformed_entry() -> None:
    with pytest.raises(ValueError, match="whole number"):
        Protocol.from_dict({"visits": [{"month": "0", "target_day": 0, "window_days": 0}]})
    with pytest.raises(ValueError, match="malformed"):
        Protocol.from_dict({"visits": [{"month": 0}]})


def test_label_choices_are_protocol_then_other_kinds() -> None:
    codes = [c for c, _ in DEFAULT_PROTOCOL.label_choices(through_month=24)]
    assert codes == ["M0", "M3", "M6", "M12", "M18", "M24", "unscheduled", "flare"]


# ---- what is due -------------------------------------------------------------------------
def test_upcoming_before_the_window() -> None:
    nxt = next_visit(BASE, ["M0"], day(50))
    assert nxt.label == "M3" and nxt.status is DueStatus.UPCOMING
    assert nxt.days_to_target == 41 and not nxt.needs_attention
    assert nxt.target_date == day(91) and nxt.window_start == day(77)
    assert nxt.window_end == day(105)


@pytest.mark.parametrize(("today", "to_target"), [(77, 14), (91, 0), (105, -14)])
def test_due_inside_the_window_inclusive(today: int, to_target: int) -> None:
    nxt = next_visit(BASE, ["M0"], day(today))
    assert nxt.label == "M3" and nxt.status is DueStatus.DUE
    assert nxt.days_to_target == to_target and nxt.needs_attention


def test_overdue_after_the_window_until_the_next_window_opens() -> None:
    nxt = next_visit(BASE, ["M0"], day(106))
    assert (nxt.label, nxt.status, nxt.days_overdue) == ("M3", DueStatus.OVERDUE, 1)
    nxt = next_visit(BASE, ["M0"], day(160))  # M6 window opens on day 161
    assert (nxt.label, nxt.status, nxt.days_overdue) == ("M3", DueStatus.OVERDUE, 55)
    nxt = next_visit(BASE, ["M0"], day(161))
    assert (nxt.label, nxt.status, nxt.missed) == ("M6", DueStatus.DUE, ("M3",))
    assert nxt.describe() == "M6 due, target in 21 days"


def test_done_visits_move_the_schedule_on_and_others_do_not_count() -> None:
    nxt = next_visit(BASE, ["M0", "m3", "flare", "unscheduled"], day(100))
    assert nxt.label == "M6" and nxt.status is DueStatus.UPCOMING
    assert next_visit(BASE, ["flare"], day(100)).label == "M3"


def test_the_latest_protocol_visit_done_counts_even_if_an_earlier_was_missed() -> None:
    nxt = next_visit(BASE, ["M0", "M6"], day(300))
    assert nxt.label == "M12" and nxt.status is DueStatus.UPCOMING and nxt.missed == ()


def test_repeated_visits_every_six_months() -> None:
    nxt = next_visit(BASE, ["M0", "M3", "M6", "M12"], day(530))
    assert nxt.label == "M18" and nxt.status is DueStatus.DUE  # 547 - 30 = 517
    nxt = next_visit(BASE, ["M0", "M3", "M6", "M12", "M18"], day(800))
    assert nxt.label == "M24" and nxt.status is DueStatus.OVERDUE and nxt.days_overdue == 40
    assert nxt.describe() == "M24 overdue by 40 days"


def test_follow_up_complete() -> None:
    short = Protocol((ProtocolVisit(0, 0, 0), ProtocolVisit.at_month(3, 14)),
                     repeat_every_months=0, last_month=3)
    done = next_visit(BASE, ["M0", "M3"], day(400), short)
    assert done.status is DueStatus.COMPLETE and done.visit is None
    assert next_visit(BASE, ["M0"], day(400), short).status is DueStatus.OVERDUE


def test_proposed_label_for_a_new_visit() -> None:
    assert proposed_label(None, [], day(0)) == "M0"
    assert proposed_label(BASE, ["M0"], day(90)) == "M3"
    assert proposed_label(BASE, ["M0"], day(40)) == UNSCHEDULED  # early: not the M3
    assert proposed_label(BASE, ["M0"], day(120)) == "M3"  # late but still the M3
    assert proposed_label(BASE, ["M0", "M3"], day(180)) == "M6"


def test_map_free_labels_for_the_review_list() -> None:
    mapping = map_labels(["M3", "m3", "3M", "Baseline", "flare", "visit 2", None, "M9", ""])
    assert mapping["M3"] is not None and mapping["M3"].exact
    assert {k: v.new for k, v in mapping.items() if v is not None} == {
        "M3": "M3", "m3": "M3", "3M": "M3", "Baseline": "M0", "flare": "flare",
        "visit 2": "unscheduled", "M9": "unscheduled"}
    assert mapping[None] is None and mapping[""] is None
    assert mapping["m3"] is not None and not mapping["m3"].exact
