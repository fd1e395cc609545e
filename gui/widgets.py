"""Field widgets generated from registry fields: pickers, number/text/date entries, checkboxes.

Every widget is built from one :class:`forms.fields.Field` and speaks text to the editor: it
emits ``edited(name, text)`` when the user changes it and shows a text the editor hands back
with :meth:`show_text`. Labels, levels and choices come from the field; nothing is restated.

Keyboard: a picker takes digit keys, ``n`` for "not applicable" where allowed, Delete/Backspace
to clear (not assessed); Tab moves on. On the Kendall 0-10 scale ``1`` then ``0`` is always 10,
however long the pause between them (no timing: a slow typist never gets 0 for 10); the ``1``
shows as 1 and stays 1 when any other key follows. To record 0 after a ``1``, clear first
(Delete) or type ``t`` (trace, graded 0).

Signals (all widgets):
    edited(str, str): field name and the new text ("" = not assessed).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFocusEvent,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QPixmap,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
    QWidgetAction,
)

from forms import registry, validation
from forms.fields import Field, FieldType
from forms.i18n import _
from forms.protocol import DEFAULT_PROTOCOL, FLARE, UNSCHEDULED, Protocol, canonical_label
from gui.style import DARK_STYLE_SHEET as DARK_STYLE_SHEET
from gui.style import SEVERITY_PROPERTY, restyle, set_role
from gui.style import STYLE_SHEET as STYLE_SHEET
from gui.style import STYLED_PROPERTIES as STYLED_PROPERTIES
from gui.style import ElidedLabel as ElidedLabel
from gui.style import contrast as contrast
from gui.style import is_dark as is_dark
from gui.style import readable as readable
from gui.style import style_sheet as style_sheet


def kendall_text(grade: int) -> str:
    """``8 = 4 Good``: the Kendall 0-10 grade with its 0-5 +/- notation (registry table)."""
    for g, five, name, _crit in registry.KENDALL_GRADES:
        if g == grade:
            return f"{g}  ({five})  {_(name)}"
    return str(grade)


def is_kendall(fld: Field) -> bool:
    return fld.form == "mmt8" and fld.type is FieldType.INTEGER and not fld.derived


class FieldWidgetMixin:
    """What the editor needs from every field widget (mixed into QWidget subclasses only)."""

    field: Field
    read_only: bool = False

    def set_severity(self, severity: str) -> None:
        widget = self
        assert isinstance(widget, QWidget)
        if widget.property(SEVERITY_PROPERTY) == severity:
            return
        widget.setProperty(SEVERITY_PROPERTY, severity)
        restyle(widget)

    def set_read_only(self, flag: bool) -> None:
        """Readable but not editable (a signed visit): normal text on a paper-coloured
        background, still focusable and selectable, never the disabled grey-on-grey."""
        widget = self
        assert isinstance(widget, QWidget)
        self.read_only = flag
        if isinstance(widget, QLineEdit):
            widget.setReadOnly(flag)
        widget.setProperty("readonly", "true" if flag else None)
        restyle(widget)

    def set_carried(self, flag: bool) -> None:
        """Marks a value taken over from the previous visit (visible until edited)."""
        widget = self
        assert isinstance(widget, QWidget)
        if bool(widget.property("carried")) == flag:
            return
        widget.setProperty("carried", "true" if flag else None)
        restyle(widget)


class _CodePicker(QComboBox, FieldWidgetMixin):
    """A combo box over a field's codes; item 0 ("-") is "not assessed" (code ``""``)."""

    edited = Signal(str, str)

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        self.setObjectName(fld.name)
        self.setAccessibleName(fld.label)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._codes: list[str] = [""]
        self.addItem(self.tr("-"))

    def show_text(self, text: str) -> None:
        blocked = self.blockSignals(True)
        self.setCurrentIndex(self._codes.index(text) if text in self._codes else 0)
        self.blockSignals(blocked)

    def showPopup(self) -> None:  # noqa: N802 (Qt override)
        if not self.read_only:
            super().showPopup()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        if self.read_only:
            event.ignore()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if self.read_only and event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            event.accept()
            return
        super().keyPressEvent(event)


