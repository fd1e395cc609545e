"""Plain records of one patient's data, shared by every layer.

These mirror the JSON case file (data-contract.md section 2): storage reads and writes them,
exports render them, the GUI edits them. They hold entered data only; derived values come from
:mod:`forms.scoring` and :mod:`forms.response` on demand.

Value types inside ``Visit.values`` (after :func:`forms.validation.validate_visit`):
``int`` for INTEGER fields, :class:`decimal.Decimal` for DECIMAL fields, ``bool`` for BOOLEAN
fields, ``str`` codes for CHOICE fields, ``"na"`` for a not-applicable CHAQ item, and ``str`` for
text. A field that was not assessed is absent from ``values`` (never 0); why it is absent may be
recorded in ``Visit.missing`` (``not_done``, ``not_assessable``, ``unknown``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from decimal import Decimal
from typing import Any

from forms.records import mutable

Value = int | Decimal | bool | str

#: reasons a field may be recorded as having no value (data-contract section 2).
MISSING_REASONS: dict[str, str] = {
    "not_done": "Not done",
    "not_assessable": "Not assessable",
    "unknown": "Unknown",
}

#: patient-level identifier keys, kept apart so de-identified exports can drop them whole.
IDENTIFIER_KEYS = ("given_name", "family_name", "mrn", "birth_date")


@mutable
class Visit:
    """One visit: its date and label, the entered values, and why some are missing."""

    visit_date: dt.date
    visit_label: str | None = None
    baseline: bool = False
    values: dict[str, Value] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    id: int | None = None  #: storage row id; None until saved
    #: derived values (scores, and responses for a follow-up) as storage computed them when
    #: the visit was saved, with the current rule versions and scoring settings; None when not
    #: loaded. A cache for bulk exports only: never edited, never read from a case file.
    derived: dict[str, Value | None] | None = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """``2021-03-04 (M3)``: how messages name a visit."""
        label = f" ({self.visit_label})" if self.visit_label else ""
        return f"{self.visit_date.isoformat()}{label}"


@mutable
class Medication:
    """One medication course (data-contract section 2, ``medications``)."""

    drug: str
    start_date: dt.date
    dose: Decimal | None = None
    dose_unit: str | None = None
    frequency_per_day: Decimal | None = None
    route: str | None = None
    stop_date: dt.date | None = None
    notes: str = ""
    id: int | None = None
    #: how it is given (registry.SCHEDULES); ``dose`` is per administration
    schedule: str | None = None
    times_per_period: int | None = None
    pulse_count: int | None = None


@mutable
class AdverseEvent:
    """One adverse event (data-contract section 2, ``adverse_events``)."""

    onset_date: dt.date
    term: str
    grade: int | None = None
    serious: bool | None = None
    related_drug: str | None = None
    action: str | None = None
    outcome: str | None = None
    resolution_date: dt.date | None = None
    id: int | None = None


@mutable
class Patient:
    """A patient with everything recorded about them."""

    study_id: str
    sex: str | None = None
    diagnosis_date: dt.date | None = None
    autoantibody: str | None = None
    identifiers: dict[str, str | dt.date] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)
    id: int | None = None

    def sorted_visits(self) -> list[Visit]:
        return sorted(self.visits, key=lambda v: v.visit_date)

    def field_values(self) -> dict[str, Any]:
        """The patient as registry field name -> value: study ID, sex, diagnosis date,
        autoantibody, then the identifiers (the one mapping validation, storage, the exports
        and the GUI read a patient's own fields through)."""
        return {"study_id": self.study_id, "sex": self.sex,
                "diagnosis_date": self.diagnosis_date, "autoantibody": self.autoantibody,
                **self.identifiers}

    def baseline_visit(self) -> Visit | None:
        """The visit flagged ``baseline``, else the earliest visit (data-contract section 2;
        decided by :func:`forms.course.baseline_of`)."""
        from forms.course import baseline_of  # noqa: PLC0415 - forms.course imports this module

        return baseline_of(self.visits)

    @property
    def birth_date(self) -> dt.date | None:
        value = self.identifiers.get("birth_date")
        return value if isinstance(value, dt.date) else None

    def age_on(self, day: dt.date) -> Decimal | None:
        """Age in years (one decimal, rounded down) on ``day``, or None without a birth date."""
        born = self.birth_date
        if born is None:
            return None
        days = Decimal((day - born).days)
        return (days / Decimal("365.25")).quantize(Decimal("0.1"), rounding="ROUND_FLOOR")
