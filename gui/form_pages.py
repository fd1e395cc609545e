"""One page per visit form, generated from ``forms.registry``.

Each builder lays out the registry fields of one form (CMAS items with their level descriptors
and seconds; the MMT-8 muscle x side grid with a Kendall legend; the skin checklist; the CDASI
grid by location; global assessments; CHAQ by domain with aids and help; labs with value, ULN
and a x ULN indicator) and registers every widget in a :class:`PageWidgets` the editor wires up.
A form without a dedicated builder gets the generic label/widget column, so a field added to
the registry always gets a widget.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from forms import registry
from forms.fields import Field, Form
from forms.i18n import _
from gui.widgets import (
    BoolCheck,
    LevelPicker,
    NotesEntry,
    ProblemLabel,
    TextEntry,
    make_field_widget,
)


class PageWidgets:
    """The field widgets and inline problem labels of one page, in tab order."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.widgets: dict[str, QWidget] = {}
        self.problems: dict[str, ProblemLabel] = {}
        self.extras: dict[str, QLabel] = {}  # e.g. "ck_ratio" indicators
        self.order: list[QWidget] = []

    def add(self, fld: Field, parent: QWidget, *, compact: bool = False) -> QWidget:
        widget = make_field_widget(fld, parent, compact=compact)
        self.widgets[fld.name] = widget
        self.order.append(widget)
        self.problems[fld.name] = ProblemLabel(parent)
        return widget

    def first(self) -> QWidget | None:
        return self.order[0] if self.order else None


