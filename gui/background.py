"""The one way the GUI runs slow or database work off the GUI thread (style practice 6).

Modelled on Anki's ``QueryOp``: build a :class:`BackgroundOp` with the work to do, chain
``.success()`` / ``.failure()``, then ``.run_in_background()``::

    BackgroundOp(window.runner, lambda job: export(job.open_store(), out, job.progress),
                 label=self.tr("Exporting..."), parent=window, trigger=action) \\
        .success(lambda path: window.progress.show_result(path, "Exported")) \\
        .run_in_background()

* The work runs on a single-worker executor, so only one background job writes at a time;
  jobs queue behind each other.
* The work gets a :class:`Job`: ``job.open_store()`` opens the job's **own** storage connection
  (connections are bound to their thread; it is closed when the job ends), and
  ``job.progress(done, total)`` updates the progress indicator. The work must never touch
  widgets.
* While the job runs, the triggering action/button is disabled and the :class:`ProgressArea`
  (in the status bar) shows the label and a busy/percentage bar. Results come back to the GUI
  thread through a queued signal; there is no ``processEvents()`` loop anywhere.
* ``writes=True`` marks a job that holds the write lock (import, demo cohort): the visit editor
  defers its draft writes meanwhile instead of waiting on the lock.
* Every exception goes to one place: the ``failure`` callback if given, else
  :func:`show_error` (a plain message for :class:`storage.errors.KnownStorageError`, the crash
  dialog for anything else).

Signals (BackgroundRunner):
    job_started(str), job_finished(str): the label of a job starting / ending.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QWidget,
)

if TYPE_CHECKING:
    from storage.repository import Repository

log = logging.getLogger(__name__)
T = TypeVar("T")
APP_TITLE = "JDM Capture"


def _tr(text: str) -> str:
    return QCoreApplication.translate("background", text)

#: opens a storage repository for a worker thread: a context manager yielding the repository.
StoreOpener = Callable[[], AbstractContextManager["Repository"]]


class Job:
    """What the work function receives: its own storage and a progress reporter."""

    def __init__(self, runner: BackgroundRunner, opener: StoreOpener | None) -> None:
        self._runner = runner
        self._opener = opener
        self._stack = ExitStack()

    def open_store(self) -> Repository:
        """This job's own repository (opened in the worker thread, closed when the job ends)."""
        if self._opener is None:
            raise RuntimeError("no database is open")
        return self._stack.enter_context(self._opener())

    def progress(self, done: int, total: int | None = None) -> None:
        self._runner._progressed.emit(done, -1 if total is None else total)

    def close(self) -> None:
        self._stack.close()


class BackgroundRunner(QObject):
    """Owns the single-worker executor and delivers results on the GUI thread."""

    job_started = Signal(str)
    job_finished = Signal(str)
    _done = Signal(object)  # a callable to run on the GUI thread
    _progressed = Signal(int, int)

    def __init__(self, opener: StoreOpener | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.opener = opener
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jdm-background")
        self._done.connect(lambda fn: fn(), Qt.ConnectionType.QueuedConnection)
        self.progress_area: ProgressArea | None = None
        self._progressed.connect(self._show_progress)
        self.running = 0  #: jobs submitted and not yet reported back
        self.writing = 0  #: of those, jobs that write (the GUI defers its drafts meanwhile)
        self.asking = 0  #: of those, jobs the user started (closing the window asks first)

    def _show_progress(self, done: int, total: int) -> None:
        if self.progress_area is not None:
            self.progress_area.set_progress(done, None if total < 0 else total)

    def submit(self, work: Callable[[], None]) -> Future[None]:
        return self._executor.submit(work)

    def shutdown(self) -> None:
        """Wait for the running job (a write must finish) and stop the worker."""
        self._executor.shutdown(wait=True, cancel_futures=True)


class BackgroundOp(Generic[T]):
    """One background job (see the module docstring)."""

    def __init__(self, runner: BackgroundRunner, work: Callable[[Job], T], *, label: str,
                 parent: QWidget | None = None,
                 trigger: QAction | QAbstractButton | None = None,
                 writes: bool = False, ask_on_close: bool = True) -> None:
        self.runner = runner
        self.writes = writes  #: holds the database's write lock (import, demo cohort)
        #: closing the window while it runs asks first (False for internal upkeep jobs)
        self.ask_on_close = ask_on_close
        self.work = work
        self.label = label
        self.parent = parent
        self.trigger = trigger
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, fn: Callable[[T], None]) -> BackgroundOp[T]:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], None]) -> BackgroundOp[T]:
        self._failure = fn
        return self

    def run_in_background(self) -> Future[None]:
        runner = self.runner
        if self.trigger is not None:
            self.trigger.setEnabled(False)
        runner.running += 1
        runner.writing += self.writes
        runner.asking += self.ask_on_close
        if runner.progress_area is not None:
            runner.progress_area.start(self.label)
        runner.job_started.emit(self.label)
        log.info("background job started: %s", self.label)

        def in_worker() -> None:
            job = Job(runner, runner.opener)
            try:
                # the job's store is closed before it reports back: once the GUI hears "done"
                # (runner.running drops), no connection of the job is left open on the file
                try:
                    result = self.work(job)
                finally:
                    job.close()
            except BaseException as exc:  # noqa: BLE001 - handed to the one error path
                error = exc
                runner._done.emit(lambda: self._failed(error))
            else:
                runner._done.emit(lambda: self._succeeded(result))

        return runner.submit(in_worker)

    def _succeeded(self, result: T) -> None:
        self._finish()
        log.info("background job finished: %s", self.label)
        if self._success is not None:
            self._success(result)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        log.info("background job failed: %s (%s)", self.label, type(error).__name__)
        if self._failure is not None:
            self._failure(error)
        else:
            show_error(self.parent, error)

    def _finish(self) -> None:
        """The job reported back: counters, the trigger and the progress area."""
        runner = self.runner
        runner.running -= 1
        runner.writing -= self.writes
        runner.asking -= self.ask_on_close
        if self.trigger is not None:
            self.trigger.setEnabled(True)
        if runner.progress_area is not None:
            runner.progress_area.stop()
        runner.job_finished.emit(self.label)


