"""The main window: assembles the pages (patient list, patient, visit editor, due list, lock
page), the menus and the status bar, and routes between the pages. It holds no clinical logic,
no file formats and no user flows: each menu action, shortcut and page request is wired to an
operation of :mod:`gui.operations` (record dialogs, file prompts, imports, exports, reports,
accounts, settings, history), which runs long work through :mod:`gui.background`.

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

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from forms.model import Patient, Visit
from forms.protocol import proposed_label
from gui.background import BackgroundRunner, ProgressArea, show_error
from gui.idle import IdleWatcher
from gui.operations import exports, files, imports, records, reports, review, security, startup
from gui.operations import help as help_ops
from gui.operations import settings as settings_ops
from gui.patient_list import PatientListPage
from gui.restore_dialog import AutoBackup, IntegrityWatch, restore_from_backup
from gui.session import Session
from gui.style import ElidedLabel

# What the first screen (the patient list) does not need is imported where it is first used:
# the patient page, the visit editor and its form pages, the dialogs, the visit-entry state
# (issue 16: start-up time to a usable patient list).
if TYPE_CHECKING:
    from forms.entry import VisitState
    from gui.due_list import DueListPage
    from gui.patient_page import PatientPage
    from gui.security import LockPage
    from gui.visit_editor import VisitEditor
    from storage.accounts import Account
    from storage.prefetch import ListPrefetch

#: what a menu action's shortcut may be given as
Shortcut = QKeySequence | QKeySequence.StandardKey | str


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
        self._lock_page: LockPage | None = None  # built the first time the session locks
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
        self.list_page.new_patient_requested.connect(lambda: records.new_patient(self))
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

    def on_patient_page(self) -> bool:
        current = self.stack.currentWidget()
        return current is not None and current is self._patient_page

    def _connect_patient_page(self, pp: PatientPage) -> None:
        pp.back_requested.connect(self.show_list)
        pp.visit_activated.connect(self.open_visit)
        pp.new_visit_requested.connect(self.new_visit)
        pp.edit_patient_requested.connect(lambda: records.edit_patient(self))
        pp.add_medication_requested.connect(
            lambda: records.edit_record(self, records.MEDICATION, None))
        pp.add_adverse_event_requested.connect(
            lambda: records.edit_record(self, records.ADVERSE_EVENT, None))
        pp.edit_record_requested.connect(
            lambda kind, record: records.edit_record(self, kind, record))
        pp.history_requested.connect(lambda visit_id: review.show_history(self, visit_id))
        pp.delete_visit_requested.connect(lambda visit_id: records.delete_visit(self, visit_id))
        pp.delete_record_requested.connect(
            lambda kind, record: records.delete_record(self, kind, record))
        pp.change_dose_requested.connect(lambda record: records.change_dose(self, record))

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

    @property
    def built_editor(self) -> VisitEditor | None:
        """The visit editor if it has been built (without building it)."""
        return self._editor

    def editor_on_screen(self) -> VisitEditor | None:
        """The visit editor when it is the page shown, else None."""
        editor = self._editor
        return editor if editor is not None and self.stack.currentWidget() is editor else None

    def current_study_id(self) -> str | None:
        """The patient on screen (patient page, editor), else the one selected in the list."""
        if self.patient is not None and self.stack.currentWidget() is not self.list_page:
            return self.patient.study_id
        return self.list_page.selected_study_id()

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object],
                shortcut: Shortcut | None = None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.new_database_action = self._action(
            file_menu, self.tr("&New database..."), lambda: files.new_database(self),
            name="new_database")
        self.open_database_action = self._action(
            file_menu, self.tr("&Open database..."), lambda: files.open_database(self),
            QKeySequence.StandardKey.Open, "open_database")
        self.backup_action = self._action(file_menu, self.tr("&Backup now..."),
                                          lambda: files.backup_now(self), name="backup")
        self.restore_action = self._action(file_menu, self.tr("&Restore from backup..."),
                                           lambda: restore_from_backup(self), name="restore")
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, self.tr("&Import case files (JSON)..."),
                                          lambda: imports.import_files(self), name="import")
        self.import_xlsx_action = self._action(file_menu,
                                               self.tr("Import spreads&heet (Excel)..."),
                                               lambda: imports.import_spreadsheet(self),
                                               name="import_xlsx")
        self.template_action = self._action(file_menu, self.tr("Save data-entry &template..."),
                                            lambda: exports.save_template(self),
                                            name="template")
        file_menu.addSeparator()
        self.export_excel_action = self._action(file_menu, self.tr("Export &Excel..."),
                                                lambda: exports.export_excel(self), "Ctrl+E",
                                                "export_excel")
        self.export_json_action = self._action(file_menu, self.tr("Export &JSON case file..."),
                                               lambda: exports.export_json(self),
                                               name="export_json")
        self.export_redcap_action = self._action(file_menu, self.tr("Export for RE&DCap..."),
                                                 lambda: exports.export_redcap(self),
                                                 name="export_redcap")
        self.patient_report_action = self._action(file_menu,
                                                  self.tr("&Patient PDF report..."),
                                                  lambda: reports.patient_report(self),
                                                  "Ctrl+P", "patient_report")
        self.patient_report_deid_action = self._action(
            file_menu, self.tr("Patient PDF report, de-identi&fied..."),
            lambda: reports.patient_report(self, deidentified=True),
            name="patient_report_deid")
        self.cohort_report_action = self._action(file_menu, self.tr("&Cohort PDF report..."),
                                                 lambda: reports.cohort_report(self),
                                                 name="cohort_report")
        self.print_action = self._action(file_menu, self.tr("P&rint patient report..."),
                                         lambda: reports.print_report(self), "Ctrl+Shift+P",
                                         "print_report")
        self.print_cohort_action = self._action(file_menu, self.tr("Print c&ohort report..."),
                                                lambda: reports.print_report(self, cohort=True),
                                                name="print_cohort")
        file_menu.addSeparator()
        self.settings_action = self._action(file_menu, self.tr("&Settings..."),
                                            lambda: settings_ops.edit_settings(self), "Ctrl+,",
                                            "settings")
        self.accounts_action = self._action(file_menu, self.tr("Accounts and securit&y..."),
                                            lambda: security.edit_accounts(self),
                                            name="accounts")
        self.password_action = self._action(file_menu, self.tr("Change my pass&word..."),
                                            lambda: security.change_password(self),
                                            name="change_password")
        self.lock_action = self._action(file_menu, self.tr("&Lock"), self.lock,
                                        "Ctrl+Shift+L", "lock")
        self.encrypt_action = self._action(file_menu, self.tr("E&ncrypt this database..."),
                                           lambda: security.encrypt_database(self),
                                           name="encrypt")
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        go = bar.addMenu(self.tr("&Go"))
        self._action(go, self.tr("&Patients"), self.show_list, "Ctrl+L")
        self._action(go, self.tr("&Back"), self.go_back, "Alt+Left")
        self._action(go, self.tr("&Find patient"), self.find_patient, QKeySequence.StandardKey.Find)
        self._action(go, self.tr("&Due and overdue visits"), self.show_due_list, "Ctrl+D",
                     "due_list")
        self._action(go, self.tr("Review upgraded visit &labels..."),
                     lambda: review.review_labels(self), name="label_review")
        patient_menu = bar.addMenu(self.tr("&Patient"))
        self._action(patient_menu, self.tr("New &patient..."), lambda: records.new_patient(self),
                     "Ctrl+Shift+N")
        self._action(patient_menu, self.tr("New &visit"), self.new_visit, "Ctrl+N")
        self._action(patient_menu, self.tr("Visit &history..."),
                     lambda: review.show_history(self), "Ctrl+H", "history")
        patient_menu.addSeparator()
        self.delete_visit_action = self._action(patient_menu, self.tr("&Delete visit..."),
                                                lambda: records.delete_visit(self),
                                                name="delete_visit")
        self.delete_patient_action = self._action(
            patient_menu, self.tr("Delete pa&tient..."), lambda: records.delete_patient(self),
            name="delete_patient")
        help_menu = bar.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Keyboard shortcuts"),
                     lambda: help_ops.show_shortcuts(self), "F1", "shortcuts")
        self._action(help_menu, self.tr("&About JDM Capture"), lambda: help_ops.about(self),
                     name="about")

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

    def open_path(self, path: Path, *, full_check: bool = False,
                  prefetched: ListPrefetch | None = None) -> bool:
        """Open the database at ``path`` (:func:`gui.operations.files.open_path`)."""
        return files.open_path(self, path, full_check=full_check, prefetched=prefetched)

    def after_show(self) -> None:
        """The start-up questions (:func:`gui.operations.startup.after_show`)."""
        startup.after_show(self)

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
        self.apply_account()
        startup.refresh_scores(self).run_in_background()

    def close_session(self) -> None:
        """Close the database so the file can be replaced (restore, encryption)."""
        if self.session is None:
            return
        self.session.close()
        self.session = None
        self.runner.opener = None
        if self._editor is not None:
            self._editor.store = None

    def _update_title(self) -> None:
        name = self.session.path.name if self.session else self.tr("no database")
        account = self.session.account if self.session else None
        if account is not None:
            name += f" - {account.full_name}"
        self.setWindowTitle(self.tr("JDM Capture - {name}").format(name=name))
        self.db_label.setText(str(self.session.path) if self.session else "")

    # ------------------------------------------------------------------ accounts and the lock
    def apply_account(self) -> None:
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
    def lock_page(self) -> LockPage:
        """The page shown instead of every other while the session is locked (built the
        first time it locks)."""
        if self._lock_page is None:
            from gui.security import LockPage  # noqa: PLC0415 - not on the first screen

            self._lock_page = LockPage(self.stack)
            self.stack.addWidget(self._lock_page)
            self._lock_page.unlocked.connect(self._unlocked)
        return self._lock_page

    @property
    def locked(self) -> bool:
        current = self.stack.currentWidget()
        return current is not None and current is self._lock_page

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

    def _unlocked(self, account: Account) -> None:
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
        self.apply_account()

    def refresh_list(self) -> None:
        if self.session is not None:
            self.list_page.set_rows(self.session.patient_rows())

    def restore_draft(self, payload: dict[str, Any]) -> None:
        """Open the visit editor on a recovered draft (``payload`` as the editor wrote it)."""
        assert self.session is not None
        study_id = payload.get("study_id")
        try:
            patient = self.session.get_patient(str(study_id))
        except LookupError:
            show_error(self, LookupError(f"patient {study_id} no longer exists"))
            return
        self.show_patient(patient)
        state = self._state_for(patient, payload.get("visit_id"))
        state.restore_draft(payload)
        self.editor.open_state(state, self._editor_title(patient, state))
        self.stack.setCurrentWidget(self.editor)

    # ------------------------------------------------------------------ routing
    def leave_editor_ok(self) -> bool:
        """The editor's unsaved-changes guard, when it is shown or has unsaved typing."""
        if self._editor is not None and (self.stack.currentWidget() is self._editor
                                         or self._editor.dirty):
            return self._editor.maybe_leave()
        return True

    def show_list(self) -> None:
        if not self.leave_editor_ok():
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
        if self.session is None or not self.leave_editor_ok():
            return
        self.show_patient(self.session.get_patient(study_id))

    def show_patient(self, patient: Patient) -> None:
        """Show ``patient`` (as just read from the database) on the patient page."""
        assert self.session is not None
        self.patient = patient
        self.patient_page.show_patient(
            patient, self.session.scoring(),
            self.session.signoffs([v.id for v in patient.visits if v.id is not None]),
            protocol=self.session.settings().protocol)
        self.stack.setCurrentWidget(self.patient_page)

    def reload_patient(self) -> None:
        """Read the open patient again and show it (after a change to their records)."""
        if self.session is not None and self.patient is not None:
            self.show_patient(self.session.get_patient(self.patient.study_id))

    def leave_editor(self) -> None:
        if not self.editor.maybe_leave():
            return
        if self.patient is not None and self.session is not None:
            self.show_patient(self.session.get_patient(self.patient.study_id))
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
        who = records.who(patient)
        if state.visit_id is None:
            return self.tr("{who}: new visit").format(who=who)
        return self.tr("{who}: visit {date}").format(who=who, date=state.text("visit_date"))

    def open_visit(self, visit_id: object) -> None:
        if self.patient is None or not self.leave_editor_ok():
            return
        state = self._state_for(self.patient, visit_id)
        self.editor.open_state(state, self._editor_title(self.patient, state))
        self.stack.setCurrentWidget(self.editor)

    def new_visit(self) -> None:
        if self.patient is None:
            self.statusBar().showMessage(self.tr("Open a patient first."), 4000)
            return
        self.open_visit(None)

    def _visit_saved(self, visit: Visit) -> None:
        assert self.session is not None
        assert self.patient is not None
        self.patient = self.session.get_patient(self.patient.study_id)
        state = self.editor.state
        if state is not None:
            state.baseline_visit = self.patient.baseline_visit()
        self.editor.title.setText(self.tr("{who}: visit {date}").format(
            who=records.who(self.patient), date=visit.visit_date.isoformat()))
        self.statusBar().showMessage(self.tr("Visit saved."), 4000)

    def show_due_list(self, today: dt.date | None = None) -> None:
        """The "Due and overdue" page (``today`` for tests; the real date otherwise)."""
        if self.session is None or not self.leave_editor_ok():
            return
        if isinstance(today, bool):  # triggered(bool) from a menu action
            today = None
        self.due_page.set_inputs(self.session.schedule_inputs(),
                                 self.session.settings().protocol, today)
        self.stack.setCurrentWidget(self.due_page)

    # ------------------------------------------------------------------ close
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
