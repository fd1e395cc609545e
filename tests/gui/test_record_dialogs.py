"""Record dialogs (issue 14): no errors on an empty new dialog, errors once a field is touched,
Escape on a filled dialog asks before discarding; the medication dialog (drug list, schedule
as prescribed) and a dose change as the course's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from forms.fields import Level
from forms.model import Medication
from gui import dialogs
from gui.dialogs import RecordDialog
from gui.main_window import MainWindow
from gui.session import Session


def _dialog(qtbot, level: Level, initial=None) -> RecordDialog:
    d = RecordDialog(level, "test", initial)
    # closing at teardown must not ask the discard question of a test's typing
    qtbot.addWidget(d, before_close_func=lambda w: setattr(w, "_initial_texts", dict(w.texts)))
    d.show()
    qtbot.waitExposed(d)
    return d


def _shown(d: RecordDialog) -> dict[str, str]:
    return {n: label.text() for n, label in d.problems.items() if label.isVisible()}


def test_an_empty_new_dialog_shows_no_errors(qtbot) -> None:
    d = _dialog(qtbot, Level.ADVERSE_EVENT)
    assert _shown(d) == {}
    assert all(not w.property("severity") for w in d.widgets.values())
    assert d.buttons.button(d.buttons.StandardButton.Ok).isEnabled()
    # touching a field shows its problem, and only its problem
    qtbot.keyClicks(d.widgets["onset_date"], "2024-02-31")
    shown = _shown(d)
    assert list(shown) == ["onset_date"]
    # OK shows every remaining problem and keeps the dialog open
    d.accept()
    assert d.isVisible()
    assert {"onset_date", "term"} <= set(_shown(d))


def test_escape_on_a_filled_dialog_asks_first(qtbot, monkeypatch) -> None:
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    d = _dialog(qtbot, Level.ADVERSE_EVENT)
    qtbot.keyClicks(d.widgets["term"], "Nausea after methotrexate")
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    assert asked == ["Discard this entry?"]
    assert d.isVisible() and d.texts["term"] == "Nausea after methotrexate"  # kept
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    assert not d.isVisible()


def test_escape_on_an_untouched_dialog_closes_without_asking(qtbot) -> None:
    d = _dialog(qtbot, Level.ADVERSE_EVENT, {"term": "Rash", "onset_date": dt.date(2024, 1, 1)})
    qtbot.keyClick(d, Qt.Key.Key_Escape)  # QMessageBox.question would fail the test
    assert not d.isVisible()


def test_medication_dialog_as_prescribed(qtbot) -> None:
    d = _dialog(qtbot, Level.MEDICATION)
    drug = d.widgets["drug"]
    drug.setFocus()
    qtbot.keyClicks(drug, "MTX")
    drug.editingFinished.emit()  # as leaving the field does: the listed drug is taken
    assert d.texts["drug"] == "Methotrexate"
    # the usual route, unit and schedule of the listed drug are offered
    assert (d.texts["route"], d.texts["dose_unit"], d.texts["schedule"]) == ("sc", "mg",
                                                                            "weekly")
    assert not d.rows["pulse_count"][0].isVisibleTo(d)
    assert not d.rows["frequency_per_day"][0].isVisibleTo(d)
    assert d.rows["times_per_period"][0].text() == "Times per week"
    qtbot.keyClicks(d.widgets["dose"], "15")
    qtbot.keyClicks(d.widgets["start_date"], "2024-01-01")
    assert d.prescribed.text() == "As prescribed: Methotrexate 15 mg once a week"
    d.accept()
    assert d.values["drug"] == "methotrexate" and d.values["schedule"] == "weekly"
    assert d.values["dose"] == Decimal(15) and "frequency_per_day" not in d.values


def test_pulse_series_needs_its_count(qtbot) -> None:
    d = _dialog(qtbot, Level.MEDICATION)
    d._edited("drug", "methylprednisolone")
    d._drug_picked("methylprednisolone")
    assert d.texts["schedule"] == "pulse" and d.texts["route"] == "iv"
    assert d.rows["pulse_count"][0].isVisibleTo(d)
    assert not d.rows["times_per_period"][0].isVisibleTo(d)
    d._edited("dose", "30")
    d._edited("dose_unit", "mg/kg")
    d._edited("start_date", "2024-01-01")
    d.accept()
    assert d.isVisible() and "IV pulse series" in _shown(d)["pulse_count"]
    d._edited("pulse_count", "3")
    assert "x 3 (IV pulses on consecutive days)" in d.prescribed.text()
    d.accept()
    assert not d.isVisible() and d.values["pulse_count"] == 3


def test_change_dose_keeps_the_courses_history(qtbot, monkeypatch, window: MainWindow,
                                               session: Session) -> None:
    session.save_medication("P01", Medication("prednisolone", dt.date(2024, 1, 1),
                                              Decimal(40), "mg", route="oral",
                                              schedule="daily", times_per_period=1))
    window.open_patient("P01")
    page = window.patient_page
    page.tabs.setCurrentIndex(1)
    page.med_table.selectRow(0)

    def fill(self) -> int:
        assert self.texts["drug"] in ("prednisolone", "Prednisolone")
        assert "dose" not in self.texts  # the new dose is typed, not copied
        self._edited("dose", "30")
        self._edited("start_date", "2024-02-01")
        self.accept()
        return 1

    monkeypatch.setattr(dialogs.RecordDialog, "exec", fill)
    page.change_dose_button.click()
    meds = sorted(session.get_patient("P01").medications, key=lambda m: m.start_date)
    assert [(m.dose, m.stop_date) for m in meds] == [(Decimal(40), dt.date(2024, 1, 31)),
                                                    (Decimal(30), None)]
    texts = [page.med_model.index(r, 1).data() for r in range(page.med_model.rowCount())]
    assert texts == ["40 mg once a day", "30 mg once a day"]
    assert page.med_model.index(0, 0).data() == "Prednisolone"


def test_exposure_column_on_the_patient_page(qtbot, window: MainWindow,
                                             session: Session) -> None:
    from forms.model import Visit

    session.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0", baseline=True,
                                    values={"weight_kg": Decimal(20)}))
    session.save_visit("P01", Visit(dt.date(2024, 1, 31), "unscheduled",
                                    values={"weight_kg": Decimal(21)}))
    session.save_medication("P01", Medication("prednisolone", dt.date(2024, 1, 1), Decimal(20),
                                              "mg", route="oral", schedule="daily",
                                              times_per_period=1))
    window.open_patient("P01")
    model = window.patient_page.visit_model
    col = [c.key for c in model.columns].index("gc_exposure")
    # days 2-31 of January: 30 x 20 mg = 600 mg / 20 kg = 30 mg/kg
    assert [model.index(r, col).data() for r in range(2)] == ["", "30.0"]
