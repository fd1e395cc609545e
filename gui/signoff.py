"""Visit sign-off in the GUI: the sign-off bar in the visit editor, its dialogs, and the audit
chain status shown in the history dialog.

* :class:`SignoffBar` sits in the visit editor's header: it says whether the visit is signed
  (by whom, when) and offers "Sign off..." or "Unlock...". While the visit is signed, the
  editor's value widgets and its Save button are disabled (storage refuses the change anyway).
* Signing renders the patient's PDF case summary, so it runs through the background helper
  (:mod:`gui.background`) with the job's own repository; unlocking is one small write on the
  GUI thread's connection.
* :func:`attach_chain_status` adds "Audit trail: verified / BROKEN at row N" to a history
  dialog, verified in the background.

No clinical rule lives here: "complete" is :func:`storage.signoff.completeness_problems`.

Signals (SignoffBar):
    signoff_changed(object): the visit id that was signed or unlocked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from forms.i18n import _
from gui.background import BackgroundOp, Job, show_error
from gui.widgets import ElidedLabel
from storage import signoff

if TYPE_CHECKING:
    from forms.entry import VisitState
    from gui.background import BackgroundRunner
    from gui.main_window import MainWindow
    from gui.session import Session
    from gui.visit_editor import VisitEditor
    from storage.accounts import Account
    from storage.audit_chain import ChainReport


class SignOffDialog(QDialog):
    """Asks who signs and shows what the signature means; OK only with a name.

    On an encrypted file (``signer`` given: the signed-in account) it asks for the signer's
    user name and password instead of a typed name: the password is checked by storage at the
    moment of signing (21 CFR 11.200), and the signature records the account's full name.
    """

    def __init__(self, visit_title: str, assessor: str, problems: list[str],
                 parent: QWidget | None = None, signer: Account | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign off visit"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(visit_title, self))
        meaning = QLabel(self.tr("By signing you confirm that this visit's data were verified "
                                 "against source (meaning recorded: \"{meaning}\"). The visit "
                                 "becomes read-only; the patient's PDF case summary is stored "
                                 "with the signature.").format(meaning=_(signoff.MEANING)), self)
        meaning.setWordWrap(True)
        lay.addWidget(meaning)
        self.name = QLineEdit(assessor, self)
        self.name.setPlaceholderText(self.tr("Assessor's name"))
        self.name.setAccessibleName(self.tr("Assessor's name"))
        lay.addWidget(self.name)
        self.user = QLineEdit(signer.user_name if signer is not None else "", self)
        self.user.setAccessibleName(self.tr("Signer's user name"))
        self.user.setPlaceholderText(self.tr("Signer's user name"))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Signer's password"))
        self.password.setPlaceholderText(self.tr("Password, entered at each signing"))
        self.who = QLabel(self.tr("Sign with your own user name and password (an "
                                  "investigator or administrator). The signature shows your "
                                  "full name and the time of signing."), self)
        self.who.setWordWrap(True)
        lay.addWidget(self.who)
        lay.addWidget(self.user)
        lay.addWidget(self.password)
        self.with_password = signer is not None
        self.who.setVisible(self.with_password)
        self.setMinimumWidth(460)
        self.name.setVisible(not self.with_password)
        self.user.setVisible(self.with_password)
        self.password.setVisible(self.with_password)
        if signer is not None:
            self.name.setText(signer.full_name)
            self.password.setFocus()
        self.problems = QLabel("\n".join(problems), self)
        self.problems.setWordWrap(True)
        self.problems.setVisible(bool(problems))
        lay.addWidget(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign off"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._blocked = bool(problems)
        self.name.textChanged.connect(self._update)
        self.user.textChanged.connect(self._update)
        self.password.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        filled = (bool(self.user.text().strip()) and bool(self.password.text())
                  if self.with_password else bool(self.name.text().strip()))
        ok.setEnabled(not self._blocked and filled)


class UnlockDialog(QDialog):
    """Asks why a signed visit must change; OK only with a reason (and, on an encrypted
    file, an investigator's user name and password)."""

    def __init__(self, status_text: str, parent: QWidget | None = None,
                 signer: Account | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unlock signed visit"))
        lay = QVBoxLayout(self)
        text = QLabel(self.tr("{status}.\nUnlocking voids the signature. Give the reason; it "
                              "is kept in the visit's history.").format(status=status_text),
                      self)
        text.setWordWrap(True)
        lay.addWidget(text)
        self.reason = QPlainTextEdit(self)
        self.reason.setAccessibleName(self.tr("Reason for unlocking"))
        self.reason.setPlaceholderText(self.tr("Reason (required)"))
        lay.addWidget(self.reason)
        self.with_password = signer is not None
        self.user = QLineEdit(signer.user_name if signer is not None else "", self)
        self.user.setAccessibleName(self.tr("Investigator's user name"))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Investigator's password"))
        self.password.setPlaceholderText(self.tr("Investigator's password"))
        for w in (self.user, self.password):
            w.setVisible(self.with_password)
            lay.addWidget(w)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Unlock"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.reason.textChanged.connect(self._update)
        self.password.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.reason.toPlainText().strip())
            and (not self.with_password or bool(self.password.text())))


