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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from storage import _schema_m001
from storage.connection import as_utils

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "jdm_capture"


class _Migration(NamedTuple):
    name: str
    fn: Callable[[Any], None]
    transactional: bool


class _Applied(NamedTuple):
    name: str
    applied_at: str


class MigrationSet:
    """sqlite-utils ``Migrations`` whose registry and read side need no sqlite-utils import.

    Every open reads which migrations a file has applied (:meth:`applied`: one ``SELECT`` on
    ``_sqlite_migrations``, the rows sqlite-utils writes, in its order); applying them
    (:meth:`apply`) hands the same functions, in the same order, to sqlite-utils' own
    ``Migrations``, made on first use, so the transaction per migration and the bookkeeping
    rows are exactly sqlite-utils'.
    """

    migrations_table = "_sqlite_migrations"

    def __init__(self, name: str) -> None:
        self.name = name
        self._migrations: list[_Migration] = []
        self._real: Migrations | None = None

    def __call__(self, *, name: str | None = None,
                 transactional: bool = True) -> Callable[[Callable[[Any], None]],
                                                         Callable[[Any], None]]:
        def inner(fn: Callable[[Any], None]) -> Callable[[Any], None]:
            migration = name or fn.__name__
            if any(m.name == migration for m in self._migrations):
                raise ValueError(f"migration {migration!r} is already registered")
            self._migrations.append(_Migration(migration, fn, transactional))
            self._real = None
            return fn
        return inner

    def _impl(self) -> Migrations:
        if self._real is None:
            from sqlite_utils.migrations import Migrations  # noqa: PLC0415 - when applying

            real = Migrations(self.name)
            for m in self._migrations:
                real(name=m.name, transactional=m.transactional)(m.fn)
            self._real = real
        return self._real

    def applied(self, db: Any) -> list[_Applied]:
        """The migrations applied to ``db``, in the order they were applied (read only)."""
        conn = db.conn
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (self.migrations_table,)).fetchone() is None:
            return []
        return [_Applied(str(n), str(at)) for n, at in conn.execute(
            f'SELECT name, applied_at FROM "{self.migrations_table}" '
            "WHERE migration_set = ? ORDER BY rowid", (self.name,))]

    def pending(self, db: Any) -> list[_Migration]:
        done = {m.name for m in self.applied(db)}
        return [m for m in self._migrations if m.name not in done]

    def apply(self, db: Any, *, stop_before: str | Iterable[str] | None = None) -> None:
        self._impl().apply(as_utils(db), stop_before=stop_before)

    def ensure_migrations_table(self, db: Any) -> None:
        self._impl().ensure_migrations_table(as_utils(db))

    def _record_applied(self, db: Any, name: str) -> None:
        self._impl()._record_applied(as_utils(db), name)  # noqa: SLF001


migrations = MigrationSet(MIGRATION_SET)


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


#: raised by the sign-off triggers; storage.errors maps it to SignedVisitLocked.
SIGNED_READ_ONLY = "signed visit is read-only; unlock with a reason first"


def _signoff_lock_sql(table: str) -> str:
    """Triggers refusing insert/update/delete of a per-visit table's rows while the visit has
    an un-voided sign-off (defence in depth behind ``storage.signoff``). A later migration that
    adds a per-visit table must add these for it too."""
    active = ('EXISTS (SELECT 1 FROM "visit_signoffs" s WHERE s."visit_id" = {row}."visit_id" '
              'AND s."voided_at" IS NULL)')
    out = []
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        extra = f' OR {active.format(row="NEW")}' if event == "UPDATE" else ""
        out.append(
            f'CREATE TRIGGER "{table}_signed_{event.lower()}" BEFORE {event} ON "{table}"\n'
            f"WHEN {active.format(row=row)}{extra}\n"
            f"BEGIN SELECT RAISE(ABORT, '{SIGNED_READ_ONLY}'); END;\n")
    return "\n".join(out)


