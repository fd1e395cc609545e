"""The patient list page: a filter box over a sortable table of patients.

Typing finds the child as you type (:mod:`forms.finder`): study ID, MRN, given and family name
(Chinese too), sex as a whole word, then dates, labels and scores; the best match is first and
selected, so Enter opens it. Double-click opens a row; Down moves from the finder into the
table.

Signals:
    patient_activated(str): the study id of the patient to open.
    new_patient_requested(): the user asked to add a patient.
    due_requested(): the user asked for the "Due and overdue" list.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.models import (
    RECORD_ROLE,
    PatientListModel,
    PatientRow,
    RankedFilterProxy,
    sort_source_on_header_click,
)
from gui.style import set_role


class PatientListPage(QWidget):
    """The first page of the main window (see the module docstring)."""

    patient_activated = Signal(str)
    new_patient_requested = Signal()
    due_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_list")
        self.model = PatientListModel(self)
        self.proxy = RankedFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        title = QLabel(self.tr("Patients"), self)
        set_role(title, "heading")
        top.addWidget(title)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("patient_filter")
        self.filter.setPlaceholderText(self.tr("Find a patient: study ID, MRN or name; Enter "
                                               "opens the first (Ctrl+F)"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.set_filter)
        self.filter.installEventFilter(self)
        top.addWidget(self.filter, 1)
        self.count_label = QLabel(self)
        top.addWidget(self.count_label)
        self.due_button = QPushButton(self.tr("D&ue and overdue (Ctrl+D)"), self)
        self.due_button.setObjectName("due_button")
        self.due_button.clicked.connect(self.due_requested)
        top.addWidget(self.due_button)
        self.new_button = QPushButton(self.tr("&New patient..."), self)
        self.new_button.clicked.connect(self.new_patient_requested)
        top.addWidget(self.new_button)
        lay.addLayout(top)
        self.table = QTableView(self)
        self.table.setObjectName("patient_table")
        self.table.setModel(self.proxy)
        sort_source_on_header_click(self.table, self.proxy)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((110, 170, 100, 70, 60, 50, 95, 60, 55, 60, 160)):
            self.table.setColumnWidth(col, width)
        self.table.activated.connect(self._activated)
        lay.addWidget(self.table, 1)
        self.empty_hint = QLabel(self)
        self.empty_hint.setWordWrap(True)
        lay.addWidget(self.empty_hint)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        # The finder's texts are folded in slices once the list is on screen (see set_rows).
        self._warm_timer = QTimer(self)
        self._warm_timer.setInterval(0)
        self._warm_timer.timeout.connect(self._warm_slice)
        self._warm_pending = False

    def set_rows(self, rows: Sequence[PatientRow]) -> None:
        self.model.set_rows(rows)
        if self.filter.text().strip():
            self.proxy.set_accepted(self.model.rank(self.filter.text()))
        else:
            header = self.table.horizontalHeader()
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._update_count()
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self._warm_after_paint()

    #: rows folded for the finder per event-loop turn (~5 ms at 5,000 patients)
    WARM_SLICE = 250

    def _warm_after_paint(self) -> None:
        """Fold the finder's texts ahead of the first keystroke, but only after the list has
        been painted and in slices: 5,000 rows take ~0.1 s, which would otherwise come
        between the filled list and its first paint, or block a keystroke."""
        self._warm_timer.stop()
        if not self._warm_pending:
            self._warm_pending = True
            # the table's own paint comes first in the pass that paints its rows (its
            # viewport() is not asked for: a QWidget* return makes PySide set up every
            # widget class it might be, ~70 enums, ~10 ms at start-up)
            self.table.installEventFilter(self)

    def _warm_slice(self) -> None:
        if self.model.warm_search(self.WARM_SLICE):
            self._warm_timer.stop()

    def set_filter(self, text: str) -> None:
        """Show the patients matching ``text``, best first, and select the first."""
        if text.strip():
            self.proxy.set_accepted(self.model.rank(text))
        else:
            self.proxy.set_accepted(None)
            header = self.table.horizontalHeader()
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._update_count()
        if self.proxy.rowCount():
            self.table.selectRow(0)
            self.table.scrollToTop()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(self.tr("{shown} of {total}").format(shown=shown, total=total))
        if total and not shown and self.filter.text().strip():
            self.empty_hint.setText(self.tr(
                "No patient matches \u201c{text}\u201d (study ID, MRN, name, sex, dates and "
                "scores are searched).").format(text=self.filter.text().strip()))
            self.empty_hint.show()
            return
        if total == 0:
            self.empty_hint.setText(self.tr("No patients yet. Add one with New patient "
                                            "(Ctrl+Shift+N) or import case files from the "
                                            "File menu."))
            self.empty_hint.show()
        else:
            self.empty_hint.hide()

    def selected_study_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        record = self.proxy.data(index, RECORD_ROLE)
        return record.study_id if record else None

    def select(self, study_id: str) -> None:
        row = self.model.row_of(study_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def _activated(self, index: QModelIndex) -> None:
        record = self.proxy.data(index, RECORD_ROLE)
        if record is not None:
            self.patient_activated.emit(record.study_id)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if self._warm_pending and obj is self.table and event.type() == QEvent.Type.Paint:
            # being painted: start folding on the next turns, after this paint
            self._warm_pending = False
            obj.removeEventFilter(self)
            self._warm_timer.start()
            return False
        if obj is self.filter and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                sid = self.selected_study_id()
                if sid:
                    self.patient_activated.emit(sid)
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown):
                self.table.setFocus()
                return False
        return super().eventFilter(obj, event)

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()
