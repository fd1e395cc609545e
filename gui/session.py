"""The open database as the GUI sees it: a thin adapter over ``storage.repository.Repository``.

It owns the GUI thread's own repository (short single-record saves run on it; style practice
6), knows the database path so background jobs can open their own connection, names drafts,
picks the actor recorded in the audit trail, and turns storage summaries into the rows the
patient list shows. It holds no clinical rule.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication

from forms.model import AdverseEvent, Medication, Patient, Visit
from forms.settings import ScoringSettings
from gui.models import PatientRow
from storage import accounts, signoff, tempfiles
from storage.database import FilesReplaced
from storage.locks import AppLock
from storage.repository import (
    AppSettings,
    AuditEntry,
    Draft,
    LabelReview,
    Repository,
    ScheduleInput,
)
from storage.signoff import SignoffStatus

if TYPE_CHECKING:
    from storage.prefetch import ListPrefetch

DRAFT_PREFIX = "visit/"
UNREADABLE_PREFIX = "unreadable/"
T = TypeVar("T")


#: a ``PatientSummary``-ordered storage tuple -> the fields of a PatientRow, in their order
_PATIENT_ROW_FIELDS = itemgetter(1, 2, 7, 8, 9, 11, 12, 13, 10, 14, 15, 16, 17, 4, 5)


def patient_rows_of(rows: Iterable[tuple[Any, ...]]) -> list[PatientRow]:
    """Patient-list rows from ``Repository.patient_list_rows`` tuples (made in C: 5,000 rows
    at start-up)."""
    make = PatientRow._make
    return [make(fields) for fields in map(_PATIENT_ROW_FIELDS, rows)]


def draft_key(study_id: str, visit_id: int | None) -> str:
    """``visit/P01/12`` for a saved visit, ``visit/P01/new`` for a new one."""
    return f"{DRAFT_PREFIX}{study_id}/{'new' if visit_id is None else visit_id}"


class Session:
    """One open database file (see the module docstring)."""

    def __init__(self, path: Path, repo: Repository | None = None, *,
                 full_check: bool = False, prefetched: ListPrefetch | None = None) -> None:
        self.path = Path(path)
        #: the patient list read while the window was built (gui.app.run), offered once
        self._prefetched = prefetched
        self.lock: AppLock | None = None
        #: the previous session on this file ended uncleanly, so the whole file was checked
        self.checked_after_crash = False
        if repo is None:
            # One running app per database (storage.locks); a lock left by a dead process
            # means a crash: the whole file is checked before anything writes.
            self.lock = AppLock.acquire(self.path)
            try:
                tempfiles.sweep_beside(self.path)
                self.checked_after_crash = self.lock.unclean
                full_check = full_check or self.lock.unclean
                # Stale stored scores (new rule versions or settings) are recomputed by a
                # background job (gui.operations.startup.refresh_scores), not here: at
                # 100,000 visits that takes a minute.
                repo = Repository(self.path, refresh=False,
                                  full_check=True if full_check else None)
            except BaseException:
                self.lock.release()
                raise
        self.repo = repo
        self._settings: AppSettings | None = None
        #: keys of drafts that could not be read and were kept aside (reported at start)
        self.unreadable_drafts: list[str] = []
        try:
            self.settings()  # a damaged settings row: a plain message, the file left closed
        except BaseException:
            if repo is None:
                self.repo.close()
            raise

    def close(self) -> None:
        if self._prefetched is not None:
            self._prefetched.close()
            self._prefetched = None
        self.repo.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def reopen(self) -> None:
        """Close the connection and open a fresh one on the same file (after
        ``storage.database.FilesReplaced``). Every connection of this process must close
        first: SQLite shares one view of the WAL index per process and file."""
        self.repo.close()
        self.repo = Repository(self.path, refresh=False)

    def guarded(self, call: Callable[[], T]) -> T:
        """Run a write; when the files were replaced under the connection, reopen it (the
        caller keeps the typed data as a draft) and re-raise."""
        try:
            return call()
        except FilesReplaced:
            self.reopen()
            raise

    def opener(self) -> Callable[[], AbstractContextManager[Repository]]:
        """Opens a *new* repository on this file, for a worker thread (its own connection)."""
        path = self.path
        return lambda: Repository(path, refresh=False)

    # -- settings and the audit actor
    def settings(self) -> AppSettings:
        if self._settings is None:
            self._settings = self.repo.get_settings()
        return self._settings

    def scoring(self) -> ScoringSettings:
        return self.settings().scoring

    def set_settings(self, settings: AppSettings) -> None:
        self.guarded(lambda: self.repo.set_settings(settings, self.actor()))
        self._settings = None

    @property
    def encrypted(self) -> bool:
        return self.repo.database_id is not None

    @property
    def account(self) -> accounts.Account | None:
        """The signed-in account of an encrypted file (None for a plain file)."""
        return self.repo.account

    def reload_settings(self) -> None:
        """Forget the cached settings (another connection changed them, e.g. an import)."""
        self._settings = None

    def actor(self) -> str:
        """Who is recorded in the audit trail: the signed-in account on an encrypted file;
        on a plain file the assessor from settings, else the OS user."""
        if self.account is not None:
            return self.account.actor
        name = ""
        if self._settings is not None:
            name = self._settings.assessor
        return name or _os_user()

    # -- patients
    def patient_rows(self) -> list[PatientRow]:
        """The patient list, one row per patient, straight from storage's plain tuples
        (``Repository.patient_list_rows``, in ``PatientSummary`` field order); the first
        time, the rows read at start (:class:`storage.prefetch.ListPrefetch`) when they
        are still current."""
        prefetched, self._prefetched = self._prefetched, None
        rows = prefetched.take(self.path) if prefetched is not None else None
        return patient_rows_of(rows if rows is not None else self.repo.patient_list_rows())

    def get_patient(self, study_id: str) -> Patient:
        return self.repo.get_patient(study_id)

    def add_patient(self, patient: Patient) -> None:
        self.guarded(lambda: self.repo.add_patient(patient, self.actor()))

    def update_patient(self, patient: Patient) -> None:
        self.guarded(lambda: self.repo.update_patient(patient, self.actor()))

    def delete_patient(self, study_id: str) -> None:
        """Delete a patient and everything recorded about them (audited; storage refuses
        while one of their visits is signed off), then the unsaved drafts of their visits."""
        self.guarded(lambda: self.repo.delete_patient(study_id, self.actor()))
        own = f"{DRAFT_PREFIX}{study_id}/"
        for draft in self.repo.load_drafts():
            if draft.key.startswith(own):
                self.discard_draft_key(draft.key)

    def save_medication(self, study_id: str, medication: Medication) -> None:
        self.guarded(lambda: self.repo.record_medication(study_id, medication,
                                                         self.actor()))

    def save_adverse_event(self, study_id: str, event: AdverseEvent) -> None:
        self.guarded(lambda: self.repo.record_adverse_event(study_id, event, self.actor()))

    def change_dose(self, study_id: str, medication_id: int, new: Medication) -> None:
        """A taper step: the course's current dose stops the day before ``new`` starts."""
        self.repo.change_dose(study_id, medication_id, new, self.actor())

    def schedule_inputs(self) -> list[ScheduleInput]:
        """Every patient's baseline date and visit labels, for the due list."""
        return self.repo.schedule_inputs()

    def label_review(self) -> list[LabelReview]:
        return self.repo.label_review()

    def mark_label_review_done(self) -> None:
        self.repo.mark_label_review_done(self.actor())

    def delete_medication(self, medication_id: int) -> None:
        self.guarded(lambda: self.repo.delete_medication(medication_id, self.actor()))

    def delete_adverse_event(self, event_id: int) -> None:
        self.guarded(lambda: self.repo.delete_adverse_event(event_id, self.actor()))

    def is_empty(self) -> bool:
        return self.repo.patient_count() == 0

    # -- visits (VisitStore protocol of gui.visit_editor)
    def save_visit(self, study_id: str, visit: Visit) -> Visit:
        """Save and return the visit with its id; raises ValidationFailed on errors."""
        result = self.guarded(lambda: self.repo.save_visit(study_id, visit, self.actor()))
        visit.id = result.id
        return visit

    def delete_visit(self, visit_id: int) -> None:
        """Delete a saved visit (audited); raises SignedVisitLocked when it is signed off."""
        self.guarded(lambda: self.repo.delete_visit(visit_id, self.actor()))

    def signoffs(self, visit_ids: list[int]) -> dict[int, SignoffStatus]:
        """Sign-off state of the visits that were ever signed (valid or voided), by visit id.

        One small indexed query per visit (``storage.signoff.signoff_status``): a patient has
        tens of visits, so this stays well under a millisecond per visit.
        """
        out: dict[int, SignoffStatus] = {}
        for vid in visit_ids:
            status = signoff.signoff_status(self.repo, vid)
            if status.history:
                out[vid] = status
        return out

    def save_draft(self, study_id: str, visit_id: int | None, payload: dict[str, Any]) -> None:
        body = {"study_id": study_id, "visit_id": visit_id, "by": self.actor(), **payload}
        self.guarded(lambda: self.repo.save_draft(draft_key(study_id, visit_id),
                                                   json.dumps(body)))

    def delete_draft(self, study_id: str, visit_id: int | None) -> None:
        self.guarded(lambda: self.repo.discard_draft(draft_key(study_id, visit_id)))

    def drafts(self) -> list[tuple[Draft, dict[str, Any]]]:
        """Visit drafts left behind (after a crash), with their decoded payloads.

        A draft that cannot be read (not JSON, not the shape the editor writes) is never
        fatal: it is kept aside under ``unreadable/<key>`` (still in the file, not offered
        again) and named in :attr:`unreadable_drafts` for the window to report.
        """
        out = []
        for draft in self.repo.load_drafts():
            if not draft.key.startswith(DRAFT_PREFIX):
                continue
            payload = _draft_payload(draft.payload_json)
            if payload is None:
                self.set_draft_aside(draft)
                continue
            if not isinstance(payload, dict):  # not a visit draft (`check` lists it)
                continue
            out.append((draft, payload))
        return out

    def set_draft_aside(self, draft: Draft) -> None:
        """Keep an unusable draft under ``unreadable/<key>`` and remember to report it."""
        text = draft.payload_json
        try:
            json.loads(text)
        except ValueError:
            text = json.dumps({"unreadable_payload": text[:1_000_000]})
        self.guarded(lambda: self.repo.save_draft(f"{UNREADABLE_PREFIX}{draft.key}", text))
        self.guarded(lambda: self.repo.discard_draft(draft.key))
        self.unreadable_drafts.append(draft.key)

    def discard_draft_key(self, key: str) -> None:
        self.guarded(lambda: self.repo.discard_draft(key))

    def visit_history(self, visit_id: int) -> list[AuditEntry]:
        return self.repo.visit_history(visit_id)