@migrations()
def m003_audit_chain_and_signoff(db: Database) -> None:
    """Hash-chain the audit trail and add visit sign-off (``storage.audit_chain``,
    ``storage.signoff``).

    * ``audit.prev_hash`` / ``audit.hash``: rows already in an upgraded file are chained here,
      oldest first (the append-only update trigger is lifted for that one statement and put
      back in the same transaction).
    * ``visit_signoffs``: who signed which visit, when (UTC), with what meaning, the PDF
      snapshot of the case summary; voiding (unlock) fills ``voided_*`` once and is never
      undone. At most one un-voided sign-off per visit. A sign-off row is never deleted while
      valid nor changed except to void it.
    * Triggers refusing changes to a signed visit's rows (``visits`` except the ``baseline``
      designation, every ``values_*`` table, ``visit_missing``).
    """
    from storage import audit_chain  # the chain format is versioned and frozen there

    _run_script(db, """
ALTER TABLE "audit" ADD COLUMN "prev_hash" TEXT;
ALTER TABLE "audit" ADD COLUMN "hash" TEXT;
DROP TRIGGER "audit_append_only_update";
""")
    audit_chain.fill_missing_hashes(db.conn)
    _run_script(db, f"""
CREATE TRIGGER "audit_append_only_update" BEFORE UPDATE ON "audit"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE "visit_signoffs" (
    "id" INTEGER PRIMARY KEY,
    "visit_id" INTEGER NOT NULL REFERENCES "visits"("id") ON DELETE CASCADE,
    "signed_by" TEXT NOT NULL CHECK (length(trim("signed_by")) BETWEEN 1 AND 100),
    "signed_at" TEXT NOT NULL,
    "meaning" TEXT NOT NULL,
    "snapshot_pdf" BLOB NOT NULL CHECK (substr("snapshot_pdf", 1, 4) = X'25504446'),
    "snapshot_sha256" TEXT NOT NULL CHECK (length("snapshot_sha256") = 64),
    "voided_at" TEXT,
    "voided_by" TEXT CHECK ("voided_by" IS NULL OR length(trim("voided_by")) BETWEEN 1 AND 100),
    "void_reason" TEXT CHECK ("void_reason" IS NULL OR length(trim("void_reason")) >= 1),
    CHECK (("voided_at" IS NULL) = ("voided_by" IS NULL)
           AND ("voided_at" IS NULL) = ("void_reason" IS NULL))
) STRICT;

CREATE INDEX "visit_signoffs_visit" ON "visit_signoffs"("visit_id");
CREATE UNIQUE INDEX "visit_signoffs_one_active" ON "visit_signoffs"("visit_id")
    WHERE "voided_at" IS NULL;

CREATE TRIGGER "visit_signoffs_keep" BEFORE DELETE ON "visit_signoffs"
WHEN OLD."voided_at" IS NULL
BEGIN SELECT RAISE(ABORT, '{SIGNED_READ_ONLY}'); END;

CREATE TRIGGER "visit_signoffs_void_only" BEFORE UPDATE ON "visit_signoffs"
WHEN OLD."voided_at" IS NOT NULL OR NEW."id" IS NOT OLD."id"
     OR NEW."visit_id" IS NOT OLD."visit_id" OR NEW."signed_by" IS NOT OLD."signed_by"
     OR NEW."signed_at" IS NOT OLD."signed_at" OR NEW."meaning" IS NOT OLD."meaning"
     OR NEW."snapshot_pdf" IS NOT OLD."snapshot_pdf"
     OR NEW."snapshot_sha256" IS NOT OLD."snapshot_sha256"
BEGIN SELECT RAISE(ABORT, 'a sign-off is never changed, only voided once'); END;

CREATE TRIGGER "visits_signed_update"
BEFORE UPDATE OF "id", "patient_id", "visit_date", "visit_label", "notes" ON "visits"
WHEN EXISTS (SELECT 1 FROM "visit_signoffs" s WHERE s."visit_id" = OLD."id"
             AND s."voided_at" IS NULL)
BEGIN SELECT RAISE(ABORT, '{SIGNED_READ_ONLY}'); END;

CREATE TRIGGER "visits_signed_delete" BEFORE DELETE ON "visits"
WHEN EXISTS (SELECT 1 FROM "visit_signoffs" s WHERE s."visit_id" = OLD."id"
             AND s."voided_at" IS NULL)
BEGIN SELECT RAISE(ABORT, '{SIGNED_READ_ONLY}'); END;
""")
    per_visit = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND (name = 'visit_missing' "
        "OR name LIKE 'values^_%' ESCAPE '^') ORDER BY name")]
    for table in per_visit:
        _run_script(db, _signoff_lock_sql(table))


