"""The GUI side of "nothing lost": a save refused because the WAL vanished keeps the typing as
a draft in the reopened file; the app's file dialogs never open database files; hostile
numbers typed or found in a draft never freeze the window."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from gui import file_dialogs
from gui.main_window import MainWindow
from gui.session import Session, draft_key


def test_a_save_after_the_wal_vanished_is_refused_kept_as_draft_and_the_file_reopened(
        qtbot, monkeypatch, editor_window: MainWindow, session: Session,
        db_path: Path) -> None:
    editor = editor_window.editor
    editor._edited("visit_date", "2024-02-03")
    editor._edited("phys_global", "5")
    old_repo = session.repo
    os.unlink(f"{db_path}-wal")  # from outside, as a wrongly-checkpointing process would
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, m: shown.append(m)))
    assert not editor.save()
    assert len(shown) == 1 and "NOT written" in shown[0] and "save again" in shown[0]
    assert session.repo is not old_repo  # reopened
    assert editor.dirty and editor.state.text("phys_global") == "5"
    drafts = {d.key: json.loads(d.payload_json) for d in session.repo.load_drafts()}
    assert drafts[draft_key("P01", None)]["texts"]["phys_global"] == "5"
    assert editor.save()  # on the reopened file
    assert not session.repo.load_drafts()
    assert [str(v.visit_date) for v in session.get_patient("P01").visits] == ["2024-02-03"]


def test_dialogs_start_in_the_exports_folder_and_remember_it(tmp_path: Path) -> None:
    first = file_dialogs.remembered_folder("exports")
    assert first.name == "JDM Capture exports" and first.is_dir()
    chosen = tmp_path / "mine" / "out.xlsx"
    chosen.parent.mkdir()
    file_dialogs.remember_folder("exports", chosen)
    assert file_dialogs.remembered_folder("exports") == chosen.parent


def test_a_dialog_on_the_database_folder_never_opens_its_files(
        qtbot, session: Session, db_path: Path) -> None:
    """Watched with inotify: every open of the database, -wal or -shm by this process while
    the dialog lists their folder (the dialog's icon provider is the only code that runs)."""
    inotify = pytest.importorskip("ctypes")
    libc = inotify.CDLL(None, use_errno=True)
    if not hasattr(libc, "inotify_init1"):
        pytest.skip("no inotify")
    fd = libc.inotify_init1(os.O_NONBLOCK)
    IN_OPEN = 0x20
    for suffix in ("", "-wal", "-shm"):
        assert libc.inotify_add_watch(fd, f"{db_path}{suffix}".encode(), IN_OPEN) >= 0
    try:
        dialog = file_dialogs.make_dialog(None, "Export", str(db_path.parent), "All (*)")
        dialog.setViewMode(QFileDialog.ViewMode.Detail)
        dialog.show()
        qtbot.waitExposed(dialog)
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.02)
        names = {dialog.proxyModel().data(dialog.proxyModel().index(r, 0, root))
                 for root in [dialog.proxyModel().mapFromSource(
                     dialog.findChild(type(dialog.proxyModel().sourceModel())).index(
                         str(db_path.parent)))]
                 for r in range(dialog.proxyModel().rowCount(root))}
        dialog.close()
        events = os.read(fd, 65536) if _readable(fd) else b""
    finally:
        os.close(fd)
    assert "clinic.sqlite" in names and "clinic.sqlite-wal" not in names
    assert events == b"", "the dialog opened the database or its working files"


def _readable(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0)[0])


def test_typing_a_huge_exponent_into_physician_global_answers_at_once(
        qtbot, editor_window: MainWindow) -> None:
    editor = editor_window.editor
    editor.focus_field("phys_global")
    widget = editor.widgets["phys_global"]
    start = time.perf_counter()
    qtbot.keyClicks(widget, "1e-99999999")
    QApplication.processEvents()
    assert time.perf_counter() - start < 5
    problems = [p for p in editor.state.errors() if p.field == "phys_global"]
    assert problems and "too many decimals" in problems[0].message
    assert not editor.save()
    editor.discard()


