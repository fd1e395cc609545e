"""One page per visit form: one generic builder interpreting :mod:`forms.layout`.

:func:`build_page` takes the form's declared layout (:func:`forms.layout.layout_for`), turns
each section into widgets (a label / widget column; CMAS-style items with descriptors and an
entry beside; grids with a legend; checklists; domain boxes with check boxes; value / limit
tables with an indicator) and registers every field widget, its inline problem label and any
indicator in a :class:`PageWidgets` the editor wires up. Every entered field of the form gets
a widget by construction: the fields the layout does not place follow in a trailing column
(:meth:`forms.layout.Layout.completed`). Labels, levels, units and ranges come from the
registry; the layout only names fields and adds headings.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
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

from forms import layout as lay
from forms import registry
from forms.fields import Field, Form
from forms.i18n import _
from gui.widgets import (
    BoolCheck,
    FieldWidget,
    LevelPicker,
    NotesEntry,
    ProblemLabel,
    TextEntry,
    make_field_widget,
    set_role,
)


class PageWidgets:
    """The field widgets and inline problem labels of one page, in tab order."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.widgets: dict[str, FieldWidget] = {}
        self.problems: dict[str, ProblemLabel] = {}
        self.extras: dict[str, QLabel] = {}  # indicators, e.g. "ck_ratio"
        self.order: list[QWidget] = []

    def add(self, fld: Field, parent: QWidget, *, compact: bool = False) -> FieldWidget:
        """The registry widget of ``fld``, registered with its problem label."""
        return self.register(fld, make_field_widget(fld, parent, compact=compact), parent)

    def register(self, fld: Field, widget: FieldWidget, parent: QWidget) -> FieldWidget:
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
        set_role(label, role)
    return label


def _heading(text: str, parent: QWidget) -> QLabel:
    """A column heading of a table-like section (grey)."""
    return _label(_(text), parent, role="missing")


def _with_unit(widget: QWidget, fld: Field, parent: QWidget) -> QWidget:
    if not fld.unit:
        return widget
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(widget)
    row.addWidget(QLabel(fld.unit, box))
    row.addStretch(1)
    return box


# ------------------------------------------------------------------------ sections
def _field_row(form_layout: QFormLayout, page: PageWidgets, fld: Field, parent: QWidget) -> None:
    widget = page.add(fld, parent)
    if isinstance(widget, BoolCheck):
        widget.setText(parent.tr("present / yes"))
    column = QWidget(parent)
    stack = QVBoxLayout(column)
    stack.setContentsMargins(0, 0, 0, 0)
    stack.setSpacing(1)
    stack.addWidget(widget if isinstance(widget, BoolCheck) else _with_unit(widget, fld, column))
    stack.addWidget(page.problems[fld.name])
    page.problems[fld.name].setParent(column)
    label = _label(fld.label, parent, wrap=len(fld.label) > 48)
    label.setMinimumWidth(min(260, label.sizeHint().width()))
    label.setBuddy(widget)
    form_layout.addRow(label, column)


def _column(section: lay.Column, body: QWidget, page: PageWidgets, outer: QBoxLayout) -> None:
    form_layout = QFormLayout()
    form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for name in section.names():
        _field_row(form_layout, page, registry.get(name), body)
    if section.notes:
        notes = NotesEntry(body)
        notes.setMinimumHeight(90)
        page.widgets[lay.NOTES] = notes
        page.order.append(notes)
        notes_label = _label(body.tr("Notes"), body)
        notes_label.setBuddy(notes)
        form_layout.addRow(notes_label, notes)
    if section.title:
        box = QGroupBox(_(section.title), body)
        box.setLayout(form_layout)
        outer.addWidget(box)
    else:
        outer.addLayout(form_layout)


