"""Looking back: a visit's history (every change, with the audit chain's status) and the
one-time review of visit labels an upgrade matched to the protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gui.operations import tr as _tr
from gui.operations.records import who

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def show_history(window: MainWindow, visit_id: object = None) -> None:
    """Visit history (Ctrl+H): ``visit_id``, else the visit in the editor, else the one
    selected on the patient page."""
    if window.session is None:
        return
    if visit_id is None or isinstance(visit_id, bool):  # a menu action's triggered(bool)
        editor = window.editor_on_screen()
        if editor is not None and editor.state is not None:
            visit_id = editor.state.visit_id
        else:
            visit_id = window.patient_page.current_visit_id()
    if not isinstance(visit_id, int):
        window.statusBar().showMessage(_tr("Choose a saved visit first."), 4000)
        return
    rows = window.session.visit_history(visit_id)
    from gui.dialogs import HistoryDialog  # noqa: PLC0415
    from gui.signoff import attach_chain_status  # noqa: PLC0415

    dialog = HistoryDialog(_tr("History of {what}").format(
        what=visit_words(window, visit_id)), rows, window)
    attach_chain_status(window, dialog)  # "Audit trail: verified" or the first broken row
    dialog.exec()


def visit_words(window: MainWindow, visit_id: int) -> str:
    """``DEMO-02 (Berg, Anna), visit 2024-03-01 (M3)`` for titles; never a row id."""
    patient = window.patient
    visit = next((v for v in patient.visits if v.id == visit_id), None) if patient else None
    if patient is None or visit is None:
        return _tr("the visit")
    return _tr("{who}, visit {visit}").format(who=who(patient), visit=visit.describe())


def review_labels(window: MainWindow) -> None:
    """The one-time list of visit labels the upgrade matched to the protocol."""
    if window.session is None:
        return
    rows = window.session.label_review()
    if not rows:
        window.statusBar().showMessage(_tr("No upgraded visit labels to review."), 4000)
        return
    from gui.dialogs import LabelReviewDialog  # noqa: PLC0415

    dialog = LabelReviewDialog(rows, window)
    dialog.visit_requested.connect(lambda study_id, visit_id: _open_reviewed_visit(
        window, study_id, visit_id))
    if dialog.exec():
        window.session.mark_label_review_done()


def _open_reviewed_visit(window: MainWindow, study_id: str, visit_id: int) -> None:
    window.open_patient(study_id)
    if window.patient is not None and window.patient.study_id == study_id:
        window.open_visit(visit_id)
