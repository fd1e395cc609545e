"""GUI sign-off, audit-chain status, automatic backups and restore (offscreen, modals patched)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from gui_samples import complete_visit
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from forms.model import Visit
from gui import restore_dialog
from gui.dialogs import HistoryDialog
from gui.main_window import MainWindow
from gui.operations import review
from gui.restore_dialog import RestoreDialog
from gui.session import Session
from gui.signoff import SignOffDialog, UnlockDialog
from storage import backups, signoff


def _open(window: MainWindow, visit_id: int) -> Any:
    window.open_patient("P01")
    window.open_visit(visit_id)
    return window.editor.signoff_bar


def _sign(qtbot, monkeypatch: pytest.MonkeyPatch, bar: Any, name: str = "Dr A") -> None:
    def answer(dialog: SignOffDialog) -> int:
        assert not dialog.problems.isVisible() or not dialog.problems.text()
        dialog.name.setText(name)
        return 1

    monkeypatch.setattr(SignOffDialog, "exec", answer)
    bar.sign_button.click()
    qtbot.waitUntil(lambda: bar.status is not None and bar.status.signed, timeout=30000)


def test_sign_off_locks_the_editor_and_unlock_needs_a_reason(
        qtbot, monkeypatch: pytest.MonkeyPatch, window: MainWindow, session: Session) -> None:
    vid = complete_visit(session)
    bar = _open(window, vid)
    editor = window.editor
    assert bar.sign_button.isVisible() and not bar.unlock_button.isVisible()
    assert editor.widgets["phys_global"].isEnabled()

    _sign(qtbot, monkeypatch, bar)
    assert "Signed by Dr A" in bar.label.text()
    # readable, not greyed out: read-only styling, and locked (issue 14)
    assert editor.widgets["phys_global"].isEnabled() and editor.widgets["phys_global"].read_only
    assert not editor.save_button.isEnabled()
    assert bar.unlock_button.isVisible() and not bar.sign_button.isVisible()
    status = signoff.signoff_status(session.repo, vid)
    assert status.current is not None
    assert signoff.snapshot(session.repo, status.current.id).startswith(b"%PDF")
    # Ctrl+S on a signed visit does not save and says why
    assert editor.save() is False
    assert "unlock" in editor.status.text()

    seen: dict[str, bool] = {}

    def give_reason(dialog: UnlockDialog) -> int:
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        seen["blocked_without_reason"] = not ok.isEnabled()
        dialog.reason.setPlainText("phys global transcribed from the wrong visit")
        seen["allowed_with_reason"] = ok.isEnabled()
        return 1

    monkeypatch.setattr(UnlockDialog, "exec", give_reason)
    bar.unlock_button.click()
    assert seen == {"blocked_without_reason": True, "allowed_with_reason": True}
    assert not signoff.signoff_status(session.repo, vid).signed
    assert not editor.widgets["phys_global"].read_only and editor.save_button.isEnabled()
    assert "voided" in bar.label.text()
    reasons = [e.new for e in session.visit_history(vid) if e.field == "void_reason"]
    assert reasons == ["phys global transcribed from the wrong visit"]


def test_incomplete_visit_cannot_be_signed_from_the_dialog(
        qtbot, monkeypatch: pytest.MonkeyPatch, window: MainWindow, session: Session) -> None:
    vid = session.save_visit("P01", Visit(dt.date(2021, 5, 6), "M0", values={
        "phys_global": Decimal("4")})).id
    bar = _open(window, vid or 0)
    seen: dict[str, object] = {}

    def look(dialog: SignOffDialog) -> int:
        seen["problems"] = dialog.problems.text()
        seen["ok"] = dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
        return 0

    monkeypatch.setattr(SignOffDialog, "exec", look)
    bar.sign_button.click()
    assert seen["ok"] is False
    assert "muscle strength" in str(seen["problems"])
    assert not signoff.signoff_status(session.repo, vid or 0).signed


def _history_chain_text(qtbot, monkeypatch: pytest.MonkeyPatch, window: MainWindow,
                        vid: int) -> str:
    seen: dict[str, str] = {}

    def show(dialog: HistoryDialog) -> int:
        label = dialog.findChild(QLabel, "chain_status")
        qtbot.waitUntil(lambda: "verifying" not in label.text(), timeout=20000)
        seen["text"] = label.text()
        seen["rows"] = str(dialog.model.rowCount())
        return 0

    monkeypatch.setattr(HistoryDialog, "exec", show)
    review.show_history(window, vid)
    return seen["text"]


def test_history_shows_the_chain_status(qtbot, monkeypatch: pytest.MonkeyPatch,
                                        window: MainWindow, session: Session,
                                        db_path: Path) -> None:
    vid = complete_visit(session)
    text = _history_chain_text(qtbot, monkeypatch, window, vid)
    assert "verified, unaltered" in text
    con = sqlite3.connect(db_path)
    con.execute("DROP TRIGGER audit_append_only_update")
    con.execute("UPDATE audit SET actor = 'forger' WHERE id = 2")
    con.commit()
    con.close()
    text = _history_chain_text(qtbot, monkeypatch, window, vid)
    assert "NOT verified" in text and "audit row 2" in text


# ------------------------------------------------------------------------------- backups
def test_automatic_backup_at_most_daily(qtbot, window: MainWindow, db_path: Path) -> None:
    auto = window.auto_backup
    day = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with qtbot.waitSignal(auto.backup_written, timeout=20000):
        assert auto.maybe_backup(day)
    assert not auto.maybe_backup(day + dt.timedelta(hours=5))  # not due yet
    with qtbot.waitSignal(auto.backup_written, timeout=20000):
        assert auto.maybe_backup(day + dt.timedelta(days=1))
    assert [b.taken_at for b in backups.list_backups(db_path)] == [
        day + dt.timedelta(days=1), day]
    assert auto.timer.isActive() and auto.timer.interval() == restore_dialog.HOUR_MS


def test_closing_the_window_backs_up(qtbot, db_path: Path) -> None:
    window = MainWindow(Session(db_path))
    qtbot.addWidget(window)
    window.show()
    assert backups.list_backups(db_path) == []
    window.close()
    found = backups.list_backups(db_path)
    assert len(found) == 1
    assert backups.describe_backup(found[0].path).healthy


def test_restore_dialog_lists_date_contents_and_damage(qtbot, db_path: Path,
                                                       session: Session) -> None:
    complete_visit(session)
    good = backups.automatic_backup(db_path, dt.datetime(2026, 4, 1, 8, 30, tzinfo=dt.UTC))
    bad = backups.backup_dir(db_path) / f"{db_path.stem}-20260402-083000.sqlite"
    bad.write_bytes(b"garbage")
    summaries = [backups.describe_backup(b.path) for b in backups.list_backups(db_path)]
    dialog = RestoreDialog(db_path, summaries)
    qtbot.addWidget(dialog)
    texts = [dialog.list.item(r).text() for r in range(dialog.list.count())]
    assert texts[0].startswith("2026-04-02 08:30 UTC: cannot be restored")
    assert texts[1].startswith("2026-04-01 08:30 UTC: 1 patients, 1 visits")
    assert "audit trail verified" in texts[1]
    assert not dialog.list.item(0).flags() & Qt.ItemFlag.ItemIsEnabled
    assert dialog.chosen == good


def test_restore_from_the_gui_keeps_the_current_file(
        qtbot, monkeypatch: pytest.MonkeyPatch, window: MainWindow, session: Session,
        db_path: Path) -> None:
    backups.automatic_backup(db_path, dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    complete_visit(session)  # work after the backup, to be kept aside
    monkeypatch.setattr(RestoreDialog, "exec", lambda self: 1)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _parent, _title, text, *a: told.append(text)))
    monkeypatch.setattr(MainWindow, "after_show", lambda self: None)  # start-up questions
    window.session = session  # the fixture's session is the one the restore closes
    restore_dialog.restore_from_backup(window)
    qtbot.waitUntil(lambda: bool(told), timeout=30000)
    assert "previous file was kept" in told[0]
    assert window.session is not None and window.session is not session
    assert window.session.get_patient("P01").visits == []
    kept = list(db_path.parent.glob("clinic.before-restore-*.sqlite"))
    assert len(kept) == 1
    aside = Session(kept[0])
    try:
        assert len(aside.get_patient("P01").visits) == 1
    finally:
        aside.close()
    window.session.close()


def test_restore_when_the_database_would_not_open(qtbot, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """The damaged-file path: open fails with a plain message; File > Restore asks for the
    file, lists its backups and restores one."""
    from gui import file_dialogs

    db = tmp_path / "ward.sqlite"
    good = Session(db)
    _complete_visit_for_new_patient(good)
    good.close()
    backups.automatic_backup(db, dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    db.write_bytes(b"\0" * 8192)  # destroyed
    window = MainWindow()
    qtbot.addWidget(window)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _p, _t, text, *a: warned.append(text)))
    assert window.open_path(db) is False
    assert "restore" in warned[0].lower() and "Traceback" not in warned[0]
    monkeypatch.setattr(file_dialogs, "getOpenFileName", lambda *a, **k: (str(db), ""))
    monkeypatch.setattr(RestoreDialog, "exec", lambda self: 1)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _parent, _title, text, *a: told.append(text)))
    monkeypatch.setattr(MainWindow, "after_show", lambda self: None)
    window.restore_action.trigger()
    qtbot.waitUntil(lambda: bool(told), timeout=30000)
    assert window.session is not None
    assert [p.study_id for p in window.session.repo.list_patients()] == ["P09"]
    window.runner.shutdown()
    window.session.close()
    window.session = None


def _complete_visit_for_new_patient(session: Session) -> None:
    from forms.model import Patient

    session.add_patient(Patient("P09", sex="male"))
    session.save_visit("P09", Visit(dt.date(2021, 5, 6), "M0", values={
        "phys_global": Decimal("2")}))


def test_closing_an_unchanged_database_adds_no_duplicate_backup(window: MainWindow,
                                                               session: Session,
                                                               db_path: Path) -> None:
    auto = window.auto_backup
    day = dt.datetime(2026, 5, 1, 17, 0, tzinfo=dt.UTC)
    first = auto.on_close(db_path, day)
    assert first is not None and first.exists()
    assert auto.on_close(db_path, day + dt.timedelta(days=1)) is None  # nothing changed
    complete_visit(session)
    second = auto.on_close(db_path, day + dt.timedelta(days=2))
    assert second is not None
    assert [b.path for b in backups.list_backups(db_path)] == [second, first]


def test_restore_confirmation_names_what_check_refuses(
        qtbot, monkeypatch: pytest.MonkeyPatch, window: MainWindow, session: Session,
        db_path: Path) -> None:
    """Issue 17: a backup with a broken chain is restored only after a confirmation that
    names the finding; answering No changes nothing."""
    complete_visit(session)
    backup = backups.automatic_backup(db_path, dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    con = sqlite3.connect(backup)
    con.execute("DROP TRIGGER audit_append_only_update")
    con.execute("UPDATE audit SET actor = 'forger' WHERE id = 2")
    con.commit()
    con.close()
    monkeypatch.setattr(RestoreDialog, "exec", lambda self: 1)
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str, *a: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    monkeypatch.setattr(MainWindow, "after_show", lambda self: None)
    window.session = session
    restore_dialog.restore_from_backup(window)
    qtbot.waitUntil(lambda: bool(asked), timeout=30000)
    assert "check refuses the backup" in asked[0] and "[audit-trail]" in asked[0]
    assert "audit row 2" in asked[0]
    assert window.session is session  # No: nothing closed, nothing replaced
    assert list(db_path.parent.glob("clinic.before-restore-*.sqlite")) == []
