"""The data dictionaries gain the Chinese label beside the English one, and stay English
whatever language the exporting process runs in (field names, codes and formats never change)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from export_factory import make_cohort

from exports.excel import write_workbook
from exports.redcap import DICTIONARY_HEADER, TRANSLATION_HEADER, write_redcap_project
from forms import i18n
from forms.settings import ScoringSettings


def _dictionary(path: Path) -> dict[str, dict[str, object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["Data dictionary"].iter_rows(values_only=True))
    head = list(rows[0])
    return {str(r[0]): dict(zip(head, r, strict=False)) for r in rows[1:]}


def test_workbook_dictionary_has_label_zh_in_any_language(tmp_path: Path) -> None:
    patients = make_cohort(2, 3)
    write_workbook(patients, tmp_path / "en.xlsx", identified=False, settings=ScoringSettings())
    with i18n.in_language("zh_CN"):
        write_workbook(patients, tmp_path / "zh.xlsx", identified=False,
                       settings=ScoringSettings())
    en, zh = _dictionary(tmp_path / "en.xlsx"), _dictionary(tmp_path / "zh.xlsx")
    assert en == zh  # the same dictionary whichever language exported it
    assert en["cmas_total"]["label"] == "CMAS total"
    assert en["cmas_total"]["label_zh"] == "CMAS 总分"
    assert en["ck"]["label_zh"] == "肌酸激酶（CK）"
    assert en["visit_day"]["label_zh"] == "距基线天数"
    assert en["cmas_leg_raise"]["allowed"] == "0-2"
    assert all(row["label_zh"] for row in en.values()), [k for k, r in en.items()
                                                          if not r["label_zh"]]


def test_redcap_dictionary_english_and_translation_file(tmp_path: Path) -> None:
    patients = make_cohort(2, 3)
    with i18n.in_language("zh_CN"):
        write_redcap_project(patients, tmp_path, identified=False, settings=ScoringSettings())
    with (tmp_path / "data_dictionary.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(DICTIONARY_HEADER) and len(DICTIONARY_HEADER) == 18
    by_name = {r["Variable / Field Name"]: r for r in rows}
    assert by_name["cmas_total"]["Field Label"] == "CMAS total"
    assert all(label.isascii() for label in (r["Field Label"] for r in rows))
    with (tmp_path / "data_dictionary_zh.csv").open(encoding="utf-8") as fh:
        zh = list(csv.DictReader(fh))
    assert list(zh[0]) == list(TRANSLATION_HEADER)
    assert [r["Variable / Field Name"] for r in zh] == [r["Variable / Field Name"] for r in rows]
    zh_by_name = {r["Variable / Field Name"]: r for r in zh}
    assert zh_by_name["cmas_total"]["Field Label"] == "CMAS 总分"
    assert zh_by_name["sex"]["Choices, Calculations, OR Slider Labels"] == "female, 女 | male, 男"
