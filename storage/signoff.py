"""Visit sign-off: an assessor verifies a complete visit against source; it is then read-only.

A sign-off records who signed (``signed_by``), when (UTC), the meaning of the signature
(:data:`MEANING`, "verified against source") and a PDF snapshot of the patient's case summary
as it stood at signing (the PDF is made above storage, by :mod:`exports.signoff`; storage never
imports exports). While a visit has an un-voided sign-off,

* :meth:`storage.repository.Repository.save_visit` and ``delete_visit`` (and imports that would
  replace the visit, and deleting the patient) raise :class:`~storage.errors.SignedVisitLocked`
  before writing anything (:func:`ensure_unlocked`);
* SQL triggers from migration m003 refuse the same changes underneath, as defence in depth.

Changing a signed visit takes :func:`unlock_visit` with a reason: the signature is voided (never
deleted), and both signing and unlocking are audit entries of the visit, so they appear in
``Repository.visit_history`` with the reason.

What was verified never changes silently (issue 17, migration m005):

* a signed visit's baseline flag and stored scores/responses are read-only (repository and
  triggers); moving the patient's baseline while any visit is signed is refused; settings
  changes and edits of an unsigned baseline leave signed results frozen, and
  :func:`frozen_note` says what a recalculation would now give; the audit row of a signing
  holds a digest of the visit's derived values (:func:`derived_digest`), checked by ``check``;
* no sign-off row is ever deleted: deleting an unlocked visit (or its patient) marks its voided
  signatures ``visit_deleted_at`` (:func:`keep_signatures_of_deleted_visit`, audited) and keeps
  them and their PDF snapshots as evidence.

Every function takes a :class:`~storage.repository.Repository` and runs in its connection's
thread; writes use the repository's single ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from typing import TYPE_CHECKING

from forms import registry, scoring, validation
from forms.i18n import N_, _, local_time_text
from forms.records import frozen
from storage import accounts
from storage.errors import KnownStorageError, NotFound, SignedVisitLocked, translated

if TYPE_CHECKING:
    from storage.repo_core import RepositoryCore
    from storage.repository import Repository

MEANING = N_("verified against source")  # stored in English; shown translated
TABLE = "visit_signoffs"
_MAX_NAME = 100

#: The core set a visit needs before it can be signed (instruments.md section 5.2, the IMACS
#: core set used by the ACR/EULAR 2016 Total Improvement Score; the PRINTO set of 5.1 overlaps),
#: as the instruments declare it (``forms.registry.core_domains()``): each domain's derived
#: totals and entered fields that satisfy it, and the forms whose recorded missing reason
#: satisfies it. A domain is present when one of its values is recorded, or when a reason it
#: was not assessed is recorded ("not assessed" is an answer; a silent gap is not).
CORE_DOMAINS = registry.core_domains()


class VisitIncomplete(KnownStorageError):
    """The visit cannot be signed off yet; :attr:`problems` says what is missing."""

    def __init__(self, context: str, problems: list[str]) -> None:
        super().__init__("incomplete", f"{context} is not complete, so it cannot be signed "
                         "off: " + " ".join(problems))
        self.problems = problems


@frozen
class SignOff:
    """One signature of a visit, valid or voided.

    Attributes:
        snapshot_sha256: SHA-256 of the stored PDF snapshot (also written to the audit trail).
        voided_at, voided_by, void_reason: set once when the visit was unlocked.
    """

    id: int
    visit_id: int
    signed_by: str
    signed_at: dt.datetime
    meaning: str
    snapshot_sha256: str
    snapshot_size: int
    voided_at: dt.datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.voided_at is None


@frozen
class SignoffStatus:
    """A visit's sign-off state: the valid signature (if any) and every earlier one."""

    visit_id: int
    current: SignOff | None
    history: tuple[SignOff, ...]
    #: for a signed visit whose frozen scores a recalculation would now change (settings or
    #: the baseline's values changed since signing): what changed; else ""
    note: str = ""

    @property
    def signed(self) -> bool:
        return self.current is not None

    def describe(self) -> str:
        """One line for the GUI: ``Signed by A. Nurse on 2026-11-25 10:04 UTC`` or why not."""
        if self.current is not None:
            note = f"\n{self.note}" if self.note else ""
            return _("Signed by {name} on {when} ({meaning})").format(
                name=self.current.signed_by, when=local_time_text(self.current.signed_at),
                meaning=_(self.current.meaning)) + note
        if self.history:
            last = self.history[-1]
            return _("Not signed (signature of {name} voided by {by}: {reason})").format(
                name=last.signed_by, by=last.voided_by, reason=last.void_reason)
        return _("Not signed")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is required")
    value = value.strip()
    if len(value) > _MAX_NAME:
        raise ValueError(f"{what} is longer than {_MAX_NAME} characters")
    return value