@migrations()
def m004_parent_global_activity(db: Database) -> None:
    """Add ``parent_global_activity``: the parent/patient global assessment of disease activity
    (the IMACS question), beside ``parent_global`` (overall well-being, the PRINTO question).
    data-contract section 3; the TIS parent row prefers it (instruments.md convention 5).
    ``values_global`` keeps its sign-off triggers, which are per table, not per column."""
    _run_script(db, """
ALTER TABLE "values_global" ADD COLUMN "parent_global_activity" REAL
    CHECK ("parent_global_activity" >= 0 AND "parent_global_activity" <= 10);
""")



@migrations()
def m005_signature_evidence_and_adopted_state(db: Database) -> None:
    """Keep every signature as evidence, freeze signed visits' derived values, and adopt the
    state written before the audit trail covered it (issue 17).

    * ``visit_signoffs`` is rebuilt without ``ON DELETE CASCADE`` (and without a foreign key):
      deleting an unlocked visit no longer deletes its voided signatures and PDF snapshots. The
      repository marks them ``visit_deleted_at`` (set once, audited) and keeps them. No
      sign-off row is ever deleted, valid or voided.
    * A signed visit's ``baseline`` flag and its ``derived_values`` rows are read-only too
      (the responses that were verified never change silently).
    * Every live record whose values the audit trail does not account for (rows written by
      m001-era tools or before the trail existed, and the owning ``patient_id`` of visits,
      medications and adverse events, which older versions did not audit) gets one chained
      audit row by ``JDM Capture upgrade (m005)`` stating the adopted values, so that from
      here on ``check`` can prove the live data is what the trail says
      (``storage.integrity``).
    """
    from storage import integrity  # the replay rules live there (and are frozen with them)

    _run_script(db, f"""
PRAGMA legacy_alter_table = ON;
ALTER TABLE "visit_signoffs" RENAME TO "visit_signoffs_m003";

CREATE TABLE "visit_signoffs" (
    "id" INTEGER PRIMARY KEY,
    "visit_id" INTEGER NOT NULL,
    "signed_by" TEXT NOT NULL CHECK (length(trim("signed_by")) BETWEEN 1 AND 100),
    "signed_at" TEXT NOT NULL,
    "meaning" TEXT NOT NULL,
    "snapshot_pdf" BLOB NOT NULL CHECK (substr("snapshot_pdf", 1, 4) = X'25504446'),
    "snapshot_sha256" TEXT NOT NULL CHECK (length("snapshot_sha256") = 64),
    "voided_at" TEXT,
    "voided_by" TEXT CHECK ("voided_by" IS NULL OR length(trim("voided_by")) BETWEEN 1 AND 100),
    "void_reason" TEXT CHECK ("void_reason" IS NULL OR length(trim("void_reason")) >= 1),
    "visit_deleted_at" TEXT CHECK ("visit_deleted_at" IS NULL OR "voided_at" IS NOT NULL),
    CHECK (("voided_at" IS NULL) = ("voided_by" IS NULL)
           AND ("voided_at" IS NULL) = ("void_reason" IS NULL))
) STRICT;

INSERT INTO "visit_signoffs" ("id", "visit_id", "signed_by", "signed_at", "meaning",
    "snapshot_pdf", "snapshot_sha256", "voided_at", "voided_by", "void_reason")
SELECT "id", "visit_id", "signed_by", "signed_at", "meaning", "snapshot_pdf",
    "snapshot_sha256", "voided_at", "voided_by", "void_reason" FROM "visit_signoffs_m003";

DROP TABLE "visit_signoffs_m003";
PRAGMA legacy_alter_table = OFF;

CREATE INDEX "visit_signoffs_visit" ON "visit_signoffs"("visit_id");
CREATE UNIQUE INDEX "visit_signoffs_one_active" ON "visit_signoffs"("visit_id")
    WHERE "voided_at" IS NULL;

CREATE TRIGGER "visit_signoffs_keep" BEFORE DELETE ON "visit_signoffs"
BEGIN SELECT RAISE(ABORT,
    'a sign-off is evidence and is never deleted (never changed, only voided once)'); END;

CREATE TRIGGER "visit_signoffs_void_only" BEFORE UPDATE ON "visit_signoffs"
WHEN NEW."id" IS NOT OLD."id"
     OR NEW."visit_id" IS NOT OLD."visit_id" OR NEW."signed_by" IS NOT OLD."signed_by"
     OR NEW."signed_at" IS NOT OLD."signed_at" OR NEW."meaning" IS NOT OLD."meaning"
     OR NEW."snapshot_pdf" IS NOT OLD."snapshot_pdf"
     OR NEW."snapshot_sha256" IS NOT OLD."snapshot_sha256"
     OR (OLD."voided_at" IS NOT NULL AND (NEW."voided_at" IS NOT OLD."voided_at"
         OR NEW."voided_by" IS NOT OLD."voided_by"
         OR NEW."void_reason" IS NOT OLD."void_reason"))
     OR (OLD."visit_deleted_at" IS NOT NULL
         AND NEW."visit_deleted_at" IS NOT OLD."visit_deleted_at")
BEGIN SELECT RAISE(ABORT, 'a sign-off is never changed, only voided once'); END;

CREATE TRIGGER "visits_signed_baseline" BEFORE UPDATE OF "baseline" ON "visits"
WHEN NEW."baseline" IS NOT OLD."baseline"
     AND EXISTS (SELECT 1 FROM "visit_signoffs" s WHERE s."visit_id" = OLD."id"
                 AND s."voided_at" IS NULL)
BEGIN SELECT RAISE(ABORT, '{SIGNED_READ_ONLY}'); END;
""")
    _run_script(db, _signoff_lock_sql("derived_values"))
    integrity.adopt_unaudited_state(db.conn, "JDM Capture upgrade (m005)")


