"""Vector drawings for the patient case summary: trend charts and the treatment timeline.

Drawn as PDF vector operations (no raster images), so they print sharply and stay readable in
black and white: every series is black with a marker at each measured visit, the reference
lines are dotted grey with a text label, and the tofacitinib start is a dashed vertical line
labelled in words. Colour is never the only carrier of meaning.

Each drawing is a :class:`Chart`, a flowable that records its lines, shapes and labels and
draws them straight onto the page's canvas. (Until 2 Dec 2026 they were
:mod:`reportlab.graphics` shape trees rendered by ``renderPDF``, which saves, sets and restores
the whole graphics state around every shape: a third of a patient report's drawing time for
the same marks on the page; issue 16.)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from exports import fonts
from forms.formatting import format_value
from forms.i18n import _
from forms.records import frozen

#: text sizes of the drawings: titles as body text, labels as notes (printed >= 8 pt).
TITLE_PT = 9.0
LABEL_PT = 8.0

GRID = colors.Color(0.85, 0.85, 0.85)
REF = colors.Color(0.45, 0.45, 0.45)
BAR = colors.Color(0.78, 0.78, 0.78)
DARK = colors.Color(0.15, 0.15, 0.15)
BLACK = colors.black
WHITE = colors.white

_LINE, _POLY, _CIRCLE, _RECT, _TEXT = range(5)


class Chart(Flowable):
    """A drawing of ``width`` x ``height`` points, origin at its bottom left.

    The methods record what to draw, in order (later marks paint over earlier ones);
    :meth:`draw` replays them on the canvas, setting a colour, line width, dash or font only
    when it changes. Text is split into runs by glyph coverage (:func:`fonts.runs`), so a
    label with CJK characters is drawn in the fallback font where DejaVu has no glyph.
    """

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.ops: list[tuple[Any, ...]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def line(self, x1: float, y1: float, x2: float, y2: float, *, color: Any = BLACK,
             width: float = 1.0, dash: Sequence[float] | None = None) -> None:
        """A straight line (``dash``: on/off lengths, e.g. ``(1, 2)`` dotted)."""
        self.ops.append((_LINE, color, width, tuple(dash) if dash else None, x1, y1, x2, y2))

    def polyline(self, points: Sequence[float], *, color: Any = BLACK,
                 width: float = 1.0) -> None:
        """An open line through ``points`` (x0, y0, x1, y1, ...), at least two of them."""
        self.ops.append((_POLY, color, width, None, tuple(points)))

    def circle(self, x: float, y: float, r: float, *, fill: Any, color: Any = BLACK,
               width: float = 1.0) -> None:
        """A filled circle with an outline."""
        self.ops.append((_CIRCLE, color, width, None, fill, x, y, r))

    def rect(self, x: float, y: float, w: float, h: float, *, fill: Any, color: Any = BLACK,
             width: float = 1.0) -> None:
        """A filled rectangle with an outline."""
        self.ops.append((_RECT, color, width, None, fill, x, y, w, h))

    def text(self, x: float, y: float, text: str, *, font: str = fonts.REGULAR,
             size: float = LABEL_PT, anchor: str = "start", color: Any = BLACK) -> None:
        """``text`` printed literally with its baseline at ``y``, starting, centred or ending
        at ``x`` (``anchor``: start, middle, end)."""
        pieces = [(font if f == fonts.REGULAR else f, run) for f, run in fonts.runs(text)]
        if anchor != "start":
            total = sum(stringWidth(run, f, size) for f, run in pieces)
            x -= total if anchor == "end" else total / 2
        for f, run in pieces:
            self.ops.append((_TEXT, color, f, size, x, y, run))
            x += stringWidth(run, f, size)

    def draw(self) -> None:
        c = self.canv
        c.setLineCap(0)
        c.setLineJoin(0)
        unset = object()  # nothing is assumed about the canvas's state before the first mark
        stroke: Any = unset
        fill: Any = unset
        width: Any = unset
        dash: Any = unset
        font: Any = unset
        for op in self.ops:
            kind = op[0]
            if kind == _TEXT:
                _kind, color, name, size, x, y, run = op
                if color is not fill:
                    c.setFillColor(color)
                    fill = color
                if font is unset or font != (name, size):
                    c.setFont(name, size)
                    font = (name, size)
                c.drawString(x, y, run)
                continue
            _kind, color, w, d = op[:4]
            if color is not stroke:
                c.setStrokeColor(color)
                stroke = color
            if width is unset or w != width:
                c.setLineWidth(w)
                width = w
            if dash is unset or d != dash:
                if d:
                    c.setDash(list(d), 0)
                else:
                    c.setDash()
                dash = d
            if kind == _LINE:
                c.line(*op[4:])
            elif kind == _POLY:
                points = op[4]
                path = c.beginPath()
                path.moveTo(points[0], points[1])
                for i in range(2, len(points), 2):
                    path.lineTo(points[i], points[i + 1])
                c.drawPath(path, stroke=1, fill=0)
            else:
                if op[4] is not fill:
                    c.setFillColor(op[4])
                    fill = op[4]
                if kind == _CIRCLE:
                    c.circle(*op[5:], stroke=1, fill=1)
                else:
                    c.rect(*op[5:], stroke=1, fill=1)


@frozen
class Series:
    """One measure over time.

    Attributes:
        title: chart title (e.g. ``CMAS total (0-52)``).
        points: ``(x, value)`` with x in months from baseline; value None = not measured.
        y_min, y_max: the scale's range when it is bounded (None: from the data).
        reference: ``(value, label)`` reference lines, e.g. the inactive-disease cut-off.
        higher_is_better: printed as a small arrow note under the title.
    """

    title: str
    points: Sequence[tuple[float, Decimal | int | None]]
    y_min: float | None = 0.0
    y_max: float | None = None
    reference: Sequence[tuple[float, str]] = ()
    higher_is_better: bool | None = None


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * mag:
            return mult * mag
    return 10 * mag


def _y_grid(d: Chart, left: float, pw: float, py: Callable[[float], float], y_lo: float,
            y_hi: float, step: float) -> None:
    """Horizontal grid lines with their y tick labels, from ``y_lo`` to ``y_hi``."""
    tick = y_lo
    while tick <= y_hi + 1e-9:
        d.line(left, py(tick), left + pw, py(tick), color=GRID, width=0.4)
        d.text(left - 3, py(tick) - 3, _tick_text(tick, step), anchor="end")
        tick += step


def _tick_text(value: float, step: float = 1.0) -> str:
    """An axis tick with as many decimals as the step needs, the same on every tick of the
    axis (0.0, 2.5, 5.0, never 2.5 beside 5)."""
    places = 0
    while places < 3 and abs(step * 10**places - round(step * 10**places)) > 1e-9:
        places += 1
    return f"{value:.{places}f}"


def trend_chart(series: Series, width: float, height: float,
                x_max: float, marker_x: float | None = None,
                marker_label: str = "") -> Chart:
    """A small line chart of one measure against months from baseline.

    Args:
        series: the measure.
        width, height: drawing size in points.
        x_max: the right end of the time axis (months), shared by all charts of a report.
        marker_x: where to draw the dashed treatment-start line (months), if any.
        marker_label: text next to that line.
    """
    fonts.register()
    d = Chart(width, height)
    left, right, bottom, top = 34.0, 8.0, 26.0, 30.0
    pw, ph = width - left - right, height - bottom - top
    d.text(left, height - 11, series.title, font=fonts.BOLD, size=TITLE_PT)
    if series.higher_is_better is not None:
        note = _("higher = better") if series.higher_is_better else _("lower = better")
        d.text(width - right, height - 22, note, anchor="end", color=REF)
    values = [float(v) for _, v in series.points if v is not None]
    refs = [r for r, _ in series.reference]
    y_lo = series.y_min if series.y_min is not None else min(values + refs, default=0.0)
    y_hi = series.y_max if series.y_max is not None else max(values + refs, default=1.0)
    if y_hi <= y_lo:
        y_hi = y_lo + 1
    step = _nice_step(y_hi - y_lo, 4)
    if series.y_max is None:
        y_hi = math.ceil(y_hi / step) * step
    x_lo = min([0.0] + [x for x, _ in series.points])
    # x ticks every 3, 6 or 12 months; the axis ends on a tick so the last visit is inside
    xstep = 3 if x_max - x_lo <= 18 else 6 if x_max - x_lo <= 42 else 12
    # (a visit a few days past a tick, M6 at 6.01 months, does not open a whole new tick)
    x_hi = max(float(xstep), math.ceil(x_max / xstep - 0.1) * xstep, x_max)

    def px(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * pw

    def py(y: float) -> float:
        return bottom + (y - y_lo) / (y_hi - y_lo) * ph

    _y_grid(d, left, pw, py, y_lo, y_hi, step)
    m = math.ceil(x_lo / xstep) * xstep
    while m <= x_hi + 1e-9:
        d.line(px(m), bottom, px(m), bottom - 2.5, width=0.5)
        d.text(px(m), bottom - 10, _tick_text(m, xstep), anchor="middle")
        m += xstep
    d.text(left + pw, 0.5, _("months from baseline"), anchor="end", color=REF)
    d.line(left, bottom, left + pw, bottom, width=0.6)
    d.line(left, bottom, left, bottom + ph, width=0.6)
    # reference lines (dotted) with their label
    for value, text in series.reference:
        if y_lo <= value <= y_hi:
            d.line(left, py(value), left + pw, py(value), color=REF, width=0.7, dash=(1, 2))
            # labelled at the left end: early visits sit far from the "good" cut-off
            # (active disease at baseline), so the label rarely meets the data there.
            near_top = py(value) > bottom + ph - 10
            d.text(left + 3, py(value) + (-9 if near_top else 2), text, color=REF)
    # treatment start (dashed vertical line)
    if marker_x is not None and x_lo <= marker_x <= x_hi:
        d.line(px(marker_x), bottom, px(marker_x), bottom + ph, color=DARK, width=0.8,
               dash=(4, 2))
        d.text(px(marker_x) + 2, bottom + ph + 2, marker_label, color=DARK)
    # the series: a line through consecutive measured visits, a marker on each
    segment: list[float] = []
    for x, v in series.points:
        if v is None:
            if len(segment) >= 4:
                d.polyline(segment, width=1.1)
            segment = []
            continue
        segment += [px(x), py(float(v))]
    if len(segment) >= 4:
        d.polyline(segment, width=1.1)
    for x, v in series.points:
        if v is not None:
            d.circle(px(x), py(float(v)), 2.2, fill=WHITE, width=0.9)
    if not values:
        d.text(left + pw / 2, bottom + ph / 2, _("not measured"), anchor="middle", color=REF)
    return d


@frozen
class Course:
    """One medication course on the timeline."""

    label: str
    start: dt.date
    stop: dt.date | None
    highlight: bool = False


def _shifted(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, kept inside the calendar (``date.min`` .. ``date.max``)."""
    ordinal = min(max(day.toordinal() + days, dt.date.min.toordinal()), dt.date.max.toordinal())
    return dt.date.fromordinal(ordinal)