class LevelPicker(_CodePicker):
    """A picker over a field's described levels (CMAS, Kendall grades, CDASI, CHAQ).

    Item 0 is "not assessed"; then one item per level, ``code - label`` (Kendall grades show the
    0-5 notation too); then "not applicable" for fields that allow ``na``.
    """

    def __init__(self, fld: Field, parent: QWidget | None = None, *, compact: bool = False):
        super().__init__(fld, parent)
        lo = int(fld.minimum or 0)
        hi = int(fld.maximum or 0)
        levels = {int(c.code): c.label for c in fld.levels}
        for code in range(lo, hi + 1):
            if is_kendall(fld):
                text = kendall_text(code)
            elif compact:
                text = f"{code}"
            else:
                text = f"{code}  {levels.get(code, '')}".rstrip()
            self.addItem(text)
            self.setItemData(self.count() - 1, levels.get(code, str(code)),
                             Qt.ItemDataRole.ToolTipRole)
            self._codes.append(str(code))
        if fld.na_allowed:
            self.addItem(self.tr("n/a  not applicable"))
            self._codes.append("na")
        self.setToolTip(fld.help or fld.label)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(4 if compact else (14 if is_kendall(fld) else 24))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.view().setMinimumWidth(self.view().sizeHintForColumn(0) + 24)
        #: the digit just typed when a longer code starts with it ("1" of "10"): the next digit
        #: extends it whatever the pause; any other key, a pick or leaving the field ends it.
        self._pending_digit: str | None = None
        self.activated.connect(self._user_picked)

    def current_text_code(self) -> str:
        return self._codes[self.currentIndex()]

    def _user_picked(self, index: int) -> None:
        self._pending_digit = None
        self.edited.emit(self.field.name, self._codes[index])

    def show_text(self, text: str) -> None:
        self._pending_digit = None
        super().show_text(text)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        self._pending_digit = None
        super().focusOutEvent(event)

    def _extends(self, digits: str) -> bool:
        """A longer code starts with ``digits`` (``1`` on the Kendall scale, for 10)."""
        return any(len(c) > len(digits) and c.startswith(digits) and c.isdigit()
                   for c in self._codes)

    def _pick(self, code: str) -> None:
        if code in self._codes:
            self.setCurrentIndex(self._codes.index(code))
            self.edited.emit(self.field.name, code)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if self.read_only:
            super().keyPressEvent(event)  # _CodePicker ignores it
            return
        text = event.text()
        if text.isdigit() and len(text) == 1:
            pending, self._pending_digit = self._pending_digit, None
            if pending is not None and pending + text in self._codes:
                self._pick(pending + text)
            else:
                self._pick(text)
                if self._extends(text):
                    self._pending_digit = text
            event.accept()
            return
        self._pending_digit = None
        if text.lower() == "t" and is_kendall(self.field):  # trace is graded 0 (convention 3)
            self._pick("0")
            event.accept()
            return
        if text.lower() == "n" and "na" in self._codes:
            self._pick("na")
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._pick("")
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not self.view().isVisible():
            super().keyPressEvent(event)
            self.edited.emit(self.field.name, self.current_text_code())
            return
        if text and text.isprintable():
            event.accept()  # ignore letters instead of jumping to a matching label
            return
        super().keyPressEvent(event)


class ChoicePicker(_CodePicker):
    """A picker over a CHOICE field's codes (yes/no findings, MRI oedema).

    Typing the first letter of a label picks it (``y``/``n``); Delete clears to not assessed.
    """

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(fld, parent)
        for choice in fld.choices:
            self.addItem(choice.label)
            self._codes.append(str(choice.code))
        self.setToolTip(fld.help or fld.label)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.activated.connect(lambda i: self.edited.emit(self.field.name, self._codes[i]))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if self.read_only:
            super().keyPressEvent(event)  # _CodePicker ignores it
            return
        text = event.text().lower()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.setCurrentIndex(0)
            self.edited.emit(self.field.name, "")
            return
        if text and text.isalnum():
            for i in range(1, self.count()):
                if self.itemText(i).lower().startswith(text):
                    self.setCurrentIndex(i)
                    self.edited.emit(self.field.name, self._codes[i])
                    return
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.edited.emit(self.field.name, self._codes[self.currentIndex()])


