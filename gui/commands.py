"""File commands of the main window, each a :class:`gui.background.BackgroundOp`: backup,
import (JSON case files, spreadsheets), Excel/JSON/REDCap export, the data-entry template, PDF
reports, the demo cohort. Plus the small conversions between
record dialogs and ``forms.model`` records.

Every job opens its own repository in the worker thread (``job.open_store()``), never touches
widgets, and returns the path it wrote; the success callback offers to open it. The heavy
libraries (openpyxl, reportlab) are imported inside the jobs, so start-up stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from forms import registry
from forms.fields import Level
from forms.model import IDENTIFIER_KEYS, Patient
from forms.settings import ScoringSettings
from gui.background import BackgroundOp, Job, show_error, show_message

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def _tr(text: str) -> str:
    return QCoreApplication.translate("commands", text)


def _offer(window: MainWindow, text: str) -> Any:
    def done(path: Path) -> None:
        window.progress.show_result(path, text.format(name=path.name))
        window.statusBar().showMessage(text.format(name=path.name), 8000)
    return done


def backup(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    """A consistent online copy of the open database (SQLite backup API)."""
    assert window.session is not None
    source = window.session.path

    def work(job: Job) -> Path:
        from storage.database import backup_file  # noqa: PLC0415

        return backup_file(source, out)

    return BackgroundOp(window.runner, work, label=_tr("Backing up..."), parent=window,
                        trigger=window.backup_action).success(
        _offer(window, _tr("Backup written: {name}")))


def export_excel(window: MainWindow, out: Path, *, identified: bool) -> BackgroundOp[Path]:
    def work(job: Job) -> Path:
        from exports.excel import write_workbook  # noqa: PLC0415

        repo = job.open_store()
        settings = repo.scoring_settings()
        write_workbook(repo.iter_patients(with_derived=True), out, identified=identified,
                       settings=settings,
                       progress=job.progress)
        return out

    return BackgroundOp(window.runner, work, label=_tr("Exporting Excel..."), parent=window,
                        trigger=window.export_excel_action).success(
        _offer(window, _tr("Exported {name}")))


def export_json(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    def work(job: Job) -> Path:
        from storage import casefile  # noqa: PLC0415

        repo = job.open_store()
        casefile.export_case_file(repo, out)
        return out

    return BackgroundOp(window.runner, work, label=_tr("Exporting case file..."), parent=window,
                        trigger=window.export_json_action).success(
        _offer(window, _tr("Exported {name}")))


# ------------------------------------------------------------------ imports
SETTINGS_FILE, SETTINGS_KEEP = "file", "keep"


def settings_question_box(parent: QWidget | None, file_name: str,
                          differences: list[str]) -> tuple[QMessageBox, dict[Any, str]]:
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
                    differences: list[str]) -> str | None:
    """Ask which scoring settings apply; ``"file"``, ``"keep"`` or None (cancelled)."""
    box, choices = settings_question_box(parent, file_name, differences)
    box.exec()
    return choices.get(box.clickedButton())


class _SettingsQuestion(Exception):
    """A case file's settings differ: ask, then import ``remaining`` with the answer."""

    def __init__(self, file_name: str, differences: list[str], remaining: list[Path],
                 done: list[str]) -> None:
        super().__init__(file_name)
        self.file_name = file_name
        self.differences = differences
        self.remaining = remaining
        self.done = done


