"""Writing data out: the Excel workbook, the JSON case file, the REDCap folder and the blank
data-entry template. Identifiers are left out unless the user answers Yes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from gui.background import BackgroundOp, Job
from gui.operations import offer_result
from gui.operations import tr as _tr
from gui.operations.files import choose_save

if TYPE_CHECKING:
    from exports.redcap import RedcapSummary
    from gui.main_window import MainWindow

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def _identified(window: MainWindow, title: str, question: str) -> bool:
    """Yes to identifiers; No (the default) for a de-identified export."""
    return QMessageBox.question(window, title, question, YES | NO, NO) == YES


def export_excel(window: MainWindow) -> None:
    """File > Export Excel (Ctrl+E)."""
    if window.session is None:
        return
    out = choose_save(window, _tr("Export Excel"), "jdm-capture.xlsx",
                      _tr("Excel workbook (*.xlsx)"))
    if out is not None:
        identified = _identified(window, _tr("Export Excel"), _tr(
            "Include identifiers (names, MRN, dates of birth, real dates)? "
            "Choose No for a de-identified workbook."))
        excel(window, out, identified=identified).run_in_background()


def excel(window: MainWindow, out: Path, *, identified: bool) -> BackgroundOp[Path]:
    """The collaborator workbook of the whole database (stored scores where current)."""
    def work(job: Job) -> Path:
        from exports.excel import write_workbook  # noqa: PLC0415

        repo = job.open_store()
        settings = repo.scoring_settings()
        write_workbook(repo.iter_patients(with_derived=True), out, identified=identified,
                       settings=settings, progress=job.progress)
        return out

    return BackgroundOp(window.runner, work, label=_tr("Exporting Excel..."), parent=window,
                        trigger=window.export_excel_action).success(
        offer_result(window, _tr("Exported {name}")))


def export_json(window: MainWindow) -> None:
    """File > Export JSON case file (the whole database, identifiers included)."""
    if window.session is None:
        return
    out = choose_save(window, _tr("Export JSON case file"), "jdm-capture.json",
                      _tr("JSON case file (*.json)"))
    if out is not None:
        case_file(window, out).run_in_background()


def case_file(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    def work(job: Job) -> Path:
        from storage import casefile  # noqa: PLC0415

        casefile.export_case_file(job.open_store(), out)
        return out

    return BackgroundOp(window.runner, work, label=_tr("Exporting case file..."), parent=window,
                        trigger=window.export_json_action).success(
        offer_result(window, _tr("Exported {name}")))


def export_redcap(window: MainWindow) -> None:
    """File > Export for REDCap: a folder, then identified or not."""
    from gui import file_dialogs  # noqa: PLC0415 - Qt's file dialog classes

    if window.session is None:
        return
    folder = file_dialogs.getExistingDirectory(
        window, _tr("Export for REDCap: choose a folder (its REDCap files are replaced)"),
        str(file_dialogs.remembered_folder("exports")))
    if not folder:
        return
    file_dialogs.remember_folder("exports", folder)
    identified = _identified(window, _tr("Export for REDCap"), _tr(
        "Include identifiers (names, MRN, dates of birth, real dates, free text)? "
        "Choose No for a de-identified export, as most studies require."))
    redcap(window, Path(folder), identified=identified).run_in_background()


def redcap(window: MainWindow, out_dir: Path, *, identified: bool
           ) -> BackgroundOp[RedcapSummary]:
    """The REDCap project folder (data dictionary, records, events, mapping, repeating)."""
    def work(job: Job) -> RedcapSummary:
        from exports.redcap import export_redcap as write_redcap  # noqa: PLC0415

        return write_redcap(job.open_store(), out_dir, identified=identified,
                            progress=job.progress)

    def done(summary: RedcapSummary) -> None:
        from gui.dialogs import SummaryDialog  # noqa: PLC0415

        text = (_tr("REDCap files written to {folder} ({kind}). Patients: {patients}; "
                    "visits: {visits}; medications: {meds}; adverse events: {events}.").format(
            folder=summary.out_dir, patients=summary.patients, visits=summary.visits,
            meds=summary.medications, events=summary.adverse_events,
            kind=_tr("identified") if summary.identified else _tr("de-identified")))
        first = summary.files.get("dictionary") or next(iter(summary.files.values()), out_dir)
        window.progress.show_result(Path(first), _tr("REDCap files written"))
        window.statusBar().showMessage(text, 10000)
        if summary.notes:  # what the administrator should know before loading
            SummaryDialog(_tr("Export for REDCap"), text, summary.notes,
                          _tr("Notes for the REDCap administrator:"), window).exec()

    return BackgroundOp(window.runner, work, label=_tr("Exporting for REDCap..."),
                        parent=window, trigger=window.export_redcap_action).success(done)


def save_template(window: MainWindow) -> None:
    """File > Save data-entry template (needs no open database)."""
    out = choose_save(window, _tr("Save data-entry template"), "jdm-capture-template.xlsx",
                      _tr("Excel workbook (*.xlsx)"))
    if out is not None:
        template(window, out).run_in_background()


def template(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    """The blank data-entry workbook (headers, dictionary, drop-downs and ranges)."""
    def work(_job: Job) -> Path:
        from exports.template import write_template  # noqa: PLC0415

        return Path(write_template(out))

    return BackgroundOp(window.runner, work, label=_tr("Writing the template..."),
                        parent=window, trigger=window.template_action).success(
        offer_result(window, _tr("Template written: {name}")))
