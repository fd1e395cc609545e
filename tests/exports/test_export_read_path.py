"""The bulk export's read path gives exactly what the plain conversions give, and the workbook
written from a database is byte-for-byte the workbook of the same patients in memory.

``Repository.iter_patients(with_derived=True)`` reads a cohort column by column in one query
(storage/repo_visits.py) and the stored derived values without their reasons
(``derived_values_many``); bench/bench_exports.py times this path. Here every value is compared
with a reference read one value at a time through ``storage.schema.from_sql`` (type, text and
order of the values), and the workbook's sheets with those written from the export factory's
patients in memory, rescored (no storage involved).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from export_factory import make_cohort, make_patient

from exports.excel import write_workbook
from forms import registry
from forms.fields import Level
from forms.model import Patient, Visit
from storage import schema
from storage.repository import Repository

FAR_FUTURE = dt.date(2100, 1, 1)  # the factory's later visits may lie after today


def _cohort() -> list[Patient]:
    patients = make_cohort(6, 8)
    chaq = [n for d in registry.CHAQ_DOMAINS for n in registry.chaq_domain_items(d)]
    # CHAQ "not applicable" (an ANY column holding text among integers)
    patients[1].visits[2].values[chaq[0]] = "na"
    patients[1].visits[3].values[chaq[4]] = "na"
    # a visit with no values at all, and one with a single form
    patients[2].visits.append(Visit(dt.date(2030, 5, 1), "unscheduled"))
    patients[2].visits.append(Visit(dt.date(2030, 6, 1), "unscheduled",
                                    values={"phys_global": Decimal("2.5")}))
    # a patient without visits, and one whose visits fill no values table but one
    patients.append(Patient("Q-EMPTY", sex="male"))
    patients.append(Patient("Q-ONE", sex="female", visits=[
        Visit(dt.date(2024, 1, 5), "M0", values={"cmas_situps": 3,
                                                 "weight_kg": Decimal("30.10")}),
        Visit(dt.date(2024, 4, 5), "M3", values={"cmas_situps": 4})]))
    return patients


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    path = tmp_path_factory.mktemp("read") / "clinic.sqlite"
    with Repository(path) as repo:
        repo.import_patients(_cohort(), "tester", today=FAR_FUTURE)
        yield repo


def _typed(values: dict[str, Any]) -> list[tuple[str, type, str]]:
    return [(k, type(v), str(v)) for k, v in values.items()]


def _reference_values(repo: Repository, visit_id: int) -> dict[str, Any]:
    """A visit's values read one value at a time (the plain conversion, table order)."""
    out: dict[str, Any] = {}
    for table, fields in schema.value_tables().items():
        by_name = {f.name: f for f in fields}
        cur = repo.db.conn.execute(f'SELECT * FROM "{table}" WHERE visit_id = ?', (visit_id,))
        names = [d[0] for d in cur.description]
        for row in cur:
            for name, raw in zip(names[1:], row[1:], strict=True):
                if raw is not None:
                    out[name] = schema.from_sql(by_name[name], raw)
    return out


def test_every_value_reads_back_as_from_sql_gives_it(repo: Repository) -> None:
    patients = list(repo.iter_patients(with_derived=True))
    assert [p.study_id for p in patients][-2:] == ["Q-EMPTY", "Q-ONE"]
    visits = [v for p in patients for v in p.visits]
    assert len(visits) == 6 * 8 + 2 + 2
    kinds: set[type] = set()
    for visit in visits:
        assert visit.id is not None
        assert _typed(visit.values) == _typed(_reference_values(repo, visit.id))
        kinds.update(type(v) for v in visit.values.values())
        header = repo.db.conn.execute(
            "SELECT visit_date, visit_label, baseline, notes FROM visits WHERE id = ?",
            (visit.id,)).fetchone()
        assert (visit.visit_date.isoformat(), visit.visit_label, int(visit.baseline),
                visit.notes) == tuple(header)
        assert visit.missing == dict(repo.db.conn.execute(
            "SELECT field, reason FROM visit_missing WHERE visit_id = ?", (visit.id,)))
    assert {int, Decimal, bool, str} <= kinds  # every kind of conversion was exercised
    assert any(v.values == {} for v in visits)
    assert "na" in [v.values.get(n) for v in visits for n in v.values]
    q_one = patients[-1].visits[0].values
    assert q_one == {"weight_kg": Decimal("30.1"), "cmas_situps": 3}