def _restart(qtbot, monkeypatch, db_path: Path) -> MainWindow:
    from gui import dialogs

    def choose_first(self) -> int:
        self.list.setCurrentRow(0)
        self.accept()
        return 1

    monkeypatch.setattr(dialogs.DraftsDialog, "exec", choose_first)
    restarted = MainWindow(Session(db_path))
    qtbot.addWidget(restarted)
    restarted.show()
    start = time.perf_counter()
    restarted.after_show()
    assert time.perf_counter() - start < 5
    return restarted


def test_a_draft_holding_a_huge_exponent_never_freezes_the_start(
        qtbot, monkeypatch, session: Session, db_path: Path) -> None:
    session.save_draft("P01", None, {"texts": {"visit_date": "2024-01-01",
                                               "phys_global": "1e-99999999"}})
    restarted = _restart(qtbot, monkeypatch, db_path)
    editor = restarted.editor
    assert restarted.stack.currentWidget() is editor
    assert editor.widgets["phys_global"].text() == "1e-99999999"  # the typing is kept
    assert any(p.field == "phys_global" for p in editor.state.errors())
    editor.discard()
    restarted.session.close()
    restarted.session = None


@pytest.mark.parametrize("payload", ['{"study_id": "P01", "texts": [1, 2]}', '[1, 2]',
                                     '{"study_id": "P01", "visit_id": "x"}'])
def test_a_draft_that_cannot_be_read_is_reported_and_kept_aside(
        qtbot, monkeypatch, session: Session, db_path: Path, payload: str) -> None:
    key = draft_key("P01", None)
    session.repo.db.conn.execute(
        "INSERT INTO drafts (key, payload, saved_at) VALUES (?, ?, '2026-01-01T00:00:00Z')",
        (key, payload))
    session.repo.db.conn.commit()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, m: warned.append(m)))
    restarted = _restart(qtbot, monkeypatch, db_path)
    assert len(warned) == 1 and "kept aside" in warned[0] and "P01/new" in warned[0]
    keys = [d.key for d in restarted.session.repo.load_drafts()]
    assert keys == [f"unreadable/{key}"]
    restarted.session.close()
    restarted.session = None


def test_the_daily_background_check_reads_the_whole_file(qtbot, monkeypatch,
                                                         window: MainWindow) -> None:
    watch = window.integrity_watch
    with qtbot.waitSignal(watch.checked, timeout=60000) as healthy:
        assert watch.maybe_check()
    assert healthy.args == [True]
    assert "healthy" in window.statusBar().currentMessage()
    assert not watch.maybe_check()  # not again within the day
    import datetime as dt

    from storage import errors

    monkeypatch.setattr(errors, "fresh_integrity", lambda path: False)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, m: warned.append(m)))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    with qtbot.waitSignal(watch.checked, timeout=60000) as damaged:
        assert watch.maybe_check(later)
    assert damaged.args == [False]
    assert warned and "restore" in warned[0].lower()


def test_after_a_crash_the_app_checks_the_whole_file_and_says_so(
        qtbot, monkeypatch, tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    from storage import database, locks

    db = tmp_path / "ward.sqlite"
    Session(db).close()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    locks.lock_path(db).write_text(json.dumps({"user": "amy", "host": socket.gethostname(),
                                               "pid": dead.pid, "since": "2026-01-01T00:00Z"}))
    seen: list[str] = []
    real = database.integrity_check
    monkeypatch.setattr(database, "integrity_check", lambda d: seen.append("full") or real(d))
    window = MainWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(MainWindow, "after_show", lambda self: None)
    assert window.open_path(db)
    assert seen == ["full"] and window.session.checked_after_crash
    assert "not closed properly" in window.statusBar().currentMessage()
    window.runner.shutdown()
    window.session.close()
    window.session = None


def test_the_print_dialog_offers_no_print_to_file(qtbot, monkeypatch, tmp_path: Path) -> None:
    """Its "..." button would open Qt's static file dialog (which opens listed files)."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from gui import printing

    pdf = tmp_path / "r.pdf"
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(pdf))
    c.drawString(100, 100, "report")
    c.save()
    seen: list[bool] = []

    def look(self: QPrintDialog) -> int:
        seen.append(self.testOption(QPrintDialog.PrintDialogOption.PrintToFile))
        return 0

    monkeypatch.setattr(QPrintDialog, "exec", look)
    assert printing.print_with_dialog(pdf, "t", None, QPrinter()) == 0
    assert seen == [False]
