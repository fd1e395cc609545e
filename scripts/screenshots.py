"""Screenshots of every GUI page on a demo database at 1366x768, for the README.

    python scripts/screenshots.py [--out docs/img] [--lang zh_CN] [--size screen --screen]

    # the Chinese set of the README, with a window manager, in Beijing time:
    Xvfb :57 -screen 0 1366x768x24 & DISPLAY=:57 openbox &
    TZ=Asia/Shanghai DISPLAY=:57 python scripts/screenshots.py --lang zh_CN --out docs/img/zh
    TZ=Asia/Shanghai DISPLAY=:57 QT_SCALE_FACTOR=1.5 python scripts/screenshots.py \
        --lang zh_CN --size screen --screen --out /tmp/zh-150   # whole screens at 150 %

Runs under Xvfb (re-executes itself through ``xvfb-run`` when there is no display), builds a
fresh demo database in a temporary folder, opens the main window at 1366x768, walks the pages
(patient list, the finder, the due list, patient page tabs, the medication dialog, every
visit-editor page, settings, history and the encrypted file's dialogs) and saves one PNG per
page. Nothing is written to the user's database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1366, 768)
DUE_DAY = dt.date(2023, 9, 1)


def _reexec_under_xvfb() -> int:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        sys.stderr.write("no display and no xvfb-run: install xvfb\n")
        return 1
    env = dict(os.environ, JDM_SCREENSHOTS_XVFB="1")
    return subprocess.call([xvfb, "-a", "-s", f"-screen 0 {SIZE[0]}x{SIZE[1]}x24",
                            sys.executable, *sys.argv], env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--lang", default=None,
                        help="interface language (en, zh_CN); default: the saved setting")
    parser.add_argument("--size", default=f"{SIZE[0]}x{SIZE[1]}",
                        help="window size WxH, or 'screen': as the app sizes itself to fit")
    parser.add_argument("--screen", action="store_true",
                        help="also save the whole screen (window frame included) per page")
    args = parser.parse_args(argv)
    if args.lang:
        os.environ["JDM_CAPTURE_LANG"] = args.lang
    size = None if args.size == "screen" else tuple(int(n) for n in args.size.split("x"))
    if not os.environ.get("DISPLAY") and not os.environ.get("JDM_SCREENSHOTS_XVFB"):
        return _reexec_under_xvfb()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QThread, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialog, QWidget

    from forms.fields import Level
    from gui.app import make_app
    from gui.dialogs import HistoryDialog, RecordDialog, SettingsDialog
    from gui.main_window import MainWindow
    from gui.session import Session
    from gui.signoff import attach_chain_status
    from storage.demo import add_demo_cohort
    from storage.repository import Repository

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    app = make_app([sys.argv[0]])
    tmp = Path(tempfile.mkdtemp(prefix="jdm-shots-"))
    db = tmp / "demo.sqlite"
    from storage import accounts

    setup = accounts.create_encrypted(db, "ada", "Dr Ada Admin", "screenshot password")
    with Repository(db) as repo:  # the demo file is encrypted, as every new database
        add_demo_cohort(repo, "screenshots")
    window = MainWindow(Session(db))
    if size is not None:
        window.resize(*size)
    window.show()
    written: list[Path] = []

    def settle() -> None:
        for _ in range(5):
            app.processEvents()  # script only: let layouts settle before grabbing

    def shot(name: str, widget: QWidget | None = None) -> None:
        settle()
        path = out / f"{name}.png"
        (widget or window).grab().save(str(path))
        written.append(path)
        if args.screen and widget is None:
            whole = out / f"{name}-screen.png"
            app.primaryScreen().grabWindow(0).save(str(whole))
            written.append(whole)

    shot("01-patient-list")
    window.find_patient()  # the finder: a study ID, MRN, name or a word such as "male"
    window.list_page.filter.setText("13")
    shot("28-finder")
    window.list_page.filter.clear()
    window.show_due_list(today=DUE_DAY)  # as of a day inside the demo cohort's follow-up
    shot("29-due-list")
    rows = window.session.patient_rows()
    # the demo patient with the most visits shows the richest patient page
    busiest = max(rows, key=lambda r: r.visits)
    window.open_patient(busiest.study_id)
    shot("02-patient-visits-and-trends")
    window.patient_page.tabs.setCurrentIndex(1)
    shot("03-patient-medications")
    medication = RecordDialog(Level.MEDICATION, window.tr("Add medication"), None, window)
    medication.show()
    settle()
    QTest.keyClicks(medication.widgets["drug"], "MTX")
    medication.widgets["drug"].editingFinished.emit()  # the short name becomes the drug
    QTest.keyClicks(medication.widgets["dose"], "15")
    QTest.keyClicks(medication.widgets["start_date"], "2024/5/22")  # as Chinese write it
    medication.widgets["start_date"].editingFinished.emit()  # shown back as 2024-05-22
    shot("18-medication-dialog", medication)
    medication._initial_texts = dict(medication.texts)  # close without the discard question
    medication.reject()
    window.patient_page.tabs.setCurrentIndex(2)
    shot("04-patient-adverse-events")
    window.patient_page.tabs.setCurrentIndex(0)
    patient = window.patient
    assert patient is not None
    last = patient.sorted_visits()[-1]
    window.open_visit(last.id)
    editor = window.editor
    for i in range(editor.nav.count()):
        editor.go_to_page(i)
        key = editor.pages[i].form.key if i < len(editor.pages) else "response"
        shot(f"{5 + i:02d}-editor-{key}")
    # an entry with a typing error and a warning, to show inline validation
    editor.go_to_page(0)
    editor._edited("weight_kg", "3O")  # letter O instead of zero
    editor.widgets["weight_kg"].show_text("3O")
    editor._edited("steroid_mg_day", "70")
    editor.widgets["steroid_mg_day"].show_text("70")
    shot(f"{5 + editor.nav.count():02d}-editor-validation")
    editor.discard()
    # the baseline visit of the same child: CK far above its ULN is highlighted
    window.leave_editor()
    window.open_visit(patient.sorted_visits()[0].id)
    editor.go_to_page(next(i for i, p in enumerate(editor.pages) if p.form.key == "labs"))
    shot(f"{6 + editor.nav.count():02d}-editor-labs-baseline-high-ck")
    settings = window.session.settings()
    dialog = SettingsDialog(settings.scoring, settings.assessor, window)
    dialog.show()
    shot("20-settings", dialog)
    dialog.close()
    history = HistoryDialog(window.tr("History of visit {id}").format(id=last.id),
                            window.session.visit_history(last.id or 0), window)
    chain = attach_chain_status(window, history)  # as MainWindow.show_history does
    history.show()
    for _ in range(200):  # the chain is verified in the background: wait for its verdict
        if "verifying" not in chain.text():
            break
        QThread.msleep(25)
        settle()
    shot("21-visit-history", history)
    history.close()
    from gui.security import AccountsDialog, RecoveryKeyDialog, SetUpDialog, SignInDialog
    from gui.signoff import SignOffDialog

    sign_in = SignInDialog(db, "ada", window)
    sign_in.show()
    shot("22-sign-in", sign_in)
    sign_in.close()
    set_up = SetUpDialog(tmp / "new-clinic.sqlite", window)
    set_up.user.setText("ada")
    set_up.full_name.setText("Dr Ada Admin")
    set_up.show()
    shot("23-first-launch-set-up", set_up)
    set_up.close()
    recovery = RecoveryKeyDialog(setup.recovery_key, window)
    recovery.show()
    shot("24-recovery-key", recovery)
    recovery.close()
    sign = SignOffDialog(window.tr("{who}, visit {visit}").format(
        who=busiest.study_id, visit=last.describe()), "", [], window,
        signer=window.session.account)
    sign.show()
    shot("25-sign-off-with-password", sign)
    sign.close()
    manage = AccountsDialog(window.session.repo, window)
    manage.show()
    shot("26-accounts-and-security", manage)
    manage.close()
    window.lock()
    shot("27-session-locked")
    QTimer.singleShot(0, window.close)
    window.close()
    del QDialog, QApplication
    for path in written:
        sys.stdout.write(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