def _item_table(section: lay.ItemTable, body: QWidget, page: PageWidgets,
                outer: QBoxLayout) -> None:
    grid = QGridLayout()
    grid.setColumnStretch(0, 2)
    grid.setColumnStretch(1, 3)
    for col, head in enumerate(section.headings):
        grid.addWidget(_heading(head, body), 0, col)
    for i, item in enumerate(section.rows):
        row = 1 + 2 * i
        fld = registry.get(item.item)
        grid.addWidget(_label(fld.label, body), row, 0)
        grid.addWidget(page.add(fld, body), row, 1)
        grid.addWidget(page.problems[fld.name], row + 1, 1)
        if item.beside:
            beside = registry.get(item.beside)
            entry = page.add(beside, body)
            entry.setToolTip(beside.help)
            grid.addWidget(_with_unit(entry, beside, body), row, 2)
            grid.addWidget(page.problems[beside.name], row + 1, 2)
    outer.addLayout(grid)


def _legend(legend: lay.Legend, body: QWidget) -> QWidget:
    box = QGroupBox(_(legend.title), body)
    grid = QGridLayout(box)
    for col, head in enumerate(legend.headings):
        grid.addWidget(_label(_(head), box, wrap=False, role="missing"), 0, col)
    for row, entry in enumerate(legend.rows, start=1):
        for col, text in enumerate(entry.cells):
            cell = _label(_(text) if col in legend.translate else text, box, wrap=False)
            if entry.tooltip and col == len(entry.cells) - 1:
                cell.setToolTip(_(entry.tooltip))
            grid.addWidget(cell, row, col)
    return box


def _grid_heading(section: lay.Grid, col: int) -> str:
    column = section.columns[col]
    text = _(column.label)
    extra = [_(column.note)] if column.note else []
    if column.show_allowed:
        first = next((r.cells[col] for r in section.rows if r.cells[col]), None)
        if first:
            extra.append(registry.get(first).allowed_text())
    return f"{text}\n({', '.join(extra)})" if extra else text


