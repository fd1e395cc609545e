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
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table

from exports import deid, fonts
from exports.common import (
    PatientSummary,
    VisitSummary,
    fixed_text,
    number_text,
    signed_fixed,
    summarise,
)
from exports.pdf_charts import Course, Series, timeline, trend_chart
from exports.pdf_layout import (
    build,
    data_table,
    frame_width,
    heading,
    long_text,
    p,
    styles,
    text,
)
from forms import registry, scoring
from forms.fields import Level
from forms.formatting import format_value
from forms.i18n import N_, _
from forms.instruments.base import RowKind
from forms.model import Patient
from forms.records import frozen
from forms.settings import ScoringSettings

DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
NOTE_IN_TABLE = 160  # characters of a medication note shown in the treatment table


# --------------------------------------------------------------------------------------------
# Measures shown in tables and charts
# --------------------------------------------------------------------------------------------
@frozen
class Measure:
    """One row of the core set table: what it reads and how it is printed."""

    key: str
    label: str
    decimals: int
    get: Callable[[PatientSummary, VisitSummary], Any]
    abbrev: str = ""


def _is_tofacitinib(drug: str) -> bool:
    """The course is tofacitinib (highlighted), however it was typed (托法替布, Xeljanz)."""
    found = registry.drug(drug)
    return (found is not None and found.code == "tofacitinib") or "tofacitinib" in drug.casefold()


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
    current language (built on each call: the labels are translated when read). The rows are
    the instruments' report rows (``Instrument.report``, ``registry.report_groups()``)."""
    return tuple(
        (_(group.value), tuple(_ratio_measure(r.field) if r.kind is RowKind.ULN_RATIO
                               else _field_measure(r.field) for r in rows))
        for group, rows in registry.report_groups())


