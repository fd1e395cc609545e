"""The user operations of the main window: one small module per family, in the shape of
Anki's ``aqt/operations``.

Each operation is a function taking the window (the parent of its dialogs, holding the open
session and the background runner) and what it needs. It asks what it must ask (a file prompt,
a confirmation, a record dialog), runs long work through :mod:`gui.background` (a
:class:`~gui.background.BackgroundOp` with a label in the progress area, the triggering action
disabled meanwhile), and reports the outcome: the status bar or the result link on success,
the one error path (:func:`gui.background.show_error`) on failure. ``MainWindow`` builds the
menus and wires each action, shortcut and page signal to one of them; it keeps only the
routing between pages.

============  ============================================================================
module        operations
============  ============================================================================
files         new and open database, opening a path (sign-in first), backup now; the save
              prompt that refuses a live database and its ``-wal``/``-shm`` files
imports       JSON case files and spreadsheets (the scoring-settings question)
exports       Excel, JSON case file, REDCap folder, the data-entry template
reports       patient and cohort PDF reports, printing
records       new/edit patient, medications and adverse events, change dose, delete visit,
              medication or adverse event (asks first); the dialog <-> record conversions
security      sign-in or set-up before opening, encrypt, accounts, change my password
settings      the settings dialog
startup       the questions after opening (drafts, demo cohort, label review), the stored
              scores' refresh
review        visit history (with the audit chain's status), the upgraded-label review
help          keyboard shortcuts, about
============  ============================================================================

Start-up time (issue 16): these modules import only Qt and the first screen's modules at
import time; dialogs, exports, storage helpers and the later pages are imported inside the
functions that use them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def tr(text: str) -> str:
    """Translate an operation's text (the GUI catalogs are looked up by source text)."""
    return QCoreApplication.translate("operations", text)


def offer_result(window: MainWindow, text: str) -> Callable[[Path], None]:
    """A success callback: "Exported x.xlsx - Open - Show folder" and the same in the status
    bar (``text`` has a ``{name}`` placeholder for the file's name)."""
    def done(path: Path) -> None:
        window.progress.show_result(path, text.format(name=path.name))
        window.statusBar().showMessage(text.format(name=path.name), 8000)
    return done
