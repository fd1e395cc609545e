"""Declarative page layouts: what each visit form's entry page shows, as data (no Qt).

A :class:`Layout` is a form key and a tuple of sections. Sections name fields (never restate a
label, a range or a level: those come from :mod:`forms.registry` when the page is built) and say
how they are arranged:

* :class:`Column` - the plain label / widget column (optionally with the visit's notes);
* :class:`ItemTable` - scored items with their level descriptors and an entry beside some of
  them (CMAS items and the seconds held of the timed ones);
* :class:`Grid` - fields in rows x columns with a label column, tab order by rows or by columns,
  and an optional :class:`Legend` beside it (the MMT-8 muscle x side grid with the Kendall
  legend; the CDASI grid by location with activity and damage columns);
* :class:`Checklist` - fields in several label / widget columns (the skin findings);
* :class:`Domains` - boxes of items with check boxes under each (CHAQ domains, aids and help);
* :class:`LimitTable` - a value, its limit and an indicator key per row (the muscle enzymes,
  their ULN and "x ULN").

Fields are referenced by name or by a registry :class:`Query` (the entered fields of a form,
optionally of some groups). Texts a layout adds (headings, legend titles) are English message
ids marked with :func:`~forms.i18n.N_`; the page builder translates them with ``_()``.

:func:`layout_for` returns the layout of a form. A page builder places every field a layout
names and then, by construction, every entered field of the form the layout does not name
(:meth:`Layout.unplaced`), so a field added to the registry always gets a widget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

from forms import registry
from forms.fields import Field, Level
from forms.i18n import N_
from forms.records import frozen


@frozen
class Query:
    """The entered visit fields of ``form`` (only those of ``groups`` when given), in registry
    order."""

    form: str
    groups: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in entered_fields(self.form)
                     if not self.groups or f.group in self.groups)


#: fields named one by one, or a registry query.
FieldSet = tuple[str, ...] | Query


def names_of(fields: FieldSet) -> tuple[str, ...]:
    """The field names of a :data:`FieldSet`, in order."""
    return fields.names() if isinstance(fields, Query) else tuple(fields)


@frozen
class Column:
    """The plain label / widget column: one row per field (label, widget with its unit, the
    field's inline problem under it). ``notes`` adds the visit's free-text notes
    (:data:`forms.registry.VISIT_NOTES`, widget key :data:`NOTES`) as the last row."""

    fields: FieldSet
    title: str = ""
    notes: bool = False

    def names(self) -> tuple[str, ...]:
        return names_of(self.fields)


@frozen
class ItemRow:
    """One scored item and, optionally, the field entered beside it (seconds held)."""

    item: str
    beside: str | None = None


@frozen
class ItemTable:
    """Items with their level descriptors in one column and an optional entry beside each."""

    rows: tuple[ItemRow, ...]
    headings: tuple[str, str, str] = (N_("Item"), N_("Score (level descriptor)"),
                                      N_("Seconds held"))

    def names(self) -> tuple[str, ...]:
        return tuple(n for row in self.rows for n in (row.item, row.beside) if n)


@frozen
class GridColumn:
    """A column of a :class:`Grid`: its heading, a note in brackets after it (``"activity"``)
    and, with ``show_allowed``, what the column's first field allows (``"0-3"``)."""

    label: str
    note: str = ""
    show_allowed: bool = False


@frozen
class GridRow:
    """A row of a :class:`Grid`: its label (empty: the label of its first field), a note
    after the label, and one cell per column (a field name, or None for an empty cell)."""

    label: str
    cells: tuple[str | None, ...]
    note: str = ""


@frozen
class LegendRow:
    cells: tuple[str, ...]
    tooltip: str = ""


@frozen
class Legend:
    """A small reference table shown beside a grid (the Kendall grades). The cells of the
    columns in ``translate`` are message ids (grade names); the others are shown as they are
    (codes, notations)."""

    title: str
    headings: tuple[str, ...]
    rows: tuple[LegendRow, ...]
    translate: tuple[int, ...] = ()


@frozen
class Grid:
    """Fields in rows x columns under headings, with a label column.

    ``tab_order`` ``"columns"`` walks one column top to bottom before the next (the MMT-8 right
    side, then the left); ``"rows"`` walks each row left to right. ``compact`` uses short
    pickers (codes only) and lists the inline problems under the grid instead of under each
    cell.
    """

    corner: str
    columns: tuple[GridColumn, ...]
    rows: tuple[GridRow, ...]
    tab_order: Literal["rows", "columns"] = "rows"
    compact: bool = False
    legend: Legend | None = None

    def names(self) -> tuple[str, ...]:
        return tuple(n for n, _row, _col in self.cells())

    def cells(self) -> Iterator[tuple[str, int, int]]:
        """(field name, row index, column index) of every filled cell, in tab order."""
        if self.tab_order == "columns":
            for c in range(len(self.columns)):
                for r, row in enumerate(self.rows):
                    name = row.cells[c] if c < len(row.cells) else None
                    if name:
                        yield name, r, c
        else:
            for r, row in enumerate(self.rows):
                for c, name in enumerate(row.cells):
                    if name:
                        yield name, r, c


@frozen
class Checklist:
    """Fields in ``columns`` label / widget columns, filled top to bottom then left to right."""

    fields: FieldSet
    columns: int = 2

    def names(self) -> tuple[str, ...]:
        return names_of(self.fields)


@frozen
class Check:
    """A check box under a domain's items, with a short text (the field label is its
    tooltip and accessible name)."""

    name: str
    text: str


@frozen
class Domain:
    title: str
    items: tuple[str, ...]
    checks: tuple[Check, ...] = ()


@frozen
class Domains:
    """One titled box per domain (its items, then its check boxes), in ``columns`` columns."""

    domains: tuple[Domain, ...]
    columns: int = 2

    def names(self) -> tuple[str, ...]:
        return tuple(n for d in self.domains
                     for n in (*d.items, *(c.name for c in d.checks)))


@frozen
class LimitRow:
    """A value, its limit (the ULN) and the key of the indicator shown beside them
    (``PageWidgets.extras[indicator]``, filled by the editor: ``"3.2 x ULN"``)."""

    value: str
    limit: str
    indicator: str


@frozen
class LimitTable:
    title: str
    rows: tuple[LimitRow, ...]
    headings: tuple[str, str, str, str] = (N_("Enzyme"), N_("Value"), N_("ULN"), N_("x ULN"))

    def names(self) -> tuple[str, ...]:
        return tuple(n for row in self.rows for n in (row.value, row.limit))


Section = Column | ItemTable | Grid | Checklist | Domains | LimitTable

#: the title of the trailing column of fields a layout does not place (Layout.completed).
OTHER_FIELDS = N_("More fields of this form")

#: the widget key of the visit's free-text notes (``Visit.notes``; not a value column).
NOTES = "notes"


@frozen
class Layout:
    """The page of one visit form: its sections, top to bottom."""

    form: str
    sections: tuple[Section, ...]

    def placed(self) -> tuple[str, ...]:
        """Every field name the sections place, in page (tab) order."""
        return tuple(n for s in self.sections for n in s.names())

    def unplaced(self) -> tuple[str, ...]:
        """The entered fields of the form the sections do not place (the builder gives them
        a trailing generic column)."""
        placed = set(self.placed())
        return tuple(f.name for f in entered_fields(self.form) if f.name not in placed)

    def completed(self) -> Layout:
        """This layout with a trailing :class:`Column` of the :meth:`unplaced` fields (titled
        :data:`OTHER_FIELDS`), or itself when it places every entered field."""
        rest = self.unplaced()
        if not rest:
            return self
        return Layout(self.form, (*self.sections, Column(rest, title=OTHER_FIELDS)))

    def problems(self) -> list[str]:
        """What is wrong with the layout: unknown fields, fields of another form, derived
        fields, fields placed twice (empty when sound)."""
        found: list[str] = []
        seen: set[str] = set()
        for name in self.placed():
            if not registry.has(name):
                found.append(f"{self.form}: unknown field {name!r}")
                continue
            fld = registry.get(name)
            if fld.form != self.form:
                found.append(f"{self.form}: {name} belongs to form {fld.form!r}")
            if fld.derived:
                found.append(f"{self.form}: {name} is derived, not entered")
            if name in seen:
                found.append(f"{self.form}: {name} placed twice")
            seen.add(name)
        return found


def entered_fields(form: str) -> tuple[Field, ...]:
    """The entered (non-derived) visit fields of ``form``, in registry order."""
    return registry.fields_for(level=Level.VISIT, form=form, derived=False)


# ------------------------------------------------------------------------ today's layouts
def _visit() -> Layout:
    return Layout("visit", (Column(Query("visit"), notes=True),))


def _cmas() -> Layout:
    rows = tuple(ItemRow(name, registry.CMAS_TIMED[name][0] if name in registry.CMAS_TIMED
                         else None) for name in registry.cmas_item_names())
    return Layout("cmas", (ItemTable(rows),))


def _kendall_legend() -> Legend:
    return Legend(N_("Grades: Kendall 0-10 and 0-5 with +/-"),
                  (N_("0-10"), N_("0-5"), N_("Grade")),
                  tuple(LegendRow((str(g), five, name), tooltip=crit)
                        for g, five, name, crit in registry.KENDALL_GRADES),
                  translate=(2,))


def _mmt8() -> Layout:
    sides = tuple(suffix for suffix, _side in registry.SIDES)
    axial = GridRow("", (registry.MMT_AXIAL[0], None), note=N_("(axial, tested once)"))
    paired = tuple(GridRow(label, tuple(f"{stem}_{s}" for s in sides))
                   for stem, label in registry.MMT_PAIRED)
    # Right column first, then left, so Tab walks one side at a time (IMACS tests the right
    # side; instruments.md 2.3).
    return Layout("mmt8", (Grid(N_("Muscle group"), (GridColumn(N_("Right")),
                                                      GridColumn(N_("Left"))),
                                (axial, *paired), tab_order="columns",
                                legend=_kendall_legend()),))


def _skin() -> Layout:
    return Layout("skin", (Checklist(tuple(name for name, _l in registry.SKIN_FINDINGS)),))


def _cdasi() -> Layout:
    parts = registry.CDASI_PARTS
    grid = Grid(N_("Location"),
                tuple(GridColumn(label, note=kind, show_allowed=True)
                      for _part, label, kind, _lv in parts),
                tuple(GridRow(loc_label, tuple(f"cdasi_{loc}_{p[0]}" for p in parts))
                      for loc, loc_label in registry.CDASI_LOCATIONS),
                compact=True)
    return Layout("cdasi", (grid, Column(Query("cdasi", ("gottron_hand", "other")))))


def _chaq() -> Layout:
    domains = tuple(
        Domain(dom_label, tuple(name for name, _l in items),
               (Check(f"chaq_aid_{dom}", N_("Aids or devices")),
                Check(f"chaq_help_{dom}", N_("Help from another person"))))
        for dom, (dom_label, items) in registry.CHAQ_DOMAINS.items())
    return Layout("chaq", (Domains(domains), Column(Query("chaq", ("vas",)))))


def _labs() -> Layout:
    table = LimitTable(
        N_("Muscle enzymes (value and the laboratory's upper limit of normal)"),
        tuple(LimitRow(e.name, e.uln_field, f"{e.name}_ratio") for e in registry.enzymes()))
    rest = tuple(sorted({f.group for f in entered_fields("labs")} - {"enzymes"}))
    return Layout("labs", (table, Column(Query("labs", rest))))


_LAYOUTS: dict[str, Callable[[], Layout]] = {
    "visit": _visit,
    "cmas": _cmas,
    "mmt8": _mmt8,
    "skin": _skin,
    "cdasi": _cdasi,
    "chaq": _chaq,
    "labs": _labs,
}


def layout_for(form_key: str) -> Layout:
    """The entry page layout of the visit form ``form_key``. A form without a declared layout
    gets one titled column per section its instrument declares (``Instrument.sections``: the
    MDI's organ systems), else one plain column of its entered fields."""
    make = _LAYOUTS.get(form_key)
    if make is not None:
        return make()
    sections = registry.sections(form_key)
    if sections:
        return Layout(form_key, tuple(Column(Query(form_key, (s.group,)), title=s.label)
                                      for s in sections))
    return Layout(form_key, (Column(Query(form_key)),))


__all__ = [
    "Check", "Checklist", "Column", "Domain", "Domains", "FieldSet", "Grid", "GridColumn",
    "GridRow", "ItemRow", "ItemTable", "Layout", "Legend", "LegendRow", "LimitRow",
    "LimitTable", "NOTES", "OTHER_FIELDS", "Query", "Section", "entered_fields", "layout_for",
    "names_of",
]
