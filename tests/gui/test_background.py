"""Background jobs: the Excel export end to end, the disabled action, the one error path."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from forms.model import Visit
from gui import background, file_dialogs
from gui.background import BackgroundOp, BackgroundRunner
from gui.main_window import MainWindow


def test_excel_export_runs_in_the_background(qtbot, monkeypatch, window: MainWindow,
                                             tmp_path: Path) -> None:
    window.session.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0",
                                           values={"ck": Decimal(300)}))
    out = tmp_path / "out.xlsx"
    monkeypatch.setattr(file_dialogs, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    action = window.export_excel_action
    with qtbot.waitSignal(window.runner.job_finished, timeout=20000):
        action.trigger()
        assert not action.isEnabled()  # no second export while this one runs
    assert action.isEnabled()
    assert out.exists()
    import openpyxl

    wb = openpyxl.load_workbook(out, read_only=True)
    assert "Visits" in wb.sheetnames
    visits = list(wb["Visits"].iter_rows(values_only=True))
    assert visits[1][0] == "P01"
    wb.close()
    assert out.name in window.progress.result_link.text()
    opened = []
    monkeypatch.setattr(background.QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile())))
    link = window.progress.result_link
    link.linkActivated.emit(link.text().split('href="')[1].split('"')[0])
    assert opened == [str(out)]


def test_job_runs_off_the_gui_thread_with_its_own_store(qtbot) -> None:
    opened = []

    class Store:
        def __enter__(self):
            opened.append(threading.current_thread().name)
            return self

        def __exit__(self, *exc):
            time.sleep(0.3)  # a slow close: "finished" must still come after it
            opened.append("closed")

    runner = BackgroundRunner(lambda: Store())
    results = []

    def work(job):
        job.open_store()
        job.progress(1, 2)
        return threading.current_thread() is threading.main_thread()

    with qtbot.waitSignal(runner.job_finished):
        BackgroundOp(runner, work, label="test").success(results.append).run_in_background()
    assert results == [False]
    assert opened[0].startswith("jdm-background")
    assert opened[-1] == "closed"  # closed before the GUI heard the job had finished
    runner.shutdown()


def test_every_failure_goes_to_the_one_error_path(qtbot, monkeypatch) -> None:
    seen = []
    monkeypatch.setattr(background, "show_error", lambda parent, exc: seen.append(exc))
    runner = BackgroundRunner()

    def work(job):
        raise ValueError("boom")

    with qtbot.waitSignal(runner.job_finished):
        BackgroundOp(runner, work, label="test").run_in_background()
    assert [type(e) for e in seen] == [ValueError]
    runner.shutdown()


def test_known_storage_error_is_a_plain_message(qtbot, monkeypatch) -> None:
    from storage.errors import KnownStorageError

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda p, t, m: shown.append(m)))
    background.show_error(None, KnownStorageError("locked", "clinic.sqlite is busy"))
    assert shown == ["clinic.sqlite is busy"]


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100])
def test_opening_a_bad_file_says_why(qtbot, monkeypatch, tmp_path: Path, content: bytes) -> None:
    from gui.app import make_app, open_session

    make_app()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(content)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda p, t, m: shown.append(m)))
    assert open_session(bad) is None
    assert len(shown) == 1
    assert "bad.sqlite" in shown[0]
    assert "Traceback" not in shown[0]
