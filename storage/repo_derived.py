"""The derived-value cache: each visit's scores and each follow-up's responses stored in
``derived_values`` with the rule versions that computed them, recomputed when a visit, the
baseline, the rules or the scoring settings change."""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from forms import course, registry, scoring
from forms.fields import FieldType, Level
from forms.i18n import in_language
from forms.model import Patient, Visit
from forms.scoring import Score
from forms.settings import ScoringSettings
from storage import audit_chain, schema, signoff
from storage.errors import (
    translated,
)
from storage.repo_core import (
    CHUNK,
    RepositoryCore,
)
from storage.repo_records import (
    DerivedValue,
)

if TYPE_CHECKING:
    pass

_DERIVED_VISIT = tuple(f.name for f in registry.visit_fields(derived=True))
_DERIVED_RESPONSE = tuple(f.name for f in registry.fields_for(level=Level.RESPONSE,
                                                              derived=True))
_FINGERPRINT_KEY = "_derived_fingerprint"


def derived_to_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, Decimal):
        return float(value)
    return value


def derived_from_sql(name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = _derived_kind(name)
    if kind is FieldType.DECIMAL:
        return schema.decimal_from_real(value)
    if kind is FieldType.INTEGER:
        return value if type(value) is int else int(value)
    return value


_OTHER = object()  #: a derived field :func:`_derived_readers` does not know


@functools.cache
def _derived_readers() -> dict[str, FieldType | None]:
    """Derived field name -> DECIMAL or INTEGER (converted as :func:`derived_from_sql`
    does), or None (its stored value is the value)."""
    out: dict[str, FieldType | None] = {}
    for f in (*registry.visit_fields(derived=True),
              *registry.fields_for(level=Level.RESPONSE, derived=True)):
        out[f.name] = f.type if f.type in (FieldType.DECIMAL, FieldType.INTEGER) else None
    return out


@functools.cache
def _derived_kind(name: str) -> FieldType:
    """The type of derived field ``name`` (looked up once: a cohort's read asks per value)."""
    return registry.get(name).type


def _insert_derived(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """``derived_values`` rows (visit, field, value, reason, rule version), in order, many
    per statement (``audit_chain.insert_rows``: less of SQLite's time per row than
    ``executemany``; the same rows, each checked by the sign-off trigger as before)."""
    flat: list[object] = []
    for row in rows:
        flat += row
    audit_chain.insert_rows(
        conn, "derived_values (visit_id, field, value, missing_reason, rule_version)", 5, flat)


class DerivedCache(RepositoryCore):
    """Stored scores and responses (a cache of forms.scoring and forms.response)."""

    def _attach_derived(self, patients: Sequence[Patient]) -> None:
        visits = [v for p in patients for v in p.visits if v.id is not None]
        stored = self.derived_values_many([v.id for v in visits if v.id is not None])
        for visit in visits:
            visit.derived = stored.get(visit.id or 0, {})

    def derived_values_many(self, visit_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The stored derived values of many visits: visit id -> field -> value (what
        :meth:`get_derived_many` gives as ``.value``, without its reasons and versions).

        A cohort's read (bulk exports) asks this for every visit, so only the values are
        read, each field's conversion is looked up once per row, and equal stored decimals
        are converted once per chunk."""
        out: dict[int, dict[str, Any]] = {}
        ids = list(visit_ids)
        readers = _derived_readers()
        with translated(self.path):
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                marks = ",".join("?" * len(chunk))
                memo: dict[Any, Decimal] = {}
                values: dict[str, Any] = {}
                last: int | None = None
                for vid, name, value in self.db.conn.execute(
                        "SELECT visit_id, field, value FROM derived_values WHERE visit_id IN "
                        f"({marks})", chunk):
                    if vid != last:
                        values = out.setdefault(vid, {})
                        last = vid
                    if value is not None:
                        kind = readers.get(name, _OTHER)
                        if kind is FieldType.DECIMAL:
                            number = memo.get(value)
                            if number is None:
                                number = memo[value] = schema.decimal_from_real(value)
                            value = number
                        elif kind is not None and (kind is _OTHER or type(value) is not int):
                            value = derived_from_sql(name, value)
                    values[name] = value
        return out

    @staticmethod
    def score_rows(vid: int, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The ``derived_values`` rows of one visit's scores: (visit, field, value, reason,
        rule version), as stored (reasons in English, whatever the GUI shows)."""
        return DerivedCache._score_rows(vid, DerivedCache._stored_scores(values))

    @staticmethod
    def _stored_scores(values: Mapping[str, Any]) -> dict[str, Score]:
        with in_language("en"):
            return scoring.score_visit(values)

    @staticmethod
    def _score_rows(vid: int, scores: Mapping[str, Score]) -> list[tuple[Any, ...]]:
        return [(vid, name, derived_to_sql(s.value), s.missing_reason or "",
                 s.rule_version or scoring.RULE_VERSIONS.get(name, "")) for name, s in
                scores.items()]

    def _store_scores(self, vid: int, values: Mapping[str, Any], *,
                      inserted: bool = False) -> None:
        """Score a visit and store its scores (``inserted``: the visit row was just inserted,
        so it has no derived values to replace: ``derived_values`` references it)."""
        scores = self._stored_scores(values)
        if self._scores_memo is not None:
            self._scores_memo[vid] = scores
        if not inserted:
            marks = ",".join("?" * len(_DERIVED_VISIT))
            self.db.conn.execute(f"DELETE FROM derived_values WHERE visit_id = ? AND field IN "
                                 f"({marks})", (vid, *_DERIVED_VISIT))
        _insert_derived(self.db.conn, self._score_rows(vid, scores))

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

    def _refresh_responses(self, pid: int, only: int | None = None, *,
                           scores: Mapping[int, Mapping[str, Score]] | None = None,
                           visits: Sequence[Visit] | None = None) -> None:
        """Recompute the follow-up visits' response values against the baseline.

        Args:
            pid: the patient.
            only: recompute just this visit (the baseline is unchanged), else every visit.
            scores: visit id -> the scores :meth:`_store_scores` just stored for that visit
                (an import), not computed again for the responses.
            visits: every visit of the patient as just stored, in date order (an import of
                a new patient), instead of reading them back.
        """
        if visits is None:
            visits = [v for v, _ in self._load_visits([pid])]
        frozen = self._signed_ids([v.id for v in visits])  # signed: kept as verified
        ids = [v.id for v in visits if (only is None or v.id == only) and v.id not in frozen]
        if ids:
            marks = ",".join("?" * len(ids))
            rmarks = ",".join("?" * len(_DERIVED_RESPONSE))
            self.db.conn.execute(
                f"DELETE FROM derived_values WHERE visit_id IN ({marks}) AND field IN "
                f"({rmarks})", (*ids, *_DERIVED_RESPONSE))
        rows = [r for r in self.response_rows(visits, self.scoring_settings(), only,
                                              scores=scores)
                if r[0] not in frozen]
        _insert_derived(self.db.conn, rows)

    @staticmethod
    def response_rows(visits: Sequence[Visit], settings: ScoringSettings,
                      only: int | None = None, *,
                      scores: Mapping[int, Mapping[str, Score]] | None = None,
                      ) -> list[tuple[Any, ...]]:
        """The ``derived_values`` rows of the follow-ups' responses against the baseline
        (``scores``: visit id -> scores already computed, in English, for those visits)."""
        # the baseline and its follow-ups are forms.course's to decide (the one rule); stored
        # reasons are English, whatever language the GUI shows
        with in_language("en"):
            # without the words for people: the same values and TIS summary, less work
            base, compared = course.responses_of(visits, settings, only, scores=scores,
                                                 explain=False)
        if base is None:
            return []
        label = base.visit_label or base.visit_date.isoformat()
        rows: list[tuple[Any, ...]] = []
        for v, resp in compared:
            computed = {"baseline_label": label, **resp.response_values()}
            for name in _DERIVED_RESPONSE:
                if name not in computed:
                    continue
                value = computed[name]
                reason = "" if value is not None else (
                    resp.tis.summary[:300] if name == "tis" else "not computable")
                rows.append((v.id, name, derived_to_sql(value), reason,
                             scoring.RULE_VERSIONS.get(name, "")))
        return rows

    def get_derived(self, visit_id: int) -> dict[str, DerivedValue]:
        """The stored derived values of one visit (scores and, for follow-ups, responses)."""
        with translated(self.path):
            rows = self.db.conn.execute(
                "SELECT field, value, missing_reason, rule_version FROM derived_values "
                "WHERE visit_id = ?", (visit_id,)).fetchall()
        return {name: DerivedValue(name, derived_from_sql(name, value), reason, version)
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
                        name, derived_from_sql(name, value), reason, version)
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
            for start in range(0, len(pids), CHUNK):
                chunk = pids[start:start + CHUNK]
                for visit, _pid in self._load_visits(chunk):
                    if visit.id in stale_set:
                        self._store_scores(visit.id or 0, visit.values)
                for pid in chunk:
                    self._refresh_responses(pid)
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (_FINGERPRINT_KEY, current))
        return len(stale)

