"""The patient and cohort PDFs in Chinese, read back with pypdf: no English word outside the
codes and abbreviations clinicians write as they are, the Chinese font embedded, and the
English report unchanged by the Chinese run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from export_factory import make_cohort, make_patient

from exports.pdf import write_cohort_report, write_patient_report
from forms import i18n
from forms.model import Patient
from forms.settings import ScoringSettings

#: abbreviations, units, eponyms and names that stay in Latin letters in the Chinese report.
ALLOWED = set("""
CMAS MMT CHAQ CDASI TIS PRINTO ACR EULAR CID DAS CK ULN LDH AST ALT ESR CRP IgG MRI VAS MDAAT MDI
CHQ PF PhS PhGA PtGA EMGA DI IMACS JDM JAK IVMP CTCAE TIF NXP MDA Mi SAE SRP HMGCR Jo
JDM Capture Kendall Gottron Ruperto Lazarevic Rider Bode JDM UTC CST GMT kg cm mg mL ug IU
mm h dL uL L U g m na x bilat act dam Page Rules IQR Hyndman Fan PERCENTILE INC R Excel quantile
""".split())  # noqa: SIM905 - a word list is easier to read and extend
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_./'@-]*")


def _patient() -> Patient:
    p = make_patient("P07", 8, seed=7, given_name="梅", family_name="李", notes="备注")
    for m, drug in zip(p.medications, ("泼尼松龙", "甲泼尼龙", "甲氨蝶呤", "托法替布"),
                       strict=False):
        m.drug = drug
        m.notes = ""
    for a in p.adverse_events:
        a.term = "带状疱疹"
        a.related_drug = "托法替布"
    for v in p.visits:
        v.notes = "复诊"
        v.values.pop("assessor", None)
    return p


def _english(text: str) -> list[str]:
    bad = []
    for raw in _WORD.findall(text):
        word = raw.strip(".'-/@")
        if len(word) < 2 or any(ch.isdigit() or ch in "_@" for ch in word):
            continue  # codes, visit labels (M3), rule versions (cmas_total@1)
        parts = [p for p in re.split(r"[-/.']", word) if p]
        if all(p in ALLOWED or p.upper() in ALLOWED or len(p) < 2 for p in parts):
            continue
        bad.append(word)
    return bad


@pytest.fixture
def chinese() -> Iterator[None]:
    with i18n.in_language("zh_CN"):
        yield


def _read(path: Path) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages), reader


def _fonts(reader: pypdf.PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.mark.parametrize("deidentified", [False, True])
def test_chinese_patient_report_has_no_english(chinese: None, tmp_path: Path,
                                               deidentified: bool) -> None:
    out = tmp_path / "p07.pdf"
    write_patient_report(_patient(), out, deidentified=deidentified, settings=ScoringSettings())
    text, reader = _read(out)
    assert "幼年皮肌炎病例摘要" in text and "研究编号" in text
    assert "各次随访的疗效应答" in text and "总体改善评分" in text
    n = len(reader.pages)
    flat = re.sub(r"\s+", "", text)
    assert all(f"第{i}页，共{n}页" in flat for i in range(1, n + 1))
    assert any("Fallback" in f for f in _fonts(reader)), _fonts(reader)
    bad = _english(text)
    assert bad == [], sorted(set(bad))


def test_listed_drugs_typed_or_stored_in_english_print_in_chinese(
        chinese: None, tmp_path: Path) -> None:
    """The medication dialog stores a listed drug by its English generic name (the data stay
    the same in every language); the Chinese report prints its Chinese name."""
    patient = _patient()
    for m, drug in zip(patient.medications, ("Prednisolone", "MTX", "Methotrexate",
                                             "Tofacitinib"), strict=False):
        m.drug = drug
    out = tmp_path / "p07.pdf"
    write_patient_report(patient, out, deidentified=False, settings=ScoringSettings())
    text, _reader = _read(out)
    flat = re.sub(r"\s+", "", text)
    assert "甲氨蝶呤" in flat and "托法替布" in flat and "泼尼松龙" in flat
    bad = _english(text)
    assert bad == [], sorted(set(bad))


def test_chinese_cohort_report_has_no_english(chinese: None, tmp_path: Path) -> None:
    patients = make_cohort(4, 6)
    for p in patients:
        for m in p.medications:
            m.drug = "托法替布"
            m.notes = ""
        for a in p.adverse_events:
            a.term = "感染"
    out = tmp_path / "cohort.pdf"
    write_cohort_report(patients, out, settings=ScoringSettings())
    text, _reader = _read(out)
    assert "幼年皮肌炎队列汇总" in text and "各方案访视结果" in text
    bad = _english(text)
    assert bad == [], sorted(set(bad))


def test_english_report_after_a_chinese_one(tmp_path: Path) -> None:
    with i18n.in_language("zh_CN"):
        write_patient_report(_patient(), tmp_path / "zh.pdf", deidentified=False,
                             settings=ScoringSettings())
    write_patient_report(_patient(), tmp_path / "en.pdf", deidentified=False,
                         settings=ScoringSettings())
    text, _reader = _read(tmp_path / "en.pdf")
    assert "JDM case summary" in text and "Response at each follow-up" in text
    assert "幼年皮肌炎病例摘要" not in text


def test_the_detector_finds_english() -> None:
    assert _english("访视 Visit 日期") == ["Visit"]
    assert _english("CMAS 总分 52 cmas_total@1 MMT-8 M12") == []
