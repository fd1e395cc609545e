"""Translation of every text ``forms``, ``storage``, ``exports`` and the command line show.

One mechanism for the layers below the GUI (no Qt here): GNU gettext catalogs read by the
standard library's :mod:`gettext`. The source catalog of each language is committed as
``forms/locale/<lang>/LC_MESSAGES/jdm_capture.po``; the set-up step (``python3 dev.py ...`` or
``python scripts/i18n.py build``) compiles it to the ``.mo`` file read here, which is never
committed or edited by hand.

The message ids are the English texts themselves, so the registry (``forms/registry.py``) is
written in English and stays as it is: :class:`forms.fields.Field` translates its label, help,
unit and choices when they are read (``field.label``), and keeps the English original
(``field.label_en``) for the data dictionaries, whose English column never changes.
Messages built with parameters are translated as templates first and filled in afterwards:
``_("{field} = {value} is out of range {range}").format(...)``.

The language is chosen once per process: :func:`set_language` (the GUI's setting, the command
line's ``--lang``), else ``$JDM_CAPTURE_LANG``, else the language the user chose in the GUI's
settings (:func:`saved_choice`: a one-word file in the user's configuration folder, so the
command line, which imports no Qt, follows it too), else the system locale. English is the
fallback for anything a catalog lacks (``tests/test_i18n_catalogs.py`` makes that a failure).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gettext
import locale
import os
import re
from pathlib import Path

DOMAIN = "jdm_capture"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: language code -> the language's own name, as the language menu shows it.
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
DEFAULT = "en"

_current = DEFAULT
_chosen = False


def normalize(code: str | None) -> str | None:
    """``"zh_CN.UTF-8"``, ``"zh-Hans"``, ``"zh"`` -> ``"zh_CN"``; ``"en_GB"`` -> ``"en"``;
    anything else (or ``"C"``/``"POSIX"``/empty) -> None."""
    if not code:
        return None
    base = code.split(".")[0].split("@")[0].replace("-", "_").strip()
    if base.lower().startswith("zh"):
        return "zh_CN"
    if base.lower().startswith("en"):
        return "en"
    return None


def system_language() -> str:
    """The language of the system locale: Chinese for any ``zh`` locale, else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            for part in value.split(":"):
                found = normalize(part)
                if found:
                    return found
            return DEFAULT
    try:
        found = normalize(locale.getlocale()[0])
    except ValueError:
        found = None
    return found or DEFAULT


#: the saved choice: ``system`` (follow the system locale) or a code of :data:`LANGUAGES`
SYSTEM = "system"
CHOICE_FILE = "language"


def choice_path() -> Path:
    """Where the user's language choice is kept: ``language`` in the user's configuration
    folder for JDM Capture (``~/.config/jdm-capture`` on Linux, ``%LOCALAPPDATA%\\jdm-capture``
    on Windows, ``~/Library/Application Support/jdm-capture`` on macOS)."""
    import platformdirs  # noqa: PLC0415 - only when no language is given

    return Path(platformdirs.user_config_dir("jdm-capture", appauthor=False)) / CHOICE_FILE


def saved_choice() -> str:
    """The language this user chose in the GUI's settings: ``system`` when none was chosen
    (or the file is unreadable or holds anything else)."""
    try:
        text = choice_path().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError):
        return SYSTEM
    return text if text in LANGUAGES else SYSTEM


def save_choice(choice: str) -> None:
    """Keep ``choice`` (``system`` or a code of :data:`LANGUAGES`) for the GUI and the command
    line of this user; takes effect at the next start."""
    if choice != SYSTEM and choice not in LANGUAGES:
        raise ValueError(f"unknown language {choice!r}")
    path = choice_path()
    if choice == SYSTEM:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{CHOICE_FILE}.{os.getpid()}.partial")
    tmp.write_text(choice + "\n", encoding="utf-8")
    os.replace(tmp, path)


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


_catalogs: dict[str, gettext.NullTranslations] = {}


