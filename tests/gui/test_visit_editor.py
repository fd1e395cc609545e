"""The visit editor driven by the keyboard only, against a real database file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QMessageBox, QPlainTextEdit

from forms import registry
from forms.model import Visit
from gui.main_window import MainWindow
from gui.session import Session
from gui.widgets import ChoicePicker, LevelPicker, VisitLabelPicker

# What the nurse types, field by field (text as typed). Fields not listed are left empty.
VISIT = {"visit_date": "2024-05-02", "visit_label": "M3", "weight_kg": "30.5",
         "height_cm": "135", "assessor": "Dr Keys", "steroid_mg_day": "30", "ivmp_pulses": "0"}
CMAS = {name: str(min(int(registry.get(name).maximum), i % 4 + 1))
        for i, (name, _l, _lv) in enumerate(registry.CMAS_ITEMS)}
CMAS_SECONDS = {"cmas_head_elevation_sec": "45"}  # the head-elevation score comes from seconds
MMT = {"mmt_neck_flexors": "10",
       **{f"{stem}_r": str(9 - i % 3) for i, (stem, _l) in enumerate(registry.MMT_PAIRED)},
       **{f"{stem}_l": str(8 - i % 2) for i, (stem, _l) in enumerate(registry.MMT_PAIRED)}}
SKIN = {name: ("y" if i % 3 == 0 else "n") for i, (name, _l) in enumerate(registry.SKIN_FINDINGS)}
# parent_global_activity (data-contract 3, revised): typed on the global page like the rest
GLOBAL = {"phys_global": "2.5", "parent_global": "3", "parent_global_activity": "4.5",
          "extramuscular_global": "1.5", "das_skin": "2", "das_muscle": "3"}
CHAQ = {name: str(i % 2) for i, name in enumerate(
    n for dom in registry.CHAQ_DOMAINS for n in registry.chaq_domain_items(dom))}
CHAQ["chaq_bike"] = "n"  # not applicable
CHAQ_AIDS = {"chaq_aid_walking"}
LABS = {"ck": "450", "ck_uln": "150", "esr": "22"}


def enter(qtbot, widget, text: str) -> None:
    """Type ``text`` into the focused field widget as a user would."""
    if isinstance(widget, QLineEdit):
        qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(widget, text)
    elif isinstance(widget, QPlainTextEdit):
        qtbot.keyClicks(widget, text)
    elif isinstance(widget, QCheckBox):
        if text == "true":
            qtbot.keyClick(widget, Qt.Key.Key_Space)
    elif isinstance(widget, LevelPicker | ChoicePicker | VisitLabelPicker):
        qtbot.keyClicks(widget, text)
    else:
        raise AssertionError(f"no keyboard entry for {widget!r}")


def fill_page(qtbot, editor, index: int, texts: dict[str, str]) -> None:
    """Walk the page with Tab in its tab order, typing the texts of the fields listed."""
    page = editor.pages[index]
    for widget in page.order:
        assert QApplication.focusWidget() is widget, (
            f"focus on {QApplication.focusWidget().objectName()}, expected {widget.objectName()}")
        name = widget.objectName()
        if name in texts:
            enter(qtbot, widget, texts[name])
        if widget is not page.order[-1]:
            qtbot.keyClick(widget, Qt.Key.Key_Tab)




def test_complete_visit_by_keyboard(qtbot, editor_window: MainWindow, session: Session) -> None:
    editor = editor_window.editor
    forms = [p.form.key for p in editor.pages]
    pages = {"visit": VISIT, "cmas": {**CMAS, **CMAS_SECONDS}, "mmt8": MMT, "skin": SKIN,
             "global": GLOBAL, "chaq": {**CHAQ, **{a: "true" for a in CHAQ_AIDS}},
             "labs": LABS}
    del pages["cmas"]["cmas_head_elevation"]  # left for the seconds to fill
    for index, key in enumerate(forms):
        if index:
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown,
                           Qt.KeyboardModifier.ControlModifier)
        assert editor.nav.currentRow() == index
        fill_page(qtbot, editor, index, pages.get(key, {}))

    # live totals, computed here from what was typed
    state = editor.state
    head = state.value("cmas_head_elevation")
    assert head is not None
    assert str(head) == editor.widgets["cmas_head_elevation"]\
        .current_text_code()
    cmas_expected = head + sum(int(v) for k, v in CMAS.items() if k != "cmas_head_elevation")
    assert editor.totals.text_of("cmas_total") == str(cmas_expected)
    mmt_expected = int(MMT["mmt_neck_flexors"]) + sum(
        int(MMT[f"{stem}_r"]) for stem, _ in registry.MMT_PAIRED)
    assert editor.totals.text_of("mmt8_total") == str(mmt_expected)
    assert editor.totals.text_of("das_total") == str(int(GLOBAL["das_skin"])
                                                    + int(GLOBAL["das_muscle"]))

    editor.write_draft()  # the timer would have done this by now in real use
    assert [p["visit_id"] for _d, p in session.drafts()] == [None]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not state.dirty, editor.status.text()

    saved = session.get_patient("P01").visits
    assert len(saved) == 1
    visit = saved[0]
    assert visit.visit_date == dt.date(2024, 5, 2)
    assert visit.visit_label == "M3"
    assert visit.values["weight_kg"] == Decimal("30.5")
    assert visit.values["cmas_head_elevation_sec"] == 45
    assert visit.values["cmas_head_elevation"] == head
    for name, text in {**CMAS, **MMT, **GLOBAL}.items():
        if name != "cmas_head_elevation":
            assert Decimal(str(visit.values[name])) == Decimal(text), name
    for name, text in SKIN.items():
        assert visit.values[name] == ("yes" if text == "y" else "no")
    assert visit.values["chaq_bike"] == "na"
    assert visit.values["chaq_aid_walking"] is True
    assert visit.values["ck"] == Decimal(450)
    assert visit.values["ck_uln"] == Decimal(150)
    assert not session.drafts()


def test_grade_picker_takes_two_digits_for_ten(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    picker = editor.widgets["mmt_deltoid_r"]
    editor.focus_field("mmt_deltoid_r")
    qtbot.keyClicks(picker, "10")
    assert editor.state.value("mmt_deltoid_r") == 10
    assert "(5)" in picker.currentText()  # 10 on the Kendall scale is 5 on the 0-5 scale
    qtbot.keyClick(picker, Qt.Key.Key_Delete)
    assert editor.state.value("mmt_deltoid_r") is None
    qtbot.keyClicks(picker, "t")  # trace: 0 on the Kendall scale, shown with its 0-5 "1 (T)"
    assert editor.state.value("mmt_deltoid_r") == 0
    assert "(T)" in picker.currentText()


def test_validation_messages_inline_and_saving_blocked(qtbot, editor_window: MainWindow,
                                                       session: Session) -> None:
    editor = editor_window.editor
    weight = editor.widgets["weight_kg"]
    editor.focus_field("weight_kg")
    enter(qtbot, weight, "999")
    label = editor.pages[0].problems["weight_kg"]
    assert label.isVisible()
    assert registry.get("weight_kg").label in label.text()
    assert registry.get("weight_kg").allowed_text().split(" ")[0] in label.text()
    assert weight.property("severity") == "error"
    assert editor.problem_list.count() >= 1

    qtbot.keyClick(weight, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert session.get_patient("P01").visits == []
    assert weight.text() == "999"  # the typing is kept
    assert QApplication.focusWidget() is weight

    # a plausibility warning is shown but does not block saving
    enter(qtbot, weight, str(registry.get("weight_kg").warn_above + 5))
    assert weight.property("severity") == "warning"
    assert label.isVisible()
    qtbot.keyClick(weight, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(session.get_patient("P01").visits) == 1


@pytest.mark.parametrize(("answer", "leaves", "saved"), [
    (QMessageBox.StandardButton.Cancel, False, 0),
    (QMessageBox.StandardButton.Discard, True, 0),
    (QMessageBox.StandardButton.Save, True, 1),
])
def test_unsaved_changes_guard(qtbot, monkeypatch, editor_window: MainWindow, session: Session,
                               answer, leaves: bool, saved: int) -> None:
    editor = editor_window.editor
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: asked.append(a) or answer))
    editor.focus_field("phys_global")
    enter(qtbot, editor.widgets["phys_global"], "4")
    qtbot.keyClick(editor.widgets["phys_global"], Qt.Key.Key_Left,
                   Qt.KeyboardModifier.AltModifier)
    assert len(asked) == 1
    assert (editor_window.stack.currentWidget() is not editor) is leaves
    assert len(session.get_patient("P01").visits) == saved
    if answer == QMessageBox.StandardButton.Cancel:
        assert editor.widgets["phys_global"].text() == "4"
    else:
        assert not session.drafts()


def test_close_is_guarded(qtbot, monkeypatch, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel))
    editor.focus_field("phys_global")
    enter(qtbot, editor.widgets["phys_global"], "4")
    assert not editor_window.close()
    assert editor_window.isVisible()


def test_draft_recovered_after_a_crash(qtbot, monkeypatch, editor_window: MainWindow,
                                       db_path) -> None:
    editor = editor_window.editor
    editor.focus_field("phys_global")
    enter(qtbot, editor.widgets["phys_global"], "7.5")
    editor.focus_field("weight_kg")
    enter(qtbot, editor.widgets["weight_kg"], "thirty")  # invalid typing is kept too
    qtbot.waitUntil(lambda: bool(editor_window.session.drafts()), timeout=3000)
    # The process dies here: nothing saved, no close event. A new start on the same file:
    restarted = MainWindow(Session(db_path))
    qtbot.addWidget(restarted)
    from gui import dialogs

    def choose_first(self) -> int:
        self.list.setCurrentRow(0)
        self.accept()
        return 1

    monkeypatch.setattr(dialogs.DraftsDialog, "exec", choose_first)
    restarted.show()
    restarted.after_show()
    new_editor = restarted.editor
    assert restarted.stack.currentWidget() is new_editor
    assert new_editor.widgets["phys_global"].text() == "7.5"
    assert new_editor.widgets["weight_kg"].text() == "thirty"
    assert new_editor.dirty
    assert new_editor.totals.text_of("printo_cid")
    new_editor.discard()
    restarted.session.close()
    restarted.session = None


def test_live_total_says_what_is_missing(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    items = registry.cmas_item_names()
    for name in items[:-2]:
        editor._edited(name, "1")
        editor.widgets[name].show_text("1")
    text = editor.totals.text_of("cmas_total")
    assert text.startswith(f"{len(items) - 2} so far")
    assert f"2 of {len(items)}" in text
    for name in items[-2:]:
        editor._edited(name, "1")
    assert editor.totals.text_of("cmas_total") == str(len(items))


def test_a_field_can_be_recorded_as_not_done(qtbot, editor_window: MainWindow,
                                             session: Session) -> None:
    from forms.model import MISSING_REASONS

    editor = editor_window.editor
    editor._edited("cmas_situps", "3")
    editor.set_missing("cmas_situps", "not_assessable")
    assert editor.widgets["cmas_situps"].current_text_code() == ""
    label = editor.pages[1].problems["cmas_situps"]
    assert MISSING_REASONS["not_assessable"] in label.text()
    assert editor.save()
    visit = session.get_patient("P01").visits[0]
    assert "cmas_situps" not in visit.values
    assert visit.missing == {"cmas_situps": "not_assessable"}


def test_enzyme_above_uln_is_highlighted_with_its_ratio(qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    uln = editor.state.settings.uln_defaults["ck"]
    editor.focus_field("ck")
    enter(qtbot, editor.widgets["ck"], str(uln * 3))
    labs = next(p for p in editor.pages if p.form.key == "labs")
    assert editor.widgets["ck_uln"].text() == str(uln)  # the default ULN was filled in
    assert labs.extras["ck_ratio"].text().startswith("3")
    assert editor.widgets["ck"].property("severity") == "high"
    enter(qtbot, editor.widgets["ck"], str(uln / 2))
    assert editor.widgets["ck"].property("severity") == ""


def test_whole_round_trip_without_a_mouse(qtbot, monkeypatch, window: MainWindow,
                                          session: Session) -> None:
    session.save_visit("P01", Visit(dt.date(2024, 1, 5), "M0", values={"phys_global":
                                                                        Decimal(6)}))
    window.refresh_list()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.list_page.filter
    qtbot.keyClicks(window.list_page.filter, "p01")
    qtbot.keyClick(window.list_page.filter, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.patient_page
    table = window.patient_page.visit_table
    assert QApplication.focusWidget() is table
    qtbot.keyClick(table, Qt.Key.Key_Return)
    editor = window.editor
    assert window.stack.currentWidget() is editor
    assert editor.widgets["phys_global"].text() == "6"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # nothing changed: no question
    assert window.stack.currentWidget() is window.patient_page
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.stack.currentWidget() is window.list_page


def test_draft_waits_while_a_background_job_writes(qtbot, editor_window: MainWindow,
                                                   session: Session) -> None:
    editor = editor_window.editor
    editor._edited("phys_global", "5")
    editor_window.runner.writing = 1  # an import holds the write lock
    editor.write_draft()
    assert session.drafts() == []
    assert editor._draft_timer.isActive()  # retried shortly
    editor_window.runner.writing = 0
    editor.write_draft()
    assert len(session.drafts()) == 1


def test_locked_file_on_save_keeps_the_typing(qtbot, monkeypatch, editor_window: MainWindow,
                                              session: Session) -> None:
    from storage.errors import KnownStorageError

    editor = editor_window.editor
    editor._edited("phys_global", "5")

    def locked(*a, **k):
        raise KnownStorageError("locked", "clinic.sqlite is busy")

    shown = []
    monkeypatch.setattr(session, "save_visit", locked)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, m: shown.append(m)))
    assert not editor.save()
    assert shown == ["clinic.sqlite is busy"]
    assert editor.dirty
    assert editor.state.text("phys_global") == "5"


def test_new_visit_never_overwrites_a_saved_one(qtbot, window: MainWindow,
                                                session: Session) -> None:
    session.save_visit("P01", Visit(dt.date(2024, 1, 5), "M0",
                                    values={"phys_global": Decimal(6)}))
    window.open_patient("P01")
    window.new_visit()
    editor = window.editor
    editor._edited("visit_date", "2024-01-05")
    editor._edited("phys_global", "1")
    assert not editor.save()
    assert session.get_patient("P01").visits[0].values["phys_global"] == Decimal(6)
