"""Qt table models of the main window: patients, a patient's visits, medications, adverse
events, and a visit's audit trail.

Every model is a :class:`RecordTableModel`: a list of plain records and a tuple of
:class:`Column` s (header, how to show a record's cell, the native value to sort by). Each has
``set_rows()`` bracketed by ``beginResetModel/endResetModel``, :data:`SORT_ROLE` returning
native values for :class:`QSortFilterProxyModel`, :data:`RECORD_ROLE` returning the backing
record, and ``update_row()`` emitting ``dataChanged`` for in-place changes (style practice 4).
The values shown come from ``forms`` (scores, responses) or from storage summaries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from forms import registry, response
from forms.fields import Field, Level
from forms.formatting import format_value
from forms.i18n import local_time_text
from forms.medication import schedule_text
from forms.model import AdverseEvent, Medication
from forms.protocol import label_words
from forms.records import frozen
from gui.style import readable

if TYPE_CHECKING:
    from forms.finder import Searchable
    from forms.medication import Exposure
    from forms.model import Visit
    from forms.response import VisitResponse
    from forms.scoring import Score
    from storage.signoff import SignoffStatus

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


def show(value: object) -> str:
    """How a cell value is displayed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def sort_key(value: object) -> object:
    """A value QSortFilterProxyModel can compare (numbers as float, dates as ISO text)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _mixed_order(key: object) -> tuple[bool, Any]:
    """Numbers first (by value), then everything else as text."""
    numeric = isinstance(key, int | float)
    return (not numeric, key if numeric else str(key))


@frozen
class Column:
    """One column: header, the value of a record (native), optional display text and colour."""

    key: str
    header: str
    value: Callable[[Any], object]
    text: Callable[[Any], str] | None = None
    colour: Callable[[Any], str | None] | None = None
    align_right: bool = False


class RecordTableModel(QAbstractTableModel):
    """A read-only table of plain records described by :class:`Column` s."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[Any] = []
        self._search: list[str | None] = []

    # -- Qt overrides
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns)):
            return self.columns[section].header
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        record = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record) if column.text else show(column.value(record))
        if role == SORT_ROLE:
            return sort_key(column.value(record))
        if role == RECORD_ROLE:
            return record
        if role == SEARCH_ROLE:
            return self.search_text_of(index.row())
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour:
            colour = column.colour(record)
            return QBrush(readable(QColor(colour))) if colour else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the records by a column's native value; missing values go last either way.

        Sorting here (one Python ``sorted`` over the keys) instead of in the proxy keeps a
        filter change over 5,000 rows from costing ~70,000 ``data()`` calls from C++.
        """
        if not 0 <= column < len(self.columns):
            return
        value = self.columns[column].value
        keys: list[Any] = [sort_key(value(r)) for r in self._rows]
        present = [i for i, k in enumerate(keys) if k is not None]
        missing = [i for i, k in enumerate(keys) if k is None]
        kinds = {type(keys[i]) for i in present}
        descending = order == Qt.SortOrder.DescendingOrder
        if kinds <= {str} or kinds <= {int, float}:
            # one kind of value (study IDs, dates as text, numbers): the keys themselves
            # order them as the mixed rule does, and are compared in C
            present.sort(key=keys.__getitem__, reverse=descending)
        else:
            present.sort(key=lambda i: _mixed_order(keys[i]), reverse=descending)
        self._reorder(present + missing)

    def _reorder(self, order_ix: list[int]) -> None:
        """Put the rows in ``order_ix`` order, keeping persistent indexes on their rows."""
        if order_ix == list(range(len(self._rows))):
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_rows = [ix.row() for ix in old_persistent]
        self._rows = [self._rows[i] for i in order_ix]
        self._search = [self._search[i] for i in order_ix]
        new_pos = {old: new for new, old in enumerate(order_ix)}
        self.changePersistentIndexList(
            old_persistent, [self.index(new_pos[r], ix.column()) for r, ix in
                             zip(old_rows, old_persistent, strict=True)])
        self.layoutChanged.emit()

    # -- our API
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._search = [None] * len(self._rows)  # filled when first filtered
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def record(self, row: int) -> Any:
        return self._rows[row]

    def update_row(self, row: int, record: Any) -> None:
        """Replace one record in place and tell the views."""
        self._rows[row] = record
        self._search[row] = None
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def search_text_of(self, row: int) -> str:
        text = self._search[row]
        if text is None:
            text = self._search[row] = self.search_text(self._rows[row])
        return text

    def search_text(self, record: Any) -> str:
        """The lower-case text type-to-filter matches (all displayed cells)."""
        return " ".join(
            (c.text(record) if c.text else show(c.value(record))) for c in self.columns).lower()


class FilterProxy(QSortFilterProxyModel):
    """Filters on every displayed cell of a row (type-to-filter).

    Views sort the *source* model (:meth:`RecordTableModel.sort`, wired by
    :func:`sort_source_on_header_click`); the proxy keeps the source order, so filtering never
    re-sorts. Proxy sorting by :data:`SORT_ROLE` still works for other uses.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._needle = ""

    def set_filter_text(self, text: str) -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt < 6.9
            self._needle = text.strip().lower()
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self._needle = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        if not self._needle:
            return True
        model = self.sourceModel()
        if isinstance(model, RecordTableModel):  # fast path: no QModelIndex per row
            text = model.search_text_of(source_row)
        else:
            text = model.data(model.index(source_row, 0, source_parent), SEARCH_ROLE) or ""
        return all(word in text for word in self._needle.split())