class VocabularyCompleter(QCompleter):
    """A vocabulary's terms (drugs, adverse-event terms) by their names in the interface's
    language (托法替布), found by that name, the English name, a synonym or an abbreviation
    (tofa, MTX, zoster); choosing one puts its name in the field (saved by its code)."""

    SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, vocabulary: str, parent: QWidget | None = None) -> None:
        model = QStandardItemModel(parent)
        for term in registry.VOCABULARIES[vocabulary]:
            if term.code == registry.OTHER_CODE:
                continue
            item = QStandardItem(term.label)
            item.setData(" | ".join((term.label, term.label_en, *term.synonyms)),
                         self.SEARCH_ROLE)
            model.appendRow(item)
        super().__init__(model, parent)
        self.setCompletionRole(self.SEARCH_ROLE)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:  # noqa: N802
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class TextEntry(QLineEdit, FieldWidgetMixin):
    """Typed entry for numbers, dates and text; validated live by the editor via forms."""

    edited = Signal(str, str)

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        self.setObjectName(fld.name)
        self.setAccessibleName(fld.label)
        self.calendar: QCalendarWidget | None = None
        if fld.type is FieldType.DATE:
            self.setPlaceholderText(self.tr("YYYY-MM-DD"))
            self.setMaximumWidth(160)
            pick = self.addAction(_calendar_icon(), QLineEdit.ActionPosition.TrailingPosition)
            pick.setToolTip(self.tr("Choose the date on a calendar (or type 2024-05-22, "
                                    "2024/5/22, 2024.5.22 or 20240522)"))
            pick.setObjectName(f"{fld.name}_calendar")
            pick.triggered.connect(self.pick_date)
            self.editingFinished.connect(self._tidy_date)
        elif fld.is_numeric:
            self.setPlaceholderText(fld.allowed_text())
            self.setFixedWidth(125)
            self.setAlignment(Qt.AlignmentFlag.AlignRight)
        if fld.max_length:
            self.setMaxLength(fld.max_length)
        if fld.vocabulary:  # drugs and adverse-event terms: offer the registry's list
            completer = VocabularyCompleter(fld.vocabulary, self)
            completer.activated.connect(lambda text: self.edited.emit(self.field.name, text))
            self.setCompleter(completer)
        self.setToolTip(fld.help or fld.allowed_text())
        self.textEdited.connect(lambda text: self.edited.emit(self.field.name, text))

    def show_text(self, text: str) -> None:
        if self.text() != text:
            blocked = self.blockSignals(True)
            self.setText(text)
            self.blockSignals(blocked)

    def _set_typed(self, text: str) -> None:
        self.setText(text)
        self.edited.emit(self.field.name, text)

    def _tidy_date(self) -> None:
        """A date typed as 2024/5/22, 2024.5.22 or 20240522 is shown as 2024-05-22."""
        tidy = validation.date_text(self.text().strip())
        if tidy != self.text() and QDate.fromString(tidy, Qt.DateFormat.ISODate).isValid():
            self._set_typed(tidy)

    def pick_date(self) -> QCalendarWidget:
        """Open a calendar under the field (today, or the date typed); a click sets the date."""
        menu = QMenu(self)
        calendar = QCalendarWidget(menu)
        calendar.setGridVisible(True)
        typed = QDate.fromString(validation.date_text(self.text().strip()),
                                 Qt.DateFormat.ISODate)
        calendar.setSelectedDate(typed if typed.isValid() else QDate.currentDate())
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(calendar)
        menu.addAction(holder)

        def chosen(day: QDate) -> None:
            self._set_typed(day.toString(Qt.DateFormat.ISODate))
            menu.close()
            self.setFocus()

        calendar.clicked.connect(chosen)
        calendar.activated.connect(chosen)
        self.calendar = calendar
        menu.popup(self.mapToGlobal(self.rect().bottomLeft()))
        calendar.setFocus()
        return calendar


