"""Importing JSON case files and spreadsheets, each file whole or not at all, and the question
asked when a file's scoring settings differ from the database's."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from gui.background import BackgroundOp, Job, show_error, show_message
from gui.operations import tr as _tr
from gui.operations.files import not_live

if TYPE_CHECKING:
    from exports.xlsx_import import WorkbookImportSummary
    from gui.main_window import MainWindow
    from storage.casefile import SettingsChoice

SETTINGS_FILE: SettingsChoice = "file"
SETTINGS_KEEP: SettingsChoice = "keep"


def import_files(window: MainWindow) -> None:
    """File > Import case files (JSON): choose the files, then import them in the background."""
    from gui import file_dialogs  # noqa: PLC0415 - Qt's file dialog classes

    if window.session is None:
        return
    paths, _ = file_dialogs.getOpenFileNames(window, _tr("Import case files"),
                                             str(file_dialogs.remembered_folder("imports")),
                                             _tr("JSON case files (*.json)"))
    if paths and all(not_live(window, Path(p)) for p in paths):
        file_dialogs.remember_folder("imports", paths[0])
        import_case_files(window, [Path(p) for p in paths]).run_in_background()


def import_spreadsheet(window: MainWindow) -> None:
    """File > Import spreadsheet (Excel)."""
    from gui import file_dialogs  # noqa: PLC0415 - Qt's file dialog classes

    if window.session is None:
        return
    path, _ = file_dialogs.getOpenFileName(window, _tr("Import spreadsheet"),
                                           str(file_dialogs.remembered_folder("imports")),
                                           _tr("Excel workbook (*.xlsx)"))
    if path and not_live(window, Path(path)):
        file_dialogs.remember_folder("imports", path)
        import_workbook(window, Path(path)).run_in_background()


def refresh_after_import(window: MainWindow) -> None:
    """Show imported data: the list, and the open patient if the import changed them."""
    window.refresh_list()
    if window.session is not None and window.patient is not None and window.on_patient_page():
        try:
            window.show_patient(window.session.get_patient(window.patient.study_id))
        except LookupError:
            window.show_list()


def settings_question_box(parent: QWidget | None, file_name: str, differences: list[str]
                          ) -> tuple[QMessageBox, dict[QAbstractButton, SettingsChoice]]:
    """The question asked when an imported file's scoring settings differ from the database's.

    Returns the box and its choice buttons (button -> ``"file"`` / ``"keep"``); Cancel (also
    Esc) imports nothing.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_tr("Scoring settings differ"))
    box.setText(_tr("{file} was exported with other scoring settings than this database "
                    "uses, so its responses (TIS, PRINTO) come out differently. Which "
                    "settings should apply?").format(file=file_name))
    box.setInformativeText("\n".join([*differences, "", _tr(
        "Use the file's settings: this database takes them and every stored response is "
        "recomputed. Keep this database's settings: the file's visits are scored with "
        "them. Cancel: nothing is imported.")]))
    use = box.addButton(_tr("Use the file's settings"), QMessageBox.ButtonRole.AcceptRole)
    use.setToolTip(_tr("This database takes the file's settings; every stored response is "
                       "recomputed with them."))
    keep = box.addButton(_tr("Keep this database's settings"),
                         QMessageBox.ButtonRole.AcceptRole)
    keep.setToolTip(_tr("The file's visits are scored with this database's settings."))
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box, {use: SETTINGS_FILE, keep: SETTINGS_KEEP}


def choose_settings(parent: QWidget | None, file_name: str,
                    differences: list[str]) -> SettingsChoice | None:
    """Ask which scoring settings apply; ``"file"``, ``"keep"`` or None (cancelled)."""
    box, choices = settings_question_box(parent, file_name, differences)
    box.exec()
    clicked = box.clickedButton()
    return choices.get(clicked) if clicked is not None else None


class _SettingsQuestion(Exception):
    """A case file's settings differ: ask, then import ``remaining`` with the answer."""

    def __init__(self, file_name: str, differences: list[str], remaining: list[Path],
                 done: list[str]) -> None:
        super().__init__(file_name)
        self.file_name = file_name
        self.differences = differences
        self.remaining = remaining
        self.done = done


