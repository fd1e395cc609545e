"""Patients, their medications and adverse events, the patient list, the case-file import and
the due list's inputs: the repository's patient part (see :mod:`storage.repository`)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from forms import course, registry, validation
from forms.fields import Level
from forms.i18n import _
from forms.model import AdverseEvent, Medication, Patient, Visit
from forms.scoring import Score
from forms.validation import Problem, Severity
from storage import schema
from storage.errors import (
    NotFound,
    ValidationFailed,
    translated,
)
from storage.repo_core import (
    CHUNK,
    RepositoryCore,
    ensure_actor,
    now,
    record_fields,
    sql_row,
)
from storage.repo_records import (
    CheckedVisit,
    ImportSummary,
    PatientSummary,
    SaveResult,
    ScheduleInput,
    VisitHeader,
)

if TYPE_CHECKING:
    pass


def _visit_day(visit: Visit) -> dt.date:
    return visit.visit_date


@functools.cache
def _record_readers(level: Level) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each registry field of a record level with :func:`storage.schema.reader` (chosen once:
    a cohort's read decodes every course of every patient)."""
    return tuple((f.name, schema.reader(f)) for f in record_fields(level))


def _read_record(readers: tuple[tuple[str, Callable[[Any], Any] | None], ...],
                 row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record's fields as ``schema.from_sql`` reads them."""
    out: dict[str, Any] = {}
    for name, read in readers:
        raw = row[name]
        out[name] = raw if raw is None or read is None else read(raw)
    return out


class PatientStore(RepositoryCore):
    """Patients with their records: add, update, delete, load, list and import."""

    def _patient_row(self, study_id: str) -> dict[str, Any]:
        rows = self._rows("SELECT * FROM patients WHERE study_id = ?", (study_id,))
        if not rows:
            raise NotFound(_("no patient with study ID {study_id}").format(
                study_id=repr(study_id)))
        return rows[0]

    def has_patient(self, study_id: str) -> bool:
        with translated(self.path):
            return bool(self.db.conn.execute("SELECT 1 FROM patients WHERE study_id = ?",
                                             (study_id,)).fetchone())

    def _check_patient(self, patient: Patient, today: dt.date | None) -> dict[str, Any]:
        check = validation.check_patient(patient.field_values(), today=today)
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
        actor = ensure_actor(actor)
        values = self._check_patient(patient, today)
        with self._write():
            if self.db.conn.execute("SELECT 1 FROM patients WHERE study_id = ?",
                                    (values["study_id"],)).fetchone():
                raise ValidationFailed([Problem("study_id", patient.study_id,
                                                "is already used by another patient")],
                                       f"patient {patient.study_id}")
            at = now()
            fields = record_fields(Level.PATIENT)
            pid = self._insert(actor, at, "patients", sql_row(fields, values), fields,
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
        actor = ensure_actor(actor)
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
            fields = record_fields(Level.PATIENT)
            self._ensure_dates_after_birth(old["id"], values.get("birth_date"),
                                           f"patient {values['study_id']}")
            changed = self._update(actor, now(), "patients", "id", old["id"], old,
                                   sql_row(fields, values), fields,
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
        actor = ensure_actor(actor)
        with self._write():
            row = self._patient_row(study_id)
            at = now()
            for vid in [r[0] for r in self.db.conn.execute(
                    "SELECT id FROM visits WHERE patient_id = ?", (row["id"],))]:
                self._delete_visit(vid, actor, at)
            for level in (Level.MEDICATION, Level.ADVERSE_EVENT):
                table = schema.RECORD_TABLES[level][0]
                for old in self._rows(f'SELECT * FROM "{table}" WHERE patient_id = ?',
                                      (row["id"],)):
                    self._delete(actor, at, table, "id", old["id"], old,
                                 record_fields(level), f"patient {study_id}")
            self._delete(actor, at, "patients", "id", row["id"], row,
                         record_fields(Level.PATIENT), f"patient {study_id}")

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
                                  "LIMIT ?", (last, CHUNK))
                if not rows:
                    return
                patients = self._load_patients(rows)
                if attach:
                    self._attach_derived(patients)
            yield from patients
            last = rows[-1]["study_id"]

    def patient_count(self) -> int:
        with translated(self.path):
            return int(self.db.conn.execute("SELECT count(*) FROM patients").fetchone()[0])

    def _load_patients(self, rows: list[dict[str, Any]]) -> list[Patient]:
        preaders = _record_readers(Level.PATIENT)
        patients: dict[int, Patient] = {}
        for row in rows:
            vals = _read_record(preaders, row)
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
        mreaders = _record_readers(Level.MEDICATION)
        for row in self._rows(f"SELECT * FROM medications WHERE patient_id IN ({marks}) "
                              "ORDER BY start_date, id", ids):
            vals = _read_record(mreaders, row)
            vals["notes"] = vals.get("notes") or ""
            patients[row["patient_id"]].medications.append(Medication(**vals, id=row["id"]))
        areaders = _record_readers(Level.ADVERSE_EVENT)
        for row in self._rows(f"SELECT * FROM adverse_events WHERE patient_id IN ({marks}) "
                              "ORDER BY onset_date, id", ids):
            vals = _read_record(areaders, row)
            patients[row["patient_id"]].adverse_events.append(AdverseEvent(**vals, id=row["id"]))
        return [patients[r["id"]] for r in rows]

    def list_patients(self) -> list[PatientSummary]:
        """Summaries for the GUI patient list, from stored values (fast at 5,000 patients)."""
        return [PatientSummary(*row) for row in self.patient_list_rows()]

    def patient_list_rows(self) -> list[tuple[Any, ...]]:
        """:meth:`list_patients` as plain tuples in :class:`PatientSummary` field order, sorted
        by study ID (the GUI builds its own rows from them: one object per patient, not two).
        See :func:`list_rows`."""
        with translated(self.path):
            return list_rows(self.db.conn)

    def _save_record(self, pid: int, level: Level, record: Medication | AdverseEvent,
                     actor: str, at: str, study_id: str) -> int:
        """Insert or update (by ``record.id``) one medication or adverse event."""
        table = schema.RECORD_TABLES[level][0]
        fields = record_fields(level)
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
        row = sql_row(fields, check.values)
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
        actor = ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            medication.id = self._save_record(pid, Level.MEDICATION, medication, actor, now(),
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
        actor = ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            rows = self._rows("SELECT * FROM medications WHERE id = ? AND patient_id = ?",
                              (medication_id, pid))
            if not rows:
                raise NotFound(f"patient {study_id} has no medication with id {medication_id}")
            vals = {f.name: schema.from_sql(f, rows[0][f.name])
                    for f in record_fields(Level.MEDICATION)}
            vals["notes"] = vals.get("notes") or ""
            old = Medication(**vals, id=medication_id)
            if new.start_date <= old.start_date:
                raise ValidationFailed([Problem(
                    "start_date", new.start_date,
                    f"must be after the start of the current dose ({old.start_date.isoformat()})",
                    label=registry.get("start_date", Level.MEDICATION).label)],
                    f"patient {study_id}, medication {old.drug}")
            at = now()
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
        actor = ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            event.id = self._save_record(pid, Level.ADVERSE_EVENT, event, actor, now(),
                                         study_id)
        return event.id

    def update_adverse_event(self, study_id: str, event: AdverseEvent, actor: str) -> int:
        if event.id is None:
            raise ValueError("update_adverse_event needs event.id")
        return self.record_adverse_event(study_id, event, actor)

    def delete_adverse_event(self, event_id: int, actor: str) -> None:
        self._delete_record(Level.ADVERSE_EVENT, event_id, actor)

    def _delete_record(self, level: Level, rid: int, actor: str) -> None:
        actor = ensure_actor(actor)
        table = schema.RECORD_TABLES[level][0]
        with self._write():
            rows = self._rows(f'SELECT r.*, p.study_id AS _sid FROM "{table}" r JOIN patients p'
                              f" ON p.id = r.patient_id WHERE r.id = ?", (rid,))
            if not rows:
                raise NotFound(f"no {table[:-1].replace('_', ' ')} with id {rid}")
            old = rows[0]
            name = old.get("drug") or old.get("term")
            self._delete(actor, now(), table, "id", rid, old, record_fields(level),
                         f"patient {old.pop('_sid')}, {table[:-1].replace('_', ' ')} {name}")

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
        actor = ensure_actor(actor)
        summary = ImportSummary()
        # each visit is scored once: the scores stored for it are its responses' scores too
        memo: dict[int, Mapping[str, Score]] = {}
        self._scores_memo = memo
        self._saved_visits = {}
        try:
            with self._write():
                self._import_patients(patients, actor, today, checked, summary, memo)
        finally:
            self._scores_memo = self._saved_visits = None
        return summary

    def _import_patients(self, patients: Sequence[Patient], actor: str,
                         today: dt.date | None, checked: Mapping[int, CheckedVisit] | None,
                         summary: ImportSummary, memo: dict[int, Mapping[str, Score]]) -> None:
        at = now()
        for patient in patients:
            values = self._check_patient(patient, today)
            fields = record_fields(Level.PATIENT)
            rows = self._rows("SELECT * FROM patients WHERE study_id = ?",
                              (values["study_id"],))
            context = f"patient {values['study_id']}"
            if rows:
                old = rows[0]
                pid = old["id"]
                self._ensure_dates_after_birth(pid, values.get("birth_date"), context)
                new = {k: v for k, v in sql_row(fields, values).items() if v is not None}
                if self._update(actor, at, "patients", "id", pid, old, new, fields, context):
                    summary.patients_updated += 1
            else:
                pid = self._insert(actor, at, "patients", sql_row(fields, values), fields,
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
                saved = self._saved_visits
                # a new patient's visits are all in memory as stored: not read back
                self._refresh_responses(pid, scores=memo, visits=None if rows or not saved
                                        else sorted(saved.values(), key=_visit_day))
            memo.clear()  # the next patient's visits are scored afresh
            if self._saved_visits is not None:
                self._saved_visits.clear()

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

    def schedule_inputs(self) -> list[ScheduleInput]:
        """Every patient's baseline date and visit labels (one query; for the due list)."""
        sql = """
        SELECT p.study_id, p.given_name, p.family_name, v.visit_date, v.visit_label, v.baseline
        FROM patients p LEFT JOIN visits v ON v.patient_id = p.id
        ORDER BY p.study_id, v.visit_date
        """
        by_patient: dict[str, list[VisitHeader]] = {}
        names: dict[str, tuple[str | None, str | None]] = {}
        with translated(self.path):
            for sid, given, family, day, label, base in self.db.conn.execute(sql):
                names[sid] = (given, family)
                rows = by_patient.setdefault(sid, [])
                if day is not None:
                    rows.append(VisitHeader(0, dt.date.fromisoformat(day), bool(base), label))
        out = []
        for sid, visits in by_patient.items():
            base = course.baseline_of(visits)
            out.append(ScheduleInput(sid, *names[sid], base.visit_date if base else None,
                                     tuple(v.label for v in visits),
                                     visits[-1].visit_date if visits else None))
        return out


#: the patient list in one pass (see :func:`list_rows`)
_LIST_SQL = """
        SELECT p.id, p.study_id, p.sex, p.autoantibody, p.given_name, p.family_name,
               p.birth_date,
               (SELECT count(*) FROM visits v WHERE v.patient_id = p.id) AS n,
               lv.visit_date AS last_date, lv.visit_label AS label,
               coalesce((SELECT d.value FROM derived_values d WHERE d.visit_id = lv.id
                          AND d.field = 'cmas_total'),
                 (SELECT d.value FROM visits v JOIN derived_values d ON d.visit_id = v.id
                 WHERE v.patient_id = p.id AND d.field = 'cmas_total' AND d.value IS NOT NULL
                 ORDER BY v.visit_date DESC LIMIT 1)) AS cmas_total,
               coalesce((SELECT d.value FROM derived_values d WHERE d.visit_id = lv.id
                          AND d.field = 'mmt8_total'),
                 (SELECT d.value FROM visits v JOIN derived_values d ON d.visit_id = v.id
                 WHERE v.patient_id = p.id AND d.field = 'mmt8_total' AND d.value IS NOT NULL
                 ORDER BY v.visit_date DESC LIMIT 1)) AS mmt8_total,
               r.value AS response,
               (SELECT d.value FROM derived_values d WHERE d.visit_id = r.visit_id
                 AND d.field = 'acr_eular_response_min') AS response_min,
               (SELECT d.value FROM derived_values d WHERE d.visit_id = r.visit_id
                 AND d.field = 'acr_eular_response_max') AS response_max,
               (SELECT d.value FROM derived_values d WHERE d.visit_id = r.visit_id
                 AND d.field = 'tis_measures') AS tis_measures,
               p.mrn
        FROM patients p
        LEFT JOIN visits lv ON lv.id = (SELECT v.id FROM visits v WHERE v.patient_id = p.id
                                         ORDER BY v.visit_date DESC LIMIT 1)
        LEFT JOIN derived_values r ON r.field = 'acr_eular_response' AND r.visit_id = coalesce(
            (SELECT d.visit_id FROM derived_values d WHERE d.visit_id = lv.id
              AND d.field = 'acr_eular_response' AND d.value IS NOT NULL),
            (SELECT v.id FROM visits v JOIN derived_values d
              ON d.visit_id = v.id AND d.field = 'acr_eular_response'
             WHERE v.patient_id = p.id AND d.value IS NOT NULL
             ORDER BY v.visit_date DESC LIMIT 1))
        ORDER BY p.study_id
        """


def list_rows(conn: Any) -> list[tuple[Any, ...]]:
    """The patient list's rows on ``conn`` (a DB-API connection to a current database), as
    :meth:`PatientStore.patient_list_rows` gives them; also read by
    :class:`storage.prefetch.ListPrefetch` on a connection of its own.

        One pass over the patients in study-ID order (their unique index), every figure of a
        patient read while its pages are fresh: its most recent visit is found once and
        joined, the most recent visit with a response (usually that one, else the latest
        earlier one) once, and every value is an index lookup (``visits`` by patient and date,
        ``derived_values`` by visit and field). CMAS and MMT-8 are read from the most recent
        visit first, and only when it lacks them from the latest visit that has them. (The
        earlier form, which materialised the patients before reading their figures, read every
        page twice: 70 -> 50 ms CPU at 5,000 patients x 4 visits, the same rows.)
    """
    return _list_tuples(conn.execute(_LIST_SQL))


#: the columns of :data:`_LIST_SQL`, in order
_LIST_COLUMNS = ("id, study_id, sex, autoantibody, given_name, family_name, birth_date, n, "
                 "last_date, label, cmas_total, mmt8_total, response, response_min, "
                 "response_max, tis_measures, mrn")
#: :data:`_LIST_SQL` as one JSON text: one step of SQLite, one Python string
_LIST_JSON_SQL = f"SELECT json_group_array(json_array({_LIST_COLUMNS})) FROM ({_LIST_SQL})"


def list_rows_json(conn: Any) -> str:
    """The rows of :func:`list_rows` as one JSON array of arrays, in no particular order
    (:class:`storage.prefetch.ListPrefetch` reads them so in a thread: SQLite builds the
    text without the GIL, where row by row the thread would take it back at every row).
    :func:`list_rows_from_json` makes the same rows of it."""
    return str(conn.execute(_LIST_JSON_SQL).fetchone()[0])


def list_rows_from_json(text: str) -> list[tuple[Any, ...]]:
    """The rows of :func:`list_rows` (the same values, types and order) from
    :func:`list_rows_json`'s text. Every column is an integer, a text or NULL, which JSON
    gives back as they were (the three totals are whole numbers read with ``int``)."""
    raw = json.loads(text)
    raw.sort(key=itemgetter(1))  # study IDs are unique; SQLite's binary order is code-point order
    return _list_tuples(raw)


def _list_tuples(raw: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    today = dt.date.today()
    fromiso = dt.date.fromisoformat
    out = []
    for (pid, sid, sex, ab, given, family, born_text, n, last, label, cmas, mmt8,
         resp, resp_min, resp_max, tis, mrn) in raw:
        born = fromiso(born_text) if born_text else None
        age = None
        if born is not None:  # days / 365.25 rounded down to 0.1, in integers
            age = Decimal((today - born).days * 40 // 1461).scaleb(-1)
        out.append((pid, sid, sex, ab, given, family, born, age, n,
                    fromiso(last) if last else None, label,
                    None if cmas is None else int(cmas),
                    None if mmt8 is None else int(mmt8), resp, resp_min, resp_max,
                    None if tis is None else int(tis), mrn))
    return out