class RankedFilterProxy(QSortFilterProxyModel):
    """Shows the patients a ranking accepted (:meth:`PatientListModel.rank`, by study ID), in
    the source order, which the ranking has made best-first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._accepted: set[str] | None = None

    def set_accepted(self, rows: set[str] | None) -> None:
        """``None`` shows every row."""
        if not hasattr(self, "beginFilterChange"):  # Qt < 6.9
            self._accepted = rows
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self._accepted = rows
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        if self._accepted is None:
            return True
        model = self.sourceModel()
        if not isinstance(model, RecordTableModel):
            return True
        return model.record(source_row).study_id in self._accepted


def sort_source_on_header_click(view: Any, proxy: QSortFilterProxyModel) -> None:
    """Header clicks sort the proxy's source model (see :class:`FilterProxy`)."""
    view.setSortingEnabled(False)
    header = view.horizontalHeader()
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
    header.sortIndicatorChanged.connect(
        lambda column, order: proxy.sourceModel().sort(column, order))


# ------------------------------------------------------------------------------ patients
class PatientRow(NamedTuple):
    """One line of the patient list (what the list shows; built from a storage summary).

    A named tuple rather than a frozen dataclass: the list builds 5,000 of them at start-up,
    and a tuple is made in C (``Session.patient_rows``: ~1 us a row instead of ~4)."""

    study_id: str
    sex: str | None = None
    age: Decimal | None = None
    visits: int = 0
    last_visit: dt.date | None = None
    cmas: int | None = None
    mmt8: int | None = None
    response: str | None = None  #: ACR/EULAR category of the last visit vs baseline
    last_label: str | None = None  #: protocol label of the last visit (M0, M3, ...)
    response_min: str | None = None  #: bounds of that response (instruments.md 0.5)
    response_max: str | None = None
    tis_measures: int | None = None  #: TIS rows available (of 6)
    mrn: str | None = None
    given_name: str | None = None
    family_name: str | None = None

    @property
    def name(self) -> str:
        """``Berg, Anna``; ``王 小明`` when the names are Chinese/Japanese/Korean."""
        return person_name(self.given_name, self.family_name)


def person_name(given: str | None, family: str | None) -> str:
    """A patient's name as lists and banners show it: family name first."""
    given, family = (given or "").strip(), (family or "").strip()
    if not (given and family):
        return given or family
    if any(ord(c) > 0x2E80 for c in family + given):  # CJK: family then given, no comma
        return f"{family} {given}"
    return f"{family}, {given}"


_RESPONSE_COLOURS = {"major": "#1b5e20", "moderate": "#2e7d32", "minimal": "#8a5a00",
                     "none": "#b71c1c", "indeterminate": "#555555"}


def _response_text(row: PatientRow) -> str:
    """The category, or what is known of a partial one ("at least moderate (major
    possible; 2 measures missing)"), from the stored bounds: never a bare "Indeterminate"."""
    if not row.response:
        return ""
    rows = len(response.LEVEL_SCORES)  # the 6 TIS rows
    missing = rows - row.tis_measures if row.tis_measures is not None else 0
    return response.describe_bounds(row.response, row.response_min, row.response_max,
                                    missing, kind="acr", capital=True)


def _acr_text(r: VisitRow) -> str:
    return r.response.tis.describe(capital=True) if r.response is not None else ""


def _printo_text(r: VisitRow) -> str:
    return r.response.printo.describe(capital=True) if r.response is not None else ""