def _calendar_icon() -> QIcon:
    """A small calendar sheet drawn in the palette's text colour (no image files needed)."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    color = QApplication.palette().color(QPalette.ColorRole.Text)
    painter.setPen(color)
    painter.drawRect(1, 2, 13, 12)
    painter.fillRect(1, 2, 14, 4, color)
    for x in (4, 8, 12):
        for y in (8, 11):
            painter.drawPoint(x, y)
    painter.end()
    return QIcon(pixmap)


class BoolCheck(QCheckBox, FieldWidgetMixin):
    """A BOOLEAN field (CHAQ aids/help, Gottron papules): checked = true, unchecked = not set."""

    edited = Signal(str, str)

    def __init__(self, fld: Field, parent: QWidget | None = None, text: str | None = None):
        super().__init__(fld.label if text is None else text, parent)
        self.field = fld
        self.setObjectName(fld.name)
        self.setAccessibleName(fld.label)
        self.setToolTip(fld.help or fld.label)
        self.clicked.connect(
            lambda checked: self.edited.emit(self.field.name, "true" if checked else ""))

    def show_text(self, text: str) -> None:
        blocked = self.blockSignals(True)
        self.setChecked(text == "true")
        self.blockSignals(blocked)

    def hitButton(self, pos: QPoint) -> bool:  # noqa: N802 (Qt override)
        return not self.read_only and super().hitButton(pos)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if self.read_only and event.key() == Qt.Key.Key_Space:
            event.accept()
            return
        super().keyPressEvent(event)


class NotesEntry(QPlainTextEdit):
    """The visit's free-text notes (Visit.notes). Tab moves focus instead of typing a tab."""

    edited = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("notes")
        self.setTabChangesFocus(True)
        self.setAccessibleName(self.tr("Notes"))
        self.textChanged.connect(lambda: self.edited.emit("notes", self.toPlainText()))

    def show_text(self, text: str) -> None:
        if self.toPlainText() != text:
            blocked = self.blockSignals(True)
            self.setPlainText(text)
            self.blockSignals(blocked)

    def set_severity(self, severity: str) -> None:
        del severity

    def set_read_only(self, flag: bool) -> None:
        self.setReadOnly(flag)
        self.setProperty("readonly", "true" if flag else None)
        restyle(self)

    def set_carried(self, flag: bool) -> None:
        del flag


