"""Saves reach the database file while the app's file dialogs are used (issue 10, section 1).

The bug these tests reproduce: Qt's file dialog opened the files it listed (to guess their
type), which released SQLite's POSIX locks on the database held by the same process; the next
command-line run (``check``, ``backup``, ``report``) then believed it was the last connection,
checkpointed and deleted the WAL, and every later save of the app went into the deleted file:
invisible to other processes and to ``backup``, lost at a crash.

Each test drives the app's own export action, whose real non-native ``QFileDialog`` is
navigated to the database's folder (with ``-wal``/``-shm`` present) and left listing it, then
runs a second OS process on the file, saves, and looks at the file from outside.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from forms.model import Patient, Visit

ROOT = Path(__file__).resolve().parents[1]
# slow: child processes and SIGKILL (run first: tests/conftest.py)
pytestmark = [pytest.mark.qt_log_ignore("does not support propagateSizeHints"), pytest.mark.slow]


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
                          check=False)


def _visits_seen_by_another_process(db: Path) -> int:
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute('SELECT count(*) FROM visits').fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                         timeout=60, check=True)
    return int(out.stdout.strip())


def _visits_in(db: Path) -> int:
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM visits").fetchone()[0]
    finally:
        con.close()


def answer_dialog_from_the_database_folder(folder: Path, filename: str,
                                           linger_ms: int = 1500) -> None:
    """When the app's file dialog appears, navigate it to ``folder`` as a user would, let it
    list the folder for ``linger_ms``, then choose ``filename`` there."""
    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, look)
            return
        assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog) or \
            QApplication.platformName() == "offscreen"
        dialog.setDirectory(str(folder))

        def finish() -> None:
            # as typed by the user (selectFile leaves a focused name box unchanged)
            dialog.findChild(QLineEdit, "fileNameEdit").setText(filename)
            dialog.accept()
        QTimer.singleShot(linger_ms, finish)
    QTimer.singleShot(50, look)


def _make_window(db: Path):  # -> MainWindow
    from gui.main_window import MainWindow
    from gui.session import Session

    session = Session(db)
    session.add_patient(Patient("P01", sex="female",
                                identifiers={"birth_date": dt.date(2012, 3, 4)}))
    session.save_draft("P01", None, {"texts": {}})  # -wal and -shm are there
    window = MainWindow()
    window.set_session(session)
    return window


@pytest.mark.parametrize("action", ["export_json_action", "export_excel_action",
                                    "patient_report_action"])
def test_saves_after_a_file_dialog_and_a_second_process_reach_the_file(
        qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, action: str) -> None:
    db = tmp_path / "clinic.sqlite"
    window = _make_window(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=30000)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    assert Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
    if action == "patient_report_action":
        window.open_patient("P01")
    suffix = {"export_json_action": "json", "export_excel_action": "xlsx"}.get(action, "pdf")
    answer_dialog_from_the_database_folder(tmp_path, f"out.{suffix}")
    getattr(window, action).trigger()
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=60000)
    assert (tmp_path / f"out.{suffix}").exists()

    assert _cli("check", "--db", db).returncode == 0  # a second OS process uses the file
    session = window.session
    session.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0", values={"ck": Decimal(300)}))

    assert Path(f"{db}-wal").exists(), "the WAL was deleted under the running app"
    assert _visits_seen_by_another_process(db) == 1
    backup = tmp_path / "backup.sqlite"
    result = _cli("backup", "--db", db, "--out", backup)
    assert result.returncode == 0, result.stderr
    assert _visits_in(backup) == 1
    window.runner.shutdown()
    window.session = None
    session.close()


_CHILD = textwrap.dedent("""
    import datetime as dt, subprocess, sys, time
    from decimal import Decimal
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    sys.path.insert(0, str(Path(sys.argv[2]) / "tests"))
    from PySide6.QtWidgets import QApplication, QMessageBox
    from forms.model import Visit
    from test_saves_reach_file import _make_window, answer_dialog_from_the_database_folder
    app = QApplication([])
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.No)
    db = Path(sys.argv[1])
    window = _make_window(db)
    window.show()
    answer_dialog_from_the_database_folder(db.parent, "out.json")
    window.export_json_action.trigger()
    while window.runner.running or not (db.parent / "out.json").exists():
        app.processEvents(); time.sleep(0.02)
    subprocess.run([sys.executable, sys.argv[2] + "/main.py", "check", "--db", str(db)],
                   capture_output=True, check=True)
    window.session.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0",
                                           values={"ck": Decimal(300)}))
    print("SAVED", flush=True)
    time.sleep(600)
