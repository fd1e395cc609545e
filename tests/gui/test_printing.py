"""File > Print: Qt's print dialog, and the report itself printed (through QPrinter, here to a
PDF file so the printed pages can be read back and compared with the report)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog

from forms.model import Visit
from gui import printing
from gui.main_window import MainWindow
from gui.session import Session


def _darkness(pdf_path: Path, index: int) -> float:
    """Mean darkness (0 white .. 1 black) of a page rendered at 50 dpi."""
    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        bitmap = doc[index].render(scale=50 / 72, grayscale=True)
        data = bytes(bitmap.buffer)
        return 1 - sum(data) / (255 * len(data))
    finally:
        doc.close()


@pytest.fixture
def pdf_printer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, object]:
    """The system printer replaced by a PDF-file printer; the dialog answers OK."""
    seen: dict[str, object] = {"out": tmp_path / "printed.pdf"}

    def make() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(seen["out"]))
        seen["printer"] = printer
        return printer

    def accept(dialog: QPrintDialog) -> int:
        seen["title"] = dialog.windowTitle()
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(printing, "make_printer", make)
    monkeypatch.setattr(QPrintDialog, "exec", accept)
    return seen


def test_print_pdf_prints_every_page_as_rendered(qtbot, tmp_path: Path,
                                                 pdf_printer: dict[str, object]) -> None:
    from export_factory_gui import report_pdf

    report = report_pdf(tmp_path)
    pages = printing.print_with_dialog(report, "JDM case summary · Study ID P07")
    printed = pdf_printer["out"]
    assert isinstance(printed, Path)
    n = len(pypdf.PdfReader(report).pages)
    assert pages == n == len(pypdf.PdfReader(printed).pages)
    assert pdf_printer["title"] == "Print: JDM case summary · Study ID P07"
    assert pdf_printer["printer"].docName() == "JDM case summary · Study ID P07"
    for i in range(n):  # the printed page looks like the report's page, not a blank sheet
        original, copy = _darkness(report, i), _darkness(printed, i)
        assert original > 0.01
        assert abs(original - copy) < 0.25 * original, (i, original, copy)


def test_cancel_prints_nothing(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               pdf_printer: dict[str, object]) -> None:
    from export_factory_gui import report_pdf

    monkeypatch.setattr(QPrintDialog, "exec", lambda d: QDialog.DialogCode.Rejected.value)
    assert printing.print_with_dialog(report_pdf(tmp_path), "x") == 0
    assert not Path(str(pdf_printer["out"])).exists()


def test_print_action_of_the_main_window(qtbot, window: MainWindow, session: Session,
                                         pdf_printer: dict[str, object]) -> None:
    session.repo.save_visit("P01", Visit(dt.date(2024, 1, 10), "M0",
                                         values={"phys_global": Decimal(6)}), "t")
    session.repo.save_visit("P01", Visit(dt.date(2024, 4, 10), "M3",
                                         values={"phys_global": Decimal(2)}), "t")
    window.refresh_list()
    window.open_patient("P01")
    assert window.print_action.shortcut().toString() == "Ctrl+Shift+P"
    window.print_action.trigger()
    qtbot.waitUntil(lambda: Path(str(pdf_printer["out"])).exists()
                    and window.runner.running == 0, timeout=30000)
    assert pdf_printer["title"] == "Print: JDM case summary · Study ID P01"
    printed = pypdf.PdfReader(pdf_printer["out"])
    assert len(printed.pages) >= 1
    assert _darkness(Path(str(pdf_printer["out"])), 0) > 0.01
    assert "Sent" in window.statusBar().currentMessage()
