"""Sign-in, first-launch set-up, the recovery key, the session lock and account management.

* :class:`SetUpDialog` (a new database): the first administrator's user name, full name and
  password; the file is created encrypted, then :class:`RecoveryKeyDialog` shows the recovery
  key once (OK only after "I have written it down or printed it").
* :class:`SignInDialog` (an encrypted database): user name and password; "Forgot your
  password?" opens :class:`RecoverDialog` (recovery key, an administrator, new password).
* :class:`LockPage`: what the window shows instead of any patient data once the session is
  locked (after :data:`DEFAULT_IDLE_MINUTES` without input, or File > Lock, Ctrl+Shift+L):
  the same user's password unlocks; another person's user name and password signs them in
  (the first user's open visit is kept as a draft under their name).
* :class:`gui.idle.IdleWatcher`: an application-wide event filter restarting the idle timer
  on every key, click, wheel or mouse move.
* :class:`AccountsDialog` (administrators): accounts (add, remove, reset password, role), the
  idle-lock minutes, a new recovery key.

No rule lives here: roles, passwords and key slots are :mod:`storage.accounts`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from forms.i18n import _
from storage import accounts
from storage.errors import KnownStorageError

if TYPE_CHECKING:
    from storage.repository import Repository

T = TypeVar("T")

DEFAULT_IDLE_MINUTES = accounts.DEFAULT_IDLE_MINUTES


def _password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    field.setObjectName(name.lower().replace(" ", "_").replace("'", ""))
    return field


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020")
    label.setVisible(False)
    return label


def _busy(fn: Callable[[], T]) -> T:
    """Run a key derivation (about 0.35 s) with a wait cursor."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return fn()
    finally:
        QGuiApplication.restoreOverrideCursor()


class _FormDialog(QDialog):
    """A dialog with a form, an error line and OK/Cancel; :meth:`attempt` runs on OK."""

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        if intro:
            text = QLabel(intro, self)
            text.setWordWrap(True)
            lay.addWidget(text)
        self.form = QFormLayout()
        lay.addLayout(self.form)
        self.error = _error_label(self)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.extra = QHBoxLayout()
        lay.addLayout(self.extra)

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def attempt(self) -> None:  # pragma: no cover - every dialog overrides it
        raise NotImplementedError

    def submit(self) -> bool:
        """OK: run :meth:`attempt`; a refused attempt stays in the dialog with its reason."""
        try:
            _busy(self.attempt)
        except KnownStorageError as exc:
            self.show_error(exc.message)
            return False
        self.accept()
        return True


class SetUpDialog(_FormDialog):
    """First launch on a new file: the administrator account; the file is created encrypted."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Set up JDM Capture"), self.tr(
            "{name} is new. It will be encrypted: only people with an account can open it. "
            "Create the administrator account (you can add colleagues' accounts later, File > "
            "Accounts and security).").format(name=path.name), parent)
        self.path = path
        self.user = QLineEdit(self)
        self.user.setAccessibleName(self.tr("User name"))
        self.full_name = QLineEdit(self)
        self.full_name.setAccessibleName(self.tr("Full name"))
        self.password = _password_field(self, self.tr("Password"))
        self.repeat = _password_field(self, self.tr("Password again"))
        self.form.addRow(self.tr("User name"), self.user)
        self.form.addRow(self.tr("Full name (shown on signatures)"), self.full_name)
        self.form.addRow(self.tr("Password (at least {n} characters)").format(
            n=accounts.MIN_PASSWORD), self.password)
        self.form.addRow(self.tr("Password again"), self.repeat)
        self.ok_button().setText(self.tr("Create"))
        self.setup: accounts.SetUp | None = None

    def attempt(self) -> None:
        if self.password.text() != self.repeat.text():
            raise KnownStorageError("mismatch", self.tr("The two passwords differ."))
        self.setup = accounts.create_encrypted(self.path, self.user.text(),
                                               self.full_name.text(), self.password.text())


class EncryptDialog(SetUpDialog):
    """Encrypt the open plain database: its first administrator (the conversion itself runs
    in the background, :func:`storage.conversion.encrypt_database`)."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(path, parent)
        self.setWindowTitle(self.tr("Encrypt this database"))
        intro = self.findChild(QLabel)
        if intro is not None:
            intro.setText(self.tr(
                "{name} is not encrypted: anyone who copies it reads every patient. Encrypting "
                "writes an encrypted copy, checks it against the original, then replaces the "
                "file and its backups; from then on everyone signs in with their own account. "
                "Create the administrator account.").format(name=path.name))
        self.ok_button().setText(self.tr("Encrypt"))
        self.credentials: tuple[str, str, str] | None = None

    def attempt(self) -> None:
        if self.password.text() != self.repeat.text():
            raise KnownStorageError("mismatch", self.tr("The two passwords differ."))
        user = accounts.check_user_name(self.user.text())
        accounts.check_new_password(user, self.password.text())
        self.credentials = (user, self.full_name.text() or user, self.password.text())


