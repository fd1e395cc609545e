"""Message catalogs: extract, update, compile and check (the project's set-up step uses it).

    python scripts/i18n.py build     compile the committed sources (.po -> .mo, .ts -> .qm)
    python scripts/i18n.py update    re-extract every message into the sources (new entries
                                     empty, stale ones dropped); then translate the empty ones
    python scripts/i18n.py check     list missing, stale, untranslated or broken translations

Two catalogs per language, one per mechanism:

* ``forms/locale/<lang>/LC_MESSAGES/jdm_capture.po`` (GNU gettext) for ``forms``, ``storage``,
  ``exports`` and ``main.py``: every text of the field registry (labels, help, units, choices,
  levels, derivations, form titles) plus every literal passed to ``_()`` / ``N_()`` in those
  folders. Compiled by the small pure-Python ``msgfmt`` below (the format is the documented
  GNU .mo layout that :mod:`gettext` reads), so the set-up needs no other tool.
* ``gui/i18n/jdm_capture_<lang>.ts`` (Qt Linguist) for every ``tr()`` / ``_tr()`` /
  ``QCoreApplication.translate()`` of ``gui/``, extracted by ``pyside6-lupdate`` and compiled
  by ``pyside6-lrelease`` (both ship with PySide6-Essentials). Qt looks translations up by
  the class a ``tr()`` runs in, which in Python is not always the class lupdate sees
  (``window.tr(...)`` inside a helper); the build therefore flattens the sources into one
  context and the GUI's translator (``gui.i18n``) looks texts up by their English source.

Compiled files are build products (.gitignore); the sources are what people edit.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("zh_CN",)
DOMAIN = "jdm_capture"
PY_SOURCES = ("forms", "storage", "exports", "main.py")
GUI_DIR = ROOT / "gui"
TS_DIR = GUI_DIR / "i18n"
QT_CONTEXT = "jdm"


def po_path(lang: str) -> Path:
    return ROOT / "forms" / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def ts_path(lang: str) -> Path:
    return TS_DIR / f"{DOMAIN}_{lang}.ts"


def qm_path(lang: str) -> Path:
    return ts_path(lang).with_suffix(".qm")


# ------------------------------------------------------------------------------------------
# gettext: extraction
# ------------------------------------------------------------------------------------------
_MARKERS = {"_", "N_", "translate_to"}


def _py_files() -> list[Path]:
    files: list[Path] = []
    for name in PY_SOURCES:
        path = ROOT / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if "locale" not in f.parts]


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract_calls() -> dict[str, list[str]]:
    """msgid -> locations of every ``_("...")`` / ``N_("...")`` literal in the Python layers."""
    found: dict[str, list[str]] = {}
    for path in _py_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else None)
            if name not in _MARKERS:
                continue
            arg = node.args[-1] if name == "translate_to" else node.args[0]
            text = _literal(arg)
            if text:
                rel = path.relative_to(ROOT).as_posix()
                found.setdefault(text, []).append(f"{rel}:{node.lineno}")
    return found


def extract_registry() -> dict[str, list[str]]:
    """msgid -> field/form names for every text of the field registry (and its extras)."""
    sys.path.insert(0, str(ROOT))
    try:
        from forms import registry  # noqa: PLC0415
        from forms.fields import Field  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    found: dict[str, list[str]] = {}

    def add(text: str, where: str) -> None:
        if text:
            found.setdefault(text, []).append(where)

    for form in registry.FORMS:
        add(form.label_en, f"form {form.key}")
        add(form.en("description"), f"form {form.key}")
    extra: list[Field] = list(getattr(registry, "EXTRA_FIELDS", ()))
    if hasattr(registry, "GC_EXPOSURE"):  # derived from the courses, not in FIELDS
        extra.append(registry.GC_EXPOSURE)
    for f in (*registry.FIELDS, *extra):
        for attr in ("label", "unit", "help", "derivation", "pattern_help", "short"):
            add(f.en(attr), f"{f.name}.{attr}")
        for c in (*f.choices, *f.levels):
            add(c.label_en, f"{f.name}={c.code}")
    for dom, (label, _items) in registry.CHAQ_DOMAINS.items():
        add(label, f"chaq domain {dom}")
    for grade, _five, name, criterion in registry.KENDALL_GRADES:
        add(name, f"kendall {grade}")
        add(criterion, f"kendall {grade}")
    for code, side in registry.SIDES:
        add(side, f"side {code}")
    for key, label in registry.CDASI_LOCATIONS:
        add(label, f"cdasi location {key}")
    for part, label, kind, _levels in registry.CDASI_PARTS:
        add(label, f"cdasi part {part}")
        add(kind, f"cdasi part {part}")
    for stem, label in registry.MMT_PAIRED:
        add(label, f"mmt group {stem}")
    from forms import scoring, stats  # noqa: PLC0415

    add(stats.METHOD, "stats.METHOD")

    for key, name in getattr(scoring, "RULE_NAMES", {}).items():
        add(name, f"rule {key}")
    for drug in getattr(registry, "DRUGS", ()):
        add(drug.label, f"drug {drug.code}")
    for name, terms in getattr(registry, "VOCABULARIES", {}).items():
        for term in terms:
            add(term.label_en, f"{name} {term.code}")
    for name, label in registry.SKIN_FINDINGS:
        add(label, f"skin {name}")
    for inst in getattr(registry, "INSTRUMENTS", ()):  # section headers (MDI organ systems)
        for section in inst.sections:
            add(section.label, f"section {inst.key}.{section.group}")
    return found


def extract_python() -> dict[str, list[str]]:
    found = extract_registry()
    for text, where in extract_calls().items():
        found.setdefault(text, []).extend(where)
    return found


# ------------------------------------------------------------------------------------------
# gettext: .po reading and writing, .mo compiling
# ------------------------------------------------------------------------------------------
_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}
_UNESC = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\t": "\t"}


def _quote(text: str) -> str:
    return '"' + "".join(_ESC.get(ch, ch) for ch in text) + '"'


def _unquote(token: str) -> str:
    body = token.strip()[1:-1]
    return re.sub(r'\\[\\"nt]', lambda m: _UNESC[m.group(0)], body)


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (the header under ""), comments and obsolete entries
    skipped."""
    entries: dict[str, str] = {}
    key: str | None = None
    msgid = msgstr = ""
    current = None

    def flush() -> None:
        if current is not None:
            entries[msgid] = msgstr

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr, key, current = _unquote(line[6:]), "", "msgid", True
        elif line.startswith("msgstr "):
            msgstr, key = _unquote(line[7:]), "msgstr"
        elif line.startswith('"'):
            if key == "msgid":
                msgid += _unquote(line)
            elif key == "msgstr":
                msgstr += _unquote(line)
        else:
            raise ValueError(f"{path}: cannot read line {raw!r}")
    flush()
    return entries


