"""The registry against everything generated from it, one test per field or table (the shape
of sqlite-utils' tests/test_docs.py: what each output provides is computed once per session,
then every registry entry is looked up in it).

Every stored field has a column, and a CHECK that refuses a value outside its range or
choices; every field has a row in the Excel data dictionary and in the REDCap data
dictionary; every ``values_*`` table refuses changes to a signed visit; a database migrated
from the first released schema (m001) has exactly the schema of a fresh one."""

from __future__ import annotations

import difflib
import re
import shutil
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlite_utils import Database

from exports import deid, excel, redcap
from forms import registry
from forms.fields import Field, FieldType, Level
from storage import schema
from storage.database import open_database
from storage.migrations import SIGNED_READ_ONLY

FIXTURE = Path(__file__).parent / "fixtures" / "m001_schema.sqlite"

#: fields stored in a column (derived values live in derived_values; response fields too).
STORED = tuple(f for f in registry.FIELDS if not f.derived)
RANGED = tuple(f for f in STORED if f.minimum is not None or f.maximum is not None
               or f.choices)


def _table_of(f: Field) -> str:
    if f.level is Level.VISIT:
        return "visits" if f.name in registry.VISIT_KEYS else schema.value_table(f.form)
    return schema.RECORD_TABLES[f.level][0]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(tmp_path_factory.mktemp("fresh") / "fresh.sqlite")
    yield db
    db.close()


@pytest.fixture(scope="module")
def columns(fresh: Database) -> dict[str, set[str]]:
    # PRAGMA, not sqlite-utils' .tables: open_database returns storage.connection's
    # connection (no sqlite-utils on routine opens)
    return {t: {r[1] for r in fresh.conn.execute(f'PRAGMA table_info("{t}")')}
            for t in fresh.table_names()}


# ------------------------------------------------------------------------ columns and CHECKs
@pytest.mark.parametrize("fld", STORED, ids=lambda f: f"{f.level.value}.{f.name}")
def test_every_stored_field_has_a_column(columns: dict[str, set[str]], fld: Field) -> None:
    table = _table_of(fld)
    assert fld.name in columns.get(table, set()), f"{fld.name}: no column in {table}"


def _bad_value(f: Field) -> object:
    """A value just outside what ``f`` allows."""
    if f.choices:
        return "not-a-code"
    step = Decimal(1) if f.type is FieldType.INTEGER else Decimal("0.1")
    edge = f.maximum + step if f.maximum is not None else f.minimum - step  # type: ignore[operator]
    return int(edge) if f.type is FieldType.INTEGER else float(edge)


def _base_row(conn: sqlite3.Connection, table: str) -> dict[str, object]:
    """The smallest valid row of ``table`` (a patient and a visit exist)."""
    patient = conn.execute("SELECT id FROM patients").fetchone()[0]
    visit = conn.execute("SELECT id FROM visits").fetchone()[0]
    return {"patients": {"study_id": "P-PROBE"},
            "visits": {"patient_id": patient, "visit_date": "2024-02-02"},
            "medications": {"patient_id": patient, "drug": "x", "start_date": "2024-01-01"},
            "adverse_events": {"patient_id": patient, "onset_date": "2024-01-01", "term": "x"},
            }.get(table, {"visit_id": visit})


@pytest.mark.parametrize("fld", RANGED, ids=lambda f: f"{f.level.value}.{f.name}")
def test_a_field_with_a_range_or_choices_has_a_check(fresh: Database, fld: Field) -> None:
    conn = fresh.conn
    conn.execute("SAVEPOINT probe")
    try:
        conn.execute("INSERT INTO patients (study_id) VALUES ('P1')")
        conn.execute("INSERT INTO visits (patient_id, visit_date) VALUES "
                     "((SELECT id FROM patients), '2024-01-01')")
        table = _table_of(fld)
        row = _base_row(conn, table)
        good = dict(row)
        # the row without the probed value is accepted: the refusal below is the CHECK's
        conn.execute("SAVEPOINT good")
        cols = ", ".join(f'"{c}"' for c in good)
        conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(good))})',
                     list(good.values()))
        conn.execute("ROLLBACK TO good")
        row[fld.name] = _bad_value(fld)
        cols = ", ".join(f'"{c}"' for c in row)
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(row))})',
                         list(row.values()))
    finally:
        conn.execute("ROLLBACK TO probe")
        conn.execute("RELEASE probe")


# ------------------------------------------------------------------------ dictionaries
@pytest.fixture(scope="module")
def excel_names() -> dict[bool, set[str]]:
    return {ident: {row[0] for row in excel.dictionary_rows(excel.Layout(identified=ident))}
            for ident in (True, False)}


@pytest.fixture(scope="module")
def redcap_names() -> dict[bool, set[str]]:
    return {ident: {row["Variable / Field Name"]
                    for row in redcap.dictionary_rows(identified=ident)}
            for ident in (True, False)}