""")


def test_a_save_survives_sigkill_after_a_file_dialog_and_a_second_process(
        tmp_path: Path) -> None:
    db = tmp_path / "clinic.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(db), str(ROOT)], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline and "SAVED" not in line:
            line = child.stdout.readline()
            if not line and child.poll() is not None:
                break
        assert "SAVED" in line, child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert _visits_seen_by_another_process(db) == 1
    assert _cli("check", "--db", db).returncode == 0


_EVERY_FILE_ACTION = textwrap.dedent("""
    import datetime as dt, sys, time
    from decimal import Decimal
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    sys.path.insert(0, str(Path(sys.argv[2]) / "tests"))
    from PySide6.QtWidgets import QApplication, QMessageBox
    from forms.model import Visit
    from gui.restore_dialog import read_summaries
    from storage import backups
    from test_saves_reach_file import _make_window, answer_dialog_from_the_database_folder
    app = QApplication([])
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.No)
    db = Path(sys.argv[1])
    window = _make_window(db)
    window.session.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0",
                                           values={"ck": Decimal(300)}))
    window.show()
    window.open_patient("P01")
    def wait():
        while window.runner.running:
            app.processEvents(); time.sleep(0.02)
    for action, name in [("export_excel_action", "e.xlsx"), ("export_json_action", "e.json"),
                         ("patient_report_action", "p.pdf"), ("cohort_report_action", "c.pdf"),
                         ("backup_action", "b.sqlite"), ("template_action", "t.xlsx")]:
        answer_dialog_from_the_database_folder(db.parent, name, linger_ms=700)
        getattr(window, action).trigger()
        wait()
        assert (db.parent / name).exists(), name
    window.auto_backup.maybe_backup(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)); wait()
    assert read_summaries(db) and backups.changed_since_last_backup(db) in (True, False)
    watch = getattr(window, "integrity_watch", None)  # (absent before this version)
    if watch is not None:
        watch.maybe_check(); wait()
    window.session.save_visit("P01", Visit(dt.date(2024, 2, 1), "M1"))
    window.runner.shutdown(); window.session.close(); window.session = None
    print("DONE", flush=True)
""")


@pytest.mark.skipif(not shutil.which("strace"), reason="needs strace")
def test_no_code_path_opens_the_database_files_except_sqlite(tmp_path: Path) -> None:
    """Every file action of the app (exports, reports, backup, template, automatic backup,
    backup summaries, the daily check), its dialogs listing the database's folder, traced
    with ``strace``: each open of the database, -wal or -shm is SQLite's (``O_NOFOLLOW``,
    which SQLite's unix VFS always passes and a plain ``open()`` never does)."""
    db = tmp_path / "clinic.sqlite"
    trace = tmp_path / "trace.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=open,openat,creat", "-o",
                           str(trace), sys.executable, "-c", _EVERY_FILE_ACTION, str(db),
                           str(ROOT)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert "DONE" in done.stdout, done.stderr[-3000:]
    names = [str(db), f"{db}-wal", f"{db}-shm", f"{db}-journal"]
    opens = [line for line in trace.read_text().splitlines()
             if any(f'"{n}"' in line for n in names) and "ENOENT" not in line]
    assert opens, "the trace saw no open of the database at all"
    plain = [line for line in opens if "O_NOFOLLOW" not in line]
    assert plain == [], "\n".join(plain[:10])
