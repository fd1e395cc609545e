"""Start the desktop application: ``gui.app.run(db_path)`` is what ``python main.py`` (no
subcommand) calls.

It creates the QApplication, registers the icon search path, installs the one
``sys.excepthook`` crash dialog, opens the database (a locked, read-only, damaged or newer file
gives a plain message, not a traceback), shows the main window, and then asks the start-up
questions (recover unsaved drafts, or offer the demo cohort on an empty database).

This module imports only Qt's core at first: the window, its pages and the layers below are
imported inside :func:`run`, once the garbage collector has been told to collect less often
while the window is built (start-up makes about a million objects and few reference cycles).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from gui.session import Session

log = logging.getLogger(__name__)
APP_NAME = "JDM Capture"

#: the collector's thresholds from the start of :func:`run` until the first patient list is
#: filled (gen-0 collections ~70x less often: about 25 ms of a ~0.5 s start at 5,000
#: patients); cycles are still collected. The previous thresholds come back afterwards, and
#: what start-up built (modules, classes, the window) is frozen out of later collections.
_START_GC_THRESHOLD = (50_000, 20, 100)


def default_db_path() -> Path:
    """The default database (``$JDM_CAPTURE_DB`` or the user data folder; storage decides)."""
    from storage.database import default_db_path as storage_default  # noqa: PLC0415

    return storage_default()


def install_excepthook(app: QApplication) -> None:
    """One crash dialog for bugs (logs the type, never patient data)."""
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        from gui.background import show_crash  # noqa: PLC0415
        from storage.errors import KnownStorageError  # noqa: PLC0415

        if isinstance(exc, KnownStorageError):
            QMessageBox.warning(app.activeWindow(), APP_NAME, exc.message)
            return
        show_crash(app.activeWindow(), exc_type, exc, tb)

    sys.excepthook = hook


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName("jdm-capture")
    # remembered folders in an INI file in the user's configuration folder, on every system:
    # Qt's native format on Windows is the registry, and the program must leave no registry
    # keys (README, "Installing at a clinic")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    # no application-wide style sheet: the few widgets with a look get it themselves
    # (gui.style.restyle; a sheet on the application made every widget twice as slow)
    from gui import i18n  # noqa: PLC0415

    i18n.install(app)  # the saved language (or the system's), before any window is built
    return app


def open_session(path: Path) -> Session | None:
    """Open the database, or show why it can't be opened and return None."""
    from gui.session import Session  # noqa: PLC0415
    from storage.errors import KnownStorageError  # noqa: PLC0415

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return Session(path)
    except KnownStorageError as exc:
        QMessageBox.critical(None, APP_NAME, exc.message)
    except OSError as exc:
        QMessageBox.critical(None, APP_NAME, QCoreApplication.translate(
            "app", "{path} cannot be opened: {error}").format(path=path, error=exc.strerror))
    return None


def run(db_path: Path | None = None, *,
        started: Callable[[str, MainWindow], None] | None = None) -> int:
    """Open the GUI on ``db_path`` (default database when None); returns the exit status.

    ``started`` (benchmarks and start-up tests): called with ``"shown"`` and the window on the
    first event-loop turn, then with ``"listed"`` once the database is open and its patient
    list filled (or the file refused with a message)."""
    previous_gc = gc.get_threshold()
    gc.set_threshold(*_START_GC_THRESHOLD)
    path = Path(db_path) if db_path is not None else default_db_path()
    # The patient list is read in a thread while Qt starts and the window is built (SQLite
    # runs the query without the GIL); the session takes the rows if they are still current.
    from storage.prefetch import ListPrefetch  # noqa: PLC0415

    prefetched = ListPrefetch.start(path)
    app = make_app()
    install_excepthook(app)
    from gui.main_window import MainWindow  # noqa: PLC0415

    # Show the window first, then open the file on the first event-loop turn: a sign-in, or
    # the whole-file check after an unclean shutdown, must not delay the window appearing. A
    # file that can't be opened gets a plain message and leaves File > Open available.
    window = MainWindow()
    window.show()

    def first_turn() -> None:
        if started is not None:
            started("shown", window)
        try:
            window.open_path(path, prefetched=prefetched)
        finally:
            if prefetched is not None:
                prefetched.close()  # taken, or not wanted (sign-in refused, file refused)
            gc.set_threshold(*previous_gc)
            gc.freeze()  # start-up's objects live as long as the app: never scanned again
        if started is not None:
            started("listed", window)

    QTimer.singleShot(0, first_turn)
    return app.exec()
