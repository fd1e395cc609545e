"""Embedded TrueType fonts for the PDF reports, and markup-safe text for reportlab Paragraphs.

Reports must print any name a clinic types, including Chinese, Japanese or Korean text, on a
machine with no network and no system fonts we can rely on. So the fonts ship in
``resources/fonts/`` (with their licences) and are read through :func:`resources.read_bytes`:

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

import hashlib
import io
import marshal
import re
import weakref
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

from reportlab import Version as _REPORTLAB_VERSION
from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

import resources
from storage import user_cache


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
    return resources.read_bytes("fonts", filename)


# ------------------------------------------------------------------------------------------
# Parsed font metrics, cached per user (issue 16: parsing the two DejaVu faces was a tenth of a
# cold report, Droid Sans Fallback 0.37 s)
# ------------------------------------------------------------------------------------------
#: where parsed metrics are kept (storage.user_cache; "" turns the cache off)
CACHE_ENV = user_cache.CACHE_ENV
_CACHE_FORMAT = 2  # 2: the deferred part (glyphToChar) is a blob of its own


def _cache_key(data: bytes) -> str:
    """Names the cached metrics of exactly these font bytes, parsed by exactly this reportlab
    in this cache format: a changed font file or reportlab release is parsed afresh."""
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(f"|reportlab {_REPORTLAB_VERSION}|format {_CACHE_FORMAT}".encode())
    return digest.hexdigest()


#: parsed data a report never reads: kept in the entry as its own marshal blob, loaded when
#: first asked for (``glyphToChar`` serves only reportlab's text shaping, which the reports
#: do not use; loading it was a quarter of reading a cached face)
_DEFERRED = ("glyphToChar",)


class _CachedFace(TTFontFace):
    """A face made from the cache: what parsing made, with the :data:`_DEFERRED` attributes
    loaded on first use."""

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__
        blob = state.get("_deferred")
        if name not in _DEFERRED or blob is None:
            raise AttributeError(name)
        try:
            later = marshal.loads(blob)
            if not isinstance(later, dict) or not set(_DEFERRED) <= set(later):
                raise ValueError("not the deferred part of a cached face")
        except (ValueError, EOFError, TypeError):  # damaged: parse the font bytes again
            fresh = TTFontFace(io.BytesIO(state["_ttf_data"]))
            later = {key: fresh.__dict__[key] for key in _DEFERRED}
        state.update(later)  # (two threads asking at once both load it; either result holds)
        state.pop("_deferred", None)
        return state[name]


def _face_state(face: TTFontFace) -> tuple[dict[str, Any], dict[str, str], bytes] | None:
    """What parsing produced, as plain data (the font bytes and the scale function are made
    again on load), with the :data:`_DEFERRED` part as a marshal blob of its own; None when
    reportlab keeps something this cache does not know."""
    plain: dict[str, Any] = {}
    names: dict[str, str] = {}
    later: dict[str, Any] = {}
    for key, value in face.__dict__.items():
        if key in ("_ttf_data", "_pdfScale"):
            continue
        if isinstance(value, TTFNameBytes):
            names[key] = value.ustr
        elif key in _DEFERRED:
            later[key] = value
        else:
            plain[key] = value
    try:
        marshal.dumps(plain)
        return plain, names, marshal.dumps(later)
    except ValueError:  # an object marshal cannot store: do not cache this reportlab
        return None


def _face_from_state(plain: dict[str, Any], names: dict[str, str], data: bytes,
                     deferred: bytes) -> TTFontFace:
    face = _CachedFace.__new__(_CachedFace)
    state = face.__dict__
    state.update(plain)
    for key, text in names.items():
        state[key] = TTFNameBytes(text.encode("utf-8"))
    state["_ttf_data"] = data
    state["_deferred"] = deferred
    units = plain["unitsPerEm"]  # as TTFontFile.extractInfo makes it
    if units == 1000:
        state["_pdfScale"] = lambda x: x
    else:
        mult = 1000 / units
        state["_pdfScale"] = lambda x: x * mult
    return face


def _cached_face(path: Path | None, data: bytes) -> TTFontFace | None:
    blob = user_cache.read(path)
    if blob is None:
        return None
    try:
        fmt, plain, names, deferred = marshal.loads(blob)
        if (fmt != _CACHE_FORMAT or not isinstance(plain, dict) or not isinstance(names, dict)
                or not isinstance(deferred, bytes)):
            return None
        if not isinstance(plain.get("charToGlyph"), dict) or not isinstance(
                plain.get("unitsPerEm"), int):
            return None
        return _face_from_state(plain, names, data, deferred)
    except (ValueError, EOFError, TypeError, KeyError, ZeroDivisionError):
        return None  # damaged or foreign: parse the font again and rewrite it


def _store_face(path: Path | None, face: TTFontFace) -> None:
    state = _face_state(face)
    if state is not None:
        user_cache.write(path, marshal.dumps((_CACHE_FORMAT, *state)))


def load_font(name: str, filename: str) -> TTFont:
    """The font ``filename`` of ``resources/fonts`` as reportlab font ``name``.

    Parsing a TrueType file is the costly part of registering it; the parsed metrics are kept
    in the per-user cache (:mod:`storage.user_cache`, folder ``fonts``) under a key made from
    the font's bytes, the reportlab version and the cache format, written atomically and
    owner-only, in ``marshal`` format (plain data: loading it never runs code). A missing,
    damaged or stale entry is parsed again. The subsetting that
    embeds the glyphs reads the font bytes themselves, as without the cache.
    """
    data = font_bytes(filename)
    path = user_cache.entry("fonts", f"{Path(filename).stem}-{_cache_key(data)}.marshal")
    face = _cached_face(path, data)
    if face is None:
        font = TTFont(name, io.BytesIO(data))
        _store_face(path, font.face)
        return font
    font = TTFont.__new__(TTFont)  # what TTFont.__init__ does, with the face already parsed
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = weakref.WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)
    return font


@cache
def register() -> None:
    """Register the Latin report fonts with reportlab once per process (idempotent).

    ``JDMSans`` is a font family: ``<b>`` inside a Paragraph switches to the bold face. The CJK
    fallback is registered only when some text needs it (:func:`register_fallback`): parsing
    Droid Sans Fallback costs about 0.4 s, on every report, for a glyph most never print.
    """
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(load_font(name, _FILES[name]))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                  boldItalic=BOLD)


@cache
def register_fallback() -> None:
    """Register Droid Sans Fallback (once; called on the first character DejaVu lacks).

    The fallback face has no bold; bold CJK text is drawn in the regular fallback face.
    """
    register()
    pdfmetrics.registerFont(load_font(FALLBACK, _FILES[FALLBACK]))
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
    missing = set(map(ord, text)).difference(_covered(REGULAR))
    if not any(not chr(code).isspace() for code in missing):  # the usual case: one run
        return [(REGULAR, text)] if text else []
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
    if text.isascii():
        return False
    missing = set(map(ord, text)).difference(_covered(REGULAR))  # usually none ("Δ", "–")
    return any(needs_fallback(chr(code)) for code in missing)