_COLUMNS = ("id, visit_id, signed_by, signed_at, meaning, snapshot_sha256, "
            "length(snapshot_pdf), voided_at, voided_by, void_reason")


def _signoffs(conn: sqlite3.Connection, visit_id: int) -> list[SignOff]:
    # signatures of a deleted visit are kept as evidence but belong to no live visit (a new
    # visit may later get the same id)
    rows = conn.execute(f"SELECT {_COLUMNS} FROM {TABLE} WHERE visit_id = ? AND "
                        "visit_deleted_at IS NULL ORDER BY id", (visit_id,)).fetchall()
    return [SignOff(r[0], r[1], r[2], _time(r[3]) or dt.datetime.min, r[4], r[5], r[6],
                    _time(r[7]), r[8], r[9]) for r in rows]


def _active(conn: sqlite3.Connection, visit_id: int) -> SignOff | None:
    return next((s for s in _signoffs(conn, visit_id) if s.active), None)


def ensure_unlocked(conn: sqlite3.Connection, visit_id: int, context: str = "") -> None:
    """Refuse to go on when the visit has a valid sign-off (called by the repository).

    Raises:
        SignedVisitLocked: naming who signed and when, and what to do.
    """
    current = _active(conn, visit_id)
    if current is None:
        return
    prefix = f"{context}: " if context else ""
    raise SignedVisitLocked(
        f"{prefix}signed visit is read-only; unlock with a reason first (signed by "
        f"{current.signed_by} on {current.signed_at:%Y-%m-%d %H:%M} UTC).")


def _visit_context(repo: Repository, visit_id: int) -> tuple[str, str]:
    row = repo.db.conn.execute(
        "SELECT p.study_id, v.visit_date, v.visit_label FROM visits v JOIN patients p "
        "ON p.id = v.patient_id WHERE v.id = ?", (visit_id,)).fetchone()
    if row is None:
        raise NotFound(f"no visit with id {visit_id}")
    label = f" ({row[2]})" if row[2] else ""
    return row[0], f"patient {row[0]}, visit {row[1]}{label}"


def completeness_problems(repo: Repository, visit_id: int, *,
                          today: dt.date | None = None) -> list[str]:
    """Why a visit cannot be signed yet; empty when it is complete.

    A visit is *complete* when

    1. its saved values pass ``forms.validation.check_visit`` with no error (ranges, dates,
       not both a value and a missing reason), and
    2. every domain of :data:`CORE_DOMAINS` is present: a value, a computable total (CMAS or
       MMT-8, CHAQ DI; a total needs all its items, instruments.md section 0), or a recorded
       reason that it was not assessed.

    Warnings (plausibility) do not block signing.

    Returns:
        One sentence per problem, naming the field or domain.
    """
    with translated(repo.path):
        study_id, _context = _visit_context(repo, visit_id)
        patient = repo.get_patient(study_id)
    visit = next(v for v in patient.visits if v.id == visit_id)
    check = validation.check_visit(visit.values, visit.missing, visit_date=visit.visit_date,
                                   visit_label=visit.visit_label,
                                   birth_date=patient.birth_date,
                                   today=today)
    problems = [p.message for p in check.errors]
    scores = scoring.score_visit(check.values)
    for core in CORE_DOMAINS:
        if any(scores.get(t) is not None and scores[t].value is not None for t in core.totals):
            continue
        if any(f in check.values or f in visit.missing for f in core.fields):
            continue
        if core.forms and any(registry.get(name).form in core.forms for name in visit.missing):
            continue
        problems.append(f"The core set needs {core.description}: enter it, or record why it "
                        "was not assessed.")
    return problems


