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
  (:func:`forms.response.compare_visits`; which visit is the baseline and which are its
  follow-ups is :mod:`forms.course`'s to decide) are recomputed, because a new or changed baseline
  changes them all; a signed visit's values stay as they were verified (``storage.signoff``),
  and a change of the baseline visit itself is refused while any visit is signed.

Derived values are a cache with the rule version that produced them. :meth:`refresh_derived`
recomputes them when ``forms.scoring.RULE_VERSIONS`` or the scoring settings differ from the
fingerprint stored with them (checked cheaply at every open).

Errors from SQLite are raised as :class:`~storage.errors.KnownStorageError` (locked, read-only,
disk full, ...) or :class:`~storage.errors.StorageBug`.

The repository is assembled from one module per concern, all behind this facade (callers
import only ``storage.repository``):

======================  =====================================================================
``repo_core``           the open file, write transactions, audit rows, the public
                        :class:`~storage.repo_core.UnitOfWork` (``repo.unit_of_work()``)
``repo_records``        the plain records returned (``PatientSummary``, ``SaveResult``, ...)
``repo_patients``       patients, medications, adverse events, the patient list, import
``repo_visits``         visits, their values and missing reasons, the signed-baseline guard
``repo_derived``        the derived-value cache (stored scores and responses)
``repo_settings``       settings, the study protocol, the label review
``repo_drafts``         unsaved entry kept for crash recovery
``repo_history``        audit-trail reads
======================  =====================================================================
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from storage import crypto
from storage.connection import Connection
from storage.database import DEFAULT_BUSY_TIMEOUT_MS, open_database
from storage.repo_core import RepositoryCore, UnitOfWork, sql_audit_text
from storage.repo_derived import DerivedCache
from storage.repo_drafts import DraftStore
from storage.repo_history import VISIT_TABLES, HistoryReader
from storage.repo_patients import PatientStore
from storage.repo_records import (
    AppSettings,
    AuditEntry,
    CheckedVisit,
    DerivedValue,
    Draft,
    ImportSummary,
    LabelReview,
    PatientSummary,
    SaveResult,
    ScheduleInput,
)
from storage.repo_settings import SettingsStore
from storage.repo_visits import VisitStore

__all__ = ["AppSettings", "AuditEntry", "CheckedVisit", "DerivedValue", "Draft",
           "ImportSummary", "LabelReview", "PatientSummary", "Repository", "SaveResult",
           "ScheduleInput", "UnitOfWork"]

if TYPE_CHECKING:
    from sqlite_utils import Database

# kept under their former names for callers and tests that used them
_VISIT_TABLES = VISIT_TABLES
_sql_audit_text = sql_audit_text


class Repository(PatientStore, VisitStore, DerivedCache, SettingsStore, DraftStore,
                 HistoryReader, RepositoryCore):
    """All reads and writes of one database file.

    Args:
        db: an open connection (from :func:`storage.database.open_database`, or a
            ``sqlite_utils.Database``; the caller keeps ownership) or a path (opened, migrated
            if older, and closed by :meth:`close`).
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
            self.db = db if isinstance(db, Connection) else Connection(db.conn)
            self._owns = False
            row = db.execute("PRAGMA database_list").fetchone()
            self.path = Path(row[2]) if row and row[2] else None
        else:
            self.path = Path(db)
            self.db = open_database(self.path, busy_timeout_ms=busy_timeout_ms,
                                    full_check=full_check)
            self._owns = True
        self._protocol = None
        self.database_id = None
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

    def close(self) -> None:
        if self._owns:
            self.db.close()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
