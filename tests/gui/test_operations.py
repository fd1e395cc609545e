"""The operations of gui/operations/ that had no test of their own: the database prompts
refusing the open database's working files, deleting a patient (asked first, naming them and
what goes with them), and the export prompts (where they start, what they refuse, cancel).
Every modal is patched with the user's answer; background jobs are awaited, never slept on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from gui_samples import complete_visit, sign_in_editor
from PySide6.QtWidgets import QMessageBox

from forms.model import AdverseEvent, Medication, Patient, Visit
from gui import file_dialogs
from gui.main_window import MainWindow
from gui.operations import exports, files
from gui.session import Session

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def _warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    return shown


def _questions(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton
               ) -> list[tuple[object, ...]]:
    asked: list[tuple[object, ...]] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: asked.append(a) or answer))
    return asked


def _files_of(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.iterdir()
            if p.name.startswith(db.name) and p.is_file()}


# ------------------------------------------------------------------ database prompts
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_new_database_prompt_refuses_the_open_database_and_its_working_files(
        qtbot, monkeypatch, window: MainWindow, session: Session, db_path: Path,
        suffix: str) -> None:
    target = Path(f"{db_path}{suffix}")
    assert target.exists()
    before = _files_of(db_path)
    monkeypatch.setattr(file_dialogs, "getSaveFileName", lambda *a, **k: (str(target), ""))
    shown = _warnings(monkeypatch)
    window.new_database_action.trigger()
    assert len(shown) == 1 and target.name in shown[0] and "open database" in shown[0]
    assert window.session is session and session.path == db_path
    assert _files_of(db_path) == before  # nothing created, written or locked beside it
    assert session.get_patient("P01").study_id == "P01"


@pytest.mark.parametrize("checkpointed", [False, True])
def test_open_database_prompt_refuses_the_open_databases_wal_file(
        qtbot, monkeypatch, window: MainWindow, session: Session, db_path: Path,
        checkpointed: bool) -> None:
    """A -wal file chosen in File > Open is never opened as a database: an empty one (after
    a checkpoint) would otherwise look like a new file and get a database written into it."""
    session.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0", values={"ck": Decimal(300)}))
    wal = Path(f"{db_path}-wal")
    if checkpointed:
        session.repo.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert wal.stat().st_size == 0
    else:
        assert wal.stat().st_size > 0
    before = _files_of(db_path)
    monkeypatch.setattr(file_dialogs, "getOpenFileName", lambda *a, **k: (str(wal), ""))
    shown = _warnings(monkeypatch)
    window.open_database_action.trigger()  # no set-up, sign-in or demo question either
    assert len(shown) == 1 and wal.name in shown[0] and "open database" in shown[0]
    assert window.session is session
    assert _files_of(db_path) == before
    assert [v.visit_label for v in session.get_patient("P01").visits] == ["M0"]


def test_open_database_prompt_on_the_open_file_itself_does_nothing(
        monkeypatch, window: MainWindow, session: Session, db_path: Path) -> None:
    monkeypatch.setattr(file_dialogs, "getOpenFileName", lambda *a, **k: (str(db_path), ""))
    window.open_database_action.trigger()  # no message: it is already open
    assert window.session is session


def test_new_database_prompt_opens_the_new_file(qtbot, monkeypatch, window: MainWindow,
                                                 session: Session, tmp_path: Path) -> None:
    new = tmp_path / "other" / "second.sqlite"
    new.parent.mkdir()
    monkeypatch.setattr(file_dialogs, "getSaveFileName", lambda *a, **k: (str(new), ""))
    _questions(monkeypatch, NO)  # the demo cohort offered on the empty file: no
    window.new_database_action.trigger()
    assert window.session is not None and window.session.path == new
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=20000)
    assert window.session.is_empty() and window.list_page.model.rowCount() == 0
    assert file_dialogs.remembered_folder("databases") == new.parent
    window.session.close()


# ------------------------------------------------------------------ deleting a patient
def _records_of_p01(session: Session) -> None:
    session.save_visit("P01", Visit(dt.date(2024, 1, 1), "M0", values={"ck": Decimal(300)}))
    session.save_visit("P01", Visit(dt.date(2024, 4, 1), "M3"))
    session.save_medication("P01", Medication("methotrexate", dt.date(2024, 1, 1),
                                              dose=Decimal(15)))
    session.save_adverse_event("P01", AdverseEvent(dt.date(2024, 2, 1), "nausea"))


def test_delete_patient_asks_naming_them_and_no_keeps_everything(
        monkeypatch, window: MainWindow, session: Session) -> None:
    _records_of_p01(session)
    window.open_patient("P01")
    asked = _questions(monkeypatch, NO)
    window.delete_patient_action.trigger()
    assert len(asked) == 1
    _parent, title, text, _buttons, default = asked[0]
    assert title == "Delete patient" and default == NO
    assert "P01 (Test)" in str(text)
    assert "(visits: 2, medications: 1, adverse events: 1)" in str(text)
    patient = session.get_patient("P01")
    assert (len(patient.visits), len(patient.medications), len(patient.adverse_events)) \
        == (2, 1, 1)
    assert window.stack.currentWidget() is window.patient_page


def test_delete_patient_from_the_list_deletes_them_audited(
        monkeypatch, window: MainWindow, session: Session) -> None:
    _records_of_p01(session)
    window.show_list()
    window.list_page.select("P01")
    asked = _questions(monkeypatch, YES)
    window.delete_patient_action.trigger()
    assert len(asked) == 1
    with pytest.raises(LookupError):
        session.get_patient("P01")
    assert window.list_page.model.rowCount() == 0
    assert window.stack.currentWidget() is window.list_page and window.patient is None
    assert "Deleted patient P01" in window.statusBar().currentMessage()
    deleted = {r[0] for r in session.repo.db.conn.execute(
        "SELECT table_name FROM audit WHERE action = 'delete'")}
    assert {"patients", "visits", "medications", "adverse_events"} <= deleted


def test_delete_patient_without_a_patient_asks_nothing(window: MainWindow) -> None:
    window.show_list()
    window.list_page.table.clearSelection()
    window.list_page.table.setCurrentIndex(window.list_page.table.model().index(-1, -1))
    window.delete_patient_action.trigger()  # no question (an unexpected modal fails)
    assert "Choose a patient first" in window.statusBar().currentMessage()


def test_delete_patient_discards_their_open_visit_and_its_draft(
        qtbot, monkeypatch, editor_window: MainWindow, session: Session) -> None:
    window = editor_window
    window.editor._edited("phys_global", "4")
    window.editor.write_draft()
    assert session.drafts()
    asked: list[str] = []

    def answer(parent: object, title: str, *rest: object) -> QMessageBox.StandardButton:
        asked.append(title)  # the editor's guard first (discard the typing), then the delete
        return QMessageBox.StandardButton.Discard if title == "Unsaved changes" else YES

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    window.delete_patient_action.trigger()
    assert asked == ["Unsaved changes", "Delete patient"]
    with pytest.raises(LookupError):
        session.get_patient("P01")
    assert window.editor.state is None and not session.drafts()
    assert window.stack.currentWidget() is window.list_page


def test_delete_patient_removes_their_drafts_only(monkeypatch, window: MainWindow,
                                                  session: Session) -> None:
    session.add_patient(Patient("P02", sex="male"))
    session.save_draft("P01", None, {"texts": {}})
    session.save_draft("P02", None, {"texts": {}})
    window.refresh_list()
    window.list_page.select("P01")
    _questions(monkeypatch, YES)
    window.delete_patient_action.trigger()
    assert [p["study_id"] for _d, p in session.drafts()] == ["P02"]


def test_delete_patient_with_a_signed_visit_is_refused(
        qtbot, monkeypatch, window: MainWindow, session: Session) -> None:
    vid = complete_visit(session)
    sign_in_editor(qtbot, monkeypatch, window, vid)
    window.leave_editor()
    _questions(monkeypatch, YES)
    shown = _warnings(monkeypatch)
    window.delete_patient_action.trigger()
    assert len(shown) == 1 and "sign" in shown[0].lower()
    assert [v.id for v in session.get_patient("P01").visits] == [vid]


# ------------------------------------------------------------------ export prompts
def test_export_prompt_starts_in_the_remembered_folder_and_remembers_the_choice(
        qtbot, monkeypatch, window: MainWindow, tmp_path: Path) -> None:
    first = tmp_path / "exports-here" / "mine.json"
    first.parent.mkdir()
    starts: list[str] = []

    def answer(parent: object, title: str, start: str, filters: str) -> tuple[str, str]:
        starts.append(start)
        return str(first), ""

    monkeypatch.setattr(file_dialogs, "getSaveFileName", answer)
    window.export_json_action.trigger()
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=20000)
    assert first.exists() and Path(starts[0]).name == "jdm-capture.json"
    window.export_json_action.trigger()
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=20000)
    assert Path(starts[1]) == first.parent / "jdm-capture.json"


def test_export_prompt_cancelled_writes_nothing_and_asks_nothing(
        monkeypatch, window: MainWindow, tmp_path: Path) -> None:
    monkeypatch.setattr(file_dialogs, "getSaveFileName", lambda *a, **k: ("", ""))
    before = set(tmp_path.rglob("*"))
    window.export_excel_action.trigger()  # the identifiers question would fail: not asked
    assert window.runner.running == 0 and window.export_excel_action.isEnabled()
    assert set(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_export_prompt_refuses_the_open_database(
        monkeypatch, window: MainWindow, session: Session, db_path: Path,
        suffix: str) -> None:
    before = _files_of(db_path)
    monkeypatch.setattr(file_dialogs, "getSaveFileName",
                        lambda *a, **k: (f"{db_path}{suffix}", ""))
    shown = _warnings(monkeypatch)
    window.export_excel_action.trigger()  # refused before the identifiers question
    assert len(shown) == 1 and "open database" in shown[0]
    assert window.runner.running == 0 and _files_of(db_path) == before
    assert session.get_patient("P01").study_id == "P01"


@pytest.mark.parametrize(("answer", "identified"), [(NO, False), (YES, True)])
def test_export_excel_asks_about_identifiers_no_by_default(
        monkeypatch, window: MainWindow, tmp_path: Path,
        answer: QMessageBox.StandardButton, identified: bool) -> None:
    out = tmp_path / "out.xlsx"
    monkeypatch.setattr(file_dialogs, "getSaveFileName", lambda *a, **k: (str(out), ""))
    asked = _questions(monkeypatch, answer)
    ran: list[tuple[Path, bool]] = []

    class Op:
        def run_in_background(self) -> None:
            pass

    monkeypatch.setattr(exports, "excel", lambda w, path, *, identified: ran.append(
        (path, identified)) or Op())
    exports.export_excel(window)
    assert asked[0][1] == "Export Excel" and asked[0][-1] == NO  # No is the default
    assert ran == [(out, identified)]


def test_choose_save_remembers_nothing_when_refused(monkeypatch, window: MainWindow,
                                                    db_path: Path) -> None:
    monkeypatch.setattr(file_dialogs, "getSaveFileName", lambda *a, **k: (str(db_path), ""))
    _warnings(monkeypatch)
    before = file_dialogs.remembered_folder("exports")
    assert files.choose_save(window, "t", "x.xlsx", "*.xlsx") is None
    assert file_dialogs.remembered_folder("exports") == before
