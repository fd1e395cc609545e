"""Page furniture shared by the PDF reports: styles, table styles, footer, document build.

Every page carries a running header (what the report is about) and a footer with "page x of y",
the generation time, the app version and the versions of the scoring rules used, so a printed
page can always be traced to the software that produced it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from exports import fonts
from exports.common import app_version, rule_versions, written_atomically
from forms.i18n import _, local_time_text

MARGIN = 14 * mm
RULE_GREY = colors.Color(0.55, 0.55, 0.55)
ZEBRA = colors.Color(0.95, 0.95, 0.95)
HEAD_BG = colors.Color(0.88, 0.88, 0.88)


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the reports (DejaVu Sans, embedded)."""
    fonts.register()
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=8.5, leading=11)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "note": ParagraphStyle("note", parent=base, fontSize=7, leading=9,
                               textColor=colors.Color(0.25, 0.25, 0.25)),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=fonts.BOLD,
                                    fontSize=7.5, leading=9),
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=15,
                                leading=19, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9, leading=12,
                                   spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=fonts.BOLD, fontSize=11,
                             leading=14, spaceBefore=9, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, fontName=fonts.BOLD, fontSize=9,
                             leading=12, spaceBefore=5, spaceAfter=2),
    }


def p(text: str, style: str = "body") -> Paragraph:
    """A Paragraph of *markup* (callers escape user text with :func:`fonts.para`); translated
    text in it is drawn in the CJK fallback font where DejaVu has no glyph."""
    return Paragraph(fonts.markup(text), styles()[style])


def text(value: object, style: str = "cell") -> Paragraph:
    """A Paragraph that prints ``value`` literally (escaped, with CJK fallback runs)."""
    return Paragraph(fonts.para(value), styles()[style])


#: characters per paragraph of a long text: reportlab re-wraps a paragraph each time it
#: splits it over a page, so one huge paragraph costs quadratic time; short ones are linear.
_CHUNK = 1500


def long_text(value: str, style: str = "small", *, limit: int | None = None) -> list[Flowable]:
    """Paragraphs that print ``value`` literally and split across pages (notes).

    Args:
        value: the text; line breaks are kept.
        style: paragraph style.
        limit: print at most this many characters (a field's registry ``max_length``); text
            saved before the limit existed ends with a line saying how much was not printed.
    """
    shown = value if limit is None or len(value) <= limit else value[:limit]
    out: list[Flowable] = []
    for block in shown.split("\n"):
        while True:
            piece, block = block[:_CHUNK], block[_CHUNK:]
            out.append(Paragraph(fonts.para(piece) or "&nbsp;", styles()[style]))
            if not block:
                break
    if shown is not value:
        out.append(Paragraph(f"[{len(value) - len(shown):,} more characters not printed: the "
                             f"text is longer than the {limit:,}-character limit; the full "
                             "text is in the JSON case file export]", styles()["note"]))
    return out


def table_style(*, header_rows: int = 1, zebra: bool = True,
                extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    """The house table style: small DejaVu text, bold shaded header, light row rules."""
    fonts.register()
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEADING", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE_GREY),
    ]
    if header_rows:
        cmds += [
            ("FONTNAME", (0, 0), (-1, header_rows - 1), fonts.BOLD),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG),
            ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.9, colors.black),
            ("VALIGN", (0, 0), (-1, header_rows - 1), "BOTTOM"),
        ]
    if zebra:
        cmds.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, ZEBRA]))
    cmds += list(extra)
    return TableStyle(cmds)


def data_table(rows: list[list[Any]], widths: Sequence[float], *, header_rows: int = 1,
               zebra: bool = True, extra: Sequence[tuple[Any, ...]] = (),
               align_right_from: int | None = None) -> Table:
    """A table that splits across pages with its header rows repeated."""
    cmds = list(extra)
    for r in range(header_rows):  # header text wraps instead of running into the next column
        rows[r] = [text(c, "cell_bold") if isinstance(c, str) else c for c in rows[r]]
    for row in rows[header_rows:]:  # plain cells the regular font cannot draw (Chinese)
        for i, cell in enumerate(row):
            if isinstance(cell, str) and fonts.needs_paragraph(cell):
                row[i] = text(cell)
    if align_right_from is not None:
        cmds.append(("ALIGN", (align_right_from, 0), (-1, -1), "RIGHT"))
    # splitInRow: a row taller than what is left of the page (a long adverse-event term,
    # medication notes) continues on the next page instead of failing with LayoutError.
    t = Table(rows, colWidths=list(widths), repeatRows=header_rows, hAlign="LEFT",
              splitInRow=1)
    t.setStyle(table_style(header_rows=header_rows, zebra=zebra, extra=cmds))
    return t


