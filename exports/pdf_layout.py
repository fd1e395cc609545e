"""Page furniture shared by the PDF reports: styles, table styles, footer, document build.

Every page carries a running header (what the report is about) and a footer with "page x of y",
the generation time, the app version and the versions of the scoring rules used, so a printed
page can always be traced to the software that produced it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText

from exports import fonts
from exports.common import app_version, default_author, written_atomically
from forms.i18n import _, language, local_time_text
from forms.scoring import rule_summary

MARGIN = 14 * mm
RULE_GREY = colors.Color(0.55, 0.55, 0.55)
ZEBRA = colors.Color(0.95, 0.95, 0.95)
HEAD_BG = colors.Color(0.88, 0.88, 0.88)


#: Printed sizes (points): body text and table cells at least 9, notes and page furniture 8
#: (issue 15: readable when printed).
BODY_PT = 9.0
NOTE_PT = 8.0


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the reports (DejaVu Sans, embedded).

    No style splits a word: ``splitLongWords=0`` (reportlab's default breaks a word that does
    not fit a cell, which printed "FLAR/E"); columns are sized for their words instead.
    """
    fonts.register()
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=BODY_PT, leading=11.5,
                          splitLongWords=0)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base),
        "note": ParagraphStyle("note", parent=base, fontSize=NOTE_PT, leading=10,
                               textColor=colors.Color(0.2, 0.2, 0.2)),
        "cell": ParagraphStyle("cell", parent=base, leading=10.8),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=fonts.BOLD,
                                    leading=10.8),
        "cell_right": ParagraphStyle("cell_right", parent=base, leading=10.8, alignment=2),
        "cell_bold_right": ParagraphStyle("cell_bold_right", parent=base, fontName=fonts.BOLD,
                                          leading=10.8, alignment=2),
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=16,
                                leading=20, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=13,
                                   spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=fonts.BOLD, fontSize=12.5,
                             leading=16, spaceBefore=9, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, fontName=fonts.BOLD, fontSize=10,
                             leading=13, spaceBefore=5, spaceAfter=2),
    }


class _Para(Paragraph):
    """A Paragraph that breaks its lines once per width.

    A table asks each cell for its size when it measures its rows, again when it splits over
    a page and again when it draws the cell, always at the column's width; reportlab breaks
    the lines anew each time (a third of a patient report's layout time, in the explanation
    cells of the response table). Here a wrap at the width of the last one, with the same
    fragments, style and line breaks (``split`` drops them), returns what that one made,
    which is what breaking the lines again would give.
    """

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        state = self.__dict__
        cjk = state.get("_cjk_style")
        if cjk is not None:  # Chinese: break inside a word only where a word does not fit
            widest = state.get("_widest_word")
            if widest is None:
                widest = state["_widest_word"] = _needed(self)
            self.style = cjk if widest > availWidth else state["_latin_style"]
        memo = state.get("_wrapped")
        if (memo is not None and memo[0] == availWidth and memo[1] is state.get("blPara")
                and memo[2] is state.get("frags") and memo[3] is state.get("style")):
            self.width, self._wrapWidths, self.height = availWidth, list(memo[4]), memo[5]
            return availWidth, memo[5]
        size = super().wrap(availWidth, availHeight)
        if "blPara" in state:
            state["_wrapped"] = (availWidth, state["blPara"], state.get("frags"), self.style,
                                 tuple(self._wrapWidths), self.height)
        return size


def p(text: str, style: str = "body") -> Paragraph:
    """A Paragraph of *markup* (callers escape user text with :func:`fonts.para`); translated
    text in it is drawn in the CJK fallback font where DejaVu has no glyph, and then its
    lines may break inside a word that does not fit (:func:`breaks_cjk`)."""
    made = fonts.markup(text)
    para = _Para(made, styles()[style])
    if made is not text and f'<font name="{fonts.FALLBACK}">' in made:
        breaks_cjk(para)
    return para


