"""Read-only panels of the visit editor: live totals, the problem list, and the response page.

They display what :class:`forms.entry.VisitState` gets from ``forms``: ``Score`` values and
missing reasons, ``Problem`` messages, and the TIS / PRINTO / CID results with their
explanations. They compute nothing themselves.

Signals:
    ProblemList.problem_activated(str): the field name of the problem the user activated.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QMargins, Qt, Signal
from PySide6.QtGui import QBrush, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from forms import i18n as forms_i18n
from forms import registry
from forms.fields import plain_number
from forms.formatting import format_value
from forms.model import Visit
from gui.widgets import readable, restyle, set_role

if TYPE_CHECKING:
    from forms.response import VisitResponse
    from forms.scoring import CidResult, Score
    from forms.validation import Problem


#: totals whose Score.parts are the entered item scores, so a running sum means something.
PARTIAL_SUM_FIELDS = ("cmas_total",)


def partial_sum(score: Score) -> int | None:
    """The sum of the items entered so far for an incomplete CMAS (not a total: shown with
    what is missing), else None."""
    parts = score.parts
    if score.field not in PARTIAL_SUM_FIELDS or not parts:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in parts.values()):
        return None
    return sum(parts.values())


class TotalsPanel(QFrame):
    """Live totals of the visit being edited, each with what is missing when it can't be scored."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setVerticalSpacing(2)
        title = QLabel(self.tr("Live totals"), self)
        set_role(title, "heading")
        grid.addWidget(title, 0, 0, 1, 2)
        self.labels: dict[str, tuple[QLabel, QLabel]] = {}
        self.reasons: dict[str, QLabel] = {}
        row = 1
        for fld in registry.visit_fields(derived=True):
            # the unit beside the name, kept whole (a word joiner after each slash)
            name_label = QLabel(self.tr("{label} ({unit})").format(
                label=fld.label, unit=fld.unit.replace("/", "/\u2060")) if fld.unit
                else fld.label, self)
            name_label.setWordWrap(True)
            value_label = QLabel("", self)
            value_label.setObjectName(f"total_{fld.name}")
            value_label.setWordWrap(True)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # what is missing, on its own line under the name and the value: the value column
            # is narrow, and a sentence wrapped there was clipped at 150 % scaling
            reason_label = QLabel("", self)
            reason_label.setObjectName(f"missing_{fld.name}")
            reason_label.setWordWrap(True)
            set_role(reason_label, "missing")
            reason_label.hide()
            grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value_label, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(reason_label, row + 1, 0, 1, 2)
            self.labels[fld.name] = (name_label, value_label)
            self.reasons[fld.name] = reason_label
            row += 2
        grid.setColumnStretch(1, 1)

    def show_scores(self, scores: Mapping[str, Score]) -> None:
        for name, (_name_label, value_label) in self.labels.items():
            score = scores.get(name)
            reason_label = self.reasons[name]
            reason_label.setText("")
            reason_label.hide()
            if score is None:
                value_label.setText("")
                continue
            value = score.value
            if value is None:
                reason = score.missing_reason
                so_far = partial_sum(score)
                # the reason in a few words; the full one, with the names, in the tooltip
                reason_label.setText(score.short_reason)
                if so_far is None:
                    value_label.setText("-")
                else:  # "38 so far" / "CMAS: 2 of 14 items missing"
                    value_label.setText(self.tr("{so_far} so far").format(so_far=so_far))
                reason_label.setToolTip(reason)
                reason_label.show()
                value_label.setToolTip(reason)
                value_label.setProperty("role", "missing")
            else:  # the unit is in the name (the narrow value column wrapped 0.099 mg/kg/d)
                value_label.setText(format_value(name, value, fixed=True, unit=False))
                value_label.setProperty("role", "total")
                value_label.setToolTip(score.detail)
            restyle(value_label)

        self._fit_reasons()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_reasons()

    def _fit_reasons(self) -> None:
        """Reserve each shown reason's wrapped height at the panel's width: a word-wrapped
        label's height-for-width does not reach the window's layout, so it was clipped."""
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        width = max(self.contentsRect().width() - margins.left() - margins.right(), 40)
        for label in self.reasons.values():
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def text_of(self, name: str) -> str:
        """The value shown for ``name``, with what is missing after " - " when it is missing."""
        value, reason = self.labels[name][1].text(), self.reasons[name].text()
        return f"{value} - {reason}" if reason else value


