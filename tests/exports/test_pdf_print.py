"""Every PDF, printed (issue 15): sizes of the fonts used, no word split across lines, numbers
with the registry's decimals, readable rule versions, study-specific rows only where the data
has them, metadata (title, language, author) and the outline.

The PDFs are read back with pypdf: its text visitor gives every drawn text fragment with its
font size, so sizes and line breaks are checked on what a printer would print.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal as D
from pathlib import Path

import pypdf
import pytest
from export_factory import make_cohort, make_patient

from exports.pdf import write_cohort_report, write_patient_report
from exports.pdf_layout import styles
from forms.model import Patient, Visit
from forms.settings import ScoringSettings
from storage.demo import demo_patients

SETTINGS = ScoringSettings()


def fragments(path: Path) -> list[tuple[float, str]]:
    """(font size in points, text) of every text fragment drawn, in content order."""
    out: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object,
              size: float) -> None:
        if text.strip():
            scale = abs(tm[3] or 1) * abs(cm[3] or 1)
            out.append((round(size * scale, 2), text))

    for page in pypdf.PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return out


def split_words(frags: list[tuple[float, str]]) -> list[str]:
    """Words broken across two fragments (lines): the end of one fragment and the start of
    the next make a word that is printed whole elsewhere in the document, while the end
    alone is not a word of it ("FLAR" + "E" where "FLARE" is printed elsewhere)."""
    candidates = []
    for (_s1, a), (_s2, b) in zip(frags, frags[1:], strict=False):
        end = re.search(r"([A-Za-z-]+)\s*$", a)
        start = re.match(r"\s*([A-Za-z]+)", b)
        if end and start and a.rstrip()[-1:].isalpha():
            candidates.append((end.group(1), start.group(1)))
    words = Counter(w for _s, t in frags for w in re.findall(r"[A-Za-z][A-Za-z-]*", t))
    as_end = Counter(end for end, _ in candidates)
    return [f"{end}/{start}" for end, start in candidates
            if words[end + start] > 0 and words[end] - as_end[end] <= 0]


def _no_tofa_patient() -> Patient:
    p = make_patient("NT01", 4, seed=3)
    p.medications = [m for m in p.medications if "tofacitinib" not in m.drug]
    p.adverse_events = [a for a in p.adverse_events
                        if "tofacitinib" not in (a.related_drug or "")]
    # one whole-number VAS beside one-decimal ones: printed 3.0, never a bare 3
    p.visits[1].values["phys_global"] = D(3)
    p.visits[2].visit_label = "FLARE"
    return p


@pytest.fixture(scope="module")
def patient_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print") / "nt01.pdf"
    write_patient_report(_no_tofa_patient(), out, deidentified=False, settings=SETTINGS,
                         author="Dr Tester, Clinic A")
    return out


@pytest.fixture(scope="module")
def cohort_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cohort = demo_patients()
    out = tmp_path_factory.mktemp("print") / "cohort.pdf"
    write_cohort_report(cohort, out, settings=SETTINGS, author="Clinic A")
    return out


def test_styles_never_split_words() -> None:
    assert all(st.splitLongWords == 0 for st in styles().values())


@pytest.mark.parametrize("which", ["patient_pdf", "cohort_pdf"])
def test_font_sizes_body_9_notes_8(which: str, request: pytest.FixtureRequest) -> None:
    frags = fragments(request.getfixturevalue(which))
    sizes = {s for s, _t in frags}
    assert min(sizes) >= 8, sorted(sizes)
    # everything below 9 pt is note-sized (8 pt): notes, chart labels, page furniture
    assert sizes <= {8.0} | {s for s in sizes if s >= 9}, sorted(sizes)
    # table cells and body paragraphs are at least 9 pt
    body = [s for s, t in frags if re.search(r"DEMO-0\d|NT01|Core set|Measured against", t)
            and not t.startswith("JDM ")]  # the running header is page furniture
    assert body and min(body) >= 9


@pytest.mark.parametrize("which", ["patient_pdf", "cohort_pdf"])
def test_no_word_split_across_lines(which: str, request: pytest.FixtureRequest) -> None:
    frags = fragments(request.getfixturevalue(which))
    assert split_words(frags) == []


def test_split_word_detector_catches_flar_e() -> None:
    frags = [(9.0, "FLARE\n"), (9.0, "M3 FLAR"), (9.0, "E 2024")]
    assert split_words(frags) == ["FLAR/E"]


def test_long_labels_and_ids_stay_whole(tmp_path: Path) -> None:
    # the words that wrapped mid-word before: a FLARE visit in a narrow column, long ids
    cohort = make_cohort(4, 4)
    cohort[0].study_id = "LONGSTUDYID-2024-0001"
    cohort[1].visits[-1].visit_label = "unscheduled"
    cohort[2].visits[-1].visit_label = "FLARE"
    out = tmp_path / "c.pdf"
    write_cohort_report(cohort, out, settings=SETTINGS)
    frags = fragments(out)
    texts = [t for _s, t in frags]
    for word in ("LONGSTUDYID-2024-0001", "unscheduled", "flare"):
        assert any(word in t for t in texts), word
    assert split_words(frags) == []
    p = make_patient("P1", 4, seed=1)
    p.visits[1].visit_label = "unscheduled"
    p.visits[2].visit_label = "FLARE"
    out = tmp_path / "p.pdf"
    write_patient_report(p, out, deidentified=True, settings=SETTINGS)
    frags = fragments(out)
    # (the de-identified report shows the label's code from forms.protocol: "flare")
    assert any("flare" in t.lower() for _s, t in frags)
    assert any("unscheduled" in t.lower() for _s, t in frags)
    assert split_words(frags) == []


def test_numbers_use_the_registry_decimals(patient_pdf: Path) -> None:
    text = " ".join(t for _s, t in fragments(patient_pdf))
    assert re.search(r"(?<![\d.])3\.0(?!\d)", text), "PhGA 3 is printed 3.0 beside 4.2"


def test_footer_has_readable_rule_versions(patient_pdf: Path, cohort_pdf: Path) -> None:
    for path in (patient_pdf, cohort_pdf):
        text = " ".join(t for _s, t in fragments(path))
        assert "Scoring rules: CMAS v1" in text and "ACR/EULAR TIS v2" in text
        assert "@" not in text and "cmas_total" not in text


def test_tofacitinib_only_where_the_data_has_it(patient_pdf: Path, tmp_path: Path) -> None:
    text = " ".join(t for _s, t in fragments(patient_pdf))
    assert "ofacitinib" not in text
    with_tofa = make_patient("T01", 4, seed=3)
    assert any("tofacitinib" in m.drug for m in with_tofa.medications)
    out = tmp_path / "t.pdf"
    write_patient_report(with_tofa, out, deidentified=False, settings=SETTINGS)
    text = " ".join(t for _s, t in fragments(out))
    assert "Tofacitinib" in text and "dark bar: tofacitinib" in text


def _outline_titles(reader: pypdf.PdfReader) -> list[str]:
    out: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item.title)

    walk(reader.outline)
    return out


def test_metadata_language_author_and_outline(patient_pdf: Path, cohort_pdf: Path) -> None:
    reader = pypdf.PdfReader(patient_pdf)
    meta = reader.metadata
    assert meta.title == "JDM case summary · Study ID NT01"
    assert meta.author == "Dr Tester, Clinic A"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    titles = _outline_titles(reader)
    for section in ("Treatment", "Core set across visits", "Response at each follow-up",
                    "How each response was reached", "Trends", "Skin", "Adverse events",
                    "Notes"):
        assert section in titles
    # each bookmark points at the page where its heading is printed
    for dest in reader.outline[1:]:  # (the first is the title with the study id)
        if isinstance(dest, list):
            continue
        page = reader.get_destination_page_number(dest)
        assert dest.title in reader.pages[page].extract_text()
    cohort = pypdf.PdfReader(cohort_pdf)
    assert cohort.metadata.author == "Clinic A"
    assert _outline_titles(cohort)[:4] == [
        "JDM cohort summary", "Results by protocol visit",
        "Course of each child by protocol visit", "Appendix: every patient and visit"]


def test_author_defaults_to_the_os_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    monkeypatch.setenv("LOGNAME", "nurse_jo")
    monkeypatch.setenv("USER", "nurse_jo")
    p = Patient("A1", visits=[Visit(dt.date(2024, 1, 1), "M0", values={})])
    out = tmp_path / "a.pdf"
    write_patient_report(p, out, deidentified=False, settings=SETTINGS)
    assert pypdf.PdfReader(out).metadata.author == "nurse_jo"