class SignoffBar(QWidget):
    """Sign-off state and buttons for the visit open in the editor (see module docstring).

    Args:
        editor: the visit editor it sits in (its ``store`` is the session; it is made
            read-only while the visit is signed).
    """

    signoff_changed = Signal(object)

    def __init__(self, editor: VisitEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent or editor)
        self.editor = editor
        self.visit_id: int | None = None
        self.study_id: str | None = None
        self.status: signoff.SignoffStatus | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = ElidedLabel(self, max_width=420)  # a long signature line is cut, not wide
        self.label.setObjectName("signoff_status")
        self.label.setWordWrap(True)  # a signed visit's "changed since signing" note
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(240)
        self.sign_button = QPushButton(self.tr("Sign off..."), self)
        self.sign_button.setToolTip(self.tr("Verify the visit against source and sign it off"))
        self.unlock_button = QPushButton(self.tr("Unlock..."), self)
        self.unlock_button.setToolTip(self.tr("Void the signature to correct the visit"))
        for w in (self.label, self.sign_button, self.unlock_button):
            lay.addWidget(w)
        self.sign_button.clicked.connect(self.sign)
        self.unlock_button.clicked.connect(self.unlock)
        self.show_visit(None)

    # -- the session and the background runner come from the editor and its window
    def _session(self) -> Session | None:
        from gui.session import Session  # noqa: PLC0415

        store = self.editor.store
        return store if isinstance(store, Session) else None

    def _runner(self) -> BackgroundRunner | None:
        from gui.main_window import MainWindow  # noqa: PLC0415

        window = self.window()
        return window.runner if isinstance(window, MainWindow) else None

    def show_state(self, state: VisitState | None) -> None:
        """Show the sign-off state of the editor's visit (None: no visit)."""
        self.study_id = state.study_id if state is not None else None
        self.show_visit(state.visit_id if state is not None else None)

    def show_visit(self, visit_id: object) -> None:
        """Show the state of ``visit_id`` (None: an unsaved visit, which cannot be signed)."""
        self.visit_id = int(visit_id) if isinstance(visit_id, int) else None
        session = self._session()
        if self.visit_id is None or session is None:
            self.status = None
            self.label.setText(self.tr("Not signed (save the visit first)")
                               if self.visit_id is None else "")
        else:
            self.status = signoff.signoff_status(session.repo, self.visit_id, with_note=True)
            self.label.setText(describe_local(self.status))
        signed = self.status is not None and self.status.signed
        self.sign_button.setVisible(not signed)
        self.sign_button.setEnabled(self.visit_id is not None)
        self.unlock_button.setVisible(signed)
        self._lock_editor(signed)

    def _lock_editor(self, signed: bool) -> None:
        self.editor.set_read_only(signed)  # readable, wholly locked (issue 14)

    def sign(self) -> None:
        session = self._session()
        if session is None or self.visit_id is None:
            return
        if self.editor.dirty:
            self.label.setText(self.tr("Save your changes before signing off."))
            return
        problems = signoff.completeness_problems(session.repo, self.visit_id)
        dialog = SignOffDialog(self.editor.title.text(), session.settings().assessor, problems,
                               self, signer=session.account)
        if not dialog.exec():
            return
        assessor = dialog.name.text().strip()
        user = dialog.user.text().strip() or None
        password = dialog.password.text() or None
        dialog.password.clear()
        visit_id, study_id = self.visit_id, self.study_id or ""

        def work(job: Job) -> signoff.SignOff:
            from exports.signoff import sign_visit  # noqa: PLC0415 - reportlab loads on use

            return sign_visit(job.open_store(), study_id, visit_id, assessor,
                              password=password, user_name=user)

        runner = self._runner()
        if runner is None:  # no main window (tests of the bar alone): sign here
            from exports.signoff import sign_visit  # noqa: PLC0415

            try:
                session.guarded(lambda: sign_visit(session.repo, study_id, visit_id, assessor,
                                                   password=password, user_name=user))
            except Exception as exc:  # noqa: BLE001 - the one error path
                show_error(self, exc)
                return
            self._changed(visit_id)
            return
        BackgroundOp(runner, work, label=self.tr("Signing off..."), parent=self.window(),
                     trigger=self.sign_button).success(
            lambda _s: self._changed(visit_id)).run_in_background()

    def unlock(self) -> None:
        session = self._session()
        if session is None or self.visit_id is None or self.status is None:
            return
        dialog = UnlockDialog(describe_local(self.status), self,
                              signer=session.account)
        if not dialog.exec():
            return
        password = dialog.password.text() or None
        dialog.password.clear()
        try:
            visit_id, reason = self.visit_id, dialog.reason.toPlainText()
            user_name = dialog.user.text().strip() or None
            session.guarded(lambda: signoff.unlock_visit(session.repo, visit_id,
                                                         session.actor(), reason,
                                                         password=password,
                                                         user_name=user_name))
        except Exception as exc:  # noqa: BLE001 - the one error path
            show_error(self, exc)
            return
        self._changed(self.visit_id)

    def _changed(self, visit_id: int) -> None:
        if self.visit_id == visit_id:
            self.show_visit(visit_id)
        self.signoff_changed.emit(visit_id)