class ProblemList(QListWidget):
    """Every validation message of the visit; errors first. Enter/double-click goes to the field."""

    problem_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(self.tr("Problems"))
        self.itemActivated.connect(
            lambda item: self.problem_activated.emit(item.data(Qt.ItemDataRole.UserRole)))

    def show_problems(self, problems: Sequence[Problem]) -> None:
        self.clear()
        ordered = sorted(problems, key=lambda p: not p.is_error)
        for p in ordered:
            is_error = p.is_error
            prefix = self.tr("Error") if is_error else self.tr("Warning")
            item = QListWidgetItem(f"{prefix}: {p.message}")
            item.setData(Qt.ItemDataRole.UserRole, p.field)
            item.setForeground(QBrush(readable("#b71c1c" if is_error else "#8a5a00")))
            self.addItem(item)
        if not problems:
            ok = QListWidgetItem(self.tr("No problems found."))
            ok.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(ok)


def _outcome_texts() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {"change": translate("ResponsePanel", "changed"),
            "no_change": translate("ResponsePanel", "no change"),
            "improved": translate("ResponsePanel", "improved"),
            "worsened": translate("ResponsePanel", "worsened"),
            "missing": translate("ResponsePanel", "missing")}


def _cell(value: object) -> str:
    """A result cell for people: yes/no, never True/False; numbers without exponent."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return (QCoreApplication.translate("ResponsePanel", "yes") if value
                else QCoreApplication.translate("ResponsePanel", "no"))
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
        return plain_number(value.quantize(Decimal("0.1")))
    if isinstance(value, Decimal):
        return plain_number(value)
    return str(value)


def _choice(name: str, code: object) -> str:
    return registry.get(name).choice_label(code) if code else "-"


def _paragraphs(text: str) -> str:
    """An explanation as HTML paragraphs (escaped; its own line breaks kept)."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in str(text).splitlines()
                   if line.strip())


def _shown(column: str, value: object) -> str:
    if column == "outcome" and isinstance(value, str):
        return _outcome_texts().get(value, value)
    return _cell(value)


def _dataclass_table(rows: tuple[object, ...] | list[object],
                     columns: tuple[tuple[str, str], ...]) -> str:
    """An HTML table of result rows (TIS rows, PRINTO variables), values escaped."""
    rows = [r for r in rows if dataclasses.is_dataclass(r)]
    if not rows:
        return ""
    cols = [c for c, _ in columns if hasattr(rows[0], c)]
    heads = dict(columns)
    head = "".join(f"<th align='left'>{html.escape(heads[c])}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_shown(c, getattr(r, c)))}</td>" for c in cols)
        + "</tr>"
        for r in rows)
    return f"<table cellspacing='0' cellpadding='3' border='1'><tr>{head}</tr>{body}</table>"