def import_files(window: MainWindow, paths: list[Path], *,
                 settings: str | None = None) -> BackgroundOp[str]:
    """Import JSON case files, each whole or not at all.

    A file whose scoring settings differ from the database's stops the run (files before it
    are imported); the user is asked which settings apply and the rest is imported with the
    answer (Cancel imports nothing more).
    """
    def work(job: Job) -> str:
        from storage import casefile  # noqa: PLC0415

        repo = job.open_store()
        lines: list[str] = []
        for i, path in enumerate(paths):
            try:
                _case, summary = casefile.import_case_file(
                    repo, path, window_actor,
                    settings=settings)  # type: ignore[arg-type]
            except casefile.SettingsDiffer as exc:
                raise _SettingsQuestion(path.name, exc.differences, paths[i:], lines) from exc
            lines.append(_tr("{file}: {added} patients added, {updated} updated, {visits} "
                             "visits").format(file=path.name, added=summary.patients_added,
                                              updated=summary.patients_updated,
                                              visits=summary.visits))
            job.progress(i + 1, len(paths))
        return "\n".join(lines)

    assert window.session is not None
    window_actor = window.session.actor()

    def failed(exc: BaseException) -> None:
        from storage.casefile import CaseFileRejected  # noqa: PLC0415

        window.refresh_list()
        if isinstance(exc, _SettingsQuestion):
            choice = choose_settings(window, exc.file_name, exc.differences)
            if choice is not None:
                import_files(window, exc.remaining, settings=choice).run_in_background()
            else:
                window.statusBar().showMessage(_tr("Import cancelled: nothing from {file} "
                                                   "was saved.").format(file=exc.file_name),
                                               10000)
        elif isinstance(exc, CaseFileRejected):
            show_message(window, _tr("Import refused: nothing from that file was saved."),
                         "\n".join(getattr(exc, "problems", []) or [str(exc)]))
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
                    settings: str | None = None) -> BackgroundOp[Any]:
    """Import a spreadsheet (all of it or nothing), then say what was imported or why not.

    When its sheet Settings differs from the database's scoring settings nothing is saved,
    the user is asked which apply, and the import runs again with the answer.
    """
    assert window.session is not None
    actor = window.session.actor()

    def work(job: Job) -> Any:
        from exports.xlsx_import import import_workbook as import_xlsx  # noqa: PLC0415

        return import_xlsx(path, job.open_store(), actor, progress=job.progress,
                           settings=settings)  # type: ignore[arg-type]

    def done(summary: Any) -> None:
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
            window.refresh_after_import()
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


def export_redcap(window: MainWindow, out_dir: Path, *, identified: bool) -> BackgroundOp[Any]:
    """The REDCap project folder (data dictionary, records, events, mapping, repeating)."""
    def work(job: Job) -> Any:
        from exports.redcap import export_redcap as write_redcap  # noqa: PLC0415

        return write_redcap(job.open_store(), out_dir, identified=identified,
                            progress=job.progress)

    def done(summary: Any) -> None:
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


