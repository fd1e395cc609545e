"""The cohort summary PDF: the results of a pilot study per protocol visit, figures, appendix.

Page 1 is the results table (n, median (IQR) of each core set measure and of the steroid dose,
the change from baseline as the median of paired differences, the children at each ACR/EULAR
category, PRINTO level and in inactive disease, partial results counted as ranges), then one
figure per measure (each child's course and the median), then the per-patient listing. The
numbers come from :mod:`exports.cohort` (grouping) and :mod:`forms.stats` (percentiles).
Imported only when a cohort report is written, so the patient report starts faster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Table

from exports import cohort, fonts
from exports.cohort import CohortMeasure, Range, measure_from_field
from exports.common import PatientSummary, VisitSummary, fixed_text, signed_fixed, summarise
from exports.pdf_charts import cohort_chart
from exports.pdf_layout import build, data_table, frame_width, heading, p, text
from forms import protocol, registry, stats
from forms.i18n import _
from forms.model import Patient
from forms.response import CATEGORIES
from forms.settings import ScoringSettings


def _choice(name: str, code: object) -> str:
    return registry.get(name).choice_label(code) if code is not None else ""


def _plain(value: str, style: str = "cell") -> Any:
    """A plain table-cell string, or an escaped Paragraph when it needs the CJK font."""
    return text(value, style) if fonts.needs_paragraph(value) else value


# --------------------------------------------------------------------------------------------
# Cohort summary
# --------------------------------------------------------------------------------------------
_LABEL_KEY = re.compile(r"^([A-Za-z_-]*)(\d+)$")


def visit_order(label: str) -> tuple[str, int, str]:
    """Sort key for free labels: M0 < M3 < M12 < W2 (prefix, then number)."""
    m = _LABEL_KEY.match(label)
    if m:
        return (m.group(1).upper(), int(m.group(2)), label)
    return (label.upper(), -1, label)


def _ck_ratio(s: PatientSummary, v: VisitSummary) -> Any:
    return s.enzyme_ratio(v, "ck")


def cohort_measures() -> list[CohortMeasure]:
    """The measures of the cohort results table and figures, in clinical reading order:
    the IMACS and PRINTO core sets, skin, CK and the oral steroid dose."""
    ck = registry.get("ck")
    return [
        measure_from_field("cmas_total", higher_is_better=True),
        measure_from_field("mmt8_total", higher_is_better=True),
        measure_from_field("phys_global", higher_is_better=False),
        measure_from_field("parent_global", higher_is_better=False),
        measure_from_field("parent_global_activity", higher_is_better=False),
        measure_from_field("extramuscular_global", higher_is_better=False),
        measure_from_field("das_total", higher_is_better=False),
        measure_from_field("chaq_di", higher_is_better=False),
        measure_from_field("chq_phs", higher_is_better=True),
        measure_from_field("cdasi_activity", higher_is_better=False),
        measure_from_field("ck", higher_is_better=False),
        CohortMeasure("ck_x_uln", f"{ck.label} / ULN", f"{ck.short_label}/ULN", 2, _ck_ratio,
                      False),
        measure_from_field("steroid_mg_kg_day", higher_is_better=False),
    ]


def _stat_decimals(m: CohortMeasure) -> int:
    """Medians and quartiles of whole-number scales get one decimal (type 7 interpolates)."""
    return m.decimals if m.decimals else 1


def _summary_cell(summary: stats.Summary, decimals: int, signed: bool = False) -> str:
    if not summary.n or summary.median is None:
        return "–"
    fmt = signed_fixed if signed else fixed_text
    nb = "\u00a0"  # the IQR and the n never break inside
    return (f"{fmt(summary.median, decimals)} ({fmt(summary.q1, decimals)}{nb}{_('to')}{nb}"
            f"{fmt(summary.q3, decimals)}) n{nb}={nb}{summary.n}")


def _pct(k: int, n: int) -> str:
    return fixed_text(Fraction(100 * k, n), 0) if n else "–"


def _count_cell(r: Range) -> str:
    """``4 (40 %)``, or an honest range ``4 to 6 (40 to 60 %)`` when partial results could
    still reach the category."""
    if not r.n:
        return "–"
    if r.exact:
        return f"{r.low} ({_pct(r.low, r.n)}\u00a0%)"
    nb = "\u00a0"
    to = _("to")
    return (f"{r.low}{nb}{to}{nb}{r.high} ({_pct(r.low, r.n)}{nb}{to}{nb}{_pct(r.high, r.n)}"
            f"{nb}%)")


def write_cohort_report(patients: Iterable[Patient], out: Path, *,
                        settings: ScoringSettings, author: str | None = None) -> None:
    """Write the cohort summary PDF: results per protocol visit, figures, per-patient appendix.

    Page 1 is the results table of a pilot study: per protocol visit (M0, M3, ...; flare and
    unscheduled visits apart) n and median (IQR) of each core set measure and of the steroid
    dose, the change from baseline as the median of the paired differences, and the children
    at each ACR/EULAR category, PRINTO level and in inactive disease (partial results counted
    as ranges). Then one figure per measure (each child's course and the median), then the
    per-patient listing as an appendix. De-identified: study IDs and day offsets only.

    Args:
        patients: the patients (any iterable).
        out: the PDF path (written atomically).
        settings: the study's scoring settings.
        author: the PDF's author: the signed-in user or the clinic (default: the OS user).
    """
    measures = cohort_measures()
    results = cohort.compute((summarise(p, settings) for p in patients), measures)
    width = frame_width(wide=True)
    story: list[Flowable] = [
        heading(_("JDM cohort summary"), "title"),
        p((_("{n} patients") if results.patients != 1 else _("{n} patient")).format(
            n=results.patients)
          + _("; results by protocol visit. De-identified: study IDs only, days from each "
              "patient's baseline."), "subtitle"),
    ]
    story += _results_table(results, width)
    story += _cohort_figures(results, width)
    story += _appendix(results, width)
    build(Path(out), story, title=_("JDM cohort summary"), running=_("JDM cohort summary"),
          wide=True, author=author,
          subject=_("JDM cohort results by protocol visit: core set measures, response, "
                    "inactive disease, steroid dose"))


def _results_table(results: cohort.CohortResults, width: float) -> list[Flowable]:
    out: list[Flowable] = [heading(_("Results by protocol visit"))]
    cols = results.visits
    if not cols:
        return [*out, p(_("No visits with a protocol label (M0, M3, M6, ...) recorded."))]
    label_w = 190.0
    col_w = (width - label_w) / len(cols)
    header: list[Any] = [text(_("Measure (range, unit)"), "cell_bold")]
    for c in cols:
        header.append(text(f"{c.label}\nn = {len(c.children)}", "cell_bold_right"))
    rows: list[list[Any]] = [header]
    extra: list[tuple[Any, ...]] = [("ALIGN", (1, 0), (-1, -1), "RIGHT")]

    def section(title: str) -> None:
        r = len(rows)
        extra.extend([("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), colors.white),
                      ("LINEBELOW", (0, r), (-1, r), 0.6, colors.black)])
        rows.append([text(title, "cell_bold")] + [""] * len(cols))

    section(_("Core set measures and steroid dose: median (IQR), n"))
    for m in results.measures:
        if not any(c.values[m.key].n for c in cols):
            continue
        dec = _stat_decimals(m)
        rows.append([text(_measure_label(m), "cell_bold")]
                    + [text(_summary_cell(c.values[m.key], dec), "cell_right") for c in cols])
        rows.append([text(_("change from baseline"), "cell")]
                    + [text(_summary_cell(c.changes[m.key], dec, signed=True)
                            if c.changes[m.key].n else "–", "cell_right") for c in cols])
    section(_("Response against each child's baseline: children (%)"))
    resp = [c.responses for c in cols]
    rows.append([text(_("Children with a follow-up evaluated"), "cell")]
                + [text(str(r.n) if r and r.n else "–", "cell_right") for r in resp])
    acr = registry.get("acr_eular_response")
    for code in reversed(CATEGORIES):
        rows.append([text(f"ACR/EULAR {acr.choice_label(code).lower()}", "cell")]
                    + [text(_count_cell(Range(r.acr.get(code, 0), r.acr.get(code, 0), r.n))
                            if r and r.n else "–", "cell_right") for r in resp])
    rows.append([text(_("ACR/EULAR not determinable (measures missing)"), "cell")]
                + [text(_count_cell(Range(r.acr_open, r.acr_open, r.n))
                        if r and r.n else "–", "cell_right") for r in resp])
    for code in ("minimal", "moderate", "major"):
        what = _("major") if code == "major" else _("at least {level}").format(level=_(code))
        rows.append([text(_("ACR/EULAR {what}, including partial results").format(what=what),
                          "cell")]
                    + [text(_count_cell(r.acr_at_least[code]) if r and r.n else "–",
                            "cell_right") for r in resp])
    for level in ("20", "50", "70"):
        rows.append([text(_("PRINTO {level} (at least)").format(level=level), "cell")]
                     + [text(_count_cell(r.printo[level]) if r and r.n else "–",
                             "cell_right") for r in resp])
    rows.append([text(_("Clinically inactive disease (PRINTO), of children assessed"), "cell")]
                + [text(_count_cell(r.cid) if r and r.cid.n else "–", "cell_right")
                   for r in resp])
    out.append(data_table(rows, [label_w] + [col_w] * len(cols), zebra=False, extra=extra))
    notes = [
        _("Median (IQR): median and interquartile range (first to third quartile), "
          "percentiles by {method}. Change from baseline: median (IQR) of the paired "
          "differences (visit minus the child's baseline visit) of the children measured at "
          "both; n is their number. Whole-number scales are summarised to one "
          "decimal.").format(method=_(stats.METHOD)),
        _("Response: ACR/EULAR 2016 (Total Improvement Score, JDM thresholds) and PRINTO 2010 "
          "against each child's baseline; inactive disease: PRINTO 2013. A child whose "
          "category is known is counted in it. With measures missing a category may not be "
          "determinable: such a child is counted under \"not determinable\" and, in the "
          "\"at least\" rows, as a range from what the available measures reach to what "
          "the missing ones could add; a range \"a to b\" means between a and b children. "
          "PRINTO rows count the worst and the best case for missing variables the same "
          "way; inactive disease counts undetermined visits in the upper end."),
    ]
    dup = sum(c.duplicates for c in cols)
    if dup:
        notes.append(_("{n} further visit(s) under a protocol label a child already had are "
                       "not counted (the first one is).").format(n=dup))
    if results.other:
        kinds = {protocol.FLARE: _("flare visits"), protocol.UNSCHEDULED: _("unscheduled visits")}
        notes.append(_("Not pooled with protocol visits: ") + "; ".join(
            (_("{what}: {n} in {k} child") if k == 1 else
             _("{what}: {n} in {k} children")).format(what=kinds.get(label, label), n=n, k=k)
            for label, (n, k) in results.other.items()) + _(" (listed in the appendix)."))
    if results.unrecognised:
        notes.append(_("Visits without a protocol label (not tabulated): ") + "; ".join(
            f"{label}: {n}" for label, n in results.unrecognised.items()) + ".")
    out += [p(fonts.para(n), "note") for n in notes]
    return out


def _measure_label(m: CohortMeasure) -> str:
    f = registry.get(m.key) if registry.has(m.key) else None
    rng = f" ({f.range_text()})" if f is not None and f.form not in ("labs", "visit") \
        and f.range_text() else ""
    unit = f", {f.unit}" if f is not None and f.unit and not rng else ""
    return f"{m.label}{rng}{unit}"


def _cohort_figures(results: cohort.CohortResults, width: float) -> list[Flowable]:
    cols = [c.label for c in results.visits]
    shown = [m for m in results.measures if results.courses.get(m.key)]
    if not cols or not shown:
        return []
    out: list[Flowable] = [PageBreak(), heading(_("Course of each child by protocol visit"))]
    per_row = 4
    cw = width / per_row
    drawings: list[Flowable | str] = []  # (a row is filled up with empty cells)
    for m in shown:
        col_index = {c.label: i for i, c in enumerate(results.visits)}
        medians = [results.visits[col_index[c]].values[m.key].median for c in cols]
        courses = list(results.courses[m.key].values())
        top = max((float(v) for c in courses for v in c if v is not None), default=0.0)
        # a bounded scale is drawn to its maximum unless the data use under a third of it
        # (CDASI activity 0-100 with values under 25 would be a flat line)
        y_max = m.y_max if m.y_max is not None and top > m.y_max / 3 else None
        drawings.append(cohort_chart(_measure_label(m), cols, courses, medians,
                                     cw - 8, 138, y_max=y_max,
                                     higher_is_better=m.higher_is_better))
    grid = [drawings[i:i + per_row] for i in range(0, len(drawings), per_row)]
    grid[-1] += [""] * (per_row - len(grid[-1]))
    t = Table(grid, colWidths=[cw] * per_row, hAlign="LEFT")
    t.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])
    out.append(t)
    out.append(p(_("Thin grey lines: each child's values at the protocol visits (a gap: not "
                   "measured at that visit). Thick black line with squares: the median of the "
                   "children measured at each visit. Flare and unscheduled visits are not "
                   "drawn."), "note"))
    return out


def _appendix(results: cohort.CohortResults, width: float) -> list[Flowable]:
    """The per-patient listing: every visit of every patient, protocol visits in protocol
    order, flare and unscheduled visits under their own name (never pooled)."""
    measures = [m for m in results.measures if m.key in _APPENDIX_KEYS]
    out: list[Flowable] = [PageBreak(), heading(_("Appendix: every patient and visit"))]
    header = [_("Patient"), _("Visit"), _("Day"), *[m.short for m in measures],
              registry.get("tis").short_label, "ACR/EULAR 2016", "PRINTO", "CID"]
    rows: list[list[Any]] = []
    starts: list[int] = []
    for s in results.summaries:
        if not s.visits:
            continue
        starts.append(len(rows))
        for v in s.visits:
            label = protocol.canonical_label(v.visit.visit_label or "")
            shown = protocol.label_words(label or v.visit.visit_label) or _("no label")
            cells: list[Any] = [_plain(s.patient.study_id), _plain(shown),
                                "" if v.day is None else str(v.day)]
            for m in measures:
                value = m.get(s, v)
                cells.append(fixed_text(value, m.decimals) if value is not None else "–")
            if v.response is not None:
                r = v.response
                cells += [fixed_text(r.tis.tis, 1) if r.tis.tis is not None else "–",
                          text(r.tis.describe(capital=True)),
                          text(r.printo.describe(capital=True))]
            else:
                cells += ["", _("baseline") if v.is_baseline else "", ""]
            cid = v.value("printo_cid")
            cells.append(_choice("printo_cid", cid) if cid else "–")
            rows.append(cells)
    if not rows:
        return [*out, p(_("No visits recorded."))]
    ids = [s.patient.study_id for s in results.summaries] or [_("Patient")]
    id_w = min(150.0, max(60.0, max(stringWidth(i, fonts.BOLD, 9) for i in ids) + 8))
    fixed = [id_w, 46.0, 30.0]
    m_w = [max(38.0, max(stringWidth(w, fonts.BOLD, 9) for w in m.short.split()) + 8)
           for m in measures]
    rest = width - sum(fixed) - sum(m_w) - 36.0 - 34.0
    widths = [*fixed, *m_w, 36.0, rest * 0.53, rest * 0.47, 34.0]
    align = [("ALIGN", (2, 0), (-5, -1), "RIGHT"), ("ALIGN", (-4, 0), (-4, -1), "RIGHT"),
             ("FONTNAME", (0, 1), (0, -1), fonts.BOLD)]
    starts_set = set(starts[1:])
    for first in range(0, len(rows), COHORT_CHUNK):
        block = rows[first:first + COHORT_CHUNK]
        lines = [("LINEABOVE", (0, i - first + 1), (-1, i - first + 1), 0.8, colors.black)
                 for i in range(first, first + len(block)) if i in starts_set]
        out.append(data_table([list(header), *block], widths, zebra=True,
                              extra=[*align, *lines]))
    out.append(p(_legend(measures), "note"))
    return out


_APPENDIX_KEYS = ("cmas_total", "mmt8_total", "phys_global", "chaq_di", "cdasi_activity",
                  "ck_x_uln", "steroid_mg_kg_day")

#: data rows per table block of the appendix (reportlab re-measures the rest of a table at
#: every page split, so one 100,000-row table would take quadratic time).
COHORT_CHUNK = 120


def _legend(measures: Sequence[CohortMeasure]) -> str:
    parts = [f"{fonts.para(m.short)}: {fonts.para(_measure_label(m))}" for m in measures]
    parts += [_("TIS: ACR/EULAR 2016 Total Improvement Score vs the patient's baseline"),
              _("PRINTO: PRINTO 2010 response level"),
              _("CID: PRINTO 2013 clinically inactive disease"), _("–: not recorded")]
    return "; ".join(parts) + "."


__all__ = ["cohort_measures", "visit_order", "write_cohort_report"]