class ProgressArea(QWidget):
    """Status-bar progress indicator, and a link to open the last result."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.result_link = QLabel(self)
        self.result_link.setTextFormat(Qt.TextFormat.RichText)
        self.result_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.result_link.linkActivated.connect(open_result)
        for w in (self.label, self.bar, self.result_link):
            lay.addWidget(w)
        self.bar.hide()
        self._active = 0

    def start(self, label: str) -> None:
        self._active += 1
        self.label.setText(label)
        self.bar.setRange(0, 0)
        self.bar.show()
        self.result_link.clear()

    def set_progress(self, done: int, total: int | None) -> None:
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(done)

    def stop(self) -> None:
        self._active = max(0, self._active - 1)
        if not self._active:
            self.bar.hide()
            self.label.clear()

    def show_result(self, path: Path, text: str) -> None:
        """Offer the written file: "Exported cases.xlsx - Open"."""
        url = QUrl.fromLocalFile(str(path)).toString()
        folder = QUrl.fromLocalFile(str(path.parent)).toString()
        open_text, folder_text = self.tr("Open"), self.tr("Show folder")  # seen by lupdate
        self.result_link.setText(f'{_escape(text)} <a href="{url}">{_escape(open_text)}</a> '
                                 f'<a href="{folder}">{_escape(folder_text)}</a>')


def _escape(text: str) -> str:
    import html  # noqa: PLC0415

    return html.escape(text)


def open_result(url: str) -> None:
    """Open a written file or folder with the desktop's default application."""
    QDesktopServices.openUrl(QUrl(url))


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """The one error path: a plain message for known storage problems, else the crash dialog."""
    from storage.errors import KnownStorageError, ValidationFailed  # noqa: PLC0415

    if isinstance(error, KnownStorageError):
        QMessageBox.warning(parent, APP_TITLE, error.message)
        return
    if isinstance(error, ValidationFailed):
        QMessageBox.warning(parent, APP_TITLE, str(error))
        return
    if isinstance(error, OSError):
        QMessageBox.warning(parent, APP_TITLE, f"{error.strerror or error}: "
                            f"{error.filename or ''}".rstrip(": "))
        return
    show_crash(parent, type(error), error, error.__traceback__)


def show_message(parent: QWidget | None, text: str, details: str = "") -> None:
    """A plain warning with optional details (e.g. every problem of a refused import)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP_TITLE)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    box.exec()


def show_crash(parent: QWidget | None, exc_type: type[BaseException], exc: BaseException,
               tb: TracebackType | None) -> None:
    """The crash dialog for bugs: what happened, with the details to copy into a report."""
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("unexpected error: %s", exc_type.__name__)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(APP_TITLE)
    box.setText(_tr("Something went wrong inside JDM Capture. Your saved data is safe; unsaved "
                    "typing is kept as a draft. Please report this with the details below."))
    box.setDetailedText(text)
    box.exec()
