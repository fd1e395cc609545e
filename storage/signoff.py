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

Every function takes a :class:`~storage.repository.Repository` and runs in its connection's
thread; writes use the repository's single ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forms import registry, scoring, validation
from forms.i18n import N_, _, local_time_text
from storage.errors import KnownStorageError, NotFound, SignedVisitLocked, translated

if TYPE_CHECKING:
    from storage.repository import Repository

MEANING = N_("verified against source")  # stored in English; shown translated
TABLE = "visit_signoffs"
_MAX_NAME = 100

#: The core set a visit needs before it can be signed (instruments.md section 5.2, the IMACS
#: core set used by the ACR/EULAR 2016 Total Improvement Score; the PRINTO set of 5.1 overlaps):
#: (domain, derived totals that satisfy it, entered fields that satisfy it, forms whose
#: recorded missing reason satisfies it). A domain is present when one of its values is
#: recorded, or when a reason it was not assessed is recorded ("not assessed" is an answer;
#: a silent gap is not).
CORE_DOMAINS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("physician global activity", (), ("phys_global",), ()),
    ("parent/patient global", (), ("parent_global",), ()),
    ("muscle strength (CMAS or MMT-8 total)", ("cmas_total", "mmt8_total"), (),
     ("cmas", "mmt8")),
    ("physical function (CHAQ disability index)", ("chaq_di",), (), ("chaq",)),
    ("muscle enzymes (at least one of CK, aldolase, LDH, AST, ALT)", (),
     tuple(registry.ENZYMES), ()),
    ("extramuscular global activity", (), ("extramuscular_global",), ()),
)


