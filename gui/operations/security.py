"""Signing in before a file opens, encrypting a plain file, accounts and one's own password."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gui.background import BackgroundOp, Job, show_error
from gui.operations import tr as _tr

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from storage.conversion import Conversion


def sign_in_first(window: MainWindow, path: Path) -> bool:
    """Set up a new encrypted file, or sign in to an encrypted one; False if cancelled."""
    from storage import accounts, crypto  # noqa: PLC0415

    new = not path.exists() or path.stat().st_size == 0
    if new and not crypto.keys_path(path).exists() and not crypto.plaintext_allowed():
        from gui.security import RecoveryKeyDialog, SetUpDialog  # noqa: PLC0415

        setup = SetUpDialog(path, window)
        if not setup.exec() or setup.setup is None:
            return False
        RecoveryKeyDialog(setup.setup.recovery_key, window).exec()
        return True
    keys = crypto.read_key_file(path)
    if keys is None or accounts.signed_in(keys.database_id) is not None:
        return True
    session = window.session
    previous = session.account.user_name if session and session.account else ""
    from gui.security import SignInDialog  # noqa: PLC0415 - the dialogs: on first use

    return bool(SignInDialog(path, previous, window).exec())


def encrypt_database(window: MainWindow) -> None:
    """Encrypt the open plain file (background), then sign in as its administrator."""
    if window.session is None or window.session.encrypted or not window.leave_editor_ok():
        return
    path = window.session.path
    from gui.security import EncryptDialog, RecoveryKeyDialog  # noqa: PLC0415

    dialog = EncryptDialog(path, window)
    if not dialog.exec() or dialog.credentials is None:
        return
    user, full_name, password = dialog.credentials
    window.close_session()

    def work(_job: Job) -> Conversion:
        from storage.conversion import encrypt_database as encrypt  # noqa: PLC0415

        return encrypt(path, user, full_name, password)

    def done(result: Conversion) -> None:
        RecoveryKeyDialog(result.recovery_key, window).exec()
        window.open_path(path)

    def failed(error: BaseException) -> None:
        show_error(window, error)
        window.open_path(path)  # nothing changed: reopen the plain file

    BackgroundOp(window.runner, work, label=_tr("Encrypting..."),
                 parent=window).success(done).failure(failed).run_in_background()


def change_password(window: MainWindow) -> None:
    """File > Change my password (encrypted files)."""
    if window.session is None or window.session.account is None:
        return
    from gui.security import ChangePasswordDialog  # noqa: PLC0415

    ChangePasswordDialog(window.session.repo, window.session.account, window).exec()


def edit_accounts(window: MainWindow) -> None:
    """File > Accounts and security (administrators of an encrypted file)."""
    if window.session is None or not window.session.encrypted:
        return
    from gui.security import AccountsDialog  # noqa: PLC0415

    AccountsDialog(window.session.repo, window).exec()
    window.apply_account()
