"""The patient page: demographics and identifiers, the visit timeline with key scores and the
response against baseline, the trend chart, medications and adverse events.

Scores and responses come from ``forms.scoring`` / ``forms.response``; this page only lays them
out. Enter on a visit opens it; Ctrl+N starts a new visit; Delete on a visit, medication or adverse
event row asks to delete it.

Signals:
    visit_activated(object): the visit id to open in the editor.
    new_visit_requested(): start a new visit for this patient.
    edit_patient_requested(), add_medication_requested(), add_adverse_event_requested(),
    edit_record_requested(str, object): ("medication"|"adverse_event", record) to edit.
    delete_record_requested(str, object): ("medication"|"adverse_event", record) to delete.
    delete_visit_requested(object): the visit id to delete (after the user confirms).
    history_requested(object): the visit id whose audit trail to show.
    back_requested(): return to the patient list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from forms import course, medication, registry
from forms.formatting import format_value
from forms.model import Patient, Visit
from forms.protocol import DEFAULT_PROTOCOL, Protocol, group_by_protocol, label_words
from forms.records import frozen
from forms.response import enzyme_ratio
from forms.settings import ScoringSettings
from gui.chart import Series, TrendChart
from gui.models import (
    RECORD_ROLE,
    AdverseEventModel,
    Column,
    MedicationModel,
    RecordTableModel,
    VisitRow,
    VisitTimelineModel,
    person_name,
    score_value,
)
from gui.widgets import set_role

if TYPE_CHECKING:
    from storage.signoff import SignoffStatus


def visit_rows(patient: Patient, settings: ScoringSettings,
               signoffs: Mapping[int, SignoffStatus] | None = None) -> list[VisitRow]:
    """The timeline rows of a patient: scores of each visit, its response vs baseline and its
    sign-off state (``signoffs``: visit id -> ``storage.signoff.SignoffStatus``)."""
    signoffs = signoffs or {}
    the_course = course.course_of(patient, settings)  # the baseline, follow-ups, responses
    ordered = [c.visit for c in the_course.visits]
    exposures = medication.exposure_between_visits(patient.medications, [
        (v.visit_date, _dec(v.values.get("weight_kg")), _dec(v.values.get("height_cm")))
        for v in ordered])
    return [VisitRow(c.visit, dict(c.scores), c.response, c.is_baseline,
                     signoffs.get(c.visit.id) if c.visit.id is not None else None, exposure)
            for c, exposure in zip(the_course.visits, exposures, strict=True)]


def _dec(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else (
        Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else None)


@frozen
class ProtocolRow:
    """One line of the protocol tab: a protocol visit of the schedule, or an other visit."""

    label: str
    target: str  #: "2024-04-01 (+/- 14 d)" or "" for other visits
    visit: Visit | None  #: the recorded visit
    row: VisitRow | None
    status: str  #: "done", "done, 9 days late", "due", "missed", "not yet", "out of protocol"


def protocol_rows(patient: Patient, rows: list[VisitRow], protocol: Protocol,
                  today: dt.date, tr: Callable[[str], str] = str) -> list[ProtocolRow]:
    """The patient's protocol visits in schedule order with what was recorded for each, then
    the flare and unscheduled visits, which no protocol summary counts."""
    base = course.baseline_of(patient.visits)
    if base is None:
        return []
    by_visit = {id(r.visit): r for r in rows}
    ordered = [r.visit for r in rows]
    slots, others = group_by_protocol(base.visit_date,
                                      [(v.visit_date, v.visit_label) for v in ordered],
                                      today, protocol)
    out: list[ProtocolRow] = []
    for slot in slots:
        window = slot.visit.window_days
        target = slot.target_date.isoformat() + (f" (+/- {window} d)" if window else "")
        if not slot.recorded:
            if today > slot.window_end:
                status = tr("missed")
            elif today >= slot.window_start:
                status = tr("due now")
            else:
                status = tr("not yet")
            out.append(ProtocolRow(slot.visit.label, target, None, None, status))
            continue
        for n, i in enumerate(slot.recorded):
            visit = ordered[i]
            off = (visit.visit_date - slot.target_date).days
            if visit.visit_date < slot.window_start or visit.visit_date > slot.window_end:
                status = tr("outside the window ({days:+d} d)").format(days=off)
            else:
                status = tr("in the window ({days:+d} d)").format(days=off)
            if n:
                status += tr("; repeated")
            out.append(ProtocolRow(slot.visit.label, target, visit, by_visit[id(visit)],
                                   status))
    for i in others:
        visit = ordered[i]
        out.append(ProtocolRow(label_words(visit.visit_label) or tr("(no label)"), "", visit,
                               by_visit[id(visit)], tr("not in protocol summaries")))
    return out


def trend_series(rows: list[VisitRow], settings: ScoringSettings,
                 tr: Callable[[str], str] = str) -> list[Series]:
    """The five strips of the trend chart, scaled to each measure's registry range."""

    def pts(get: Callable[[VisitRow], Any]) -> list[tuple[dt.date, Decimal | int | None]]:
        return [(r.visit.visit_date, get(r)) for r in rows]

    def score(name: str) -> Callable[[VisitRow], Any]:
        return lambda r: score_value(r.scores, name)

    def span(name: str) -> str:
        return registry.get(name).range_text()  # "0-52": ranges live in the registry only

    def rng(name: str) -> float | None:
        m = registry.get(name).maximum
        return float(m) if m is not None else None

    return [
        Series(tr("CMAS ({range})").format(range=span("cmas_total")), "#1565c0",
               pts(score("cmas_total")), high=rng("cmas_total")),
        Series(tr("MMT-8 ({range})").format(range=span("mmt8_total")), "#6a1b9a",
               pts(score("mmt8_total")), high=rng("mmt8_total")),
        Series(tr("Physician global ({range})").format(range=span("phys_global")), "#c62828",
               pts(lambda r: r.visit.values.get("phys_global")), high=rng("phys_global"),
               higher_is_better=False),
        Series(tr("CK / ULN"), "#ef6c00",
               pts(lambda r: enzyme_ratio(r.visit.values, "ck", settings)), reference=1.0,
               higher_is_better=False),
        Series(tr("Oral steroid mg/kg/day"), "#2e7d32", pts(score("steroid_mg_kg_day")),
               higher_is_better=False, reference=None),
    ]


