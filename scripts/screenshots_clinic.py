"""Screenshots of the clinic workflow (issue 14): the finder, the due list, the medication
dialog, the protocol tab and the carry-over offer, grabbed from the X server (window-manager
frames included) at the screen's size.

    Xvfb :17 -screen 0 1366x768x24 & DISPLAY=:17 openbox &
    DISPLAY=:17 python scripts/screenshots_clinic.py [--out docs/img] [--suffix -150]
    DISPLAY=:17 QT_SCALE_FACTOR=1.5 python scripts/screenshots_clinic.py --suffix -scale150

Builds a fresh demo database in a temporary folder; nothing is written to the user's database.
The due list is shown as of 2023-09-01 (a simulated date inside the demo cohort's follow-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DUE_DAY = dt.date(2023, 9, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--suffix", default="")
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        sys.stderr.write("set DISPLAY to an X server with a window manager (Xvfb + openbox)\n")
        return 1
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from forms.fields import Level
    from gui.app import make_app
    from gui.dialogs import RecordDialog
    from gui.main_window import MainWindow
    from gui.session import Session
    from storage.demo import add_demo_cohort
    from storage.repository import Repository

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    app = make_app([sys.argv[0]])
    tmp = Path(tempfile.mkdtemp(prefix="jdm-clinic-shots-"))
    db = tmp / "demo.sqlite"
    from storage import accounts

    accounts.create_encrypted(db, "ada", "Dr Ada Admin", "screenshot password")
    with Repository(db) as repo:  # encrypted, as every new database
        add_demo_cohort(repo, "screenshots")
    session = Session(db)
    window = MainWindow(session)
    screen = app.primaryScreen().availableGeometry()
    window.setGeometry(screen)
    window.showMaximized()

    def settle(ms: int = 300) -> None:
        QTest.qWait(ms)  # script only: let the window manager map and the layout settle

    def shot(name: str) -> None:
        settle()
        path = out / f"{name}{args.suffix}.png"
        app.primaryScreen().grabWindow(0).save(str(path))  # the root window: WM frames too
        print(path)

    settle(800)
    window.activateWindow()
    window.find_patient()
    QTest.keyClicks(window.list_page.filter, "13")
    shot("30-finder-13")
    window.list_page.filter.clear()
    QTest.keyClicks(window.list_page.filter, "male")
    shot("31-finder-sex-word")
    window.list_page.filter.clear()

    window.show_due_list(today=DUE_DAY)
    shot("32-due-and-overdue")

    sid = "DEMO-04"
    window.open_patient(sid)
    window.patient_page.tabs.setCurrentIndex(window.patient_page.tabs.count() - 1)
    shot("33-patient-protocol-tab")
    window.patient_page.tabs.setCurrentIndex(1)
    shot("34-patient-medications")

    def fill_medication() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, RecordDialog) and w.isVisible())
        drug = dialog.widgets["drug"]
        drug.setFocus()
        QTest.keyClicks(drug, "MTX")
        drug.editingFinished.emit()
        QTest.keyClicks(dialog.widgets["dose"], "15")
        QTest.keyClicks(dialog.widgets["start_date"], "2023-09-01")
        shot("35-medication-dialog")
        dialog._initial_texts = dict(dialog.texts)  # close without the discard question
        dialog.reject()

    QTimer.singleShot(700, fill_medication)
    dialog = RecordDialog(Level.MEDICATION, window.tr("Add medication"), None, window)
    dialog.exec()

    window.new_visit()
    settle()
    shot("36-editor-carry-over")
    editor = window.editor
    editor.discard()
    window.leave_editor()
    session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
