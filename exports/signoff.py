"""Signing a visit off with its PDF snapshot: renders the case summary, then calls storage.

Storage may not import exports (layer rule), so the snapshot is made here:
:func:`sign_visit` checks that the visit is complete, notes the visit's version, renders the
patient's identified PDF case summary (:func:`exports.pdf.write_patient_report`) into bytes, and
hands them to :func:`storage.signoff.sign_off_visit`, which refuses if the visit changed while
the PDF was being made.
"""

from __future__ import annotations

import io

from forms.settings import ScoringSettings
from storage import signoff
from storage.errors import NotFound
from storage.repository import Repository


def render_snapshot(repo: Repository, study_id: str, settings: ScoringSettings) -> bytes:
    """The patient's identified PDF case summary as bytes (what a sign-off stores).

    Args:
        repo: the open repository.
        study_id: the patient.
        settings: the study's scoring settings (``repo.scoring_settings()``).
    """
    from exports.pdf import write_patient_report  # noqa: PLC0415 - reportlab loads on use

    patient = repo.get_patient(study_id)
    # Rendered into memory: the identified PDF exists in clear only in this process's memory,
    # then it is stored inside the (encrypted) database; no temporary file is ever written.
    buffer = io.BytesIO()
    write_patient_report(patient, buffer, deidentified=False, settings=settings)
    return buffer.getvalue()


def sign_visit(repo: Repository, study_id: str, visit_id: int, assessor: str,
               settings: ScoringSettings | None = None, *, password: str | None = None,
               user_name: str | None = None) -> signoff.SignOff:
    """Sign a complete visit off as "verified against source" with a PDF snapshot.

    Args:
        repo: the open repository (its thread renders the PDF: run it in the background).
        study_id: the patient the visit belongs to.
        visit_id: the visit.
        assessor: who verifies it.
        settings: scoring settings for the PDF; the database's own when None.
        password, user_name: the signer's password entered now, and user name (encrypted
            files; see :func:`storage.signoff.sign_off_visit`).

    Returns:
        The new sign-off.

    Raises:
        NotFound: no such patient, or the visit is not theirs.
        storage.signoff.VisitIncomplete: the visit is not complete (before anything is
            rendered).
        storage.errors.SignedVisitLocked: already signed, or changed during rendering.
        ValueError: no assessor.
    """
    patient = repo.get_patient(study_id)
    if not any(v.id == visit_id for v in patient.visits):
        raise NotFound(f"patient {study_id} has no visit with id {visit_id}")
    problems = signoff.completeness_problems(repo, visit_id)
    if problems:
        visit = next(v for v in patient.visits if v.id == visit_id)
        raise signoff.VisitIncomplete(f"patient {study_id}, visit {visit.describe()}", problems)
    version = signoff.visit_version(repo, visit_id)
    pdf = render_snapshot(repo, study_id, settings or repo.scoring_settings())
    return signoff.sign_off_visit(repo, visit_id, assessor, pdf, expected_version=version,
                                  password=password, user_name=user_name)