def steroid_text(value: Decimal) -> str:
    """A steroid dose label with the registry's decimals of mg/kg/day (0.730, never 0.73
    beside 0.7)."""
    return format_value("steroid_mg_kg_day", value, fixed=True, unit=False)


def timeline(courses: Sequence[Course], visits: Sequence[tuple[dt.date, str]],
             steroid: Sequence[tuple[dt.date, Decimal | None]], width: float,
             date_text: Callable[[dt.date], str]) -> Chart:
    """Medication courses as bars on a shared time axis, visits as ticks, steroid as a strip.

    Args:
        courses: every medication course; ``highlight`` marks tofacitinib (dark bar, labelled
            start).
        visits: ``(date, label)`` of each visit, drawn as ticks on the top axis.
        steroid: ``(visit date, mg/kg/day)`` drawn as a step strip under the bars.
        width: drawing width in points.
        date_text: formats a date for labels (ISO date, or "day N" when de-identified).
    """
    fonts.register()
    label_w, right = 118.0, 12.0
    row_h = 13.0
    strip_h = 34.0
    top_pad = 26.0
    n = max(len(courses), 1)
    height = top_pad + n * row_h + 10 + strip_h + 18
    d = Chart(width, height)
    dates = [c.start for c in courses] + [c.stop for c in courses if c.stop] + \
            [v for v, _ in visits]
    if not dates:
        d.text(0, height / 2, _("No treatment or visits recorded."))
        return d
    first, last = min(dates), max(dates)
    if visits:
        # The window is the follow-up plus some lead-in; a course that began long before
        # (years of methotrexate) is drawn from the left edge with its start date written,
        # so the visits are not squeezed into a corner.
        v_first, v_last = min(d_ for d_, _ in visits), max(d_ for d_, _ in visits)
        lead = dt.timedelta(days=max(90, round((v_last - v_first).days * 0.3)))
        first = max(first, v_first - lead)
    span = max((last - first).days, 30)
    # clamped: a stored date near the calendar's end (9999-12-31, from before dates were
    # bounded) must still print
    first = _shifted(first, -round(span * 0.02))
    last = _shifted(last, round(span * 0.04))
    window_start = first
    pw = width - label_w - right

    def px(day: dt.date) -> float:
        day = max(day, window_start)
        return label_w + (day - first).days / (last - first).days * pw

    y_axis = height - top_pad + 6
    d.line(label_w, y_axis, label_w + pw, y_axis, width=0.5)
    last_label_x = -1e9
    for day, text in visits:
        x = px(day)
        d.line(x, y_axis, x, y_axis + 3, width=0.5)
        d.line(x, y_axis, x, 18, color=GRID, width=0.4)
        if x - last_label_x >= 22:
            d.text(x, y_axis + 5, text, anchor="middle")
            last_label_x = x
    d.text(0, y_axis + 5, _("Visits"), font=fonts.BOLD)
    # course bars
    for i, c in enumerate(courses):
        y = height - top_pad - (i + 1) * row_h
        d.text(0, y + 3, _clip(c.label, 22), font=fonts.BOLD if c.highlight else fonts.REGULAR)
        x0 = px(c.start)
        x1 = px(c.stop) if c.stop else label_w + pw
        d.rect(x0, y + 1, max(x1 - x0, 1.5), row_h - 4, fill=DARK if c.highlight else BAR,
               width=0.4)
        if c.stop is None:  # ongoing: open end arrow
            d.polyline([x1 - 4, y + row_h - 1, x1, y + row_h / 2 - 1, x1 - 4, y], width=0.7)
        if c.start < window_start:  # began before the window: open start, date written
            d.polyline([x0 + 4, y + row_h - 1, x0, y + row_h / 2 - 1, x0 + 4, y], width=0.7)
            if not c.highlight:
                d.text(x0 + 7, y + 3.2, _("since {date}").format(date=date_text(c.start)))
        if c.highlight:
            text = (_("since {date}") if c.start < window_start else _("start {date}")).format(
                date=date_text(c.start))
            tw = stringWidth(text, fonts.BOLD, LABEL_PT)
            if x0 - 3 - tw >= label_w:  # left of the bar, black on white
                d.text(x0 - 3, y + 3, text, font=fonts.BOLD, anchor="end")
            elif x1 - x0 >= tw + 8:  # inside the dark bar, white
                d.text(x0 + 6, y + 3, text, font=fonts.BOLD, color=WHITE)
            else:  # right of a short bar
                d.text(x1 + 3, y + 3, text, font=fonts.BOLD)
    # steroid strip: mg/kg/day at each visit, as a step line with values
    base = 18.0
    vals = [float(v) for _, v in steroid if v is not None]
    top_val = max(vals + [1.0])
    d.text(0, base + strip_h / 2, _("Oral steroid"), font=fonts.BOLD)
    d.text(0, base + strip_h / 2 - 9, _("mg/kg/day"))
    d.line(label_w, base, label_w + pw, base, width=0.5)
    pts: list[float] = []
    for day, v in steroid:
        if v is None:
            continue
        x, y = px(day), base + float(v) / top_val * (strip_h - 10)
        if pts:
            pts += [x, pts[-1]]
        pts += [x, y]
        d.circle(x, y, 1.8, fill=BLACK)
    if len(pts) >= 4:
        d.polyline(pts, width=0.9)
    last_label_x = -1e9
    for day, v in steroid:
        if v is None:
            continue
        x = px(day)
        if x - last_label_x >= 22:
            y = base + float(v) / top_val * (strip_h - 10)
            # right of the point, just above the flat step that starts there, so neither
            # the step down into the point nor the next one crosses the number
            d.text(x + 2.5, y + 2.5, steroid_text(v))
            last_label_x = x
    d.text(label_w, 4, date_text(window_start + dt.timedelta(days=round(span * 0.02))))
    d.text(label_w + pw, 4, date_text(max(dates)), anchor="end")
    return d


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def cohort_chart(title: str, labels: Sequence[str],
                 courses: Sequence[Sequence[Fraction | Decimal | int | None]],
                 medians: Sequence[Fraction | Decimal | int | None], width: float,
                 height: float, *, y_max: float | None = None,
                 higher_is_better: bool | None = None) -> Chart:
    """Each child's course across the protocol visits (thin grey) and the median (thick black).

    Readable in black and white: the median is a heavier black line with square markers, the
    children thin grey lines with small open circles; the legend is in the report's note.

    Args:
        title: the measure with its range or unit.
        labels: the protocol visits, in protocol order (equally spaced on the x axis).
        courses: one sequence per child, a value or None per visit.
        medians: the median per visit (None where nobody was measured).
        width, height: drawing size in points.
        y_max: the top of a bounded scale (None: from the data).
        higher_is_better: printed as a small note under the title.
    """
    fonts.register()
    d = Chart(width, height)
    left, right, bottom, top = 40.0, 10.0, 24.0, 36.0
    pw, ph = width - left - right, height - bottom - top
    for i, line in enumerate(_wrap(title, fonts.BOLD, TITLE_PT, width - 4)[:2]):
        d.text(2, height - 10 - i * 11, line, font=fonts.BOLD, size=TITLE_PT)
    if higher_is_better is not None:
        d.text(width - right, bottom + ph + 3, _("higher = better") if higher_is_better
               else _("lower = better"), anchor="end", color=REF)
    values = [float(v) for c in courses for v in c if v is not None]
    y_lo = 0.0
    y_hi = y_max if y_max is not None else max(values + [1.0])
    step = _nice_step(y_hi - y_lo, 4)
    if y_max is None:
        y_hi = math.ceil(y_hi / step) * step
    n = max(len(labels), 1)

    def px(i: int) -> float:
        return left + (i + 0.5) / n * pw

    def py(y: float) -> float:
        return bottom + (y - y_lo) / (y_hi - y_lo) * ph

    _y_grid(d, left, pw, py, y_lo, y_hi, step)
    d.line(left, bottom, left + pw, bottom, width=0.6)
    d.line(left, bottom, left, bottom + ph, width=0.6)
    for i, label in enumerate(labels):
        d.text(px(i), bottom - 11, label, anchor="middle")
    child_grey = colors.Color(0.6, 0.6, 0.6)
    for course in courses:
        segment: list[float] = []
        for i, v in enumerate(course):
            if v is None:
                if len(segment) >= 4:
                    d.polyline(segment, color=child_grey, width=0.6)
                segment = []
                continue
            segment += [px(i), py(float(v))]
        if len(segment) >= 4:
            d.polyline(segment, color=child_grey, width=0.6)
        for i, v in enumerate(course):
            if v is not None:
                d.circle(px(i), py(float(v)), 1.4, fill=WHITE, color=child_grey, width=0.5)
    pts = [(px(i), py(float(m))) for i, m in enumerate(medians) if m is not None]
    flat = [c for xy in pts for c in xy]
    if len(flat) >= 4:
        d.polyline(flat, width=2.0)
    for x, y in pts:
        d.rect(x - 2.6, y - 2.6, 5.2, 5.2, fill=BLACK, width=0.5)
    d.text(left + pw, 1, _("{n} children; black: median").format(n=len(courses)),
           anchor="end", color=REF)
    return d


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap for drawing titles (words are never split)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
