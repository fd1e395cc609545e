"""Entry of adverse events and patients: the registry lists are offered, text that will not
survive de-identification is warned about, and text the reports cannot print is refused."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from forms.fields import Level
from gui.dialogs import RecordDialog


def _ok(dialog: RecordDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_adverse_event_term_completes_from_the_list_and_warns_otherwise(qtbot) -> None:
    d = RecordDialog(Level.ADVERSE_EVENT, "Adverse event")
    qtbot.addWidget(d)
    term = d.widgets["term"]
    completer = term.completer()  # type: ignore[attr-defined]
    assert completer is not None
    completer.setCompletionPrefix("zost")
    assert completer.currentCompletion() == "Herpes zoster"
    qtbot.keyClicks(d.widgets["onset_date"], "2021-02-02")
    qtbot.keyClicks(term, "zoster; seen by Dr Roe")
    assert _ok(d)  # a warning, not an error
    assert "'other'" in d.problems["term"].text()
    term.selectAll()
    qtbot.keyClicks(term, "Herpes zoster")
    assert d.problems["term"].isHidden()
    assert _ok(d)


def test_far_future_adverse_event_is_refused_in_the_dialog(qtbot) -> None:
    d = RecordDialog(Level.ADVERSE_EVENT, "Adverse event")
    qtbot.addWidget(d)
    qtbot.keyClicks(d.widgets["term"], "Cataract")
    qtbot.keyClicks(d.widgets["onset_date"], "9999-12-31")
    assert not _ok(d)
    assert "future" in d.problems["onset_date"].text()


def test_study_id_like_the_mrn_is_warned_in_the_patient_dialog(qtbot) -> None:
    d = RecordDialog(Level.PATIENT, "Patient")
    qtbot.addWidget(d)
    qtbot.keyClicks(d.widgets["mrn"], "H123456")
    qtbot.keyClicks(d.widgets["study_id"], "JDM123456")
    assert _ok(d)
    assert "medical record number" in d.problems["study_id"].text()
    d.widgets["study_id"].selectAll()
    qtbot.keyClicks(d.widgets["study_id"], "-P01")
    assert not _ok(d)
