"""What happens once a database is open: the questions asked after the window shows (unsaved
drafts to recover, else the demo cohort on an empty file, else the upgraded-label review) and
the stored scores brought up to the current rules in the background."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from gui.background import BackgroundOp, Job
from gui.operations import tr as _tr
from gui.session import describe_draft

if TYPE_CHECKING:
    from gui.main_window import MainWindow

log = logging.getLogger(__name__)


def after_show(window: MainWindow) -> None:
    """Start-up questions once the window is visible: drafts to recover, else demo data."""
    if window.session is None:
        return
    if not offer_drafts(window) and window.session.is_empty():
        offer_demo(window)
    elif window.session.label_review():
        from gui.operations import review  # noqa: PLC0415

        review.review_labels(window)


def offer_drafts(window: MainWindow) -> bool:
    """Offer visits left unsaved by a crash; True when the user looked at them."""
    session = window.session
    assert session is not None
    drafts = session.drafts()
    report_unreadable_drafts(window)
    if not drafts:
        return False
    from gui.dialogs import DraftsDialog  # noqa: PLC0415

    dialog = DraftsDialog([(d.key, describe_draft(d, p)) for d, p in drafts], window)
    result = dialog.exec()
    if result == 2:
        for d, _ in drafts:
            session.discard_draft_key(d.key)
    elif result and dialog.chosen:
        draft, payload = next((d, p) for d, p in drafts if d.key == dialog.chosen)
        try:
            window.restore_draft(payload)
        except Exception:  # noqa: BLE001 - a bad draft must never stop the start
            log.warning("draft %s could not be restored", draft.key, exc_info=True)
            session.set_draft_aside(draft)
            report_unreadable_drafts(window)
            window.show_list()
    return True


def report_unreadable_drafts(window: MainWindow) -> None:
    session = window.session
    if session is None or not session.unreadable_drafts:
        return
    keys = ", ".join(k.removeprefix("visit/") for k in session.unreadable_drafts)
    session.unreadable_drafts.clear()
    QMessageBox.warning(window, _tr("Unsaved entry"), _tr(
        "An unsaved entry left from an earlier session could not be restored ({keys}). "
        "It was kept aside in the database, unchanged; nothing saved is affected.").format(
        keys=keys))


def offer_demo(window: MainWindow) -> None:
    """An empty database: offer the synthetic demo cohort (No is the default)."""
    answer = QMessageBox.question(
        window, _tr("Empty database"),
        _tr("This database has no patients yet. Add the demo cohort (fictitious "
            "children) to explore JDM Capture?"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No)
    if answer == QMessageBox.StandardButton.Yes:
        add_demo(window).success(lambda _n: window.refresh_list()).run_in_background()


def add_demo(window: MainWindow) -> BackgroundOp[object]:
    assert window.session is not None
    actor = window.session.actor()

    def work(job: Job) -> object:
        from storage.demo import add_demo_cohort  # noqa: PLC0415

        return add_demo_cohort(job.open_store(), actor)

    return BackgroundOp(window.runner, work, label=_tr("Adding the demo cohort..."),
                        parent=window, writes=True)


def refresh_scores(window: MainWindow) -> BackgroundOp[int]:
    """Bring stored derived values up to the current rule versions and settings (cheap when
    nothing changed; after an update of the scoring rules it rescored every visit)."""
    def work(job: Job) -> int:
        return int(job.open_store().refresh_derived())

    def done(count: int) -> None:
        if count:
            window.refresh_list()
            window.statusBar().showMessage(_tr("Scores of {n} visits were recomputed with "
                                               "the current rules.").format(n=count), 10000)

    return BackgroundOp(window.runner, work, label=_tr("Checking stored scores..."),
                        parent=window, writes=True, ask_on_close=False).success(done)
