"""Every file dialog of the app: Qt's own (non-native) dialog that never opens the files it
lists, starting in a remembered exports or imports folder.

Why: SQLite's locks are POSIX locks, which belong to the process; an ``open()`` + ``close()``
of the database or its ``-wal``/``-shm`` anywhere in the app releases them all
(``storage.locks`` explains what follows: lost saves). Qt's file dialogs open every file they
list to guess its type from its content (the icon and the "Type" column; GTK's native dialog,
which runs inside the process, does the same). So every dialog here

* is Qt's widget dialog (``DontUseNativeDialog``) with an icon provider that decides icons and
  types from the name alone (:class:`NameOnlyIcons`; a stat, never an open),
* is created on an empty private folder and only then pointed at the folder to show, so the
  default icon provider never sees a directory listing,
* hides the database's companion files (``-wal``, ``-shm``, ``-journal``, ``.lock``) and the
  private temporary folder,
* starts in the folder remembered for its purpose (``exports``: where the last export went,
  by default ``Documents/JDM Capture exports``; ``imports``; ``databases``), not the
  database's folder.

The functions mirror ``QFileDialog``'s static helpers (same arguments, same return values), so
tests replace them the same way.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import (
    QFileInfo,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QSortFilterProxyModel,
    QStandardPaths,
)
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel, QStyle, QWidget

_HIDDEN_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")
_HIDDEN_NAMES = (".jdm-capture-tmp",)
_SETTINGS_KEY = "folders/{purpose}"
_empty_dir: str | None = None


class NameOnlyIcons(QAbstractFileIconProvider):
    """Icons and type names from the file name only: Qt never opens a listed file."""

    def __init__(self) -> None:
        super().__init__()
        style = QApplication.style()
        self._file = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        self._folder = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        self._drive = style.standardIcon(QStyle.StandardPixmap.SP_DriveHDIcon)
        self._computer = style.standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)

    def icon(self, what: object) -> QIcon:
        if isinstance(what, QFileInfo):
            if what.isRoot():
                return self._drive
            return self._folder if what.isDir() else self._file
        if what in (QAbstractFileIconProvider.IconType.Folder,
                    QAbstractFileIconProvider.IconType.Desktop,
                    QAbstractFileIconProvider.IconType.Trashcan,
                    QAbstractFileIconProvider.IconType.Network):
            return self._folder
        if what == QAbstractFileIconProvider.IconType.Drive:
            return self._drive
        if what == QAbstractFileIconProvider.IconType.Computer:
            return self._computer
        return self._file

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt's name
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


class HideCompanionFiles(QSortFilterProxyModel):
    """Hides a database's working files and the private temporary folder."""

    def filterAcceptsRow(self, row: int,  # noqa: N802 - Qt's name
                         parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, QFileSystemModel):
            return True
        name = model.fileName(model.index(row, 0, parent))
        return not (name.endswith(_HIDDEN_SUFFIXES) or name in _HIDDEN_NAMES)


def _empty_folder() -> str:
    global _empty_dir
    if _empty_dir is None or not Path(_empty_dir).is_dir():
        _empty_dir = tempfile.mkdtemp(prefix="jdm-capture-dialog-")
    return _empty_dir


def default_folder(purpose: str) -> Path:
    """Where a dialog for ``purpose`` starts when nothing is remembered."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    base = Path(docs) if docs else Path.home()
    return base / "JDM Capture exports" if purpose == "exports" else base


def remembered_folder(purpose: str) -> Path:
    """The folder last used for ``purpose`` (``exports``, ``imports``, ``databases``)."""
    value = QSettings().value(_SETTINGS_KEY.format(purpose=purpose), "")
    folder = Path(str(value)) if value else default_folder(purpose)
    if purpose == "exports" and not value:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return Path.home()
    return folder if folder.is_dir() else Path.home()


def remember_folder(purpose: str, chosen: str | Path) -> None:
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    QSettings().setValue(_SETTINGS_KEY.format(purpose=purpose), str(folder))


def make_dialog(parent: QWidget | None, caption: str, start: str, filters: str) -> QFileDialog:
    """A safe dialog (module docstring) showing ``start`` (a folder, or a suggested file)."""
    dialog = QFileDialog(parent, caption, _empty_folder(), filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    provider = NameOnlyIcons()
    dialog.setIconProvider(provider)
    dialog.setProperty("jdm_icon_provider", provider)  # keep it alive with the dialog
    dialog.setProxyModel(HideCompanionFiles(dialog))
    dialog.resize(max(dialog.sizeHint().width(), 760), max(dialog.sizeHint().height(), 460))
    target = Path(start) if start else Path.home()
    if target.is_dir():
        dialog.setDirectory(str(target))
    else:
        dialog.setDirectory(str(target.parent))
        dialog.selectFile(target.name)
    return dialog


def _run(dialog: QFileDialog) -> list[str]:
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return []
    return dialog.selectedFiles()


def getSaveFileName(parent: QWidget | None, caption: str, start: str,  # noqa: N802
                    filters: str = "") -> tuple[str, str]:
    dialog = make_dialog(parent, caption, start, filters)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    chosen = _run(dialog)
    return (chosen[0], dialog.selectedNameFilter()) if chosen else ("", "")


def getOpenFileName(parent: QWidget | None, caption: str, start: str,  # noqa: N802
                    filters: str = "") -> tuple[str, str]:
    dialog = make_dialog(parent, caption, start, filters)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _run(dialog)
    return (chosen[0], dialog.selectedNameFilter()) if chosen else ("", "")


def getOpenFileNames(parent: QWidget | None, caption: str, start: str,  # noqa: N802
                     filters: str = "") -> tuple[list[str], str]:
    dialog = make_dialog(parent, caption, start, filters)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    chosen = _run(dialog)
    return (chosen, dialog.selectedNameFilter()) if chosen else ([], "")


def getExistingDirectory(parent: QWidget | None, caption: str,  # noqa: N802
                         start: str) -> str:
    dialog = make_dialog(parent, caption, start, "")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _run(dialog)
    return chosen[0] if chosen else ""