def known_names() -> list[str]:
    """Names of every migration this build knows, in order."""
    return [m.name for m in migrations._migrations]  # noqa: SLF001 - no public accessor


def latest_name() -> str:
    return known_names()[-1]


#: who the audit trail names for changes an upgrade makes itself.
UPGRADE_ACTOR = "JDM Capture upgrade"


def no_leading_dash(value: str, taken: set[str], max_length: int) -> str:
    """The m010 replacement for an identifier starting with ``-``: the leading dashes removed
    (``-P01`` -> ``P01``); if that is empty or already used, ``_1``, ``_2``, ... is appended.

    Deterministic: the same file always gets the same new names (rows are renamed in id order).
    """
    base = value.lstrip("-") or "ID"
    candidate = base[:max_length]
    n = 0
    while candidate in taken:
        n += 1
        suffix = f"_{n}"
        candidate = base[:max_length - len(suffix)] + suffix
    return candidate


@migrations()
def m010_no_leading_dash(db: Database) -> None:
    """Study IDs and visit labels may not start with ``-``: such an ID cannot be passed on the
    command line (``report --patient -P01`` reads as an option) and reads as a formula in a
    spreadsheet. Existing ones are renamed by :func:`no_leading_dash`, each rename recorded in
    the audit trail (actor ``JDM Capture upgrade``), and triggers refuse new ones.

    Renaming rather than refusing to open: the clinic keeps working, the old ID stays findable
    in the record's history, and the renamed study ID is the one the CLI and exports can use.
    A signed visit's label is renamed too (its signature is kept; the history shows the
    upgrade's change): the sign-off lock is lifted for that one statement, as m003 did.
    """
    import datetime as dt

    from storage import audit_chain  # the chain format is versioned and frozen there

    conn = db.conn
    at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    ids = {r[0] for r in conn.execute("SELECT study_id FROM patients")}
    for pid, old in conn.execute("SELECT id, study_id FROM patients WHERE study_id GLOB '-*' "
                                 "ORDER BY id").fetchall():
        new = no_leading_dash(old, ids, 32)
        ids.add(new)
        conn.execute("UPDATE patients SET study_id = ? WHERE id = ?", (new, pid))
        audit_chain.append(conn, (at, UPGRADE_ACTOR, "update", "patients", pid,
                                  f"patient {new}: m010 renamed study ID {old} (no leading '-')"),
                           [("study_id", old, new)])
    rows = conn.execute(
        "SELECT v.id, v.visit_label, v.visit_date, p.study_id FROM visits v JOIN patients p "
        "ON p.id = v.patient_id WHERE v.visit_label GLOB '-*' ORDER BY v.id").fetchall()
    if rows:
        trigger = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
                               "name = 'visits_signed_update'").fetchone()
        if trigger:
            conn.execute('DROP TRIGGER "visits_signed_update"')
        for vid, old, vdate, sid in rows:
            new = no_leading_dash(old, set(), 16)
            conn.execute("UPDATE visits SET visit_label = ? WHERE id = ?", (new, vid))
            audit_chain.append(conn, (at, UPGRADE_ACTOR, "update", "visits", vid,
                                      f"patient {sid}, visit {vdate} ({new}): m010 renamed "
                                      f"label {old} (no leading '-')"),
                               [("visit_label", old, new)])
        if trigger:
            conn.execute(trigger[0])
    _run_script(db, """
CREATE TRIGGER "patients_study_id_no_dash_insert" BEFORE INSERT ON "patients"
WHEN NEW."study_id" GLOB '-*'
BEGIN SELECT RAISE(ABORT, 'a study ID may not start with -'); END;

CREATE TRIGGER "patients_study_id_no_dash_update" BEFORE UPDATE OF "study_id" ON "patients"
WHEN NEW."study_id" GLOB '-*'
BEGIN SELECT RAISE(ABORT, 'a study ID may not start with -'); END;

CREATE TRIGGER "visits_label_no_dash_insert" BEFORE INSERT ON "visits"
WHEN NEW."visit_label" GLOB '-*'
BEGIN SELECT RAISE(ABORT, 'a visit label may not start with -'); END;

CREATE TRIGGER "visits_label_no_dash_update" BEFORE UPDATE OF "visit_label" ON "visits"
WHEN NEW."visit_label" GLOB '-*'
BEGIN SELECT RAISE(ABORT, 'a visit label may not start with -'); END;
""")


