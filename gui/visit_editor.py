"""The visit editor: one page per visit form, live totals, inline validation, drafts, save.

It holds a :class:`forms.entry.VisitState` and redraws from it; every rule comes from
``forms`` through that state. Nothing typed is lost: the typing stays in the widgets and the
state even when invalid, a draft of the open visit is written to the database (storage drafts,
separate from saved data) shortly after every change, and Ctrl+S saves only when there are no
errors (warnings never block).

Keyboard: Tab walks the fields of a page in entry order; Ctrl+PgDown / Ctrl+PgUp move to the
next/previous page and Alt+1..9 jump to a page; Ctrl+S saves; Escape asks to close.

Signals:
    visit_saved(object): the saved :class:`forms.model.Visit` (with its id).
    close_requested(): the user asked to leave the editor (the main window routes it).
    dirty_changed(bool): unsaved changes appeared or were saved/discarded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from forms import medication, plausibility, registry, scoring
from forms.entry import BASELINE, NOTES, VisitState, value_text
from forms.fields import Level
from forms.formatting import format_value
from forms.model import MISSING_REASONS, Medication, Visit
from forms.protocol import DEFAULT_PROTOCOL
from forms.protocol import Protocol as StudyProtocol
from forms.validation import Problem
from gui.form_pages import PageWidgets, build_page
from gui.panels import ProblemList, ResponsePanel, TotalsPanel
from gui.widgets import ElidedLabel, FieldWidget, VisitLabelPicker, restyle, set_role

log = logging.getLogger(__name__)

#: how long after the last keystroke the draft is written (ms).
DRAFT_DELAY_MS = 400


class VisitStore(Protocol):
    """The repository verbs the editor needs (storage.repository.Repository has them)."""

    def save_visit(self, study_id: str, visit: Visit) -> Visit: ...
    def save_draft(self, study_id: str, visit_id: int | None, payload: dict[str, Any]) -> None: ...
    def delete_draft(self, study_id: str, visit_id: int | None) -> None: ...


class VisitEditor(QWidget):
    """The page of the main window that edits one visit (see the module docstring)."""

    visit_saved = Signal(object)
    close_requested = Signal()
    dirty_changed = Signal(bool)

    def __init__(self, store: VisitStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visit_editor")
        self.store = store
        self.state: VisitState | None = None
        self.pages: list[PageWidgets] = []
        self.widgets: dict[str, FieldWidget] = {}
        self._page_of: dict[str, int] = {}
        self._flagged: set[str] = set()
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.write_draft)
        #: True while another writer (a background import) holds the database: the draft
        #: then waits instead of blocking typing for the busy timeout. Set by the main window.
        self.writes_busy: Callable[[], bool] = lambda: False
        #: what the editor knows around the visit (set_context): the patient's visit before
        #: this one and the medication list, for plausibility, carry-over and the steroid dose.
        self.previous: Visit | None = None
        self.medications: list[Medication] = []
        self.protocol: StudyProtocol = DEFAULT_PROTOCOL
        self.read_only = False
        self.propose_label: Callable[[dt.date], str] | None = None
        self._label_picked = False
        self._saved_snapshot: dict[str, Any] | None = None
        self._carried: set[str] = set()
        self._build()
        self._shortcuts()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        header = QHBoxLayout()
        self.title = ElidedLabel(self, max_width=520)  # a long title is cut, never wider
        set_role(self.title, "heading")
        self.title.setWordWrap(True)  # a long name wraps instead of widening the window
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # room for a study ID and a date: in digits, which are as narrow in a CJK font as in a
        # Latin one (averageCharWidth is twice as wide there and pushed the header past the
        # 910 px of a 1366x768 screen at 150 %)
        self.title.setMinimumWidth(self.title.fontMetrics().horizontalAdvance("0") * 14)
        header.addWidget(self.title, 1)
        self.baseline_check = QCheckBox(self.tr("&Baseline visit"), self)
        self.baseline_check.setToolTip(self.tr("Responses are measured from the baseline visit "
                                               "(default: the earliest visit)."))
        self.baseline_check.clicked.connect(self._baseline_clicked)
        header.addWidget(self.baseline_check)
        self.status = ElidedLabel(self, max_width=360)  # long messages never widen the window
        self.status.setObjectName("save_status")
        header.addWidget(self.status)
        self.save_button = QPushButton(self.tr("Save (Ctrl+S)"), self)
        self.save_button.clicked.connect(self.save)
        header.addWidget(self.save_button)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.clicked.connect(self.close_requested)
        from gui.signoff import SignoffBar  # noqa: PLC0415 - sign-off state and buttons

        self.signoff_bar = SignoffBar(self)
        header.insertWidget(header.indexOf(self.save_button), self.signoff_bar)
        header.addWidget(self.close_button)
        self.totals_button = QToolButton(self)
        self.totals_button.setObjectName("toggle_totals")
        self.totals_button.setText(self.tr("Totals"))
        self.totals_button.setCheckable(True)
        self.totals_button.setChecked(True)
        self.totals_button.setToolTip(self.tr("Show or hide the live totals and problems panel "
                                              "(more room for the form on a small screen)"))
        header.insertWidget(header.indexOf(self.close_button), self.totals_button)
        outer.addLayout(header)
        carry = QHBoxLayout()
        self.carry_label = QLabel(self)
        self.carry_label.setObjectName("carry_over_offer")
        set_role(self.carry_label, "carry")
        self.carry_label.setWordWrap(True)
        # wraps to the width it gets; never widens the window (QT_SCALE_FACTOR=1.5)
        self.carry_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                       QSizePolicy.Policy.Preferred)
        self.carry_label.setMinimumHeight(self.carry_label.fontMetrics().height() * 2 + 8)
        self.carry_button = QPushButton(self.tr("Carry &over"), self)
        self.carry_button.setObjectName("carry_over_button")
        self.carry_button.setToolTip(self.tr("Fill these fields from the previous visit "
                                             "(Ctrl+Shift+O); they stay marked until edited"))
        self.carry_button.clicked.connect(self.carry_over)
        carry.addWidget(self.carry_label, 1)
        carry.addWidget(self.carry_button)
        outer.addLayout(carry)
        self._show_carry_offer()

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.nav = QListWidget(splitter)
        self.nav.setObjectName("page_list")
        self.nav.setAccessibleName(self.tr("Pages"))
        self.nav.setSpacing(3)
        self.stack = QStackedWidget(splitter)
        forms = registry.entered_forms(Level.VISIT)
        for i, form in enumerate(forms):
            area, page = build_page(form, self.stack)
            self.stack.addWidget(area)
            self.pages.append(page)
            self.nav.addItem(f"{i + 1}  {form.label}")
            for name, widget in page.widgets.items():
                self.widgets[name] = widget
                self._page_of[name] = i
                widget.edited.connect(self._edited)
                if name != NOTES:  # right click, Menu key or Shift+F10: why it has no value
                    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                    widget.customContextMenuRequested.connect(
                        lambda pos, n=name: self._missing_menu(n, pos))
        self.response_panel = ResponsePanel(self.stack)
        self.stack.addWidget(self.response_panel)
        self.nav.addItem(f"{len(forms) + 1}  {registry.FORMS_BY_KEY['response'].label}")
        self.nav.currentRowChanged.connect(self._page_changed)
        side = QWidget(splitter)
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        # the totals scroll inside the side panel: what is missing wraps under each total, and
        # its height must never raise the window's minimum height (a 768-pixel screen at 150 %)
        totals_area = QScrollArea(side)
        totals_area.setObjectName("totals_area")
        totals_area.setWidgetResizable(True)
        totals_area.setFrameShape(QFrame.Shape.NoFrame)
        totals_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals = TotalsPanel(totals_area)
        totals_area.setWidget(self.totals)
        side_lay.addWidget(totals_area, 2)
        problems_title = QLabel(self.tr("Problems"), side)
        set_role(problems_title, "heading")
        side_lay.addWidget(problems_title)
        self.problem_list = ProblemList(side)
        self.problem_list.problem_activated.connect(self.focus_field)
        side_lay.addWidget(self.problem_list, 1)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([150, 820, 330])
        splitter.setCollapsible(1, False)  # the form itself never collapses; the side panel can
        self.splitter = splitter
        self._sized_for = 0
        self.side_panel = side
        self.totals_button.toggled.connect(side.setVisible)
        self.nav.setMaximumWidth(190)
        outer.addWidget(splitter, 1)
        self.nav.setCurrentRow(0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """On a narrow window (1024 px, 150 % scaling) the form gets most of the width: the
        page list and the totals panel take a share instead of fixed widths."""
        super().resizeEvent(event)
        width = self.width()
        if width < 1200 and abs(width - self._sized_for) > 40:
            self._sized_for = width
            self.splitter.setSizes([int(width * 0.13), int(width * 0.63), int(width * 0.24)])

    def _shortcuts(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for seq, slot in (
            (QKeySequence.StandardKey.Save, self.save),
            (QKeySequence("Ctrl+PgDown"), lambda: self.go_to_page(self.nav.currentRow() + 1)),
            (QKeySequence("Ctrl+PgUp"), lambda: self.go_to_page(self.nav.currentRow() - 1)),
            (QKeySequence("Escape"), self.close_requested.emit),
            (QKeySequence("Ctrl+Shift+O"), self.carry_over),
        ):
            sc = QShortcut(seq, self)
            sc.setContext(ctx)
            sc.activated.connect(slot)
        for n in range(1, min(self.nav.count(), 9) + 1):
            sc = QShortcut(QKeySequence(f"Alt+{n}"), self)
            sc.setContext(ctx)
            sc.activated.connect(lambda n=n: self.go_to_page(n - 1))

    # ------------------------------------------------------------------ state
    def set_context(self, *, previous: Visit | None = None,
                    medications: list[Medication] | None = None,
                    protocol: StudyProtocol | None = None,
                    propose_label: Callable[[dt.date], str] | None = None) -> None:
        """The patient around the visit about to be opened (call before :meth:`open_state`).

        ``propose_label`` gives a new visit's label for a date (the next due protocol visit):
        a new visit whose label the user has not picked follows its date."""
        self.previous = previous
        self.propose_label = propose_label
        self.medications = list(medications or [])
        if protocol is not None:
            self.protocol = protocol
            picker = self.widgets.get("visit_label")
            if isinstance(picker, VisitLabelPicker):
                picker.set_protocol(protocol)

    def open_state(self, state: VisitState, title: str = "") -> None:
        """Show ``state`` (a new visit, a saved one, or one restored from a draft)."""
        self.state = state
        self.title.setText(title)
        self._carried = set()
        self._label_picked = state.visit_id is not None or state.dirty
        for name, widget in self.widgets.items():
            text = state.notes if name == NOTES else state.text(name)
            widget.show_text(text)
            widget.set_carried(False)
            widget.set_severity("")
        self._flagged = set()
        for page in self.pages:  # nothing of the previous visit's highlighting stays
            for label in page.problems.values():
                label.show_problems([])
        self.baseline_check.setChecked(state.baseline)
        self._saved_snapshot = None if state.dirty else state.draft_payload()
        self.refresh()
        self.go_to_page(0)
        self._set_status()
        self.signoff_bar.show_state(state)  # a signed visit is shown read-only
        self._show_carry_offer()

    def _edited(self, name: str, text: str) -> None:
        state = self.state
        if state is None or self.read_only:
            return
        if name in self._carried:  # edited: no longer the previous visit's value
            self._carried.discard(name)
            self.widgets[name].set_carried(False)
        was_dirty = state.dirty
        if name == NOTES:
            state.set_notes(text)
            changed = {NOTES}
        else:
            changed = state.set_text(name, text)
        if name == "visit_label":
            self._label_picked = True
        elif name == "visit_date" and not self._label_picked and self.propose_label:
            day = state.value("visit_date")
            if isinstance(day, dt.date):  # the proposal follows the date until a label is picked
                state.set_text("visit_label", self.propose_label(day))
                changed |= {"visit_label"}
        for other in changed - {name, NOTES}:
            widget = self.widgets.get(other)
            if widget is not None:
                widget.show_text(state.text(other))
        self.refresh()
        self._after_edit(was_dirty)

    def _baseline_clicked(self, checked: bool) -> None:
        if self.state is None or self.read_only:
            self.baseline_check.setChecked(bool(self.state and self.state.baseline))
            return
        was_dirty = self.state.dirty
        self.state.set_baseline(checked)
        self.refresh()
        self._after_edit(was_dirty)

    def _after_edit(self, was_dirty: bool) -> None:
        state = self.state
        if state is not None and self._saved_snapshot is not None \
                and state.draft_payload() == self._saved_snapshot:
            # every field is back to its saved value: nothing is unsaved any more
            state.dirty = False
            self._draft_timer.stop()
            if self.store is not None:
                self.store.delete_draft(state.study_id, state.visit_id)
            if was_dirty:
                self.dirty_changed.emit(False)
            self._set_status()
            return
        if not was_dirty:
            self.dirty_changed.emit(True)
        self._set_status()
        self._draft_timer.start()

    def refresh(self) -> None:
        """Redraw problems, totals and the response from the state."""
        state = self.state
        if state is None:
            return
        problems = state.problems() + self.context_warnings()
        by_field: dict[str, list[tuple[str, bool]]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append((p.message, p.is_error))
        for name in self._flagged - set(by_field):
            self._show_field_problems(name, [])
        for name, msgs in by_field.items():
            self._show_field_problems(name, msgs)
        self._flagged = set(by_field)
        for name, reason in state.missing.items():
            if name not in by_field and name in self._page_of:
                label = self.pages[self._page_of[name]].problems.get(name)
                if label is not None:
                    label.show_problems([(self.tr("No value: {reason}").format(
                        reason=MISSING_REASONS.get(reason, reason)), False)])
                    self._flagged.add(name)
        self.problem_list.show_problems(problems)
        self.totals.show_scores(state.scores())
        self._show_lab_ratios()
        if self.stack.currentWidget() is self.response_panel:
            self._show_response()

    def context_warnings(self) -> list[Problem]:
        """Plausibility warnings (forms.plausibility) and the visit's steroid dose against the
        medication list (forms.medication): warnings only, never blocking."""
        state = self.state
        if state is None:
            return []
        values: dict[str, object] = dict(state.checked_values())
        for name, score in state.scores().items():
            if score.value is not None:
                values.setdefault(name, score.value)
        prev_values: dict[str, object] | None = None
        prev = self.previous
        if prev is not None:
            prev_values = dict(prev.values)
            for name, score in scoring.score_visit(prev.values).items():
                if score.value is not None:
                    prev_values.setdefault(name, score.value)
        out = plausibility.plausibility_warnings(
            values, prev_values, prev.visit_date if prev is not None else None)
        day = state.value("visit_date")
        if self.medications and isinstance(day, dt.date):
            dose = state.value("steroid_mg_day")
            weight = state.value("weight_kg")
            warning = medication.steroid_agreement(
                dose if isinstance(dose, Decimal) else None, self.medications, day,
                weight if isinstance(weight, Decimal) else None)
            # "not recorded at this visit" waits until something of the visit is entered: an
            # untouched new visit shows no warnings
            entered = set(state.checked_values()) - {"visit_date", "visit_label", "assessor"}
            if warning is not None and (dose is not None or entered):
                out.append(warning)
        return out

    # ------------------------------------------------------------------ carry-over
    def carry_offer(self) -> dict[str, object]:
        """What the previous visit offers this one (new visits only, nothing typed over)."""
        state = self.state
        if state is None or self.previous is None or self.read_only or state.visit_id is not None:
            return {}
        current = {name: state.value(name) for name in plausibility.CARRY_OVER_FIELDS}
        return plausibility.carry_over(self.previous.values, current)

    def _show_carry_offer(self) -> None:
        offer = self.carry_offer() if self.state is not None else {}
        if not offer or self.previous is None:
            self.carry_label.hide()
            self.carry_button.hide()
            return
        parts = []
        for name, value in offer.items():
            fld = registry.get(name)
            of = next((e.name for e in registry.enzymes() if e.uln_field == name), None)
            label = f"{registry.get(of).short_label} ULN" if of is not None else fld.label
            parts.append(f"{label} {format_value(fld, value)}")
        self.carry_label.setText(self.tr("From the previous visit ({date}): {items}").format(
            date=self.previous.visit_date.isoformat(), items="; ".join(parts)))
        self.carry_label.show()
        self.carry_button.show()

    def carry_over(self) -> None:
        """Fill the offered fields from the previous visit; they stay marked until edited."""
        offer = self.carry_offer()
        if not offer or self.state is None:
            return
        for name, value in offer.items():
            text = value_text(value)
            self.widgets[name].show_text(text)
            self._edited(name, text)
            self.widgets[name].set_carried(True)
            self._carried.add(name)
        self._show_carry_offer()
        assert self.previous is not None
        self.status.setText(self.tr("Carried over from {date} (marked blue until edited)")
                            .format(date=self.previous.visit_date.isoformat()))

    # ------------------------------------------------------------------ signed visits
    def set_read_only(self, flag: bool) -> None:
        """A signed visit: every field readable (read-only styling) and locked, the Baseline
        box too; nothing can be typed, picked, carried over or saved."""
        self.read_only = flag
        for widget in self.widgets.values():
            widget.set_read_only(flag)
        box = self.baseline_check
        box.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, flag)
        box.setFocusPolicy(Qt.FocusPolicy.NoFocus if flag else Qt.FocusPolicy.StrongFocus)
        box.setProperty("readonly", "true" if flag else None)
        restyle(box)
        self.save_button.setEnabled(not flag)
        if hasattr(self, "carry_label"):  # the sign-off bar locks once while being built
            self._show_carry_offer()

    def _missing_menu(self, name: str, pos: QPoint) -> None:
        """Mark a field as not done / not assessable / unknown (data-contract ``missing``)."""
        state = self.state
        if state is None or self.read_only:
            return
        menu = QMenu(self)
        for code, text in MISSING_REASONS.items():
            action = menu.addAction(self.tr("No value: {reason}").format(reason=text))
            action.setCheckable(True)
            action.setChecked(state.missing.get(name) == code)
            action.triggered.connect(lambda _c=False, code=code: self.set_missing(name, code))
        if name in state.missing:
            menu.addSeparator()
            menu.addAction(self.tr("Clear the reason")).triggered.connect(
                lambda: self.set_missing(name, None))
        widget = self.widgets[name]
        menu.popup(widget.mapToGlobal(pos))

    def set_missing(self, name: str, reason: str | None) -> None:
        state = self.state
        if state is None:
            return
        was_dirty = state.dirty
        state.set_missing(name, reason)
        self.widgets[name].show_text(state.text(name))
        self.refresh()
        self._after_edit(was_dirty)

    def _show_field_problems(self, name: str, msgs: list[tuple[str, bool]]) -> None:
        page_index = self._page_of.get(name)
        if page_index is None:
            return
        page = self.pages[page_index]
        widget = page.widgets[name]
        severity = "" if not msgs else ("error" if any(e for _, e in msgs) else "warning")
        widget.set_severity(severity)
        label = page.problems.get(name)
        if label is not None:
            label.show_problems(list(msgs))

    def _show_lab_ratios(self) -> None:
        assert self.state is not None
        labs = next((p for p in self.pages if p.form.key == "labs"), None)
        if labs is None:
            return
        for enzyme in registry.ENZYMES:
            label = labs.extras.get(f"{enzyme}_ratio")
            if label is None:
                continue
            ratio = self.state.lab_ratio(enzyme)
            if ratio is None:
                label.setText("")
                widget = labs.widgets[enzyme]
                if widget.property("severity") == "high":  # never the last visit's highlight
                    widget.set_severity("")
                continue
            label.setText(self.tr("{ratio} x ULN").format(ratio=ratio))
            high = ratio > 1
            set_role(label, "problem-warning" if high else "")
            widget = labs.widgets[enzyme]
            if widget.property("severity") in (None, "", "high"):
                widget.set_severity("high" if high else "")

    def _show_response(self) -> None:
        assert self.state is not None
        self.response_panel.show_response(self.state.baseline_visit, self.state.response(),
                                          self.state.cid(), role=self.state.course_role())

    def _set_status(self) -> None:
        state = self.state
        if state is None:
            self.status.setText("")
            return
        if state.dirty:
            self.status.setText(self.tr("Unsaved changes (draft kept)"))
        elif state.visit_id is None:
            self.status.setText(self.tr("New visit"))
        else:
            self.status.setText(self.tr("Saved"))

    # ------------------------------------------------------------------ navigation
    def go_to_page(self, index: int) -> None:
        if not 0 <= index < self.nav.count():
            return
        self.nav.setCurrentRow(index)
        if index < len(self.pages):
            first = self.pages[index].first()
            if first is not None:
                first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _page_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        if self.stack.currentWidget() is self.response_panel and self.state is not None:
            self._show_response()

    def focus_field(self, name: str) -> None:
        """Show the page of field ``name`` and put the cursor in it."""
        if name in ("visit_date", "visit_label", BASELINE) and name not in self._page_of:
            name = "visit_date"
        if name == registry.VISIT_NOTES.name:  # the notes' problems name the registry field
            name = NOTES
        index = self._page_of.get(name)
        if index is None:
            return
        self.nav.setCurrentRow(index)
        widget = self.widgets[name]
        area = self.stack.currentWidget()
        if area is not None and hasattr(area, "ensureWidgetVisible"):
            area.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ drafts and saving
    @property
    def dirty(self) -> bool:
        return self.state is not None and self.state.dirty

    def write_draft(self) -> None:
        """Write the draft of the open visit now (called shortly after each change)."""
        self._draft_timer.stop()
        state = self.state
        if state is None or self.store is None or not state.dirty:
            return
        if self.writes_busy():
            self._draft_timer.start()  # try again shortly; the typing is kept meanwhile
            return
        self.store.save_draft(state.study_id, state.visit_id, state.draft_payload())

    def _keep_draft_after_failure(self) -> None:
        """Write the typing as a draft now (after a refused save); a failure here is logged:
        the typing stays on screen either way."""
        from storage.errors import StorageError  # noqa: PLC0415

        try:
            self.write_draft()
        except StorageError as exc:
            log.warning("draft after a refused save failed: %s", type(exc).__name__)

    def save(self) -> bool:
        """Save when there are no errors; returns True when the visit is durable."""
        state = self.state
        if state is None or self.store is None:
            return False
        if not state.can_save:
            errors = state.errors()
            self.status.setText(self.tr("Not saved: {n} error(s) to fix first").format(
                n=len(errors)))
            self.focus_field(errors[0].field)
            return False
        visit = state.to_visit()
        draft_id = state.visit_id  # the draft's key: None for a new visit (save sets the id)
        from storage.errors import (  # noqa: PLC0415
            KnownStorageError,
            SignedVisitLocked,
            ValidationFailed,
        )

        try:
            saved = self.store.save_visit(state.study_id, visit)
        except SignedVisitLocked as exc:  # signed off: unlock with a reason first
            self.status.setText(self.tr("Not saved: {why}").format(why=exc.message))
            return False
        except KnownStorageError as exc:  # locked, read-only, disk full: say so, keep typing
            self.status.setText(self.tr("Not saved"))
            if exc.kind == "files_replaced":  # the session reopened the file: keep a draft
                self._keep_draft_after_failure()
            from gui.background import show_error  # noqa: PLC0415

            show_error(self, exc)
            return False
        except ValidationFailed as exc:
            self.status.setText(self.tr("Not saved"))
            self.problem_list.show_problems(list(exc.problems))
            if exc.problems:
                self.focus_field(exc.problems[0].field)
            return False
        self._draft_timer.stop()
        state.mark_saved(saved)
        self._saved_snapshot = state.draft_payload()
        self.store.delete_draft(state.study_id, draft_id)
        self.dirty_changed.emit(False)
        self._set_status()
        self.status.setText(self.tr("Saved {visit}").format(visit=saved.describe()))
        self.signoff_bar.show_state(state)
        log.info("visit %s saved", saved.id)
        self.visit_saved.emit(saved)
        return True

    def discard(self) -> None:
        """Forget the unsaved changes and their draft."""
        state = self.state
        self._draft_timer.stop()
        if state is not None and self.store is not None:
            self.store.delete_draft(state.study_id, state.visit_id)
        if state is not None:
            state.dirty = False
        self._carried = set()
        self.dirty_changed.emit(False)

    def keep_as_draft(self, *, write: bool = True) -> None:
        """Write the draft now and leave it for later (another person signs in at the
        session lock): the changes stay in the database as a draft, offered back on the next
        start, and the editor no longer counts them as unsaved."""
        state = self.state
        if state is None or not state.dirty:
            return
        if write:
            self.write_draft()
        self._draft_timer.stop()
        state.dirty = False
        self.dirty_changed.emit(False)

    def maybe_leave(self) -> bool:
        """The unsaved-changes guard: True when the editor may be left (saved or discarded)."""
        if not self.dirty:
            return True
        answer = QMessageBox.question(
            self, self.tr("Unsaved changes"),
            self.tr("This visit has unsaved changes. Save them before leaving?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.discard()
            return True
        return False
