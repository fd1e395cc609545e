"""Import ``reportlab.platypus`` without compiling its one costly, rarely used pattern.

``reportlab.platypus.paragraph`` compiles ``uri_pat`` (a URL matcher with ``\\xa1-\\uffff``
ranges, case-insensitive) when it is imported: about 25 ms of a ~0.1 s cold report on a quiet
machine, 95 ms under load (issue 16). It is used only to split a long URL between lines
(``_uri_split_pairs``, via ``uri_pat.match``), which our reports never ask for (no style splits
long words). :func:`install` (run by ``exports/__init__.py``) arranges that the module is
imported with that pattern, and the CJK pattern of ``reportlab.lib.textsplit`` it imports,
wrapped in a :class:`LazyPattern`, compiled on first use; everything else compiles as usual.
The same is done for the two patterns of ``reportlab.lib.PyFontify`` (a Python syntax
highlighter that ``reportlab.platypus`` imports for ``XPreformatted``, ~1 ms to compile, used by
nothing here).
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import sys
import threading
from typing import Any

#: how reportlab's URL pattern starts (reportlab 4 and 5); nothing else matches it
_URI_PREFIX = "(^(?:[a-z0-9\\.\\-\\+]*)://)"
_lock = threading.RLock()


class LazyPattern:
    """A compiled pattern made on first attribute use (``match``, ``search``, ``pattern``)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__["_compiled"] = _compile(*self._source)
        return getattr(compiled, name)


_compile = re.compile
_PARAGRAPH = "reportlab.platypus.paragraph"


#: ``reportlab.lib.textsplit.rx`` (imported by the paragraph module): a CJK character class
#: over most of the BMP, ~3 ms to compile, used only by ``textsplit.cjkwrap``, a recipe
#: nothing in reportlab or here calls
_CJK_WRAP = "([\u2e80-\uffff])"


def _compile_lazily(pattern: Any, flags: int = 0) -> Any:
    """``re.compile`` while the paragraph module runs: its own module-level patterns (the URL
    pattern, the hyphenation ones: a report hyphenates nothing; each is used only through
    its methods) and textsplit's CJK pattern wait for their first use."""
    if isinstance(pattern, str) and (
            pattern.startswith(_URI_PREFIX) or pattern == _CJK_WRAP
            or sys._getframe(1).f_globals.get("__name__") == _PARAGRAPH):
        return LazyPattern(pattern, flags)
    return _compile(pattern, flags)


def _compile_all_lazily(pattern: Any, flags: int = 0) -> Any:
    if isinstance(pattern, str):
        return LazyPattern(pattern, flags)
    return _compile(pattern, flags)


_PYFONTIFY = "reportlab.lib.PyFontify"

#: module -> the ``re.compile`` its module code runs with. PyFontify uses its two patterns
#: only as ``matchRE.search`` / ``idRE.search`` in ``fontify``, so all of them can wait.
_LAZY_MODULES = {_PARAGRAPH: _compile_lazily, _PYFONTIFY: _compile_all_lazily}


class _LazyUriLoader:
    """Wraps the loader of one module of :data:`_LAZY_MODULES` (and only that module: the
    wrapper is not shared, so a loader object serving many modules, as in a frozen bundle, is
    left untouched); everything but ``exec_module`` is the wrapped loader's."""

    def __init__(self, loader: Any, compile_: Any = _compile_lazily) -> None:
        self._loader = loader
        self._compile_with = compile_

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        with _lock:  # re-entrant: the module's own imports come back through the import system
            outer = re.compile
            re.compile = self._compile_with
            try:
                self._loader.exec_module(module)
            finally:
                re.compile = outer


class _ParagraphFinder:
    """An import hook for the first import of each module of :data:`_LAZY_MODULES`: its
    module code runs with ``re.compile`` making those patterns lazily (only for the duration
    of that module's code); every other import is left to the usual finders. It leaves
    ``sys.meta_path`` when each of them has been imported."""

    def __init__(self) -> None:
        self._waiting = {name for name in _LAZY_MODULES if name not in sys.modules}

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in self._waiting:
            return None
        self._waiting.discard(name)
        if not self._waiting:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _LazyUriLoader(spec.loader, _LAZY_MODULES[name])  # type: ignore[assignment]
        return spec


def install() -> None:
    """Make the next import of ``reportlab.platypus`` compile ``uri_pat`` (and PyFontify's
    patterns) lazily (idempotent; nothing is imported now)."""
    if all(name in sys.modules for name in _LAZY_MODULES) or any(
            isinstance(f, _ParagraphFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _ParagraphFinder())


_IMAGE_MODULE = "PIL.Image"


def defer_images() -> bool:
    """Make ``PIL.Image`` load on its first use instead of when reportlab is imported.

    ``reportlab.lib.utils`` imports Pillow's ``Image`` module on import (10-15 ms of a cold
    report, with its EXIF tables), only to read bitmaps, which our reports never draw. This
    puts the module in ``sys.modules`` behind :class:`importlib.util.LazyLoader`: any use of
    it (``Image.open``, ``isinstance(x, Image.Image)``) loads the real module then. Python
    3.11's LazyLoader is not safe when two threads make that first use at once, so only the
    command line's one-thread ``report`` calls this, before reportlab is imported; returns
    whether it deferred (False when the module is already imported or missing).
    """
    if _IMAGE_MODULE in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(_IMAGE_MODULE)
    except ImportError:  # no Pillow: reportlab then fails on its own import, as without this
        return False
    if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
        return False
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[_IMAGE_MODULE] = module
    loader.exec_module(module)
    package, _, name = _IMAGE_MODULE.rpartition(".")
    setattr(sys.modules[package], name, module)
    return True