@migrations()
def m015_accounts(db: Database) -> None:
    """Personal accounts and security events (``storage.accounts``).

    * ``accounts``: one row per person: user name (the sign-in name and the audit identity),
      full name (shown on signatures), role, argon2id password hash (``argon2-cffi``), and
      whether the account is active. Removing an account deactivates it (the audit trail keeps
      naming it); its key slot is removed from the key file.
    * ``security_events``: refused passwords at signing, unlocking and the session lock,
      recovery-key use, account changes; each row is also an audit entry.
    """
    _run_script(db, """
CREATE TABLE "accounts" (
    "id" INTEGER PRIMARY KEY,
    "user_name" TEXT NOT NULL UNIQUE CHECK (length("user_name") BETWEEN 1 AND 40),
    "full_name" TEXT NOT NULL CHECK (length(trim("full_name")) BETWEEN 1 AND 100),
    "role" TEXT NOT NULL CHECK ("role" IN ('data_entry', 'investigator', 'administrator')),
    "password_hash" TEXT NOT NULL CHECK (substr("password_hash", 1, 10) = '$argon2id$'),
    "active" INTEGER NOT NULL DEFAULT 1 CHECK ("active" IN (0, 1)),
    "created_at" TEXT NOT NULL,
    "changed_at" TEXT NOT NULL
) STRICT;

CREATE TABLE "security_events" (
    "id" INTEGER PRIMARY KEY,
    "at" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TRIGGER "security_events_keep_update" BEFORE UPDATE ON "security_events"
BEGIN SELECT RAISE(ABORT, 'security events are append-only'); END;

CREATE TRIGGER "security_events_keep_delete" BEFORE DELETE ON "security_events"
BEGIN SELECT RAISE(ABORT, 'security events are append-only'); END;
""")


# ---- m020-m024: the study protocol and medications as prescribed (issue 14) ---------------
#: m020's label spellings, frozen here (forms.protocol may learn more later; this must not).
_M020_MONTHS = frozenset({0, 3, 6, 12, *range(18, 121, 6)})
_M020_PATTERNS = (r"m(?:onths?|o)?(\d{1,3})", r"(\d{1,3})(?:m|mo|months?)", r"visitm(\d{1,3})")


def _m020_label(text: str) -> str:
    """The default protocol's code for a stored free-text label; ``unscheduled`` otherwise."""
    import re

    squashed = re.sub(r"[\s_\-.:/]+", "", text.strip().casefold())
    if squashed in ("flare", "flarevisit", "relapse"):
        return "flare"
    if squashed in ("unscheduled", "unsched", "unscheduledvisit"):
        return "unscheduled"
    if squashed in ("baseline", "bl", "base", "m0", "day0", "d0", "v0", "visit0"):
        return "M0"
    for pattern in _M020_PATTERNS:
        match = re.fullmatch(pattern, squashed)
        if match and int(match.group(1)) in _M020_MONTHS:
            return f"M{int(match.group(1))}"
    return "unscheduled"


