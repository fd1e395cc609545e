"""The plain records the repository returns and takes (no SQL here): patient-list rows, save
results, stored derived values, audit entries, settings, drafts, import counts and the proof
that a visit was validated. Re-exported by :mod:`storage.repository`."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import field
from decimal import Decimal
from itertools import repeat
from typing import NamedTuple

from forms import validation
from forms.model import Value, Visit
from forms.protocol import DEFAULT_PROTOCOL, Protocol
from forms.records import frozen, mutable
from forms.settings import ScoringSettings
from forms.validation import Problem


@frozen
class PatientSummary:
    """One row of the GUI patient list (read from stored values; nothing is recomputed).

    Attributes:
        age_years: age today from the birth date (one decimal, rounded down), else None.
        cmas_total, mmt8_total: from the most recent visit that has them.
        response: ACR/EULAR category (none/minimal/moderate/major/indeterminate) of the most
            recent follow-up visit against the baseline, else None.
        response_min, response_max, tis_measures: that response's bounds and how many of the
            6 TIS rows it had (instruments.md convention 5).
    """

    id: int
    study_id: str
    sex: str | None
    autoantibody: str | None
    given_name: str | None
    family_name: str | None
    birth_date: dt.date | None
    age_years: Decimal | None
    visit_count: int
    last_visit_date: dt.date | None
    last_visit_label: str | None
    cmas_total: int | None
    mmt8_total: int | None
    response: str | None
    response_min: str | None = None
    response_max: str | None = None
    tis_measures: int | None = None
    mrn: str | None = None  #: the medical record number (the finder searches it)


@frozen
class SaveResult:
    """What a save did: the record id, warnings that did not block it, fields changed."""

    id: int
    warnings: tuple[Problem, ...] = ()
    changed: int = 0


class DerivedValue(NamedTuple):
    """A stored derived value with why it is missing and the rule version that computed it.

    A named tuple, not a dataclass: reading a cohort makes one per stored score (90,000 for
    500 patients x 8 visits), and a frozen dataclass's __init__ was a tenth of an export's
    own time (issue 16)."""

    field: str
    value: Value | None
    missing_reason: str
    rule_version: str


@frozen
class AuditEntry:
    """One changed field in the audit trail (one row of the ``audit_log`` view)."""

    audit_id: int
    at: dt.datetime
    actor: str
    action: str  #: insert, update or delete
    table: str
    record_id: int
    context: str
    field: str | None
    old: str | None
    new: str | None


@frozen
class AppSettings:
    """Database-wide settings: how responses are scored, and the default assessor name."""

    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    assessor: str = ""
    #: the study protocol (visit schedule and labels), stored as JSON under ``study_protocol``
    protocol: Protocol = DEFAULT_PROTOCOL


@frozen
class LabelReview:
    """One visit whose free-text label the m020 upgrade matched to the study protocol."""

    study_id: str
    visit_id: int
    visit_date: dt.date
    old_label: str
    new_label: str
    kept: bool  #: a signed visit kept its stored label (it reads as ``new_label``)


@frozen
class ScheduleInput:
    """What the due list needs of one patient: the baseline date and the visit labels."""

    study_id: str
    given_name: str | None
    family_name: str | None
    baseline_date: dt.date | None  #: the flagged baseline visit, else the earliest visit
    labels: tuple[str | None, ...]
    last_visit_date: dt.date | None


class VisitHeader(NamedTuple):
    """A saved visit's id, date, baseline flag and label: what :mod:`forms.course` needs to
    find the baseline without loading the visit's values."""

    id: int
    visit_date: dt.date
    baseline: bool
    label: str | None = None


@frozen
class Draft:
    """Unsaved GUI entry kept for crash recovery (never mixed with saved data)."""

    key: str
    payload_json: str
    saved_at: dt.datetime


@mutable
class ImportSummary:
    """Counts of what :meth:`Repository.import_patients` wrote."""

    patients_added: int = 0
    patients_updated: int = 0
    visits_added: int = 0
    visits_replaced: int = 0
    medications: int = 0
    adverse_events: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def visits(self) -> int:
        return self.visits_added + self.visits_replaced


#: a value no visit holds (``dict.get``'s default in :meth:`CheckedVisit.holds_for`)
_ABSENT = object()


class CheckedVisit:
    """Proof that ``forms.validation.check_visit`` accepted one :class:`Visit` object as it is.

    A caller that has just validated a visit (the case-file parser, which must check the whole
    file and list every problem before anything is written) hands this to
    :meth:`Repository.import_patients`, which then skips its own ``check_visit`` of that visit
    (issue 16: validation ran twice per imported visit). The proof holds only while the visit
    is unchanged: the same object, its date, label and missing reasons, the same value objects
    under the same names (identity, not equality: ``Decimal("6.50")`` is not ``Decimal("6.5")``
    to the decimals check), and it was checked against the birth date and ``today`` the
    repository would use. Anything else is validated again, so a stale or foreign proof can
    never let unvalidated data in.
    """

    __slots__ = ("visit", "check", "birth_date", "today", "_header", "_names", "_objects",
                 "_missing")

    def __init__(self, visit: Visit, check: validation.VisitCheck, *,
                 birth_date: dt.date | None, today: dt.date | None) -> None:
        self.visit = visit
        self.check = check
        self.birth_date = birth_date
        self.today = today
        self._header = (visit.visit_date, visit.visit_label)
        self._names = tuple(visit.values)
        self._objects = tuple(visit.values.values())
        self._missing = tuple(visit.missing.items())

    def holds_for(self, visit: Visit, birth_date: dt.date | None,
                  today: dt.date | None) -> bool:
        """Whether :attr:`check` is still the result of validating ``visit`` now."""
        if (visit is not self.visit or self.check.errors or birth_date != self.birth_date
                or today != self.today or (visit.visit_date, visit.visit_label) != self._header
                or len(visit.values) != len(self._names)
                or len(visit.missing) != len(self._missing)):
            return False
        # every name still there holding the same object (at C speed: ~260 values a visit)
        return (all(map(operator.is_, map(visit.values.get, self._names, repeat(_ABSENT)),
                        self._objects))
                and all(visit.missing.get(k) is v for k, v in self._missing))

