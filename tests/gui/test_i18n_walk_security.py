"""The encrypted file's dialogs in Chinese: set-up, sign-in (with a wrong password), the
recovery key, the accounts dialog (roles, a refused change), the lock page, sign-off and
unlock with a password, and the storage messages they show (wrong password, weak password,
not allowed). No English word a nurse would read, by the walk's allow-list
(tests/gui/test_i18n_walk.py); the roles and the refusals used to be English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from test_i18n_walk import english_words, widget_texts

from gui import i18n as gui_i18n
from gui.security import AccountsDialog, LockPage, RecoveryKeyDialog, SetUpDialog, SignInDialog
from gui.session import Session
from gui.signoff import SignOffDialog, UnlockDialog
from storage import accounts, crypto

# slow: runs many child processes or dialogs (run first: tests/conftest.py)
pytestmark = pytest.mark.slow

ADMIN = ("ada", "Ada Admin", "ada's long password")
DATA_WORDS = {"ada", "Ada", "Admin", "nora", "Nora", "Nurse", "clinic", "sqlite", "new"}


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert gui_i18n.install(qapp, "zh_CN") == "zh_CN"
    yield
    gui_i18n.uninstall()
    crypto.forget()
    accounts._SIGNED_IN.clear()  # noqa: SLF001


def _english(widget: QWidget) -> list[str]:
    QApplication.processEvents()
    found = []
    for where, text in widget_texts(widget):
        bad = english_words(text, DATA_WORDS)
        if bad:
            found.append(f"{where}: {bad} in {text[:120]!r}")
    return found


def test_security_dialogs_speak_chinese(qtbot: Any, tmp_path: Path, chinese: None) -> None:
    path = tmp_path / "clinic.sqlite"
    setup = accounts.create_encrypted(path, *ADMIN)
    session = Session(path)
    problems: list[str] = []

    def read(dialog: QWidget) -> None:
        qtbot.addWidget(dialog)
        dialog.show()
        problems.extend(_english(dialog))

    set_up = SetUpDialog(tmp_path / "new.sqlite")
    set_up.user.setText("nora")
    set_up.full_name.setText("Nora Nurse")
    set_up.password.setText("short")
    set_up.repeat.setText("short")
    assert set_up.submit() is False and "10" in set_up.error.text()
    read(set_up)
    read(RecoveryKeyDialog(setup.recovery_key))

    manage = AccountsDialog(session.repo)
    manage.user.setText("nora")
    manage.full_name.setText("Nora Nurse")
    manage.role.setCurrentIndex(0)
    manage.password.setText("nora's long password")
    assert manage._run(manage.add)  # noqa: SLF001
    assert {manage.role.itemText(i) for i in range(manage.role.count())} == {
        "数据录入员", "研究者", "管理员"}
    manage.user.setText("ada")
    manage.role.setCurrentIndex(0)
    assert not manage._run(manage.change_role)  # noqa: SLF001 - the only administrator
    assert manage.error.text()
    read(manage)

    lock = LockPage()
    lock.lock(session.repo, session.account)
    lock.password.setText("wrong password")
    assert lock.try_unlock() is False and lock.error.text()
    read(lock)

    sign = SignOffDialog("P01", "", [], None, signer=session.account)
    read(sign)
    unlock = UnlockDialog("已签署", None, signer=session.account)
    read(unlock)
    session.close()
    accounts.sign_out(path)

    sign_in = SignInDialog(path, "ada")
    sign_in.password.setText("wrong password")
    assert sign_in.submit() is False and "错误" in sign_in.error.text()
    read(sign_in)
    assert not problems, "\n".join(problems)