def _draft_payload(text: str) -> dict[str, Any] | None:
    """A draft's payload when it has the shape the editor writes, else None."""
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("study_id", ""), str):
        return None
    texts = payload.get("texts", {})
    if not isinstance(texts, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int | float) for k, v in texts.items()):
        return None
    if not isinstance(payload.get("missing", {}), dict):
        return None
    visit_id = payload.get("visit_id")
    if visit_id is not None and (not isinstance(visit_id, int) or isinstance(visit_id, bool)):
        return None
    return payload


def _os_user() -> str:
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"


def describe_draft(draft: Draft, payload: dict[str, Any]) -> str:
    """``P01, visit 2024-03-01 (unsaved since 14:02)`` for the recovery dialog."""
    texts = payload.get("texts", {})
    date = texts.get("visit_date") or "?"
    when = draft.saved_at.astimezone() if draft.saved_at.tzinfo else draft.saved_at
    stamp = when.strftime("%Y-%m-%d %H:%M") if isinstance(when, dt.datetime) else str(when)
    text = (_tr("{sid}: new visit {date} (unsaved changes from {stamp})")
            if payload.get("visit_id") is None
            else _tr("{sid}: visit {date} (unsaved changes from {stamp})"))
    text = text.format(sid=payload.get("study_id", "?"), date=date, stamp=stamp)
    if payload.get("by"):
        text += _tr(", by {who}").format(who=payload["by"])
    return text


def _tr(text: str) -> str:
    return QCoreApplication.translate("Session", text)