def save_template(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    """The blank data-entry workbook (headers, dictionary, drop-downs and ranges)."""
    def work(job: Job) -> Path:
        from exports.template import write_template  # noqa: PLC0415

        return Path(write_template(out))

    return BackgroundOp(window.runner, work, label=_tr("Writing the template..."),
                        parent=window, trigger=window.template_action).success(
        _offer(window, _tr("Template written: {name}")))


def _author(window: MainWindow) -> str:
    """The reports' author: the signed-in user (the assessor setting), else the OS user."""
    return window.session.actor() if window.session is not None else ""


def patient_report(window: MainWindow, study_id: str, out: Path, *,
                   deidentified: bool = False) -> BackgroundOp[Path]:
    author = _author(window)

    def work(job: Job) -> Path:
        from exports.pdf import write_patient_report  # noqa: PLC0415

        repo = job.open_store()
        write_patient_report(repo.get_patient(study_id), out, deidentified=deidentified,
                             settings=repo.scoring_settings(), author=author or None)
        return out

    trigger = (window.patient_report_deid_action if deidentified
               else window.patient_report_action)
    return BackgroundOp(window.runner, work, label=_tr("Writing the patient report..."),
                        parent=window, trigger=trigger).success(
        _offer(window, _tr("Report written: {name}")))


def cohort_report(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    author = _author(window)

    def work(job: Job) -> Path:
        from exports.pdf import write_cohort_report  # noqa: PLC0415

        repo = job.open_store()
        write_cohort_report(repo.iter_patients(), out, settings=repo.scoring_settings(),
                            author=author or None)
        return out

    return BackgroundOp(window.runner, work, label=_tr("Writing the cohort report..."),
                        parent=window, trigger=window.cohort_report_action).success(
        _offer(window, _tr("Report written: {name}")))


def print_report(window: MainWindow, study_id: str | None) -> BackgroundOp[Path]:
    """Write the patient's report (or, for None, the cohort report) to a temporary file in
    the background, then open Qt's print dialog for it and print its pages."""
    import tempfile  # noqa: PLC0415

    author = _author(window)
    folder = Path(tempfile.mkdtemp(prefix="jdm-print-"))
    out = folder / ("report.pdf" if study_id else "cohort.pdf")

    def work(job: Job) -> Path:
        from exports import pdf  # noqa: PLC0415

        repo = job.open_store()
        if study_id is None:
            pdf.write_cohort_report(repo.iter_patients(), out,
                                    settings=repo.scoring_settings(), author=author or None)
        else:
            pdf.write_patient_report(repo.get_patient(study_id), out, deidentified=False,
                                     settings=repo.scoring_settings(), author=author or None)
        return out

    def done(path: Path) -> None:
        from gui import printing  # noqa: PLC0415

        title = _tr("JDM cohort summary") if study_id is None else \
            _tr("JDM case summary · Study ID {id}").format(id=study_id)
        try:
            pages = printing.print_with_dialog(path, title, window)
        except RuntimeError as exc:
            show_message(window, _tr("Printing failed: {error}.").format(error=exc))
            pages = 0
        finally:
            path.unlink(missing_ok=True)
            folder.rmdir()
        if pages:
            window.statusBar().showMessage(
                _tr("Sent {n} pages of {title} to the printer.").format(n=pages, title=title),
                8000)

    trigger = window.print_action if study_id else window.print_cohort_action
    return BackgroundOp(window.runner, work, label=_tr("Preparing the report to print..."),
                        parent=window, trigger=trigger).success(done)


def refresh_scores(window: MainWindow) -> BackgroundOp[int]:
    """Bring stored derived values up to the current rule versions and settings (cheap when
    nothing changed; after an update of the scoring rules it rescored every visit)."""
    def work(job: Job) -> int:
        return int(job.open_store().refresh_derived())

    def done(count: int) -> None:
        if count:
            window.refresh_list()
            window.statusBar().showMessage(_tr("Scores of {n} visits were recomputed with "
                                               "the current rules.").format(n=count), 10000)

    return BackgroundOp(window.runner, work, label=_tr("Checking stored scores..."),
                        parent=window, writes=True, ask_on_close=False).success(done)


def add_demo(window: MainWindow) -> BackgroundOp[object]:
    def work(job: Job) -> object:
        from storage.demo import add_demo_cohort  # noqa: PLC0415

        return add_demo_cohort(job.open_store(), actor)

    assert window.session is not None
    actor = window.session.actor()

    return BackgroundOp(window.runner, work, label=_tr("Adding the demo cohort..."),
                        parent=window, writes=True)


# ------------------------------------------------------------------ record conversions
def patient_values(patient: Patient) -> dict[str, object]:
    """A patient as registry field name -> value, for the patient dialog."""
    return {k: v for k, v in patient.field_values().items() if v is not None}


def patient_from_values(values: Mapping[str, object]) -> Patient:
    """The checked values of the patient dialog as a Patient (identifiers kept apart)."""
    ids: dict[str, Any] = {k: values[k] for k in IDENTIFIER_KEYS if values.get(k) is not None}
    diag = values.get("diagnosis_date")
    return Patient(study_id=str(values["study_id"]), sex=values.get("sex"),  # type: ignore[arg-type]
                   diagnosis_date=diag if isinstance(diag, dt.date) else None,
                   autoantibody=values.get("autoantibody"),  # type: ignore[arg-type]
                   identifiers=ids)


def record_values(record: Any) -> dict[str, object]:
    """A medication or adverse event as registry field name -> value."""
    level = Level.MEDICATION if hasattr(record, "drug") else Level.ADVERSE_EVENT
    return {f.name: getattr(record, f.name) for f in registry.fields_for(level=level)
            if getattr(record, f.name, None) not in (None, "")}


def app_settings(scoring: ScoringSettings, assessor: str) -> Any:
    from storage.repository import AppSettings  # noqa: PLC0415

    return AppSettings(scoring=scoring, assessor=assessor)
