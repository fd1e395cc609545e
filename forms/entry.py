"""The visit being edited, as a pure (Qt-free) state object that the visit editor observes.

It keeps what the user typed for every field (so an invalid entry is never thrown away), the
values that parsed, and asks ``forms`` for everything clinical: lenient parsing
(:func:`forms.validation.parse_text`), cross-field checks (:func:`forms.validation.check_visit`),
totals (:func:`forms.scoring.score_visit`) and the response against the baseline visit
(:func:`forms.response.compare_visits`). No rule, range or label is restated here.

The editor widget calls :meth:`VisitState.set_text` / :meth:`VisitState.set_value` and redraws
the fields whose names are returned (a seconds entry can fill its CMAS item; an enzyme value can
fill its default ULN). Tests drive this object directly, then wrap it in the widget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import field
from decimal import Decimal
from typing import Any

from forms import course, registry, response, scoring, validation
from forms.fields import Field, FieldType
from forms.model import Value, Visit
from forms.records import mutable
from forms.settings import ScoringSettings

#: the visit header keys that live on the Visit itself rather than in ``Visit.values``.
HEADER_KEYS = registry.VISIT_KEYS
_VALUE_NAMES = frozenset(f.name for f in registry.visit_value_fields())
#: the per-visit free-text notes (Visit.notes; not a registry field).
NOTES = "notes"
#: the baseline flag of the visit (Visit.baseline; not a registry field).
BASELINE = "baseline"


def value_text(value: object) -> str:
    """The text a field widget shows for a stored value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@mutable
class Entry:
    """One field as the user left it: the text typed, the parsed value, and its problems."""

    text: str = ""
    value: Value | dt.date | None = None
    problems: list[validation.Problem] = field(default_factory=list)
    #: filled by the editor from another entry (seconds -> CMAS item, default ULN), not typed.
    auto: bool = False

    @property
    def invalid(self) -> bool:
        """Text was typed but did not give a value (an error the user must fix to save)."""
        return bool(self.text.strip()) and self.value is None


