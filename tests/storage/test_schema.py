"""The migrated schema matches what the current registry needs, and its CHECKs hold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from forms import registry
from forms.fields import Level
from storage import schema
from storage.database import open_database


@pytest.fixture
def db(tmp_path: Path) -> Database:
    d = open_database(tmp_path / "s.sqlite")
    yield d
    d.close()


def test_fresh_database_has_exactly_the_registry_columns(db: Database) -> None:
    """Adding a field to the registry without a migration fails here (see schema.py)."""
    fixed = {"patients": {"id"}, "visits": {"id", "patient_id", "baseline", "notes"},
             "medications": {"id", "patient_id"}, "adverse_events": {"id", "patient_id"}}
    for table, columns in schema.expected_columns().items():
        assert db[table].exists(), f"table {table} missing: write a migration"
        actual = {c for c in db[table].columns_dict
                  if c not in fixed.get(table, {"visit_id"})}
        wanted = {c.name for c in columns}
        assert actual == wanted, (
            f"{table}: registry needs {sorted(wanted - actual)}, database has extra "
            f"{sorted(actual - wanted)}; add a migration (python -m storage.schema --diff DB)")
    value_tables = {t for t in db.table_names() if t.startswith(schema.VALUE_TABLE_PREFIX)}
    assert value_tables == set(schema.value_tables())


def test_every_entered_field_has_exactly_one_column(db: Database) -> None:
    seen: dict[str, str] = {}
    for table in schema.value_tables():
        for col in db[table].columns_dict:
            if col != "visit_id":
                assert col not in seen, f"{col} in {seen.get(col)} and {table}"
                seen[col] = table
    assert set(seen) == {f.name for f in registry.visit_value_fields()}


def test_checks_and_types_match_the_registry(db: Database) -> None:
    for table, columns in schema.expected_columns().items():
        declared = {c.column: c.check for c in db[table].checks if c.column}
        types = {name: t for name, t in
                 ((r[1], r[2]) for r in db.execute(f'PRAGMA table_info("{table}")'))}
        for col in columns:
            assert types[col.name] == col.sql_type, (table, col.name)
            if col.check:
                assert declared.get(col.name) == col.check, (table, col.name)


@pytest.mark.parametrize("table", ["patients", "visits", "values_cmas", "values_chaq",
                                   "derived_values", "audit", "drafts"])
def test_tables_are_strict(db: Database, table: str) -> None:
    assert db[table].strict


def _visit(db: Database) -> int:
    db.execute("INSERT INTO patients (id, study_id) VALUES (1, 'P1')")
    db.execute("INSERT INTO visits (id, patient_id, visit_date) VALUES (1, 1, '2021-01-01')")
    return 1


@pytest.mark.parametrize(("table", "column", "value"), [
    ("values_cmas", "cmas_leg_raise", 3),
    ("values_cmas", "cmas_leg_raise", -1),
    ("values_cmas", "cmas_leg_raise", 1.5),
    ("values_chaq", "chaq_dress", 4),
    ("values_chaq", "chaq_dress", "NA"),
    ("values_chaq", "chaq_dress", 1.5),
    ("values_global", "phys_global", 10.5),
    ("values_skin", "skin_heliotrope", "maybe"),
    ("values_chaq", "chaq_aid_walking", 2),
    ("values_labs", "ck_uln", 5000.0),
])
def test_check_constraints_refuse_bad_values(db: Database, table: str, column: str,
                                             value: object) -> None:
    vid = _visit(db)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(f'INSERT INTO "{table}" (visit_id, "{column}") VALUES (?, ?)', (vid, value))


@pytest.mark.parametrize(("table", "column", "value"), [
    ("values_cmas", "cmas_leg_raise", 2),
    ("values_chaq", "chaq_dress", "na"),
    ("values_chaq", "chaq_dress", 3),
    ("values_global", "phys_global", 10.0),
])
def test_check_constraints_accept_good_values(db: Database, table: str, column: str,
                                              value: object) -> None:
    vid = _visit(db)
    db.execute(f'INSERT INTO "{table}" (visit_id, "{column}") VALUES (?, ?)', (vid, value))
    assert db.execute(f'SELECT "{column}" FROM "{table}"').fetchone()[0] == value


@pytest.mark.parametrize(("column", "value"), [
    ("study_id", "has space"), ("study_id", "x" * 33), ("study_id", ""),
])
def test_patient_checks(db: Database, column: str, value: str) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(f'INSERT INTO patients ("{column}") VALUES (?)', (value,))


def test_dates_must_be_iso(db: Database) -> None:
    db.execute("INSERT INTO patients (id, study_id) VALUES (1, 'P1')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO visits (patient_id, visit_date) VALUES (1, '2021-1-1')")


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO visits (patient_id, visit_date) VALUES (99, '2021-01-01')")


def test_audit_is_append_only(db: Database) -> None:
    db.execute("INSERT INTO audit (at, actor, action, table_name, record_id) VALUES "
               "('2021-01-01T00:00:00Z', 'me', 'insert', 'patients', 1)")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_missing_columns_reports_a_new_field() -> None:
    existing = {t: {c.name for c in cols} for t, cols in schema.expected_columns().items()}
    existing["values_cmas"].discard("cmas_pick_up")
    statements = schema.missing_columns(existing)
    assert statements == [
        'ALTER TABLE "values_cmas" ADD COLUMN "cmas_pick_up" INTEGER '
        'CHECK ("cmas_pick_up" >= 0 AND "cmas_pick_up" <= 3);']


def test_record_tables_cover_their_levels() -> None:
    for level, (table, _fixed) in schema.RECORD_TABLES.items():
        names = [c.name for c in schema.expected_columns()[table]]
        assert names == [f.name for f in registry.fields_for(level=level, derived=False)]
    assert Level.MEDICATION in schema.RECORD_TABLES
