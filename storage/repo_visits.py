"""Visits: save (validated, audited, with its scores and the patient's responses), delete,
load, and the baseline guard for signed visits: the repository's visit part."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from forms import course, registry, validation
from forms.fields import Field, FieldType
from forms.model import Visit
from forms.protocol import UNSCHEDULED, canonical_label
from forms.validation import Problem, Severity
from storage import audit_chain, schema, signoff
from storage.errors import (
    NotFound,
    SignedVisitLocked,
    ValidationFailed,
    translated,
)
from storage.repo_core import (
    RepositoryCore,
    _insert_sql,
    ensure_actor,
    now,
)
from storage.repo_records import (
    CheckedVisit,
    SaveResult,
    VisitHeader,
)

if TYPE_CHECKING:
    pass



#: per field: value -> (its type, stored value, audit text, its change row's JSON in the
#: hash; text and JSON None when the value is not audited: None or ""). The same few values
#: recur in every visit (grades, yes/no, round numbers). The type is kept with the entry
#: because 1, 1.0 and True are equal dict keys: a hit of another type is converted again.
_ValueMemo = dict[Any, tuple[type, Any, "str | None", "str | None"]]


@functools.cache
def _value_plan() -> tuple[tuple[str, tuple[tuple[str, _ValueMemo, Field], ...]], ...]:
    """Each values table with its fields sorted by name (the audit chain's order), each as
    (name, its memo of converted values, field)."""
    return tuple((table, tuple((f.name, {}, f) for f in sorted(fields, key=_name)))
                 for table, fields in schema.value_tables().items())


def _name(f: Field) -> str:
    return f.name


_ABSENT = object()  #: a value no visit holds


def _stored_and_audited(f: Field, value: Any, memo: _ValueMemo,
                        ) -> tuple[type, Any, str | None, str | None]:
    """``schema.to_sql`` of a value, and the text and JSON :meth:`_insert_many` audits it
    with (``sql_audit_text``: the stored value read back), remembered in the field's
    ``memo`` for the next visit.

    Equal values of one type are stored alike (a Decimal's exponent does not reach its
    float), except the sign of a zero (``Decimal("-0")`` is stored as -0.0): a zero that is
    not an int is never remembered."""
    stored = schema.to_sql(f, value)
    if stored is None or stored == "":
        hit: tuple[type, Any, str | None, str | None] = (type(value), stored, None, None)
    else:
        text = schema.audit_text(schema.from_sql(f, stored))
        hit = (type(value), stored, text, audit_chain.change_json(f.name, None, text))
    if value == 0 and type(value) is not int and type(value) is not bool:
        return hit
    try:
        hash(value)
    except TypeError:
        return hit
    if len(memo) > 5_000:  # bounded: the few values a field takes, or a hostile file's many
        memo.clear()
    memo[value] = hit
    return hit


_WHOLE = frozenset({int, type(None)})  #: a column of these holds integer values as they are

#: the visit columns :meth:`VisitStore._load_visits` reads before the values tables' columns
_VISIT_COLUMNS = ("id", "patient_id", "visit_date", "visit_label", "baseline", "notes")


@functools.cache
def _visits_sql() -> str:
    """One row per visit: its header, then every values table's columns (``t.*``, in the
    order of :func:`storage.schema.value_tables`: the order a visit's values are kept in),
    NULL where the visit has no row in that table."""
    tables = list(schema.value_tables())
    head = ", ".join(f'v."{c}"' for c in _VISIT_COLUMNS)
    parts = [f"SELECT {head}, " + ", ".join(f"t{i}.*" for i in range(len(tables)))
             + ' FROM "visits" v']
    parts += [f'LEFT JOIN "{t}" t{i} ON t{i}."visit_id" = v."id"'
              for i, t in enumerate(tables)]
    return " ".join(parts) + ' WHERE v."patient_id" IN ({marks}) ORDER BY v."patient_id", ' \
        'v."visit_date"'


@functools.cache
def _value_columns(columns: tuple[str, ...],
                   ) -> tuple[tuple[int, ...], tuple[tuple[int, Any, bool], ...]]:
    """For the columns of :func:`_visits_sql`: the positions of the values (each values
    table's ``visit_id`` left out), and those that need converting, each as (position,
    :func:`storage.schema.reader`, is an integer field)."""
    fields = {f.name: f for f in registry.visit_value_fields()}
    keep: list[int] = []
    plan: list[tuple[int, Any, bool]] = []
    for i, name in enumerate(columns):
        if i < len(_VISIT_COLUMNS) or name == "visit_id":
            continue
        keep.append(i)
        f = fields[name]
        read = schema.reader(f)
        if read is not None:
            plan.append((i, read, f.type is FieldType.INTEGER))
    return tuple(keep), tuple(plan)


def _read_columns(cols: list[tuple[Any, ...]], plan: tuple[tuple[int, Any, bool], ...],
                  ) -> None:
    """Read the stored values of the columns ``plan`` names (``cols``: one tuple per column)
    back as ``schema.from_sql`` reads them, in place; NULLs stay None. Each distinct stored
    value is read once (equal numbers read back alike: 1 and 1.0 are one Decimal)."""
    for i, read, whole in plan:
        col = cols[i]
        if whole and _WHOLE.issuperset(map(type, col)):
            continue  # a STRICT INTEGER column holds ints: the values themselves
        found = dict.fromkeys(col)
        for raw in found:
            if raw is not None:
                found[raw] = raw if whole and type(raw) is int else read(raw)
        cols[i] = tuple(map(found.__getitem__, col))


class VisitStore(RepositoryCore):
    """Visits of a patient: save, delete and load them."""

    def _load_visits(self, patient_ids: list[int]) -> list[tuple[Visit, int]]:
        """Visits of the given patients in date order, with values and missing reasons.

        A cohort's read (exports) passes here once per stored value, so the visits and all
        their values tables come in one query (:func:`_visits_sql`), read column by column:
        a column whose stored values are the values themselves (text, choices, a STRICT
        table's integers, checked by type in one pass) is taken as it is, the others are
        converted, equal stored numbers once (:func:`_read_columns`); each visit's values
        are then one dict of its non-NULL cells, in the order of the tables and columns."""
        if not patient_ids:
            return []
        conn = self.db.conn
        cur = conn.execute(_visits_sql().format(marks=",".join("?" * len(patient_ids))),
                           patient_ids)
        rows = cur.fetchall()
        if not rows:
            return []
        columns = tuple(d[0] for d in cur.description)
        keep, plan = _value_columns(columns)
        count = len(rows)
        cols = list(zip(*rows, strict=True))
        del rows  # one copy of a chunk's cells at a time
        # the columns with a value (a form nobody filled has none), as they are read back
        keep = tuple(i for i in keep if cols[i].count(None) < count)
        kept = frozenset(keep)
        _read_columns(cols, tuple(p for p in plan if p[0] in kept))
        names = [columns[i] for i in keep]
        stored_rows = (zip(*[cols[i] for i in keep], strict=True) if keep
                       else itertools.repeat((), count))
        visits: dict[int, Visit] = {}
        out: list[tuple[Visit, int]] = []
        iso = dt.date.fromisoformat
        for vid, pid, date, label, baseline, notes, stored in zip(
                *cols[:len(_VISIT_COLUMNS)], stored_rows, strict=True):
            v = Visit(visit_date=iso(date), visit_label=label, baseline=bool(baseline),
                      values={name: value for name, value in zip(names, stored, strict=True)
                              if value is not None},
                      notes=notes, id=vid)
            visits[vid] = v
            out.append((v, pid))
        vids = list(visits)
        for start in range(0, len(vids), 900):
            chunk = vids[start:start + 900]
            vmarks = ",".join("?" * len(chunk))
            for vid, name, reason in conn.execute(
                    f"SELECT visit_id, field, reason FROM visit_missing WHERE visit_id IN "
                    f"({vmarks})", chunk):
                visits[vid].missing[name] = reason
        return out

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
        actor = ensure_actor(actor)
        with self._write():
            pid = self._patient_row(study_id)["id"]
            base_before = self._baseline_id(pid)
            result = self._save_visit(pid, visit, actor, now(), today)
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
        """The visit responses are measured from (:func:`forms.course.baseline_of`)."""
        headers = [VisitHeader(int(i), dt.date.fromisoformat(d), bool(b)) for i, d, b in
                   self.db.conn.execute("SELECT id, visit_date, baseline FROM visits "
                                        "WHERE patient_id = ?", (pid,))]
        base = course.baseline_of(headers)
        return None if base is None else base.id

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
        values = dict(check.values)  # the entered values without the visit's header
        for key in registry.VISIT_KEYS:
            values.pop(key, None)
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
        changed += self._replace_missing(vid, check.missing, actor, at, context,
                                         inserted=old_header is None)
        self._store_scores(vid, values, inserted=old_header is None)
        if self._saved_visits is not None:  # an import: what _load_visits would read back
            self._saved_visits[vid] = Visit(
                check.values["visit_date"], label, bool(visit.baseline), dict(values),
                dict(check.missing), header["notes"], vid)
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
        if inserted:  # no rows to compare with: every table's row and audit row at once
            return self._insert_values(vid, values, actor, at, context)
        for table, fields in schema.value_tables().items():
            new = {f.name: schema.to_sql(f, values[f.name]) for f in fields if f.name in values}
            rows = self._rows(f'SELECT * FROM "{table}" WHERE visit_id = ?', (vid,))
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

    def _insert_values(self, vid: int, values: Mapping[str, Any], actor: str, at: str,
                       context: str) -> int:
        """A just-inserted visit's value rows, one per values table that has a value, each
        with its audit row: the rows, audit rows and hashes :meth:`_insert_many` writes for
        them (tests/storage/test_fast_import.py), with less work per value: each (field,
        value)'s stored value, audit text and JSON in the hash are remembered
        (:func:`_stored_and_audited`), and the change rows are built in the canonical order
        (:class:`storage.audit_chain.SortedChanges`).

        Returns:
            How many values were written.
        """
        me = self.account  # on an encrypted file the signed-in account is the actor
        who = me.actor if me is not None else actor
        conn = self.db.conn
        entries: list[tuple[audit_chain.AuditRow, audit_chain.SortedChanges]] = []
        changed = 0
        for table, fields in _value_plan():  # each table's fields sorted by name
            names: list[str] = ["visit_id"]
            stored: list[Any] = [vid]
            audited: list[str] = []
            texts: list[str | None] = []
            parts: list[str] = []
            for name, memo, f in fields:
                value = values.get(name, _ABSENT)
                if value is _ABSENT:
                    continue
                try:
                    hit = memo.get(value)
                except TypeError:  # unhashable: converted below, not remembered
                    hit = None
                if hit is None or hit[0] is not type(value):
                    hit = _stored_and_audited(f, value, memo)
                names.append(name)
                stored.append(hit[1])
                if hit[3] is not None:
                    audited.append(name)
                    texts.append(hit[2])
                    parts.append(hit[3])
            if len(names) == 1:
                continue
            conn.execute(_insert_sql(table, tuple(names)), stored)
            changed += len(names) - 1
            entries.append(((at, who, "insert", table, vid, context),
                            audit_chain.SortedChanges(audited, texts, ",".join(parts))))
        audit_chain.append_many(conn, entries)
        return changed

    def _replace_missing(self, vid: int, missing: Mapping[str, str], actor: str, at: str,
                         context: str, *, inserted: bool = False) -> int:
        """Write a visit's missing reasons (``inserted``: the visit row was just inserted, so
        it has none to compare with: ``visit_missing`` references it)."""
        old = {} if inserted else dict(self.db.conn.execute(
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
        actor = ensure_actor(actor)
        with self._write():
            row = self.db.conn.execute("SELECT patient_id FROM visits WHERE id = ?",
                                       (visit_id,)).fetchone()
            if row is None:
                raise NotFound(f"no visit with id {visit_id}")
            before = self._baseline_id(row[0])
            self._delete_visit(visit_id, actor, now())
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

