"""Embedded TrueType fonts for the PDF reports, and markup-safe text for reportlab Paragraphs.

Reports must print any name a clinic types, including Chinese, Japanese or Korean text, on a
machine with no network and no system fonts we can rely on. So the fonts ship in
``resources/fonts/`` (with their licences) and are read through :mod:`importlib.resources`:

* DejaVu Sans (regular and bold; Bitstream Vera licence) for Latin, Greek and Cyrillic text,
  symbols such as the arrows and the multiplication sign used in the reports;
* Droid Sans Fallback (Apache-2.0) for CJK and everything else DejaVu lacks.

reportlab has no per-glyph font fallback, so :func:`para` splits a string into runs by glyph
coverage and wraps the runs DejaVu cannot draw in ``<font name="JDMFallback">``. Every run is
escaped first, so user text such as ``<b>x</b> & co`` prints literally and never becomes markup.
Both fonts are embedded as subsets (reportlab's TTF handling), so the PDF shows the same glyphs
everywhere.
"""

from __future__ import annotations

import io
import re
from functools import cache
from importlib.resources import files

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities (what xml.sax.saxutils.escape does, without importing
    urllib, http and ssl with it: that costs a cold report 20 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: reportlab font names registered by :func:`register`.
REGULAR = "JDMSans"
BOLD = "JDMSans-Bold"
FALLBACK = "JDMFallback"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
}


def font_bytes(filename: str) -> bytes:
    """The bytes of one font file shipped in ``resources/fonts``."""
    return (files("resources") / "fonts" / filename).read_bytes()


@cache
def register() -> None:
    """Register the Latin report fonts with reportlab once per process (idempotent).

    ``JDMSans`` is a font family: ``<b>`` inside a Paragraph switches to the bold face. The CJK
    fallback is registered only when some text needs it (:func:`register_fallback`): parsing
    Droid Sans Fallback costs about 0.4 s, on every report, for a glyph most never print.
    """
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(font_bytes(_FILES[name]))))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                  boldItalic=BOLD)


@cache
def register_fallback() -> None:
    """Register Droid Sans Fallback (once; called on the first character DejaVu lacks).

    The fallback face has no bold; bold CJK text is drawn in the regular fallback face.
    """
    register()
    pdfmetrics.registerFont(TTFont(FALLBACK, io.BytesIO(font_bytes(_FILES[FALLBACK]))))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FALLBACK, bold, italic, FALLBACK)


def fallback_registered() -> bool:
    """Whether the CJK fallback font has been parsed in this process (for tests, benches)."""
    return register_fallback.cache_info().currsize > 0


@cache
def _covered(font_name: str) -> frozenset[int]:
    if font_name == FALLBACK:
        register_fallback()
    else:
        register()
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)


def needs_fallback(char: str) -> bool:
    """True when DejaVu Sans has no glyph for ``char`` but the fallback font has one.

    The fallback font is parsed only here, for a character DejaVu does not cover."""
    if char.isspace():  # line breaks and spaces are never drawn from a font
        return False
    code = ord(char)
    return code not in _covered(REGULAR) and code in _covered(FALLBACK)


def runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font_name, run)`` pieces by which embedded font can draw it.

    Characters neither font covers stay with the regular font (they print as its empty box
    rather than vanish). Whitespace joins the run it is in, so words are not split needlessly.
    """
    out: list[tuple[str, str]] = []
    current = REGULAR
    buf: list[str] = []
    for ch in text:
        font = current if ch.isspace() else (FALLBACK if needs_fallback(ch) else REGULAR)
        if font != current and buf:
            out.append((current, "".join(buf)))
            buf = []
        current = font
        buf.append(ch)
    if buf:
        out.append((current, "".join(buf)))
    return out


def para(text: object) -> str:
    """Paragraph markup that prints ``text`` literally, in fonts that can draw every glyph.

    Args:
        text: anything; ``None`` becomes an empty string, other objects their ``str()``.

    Returns:
        Escaped text for :class:`reportlab.platypus.Paragraph`; runs the regular font cannot
        draw are wrapped in ``<font name="JDMFallback">``. Line breaks become ``<br/>``.
    """
    if text is None:
        return ""
    text = str(text)
    if text.isascii():  # fast path: DejaVu covers all of printable ASCII
        return escape(text).replace("\n", "<br/>")
    pieces = []
    for font, run in runs(text):
        escaped = escape(run).replace("\n", "<br/>")
        pieces.append(escaped if font == REGULAR else f'<font name="{font}">{escaped}</font>')
    return "".join(pieces)


_TAG = re.compile(r"(<[^>]*>)")


def markup(text: str) -> str:
    """Paragraph markup with the runs the regular font cannot draw (translated report text)
    wrapped in the fallback font; tags and entities are left as they are."""
    if text.isascii():
        return text
    out = []
    for part in _TAG.split(text):
        if part.startswith("<"):
            out.append(part)
            continue
        for font, run in runs(part):
            out.append(run if font == REGULAR else f'<font name="{font}">{run}</font>')
    return "".join(out)


def needs_paragraph(text: str) -> bool:
    """True when a plain table-cell string could not be drawn in the regular font alone."""
    return not text.isascii() and any(needs_fallback(ch) for ch in text)
