"""The repository: every read and write of clinical data, as verbs on plain dataclasses.

Callers (the GUI, ``main.py``, exports) use :class:`Repository` and never touch ``db.table()``
(style practice 8). Each writing verb

* validates with :mod:`forms.validation` first; an error raises :class:`ValidationFailed` and
  nothing is written;
* runs in **one** transaction started with ``BEGIN IMMEDIATE``: the write lock is taken at the
  start, so a second writer waits up to the busy timeout instead of failing half-way (a
  deferred ``BEGIN`` that reads before it writes can get ``SQLITE_BUSY`` immediately, without
  waiting, when another process committed in between);
* writes audit rows (who, when in UTC, table, record, field, old value, new value) in the same
  transaction; only changed fields are audited, so re-saving identical data adds nothing;
* keeps the stored derived values (``derived_values``) in step: a saved visit is scored with
  :func:`forms.scoring.score_visit`, and the responses of the patient's follow-up visits
  (:func:`forms.response.compare_visits`) are recomputed, because a new or changed baseline
  changes them all; a signed visit's values stay as they were verified (``storage.signoff``),
  and a change of the baseline visit itself is refused while any visit is signed.

Derived values are a cache with the rule version that produced them. :meth:`refresh_derived`
recomputes them when ``forms.scoring.RULE_VERSIONS`` or the scoring settings differ from the
fingerprint stored with them (checked cheaply at every open).

Errors from SQLite are raised as :class:`~storage.errors.KnownStorageError` (locked, read-only,
disk full, ...) or :class:`~storage.errors.StorageBug`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms import registry, scoring, validation
from forms.fields import Field, FieldType, Level
from forms.i18n import in_language
from forms.model import AdverseEvent, Medication, Patient, Value, Visit
from forms.protocol import DEFAULT_PROTOCOL, UNSCHEDULED, Protocol, canonical_label
from forms.settings import ScoringSettings, default_ulns
from forms.validation import Problem, Severity
from storage import accounts, audit_chain, crypto, integrity, schema, signoff
from storage.connection import Connection
from storage.database import DEFAULT_BUSY_TIMEOUT_MS, open_database, verify_files
from storage.errors import (
    KnownStorageError,
    NotFound,
    SignedVisitLocked,
    ValidationFailed,
    translated,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

#: tables whose audit rows belong to one visit (record_id = visit id).
_VISIT_TABLES = ("visits", *schema.value_tables(), "visit_missing", signoff.TABLE)
_DERIVED_VISIT = tuple(f.name for f in registry.visit_fields(derived=True))
_DERIVED_RESPONSE = tuple(f.name for f in registry.fields_for(level=Level.RESPONSE,
                                                              derived=True))
_FINGERPRINT_KEY = "_derived_fingerprint"
_KEY_COLUMNS = ("id", "patient_id", "visit_id")
_CHUNK = 200  # patients loaded per batch by iter_patients


# --------------------------------------------------------------------------------------------
# Plain records returned to callers
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
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


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the record id, warnings that did not block it, fields changed."""

    id: int
    warnings: tuple[Problem, ...] = ()
    changed: int = 0


@dataclass(frozen=True)
class DerivedValue:
    """A stored derived value with why it is missing and the rule version that computed it."""

    field: str
    value: Value | None
    missing_reason: str
    rule_version: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class AppSettings:
    """Database-wide settings: how responses are scored, and the default assessor name."""

    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    assessor: str = ""
    #: the study protocol (visit schedule and labels), stored as JSON under ``study_protocol``
    protocol: Protocol = DEFAULT_PROTOCOL


@dataclass(frozen=True)
class LabelReview:
    """One visit whose free-text label the m020 upgrade matched to the study protocol."""

    study_id: str
    visit_id: int
    visit_date: dt.date
    old_label: str
    new_label: str
    kept: bool  #: a signed visit kept its stored label (it reads as ``new_label``)


@dataclass(frozen=True)
class ScheduleInput:
    """What the due list needs of one patient: the baseline date and the visit labels."""

    study_id: str
    given_name: str | None
    family_name: str | None
    baseline_date: dt.date | None  #: the flagged baseline visit, else the earliest visit
    labels: tuple[str | None, ...]
    last_visit_date: dt.date | None


@dataclass(frozen=True)
class Draft:
    """Unsaved GUI entry kept for crash recovery (never mixed with saved data)."""

    key: str
    payload_json: str
    saved_at: dt.datetime


@dataclass
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

    __slots__ = ("visit", "check", "birth_date", "today", "_header", "_values", "_missing")

    def __init__(self, visit: Visit, check: validation.VisitCheck, *,
                 birth_date: dt.date | None, today: dt.date | None) -> None:
        self.visit = visit
        self.check = check
        self.birth_date = birth_date
        self.today = today
        self._header = (visit.visit_date, visit.visit_label)
        self._values = tuple(visit.values.items())
        self._missing = tuple(visit.missing.items())

    def holds_for(self, visit: Visit, birth_date: dt.date | None,
                  today: dt.date | None) -> bool:
        """Whether :attr:`check` is still the result of validating ``visit`` now."""
        if (visit is not self.visit or self.check.errors or birth_date != self.birth_date
                or today != self.today or (visit.visit_date, visit.visit_label) != self._header
                or len(visit.values) != len(self._values)
                or len(visit.missing) != len(self._missing)):
            return False
        values, missing = visit.values, visit.missing
        return (all(k in values and values[k] is v for k, v in self._values)
                and all(missing.get(k) is v for k, v in self._missing))


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _derived_to_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, Decimal):
        return float(value)
    return value


def _derived_from_sql(name: str, value: Any) -> Any:
    if value is None:
        return None
    f = registry.get(name)
    if f.type is FieldType.DECIMAL:
        return schema.decimal_from_real(value)
    if f.type is FieldType.INTEGER:
        return int(value)
    return value


def _record_fields(level: Level) -> tuple[Field, ...]:
    return schema.record_fields(level)