def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (loaded once); English/untranslated when it is absent."""
    if lang not in _catalogs:
        loaded: gettext.NullTranslations = gettext.NullTranslations()
        if lang != DEFAULT:
            try:
                with mo_path(lang).open("rb") as fh:
                    loaded = gettext.GNUTranslations(fh)
            except OSError:
                loaded = gettext.NullTranslations()
        _catalogs[lang] = loaded
    return _catalogs[lang]


def available(lang: str) -> bool:
    """``lang`` is English or has a compiled catalog."""
    return lang == DEFAULT or isinstance(catalog(lang), gettext.GNUTranslations)


def set_language(lang: str | None) -> str:
    """Use ``lang`` (a code of :data:`LANGUAGES`, a locale name, or None for ``$JDM_CAPTURE_LANG``
    or else the system's) from now on; returns the code in use. A language whose compiled
    catalog is missing falls back to English."""
    global _current, _chosen
    code = normalize(lang) if lang else None
    if code is None:
        code = normalize(os.environ.get("JDM_CAPTURE_LANG"))
    if code is None:
        choice = saved_choice()
        code = choice if choice != SYSTEM else system_language()
    if not available(code):
        code = DEFAULT
    _current, _chosen = code, True
    _cache.clear()
    return code


def language() -> str:
    """The code of the language in use (``"en"`` or ``"zh_CN"``)."""
    if not _chosen:
        set_language(None)
    return _current


_cache: dict[str, str] = {}


def _(message: str) -> str:
    """``message`` in the current language (English when the catalog has no translation)."""
    if not _chosen:
        set_language(None)
    if _current == DEFAULT or not message:
        return message
    try:
        return _cache[message]
    except KeyError:
        text = catalog(_current).gettext(message)
        _cache[message] = text
        return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message with a count, in the current language."""
    return catalog(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalog without translating it now (translate it with _())."""
    return message


class Shown(str):
    """A text in English (the ``str`` itself: compared, written to the audit trail) that
    carries its reading in the user's language (``.text``)."""

    text: str

    def __new__(cls, english: str, text: str | None = None) -> Shown:
        made = super().__new__(cls, english)
        made.text = english if text is None else text
        return made


def said(template: str, **values: object) -> Shown:
    """``template`` (a catalog message, marked with ``N_``) filled with ``values``, in English
    and in the user's language; a value that is a :class:`Shown` reads in each language."""
    return Shown(template.format(**values), _(template).format(
        **{k: getattr(v, "text", v) for k, v in values.items()}))


def word(message: str) -> Shown:
    """A catalog message without values, in both languages."""
    return Shown(message, _(message))



def translate_to(lang: str, message: str) -> str:
    """``message`` in ``lang`` whatever the current language (the data dictionaries)."""
    code = normalize(lang) or DEFAULT
    if code == DEFAULT or not message:
        return message
    return catalog(code).gettext(message)


def in_language(lang: str) -> _Switch:
    """``with in_language("zh_CN"): ...`` uses ``lang`` inside the block, then restores."""
    return _Switch(lang)


class _Switch:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.previous: str | None = None

    def __enter__(self) -> str:
        self.previous = _current if _chosen else None
        return set_language(self.lang)

    def __exit__(self, *exc: object) -> None:
        set_language(self.previous)


# ------------------------------------------------------------------------------------------
# Where a message is about: "patient P07, visit 2021-03-04 (M3)", as storage writes it
# ------------------------------------------------------------------------------------------
_CONTEXT_RULES = (
    (re.compile(r"^patient (?P<sid>[^,:]+)"), N_("patient {sid}")),
    (re.compile(r", visit (?P<v>[^:]+)"), N_(", visit {v}")),
    (re.compile(r", medication (?P<drug>[^:]+)"), N_(", medication {v}")),
    (re.compile(r", adverse event (?P<v>[^:]+)"), N_(", adverse event {v}")),
)


def context_text(text: str) -> str:
    """A record's description as storage writes it (English, also in the audit trail) in the
    current language: ``patient P01, visit 2024-05-22 (M3)`` -> ``患者 P01，访视 2024-05-22 (M3)``.
    Text that is not such a description is returned as it is."""
    if language() == DEFAULT:
        return text
    for pattern, template in _CONTEXT_RULES:
        translated = _(template)

        def fill(match: re.Match[str], translated: str = translated) -> str:
            values = match.groupdict()
            if "drug" in values:  # a listed drug by its name in this language
                from forms import registry  # noqa: PLC0415 - the registry imports this module

                values["v"] = registry.drug_label(values.pop("drug"))
            return translated.format(**values)

        text = pattern.sub(fill, text)
    return text


def message_text(line: str) -> str:
    """A message line ``FILE: patient P07, visit ...: problem`` with its record description
    translated (the file name and the problem are left as they are)."""
    head, sep, rest = line.partition(": ")
    if sep and rest.startswith("patient "):
        return f"{head}: {context_text(rest)}"
    return context_text(line)


# ------------------------------------------------------------------------------------------
# Times: stored in UTC, shown in the computer's local zone with the zone named
# ------------------------------------------------------------------------------------------
def local_time(when: _dt.datetime) -> _dt.datetime:
    """``when`` (aware, or naive meaning UTC, as stored) in the computer's local time zone."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=_dt.UTC)
    return aware.astimezone()


def zone_text(local: _dt.datetime) -> str:
    """``CST (UTC+08:00)``, ``CET (UTC+01:00)`` or ``UTC``: the zone of a local time."""
    offset = local.strftime("%z")
    if not offset or offset == "+0000":
        return "UTC"
    utc = f"UTC{offset[:3]}:{offset[3:]}"
    name = local.tzname() or ""
    return f"{name} ({utc})" if name and not name.startswith(("UTC", "GMT", "+", "-")) else utc


def local_time_text(when: _dt.datetime, *, seconds: bool = False) -> str:
    """``2024-05-22 02:32 CST (UTC+08:00)``: a stored UTC time as the user reads it. Dates are
    ISO 8601 in both languages (China's GB/T 7408 is the same format): unambiguous, sortable."""
    local = local_time(when)
    shown = f"{local:%Y-%m-%d %H:%M:%S}" if seconds else f"{local:%Y-%m-%d %H:%M}"
    return f"{shown} {zone_text(local)}"