def visit_version(repo: Repository, visit_id: int) -> int:
    """The id of the visit's newest audit row (0 when none): changes whenever the visit does.

    :mod:`exports.signoff` reads it before rendering the PDF snapshot and passes it back to
    :func:`sign_off_visit`, which refuses if the visit changed while the PDF was made.
    """
    from storage.repo_history import VISIT_TABLES  # noqa: PLC0415 - avoids an import cycle

    marks = ",".join("?" * len(VISIT_TABLES))
    with translated(repo.path):
        row = repo.db.conn.execute(
            f"SELECT max(id) FROM audit WHERE table_name IN ({marks}) AND record_id = ? "
            f"AND table_name != '{TABLE}'", (*VISIT_TABLES, visit_id)).fetchone()
    return int(row[0] or 0)


def _signer(repo: Repository, user_name: str | None, password: str | None,
            purpose: str) -> accounts.Account | None:
    """On an encrypted file: the account whose password was entered *now* (21 CFR 11.200:
    user ID and password at each signing), if its role may sign. None on a plain file.

    A wrong password is refused and recorded (``security_events``, audited) before anything
    else is written.
    """
    if repo.database_id is None:
        return None
    me = accounts.require(repo, "enter")  # somebody is signed in to this session
    user_name = user_name or (me.user_name if me else "")
    if not password:
        raise KnownStorageError("password_needed", _(
            "{purpose}: enter the password of the person signing.").format(
                purpose=accounts.purpose_text(purpose)))
    signer = accounts.verify_password(repo, user_name, password, purpose)
    if not signer.can("sign"):
        raise accounts.NotAllowed(signer, "sign")
    return signer


def sign_off_visit(repo: Repository, visit_id: int, assessor: str, snapshot_pdf: bytes, *,
                   expected_version: int | None = None,
                   today: dt.date | None = None, password: str | None = None,
                   user_name: str | None = None) -> SignOff:
    """Sign a complete visit off as "verified against source", storing the PDF snapshot.

    Args:
        repo: the open repository.
        visit_id: the visit to sign.
        assessor: who verifies it (recorded as ``signed_by`` and as the audit actor).
        snapshot_pdf: the patient's PDF case summary at signing (must start with ``%PDF``).
        expected_version: :func:`visit_version` when the snapshot was rendered; the sign-off
            is refused if the visit changed since (the snapshot would not match).
        today: for the validation's "not in the future" rule (tests).
        password, user_name: on an encrypted file the signer's password, entered at this
            moment, and their user name (default: the signed-in account). The signature then
            records the account's full name, and ``assessor`` is ignored.

    Returns:
        The new :class:`SignOff`.

    Raises:
        ValueError: no assessor, or the snapshot is not a PDF.
        VisitIncomplete: the visit is not complete (:func:`completeness_problems`).
        SignedVisitLocked: the visit is already signed.
        NotFound: no such visit.
    """
    if not isinstance(snapshot_pdf, bytes | bytearray) or not snapshot_pdf.startswith(b"%PDF"):
        raise ValueError("the sign-off snapshot must be a PDF document")
    _study_id, where = _visit_context(repo, visit_id)
    signer = _signer(repo, user_name, password, f"sign-off of {where}")
    assessor = _name(signer.full_name if signer else assessor, "the assessor's name")
    actor = signer.actor if signer else assessor
    problems = completeness_problems(repo, visit_id, today=today)
    with repo.unit_of_work() as uow:
        conn = uow.conn
        _study_id, context = _visit_context(repo, visit_id)
        if problems:
            raise VisitIncomplete(context, problems)
        current = _active(conn, visit_id)
        if current is not None:
            raise SignedVisitLocked(f"{context} is already signed off by {current.signed_by}.")
        if expected_version is not None and visit_version(repo, visit_id) != expected_version:
            raise SignedVisitLocked(f"{context} changed while its snapshot was being made; "
                                    "sign it off again.")
        at = _now()
        digest = hashlib.sha256(snapshot_pdf).hexdigest()
        cur = conn.execute(
            f"INSERT INTO {TABLE} (visit_id, signed_by, signed_at, meaning, snapshot_pdf, "
            "snapshot_sha256) VALUES (?, ?, ?, ?, ?, ?)",
            (visit_id, assessor, at, MEANING, bytes(snapshot_pdf), digest))
        signoff_id = int(cur.lastrowid or 0)
        uow.audit_as(actor, at, "insert", TABLE, visit_id,
                  [("signed_by", None, assessor), ("meaning", None, MEANING),
                   ("snapshot_sha256", None, digest), ("signoff_id", None, signoff_id),
                   ("derived_sha256", None, derived_digest(conn, visit_id))],
                  f"{context}: signed off")
        return next(s for s in _signoffs(conn, visit_id) if s.id == signoff_id)