def _sql_row(fields: Iterable[Field], values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalized values -> column values (every field present, None when absent)."""
    return {f.name: schema.to_sql(f, values.get(f.name)) for f in fields}


def _ensure_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("every change needs an actor (who made it) for the audit trail")
    return actor.strip()


class Repository:
    """All reads and writes of one database file.

    Args:
        db: an open connection (from :func:`storage.database.open_database`, or a
            ``sqlite_utils.Database``;
            the caller keeps ownership) or a path (opened, migrated if older, and closed by
            :meth:`close`).
        refresh: bring stale derived values up to date on open (cheap when nothing changed).
        busy_timeout_ms: how long a write waits for another writer before "locked" (only when
            ``db`` is a path).
        full_check: read the whole file on open (see ``storage.database.connect``).

    Connections belong to one thread: give every worker thread its own Repository.
    """

    def __init__(self, db: Connection | Database | Path | str, *, refresh: bool = True,
                 busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
                 full_check: bool | None = None) -> None:
        if not isinstance(db, (str, os.PathLike)):
            # a sqlite_utils.Database (tests, tools) is used through the same connection
            self.db: Connection = db if isinstance(db, Connection) else Connection(db.conn)
            self._owns = False
            row = db.execute("PRAGMA database_list").fetchone()
            self.path = Path(row[2]) if row and row[2] else None
        else:
            self.path = Path(db)
            self.db = open_database(self.path, busy_timeout_ms=busy_timeout_ms,
                                    full_check=full_check)
            self._owns = True
        self._protocol: Protocol | None = None
        #: the key file's database id for an encrypted file (accounts and roles apply), else
        #: None (a plain file: no accounts, the caller's actor string is recorded)
        self.database_id: str | None = None
        try:
            keys = crypto.read_key_file(self.path) if self.path else None
            self.database_id = keys.database_id if keys else None
        except BaseException:
            self.close()
            raise
        try:
            if refresh:
                self.refresh_derived()
        except BaseException:
            self.close()
            raise

    # ---------------------------------------------------------------- lifecycle
    def close(self) -> None:
        if self._owns:
            self.db.close()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several verbs into one transaction: all of them are saved, or none."""
        with self._write():
            yield

    @property
    def account(self) -> accounts.Account | None:
        """Who is signed in to this (encrypted) file in this process; None for a plain file."""
        return accounts.signed_in(self.database_id)

    @contextlib.contextmanager
    def _write(self, permission: str | None = "enter") -> Iterator[None]:
        """One write transaction (``BEGIN IMMEDIATE``); nested calls join the outer one.

        On an encrypted file somebody must be signed in whose role allows ``permission``
        (``storage.accounts.PERMISSIONS``; None only for set-up and security events).
        """
        if permission is not None:
            accounts.require(self, permission)
        conn = self.db.conn
        with translated(self.path):
            if conn.in_transaction:
                with self.db.atomic():
                    yield
                return
            verify_files(self.db)  # FilesReplaced: the WAL or file was removed from the disk
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict]:
        cur = self.db.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # ---------------------------------------------------------------- audit
    def _audit(self, actor: str, at: str, action: str, table: str, record_id: int,
               changes: Sequence[tuple[str, Any, Any]], context: str = "", *,
               as_text: bool = False) -> None:
        """One audit row plus one change row per field (values as canonical text;
        ``as_text``: the changes already hold ``schema.audit_text`` of each value).

        On an encrypted file the signed-in account is the actor, whatever ``actor`` says.
        """
        me = self.account
        self._audit_as(me.actor if me is not None else actor, at, action, table, record_id,
                       changes, context, as_text=as_text)

    def _audit_as(self, actor: str, at: str, action: str, table: str, record_id: int,
                  changes: Sequence[tuple[str, Any, Any]], context: str = "", *,
                  as_text: bool = False) -> None:
        if action == "update" and not changes:
            return
        rows = changes if as_text else [(name, schema.audit_text(old), schema.audit_text(new))
                                        for name, old, new in changes]
        # chained: the row's hash covers its change rows and the previous row's hash
        audit_chain.append(self.db.conn, (at, actor, action, table, record_id, context), rows)

    def _insert(self, actor: str, at: str, table: str, row: Mapping[str, Any],
                fields: Sequence[Field], context: str, fixed: Mapping[str, Any] | None = None,
                record_id: int | None = None) -> int:
        data = {**(fixed or {}), **row}
        cols = ", ".join(f'"{c}"' for c in data)
        marks = ", ".join("?" for _ in data)
        cur = self.db.conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                                   list(data.values()))
        rid = record_id if record_id is not None else int(cur.lastrowid or 0)
        by_name = {f.name: f for f in fields}
        texts = schema.audit_text
        changes = [(name, None, texts(value) if f is None else _sql_audit_text(f, value))
                   for name, value in row.items()
                   if value is not None and value != "" for f in (by_name.get(name),)]
        if fixed and "patient_id" in fixed:  # whose record it is (checked by `check`)
            changes.append(("patient_id", None, texts(fixed["patient_id"])))
        self._audit(actor, at, "insert", table, rid, changes, context, as_text=True)
        return rid

    def _update(self, actor: str, at: str, table: str, key: str, rid: int,
                old: Mapping[str, Any], new: Mapping[str, Any], fields: Sequence[Field],
                context: str) -> int:
        """Update the columns of ``new`` that differ from ``old``; returns fields changed."""
        by_name = {f.name: f for f in fields}
        diff = [name for name in new if old.get(name) != new[name]]
        if not diff:
            return 0
        sets = ", ".join(f'"{name}" = ?' for name in diff)
        self.db.conn.execute(f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?',
                             [new[name] for name in diff] + [rid])
        changes = [(name, _from(by_name.get(name), old.get(name)),
                    _from(by_name.get(name), new[name])) for name in diff]
        self._audit(actor, at, "update", table, rid, changes, context)
        return len(diff)

    def _delete(self, actor: str, at: str, table: str, key: str, rid: int,
                old: Mapping[str, Any], fields: Sequence[Field], context: str) -> None:
        self.db.conn.execute(f'DELETE FROM "{table}" WHERE "{key}" = ?', (rid,))
        by_name = {f.name: f for f in fields}
        changes = [(name, _from(by_name.get(name), value), None) for name, value in old.items()
                   if value is not None and value != "" and name not in _KEY_COLUMNS]
        self._audit(actor, at, "delete", table, rid, changes, context)

    # ---------------------------------------------------------------- patients
    def _patient_row(self, study_id: str) -> dict[str, Any]:
        rows = self._rows("SELECT * FROM patients WHERE study_id = ?", (study_id,))
        if not rows:
            raise NotFound(f"no patient with study ID {study_id!r}")
        return rows[0]

    def has_patient(self, study_id: str) -> bool:
        with translated(self.path):
            return bool(self.db.conn.execute("SELECT 1 FROM patients WHERE study_id = ?",
                                             (study_id,)).fetchone())

    @staticmethod
    def _patient_record(patient: Patient) -> dict[str, Any]:
        record: dict[str, Any] = {"study_id": patient.study_id, "sex": patient.sex,
                                  "diagnosis_date": patient.diagnosis_date,
                                  "autoantibody": patient.autoantibody}
        record.update(patient.identifiers)
        return record

    def _check_patient(self, patient: Patient, today: dt.date | None) -> dict[str, Any]:
        check = validation.check_patient(self._patient_record(patient), today=today)
        if check.errors:
            raise ValidationFailed(check.errors, f"patient {patient.study_id}")
        return check.values

    def add_patient(self, patient: Patient, actor: str, *,
                    today: dt.date | None = None) -> SaveResult:
        """Add a new patient, with any visits, medications and events it carries.

        Returns:
            The new patient's id (also set on ``patient.id``) and the visits' warnings.

        Raises:
            ValidationFailed: invalid fields, or the study ID is already used.
        """
        actor = _ensure_actor(actor)
        values = self._check_patient(patient, today)
        with self._write():
            if self.db.conn.execute("SELECT 1 FROM patients WHERE study_id = ?",
                                    (values["study_id"],)).fetchone():
                raise ValidationFailed([Problem("study_id", patient.study_id,
                                                "is already used by another patient")],
                                       f"patient {patient.study_id}")
            at = _now()
            fields = _record_fields(Level.PATIENT)
            pid = self._insert(actor, at, "patients", _sql_row(fields, values), fields,
                               f"patient {values['study_id']}")
            warnings = self._save_children(pid, patient, actor, at, today)
        patient.id = pid
        return SaveResult(pid, tuple(warnings))

    def _save_children(self, pid: int, patient: Patient, actor: str, at: str,
                       today: dt.date | None) -> list[Problem]:
        warnings: list[Problem] = []
        for visit in patient.visits:
            result = self._save_visit(pid, visit, actor, at, today)
            warnings.extend(result.warnings)
        for med in patient.medications:
            med.id = self._save_record(pid, Level.MEDICATION, med, actor, at, patient.study_id)
        for event in patient.adverse_events:
            event.id = self._save_record(pid, Level.ADVERSE_EVENT, event, actor, at,
                                         patient.study_id)
        if patient.visits:
            self._refresh_responses(pid)
        return warnings

    def update_patient(self, patient: Patient, actor: str, *,
                       today: dt.date | None = None) -> SaveResult:
        """Save a patient's own fields and identifiers (not their visits).

        The patient is found by ``patient.id`` when set (so the study ID itself can be
        corrected), else by ``patient.study_id``. Fields set to None are cleared.
        """
        actor = _ensure_actor(actor)
        values = self._check_patient(patient, today)
        with self._write():
            if patient.id is not None:
                rows = self._rows("SELECT * FROM patients WHERE id = ?", (patient.id,))
                if not rows:
                    raise NotFound(f"no patient with id {patient.id}")
                old = rows[0]
            else:
                old = self._patient_row(patient.study_id)
            if values["study_id"] != old["study_id"] and self.has_patient(values["study_id"]):
                raise ValidationFailed([Problem("study_id", values["study_id"],
                                                "is already used by another patient")])
            fields = _record_fields(Level.PATIENT)
            self._ensure_dates_after_birth(old["id"], values.get("birth_date"),
                                           f"patient {values['study_id']}")
            changed = self._update(actor, _now(), "patients", "id", old["id"], old,
                                   _sql_row(fields, values), fields,
                                   f"patient {values['study_id']}")
        patient.id = old["id"]
        return SaveResult(old["id"], (), changed)

    #: (table, date column, what) of every saved record date a birth date must precede.
    _DATED = (("visits", "visit_date", "visit"), ("medications", "start_date", "medication"),
              ("medications", "stop_date", "medication"),
              ("adverse_events", "onset_date", "adverse event"),
              ("adverse_events", "resolution_date", "adverse event"))

    def _ensure_dates_after_birth(self, pid: int, birth: object, context: str) -> None:
        """Refuse a (new) birth date after any saved visit or record date of the patient
        (exports would show negative ages); the message names the earliest such record."""
        if not isinstance(birth, dt.date):
            return
        problems = []
        f = registry.get("birth_date")
        for table, column, what in self._DATED:
            row = self.db.conn.execute(
                f'SELECT min("{column}"), count(*) FROM "{table}" WHERE patient_id = ? AND '
                f'"{column}" < ?', (pid, birth.isoformat())).fetchone()
            if row and row[0]:
                problems.append(Problem(
                    "birth_date", birth, f"is after the {what} {column.replace('_', ' ')} "
                    f"{row[0]} ({row[1]} saved {what} date(s) before it); correct those first "
                    "or check the date of birth", Severity.ERROR, f.label))
        if problems:
            raise ValidationFailed(problems, context)

    def delete_patient(self, study_id: str, actor: str) -> None:
        """Delete a patient and everything recorded about them (all audited)."""
        actor = _ensure_actor(actor)
        with self._write():
            row = self._patient_row(study_id)
            at = _now()
            for vid in [r[0] for r in self.db.conn.execute(
                    "SELECT id FROM visits WHERE patient_id = ?", (row["id"],))]:
                self._delete_visit(vid, actor, at)
            for level in (Level.MEDICATION, Level.ADVERSE_EVENT):
                table = schema.RECORD_TABLES[level][0]
                for old in self._rows(f'SELECT * FROM "{table}" WHERE patient_id = ?',
                                      (row["id"],)):
                    self._delete(actor, at, table, "id", old["id"], old,
                                 _record_fields(level), f"patient {study_id}")
            self._delete(actor, at, "patients", "id", row["id"], row,
                         _record_fields(Level.PATIENT), f"patient {study_id}")

    def get_patient(self, study_id: str) -> Patient:
        """The patient with every visit (values, missing reasons), medication and event.

        Raises:
            NotFound: no such study ID.
        """
        with translated(self.path):
            row = self._patient_row(study_id)
            return self._load_patients([row])[0]

    def iter_patients(self, *, with_derived: bool = False) -> Iterator[Patient]:
        """Every patient in study-ID order, loaded in batches (for exports of any size).

        Args:
            with_derived: also attach each visit's stored derived values (``Visit.derived``),
                so bulk exports need not rescore every visit. They are attached only while
                they are current (:meth:`needs_refresh` is False); otherwise ``derived``
                stays None and the exports compute the scores themselves.
        """
        attach = with_derived and not self.needs_refresh()
        last = ""
        while True:
            with translated(self.path):
                rows = self._rows("SELECT * FROM patients WHERE study_id > ? ORDER BY study_id "
                                  "LIMIT ?", (last, _CHUNK))
                if not rows:
                    return
                patients = self._load_patients(rows)
                if attach:
                    self._attach_derived(patients)
            yield from patients
            last = rows[-1]["study_id"]

    def _attach_derived(self, patients: Sequence[Patient]) -> None:
        visits = [v for p in patients for v in p.visits if v.id is not None]
        stored = self.get_derived_many([v.id for v in visits if v.id is not None])
        for visit in visits:
            visit.derived = {name: dv.value for name, dv in stored.get(visit.id or 0, {}).items()}

    def patient_count(self) -> int:
        with translated(self.path):
            return int(self.db.conn.execute("SELECT count(*) FROM patients").fetchone()[0])

    def _load_patients(self, rows: list[dict[str, Any]]) -> list[Patient]:
        pfields = {f.name: f for f in _record_fields(Level.PATIENT)}
        patients: dict[int, Patient] = {}
        for row in rows:
            vals = {k: schema.from_sql(pfields[k], row[k]) for k in pfields}
            identifiers = {k: vals[k] for k in ("given_name", "family_name", "mrn", "birth_date")
                           if vals.get(k) is not None}
            patients[row["id"]] = Patient(
                study_id=vals["study_id"], sex=vals["sex"],
                diagnosis_date=vals["diagnosis_date"], autoantibody=vals["autoantibody"],
                identifiers=identifiers, id=row["id"])
        ids = list(patients)
        for visit, pid in self._load_visits(ids):
            patients[pid].visits.append(visit)
        marks = ",".join("?" * len(ids))
        mfields = _record_fields(Level.MEDICATION)
        for row in self._rows(f"SELECT * FROM medications WHERE patient_id IN ({marks}) "
                              "ORDER BY start_date, id", ids):
            vals = {f.name: schema.from_sql(f, row[f.name]) for f in mfields}
            vals["notes"] = vals.get("notes") or ""
            patients[row["patient_id"]].medications.append(Medication(**vals, id=row["id"]))
        afields = _record_fields(Level.ADVERSE_EVENT)
        for row in self._rows(f"SELECT * FROM adverse_events WHERE patient_id IN ({marks}) "
                              "ORDER BY onset_date, id", ids):
            vals = {f.name: schema.from_sql(f, row[f.name]) for f in afields}
            patients[row["patient_id"]].adverse_events.append(AdverseEvent(**vals, id=row["id"]))
        return [patients[r["id"]] for r in rows]

    def _load_visits(self, patient_ids: list[int]) -> list[tuple[Visit, int]]:
        """Visits of the given patients in date order, with values and missing reasons."""
        if not patient_ids:
            return []
        marks = ",".join("?" * len(patient_ids))
        vrows = self._rows(f"SELECT * FROM visits WHERE patient_id IN ({marks}) "
                           "ORDER BY patient_id, visit_date", patient_ids)
        visits: dict[int, Visit] = {}
        out: list[tuple[Visit, int]] = []
        for r in vrows:
            v = Visit(visit_date=dt.date.fromisoformat(r["visit_date"]),
                      visit_label=r["visit_label"], baseline=bool(r["baseline"]),
                      notes=r["notes"], id=r["id"])
            visits[r["id"]] = v
            out.append((v, r["patient_id"]))
        if not visits:
            return out
        vids = list(visits)
        for start in range(0, len(vids), 900):
            chunk = vids[start:start + 900]
            vmarks = ",".join("?" * len(chunk))
            for table, fields in schema.value_tables().items():
                cur = self.db.conn.execute(
                    f'SELECT * FROM "{table}" WHERE visit_id IN ({vmarks})', chunk)
                names = [d[0] for d in cur.description][1:]
                by_name = {f.name: f for f in fields}
                for row in cur:
                    values = visits[row[0]].values
                    for name, raw in zip(names, row[1:], strict=True):
                        if raw is not None:
                            values[name] = schema.from_sql(by_name[name], raw)
            for vid, name, reason in self.db.conn.execute(
                    f"SELECT visit_id, field, reason FROM visit_missing WHERE visit_id IN "
                    f"({vmarks})", chunk):
                visits[vid].missing[name] = reason
        return out

    # ---------------------------------------------------------------- patient list
    def list_patients(self) -> list[PatientSummary]:
        """Summaries for the GUI patient list, from stored values (fast at 5,000 patients)."""
        sql = """
        WITH last AS (
            SELECT patient_id, max(visit_date) AS visit_date, count(*) AS n
            FROM visits GROUP BY patient_id
        )
        SELECT p.id, p.study_id, p.sex, p.autoantibody, p.given_name, p.family_name,
               p.birth_date, coalesce(last.n, 0) AS n, last.visit_date,
               (SELECT v.visit_label FROM visits v
                 WHERE v.patient_id = p.id AND v.visit_date = last.visit_date) AS label,
               (SELECT d.value FROM visits v JOIN derived_values d ON d.visit_id = v.id
                 WHERE v.patient_id = p.id AND d.field = 'cmas_total' AND d.value IS NOT NULL
                 ORDER BY v.visit_date DESC LIMIT 1) AS cmas_total,
               (SELECT d.value FROM visits v JOIN derived_values d ON d.visit_id = v.id
                 WHERE v.patient_id = p.id AND d.field = 'mmt8_total' AND d.value IS NOT NULL
                 ORDER BY v.visit_date DESC LIMIT 1) AS mmt8_total,
               (SELECT d.value FROM derived_values d WHERE d.visit_id = lr.visit_id
                 AND d.field = 'acr_eular_response') AS response,
               (SELECT d.value FROM derived_values d WHERE d.visit_id = lr.visit_id
                 AND d.field = 'acr_eular_response_min') AS response_min,
               (SELECT d.value FROM derived_values d WHERE d.visit_id = lr.visit_id
                 AND d.field = 'acr_eular_response_max') AS response_max,
               (SELECT d.value FROM derived_values d WHERE d.visit_id = lr.visit_id
                 AND d.field = 'tis_measures') AS tis_measures,
               p.mrn
        FROM patients p LEFT JOIN last ON last.patient_id = p.id
        LEFT JOIN (
            -- the most recent follow-up with a response (SQLite: the bare column comes from
            -- the row holding the max)
            SELECT v.patient_id, v.id AS visit_id, max(v.visit_date)
            FROM visits v JOIN derived_values d ON d.visit_id = v.id
            WHERE d.field = 'acr_eular_response' AND d.value IS NOT NULL
            GROUP BY v.patient_id
        ) lr ON lr.patient_id = p.id
        ORDER BY p.study_id
        """
        today = dt.date.today()
        out = []
        with translated(self.path):
            for r in self.db.conn.execute(sql):
                born = dt.date.fromisoformat(r[6]) if r[6] else None
                age = None
                if born is not None:  # days / 365.25 rounded down to 0.1, in integers
                    age = Decimal((today - born).days * 40 // 1461).scaleb(-1)
                out.append(PatientSummary(
                    id=r[0], study_id=r[1], sex=r[2], autoantibody=r[3], given_name=r[4],
                    family_name=r[5], birth_date=born, age_years=age, visit_count=r[7],
                    last_visit_date=dt.date.fromisoformat(r[8]) if r[8] else None,
                    last_visit_label=r[9],
                    cmas_total=None if r[10] is None else int(r[10]),
                    mmt8_total=None if r[11] is None else int(r[11]), response=r[12],
                    response_min=r[13], response_max=r[14],
                    tis_measures=None if r[15] is None else int(r[15]),
                    mrn=r[16]))
        return out

    # ---------------------------------------------------------------- visits
    def save_visit(self, study_id: str, visit: Visit, actor: str, *,
                   today: dt.date | None = None) -> SaveResult:
        """Validate and save one visit, replacing all its values and missing reasons.

        The visit is matched by ``visit.id`` when set (its date may then change), else by its
        date (a visit on the same date is replaced). Derived values of this visit and the
        responses of the patient's follow-up visits are recomputed in the same transaction.

        Returns:
            The visit id (also set on ``visit.id``), warnings, and how many fields changed.

        Raises:
            NotFound: no such patient (or visit id).
            ValidationFailed: errors from ``forms.validation.check_visit``; nothing written.
        """
        actor = _ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            base_before = self._baseline_id(pid)
            result = self._save_visit(pid, visit, actor, _now(), today)
            base_after = self._baseline_id(pid)
            self._guard_signed_baseline(pid, base_before, base_after,
                                        f"patient {study_id}, visit {visit.describe()}")
            if base_before == base_after and result.id != base_after:
                # same baseline: only this follow-up's responses can have changed
                self._refresh_responses(pid, only=result.id)
            else:
                self._refresh_responses(pid)
        return result

    def _protocol_label(self, label: object) -> tuple[str | None, Problem | None]:
        """A visit label as stored: the protocol's code for any spelling (``m3``, ``3M`` ->
        ``M3``; ``Flare`` -> ``flare``). A label that is no visit of the protocol (an import of
        older data: ``M1``, ``visit 2``) is saved as ``unscheduled`` with a warning, and the
        original goes to the label review list (nothing typed is lost)."""
        if label is None or (isinstance(label, str) and not label.strip()):
            return None, None
        code = canonical_label(str(label), self.protocol())
        if code is None:
            return UNSCHEDULED, Problem(
                "visit_label", label, "is not a visit of the study protocol "
                f"({self.protocol().allowed_text()}): saved as unscheduled and listed for "
                "review", Severity.WARNING, registry.get("visit_label").label)
        return code, None

    def _signed_of_patient(self, pid: int) -> list[tuple[int, str, str | None]]:
        """(id, date, label) of the patient's visits that have a valid sign-off."""
        return [(int(r[0]), r[1], r[2]) for r in self.db.conn.execute(
            "SELECT v.id, v.visit_date, v.visit_label FROM visits v WHERE v.patient_id = ? AND "
            f"EXISTS (SELECT 1 FROM {signoff.TABLE} s WHERE s.visit_id = v.id AND "
            "s.voided_at IS NULL) ORDER BY v.visit_date", (pid,))]

    def _guard_signed_baseline(self, pid: int, before: int | None, after: int | None,
                               context: str) -> None:
        """Refuse a change of the patient's baseline while any of their visits is signed.

        The responses of every follow-up are measured from the baseline, so moving it would
        change what was verified at signing (issue 17): the signed visits must be unlocked
        first. Raised inside the write transaction, so nothing of the save is kept.
        """
        if before is None or before == after:
            return
        signed = self._signed_of_patient(pid)
        if signed:
            names = ", ".join(f"{d}{f' ({lb})' if lb else ''}" for _i, d, lb in signed)
            raise SignedVisitLocked(
                f"{context}: this would change the patient's baseline visit, and with it the "
                f"stored responses of the signed visit(s) {names}; unlock them with a reason "
                "first (a signed visit's results never change silently).")

    def _baseline_id(self, pid: int) -> int | None:
        """The visit responses are measured from: the flagged one, else the earliest
        (``Patient.baseline_visit``)."""
        row = self.db.conn.execute(
            "SELECT id FROM visits WHERE patient_id = ? ORDER BY baseline DESC, visit_date "
            "LIMIT 1", (pid,)).fetchone()
        return None if row is None else int(row[0])

    def _save_visit(self, pid: int, visit: Visit, actor: str, at: str,
                    today: dt.date | None, proof: CheckedVisit | None = None) -> SaveResult:
        prow = self._rows("SELECT study_id, birth_date FROM patients WHERE id = ?", (pid,))[0]
        study_id = prow["study_id"]
        birth = dt.date.fromisoformat(prow["birth_date"]) if prow["birth_date"] else None
        context = f"patient {study_id}, visit {visit.describe()}"
        if proof is not None and proof.holds_for(visit, birth, today):
            check = proof.check  # validated by the caller moments ago, unchanged since
        else:
            check = validation.check_visit(visit.values, visit.missing,
                                           visit_date=visit.visit_date,
                                           visit_label=visit.visit_label, birth_date=birth,
                                           today=today)
        problems = list(check.errors)
        if not isinstance(visit.notes, str):
            problems.append(Problem("notes", visit.notes, "is not text"))
        else:  # length and characters (registry.VISIT_NOTES)
            problems.extend(validation.check_visit_notes(visit.notes))
        label, label_warning = self._protocol_label(check.values.get("visit_label"))
        if problems:
            raise ValidationFailed(problems, context)
        values = {k: v for k, v in check.values.items() if k not in registry.VISIT_KEYS}
        header = {"visit_date": check.values["visit_date"].isoformat(),
                  "visit_label": label,
                  "baseline": 1 if visit.baseline else 0, "notes": visit.notes or ""}
        hfields = [registry.get(n) for n in registry.VISIT_KEYS]
        # the existing visit: by id, else by date
        if visit.id is not None:
            rows = self._rows("SELECT * FROM visits WHERE id = ? AND patient_id = ?",
                              (visit.id, pid))
            if not rows:
                raise NotFound(f"patient {study_id} has no visit with id {visit.id}")
        else:
            rows = self._rows("SELECT * FROM visits WHERE patient_id = ? AND visit_date = ?",
                              (pid, header["visit_date"]))
        old_header = rows[0] if rows else None
        if old_header is not None:  # a signed visit is read-only (storage.signoff)
            signoff.ensure_unlocked(self.db.conn, old_header["id"], context)
        clash = self.db.conn.execute(
            "SELECT id FROM visits WHERE patient_id = ? AND visit_date = ? AND id != ?",
            (pid, header["visit_date"], old_header["id"] if old_header else -1)).fetchone()
        if clash:
            raise ValidationFailed([Problem("visit_date", header["visit_date"],
                                            "already has another visit of this patient")],
                                   context)
        if visit.baseline:
            for other in self._rows("SELECT * FROM visits WHERE patient_id = ? AND baseline = 1"
                                    " AND id != ?", (pid, old_header["id"] if old_header
                                                     else -1)):
                signoff.ensure_unlocked(
                    self.db.conn, other["id"], f"{context}: cannot become the baseline while "
                    f"visit {other['visit_date']} holds the flag (it would lose it)")
                self._update(actor, at, "visits", "id", other["id"], other, {"baseline": 0},
                             hfields, f"patient {study_id}, visit {other['visit_date']}")
        changed = 0
        if old_header is None:
            vid = self._insert(actor, at, "visits", header, hfields, context,
                               fixed={"patient_id": pid})
            changed += len(header)
        else:
            vid = old_header["id"]
            changed += self._update(actor, at, "visits", "id", vid, old_header, header, hfields,
                                    context)
        changed += self._replace_values(vid, values, actor, at, context,
                                        inserted=old_header is None)
        changed += self._replace_missing(vid, check.missing, actor, at, context)
        self._store_scores(vid, values)
        visit.id = vid
        warnings = tuple(check.warnings)
        if label_warning is not None:  # kept for the one-time review (m020's list)
            self.db.conn.execute(
                'INSERT INTO "label_review" ("visit_id", "old_label", "new_label", "kept") '
                "VALUES (?, ?, ?, 0)", (vid, str(label_warning.value), label))
            warnings += (label_warning,)
        return SaveResult(vid, warnings, changed)

    def _replace_values(self, vid: int, values: Mapping[str, Any], actor: str, at: str,
                        context: str, *, inserted: bool = False) -> int:
        """Write a visit's values table by table (``inserted``: the visit was just inserted,
        so it has no value rows to compare with)."""
        changed = 0
        for table, fields in schema.value_tables().items():
            new = {f.name: schema.to_sql(f, values[f.name]) for f in fields if f.name in values}
            rows = [] if inserted else self._rows(f'SELECT * FROM "{table}" WHERE visit_id = ?',
                                               (vid,))
            if rows:
                old = {k: v for k, v in rows[0].items() if k != "visit_id"}
                if not new:
                    self._delete(actor, at, table, "visit_id", vid, old, fields, context)
                    changed += sum(1 for v in old.values() if v is not None)
                else:
                    full = {f.name: new.get(f.name) for f in fields}
                    changed += self._update(actor, at, table, "visit_id", vid, old, full,
                                            fields, context)
            elif new:
                self._insert(actor, at, table, new, fields, context, fixed={"visit_id": vid},
                             record_id=vid)
                changed += len(new)
        return changed

    def _replace_missing(self, vid: int, missing: Mapping[str, str], actor: str, at: str,
                         context: str) -> int:
        old = dict(self.db.conn.execute(
            "SELECT field, reason FROM visit_missing WHERE visit_id = ?", (vid,)).fetchall())
        changes = [(name, old.get(name), missing.get(name))
                   for name in sorted(set(old) | set(missing))
                   if old.get(name) != missing.get(name)]
        if not changes:
            return 0
        self.db.conn.execute("DELETE FROM visit_missing WHERE visit_id = ?", (vid,))
        self.db.conn.executemany(
            "INSERT INTO visit_missing (visit_id, field, reason) VALUES (?, ?, ?)",
            [(vid, name, reason) for name, reason in missing.items()])
        action = "insert" if not old else "delete" if not missing else "update"
        self._audit(actor, at, action, "visit_missing", vid, changes, context)
        return len(changes)

    def delete_visit(self, visit_id: int, actor: str) -> None:
        """Delete a visit with its values, missing reasons and derived values (audited)."""
        actor = _ensure_actor(actor)
        with self._write():
            row = self.db.conn.execute("SELECT patient_id FROM visits WHERE id = ?",
                                       (visit_id,)).fetchone()
            if row is None:
                raise NotFound(f"no visit with id {visit_id}")
            before = self._baseline_id(row[0])
            self._delete_visit(visit_id, actor, _now())
            self._guard_signed_baseline(row[0], before, self._baseline_id(row[0]),
                                        f"deleting visit {visit_id}")
            self._refresh_responses(row[0])

    def _delete_visit(self, vid: int, actor: str, at: str) -> None:
        header = self._rows("SELECT v.*, p.study_id FROM visits v JOIN patients p "
                            "ON p.id = v.patient_id WHERE v.id = ?", (vid,))[0]
        context = f"patient {header.pop('study_id')}, visit {header['visit_date']}"
        signoff.ensure_unlocked(self.db.conn, vid, context)
        signoff.keep_signatures_of_deleted_visit(self, vid, actor, at, context)
        self._replace_values(vid, {}, actor, at, context)
        self._replace_missing(vid, {}, actor, at, context)
        self.db.conn.execute("DELETE FROM derived_values WHERE visit_id = ?", (vid,))
        hfields = [registry.get(n) for n in registry.VISIT_KEYS]
        self._delete(actor, at, "visits", "id", vid, header, hfields, context)

    def visit_id_for(self, study_id: str, visit_date: dt.date) -> int | None:
        with translated(self.path):
            row = self.db.conn.execute(
                "SELECT v.id FROM visits v JOIN patients p ON p.id = v.patient_id "
                "WHERE p.study_id = ? AND v.visit_date = ?",
                (study_id, visit_date.isoformat())).fetchone()
        return None if row is None else int(row[0])

    # ---------------------------------------------------------------- derived values
    @staticmethod
    def score_rows(vid: int, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The ``derived_values`` rows of one visit's scores: (visit, field, value, reason,
        rule version), as stored (reasons in English, whatever the GUI shows)."""
        with in_language("en"):
            scores = scoring.score_visit(values)
        return [(vid, name, _derived_to_sql(s.value), s.missing_reason or "",
                 s.rule_version or scoring.RULE_VERSIONS.get(name, "")) for name, s in
                scores.items()]

    def _store_scores(self, vid: int, values: Mapping[str, Any]) -> None:
        marks = ",".join("?" * len(_DERIVED_VISIT))
        self.db.conn.execute(f"DELETE FROM derived_values WHERE visit_id = ? AND field IN "
                             f"({marks})", (vid, *_DERIVED_VISIT))
        self.db.conn.executemany(
            "INSERT INTO derived_values (visit_id, field, value, missing_reason, rule_version) "
            "VALUES (?, ?, ?, ?, ?)", self.score_rows(vid, values))

    def _refresh_visit_derived(self, visit_id: int) -> None:
        """Rescore one (unlocked) visit and recompute its patient's responses."""
        row = self.db.conn.execute("SELECT patient_id FROM visits WHERE id = ?",
                                   (visit_id,)).fetchone()
        if row is None:
            return
        for visit, _pid in self._load_visits([row[0]]):
            if visit.id == visit_id:
                self._store_scores(visit_id, visit.values)
        self._refresh_responses(row[0])

    def expected_derived(self, visits: Sequence[Visit]) -> dict[int, set[tuple[Any, ...]]]:
        """What ``derived_values`` should hold for one patient's visits, recomputed now
        (visit id -> rows (field, value, reason, rule version)); used by ``check``."""
        out: dict[int, set[tuple[Any, ...]]] = {v.id: set() for v in visits if v.id is not None}
        for v in visits:
            if v.id is not None:
                out[v.id].update(r[1:] for r in self.score_rows(v.id, v.values))
        for r in self.response_rows(visits, self.scoring_settings()):
            out.setdefault(r[0], set()).add(r[1:])
        return out

    def _signed_ids(self, visit_ids: Sequence[int | None]) -> set[int]:
        ids = [v for v in visit_ids if v is not None]
        found: set[int] = set()
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(int(r[0]) for r in self.db.conn.execute(
                f"SELECT visit_id FROM {signoff.TABLE} WHERE voided_at IS NULL AND visit_id IN "
                f"({marks})", chunk))
        return found

    def _refresh_responses(self, pid: int, only: int | None = None) -> None:
        """Recompute the follow-up visits' response values against the baseline.

        Args:
            pid: the patient.
            only: recompute just this visit (the baseline is unchanged), else every visit.
        """
        visits = [v for v, _ in self._load_visits([pid])]
        frozen = self._signed_ids([v.id for v in visits])  # signed: kept as verified
        ids = [v.id for v in visits if (only is None or v.id == only) and v.id not in frozen]
        if ids:
            marks = ",".join("?" * len(ids))
            rmarks = ",".join("?" * len(_DERIVED_RESPONSE))
            self.db.conn.execute(
                f"DELETE FROM derived_values WHERE visit_id IN ({marks}) AND field IN "
                f"({rmarks})", (*ids, *_DERIVED_RESPONSE))
        rows = [r for r in self.response_rows(visits, self.scoring_settings(), only)
                if r[0] not in frozen]
        self.db.conn.executemany(
            "INSERT INTO derived_values (visit_id, field, value, missing_reason, rule_version) "
            "VALUES (?, ?, ?, ?, ?)", rows)

    @staticmethod
    def response_rows(visits: Sequence[Visit], settings: ScoringSettings,
                      only: int | None = None) -> list[tuple[Any, ...]]:
        """The ``derived_values`` rows of the follow-ups' responses against the baseline."""
        base = Patient(study_id="-", visits=list(visits)).baseline_visit()
        if base is None:
            return []
        label = base.visit_label or base.visit_date.isoformat()
        rows: list[tuple[Any, ...]] = []
        followups = [v for v in visits
                     if v is not base and v.visit_date > base.visit_date
                     and (only is None or v.id == only)]
        # imported here: opening a file and listing patients (the GUI's first screen) needs
        # none of the response criteria
        from forms import response  # noqa: PLC0415

        # the baseline's totals are scored once for all its follow-ups; stored reasons are
        # English, whatever language the GUI shows
        with in_language("en"):
            responses = response.compare_followups(base.values, [v.values for v in followups],
                                                   settings)
        for v, resp in zip(followups, responses, strict=True):
            computed = {"baseline_label": label, **resp.response_values()}
            for name in _DERIVED_RESPONSE:
                if name not in computed:
                    continue
                value = computed[name]
                reason = "" if value is not None else (
                    resp.tis.explanation.splitlines()[0][:300] if name == "tis"
                    else "not computable")
                rows.append((v.id, name, _derived_to_sql(value), reason,
                             scoring.RULE_VERSIONS.get(name, "")))
        return rows

    def get_derived(self, visit_id: int) -> dict[str, DerivedValue]:
        """The stored derived values of one visit (scores and, for follow-ups, responses)."""
        with translated(self.path):
            rows = self.db.conn.execute(
                "SELECT field, value, missing_reason, rule_version FROM derived_values "
                "WHERE visit_id = ?", (visit_id,)).fetchall()
        return {name: DerivedValue(name, _derived_from_sql(name, value), reason, version)
                for name, value, reason, version in rows}

    def get_derived_many(self, visit_ids: Sequence[int]) -> dict[int, dict[str, DerivedValue]]:
        """Stored derived values of many visits at once: visit id -> field -> value."""
        out: dict[int, dict[str, DerivedValue]] = {}
        ids = list(visit_ids)
        with translated(self.path):
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                marks = ",".join("?" * len(chunk))
                for vid, name, value, reason, version in self.db.conn.execute(
                        "SELECT visit_id, field, value, missing_reason, rule_version FROM "
                        f"derived_values WHERE visit_id IN ({marks})", chunk):
                    out.setdefault(vid, {})[name] = DerivedValue(
                        name, _derived_from_sql(name, value), reason, version)
        return out

    def _fingerprint(self) -> str:
        s = self.scoring_settings()
        basis = {"rules": scoring.RULE_VERSIONS, "muscle": s.tis_muscle_measure,
                 "thresholds": s.thresholds,
                 "uln": {k: str(v) for k, v in sorted(s.uln_defaults.items())}}
        return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]

    def needs_refresh(self) -> bool:
        """True when stored derived values were computed with other rules or settings.

        Cheap (one settings row). The GUI can open with ``refresh=False``, ask this, and run
        :meth:`refresh_derived` through its background helper (minutes at 100,000 visits).
        """
        with translated(self.path):
            stored = self.db.conn.execute("SELECT value FROM settings WHERE key = ?",
                                          (_FINGERPRINT_KEY,)).fetchone()
        return not stored or stored[0] != self._fingerprint()

    def refresh_derived(self, *, force: bool = False) -> int:
        """Recompute stored derived values when the rules or scoring settings changed.

        Cheap when nothing changed (one settings row is compared). Otherwise visits whose
        scores were computed by another rule version (or never) are rescored, and every
        patient's responses are recomputed, in one transaction.

        Returns:
            How many visits were rescored.
        """
        with translated(self.path):
            stored = self.db.conn.execute("SELECT value FROM settings WHERE key = ?",
                                          (_FINGERPRINT_KEY,)).fetchone()
            current = self._fingerprint()
            if not force and stored and stored[0] == current:
                return 0
        pairs = [(name, scoring.RULE_VERSIONS.get(name, "")) for name in _DERIVED_VISIT]
        with self._write():
            conn = self.db.conn
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS current_rules (field TEXT, version "
                         "TEXT)")
            conn.execute("DELETE FROM current_rules")
            conn.executemany("INSERT INTO current_rules VALUES (?, ?)", pairs)
            stale = [r[0] for r in conn.execute(
                "SELECT id FROM visits v WHERE ? OR NOT EXISTS (SELECT 1 FROM derived_values d "
                "WHERE d.visit_id = v.id) OR EXISTS (SELECT 1 FROM derived_values d WHERE "
                "d.visit_id = v.id AND d.field IN (SELECT field FROM current_rules) AND NOT "
                "EXISTS (SELECT 1 FROM current_rules c WHERE c.field = d.field AND "
                "c.version = d.rule_version))", (1 if force else 0,))]
            pids = [r[0] for r in conn.execute("SELECT id FROM patients")]
            stale_set = set(stale) - self._signed_ids(stale)  # signed: frozen as verified
            for start in range(0, len(pids), _CHUNK):
                chunk = pids[start:start + _CHUNK]
                for visit, _pid in self._load_visits(chunk):
                    if visit.id in stale_set:
                        self._store_scores(visit.id or 0, visit.values)
                for pid in chunk:
                    self._refresh_responses(pid)
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (_FINGERPRINT_KEY, current))
        return len(stale)

    # ---------------------------------------------------------------- medications & events
    def _save_record(self, pid: int, level: Level, record: Medication | AdverseEvent,
                     actor: str, at: str, study_id: str) -> int:
        """Insert or update (by ``record.id``) one medication or adverse event."""
        table = schema.RECORD_TABLES[level][0]
        fields = _record_fields(level)
        raw = {f.name: getattr(record, f.name) for f in fields}
        born = self.db.conn.execute("SELECT birth_date FROM patients WHERE id = ?",
                                    (pid,)).fetchone()
        birth = dt.date.fromisoformat(born[0]) if born and born[0] else None
        check = (validation.check_medication(raw, birth_date=birth)
                 if level is Level.MEDICATION
                 else validation.check_adverse_event(raw, birth_date=birth))
        kind = "medication" if level is Level.MEDICATION else "adverse event"
        name = getattr(record, "drug", None) or getattr(record, "term", None)
        context = f"patient {study_id}, {kind} {name}"
        if check.errors:
            raise ValidationFailed(check.errors, context)
        row = _sql_row(fields, check.values)
        if record.id is None:
            return self._insert(actor, at, table, row, fields, context,
                                fixed={"patient_id": pid})
        old = self._rows(f'SELECT * FROM "{table}" WHERE id = ? AND patient_id = ?',
                         (record.id, pid))
        if not old:
            raise NotFound(f"patient {study_id} has no {kind} with id {record.id}")
        self._update(actor, at, table, "id", record.id, old[0], row, fields, context)
        return record.id

    def record_medication(self, study_id: str, medication: Medication, actor: str) -> int:
        """Add a medication course (or update it when ``medication.id`` is set)."""
        actor = _ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            medication.id = self._save_record(pid, Level.MEDICATION, medication, actor, _now(),
                                              study_id)
        return medication.id

    def change_dose(self, study_id: str, medication_id: int, new: Medication,
                    actor: str) -> int:
        """A dose change (a taper step) as the course's history, in one transaction: the
        current dose period stops the day before ``new.start_date`` and ``new`` starts.

        Raises:
            NotFound: no such course of this patient.
            ValidationFailed: the new period does not start after the current one.
        """
        actor = _ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            rows = self._rows("SELECT * FROM medications WHERE id = ? AND patient_id = ?",
                              (medication_id, pid))
            if not rows:
                raise NotFound(f"patient {study_id} has no medication with id {medication_id}")
            vals = {f.name: schema.from_sql(f, rows[0][f.name])
                    for f in _record_fields(Level.MEDICATION)}
            vals["notes"] = vals.get("notes") or ""
            old = Medication(**vals, id=medication_id)
            if new.start_date <= old.start_date:
                raise ValidationFailed([Problem(
                    "start_date", new.start_date,
                    f"must be after the start of the current dose ({old.start_date.isoformat()})",
                    label=registry.get("start_date", Level.MEDICATION).label)],
                    f"patient {study_id}, medication {old.drug}")
            at = _now()
            stop = new.start_date - dt.timedelta(days=1)
            if old.stop_date is None or old.stop_date > stop:
                old.stop_date = stop
                self._save_record(pid, Level.MEDICATION, old, actor, at, study_id)
            new.id = None
            new.id = self._save_record(pid, Level.MEDICATION, new, actor, at, study_id)
        return new.id

    def update_medication(self, study_id: str, medication: Medication, actor: str) -> int:
        if medication.id is None:
            raise ValueError("update_medication needs medication.id")
        return self.record_medication(study_id, medication, actor)

    def delete_medication(self, medication_id: int, actor: str) -> None:
        self._delete_record(Level.MEDICATION, medication_id, actor)

    def record_adverse_event(self, study_id: str, event: AdverseEvent, actor: str) -> int:
        """Add an adverse event (or update it when ``event.id`` is set)."""
        actor = _ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            event.id = self._save_record(pid, Level.ADVERSE_EVENT, event, actor, _now(),
                                         study_id)
        return event.id

    def update_adverse_event(self, study_id: str, event: AdverseEvent, actor: str) -> int:
        if event.id is None:
            raise ValueError("update_adverse_event needs event.id")
        return self.record_adverse_event(study_id, event, actor)

    def delete_adverse_event(self, event_id: int, actor: str) -> None:
        self._delete_record(Level.ADVERSE_EVENT, event_id, actor)

    def _delete_record(self, level: Level, rid: int, actor: str) -> None:
        actor = _ensure_actor(actor)
        table = schema.RECORD_TABLES[level][0]
        with self._write():
            rows = self._rows(f'SELECT r.*, p.study_id AS _sid FROM "{table}" r JOIN patients p'
                              f" ON p.id = r.patient_id WHERE r.id = ?", (rid,))
            if not rows:
                raise NotFound(f"no {table[:-1].replace('_', ' ')} with id {rid}")
            old = rows[0]
            name = old.get("drug") or old.get("term")
            self._delete(actor, _now(), table, "id", rid, old, _record_fields(level),
                         f"patient {old.pop('_sid')}, {table[:-1].replace('_', ' ')} {name}")

    # ---------------------------------------------------------------- import (case files)
    def import_patients(self, patients: Sequence[Patient], actor: str, *,
                        today: dt.date | None = None,
                        checked: Mapping[int, CheckedVisit] | None = None) -> ImportSummary:
        """Write already-validated case-file patients in ONE transaction (all or nothing).

        A new study ID adds the patient; an existing one gets the file's non-empty patient
        fields (a saved field is never cleared by an import) and its visits: a visit on a saved
        date replaces that visit. Medications are matched by (drug, start date) and events by
        (onset date, term); a match is updated, anything else added.

        Args:
            patients: the patients to write.
            actor: who imports (the audit rows' actor).
            today: the current date for the checks (visits may not be in the future).
            checked: ``id(visit)`` -> :class:`CheckedVisit` from a caller that has just
                validated those visits; each still holding is not validated again.

        Raises:
            ValidationFailed: anything invalid (the case-file parser normally reports it
                first); nothing is written.
        """
        actor = _ensure_actor(actor)
        summary = ImportSummary()
        with self._write():
            at = _now()
            for patient in patients:
                values = self._check_patient(patient, today)
                fields = _record_fields(Level.PATIENT)
                rows = self._rows("SELECT * FROM patients WHERE study_id = ?",
                                  (values["study_id"],))
                context = f"patient {values['study_id']}"
                if rows:
                    old = rows[0]
                    pid = old["id"]
                    self._ensure_dates_after_birth(pid, values.get("birth_date"), context)
                    new = {k: v for k, v in _sql_row(fields, values).items() if v is not None}
                    if self._update(actor, at, "patients", "id", pid, old, new, fields, context):
                        summary.patients_updated += 1
                else:
                    pid = self._insert(actor, at, "patients", _sql_row(fields, values), fields,
                                       context)
                    summary.patients_added += 1
                patient.id = pid
                base_before = self._baseline_id(pid)
                for visit in patient.visits:
                    existed = self.db.conn.execute(
                        "SELECT id FROM visits WHERE patient_id = ? AND visit_date = ?",
                        (pid, visit.visit_date.isoformat())).fetchone()
                    visit.id = existed[0] if existed else None
                    proof = checked.get(id(visit)) if checked else None
                    result = self._save_visit(pid, visit, actor, at, today, proof)
                    summary.warnings.extend(f"patient {values['study_id']}, visit "
                                            f"{visit.describe()}: {w.code_message}"
                                            for w in result.warnings)
                    if existed:
                        summary.visits_replaced += 1
                    else:
                        summary.visits_added += 1
                for level, records in ((Level.MEDICATION, patient.medications),
                                       (Level.ADVERSE_EVENT, patient.adverse_events)):
                    table = schema.RECORD_TABLES[level][0]
                    keys = ("drug", "start_date") if level is Level.MEDICATION else (
                        "onset_date", "term")
                    for record in records:
                        key_values = [schema.to_sql(registry.get(k, level), getattr(record, k))
                                      for k in keys]
                        match = self.db.conn.execute(
                            f'SELECT id FROM "{table}" WHERE patient_id = ? AND "{keys[0]}" = ?'
                            f' AND "{keys[1]}" = ?', (pid, *key_values)).fetchone()
                        record.id = match[0] if match else None
                        record.id = self._save_record(pid, level, record, actor, at,
                                                      values["study_id"])
                        if level is Level.MEDICATION:
                            summary.medications += 1
                        else:
                            summary.adverse_events += 1
                if patient.visits:
                    self._guard_signed_baseline(pid, base_before, self._baseline_id(pid),
                                                context)
                    self._refresh_responses(pid)
        return summary

    def birth_dates(self, study_ids: Iterable[str]) -> dict[str, dt.date | None]:
        """Saved birth dates of the given study IDs that exist (for case-file checks)."""
        ids = list(study_ids)
        out: dict[str, dt.date | None] = {}
        with translated(self.path):
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                marks = ",".join("?" * len(chunk))
                for sid, born in self.db.conn.execute(
                        f"SELECT study_id, birth_date FROM patients WHERE study_id IN ({marks})",
                        chunk):
                    out[sid] = dt.date.fromisoformat(born) if born else None
        return out

    # ---------------------------------------------------------------- settings
    def get_settings(self) -> AppSettings:
        """Scoring settings and the default assessor (defaults where nothing was saved)."""
        with translated(self.path):
            stored = dict(self.db.conn.execute("SELECT key, value FROM settings").fetchall())
        for key, value in stored.items():  # a damaged setting: a plain message, never a crash
            reason = integrity.setting_problem(key, value) if isinstance(value, str) else (
                "is not text")
            if reason:
                name = self.path.name if self.path else "the database"
                raise KnownStorageError(
                    "bad_settings", f"{name}: the stored setting {key} = {str(value)[:40]!r} "
                    f"{reason}, so responses cannot be scored. It was not written by JDM "
                    "Capture: restore a backup, or correct it with sqlite3 after "
                    "investigation (`check` lists every such problem).")
        ulns = dict(default_ulns())
        for enzyme in ulns:
            if f"uln_{enzyme}" in stored:
                ulns[enzyme] = Decimal(stored[f"uln_{enzyme}"])
        defaults = ScoringSettings()
        scoring_settings = ScoringSettings(
            tis_muscle_measure=stored.get("tis_muscle_measure", defaults.tis_muscle_measure),
            thresholds=stored.get("thresholds", defaults.thresholds), uln_defaults=ulns)
        protocol = DEFAULT_PROTOCOL
        if "study_protocol" in stored:
            try:
                protocol = Protocol.from_dict(json.loads(stored["study_protocol"]))
            except ValueError:
                protocol = DEFAULT_PROTOCOL  # unreadable: the default schedule, never a crash
        return AppSettings(scoring_settings, stored.get("assessor", ""), protocol)

    def scoring_settings(self) -> ScoringSettings:
        return self.get_settings().scoring

    def set_settings(self, settings: AppSettings, actor: str, *, refresh: bool = True) -> None:
        """Save settings (audited); a scoring change recomputes every stored response.

        Args:
            settings: the new settings.
            actor: who changed them (audit trail).
            refresh: recompute the stored responses now, in the same transaction. With
                ``refresh=False`` they are recomputed by the next :meth:`refresh_derived`
                (the GUI runs it in the background: at 5,000 patients x 20 visits it takes
                minutes, because every follow-up is compared with its baseline again).
        """
        actor = _ensure_actor(actor)
        if not isinstance(settings.scoring, ScoringSettings):
            raise TypeError("settings.scoring must be a ScoringSettings")
        new = {"tis_muscle_measure": settings.scoring.tis_muscle_measure,
               "thresholds": settings.scoring.thresholds,
               "assessor": settings.assessor.strip(),
               "study_protocol": json.dumps(settings.protocol.to_dict(), sort_keys=True)}
        for enzyme, uln in settings.scoring.uln_defaults.items():
            f = registry.get(f"{enzyme}_uln")
            value, problems = validation.check_field(f, Decimal(uln))
            if problems:
                raise ValidationFailed(problems, "settings")
            new[f"uln_{enzyme}"] = schema.audit_text(value) or ""
        if len(new["assessor"]) > (registry.get("assessor").max_length or 100):
            raise ValidationFailed([Problem("assessor", new["assessor"][:20] + "...",
                                            "is too long")], "settings")
        with self._write("administer"):
            at = _now()
            old = dict(self.db.conn.execute("SELECT key, value FROM settings").fetchall())
            for key, value in new.items():
                if old.get(key) == value:
                    continue
                self.db.conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                    "UPDATE SET value = excluded.value", (key, value))
                rid = self.db.conn.execute("SELECT rowid FROM settings WHERE key = ?",
                                           (key,)).fetchone()[0]
                self._audit(actor, at, "update" if key in old else "insert", "settings", rid,
                            [(key, old.get(key), value)], f"setting {key}")
            self._protocol = None
            if refresh:
                self.refresh_derived()

    def protocol(self) -> Protocol:
        """The study protocol of this database (cached; :meth:`set_settings` clears it)."""
        if self._protocol is None:
            self._protocol = self.get_settings().protocol
        return self._protocol

    # ---------------------------------------------------------------- protocol
    def label_review(self) -> list[LabelReview]:
        """Visit labels matched to the protocol (by the m020 upgrade, or an import of older
        data) that nobody has reviewed yet (:meth:`mark_label_review_done`)."""
        with translated(self.path):
            seen = self.db.conn.execute(
                "SELECT value FROM settings WHERE key = 'label_review_seen'").fetchone()
            rows = self.db.conn.execute(
                "SELECT p.study_id, r.visit_id, v.visit_date, r.old_label, r.new_label, r.kept "
                "FROM label_review r JOIN visits v ON v.id = r.visit_id "
                "JOIN patients p ON p.id = v.patient_id WHERE r.id > ? "
                "ORDER BY p.study_id, v.visit_date", (int(seen[0]) if seen else 0,)
            ).fetchall()
        return [LabelReview(sid, vid, dt.date.fromisoformat(day), old, new, bool(kept))
                for sid, vid, day, old, new, kept in rows]

    def mark_label_review_done(self, actor: str) -> None:
        """Record (audited) that someone reviewed the listed labels; they are not shown again
        (labels matched later are)."""
        actor = _ensure_actor(actor)
        with self._write():
            at = _now()
            last = self.db.conn.execute("SELECT max(id) FROM label_review").fetchone()[0] or 0
            old = self.db.conn.execute(
                "SELECT value FROM settings WHERE key = 'label_review_seen'").fetchone()
            self.db.conn.execute("INSERT INTO settings (key, value) VALUES "
                                 "('label_review_seen', ?) ON CONFLICT (key) DO UPDATE SET "
                                 "value = excluded.value", (str(last),))
            rid = self.db.conn.execute("SELECT rowid FROM settings WHERE key = "
                                       "'label_review_seen'").fetchone()[0]
            self._audit(actor, at, "update" if old else "insert", "settings", rid,
                        [("label_review_seen", old[0] if old else None, str(last))],
                        "setting label_review_seen (visit labels reviewed)")

    def schedule_inputs(self) -> list[ScheduleInput]:
        """Every patient's baseline date and visit labels (one query; for the due list)."""
        sql = """
        SELECT p.study_id, p.given_name, p.family_name, v.visit_date, v.visit_label, v.baseline
        FROM patients p LEFT JOIN visits v ON v.patient_id = p.id
        ORDER BY p.study_id, v.visit_date
        """
        by_patient: dict[str, list[tuple[Any, ...]]] = {}
        names: dict[str, tuple[str | None, str | None]] = {}
        with translated(self.path):
            for sid, given, family, day, label, base in self.db.conn.execute(sql):
                names[sid] = (given, family)
                rows = by_patient.setdefault(sid, [])
                if day is not None:
                    rows.append((dt.date.fromisoformat(day), label, bool(base)))
        out = []
        for sid, visits in by_patient.items():
            flagged = [d for d, _l, b in visits if b]
            baseline = flagged[0] if flagged else (visits[0][0] if visits else None)
            out.append(ScheduleInput(sid, *names[sid], baseline,
                                     tuple(label for _d, label, _b in visits),
                                     visits[-1][0] if visits else None))
        return out

    # ---------------------------------------------------------------- drafts
    def save_draft(self, key: str, payload_json: str) -> None:
        """Keep unsaved GUI entry (JSON text) under ``key``; replaces an older draft."""
        json.loads(payload_json)  # ValueError for text that is not JSON
        with self._write():
            self.db.conn.execute(
                "INSERT INTO drafts (key, payload, saved_at) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET payload = excluded.payload, saved_at = excluded.saved_at",
                (key, payload_json, _now()))

    def load_drafts(self) -> list[Draft]:
        with translated(self.path):
            rows = self.db.conn.execute(
                "SELECT key, payload, saved_at FROM drafts ORDER BY saved_at").fetchall()
        out = []
        for key, payload, saved_at in rows:  # damaged rows are skipped (`check` lists them)
            try:
                when = _parse_time(str(saved_at))
                json.loads(payload)
            except (ValueError, TypeError):
                continue
            out.append(Draft(key, payload, when))
        return out

    def discard_draft(self, key: str) -> None:
        with self._write():
            self.db.conn.execute("DELETE FROM drafts WHERE key = ?", (key,))

    # ---------------------------------------------------------------- history
    def audit_history(self, table: str, record_id: int) -> list[AuditEntry]:
        """Every audited change of one record, oldest first."""
        return self._history("a.table_name = ? AND a.record_id = ?", (table, record_id))

    def visit_history(self, visit_id: int) -> list[AuditEntry]:
        """Every audited change of one visit: header, values of every form, missing reasons."""
        marks = ",".join("?" * len(_VISIT_TABLES))
        return self._history(f"a.table_name IN ({marks}) AND a.record_id = ?",
                             (*_VISIT_TABLES, visit_id))

    def _history(self, where: str, params: Sequence[Any]) -> list[AuditEntry]:
        with translated(self.path):
            rows = self.db.conn.execute(
                "SELECT a.id, a.at, a.actor, a.action, a.table_name, a.record_id, a.context, "
                "c.field, c.old, c.new FROM audit a LEFT JOIN audit_changes c "
                f"ON c.audit_id = a.id WHERE {where} ORDER BY a.id, c.field", params).fetchall()
        return [AuditEntry(r[0], _parse_time(r[1]), *r[2:]) for r in rows]


def _from(f: Field | None, value: Any) -> Any:
    return value if f is None else schema.from_sql(f, value)


#: audit texts of stored values already converted: (id(field), type, value) -> text. The same
#: few values recur in every visit (grades, yes/no, round numbers); type is in the key because
#: 1, 1.0 and True are equal dict keys. _AUDIT_FIELDS keeps each field alive so ids stay valid.
_AUDIT_TEXTS: dict[tuple[int, type, Any], str | None] = {}
_AUDIT_FIELDS: dict[int, Field] = {}


def _sql_audit_text(f: Field, value: Any) -> str | None:
    """``schema.audit_text(schema.from_sql(f, value))``, remembered."""
    key = (id(f), type(value), value)
    try:
        return _AUDIT_TEXTS[key]
    except KeyError:
        pass
    text = schema.audit_text(schema.from_sql(f, value))
    if len(_AUDIT_TEXTS) > 50_000:
        _AUDIT_TEXTS.clear()
    _AUDIT_FIELDS.setdefault(id(f), f)
    _AUDIT_TEXTS[key] = text
    return text
