"""reportlab.platypus is imported with its URL pattern (and textsplit's CJK pattern, and
PyFontify's two) compiled on first use (issue 16: the URL pattern cost 25-95 ms of every cold
report, the CJK one ~3 ms, PyFontify's ~1 ms) and the patterns behave exactly as compiled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import re, sys
sys.path.insert(0, {root!r})
real_compile = re.compile
import exports
from reportlab.platypus import paragraph
from exports.rl_import import LazyPattern
assert re.compile is real_compile, "re.compile is restored"
assert isinstance(paragraph.uri_pat, LazyPattern)
assert paragraph.uri_pat._compiled is None, "not compiled by the import"
real = real_compile(paragraph.uri_pat.pattern, paragraph.uri_pat.flags)
for s in ["https://example.com/a?b=c", "HTTP://Exämple.org", "ftp://1.2.3.4:21/x", "no url",
          "mailto:x@y", "https://[::1]/", "http://localhost:8080/p"]:
    a, b = paragraph.uri_pat.match(s), real.match(s)
    assert (a and a.groups()) == (b and b.groups()), s
assert paragraph._uri_split_pairs("https://example.com/a/b") == [
    ("https://example.com/a/", "b"), ("https://example.com/", "a/b"),
    ("https://", "example.com/a/b")]
assert type(re.compile("x")) is re.Pattern
from reportlab.lib import textsplit  # imported by the paragraph module, its CJK pattern too
assert isinstance(textsplit.rx, LazyPattern) and textsplit.rx._compiled is None
real_rx = real_compile(textsplit.rx.pattern, textsplit.rx.flags)
for s in ["abc 中文 def", "梅 李", "plain", "\u2e80\uffff\u2e7f", ""]:
    mark = lambda m: "<" + m.group(1) + ">"
    assert textsplit.rx.sub(mark, s) == real_rx.sub(mark, s), s
    assert textsplit.rx.findall(s) == real_rx.findall(s), s
# only that module's loader is wrapped; the loader object itself is not modified (a frozen
# bundle serves every module from one loader object)
wrapped = paragraph.__spec__.loader
assert type(wrapped).__name__ == "_LazyUriLoader"
assert "exec_module" not in vars(wrapped._loader)
from reportlab.platypus import tables
assert type(tables.__spec__.loader).__name__ != "_LazyUriLoader"
# the paragraph module's hyphenation patterns wait too, and match as compiled
for name in ("_hy_pfx_pat", "_hy_sfx_pat", "_hy_letters_pat", "_hy_shy_letters_pat",
             "_hy_shy_pat"):
    lazy = getattr(paragraph, name)
    assert isinstance(lazy, LazyPattern) and lazy._compiled is None, name
    real = real_compile(lazy.pattern, lazy.flags)
    for s in ["\u201cword,", "Hyphen-ated", "soft\xadhyphen", "x", "", "\u00c9t\u00e9!"]:
        a, b = lazy.search(s), real.search(s)
        assert (a and a.span()) == (b and b.span()), (name, s)
        assert lazy.split(s) == real.split(s), (name, s)
# PyFontify (imported by reportlab.platypus for XPreformatted): both patterns wait for a use
from reportlab.lib import PyFontify
for name in ("matchRE", "idRE"):
    lazy = getattr(PyFontify, name)
    assert isinstance(lazy, LazyPattern) and lazy._compiled is None, name
code = "def f(x):\\n    # comment\\n    return 'a' + 'b' if x else None\\n"
tags = PyFontify.fontify(code)
real_match = real_compile(PyFontify.matchRE.pattern)
real_id = real_compile(PyFontify.idRE.pattern)
PyFontify.matchRE, PyFontify.idRE = real_match, real_id
assert PyFontify.fontify(code) == tags and tags, tags
assert not any(isinstance(f, type(sys.meta_path[0])) and type(f).__name__ == "_ParagraphFinder"
               for f in sys.meta_path), "the hook leaves once both modules are imported"
assert re.compile is real_compile
print("ok")
"""


def test_the_url_pattern_is_lazy_and_matches_as_compiled() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(root=str(ROOT))],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