PO_HEADER = ('Project-Id-Version: JDM Capture\\n"\n"Language: {lang}\\n"\n'
             '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
             '"Content-Transfer-Encoding: 8bit\\n')


def write_po(path: Path, lang: str, messages: dict[str, list[str]],
             translations: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = [f"# JDM Capture messages, {lang}. Source catalog: edit msgstr lines, then run",
           "# python scripts/i18n.py build (dev.py does). Terminology: docs/terminology-zh.md.",
           'msgid ""', 'msgstr ""', '"' + PO_HEADER.format(lang=lang) + '"', ""]
    for msgid, where in messages.items():
        out.append("#: " + " ".join(sorted(set(where))[:4]))
        if re.search(r"\{[a-z_0-9]*\}", msgid):
            out.append("#, python-brace-format")
        out.append("msgid " + _quote(msgid))
        out.append("msgstr " + _quote(translations.get(msgid, "")))
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


def compile_mo(po: Path, mo: Path) -> None:
    """The GNU .mo file of ``po`` (little endian, no hash table; gettext reads it)."""
    entries = {k: v for k, v in read_po(po).items() if v or k == ""}
    keys = sorted(entries)
    ids = [k.encode("utf-8") for k in keys]
    strs = [entries[k].encode("utf-8") for k in keys]
    n = len(keys)
    start = 7 * 4 + 16 * n
    id_offsets, str_offsets, blob = [], [], b""
    for data in ids:
        id_offsets.append((len(data), start + len(blob)))
        blob += data + b"\0"
    for data in strs:
        str_offsets.append((len(data), start + len(blob)))
        blob += data + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    table = b"".join(struct.pack("<2I", *o) for o in id_offsets)
    table += b"".join(struct.pack("<2I", *o) for o in str_offsets)
    tmp = mo.with_suffix(".mo.tmp")
    tmp.write_bytes(header + table + blob)
    os.replace(tmp, mo)


# ------------------------------------------------------------------------------------------
# Qt: lupdate / lrelease
# ------------------------------------------------------------------------------------------
def _qt_tool(name: str) -> str:
    """``pyside6-<name>`` next to the running interpreter (the venv), else on PATH."""
    here = Path(sys.executable).parent
    for candidate in (here / f"pyside6-{name}", here / f"pyside6-{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(f"pyside6-{name}")
    if found is None:
        raise FileNotFoundError(f"pyside6-{name} not found (it ships with PySide6-Essentials)")
    return found


def _gui_files() -> list[str]:
    return [str(p) for p in sorted(GUI_DIR.rglob("*.py"))]  # gui/operations/ too


def lupdate(ts: Path) -> None:
    """Extract every GUI message into ``ts`` (keeps existing translations, drops stale)."""
    ts.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([_qt_tool("lupdate"), "-silent", "-no-obsolete", "-locations", "none",
                    "-tr-function-alias", "tr+=_tr", *_gui_files(), "-ts", str(ts)],
                   check=True, cwd=ROOT)


def read_ts(ts: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(context, source) -> (translation, type) of a .ts file ('' type = finished)."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    root = ET.parse(ts).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for msg in context.iter("message"):
            source = msg.findtext("source") or ""
            tr = msg.find("translation")
            text = (tr.text or "") if tr is not None else ""
            kind = tr.get("type", "") if tr is not None else "unfinished"
            out[(name, source)] = (text, kind)
    return out


def write_ts_translations(ts: Path, translations: dict[str, str]) -> None:
    """Fill the translation of every message whose source is in ``translations``."""
    tree = ET.parse(ts)
    for msg in tree.getroot().iter("message"):
        source = msg.findtext("source") or ""
        tr = msg.find("translation")
        if tr is None or source not in translations or not translations[source]:
            continue
        tr.text = translations[source]
        tr.attrib.pop("type", None)
    ET.indent(tree)
    text = ET.tostring(tree.getroot(), encoding="unicode")
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + text + "\n",
                  encoding="utf-8")


def build_qm(ts: Path, qm: Path) -> None:
    """Compile ``ts`` with lrelease, all messages in the one context ``gui.i18n`` asks for."""
    messages: dict[str, str] = {}
    for (_ctx, source), (text, kind) in read_ts(ts).items():
        if text and kind in ("", "finished"):
            messages.setdefault(source, text)
    root = ET.Element("TS", version="2.1", language=ts.stem.split("_", 2)[-1])
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = QT_CONTEXT
    for source, text in messages.items():
        msg = ET.SubElement(context, "message")
        ET.SubElement(msg, "source").text = source
        ET.SubElement(msg, "translation").text = text
    with tempfile.TemporaryDirectory() as tmp:
        flat = Path(tmp) / ts.name
        ET.ElementTree(root).write(flat, encoding="utf-8", xml_declaration=True)
        subprocess.run([_qt_tool("lrelease"), "-silent", str(flat), "-qm", str(qm)],
                       check=True)


# ------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{[a-zA-Z_0-9]*(?:[:!][^{}]*)?\}|%[1-9]|%[sd]")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def stale(*, qt: bool = True) -> list[tuple[Path, Path]]:
    """The (source, compiled) catalogs whose compiled file is missing or older than its
    source (stdlib only: ``dev.py`` asks this before starting the venv's Python to build)."""
    pairs = [(po_path(lang), mo_path(lang)) for lang in LANGS]
    if qt:
        pairs += [(ts_path(lang), qm_path(lang)) for lang in LANGS]
    return [(src, out) for src, out in pairs if src.exists()
            and (not out.exists() or out.stat().st_mtime < src.stat().st_mtime)]


def build(*, qt: bool = True) -> None:
    """Compile every source catalog whose compiled file is missing or older."""
    for src, out in stale(qt=qt):
        if src.suffix == ".po":
            compile_mo(src, out)
        else:
            build_qm(src, out)


def update() -> None:
    messages = extract_python()
    for lang in LANGS:
        po = po_path(lang)
        old = read_po(po) if po.exists() else {}
        write_po(po, lang, messages, old)
        lupdate(ts_path(lang))


def check() -> list[str]:
    """Every problem of every catalog, one line each (empty when complete and current)."""
    problems: list[str] = []
    messages = extract_python()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.ts"
        lupdate(fresh)
        gui_sources = {source for (_c, source) in read_ts(fresh)}
    for lang in LANGS:
        po = po_path(lang)
        catalog = {k: v for k, v in read_po(po).items() if k} if po.exists() else {}
        for msgid in messages:
            if msgid not in catalog:
                problems.append(f"{po.name} ({lang}): missing {msgid!r} "
                                f"({messages[msgid][0]}); run scripts/i18n.py update")
            elif not catalog[msgid]:
                problems.append(f"{po.name} ({lang}): untranslated {msgid!r}")
            elif _placeholders(msgid) != _placeholders(catalog[msgid]):
                problems.append(f"{po.name} ({lang}): placeholders differ in {msgid!r}")
        problems.extend(f"{po.name} ({lang}): stale {msgid!r} (no longer in the code)"
                        for msgid in catalog if msgid not in messages)
        ts = ts_path(lang)
        entries = read_ts(ts) if ts.exists() else {}
        have = {source for (_c, source) in entries}
        problems.extend(f"{ts.name}: missing {s!r}; run scripts/i18n.py update"
                        for s in sorted(gui_sources - have))
        problems.extend(f"{ts.name}: stale {s!r}" for s in sorted(have - gui_sources))
        seen: dict[str, str] = {}
        for (ctx, source), (text, kind) in entries.items():
            if not text or kind not in ("", "finished"):
                problems.append(f"{ts.name}: untranslated {source!r} ({ctx})")
            elif _placeholders(source) != _placeholders(text):
                problems.append(f"{ts.name}: placeholders differ in {source!r}")
            elif seen.setdefault(source, text) != text:
                problems.append(f"{ts.name}: {source!r} translated two ways")
    return problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        build()
        return 0
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        problems = check()
        print("\n".join(problems) or "catalogs complete")
        return 1 if problems else 0
    print(__doc__.strip())
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
