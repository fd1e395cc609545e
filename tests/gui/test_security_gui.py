"""GUI: first-launch set-up, sign-in, the session lock (idle and manual), switching user, role
rules in the menus, sign-off and unlock with the signer's password (offscreen, modals patched)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_samples import complete_visit
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from forms.model import Patient
from gui.main_window import MainWindow
from gui.operations import security
from gui.security import AccountsDialog, RecoveryKeyDialog, SetUpDialog, SignInDialog
from gui.session import Session
from gui.signoff import SignOffDialog, UnlockDialog
from storage import accounts, crypto, signoff

ADMIN = ("ada", "Ada Admin", "ada's long password")
NURSE = ("nora", "Nora Nurse", "nora's long password")
DOC = ("ivan", "Ivan Investigator", "ivan's long password")


@pytest.fixture(autouse=True)
def _fresh_key_ring() -> Iterator[None]:
    yield
    crypto.forget()
    accounts._SIGNED_IN.clear()  # noqa: SLF001


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    """An encrypted file with an administrator, a nurse, an investigator and patient P01."""
    path = tmp_path / "clinic.sqlite"
    accounts.create_encrypted(path, *ADMIN)
    session = Session(path)
    accounts.add_account(session.repo, NURSE[0], NURSE[1], accounts.DATA_ENTRY, NURSE[2])
    accounts.add_account(session.repo, DOC[0], DOC[1], accounts.INVESTIGATOR, DOC[2])
    session.add_patient(Patient("P01", sex="female", identifiers={
        "birth_date": dt.date(2012, 3, 4), "given_name": "Zebulon"}))
    session.close()
    accounts.sign_out(path)
    return path


def _sign_in_answer(user: str, password: str, seen: list[str] | None = None) -> Any:
    def answer(dialog: SignInDialog) -> int:
        dialog.user.setText(user)
        dialog.password.setText("wrong password")
        assert dialog.submit() is False  # refused, stays open with the reason
        if seen is not None:
            seen.append(dialog.error.text())
        dialog.password.setText(password)
        return int(dialog.submit())
    return answer


def _window(qtbot, monkeypatch: pytest.MonkeyPatch, path: Path, user: tuple[str, str, str],
            seen: list[str] | None = None) -> MainWindow:
    monkeypatch.setattr(SignInDialog, "exec", _sign_in_answer(user[0], user[2], seen))
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.open_path(path)
    qtbot.waitUntil(lambda: w.runner.running == 0, timeout=20000)
    return w


def _close(qtbot, w: MainWindow) -> None:
    if w._editor is not None:  # noqa: SLF001
        w.editor.discard()
    qtbot.waitUntil(lambda: w.runner.running == 0, timeout=20000)
    w.close()


def test_first_launch_sets_up_an_encrypted_file_and_shows_the_recovery_key(
        qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(crypto.PLAINTEXT_ENV)
    path = tmp_path / "new" / "clinic.sqlite"
    shown: dict[str, Any] = {}

    def fill(dialog: SetUpDialog) -> int:
        dialog.user.setText(ADMIN[0])
        dialog.full_name.setText(ADMIN[1])
        dialog.password.setText("short")
        dialog.repeat.setText("short")
        assert dialog.submit() is False and "at least 10" in dialog.error.text()
        dialog.password.setText(ADMIN[2])
        dialog.repeat.setText("something else entirely")
        assert dialog.submit() is False and "differ" in dialog.error.text()
        dialog.repeat.setText(ADMIN[2])
        return int(dialog.submit())

    def note_key(dialog: RecoveryKeyDialog) -> int:
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        shown["blocked"] = not ok.isEnabled()
        dialog.confirm.setChecked(True)
        shown["key"], shown["allowed"] = dialog.key.text(), ok.isEnabled()
        return 1

    offered: list[str] = []
    monkeypatch.setattr(SetUpDialog, "exec", fill)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", note_key)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda _p, title, *a, **k: offered.append(title) or QMessageBox.StandardButton.No))
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_path(path)
    qtbot.waitUntil(lambda: bool(offered), timeout=5000)
    assert offered == ["Empty database"]  # the demo cohort is still offered
    assert shown["blocked"] and shown["allowed"] and len(shown["key"]) == 39
    assert not path.read_bytes().startswith(crypto.SQLITE_MAGIC)
    assert w.session is not None and w.session.account is not None
    assert w.session.account.role == accounts.ADMINISTRATOR
    assert "Ada Admin" in w.windowTitle()
    # the stored-scores check opens its own connection as the signed-in user: let it finish
    qtbot.waitUntil(lambda: w.runner.running == 0, timeout=20000)
    accounts.sign_out(path)
    crypto.unlock_with(path, crypto.RECOVERY_SLOT, shown["key"])  # the key shown works
    _close(qtbot, w)


def test_sign_in_refuses_a_wrong_password_then_opens(qtbot, monkeypatch: pytest.MonkeyPatch,
                                                     encrypted: Path) -> None:
    seen: list[str] = []
    w = _window(qtbot, monkeypatch, encrypted, NURSE, seen)
    assert "wrong user name or password" in seen[0]
    assert w.session is not None and w.session.account is not None
    assert w.session.account.user_name == NURSE[0]
    assert [r.study_id for r in w.session.patient_rows()] == ["P01"]
    _close(qtbot, w)


def test_cancelled_sign_in_opens_nothing(qtbot, monkeypatch: pytest.MonkeyPatch,
                                         encrypted: Path) -> None:
    monkeypatch.setattr(SignInDialog, "exec", lambda _d: 0)
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_path(encrypted) is False and w.session is None


def test_menus_follow_the_role(qtbot, monkeypatch: pytest.MonkeyPatch, encrypted: Path) -> None:
    w = _window(qtbot, monkeypatch, encrypted, NURSE)
    assert not w.settings_action.isEnabled() and not w.restore_action.isEnabled()
    assert not w.accounts_action.isEnabled() and w.lock_action.isEnabled()
    _close(qtbot, w)
    accounts.sign_out(encrypted)
    w = _window(qtbot, monkeypatch, encrypted, ADMIN)
    assert w.settings_action.isEnabled() and w.restore_action.isEnabled()
    assert w.accounts_action.isEnabled()
    dialog = AccountsDialog(w.session.repo, w)  # type: ignore[union-attr]
    dialog.user.setText("eve")
    dialog.full_name.setText("Eve Entry")
    dialog.password.setText("eve's long password")
    assert dialog._run(dialog.add)  # noqa: SLF001
    assert any("eve" in dialog.list.item(i).text() for i in range(dialog.list.count()))
    dialog.idle.setValue(3)
    assert dialog._run(dialog.save_idle)  # noqa: SLF001
    assert accounts.idle_minutes(w.session.repo) == 3  # type: ignore[union-attr]
    _close(qtbot, w)


def test_data_entry_cannot_change_settings_even_bypassing_the_menu(
        qtbot, monkeypatch: pytest.MonkeyPatch, encrypted: Path) -> None:
    w = _window(qtbot, monkeypatch, encrypted, NURSE)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda _p, _t, text, *a, **k: errors.append(text)))
    assert w.session is not None
    with pytest.raises(accounts.NotAllowed):
        w.session.set_settings(w.session.settings())
    dialog = AccountsDialog(w.session.repo, w)
    dialog.user.setText("mallory")
    dialog.full_name.setText("M")
    dialog.password.setText("mallory's password")
    assert not dialog._run(dialog.add)  # noqa: SLF001
    assert "Not allowed" in dialog.error.text()
    _close(qtbot, w)


def test_idle_lock_hides_patient_data_until_the_password(
        qtbot, monkeypatch: pytest.MonkeyPatch, encrypted: Path) -> None:
    w = _window(qtbot, monkeypatch, encrypted, NURSE)
    w.open_patient("P01")
    assert w.patient_page.isVisible()
    w.idle.set_minutes(0.3 / 60)  # 0.3 s
    w.idle.start()
    qtbot.waitUntil(lambda: w.locked, timeout=5000)
    assert w.lock_page.isVisible()
    assert not w.patient_page.isVisible() and not w.list_page.isVisible()
    assert not w.menuBar().isEnabled()
    texts = " ".join(lbl.text() for lbl in w.lock_page.findChildren(type(w.db_label)))
    assert "P01" not in texts and "Zebulon" not in texts
    w.lock_page.password.setText("not nora's password")
    assert w.lock_page.try_unlock() is False and w.locked
    assert "Wrong password" in w.lock_page.error.text()
    qtbot.keyClicks(w.lock_page.password, NURSE[2])
    qtbot.keyClick(w.lock_page.password, Qt.Key.Key_Return)
    assert not w.locked and w.patient_page.isVisible() and w.menuBar().isEnabled()
    events = w.session.repo.db.execute(  # type: ignore[union-attr]
        "SELECT user_name, event, detail FROM security_events").fetchall()
    assert (NURSE[0], "wrong password", "session unlock") in events
    assert w.idle.timer.isActive()  # watching again
    _close(qtbot, w)


def test_input_postpones_the_idle_lock(qtbot, monkeypatch: pytest.MonkeyPatch,
                                       encrypted: Path) -> None:
    w = _window(qtbot, monkeypatch, encrypted, NURSE)
    w.idle.set_minutes(0.6 / 60)
    w.idle.start()
    for _ in range(6):  # typing every 0.2 s for 1.2 s keeps the window open
        qtbot.wait(200)
        qtbot.keyClick(w.list_page, Qt.Key.Key_Down)
    assert not w.locked
    qtbot.waitUntil(lambda: w.locked, timeout=5000)
    _close(qtbot, w)


def test_manual_lock_and_another_user_keeps_the_first_users_draft(
        qtbot, monkeypatch: pytest.MonkeyPatch, encrypted: Path) -> None:
    w = _window(qtbot, monkeypatch, encrypted, NURSE)
    w.open_patient("P01")
    w.new_visit()
    editor = w.editor
    qtbot.keyClicks(editor.widgets["phys_global"], "4.5")  # typed, as a user would
    assert editor.dirty
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert w.locked and not editor.isVisible()
    w.lock_page.user.setText(DOC[0])
    w.lock_page.password.setText(DOC[2])
    assert w.lock_page.try_unlock()
    assert not w.locked and w.list_page.isVisible() and not editor.dirty
    assert w.session is not None and w.session.account is not None
    assert w.session.account.user_name == DOC[0] and "Ivan Investigator" in w.windowTitle()
    drafts = w.session.drafts()
    assert len(drafts) == 1
    assert drafts[0][1]["by"] == "Nora Nurse (nora)"
    assert json.loads(drafts[0][0].payload_json)["texts"]["phys_global"] == "4.5"
    # what the second person saves is theirs in the audit trail
    w.session.add_patient(Patient("P02", sex="male"))
    actor = w.session.repo.db.execute(
        "SELECT actor FROM audit WHERE table_name = 'patients' ORDER BY id DESC").fetchone()[0]
    assert actor == "Ivan Investigator (ivan)"
    _close(qtbot, w)



def test_sign_off_and_unlock_with_the_signers_password(
        qtbot, monkeypatch: pytest.MonkeyPatch, encrypted: Path) -> None:
    w = _window(qtbot, monkeypatch, encrypted, NURSE)  # a data-entry session
    assert w.session is not None
    vid = complete_visit(w.session)
    w.open_patient("P01")
    w.open_visit(vid)
    bar = w.editor.signoff_bar
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda _p, _t, text, *a, **k: errors.append(text)))
    answers = iter([(NURSE[0], NURSE[2]), (DOC[0], "not ivan's password"), (DOC[0], DOC[2])])

    def answer(dialog: SignOffDialog) -> int:
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        assert dialog.with_password and not dialog.name.isVisible()
        assert dialog.user.text() == NURSE[0]  # the signed-in account, by default
        assert not ok.isEnabled()  # no password yet
        user, password = next(answers)
        dialog.user.setText(user)
        dialog.password.setText(password)
        assert ok.isEnabled()
        return 1

    monkeypatch.setattr(SignOffDialog, "exec", answer)
    bar.sign_button.click()  # the nurse's own, right password: her role may not sign
    qtbot.waitUntil(lambda: bool(errors), timeout=30000)
    assert "Nora Nurse (data entry) may not sign off" in errors[0]
    bar.sign_button.click()
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=30000)
    assert "Wrong password for ivan" in errors[1]
    assert not signoff.signoff_status(w.session.repo, vid).signed
    bar.sign_button.click()
    qtbot.waitUntil(lambda: bar.status is not None and bar.status.signed, timeout=30000)
    text = bar.label.text()
    assert text.startswith("Signed by Ivan Investigator on ") and "verified against source" in text
    local = bar.status.current.signed_at.astimezone()  # type: ignore[union-attr]
    assert f"{local:%Y-%m-%d %H:%M}" in text  # local time shown; UTC stored
    assert bar.status.current.signed_at.utcoffset() == dt.timedelta(0)  # type: ignore[union-attr]

    def unlock_answer(dialog: UnlockDialog) -> int:
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        dialog.reason.setPlainText("wrong visit date")
        assert dialog.with_password and not ok.isEnabled()
        dialog.user.setText(DOC[0])
        dialog.password.setText(DOC[2])
        assert ok.isEnabled()
        return 1

    monkeypatch.setattr(UnlockDialog, "exec", unlock_answer)
    bar.unlock_button.click()
    assert not signoff.signoff_status(w.session.repo, vid).signed
    history = signoff.signoff_status(w.session.repo, vid).history
    assert history[-1].voided_by == "Ivan Investigator"
    _close(qtbot, w)


def test_forgotten_password_with_the_recovery_key(qtbot, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    from gui.security import RecoverDialog

    path = tmp_path / "clinic.sqlite"
    setup = accounts.create_encrypted(path, *ADMIN)
    accounts.sign_out(path)

    def recover(dialog: RecoverDialog) -> int:
        dialog.key.setText("0000-0000-0000-0000-0000-0000-0000-0000")
        dialog.user.setText(ADMIN[0])
        dialog.password.setText("a new long password")
        dialog.repeat.setText("a new long password")
        assert dialog.submit() is False and "wrong recovery key" in dialog.error.text()
        dialog.key.setText(setup.recovery_key.lower())
        return int(dialog.submit())

    monkeypatch.setattr(RecoverDialog, "exec", recover)
    sign_in = SignInDialog(path)
    qtbot.addWidget(sign_in)
    sign_in.forgot.click()
    assert sign_in.account is not None and sign_in.account.user_name == ADMIN[0]
    accounts.sign_out(path)
    assert accounts.sign_in(path, ADMIN[0], "a new long password").role == accounts.ADMINISTRATOR


def test_encrypting_the_open_plain_database(qtbot, monkeypatch: pytest.MonkeyPatch,
                                            window: MainWindow, db_path: Path) -> None:
    from gui.security import EncryptDialog

    assert window.encrypt_action.isEnabled() and not window.lock_action.isEnabled()
    assert "not encrypted" in window.statusBar().currentMessage()
    assert b"Test" in db_path.read_bytes() or db_path.with_name(db_path.name + "-wal").exists()

    def fill(dialog: EncryptDialog) -> int:
        dialog.user.setText(ADMIN[0])
        dialog.full_name.setText(ADMIN[1])
        dialog.password.setText(ADMIN[2])
        dialog.repeat.setText(ADMIN[2])
        return int(dialog.submit())

    keys: list[str] = []

    def confirm(dialog: RecoveryKeyDialog) -> int:
        keys.append(dialog.key.text())
        dialog.confirm.setChecked(True)
        return 1

    monkeypatch.setattr(EncryptDialog, "exec", fill)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", confirm)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    security.encrypt_database(window)
    qtbot.waitUntil(lambda: window.session is not None and window.session.encrypted,
                    timeout=30000)
    assert keys and window.session.account.role == accounts.ADMINISTRATOR  # type: ignore[union-attr]
    assert [r.study_id for r in window.session.patient_rows()] == ["P01"]  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.runner.running == 0, timeout=20000)
    for f in db_path.parent.iterdir():
        assert not f.read_bytes().startswith(crypto.SQLITE_MAGIC), f.name
    assert window.lock_action.isEnabled() and not window.encrypt_action.isEnabled()


def test_the_lock_closes_open_dialogs(qtbot, monkeypatch: pytest.MonkeyPatch,
                                      encrypted: Path) -> None:
    """A dialog left open would show patient data over the lock page and stay usable."""
    from PySide6.QtWidgets import QDialog

    w = _window(qtbot, monkeypatch, encrypted, NURSE)
    dialog = QDialog(w)
    dialog.setWindowTitle("Zebulon's medication")
    dialog.show()
    qtbot.waitExposed(dialog)
    w.lock()
    assert w.locked and not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    _close(qtbot, w)


def test_anyone_changes_their_own_password(qtbot, monkeypatch: pytest.MonkeyPatch,
                                           encrypted: Path) -> None:
    from gui.security import ChangePasswordDialog

    w = _window(qtbot, monkeypatch, encrypted, NURSE)
    assert w.password_action.isEnabled()

    def change(dialog: ChangePasswordDialog) -> int:
        dialog.current.setText("not my password")
        dialog.password.setText("nora's new password")
        dialog.repeat.setText("nora's new password")
        assert dialog.submit() is False and "Wrong password" in dialog.error.text()
        dialog.current.setText(NURSE[2])
        dialog.password.setText("nora's new password")
        dialog.repeat.setText("nora's new password")
        return int(dialog.submit())

    monkeypatch.setattr(ChangePasswordDialog, "exec", change)
    w.password_action.trigger()
    _close(qtbot, w)
    accounts.sign_out(encrypted)
    with pytest.raises(Exception, match="wrong user name or password"):
        accounts.sign_in(encrypted, *NURSE[::2])
    assert accounts.sign_in(encrypted, NURSE[0], "nora's new password").role == \
        accounts.DATA_ENTRY


def test_the_idle_watcher_filters_events_only_while_it_watches(qtbot) -> None:
    """Every Qt event of the application passes through the idle lock's filter: a plain file,
    whose session never locks, should not pay for it (issue 16)."""
    from PySide6.QtWidgets import QLineEdit

    from gui.idle import IdleWatcher

    seen: list[int] = []

    class Counting(IdleWatcher):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt)
            seen.append(1)
            return super().eventFilter(watched, event)

    watcher = Counting(minutes=10)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    qtbot.keyClicks(edit, "ab")
    assert seen == []  # stopped: not installed
    watcher.start()
    qtbot.keyClicks(edit, "cd")
    assert seen and watcher.timer.isActive()
    watcher.stop()
    seen.clear()
    qtbot.keyClicks(edit, "ef")
    assert seen == [] and edit.text() == "abcdef"