def __getattr__(name: str) -> Any:
    """``CORE_GROUPS``: :func:`core_groups` in the current language, kept for compatibility
    (built when asked for, not on every import: ~1.5 ms of a cold report)."""
    if name == "CORE_GROUPS":
        return core_groups()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
            heading(_("JDM case summary"), "title", _("JDM case summary") + f" {p_.study_id}"),
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
        tofa_text = ""
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
        ]
        if tofa is not None:  # study-specific: only where the data has it
            pairs.append((_("Tofacitinib"), tofa_text))
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
        out: list[Flowable] = [heading(_("Treatment"))]
        meds = sorted(self.p.medications, key=lambda m: (m.start_date, m.drug))
        courses = [Course(registry.drug_label(m.drug), m.start_date, m.stop_date,
                          highlight=_is_tofacitinib(m.drug)) for m in meds]
        visits = [(v.visit.visit_date, v.label) for v in s.visits]
        steroid = [(v.visit.visit_date, v.value("steroid_mg_kg_day")) for v in s.visits]
        if courses or visits:
            out.append(timeline(courses, visits, steroid, self.width, self.date))
            tofa = _(" (dark bar: tofacitinib)") if s.tofacitinib_start() else ""
            out.append(p(_("Bars: medication courses{tofa}; open arrow: ongoing. Strip: oral "
                           "prednisone-equivalent dose in mg/kg/day at each visit.").format(
                               tofa=tofa), "note"))
        if not meds:
            out.append(p(_("No medication courses recorded.")))
            return out
        head = [_("Drug"), _("Dose"), _("Route"), _("Start"), _("Stop"), _("Duration")]
        widths = [0.17, 0.19, 0.1, 0.12, 0.12, 0.13]
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
            bold = _is_tofacitinib(m.drug)
            row: list[Any] = [
                text(registry.drug_label(m.drug), "cell_bold" if bold else "cell"),
                text(_dose_text(m)),
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
        out: list[Flowable] = [CondPageBreak(120), heading(_("Core set across visits"))]
        if not s.visits:
            return [*out, p(_("No visits recorded."))]
        base = s.baseline_summary
        groups: list[tuple[str, list[Measure]]] = []
        for group_name, candidates in core_groups():
            shown = [m for m in candidates
                     if any(m.get(s, v) is not None or _reason(v, m) for v in s.visits)]
            if shown:
                groups.append((group_name, shown))
        label_w = 168.0
        fits = max(1, int((self.width - label_w) // 66))
        blocks = -(-len(s.visits) // fits)
        per = -(-len(s.visits) // blocks)  # balanced blocks: 8 visits -> 4 + 4, not 6 + 2
        for start in range(0, len(s.visits), per):
            chunk = s.visits[start:start + per]
            col_w = min(90.0, (self.width - label_w) / per)
            header: list[Any] = [text(_("Measure (range)"), "cell_bold")]
            for v in chunk:
                tag = "\n" + _("baseline") if v.is_baseline else ""
                header.append(text(f"{v.label}{tag}\n{self.date(v.visit.visit_date)}",
                                   "cell_bold"))
            rows: list[list[Any]] = [header]
            extra: list[tuple[Any, ...]] = []
            for group_name, measures in groups:
                extra += [("SPAN", (0, len(rows)), (-1, len(rows))),
                          ("FONTNAME", (0, len(rows)), (-1, len(rows)), fonts.BOLD),
                          ("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.white),
                          ("TOPPADDING", (0, len(rows)), (-1, len(rows)), 4)]
                rows.append([group_name] + [""] * len(chunk))
                for m in measures:
                    row: list[Any] = [text(m.label)]
                    for v in chunk:
                        row.append(text(self._cell(m, v, base), "cell_right"))
                    rows.append(row)
            extra.append(("ALIGN", (1, 0), (-1, -1), "RIGHT"))
            header[1:] = [text(f"{v.label}{chr(10) + _('baseline') if v.is_baseline else ''}"
                               f"\n{self.date(v.visit.visit_date)}", "cell_bold_right")
                          for v in chunk]
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
        shown = fixed_text(value, m.decimals)
        if base is None or v.is_baseline or v.day is None or v.day < 0:
            return shown
        before = m.get(self.s, base)
        if before is None:
            return shown
        return f"{shown}\nΔ {signed_fixed(Decimal(value) - Decimal(before), m.decimals)}"

    # ---------------------------------------------------------------- responses
    def responses(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(120), heading(_("Response at each follow-up"))]
        if not s.follow_ups:
            return [*out, p(_("No follow-up visit after the baseline yet."))]
        base = s.baseline
        out.append(p(_("Measured against the baseline visit {label} ({date}).").format(
            label=fonts.para(s.baseline_summary.label if s.baseline_summary else ""),
            date=self.date(base.visit_date if base else None))))
        tis_f = registry.get("tis")
        rows: list[list[Any]] = [[_("Visit"), _("Date") if not self.deid else _("Day"),
                                  f"TIS ({tis_f.range_text()})", "ACR/EULAR 2016",
                                  _("Measures"), _("PRINTO 2010"), _("Inactive disease (PRINTO)")]]
        for v in s.follow_ups:
            r = v.response
            assert r is not None  # follow_ups are the visits with a response
            tis = r.tis
            muscle = registry.get("tis_muscle_measure").choice_label(tis.muscle_measure)
            if tis.mmt8_side:
                muscle += f", {_(tis.mmt8_side)}"
            if tis.tis is not None:
                score = fixed_text(tis.tis, tis_f.decimals)
            else:  # a required row is missing: the sum so far, said as such
                score = _("{score} so far").format(score=fixed_text(tis.partial_tis,
                                                                     tis_f.decimals))
            rows.append([
                text(v.label, "cell_bold"), self.date(v.visit.visit_date),
                text(score, "cell_right"),
                text(tis.describe(capital=True), "cell_bold"),
                text(_("{n} of {total}; {muscle}").format(n=tis.measures, total=len(tis.rows),
                                                          muscle=muscle)
                     + (_("; missing {rows}").format(rows=", ".join(tis.missing_labels))
                        if tis.missing else "")),
                text(r.printo.describe(capital=True)),
                text(_("{status} ({met} of 4 met").format(
                    status=_choice("printo_cid", r.cid.status), met=r.cid.met)
                     + (_(", {n} unknown").format(n=r.cid.unknown) if r.cid.unknown else "")
                     + ")"),
            ])
        w = self.width
        out.append(data_table(rows, [w * f for f in (0.08, 0.11, 0.09, 0.22, 0.18, 0.17,
                                                     0.15)]))
        out.append(CondPageBreak(110))
        out.append(heading(_("How each response was reached"), "h3"))
        explain: list[list[Any]] = [[_("Visit"), _(
            "TIS rows (change → points/maximum), PRINTO variables (change), inactive-disease "
            "criteria")]]
        for v in s.follow_ups:
            explain.append([p(f"<b>{fonts.para(v.label)}</b><br/>"
                              f"{self.date(v.visit.visit_date)}", "cell"), self._explain(v)])
        out.append(data_table(explain, [0.13 * w, 0.87 * w]))
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
                pct = f" {signed_fixed(row.percent, 1)} %" if row.percent is not None else ""
                parts.append(f"{name}{pct} → {fixed_text(row.points, 1)}/"
                             f"{fixed_text(row.max_points, 1)}")
        tis_line = (f"<b>TIS</b> {fonts.para('; '.join(parts))} = "
                    f"<b>{fixed_text(tis.partial_tis, 1)}</b>"
                    f" → {fonts.para(tis.describe())}")
        if tis.required_missing:
            tis_line += fonts.para(f" ({' and '.join(tis.required_missing)} required: no "
                                   "final category without it)")
        vparts = []
        for var in printo.variables:
            name = _row_name(var.key, var.field)
            if var.outcome == "missing":
                vparts.append(_("{name} missing").format(name=name))
            elif var.outcome == "change" and var.percent is not None:
                worse = _(" (worse > 30 %)") if var.worsened else ""
                vparts.append(f"{name} {signed_fixed(var.percent, 1)} %{worse}")
            else:
                vparts.append(f"{name} {_(var.outcome.replace('_', ' '))}")
        met = ", ".join(f"{lvl}: {_(ans)}" for lvl, ans in sorted(printo.levels_met.items()))
        printo_line = (f"<b>PRINTO</b> {fonts.para('; '.join(vparts))} → "
                       f"{fonts.para(printo.describe())} ({fonts.para(met)})")
        cparts = []
        for c in cid.criteria:
            state = {True: _("met"), False: _("not met"), None: _("unknown")}[c.met]
            value = format_value(c.field, c.value, fixed=True, unit=False,
                                 missing=_("not recorded"))
            cparts.append(f"{c.label}: {value} ({state})")
        cid_line = (f"<b>{fonts.para(_('Inactive disease'))}</b> "
                    f"{fonts.para('; '.join(cparts))} → "
                    f"{fonts.para(_choice('printo_cid', cid.status))}")
        return p(f"{tis_line}<br/>{printo_line}<br/>{cid_line}", "cell")

    # ---------------------------------------------------------------- charts
    def charts(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(300), heading(_("Trends"))]
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
                       "of normal.") + (_(" Dashed vertical line: tofacitinib start.")
                                        if marker is not None else ""), "note"))
        return out

    # ---------------------------------------------------------------- skin
    def skin(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [CondPageBreak(100), heading(_("Skin"))]
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
            findings = ", ".join(found) if found else (_("none") if assessed
                                                      else _("not assessed"))
            rows.append([text(v.label, "cell_bold"), self.date(v.visit.visit_date),
                         text(fixed_text(v.value("cdasi_activity"), 0) or "–", "cell_right"),
                         text(fixed_text(v.value("cdasi_damage"), 0) or "–", "cell_right"),
                         text(findings)])
        w = self.width
        out.append(data_table(rows, [w * f for f in (0.08, 0.12, 0.13, 0.13, 0.54)],
                              extra=[("ALIGN", (2, 1), (3, -1), "RIGHT")]))
        return out

    # ---------------------------------------------------------------- adverse events
    def adverse_events(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(80), heading(_("Adverse events"))]
        events = sorted(self.p.adverse_events, key=lambda a: a.onset_date)
        if not events:
            return [*out, p(_("No adverse events recorded."))]
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
                                     (0.12, 0.19, 0.1, 0.08, 0.14, 0.13, 0.12, 0.12)]))
        return out

    # ---------------------------------------------------------------- notes
    def notes(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(60), heading(_("Notes"))]
        if self.deid:
            return [*out, p(_("Free-text notes are left out of de-identified reports."))]
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
                out.append(p(f"<b>{fonts.para(registry.drug_label(m.drug))}</b> "
                             + _("(course from {date}):").format(date=self.date(m.start_date)),
                             "small"))
                out.extend(long_text(m.notes))
        if not any_note:
            out.append(p(_("No notes recorded.")))
        return out

    def story(self) -> list[Flowable]:
        return [*self.header(), *self.treatment(), *self.core_set(), *self.responses(),
                *self.charts(), *self.skin(), *self.adverse_events(), *self.notes()]


def _reason(v: VisitSummary, m: Measure) -> str | None:
    return v.visit.missing.get(m.key)


def _row_name(key: str, field: str | None) -> str:
    """A TIS/PRINTO row's short name: its field's registry abbreviation."""
    return registry.get(field).short_label if field else key


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


def write_patient_report(patient: Patient, out: Path | BinaryIO, *, deidentified: bool,
                         settings: ScoringSettings, author: str | None = None) -> None:
    """Write one patient's PDF case summary.

    Args:
        patient: the patient with visits, medications and adverse events.
        out: the PDF path (written atomically), or a binary stream (sign-off snapshots are
            rendered into memory).
        deidentified: leave out names, record number, date of birth and free-text notes, and
            show dates as days from the baseline visit.
        settings: the study's scoring settings.
        author: the PDF's author: the signed-in user or the clinic (default: the OS user).
    """
    # de-identified: rendered from the policy's copy (exports.deid), so nothing it forbids
    # (names, free text, uncoded terms, date-like labels) can reach the page
    shown = deid.deidentify(patient, labels=True) if deidentified else patient
    report = _Report(summarise(shown, settings), deidentified)
    title = report_title(patient.study_id, deidentified)
    build(out if not isinstance(out, str) else Path(out), report.story(), title=title,
          running=title, author=author,
          subject=_("JDM case summary: core set measures, response criteria, treatment"))


def report_title(study_id: str, deidentified: bool = False) -> str:
    """The patient report's title (PDF metadata, viewer and print window titles)."""
    return (_("JDM case summary") + " · " + _("Study ID {id}").format(id=study_id)
            + (" · " + _("de-identified") if deidentified else ""))


def write_cohort_report(patients: Iterable[Patient], out: Path, *,
                        settings: ScoringSettings, author: str | None = None) -> None:
    """Write the cohort summary PDF (:func:`exports.pdf_cohort.write_cohort_report`)."""
    from exports import pdf_cohort  # noqa: PLC0415 - the patient report does not need it

    pdf_cohort.write_cohort_report(patients, out, settings=settings, author=author)


def visit_order(label: str) -> tuple[str, int, str]:
    """Sort key for free labels: M0 < M3 < M12 < W2 (prefix, then number)."""
    from exports import pdf_cohort  # noqa: PLC0415

    return pdf_cohort.visit_order(label)


__all__ = ["CORE_GROUPS", "report_title", "styles", "visit_order",  # noqa: F822 - __getattr__
           "write_cohort_report", "write_patient_report"]
