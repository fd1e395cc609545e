"""PDF case summaries (one patient) and the cohort summary, written with reportlab.

The patient summary is what goes into the chart and to the multidisciplinary meeting: header,
treatment timeline, the core set across visits with the change from baseline, the response at
each follow-up with a short account of how it was reached, trend charts, skin, adverse events
and notes. The cohort summary has one row per patient and protocol visit, then per-visit
medians with ranges, in the spirit of a pilot study's results table.

Everything shown is computed by :mod:`forms` (via :func:`exports.common.summarise`); labels and
ranges come from the registry. All user text is escaped (``<b>`` and ``&`` print literally) and
drawn in embedded fonts that cover CJK names (:mod:`exports.fonts`). Long tables repeat their
header on every page; the visit columns of the core set table are split into blocks so nothing
is cut off at the page edge.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table

from exports import deid, fonts
from exports.common import (
    PatientSummary,
    VisitSummary,
    number_text,
    signed_text,
    summarise,
)
from exports.pdf_charts import Course, Series, timeline, trend_chart
from exports.pdf_layout import build, data_table, frame_width, long_text, p, styles, text
from forms import registry, scoring
from forms.fields import Level
from forms.i18n import N_, _
from forms.model import Patient
from forms.settings import ScoringSettings

DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
NOTE_IN_TABLE = 160  # characters of a medication note shown in the treatment table


# --------------------------------------------------------------------------------------------
# Measures shown in tables and charts
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """One row of the core set table: what it reads and how it is printed."""

    key: str
    label: str
    decimals: int
    get: Callable[[PatientSummary, VisitSummary], Any]
    abbrev: str = ""


def _field_measure(name: str) -> Measure:
    f = registry.get(name)
    rng = ""
    # scales show their range (CMAS 0-52); labs and doses show their unit instead, since
    # their hard input limits mean nothing clinically.
    if f.form not in ("labs", "visit") and f.range_text():
        rng = f" ({f.range_text()})"
    unit = f", {f.unit}" if f.unit and not rng and f.unit not in f.label else ""
    def get(s: PatientSummary, v: VisitSummary, _n: str = name) -> Any:
        return v.value(_n)

    return Measure(name, f"{f.label}{rng}{unit}", f.decimals, get, f.short_label)


def _titled(name: str) -> str:
    """A field's label with its range, e.g. ``CDASI activity (min-max)``, both from the registry."""
    f = registry.get(name)
    return f"{f.label} ({f.range_text()})"


def _ratio_measure(enzyme: str) -> Measure:
    f = registry.get(enzyme)
    label, abbrev = f.label, f"{f.short_label}/ULN"
    def get(s: PatientSummary, v: VisitSummary, _e: str = enzyme) -> Any:
        return s.enzyme_ratio(v, _e)

    return Measure(f"{enzyme}_x_uln", f"{label} / ULN", 2, get, abbrev)


def core_groups() -> tuple[tuple[str, tuple[Measure, ...]], ...]:
    """(group heading, measures) of the core set table, in clinical reading order, in the
    current language (built on each call: the labels are translated when read)."""
    return (
        (_("Muscle strength and function"), (
            _field_measure("cmas_total"),
            _field_measure("mmt8_total"),
            _field_measure("mmt8_bilateral"),
        )),
        (_("Global assessments and activity"), (
            _field_measure("phys_global"),
            _field_measure("parent_global"),
            _field_measure("extramuscular_global"),
            _field_measure("das_total"),
        )),
        (_("Physical function"), (_field_measure("chaq_di"),)),
        (_("Skin"), (
            _field_measure("cdasi_activity"),
            _field_measure("cdasi_damage"),
        )),
        (_("Laboratory"), (
            _field_measure("ck"),
            _ratio_measure("ck"),
            _ratio_measure("aldolase"),
            _ratio_measure("ldh"),
            _ratio_measure("ast"),
            _ratio_measure("alt"),
            _field_measure("esr"),
            _field_measure("crp"),
        )),
        (_("Treatment"), (
            _field_measure("steroid_mg_kg_day"),
            _field_measure("steroid_mg_day"),
            _field_measure("ivmp_pulses"),
            _field_measure("weight_kg"),
        )),
    )


CORE_GROUPS = core_groups()  # English, built at import (compatibility)

_MISSING_SHORT = {"not_done": N_("not done"), "not_assessable": N_("n/a"),
                  "unknown": N_("unknown")}

#: short names of the TIS / PRINTO rows (display only; the rules live in forms.response).


def _choice(name: str, code: object, level: Level | None = None) -> str:
    if code is None:
        return ""
    return registry.get(name, level).choice_label(code)