class RecoveryKeyDialog(QDialog):
    """Shows a recovery key once; OK only after the user says it is written down."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Recovery key"))
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "This recovery key opens the database and resets an administrator's password if "
            "every administrator password is forgotten. It is shown only now: print it or "
            "write it down, and keep it locked away, apart from the computer."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.key = QLabel(key, self)
        self.key.setObjectName("recovery_key")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(font.pointSize() + 4)
        self.key.setFont(font)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.key)
        self.confirm = QCheckBox(self.tr("I have written it down or printed it"), self)
        lay.addWidget(self.confirm)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        self.buttons.accepted.connect(self.accept)
        lay.addWidget(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.confirm.toggled.connect(ok.setEnabled)

    def reject(self) -> None:  # Esc does not skip it
        if self.confirm.isChecked():
            super().reject()


class SignInDialog(_FormDialog):
    """Sign in to an encrypted database (its key slot opens the file)."""

    def __init__(self, path: Path, user: str = "", parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Sign in"), self.tr(
            "{name} is encrypted. Sign in with your own account.").format(name=path.name),
            parent)
        self.path = path
        self.user = QLineEdit(user, self)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = _password_field(self, self.tr("Password"))
        self.form.addRow(self.tr("User name"), self.user)
        self.form.addRow(self.tr("Password"), self.password)
        self.ok_button().setText(self.tr("Sign in"))
        self.forgot = QPushButton(self.tr("Forgot your password?"), self)
        self.forgot.setFlat(True)
        self.forgot.clicked.connect(self.recover)
        self.extra.addWidget(self.forgot)
        self.account: accounts.Account | None = None
        (self.password if user else self.user).setFocus()

    def attempt(self) -> None:
        try:
            self.account = accounts.sign_in(self.path, self.user.text().strip(),
                                            self.password.text())
        finally:
            self.password.clear()

    def recover(self) -> None:
        dialog = RecoverDialog(self.path, self)
        if dialog.exec() and dialog.account is not None:
            self.account = dialog.account
            self.accept()


class RecoverDialog(_FormDialog):
    """The recovery key sets a new password for an administrator (and signs them in)."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Reset a password with the recovery key"), self.tr(
            "Type the recovery key printed when the database was set up, the administrator "
            "account to reset, and its new password. The reset is recorded."), parent)
        self.path = path
        self.key = QLineEdit(self)
        self.key.setAccessibleName(self.tr("Recovery key"))
        self.user = QLineEdit(self)
        self.user.setAccessibleName(self.tr("Administrator"))
        self.password = _password_field(self, self.tr("New password"))
        self.repeat = _password_field(self, self.tr("New password again"))
        self.form.addRow(self.tr("Recovery key"), self.key)
        self.form.addRow(self.tr("Administrator user name"), self.user)
        self.form.addRow(self.tr("New password"), self.password)
        self.form.addRow(self.tr("New password again"), self.repeat)
        self.account: accounts.Account | None = None

    def attempt(self) -> None:
        if self.password.text() != self.repeat.text():
            raise KnownStorageError("mismatch", self.tr("The two passwords differ."))
        self.account = accounts.recover(self.path, self.key.text(), self.user.text().strip(),
                                        self.password.text())


class PasswordPrompt(_FormDialog):
    """Asks for a signer's user name and password at the moment of signing or unlocking."""

    def __init__(self, title: str, intro: str, user: str, parent: QWidget | None = None) -> None:
        super().__init__(title, intro, parent)
        self.user = QLineEdit(user, self)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = _password_field(self, self.tr("Password"))
        self.form.addRow(self.tr("User name"), self.user)
        self.form.addRow(self.tr("Password"), self.password)

    def attempt(self) -> None:
        if not self.password.text():
            raise KnownStorageError("password_needed", self.tr("Enter the password."))