class VisitLabelPicker(_CodePicker):
    """The visit label: a protocol visit (``M0``, ``M3``, ...), unscheduled or flare, never
    free text (:mod:`forms.protocol`). Typing picks: ``3`` or ``m3`` -> M3, ``1`` ``8`` ->
    M18 (digits add up while typed one after the other, no timing), ``f`` flare, ``u``
    unscheduled; Delete clears. A stored label that is not a protocol code (a signed visit
    kept through the upgrade) is shown as it is, marked."""

    edited = Signal(str, str)

    def __init__(self, fld: Field, parent: QWidget | None = None,
                 protocol: Protocol = DEFAULT_PROTOCOL) -> None:
        super().__init__(fld, parent)
        self.setToolTip(fld.help or fld.label)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._digits = ""
        self._extra: str | None = None
        self.protocol = protocol
        self.set_protocol(protocol)
        self.activated.connect(self._user_picked)

    def set_protocol(self, protocol: Protocol, *, through_month: int | None = None) -> None:
        """The labels offered: the protocol's visits (up to ``through_month``), then the other
        kinds."""
        self.protocol = protocol
        current = self._codes[self.currentIndex()] if self.count() else ""
        blocked = self.blockSignals(True)
        self.clear()
        self._codes = [""]
        self.addItem(self.tr("-"))
        for code, words in protocol.label_choices(through_month):
            self.addItem(words if code in (UNSCHEDULED, FLARE) else code)
            self.setItemData(self.count() - 1, words, Qt.ItemDataRole.ToolTipRole)
            self._codes.append(code)
        self._extra = None
        self.blockSignals(blocked)
        self.show_text(current)

    def show_text(self, text: str) -> None:
        code = canonical_label(text, self.protocol) if text else ""
        if text and code is None and text not in self._codes:
            # a stored label that is no protocol code: show it, never hide it
            if self._extra is not None:
                index = self._codes.index(self._extra)
                self.removeItem(index)
                self._codes.pop(index)
            self.addItem(self.tr("{label} (not a protocol label)").format(label=text))
            self._codes.append(text)
            self._extra = text
            code = text
        self._digits = ""
        super().show_text(code or "")

    def current_code(self) -> str:
        return self._codes[self.currentIndex()]

    def _user_picked(self, index: int) -> None:
        self._digits = ""
        self.edited.emit(self.field.name, self._codes[index])

    def _pick(self, code: str) -> None:
        if code in self._codes:
            self.setCurrentIndex(self._codes.index(code))
            self.edited.emit(self.field.name, code)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        self._digits = ""
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if self.read_only:
            super().keyPressEvent(event)
            return
        text = event.text().lower()
        if text.isdigit() and len(text) == 1:
            digits = self._digits + text
            labels = [c for c in self._codes if c.startswith("M") and c[1:].startswith(digits)]
            if not labels:  # a fresh start: 1, 2 -> M12; then 3 -> M3
                digits = text
                labels = [c for c in self._codes if c.startswith("M")
                          and c[1:].startswith(digits)]
            self._digits = digits
            exact = f"M{digits}"
            if exact in self._codes:
                self._pick(exact)
            elif labels:
                self._pick(labels[0])
            event.accept()
            return
        if text == "m":
            self._digits = ""
            event.accept()
            return
        self._digits = ""
        if text in ("f", "u"):
            self._pick(FLARE if text == "f" else UNSCHEDULED)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._pick("")
            event.accept()
            return
        if text and text.isprintable():
            event.accept()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.edited.emit(self.field.name, self.current_code())


#: every field widget of a page or a record dialog: a QWidget that has ``edited(name, text)``,
#: ``show_text``, ``set_severity``, ``set_read_only`` and ``set_carried``
FieldWidget = _CodePicker | TextEntry | BoolCheck | NotesEntry


def make_field_widget(fld: Field, parent: QWidget | None = None, *,
                      compact: bool = False) -> FieldWidget:
    """The widget for one registry field, chosen by its type and levels."""
    if fld.name == "visit_label":
        return VisitLabelPicker(fld, parent)
    if fld.type is FieldType.INTEGER and fld.levels:
        return LevelPicker(fld, parent, compact=compact)
    if fld.type is FieldType.CHOICE:
        return ChoicePicker(fld, parent)
    if fld.type is FieldType.BOOLEAN:
        return BoolCheck(fld, parent)
    return TextEntry(fld, parent)


class ProblemLabel(QLabel):
    """The inline message under a field: its worst problem, coloured by severity."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        # right under its field, however much height the row gives it
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_problems(self, messages: list[tuple[str, bool]]) -> None:
        """``messages``: (text, is_error); errors first."""
        if not messages:
            self.hide()
            return
        messages.sort(key=lambda m: not m[1])
        text, is_error = messages[0]
        self.setText(text)
        set_role(self, "problem-error" if is_error else "problem-warning")
        self.show()
        self._reserve()

    def _reserve(self) -> None:
        """Reserve every wrapped line at the current width (form layouts give one line), and
        no more: the height follows the text and the width, never an earlier, narrower
        layout."""
        if self.width() <= 50:  # not laid out yet
            return
        # (not heightForWidth: a QLabel's includes the minimum height set here before)
        margins = self.contentsMargins()
        inner = self.width() - margins.left() - margins.right() - 2 * self.margin()
        text = self.fontMetrics().boundingRect(
            QRect(0, 0, max(inner, 1), 1_000_000),
            int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft), self.text())
        wanted = text.height() + margins.top() + margins.bottom() + 2 * self.margin()
        if wanted != self.minimumHeight():
            self.setMinimumHeight(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self.isHidden():  # shown, even while its page is not (a visit loading)
            self._reserve()
