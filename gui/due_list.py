"""The "Due and overdue" page: patients whose next protocol visit is inside its window or past
it, with the days, sortable by any column, and Enter or a double-click opens the patient.

What is due comes from :func:`forms.protocol.next_visit` over the study protocol in settings;
this page only lays it out. ``today`` can be given (tests simulate dates).

Signals:
    patient_activated(str): the study id of the patient to open.
    back_requested(): return to the patient list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from forms.protocol import DEFAULT_PROTOCOL, DueStatus, NextVisit, Protocol, next_visit
from forms.records import frozen
from gui.models import (
    RECORD_ROLE,
    Column,
    RecordTableModel,
    person_name,
)
from gui.widgets import set_role

if TYPE_CHECKING:
    from storage.repository import ScheduleInput

#: the GUI's translate function (``self.tr``)
Tr = Callable[[str], str]

_STATUS_COLOURS = {DueStatus.OVERDUE: "#b71c1c", DueStatus.DUE: "#8a5a00",
                   DueStatus.UPCOMING: "#37474f"}


@frozen
class DueRow:
    """One patient on the due list."""

    study_id: str
    name: str
    next: NextVisit
    last_visit: dt.date | None

    @property
    def sort_days(self) -> int:
        """Most urgent first: overdue days as positive, days to the target as negative."""
        if self.next.status is DueStatus.OVERDUE:
            return 10_000 + self.next.days_overdue
        return -(self.next.days_to_target or 0)


def due_rows(inputs: Sequence[ScheduleInput], protocol: Protocol, today: dt.date, *,
             upcoming_days: int | None = None) -> list[DueRow]:
    """The due list from ``storage.repository.ScheduleInput`` s: patients with a baseline whose
    next protocol visit is due or overdue (or, with ``upcoming_days``, opens within that many
    days), most urgent first."""
    rows = []
    for item in inputs:
        if item.baseline_date is None:
            continue
        nxt = next_visit(item.baseline_date, item.labels, today, protocol)
        if nxt.visit is None:
            continue
        soon = (upcoming_days is not None and nxt.window_start is not None
                and (nxt.window_start - today).days <= upcoming_days)
        if not nxt.needs_attention and not soon:
            continue
        rows.append(DueRow(item.study_id, person_name(item.given_name, item.family_name), nxt,
                           item.last_visit_date))
    rows.sort(key=lambda r: (-r.sort_days, r.study_id))
    return rows


def _status_text(row: DueRow, tr: Tr) -> str:
    return {DueStatus.OVERDUE: tr("Overdue"), DueStatus.DUE: tr("Due"),
            DueStatus.UPCOMING: tr("Upcoming")}.get(row.next.status, "")


def _days_text(row: DueRow, tr: Tr) -> str:
    n = row.next
    if n.status is DueStatus.OVERDUE:
        return tr("{d} overdue").format(d=_days(n.days_overdue, tr))
    d = n.days_to_target or 0
    if d > 0:
        return tr("target in {d}").format(d=_days(d, tr))
    if d < 0:
        return tr("target {d} ago").format(d=_days(-d, tr))
    return tr("target today")


def _days(n: int, tr: Tr) -> str:
    return tr("1 day") if n == 1 else tr("{n} days").format(n=n)


def due_columns(tr: Tr) -> tuple[Column, ...]:
    return (
        Column("study_id", tr("Study ID"), lambda r: r.study_id),
        Column("name", tr("Name"), lambda r: r.name or None),
        Column("visit", tr("Next protocol visit"), lambda r: r.next.visit.month,
               text=lambda r: r.next.label or ""),
        Column("status", tr("Status"), lambda r: int(r.next.status is DueStatus.OVERDUE),
               text=lambda r: _status_text(r, tr),
               colour=lambda r: _STATUS_COLOURS.get(r.next.status)),
        Column("days", tr("Days"), lambda r: r.sort_days, text=lambda r: _days_text(r, tr),
               colour=lambda r: _STATUS_COLOURS.get(r.next.status), align_right=True),
        Column("target", tr("Target date"), lambda r: r.next.target_date),
        Column("window", tr("Window"), lambda r: r.next.window_start,
               text=lambda r: f"{r.next.window_start} - {r.next.window_end}"),
        Column("missed", tr("Missed before"), lambda r: ", ".join(r.next.missed) or None),
        Column("last_visit", tr("Last visit"), lambda r: r.last_visit),
    )


class DueListPage(QWidget):
    """See the module docstring."""

    patient_activated = Signal(str)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("due_list")
        self.model = RecordTableModel(due_columns(self.tr), self)
        self._inputs: Sequence[ScheduleInput] = ()
        self.protocol: Protocol = DEFAULT_PROTOCOL
        self.today: dt.date = dt.date.today()
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        back = QPushButton(self.tr("< Patients"), self)
        back.clicked.connect(self.back_requested)
        top.addWidget(back)
        title = QLabel(self.tr("Due and overdue visits"), self)
        set_role(title, "heading")
        top.addWidget(title)
        self.as_of = QLabel(self)
        top.addWidget(self.as_of, 1)
        self.upcoming = QCheckBox(self.tr("Also &upcoming (window opens within 14 days)"), self)
        self.upcoming.toggled.connect(lambda _on: self.refresh())
        top.addWidget(self.upcoming)
        lay.addLayout(top)
        self.table = QTableView(self)
        self.table.setObjectName("due_table")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((110, 170, 130, 80, 140, 100, 190, 110)):
            self.table.setColumnWidth(col, width)
        self.table.activated.connect(self._activated)
        lay.addWidget(self.table, 1)
        self.empty_hint = QLabel(self)
        self.empty_hint.setWordWrap(True)
        lay.addWidget(self.empty_hint)

    def set_inputs(self, inputs: Sequence[ScheduleInput], protocol: Protocol,
                   today: dt.date | None = None) -> None:
        """Patients' schedule inputs (``Repository.schedule_inputs``), the study protocol and
        the day to count from (today unless given)."""
        self._inputs = inputs
        self.protocol = protocol
        self.today = today or dt.date.today()
        self.refresh()

    def refresh(self) -> None:
        rows = due_rows(self._inputs, self.protocol, self.today,
                        upcoming_days=14 if self.upcoming.isChecked() else None)
        self.model.set_rows(rows)
        # most urgent first, and the header says so (the Days column, descending)
        header = self.table.horizontalHeader()
        days = [c.key for c in self.model.columns].index("days")
        blocked = header.blockSignals(True)
        header.setSortIndicator(days, Qt.SortOrder.DescendingOrder)
        header.blockSignals(blocked)
        overdue = sum(1 for r in rows if r.next.status is DueStatus.OVERDUE)
        self.as_of.setText(self.tr("as of {day}: {n} patients, {o} overdue").format(
            day=self.today.isoformat(), n=len(rows), o=overdue))
        self.empty_hint.setText(self.tr("No protocol visit is due or overdue.") if not rows
                                else self.tr("Enter or double-click opens the patient; click "
                                             "a column header to sort."))
        if rows:
            self.table.selectRow(0)
        self.table.setFocus()

    def rows(self) -> list[DueRow]:
        return self.model.rows()

    def _activated(self, index: QModelIndex) -> None:
        record = index.data(RECORD_ROLE)
        if record is not None:
            self.patient_activated.emit(record.study_id)
