"""Database files: new, open, open a path (signing in first), backup now; and the save prompt
every operation uses, which refuses the open database and its working files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from gui.background import BackgroundOp, Job, show_error
from gui.operations import offer_result
from gui.operations import tr as _tr
from gui.session import Session

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from storage.prefetch import ListPrefetch


def choose_save(window: MainWindow, title: str, suggested: str, filters: str,
                purpose: str = "exports") -> Path | None:
    """Ask where to write (``gui.file_dialogs``: starts in the remembered ``purpose`` folder,
    never opens the listed files); refuses the open database and its working files."""
    from gui import file_dialogs  # noqa: PLC0415 - Qt's file dialog classes

    start = str(file_dialogs.remembered_folder(purpose) / suggested)
    path, _ = file_dialogs.getSaveFileName(window, title, start, filters)
    if not path:
        return None
    if not not_live(window, Path(path)):
        return None
    file_dialogs.remember_folder(purpose, path)
    return Path(path)


def not_live(window: MainWindow, path: Path) -> bool:
    """False (after saying why) when ``path`` is an open database or one of its files."""
    from storage.errors import KnownStorageError  # noqa: PLC0415
    from storage.locks import refuse_live_file  # noqa: PLC0415

    try:
        refuse_live_file(path, "write over or read")
    except KnownStorageError as exc:
        show_error(window, exc)
        return False
    return True


def new_database(window: MainWindow) -> None:
    """File > New database: a new file where the user says (never over a live one)."""
    if not window.leave_editor_ok():
        return
    path = choose_save(window, _tr("New database"), "jdm-capture.sqlite",
                       _tr("JDM Capture database (*.sqlite *.db)"), "databases")
    if path is not None:
        open_path(window, path)


def open_database(window: MainWindow) -> None:
    """File > Open database (Ctrl+O)."""
    from gui import file_dialogs  # noqa: PLC0415 - Qt's file dialog classes

    if not window.leave_editor_ok():
        return
    session = window.session
    path, _ = file_dialogs.getOpenFileName(
        window, _tr("Open database"), str(session.path.parent if session
                                          else file_dialogs.remembered_folder("databases")),
        _tr("JDM Capture database (*.sqlite *.db);;All files (*)"))
    if path:
        file_dialogs.remember_folder("databases", path)
        if session is not None and Path(path).resolve() == session.path.resolve():
            return  # already open
        if not not_live(window, Path(path)):
            return  # a working file of the open database (-wal, -shm, .lock): never a database
        open_path(window, Path(path))


def open_path(window: MainWindow, path: Path, *, full_check: bool = False,
              prefetched: ListPrefetch | None = None) -> bool:
    """Open the database at ``path`` (a plain message when it can't be), then ask the
    start-up questions. Returns whether it opened. ``full_check``: read the whole file
    first (after a restore); it is also read whole after an unclean shutdown.
    ``prefetched``: the patient list read at start (``gui.app.run``), given to the session,
    which uses it only while it is current."""
    from gui.operations import security  # noqa: PLC0415 - the sign-in dialogs

    try:
        if not security.sign_in_first(window, path):
            return False
    except Exception as exc:  # noqa: BLE001 - a damaged key file -> plain message
        show_error(window, exc)
        return False
    status = window.statusBar()
    status.showMessage(_tr("Opening {name}...").format(name=path.name))
    status.repaint()  # visible during the integrity check of a large file
    try:
        session = Session(path, full_check=full_check, prefetched=prefetched)
    except Exception as exc:  # noqa: BLE001 - KnownStorageError -> plain message
        if prefetched is not None:
            prefetched.close()
        status.clearMessage()
        show_error(window, exc)
        return False
    status.clearMessage()
    window.set_session(session)
    if session.checked_after_crash:
        status.showMessage(_tr(
            "{name} was not closed properly last time (a crash or power cut); the whole "
            "file was checked and is healthy.").format(name=path.name), 15000)
    QTimer.singleShot(0, window.after_show)
    return True


def backup_now(window: MainWindow) -> None:
    """File > Backup now: a consistent copy where the user says."""
    if window.session is None:
        return
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    out = choose_save(window, _tr("Backup now"),
                      f"{window.session.path.stem}-backup-{stamp}.sqlite",
                      _tr("SQLite database (*.sqlite)"), "backups")
    if out is not None:
        backup(window, out).run_in_background()


def backup(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    """A consistent online copy of the open database (SQLite backup API)."""
    assert window.session is not None
    source = window.session.path

    def work(_job: Job) -> Path:
        from storage.database import backup_file  # noqa: PLC0415

        return backup_file(source, out)

    return BackgroundOp(window.runner, work, label=_tr("Backing up..."), parent=window,
                        trigger=window.backup_action).success(
        offer_result(window, _tr("Backup written: {name}")))
