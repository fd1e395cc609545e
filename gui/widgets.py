"""Field widgets generated from registry fields: pickers, number/text/date entries, checkboxes.

Every widget is built from one :class:`forms.fields.Field` and speaks text to the editor: it
emits ``edited(name, text)`` when the user changes it and shows a text the editor hands back
with :meth:`show_text`. Labels, levels and choices come from the field; nothing is restated.

Keyboard: a picker takes digit keys (two quick digits for 10 on the Kendall scale; ``t`` for
trace, graded 0), ``n`` for "not applicable" where allowed, Delete/Backspace to clear (not
assessed); Tab moves on.

Signals (all widgets):
    edited(str, str): field name and the new text ("" = not assessed).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from forms.i18n import _
from forms import registry
from forms.fields import Field, FieldType

#: property used by the style sheet to colour a widget by its worst problem.
SEVERITY_PROPERTY = "severity"

STYLE_SHEET = """
*[severity="error"] { background: #fde2e1; border: 1px solid #c62828; }
*[severity="warning"] { background: #fff4d6; border: 1px solid #b7791f; }
*[severity="high"] { background: #ffe9c7; }
QLabel[role="problem-error"] { color: #b71c1c; }
QLabel[role="problem-warning"] { color: #8a5a00; }
QLabel[role="total"] { font-weight: bold; }
QLabel[role="missing"] { color: #666; }
QLabel[role="heading"] { font-size: 13pt; font-weight: bold; }
"""


def kendall_text(grade: int) -> str:
    """``8 = 4 Good``: the Kendall 0-10 grade with its 0-5 +/- notation (registry table)."""
    for g, five, name, _crit in registry.KENDALL_GRADES:
        if g == grade:
            return f"{g}  ({five})  {_(name)}"
    return str(grade)


def is_kendall(fld: Field) -> bool:
    return fld.form == "mmt8" and fld.type is FieldType.INTEGER and not fld.derived


class FieldWidgetMixin:
    """What the editor needs from every field widget."""

    field: Field

    def set_severity(self, severity: str) -> None:
        widget: QWidget = self  # type: ignore[assignment]
        if widget.property(SEVERITY_PROPERTY) == severity:
            return
        widget.setProperty(SEVERITY_PROPERTY, severity)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


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


class LevelPicker(_CodePicker):
    """A picker over a field's described levels (CMAS, Kendall grades, CDASI, CHAQ).

    Item 0 is "not assessed"; then one item per level, ``code - label`` (Kendall grades show the
    0-5 notation too); then "not applicable" for fields that allow ``na``.
    """

    DIGIT_WINDOW = 0.8  #: seconds within which a second digit extends the first (1, 0 -> 10)

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
        self._last_digit: tuple[str, float] | None = None
        self.activated.connect(self._user_picked)

    def current_text_code(self) -> str:
        return self._codes[self.currentIndex()]

    def _user_picked(self, index: int) -> None:
        self.edited.emit(self.field.name, self._codes[index])

    def _pick(self, code: str) -> None:
        if code in self._codes:
            self.setCurrentIndex(self._codes.index(code))
            self.edited.emit(self.field.name, code)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        text = event.text()
        if text.isdigit() and len(text) == 1:
            now = time.monotonic()
            prev = self._last_digit
            if prev and now - prev[1] < self.DIGIT_WINDOW and (prev[0] + text) in self._codes:
                self._pick(prev[0] + text)
                self._last_digit = None
            else:
                self._pick(text)
                self._last_digit = (text, now)
            event.accept()
            return
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


class TextEntry(QLineEdit, FieldWidgetMixin):
    """Typed entry for numbers, dates and text; validated live by the editor via forms."""

    edited = Signal(str, str)

    def __init__(self, fld: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = fld
        self.setObjectName(fld.name)
        self.setAccessibleName(fld.label)
        if fld.type is FieldType.DATE:
            self.setPlaceholderText(self.tr("YYYY-MM-DD"))
            self.setMaximumWidth(130)
        elif fld.is_numeric:
            self.setPlaceholderText(fld.allowed_text())
            self.setFixedWidth(125)
            self.setAlignment(Qt.AlignmentFlag.AlignRight)
        if fld.max_length:
            self.setMaxLength(fld.max_length)
        self.setToolTip(fld.help or fld.allowed_text())
        self.textEdited.connect(lambda text: self.edited.emit(self.field.name, text))

    def show_text(self, text: str) -> None:
        if self.text() != text:
            blocked = self.blockSignals(True)
            self.setText(text)
            self.blockSignals(blocked)


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


def make_field_widget(fld: Field, parent: QWidget | None = None, *,
                      compact: bool = False) -> QWidget:
    """The widget for one registry field, chosen by its type and levels."""
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
        self.hide()

    def show_problems(self, messages: list[tuple[str, bool]]) -> None:
        """``messages``: (text, is_error); errors first."""
        if not messages:
            self.hide()
            return
        messages.sort(key=lambda m: not m[1])
        text, is_error = messages[0]
        self.setText(text)
        self.setProperty("role", "problem-error" if is_error else "problem-warning")
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
