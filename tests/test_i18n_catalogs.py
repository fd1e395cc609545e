"""Every message of the code is in every catalog, translated, and no catalog keeps stale ones.

This is what keeps new strings translated: a new ``_("...")`` in forms/storage/exports/main, a
new registry label, help text or choice, or a new ``tr("...")`` in gui/ fails here until
``python scripts/i18n.py update`` has added it and someone has translated it (the failure
lists each missing, untranslated, stale or placeholder-broken message).
"""

from __future__ import annotations

import gettext
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("jdm_i18n_tool_test", ROOT / "scripts" /
                                                  "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return _tool()


def test_every_catalog_is_complete_and_current(tool: ModuleType) -> None:
    problems = tool.check()
    assert problems == [], "\n".join(problems[:60])


def test_the_check_fails_on_a_new_untranslated_message(tool: ModuleType,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = tool.extract_python

    def with_new_message() -> dict[str, list[str]]:
        found = real()
        found["A message nobody has translated yet"] = ["forms/new.py:1"]
        return found

    monkeypatch.setattr(tool, "extract_python", with_new_message)
    problems = tool.check()
    assert any("missing 'A message nobody has translated yet'" in p for p in problems)


def test_the_check_fails_on_a_stale_message(tool: ModuleType,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real = tool.extract_python

    def without_one() -> dict[str, list[str]]:
        found = real()
        found.pop("Study ID")
        return found

    monkeypatch.setattr(tool, "extract_python", without_one)
    assert any("stale 'Study ID'" in p for p in tool.check())


def test_the_check_sees_a_new_gui_string(tool: ModuleType, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "extra_widget.py"
    extra.write_text("from PySide6.QtWidgets import QWidget\n\n\nclass Extra(QWidget):\n"
                     "    def build(self):\n        return self.tr('A brand new button')\n")
    real = tool._gui_files
    monkeypatch.setattr(tool, "_gui_files", lambda: [*real(), str(extra)])
    assert any("missing 'A brand new button'" in p for p in tool.check())


def test_placeholders_must_survive_translation(tool: ModuleType, tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    tool.write_po(po, "zh_CN", {"{n} visits": ["x"]}, {"{n} visits": "次访视"})
    assert tool._placeholders("{n} visits") != tool._placeholders(tool.read_po(po)["{n} visits"])


def test_msgfmt_output_is_read_by_stdlib_gettext(tool: ModuleType, tmp_path: Path) -> None:
    po, mo = tmp_path / "x.po", tmp_path / "x.mo"
    tool.write_po(po, "zh_CN", {'Say "hi"\nnow': ["x"], "Plain": ["x"], "Empty": ["x"]},
                  {'Say "hi"\nnow': "说“你好”\n现在", "Plain": "普通"})
    tool.compile_mo(po, mo)
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.gettext('Say "hi"\nnow') == "说“你好”\n现在"
    assert catalog.gettext("Plain") == "普通"
    assert catalog.gettext("Empty") == "Empty"  # untranslated falls back to English


def test_build_from_a_fresh_checkout(tmp_path: Path) -> None:
    """The set-up step compiles both catalogs with nothing but the venv's tools."""
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "build"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    tool = _tool()
    assert tool.mo_path("zh_CN").stat().st_size > 10_000
    assert tool.qm_path("zh_CN").stat().st_size > 10_000


def test_doses_per_day_are_written_one_way_in_both_catalogs(tool: ModuleType) -> None:
    """docs/terminology-zh.md: a dose per day is mg/d and mg/kg/d (the unit symbol d, as
    Chinese prescriptions and the consensus write it). The catalogs used to mix mg/天 and
    mg/日 (the live totals said mg/kg/天, the steroid cross-check mg/日)."""
    import re

    texts = list(tool.read_po(tool.po_path("zh_CN")).values())
    texts += [t for t, _kind in tool.read_ts(tool.ts_path("zh_CN")).values()]
    mixed = [t for t in texts if re.search(r"mg(/kg)?/[天日]|/\s*(天|日)\b", t)]
    assert not mixed, mixed
    per_day = [t for t in texts if re.search(r"mg(/kg)?/d\b", t)]
    assert len(per_day) >= 10, per_day
