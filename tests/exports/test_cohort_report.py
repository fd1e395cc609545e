"""The cohort report's results table, recomputed here independently and compared with the PDF.

The expected values are computed in this file from the patients alone: visits grouped by their
label, scores from forms.scoring, responses from forms.response.compare_visits, quartiles with
the standard library's statistics.quantiles(method="inclusive") (Hyndman-Fan type 7, an
implementation independent of forms.stats), counts and percentages by hand. The PDF is read
back with pypdf and each expected row must be printed as computed.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pypdf
import pytest
from export_factory import make_cohort

from exports.pdf import write_cohort_report
from forms import registry, response, scoring
from forms.model import Patient
from forms.settings import ScoringSettings
from storage.demo import demo_patients

SETTINGS = ScoringSettings()


def flat_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def fmt(value: Fraction, places: int, signed: bool = False) -> str:
    q = Decimal(value.numerator) / Decimal(value.denominator)
    text = str(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    if signed and Decimal(text) > 0:
        text = "+" + text
    return text


def cell(values: list[Fraction], places: int, signed: bool = False) -> str:
    if not values:
        return "–"
    xs = sorted(values)
    if len(xs) == 1:
        q1 = med = q3 = xs[0]
    else:
        q1, med, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return (f"{fmt(med, places, signed)} ({fmt(q1, places, signed)} to "
            f"{fmt(q3, places, signed)}) n = {len(xs)}")


def by_label(patients: list[Patient], canonical: dict[str, str]) -> dict[str, dict]:
    """label -> study_id -> (patient, visit, baseline visit): first visit per child."""
    out: dict[str, dict] = defaultdict(dict)
    for p in patients:
        base = p.baseline_visit()
        for v in p.sorted_visits():
            label = canonical.get((v.visit_label or "").strip().casefold())
            if label and p.study_id not in out[label]:
                out[label][p.study_id] = (p, v, base)
    return out


def score(v, name: str) -> Fraction | None:
    if name in ("phys_global", "parent_global", "extramuscular_global", "chq_phs", "ck"):
        raw = v.values.get(name)
        return None if raw is None else Fraction(Decimal(str(raw)))
    if name == "ck_x_uln":
        # CK over the visit's own ULN, else the study's default ULN, as each visit shows it
        # (two decimals, half up); the cohort summarises those per-visit ratios
        ck, uln = v.values.get("ck"), v.values.get("ck_uln") or SETTINGS.uln_defaults["ck"]
        if ck is None or not uln:
            return None
        ratio = Decimal(str(ck)) / Decimal(str(uln))
        return Fraction(ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    value = scoring.score_visit(v.values)[name].value
    return None if value is None else Fraction(Decimal(str(value)))


MEASURES = {  # name -> (row label printed, decimals of the summary)
    "cmas_total": ("CMAS total (0-52)", 1),
    "mmt8_total": ("MMT-8 total (unilateral) (0-80)", 1),
    "phys_global": ("Physician global assessment of disease activity (0-10)", 1),
    "chaq_di": ("CHAQ disability index (0-3)", 3),
    "steroid_mg_kg_day": ("Oral steroid dose per kg, mg/kg/day", 3),
    "parent_global": ("Parent global assessment of overall well-being (0-10)", 1),
    "extramuscular_global": ("Extramuscular global activity (MDAAT) (0-10)", 1),
    "das_total": ("DAS total (0-20)", 1),
    "chq_phs": ("CHQ-PF50 physical summary score (0-100)", 1),
    "cdasi_activity": ("CDASI activity (0-100)", 1),
    "ck": ("Creatine kinase (CK), U/L", 1),
    "ck_x_uln": ("Creatine kinase (CK) / ULN", 2),
    # parent_global_activity: the demo cohort has none, so its row is not printed there
}

DEMO_LABELS = {"m0": "M0", "m3": "M3", "m6": "M6", "m12": "M12"}


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Patient]]:
    patients = demo_patients()
    out = tmp_path_factory.mktemp("cohort") / "demo.pdf"
    write_cohort_report(patients, out, settings=SETTINGS)
    return flat_text(out), patients


def test_columns_are_protocol_visits_in_order(demo_pdf: tuple[str, list[Patient]]) -> None:
    flat, patients = demo_pdf
    groups = by_label(patients, DEMO_LABELS)
    head = " ".join(f"{lab} n = {len(groups[lab])}" for lab in ("M0", "M3", "M6", "M12"))
    assert f"Measure (range, unit) {head}" in flat
    # the demo's FLARE visit is kept apart, never pooled into M12
    assert "Not pooled with protocol visits: flare visits: 1 in 1 child" in flat


@pytest.mark.parametrize("name", list(MEASURES))
def test_medians_iqr_and_paired_changes(demo_pdf: tuple[str, list[Patient]],
                                        name: str) -> None:
    flat, patients = demo_pdf
    label, places = MEASURES[name]
    groups = by_label(patients, DEMO_LABELS)
    values_row, change_row = [], []
    for lab in ("M0", "M3", "M6", "M12"):
        vals = [x for _p, v, _b in groups[lab].values() if (x := score(v, name)) is not None]
        values_row.append(cell(vals, places))
        diffs = []
        for _p, v, base in groups[lab].values():
            if v is base:
                continue
            before, after = score(base, name), score(v, name)
            if before is not None and after is not None:
                diffs.append(after - before)
        change_row.append(cell(diffs, places, signed=True))
    values = f"{label} {' '.join(values_row)}"
    change = f"change from baseline {' '.join(change_row)}"
    assert values in flat, (values, flat[:3000])
    # the change row follows its measure (a page break, with its footer, may come between)
    start = flat.index(values) + len(values)
    assert change in flat[start:start + len(change) + 400], (change, flat[start:start + 600])


def pct(k: int, n: int) -> str:
    return str((Decimal(100 * k) / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_response_counts(demo_pdf: tuple[str, list[Patient]]) -> None:
    flat, patients = demo_pdf
    groups = by_label(patients, DEMO_LABELS)
    labels = ("M3", "M6", "M12")
    results = {lab: [response.compare_visits(b.values, v.values, SETTINGS)
                     for _p, v, b in groups[lab].values() if v is not b] for lab in labels}
    n = {lab: len(results[lab]) for lab in labels}
    assert f"Children with a follow-up evaluated – {' '.join(str(n[x]) for x in labels)}" \
        in flat
    for code, words in (("major", "major"), ("moderate", "moderate"),
                        ("minimal", "minimal"), ("none", "no improvement")):
        cells = []
        for lab in labels:
            k = sum(r.tis.category == code for r in results[lab])
            cells.append(f"{k} ({pct(k, n[lab])} %)")
        assert f"ACR/EULAR {words} – {' '.join(cells)}" in flat, words
    def at_least(order: list[str], level: str, low_of: Any, high_of: Any) -> str:
        """Children reaching ``level`` for sure (low) and possibly (high), per visit."""
        cells = []
        for lab in labels:
            low = sum(order.index(low_of(r)) >= order.index(level) for r in results[lab])
            high = sum(order.index(high_of(r)) >= order.index(level) for r in results[lab])
            cells.append(f"{low} ({pct(low, n[lab])} %)" if low == high else
                         f"{low} to {high} ({pct(low, n[lab])} to {pct(high, n[lab])} %)")
        return " ".join(cells)

    tis_order = ["none", "minimal", "moderate", "major"]
    for code in ("minimal", "moderate"):
        cells = at_least(tis_order, code, lambda r: r.tis.category_min,
                         lambda r: r.tis.category_max)
        assert f"ACR/EULAR at least {code}, including partial results – {cells}" in flat, code
    for level in ("20", "50", "70"):
        cells = at_least(["none", "20", "50", "70"], level, lambda r: r.printo.worst,
                         lambda r: r.printo.best)
        assert f"PRINTO {level} (at least) – {cells}" in flat, level
    # the demo has partial results: at least one range is printed, honestly
    assert re.search(r"\d+ to \d+ \(\d+ to \d+ %\)", flat)


def test_inactive_disease_counts(demo_pdf: tuple[str, list[Patient]]) -> None:
    flat, patients = demo_pdf
    groups = by_label(patients, DEMO_LABELS)
    cells = []
    for lab in ("M0", "M3", "M6", "M12"):
        status = [scoring.clinically_inactive_disease(v.values).status
                  for _p, v, _b in groups[lab].values()]
        yes = status.count("yes")
        high = yes + status.count("indeterminate")
        k = len(status)
        cells.append(f"{yes} ({pct(yes, k)} %)" if yes == high else
                     f"{yes} to {high} ({pct(yes, k)} to {pct(high, k)} %)")
    assert f"Clinically inactive disease (PRINTO), of children assessed {' '.join(cells)}" \
        in flat


def test_free_labels_are_mapped_and_flares_kept_apart(tmp_path: Path) -> None:
    # a "hidden-style" cohort: labels typed as clinics type them
    cohort = make_cohort(5, 4)
    typed = [("M0", "m3", "M6", "flare"), ("M0", "3M", "month 6", "Unscheduled"),
             ("m0", "M3", "6m", "M12"), ("M0", "M3 ", "M6", "FLARE"),
             ("baseline", "M3", "zz-free", "M12")]
    for p, labels in zip(cohort, typed, strict=True):
        for v, label in zip(p.sorted_visits(), labels, strict=True):
            v.visit_label = label
    out = tmp_path / "c.pdf"
    write_cohort_report(cohort, out, settings=SETTINGS)
    flat = flat_text(out)
    assert "Measure (range, unit) M0 n = 5 M3 n = 5 M6 n = 4 M12 n = 2" in flat
    assert "flare visits: 2 in 2 children; unscheduled visits: 1 in 1 child" in flat
    assert "Visits without a protocol label (not tabulated): zz-free: 1." in flat
    # the CMAS medians of M6 (4 children) recomputed here
    m6 = [Fraction(scoring.cmas_total(p.sorted_visits()[2].values).value)
          for p in cohort[:4]]
    assert cell(m6, 1).split(" n =")[0] in flat
    assert registry.get("cmas_total").label in flat