def breaks_cjk(para: _Para) -> _Para:
    """Let ``para``, a text with CJK characters, break lines the Chinese way where it must.

    Chinese is written without spaces, so a Chinese label is one long word to a Latin line
    breaker: it widened its table column past the page margin. A paragraph marked here
    keeps the usual breaking between words at a width its every word fits; at a narrower
    one it uses reportlab's ``wordWrap="CJK"``, where a line may end after any character
    (keeping a Latin word whole where it can, and closing punctuation at the line's end).
    :func:`fit_widths` counts on that when a table has no room for whole words.
    """
    state = para.__dict__
    state["_latin_style"] = style = state["style"]
    state["_cjk_style"] = _cjk_twin(style)
    return para


@cache
def _cjk_twin(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}_cjk", parent=style, wordWrap="CJK")


class _Text(_Para):
    """A Paragraph of literal text whose markup is made and parsed on first use.

    :func:`data_table` draws most such cells as plain lines and never needs the parse, which
    was a fifth of a patient report's layout time. Any use as a Paragraph (wrap, split, draw,
    its fragments) parses it first, exactly as ``Paragraph(fonts.para(source), style)``.
    """

    def __init__(self, source: str | None, style: ParagraphStyle, bulletText: Any = None,  # noqa: D107, N803
                 frags: list[Any] | None = None) -> None:
        if frags is not None:  # a piece of a split cell: Paragraph.split makes it so
            self._unparsed = False
            Paragraph.__init__(self, source, style, bulletText, frags)
            return
        self.caseSensitive = 1
        self.encoding = "utf8"
        self.style = style
        self.plain_source = source
        self._unparsed = True

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__
        if name.startswith("__") or not state.get("_unparsed"):
            raise AttributeError(name)
        state["_unparsed"] = False
        style = state["style"]
        self._setup(fonts.para(state["plain_source"]), style,
                    getattr(style, "bulletText", None), None, cleanBlockQuotedText)
        return getattr(self, name)


def text(value: object, style: str = "cell") -> Paragraph:
    """A Paragraph that prints ``value`` literally (escaped, with CJK fallback runs).

    Inside :func:`data_table` such a cell is drawn as pre-wrapped plain lines instead when the
    Latin font covers it (same words per line, same font, size and leading, a fraction of a
    Paragraph's layout cost); it is parsed as a Paragraph only when used as one."""
    source = "" if value is None else str(value)
    cell = _Text(source, styles()[style])
    return breaks_cjk(cell) if fonts.needs_paragraph(source) else cell


_Measure = Callable[[str, str, float], float]
"""``measure(text, font, size)``: the width of a run, as reportlab's ``stringWidth``."""


def _string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def _wrap_plain(value: str, font: str, size: float, width: float,
                measure: _Measure = _string_width) -> str:
    """``value`` broken between words into lines no wider than ``width`` (a word longer than
    the width keeps a line of its own: words are never split)."""
    out: list[str] = []
    for paragraph in value.split("\n"):
        if measure(paragraph, font, size) <= width:  # no prefix of it is wider: one line
            out.append(paragraph)
            continue
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and measure(candidate, font, size) > width:
                out.append(line)
                line = word
            else:
                line = candidate
        out.append(line)
    return "\n".join(out)


_PLAIN_STYLES = {"cell": (False, "LEFT"), "cell_bold": (True, "LEFT"),
                 "cell_right": (False, "RIGHT"), "cell_bold_right": (True, "RIGHT")}


def _plain_cells(rows: list[list[Any]], widths: Sequence[float],
                 measure: _Measure = _string_width) -> list[tuple[Any, ...]]:
    """Replace the :func:`text` cells the Latin font can draw by wrapped plain strings; return
    the per-cell font and alignment commands that keep their look."""
    cmds: list[tuple[Any, ...]] = []
    for r, row in enumerate(rows):
        if len(row) > 2 and sum(1 for c in row if c not in ("", None)) == 1:
            continue  # a heading spanned over the row keeps its Paragraph
        bold_cols: list[int] = []
        right_cols: list[int] = []
        for c, cell in enumerate(row):
            source = getattr(cell, "plain_source", None)
            if source is None or c >= len(widths):
                continue
            style = cell.style.name
            if style not in _PLAIN_STYLES or fonts.needs_paragraph(source):
                continue
            bold, align = _PLAIN_STYLES[style]
            font = fonts.BOLD if bold else fonts.REGULAR
            row[c] = _wrap_plain(source, font, BODY_PT, widths[c] - CELL_PADDING, measure)
            if bold:
                bold_cols.append(c)
            if align == "RIGHT":
                right_cols.append(c)
        # one command per run of neighbouring cells (the core set table: one a row, not four)
        cmds += [("FONTNAME", (c0, r), (c1, r), fonts.BOLD) for c0, c1 in _runs_of(bold_cols)]
        cmds += [("ALIGN", (c0, r), (c1, r), "RIGHT") for c0, c1 in _runs_of(right_cols)]
    return cmds


