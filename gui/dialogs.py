"""Dialogs: a record dialog generated from the registry (patient, medication, adverse event),
the settings dialog, the read-only audit history of a visit, the draft-recovery question, and
the summary of a finished (or refused) import or export.

Record dialogs are built from ``registry.fields_for(level=...)`` and checked with the matching
``forms.validation.check_*`` function; OK stays refused while there are errors, and the typing
is kept so nothing has to be re-entered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from forms import i18n as forms_i18n
from forms import registry, validation
from forms.entry import value_text
from forms.fields import Field, FieldType, Level
from forms.settings import MUSCLE_MEASURES, ScoringSettings
from gui import i18n as gui_i18n
from gui.models import AuditModel, context_text
from gui.widgets import ProblemLabel, make_field_widget

CHECKS: dict[Level, Callable[[Mapping[str, object]], validation.RecordCheck]] = {
    Level.PATIENT: validation.check_patient,
    Level.MEDICATION: validation.check_medication,
    Level.ADVERSE_EVENT: validation.check_adverse_event,
}


class RecordDialog(QDialog):
    """Enter or edit one record of ``level``; :attr:`values` holds the checked values on OK."""

    def __init__(self, level: Level, title: str, initial: Mapping[str, object] | None = None,
                 parent: QWidget | None = None, *, locked: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.level = level
        self.fields: tuple[Field, ...] = registry.fields_for(level=level, derived=False)
        self.texts: dict[str, str] = {n: value_text(v) for n, v in (initial or {}).items()
                                      if v is not None}
        self.values: dict[str, object] = {}
        self.widgets: dict[str, QWidget] = {}
        self.problems: dict[str, ProblemLabel] = {}
        lay = QVBoxLayout(self)
        form = QFormLayout()
        for fld in self.fields:
            widget = make_field_widget(fld, self)
            widget.show_text(self.texts.get(fld.name, ""))  # type: ignore[attr-defined]
            widget.edited.connect(self._edited)  # type: ignore[attr-defined]
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
        lay.addLayout(form)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._recheck()

    def _edited(self, name: str, text: str) -> None:
        if text:
            self.texts[name] = text
        else:
            self.texts.pop(name, None)
        self._recheck()

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
            by_field.setdefault(p.field, []).append((p.message, p.is_error))
        for name, label in self.problems.items():
            msgs = by_field.get(name, [])
            label.show_problems(list(msgs))
            severity = "" if not msgs else ("error" if any(e for _, e in msgs) else "warning")
            self.widgets[name].set_severity(severity)  # type: ignore[attr-defined]
        other = [p.message for p in result.errors if p.field not in self.problems]
        self.summary.setText("\n".join(other))
        if self.isVisible():  # a wrapped message must not be clipped: grow to fit it
            self.adjustSize()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(result.ok)
        return result

    def accept(self) -> None:
        result = self._recheck()
        if not result.ok:
            return
        self.values = dict(result.values)
        super().accept()


class SettingsDialog(QDialog):
    """Database settings: default ULN per enzyme, assessor name, TIS muscle measure."""

    def __init__(self, settings: ScoringSettings, assessor: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.result_settings: ScoringSettings | None = None
        self.result_assessor = assessor
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
            fld = registry.get(f"{enzyme}_uln")
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
            value, problems = validation.parse_text(f"{enzyme}_uln", edit.text())
            self.uln_problems[enzyme].show_problems([(p.message, p.is_error) for p in problems])
            if value is None or any(p.is_error for p in problems):
                ok = False
            else:
                ulns[enzyme] = Decimal(value)  # type: ignore[arg-type]
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


class HistoryDialog(QDialog):
    """The audit trail of one visit, read-only: who changed which value, when, old and new."""

    def __init__(self, title: str, rows: Sequence[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1100, 560)
        lay = QVBoxLayout(self)
        self.model = AuditModel(self)
        self.model.set_rows(rows)
        contexts = {getattr(r, "context", None) for r in rows}
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
