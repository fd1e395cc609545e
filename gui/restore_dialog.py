"""Backups in the GUI: automatic backups while the app runs and on closing, and restoring one.

* :class:`AutoBackup` checks every hour (and two minutes after start) whether the newest
  backup in the ``backups`` folder next to the database is a day old, and if so writes one
  through the background helper (:func:`storage.backups.automatic_backup`, which also prunes to
  the 7 daily / 4 weekly / 12 monthly rotation). :meth:`AutoBackup.on_close` backs up once more
  when the window closes, after the session is closed.
* :class:`RestoreDialog` lists the backups with their date and what they hold
  (:func:`storage.backups.describe_backup`: record counts, last change, whether the audit hash
  chain verifies); damaged ones are shown but cannot be chosen.
* :func:`restore_from_backup` reads the summaries in the background, asks, closes the open
  database, restores in the background (the current file is kept aside, never overwritten) and
  reopens the database.

Signals (AutoBackup):
    backup_written(object): the path of a new automatic backup.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from gui.background import APP_TITLE, BackgroundOp, Job, show_error

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from storage import backups
    from storage.integrity import Finding

log = logging.getLogger(__name__)

HOUR_MS = 60 * 60 * 1000


class AutoBackup(QObject):
    """At most daily automatic backups of the window's open database (module docstring).

    Args:
        window: the main window (``session``, ``runner``, ``statusBar()``).
        interval_ms: how often to check whether a backup is due.
    """

    backup_written = Signal(object)

    def __init__(self, window: MainWindow, interval_ms: int = HOUR_MS,
                 first_check_ms: int = 2 * 60 * 1000) -> None:
        super().__init__(window)
        self.window = window
        self.running = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.maybe_backup)
        self.timer.start()
        QTimer.singleShot(first_check_ms, self.maybe_backup)

    def _path(self) -> Path | None:
        session = self.window.session
        return None if session is None else Path(session.path)

    def maybe_backup(self, now: dt.datetime | None = None) -> bool:
        """Start a backup when the newest one is at least a day old; returns whether it did."""
        from storage import backups  # noqa: PLC0415 - first used two minutes after start

        path = self._path()
        now = now or dt.datetime.now(dt.UTC)
        if path is None or self.running or not backups.backup_due(path, now):
            return False
        self.running = True

        def work(_job: Job) -> Path:
            return backups.automatic_backup(path, now)

        BackgroundOp(self.window.runner, work, label=self.tr("Automatic backup..."),
                     parent=self.window).success(self._written).failure(
            self._failed).run_in_background()
        return True

    def _written(self, dest: Path) -> None:
        self.running = False
        log.info("automatic backup written")
        self.backup_written.emit(dest)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        log.warning("automatic backup failed: %s", type(error).__name__)
        self.window.statusBar().showMessage(
            self.tr("Automatic backup failed: {error}").format(error=error), 15000)

    def on_close(self, path: Path | None, now: dt.datetime | None = None) -> Path | None:
        """Back up once more as the app closes (call after the session is closed), unless
        nothing changed since the newest backup.

        A failure is logged, never raised: closing must not be blocked by it.
        """
        from storage import backups  # noqa: PLC0415

        if path is None or not Path(path).exists():
            return None
        try:
            if not backups.changed_since_last_backup(path):
                return None  # the newest backup already holds everything
            return backups.automatic_backup(path, now)
        except (backups.BackupError, OSError) as exc:
            log.warning("backup on close failed: %s", type(exc).__name__)
            return None


class IntegrityWatch(QObject):
    """The whole-file integrity check, in the background, once a day while the app runs
    (the first 30 minutes after start): routine opens only run cheap checks
    (``storage.database``). The check is a fresh read-only connection in a separate process
    (``storage.errors.fresh_integrity``), so it sees the file as any other program would.

    Signals:
        checked(object): True healthy, False damaged, None could not tell.
    """

    checked = Signal(object)

    def __init__(self, window: MainWindow, interval_ms: int = HOUR_MS,
                 first_check_ms: int = 30 * 60 * 1000,
                 every: dt.timedelta = dt.timedelta(days=1)) -> None:
        super().__init__(window)
        self.window = window
        self.every = every
        self.last: dt.datetime | None = None
        self.running = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.maybe_check)
        self.timer.start()
        QTimer.singleShot(first_check_ms, self.maybe_check)

    def maybe_check(self, now: dt.datetime | None = None) -> bool:
        """Start the check when the last one is older than ``every``; returns whether it did."""
        session = self.window.session
        now = now or dt.datetime.now(dt.UTC)
        if session is None or self.running or (
                self.last is not None and now - self.last < self.every):
            return False
        self.running = True
        path = Path(session.path)

        def work(_job: Job) -> bool | None:
            from storage.errors import fresh_integrity  # noqa: PLC0415

            return fresh_integrity(path)

        def done(result: bool | None) -> None:
            self.running = False
            self.last = now
            self.checked.emit(result)
            if result is False:
                QMessageBox.warning(self.window, APP_TITLE, self.tr(
                    "The daily check found damage in {name}. Keep working only if you must; "
                    "make a copy of the file and restore the most recent backup (File > "
                    "Restore from backup).").format(name=path.name))
            elif result:
                self.window.statusBar().showMessage(self.tr(
                    "Daily check of {name}: the whole file is healthy.").format(
                    name=path.name), 8000)

        def failed(error: BaseException) -> None:
            self.running = False
            log.warning("integrity check failed to run: %s", type(error).__name__)

        BackgroundOp(self.window.runner, work, label=self.tr("Checking the database..."),
                     parent=self.window).success(done).failure(failed).run_in_background()
        return True


class RestoreDialog(QDialog):
    """Choose a backup to restore: date, contents and health of each (module docstring)."""

    def __init__(self, db_path: Path, summaries: list[backups.BackupSummary],
                 parent: QWidget | None = None) -> None:
        # the dialog's own widget classes and the file dialogs are imported when it is first
        # opened: the automatic backup and the daily check above start with every window
        from PySide6.QtWidgets import QDialogButtonBox, QListWidget  # noqa: PLC0415

        from storage import backups  # noqa: PLC0415

        super().__init__(parent)
        self.db_path = Path(db_path)
        self.chosen: Path | None = None
        self.setWindowTitle(self.tr("Restore from backup"))
        self.resize(820, 420)
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Replace {name} with a backup. The current file is kept beside it (named "
            "{stem}.before-restore-<time>), never overwritten.").format(
            name=self.db_path.name, stem=self.db_path.stem), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Backups"))
        lay.addWidget(self.list, 1)
        self.set_summaries(summaries)
        if not summaries:
            lay.addWidget(QLabel(self.tr("No backups in {folder} yet.").format(
                folder=backups.backup_dir(self.db_path)), self))
        self.other_button = QPushButton(self.tr("Choose another file..."), self)
        self.other_button.clicked.connect(self.choose_file)
        lay.addWidget(self.other_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Restore"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.list.currentItemChanged.connect(lambda *_: self._update())
        self.list.itemActivated.connect(lambda _item: self.accept())
        self._update()

    def set_summaries(self, summaries: list[backups.BackupSummary]) -> None:
        from PySide6.QtWidgets import QListWidgetItem  # noqa: PLC0415

        self.list.clear()
        for summary in summaries:
            item = QListWidgetItem(summary.describe(), self.list)
            item.setData(Qt.ItemDataRole.UserRole, str(summary.path))
            item.setToolTip(str(summary.path))
            if not summary.healthy:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled
                              & ~Qt.ItemFlag.ItemIsSelectable)
        for row in range(self.list.count()):
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsEnabled:
                self.list.setCurrentRow(row)
                break

    def _update(self) -> None:
        item = self.list.currentItem()
        usable = item is not None and bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
        self.chosen = Path(item.data(Qt.ItemDataRole.UserRole)) if usable else None
        self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(usable)

    def choose_file(self) -> None:
        from gui import file_dialogs  # noqa: PLC0415
        from storage import backups  # noqa: PLC0415

        path, _ = file_dialogs.getOpenFileName(
            self, self.tr("Choose a backup"), str(backups.backup_dir(self.db_path)),
            self.tr("JDM Capture database (*.sqlite *.db);;All files (*)"))
        if not path:
            return
        summary = backups.describe_backup(path)
        if not summary.healthy:
            QMessageBox.warning(self, APP_TITLE, summary.describe())
            return
        self.set_summaries([summary, *self._summaries_shown()])
        self.list.setCurrentRow(0)

    def _summaries_shown(self) -> list[backups.BackupSummary]:
        from storage import backups  # noqa: PLC0415

        return [backups.describe_backup(self.list.item(r).data(Qt.ItemDataRole.UserRole))
                for r in range(self.list.count())]


def read_summaries(db_path: Path) -> list[backups.BackupSummary]:
    """Every backup of ``db_path``, newest first, described (for a worker thread)."""
    from storage import backups  # noqa: PLC0415

    return [backups.describe_backup(b.path) for b in backups.list_backups(db_path)]


def restore_from_backup(window: MainWindow, db_path: Path | None = None) -> None:
    """The whole GUI restore (module docstring). ``db_path``: the database to replace; the
    open one when None (a database that failed to open can be given explicitly)."""
    from storage import backups  # noqa: PLC0415

    session = window.session
    path = Path(db_path) if db_path is not None else (
        Path(session.path) if session is not None else None)
    if path is None:  # e.g. the database failed to open because it is damaged: ask which
        from gui import file_dialogs  # noqa: PLC0415

        chosen_db, _ = file_dialogs.getOpenFileName(
            window, window.tr("Which database should be restored?"),
            str(file_dialogs.remembered_folder("databases")),
            window.tr("JDM Capture database (*.sqlite *.db);;All files (*)"))
        if not chosen_db:
            return
        path = Path(chosen_db)
    if not window.leave_editor_ok():
        return

    def chosen(summaries: list[backups.BackupSummary]) -> None:
        dialog = RestoreDialog(path, summaries, window)
        if not dialog.exec() or dialog.chosen is None:
            return
        source = dialog.chosen
        BackgroundOp(window.runner, lambda _job: backups.restore_findings(path, source),
                     label=window.tr("Checking the backup..."), parent=window).success(
            lambda findings: confirmed(source, findings)).run_in_background()

    def confirmed(source: Path, findings: list[Finding]) -> None:
        question = window.tr("Replace {name} with the backup {backup}?\nThe current file is "
                             "kept beside it.").format(name=path.name, backup=source.name)
        if findings:  # what check would refuse, named, before anything is replaced
            listed = "\n".join(f"\u2022 [{backups.finding_code(f)}] {f}" for f in findings[:8])
            question = window.tr(
                "check refuses the backup {backup}:\n{listed}\n\nRestore it anyway? The "
                "findings you accept are written to the audit trail; the current file is kept "
                "beside it.").format(backup=source.name, listed=listed)
        answer = QMessageBox.question(
            window, APP_TITLE, question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        session = window.session
        actor = session.actor() if session is not None else ""  # the signed-in account
        window.close_session()
        accept = [backups.finding_code(f) for f in findings]

        def work(_job: Job) -> Path | None:
            return backups.restore_backup(path, source, actor=actor, accept=accept)

        def done(aside: Path | None) -> None:
            window.open_path(path, full_check=True)  # the restored file is read whole
            QMessageBox.information(window, APP_TITLE, window.tr(
                "Restored {name} from {backup}.\n{kept}").format(
                name=path.name, backup=source.name,
                kept=window.tr("The previous file was kept as {aside}.").format(aside=aside)
                if aside else ""))

        def failed(error: BaseException) -> None:
            show_error(window, error)
            if path.exists():
                window.open_path(path)  # the restore changed nothing: reopen what was open

        BackgroundOp(window.runner, work, label=window.tr("Restoring..."),
                     parent=window).success(done).failure(failed).run_in_background()

    BackgroundOp(window.runner, lambda _job: read_summaries(path),
                 label=window.tr("Reading backups..."), parent=window).success(
        chosen).run_in_background()

