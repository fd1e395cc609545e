"""What the first screen needs of the look: our style sheet's rules (light and dark system
palettes) and :func:`restyle`/:func:`set_role`, which put them on the few widgets with a look,
readable colours (WCAG contrast) and the one-line :class:`ElidedLabel`.

Kept apart from :mod:`gui.widgets` (the field widgets of the visit editor and the dialogs,
re-exported there) so that the patient list does not import those at start-up (issue 16).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QWidget

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
*[readonly="true"] { background: #f4f1ea; color: #1a1a1a; border: 1px solid #c9c2b0; }
*[carried="true"] { background: #e6f0fb; }
QLabel[role="carry"] { background: #e6f0fb; border: 1px solid #90b4dc; padding: 3px 6px; }
QLabel[role="banner"] { font-size: 14pt; font-weight: bold; color: #0d2a4a; background: #e3f0fb;
                        border-left: 6px solid #1565c0; padding: 3px 8px; }
"""


#: the same rules for a dark system palette: light backgrounds keep dark text, coloured text
#: is lightened (checked against WCAG 4.5:1 in tests/gui/test_i18n_layout.py).
DARK_STYLE_SHEET = """
*[severity="error"] { background: #fde2e1; border: 1px solid #c62828; color: #1a1a1a; }
*[severity="warning"] { background: #fff4d6; border: 1px solid #b7791f; color: #1a1a1a; }
*[severity="high"] { background: #ffe9c7; color: #1a1a1a; }
QLabel[role="problem-error"] { color: #ff8a80; }
QLabel[role="problem-warning"] { color: #ffd180; }
QLabel[role="total"] { font-weight: bold; }
QLabel[role="missing"] { color: #b0b0b0; }
QLabel[role="heading"] { font-size: 13pt; font-weight: bold; }
"""


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the system palette is dark (light text on a dark window)."""
    pal = palette or QApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def style_sheet(palette: QPalette | None = None) -> str:
    """The style sheet of our looks for the current (light or dark) palette."""
    return DARK_STYLE_SHEET if is_dark(palette) else STYLE_SHEET


#: the dynamic properties the style sheet's rules select on
STYLED_PROPERTIES = ("role", SEVERITY_PROPERTY, "readonly", "carried")


def restyle(widget: QWidget) -> None:
    """Give ``widget`` the look its properties ask for (``role``, ``severity``, ``readonly``,
    ``carried``): after setting one of them, call this instead of ``setStyleSheet``/polish.

    The rules of :func:`style_sheet` go on the widget itself, and only while it has one of
    those properties; a widget without them has no style sheet at all. An application-wide
    style sheet gave every widget of the app Qt's style-sheet style, which made building a
    page about twice as slow (0.15 s -> 0.30 s CPU for the visit editor's pages; issue 16)
    for the few dozen widgets that need a colour or a font."""
    styled = any(widget.property(name) for name in STYLED_PROPERTIES)
    sheet = style_sheet() if styled else ""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)  # re-polishes the widget and its children
    elif sheet:  # same rules, another property value: match them again
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def set_role(widget: QWidget, role: str) -> None:
    """``widget``'s ``role`` (``heading``, ``missing``, ``total``, ...), with its look."""
    widget.setProperty("role", role)
    restyle(widget)


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: QColor | str, background: QColor | None = None,
             minimum: float = 4.5) -> QColor:
    """``colour`` lightened (dark background) or darkened until it reads on ``background``
    (default: the palette's base colour) with at least ``minimum`` contrast."""
    c = QColor(colour)
    bg = background or QApplication.palette().color(QPalette.ColorRole.Base)
    dark_bg = bg.lightnessF() < 0.5
    for _step in range(30):
        if contrast(c, bg) >= minimum:
            break
        lightness = c.lightnessF()
        lightness = min(1.0, lightness + 0.05) if dark_bg else max(0.0, lightness - 0.05)
        c = QColor.fromHslF(max(c.hslHueF(), 0.0), c.hslSaturationF(), lightness, c.alphaF())
    return c


class ElidedLabel(QLabel):
    """A one-line label that never widens its window: long text is cut with "…" and shown in
    full as the tooltip (status and sign-off messages in the editor header)."""

    def __init__(self, parent: QWidget | None = None, *, max_width: int = 480) -> None:
        super().__init__(parent)
        self._full = ""
        self._max_width = max_width
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = " ".join(str(text).split())
        self._refresh()
        self.updateGeometry()

    def text(self) -> str:
        return self._full

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        base = super().sizeHint()
        wanted = self.fontMetrics().horizontalAdvance(self._full) + 8
        return QSize(min(wanted, self._max_width), base.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(min(60, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                              max(self.width(), 20))
        QLabel.setText(self, shown)
        self.setToolTip(self._full if shown != self._full else "")