def _label(text: str, parent: QWidget, *, wrap: bool = True, role: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(wrap)
    if role:
        label.setProperty("role", role)
    return label


def _with_unit(widget: QWidget, fld: Field, parent: QWidget) -> QWidget:
    if not fld.unit:
        return widget
    box = QWidget(parent)
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(widget)
    lay.addWidget(QLabel(fld.unit, box))
    lay.addStretch(1)
    return box


def _field_row(form_layout: QFormLayout, page: PageWidgets, fld: Field, parent: QWidget) -> None:
    widget = page.add(fld, parent)
    if isinstance(widget, BoolCheck):
        widget.setText(parent.tr("present / yes"))
    column = QWidget(parent)
    lay = QVBoxLayout(column)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(1)
    lay.addWidget(_with_unit(widget, fld, column) if not isinstance(widget, BoolCheck)
                  else widget)
    lay.addWidget(page.problems[fld.name])
    page.problems[fld.name].setParent(column)
    label = _label(fld.label, parent, wrap=len(fld.label) > 48)
    label.setMinimumWidth(min(260, label.sizeHint().width()))
    label.setBuddy(widget)
    form_layout.addRow(label, column)


def _generic(body: QWidget, page: PageWidgets, fields: tuple[Field, ...]) -> QFormLayout:
    form_layout = QFormLayout()
    form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for fld in fields:
        _field_row(form_layout, page, fld, body)
    return form_layout


def _entered(form_key: str) -> tuple[Field, ...]:
    return registry.fields_for(level=registry.Level.VISIT, form=form_key, derived=False)


# ------------------------------------------------------------------------ builders
def _build_visit(body: QWidget, page: PageWidgets, outer: QVBoxLayout) -> None:
    form_layout = _generic(body, page, _entered("visit"))
    outer.addLayout(form_layout)
    notes = NotesEntry(body)
    notes.setMinimumHeight(90)
    page.widgets["notes"] = notes
    page.order.append(notes)
    notes_label = _label(body.tr("Notes"), body)
    notes_label.setBuddy(notes)
    form_layout.addRow(notes_label, notes)


def _build_cmas(body: QWidget, page: PageWidgets, outer: QVBoxLayout) -> None:
    grid = QGridLayout()
    grid.setColumnStretch(0, 2)
    grid.setColumnStretch(1, 3)
    grid.addWidget(_label(body.tr("Item"), body, role="missing"), 0, 0)
    grid.addWidget(_label(body.tr("Score (level descriptor)"), body, role="missing"), 0, 1)
    grid.addWidget(_label(body.tr("Seconds held"), body, role="missing"), 0, 2)
    row = 1
    for name, _label_en, _levels in registry.CMAS_ITEMS:
        fld = registry.get(name)
        picker = page.add(fld, body)
        grid.addWidget(_label(fld.label, body), row, 0)
        grid.addWidget(picker, row, 1)
        if name in registry.CMAS_TIMED:
            sec = registry.get(registry.CMAS_TIMED[name][0])
            entry = page.add(sec, body)
            entry.setToolTip(sec.help)
            grid.addWidget(_with_unit(entry, sec, body), row, 2)
            grid.addWidget(page.problems[sec.name], row + 1, 2)
        grid.addWidget(page.problems[name], row + 1, 1)
        row += 2
    outer.addLayout(grid)


def _kendall_legend(body: QWidget) -> QWidget:
    box = QGroupBox(body.tr("Grades: Kendall 0-10 and 0-5 with +/-"), body)
    grid = QGridLayout(box)
    for col, head in enumerate((body.tr("0-10"), body.tr("0-5"), body.tr("Grade"))):
        grid.addWidget(_label(head, box, wrap=False, role="missing"), 0, col)
    for row, (g, five, name, crit) in enumerate(registry.KENDALL_GRADES, start=1):
        grid.addWidget(_label(str(g), box, wrap=False), row, 0)
        grid.addWidget(_label(five, box, wrap=False), row, 1)
        cell = _label(_(name), box, wrap=False)
        cell.setToolTip(_(crit))
        grid.addWidget(cell, row, 2)
    return box


def _build_mmt8(body: QWidget, page: PageWidgets, outer: QVBoxLayout) -> None:
    row_box = QHBoxLayout()
    grid = QGridLayout()
    grid.addWidget(_label(body.tr("Muscle group"), body, role="missing"), 0, 0)
    grid.addWidget(_label(body.tr("Right"), body, role="missing"), 0, 1)
    grid.addWidget(_label(body.tr("Left"), body, role="missing"), 0, 2)
    neck = registry.get(registry.MMT_AXIAL[0])
    grid.addWidget(_label(neck.label + " " + body.tr("(axial, tested once)"), body), 1, 0)
    grid.addWidget(page.add(neck, body), 1, 1)
    grid.addWidget(page.problems[neck.name], 2, 1, 1, 2)
    # Widgets are created right column first, then left, so Tab walks one side at a time
    # (IMACS tests the right side; instruments.md 2.3).
    for side_col, (suffix, _side) in enumerate(registry.SIDES, start=1):
        for i, (stem, label) in enumerate(registry.MMT_PAIRED):
            row = 3 + 2 * i
            if side_col == 1:
                grid.addWidget(_label(_(label), body), row, 0)
            fld = registry.get(f"{stem}_{suffix}")
            grid.addWidget(page.add(fld, body), row, side_col)
            grid.addWidget(page.problems[fld.name], row + 1, side_col)
    row_box.addLayout(grid, 3)
    row_box.addWidget(_kendall_legend(body), 0, Qt.AlignmentFlag.AlignTop)
    outer.addLayout(row_box)


def _build_skin(body: QWidget, page: PageWidgets, outer: QVBoxLayout) -> None:
    grid = QGridLayout()
    half = (len(registry.SKIN_FINDINGS) + 1) // 2
    for i, (name, _label_en) in enumerate(registry.SKIN_FINDINGS):
        fld = registry.get(name)
        col = 0 if i < half else 3
        row = 2 * (i if i < half else i - half)
        lab = _label(fld.label, body)
        widget = page.add(fld, body)
        lab.setBuddy(widget)
        grid.addWidget(lab, row, col)
        grid.addWidget(widget, row, col + 1)
        grid.addWidget(page.problems[name], row + 1, col, 1, 2)
    grid.setColumnMinimumWidth(2, 30)
    grid.setColumnStretch(0, 1)
    grid.setColumnStretch(3, 1)
    outer.addLayout(grid)


def _build_cdasi(body: QWidget, page: PageWidgets, outer: QVBoxLayout) -> None:
    grid = QGridLayout()
    grid.addWidget(_label(body.tr("Location"), body, role="missing"), 0, 0)
    for col, (part, plabel, kind, _levels) in enumerate(registry.CDASI_PARTS, start=1):
        fld = registry.get(f"cdasi_{registry.CDASI_LOCATIONS[0][0]}_{part}")
        head = _label(f"{_(plabel)}\n({_(kind)}, {fld.allowed_text()})", body, role="missing")
        grid.addWidget(head, 0, col)
    for row, (loc, loc_label) in enumerate(registry.CDASI_LOCATIONS, start=1):
        grid.addWidget(_label(_(loc_label), body), row, 0)
        for col, (part, _pl, _kind, _lv) in enumerate(registry.CDASI_PARTS, start=1):
            fld = registry.get(f"cdasi_{loc}_{part}")
            grid.addWidget(page.add(fld, body, compact=True), row, col)
    outer.addLayout(grid)
    problems = QVBoxLayout()
    for loc, _loc_label in registry.CDASI_LOCATIONS:
        for part, *_rest in registry.CDASI_PARTS:
            problems.addWidget(page.problems[f"cdasi_{loc}_{part}"])
    outer.addLayout(problems)
    rest = [f for f in _entered("cdasi") if f.group in ("gottron_hand", "other")]
    outer.addLayout(_generic(body, page, tuple(rest)))


def _build_chaq(body: QWidget, page: PageWidgets, outer: QVBoxLayout) -> None:
    columns = QHBoxLayout()
    cols = [QVBoxLayout(), QVBoxLayout()]
    for i, (dom, (dom_label, items)) in enumerate(registry.CHAQ_DOMAINS.items()):
        box = QGroupBox(_(dom_label), body)
        grid = QGridLayout(box)
        grid.setColumnStretch(0, 1)
        row = 0
        for name, _label_en in items:
            fld = registry.get(name)
            grid.addWidget(_label(fld.label, box), row, 0)
            picker = page.add(fld, box)
            picker.setMinimumContentsLength(16)  # type: ignore[attr-defined]
            grid.addWidget(picker, row, 1)
            grid.addWidget(page.problems[name], row + 1, 0, 1, 2)
            row += 2
        aids = QHBoxLayout()
        for kind, text in (("aid", box.tr("Aids or devices")),
                           ("help", box.tr("Help from another person"))):
            fld = registry.get(f"chaq_{kind}_{dom}")
            check = BoolCheck(fld, box, text=text)
            page.widgets[fld.name] = check
            page.order.append(check)
            page.problems[fld.name] = ProblemLabel(box)
            aids.addWidget(check)
        aids.addStretch(1)
        grid.addLayout(aids, row, 0, 1, 2)
        cols[i % 2].addWidget(box)
    for col in cols:
        col.addStretch(1)
        columns.addLayout(col, 1)
    outer.addLayout(columns)
    vas = [f for f in _entered("chaq") if f.group == "vas"]
    outer.addLayout(_generic(body, page, tuple(vas)))


def _build_labs(body: QWidget, page: PageWidgets, outer: QVBoxLayout) -> None:
    box = QGroupBox(body.tr("Muscle enzymes (value and the laboratory's upper limit of normal)"),
                    body)
    grid = QGridLayout(box)
    for col, head in enumerate((box.tr("Enzyme"), box.tr("Value"), box.tr("ULN"),
                                box.tr("x ULN"))):
        grid.addWidget(_label(head, box, role="missing"), 0, col)
    for i, enzyme in enumerate(registry.ENZYMES):
        row = 1 + 2 * i
        fld = registry.get(enzyme)
        uln = registry.get(f"{enzyme}_uln")
        grid.addWidget(_label(f"{fld.label} ({fld.unit})", box), row, 0)
        grid.addWidget(page.add(fld, box), row, 1)
        grid.addWidget(page.add(uln, box), row, 2)
        ratio = _label("", box, wrap=False)
        page.extras[f"{enzyme}_ratio"] = ratio
        grid.addWidget(ratio, row, 3)
        grid.addWidget(page.problems[enzyme], row + 1, 1)
        grid.addWidget(page.problems[uln.name], row + 1, 2)
    grid.setColumnStretch(0, 1)
    outer.addWidget(box)
    other = [f for f in _entered("labs") if f.group != "enzymes"]
    outer.addLayout(_generic(body, page, tuple(other)))


BUILDERS: dict[str, Callable[[QWidget, PageWidgets, QVBoxLayout], None]] = {
    "visit": _build_visit,
    "cmas": _build_cmas,
    "mmt8": _build_mmt8,
    "skin": _build_skin,
    "cdasi": _build_cdasi,
    "chaq": _build_chaq,
    "labs": _build_labs,
}


def build_page(form: Form, parent: QWidget | None = None) -> tuple[QScrollArea, PageWidgets]:
    """The scrollable page for one entered visit form, and its widgets in tab order."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    body = QWidget()
    body.setObjectName(f"page_{form.key}")
    outer = QVBoxLayout(body)
    title = _label(form.label, body, role="heading")
    outer.addWidget(title)
    if form.description:
        outer.addWidget(_label(form.description, body, role="missing"))
    page = PageWidgets(form)
    builder = BUILDERS.get(form.key)
    if builder is None:
        outer.addLayout(_generic(body, page, _entered(form.key)))
    else:
        builder(body, page, outer)
    outer.addStretch(1)
    area.setWidget(body)
    # Tab order follows the order the widgets were registered in.
    for before, after in zip(page.order, page.order[1:], strict=False):
        QWidget.setTabOrder(before, after)
    return area, page


__all__ = ["PageWidgets", "build_page", "LevelPicker", "TextEntry"]