def _grid(section: lay.Grid, body: QWidget, page: PageWidgets, outer: QBoxLayout) -> None:
    grid = QGridLayout()
    grid.addWidget(_heading(section.corner, body), 0, 0)
    for col in range(len(section.columns)):
        grid.addWidget(_label(_grid_heading(section, col), body, role="missing"), 0, col + 1)
    step = 1 if section.compact else 2  # a row of problem labels under each row of widgets
    for r, row in enumerate(section.rows):
        first = next((n for n in row.cells if n), None)
        text = _(row.label) if row.label else (registry.get(first).label if first else "")
        if row.note:
            text = f"{text} {_(row.note)}"
        grid.addWidget(_label(text, body), 1 + step * r, 0)
    for name, r, c in section.cells():  # tab order
        widget = page.add(registry.get(name), body, compact=section.compact)
        grid.addWidget(widget, 1 + step * r, 1 + c)
        if not section.compact:
            cells = section.rows[r].cells
            span = 1
            while c + span < len(cells) and cells[c + span] is None:
                span += 1  # the problem may use the empty cells beside it
            grid.addWidget(page.problems[name], 2 + step * r, 1 + c, 1, span)
    if section.legend is None:
        outer.addLayout(grid)
    else:
        beside = QHBoxLayout()
        beside.addLayout(grid, 3)
        beside.addWidget(_legend(section.legend, body), 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(beside)
    if section.compact:
        problems = QVBoxLayout()
        for row in section.rows:
            for cell in row.cells:
                if cell:
                    problems.addWidget(page.problems[cell])
        outer.addLayout(problems)


def _checklist(section: lay.Checklist, body: QWidget, page: PageWidgets,
               outer: QBoxLayout) -> None:
    grid = QGridLayout()
    names = section.names()
    columns = max(1, section.columns)
    per_column = (len(names) + columns - 1) // columns
    for i, name in enumerate(names):
        fld = registry.get(name)
        col = 3 * (i // per_column)
        row = 2 * (i % per_column)
        label = _label(fld.label, body)
        widget = page.add(fld, body)
        label.setBuddy(widget)
        grid.addWidget(label, row, col)
        grid.addWidget(widget, row, col + 1)
        grid.addWidget(page.problems[name], row + 1, col, 1, 2)
    for k in range(columns):
        grid.setColumnStretch(3 * k, 1)
        if k + 1 < columns:
            grid.setColumnMinimumWidth(3 * k + 2, 30)
    outer.addLayout(grid)


def _domains(section: lay.Domains, body: QWidget, page: PageWidgets,
             outer: QBoxLayout) -> None:
    columns = QHBoxLayout()
    stacks = [QVBoxLayout() for _i in range(max(1, section.columns))]
    for i, domain in enumerate(section.domains):
        box = QGroupBox(_(domain.title), body)
        grid = QGridLayout(box)
        grid.setColumnStretch(0, 1)
        row = 0
        for name in domain.items:
            fld = registry.get(name)
            grid.addWidget(_label(fld.label, box), row, 0)
            picker = page.add(fld, box)
            if isinstance(picker, LevelPicker):
                picker.setMinimumContentsLength(16)
            grid.addWidget(picker, row, 1)
            grid.addWidget(page.problems[name], row + 1, 0, 1, 2)
            row += 2
        checks = QHBoxLayout()
        for check in domain.checks:
            fld = registry.get(check.name)
            checks.addWidget(page.register(fld, BoolCheck(fld, box, text=_(check.text)), box))
        checks.addStretch(1)
        grid.addLayout(checks, row, 0, 1, 2)
        check_problems = QVBoxLayout()  # under the check boxes (hidden while all is well)
        for check in domain.checks:
            check_problems.addWidget(page.problems[check.name])
        grid.addLayout(check_problems, row + 1, 0, 1, 2)
        stacks[i % len(stacks)].addWidget(box)
    for stack in stacks:
        stack.addStretch(1)
        columns.addLayout(stack, 1)
    outer.addLayout(columns)


def _limit_table(section: lay.LimitTable, body: QWidget, page: PageWidgets,
                 outer: QBoxLayout) -> None:
    box = QGroupBox(_(section.title), body)
    grid = QGridLayout(box)
    for col, head in enumerate(section.headings):
        grid.addWidget(_heading(head, box), 0, col)
    for i, entry in enumerate(section.rows):
        row = 1 + 2 * i
        fld = registry.get(entry.value)
        limit = registry.get(entry.limit)
        grid.addWidget(_label(f"{fld.label} ({fld.unit})" if fld.unit else fld.label, box),
                       row, 0)
        grid.addWidget(page.add(fld, box), row, 1)
        grid.addWidget(page.add(limit, box), row, 2)
        indicator = _label("", box, wrap=False)
        page.extras[entry.indicator] = indicator
        grid.addWidget(indicator, row, 3)
        grid.addWidget(page.problems[fld.name], row + 1, 1)
        grid.addWidget(page.problems[limit.name], row + 1, 2)
    grid.setColumnStretch(0, 1)
    outer.addWidget(box)


def _build_section(section: lay.Section, body: QWidget, page: PageWidgets,
                   outer: QBoxLayout) -> None:
    if isinstance(section, lay.Column):
        _column(section, body, page, outer)
    elif isinstance(section, lay.ItemTable):
        _item_table(section, body, page, outer)
    elif isinstance(section, lay.Grid):
        _grid(section, body, page, outer)
    elif isinstance(section, lay.Checklist):
        _checklist(section, body, page, outer)
    elif isinstance(section, lay.Domains):
        _domains(section, body, page, outer)
    else:
        _limit_table(section, body, page, outer)


def build_page(form: Form, parent: QWidget | None = None,
               layout: lay.Layout | None = None) -> tuple[QScrollArea, PageWidgets]:
    """The scrollable page for one entered visit form, and its widgets in tab order.

    ``layout`` defaults to the form's declared layout; fields it does not place get a
    trailing column, so every entered field of the form has a widget."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    body = QWidget()
    body.setObjectName(f"page_{form.key}")
    outer = QVBoxLayout(body)
    outer.addWidget(_label(form.label, body, role="heading"))
    if form.description:
        outer.addWidget(_label(form.description, body, role="missing"))
    page = PageWidgets(form)
    for section in (layout or lay.layout_for(form.key)).completed().sections:
        _build_section(section, body, page, outer)
    outer.addStretch(1)
    area.setWidget(body)
    # Tab order follows the order the widgets were registered in.
    for before, after in zip(page.order, page.order[1:], strict=False):
        QWidget.setTabOrder(before, after)
    return area, page


__all__ = ["PageWidgets", "build_page", "LevelPicker", "TextEntry"]