@migrations()
def m020_protocol_visit_labels(db: Database) -> None:
    """Visit labels become codes of the study protocol (``M0``, ``M3``, ..., ``unscheduled``,
    ``flare``): "m3", "3M" and "month 3" become ``M3``; a label matching no protocol visit
    becomes ``unscheduled``. Each change is audited (actor ``upgrade m020``, old and new
    label) and listed in ``label_review`` for the one-time review the app shows. A signed visit
    keeps its stored label (``kept = 1``): readers map it at read time, and unlocking it lets
    someone pick the label.

    ``label_review`` is a list about visits, not visit data: it has no foreign key and no
    sign-off triggers, and its rows are never changed (the review is marked done in
    ``settings``).
    """
    import datetime as dt

    from storage import audit_chain

    _run_script(db, """
CREATE TABLE "label_review" (
    "id" INTEGER PRIMARY KEY,
    "visit_id" INTEGER NOT NULL,
    "old_label" TEXT NOT NULL,
    "new_label" TEXT NOT NULL,
    "kept" INTEGER NOT NULL DEFAULT 0 CHECK ("kept" IN (0, 1))
) STRICT;
""")
    at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    rows = db.execute(
        'SELECT v.id, v.visit_label, v.visit_date, p.study_id, EXISTS (SELECT 1 FROM '
        '"visit_signoffs" s WHERE s."visit_id" = v.id AND s."voided_at" IS NULL) '
        'FROM visits v JOIN patients p ON p.id = v.patient_id '
        'WHERE v.visit_label IS NOT NULL ORDER BY p.study_id, v.visit_date').fetchall()
    for vid, old, day, study_id, signed in rows:
        new = _m020_label(old)
        if new == old:
            continue
        db.execute('INSERT INTO "label_review" ("visit_id", "old_label", "new_label", "kept") '
                   "VALUES (?, ?, ?, ?)", (vid, old, new, 1 if signed else 0))
        if signed:
            continue
        db.execute('UPDATE "visits" SET "visit_label" = ? WHERE "id" = ?', (new, vid))
        audit_chain.append(db.conn, (at, "upgrade m020", "update", "visits", vid,
                                     f"patient {study_id}, visit {day} ({old})"),
                           [("visit_label", old, new)])


def _m021_schedule(freq: float) -> tuple[str, int] | None:
    """m021's frozen reading of an older ``frequency_per_day``: 1-4 a day; k/7 a week (as
    written to 3 decimals, 0.143 = once a week); 1/28-1/31 once a month; else None (kept)."""
    from decimal import Decimal
    from fractions import Fraction

    f = Fraction(Decimal(repr(freq)))
    if f.denominator == 1 and 1 <= f <= 4:
        return "daily", int(f)
    for k in range(1, 7):
        if abs(f - Fraction(k, 7)) <= Fraction(1, 1000):
            return "weekly", k
    if Fraction(1, 31) - Fraction(1, 2000) <= f <= Fraction(1, 28) + Fraction(1, 2000):
        return "monthly", 1
    return None


@migrations()
def m021_medication_schedule(db: Database) -> None:
    """Medications as prescribed: ``schedule`` (per day, per week, per month, single dose, IV
    pulse series), ``times_per_period`` and ``pulse_count``; ``dose`` is per administration.

    Existing courses convert without loss: a ``frequency_per_day`` that means exactly one
    schedule (2 -> twice a day, 0.143 -> once a week, 0.033 -> once a month) becomes it and is
    cleared; any other value (0.5, every other day) stays as it was, without a schedule. Each
    conversion is audited (actor ``upgrade m021``) with the old and new values.
    """
    import datetime as dt
    from decimal import Decimal

    from storage import audit_chain

    _run_script(db, """
ALTER TABLE "medications" ADD COLUMN "schedule" TEXT
    CHECK ("schedule" IN ('daily', 'weekly', 'monthly', 'single', 'pulse'));
ALTER TABLE "medications" ADD COLUMN "times_per_period" INTEGER
    CHECK ("times_per_period" >= 1 AND "times_per_period" <= 7);
ALTER TABLE "medications" ADD COLUMN "pulse_count" INTEGER
    CHECK ("pulse_count" >= 1 AND "pulse_count" <= 30);
""")
    at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    rows = db.execute(
        'SELECT m.id, m.drug, m.frequency_per_day, p.study_id FROM medications m '
        'JOIN patients p ON p.id = m.patient_id WHERE m.frequency_per_day IS NOT NULL '
        'ORDER BY m.id').fetchall()
    for mid, drug, freq, study_id in rows:
        converted = _m021_schedule(freq)
        if converted is None:
            continue
        schedule, times = converted
        db.execute('UPDATE "medications" SET "schedule" = ?, "times_per_period" = ?, '
                   '"frequency_per_day" = NULL WHERE "id" = ?', (schedule, times, mid))
        old = format(Decimal(repr(freq)), "f")
        old = old.rstrip("0").rstrip(".") if "." in old else old  # as the audit writes it
        audit_chain.append(db.conn, (at, "upgrade m021", "update", "medications", mid,
                                     f"patient {study_id}, medication {drug}"),
                           [("frequency_per_day", old, None), ("schedule", None, schedule),
                            ("times_per_period", None, str(times))])


