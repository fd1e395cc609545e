"""Saved data checked against today's entry rules: what ``check`` reports about the records.

Rules change (text limits and characters, date bounds, dates against the date of birth), and a
file may hold values saved before a rule existed, or written around the application. Nothing is
changed here: :func:`record_findings` re-runs ``forms.validation`` over every saved patient,
visit, medication and adverse event, plus the cross-record date rules
(:func:`forms.validation.patient_date_problems`), and returns one sentence per violation naming
the record. Exports and reports still work on such data (long text is shortened in print, far
dates are clamped); the sentence says what to correct.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator

from forms import i18n, registry, validation
from forms.fields import Level
from forms.i18n import N_, _
from forms.model import AdverseEvent, Medication, Patient
from forms.validation import Problem
from storage.connection import Connection

#: at most this many findings are listed (the count of the rest is reported).
MAX_FINDINGS = 50


def _record(level: Level, record: Medication | AdverseEvent) -> dict[str, object]:
    return {f.name: getattr(record, f.name) for f in registry.fields_for(level=level,
                                                                          derived=False)}


def patient_findings(patient: Patient, *, today: dt.date | None = None) -> Iterator[str]:
    """Every error today's rules find in one saved patient, as ``where: message``."""
    today = today or dt.date.today()
    sid = patient.study_id
    born = patient.birth_date
    seen: set[str] = set()

    def emit(where: str, problems: list[Problem]) -> Iterator[str]:
        shown = _where_text(where)
        for p in problems:
            if not p.is_error:
                continue
            line = _printable(_("patient {sid}").format(sid=sid)
                              + (_(", ") + shown if shown else "") + _(": ") + p.code_message)
            if line not in seen:
                seen.add(line)
                yield line

    yield from emit("", validation.check_patient(patient.field_values(),
                                                 today=today).problems)
    for visit in patient.sorted_visits():
        where = f"visit {visit.describe()}"
        check = validation.check_visit(visit.values, visit.missing, visit_date=visit.visit_date,
                                       visit_label=visit.visit_label, birth_date=born,
                                       today=today)
        yield from emit(where, check.problems)
        yield from emit(where, validation.check_visit_notes(visit.notes))
    for med in patient.medications:
        yield from emit(f"medication {med.drug[:40]} from {med.start_date.isoformat()}",
                        validation.check_medication(_record(Level.MEDICATION, med),
                                                    birth_date=born, today=today).problems)
    for ae in patient.adverse_events:
        yield from emit(f"adverse event {ae.term[:40]} on {ae.onset_date.isoformat()}",
                        validation.check_adverse_event(_record(Level.ADVERSE_EVENT, ae),
                                                       birth_date=born, today=today).problems)
    for where, problem in validation.patient_date_problems(patient, today=today):
        yield from emit(where, [problem])


_WHERE_RULES = (
    (re.compile(r"^visit (?P<visit>.+)$"), N_("visit {visit}")),
    (re.compile(r"^medication (?P<drug>.+) from (?P<date>[\d-]+)$"),
     N_("medication {drug} from {date}")),
    (re.compile(r"^adverse event (?P<term>.+) on (?P<date>[\d-]+)$"),
     N_("adverse event {term} on {date}")),
)


def _where_text(where: str) -> str:
    """The record a problem is about, in the user's language (a listed drug by its name);
    ``patient`` itself is said once, at the start of the line."""
    if where == "patient":
        return ""
    for pattern, template in _WHERE_RULES:
        match = pattern.match(where)
        if match:
            values = match.groupdict()
            if "drug" in values and i18n.language() != i18n.DEFAULT:
                values["drug"] = registry.drug_label(values["drug"])[:40]
            return _(template).format(**values)
    return where


def _printable(text: str) -> str:
    """One line of text: control, format and line-separator characters written as escapes
    (``\\n``, ``\\u202e``), so a finding never spans lines or reorders a terminal."""
    return "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
                   else ascii(ch)[1:-1] for ch in text)


def record_findings(db: Connection, *, today: dt.date | None = None) -> list[str]:
    """Today's entry rules over every saved record of ``db`` (read only).

    Returns:
        Up to :data:`MAX_FINDINGS` sentences, then one saying how many more there are.
    """
    from storage.repository import Repository  # the one loader of saved patients

    repo = Repository(db, refresh=False)
    out: list[str] = []
    extra = 0
    for patient in repo.iter_patients():
        for line in patient_findings(patient, today=today):
            if len(out) < MAX_FINDINGS:
                out.append(line + _("; exports still work: correct the record in the app"))
            else:
                extra += 1
    if extra:
        out.append(_("... and {n} more record problem(s) of the same kind").format(n=extra))
    return out


__all__ = ["MAX_FINDINGS", "patient_findings", "record_findings"]