def describe_local(status: signoff.SignoffStatus) -> str:
    """``Signed by Ivan Investigator on 2026-11-25 11:04 (local time) - verified against
    source``: the signer's full name, the stored UTC time shown in the computer's time zone,
    and the meaning of the signature."""
    current = status.current
    if current is None:
        return status.describe()
    local = current.signed_at.astimezone()
    text = QCoreApplication.translate("SignoffBar", "Signed by {name} on {when} ({zone}) - "
                                      "{meaning}").format(
        name=current.signed_by, when=f"{local:%Y-%m-%d %H:%M}", zone=local.tzname() or "local",
        meaning=current.meaning)
    return f"{text}\n{status.note}" if status.note else text


def attach_chain_status(window: MainWindow, dialog: QDialog) -> QLabel:
    """Add the audit trail's hash-chain status to a history dialog, verified in the background.

    Returns:
        The label (its text ends "verified (N entries)" or names the first broken row).
    """
    label = QLabel(dialog.tr("Audit trail: verifying the hash chain..."), dialog)
    label.setObjectName("chain_status")
    layout = dialog.layout()
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(0, label)

    def work(job: Job) -> ChainReport:
        from storage.audit_chain import verify_chain  # noqa: PLC0415

        return verify_chain(job.open_store().db.conn)

    def show(report: ChainReport) -> None:
        import shiboken6  # noqa: PLC0415 - the dialog may be closed by now

        if not shiboken6.isValid(label):
            return
        if report.ok:
            label.setText(dialog.tr("Audit trail: verified, unaltered ({n} entries, hash "
                                    "chain intact).").format(n=report.rows_checked))
        else:
            label.setText(dialog.tr("Audit trail: NOT verified. {reason}. Keep this file and "
                                    "compare it with a backup.").format(reason=report.reason))
            label.setStyleSheet("color: #b00020; font-weight: bold")

    runner = window.runner
    if runner.opener is None:
        label.setText(dialog.tr("Audit trail: not verified (no database open)."))
        return label
    BackgroundOp(runner, work, label=dialog.tr("Verifying the audit trail..."),
                 parent=window).success(show).run_in_background()
    return label