#: m030's columns, frozen as released (the MDI's entered fields in form order): the 0/1/"na"
#: damage items, and the 0-10 VAS (organ-system severity, physician global damage).
_M030_COLUMNS: tuple[str, ...] = (
    "mdi_muscle_atrophy", "mdi_muscle_weakness", "mdi_muscle_dysfunction",
    "mdi_muscle_atrophy_imaging", "mdi_low_creatinine", "mdi_sev_muscle", "mdi_contractures",
    "mdi_osteoporotic_fracture", "mdi_avascular_necrosis", "mdi_deforming_arthropathy",
    "mdi_osteoporosis_treated", "mdi_limited_motion", "mdi_sev_skeletal", "mdi_calcinosis",
    "mdi_alopecia", "mdi_scarring", "mdi_poikiloderma", "mdi_lipodystrophy",
    "mdi_sev_cutaneous", "mdi_dysphagia", "mdi_gi_dysmotility", "mdi_gi_infarction",
    "mdi_sev_gastrointestinal", "mdi_dysphonia", "mdi_lung_function",
    "mdi_pulmonary_fibrosis", "mdi_pulmonary_hypertension", "mdi_sev_pulmonary",
    "mdi_hypertension", "mdi_lv_dysfunction", "mdi_sev_cardiovascular",
    "mdi_tissue_loss", "mdi_digit_loss", "mdi_venous_thrombosis",
    "mdi_sev_periph_vascular", "mdi_growth_failure", "mdi_pubertal_delay",
    "mdi_hirsutism", "mdi_menstrual", "mdi_diabetes", "mdi_sev_endocrine", "mdi_cataract",
    "mdi_vision_loss", "mdi_sev_ocular", "mdi_chronic_infection", "mdi_sev_infection",
    "mdi_malignancy", "mdi_sev_malignancy", "mdi_other", "mdi_phys_global_damage",
)
_M030_VAS: frozenset[str] = frozenset((
    "mdi_sev_muscle", "mdi_sev_skeletal", "mdi_sev_cutaneous",
    "mdi_sev_gastrointestinal", "mdi_sev_pulmonary", "mdi_sev_cardiovascular",
    "mdi_sev_periph_vascular", "mdi_sev_endocrine", "mdi_sev_ocular",
    "mdi_sev_infection", "mdi_sev_malignancy", "mdi_phys_global_damage",
))


def _m030_column(name: str) -> str:
    q = f'"{name}"'
    if name in _M030_VAS:
        return f"{q} REAL CHECK ({q} >= 0 AND {q} <= 10)"
    return (f"{q} ANY CHECK ({q} = 'na' OR (typeof({q}) = 'integer' AND {q} >= 0 "
            f"AND {q} <= 1))")


@migrations()
def m030_mdi(db: Database) -> None:
    """The Myositis Damage Index (``forms/instruments/mdi.py``): a ``values_mdi`` table, one
    row per visit, with its 38 damage items (0, 1 or "na"), the 11 organ-system severity VAS
    and the physician global damage VAS (0-10), and the sign-off triggers every per-visit
    table has (m003). The extent and severity totals are derived values (``derived_values``),
    not columns."""
    body = ",\n    ".join(['"visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id")',
                           *(_m030_column(n) for n in _M030_COLUMNS)])
    _run_script(db, f'CREATE TABLE "values_mdi" (\n    {body}\n) STRICT;\n')
    _run_script(db, _signoff_lock_sql("values_mdi"))