def _runs_of(columns: list[int]) -> list[tuple[int, int]]:
    """Increasing column numbers as (first, last) runs of consecutive ones."""
    out: list[tuple[int, int]] = []
    for c in columns:
        if out and out[-1][1] == c - 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


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
            out.append(_Para(fonts.para(piece) or "&nbsp;", styles()[style]))
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
        ("FONTSIZE", (0, 0), (-1, -1), BODY_PT),
        ("LEADING", (0, 0), (-1, -1), 10.8),
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
    measure = _width_memo()  # the cells are measured twice: to fit the columns, to wrap them
    fitted = fit_widths(rows, widths, measure)
    cmds += _plain_cells(rows, fitted, measure)
    # splitInRow: a row taller than what is left of the page (a long adverse-event term,
    # medication notes) continues on the next page instead of failing with LayoutError.
    t = Table(rows, colWidths=fitted, repeatRows=header_rows, hAlign="LEFT", splitInRow=1)
    t.setStyle(table_style(header_rows=header_rows, zebra=zebra, extra=cmds))
    return t


CELL_PADDING = 6.5  # left + right padding of the house table style, plus a hair


_WORD_GAPS = re.compile(r"[ \t\n\r]+")  # what a Paragraph breaks lines at (not nbsp)


def _needed(cell: Any, width: _Measure = _string_width, *, cjk_breaks: bool = False) -> float:
    """The narrowest width a cell can take without splitting a word or overflowing: a plain
    string is drawn on one line (per line break); a Paragraph wraps between words only, and
    with ``cjk_breaks`` a CJK one (:func:`breaks_cjk`) also between any two CJK characters."""
    if isinstance(cell, str):
        return max((width(line, fonts.BOLD, BODY_PT) for line in cell.split("\n")),
                   default=0.0)
    if isinstance(cell, Paragraph):
        style = cell.__dict__.get("_latin_style") or cell.style
        font = fonts.BOLD if "Bold" in style.fontName else style.fontName
        source = getattr(cell, "plain_source", None)  # a text() cell: no need to parse it
        # getPlainText() joins the lines of a <br/> (what the widths were always fitted to)
        size = style.fontSize
        if source is not None and not fonts.needs_paragraph(source):
            plain = source.replace("\n", "")
            return max((width(w, font, size) for w in _WORD_GAPS.split(plain) if w),
                       default=0.0)
        # runs DejaVu cannot draw are printed in the fallback font (CJK glyphs are a full em
        # wide, DejaVu's missing-glyph width is 0.6 em): each run measured in its own font,
        # each line of a text() cell on its own (its line breaks are breaks); with the CJK
        # line breaking a line may end after any CJK character, so each is a word of its own
        plain = source if source is not None else cell.getPlainText()
        words = [fonts.runs(w) for w in _WORD_GAPS.split(plain) if w]
        if cjk_breaks and "_cjk_style" in cell.__dict__:
            return max((width(piece, font if f == fonts.REGULAR else f, size)
                        for runs in words for f, run in runs
                        for piece in (run if f == fonts.FALLBACK else (run,))), default=0.0)
        return max((sum(width(run, font if f == fonts.REGULAR else f, size) for f, run in runs)
                    for runs in words), default=0.0)
    return 0.0


