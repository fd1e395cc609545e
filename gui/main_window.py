"""The main window: assembles the three pages (patient list, patient, visit editor), the menus
and the status bar, and routes between them. It holds no clinical logic and no file formats:
pages show what ``forms`` computes, and file work is in :mod:`gui.commands` run through
:mod:`gui.background`.

Navigation always passes the unsaved-changes guard of the visit editor (leaving the editor,
opening another database, closing the window).

Keyboard: Ctrl+F patient filter, Alt+Left back, Ctrl+Shift+N new patient, Ctrl+N new visit,
Ctrl+S save, Ctrl+PgDown/PgUp and Alt+1..9 between editor pages, Ctrl+H visit history, Delete
on a patient-page row deletes it after confirmation, Ctrl+Shift+L locks the session.

An encrypted database is opened after :class:`gui.security.SignInDialog` (a new one after
:class:`gui.security.SetUpDialog`); the session locks itself after the idle-lock setting's
minutes without input (:class:`gui.security.IdleWatcher`), showing :class:`LockPage` instead of
any page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from forms import registry
from forms.fields import Level
from forms.model import AdverseEvent, Medication, Patient
from forms.protocol import proposed_label
from gui import commands, file_dialogs
from gui.background import BackgroundOp, BackgroundRunner, ProgressArea, show_error
from gui.models import person_name
from gui.patient_list import PatientListPage
from gui.restore_dialog import AutoBackup, IntegrityWatch, restore_from_backup
from gui.security import (
    AccountsDialog,
    ChangePasswordDialog,
    EncryptDialog,
    IdleWatcher,
    LockPage,
    RecoveryKeyDialog,
    SetUpDialog,
    SignInDialog,
)
from gui.session import Session, describe_draft
from gui.widgets import ElidedLabel

# What the first screen (the patient list) does not need is imported where it is first used:
# the patient page, the visit editor and its form pages, the dialogs, the visit-entry state
# (issue 16: start-up time to a usable patient list).
if TYPE_CHECKING:
    from forms.entry import VisitState
    from gui.due_list import DueListPage
    from gui.patient_page import PatientPage
    from gui.visit_editor import VisitEditor

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The application window (see the module docstring)."""

    def __init__(self, session: Session | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.session: Session | None = None
        self.patient: Patient | None = None
        self.runner = BackgroundRunner(parent=self)
        self.stack = QStackedWidget(self)
        self.list_page = PatientListPage(self.stack)
        self._patient_page: PatientPage | None = None  # built when a patient is opened
        self._due_page: DueListPage | None = None  # built when the due list is first shown
        self._editor: VisitEditor | None = None  # built on first use: ~300 widgets
        self.stack.addWidget(self.list_page)
        self.lock_page = LockPage(self.stack)
        self.stack.addWidget(self.lock_page)
        self.lock_page.unlocked.connect(self._unlocked)
        self._before_lock: QWidget | None = None
        self.idle = IdleWatcher(parent=self)
        self.idle.idle.connect(self.lock)
        self.setCentralWidget(self.stack)
        self.progress = ProgressArea(self)
        self.runner.progress_area = self.progress
        self.statusBar().addPermanentWidget(self.progress)
        self.db_label = ElidedLabel(self, max_width=900)
        self.statusBar().addWidget(self.db_label)
        self._connect_pages()
        self._build_menus()
        self.auto_backup = AutoBackup(self)  # at most daily while running, and on closing
        self.integrity_watch = IntegrityWatch(self)  # the whole file, daily, in the background
        self.resize(1366, 768)
        self.fit_to_screen()
        if session is not None:
            self.set_session(session)
        else:
            self._update_title()

    # ------------------------------------------------------------------ wiring
    def _connect_pages(self) -> None:
        self.list_page.patient_activated.connect(self.open_patient)
        self.list_page.new_patient_requested.connect(self.new_patient)
        self.list_page.due_requested.connect(self.show_due_list)

    @property
    def patient_page(self) -> PatientPage:
        """The patient page, built the first time a patient is opened."""
        if self._patient_page is None:
            from gui.patient_page import PatientPage  # noqa: PLC0415 - not on the first screen

            self._patient_page = PatientPage(self.stack)
            self.stack.addWidget(self._patient_page)
            self._connect_patient_page(self._patient_page)
        return self._patient_page

    @property
    def due_page(self) -> DueListPage:
        """The due and overdue list, built the first time it is shown."""
        if self._due_page is None:
            from gui.due_list import DueListPage  # noqa: PLC0415 - not on the first screen

            self._due_page = DueListPage(self.stack)
            self.stack.addWidget(self._due_page)
            self._due_page.patient_activated.connect(self.open_patient)
            self._due_page.back_requested.connect(self.show_list)
        return self._due_page

    def _on_patient_page(self) -> bool:
        current = self.stack.currentWidget()
        return current is not None and current is self._patient_page

    def _connect_patient_page(self, pp: PatientPage) -> None:
        pp.back_requested.connect(self.show_list)
        pp.visit_activated.connect(self.open_visit)
        pp.new_visit_requested.connect(self.new_visit)
        pp.edit_patient_requested.connect(self.edit_patient)
        pp.add_medication_requested.connect(lambda: self.edit_record("medication", None))
        pp.add_adverse_event_requested.connect(lambda: self.edit_record("adverse_event", None))
        pp.edit_record_requested.connect(self.edit_record)
        pp.history_requested.connect(self.show_history)
        pp.delete_visit_requested.connect(self.delete_visit)
        pp.delete_record_requested.connect(self.delete_record)
        pp.change_dose_requested.connect(self.change_dose)

    @property
    def editor(self) -> VisitEditor:
        """The visit editor page, built the first time a visit is opened."""
        if self._editor is None:
            from gui.visit_editor import VisitEditor  # noqa: PLC0415
            editor = VisitEditor(self.session, self.stack)
            editor.writes_busy = lambda: self.runner.writing > 0
            editor.close_requested.connect(self.leave_editor)
            editor.visit_saved.connect(self._visit_saved)
            self.stack.addWidget(editor)
            self._editor = editor
        return self._editor

    def _editor_dirty(self) -> bool:
        return self._editor is not None and self._editor.dirty

    def _action(self, menu: Any, text: str, slot: Any, shortcut: Any = None,
                name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self._action(file_menu, self.tr("&New database..."), self.new_database)
        self._action(file_menu, self.tr("&Open database..."), self.open_database,
                     QKeySequence.StandardKey.Open)
        self.backup_action = self._action(file_menu, self.tr("&Backup now..."), self.backup_now,
                                          name="backup")
        self.restore_action = self._action(file_menu, self.tr("&Restore from backup..."),
                                           lambda: restore_from_backup(self), name="restore")
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, self.tr("&Import case files (JSON)..."),
                                          self.import_files, name="import")
        self.import_xlsx_action = self._action(file_menu,
                                               self.tr("Import spreads&heet (Excel)..."),
                                               self.import_spreadsheet, name="import_xlsx")
        self.template_action = self._action(file_menu, self.tr("Save data-entry &template..."),
                                            self.save_template, name="template")
        file_menu.addSeparator()
        self.export_excel_action = self._action(file_menu, self.tr("Export &Excel..."),
                                                self.export_excel, "Ctrl+E", "export_excel")
        self.export_json_action = self._action(file_menu, self.tr("Export &JSON case file..."),
                                               self.export_json, name="export_json")
        self.export_redcap_action = self._action(file_menu, self.tr("Export for RE&DCap..."),
                                                 self.export_redcap, name="export_redcap")
        self.patient_report_action = self._action(file_menu,
                                                  self.tr("&Patient PDF report..."),
                                                  self.patient_report, "Ctrl+P",
                                                  "patient_report")
        self.patient_report_deid_action = self._action(
            file_menu, self.tr("Patient PDF report, de-identi&fied..."),
            lambda: self.patient_report(deidentified=True), name="patient_report_deid")
        self.cohort_report_action = self._action(file_menu, self.tr("&Cohort PDF report..."),
                                                 self.cohort_report, name="cohort_report")
        self.print_action = self._action(file_menu, self.tr("P&rint patient report..."),
                                         self.print_report, "Ctrl+Shift+P", "print_report")
        self.print_cohort_action = self._action(file_menu, self.tr("Print c&ohort report..."),
                                                lambda: self.print_report(cohort=True),
                                                name="print_cohort")
        file_menu.addSeparator()
        self.settings_action = self._action(file_menu, self.tr("&Settings..."),
                                            self.edit_settings, "Ctrl+,", "settings")
        self.accounts_action = self._action(file_menu, self.tr("Accounts and securit&y..."),
                                            self.edit_accounts, name="accounts")
        self.password_action = self._action(file_menu, self.tr("Change my pass&word..."),
                                            self.change_password, name="change_password")
        self.lock_action = self._action(file_menu, self.tr("&Lock"), self.lock,
                                        "Ctrl+Shift+L", "lock")
        self.encrypt_action = self._action(file_menu, self.tr("E&ncrypt this database..."),
                                           self.encrypt_database, name="encrypt")
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        go = bar.addMenu(self.tr("&Go"))
        self._action(go, self.tr("&Patients"), self.show_list, "Ctrl+L")
        self._action(go, self.tr("&Back"), self.go_back, "Alt+Left")
        self._action(go, self.tr("&Find patient"), self.find_patient, QKeySequence.StandardKey.Find)
        self._action(go, self.tr("&Due and overdue visits"), self.show_due_list, "Ctrl+D",
                     "due_list")
        self._action(go, self.tr("Review upgraded visit &labels..."), self.review_labels,
                     name="label_review")
        patient_menu = bar.addMenu(self.tr("&Patient"))
        self._action(patient_menu, self.tr("New &patient..."), self.new_patient, "Ctrl+Shift+N")
        self._action(patient_menu, self.tr("New &visit"), self.new_visit, "Ctrl+N")
        self._action(patient_menu, self.tr("Visit &history..."), self.show_history, "Ctrl+H")
        patient_menu.addSeparator()
        self.delete_visit_action = self._action(patient_menu, self.tr("&Delete visit..."),
                                                self.delete_visit, name="delete_visit")
        help_menu = bar.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Keyboard shortcuts"), self.show_shortcuts, "F1")
        self._action(help_menu, self.tr("&About JDM Capture"), self.about)

    # ------------------------------------------------------------------ session
    def fit_to_screen(self) -> None:
        """At most 1366x768, and never larger than the screen's free area (1024x600 netbooks,
        150 % scaling on a 1366x768 laptop): pages scroll rather than run off the screen."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        free = screen.availableGeometry()
        frame = 32  # title bar and borders drawn by the window manager, in logical pixels
        width = min(1366, free.width())
        height = min(768, free.height() - frame)
        self.resize(max(width, self.minimumSizeHint().width()),
                    max(height, self.minimumSizeHint().height()))
        if not free.contains(self.frameGeometry()):
            self.move(free.topLeft())

    def set_session(self, session: Session) -> None:
        if self.session is not None and self.session is not session:
            self.session.close()
        self.session = session
        self.runner.opener = session.opener()
        if self._editor is not None:
            self._editor.store = session
        self.patient = None
        self.refresh_list()
        self.stack.setCurrentWidget(self.list_page)
        self.list_page.focus_filter()
        self._update_title()
        self._apply_account()
        commands.refresh_scores(self).run_in_background()

    def _update_title(self) -> None:
        name = self.session.path.name if self.session else self.tr("no database")
        account = self.session.account if self.session else None
        if account is not None:
            name += f" - {account.full_name}"
        self.setWindowTitle(self.tr("JDM Capture - {name}").format(name=name))
        self.db_label.setText(str(self.session.path) if self.session else "")

    # ------------------------------------------------------------------ accounts and the lock
    def _apply_account(self) -> None:
        """Menus follow the signed-in role (storage refuses anyway); the idle lock runs on an
        encrypted file."""
        account = self.session.account if self.session else None
        encrypted = self.session is not None and self.session.encrypted
        admin = not encrypted or (account is not None and account.can("administer"))
        for action in (self.settings_action, self.restore_action):
            action.setEnabled(admin)
        self.accounts_action.setEnabled(encrypted and admin)
        self.lock_action.setEnabled(encrypted)
        self.password_action.setEnabled(encrypted)
        self.encrypt_action.setEnabled(self.session is not None and not encrypted)
        if self.session is not None and not encrypted:
            self.statusBar().showMessage(self.tr(
                "This database is not encrypted: File > Encrypt this database."))
        if encrypted and self.session is not None:
            from storage import accounts  # noqa: PLC0415

            self.idle.set_minutes(accounts.idle_minutes(self.session.repo))
            self.idle.start()
        else:
            self.idle.stop()

    @property
    def locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_page

    def lock(self) -> None:
        """Hide every page behind the lock page until a password is entered."""
        if self.session is None or self.session.account is None or self.locked:
            return
        if self._editor is not None and self._editor.dirty:
            self._editor.write_draft()  # nothing typed is lost, whoever comes back
        # An open dialog would stay on top of the lock page with patient data in it, and
        # usable: close them (as Cancel would; only the visit editor keeps drafts).
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self._before_lock = self.stack.currentWidget()
        self.stack.setCurrentWidget(self.lock_page)
        self.menuBar().setEnabled(False)
        self.idle.stop()
        self.lock_page.lock(self.session.repo, self.session.account)

    def _unlocked(self, account: Any) -> None:
        previous = self.lock_page.account
        self.menuBar().setEnabled(True)
        if previous is not None and account.user_name != previous.user_name:
            # another person: the first one's open visit stays a draft under their name
            if self._editor is not None:  # written by lock(), under the first person's name
                self._editor.keep_as_draft(write=False)
            self.patient = None
            self.refresh_list()
            self.stack.setCurrentWidget(self.list_page)
        else:
            self.stack.setCurrentWidget(self._before_lock or self.list_page)
        self._before_lock = None
        self._update_title()
        self._apply_account()

    def encrypt_database(self) -> None:
        """Encrypt the open plain file (background), then sign in as its administrator."""
        if self.session is None or self.session.encrypted or not self._leave_editor_ok():
            return
        path = self.session.path
        dialog = EncryptDialog(path, self)
        if not dialog.exec() or dialog.credentials is None:
            return
        user, full_name, password = dialog.credentials
        from gui.restore_dialog import _close_session  # noqa: PLC0415

        _close_session(self)

        def work(_job: Any) -> Any:
            from storage.conversion import encrypt_database  # noqa: PLC0415

            return encrypt_database(path, user, full_name, password)

        def done(result: Any) -> None:
            RecoveryKeyDialog(result.recovery_key, self).exec()
            self.open_path(path)

        def failed(error: BaseException) -> None:
            show_error(self, error)
            self.open_path(path)  # nothing changed: reopen the plain file

        BackgroundOp(self.runner, work, label=self.tr("Encrypting..."),
                     parent=self).success(done).failure(failed).run_in_background()

    def change_password(self) -> None:
        if self.session is None or self.session.account is None:
            return
        ChangePasswordDialog(self.session.repo, self.session.account, self).exec()

    def edit_accounts(self) -> None:
        if self.session is None or not self.session.encrypted:
            return
        AccountsDialog(self.session.repo, self).exec()
        self._apply_account()

    def _sign_in_first(self, path: Path) -> bool:
        """Set up a new encrypted file, or sign in to an encrypted one; False if cancelled."""
        from storage import accounts, crypto  # noqa: PLC0415

        new = not path.exists() or path.stat().st_size == 0
        if new and not crypto.keys_path(path).exists() and not crypto.plaintext_allowed():
            setup = SetUpDialog(path, self)
            if not setup.exec() or setup.setup is None:
                return False
            RecoveryKeyDialog(setup.setup.recovery_key, self).exec()
            return True
        keys = crypto.read_key_file(path)
        if keys is None or accounts.signed_in(keys.database_id) is not None:
            return True
        previous = self.session.account.user_name if self.session and self.session.account \
            else ""
        return bool(SignInDialog(path, previous, self).exec())

    def refresh_list(self) -> None:
        if self.session is not None:
            self.list_page.set_rows(self.session.patient_rows())

    def after_show(self) -> None:
        """Start-up questions once the window is visible: drafts to recover, else demo data."""
        if self.session is None:
            return
        if not self.offer_drafts() and self.session.is_empty():
            self.offer_demo()
        elif self.session.label_review():
            self.review_labels()

    def offer_drafts(self) -> bool:
        """Offer visits left unsaved by a crash; True when the user looked at them."""
        assert self.session is not None
        drafts = self.session.drafts()
        self._report_unreadable_drafts()
        if not drafts:
            return False
        from gui.dialogs import DraftsDialog  # noqa: PLC0415
        dialog = DraftsDialog([(d.key, describe_draft(d, p)) for d, p in drafts], self)
        result = dialog.exec()
        if result == 2:
            for d, _ in drafts:
                self.session.discard_draft_key(d.key)
        elif result and dialog.chosen:
            draft, payload = next((d, p) for d, p in drafts if d.key == dialog.chosen)
            try:
                self.restore_draft(payload)
            except Exception:  # noqa: BLE001 - a bad draft must never stop the start
                log.warning("draft %s could not be restored", draft.key, exc_info=True)
                self.session.set_draft_aside(draft)
                self._report_unreadable_drafts()
                self.show_list()
        return True

    def _report_unreadable_drafts(self) -> None:
        if self.session is None or not self.session.unreadable_drafts:
            return
        keys = ", ".join(k.removeprefix("visit/") for k in self.session.unreadable_drafts)
        self.session.unreadable_drafts.clear()
        QMessageBox.warning(self, self.tr("Unsaved entry"), self.tr(
            "An unsaved entry left from an earlier session could not be restored ({keys}). "
            "It was kept aside in the database, unchanged; nothing saved is affected.").format(
            keys=keys))

    def restore_draft(self, payload: dict[str, Any]) -> None:
        assert self.session is not None
        study_id = payload.get("study_id")
        try:
            patient = self.session.get_patient(str(study_id))
        except LookupError:
            show_error(self, LookupError(f"patient {study_id} no longer exists"))
            return
        self._show_patient(patient)
        state = self._state_for(patient, payload.get("visit_id"))
        state.restore_draft(payload)
        self.editor.open_state(state, self._editor_title(patient, state))
        self.stack.setCurrentWidget(self.editor)

    def offer_demo(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("Empty database"),
            self.tr("This database has no patients yet. Add the demo cohort (fictitious "
                    "children) to explore JDM Capture?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            commands.add_demo(self).success(lambda _n: self.refresh_list()).run_in_background()

    # ------------------------------------------------------------------ routing
    def _leave_editor_ok(self) -> bool:
        if self._editor is not None and (self.stack.currentWidget() is self._editor
                                         or self._editor.dirty):
            return self._editor.maybe_leave()
        return True

    def show_list(self) -> None:
        if not self._leave_editor_ok():
            return
        self.refresh_list()
        if self.patient is not None:
            self.list_page.select(self.patient.study_id)
        self.stack.setCurrentWidget(self.list_page)
        self.list_page.table.setFocus()

    def go_back(self) -> None:
        current = self.stack.currentWidget()
        if current is not None and current is self._editor:
            self.leave_editor()
        elif current is not None and current is self._patient_page:
            self.show_list()

    def find_patient(self) -> None:
        self.show_list()
        if self.stack.currentWidget() is self.list_page:
            self.list_page.focus_filter()

    def open_patient(self, study_id: str) -> None:
        if self.session is None or not self._leave_editor_ok():
            return
        self._show_patient(self.session.get_patient(study_id))

    def _show_patient(self, patient: Patient) -> None:
        assert self.session is not None
        self.patient = patient
        self.patient_page.show_patient(
            patient, self.session.scoring(),
            self.session.signoffs([v.id for v in patient.visits if v.id is not None]),
            protocol=self.session.settings().protocol)
        self.stack.setCurrentWidget(self.patient_page)

    def leave_editor(self) -> None:
        if not self.editor.maybe_leave():
            return
        if self.patient is not None and self.session is not None:
            self._show_patient(self.session.get_patient(self.patient.study_id))
        else:
            self.show_list()

    def _state_for(self, patient: Patient, visit_id: object) -> VisitState:
        assert self.session is not None
        visit = next((v for v in patient.visits if v.id == visit_id), None)
        others = {v.visit_date: v.describe() for v in patient.visits if v.id != visit_id}
        from forms.entry import VisitState  # noqa: PLC0415
        state = VisitState(patient.study_id, visit, baseline=patient.baseline_visit(),
                           birth_date=patient.birth_date, settings=self.session.scoring(),
                           assessor=self.session.settings().assessor, other_visits=others)
        protocol = self.session.settings().protocol
        day = visit.visit_date if visit is not None else dt.date.today()
        earlier = [v for v in patient.sorted_visits() if v.id != visit_id and v.visit_date < day]
        base = patient.baseline_visit()
        labels = [v.visit_label for v in patient.visits]

        def propose(on: dt.date) -> str:
            return proposed_label(base.visit_date if base else None, labels, on, protocol)

        self.editor.set_context(previous=earlier[-1] if earlier else None,
                                medications=patient.medications, protocol=protocol,
                                propose_label=propose if visit is None else None)
        if visit is None:  # a new visit proposes the next due protocol visit
            state.set_text("visit_label", propose(day))
            state.dirty = False
        return state

    def _editor_title(self, patient: Patient, state: VisitState) -> str:
        who = _who(patient)
        if state.visit_id is None:
            return self.tr("{who}: new visit").format(who=who)
        return self.tr("{who}: visit {date}").format(who=who, date=state.text("visit_date"))

    def open_visit(self, visit_id: object) -> None:
        if self.patient is None or not self._leave_editor_ok():
            return
        state = self._state_for(self.patient, visit_id)
        self.editor.open_state(state, self._editor_title(self.patient, state))
        self.stack.setCurrentWidget(self.editor)

    def new_visit(self) -> None:
        if self.patient is None:
            self.statusBar().showMessage(self.tr("Open a patient first."), 4000)
            return
        self.open_visit(None)

    def _visit_saved(self, visit: Any) -> None:
        assert self.session is not None
        assert self.patient is not None
        self.patient = self.session.get_patient(self.patient.study_id)
        state = self.editor.state
        if state is not None:
            state.baseline_visit = self.patient.baseline_visit()
        self.editor.title.setText(self.tr("{who}: visit {date}").format(
            who=_who(self.patient), date=visit.visit_date.isoformat()))
        self.statusBar().showMessage(self.tr("Visit saved."), 4000)

    # ------------------------------------------------------------------ records
    def new_patient(self) -> None:
        if self.session is None or not self._leave_editor_ok():
            return
        from gui.dialogs import RecordDialog  # noqa: PLC0415
        dialog = RecordDialog(Level.PATIENT, self.tr("New patient"), None, self)
        if not dialog.exec():
            return
        patient = commands.patient_from_values(dialog.values)
        try:
            self.session.add_patient(patient)
        except Exception as exc:  # noqa: BLE001 - the one error path shows it
            show_error(self, exc)
            return
        self.refresh_list()
        self._show_patient(self.session.get_patient(patient.study_id))

    def edit_patient(self) -> None:
        if self.session is None or self.patient is None:
            return
        from gui.dialogs import RecordDialog  # noqa: PLC0415
        dialog = RecordDialog(Level.PATIENT, self.tr("Edit patient"),
                              commands.patient_values(self.patient), self)
        if not dialog.exec():
            return
        patient = commands.patient_from_values(dialog.values)
        patient.id = self.patient.id
        try:
            self.session.update_patient(patient)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._show_patient(self.session.get_patient(patient.study_id))

    def edit_record(self, kind: str, record: Any) -> None:
        if self.session is None or self.patient is None:
            return
        level = Level.MEDICATION if kind == "medication" else Level.ADVERSE_EVENT
        title = {("medication", True): self.tr("Add medication"),
                 ("medication", False): self.tr("Edit medication"),
                 ("adverse_event", True): self.tr("Add adverse event"),
                 ("adverse_event", False): self.tr("Edit adverse event")}[(kind, record is None)]
        initial = commands.record_values(record) if record is not None else None
        from gui.dialogs import RecordDialog  # noqa: PLC0415
        dialog = RecordDialog(level, title, initial, self)
        if not dialog.exec():
            return
        try:
            if kind == "medication":
                med = Medication(**dialog.values)  # type: ignore[arg-type]
                med.id = getattr(record, "id", None)
                self.session.save_medication(self.patient.study_id, med)
            else:
                event = AdverseEvent(**dialog.values)  # type: ignore[arg-type]
                event.id = getattr(record, "id", None)
                self.session.save_adverse_event(self.patient.study_id, event)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._show_patient(self.session.get_patient(self.patient.study_id))

    def _confirm_delete(self, title: str, what: str) -> bool:
        answer = QMessageBox.question(
            self, title,
            self.tr("Delete {what}?\n\nThis cannot be undone here; the deletion is recorded "
                    "in the audit trail.").format(what=what),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def delete_visit(self, visit_id: object = None) -> None:
        """Delete a saved visit after confirmation: ``visit_id``, else the visit open in the
        editor, else the one selected on the patient page. Storage refuses a signed visit."""
        if self.session is None or self.patient is None:
            return
        editor = self._editor
        in_editor = editor is not None and self.stack.currentWidget() is editor
        if visit_id is None or isinstance(visit_id, bool):
            if in_editor and editor is not None and editor.state is not None:
                visit_id = editor.state.visit_id
            elif self._on_patient_page():
                visit_id = self.patient_page.current_visit_id()
        visit = next((v for v in self.patient.visits if v.id == visit_id), None)
        if visit is None:
            self.statusBar().showMessage(self.tr("Choose a saved visit first."), 4000)
            return
        what = self.tr("the visit of {date}{label} of patient {sid}").format(
            date=visit.visit_date.isoformat(),
            label=f" ({visit.visit_label})" if visit.visit_label else "",
            sid=self.patient.study_id)
        if not self._confirm_delete(self.tr("Delete visit"), what):
            return
        try:
            self.session.delete_visit(int(visit.id))  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - SignedVisitLocked -> its plain message
            show_error(self, exc)
            return
        if editor is not None and editor.state is not None \
                and editor.state.visit_id == visit.id:
            editor.discard()  # its draft goes too; the visit no longer exists
            editor.state = None
        self._show_patient(self.session.get_patient(self.patient.study_id))
        self.statusBar().showMessage(self.tr("Deleted {what}.").format(what=what), 6000)

    def delete_record(self, kind: str, record: Any) -> None:
        """Delete a medication or adverse event after confirmation (audited)."""
        if self.session is None or self.patient is None or record is None:
            return
        if kind == "medication":
            title = self.tr("Delete medication")
            what = self.tr("the medication {drug} started {start} of patient {sid}").format(
                drug=record.drug, start=_iso(record.start_date), sid=self.patient.study_id)
        else:
            title = self.tr("Delete adverse event")
            what = self.tr("the adverse event {term} of {onset} of patient {sid}").format(
                term=record.term, onset=_iso(record.onset_date), sid=self.patient.study_id)
        if not self._confirm_delete(title, what):
            return
        try:
            if kind == "medication":
                self.session.delete_medication(int(record.id))
            else:
                self.session.delete_adverse_event(int(record.id))
        except Exception as exc:  # noqa: BLE001 - the one error path shows it
            show_error(self, exc)
            return
        self._show_patient(self.session.get_patient(self.patient.study_id))
        self.statusBar().showMessage(self.tr("Deleted {what}.").format(what=what), 6000)

    def show_history(self, visit_id: object = None) -> None:
        if self.session is None:
            return
        if visit_id is None or isinstance(visit_id, bool):
            editor = self._editor
            if editor is not None and self.stack.currentWidget() is editor \
                    and editor.state is not None:
                visit_id = editor.state.visit_id
            else:
                visit_id = self.patient_page.current_visit_id()
        if not isinstance(visit_id, int):
            self.statusBar().showMessage(self.tr("Choose a saved visit first."), 4000)
            return
        rows = self.session.visit_history(visit_id)
        from gui.dialogs import HistoryDialog  # noqa: PLC0415
        from gui.signoff import attach_chain_status  # noqa: PLC0415
        dialog = HistoryDialog(self.tr("History of {what}").format(
            what=self._visit_words(visit_id)), rows, self)
        attach_chain_status(self, dialog)  # "Audit trail: verified" or the first broken row
        dialog.exec()

    def _visit_words(self, visit_id: int) -> str:
        """``DEMO-02 (Berg, Anna), visit 2024-03-01 (M3)`` for titles; never a row id."""
        patient = self.patient
        visit = next((v for v in patient.visits if v.id == visit_id), None) if patient else None
        if patient is None or visit is None:
            return self.tr("the visit")
        return self.tr("{who}, visit {visit}").format(who=_who(patient), visit=visit.describe())

    # ------------------------------------------------------------------ protocol
    def show_due_list(self, today: dt.date | None = None) -> None:
        """The "Due and overdue" page (``today`` for tests; the real date otherwise)."""
        if self.session is None or not self._leave_editor_ok():
            return
        if isinstance(today, bool):  # triggered(bool) from a menu action
            today = None
        self.due_page.set_inputs(self.session.schedule_inputs(),
                                 self.session.settings().protocol, today)
        self.stack.setCurrentWidget(self.due_page)

    def review_labels(self) -> None:
        """The one-time list of visit labels the upgrade matched to the protocol."""
        if self.session is None:
            return
        rows = self.session.label_review()
        if not rows:
            self.statusBar().showMessage(self.tr("No upgraded visit labels to review."), 4000)
            return
        from gui.dialogs import LabelReviewDialog  # noqa: PLC0415
        dialog = LabelReviewDialog(rows, self)
        dialog.visit_requested.connect(self._open_reviewed_visit)
        if dialog.exec():
            self.session.mark_label_review_done()

    def _open_reviewed_visit(self, study_id: str, visit_id: int) -> None:
        self.open_patient(study_id)
        if self.patient is not None and self.patient.study_id == study_id:
            self.open_visit(visit_id)

    def change_dose(self, record: Any) -> None:
        """A taper step of the selected course: the new dose from a date."""
        if self.session is None or self.patient is None or record is None:
            return
        initial = commands.record_values(record)
        initial.update({"start_date": dt.date.today(), "stop_date": None, "dose": None})
        from gui.dialogs import RecordDialog  # noqa: PLC0415
        dialog = RecordDialog(Level.MEDICATION, self.tr("Change dose: {drug}").format(
            drug=registry.drug_label(record.drug)), initial, self)
        if not dialog.exec():
            return
        try:
            self.session.change_dose(self.patient.study_id, record.id,
                                     Medication(**dialog.values))  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self._show_patient(self.session.get_patient(self.patient.study_id))

    def edit_settings(self) -> None:
        if self.session is None:
            return
        current = self.session.settings()
        from gui.dialogs import SettingsDialog  # noqa: PLC0415
        dialog = SettingsDialog(current.scoring, current.assessor, self,
                                protocol=current.protocol)
        if not dialog.exec() or dialog.result_settings is None:
            return
        try:
            self.session.set_settings(dataclasses.replace(
                commands.app_settings(dialog.result_settings, dialog.result_assessor),
                protocol=dialog.result_protocol))
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self.refresh_list()
        if self.patient is not None and self._on_patient_page():
            self._show_patient(self.session.get_patient(self.patient.study_id))

    # ------------------------------------------------------------------ files
    def _choose_save(self, title: str, suggested: str, filters: str,
                     purpose: str = "exports") -> Path | None:
        """Ask where to write (``gui.file_dialogs``: starts in the remembered exports folder,
        never opens the listed files); refuses the open database and its working files."""
        start = str(file_dialogs.remembered_folder(purpose) / suggested)
        path, _ = file_dialogs.getSaveFileName(self, title, start, filters)
        if not path:
            return None
        if not self._not_live(Path(path)):
            return None
        file_dialogs.remember_folder(purpose, path)
        return Path(path)

    def _not_live(self, path: Path) -> bool:
        """False (after saying why) when ``path`` is an open database or one of its files."""
        from storage.errors import KnownStorageError  # noqa: PLC0415
        from storage.locks import refuse_live_file  # noqa: PLC0415

        try:
            refuse_live_file(path, "write over or read")
        except KnownStorageError as exc:
            show_error(self, exc)
            return False
        return True

    def new_database(self) -> None:
        if not self._leave_editor_ok():
            return
        path = self._choose_save(self.tr("New database"), "jdm-capture.sqlite",
                                 self.tr("JDM Capture database (*.sqlite *.db)"), "databases")
        if path is not None:
            self._open_path(path)

    def open_database(self) -> None:
        if not self._leave_editor_ok():
            return
        path, _ = file_dialogs.getOpenFileName(
            self, self.tr("Open database"), str(self.session.path.parent if self.session
                                               else file_dialogs.remembered_folder("databases")),
            self.tr("JDM Capture database (*.sqlite *.db);;All files (*)"))
        if path:
            file_dialogs.remember_folder("databases", path)
            if self.session is not None and Path(path).resolve() == self.session.path.resolve():
                return  # already open
            self._open_path(Path(path))

    def open_path(self, path: Path, *, full_check: bool = False) -> bool:
        """Open the database at ``path`` (a plain message when it can't be), then ask the
        start-up questions. Returns whether it opened. ``full_check``: read the whole file
        first (after a restore); it is also read whole after an unclean shutdown."""
        try:
            if not self._sign_in_first(path):
                return False
        except Exception as exc:  # noqa: BLE001 - a damaged key file -> plain message
            show_error(self, exc)
            return False
        self.statusBar().showMessage(self.tr("Opening {name}...").format(name=path.name))
        self.statusBar().repaint()  # visible during the integrity check of a large file
        try:
            session = Session(path, full_check=True) if full_check else Session(path)
        except Exception as exc:  # noqa: BLE001 - KnownStorageError -> plain message
            self.statusBar().clearMessage()
            show_error(self, exc)
            return False
        self.statusBar().clearMessage()
        self.set_session(session)
        if session.checked_after_crash:
            self.statusBar().showMessage(self.tr(
                "{name} was not closed properly last time (a crash or power cut); the whole "
                "file was checked and is healthy.").format(name=path.name), 15000)
        QTimer.singleShot(0, self.after_show)
        return True

    _open_path = open_path

    def backup_now(self) -> None:
        if self.session is None:
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        out = self._choose_save(self.tr("Backup now"),
                                f"{self.session.path.stem}-backup-{stamp}.sqlite",
                                self.tr("SQLite database (*.sqlite)"), "backups")
        if out is not None:
            commands.backup(self, out).run_in_background()

    def import_files(self) -> None:
        if self.session is None:
            return
        paths, _ = file_dialogs.getOpenFileNames(self, self.tr("Import case files"),
                                                 str(file_dialogs.remembered_folder("imports")),
                                                 self.tr("JSON case files (*.json)"))
        if paths and all(self._not_live(Path(p)) for p in paths):
            file_dialogs.remember_folder("imports", paths[0])
            commands.import_files(self, [Path(p) for p in paths]).run_in_background()

    def import_spreadsheet(self) -> None:
        if self.session is None:
            return
        path, _ = file_dialogs.getOpenFileName(self, self.tr("Import spreadsheet"),
                                               str(file_dialogs.remembered_folder("imports")),
                                               self.tr("Excel workbook (*.xlsx)"))
        if path and self._not_live(Path(path)):
            file_dialogs.remember_folder("imports", path)
            commands.import_workbook(self, Path(path)).run_in_background()

    def refresh_after_import(self) -> None:
        """Show imported data: the list, and the open patient if the import changed them."""
        self.refresh_list()
        if (self.session is not None and self.patient is not None
                and self._on_patient_page()):
            try:
                self._show_patient(self.session.get_patient(self.patient.study_id))
            except LookupError:
                self.show_list()

    def save_template(self) -> None:
        out = self._choose_save(self.tr("Save data-entry template"),
                                "jdm-capture-template.xlsx", self.tr("Excel workbook (*.xlsx)"))
        if out is not None:
            commands.save_template(self, out).run_in_background()

    def export_redcap(self) -> None:
        if self.session is None:
            return
        folder = file_dialogs.getExistingDirectory(
            self, self.tr("Export for REDCap: choose a folder (its REDCap files are replaced)"),
            str(file_dialogs.remembered_folder("exports")))
        if not folder:
            return
        file_dialogs.remember_folder("exports", folder)
        identified = QMessageBox.question(
            self, self.tr("Export for REDCap"),
            self.tr("Include identifiers (names, MRN, dates of birth, real dates, free text)? "
                    "Choose No for a de-identified export, as most studies require."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes
        commands.export_redcap(self, Path(folder), identified=identified).run_in_background()

    def export_excel(self) -> None:
        if self.session is None:
            return
        out = self._choose_save(self.tr("Export Excel"), "jdm-capture.xlsx",
                                self.tr("Excel workbook (*.xlsx)"))
        if out is not None:
            identified = QMessageBox.question(
                self, self.tr("Export Excel"),
                self.tr("Include identifiers (names, MRN, dates of birth, real dates)? "
                        "Choose No for a de-identified workbook."),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes
            commands.export_excel(self, out, identified=identified).run_in_background()

    def export_json(self) -> None:
        if self.session is None:
            return
        out = self._choose_save(self.tr("Export JSON case file"), "jdm-capture.json",
                                self.tr("JSON case file (*.json)"))
        if out is not None:
            commands.export_json(self, out).run_in_background()

    def patient_report(self, deidentified: bool = False) -> None:
        """The chart copy (identified) or, from its own menu item, a de-identified one."""
        if self.session is None:
            return
        study_id = (self.patient.study_id if self.patient is not None
                    and self.stack.currentWidget() is not self.list_page
                    else self.list_page.selected_study_id())
        if not study_id:
            self.statusBar().showMessage(self.tr("Choose a patient first."), 4000)
            return
        if deidentified:
            out = self._choose_save(self.tr("Patient PDF report, de-identified"),
                                    f"{study_id}-deidentified.pdf", self.tr("PDF (*.pdf)"))
        else:
            out = self._choose_save(self.tr("Patient PDF report"), f"{study_id}.pdf",
                                    self.tr("PDF (*.pdf)"))
        if out is not None:
            commands.patient_report(self, study_id, out,
                                    deidentified=deidentified).run_in_background()

    def print_report(self, cohort: bool = False) -> None:
        """Qt's print dialog for the current patient's report (or the cohort report)."""
        if self.session is None:
            return
        study_id = None
        if not cohort:
            study_id = (self.patient.study_id if self.patient is not None
                        and self.stack.currentWidget() is not self.list_page
                        else self.list_page.selected_study_id())
            if not study_id:
                self.statusBar().showMessage(self.tr("Choose a patient first."), 4000)
                return
        commands.print_report(self, study_id).run_in_background()

    def cohort_report(self) -> None:
        if self.session is None:
            return
        out = self._choose_save(self.tr("Cohort PDF report"), "cohort.pdf",
                                self.tr("PDF (*.pdf)"))
        if out is not None:
            commands.cohort_report(self, out).run_in_background()

    # ------------------------------------------------------------------ help and close
    def show_shortcuts(self) -> None:
        QMessageBox.information(self, self.tr("Keyboard shortcuts"), self.tr(
            "Ctrl+F  find a patient (study ID, MRN, name; Enter opens the top match)\n"
            "Ctrl+D  due and overdue protocol visits\n"
            "Alt+Left  back\n"
            "Ctrl+Shift+N  new patient;  Ctrl+N  new visit\n"
            "Ctrl+S  save the visit\n"
            "Ctrl+PgDown / Ctrl+PgUp  next / previous form;  Alt+1..9  go to form\n"
            "In a grade or score box: type the digit (1 then 0 for 10, however slowly), "
            "t = trace, n = not applicable, Delete = not assessed; Tab moves on\n"
            "Visit label: 3 or m3 = M3, 1 8 = M18, f = flare, u = unscheduled\n"
            "Ctrl+Shift+O  carry over the previous visit's assessor and ULNs (new visit)\n"
            "Menu key or Shift+F10 on a field: record why it has no value\n"
            "Delete on a visit, medication or adverse event row: delete it (asks first)\n"
            "Ctrl+H  history of the visit;  Ctrl+E  export Excel;  Ctrl+P  patient PDF\n"
            "Ctrl+Shift+L  lock the window (your password unlocks it)"))

    def about(self) -> None:
        QMessageBox.about(self, self.tr("About JDM Capture"), self.tr(
            "JDM Capture: offline capture, scoring and reporting of juvenile dermatomyositis "
            "core set measures."))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if self.locked and self._editor is not None:
            self._editor.keep_as_draft()  # nobody is at the keyboard to answer "save?"
        if self._editor is not None and not self._editor.maybe_leave():
            event.ignore()
            return
        if self.runner.asking:
            answer = QMessageBox.question(
                self, self.tr("Work in progress"),
                self.tr("An export or backup is still running. Wait for it to finish and "
                        "quit?"), QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self._draft_and_close()
        event.accept()

    def _draft_and_close(self) -> None:
        self.runner.shutdown()
        self.idle.stop()
        if self.session is not None:
            self.session.close()
            self.auto_backup.on_close(self.session.path)  # after closing: a consistent copy
            from storage import accounts  # noqa: PLC0415

            accounts.sign_out(self.session.path)  # the key leaves this process's memory
            self.session = None
            if self._editor is not None:
                self._editor.store = None


def _who(patient: Patient) -> str:
    """``DEMO-13 (Wang, Li)`` for editor titles: the study ID and the name."""
    name = person_name(str(patient.identifiers.get("given_name") or ""),
                       str(patient.identifiers.get("family_name") or ""))
    return f"{patient.study_id} ({name})" if name else patient.study_id


def _iso(day: object) -> str:
    return day.isoformat() if isinstance(day, dt.date) else str(day or "?")
