"""Trend chart of a patient's key measures over time, drawn with QPainter (no QtCharts).

Small multiples on one time axis: one strip per measure (CMAS, MMT-8, physician global,
CK / ULN, oral steroid mg/kg/day), each with its own scale, so measures of different ranges are
never squeezed onto one axis. The widget only draws the points it is given; the values come
from ``forms`` (scores) via the patient page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from forms.records import mutable


@mutable
class Series:
    """One measure over time: ``points`` are (date, value); ``None`` values are gaps."""

    label: str
    colour: str
    points: list[tuple[dt.date, Decimal | int | None]] = field(default_factory=list)
    low: float = 0.0
    high: float | None = None  #: top of the scale (registry maximum), else the data maximum
    higher_is_better: bool = True
    reference: float | None = None  #: a dashed reference line (e.g. 1 x ULN)


class TrendChart(QWidget):
    """Stacked strips sharing the time axis; dots at visits, lines between visits."""

    MARGIN_LEFT = 150
    MARGIN_RIGHT = 16
    AXIS_HEIGHT = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: list[Series] = []
        self.setMinimumHeight(150)  # fits 1024x600 and 150 % scaling; the splitter gives more
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Trend chart"))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(700, 90 * max(1, len(self.series)) + self.AXIS_HEIGHT)

    def set_series(self, series: list[Series]) -> None:
        self.series = series
        self.updateGeometry()
        self.update()

    def _date_range(self) -> tuple[dt.date, dt.date] | None:
        dates = [d for s in self.series for d, v in s.points if v is not None]
        if not dates:
            return None
        lo, hi = min(dates), max(dates)
        pad = max(15, (hi - lo).days // 30)  # keep the first and last dots off the frame
        return lo - dt.timedelta(days=pad), hi + dt.timedelta(days=pad)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        del event
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        span = self._date_range()
        if span is None or not self.series:
            p.setPen(self.palette().text().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       self.tr("No visits with these measures yet."))
            p.end()
            return
        lo, hi = span
        days = max(1, (hi - lo).days)
        left = self.MARGIN_LEFT
        width = max(10, self.width() - left - self.MARGIN_RIGHT)
        strip_h = (self.height() - self.AXIS_HEIGHT) / len(self.series)

        def x_of(day: dt.date) -> float:
            return left + width * (day - lo).days / days

        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        grid_pen = QPen(QColor("#d0d0d0"))
        text_colour = self.palette().text().color()
        for i, s in enumerate(self.series):
            top = i * strip_h + 4
            h = strip_h - 10
            values = [float(v) for _, v in s.points if v is not None]
            high = s.high if s.high is not None else (max(values) if values else 1.0)
            if s.reference is not None:
                high = max(high, s.reference * 1.2)
            high = high if high > s.low else s.low + 1

            def y_of(v: float, top: float = top, h: float = h, high: float = high,
                     low: float = s.low) -> float:
                return top + h - h * (v - low) / (high - low)

            p.setPen(grid_pen)
            p.drawRect(QRectF(left, top, width, h))
            p.setFont(small)
            p.setPen(text_colour)
            label_box = QRectF(4, top, left - 40, h)
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            wrapped = p.boundingRect(label_box, flags | Qt.TextFlag.TextWordWrap, s.label)
            if wrapped.height() <= h:  # two lines where they fit, else one line cut with "…"
                p.drawText(label_box, flags | Qt.TextFlag.TextWordWrap, s.label)
            else:
                p.drawText(label_box, flags, p.fontMetrics().elidedText(
                    s.label, Qt.TextElideMode.ElideRight, int(label_box.width())))
            p.drawText(QRectF(left - 38, top - 2, 34, 14), Qt.AlignmentFlag.AlignRight,
                       _num(high))
            p.drawText(QRectF(left - 38, top + h - 12, 34, 14), Qt.AlignmentFlag.AlignRight,
                       _num(s.low))
            if s.reference is not None:
                pen = QPen(QColor("#9e9e9e"))
                pen.setStyle(Qt.PenStyle.DashLine)
                p.setPen(pen)
                y = y_of(s.reference)
                p.drawLine(QPointF(left, y), QPointF(left + width, y))
            colour = QColor(s.colour)
            p.setPen(QPen(colour, 2))
            path = QPainterPath()
            started = False
            pts = sorted(((d, v) for d, v in s.points), key=lambda dv: dv[0])
            for d, v in pts:
                if v is None:
                    started = False
                    continue
                pt = QPointF(x_of(d), y_of(float(v)))
                if started:
                    path.lineTo(pt)
                else:
                    path.moveTo(pt)
                    started = True
            p.drawPath(path)
            p.setBrush(colour)
            for d, v in pts:
                if v is not None:
                    p.drawEllipse(QPointF(x_of(d), y_of(float(v))), 3.5, 3.5)
            p.setBrush(Qt.BrushStyle.NoBrush)
            last_d, last_v = pts[-1] if pts else (None, None)
            if last_d is not None and last_v is not None:
                p.setPen(text_colour)
                y_text = y_of(float(last_v)) - 5
                if y_text < top + 12:  # near the top of the strip: write below the dot
                    y_text = y_of(float(last_v)) + 15
                p.drawText(QPointF(min(x_of(last_d) - 10, left + width - 36), y_text),
                           _num(float(last_v)))
        # time axis
        p.setPen(text_colour)
        p.setFont(small)
        axis_y = self.height() - self.AXIS_HEIGHT + 14
        for tick in _ticks(lo, hi):
            x = x_of(tick)
            p.drawLine(QPointF(x, axis_y - 12), QPointF(x, axis_y - 8))
            p.drawText(QRectF(x - 40, axis_y - 6, 80, 14), Qt.AlignmentFlag.AlignHCenter,
                       tick.strftime("%Y-%m"))
        p.end()


def _num(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.2g}"


def _ticks(lo: dt.date, hi: dt.date, most: int = 7) -> list[dt.date]:
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    step = max(1, -(-months // most))
    out = []
    y, m = lo.year, lo.month
    while (y, m) <= (hi.year, hi.month):
        day = dt.date(y, m, 1)
        if lo <= day <= hi:
            out.append(day)
        m += step
        while m > 12:
            m -= 12
            y += 1
    return out
