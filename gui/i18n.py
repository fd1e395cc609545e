"""The GUI's language: the per-user setting, Qt's translators and the CJK font.

The setting (``system``, ``en`` or ``zh_CN``; kept by :func:`forms.i18n.save_choice` in a plain
file the command line reads too, no longer in QSettings) is read once at
start-up and applied to both mechanisms: :func:`forms.i18n.set_language` for everything the
layers below show (registry labels, validation, scoring, response explanations, PDFs), and
Qt translators for the ``tr()`` texts of ``gui/`` (``gui/i18n/jdm_capture_<lang>.qm``, built
from the committed ``.ts`` by ``scripts/i18n.py build``) and Qt's own dialogs and buttons
(``qt_zh_CN.qm`` shipped with PySide6). A change applies at the next start; the settings
dialog says so.

The bundled Droid Sans Fallback is registered with Qt so Chinese renders on a PC without
Chinese fonts (the same file the PDFs embed).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    QTranslator,
)
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from forms import i18n

log = logging.getLogger(__name__)
SETTING = "language"
SYSTEM = i18n.SYSTEM
QM_DIR = Path(__file__).resolve().parent / "i18n"
QT_CONTEXT = "jdm"  # scripts/i18n.py flattens every context into this one

_installed: list[QTranslator] = []
_cjk_family: str | None = None


class SourceTextTranslator(QTranslator):
    """Looks a text up by its English source alone, whatever class the ``tr()`` ran in.

    PySide's ``tr()`` asks with the runtime class name, lupdate files the text under the class
    it sees in the source (``window.tr(...)`` in a helper is filed as "window"); one flat
    context built by ``scripts/i18n.py`` makes both agree.
    """

    def __init__(self, qm: Path) -> None:
        super().__init__()
        self.inner = QTranslator()
        self.loaded = self.inner.load(str(qm))

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return not self.loaded

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        """Our translation, or None (a null string) so that Qt asks the next translator: an
        empty string would be taken as the translation (Qt's own OK and Cancel went blank)."""
        if not source_text:
            return None
        text = self.inner.translate(QT_CONTEXT, source_text, disambiguation, n)
        return text or None


def saved_choice() -> str:
    """The user's setting: ``system``, ``en`` or ``zh_CN``. Kept by :mod:`forms.i18n` in a
    plain file the command line reads too; a choice an earlier version kept in QSettings is
    moved there."""
    choice = i18n.saved_choice()
    if choice == SYSTEM:
        old = QSettings().value(SETTING, SYSTEM)
        if old in i18n.LANGUAGES:
            with contextlib.suppress(OSError):
                i18n.save_choice(old)
            choice = old
        if old is not None and old != SYSTEM:
            QSettings().remove(SETTING)
    return choice


def save_choice(choice: str) -> None:
    """Keep the choice for the GUI and the command line of this user (next start)."""
    i18n.save_choice(choice)


def resolve(choice: str | None) -> str:
    """The language a setting means: ``$JDM_CAPTURE_LANG`` when set, else the setting, where
    ``system`` is the system locale's."""
    forced = i18n.normalize(os.environ.get("JDM_CAPTURE_LANG"))
    if forced:
        return forced
    if choice in (None, SYSTEM):
        return i18n.normalize(QLocale.system().name()) or i18n.system_language()
    return choice


def resolve_choice(choice: str) -> str:
    """An explicit choice (``system`` means the system locale's language), no override."""
    if choice == SYSTEM:
        return i18n.normalize(QLocale.system().name()) or i18n.system_language()
    return choice


def uninstall() -> None:
    """Remove the translators :func:`install` added and go back to English (tests)."""
    for old in _installed:
        QCoreApplication.removeTranslator(old)
    _installed.clear()
    i18n.set_language("en")
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


def register_fonts() -> str | None:
    """Add the bundled CJK font to Qt's font database; its family name (None if unreadable)."""
    global _cjk_family
    if _cjk_family is None:
        import resources  # noqa: PLC0415

        path = resources.path("fonts", "DroidSansFallbackFull.ttf")
        font_id = QFontDatabase.addApplicationFont(path)
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _cjk_family = families[0] if families else None
        if _cjk_family is None:
            log.warning("could not register %s", path)
    return _cjk_family


def install(app: QApplication, lang: str | None = None) -> str:
    """Apply ``lang`` (None: the saved setting) to forms and Qt; returns the code in use."""
    for old in _installed:
        QCoreApplication.removeTranslator(old)
    _installed.clear()
    code = i18n.set_language(resolve(saved_choice()) if lang is None else resolve_choice(lang))
    family = register_fonts()
    if code == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
        return code
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        base = QTranslator(app)
        if base.load(f"{name}_{code}", qt_dir):
            QCoreApplication.installTranslator(base)
            _installed.append(base)
            break
    ours = SourceTextTranslator(QM_DIR / f"jdm_capture_{code}.qm")
    if ours.loaded:
        QCoreApplication.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("no compiled GUI catalog for %s; run python3 dev.py (scripts/i18n.py build)",
                    code)
    if family:
        font = QFont(app.font())
        font.setFamilies([*font.families(), family])
        app.setFont(font)
    return code
