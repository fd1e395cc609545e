"""forms.i18n: the language switch, registry texts read in the current language, messages built
from translated templates, typed date spellings and local times with their zone."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from forms import i18n, registry, scoring, validation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chinese() -> Iterator[None]:
    with i18n.in_language("zh_CN"):
        yield


def test_labels_follow_the_language_and_keep_the_english_original(chinese: None) -> None:
    f = registry.get("cmas_total")
    assert f.label == "CMAS 总分"
    assert f.label_en == "CMAS total"
    assert registry.get("ck").label == "肌酸激酶（CK）"
    assert registry.get("sex").choice_label("female") == "女"
    assert registry.get("chaq_dress").levels[3].label == "不能完成"
    assert registry.FORMS_BY_KEY["chaq"].description == "儿童健康评估问卷"
    assert registry.get("weight_kg").unit == "kg"
    assert registry.get("ivmp_pulses").unit == "次"


def test_english_is_untouched() -> None:
    with i18n.in_language("en"):
        assert registry.get("cmas_total").label == "CMAS total"
        assert validation.check_field("cmas_leg_raise", 3)[1][0].code_message == (
            "cmas_leg_raise = 3 is out of range 0-2")


def test_validation_messages_in_chinese(chinese: None) -> None:
    _value, problems = validation.parse_text("cmas_leg_raise", "3")
    assert problems[0].message == "2. 抬腿/触物（仰卧位）：\"3\" 超出范围 0-2"
    _value, problems = validation.parse_text("weight_kg", "3O")
    assert "不是数字" in problems[0].message
    _value, problems = validation.parse_text("steroid_mg_day", "70")
    assert "异常偏高" in problems[0].message and problems[0].severity is validation.Severity.WARNING


def test_scoring_and_response_explanations_in_chinese(chinese: None) -> None:
    score = scoring.cmas_total({"cmas_leg_raise": 2})
    assert score.missing_reason.startswith("CMAS：14 项中缺 13 项")
    cid = scoring.clinically_inactive_disease({"ck": 100, "phys_global": 0})
    assert "PRINTO CID：4 项标准中满足 2 项" in cid.explanation


def test_registry_built_under_chinese_keeps_english_originals() -> None:
    """Importing the registry in a Chinese process must not store Chinese as the English text
    of any field or choice (dataclasses.replace reads the texts back while the registry is
    built, and the CMAS/CDASI item helps were once joined from the translated level labels)."""
    code = ("import re\n"
            "from forms import registry\n"
            "print(registry.get('tis').en('short'), '|', registry.get('cmas_total').label_en)\n"
            "cjk = re.compile('[\\u3000-\\u9fff\\uff00-\\uffef]')\n"
            "for f in registry.FIELDS:\n"
            "    for owner in (f, *(f.choices or ()), *(f.levels or ())):\n"
            "        for key, text in vars(owner).items():\n"
            "            if key.startswith('_en_') and cjk.search(str(text)):\n"
            "                print(f.name, key, text)\n")
    env = dict(os.environ, JDM_CAPTURE_LANG="zh_CN")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True)
    assert out.stdout.strip() == "TIS | CMAS total"


def test_language_from_the_environment_and_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.system_language() == "zh_CN"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert i18n.system_language() == "en"
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    assert i18n.system_language() == "zh_CN"
    assert i18n.normalize("C") is None and i18n.normalize("de_DE") is None


def test_missing_compiled_catalog_falls_back_to_english(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_catalogs", {})
    try:
        assert i18n.set_language("zh_CN") == "en"
        assert registry.get("cmas_total").label == "CMAS total"
    finally:
        monkeypatch.undo()
        i18n.set_language("en")


@pytest.mark.parametrize("typed", ["2024-05-22", "2024-5-22", "2024/5/22", "2024/05/22",
                                   "2024.5.22", "20240522", "2024年5月22日", " 2024 / 5 / 22 "])
def test_date_spellings(typed: str) -> None:
    value, problems = validation.parse_text("visit_date", typed)
    assert problems == [] and value == dt.date(2024, 5, 22)


@pytest.mark.parametrize("typed", ["2024/2/30", "22/05/2024", "2024-13-01", "240522"])
def test_bad_dates_are_refused(typed: str) -> None:
    value, problems = validation.parse_text("visit_date", typed)
    assert value is None and problems and problems[0].is_error


@pytest.fixture
def beijing() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_a_beijing_signature_at_0232_reads_as_that_day(beijing: None) -> None:
    stored = dt.datetime(2024, 5, 21, 18, 32, tzinfo=dt.UTC)  # what the database keeps
    assert i18n.local_time_text(stored) == "2024-05-22 02:32 CST (UTC+08:00)"
    naive = dt.datetime(2024, 5, 21, 18, 32)  # naive values from storage mean UTC
    assert i18n.local_time_text(naive, seconds=True) == "2024-05-22 02:32:00 CST (UTC+08:00)"


def test_utc_machine_says_utc() -> None:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        assert i18n.local_time_text(dt.datetime(2024, 5, 21, 18, 32)) == "2024-05-21 18:32 UTC"
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
