"""The SQLite schema, generated from the field registry, and the value conversions.

Table shape (and why)
---------------------
* ``patients`` (one row per child), ``visits`` (one row per visit: date, label, baseline flag,
  notes), ``medications`` and ``adverse_events`` (one row per record). Their registry fields are
  columns.
* **One wide STRICT table per entered visit form**, keyed by ``visit_id``: ``values_visit``
  (weight, height, assessor, steroid dose), ``values_cmas``, ``values_mmt8``, ``values_skin``,
  ``values_cdasi``, ``values_global``, ``values_chaq``, ``values_labs``. One column per entered
  field, named exactly as in the data contract, typed from the registry and guarded by a CHECK
  built from ``Field.minimum/maximum/choices/max_length/pattern``. Wide tables were chosen over
  one long ``(visit, field, value)`` table because (1) a CHECK can then enforce each field's own
  range and type inside SQLite, so even a buggy caller cannot store ``cmas_leg_raise = 3``;
  (2) an analyst can read a form with ``SELECT * FROM values_cmas JOIN visits USING ...``
  without pivoting; (3) a visit is ~8 rows instead of ~200, which keeps saving and loading
  fast. The price is a migration per new field, which the test
  ``tests/storage/test_schema.py`` enforces (a registry field without a column fails it).
* CHAQ items accept ``"na"``: their columns are ``ANY`` (STRICT keeps the exact type) with
  ``CHECK (x = 'na' OR (typeof(x) = 'integer' AND x BETWEEN 0 AND 3))``.
* Decimals are stored as REAL. Every registry decimal has at most 15 significant digits, so
  ``Decimal(repr(float))`` gives back exactly the decimal that was entered.
* ``visit_missing(visit_id, field, reason)``: why a field has no value.
* ``derived_values(visit_id, field, value, missing_reason, rule_version)``: scores computed by
  ``forms.scoring`` / ``forms.response`` (long, because they are a cache recomputed when
  ``RULE_VERSIONS`` or the scoring settings change, and the list of derived fields may grow
  without a migration). Added by migration m002.
* ``settings(key, value)``, ``drafts(key, payload, saved_at)`` (GUI crash recovery, m002).
* ``audit`` (one row per changed record: when, who, action, table, record id) and
  ``audit_changes`` (one row per changed field: old and new value as text), both append-only
  (triggers refuse UPDATE and DELETE). The view ``audit_log`` joins them into the flat
  "who, when, table, record, field, old, new" rows.

Frozen migrations
-----------------
This module describes the schema **the current registry needs**. Released migrations never call
it: ``m001`` executes the committed snapshot in :mod:`storage._schema_m001`. When a field is
added to the registry, :func:`missing_columns` lists the ``ALTER TABLE ... ADD COLUMN``
statements a new migration has to run (``python -m storage.schema --diff DB`` prints them), and
the schema test fails until that migration exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from forms import registry
from forms.fields import Field, FieldType, Level, plain_number
from forms.model import MISSING_REASONS
from forms.records import frozen

#: table name of each entered visit form, in entry order.
VALUE_TABLE_PREFIX = "values_"


@frozen
class Column:
    """One column: its SQL declaration pieces, generated from a registry field."""

    name: str
    sql_type: str  #: INTEGER, REAL, TEXT or ANY (STRICT types)
    check: str | None = None
    not_null: bool = False

    def ddl(self) -> str:
        parts = [f'"{self.name}" {self.sql_type}']
        if self.not_null:
            parts.append("NOT NULL")
        if self.check:
            parts.append(f"CHECK ({self.check})")
        return " ".join(parts)


_num = plain_number


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def column_for(f: Field, *, not_null: bool | None = None) -> Column:
    """The column (type and CHECK) that stores field ``f``."""
    q = f'"{f.name}"'
    checks: list[str] = []
    if f.type in (FieldType.INTEGER, FieldType.DECIMAL):
        bounds = []
        if f.minimum is not None:
            bounds.append(f"{q} >= {_num(f.minimum)}")
        if f.maximum is not None:
            bounds.append(f"{q} <= {_num(f.maximum)}")
        if f.na_allowed:
            sql_type = "ANY"
            kind = "integer" if f.type is FieldType.INTEGER else "real"
            inner = " AND ".join([f"typeof({q}) = '{kind}'", *bounds])
            checks.append(f"{q} = 'na' OR ({inner})")
        else:
            sql_type = "INTEGER" if f.type is FieldType.INTEGER else "REAL"
            checks.extend(bounds)
    elif f.type is FieldType.BOOLEAN:
        sql_type = "INTEGER"
        checks.append(f"{q} IN (0, 1)")
    elif f.type is FieldType.CHOICE:
        sql_type = "TEXT"
        checks.append(f"{q} IN ({', '.join(_quote(str(c)) for c in f.choice_codes)})")
    elif f.type is FieldType.DATE:
        sql_type = "TEXT"
        checks.append(f"date({q}) IS {q}")
    else:
        sql_type = "TEXT"
        glob = _glob_for(f.pattern) if f.pattern else None
        if glob:
            lo, hi, cls = glob
            checks.append(f"length({q}) BETWEEN {lo} AND {hi}")
            checks.append(f"{q} NOT GLOB '*[^{cls}]*'")
        elif f.max_length is not None:
            checks.append(f"length({q}) <= {f.max_length}")
    check = " AND ".join(checks) or None
    return Column(f.name, sql_type, check, f.required if not_null is None else not_null)


def _glob_for(pattern: str) -> tuple[int, int, str] | None:
    """``[A-Za-z0-9_-]{1,32}`` -> (1, 32, "A-Za-z0-9_-"): the one regex shape we translate.

    ``[A-Za-z0-9_][A-Za-z0-9_-]{0,31}`` (a first character from a narrower class) gives the
    same column CHECK; the first-character rule is a trigger of its own (m010, no leading "-").
    """
    match = re.fullmatch(r"\[([A-Za-z0-9_\-]+)\]\{(\d+),(\d+)\}", pattern)
    if match:
        return int(match.group(2)), int(match.group(3)), match.group(1)
    match = re.fullmatch(r"\[([A-Za-z0-9_\-]+)\]\[([A-Za-z0-9_\-]+)\]\{0,(\d+)\}", pattern)
    if match and set(match.group(1)) <= set(match.group(2)):
        return 1, int(match.group(3)) + 1, match.group(2)
    return None


# --------------------------------------------------------------------------------------------
# What the current registry needs
# --------------------------------------------------------------------------------------------
def value_table(form_key: str) -> str:
    """Name of the wide table holding one entered visit form (``cmas`` -> ``values_cmas``)."""
    return VALUE_TABLE_PREFIX + form_key


def value_forms() -> tuple[str, ...]:
    """Keys of the entered visit forms that have a values table, in entry order."""
    names = {f.form for f in registry.visit_value_fields()}
    return tuple(form.key for form in registry.FORMS if form.key in names)


def value_fields(form_key: str) -> tuple[Field, ...]:
    return tuple(f for f in registry.visit_value_fields() if f.form == form_key)


def value_tables() -> dict[str, tuple[Field, ...]]:
    """Values table name -> the registry fields it stores, in registry order."""
    return dict(_value_tables())


@functools.cache
def _value_tables() -> tuple[tuple[str, tuple[Field, ...]], ...]:
    # the registry is immutable after import: computed once (it is on every save's path)
    return tuple((value_table(key), value_fields(key)) for key in value_forms())


#: table of each field-driven record level, and the record columns that precede the fields.
RECORD_TABLES: dict[Level, tuple[str, tuple[str, ...]]] = {
    Level.PATIENT: ("patients", ("id",)),
    Level.MEDICATION: ("medications", ("id", "patient_id")),
    Level.ADVERSE_EVENT: ("adverse_events", ("id", "patient_id")),
}


def record_fields(level: Level) -> tuple[Field, ...]:
    return registry.fields_for(level=level, derived=False)


def expected_columns() -> dict[str, list[Column]]:
    """Every registry-driven table -> its registry-driven columns (what migrations must build).

    Fixed columns (``id``, ``patient_id``, ``visit_id``, ``baseline``, ``notes``) are not
    included; the schema test compares these lists with a migrated database.
    """
    out: dict[str, list[Column]] = {}
    for level, (table, _fixed) in RECORD_TABLES.items():
        out[table] = [column_for(f) for f in record_fields(level)]
    out["visits"] = [column_for(registry.get(name)) for name in registry.VISIT_KEYS]
    for table, fields in value_tables().items():
        out[table] = [column_for(f, not_null=False) for f in fields]
    return out


def missing_columns(existing: dict[str, set[str]]) -> list[str]:
    """``ALTER TABLE`` statements for registry fields that have no column yet.

    Args:
        existing: table name -> its column names (from a migrated database).

    Returns:
        Statements for a new migration; a new visit form needs a ``CREATE TABLE`` too, which
        is written as ``-- new table`` plus :func:`create_value_table_sql`.
    """
    statements: list[str] = []
    for table, columns in expected_columns().items():
        if table not in existing:
            statements.append(f"-- new table\n{create_value_table_sql(table)}")
            continue
        for col in columns:
            if col.name not in existing[table]:
                statements.append(f'ALTER TABLE "{table}" ADD COLUMN {col.ddl()};')
    return statements


def create_value_table_sql(table: str) -> str:
    cols = [c.ddl() for c in expected_columns()[table]]
    body = ",\n    ".join(['"visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id")', *cols])
    return f'CREATE TABLE "{table}" (\n    {body}\n) STRICT;'


def current_schema_sql() -> str:
    """The full DDL of the core tables for the current registry (used to write a snapshot)."""
    cols = expected_columns()

    def body(fixed: list[str], table: str, extra: list[str] | None = None) -> str:
        lines = [*fixed, *(c.ddl() for c in cols[table]), *(extra or [])]
        return ",\n    ".join(lines)

    reasons = ", ".join(_quote(r) for r in MISSING_REASONS)
    parts = [
        'CREATE TABLE "patients" (\n    '
        + body(['"id" INTEGER PRIMARY KEY'], "patients", ['UNIQUE ("study_id")'])
        + "\n) STRICT;",
        'CREATE TABLE "visits" (\n    '
        + body(['"id" INTEGER PRIMARY KEY',
                '"patient_id" INTEGER NOT NULL REFERENCES "patients"("id")'], "visits",
               ['"baseline" INTEGER NOT NULL DEFAULT 0 CHECK ("baseline" IN (0, 1))',
                '"notes" TEXT NOT NULL DEFAULT \'\'',
                'UNIQUE ("patient_id", "visit_date")'])
        + "\n) STRICT;",
        'CREATE UNIQUE INDEX "visits_one_baseline" ON "visits"("patient_id") '
        'WHERE "baseline" = 1;',
    ]
    parts.extend(create_value_table_sql(t) for t in value_tables())
    parts.append(
        'CREATE TABLE "visit_missing" (\n'
        '    "visit_id" INTEGER NOT NULL REFERENCES "visits"("id"),\n'
        '    "field" TEXT NOT NULL,\n'
        f'    "reason" TEXT NOT NULL CHECK ("reason" IN ({reasons})),\n'
        '    PRIMARY KEY ("visit_id", "field")\n) STRICT, WITHOUT ROWID;')
    for level in (Level.MEDICATION, Level.ADVERSE_EVENT):
        table = RECORD_TABLES[level][0]
        parts.append(
            f'CREATE TABLE "{table}" (\n    '
            + body(['"id" INTEGER PRIMARY KEY',
                    '"patient_id" INTEGER NOT NULL REFERENCES "patients"("id")'], table)
            + "\n) STRICT;")
        parts.append(f'CREATE INDEX "{table}_patient" ON "{table}"("patient_id");')
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------
# Python value <-> SQLite value
# --------------------------------------------------------------------------------------------
def to_sql(f: Field, value: Any) -> Any:
    """A normalized Python value (``forms.validation`` output) as stored in SQLite."""
    if value is None:
        return None
    if f.na_allowed and value == "na":
        return "na"
    if f.type is FieldType.DECIMAL:
        return float(Decimal(value))
    if f.type is FieldType.INTEGER:
        return int(value)
    if f.type is FieldType.BOOLEAN:
        return 1 if value else 0
    if f.type is FieldType.DATE:
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return str(value)


def from_sql(f: Field, value: Any) -> Any:
    """A stored SQLite value back as the normalized Python value."""
    if value is None:
        return None
    if f.na_allowed and value == "na":
        return "na"
    if f.type is FieldType.DECIMAL:
        return decimal_from_real(value)
    if f.type is FieldType.INTEGER:
        return int(value)
    if f.type is FieldType.BOOLEAN:
        return bool(value)
    if f.type is FieldType.DATE:
        return dt.date.fromisoformat(value)
    return value


def reader(f: Field) -> Callable[[Any], Any] | None:
    """How to read field ``f``'s stored values back: a function equal to
    ``from_sql(f, value)`` for every non-NULL value, or None when that is the value itself (a
    text or choice column). Reading a cohort calls this once per column, not per value."""
    if f.type in (FieldType.TEXT, FieldType.CHOICE):
        return None  # from_sql returns the stored text ("na" included) as it is
    if f.type is FieldType.INTEGER:
        def integer(value: Any) -> Any:
            return value if type(value) is int else from_sql(f, value)
        return integer
    if not f.na_allowed:  # no "na" to pass through: the conversion itself
        if f.type is FieldType.DECIMAL:
            return decimal_from_real
        if f.type is FieldType.BOOLEAN:
            return bool
        if f.type is FieldType.DATE:
            return dt.date.fromisoformat
    return functools.partial(from_sql, f)


#: floats below this magnitude hold every whole number exactly (2**53)
_EXACT_INT = float(2**53)


def decimal_from_real(value: float | int) -> Decimal:
    """Exact decimal of a stored REAL (shortest repr), integral values without a fraction."""
    if type(value) is float and -_EXACT_INT < value < _EXACT_INT:  # the common case
        # below 2**53 a whole float is its repr's integer; any other is not whole
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number


def audit_text(value: Any) -> str | None:
    """How a value is written in the audit trail: canonical text, ``None`` for no value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _num(value)
    if isinstance(value, float):
        return _num(decimal_from_real(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _main(argv: list[str]) -> int:  # pragma: no cover - developer tool
    """``python -m storage.schema`` prints the current DDL; ``--diff DB`` the needed ALTERs."""
    if len(argv) == 2 and argv[0] == "--diff":
        import sqlite3

        con = sqlite3.connect(argv[1])
        existing = {
            t: {r[1] for r in con.execute(f'PRAGMA table_info("{t}")')}
            for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        sys.stdout.write("\n".join(missing_columns(existing)) + "\n")
        return 0
    sys.stdout.write(current_schema_sql())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