class ResponsePanel(QScrollArea):
    """TIS with its rows and category, PRINTO level and inactive disease against the baseline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("page_response")
        lay = QVBoxLayout(body)
        title = QLabel(self.tr("Response against the baseline visit"), body)
        set_role(title, "heading")
        lay.addWidget(title)
        self.baseline_label = QLabel(body)
        self.tis_label = QLabel(body)
        self.printo_label = QLabel(body)
        self.cid_label = QLabel(body)
        for label in (self.baseline_label, self.tis_label, self.printo_label, self.cid_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            lay.addWidget(label)
        lay.addStretch(1)
        self.setWidget(body)

    def show_response(self, baseline: Visit | None, resp: VisitResponse | None,
                      cid: CidResult, *, role: str = "") -> None:
        """``role``: where the visit stands in the course (``forms.entry.VisitState
        .course_role``); a visit dated before the baseline, or not yet dated, says so."""
        esc = html.escape
        if baseline is None:
            self.baseline_label.setText(self.tr("No baseline visit yet: responses are measured "
                                                "from the patient's baseline visit."))
        elif resp is None and role == "before_baseline":
            self.baseline_label.setText(self.tr(
                "Baseline: <b>{visit}</b>. This visit is dated before it, so it has no "
                "response: responses are measured only for visits after the baseline.").format(
                    visit=esc(baseline.describe())))
        elif resp is None and role == "undated":
            self.baseline_label.setText(self.tr(
                "Baseline: <b>{visit}</b>. Enter a valid visit date: responses are measured "
                "for visits after the baseline.").format(visit=esc(baseline.describe())))
        elif resp is None:
            self.baseline_label.setText(self.tr("This is the baseline visit ({visit}); "
                                                "responses of later visits are measured from "
                                                "it.").format(visit=esc(baseline.describe())))
        else:
            self.baseline_label.setText(self.tr("Baseline: <b>{visit}</b>").format(
                visit=esc(baseline.describe())))
        if resp is not None:
            tis = resp.tis
            # what is known, from the result's bounds (never a bare "Indeterminate")
            cat_label = tis.describe(capital=True)
            if tis.tis is None:
                score_text = self.tr("{n} so far").format(n=_cell(tis.partial_tis))
            else:
                score_text = _cell(tis.tis)
            missing = ", ".join(tis.missing_labels)
            parent = tis.parent_measure
            side = tis.mmt8_side
            self.tis_label.setText(
                "<h3>" + esc(self.tr("ACR/EULAR 2016 Total Improvement Score")) + "</h3>"
                + f"<p><b>{esc(score_text)}</b> &mdash; "
                + f"<b>{esc(cat_label)}</b> "
                + esc(self.tr("({n} of 6 measures; muscle measure {m})").format(
                    n=_cell(tis.measures),
                    m=_choice("tis_muscle_measure", tis.muscle_measure)
                    + (self.tr(", {side} side").format(side=forms_i18n._(side)) if side else "")))
                + "</p>"
                + ("<p>" + esc(self.tr("Missing: {names}").format(names=missing)) + "</p>"
                   if missing else "")
                + ("<p>" + esc(self.tr("Parent row: {m}").format(
                    m=_choice("tis_parent_measure", parent))) + "</p>" if parent else "")
                + _dataclass_table(tis.rows, (
                    ("label", self.tr("Core set measure")), ("baseline", self.tr("Baseline")),
                    ("followup", self.tr("Follow-up")), ("percent", self.tr("% change")),
                    ("points", self.tr("Points")), ("max_points", self.tr("Max")),
                    ("note", self.tr("Note"))))
                + _paragraphs(tis.explanation))
            printo = resp.printo
            level_text = printo.describe(capital=True)
            p_missing = ", ".join(printo.missing_labels)
            self.printo_label.setText(
                "<h3>" + esc(self.tr("PRINTO criteria for improvement")) + "</h3>"
                + f"<p><b>{esc(level_text)}</b></p>"
                + ("<p>" + esc(self.tr("Missing: {names}").format(names=p_missing)) + "</p>"
                   if p_missing else "")
                + _dataclass_table(printo.variables, (
                    ("label", self.tr("Variable")), ("baseline", self.tr("Baseline")),
                    ("followup", self.tr("Follow-up")), ("percent", self.tr("% change")),
                    ("outcome", self.tr("Outcome")), ("note", self.tr("Note"))))
                + _paragraphs(printo.explanation))
        else:
            self.tis_label.setText("")
            self.printo_label.setText("")
        status = cid.status
        self.cid_label.setText(
            "<h3>" + esc(self.tr("PRINTO clinically inactive disease (this visit)")) + "</h3>"
            + f"<p><b>{esc(registry.get('printo_cid').choice_label(status))}</b></p>"
            + _dataclass_table(cid.criteria, (
                ("label", self.tr("Criterion")), ("value", self.tr("Value")),
                ("met", self.tr("Met")), ("note", self.tr("Note"))))
            + _paragraphs(cid.explanation))