def patient_columns(tr: Callable[[str], str]) -> tuple[Column, ...]:
    sex = registry.get("sex")
    return (
        Column("study_id", tr("Study ID"), lambda r: r.study_id),
        Column("name", tr("Name"), lambda r: r.name or None),
        Column("mrn", tr("MRN"), lambda r: r.mrn),
        Column("sex", sex.label, lambda r: r.sex,
               text=lambda r: sex.choice_label(r.sex) if r.sex else ""),
        Column("age", tr("Age (y)"), lambda r: r.age, align_right=True),
        Column("visits", tr("Visits"), lambda r: r.visits, align_right=True),
        Column("last_visit", tr("Last visit"), lambda r: r.last_visit),
        Column("last_label", tr("Label"), lambda r: r.last_label),
        Column("cmas", _short("cmas_total"), lambda r: r.cmas, align_right=True),
        Column("mmt8", _short("mmt8_total"), lambda r: r.mmt8, align_right=True),
        Column("response", tr("Response vs baseline"), lambda r: r.response,
               text=_response_text,
               colour=lambda r: _RESPONSE_COLOURS.get(r.response or "")),
    )


class PatientListModel(RecordTableModel):
    """The patient list (rows are :class:`PatientRow`).

    :meth:`rank` orders the rows for what was typed in the finder (:mod:`forms.finder`): the
    best match first; the proxy then shows only the matches (:class:`RankedFilterProxy`).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(patient_columns(self.tr), parent)
        self._searchable: dict[str, Searchable] = {}
        self._warmed = 0  #: rows warm_search() has done since the rows were set

    def set_rows(self, rows: Sequence[Any]) -> None:
        self._searchable = {}
        self._warmed = 0
        super().set_rows(rows)

    def update_row(self, row: int, record: Any) -> None:
        self._searchable.pop(record.study_id, None)
        super().update_row(row, record)

    def searchable(self, row: int) -> Searchable:
        record: PatientRow = self._rows[row]
        found = self._searchable.get(record.study_id)
        if found is None:
            from forms.finder import Searchable  # noqa: PLC0415 - the finder: after the list

            sex = registry.get("sex")
            other = " ".join(c.text(record) if c.text else show(c.value(record))
                             for c in self.columns
                             if c.key not in ("study_id", "name", "mrn", "sex"))
            found = self._searchable[record.study_id] = Searchable(
                record.study_id, record.mrn, record.given_name, record.family_name,
                (record.sex, sex.choice_label(record.sex)) if record.sex else (), other)
        return found

    def warm_search(self, rows: int | None = None) -> bool:
        """Fold the rows' texts for the finder ahead of the first keystroke, at most ``rows``
        more of them (all when None), continuing where the last call stopped; True when every
        row is done. The list page calls it in slices once the list is on screen; a
        keystroke before the end folds the rest itself (:meth:`searchable` is lazy)."""
        end = len(self._rows) if rows is None else min(len(self._rows), self._warmed + rows)
        for i in range(self._warmed, end):
            self.searchable(i).folded()
        self._warmed = end
        return end >= len(self._rows)

    def rank(self, query: str) -> set[str]:
        """Reorder the rows best match first for ``query``; returns the matching study IDs."""
        from forms.finder import rank_patients  # noqa: PLC0415

        order = rank_patients(query, [self.searchable(i) for i in range(len(self._rows))])
        matched = set(order)
        rest = [i for i in range(len(self._rows)) if i not in matched]
        ids = {self._rows[i].study_id for i in order}
        self._reorder(order + rest)
        return ids

    def row_of(self, study_id: str) -> int | None:
        for i, r in enumerate(self._rows):
            if r.study_id == study_id:
                return i
        return None


# ------------------------------------------------------------------------------ visits
@frozen
class VisitRow:
    """One visit of the timeline: key scores and the response against baseline."""

    visit: Visit
    scores: Mapping[str, Score]  #: forms.scoring.score_visit(...)
    response: VisitResponse | None  #: None at the baseline
    is_baseline: bool
    #: when the visit was ever signed, else None
    signoff: SignoffStatus | None = None
    #: since the previous visit (None at the first visit)
    exposure: Exposure | None = None


def _signoff_text(row: VisitRow, tr: Callable[[str], str]) -> str:
    """``Dr A, 2026-11-25 18:04 CST (UTC+08:00)`` (local time) for a signed visit,
    ``unlocked`` after a voided one."""
    status = row.signoff
    if status is None:
        return ""
    current = status.current
    if current is None:
        return tr("unlocked")
    return tr("{name}, {at}").format(name=current.signed_by,
                                     at=local_time_text(current.signed_at))


def _short(name: str) -> str:
    """A column header: the field's registry abbreviation (instrument names are not chrome)."""
    return registry.get(name).short_label