@pytest.mark.parametrize("identified", [True, False], ids=["identified", "deidentified"])
@pytest.mark.parametrize("fld", registry.FIELDS, ids=lambda f: f"{f.level.value}.{f.name}")
def test_every_field_has_an_excel_dictionary_row(excel_names: dict[bool, set[str]], fld: Field,
                                                 identified: bool) -> None:
    # the workbook's dictionary lists every field (a dropped one says "identified only")
    assert fld.name in excel_names[identified]


@pytest.mark.parametrize("identified", [True, False], ids=["identified", "deidentified"])
@pytest.mark.parametrize("fld", registry.FIELDS, ids=lambda f: f"{f.level.value}.{f.name}")
def test_every_exported_field_has_a_redcap_dictionary_row(
        redcap_names: dict[bool, set[str]], fld: Field, identified: bool) -> None:
    listed = redcap.redcap_name(fld) in redcap_names[identified]
    assert listed == deid.included(fld, identified=identified)


# ------------------------------------------------------------------------ sign-off triggers
def _value_tables_in(db: Database) -> list[str]:
    return sorted(t for t in db.table_names() if t.startswith(schema.VALUE_TABLE_PREFIX))


def test_the_value_tables_are_the_registrys(fresh: Database) -> None:
    assert _value_tables_in(fresh) == sorted(schema.value_tables())


@pytest.mark.parametrize("table", sorted(schema.value_tables()))
def test_every_values_table_refuses_changes_to_a_signed_visit(fresh: Database,
                                                              table: str) -> None:
    triggers = {r[0] for r in fresh.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [table])}
    assert {f"{table}_signed_{e}" for e in ("insert", "update", "delete")} <= triggers
    conn = fresh.conn
    conn.execute("SAVEPOINT probe")
    try:
        conn.execute("INSERT INTO patients (study_id) VALUES ('P1')")
        visit = conn.execute("INSERT INTO visits (patient_id, visit_date) VALUES "
                             "((SELECT id FROM patients), '2024-01-01')").lastrowid
        conn.execute(f'INSERT INTO "{table}" (visit_id) VALUES (?)', [visit])
        conn.execute("INSERT INTO visit_signoffs (visit_id, signed_by, signed_at, meaning, "
                     "snapshot_pdf, snapshot_sha256) VALUES (?, 'Dr A', '2024-01-02', "
                     "'reviewed', X'255044462D', ?)", [visit, "0" * 64])
        for sql in (f'UPDATE "{table}" SET visit_id = visit_id WHERE visit_id = ?',
                    f'DELETE FROM "{table}" WHERE visit_id = ?'):
            with pytest.raises(sqlite3.IntegrityError, match=re.escape(SIGNED_READ_ONLY)):
                conn.execute(sql, [visit])
    finally:
        conn.execute("ROLLBACK TO probe")
        conn.execute("RELEASE probe")


# ------------------------------------------------------------------------ migrated = fresh
def _schema_text(db: Database) -> list[str]:
    """Every table, index, trigger and view, and every table's columns, one line each."""
    lines = []
    for kind, name, sql in db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "ORDER BY type, name"):
        lines.append(f"{kind} {name}: {' '.join((sql or '').split())}")
    for table in sorted(db.table_names()):
        for col in db.execute(f'PRAGMA table_xinfo("{table}")'):
            lines.append(f"column {table}.{col[1]} {col[2]} notnull={col[3]} default={col[4]} "
                         f"pk={col[5]} hidden={col[6]}")
    return lines


def test_a_database_migrated_from_m001_has_the_fresh_schema(fresh: Database,
                                                           tmp_path: Path) -> None:
    old = tmp_path / "m001.sqlite"
    shutil.copy(FIXTURE, old)
    migrated = open_database(old)
    try:
        applied = [r[0] for r in migrated.execute("SELECT name FROM _sqlite_migrations")]
        assert applied[0] == "m001_initial" and len(applied) > 1
        diff = list(difflib.unified_diff(_schema_text(fresh), _schema_text(migrated),
                                         "fresh", "migrated from m001", lineterm=""))
    finally:
        migrated.close()
    assert diff == [], "\n".join(diff)


def test_the_comparison_sees_a_dropped_sign_off_trigger(fresh: Database, tmp_path: Path) -> None:
    """The two checks above can fail: a copy without one sign-off trigger differs."""
    copy = tmp_path / "copy.sqlite"
    shutil.copy(FIXTURE, copy)
    db = open_database(copy)
    try:
        db.execute('DROP TRIGGER "values_cmas_signed_update"')
        diff = list(difflib.unified_diff(_schema_text(fresh), _schema_text(db), lineterm=""))
    finally:
        db.close()
    assert [line[:36] for line in diff if line.startswith("-trigger")] == [
        "-trigger values_cmas_signed_update: "]