class VisitIncomplete(KnownStorageError):
    """The visit cannot be signed off yet; :attr:`problems` says what is missing."""

    def __init__(self, context: str, problems: list[str]) -> None:
        super().__init__("incomplete", f"{context} is not complete, so it cannot be signed "
                         "off: " + " ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class SignoffStatus:
    """A visit's sign-off state: the valid signature (if any) and every earlier one."""

    visit_id: int
    current: SignOff | None
    history: tuple[SignOff, ...]

    @property
    def signed(self) -> bool:
        return self.current is not None

    def describe(self) -> str:
        """One line for the GUI: ``Signed by A. Nurse on 2026-11-25 10:04 UTC`` or why not."""
        if self.current is not None:
            return _("Signed by {name} on {when} ({meaning})").format(
                name=self.current.signed_by, when=local_time_text(self.current.signed_at),
                meaning=_(self.current.meaning))
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
    rows = conn.execute(f"SELECT {_COLUMNS} FROM {TABLE} WHERE visit_id = ? ORDER BY id",
                        (visit_id,)).fetchall()
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
    for domain, totals, fields, forms in CORE_DOMAINS:
        if any(scores.get(t) is not None and scores[t].value is not None for t in totals):
            continue
        if any(f in check.values or f in visit.missing for f in fields):
            continue
        if forms and any(registry.get(name).form in forms for name in visit.missing):
            continue
        problems.append(f"The core set needs {domain}: enter it, or record why it was not "
                        "assessed.")
    return problems


def visit_version(repo: Repository, visit_id: int) -> int:
    """The id of the visit's newest audit row (0 when none): changes whenever the visit does.

    :mod:`exports.signoff` reads it before rendering the PDF snapshot and passes it back to
    :func:`sign_off_visit`, which refuses if the visit changed while the PDF was made.
    """
    from storage.repository import _VISIT_TABLES  # noqa: PLC0415 - avoids an import cycle

    marks = ",".join("?" * len(_VISIT_TABLES))
    with translated(repo.path):
        row = repo.db.conn.execute(
            f"SELECT max(id) FROM audit WHERE table_name IN ({marks}) AND record_id = ? "
            f"AND table_name != '{TABLE}'", (*_VISIT_TABLES, visit_id)).fetchone()
    return int(row[0] or 0)


def sign_off_visit(repo: Repository, visit_id: int, assessor: str, snapshot_pdf: bytes, *,
                   expected_version: int | None = None,
                   today: dt.date | None = None) -> SignOff:
    """Sign a complete visit off as "verified against source", storing the PDF snapshot.

    Args:
        repo: the open repository.
        visit_id: the visit to sign.
        assessor: who verifies it (recorded as ``signed_by`` and as the audit actor).
        snapshot_pdf: the patient's PDF case summary at signing (must start with ``%PDF``).
        expected_version: :func:`visit_version` when the snapshot was rendered; the sign-off
            is refused if the visit changed since (the snapshot would not match).
        today: for the validation's "not in the future" rule (tests).

    Returns:
        The new :class:`SignOff`.

    Raises:
        ValueError: no assessor, or the snapshot is not a PDF.
        VisitIncomplete: the visit is not complete (:func:`completeness_problems`).
        SignedVisitLocked: the visit is already signed.
        NotFound: no such visit.
    """
    assessor = _name(assessor, "the assessor's name")
    if not isinstance(snapshot_pdf, bytes | bytearray) or not snapshot_pdf.startswith(b"%PDF"):
        raise ValueError("the sign-off snapshot must be a PDF document")
    problems = completeness_problems(repo, visit_id, today=today)
    with repo._write():  # noqa: SLF001 - storage-internal transaction helper
        conn = repo.db.conn
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
        repo._audit(assessor, at, "insert", TABLE, visit_id,  # noqa: SLF001
                    [("signed_by", None, assessor), ("meaning", None, MEANING),
                     ("snapshot_sha256", None, digest), ("signoff_id", None, signoff_id)],
                    f"{context}: signed off")
        return next(s for s in _signoffs(conn, visit_id) if s.id == signoff_id)


def unlock_visit(repo: Repository, visit_id: int, actor: str, reason: str) -> SignOff:
    """Void the visit's valid sign-off so it can be changed again; the reason is audited.

    Args:
        repo: the open repository.
        visit_id: the signed visit.
        actor: who unlocks it.
        reason: why (required; shown in the visit's history).

    Returns:
        The voided :class:`SignOff`.

    Raises:
        ValueError: no actor or no reason.
        NotFound: no such visit, or it is not signed.
    """
    actor = _name(actor, "who unlocks the visit")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("unlocking a signed visit needs a reason")
    reason = reason.strip()
    with repo._write():  # noqa: SLF001
        conn = repo.db.conn
        _study_id, context = _visit_context(repo, visit_id)
        current = _active(conn, visit_id)
        if current is None:
            raise NotFound(f"{context} is not signed off; there is nothing to unlock")
        at = _now()
        conn.execute(f"UPDATE {TABLE} SET voided_at = ?, voided_by = ?, void_reason = ? "
                     "WHERE id = ?", (at, actor, reason, current.id))
        repo._audit(actor, at, "update", TABLE, visit_id,  # noqa: SLF001
                    [("voided_by", None, actor), ("void_reason", None, reason),
                     ("signoff_id", current.id, current.id)],
                    f"{context}: unlocked (signature of {current.signed_by} voided)")
        return next(s for s in _signoffs(conn, visit_id) if s.id == current.id)


def signoff_status(repo: Repository, visit_id: int) -> SignoffStatus:
    """The visit's valid sign-off (or None) and all its sign-offs, oldest first."""
    with translated(repo.path):
        history = tuple(_signoffs(repo.db.conn, visit_id))
    current = next((s for s in history if s.active), None)
    return SignoffStatus(visit_id, current, history)


def signed_visit_ids(repo: Repository, visit_ids: list[int] | None = None) -> set[int]:
    """Ids of the visits (of ``visit_ids``, or all) that have a valid sign-off."""
    with translated(repo.path):
        rows = repo.db.conn.execute(
            f"SELECT visit_id FROM {TABLE} WHERE voided_at IS NULL").fetchall()
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
