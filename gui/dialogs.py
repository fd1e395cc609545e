"""Dialogs: a record dialog generated from the registry (patient, medication, adverse event),
the settings dialog, the read-only audit history of a visit, the draft-recovery question, and
the summary of a finished (or refused) import or export.

Record dialogs are built from ``registry.fields_for(level=...)`` and checked with the matching
``forms.validation.check_*`` function; OK stays refused while there are errors, and the typing
is kept so nothing has to be re-entered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from forms import i18n as forms_i18n
from forms import medication, registry, validation
from forms.entry import value_text
from forms.fields import Field, FieldType, Level
from forms.model import Medication
from forms.protocol import DEFAULT_PROTOCOL, Protocol, ProtocolVisit, label_words
from forms.settings import MUSCLE_MEASURES, ScoringSettings
from gui import i18n as gui_i18n
from gui.models import RECORD_ROLE, AuditModel, Column, RecordTableModel, context_text
from gui.widgets import FieldWidget, ProblemLabel, make_field_widget, set_role

if TYPE_CHECKING:
    from storage.repository import AuditEntry, LabelReview

CHECKS: dict[Level, Callable[[Mapping[str, object]], validation.RecordCheck]] = {
    Level.PATIENT: validation.check_patient,
    Level.MEDICATION: validation.check_medication,
    Level.ADVERSE_EVENT: validation.check_adverse_event,
}


class RecordDialog(QDialog):
    """Enter or edit one record of ``level``; :attr:`values` holds the checked values on OK.

    Problems of a field show once the user has touched it (or pressed OK), never on an empty
    new dialog. Escape or Cancel on a dialog with typing asks before throwing it away. The
    medication dialog offers the registry's drug list (free text still allowed), shows only
    the schedule fields that apply, and says the dose as prescribed in words.
    """

    def __init__(self, level: Level, title: str, initial: Mapping[str, object] | None = None,
                 parent: QWidget | None = None, *, locked: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.level = level
        self.fields: tuple[Field, ...] = registry.fields_for(level=level, derived=False)
        self.texts: dict[str, str] = {n: value_text(v) for n, v in (initial or {}).items()
                                      if v is not None}
        self._initial_texts = dict(self.texts)
        #: fields whose problems are shown: touched by the user, given initially, or all after
        #: an OK that was refused
        self.touched: set[str] = set(self.texts)
        self.values: dict[str, object] = {}
        self.widgets: dict[str, FieldWidget] = {}
        self.problems: dict[str, ProblemLabel] = {}
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.form = form
        for fld in self.fields:
            widget = make_field_widget(fld, self)
            widget.show_text(self.texts.get(fld.name, ""))
            widget.edited.connect(self._edited)
            if fld.name in locked:
                widget.setEnabled(False)
            self.widgets[fld.name] = widget
            problem = ProblemLabel(self)
            self.problems[fld.name] = problem
            box = QWidget(self)
            box_lay = QVBoxLayout(box)
            box_lay.setContentsMargins(0, 0, 0, 0)
            box_lay.addWidget(widget)
            box_lay.addWidget(problem)
            label = QLabel(fld.label + (" *" if fld.required else ""), self)
            label.setBuddy(widget)
            form.addRow(label, box)
            self.rows[fld.name] = (label, box)
        lay.addLayout(form)
        self.prescribed = QLabel(self)
        self.prescribed.setObjectName("prescribed")
        set_role(self.prescribed, "total")
        lay.addWidget(self.prescribed)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        if level is Level.MEDICATION:
            self._medication_extras()
        self._recheck()

    # ---- medications --------------------------------------------------------------------
    def _medication_extras(self) -> None:
        drug = self.widgets["drug"]
        # English generic names, synonyms and the names in the interface's language (托法替布)
        names = sorted({d.label for d in registry.DRUGS}
                       | {s for d in registry.DRUGS for s in d.synonyms}
                       | {registry.drug_label(d.code) for d in registry.DRUGS}, key=str.casefold)
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # completes as you type, in the field itself (keyboard first: Tab accepts); in another
        # language the field's own list stays: the drugs by their names in that language,
        # whichever name is typed (tofa -> 托法替布), widgets.VocabularyCompleter
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        if isinstance(drug, QLineEdit):
            if forms_i18n.language() == forms_i18n.DEFAULT:
                drug.setCompleter(completer)
            drug.setPlaceholderText(self.tr("Generic name: the first letters complete it "
                                            "(Methotrexate); any other name allowed"))
            drug.setMinimumWidth(340)
            drug.setToolTip(self.tr("Listed JDM treatments: {names}").format(
                names=", ".join(registry.drug_label(d.code) for d in registry.DRUGS)))
            drug.editingFinished.connect(lambda: self._drug_picked(drug.text()))
            if self.texts.get("drug"):  # an existing course: its drug in this language
                drug.show_text(registry.drug_label(self.texts["drug"]))
        self._show_schedule_rows()

    def _drug_picked(self, text: str) -> None:
        """A listed drug fills its usual route, unit and schedule where still empty."""
        found = registry.drug(text)
        if found is None:
            return
        if self.texts.get("drug") != found.label:
            self._set("drug", found.label)  # stored by its English generic name, as listed
            self.touched.add("drug")
        # shown in the interface's language (甲氨蝶呤), as the tables and the PDF show it
        self.widgets["drug"].show_text(registry.drug_label(found.label))
        for name, code in (("route", found.routes[0]), ("dose_unit", found.unit),
                           ("schedule", found.schedule)):
            if not self.texts.get(name):
                self._set(name, code)
        self._show_schedule_rows()
        self._recheck()

    def _set(self, name: str, text: str) -> None:
        self.texts[name] = text
        self.widgets[name].show_text(text)

    def _show_schedule_rows(self) -> None:
        if self.level is not Level.MEDICATION:
            return
        schedule = self.texts.get("schedule", "")
        shown = {"times_per_period": schedule in medication.MAX_TIMES or not schedule,
                 "pulse_count": schedule == medication.PULSE,
                 "frequency_per_day": bool(self.texts.get("frequency_per_day"))}
        for name, visible in shown.items():
            label, box = self.rows[name]
            label.setVisible(visible)
            box.setVisible(visible)
        if schedule in medication.MAX_TIMES and not self.texts.get("times_per_period"):
            self._set("times_per_period", "1")  # shown, not assumed: "once" until changed
        if schedule in (medication.SINGLE, medication.PULSE):
            self.texts.pop("times_per_period", None)
            self.widgets["times_per_period"].show_text("")
        if schedule in medication.MAX_TIMES:
            per = {medication.DAILY: self.tr("Times per day"),
                   medication.WEEKLY: self.tr("Times per week"),
                   medication.MONTHLY: self.tr("Times per month")}[schedule]
            self.rows["times_per_period"][0].setText(per)

    # ---- editing and checking ---------------------------------------------------------
    def _edited(self, name: str, text: str) -> None:
        if text:
            self.texts[name] = text
        else:
            self.texts.pop(name, None)
        self.touched.add(name)
        if name == "schedule":
            self._show_schedule_rows()
        self._recheck()

    @property
    def changed(self) -> bool:
        """Anything typed that the dialog did not open with."""
        return self.texts != self._initial_texts

    def _record(self) -> tuple[dict[str, object], list[validation.Problem]]:
        record: dict[str, object] = {}
        problems: list[validation.Problem] = []
        for fld in self.fields:
            text = self.texts.get(fld.name, "")
            if not text:
                continue
            if fld.type is FieldType.BOOLEAN:
                record[fld.name] = text == "true"
                continue
            value, probs = validation.parse_text(fld, text, self.level)
            problems.extend(probs)
            if value is not None:
                record[fld.name] = value
        if self.level is Level.MEDICATION and isinstance(record.get("drug"), str):
            found = registry.drug(str(record["drug"]))
            if found is not None:  # a listed drug is stored by its code
                record["drug"] = found.code
        return record, problems

    def check(self) -> validation.RecordCheck:
        record, parse_problems = self._record()
        result = CHECKS[self.level](record)
        seen = {(p.field, p.reason) for p in result.problems}
        result.problems[:0] = [p for p in parse_problems if (p.field, p.reason) not in seen]
        return result

    def _recheck(self) -> validation.RecordCheck:
        result = self.check()
        by_field: dict[str, list[tuple[str, bool]]] = {}
        for p in result.problems:
            if p.field in self.touched:
                by_field.setdefault(p.field, []).append((p.message, p.is_error))
        for name, label in self.problems.items():
            msgs = by_field.get(name, [])
            label.show_problems(list(msgs))
            severity = "" if not msgs else ("error" if any(e for _, e in msgs) else "warning")
            self.widgets[name].set_severity(severity)
        other = [p.message for p in result.errors if p.field not in self.problems]
        self.summary.setText("\n".join(other))
        if self.isVisible():  # a wrapped message must not be clipped: grow to fit it
            self.adjustSize()
        # OK is refused while a shown error stands; on an untouched dialog it stays enabled
        # and pressing it shows what is missing
        shown_error = any(e for msgs in by_field.values() for _, e in msgs)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not shown_error)
        if self.level is Level.MEDICATION:
            self._show_prescribed(result)
        return result

    def _show_prescribed(self, result: validation.RecordCheck) -> None:
        v = result.values
        if not v.get("drug") or v.get("dose") is None:
            self.prescribed.setText("")
            return
        med = Medication(str(v["drug"]), dt.date.today(), v.get("dose"), v.get("dose_unit"),
                         v.get("frequency_per_day"), schedule=v.get("schedule"),
                         times_per_period=v.get("times_per_period"),
                         pulse_count=v.get("pulse_count"))
        self.prescribed.setText(self.tr("As prescribed: {drug} {how}").format(
            drug=registry.drug_label(med.drug), how=medication.schedule_text(med)))

    def accept(self) -> None:
        self.touched |= {f.name for f in self.fields}  # OK shows every problem
        result = self._recheck()
        if not result.ok:
            first = next((p.field for p in result.errors if p.field in self.widgets), None)
            if first is not None:
                self.widgets[first].setFocus()
            return
        self.values = dict(result.values)
        super().accept()

    def reject(self) -> None:
        """Escape or Cancel: a dialog with typing asks before discarding it."""
        if self.changed:
            answer = QMessageBox.question(
                self, self.tr("Discard this entry?"),
                self.tr("You have typed into this form. Close it and discard what you typed?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()


class SettingsDialog(QDialog):
    """Database settings: default ULN per enzyme, assessor name, TIS muscle measure."""

    def __init__(self, settings: ScoringSettings, assessor: str = "",
                 parent: QWidget | None = None, *,
                 protocol: Protocol = DEFAULT_PROTOCOL) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.result_settings: ScoringSettings | None = None
        self.result_assessor = assessor
        self.result_protocol = protocol
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.assessor = QLineEdit(assessor, self)
        self.assessor.setMaxLength(registry.get("assessor").max_length or 100)
        form.addRow(self.tr("Assessor name (pre-filled in new visits)"), self.assessor)
        self.measure = QComboBox(self)
        measure_field = registry.get("tis_muscle_measure")
        for code in MUSCLE_MEASURES:
            self.measure.addItem(measure_field.choice_label(code), code)
        self.measure.setCurrentIndex(list(MUSCLE_MEASURES).index(settings.tis_muscle_measure))
        form.addRow(self.tr("TIS muscle measure"), self.measure)
        self.ulns: dict[str, QLineEdit] = {}
        self.uln_problems: dict[str, ProblemLabel] = {}
        for enzyme in registry.ENZYMES:
            fld = registry.get(registry.enzyme(enzyme).uln_field)
            edit = QLineEdit(value_text(settings.uln_defaults.get(enzyme)), self)
            edit.setObjectName(f"default_{fld.name}")
            edit.setToolTip(fld.allowed_text())
            problem = ProblemLabel(self)
            box = QWidget(self)
            box_lay = QVBoxLayout(box)
            box_lay.setContentsMargins(0, 0, 0, 0)
            box_lay.addWidget(edit)
            box_lay.addWidget(problem)
            form.addRow(self.tr("Default ULN: {label}").format(
                label=registry.get(enzyme).label), box)
            self.ulns[enzyme] = edit
            self.uln_problems[enzyme] = problem
            edit.textEdited.connect(lambda _t: self._check())
        self.protocol_visits = QLineEdit(protocol_text(protocol), self)
        self.protocol_visits.setObjectName("protocol_visits")
        self.protocol_visits.setToolTip(self.tr(
            "Protocol visits as month:window in days, separated by commas; the target day is "
            "the month x 365 / 12 days after baseline. M0 (0:0) comes first."))
        form.addRow(self.tr("Study protocol visits (month:+/- days)"), self.protocol_visits)
        repeat = QWidget(self)
        repeat_lay = QHBoxLayout(repeat)
        repeat_lay.setContentsMargins(0, 0, 0, 0)
        self.repeat_months = QLineEdit(str(protocol.repeat_every_months), self)
        self.repeat_window = QLineEdit(str(protocol.repeat_window_days), self)
        self.last_month = QLineEdit(str(protocol.last_month), self)
        for text, edit in ((self.tr("then every"), self.repeat_months),
                           (self.tr("months, +/-"), self.repeat_window),
                           (self.tr("days, until month"), self.last_month)):
            repeat_lay.addWidget(QLabel(text, repeat))
            edit.setMaximumWidth(60)
            repeat_lay.addWidget(edit)
        repeat_lay.addStretch(1)
        form.addRow("", repeat)
        self.protocol_problem = ProblemLabel(self)
        form.addRow("", self.protocol_problem)
        for edit in (self.protocol_visits, self.repeat_months, self.repeat_window,
                     self.last_month):
            edit.textEdited.connect(lambda _t: self._check())
        lay.addLayout(form)
        self.language = QComboBox(self)
        self.language.setObjectName("language")
        self.language.addItem(self.tr("System language"), gui_i18n.SYSTEM)
        for code, name in forms_i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(gui_i18n.saved_choice())))
        language_note = QLabel(self.tr("Language (this computer); takes effect when JDM Capture "
                                       "is restarted"), self)
        language_note.setWordWrap(True)
        language_row = QFormLayout()
        language_row.addRow(language_note, self.language)
        lay.addLayout(language_row)
        self.thresholds = settings.thresholds
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def _check(self) -> dict[str, Decimal] | None:
        ulns: dict[str, Decimal] = {}
        ok = True
        for enzyme, edit in self.ulns.items():
            value, problems = validation.parse_text(registry.enzyme(enzyme).uln_field,
                                                   edit.text())
            self.uln_problems[enzyme].show_problems([(p.message, p.is_error) for p in problems])
            if not isinstance(value, Decimal | int) or any(p.is_error for p in problems):
                ok = False
            else:
                ulns[enzyme] = Decimal(value)
        try:
            self.result_protocol = parse_protocol(
                self.protocol_visits.text(), self.repeat_months.text(),
                self.repeat_window.text(), self.last_month.text())
            self.protocol_problem.show_problems([])
        except ValueError as exc:
            self.protocol_problem.show_problems([(self.tr("Study protocol: {why}").format(
                why=exc), True)])
            ok = False
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ulns if ok else None

    def accept(self) -> None:
        ulns = self._check()
        if ulns is None:
            return
        self.result_settings = ScoringSettings(
            tis_muscle_measure=self.measure.currentData(), thresholds=self.thresholds,
            uln_defaults=ulns)
        self.result_assessor = self.assessor.text().strip()
        gui_i18n.save_choice(self.language.currentData())
        super().accept()


def protocol_text(protocol: Protocol) -> str:
    """``0:0, 3:14, 6:21, 12:30`` (month:window) for the settings field."""
    return ", ".join(f"{v.month}:{v.window_days}" for v in protocol.visits)


def parse_protocol(visits: str, repeat_months: str, repeat_window: str,
                   last_month: str) -> Protocol:
    """The protocol typed in the settings dialog.

    Raises:
        ValueError: what is wrong, in words.
    """
    items = []
    for part in (p.strip() for p in visits.split(",")):
        if not part:
            continue
        month, sep, window = part.partition(":")
        if not (month.strip().isdigit() and (not sep or window.strip().isdigit())):
            raise ValueError(f'"{part}" is not month:window (e.g. 3:14)')
        items.append(ProtocolVisit.at_month(int(month), int(window) if sep else 0))
    numbers = []
    for text, what in ((repeat_months, "the repeat interval"),
                       (repeat_window, "the repeat window"), (last_month, "the last month")):
        if not text.strip().isdigit():
            raise ValueError(f"{what} must be a whole number, not \"{text}\"")
        numbers.append(int(text))
    return Protocol(tuple(items), repeat_every_months=numbers[0],
                    repeat_window_days=numbers[1], last_month=numbers[2])


class LabelReviewDialog(QDialog):
    """The one-time review of visit labels the upgrade matched to the study protocol: each
    visit's old label, the protocol label it became, and whether it was kept (signed visits).
    Enter on a row opens that visit; "Reviewed" records (audited) that someone looked."""

    visit_requested = Signal(str, int)

    def __init__(self, rows: Sequence[LabelReview], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Visit labels matched to the study protocol"))
        self.resize(760, 440)
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Visit labels are now the visits of the study protocol (M0, M3, M6, ...), "
            "unscheduled or flare. The upgrade matched the labels typed before as below; a "
            "label that matched no protocol visit became \"unscheduled\". Check them once; "
            "open a visit (Enter) to pick another label."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.model = RecordTableModel((
            Column("study_id", self.tr("Study ID"), lambda r: r.study_id),
            Column("visit_date", self.tr("Visit date"), lambda r: r.visit_date),
            Column("old", self.tr("Label before"), lambda r: r.old_label),
            Column("new", self.tr("Protocol label"), lambda r: label_words(r.new_label)),
            Column("kept", self.tr("Note"), lambda r: self.tr(
                "signed visit: label kept, read as the protocol label") if r.kept else ""),
        ), self)
        self.model.set_rows(list(rows))
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        self.table.activated.connect(self._open)
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        self.done_button = buttons.addButton(self.tr("Reviewed: don't show again"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Later"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _open(self, index: QModelIndex) -> None:
        row = index.data(RECORD_ROLE)
        if row is not None:
            self.visit_requested.emit(row.study_id, row.visit_id)
            self.reject()


class HistoryDialog(QDialog):
    """The audit trail of one visit, read-only: who changed which value, when, old and new."""

    def __init__(self, title: str, rows: Sequence[AuditEntry],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1100, 560)
        lay = QVBoxLayout(self)
        self.model = AuditModel(self)
        self.model.set_rows(rows)
        contexts = {r.context for r in rows}
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.resizeColumnsToContents()
        if len(contexts) == 1:  # one record: say which once, above the table
            self.table.hideColumn(3)
            lay.addWidget(QLabel(context_text(str(contexts.pop())), self))
        self.table.setColumnWidth(4, min(self.table.columnWidth(4), 380))
        lay.addWidget(self.table)
        if not rows:
            lay.addWidget(QLabel(self.tr("No changes recorded for this visit."), self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class DraftsDialog(QDialog):
    """Offers unsaved drafts found at start-up (after a crash): restore one, or discard them."""

    def __init__(self, drafts: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        """``drafts``: (key, description) pairs."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unsaved visits found"))
        self.chosen: str | None = None
        self.keys = [k for k, _ in drafts]
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("JDM Capture was closed while these visits had unsaved "
                                     "changes. Open one to review and save it, or discard "
                                     "them all."), self))
        self.list = QListWidget(self)
        for _key, text in drafts:
            self.list.addItem(text)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        lay.addWidget(self.list)
        buttons = QDialogButtonBox(self)
        self.open_button = buttons.addButton(self.tr("Open draft"),
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = buttons.addButton(self.tr("Discard all"),
                                                QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.discard_button.clicked.connect(lambda: self.done(2))
        lay.addWidget(buttons)

    def accept(self) -> None:
        row = self.list.currentRow()
        self.chosen = self.keys[row] if 0 <= row < len(self.keys) else None
        super().accept()


class SummaryDialog(QDialog):
    """What an import or export did, or why it did nothing: a sentence, then the details
    (every refusal reason or warning, one per line) in a scrollable read-only text."""

    def __init__(self, title: str, text: str, details: Sequence[str] = (),
                 details_title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 420 if details else 160)
        lay = QVBoxLayout(self)
        self.text = QLabel(text, self)
        self.text.setObjectName("summary_text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(self.text.textInteractionFlags()
                                          | Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.text)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("summary_details")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setPlainText("\n".join(details))
        self.details.setAccessibleName(details_title or title)
        if details_title and details:
            lay.addWidget(QLabel(details_title, self))
        lay.addWidget(self.details, 1)
        self.details.setVisible(bool(details))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
