"""The first screen (the patient list) imports only what it needs (issue 16: start-up time).

A fresh process runs ``gui.app.run`` (what ``python main.py`` runs): it shows the main window,
opens a database with a patient and fills the list; the pages, dialogs and modules of later
screens are not imported until they are first used, and then they work.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from forms.model import Patient, Visit
from storage.repository import Repository

ROOT = Path(__file__).resolve().parents[2]

#: Not needed to show a usable patient list (forms.response is: the list's response column
#: describes the response bounds). sqlite-utils is needed only to migrate an older file.
LATER = ("gui.visit_editor", "gui.form_pages", "gui.patient_page", "gui.chart", "gui.dialogs",
         "gui.signoff", "forms.entry", "exports", "reportlab", "openpyxl", "sqlite_utils",
         "gui.widgets", "gui.security", "gui.file_dialogs", "storage.backups")

SCRIPT = r"""
import gc
import sys
from pathlib import Path
from gui.app import run

LATER = {later!r}
before = gc.get_threshold()

def started(stage, window):
    if stage == "shown":
        window.after_show = lambda: None  # no start-up questions in this test
        return
    rows = window.list_page.model.rowCount()
    loaded = sorted(m for m in LATER if m in sys.modules
                    or any(k.startswith(m + ".") for k in sys.modules))
    print("list", rows, loaded)
    print("gc", gc.get_threshold() == before, gc.get_freeze_count() > 0)
    window.open_patient("P01")  # the patient page is built on first use, and works
    print("page", window.stack.currentWidget() is window.patient_page,
          window.patient_page.visit_model.rowCount(), "gui.patient_page" in sys.modules)
    window.close()
    from PySide6.QtWidgets import QApplication
    QApplication.instance().quit()

run(Path({db!r}), started=started)
"""


def test_first_screen_defers_later_screens(tmp_path: Path) -> None:
    db = tmp_path / "clinic.sqlite"
    with Repository(db) as repo:
        repo.add_patient(Patient("P01", sex="female", visits=[
            Visit(dt.date(2021, 1, 4), "M0", values={"phys_global": Decimal("6.5")}),
            Visit(dt.date(2021, 4, 6), "M3", values={"phys_global": Decimal("2.0")})]), "test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(later=LATER, db=str(db))],
                            cwd=ROOT, capture_output=True, text=True, env=env, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(("list", "gc", "page"))]
    # gc: the collector's thresholds are back and start-up's objects frozen once listed
    assert lines == ["list 1 []", "gc True True", "page True 2 True"], \
        result.stdout + result.stderr


PREFETCH_SCRIPT = r"""
import threading
from pathlib import Path
from storage import repo_patients
from gui.app import run

queried = []
original = repo_patients.PatientStore.patient_list_rows
def counted(self):
    queried.append(1)
    return original(self)
repo_patients.PatientStore.patient_list_rows = counted

def started(stage, window):
    if stage == "shown":
        window.after_show = lambda: None
        return
    model = window.list_page.model
    print("list", model.rowCount(), len(queried),
          [t.name for t in threading.enumerate() if t.name == "list-prefetch"])
    window.refresh_list()  # later refreshes read the file again
    print("again", model.rowCount(), len(queried))
    window.close()
    from PySide6.QtWidgets import QApplication
    QApplication.instance().quit()

run(Path({db!r}), started=started)
"""


def test_the_first_list_is_the_one_read_while_the_window_was_built(tmp_path: Path) -> None:
    """gui.app.run reads the patient list in a thread while Qt starts (storage.prefetch); the
    session shows those rows instead of querying again, and the thread is gone."""
    db = tmp_path / "clinic.sqlite"
    with Repository(db) as repo:
        for i in range(3):
            repo.add_patient(Patient(f"P0{i}", sex="female", visits=[
                Visit(dt.date(2021, 1, 4), "M0", values={"phys_global": Decimal("6.5")})]),
                "test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", PREFETCH_SCRIPT.format(db=str(db))],
                            cwd=ROOT, capture_output=True, text=True, env=env, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(("list", "again"))]
    assert lines == ["list 3 0 []", "again 3 1"], result.stdout + result.stderr