# --------------------------------------------------------------------------------------------
# Patient case summary
# --------------------------------------------------------------------------------------------
class _Report:
    """Builds the story of one patient's case summary."""

    def __init__(self, summary: PatientSummary, deidentified: bool) -> None:
        self.s = summary
        self.p = summary.patient
        self.deid = deidentified
        self.width = frame_width()

    # dates are ISO dates, or "day N" from baseline in a de-identified report
    def date(self, day: dt.date | None) -> str:
        if day is None:
            return ""
        if self.deid:
            offset = self.s.day(day)
            return "" if offset is None else _("day {n}").format(n=offset)
        return day.isoformat()

    def months(self, day: dt.date) -> float:
        offset = self.s.day(day) or 0
        return float(Decimal(offset) / DAYS_PER_MONTH)

    # ---------------------------------------------------------------- header
    def header(self) -> list[Flowable]:
        p_, s = self.p, self.s
        out: list[Flowable] = [
            p(_("JDM case summary"), "title"),
            p(_("Study ID {id}").format(id=f"<b>{fonts.para(p_.study_id)}</b>")
              + (" &nbsp;·&nbsp; " + _("de-identified") if self.deid else ""), "subtitle"),
        ]
        visits = s.visits
        last = visits[-1].visit.visit_date if visits else None
        age_last = p_.age_on(last) if last else None
        age_dx = p_.age_on(p_.diagnosis_date) if p_.diagnosis_date else None
        age = ""
        if age_last is not None:
            age = _("{age} years at last visit").format(age=number_text(age_last))
            if age_dx is not None:
                age += _(" ({age} at diagnosis)").format(age=number_text(age_dx))
        base = s.baseline
        base_text = ""
        if base is not None:
            base_text = f"{base.visit_label or ''} {self.date(base.visit_date)}".strip()
        span = ""
        if visits:
            span = (_("{n} visits") if len(visits) != 1 else _("{n} visit")).format(
                n=len(visits))
            if len(visits) > 1 and visits[-1].day is not None:
                span += _(", {first} to {last} ({months} months after baseline)").format(
                    first=visits[0].label, last=visits[-1].label,
                    months=number_text(Decimal(visits[-1].day) / DAYS_PER_MONTH, 0))
        tofa = s.tofacitinib_start()
        tofa_text = _("not recorded")
        if tofa is not None:
            tofa_text = _("started {date}").format(date=self.date(tofa))
            if not self.deid and s.day(tofa) is not None:
                tofa_text += " (" + _("day {n}").format(n=s.day(tofa)) + ")"
        dx = self.date(p_.diagnosis_date)
        if dx and not self.deid and s.day(p_.diagnosis_date) is not None:
            dx += " (" + _("day {n}").format(n=s.day(p_.diagnosis_date)) + ")"
        pairs: list[tuple[str, str]] = [
            (_("Study ID"), p_.study_id),
            (_("Sex"), _choice("sex", p_.sex)),
            (_("Age"), age),
            (_("Autoantibody"), _choice("autoantibody", p_.autoantibody)),
            (_("Diagnosis"), dx),
            (_("Baseline visit"), base_text),
            (_("Follow-up"), span),
            (_("Tofacitinib"), tofa_text),
        ]
        if not self.deid:
            ids = p_.identifiers
            born = ids.get("birth_date")
            pairs += [
                (registry.get("family_name").label, str(ids.get("family_name") or "")),
                (registry.get("given_name").label, str(ids.get("given_name") or "")),
                (registry.get("mrn").label, str(ids.get("mrn") or "")),
                (registry.get("birth_date").label,
                 born.isoformat() if isinstance(born, dt.date) else str(born or "")),
            ]
        rows = []
        for i in range(0, len(pairs), 2):
            row: list[Any] = []
            for label, value in pairs[i:i + 2]:
                row += [text(label, "cell_bold"), text(value or "–")]
            rows.append(row)
        w = self.width
        out.append(data_table(rows, [0.14 * w, 0.36 * w, 0.14 * w, 0.36 * w], header_rows=0,
                              zebra=False))
        if self.deid:
            out.append(p(_("De-identified report: names, record number, date of birth and "
                           "free-text notes are left out; dates are shown as days from the "
                           "baseline visit."), "note"))
        return out

    # ---------------------------------------------------------------- treatment
    def treatment(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [p(_("Treatment"), "h2")]
        meds = sorted(self.p.medications, key=lambda m: (m.start_date, m.drug))
        courses = [Course(m.drug, m.start_date, m.stop_date,
                          highlight="tofacitinib" in m.drug.casefold()) for m in meds]
        visits = [(v.visit.visit_date, v.label) for v in s.visits]
        steroid = [(v.visit.visit_date, v.value("steroid_mg_kg_day")) for v in s.visits]
        if courses or visits:
            out.append(timeline(courses, visits, steroid, self.width, self.date))
            out.append(p(_("Bars: medication courses (dark bar: tofacitinib; open arrow: "
                           "ongoing). Strip: oral prednisone-equivalent dose in mg/kg/day at "
                           "each visit."), "note"))
        if not meds:
            out.append(p(_("No medication courses recorded."), "small"))
            return out
        head = [_("Drug"), _("Dose"), _("Route"), _("Start"), _("Stop"), _("Duration")]
        widths = [0.18, 0.2, 0.12, 0.11, 0.11, 0.11]
        if not self.deid:
            head.append(_("Notes"))
            widths.append(0.17)
        else:
            widths = [w + 0.17 / len(widths) for w in widths]
        rows: list[list[Any]] = [head]
        last_visit = s.visits[-1].visit.visit_date if s.visits else None
        for m in meds:
            end = m.stop_date
            duration = ""
            if end is not None:
                duration = _duration((end - m.start_date).days)
            elif last_visit is not None and last_visit > m.start_date:
                # ongoing: at least as long as up to the last visit
                duration = _duration((last_visit - m.start_date).days) + " +"
            bold = "tofacitinib" in m.drug.casefold()
            row: list[Any] = [
                text(m.drug, "cell_bold" if bold else "cell"), text(_dose_text(m)),
                _choice("route", m.route, Level.MEDICATION), self.date(m.start_date),
                self.date(m.stop_date) if m.stop_date else _("ongoing"), duration]
            if not self.deid:
                # a table row cannot split over pages: long notes are shortened here and
                # printed in full under Notes
                note = m.notes.strip()
                if len(note) > NOTE_IN_TABLE:
                    note = note[:NOTE_IN_TABLE].rstrip() + _("… (in full under Notes)")
                row.append(text(note))
            rows.append(row)
        out.append(Spacer(1, 4))
        out.append(data_table(rows, [w * self.width for w in widths]))
        return out

    # ---------------------------------------------------------------- core set table
    def core_set(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(120), p(_("Core set across visits"), "h2")]
        if not s.visits:
            return [*out, p(_("No visits recorded."), "small")]
        base = s.baseline_summary
        groups: list[tuple[str, list[Measure]]] = []
        for heading, candidates in core_groups():
            shown = [m for m in candidates
                     if any(m.get(s, v) is not None or _reason(v, m) for v in s.visits)]
            if shown:
                groups.append((heading, shown))
        label_w = 150.0
        fits = max(1, int((self.width - label_w) // 58))
        blocks = -(-len(s.visits) // fits)
        per = -(-len(s.visits) // blocks)  # balanced blocks: 8 visits -> 4 + 4, not 6 + 2
        for start in range(0, len(s.visits), per):
            chunk = s.visits[start:start + per]
            col_w = min(90.0, (self.width - label_w) / per)
            header: list[Any] = [text(_("Measure (range)"), "cell_bold")]
            for v in chunk:
                tag = _(" (baseline)") if v.is_baseline else ""
                header.append(text(f"{v.label}{tag}\n{self.date(v.visit.visit_date)}",
                                   "cell_bold"))
            rows: list[list[Any]] = [header]
            extra: list[tuple[Any, ...]] = []
            for heading, measures in groups:
                extra += [("SPAN", (0, len(rows)), (-1, len(rows))),
                          ("FONTNAME", (0, len(rows)), (-1, len(rows)), fonts.BOLD),
                          ("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.white),
                          ("TOPPADDING", (0, len(rows)), (-1, len(rows)), 4)]
                rows.append([heading] + [""] * len(chunk))
                for m in measures:
                    row: list[Any] = [text(m.label)]
                    for v in chunk:
                        row.append(self._cell(m, v, base))
                    rows.append(row)
            extra.append(("ALIGN", (1, 0), (-1, -1), "RIGHT"))
            if start:
                out.append(Spacer(1, 6))
            t = data_table(rows, [label_w] + [col_w] * len(chunk), zebra=False, extra=extra)
            out.append(t)
        out.append(p(_("Each follow-up cell shows the value and, below it, the change from "
                       "baseline (Δ). \"not done\", \"n/a\" (not assessable) and \"unknown\" "
                       "are recorded reasons; – means not recorded or a total with items "
                       "missing. ULN: the laboratory's upper limit of normal at that visit "
                       "(study default when not given)."), "note"))
        return out

    def _cell(self, m: Measure, v: VisitSummary, base: VisitSummary | None) -> str:
        value = m.get(self.s, v)
        if value is None:
            return _(_MISSING_SHORT.get(_reason(v, m) or "", "–"))
        shown = number_text(value, m.decimals)
        if base is None or v.is_baseline or v.day is None or v.day < 0:
            return shown
        before = m.get(self.s, base)
        if before is None:
            return shown
        return f"{shown}\nΔ {signed_text(Decimal(value) - Decimal(before), m.decimals)}"

    # ---------------------------------------------------------------- responses
    def responses(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(120), p(_("Response at each follow-up"), "h2")]
        if not s.follow_ups:
            return [*out, p(_("No follow-up visit after the baseline yet."), "small")]
        base = s.baseline
        out.append(p(_("Measured against the baseline visit {label} ({date}).").format(
            label=fonts.para(s.baseline_summary.label if s.baseline_summary else ""),
            date=self.date(base.visit_date if base else None)), "small"))
        tis_f, acr_f = registry.get("tis"), registry.get("acr_eular_response")
        rows: list[list[Any]] = [[_("Visit"), _("Date") if not self.deid else _("Day"),
                                  f"TIS ({registry.get('tis').range_text()})",
                                  "ACR/EULAR 2016", _("Measures"), "PRINTO",
                                  _("Inactive disease (PRINTO)")]]
        for v in s.follow_ups:
            r = v.response
            assert r is not None  # follow_ups are the visits with a response
            tis = r.tis
            muscle = registry.get("tis_muscle_measure").choice_label(tis.muscle_measure)
            rows.append([
                text(v.label, "cell_bold"), self.date(v.visit.visit_date),
                number_text(tis.tis, tis_f.decimals) if tis.tis is not None else "–",
                text(acr_f.choice_label(tis.category), "cell_bold"),
                text(_("{n} of 6; {muscle}").format(n=tis.measures, muscle=muscle)),
                text(registry.get("printo_response").choice_label(r.printo.level)),
                text(_("{status} ({met} of 4 met").format(
                    status=_choice("printo_cid", r.cid.status), met=r.cid.met)
                     + (_(", {n} unknown").format(n=r.cid.unknown) if r.cid.unknown else "")
                     + ")"),
            ])
        w = self.width
        out.append(data_table(rows, [w * f for f in (0.09, 0.12, 0.1, 0.15, 0.2, 0.14, 0.2)]))
        out.append(p(_("How each response was reached"), "h3"))
        explain: list[list[Any]] = [[_("Visit"), _(
            "TIS rows (change → points/maximum), PRINTO variables (change), inactive-disease "
            "criteria")]]
        for v in s.follow_ups:
            explain.append([p(f"<b>{fonts.para(v.label)}</b><br/>"
                              f"{self.date(v.visit.visit_date)}", "cell"), self._explain(v)])
        out.append(data_table(explain, [0.1 * w, 0.9 * w]))
        out.append(p(
            _("TIS: ACR/EULAR 2016 Total Improvement Score, the sum of the level scores of 6 "
              "core set measures (improvement as a percent of the scale range; enzyme relative "
              "to baseline). PRINTO: Ruperto 2010 criteria, at least 3 of 6 measures improved "
              "by 20/50/70 % with at most one, not muscle strength, worse by more than 30 %. "
              "Inactive disease: PRINTO 2013, at least 3 of ")
            + fonts.para(_("CK <= {ck} U/L, CMAS >= {cmas}, MMT-8 >= {mmt}, physician global "
                           "<= {phga}. Abbreviations: ").format(
                               ck=scoring.CID_CK_MAX, cmas=scoring.CID_CMAS_MIN,
                               mmt=scoring.CID_MMT8_MIN, phga=scoring.CID_PHYS_GLOBAL_MAX))
            + fonts.para(", ".join(f"{registry.get(n).short_label} {registry.get(n).label}"
                                   for n in ("phys_global", "parent_global",
                                             "extramuscular_global", "chq_phs"))) + ".",
            "note"))
        return out

    def _explain(self, v: VisitSummary) -> Flowable:
        r = v.response
        assert r is not None, "only follow-ups are explained"
        tis, printo, cid = r.tis, r.printo, r.cid
        parts = []
        for row in tis.rows:
            name = _row_name(row.key, row.field)
            if row.points is None:
                parts.append(_("{name} missing").format(name=name))
            else:
                pct = f" {signed_text(row.percent, 1)} %" if row.percent is not None else ""
                parts.append(f"{name}{pct} → {number_text(row.points)}/"
                             f"{number_text(row.max_points)}")
        category = registry.get("acr_eular_response").choice_label(tis.category)
        tis_line = (f"<b>TIS</b> {fonts.para('; '.join(parts))} = "
                    f"<b>{number_text(tis.tis) if tis.tis is not None else '–'}</b>"
                    f" → {fonts.para(category)}")
        if tis.category == "indeterminate":
            tis_line += " (" + fonts.para(_first_line(tis.explanation).split("->")[-1].strip()
                                          ) + ")"
        vparts = []
        for var in printo.variables:
            name = _row_name(var.key, var.field)
            if var.outcome == "missing":
                vparts.append(_("{name} missing").format(name=name))
            elif var.outcome == "change" and var.percent is not None:
                worse = _(" (worse > 30 %)") if var.worsened else ""
                vparts.append(f"{name} {signed_text(var.percent, 0)} %{worse}")
            else:
                vparts.append(f"{name} {_(var.outcome.replace('_', ' '))}")
        met = ", ".join(f"{lvl}: {_(ans)}" for lvl, ans in sorted(printo.levels_met.items()))
        printo_line = (f"<b>PRINTO</b> {fonts.para('; '.join(vparts))} → "
                       f"{fonts.para(registry.get('printo_response').choice_label(printo.level))}"
                       f" ({fonts.para(met)})")
        cparts = []
        for c in cid.criteria:
            state = {True: _("met"), False: _("not met"), None: _("unknown")}[c.met]
            value = number_text(c.value) if c.value is not None else _("not recorded")
            cparts.append(f"{c.label}: {value} ({state})")
        cid_line = (f"<b>{fonts.para(_('Inactive disease'))}</b> "
                    f"{fonts.para('; '.join(cparts))} → "
                    f"{fonts.para(_choice('printo_cid', cid.status))}")
        return p(f"{tis_line}<br/>{printo_line}<br/>{cid_line}", "cell")

    # ---------------------------------------------------------------- charts
    def charts(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(300), p(_("Trends"), "h2")]
        if not s.visits:
            return []
        xs = [self.months(v.visit.visit_date) for v in s.visits]
        x_max = max(xs + [1.0])
        tofa = s.tofacitinib_start()
        marker = self.months(tofa) if tofa is not None else None

        def series(title: str, get: Callable[[VisitSummary], Any], *, y_max: float | None,
                   ref: Sequence[tuple[float, str]] = (), better: bool | None = None) -> Series:
            return Series(title, [(x, get(v)) for x, v in zip(xs, s.visits, strict=True)],
                          0.0, y_max, ref, better)

        def top(name: str) -> float | None:
            f = registry.get(name)
            return float(f.maximum) if f.maximum is not None else None

        charts = [
            series(_titled("cmas_total"),
                   lambda v: v.value("cmas_total"), y_max=top("cmas_total"),
                   ref=[(float(scoring.CID_CMAS_MIN),
                         _("inactive: >= {n}").format(n=scoring.CID_CMAS_MIN))],
                   better=True),
            series(_titled("mmt8_total"),
                   lambda v: v.value("mmt8_total"), y_max=top("mmt8_total"),
                   ref=[(float(scoring.CID_MMT8_MIN),
                         _("inactive: >= {n}").format(n=scoring.CID_MMT8_MIN))],
                   better=True),
            series(_("Physician global ({range})").format(
                range=registry.get("phys_global").range_text()),
                   lambda v: v.value("phys_global"),
                   y_max=top("phys_global"),
                   ref=[(float(scoring.CID_PHYS_GLOBAL_MAX),
                         _("inactive: <= {n}").format(n=scoring.CID_PHYS_GLOBAL_MAX))],
                   better=False),
            series(_("CK / ULN"), lambda v: s.enzyme_ratio(v, "ck"), y_max=None,
                   ref=[(1.0, _("ULN"))], better=False),
            series(_("Oral steroid, mg/kg/day"), lambda v: v.value("steroid_mg_kg_day"),
                   y_max=None, better=False),
            series(_titled("cdasi_activity"),
                   lambda v: v.value("cdasi_activity"), y_max=None, better=False),
        ]
        cw = self.width / 2
        drawings = [trend_chart(c, cw - 6, 128, x_max, marker, _("tofacitinib")) for c in charts]
        grid = [drawings[i:i + 2] for i in range(0, len(drawings), 2)]
        t = Table(grid, colWidths=[cw, cw], hAlign="LEFT")
        t.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])
        out.append(t)
        out.append(p(_("Circles: measured visits; a gap in the line: not measured. Dotted "
                       "lines: inactive-disease cut-offs (PRINTO 2013) and the CK upper limit "
                       "of normal. Dashed vertical line: tofacitinib start."), "note"))
        return out

    # ---------------------------------------------------------------- skin
    def skin(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(100), p(_("Skin"), "h2")]
        rows: list[list[Any]] = [[_("Visit"), _("Date") if not self.deid else _("Day"),
                                  _titled("cdasi_activity"), _titled("cdasi_damage"),
                                  _("Positive findings")]]
        for v in s.visits:
            found, assessed = [], 0
            for name, label in registry.SKIN_FINDINGS:
                answer = v.visit.values.get(name)
                if answer is not None:
                    assessed += 1
                if answer == "yes":
                    found.append(_(label))
            findings = ", ".join(found) if found else (_("none") if assessed else _("not assessed"))
            rows.append([text(v.label, "cell_bold"), self.date(v.visit.visit_date),
                         number_text(v.value("cdasi_activity")) or "–",
                         number_text(v.value("cdasi_damage")) or "–", text(findings)])
        w = self.width
        out.append(data_table(rows, [w * f for f in (0.08, 0.12, 0.13, 0.13, 0.54)],
                              extra=[("ALIGN", (2, 1), (3, -1), "RIGHT")]))
        return out

    # ---------------------------------------------------------------- adverse events
    def adverse_events(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(80), p(_("Adverse events"), "h2")]
        events = sorted(self.p.adverse_events, key=lambda a: a.onset_date)
        if not events:
            return [*out, p(_("No adverse events recorded."), "small")]
        ae = Level.ADVERSE_EVENT
        rows: list[list[Any]] = [[_("Onset"), _("Event"), _("Grade"), _("Serious"),
                                  _("Suspected drug"),
                                  _("Action"), _("Outcome"), _("Resolved")]]
        for a in events:
            grade = ""
            if a.grade is not None:
                grade = f"{a.grade} {registry.get('grade', ae).choice_label(a.grade)}"
            serious = {True: _("yes"), False: _("no"), None: ""}[a.serious]
            rows.append([self.date(a.onset_date), text(a.term, "cell_bold"), text(grade),
                         serious, text(a.related_drug), text(_choice("action", a.action, ae)),
                         text(_choice("outcome", a.outcome, ae)),
                         self.date(a.resolution_date)])
        w = self.width
        out.append(data_table(rows, [w * f for f in
                                     (0.1, 0.19, 0.11, 0.09, 0.14, 0.13, 0.13, 0.11)]))
        return out

    # ---------------------------------------------------------------- notes
    def notes(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(60), p(_("Notes"), "h2")]
        if self.deid:
            return [*out, p(_("Free-text notes are left out of de-identified reports."), "small")]
        any_note = False
        for v in self.s.visits:
            note = v.visit.notes.strip()
            assessor = v.visit.values.get("assessor")
            if note or assessor:
                any_note = True
                who = (" · " + _("assessed by {name}").format(name=fonts.para(assessor))
                       if assessor else "")
                out.append(p(f"<b>{fonts.para(v.label)}</b> ({self.date(v.visit.visit_date)})"
                             f"{who}", "small"))
                if note:
                    out.extend(long_text(note, limit=registry.VISIT_NOTES.max_length))
                out.append(Spacer(1, 2))
        for m in self.p.medications:
            if m.notes.strip():
                any_note = True
                out.append(p(f"<b>{fonts.para(m.drug)}</b> "
                             + _("(course from {date}):").format(date=self.date(m.start_date)),
                             "small"))
                out.extend(long_text(m.notes))
        if not any_note:
            out.append(p(_("No notes recorded."), "small"))
        return out

    def story(self) -> list[Flowable]:
        return [*self.header(), *self.treatment(), *self.core_set(), *self.responses(),
                *self.charts(), *self.skin(), *self.adverse_events(), *self.notes()]


def _plain(value: str, style: str = "cell") -> Any:
    """A table cell for short text: a plain string (drawn literally, never parsed as markup,
    and cheap) unless it needs the CJK fallback font, then an escaped Paragraph."""
    if fonts.needs_paragraph(value):
        return text(value, style)
    return value


def _reason(v: VisitSummary, m: Measure) -> str | None:
    return v.visit.missing.get(m.key)


def _row_name(key: str, field: str | None) -> str:
    """A TIS/PRINTO row's short name: its field's registry abbreviation."""
    return registry.get(field).short_label if field else key


def _first_line(text_: str) -> str:
    return text_.splitlines()[0] if text_ else ""


def _duration(days: int) -> str:
    if days < 60:
        return _("{n} days").format(n=days)
    return _("{n} months").format(n=number_text(Decimal(days) / DAYS_PER_MONTH, 0))


def _dose_text(m: Any) -> str:
    parts = []
    if m.dose is not None:
        parts.append(f"{number_text(m.dose)} {m.dose_unit or ''}".strip())
    if m.frequency_per_day is not None:
        freq = Decimal(m.frequency_per_day)
        if abs(freq - Decimal(1) / Decimal(7)) < Decimal("0.001"):
            parts.append(_("once weekly"))
        elif freq == 1:
            parts.append(_("once daily"))
        elif freq == 2:
            parts.append(_("twice daily"))
        else:
            parts.append(_("{n} times a day").format(n=number_text(freq)))
    return ", ".join(parts)


def write_patient_report(patient: Patient, out: Path, *, deidentified: bool,
                         settings: ScoringSettings) -> None:
    """Write one patient's PDF case summary.

    Args:
        patient: the patient with visits, medications and adverse events.
        out: the PDF path (written atomically).
        deidentified: leave out names, record number, date of birth and free-text notes, and
            show dates as days from the baseline visit.
        settings: the study's scoring settings.
    """
    # de-identified: rendered from the policy's copy (exports.deid), so nothing it forbids
    # (names, free text, uncoded terms, date-like labels) can reach the page
    shown = deid.deidentify(patient, labels=True) if deidentified else patient
    report = _Report(summarise(shown, settings), deidentified)
    build(Path(out), report.story(), title=_("JDM case summary") + f" {patient.study_id}",
          running=_("JDM case summary") + " · " + _("Study ID {id}").format(id=patient.study_id)
                  + (" · " + _("de-identified") if deidentified else ""))


# --------------------------------------------------------------------------------------------
# Cohort summary
# --------------------------------------------------------------------------------------------
_LABEL_KEY = re.compile(r"^([A-Za-z_-]*)(\d+)$")


def visit_order(label: str) -> tuple[str, int, str]:
    """Sort key for protocol labels: M0 < M3 < M12 < W2 (prefix, then number)."""
    m = _LABEL_KEY.match(label)
    if m:
        return (m.group(1).upper(), int(m.group(2)), label)
    return (label.upper(), -1, label)


#: (header, measure) of the cohort table's numeric columns.
def _cohort_measures() -> list[Measure]:
    by_key = {m.key: m for _heading, ms in core_groups() for m in ms}
    keys = ["cmas_total", "mmt8_total", "phys_global", "parent_global", "extramuscular_global",
            "chaq_di", "cdasi_activity", "ck_x_uln", "steroid_mg_kg_day"]
    return [by_key[k] for k in keys]


def _median(values: list[Decimal]) -> Decimal:
    xs = sorted(values)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


#: data rows per table block of the cohort summary (about three landscape pages).
COHORT_CHUNK = 120


def write_cohort_report(patients: Iterable[Patient], out: Path, *,
                        settings: ScoringSettings) -> None:
    """Write the cohort summary PDF: one row per patient and protocol visit, then medians.

    Protocol visits are the visits with a label (M0, M3, ...); unlabelled visits are counted in
    a note but not tabulated. The report shows study IDs only (no names, no dates).

    Args:
        patients: the patients (any iterable).
        out: the PDF path (written atomically).
        settings: the study's scoring settings.
    """
    measures = _cohort_measures()
    tis_short = registry.get("tis").short_label
    header = [_("Patient"), _("Visit"), _("Day"), *[m.abbrev for m in measures], tis_short,
              "ACR/EULAR",
              "PRINTO", "CID"]
    rows: list[list[Any]] = [header]
    per_visit: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int)))
    patients_per_visit: dict[str, set[str]] = defaultdict(set)
    n_patients = unlabelled = 0
    acr = registry.get("acr_eular_response")
    group_starts: list[int] = []
    for patient in patients:
        n_patients += 1
        s = summarise(patient, settings)
        labelled = [v for v in s.visits if v.visit.visit_label]
        unlabelled += len(s.visits) - len(labelled)
        group_starts.append(len(rows))
        for v in labelled:
            lab = v.visit.visit_label or ""
            patients_per_visit[lab].add(patient.study_id)
            cells: list[Any] = [_plain(patient.study_id, "cell_bold"), _plain(lab),
                                "" if v.day is None else str(v.day)]
            for m in measures:
                value = m.get(s, v)
                cells.append(number_text(value, min(m.decimals, 2)) if value is not None
                             else "–")
                if value is not None:
                    per_visit[lab][m.key].append(Decimal(value))
            r = v.response
            cid = v.value("printo_cid")
            if r is not None:
                cells += [number_text(r.tis.tis) if r.tis.tis is not None else "–",
                          acr.choice_label(r.tis.category),
                          r.printo.level if r.printo.level in ("20", "50", "70")
                          else _(r.printo.level)[:5],
                          _(cid) if cid else "–"]
                counts[lab]["acr"][r.tis.category] += 1
                counts[lab]["printo"][r.printo.level] += 1
                if r.tis.tis is not None:
                    per_visit[lab]["tis"].append(Decimal(r.tis.tis))
            else:
                cells += ["", _("baseline") if v.is_baseline else "", "", _(cid) if cid else "–"]
            if cid:
                counts[lab]["cid"][cid] += 1
            rows.append(cells)

    width = frame_width(wide=True)
    shares = [0.075, 0.045, 0.04, *[0.056] * len(measures), 0.045, 0.085, 0.06, 0.05]
    widths = [w / sum(shares) * width for w in shares]
    align = [("ALIGN", (2, 0), (-5, -1), "RIGHT"), ("ALIGN", (-4, 0), (-4, -1), "RIGHT"),
             ("FONTNAME", (0, 1), (0, -1), fonts.BOLD)]
    starts = set(group_starts[1:])
    story: list[Flowable] = [
        p(_("JDM cohort summary"), "title"),
        p((_("{n} patients") if n_patients != 1 else _("{n} patient")).format(n=n_patients)
          + _("; one row per patient and protocol visit. De-identified: study IDs only, days "
              "from each patient's baseline."), "subtitle"),
    ]
    if len(rows) > 1:
        # Tables of at most COHORT_CHUNK rows: reportlab re-measures the rest of a table at
        # every page split, so one 100,000-row table would take quadratic time. Each block
        # repeats the header and looks the same as one long table.
        for first in range(1, len(rows), COHORT_CHUNK):
            block = rows[first:first + COHORT_CHUNK]
            lines = [("LINEABOVE", (0, i - first + 1), (-1, i - first + 1), 0.8, colors.black)
                     for i in range(first, first + len(block)) if i in starts]
            story.append(data_table([header, *block], widths, zebra=True,
                                    extra=[*align, *lines]))
    else:
        story.append(p(_("No labelled (protocol) visits recorded."), "small"))
    if unlabelled:
        story.append(p(_("{n} visit(s) without a protocol label are not tabulated.").format(
            n=unlabelled), "note"))
    story.append(p(_legend(measures), "note"))

    # per-visit medians with ranges
    story += [CondPageBreak(150), p(_("Per-visit medians (range)"), "h2")]
    labels = sorted(per_visit.keys() | counts.keys() | patients_per_visit.keys(),
                    key=visit_order)
    med_header = [_("Visit"), "N", *[m.abbrev for m in measures], registry.get("tis").short_label,
                  _("ACR/EULAR response"), "PRINTO", _("CID yes")]
    med_rows: list[list[Any]] = [med_header]
    for lab in labels:
        row: list[Any] = [text(lab, "cell_bold"), str(len(patients_per_visit[lab]))]
        for key in [*(m.key for m in measures), "tis"]:
            vals = per_visit[lab].get(key, [])
            dec = min(next((m.decimals for m in measures if m.key == key), 1), 2)
            if vals:
                row.append(f"{number_text(_median(vals), dec)}\n"
                           f"{number_text(min(vals), dec)}–{number_text(max(vals), dec)}"
                           f"\nn={len(vals)}")
            else:
                row.append("–")
        acr_counts = counts[lab]["acr"]
        row.append(text("; ".join(f"{acr.choice_label(k)} {acr_counts[str(k)]}"
                                  for k in acr.choice_codes if acr_counts.get(str(k)))
                        or "–"))
        pr = counts[lab]["printo"]
        row.append(text("; ".join(f"{_(k)} {pr[k]}" for k in ("70", "50", "20", "none",
                                                          "indeterminate") if pr.get(k))
                        or "–"))
        cid_counts = counts[lab]["cid"]
        total_cid = sum(cid_counts.values())
        row.append(f"{cid_counts.get('yes', 0)}/{total_cid}" if total_cid else "–")
        med_rows.append(row)
    mw = [0.04, 0.03, *[0.07] * len(measures), 0.07, 0.11, 0.075, 0.04]
    scale = 1 / sum(mw)
    if len(med_rows) > 1:
        story.append(data_table(med_rows, [w * scale * width for w in mw],
                                extra=[("ALIGN", (1, 0), (-4, -1), "RIGHT"),
                                       ("FONTSIZE", (1, 1), (-4, -1), 7),
                                       ("LEADING", (1, 1), (-4, -1), 8.5)]))
    story.append(p(_("Cells: median, minimum–maximum, and the number of patients with a "
                     "value. Response counts are of follow-up visits with that label."), "note"))
    build(Path(out), story, title=_("JDM cohort summary"), running=_("JDM cohort summary"),
          wide=True)


def _legend(measures: Sequence[Measure]) -> str:
    parts = [f"{fonts.para(m.abbrev)}: {fonts.para(m.label)}" for m in measures]
    parts += [_("TIS: ACR/EULAR 2016 Total Improvement Score vs the patient's baseline"),
              _("PRINTO: PRINTO 2010 response level"), _("CID: PRINTO 2013 clinically inactive "
                                                         "disease (yes/no/indeterminate)"),
              _("–: not recorded")]
    return "; ".join(parts) + "."


__all__ = ["CORE_GROUPS", "styles", "visit_order", "write_cohort_report",
           "write_patient_report"]