def score_value(scores: Mapping[str, Score], name: str) -> int | Decimal | str | None:
    """The value of one score of a visit (None when missing or not computed)."""
    score = scores.get(name)
    return score.value if score is not None else None


def _score(name: str) -> Callable[[VisitRow], object]:
    return lambda r: score_value(r.scores, name)


def _tis(r: VisitRow) -> Decimal | None:
    return r.response.tis.tis if r.response is not None else None


def _acr_category(r: VisitRow) -> str | None:
    return r.response.tis.category if r.response is not None else None


def _printo_level(r: VisitRow) -> str | None:
    return r.response.printo.level if r.response is not None else None


def _measure(key: str, name: str | Field, value: Callable[[Any], object]) -> Column:
    """A right-aligned column of one registry measure, every cell with the field's decimals
    (a column never mixes ``3`` and ``4.2``)."""
    fld = registry.get(name) if isinstance(name, str) else name
    return Column(key, fld.short_label, value, align_right=True,
                  text=lambda r: format_value(fld, value(r), fixed=True, unit=False))


def visit_columns(tr: Callable[[str], str]) -> tuple[Column, ...]:
    cid = registry.get("printo_cid")
    return (
        Column("visit_date", registry.get("visit_date").label, lambda r: r.visit.visit_date),
        Column("visit_label", tr("Label"), lambda r: r.visit.visit_label,
               text=lambda r: label_words(r.visit.visit_label)),
        Column("baseline", tr("Baseline"), lambda r: r.is_baseline,
               text=lambda r: tr("baseline") if r.is_baseline else ""),
        _measure("cmas_total", "cmas_total", _score("cmas_total")),
        _measure("mmt8_total", "mmt8_total", _score("mmt8_total")),
        _measure("phys_global", "phys_global", lambda r: r.visit.values.get("phys_global")),
        _measure("chaq_di", "chaq_di", _score("chaq_di")),
        _measure("ck", "ck", lambda r: r.visit.values.get("ck")),
        _measure("steroid", "steroid_mg_kg_day", _score("steroid_mg_kg_day")),
        _measure("tis", "tis", _tis),
        Column("acr", tr("ACR/EULAR"), _acr_category, text=_acr_text,
               colour=lambda r: _RESPONSE_COLOURS.get(_acr_category(r) or "")),
        Column("printo", tr("PRINTO"), _printo_level, text=_printo_text),
        Column("cid", cid.label.replace("PRINTO clinically inactive disease", tr("CID")),
               _score("printo_cid"),
               text=lambda r: cid.choice_label(_score("printo_cid")(r) or "") if _score(
                   "printo_cid")(r) else ""),
        _measure("gc_exposure", registry.GC_EXPOSURE,
                 lambda r: r.exposure.mg_per_kg_decimal() if r.exposure is not None else None),
        Column("signoff", tr("Signed off"), lambda r: _signoff_text(r, tr),
               text=lambda r: _signoff_text(r, tr)),
    )


class VisitTimelineModel(RecordTableModel):
    """A patient's visits, oldest first (rows are :class:`VisitRow`)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(visit_columns(self.tr), parent)


# ------------------------------------------------------------------------------ records
def _record_columns(level: Level, names: Sequence[str]) -> tuple[Column, ...]:
    cols = []
    for name in names:
        fld = registry.get(name, level)

        def value(r: Any, name: str = name) -> object:
            return getattr(r, name, None)

        def text(r: Any, fld: Any = fld) -> str:
            return format_value(fld, getattr(r, fld.name, None), unit=False, levels=True)

        cols.append(Column(name, fld.label, value, text=text))
    return tuple(cols)


class MedicationModel(RecordTableModel):
    """A patient's medication courses (rows are :class:`forms.model.Medication`): the drug by
    its listed name, the dose as prescribed in words ("15 mg once a week"), route, dates."""

    NAMES = ("route", "start_date", "stop_date", "notes")

    def __init__(self, parent: QObject | None = None) -> None:
        drug = registry.get("drug", Level.MEDICATION)
        columns = (
            Column("drug", drug.label, lambda m: registry.drug_label(m.drug)),
            Column("prescribed", self.tr("As prescribed"), schedule_text),
            *_record_columns(Level.MEDICATION, self.NAMES))
        super().__init__(columns, parent)

    def set_rows(self, rows: Sequence[Medication]) -> None:
        super().set_rows(rows)


class AdverseEventModel(RecordTableModel):
    """A patient's adverse events (rows are :class:`forms.model.AdverseEvent`)."""

    NAMES = ("onset_date", "term", "grade", "serious", "related_drug", "action", "outcome",
             "resolution_date")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_record_columns(Level.ADVERSE_EVENT, self.NAMES), parent)

    def set_rows(self, rows: Sequence[AdverseEvent]) -> None:
        super().set_rows(rows)


