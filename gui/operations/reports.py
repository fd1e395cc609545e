"""PDF reports: the patient's (identified for the chart, or de-identified), the cohort's, and
printing either through Qt's print dialog."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gui.background import BackgroundOp, Job, show_message
from gui.operations import offer_result
from gui.operations import tr as _tr
from gui.operations.files import choose_save

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def _author(window: MainWindow) -> str:
    """The reports' author: the signed-in user (the assessor setting), else the OS user."""
    return window.session.actor() if window.session is not None else ""


def _chosen_patient(window: MainWindow) -> str | None:
    """The patient on screen, else the one selected in the list; None after saying so."""
    study_id = window.current_study_id()
    if not study_id:
        window.statusBar().showMessage(_tr("Choose a patient first."), 4000)
    return study_id


def patient_report(window: MainWindow, deidentified: bool = False) -> None:
    """The chart copy (identified; Ctrl+P) or, from its own menu item, a de-identified one."""
    if window.session is None:
        return
    study_id = _chosen_patient(window)
    if not study_id:
        return
    if deidentified:
        out = choose_save(window, _tr("Patient PDF report, de-identified"),
                          f"{study_id}-deidentified.pdf", _tr("PDF (*.pdf)"))
    else:
        out = choose_save(window, _tr("Patient PDF report"), f"{study_id}.pdf",
                          _tr("PDF (*.pdf)"))
    if out is not None:
        patient_pdf(window, study_id, out, deidentified=deidentified).run_in_background()


def patient_pdf(window: MainWindow, study_id: str, out: Path, *,
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
        offer_result(window, _tr("Report written: {name}")))


def cohort_report(window: MainWindow) -> None:
    """File > Cohort PDF report."""
    if window.session is None:
        return
    out = choose_save(window, _tr("Cohort PDF report"), "cohort.pdf", _tr("PDF (*.pdf)"))
    if out is not None:
        cohort_pdf(window, out).run_in_background()


def cohort_pdf(window: MainWindow, out: Path) -> BackgroundOp[Path]:
    author = _author(window)

    def work(job: Job) -> Path:
        from exports.pdf import write_cohort_report  # noqa: PLC0415

        repo = job.open_store()
        write_cohort_report(repo.iter_patients(), out, settings=repo.scoring_settings(),
                            author=author or None)
        return out

    return BackgroundOp(window.runner, work, label=_tr("Writing the cohort report..."),
                        parent=window, trigger=window.cohort_report_action).success(
        offer_result(window, _tr("Report written: {name}")))


def print_report(window: MainWindow, cohort: bool = False) -> None:
    """Qt's print dialog for the current patient's report (or the cohort report)."""
    if window.session is None:
        return
    study_id = None
    if not cohort:
        study_id = _chosen_patient(window)
        if not study_id:
            return
    printed(window, study_id).run_in_background()


def printed(window: MainWindow, study_id: str | None) -> BackgroundOp[Path]:
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
