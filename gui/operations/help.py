"""Help > Keyboard shortcuts (F1) and About."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from gui.operations import tr as _tr

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def show_shortcuts(window: MainWindow) -> None:
    QMessageBox.information(window, _tr("Keyboard shortcuts"), _tr(
        "Ctrl+F  find a patient (study ID, MRN, name; Enter opens the top match)\n"
        "Ctrl+D  due and overdue protocol visits\n"
        "Alt+Left  back\n"
        "Ctrl+Shift+N  new patient;  Ctrl+N  new visit\n"
        "Ctrl+S  save the visit\n"
        "Ctrl+PgDown / Ctrl+PgUp  next / previous form;  Alt+1..9  go to form\n"
        "In a grade or score box: type the digit (1 then 0 for 10, however slowly), "
        "t = trace, n = not applicable, Delete = not assessed; Tab moves on\n"
        "Visit label: 3 or m3 = M3, 1 8 = M18, f = flare, u = unscheduled\n"
        "Ctrl+Shift+O  carry over the previous visit's assessor and ULNs (new visit)\n"
        "Menu key or Shift+F10 on a field: record why it has no value\n"
        "Delete on a visit, medication or adverse event row: delete it (asks first)\n"
        "Ctrl+H  history of the visit;  Ctrl+E  export Excel;  Ctrl+P  patient PDF\n"
        "Ctrl+Shift+L  lock the window (your password unlocks it)"))


def about(window: MainWindow) -> None:
    QMessageBox.about(window, _tr("About JDM Capture"), _tr(
        "JDM Capture: offline capture, scoring and reporting of juvenile dermatomyositis "
        "core set measures."))