# ------------------------------------------------------------------------------ audit
def _get(record: Any, key: str) -> object:
    if isinstance(record, dict):
        return record.get(key)
    return getattr(record, key, None)


class AuditModel(RecordTableModel):
    """A visit's audit trail, read-only (rows are ``storage.repository.AuditEntry``)."""

    def __init__(self, parent: QObject | None = None) -> None:
        tr = self.tr
        actions = {"insert": tr("added"), "update": tr("changed"), "delete": tr("deleted")}
        super().__init__((
            Column("at", tr("When"), lambda r: _get(r, "at"),
                   text=lambda r: _when(_get(r, "at"))),
            Column("actor", tr("Who"), lambda r: _get(r, "actor")),
            Column("action", tr("Action"), lambda r: _get(r, "action"),
                   text=lambda r: actions.get(str(_get(r, "action")), show(_get(r, "action")))),
            Column("context", tr("Record"), lambda r: _get(r, "context"),
                   text=lambda r: context_text(show(_get(r, "context")))),
            Column("field", tr("Field"), lambda r: _get(r, "field"),
                   text=lambda r: _field_label(_get(r, "field"))),
            Column("old", tr("Old value"), lambda r: _get(r, "old"),
                   text=lambda r: _value_text(r, "old")),
            Column("new", tr("New value"), lambda r: _get(r, "new"),
                   text=lambda r: _value_text(r, "new")),
        ), parent)


_CONTEXT_RULES = (  # what storage writes into audit.context (English, kept as stored)
    (re.compile(r"^patient (?P<sid>[^,:]+)"), "patient {sid}"),
    (re.compile(r", visit (?P<v>[^:]+)"), ", visit {v}"),
    (re.compile(r", medication (?P<v>[^:]+)"), ", medication {v}"),
    (re.compile(r", adverse event (?P<v>[^:]+)"), ", adverse event {v}"),
    (re.compile(r": signed off$"), ": signed off"),
    (re.compile(r": unlocked \(signature of (?P<name>.+) voided\)$"),
     ": unlocked (signature of {name} voided)"),
)


def context_text(text: str) -> str:
    """An audit row's record description (stored in English by storage) in the GUI's
    language: ``patient P01, visit 2024-05-22 (M3)`` -> ``患者 P01，访视 2024-05-22 (M3)``."""
    translate = QCoreApplication.translate
    templates = {
        "patient {sid}": translate("AuditModel", "patient {sid}"),
        ", visit {v}": translate("AuditModel", ", visit {v}"),
        ", medication {v}": translate("AuditModel", ", medication {v}"),
        ", adverse event {v}": translate("AuditModel", ", adverse event {v}"),
        ": signed off": translate("AuditModel", ": signed off"),
        ": unlocked (signature of {name} voided)": translate(
            "AuditModel", ": unlocked (signature of {name} voided)"),
    }
    for pattern, key in _CONTEXT_RULES:
        template = templates[key]

        def fill(match: re.Match[str], template: str = template) -> str:
            return template.format(**match.groupdict())

        text = pattern.sub(fill, text)
    return text


def _when(value: object) -> str:
    if isinstance(value, dt.datetime):  # stored in UTC, shown in local time with the zone
        return local_time_text(value, seconds=True)
    return show(value)


def _field_label(name: object) -> str:
    if isinstance(name, str) and registry.has(name):
        return f"{registry.get(name).label} ({name})"
    header = {"baseline": QCoreApplication.translate("AuditModel", "Baseline visit"),
              "notes": QCoreApplication.translate("AuditModel", "Notes"),
              "patient_id": QCoreApplication.translate("AuditModel", "Patient record number")}
    if isinstance(name, str) and name in header:
        return f"{header[name]} ({name})"
    return show(name)


def _value_text(record: Any, key: str) -> str:
    """An old/new value of the audit trail: a choice code shown with its label."""
    value, name = _get(record, key), _get(record, "field")
    if isinstance(name, str) and registry.has(name) and value not in (None, ""):
        fld = registry.get(name)
        if fld.choices:
            label = fld.choice_label(value)
            return label if label == str(value) else f"{label} ({value})"
    return show(value)