def patient_banner(patient: Patient, tr: Callable[[str], str] = str) -> str:
    """``DEMO-13 · Wang, Li · Male, 12.3 y · MRN H998877``: who is open, unmistakably."""
    parts = [patient.study_id]
    name = person_name(str(patient.identifiers.get("given_name") or ""),
                       str(patient.identifiers.get("family_name") or ""))
    parts.append(name or tr("(no name recorded)"))
    about = []
    if patient.sex:
        about.append(registry.get("sex").choice_label(patient.sex))
    age = patient.age_on(dt.date.today())
    if age is not None:
        about.append(tr("{age} y").format(age=age))
    if about:
        parts.append(", ".join(about))
    mrn = patient.identifiers.get("mrn")
    if mrn:
        parts.append(tr("MRN {mrn}").format(mrn=mrn))
    return "  \u00b7  ".join(parts)


def _table(parent: QWidget, model: QAbstractItemModel) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class PatientPage(QWidget):
    """One patient (see the module docstring)."""

    visit_activated = Signal(object)
    new_visit_requested = Signal()
    edit_patient_requested = Signal()
    add_medication_requested = Signal()
    add_adverse_event_requested = Signal()
    edit_record_requested = Signal(str, object)
    delete_record_requested = Signal(str, object)
    delete_visit_requested = Signal(object)
    history_requested = Signal(object)
    back_requested = Signal()
    change_dose_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_page")
        self.patient: Patient | None = None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back_button = QPushButton(self.tr("< Patients"), self)
        self.back_button.setToolTip(self.tr("Back to the patient list (Alt+Left)"))
        self.back_button.clicked.connect(self.back_requested)
        top.addWidget(self.back_button)
        self.title = QLabel(self)
        self.title.setObjectName("patient_banner")
        set_role(self.title, "banner")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)  # a long name wraps, never widens the window
        top.addWidget(self.title, 1)
        lay.addLayout(top)
        top = QHBoxLayout()  # the actions on their own row, under the banner
        top.addStretch(1)
        for text, signal in ((self.tr("&Edit patient..."), self.edit_patient_requested),
                             (self.tr("New &visit (Ctrl+N)"), self.new_visit_requested)):
            b = QPushButton(text, self)
            b.clicked.connect(signal)
            top.addWidget(b)
        self.open_button = QPushButton(self.tr("&Open visit"), self)
        self.open_button.clicked.connect(self._open_current)
        top.addWidget(self.open_button)
        self.history_button = QPushButton(self.tr("&History..."), self)
        self.history_button.clicked.connect(self._history_current)
        top.addWidget(self.history_button)
        self.delete_visit_button = QPushButton(self.tr("&Delete visit..."), self)
        self.delete_visit_button.setToolTip(self.tr("Delete the selected visit (Delete key)"))
        self.delete_visit_button.clicked.connect(self._delete_current)
        top.addWidget(self.delete_visit_button)
        lay.addLayout(top)

        self.demographics = QWidget(self)
        self.demo_grid = QGridLayout(self.demographics)
        self.demo_grid.setContentsMargins(4, 0, 4, 0)
        self.demo_labels: dict[str, QLabel] = {}
        fields = registry.fields_for(level=registry.Level.PATIENT, derived=False)
        for i, fld in enumerate(fields):
            name = QLabel(fld.label + ":", self.demographics)
            set_role(name, "missing")
            value = QLabel(self.demographics)
            value.setObjectName(f"demo_{fld.name}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # three pairs a row: four made the page 891 px wide, more than a 1366x768 laptop
            # at 150 % scaling has (910 px), once the MRN and age joined the values
            row, col = divmod(i, 3)
            self.demo_grid.addWidget(name, row, col * 2)
            self.demo_grid.addWidget(value, row, col * 2 + 1)
            self.demo_labels[fld.name] = value
        for c in range(6):
            self.demo_grid.setColumnStretch(c, 1 if c % 2 else 0)
        lay.addWidget(self.demographics)

        self.tabs = QTabWidget(self)
        visits_tab = QSplitter(Qt.Orientation.Vertical, self.tabs)
        self.visit_model = VisitTimelineModel(self)
        self.visit_table = _table(visits_tab, self.visit_model)
        self.visit_table.setObjectName("visit_table")
        self.visit_table.activated.connect(self._open_index)
        _on_delete_key(self.visit_table, self._delete_current)
        self.chart = TrendChart(visits_tab)
        visits_tab.addWidget(self.visit_table)
        visits_tab.addWidget(self.chart)
        visits_tab.setSizes([170, 330])
        self.tabs.addTab(visits_tab, self.tr("&Visits and trends"))
        self._button_rows: dict[str, QHBoxLayout] = {}
        self.med_model = MedicationModel(self)
        self.ae_model = AdverseEventModel(self)
        self.med_table = self._record_tab(self.med_model, self.tr("&Medications"),
                                          self.tr("Add medication..."),
                                          self.tr("Delete medication..."),
                                          self.add_medication_requested, "medication")
        self.ae_table = self._record_tab(self.ae_model, self.tr("&Adverse events"),
                                         self.tr("Add adverse event..."),
                                         self.tr("Delete adverse event..."),
                                         self.add_adverse_event_requested, "adverse_event")
        self.change_dose_button = QPushButton(self.tr("Change &dose..."), self)
        self.change_dose_button.setObjectName("change_dose")
        self.change_dose_button.setToolTip(self.tr(
            "A new dose of the selected course from a date (a taper step): the current dose "
            "stops the day before, both stay in the course's history"))
        self.change_dose_button.clicked.connect(self._change_dose_current)
        self._button_rows["medication"].insertWidget(1, self.change_dose_button)
        self.protocol_model = RecordTableModel(_protocol_columns(self.tr), self)
        self.protocol_table = _table(self.tabs, self.protocol_model)
        self.protocol_table.setObjectName("protocol_table")
        self.protocol_table.activated.connect(self._open_protocol_row)
        self.tabs.addTab(self.protocol_table, self.tr("&Protocol schedule"))
        lay.addWidget(self.tabs, 1)

    def _record_tab(self, model: QAbstractItemModel, title: str, add_text: str,
                    delete_text: str, add_signal: SignalInstance, kind: str) -> QTableView:
        page = QWidget(self.tabs)
        lay = QVBoxLayout(page)
        table = _table(page, model)
        table.activated.connect(
            lambda index: self.edit_record_requested.emit(kind, index.data(RECORD_ROLE)))
        lay.addWidget(table)
        row = QHBoxLayout()
        add = QPushButton(add_text, page)
        add.clicked.connect(add_signal)
        row.addWidget(add)
        delete = QPushButton(delete_text, page)
        delete.setObjectName(f"delete_{kind}")
        delete.setToolTip(self.tr("Delete the selected row (Delete key)"))

        def delete_current() -> None:
            record = table.currentIndex().data(RECORD_ROLE)
            if record is not None:
                self.delete_record_requested.emit(kind, record)

        delete.clicked.connect(delete_current)
        _on_delete_key(table, delete_current)
        row.addWidget(delete)
        row.addStretch(1)
        self._button_rows[kind] = row
        lay.addLayout(row)
        self.tabs.addTab(page, title)
        return table

    def show_patient(self, patient: Patient, settings: ScoringSettings,
                     signoffs: Mapping[int, SignoffStatus] | None = None,
                     protocol: Protocol | None = None, today: dt.date | None = None) -> None:
        """Show ``patient``; ``signoffs`` (visit id -> SignoffStatus) fills the sign-off column;
        ``protocol`` (the study's) lays out the protocol tab."""
        self.patient = patient
        self.title.setText(patient_banner(patient, self.tr))
        record = patient.field_values()
        for name, label in self.demo_labels.items():
            value = record.get(name)
            text = format_value(name, value, missing="-")
            if name == "birth_date" and isinstance(value, dt.date):
                age = patient.age_on(dt.date.today())
                text += self.tr("  (age {age} y)").format(age=age)
            label.setText(text)
        rows = visit_rows(patient, settings, signoffs)
        self.visit_model.set_rows(rows)
        self.chart.set_series(trend_series(rows, settings, self.tr))
        self.med_model.set_rows(sorted(patient.medications, key=lambda m: m.start_date))
        self.ae_model.set_rows(sorted(patient.adverse_events, key=lambda a: a.onset_date))
        self.protocol_model.set_rows(protocol_rows(
            patient, rows, protocol or DEFAULT_PROTOCOL, today or dt.date.today(), self.tr))
        if rows:
            self.visit_table.selectRow(len(rows) - 1)
        self.visit_table.setFocus()

    def current_visit_id(self) -> object:
        index = self.visit_table.currentIndex()
        if not index.isValid():
            return None
        row = index.data(RECORD_ROLE)
        return row.visit.id if row is not None else None

    def _open_index(self, index: QModelIndex) -> None:
        row = index.data(RECORD_ROLE)
        if row is not None:
            self.visit_activated.emit(row.visit.id)

    def _open_current(self) -> None:
        vid = self.current_visit_id()
        if vid is not None:
            self.visit_activated.emit(vid)

    def _history_current(self) -> None:
        vid = self.current_visit_id()
        if vid is not None:
            self.history_requested.emit(vid)

    def _delete_current(self) -> None:
        vid = self.current_visit_id()
        if vid is not None:
            self.delete_visit_requested.emit(vid)

    def _change_dose_current(self) -> None:
        record = self.med_table.currentIndex().data(RECORD_ROLE)
        if record is not None:
            self.change_dose_requested.emit(record)

    def _open_protocol_row(self, index: QModelIndex) -> None:
        row = index.data(RECORD_ROLE)
        if row is not None and row.visit is not None:
            self.visit_activated.emit(row.visit.id)


def _protocol_columns(tr: Callable[[str], str]) -> tuple[Column, ...]:
    def score(name: str) -> Callable[[ProtocolRow], object]:
        return lambda r: score_value(r.row.scores, name) if r.row else None

    return (
        Column("label", tr("Protocol visit"), lambda r: r.label),
        Column("target", tr("Target date (window)"), lambda r: r.target),
        Column("visit_date", tr("Visit date"),
               lambda r: r.visit.visit_date if r.visit is not None else None),
        Column("cmas_total", registry.get("cmas_total").short_label, score("cmas_total"),
               align_right=True),
        Column("mmt8_total", registry.get("mmt8_total").short_label, score("mmt8_total"),
               align_right=True),
        Column("phys_global", registry.get("phys_global").short_label,
               lambda r: r.visit.values.get("phys_global") if r.visit is not None else None,
               align_right=True),
        Column("chaq_di", registry.get("chaq_di").short_label, score("chaq_di"),
               align_right=True),
        Column("gc", registry.GC_EXPOSURE.short_label,
               lambda r: r.row.exposure.mg_per_kg_decimal()
               if r.row is not None and r.row.exposure is not None else None,
               align_right=True),
        Column("status", tr("Timing"), lambda r: r.status),
    )


def _on_delete_key(table: QTableView, slot: Callable[[], object]) -> None:
    """The Delete key on a table (while it has focus) asks to delete its current row."""
    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), table)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)