def footer_lines(generated: dt.datetime, width: float = 480, size: float = 6.5) -> list[str]:
    """The footer text: generation time, app version and every rule version used, wrapped."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    tags = sorted({v.split(" ", 1)[0] for v in rule_versions().values()})
    lines = [_("Generated {when} by JDM Capture {version}").format(
        when=local_time_text(generated), version=app_version())]
    rules = _("Rules:")
    current = rules
    for tag in tags:
        candidate = f"{current} {tag}"
        if stringWidth(candidate, fonts.REGULAR, size) > width and current != rules:
            lines.append(current)
            current = "       " + tag
        else:
            current = candidate
    lines.append(current)
    return lines


def _canvas_class(footer: list[str], pagesize: tuple[float, float]) -> type[rl_canvas.Canvas]:
    """A canvas that defers drawing the footer until the page count is known."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            width, _height = pagesize
            self.saveState()
            self.setStrokeColor(RULE_GREY)
            self.setLineWidth(0.4)
            rule_y = _footer_top(len(footer))
            self.line(MARGIN, rule_y, width - MARGIN, rule_y)
            self.setFont(fonts.REGULAR, 6.5)
            self.setFillColor(colors.Color(0.2, 0.2, 0.2))
            y = rule_y - 8
            for line in footer:
                draw_mixed(self, MARGIN, y, _fit(line, width - 2 * MARGIN - 70, 6.5),
                           fonts.REGULAR, 6.5)
                y -= 8
            draw_mixed(self, width - MARGIN, rule_y - 8,
                       _("Page {page} of {total}").format(page=self._pageNumber, total=total),
                       fonts.BOLD, 8, right=True)
            self.restoreState()

    return NumberedCanvas


def draw_mixed(canvas: rl_canvas.Canvas, x: float, y: float, line: str, font: str,
               size: float, *, right: bool = False) -> None:
    """Draw ``line`` run by run, each in a font that has its glyphs (translated text, names)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pieces = [(font if f == fonts.REGULAR else f, run) for f, run in fonts.runs(line)]
    if right:
        x -= sum(stringWidth(run, f, size) for f, run in pieces)
    for f, run in pieces:
        canvas.setFont(f, size)
        canvas.drawString(x, y, run)
        x += stringWidth(run, f, size)


def _footer_top(lines: int) -> float:
    """Height of the rule above the footer: the footer grows upwards from the margin."""
    return MARGIN + 8 * (lines - 1) - 3


def _fit(line: str, width: float, size: float) -> str:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(line, fonts.REGULAR, size) <= width:
        return line
    while line and stringWidth(line + "…", fonts.REGULAR, size) > width:
        line = line[:-1]
    return line + "…"


def build(out: Path, story: list[Flowable], *, title: str, running: str,
          wide: bool = False, generated: dt.datetime | None = None) -> None:
    """Lay out ``story`` into ``out`` (A4, landscape when ``wide``), written atomically.

    Args:
        out: the PDF path; a temporary file is renamed over it only when the build succeeds.
        story: the flowables.
        title: PDF metadata title.
        running: the running header printed at the top of every page after the first
            (plain text, drawn literally).
        wide: landscape pages for wide tables (the cohort summary).
        generated: the generation time for the footer (default: now, UTC).
    """
    fonts.register()
    pagesize = landscape(A4) if wide else A4
    when = generated or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    footer = footer_lines(when, pagesize[0] - 2 * MARGIN - 70)
    canvas_cls = _canvas_class(footer, pagesize)

    def on_page(canvas: rl_canvas.Canvas, doc: Any) -> None:
        if doc.page == 1:
            return
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.3, 0.3, 0.3))
        draw_mixed(canvas, MARGIN, pagesize[1] - MARGIN + 5, running, fonts.REGULAR, 7.5)
        canvas.restoreState()

    out = Path(out)
    with written_atomically(out, ".pdf") as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN, bottomMargin=_footer_top(len(footer)) + 6,
                                title=title,
                                author="JDM Capture", creator=f"JDM Capture {app_version()}",
                                invariant=generated is not None)
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=canvas_cls)


def frame_width(wide: bool = False) -> float:
    """The usable text width of a page."""
    pagesize = landscape(A4) if wide else A4
    return pagesize[0] - 2 * MARGIN


Formatter = Callable[[object], str]
