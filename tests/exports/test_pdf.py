"""PDF case summaries and the cohort summary, read back with pypdf."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from export_factory import make_cohort, make_patient

from exports import fonts
from exports.common import fixed_text, number_text, summarise
from exports.pdf import visit_order, write_cohort_report, write_patient_report
from forms.model import Patient
from forms.settings import ScoringSettings

MARKUP = "<b>x</b> & co"


def _text(path: Path) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages), reader


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _patient() -> Patient:
    p = make_patient("P07", 8, seed=7, given_name="梅", family_name="李", notes=MARKUP)
    p.medications[2].notes = "<i>weekly</i> & folic acid"
    p.adverse_events[0].term = "rash <script> & itch"
    return p


@pytest.fixture(scope="module")
def identified(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pypdf.PdfReader]:
    out = tmp_path_factory.mktemp("pdf") / "p07.pdf"
    write_patient_report(_patient(), out, deidentified=False, settings=ScoringSettings())
    return _text(out)


@pytest.fixture(scope="module")
def deidentified(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pypdf.PdfReader]:
    out = tmp_path_factory.mktemp("pdf") / "p07-deid.pdf"
    write_patient_report(_patient(), out, deidentified=True, settings=ScoringSettings())
    return _text(out)


def test_patient_report_pages_and_footer(identified: tuple[str, pypdf.PdfReader]) -> None:
    text, reader = identified
    n = len(reader.pages)
    assert n >= 2
    for i in range(1, n + 1):
        assert f"Page {i} of {n}" in text
    assert "JDM Capture" in text and "Scoring rules: CMAS v1" in text
    assert "Study ID" in text and "P07" in text


def test_patient_report_shows_scores_and_responses(
        identified: tuple[str, pypdf.PdfReader]) -> None:
    text, _ = identified
    flat = _squash(text)
    s = summarise(_patient(), ScoringSettings())
    last = s.visits[-1]
    assert number_text(last.value("cmas_total")) in flat
    for v in s.follow_ups:
        assert v.label in flat
    tis = s.follow_ups[-1].response.tis
    assert f"{fixed_text(tis.tis, 1)} {tis.describe(capital=True)}" in flat
    assert s.follow_ups[-1].response.printo.describe(capital=True) in flat
    for heading in ("Treatment", "Core set across visits", "Response at each follow-up",
                    "Trends", "Skin", "Adverse events", "Notes"):
        assert heading in flat
    assert "tofacitinib" in flat and "start 2021-" in flat
    assert "herpes zoster" not in flat  # replaced by the escaped test term below
    assert "Heliotrope rash" in flat


def test_user_text_prints_literally(identified: tuple[str, pypdf.PdfReader]) -> None:
    flat = _squash(identified[0])
    assert MARKUP in flat
    assert "<i>weekly</i> & folic acid" in flat
    assert "rash <script> & itch" in flat


def test_chinese_name_is_extractable_with_embedded_font(
        identified: tuple[str, pypdf.PdfReader]) -> None:
    text, reader = identified
    assert "李" in text and "梅" in text
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(str(font["/BaseFont"]))
    # subset-embedded (FontFile2) TrueType fonts: the CJK fallback and DejaVu Sans
    assert any("DroidSansFallback" in name for name in embedded), embedded
    assert any(name.endswith("+DejaVuSans") for name in embedded), embedded


def test_deidentified_report_drops_identifiers(
        deidentified: tuple[str, pypdf.PdfReader]) -> None:
    text, _ = deidentified
    flat = _squash(text)
    assert "P07" in flat and "de-identified" in flat
    assert "李" not in text and "梅" not in text
    assert "H100007" not in flat and "2012-04-12" not in flat
    assert MARKUP not in flat and "folic acid" not in flat
    patient = _patient()
    dates = [v.visit_date for v in patient.visits] + [patient.diagnosis_date]
    dates += [m.start_date for m in patient.medications]
    dates += [a.onset_date for a in patient.adverse_events]
    for day in dates:
        assert day.isoformat() not in flat
    assert "day 0" in flat


def test_many_visits_split_into_blocks_and_pages(tmp_path: Path) -> None:
    p = make_patient("P20", 20, seed=20)
    out = tmp_path / "p20.pdf"
    write_patient_report(p, out, deidentified=False, settings=ScoringSettings())
    text, reader = _text(out)
    flat = _squash(text)
    for v in p.visits:
        assert v.visit_date.isoformat() in flat
    # the core-set header is repeated: every block starts with "Measure"
    assert flat.count("Measure (range)") >= 4
    assert len(reader.pages) >= 4


def test_patient_without_visits_or_treatment(tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    write_patient_report(Patient(study_id="P99"), out, deidentified=False,
                         settings=ScoringSettings())
    flat = _squash(_text(out)[0])
    assert "P99" in flat and "No visits recorded" in flat
    assert "No medication courses recorded" in flat


def test_cohort_report(tmp_path: Path) -> None:
    cohort = make_cohort(6, 5)
    cohort[1].visits[-1].visit_label = None
    out = tmp_path / "cohort.pdf"
    write_cohort_report(cohort, out, settings=ScoringSettings())
    text, reader = _text(out)
    flat = _squash(text)
    for p in cohort:
        assert p.study_id in flat
    assert "Results by protocol visit" in flat and "Appendix: every patient and visit" in flat
    # the factory's M1 and M9 are not visits of the default protocol (forms.protocol)
    assert re.search(r"Visits without a protocol label \(not tabulated\): M1: 6; M9: 5; "
                     r"no label: 1\.", flat), flat[-1500:]
    assert f"Page 1 of {len(reader.pages)}" in flat
    # M0 CMAS median computed here from the same scores (6 values: mean of the middle two)
    vals = sorted(summarise(p, ScoringSettings()).visits[0].value("cmas_total") for p in cohort)
    median = Decimal(vals[2] + vals[3]) / 2
    assert re.search(rf"CMAS total \(0-52\) {re.escape(fixed_text(median, 1))} \(", flat)
    assert "Mei" not in flat


def test_visit_order_is_numeric() -> None:
    assert sorted(["M12", "M3", "M0", "M6", "M1"], key=visit_order) == [
        "M0", "M1", "M3", "M6", "M12"]


def test_para_escapes_and_marks_cjk() -> None:
    assert fonts.para("<b>&") == "&lt;b&gt;&amp;"
    marked = fonts.para("Li 李梅 <x>")
    assert f'<font name="{fonts.FALLBACK}">李梅' in marked and marked.startswith("Li ")
    assert "&lt;x&gt;" in marked


def test_long_tables_repeat_their_header_on_every_page(tmp_path: Path) -> None:
    p = make_patient("P08", 3, seed=8)
    template = p.adverse_events[0]
    p.adverse_events = [
        type(template)(template.onset_date, f"event number {i:03d}", 1, False, "tofacitinib",
                       "none", "resolved", template.onset_date)
        for i in range(120)]
    out = tmp_path / "aes.pdf"
    write_patient_report(p, out, deidentified=False, settings=ScoringSettings())
    reader = pypdf.PdfReader(out)
    pages_with_events = [page.extract_text() for page in reader.pages
                         if "event number" in page.extract_text()]
    assert len(pages_with_events) >= 2
    for page_text in pages_with_events:
        assert "Onset" in page_text and "Outcome" in page_text
    all_text = _squash(" ".join(pages_with_events))
    assert all(f"event number {i:03d}" in all_text for i in range(120))


def test_charts_are_vector_drawings(identified: tuple[str, pypdf.PdfReader]) -> None:
    _, reader = identified
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for obj in xobjects.values():
            assert obj.get_object().get("/Subtype") != "/Image"


def test_long_free_text_is_laid_out_in_full(tmp_path: Path) -> None:
    p = make_patient("P09", 4, seed=9)
    p.medications[0].notes = " ".join(f"w{i}" for i in range(500))  # ~2,000 characters
    p.visits[0].notes = " ".join(f"note{i}" for i in range(1100))  # within the 10,000 limit
    p.adverse_events[0].term = "y" * 200
    out = tmp_path / "long.pdf"
    write_patient_report(p, out, deidentified=False, settings=ScoringSettings())
    flat = _squash(_text(out)[0])
    assert "(in full under Notes)" in flat
    assert "w499" in flat and "note1099" in flat


def test_deidentified_report_with_unlabelled_visits_shows_no_dates(tmp_path: Path) -> None:
    p = make_patient("P10", 4, seed=10)
    for v in p.visits:
        v.visit_label = None
    out = tmp_path / "unlabelled.pdf"
    write_patient_report(p, out, deidentified=True, settings=ScoringSettings())
    flat = _squash(_text(out)[0])
    for v in p.visits:
        assert v.visit_date.isoformat() not in flat
    assert "day 91" in flat