class VisitState:
    """The visit being edited: typed texts, parsed values, checks, totals and response.

    Args:
        study_id: the patient's study id (names the draft; never logged).
        visit: the saved visit being edited, or None for a new visit.
        baseline: the patient's baseline visit (responses are measured from it), if any.
        birth_date: the child's birth date, for the age checks of ``check_visit``.
        settings: the database's scoring settings (TIS muscle measure, default ULNs).
        today: the date "today" for future-date checks (tests pass a fixed day).
    """

    def __init__(self, study_id: str, visit: Visit | None = None, *,
                 baseline: Visit | None = None, birth_date: dt.date | None = None,
                 settings: ScoringSettings | None = None, today: dt.date | None = None,
                 assessor: str = "",
                 other_visits: Mapping[dt.date, str] | None = None) -> None:
        self.study_id = study_id
        #: the patient's other saved visits (date -> "2024-05-02 (M3)"): storage matches a new
        #: visit to a saved one by date and would replace it, so a taken date is an error here.
        self.other_visits = dict(other_visits or {})
        self.visit_id = visit.id if visit is not None else None
        self.baseline_visit = baseline
        self.birth_date = birth_date
        self.settings = settings or ScoringSettings()
        self.today = today
        self.entries: dict[str, Entry] = {}
        self.notes = ""
        self.baseline = False
        self.missing: dict[str, str] = {}
        self.dirty = False
        self._check: validation.VisitCheck | None = None
        if visit is not None:
            self.load(visit)
        else:
            self.set_text("visit_date", (today or dt.date.today()).isoformat())
            if assessor:
                self.set_text("assessor", assessor)
        self.dirty = False

    # ---------------------------------------------------------------- loading and drafts
    def load(self, visit: Visit) -> None:
        """Fill the state from a saved visit (values become texts the widgets show)."""
        self.set_text("visit_date", value_text(visit.visit_date))
        if visit.visit_label:
            self.set_text("visit_label", visit.visit_label)
        for name, value in visit.values.items():
            self._set_parsed(name, value_text(value), value, [])
        self.notes = visit.notes or ""
        self.baseline = visit.baseline
        self.missing = dict(visit.missing)
        self._check = None

    def draft_payload(self) -> dict[str, Any]:
        """A JSON-friendly snapshot of everything typed, for storage drafts."""
        return {
            "visit_id": self.visit_id,
            "texts": {name: e.text for name, e in self.entries.items() if e.text != ""},
            "notes": self.notes,
            "baseline": self.baseline,
            "missing": dict(self.missing),
        }

    def restore_draft(self, payload: Mapping[str, Any]) -> None:
        """Replace the typed texts with a draft's (the typing is kept, valid or not)."""
        for name in list(self.entries):
            self.entries.pop(name)
        for name, text in dict(payload.get("texts", {})).items():
            if registry.has(name):
                self.set_text(name, str(text))
        self.notes = str(payload.get("notes", ""))
        self.baseline = bool(payload.get("baseline", False))
        self.missing = dict(payload.get("missing", {}))
        self._check = None
        self.dirty = True

    # ---------------------------------------------------------------- editing
    def text(self, name: str) -> str:
        entry = self.entries.get(name)
        return entry.text if entry else ""

    def value(self, name: str) -> object:
        entry = self.entries.get(name)
        return entry.value if entry else None

    def entry(self, name: str) -> Entry:
        return self.entries.get(name) or Entry()

    def set_text(self, name: str, text: str) -> set[str]:
        """Record what was typed into field ``name``; returns the names whose display changed.

        The text is always kept; the value only when :func:`forms.validation.parse_text`
        accepts it. Clearing the text means "not assessed" (never 0).
        """
        if name == NOTES:
            self.notes = text
            self.dirty = True
            return {NOTES}
        fld = registry.get(name)
        if text.strip():
            self.missing.pop(name, None)  # a value replaces a recorded reason
        if fld.type is FieldType.BOOLEAN and text in ("true", "false", ""):
            value: Any = {"true": True, "false": False, "": None}[text]
            problems: list[validation.Problem] = []
        elif text.strip() == "":
            value, problems = None, []
        else:
            value, problems = validation.parse_text(fld, text)
        self._set_parsed(name, text, value, problems)
        self.dirty = True
        changed = {name} | self._follow_ups(fld)
        self._check = None
        return changed

    def set_value(self, name: str, value: object) -> set[str]:
        """Set a field from a picker (a registry level code, ``"na"``, a bool, or None)."""
        changed = self.set_text(name, value_text(value))
        entry = self.entries.get(name)
        if entry is not None:
            entry.auto = False
        return changed

    def set_notes(self, text: str) -> None:
        self.notes = text
        self.dirty = True
        self._check = None  # the notes are checked too (length, characters)

    def set_missing(self, name: str, reason: str | None) -> set[str]:
        """Record why field ``name`` has no value (``forms.model.MISSING_REASONS``), clearing
        any value; ``None`` removes the reason. Returns the names whose display changed."""
        if reason is None:
            self.missing.pop(name, None)
        else:
            self.entries.pop(name, None)
            self.missing[name] = reason
        self.dirty = True
        self._check = None
        return {name}

    def set_baseline(self, flag: bool) -> None:
        self.baseline = flag
        self.dirty = True

    def _set_parsed(self, name: str, text: str, value: object,
                    problems: list[validation.Problem]) -> None:
        if text == "" and name in self.entries:
            del self.entries[name]
            return
        ok = value is not None and not any(p.is_error for p in problems)
        self.entries[name] = Entry(text=text, value=value if ok else None,  # type: ignore[arg-type]
                                   problems=list(problems))

    def _follow_ups(self, fld: Field) -> set[str]:
        """Fields filled from the one just edited, through forms (never restated here)."""
        changed: set[str] = set()
        # CMAS timed items: the score is derived from the seconds by check_visit (CMAS-B).
        for item, (sec_name, _bounds) in registry.CMAS_TIMED.items():
            if fld.name != sec_name:
                continue
            item_entry = self.entries.get(item)
            if item_entry is not None and not item_entry.auto:
                continue  # a score typed by the user wins; check_visit reports a mismatch
            self.entries.pop(item, None)
            if self.value(sec_name) is not None:
                check = self._run_check()
                derived = check.values.get(item)
                if derived is not None:
                    self.entries[item] = Entry(text=value_text(derived), value=derived,
                                               auto=True)
            changed.add(item)
        # Enzymes: an empty ULN is filled with the database default (settings dialog).
        if fld.name in registry.ENZYMES:
            uln = registry.enzyme(fld.name).uln_field
            if self.value(fld.name) is not None and not self.text(uln):
                default = self.settings.uln_defaults.get(fld.name)
                if default is not None:
                    self._set_parsed(uln, value_text(default), default, [])
                    self.entries[uln].auto = True
                    changed.add(uln)
        return changed

    # ---------------------------------------------------------------- checks and scores
    def values(self) -> dict[str, Any]:
        """The valid entered values for ``Visit.values`` (header, notes excluded)."""
        return {name: e.value for name, e in self.entries.items()
                if e.value is not None and name not in HEADER_KEYS}

    def _run_check(self) -> validation.VisitCheck:
        date = self.value("visit_date")
        label = self.value("visit_label")
        check = validation.check_visit(
            self.values(), dict(self.missing) or None,
            visit_date=date if isinstance(date, dt.date) else None,
            visit_label=label if isinstance(label, str) else None,
            birth_date=self.birth_date, today=self.today)
        # the notes' length and characters (registry.VISIT_NOTES), as storage checks them
        check.problems.extend(validation.check_visit_notes(self.notes))
        return check

    def checked_values(self) -> dict[str, Any]:
        """check_visit's normalized values of the visit (header keys left out)."""
        return {k: v for k, v in self.check().values.items() if k in _VALUE_NAMES}

    def check(self) -> validation.VisitCheck:
        """check_visit over the valid values (cached until the next edit)."""
        if self._check is None:
            self._check = self._run_check()
        return self._check

    def field_problems(self) -> list[validation.Problem]:
        """Problems of single entries: invalid typing (errors) and parse warnings."""
        out: list[validation.Problem] = []
        for entry in self.entries.values():
            out.extend(entry.problems)
        return out

    def problems(self) -> list[validation.Problem]:
        """Every problem to show: per-entry parse problems, then check_visit's, no repeats."""
        seen: set[tuple[str, str]] = set()
        out: list[validation.Problem] = []
        # a field with typed text that did not parse has its one message already; the check's
        # "(empty) is required" for it would only confuse (a bad date gives one message)
        unparsed = {name for name, e in self.entries.items() if e.invalid}
        for p in [*self.field_problems(), *self.check().problems]:
            if p.field in unparsed and p.value is None and p.reason == "is required":
                continue
            key = (p.field, p.reason)
            if key not in seen:
                seen.add(key)
                out.append(p)
        date = self.value("visit_date")
        if "visit_date" not in self.entries:
            out.insert(0, validation.Problem(
                field="visit_date", value=None, reason="is required",
                severity=validation.Severity.ERROR, label=registry.get("visit_date").label))
        elif isinstance(date, dt.date) and date in self.other_visits:
            out.insert(0, validation.Problem(
                field="visit_date", value=date,
                reason=f"already has a visit ({self.other_visits[date]}); open that visit to "
                       "change it, or choose another date",
                severity=validation.Severity.ERROR, label=registry.get("visit_date").label))
        return out

    def problems_for(self, name: str) -> list[validation.Problem]:
        return [p for p in self.problems() if p.field == name]

    def errors(self) -> list[validation.Problem]:
        return [p for p in self.problems() if p.is_error]

    @property
    def can_save(self) -> bool:
        """Invalid values can't be saved (warnings never block)."""
        return not self.errors()

    def scores(self) -> dict[str, scoring.Score]:
        """Live totals from forms.scoring over the checked (normalized) values."""
        return scoring.score_visit(self.checked_values())

    def cid(self) -> scoring.CidResult:
        return scoring.clinically_inactive_disease(self.checked_values())

    def response(self) -> response.VisitResponse | None:
        """The response against the baseline visit; None at the baseline, without one, or
        for a visit dated before it (:func:`forms.course.editor_response`: the same rule as
        storage, the exports and the patient page)."""
        date = self.value("visit_date")
        return course.editor_response(
            self.baseline_visit, visit_id=self.visit_id, flagged=self.baseline,
            visit_date=date if isinstance(date, dt.date) else None,
            values=self.checked_values(), settings=self.settings)

    def course_role(self) -> str:
        """Where this visit stands in the patient's course: ``no_baseline`` (none saved yet),
        ``baseline``, ``undated`` (no valid visit date yet), ``before_baseline`` (dated
        before the baseline: no response) or ``follow_up``."""
        base = self.baseline_visit
        if base is None:
            return "no_baseline"
        if self.baseline or (self.visit_id is not None and base.id == self.visit_id):
            return "baseline"
        date = self.value("visit_date")
        if not isinstance(date, dt.date):
            return "undated"
        return "follow_up" if course.is_follow_up(date, base) else "before_baseline"

    def lab_ratio(self, enzyme: str) -> Decimal | None:
        """Value / ULN of an enzyme (entered ULN, else the database default) for highlighting;
        the same ratio the exports and the TIS enzyme choice use."""
        return response.enzyme_ratio(self.values(), enzyme, self.settings)

    # ---------------------------------------------------------------- result
    def to_visit(self) -> Visit:
        """The visit to save. Raises ValueError when errors remain (the caller checks first)."""
        if not self.can_save:
            raise ValueError("; ".join(p.message for p in self.errors()))
        date = self.value("visit_date")
        assert isinstance(date, dt.date)
        label = self.value("visit_label")
        return Visit(visit_date=date, visit_label=label if isinstance(label, str) else None,
                     baseline=self.baseline, values=self.checked_values(),
                     missing=dict(self.missing), notes=self.notes, id=self.visit_id)

    def mark_saved(self, visit: Visit) -> None:
        self.visit_id = visit.id
        self.dirty = False


def texts_of(values: Mapping[str, object]) -> dict[str, str]:
    """Widget texts for a values dict (used by tests and drafts)."""
    return {name: value_text(v) for name, v in values.items()}


def field_names(names: Iterable[str]) -> list[Field]:
    return [registry.get(n) for n in names]