def import_case_files(window: MainWindow, paths: list[Path], *,
                      settings: SettingsChoice | None = None) -> BackgroundOp[str]:
    """Import JSON case files, each whole or not at all.

    A file whose scoring settings differ from the database's stops the run (files before it
    are imported); the user is asked which settings apply and the rest is imported with the
    answer (Cancel imports nothing more).
    """
    assert window.session is not None
    actor = window.session.actor()

    def work(job: Job) -> str:
        from storage import casefile  # noqa: PLC0415

        repo = job.open_store()
        lines: list[str] = []
        for i, path in enumerate(paths):
            try:
                _case, summary = casefile.import_case_file(repo, path, actor, settings=settings)
            except casefile.SettingsDiffer as exc:
                raise _SettingsQuestion(path.name, exc.differences, paths[i:], lines) from exc
            lines.append(_tr("{file}: {added} patients added, {updated} updated, {visits} "
                             "visits").format(file=path.name, added=summary.patients_added,
                                              updated=summary.patients_updated,
                                              visits=summary.visits))
            job.progress(i + 1, len(paths))
        return "\n".join(lines)

    def failed(exc: BaseException) -> None:
        from storage.casefile import CaseFileRejected  # noqa: PLC0415

        window.refresh_list()
        if isinstance(exc, _SettingsQuestion):
            choice = choose_settings(window, exc.file_name, exc.differences)
            if choice is not None:
                import_case_files(window, exc.remaining, settings=choice).run_in_background()
            else:
                window.statusBar().showMessage(_tr("Import cancelled: nothing from {file} "
                                                   "was saved.").format(file=exc.file_name),
                                               10000)
        elif isinstance(exc, CaseFileRejected):
            show_message(window, _tr("Import refused: nothing from that file was saved."),
                         "\n".join(exc.problems or [str(exc)]))
        else:
            show_error(window, exc)

    def done(text: str) -> None:
        if settings == SETTINGS_FILE and window.session is not None:
            window.session.reload_settings()
        window.refresh_list()
        window.statusBar().showMessage(_tr("Import finished: {text}").format(
            text=text.replace("\n", "; ")), 10000)

    return BackgroundOp(window.runner, work, label=_tr("Importing..."), parent=window,
                        trigger=window.import_action, writes=True).success(done).failure(failed)


def import_workbook(window: MainWindow, path: Path, *,
                    settings: SettingsChoice | None = None
                    ) -> BackgroundOp[WorkbookImportSummary]:
    """Import a spreadsheet (all of it or nothing), then say what was imported or why not.

    When its sheet Settings differs from the database's scoring settings nothing is saved,
    the user is asked which apply, and the import runs again with the answer.
    """
    assert window.session is not None
    actor = window.session.actor()

    def work(job: Job) -> WorkbookImportSummary:
        from exports.xlsx_import import import_workbook as import_xlsx  # noqa: PLC0415

        return import_xlsx(path, job.open_store(), actor, progress=job.progress,
                           settings=settings)

    def done(summary: WorkbookImportSummary) -> None:
        from gui.dialogs import SummaryDialog  # noqa: PLC0415

        if not summary.imported and summary.settings_differences:
            choice = choose_settings(window, path.name, summary.settings_differences)
            if choice is not None:
                import_workbook(window, path, settings=choice).run_in_background()
            else:
                window.statusBar().showMessage(_tr("Import cancelled: nothing from {file} "
                                                   "was saved.").format(file=path.name), 10000)
            return
        if summary.imported:
            if settings == SETTINGS_FILE and window.session is not None:
                window.session.reload_settings()
            refresh_after_import(window)
            text = _tr("Imported {file}. Patients: {patients} ({added} added, {updated} "
                       "updated); visits: {visits} ({replaced} replaced); medications: {meds}; "
                       "adverse events: {events}.").format(
                file=path.name, patients=summary.patients, added=summary.patients_added,
                updated=summary.patients_updated, visits=summary.visits,
                replaced=summary.visits_replaced, meds=summary.medications,
                events=summary.adverse_events)
            details, heading = summary.warnings, _tr(
                "Saved, but please double-check these values:")
            window.statusBar().showMessage(text, 10000)
        else:
            text = _tr("Nothing was imported from {file}. Problems found: {n}. Correct "
                       "them in the workbook and import it again.").format(
                file=path.name, n=len(summary.errors))
            details, heading = summary.errors, _tr("Problems (sheet, row, column):")
        SummaryDialog(_tr("Import spreadsheet"), text, details, heading, window).exec()

    return BackgroundOp(window.runner, work, label=_tr("Importing spreadsheet..."),
                        parent=window, trigger=window.import_xlsx_action,
                        writes=True).success(done)
