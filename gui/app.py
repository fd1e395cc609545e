"""Start the desktop application: ``gui.app.run(db_path)`` is what ``python main.py`` (no
subcommand) calls.

It creates the QApplication, registers the icon search path, installs the one
``sys.excepthook`` crash dialog, opens the database (a locked, read-only, damaged or newer file
gives a plain message, not a traceback), shows the main window, and then asks the start-up
questions (recover unsaved drafts, or offer the demo cohort on an empty database).
"""

from __future__ import annotations

import logging
import sys
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDir, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.background import show_crash

if TYPE_CHECKING:
    from gui.session import Session

log = logging.getLogger(__name__)
APP_NAME = "JDM Capture"


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
    icons = resources.files("resources") / "icons"
    QDir.addSearchPath("icons", str(icons))
    # no application-wide style sheet: the few widgets with a look get it themselves
    # (gui.widgets.restyle; a sheet on the application made every widget twice as slow)
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


def run(db_path: Path | None = None) -> int:
    """Open the GUI on ``db_path`` (default database when None); returns the exit status."""
    app = make_app()
    install_excepthook(app)
    from gui.main_window import MainWindow  # noqa: PLC0415

    path = Path(db_path) if db_path is not None else default_db_path()
    # Show the window first, then open the file on the first event-loop turn: opening checks
    # the whole file (storage's quick_check), which must not delay the window appearing. A
    # file that can't be opened gets a plain message and leaves File > Open available.
    window = MainWindow()
    window.show()
    QTimer.singleShot(0, lambda: window.open_path(path))
    return app.exec()
