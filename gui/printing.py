"""Printing a report: Qt's print dialog, and the report's own PDF pages sent to the printer.

The reports are PDF files written by :mod:`exports.pdf`. PySide6-Essentials has QtPrintSupport
(QPrinter, QPrintDialog) but not QtPdf, so the pages are rendered with pypdfium2 (PDFium, the
PDF engine of Chrome) at the printer's resolution, capped at 300 dpi, and drawn page by page
onto the QPrinter, fitted to its printable area. What comes out of the printer is therefore
exactly the report that Save as PDF writes, page numbers included.

The print job and the dialog carry the report's title (``JDM case summary · Study ID P07``),
so the printer queue and the dialog name the report, not a temporary file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

#: the highest resolution pages are rendered at (an A4 page at 300 dpi is 35 MB of pixels).
MAX_DPI = 300


def page_image(pdf_path: Path, index: int, dpi: int) -> QImage:
    """Page ``index`` of a PDF rendered at ``dpi`` as a QImage (RGB32)."""
    import pypdfium2 as pdfium  # noqa: PLC0415 - only printing needs PDFium
    import pypdfium2.raw as pdfium_c  # noqa: PLC0415

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        bitmap = pdf[index].render(scale=dpi / 72,
                                   force_bitmap_format=pdfium_c.FPDFBitmap_BGRx)
        image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGB32)
        return image.copy()  # own the pixels: the bitmap's buffer is freed with the PDF
    finally:
        pdf.close()


def page_count(pdf_path: Path) -> int:
    import pypdfium2 as pdfium  # noqa: PLC0415

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def print_pdf(pdf_path: Path, printer: QPrinter) -> int:
    """Print the pages of ``pdf_path`` on ``printer`` (its page range when one was chosen).

    Each page is scaled to fit the printable area, keeping its proportions, and centred.

    Returns:
        How many pages were printed.

    Raises:
        RuntimeError: the printer could not be started (no such printer, file not writable).
    """
    total = page_count(pdf_path)
    first, last = 1, total
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage():
        first, last = max(1, printer.fromPage()), min(total, printer.toPage() or total)
    dpi = min(max(printer.resolution(), 72), MAX_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("the printer could not be started")
    printed = 0
    try:
        for number in range(first, last + 1):
            if printed:
                printer.newPage()
            image = page_image(pdf_path, number - 1, dpi)
            # the painter's origin is the top left of the printable area
            area = printer.pageRect(QPrinter.Unit.DevicePixel)
            size = QSizeF(image.size())
            size.scale(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF((area.width() - size.width()) / 2,
                            (area.height() - size.height()) / 2, size.width(), size.height())
            painter.drawImage(target, image)
            printed += 1
    finally:
        painter.end()
    return printed


def make_printer() -> QPrinter:
    """The printer the dialog starts from: the system's default, at high resolution."""
    return QPrinter(QPrinter.PrinterMode.HighResolution)


def print_with_dialog(pdf_path: Path, title: str, parent: QWidget | None = None,
                      printer: QPrinter | None = None) -> int:
    """Qt's print dialog for a report, then the report itself printed.

    Args:
        pdf_path: the report (a PDF written by :mod:`exports.pdf`).
        title: the report's title: the dialog's window title and the print job's name.
        parent: the dialog's parent window.
        printer: the printer to use (tests pass one that writes a PDF file).

    Returns:
        Pages printed (0 when the user cancelled).
    """
    printer = printer or make_printer()
    printer.setDocName(title)
    printer.setFromTo(1, page_count(pdf_path))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print: {title}")
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    # No "print to file": its "..." button opens Qt's static file dialog, which opens the
    # files it lists and so could release SQLite's locks (gui.file_dialogs); the report's
    # Save-as-PDF actions write files through the safe dialog instead.
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, False)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    return print_pdf(pdf_path, printer)
