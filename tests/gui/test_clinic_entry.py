"""Entry that catches paper-to-screen slips (issue 14): digit entry without timing, carry-over,
plausibility warnings, guarded dialogs, locked signed visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from forms import registry
from forms.model import Medication, Visit
from gui.main_window import MainWindow
from gui.operations import review
from gui.session import Session
from storage import signoff


def test_kendall_ten_needs_no_timing(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    picker = editor.widgets["mmt_deltoid_r"]
    editor.focus_field("mmt_deltoid_r")
    qtbot.keyClick(picker, Qt.Key.Key_1)
    assert editor.state.value("mmt_deltoid_r") == 1  # shown and kept as 1 meanwhile
    qtbot.wait(1100)  # a pause longer than the old 0.8 s window
    qtbot.keyClick(picker, Qt.Key.Key_0)
    assert editor.state.value("mmt_deltoid_r") == 10
    assert "(5)" in picker.currentText()


def test_a_one_then_another_key_stays_one(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    editor.focus_field("mmt_deltoid_r")
    picker = editor.widgets["mmt_deltoid_r"]
    qtbot.keyClick(picker, Qt.Key.Key_1)
    qtbot.keyClick(picker, Qt.Key.Key_Tab)
    assert editor.state.value("mmt_deltoid_r") == 1
    nxt = QApplication.focusWidget()
    assert nxt is not picker
    # coming back later and typing 0 records 0: the 1 is no longer pending
    editor.focus_field("mmt_deltoid_r")
    qtbot.keyClick(picker, Qt.Key.Key_0)
    assert editor.state.value("mmt_deltoid_r") == 0
    # 1, 1 is 1 (11 is no grade); 1, Delete, 0 is 0
    qtbot.keyClicks(picker, "11")
    assert editor.state.value("mmt_deltoid_r") == 1
    qtbot.keyClick(picker, Qt.Key.Key_Delete)
    qtbot.keyClick(picker, Qt.Key.Key_0)
    assert editor.state.value("mmt_deltoid_r") == 0
    qtbot.keyClicks(picker, "5")
    assert editor.state.value("mmt_deltoid_r") == 5


# ---- helpers ----------------------------------------------------------------------------
def _complete_values() -> dict[str, object]:
    values: dict[str, object] = {name: min(1, int(registry.get(name).maximum or 0))
                                 for name in registry.cmas_item_names()}
    values.update({"phys_global": Decimal("4.5"), "parent_global": Decimal("3"),
                   "extramuscular_global": Decimal("1"), "ck": Decimal(900),
                   "ck_uln": Decimal(150), "ldh_uln": Decimal(300), "assessor": "Dr Keys"})
    return values


def _open_new_visit(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.open_patient("P01")
    qtbot.keyClick(window.patient_page.visit_table, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.editor


# ---- signed visits ----------------------------------------------------------------------
def test_a_signed_visit_is_readable_and_wholly_locked(qtbot, window: MainWindow,
                                                      session: Session) -> None:
    vid = session.save_visit("P01", Visit(dt.date(2021, 5, 6), "M0", baseline=True,
                                          values=_complete_values(),
                                          missing={"chaq_dress": "not_done"})).id or 0
    signoff.sign_off_visit(session.repo, vid, "Dr A", b"%PDF-1.4 test snapshot")
    window.open_patient("P01")
    window.open_visit(vid)
    editor = window.editor
    assert editor.read_only
    for name, widget in editor.widgets.items():
        assert widget.isEnabled(), name  # readable: never the disabled grey-on-grey
        assert widget.property("readonly") == "true", name
    # nothing can be typed, picked or ticked
    entry = editor.widgets["phys_global"]
    editor.focus_field("phys_global")
    qtbot.keyClicks(entry, "9")
    picker = editor.widgets["cmas_leg_raise"]
    qtbot.keyClick(picker, Qt.Key.Key_2)
    qtbot.keyClick(picker, Qt.Key.Key_Delete)
    check = editor.widgets["chaq_aid_walking"]
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    was = editor.baseline_check.isChecked()
    qtbot.mouseClick(editor.baseline_check, Qt.MouseButton.LeftButton)
    assert editor.baseline_check.isChecked() == was  # the Baseline box is locked too
    assert editor.state is not None
    assert editor.state.value("phys_global") == Decimal("4.5")
    assert editor.state.value("cmas_leg_raise") == 1
    assert editor.state.value("chaq_aid_walking") is None
    assert not editor.dirty and not editor.save_button.isEnabled()
    assert not editor.carry_button.isVisible()


# ---- carry-over -------------------------------------------------------------------------
def test_carry_over_is_offered_visible_and_never_silent(qtbot, window: MainWindow,
                                                        session: Session) -> None:
    session.save_visit("P01", Visit(dt.date(2024, 1, 10), "M0", baseline=True,
                                    values=_complete_values()))
    _open_new_visit(qtbot, window)
    editor = window.editor
    state = editor.state
    assert state is not None
    # offered, not assumed: nothing is filled until the user says so
    assert editor.carry_label.isVisible() and editor.carry_button.isVisible()
    offer = editor.carry_label.text()
    assert "2024-01-10" in offer and "Dr Keys" in offer and "150" in offer and "300" in offer
    assert state.value("assessor") is None and state.value("ck_uln") is None
    assert not editor.dirty
    editor.carry_button.click()
    assert state.value("assessor") == "Dr Keys"
    assert state.value("ck_uln") == Decimal(150) and state.value("ldh_uln") == Decimal(300)
    assert editor.widgets["ck_uln"].property("carried") == "true"  # visible, marked
    assert not editor.carry_button.isVisible() and editor.dirty
    # editing a carried value takes the mark off
    editor.focus_field("ck_uln")
    qtbot.keyClick(editor.widgets["ck_uln"], Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.widgets["ck_uln"], "200")
    assert editor.widgets["ck_uln"].property("carried") is None
    assert editor.widgets["assessor"].property("carried") == "true"


# ---- labels from the protocol -------------------------------------------------------------
def test_a_new_visit_proposes_the_next_due_protocol_visit(qtbot, window: MainWindow,
                                                          session: Session) -> None:
    today = dt.date.today()
    session.save_visit("P01", Visit(today - dt.timedelta(days=95), "M0", baseline=True,
                                    values={"phys_global": Decimal(3)}))
    _open_new_visit(qtbot, window)
    editor = window.editor
    assert editor.state is not None and editor.state.text("visit_label") == "M3"
    picker = editor.widgets["visit_label"]
    assert picker.currentText() == "M3"
    assert not editor.dirty  # a proposal is not an unsaved change
    codes = [picker.itemText(i) for i in range(picker.count())]
    assert codes[:5] == ["-", "M0", "M3", "M6", "M12"] and "Flare visit" in codes
    editor.focus_field("visit_label")
    qtbot.keyClicks(picker, "18")
    assert editor.state.text("visit_label") == "M18"
    qtbot.keyClick(picker, Qt.Key.Key_F)
    assert editor.state.text("visit_label") == "flare"
    qtbot.keyClick(picker, Qt.Key.Key_X)  # letters are not labels: ignored
    assert editor.state.text("visit_label") == "flare"


def test_the_proposed_label_follows_the_date_until_one_is_picked(qtbot, window: MainWindow,
                                                                 session: Session) -> None:
    base = dt.date.today() - dt.timedelta(days=95)
    session.save_visit("P01", Visit(base, "M0", baseline=True,
                                    values={"phys_global": Decimal(3)}))
    _open_new_visit(qtbot, window)
    editor = window.editor
    assert editor.state is not None and editor.state.text("visit_label") == "M3"
    # the paper sheet is from a visit 6 months after baseline: typing its date moves the label
    editor._edited("visit_date", (base + dt.timedelta(days=180)).isoformat())
    assert editor.state.text("visit_label") == "M6"
    assert editor.widgets["visit_label"].currentText() == "M6"
    editor._edited("visit_date", (base + dt.timedelta(days=40)).isoformat())
    assert editor.state.text("visit_label") == "unscheduled"  # early: not the M3
    editor._edited("visit_label", "flare")  # picked by the user: the date no longer moves it
    editor._edited("visit_date", (base + dt.timedelta(days=92)).isoformat())
    assert editor.state.text("visit_label") == "flare"


# ---- slips the editor catches -------------------------------------------------------------
def test_a_new_visit_never_shows_the_previous_visits_highlights(
        qtbot, window: MainWindow, session: Session) -> None:
    values = _complete_values()
    values["ck"] = Decimal(2000)  # high: highlighted on the labs page
    vid = session.save_visit("P01", Visit(dt.date(2024, 1, 10), "M0", baseline=True,
                                          values=values)).id
    window.open_patient("P01")
    window.open_visit(vid)
    editor = window.editor
    assert editor.widgets["ck"].property("severity") == "high"
    editor.close_requested.emit()
    window.new_visit()
    assert window.stack.currentWidget() is editor
    highlighted = [n for n, w in editor.widgets.items() if w.property("severity")]
    assert highlighted == []


def test_a_bad_date_gives_one_message(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    assert editor.state is not None
    editor.focus_field("visit_date")
    date = editor.widgets["visit_date"]
    qtbot.keyClick(date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(date, "2024-13-45")
    messages = [p.message for p in editor.state.problems() if p.field == "visit_date"]
    assert len(messages) == 1, messages
    assert "(empty)" not in messages[0] and "required" not in messages[0]


def test_back_to_the_saved_value_clears_unsaved_changes(qtbot, window: MainWindow,
                                                        session: Session) -> None:
    vid = session.save_visit("P01", Visit(dt.date(2024, 1, 10), "M0", baseline=True,
                                          values={"phys_global": Decimal("4.5")})).id
    window.open_patient("P01")
    window.open_visit(vid)
    editor = window.editor
    entry = editor.widgets["phys_global"]
    editor.focus_field("phys_global")
    qtbot.keyClick(entry, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(entry, "5")
    assert editor.dirty and "Unsaved" in editor.status.text()
    qtbot.keyClick(entry, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(entry, "4.5")
    assert not editor.dirty
    assert "Unsaved" not in editor.status.text()
    assert session.drafts() == []


def test_plausibility_and_steroid_warnings_show_and_do_not_block(
        qtbot, window: MainWindow, session: Session) -> None:
    session.save_visit("P01", Visit(dt.date(2024, 1, 10), "M0", baseline=True,
                                    values={"weight_kg": Decimal("30.0"),
                                            "steroid_mg_day": Decimal(30)}))
    session.save_medication("P01", Medication(
        "prednisolone", dt.date(2024, 1, 1), Decimal(20), "mg", route="oral",
        schedule="daily", times_per_period=1))
    _open_new_visit(qtbot, window)
    editor = window.editor
    for name, text in (("weight_kg", "3.0"), ("steroid_mg_day", "30"),
                       ("mmt_deltoid_r", "9"), ("mmt_deltoid_l", "4"),
                       ("parent_global", "1"), ("chaq_wellbeing", "9")):
        editor._edited(name, text)
        editor.widgets[name].show_text(text)
    warnings = {p.field: p.message for p in editor.context_warnings()}
    assert "large change from 30 kg" in warnings["weight_kg"]
    assert "differs from the medication list" in warnings["steroid_mg_day"]
    assert "20 mg/day" in warnings["steroid_mg_day"]
    assert "grades from the right side" in warnings["mmt_deltoid_l"]
    assert "well-being" in warnings["parent_global"]
    assert editor.widgets["weight_kg"].property("severity") == "warning"
    assert editor.state is not None and editor.state.can_save  # warnings never block
    assert editor.save()


def test_internal_names_never_reach_people(qtbot, monkeypatch, window: MainWindow,
                                           session: Session) -> None:
    from gui.dialogs import HistoryDialog

    values = _complete_values()
    vid = session.save_visit("P01", Visit(dt.date(2024, 1, 10), "M0", baseline=True,
                                          values=values)).id
    window.open_patient("P01")
    window.open_visit(vid)
    editor = window.editor
    editor.go_to_page(len(editor.pages))  # the Response page
    cid = editor.response_panel.cid_label.text()
    assert "True" not in cid and "False" not in cid
    assert "yes" in cid or "no" in cid
    totals = " ".join(label.text() for label in editor.totals.findChildren(QLabel))
    assert "das_skin" not in totals and "das_muscle" not in totals
    titles = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: titles.append(self.windowTitle()))
    review.show_history(window, vid)
    assert titles == ["History of P01 (Test), visit 2024-01-10 (M0)"]