class ChangePasswordDialog(_FormDialog):
    """Anyone changes their own password (the current one first); only their key slot and
    hash are rewritten."""

    def __init__(self, repo: Repository, account: accounts.Account,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Change my password"), self.tr(
            "Signed in as {name} ({user}).").format(name=account.full_name,
                                                   user=account.user_name), parent)
        self.repo, self.account = repo, account
        self.current = _password_field(self, self.tr("Current password"))
        self.password = _password_field(self, self.tr("New password"))
        self.repeat = _password_field(self, self.tr("New password again"))
        self.form.addRow(self.tr("Current password"), self.current)
        self.form.addRow(self.tr("New password (at least {n} characters)").format(
            n=accounts.MIN_PASSWORD), self.password)
        self.form.addRow(self.tr("New password again"), self.repeat)

    def attempt(self) -> None:
        try:
            if self.password.text() != self.repeat.text():
                raise KnownStorageError("mismatch", self.tr("The two new passwords differ."))
            accounts.change_password(self.repo, self.account.user_name, self.password.text(),
                                     old_password=self.current.text())
        finally:
            for field in (self.current, self.password, self.repeat):
                field.clear()


# ------------------------------------------------------------------------------------------
# The session lock
# ------------------------------------------------------------------------------------------
class LockPage(QWidget):
    """Shown instead of every page while the session is locked (no patient data on it)."""

    unlocked = Signal(object)  # the account now signed in

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_page")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget(self)
        box.setMaximumWidth(480)
        lay = QVBoxLayout(box)
        title = QLabel(self.tr("JDM Capture is locked"), box)
        title.setObjectName("lock_title")
        font = title.font()
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        title.setFont(font)
        lay.addWidget(title)
        self.who = QLabel(box)
        self.who.setWordWrap(True)
        lay.addWidget(self.who)
        form = QFormLayout()
        self.user = QLineEdit(box)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = _password_field(box, self.tr("Password"))
        form.addRow(self.tr("User name"), self.user)
        form.addRow(self.tr("Password"), self.password)
        lay.addLayout(form)
        self.error = _error_label(box)
        lay.addWidget(self.error)
        self.button = QPushButton(self.tr("Unlock"), box)
        self.button.setDefault(True)
        self.button.clicked.connect(self.try_unlock)
        self.password.returnPressed.connect(self.try_unlock)
        lay.addWidget(self.button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.repo: Repository | None = None
        self.account: accounts.Account | None = None

    def lock(self, repo: Repository, account: accounts.Account) -> None:
        self.repo, self.account = repo, account
        self.who.setText(self.tr("Signed in: {name}. Enter your password to continue, or "
                                 "sign in as another person (the open visit is kept as a "
                                 "draft under {name}'s name).").format(name=account.full_name))
        self.user.setText(account.user_name)
        self.password.clear()
        self.error.setVisible(False)
        self.password.setFocus()

    def try_unlock(self) -> bool:
        repo = self.repo
        if repo is None:
            return False
        user = self.user.text().strip()
        try:
            account = _busy(lambda: accounts.switch_user(repo, user, self.password.text(),
                                                         "session unlock"))
        except KnownStorageError as exc:
            self.password.clear()
            self.error.setText(exc.message)
            self.error.setVisible(True)
            return False
        self.password.clear()
        self.unlocked.emit(account)
        return True


# ------------------------------------------------------------------------------------------
# Accounts and security (administrators)
# ------------------------------------------------------------------------------------------
class AccountsDialog(QDialog):
    """Accounts, the idle lock and the recovery key, for administrators."""

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.setWindowTitle(self.tr("Accounts and security"))
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Accounts"))
        self.list.currentRowChanged.connect(self._pick)
        lay.addWidget(self.list)
        self._accounts: list[accounts.Account] = []
        form = QFormLayout()
        self.user = QLineEdit(self)
        self.full_name = QLineEdit(self)
        self.role = QComboBox(self)
        for role in accounts.ROLES:
            self.role.addItem(_(accounts.ROLE_LABELS[role]), role)
        self.password = _password_field(self, self.tr("Password"))
        form.addRow(self.tr("User name"), self.user)
        form.addRow(self.tr("Full name"), self.full_name)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Password (new or reset)"), self.password)
        lay.addLayout(form)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add account"), self)
        self.reset_button = QPushButton(self.tr("Reset password"), self)
        self.role_button = QPushButton(self.tr("Change role"), self)
        self.remove_button = QPushButton(self.tr("Remove account"), self)
        for b in (self.add_button, self.reset_button, self.role_button, self.remove_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.add_button.clicked.connect(lambda: self._run(self.add))
        self.reset_button.clicked.connect(lambda: self._run(self.reset))
        self.role_button.clicked.connect(lambda: self._run(self.change_role))
        self.remove_button.clicked.connect(lambda: self._run(self.remove))
        idle = QHBoxLayout()
        idle.addWidget(QLabel(self.tr("Lock the window after this many minutes without "
                                      "input:"), self))
        self.idle = QSpinBox(self)
        self.idle.setRange(1, 240)
        self.idle.setValue(accounts.idle_minutes(repo))
        self.idle.setAccessibleName(self.tr("Idle lock minutes"))
        idle.addWidget(self.idle)
        self.idle_button = QPushButton(self.tr("Save"), self)
        self.idle_button.clicked.connect(lambda: self._run(self.save_idle))
        idle.addWidget(self.idle_button)
        lay.addLayout(idle)
        self.recovery_button = QPushButton(self.tr("Make a new recovery key..."), self)
        self.recovery_button.clicked.connect(lambda: self._run(self.new_recovery_key))
        lay.addWidget(self.recovery_button)
        self.error = _error_label(self)
        lay.addWidget(self.error)
        self.done_text = QLabel(self)
        self.done_text.setObjectName("done")
        lay.addWidget(self.done_text)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.new_key: str | None = None
        self.refresh()

    def _pick(self, row: int) -> None:
        """Choosing an account in the list fills its user name, full name and role."""
        if 0 <= row < len(self._accounts):
            acc = self._accounts[row]
            self.user.setText(acc.user_name)
            self.full_name.setText(acc.full_name)
            self.role.setCurrentIndex(accounts.ROLES.index(acc.role))

    def refresh(self) -> None:
        self.list.clear()
        self._accounts = accounts.list_accounts(self.repo)
        for acc in self._accounts:
            state = "" if acc.active else self.tr("  (removed)")
            self.list.addItem(f"{acc.user_name}  {acc.full_name}  "
                              f"[{_(accounts.ROLE_LABELS[acc.role])}]{state}")

    def _run(self, fn: Callable[[], str]) -> bool:
        self.error.setVisible(False)
        try:
            self.done_text.setText(_busy(fn))
        except KnownStorageError as exc:
            self.error.setText(exc.message)
            self.error.setVisible(True)
            return False
        finally:
            self.password.clear()
        self.refresh()
        return True

    def add(self) -> str:
        acc = accounts.add_account(self.repo, self.user.text(), self.full_name.text(),
                                   str(self.role.currentData()), self.password.text())
        return self.tr("Added {name}.").format(name=acc.full_name)

    def reset(self) -> str:
        accounts.change_password(self.repo, self.user.text().strip(), self.password.text())
        return self.tr("New password set for {user}.").format(user=self.user.text().strip())

    def change_role(self) -> str:
        accounts.set_role(self.repo, self.user.text().strip(), str(self.role.currentData()))
        return self.tr("Role changed.")

    def remove(self) -> str:
        accounts.remove_account(self.repo, self.user.text().strip())
        return self.tr("Removed {user}: the account is inactive and its key slot is "
                       "deleted.").format(user=self.user.text().strip())

    def save_idle(self) -> str:
        accounts.set_idle_minutes(self.repo, self.idle.value())
        return self.tr("The window now locks after {n} minutes.").format(n=self.idle.value())

    def new_recovery_key(self) -> str:
        self.new_key = accounts.change_recovery_key(self.repo)
        dialog = RecoveryKeyDialog(self.new_key, self)
        dialog.exec()
        return self.tr("A new recovery key was made; the old one no longer works.")