def _width_memo() -> _Measure:
    """``stringWidth`` remembering what it measured (a table repeats many words: dashes,
    "Δ", scores), for the measuring of one table."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    known: dict[tuple[str, str, float], float] = {}

    def measure(text: str, font: str, size: float) -> float:
        key = (text, font, size)
        found = known.get(key)
        if found is None:
            found = known[key] = stringWidth(text, font, size)
        return found

    return measure


def fit_widths(rows: Sequence[Sequence[Any]], widths: Sequence[float],
               measure: _Measure | None = None) -> list[float]:
    """Column widths that fit every word: a column narrower than its longest word (or plain
    string) is widened, taking the room from columns with slack, so no word is ever split
    or runs into the next column (issue 15). Spanned group rows are skipped.

    A CJK word is kept whole while the columns have room for that; when they have not (a
    Chinese report's wide tables), CJK text breaks between characters instead, as Chinese
    does, and the table stays within its width."""
    out = [float(w) for w in widths]
    if not rows:
        return out
    width = measure or _width_memo()
    need = _needs(rows, len(out), width, cjk_breaks=False)
    short = sum(max(0.0, n - w) for n, w in zip(need, out, strict=True))
    if short <= 0:
        return out
    spare = sum(max(0.0, w - n) for n, w in zip(need, out, strict=True))
    if short > spare:
        need = _needs(rows, len(out), width, cjk_breaks=True)
        short = sum(max(0.0, n - w) for n, w in zip(need, out, strict=True))
        if short <= 0:
            return out
    slack = [max(0.0, w - n) for n, w in zip(need, out, strict=True)]
    spare = sum(slack)
    take = min(1.0, short / spare) if spare else 0.0
    return [max(n, w) if n > w else w - s * take
            for n, w, s in zip(need, out, slack, strict=True)]


def _needs(rows: Sequence[Sequence[Any]], columns: int, width: _Measure, *,
           cjk_breaks: bool) -> list[float]:
    need = [0.0] * columns
    for row in rows:
        cells = [c for c in row if c not in ("", None)]
        if len(cells) == 1 and len(row) > 2:  # a spanned group heading
            continue
        for i, cell in enumerate(row[:columns]):
            need[i] = max(need[i], _needed(cell, width, cjk_breaks=cjk_breaks) + CELL_PADDING)
    return need


def footer_lines(generated: dt.datetime, width: float = 480, size: float = NOTE_PT) -> list[str]:
    """The footer text: generation time, app version and the scoring rule versions in words
    (``Scoring rules: CMAS v1, ..., ACR/EULAR TIS v2``), wrapped at commas to ``width``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = [_("Generated {when} by JDM Capture {version}").format(
        when=local_time_text(generated), version=app_version())]
    rules = _("Scoring rules:")
    current = rules
    for part in rule_summary().split(", "):
        candidate = f"{current} {part}," if current.endswith(":") else f"{current} {part},"
        if stringWidth(candidate, fonts.REGULAR, size) > width and current != rules:
            lines.append(current)
            current = f"{part},"
        else:
            current = candidate
    lines.append(current.rstrip(",") + ".")
    return lines


def _canvas_class(footer: list[str], pagesize: tuple[float, float]) -> type[rl_canvas.Canvas]:
    """A canvas that defers drawing the footer until the page count is known.

    Bookmarks made while a page is laid out are deferred with it, so each outline entry
    points at its own page when the pages are finally written.
    """

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[tuple[dict[str, Any], list[str]]] = []
            self._marks: list[str] = []

        def bookmarkPage(self, key: str, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
            self._marks.append(key)  # written with its page in save()

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._pages.append((dict(self.__dict__), self._marks))
            self._marks = []
            self._startPage()

        def save(self) -> None:
            pages = list(self._pages)
            total = len(pages)
            for state, marks in pages:
                self.__dict__.update(state)
                for key in marks:
                    rl_canvas.Canvas.bookmarkPage(self, key, fit="XYZ")
                self._furniture(total)
                rl_canvas.Canvas.showPage(self)
            rl_canvas.Canvas.save(self)

        def _furniture(self, total: int) -> None:
            width, _height = pagesize
            self.saveState()
            self.setStrokeColor(RULE_GREY)
            self.setLineWidth(0.4)
            rule_y = _footer_top(len(footer))
            self.line(MARGIN, rule_y, width - MARGIN, rule_y)
            self.setFont(fonts.REGULAR, NOTE_PT)
            self.setFillColor(colors.Color(0.2, 0.2, 0.2))
            y = rule_y - 9
            for line in footer:
                draw_mixed(self, MARGIN, y, _fit(line, width - 2 * MARGIN - 80, NOTE_PT),
                           fonts.REGULAR, NOTE_PT)
                y -= 9.5
            draw_mixed(self, width - MARGIN, rule_y - 9,
                       _("Page {page} of {total}").format(page=self._pageNumber, total=total),
                       fonts.BOLD, BODY_PT, right=True)
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
    return MARGIN + 9.5 * (lines - 1) - 2


def _fit(line: str, width: float, size: float) -> str:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(line, fonts.REGULAR, size) <= width:
        return line
    while line and stringWidth(line + "…", fonts.REGULAR, size) > width:
        line = line[:-1]
    return line + "…"


class _Doc(SimpleDocTemplate):
    """A document that bookmarks its headings: the PDF outline lists the sections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outline_n = 0

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab API)
        level = OUTLINE_LEVELS.get(getattr(getattr(flowable, "style", None), "name", ""))
        if level is None or not isinstance(flowable, Paragraph):
            return
        title = getattr(flowable, "outline_title", None) or flowable.getPlainText()
        self._outline_n += 1
        key = f"s{self._outline_n}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


#: paragraph style -> outline level (title and sections at 0, subsections at 1)
OUTLINE_LEVELS = {"title": 0, "h2": 0, "h3": 1}


def heading(text_: str, style: str = "h2", outline: str | None = None) -> Paragraph:
    """A heading Paragraph (markup) that also becomes an outline entry (bookmark)."""
    para = p(text_, style)
    if outline:
        para.outline_title = outline
    return para


def build(out: Path | BinaryIO, story: list[Flowable], *, title: str, running: str,
          wide: bool = False, generated: dt.datetime | None = None,
          author: str | None = None, subject: str = "", lang: str | None = None) -> None:
    """Lay out ``story`` into ``out`` (A4, landscape when ``wide``), written atomically.

    Args:
        out: the PDF path (a temporary file is renamed over it only when the build succeeds),
            or a binary stream to write the PDF into (nothing is written to disk).
        story: the flowables; title, h2 and h3 paragraphs become the PDF outline.
        title: PDF metadata title (shown by viewers instead of the file name).
        running: the running header printed at the top of every page after the first
            (plain text, drawn literally).
        wide: landscape pages for wide tables (the cohort summary).
        generated: the generation time for the footer (default: now, UTC).
        author: PDF metadata author: the signed-in user or the clinic (default: the OS user).
        subject: PDF metadata subject.
        lang: the document language (``/Lang``), for screen readers and hyphenation; default
            the language the report is written in (``en`` or ``zh-CN``).
    """
    fonts.register()
    pagesize = landscape(A4) if wide else A4
    when = generated or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    footer = footer_lines(when, pagesize[0] - 2 * MARGIN - 80)
    canvas_cls = _canvas_class(footer, pagesize)

    def on_page(canvas: rl_canvas.Canvas, doc: Any) -> None:
        if doc.page == 1:
            return
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.3, 0.3, 0.3))
        draw_mixed(canvas, MARGIN, pagesize[1] - MARGIN + 5, running, fonts.REGULAR, NOTE_PT)
        canvas.restoreState()

    def render(target: str | BinaryIO) -> None:
        doc = _Doc(target, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
                   topMargin=MARGIN, bottomMargin=_footer_top(len(footer)) + 8,
                   title=title, author=author or default_author(), subject=subject,
                   creator=f"JDM Capture {app_version()}",
                   lang=lang or ("zh-CN" if language() == "zh_CN" else "en"),
                   displayDocTitle=1, invariant=generated is not None)
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=canvas_cls)
        if doc._outline_n:
            doc.canv.showOutline()

    if not isinstance(out, (str, os.PathLike)):
        render(out)  # into memory: an identified snapshot never touches the disk in clear
        return
    with written_atomically(Path(out), ".pdf") as tmp:
        render(str(tmp))


def frame_width(wide: bool = False) -> float:
    """The usable text width of a page."""
    pagesize = landscape(A4) if wide else A4
    return pagesize[0] - 2 * MARGIN


Formatter = Callable[[object], str]
