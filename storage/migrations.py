"""Schema migrations: sqlite-utils ``Migrations("jdm_capture")``, append-only (practice 7).

Rules:

* Names are ``mNNN_what``; a released migration is never edited, renamed or removed.
* Each migration runs in its own transaction together with its row in ``_sqlite_migrations``
  (sqlite-utils does this), so a failing step leaves the file at the previous version.
* Migrations spell their DDL out literally; they never call :mod:`storage.schema`, whose output
  follows the *current* registry. m001 executes the frozen snapshot in
  :mod:`storage._schema_m001`.
* Before any pending migration runs, :func:`storage.database.open_database` copies the file
  with the SQLite backup API; a file listing migration names this build does not know (written
  by a newer JDM Capture) is refused, never "downgraded".
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage import _schema_m001

MIGRATION_SET = "jdm_capture"
migrations = Migrations(MIGRATION_SET)


def _run_script(db: Database, sql: str) -> None:
    """Execute DDL statements one by one, inside the migration's transaction.

    ``sqlite3.executescript`` would COMMIT first and break the one-transaction guarantee, so the
    script is split into statements with ``sqlite3.complete_statement``.
    """
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]}")


@migrations()
def m001_initial(db: Database) -> None:
    """The first released schema: patients, visits, one values table per form, missing
    reasons, medications, adverse events, settings and the append-only audit trail."""
    _run_script(db, _schema_m001.SQL)


@migrations()
def m002_derived_values_and_drafts(db: Database) -> None:
    """Store computed scores with their rule version, and GUI drafts for crash recovery.

    ``derived_values`` is a cache filled by the repository from ``forms.scoring`` and
    ``forms.response``; an upgraded file gets it filled on first open
    (``Repository.refresh_derived``). ``drafts`` keeps unsaved GUI entry apart from saved data.
    """
    _run_script(db, """
CREATE TABLE "derived_values" (
    "visit_id" INTEGER NOT NULL REFERENCES "visits"("id"),
    "field" TEXT NOT NULL,
    "value" ANY,
    "missing_reason" TEXT NOT NULL DEFAULT '',
    "rule_version" TEXT NOT NULL,
    PRIMARY KEY ("visit_id", "field")
) STRICT, WITHOUT ROWID;

CREATE INDEX "derived_values_rule" ON "derived_values"("field", "rule_version");

CREATE TABLE "drafts" (
    "key" TEXT PRIMARY KEY,
    "payload" TEXT NOT NULL CHECK (json_valid("payload")),
    "saved_at" TEXT NOT NULL
) STRICT;
""")


def known_names() -> list[str]:
    """Names of every migration this build knows, in order."""
    return [m.name for m in migrations._migrations]  # noqa: SLF001 - no public accessor


def latest_name() -> str:
    return known_names()[-1]