def unlock_visit(repo: Repository, visit_id: int, actor: str, reason: str, *,
                 password: str | None = None, user_name: str | None = None) -> SignOff:
    """Void the visit's valid sign-off so it can be changed again; the reason is audited.

    Args:
        repo: the open repository.
        visit_id: the signed visit.
        actor: who unlocks it.
        reason: why (required; shown in the visit's history).
        password, user_name: on an encrypted file an investigator's (or administrator's)
            password, entered now, and user name (default: the signed-in account).

    Returns:
        The voided :class:`SignOff`.

    Raises:
        ValueError: no actor or no reason.
        NotFound: no such visit, or it is not signed.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("unlocking a signed visit needs a reason")
    reason = reason.strip()
    _study_id, where = _visit_context(repo, visit_id)
    signer = _signer(repo, user_name, password, f"unlocking {where}")
    actor = _name(signer.full_name if signer else actor, "who unlocks the visit")
    audit_actor = signer.actor if signer else actor
    with repo.unit_of_work() as uow:
        conn = uow.conn
        _study_id, context = _visit_context(repo, visit_id)
        current = _active(conn, visit_id)
        if current is None:
            raise NotFound(f"{context} is not signed off; there is nothing to unlock")
        at = _now()
        conn.execute(f"UPDATE {TABLE} SET voided_at = ?, voided_by = ?, void_reason = ? "
                     "WHERE id = ?", (at, actor, reason, current.id))
        uow.audit_as(audit_actor, at, "update", TABLE, visit_id,
                  [("voided_by", None, actor), ("void_reason", None, reason),
                   ("signoff_id", current.id, current.id)],
                  f"{context}: unlocked (signature of {current.signed_by} voided)")
        # its scores and responses were frozen while signed: bring them up to date now
        uow.refresh_visit_derived(visit_id)
        return next(s for s in _signoffs(conn, visit_id) if s.id == current.id)


def keep_signatures_of_deleted_visit(repo: RepositoryCore, visit_id: int, actor: str, at: str,
                                     context: str) -> int:
    """Mark the (voided) signatures of a visit being deleted; they and their PDF snapshots
    stay in ``visit_signoffs`` as evidence (never cascaded away), and each mark is audited.

    Called by the repository inside the deleting transaction, after ``ensure_unlocked``.

    Returns:
        How many signatures were kept.
    """
    with repo.unit_of_work() as uow:  # joins the deleting transaction
        kept = _signoffs(uow.conn, visit_id)
        for s in kept:
            uow.conn.execute(f"UPDATE {TABLE} SET visit_deleted_at = ? WHERE id = ?",
                             (at, s.id))
            uow.audit(actor, at, "update", TABLE, visit_id,
                      [("visit_deleted_at", None, at), ("signoff_id", s.id, s.id)],
                      f"{context}: visit deleted; its voided signature by {s.signed_by} and "
                      "PDF snapshot are kept as evidence")
    return len(kept)


def _label(name: str) -> str:
    try:
        return registry.get(name).short_label
    except KeyError:
        return name


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def derived_digest(conn: sqlite3.Connection, visit_id: int) -> str:
    """SHA-256 of a visit's stored derived values (field, value, reason, rule version).

    Written to the audit trail at sign-off: ``check`` proves a signed visit's scores and
    responses are still the ones that were verified.
    """
    rows = conn.execute("SELECT field, value, missing_reason, rule_version FROM derived_values "
                        "WHERE visit_id = ? ORDER BY field", (visit_id,)).fetchall()
    body = [[f, None if v is None else repr(v), r, ver] for f, v, r, ver in rows]
    return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()


def signed_derived_digests(conn: sqlite3.Connection) -> dict[int, str | None]:
    """Valid sign-offs: visit id -> the derived-values digest audited at signing (None for
    sign-offs made before it was recorded)."""
    out: dict[int, str | None] = {}
    for vid, sid in conn.execute(f"SELECT visit_id, id FROM {TABLE} WHERE voided_at IS NULL"):
        row = conn.execute(
            "SELECT c2.new FROM audit a JOIN audit_changes c ON c.audit_id = a.id AND "
            "c.field = 'signoff_id' AND c.old IS NULL AND c.new = ? JOIN audit_changes c2 ON "
            "c2.audit_id = a.id AND c2.field = 'derived_sha256' WHERE a.table_name = ? AND "
            "a.record_id = ?", (str(sid), TABLE, vid)).fetchone()
        out[int(vid)] = None if row is None else row[0]
    return out


def signoff_status(repo: Repository, visit_id: int, *,
                   with_note: bool = False) -> SignoffStatus:
    """The visit's valid sign-off (or None) and all its sign-offs, oldest first.

    Args:
        with_note: also recompute the visit's results to fill :attr:`SignoffStatus.note`
            (one patient's scoring, a few ms; the visit editor asks for it, lists do not).
    """
    with translated(repo.path):
        history = tuple(_signoffs(repo.db.conn, visit_id))
        current = next((s for s in history if s.active), None)
        note = frozen_note(repo, visit_id) if current is not None and with_note else ""
    return SignoffStatus(visit_id, current, history, note)


def frozen_note(repo: Repository, visit_id: int) -> str:
    """Why a signed visit's stored scores differ from a recalculation now ("" when equal).

    A signed visit's derived values are frozen as they were verified (the settings or the
    baseline's values may have changed since); this says so visibly, naming the values.
    """
    study_id, _context = _visit_context(repo, visit_id)
    patient = repo.get_patient(study_id)
    expected = {r[0]: r[1] for r in repo.expected_derived(patient.visits).get(visit_id, set())}
    stored = dict(repo.db.conn.execute(
        "SELECT field, value FROM derived_values WHERE visit_id = ?", (visit_id,)).fetchall())
    changed = [f"{_label(name)} {_shown(stored.get(name))} (now {_shown(expected.get(name))})"
               for name in sorted(set(expected) | set(stored))
               if stored.get(name) != expected.get(name)]
    if not changed:
        return ""
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return ("Settings or the baseline changed since signing: results kept as signed "
            f"({', '.join(changed[:3])}{more}); unlock to recompute")


def signed_visit_ids(repo: Repository, visit_ids: list[int] | None = None) -> set[int]:
    """Ids of the visits (of ``visit_ids``, or all) that have a valid sign-off."""
    with translated(repo.path):
        rows = repo.db.conn.execute(
            f"SELECT visit_id FROM {TABLE} WHERE voided_at IS NULL AND visit_deleted_at IS NULL"
        ).fetchall()
    found = {int(r[0]) for r in rows}
    return found if visit_ids is None else found & set(visit_ids)


def snapshot(repo: Repository, signoff_id: int) -> bytes:
    """The PDF stored with a sign-off (valid or voided).

    Raises:
        NotFound: no such sign-off.
    """
    with translated(repo.path):
        row = repo.db.conn.execute(f"SELECT snapshot_pdf FROM {TABLE} WHERE id = ?",
                                   (signoff_id,)).fetchone()
    if row is None:
        raise NotFound(f"no sign-off with id {signoff_id}")
    return bytes(row[0])