def test_patients_and_their_records_read_back_as_from_sql_gives_them(repo: Repository) -> None:
    def reference(table: str, level: Level, where: str, key: object) -> list[dict[str, Any]]:
        """Each stored row of ``table`` as field -> from_sql(value), in id order."""
        fields = schema.record_fields(level)
        cur = repo.db.conn.execute(f"SELECT * FROM {table} WHERE {where} = ? ORDER BY id",
                                   (key,))
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur]
        return [{f.name: schema.from_sql(f, r[f.name]) for f in fields} for r in rows]

    def record(obj: object, level: Level) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in schema.record_fields(level)}

    checked = 0
    for p in repo.iter_patients(with_derived=True):
        (want,) = reference("patients", Level.PATIENT, "study_id", p.study_id)
        got = {k: v for k, v in p.field_values().items() if v is not None}
        assert _typed(got) == _typed({k: v for k, v in want.items() if v is not None})
        meds = sorted(p.medications, key=lambda m: m.id or 0)
        wanted = reference("medications", Level.MEDICATION, "patient_id", p.id)
        for w in wanted:
            w["notes"] = w["notes"] or ""  # a course without notes has "" (as saved)
        assert [_typed(w) for w in wanted] == [_typed(record(m, Level.MEDICATION))
                                               for m in meds]
        events = sorted(p.adverse_events, key=lambda a: a.id or 0)
        assert [_typed(w) for w in reference("adverse_events", Level.ADVERSE_EVENT,
                                             "patient_id", p.id)] == [
            _typed(record(a, Level.ADVERSE_EVENT)) for a in events]
        checked += len(meds) + len(events)
    assert checked > 20


def test_stored_derived_values_read_back_as_get_derived_many_gives_them(
        repo: Repository) -> None:
    visits = [v for p in repo.iter_patients(with_derived=True) for v in p.visits]
    reference = repo.get_derived_many([v.id for v in visits if v.id is not None])
    kinds: set[type] = set()
    for visit in visits:
        assert visit.derived is not None and visit.id is not None
        expected = {name: d.value for name, d in reference.get(visit.id, {}).items()}
        assert _typed(visit.derived) == _typed(expected)
        kinds.update(type(v) for v in visit.derived.values())
    assert {int, Decimal, str, type(None)} <= kinds


def _sheets(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/")}


@pytest.mark.parametrize("identified", [False, True])
def test_workbook_from_the_database_is_the_workbook_of_the_patients_in_memory(
        repo: Repository, tmp_path: Path, identified: bool) -> None:
    """Storage read, stored derived values and the export's own rows, against the factory's
    patients rescored in memory: the same bytes in every sheet."""
    settings = repo.scoring_settings()
    in_memory = _cohort()
    for p in in_memory:  # storage lists a patient's courses by start date
        p.medications.sort(key=lambda m: m.start_date)
    a, b = tmp_path / "db.xlsx", tmp_path / "memory.xlsx"
    write_workbook(repo.iter_patients(with_derived=True), a, identified=identified,
                   settings=settings)
    write_workbook(in_memory, b, identified=identified, settings=settings)
    from_db, from_memory = _sheets(a), _sheets(b)
    assert from_db.keys() == from_memory.keys()
    for name in from_db:
        assert from_db[name] == from_memory[name], name
    assert len(from_db["xl/worksheets/sheet2.xml"]) > 100_000  # the visits are there


def test_a_patient_of_many_visits_reads_back_in_one_piece(tmp_path: Path) -> None:
    """More visits than one chunk of missing-reason lookups (900)."""
    patient = make_patient("P-LONG", 8, seed=3)
    extra = [Visit(patient.visits[-1].visit_date + dt.timedelta(days=7 * i), "unscheduled",
                   values={"cmas_situps": i % 6}, missing={"chq_phs": "not_done"})
             for i in range(1, 901)]
    patient.visits.extend(extra)
    with Repository(tmp_path / "long.sqlite") as repo:
        repo.import_patients([patient], "tester", today=FAR_FUTURE)
        (back,) = repo.iter_patients(with_derived=True)
        assert len(back.visits) == 908
        assert all(v.missing.get("chq_phs") == "not_done" for v in back.visits[8:])
        assert [v.values for v in back.visits[8:]] == \
            [{"cmas_situps": i % 6} for i in range(1, 901)]
        assert all(v.derived for v in back.visits)
