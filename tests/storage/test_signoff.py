"""Visit sign-off: only complete visits, read-only once signed, unlock with a reason, audited."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import sample_patient

from storage import signoff
from storage.audit_chain import verify_chain
from storage.errors import NotFound, SignedVisitLocked
from storage.repository import Repository

PDF = b"%PDF-1.4\n% a stand-in snapshot for storage tests\n%%EOF\n"
TODAY = dt.date(2026, 1, 1)


def _complete(repo: Repository) -> tuple[int, int]:
    """Add the sample patient and complete M3's core set; returns (M0 id, M3 id)."""
    patient = sample_patient()
    m3 = patient.visits[1]
    m3.values["extramuscular_global"] = Decimal("1.5")
    m3.missing["chaq_dress"] = "not_done"
    repo.add_patient(patient, "nurse", today=TODAY)
    return patient.visits[0].id or 0, m3.id or 0


def test_only_a_complete_visit_can_be_signed(repo: Repository) -> None:
    m0, m3 = _complete(repo)
    problems = signoff.completeness_problems(repo, m0, today=TODAY)
    # M0 has 2 of 8 CHAQ domains (no DI) and no extramuscular global: both are named
    assert any("CHAQ" in p for p in problems)
    assert any("extramuscular" in p for p in problems)
    assert not any("muscle strength" in p for p in problems)
    with pytest.raises(signoff.VisitIncomplete, match="extramuscular"):
        signoff.sign_off_visit(repo, m0, "Dr A", PDF, today=TODAY)
    assert not signoff.signoff_status(repo, m0).signed
    assert signoff.completeness_problems(repo, m3, today=TODAY) == []


def test_sign_off_stores_the_pdf_snapshot_and_who_when_what(repo: Repository) -> None:
    _m0, m3 = _complete(repo)
    before = dt.datetime.now(dt.UTC)
    signed = signoff.sign_off_visit(repo, m3, "  Dr A  ", PDF, today=TODAY)
    assert signed.signed_by == "Dr A"
    assert signed.meaning == "verified against source"
    assert before - dt.timedelta(seconds=1) <= signed.signed_at <= dt.datetime.now(dt.UTC)
    assert signed.signed_at.utcoffset() == dt.timedelta(0)
    stored = signoff.snapshot(repo, signed.id)
    assert stored == PDF and stored.startswith(b"%PDF")
    status = signoff.signoff_status(repo, m3)
    assert status.signed and status.current == signed
    assert "Signed by Dr A" in status.describe()
    assert signoff.signed_visit_ids(repo) == {m3}


def test_non_pdf_snapshot_and_blank_assessor_are_refused(repo: Repository) -> None:
    _m0, m3 = _complete(repo)
    with pytest.raises(ValueError, match="PDF"):
        signoff.sign_off_visit(repo, m3, "Dr A", b"<html>", today=TODAY)
    with pytest.raises(ValueError, match="assessor"):
        signoff.sign_off_visit(repo, m3, "  ", PDF, today=TODAY)
    assert not signoff.signoff_status(repo, m3).signed


def test_signed_visit_is_read_only_until_unlocked_with_a_reason(repo: Repository) -> None:
    _m0, m3 = _complete(repo)
    signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    patient = repo.get_patient("P01")
    visit = patient.visits[1]
    visit.values["phys_global"] = Decimal("3.0")
    with pytest.raises(SignedVisitLocked, match="unlock with a reason first") as info:
        repo.save_visit("P01", visit, "nurse", today=TODAY)
    assert info.value.kind == "signed"
    assert "Dr A" in info.value.message
    with pytest.raises(SignedVisitLocked):
        repo.delete_visit(m3, "nurse")
    with pytest.raises(SignedVisitLocked):
        repo.delete_patient("P01", "nurse")
    with pytest.raises(SignedVisitLocked, match="already signed"):
        signoff.sign_off_visit(repo, m3, "Dr B", PDF, today=TODAY)
    # nothing changed
    assert repo.get_patient("P01").visits[1].values["phys_global"] == Decimal("2.0")

    with pytest.raises(ValueError, match="reason"):
        signoff.unlock_visit(repo, m3, "Dr A", "   ")
    voided = signoff.unlock_visit(repo, m3, "Dr A", "CK transcribed wrongly")
    assert not voided.active and voided.void_reason == "CK transcribed wrongly"
    repo.save_visit("P01", visit, "nurse", today=TODAY)
    assert repo.get_patient("P01").visits[1].values["phys_global"] == Decimal("3.0")
    with pytest.raises(NotFound, match="not signed"):
        signoff.unlock_visit(repo, m3, "Dr A", "again")
    # sign again: the voided signature is kept in the history
    signoff.sign_off_visit(repo, m3, "Dr B", PDF, today=TODAY)
    status = signoff.signoff_status(repo, m3)
    assert [s.signed_by for s in status.history] == ["Dr A", "Dr B"]
    assert status.current is not None and status.current.signed_by == "Dr B"


def test_sign_off_and_unlock_appear_in_the_visit_history(repo: Repository) -> None:
    _m0, m3 = _complete(repo)
    signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    signoff.unlock_visit(repo, m3, "Dr C", "wrong visit date")
    entries = [e for e in repo.visit_history(m3) if e.table == "visit_signoffs"]
    signed = {e.field: e.new for e in entries if e.action == "insert"}
    assert signed["signed_by"] == "Dr A"
    assert signed["meaning"] == "verified against source"
    unlocked = {e.field: e.new for e in entries if e.action == "update"}
    assert unlocked["void_reason"] == "wrong visit date"
    assert unlocked["voided_by"] == "Dr C"
    assert all(e.actor in ("Dr A", "Dr C") for e in entries)
    assert verify_chain(repo.db.conn).ok


def test_other_visits_stay_editable_but_the_baseline_cannot_move_off_a_signed_visit(
        repo: Repository) -> None:
    """Issue 17: making another visit the baseline cleared a signed baseline's flag and
    recomputed the signed follow-ups' responses without any unlock."""
    _m0, m3 = _complete(repo)
    patient = repo.get_patient("P01")
    patient.visits[0].baseline, patient.visits[1].baseline = False, True
    repo.save_visit("P01", patient.visits[1], "nurse", today=TODAY)
    signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    m0_visit = repo.get_patient("P01").visits[0]
    m0_visit.notes = "edited later"
    repo.save_visit("P01", m0_visit, "nurse", today=TODAY)
    assert repo.get_patient("P01").visits[0].notes == "edited later"
    audit_rows = repo.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    m0_visit.baseline = True
    with pytest.raises(SignedVisitLocked, match="cannot become the baseline.*2021-03-04"):
        repo.save_visit("P01", m0_visit, "nurse", today=TODAY)
    m0_saved, m3_saved = repo.get_patient("P01").visits
    assert not m0_saved.baseline and m3_saved.baseline
    assert repo.db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_rows
    signoff.unlock_visit(repo, m3, "Dr A", "baseline was chosen wrongly")
    repo.save_visit("P01", m0_visit, "nurse", today=TODAY)
    m0_saved, m3_saved = repo.get_patient("P01").visits
    assert m0_saved.baseline and not m3_saved.baseline


def _signed_followup(repo: Repository) -> tuple[int, int, dict[str, object]]:
    m0, m3 = _complete(repo)
    signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    stored = {k: v.value for k, v in repo.get_derived(m3).items()}
    assert stored.get("tis") is not None
    return m0, m3, stored


def test_a_signed_followups_responses_do_not_change_when_a_new_baseline_appears(
        repo: Repository) -> None:
    """An earlier visit saved without a flag would become the implicit baseline."""
    _m0, m3, stored = _signed_followup(repo)
    from forms.model import Visit

    earlier = Visit(visit_date=dt.date(2020, 6, 1), visit_label="screen", baseline=True,
                    values={"phys_global": Decimal("9")})
    with pytest.raises(SignedVisitLocked, match="baseline.*signed visit"):
        repo.save_visit("P01", earlier, "nurse", today=TODAY)
    assert len(repo.get_patient("P01").visits) == 2
    assert {k: v.value for k, v in repo.get_derived(m3).items()} == stored


def test_editing_the_baseline_or_the_settings_keeps_signed_responses_frozen(
        repo: Repository) -> None:
    from forms.settings import ScoringSettings
    from storage.repository import AppSettings

    m0, m3, stored = _signed_followup(repo)
    base = repo.get_patient("P01").visits[0]
    base.values["phys_global"] = Decimal("2")
    repo.save_visit("P01", base, "nurse", today=TODAY)
    repo.set_settings(AppSettings(ScoringSettings(thresholds="adult")), "admin")
    assert {k: v.value for k, v in repo.get_derived(m3).items()} == stored
    status = signoff.signoff_status(repo, m3)
    assert status.signed
    # SQL underneath refuses it too
    with pytest.raises(Exception, match="signed visit is read-only"):
        repo.db.execute("UPDATE derived_values SET value = 'major' WHERE visit_id = ? AND "
                        "field = 'acr_eular_response'", [m3])
    # unlocking brings them up to date
    signoff.unlock_visit(repo, m3, "Dr A", "settings changed")
    assert {k: v.value for k, v in repo.get_derived(m3).items()} != stored
    del m0


def test_snapshot_must_match_the_visit_it_was_made_from(repo: Repository) -> None:
    _m0, m3 = _complete(repo)
    version = signoff.visit_version(repo, m3)
    patient = repo.get_patient("P01")
    patient.visits[1].notes = "changed while the PDF was rendering"
    repo.save_visit("P01", patient.visits[1], "nurse", today=TODAY)
    with pytest.raises(SignedVisitLocked, match="changed while"):
        signoff.sign_off_visit(repo, m3, "Dr A", PDF, expected_version=version, today=TODAY)
    signoff.sign_off_visit(repo, m3, "Dr A", PDF,
                           expected_version=signoff.visit_version(repo, m3), today=TODAY)


@pytest.mark.parametrize("statement", [
    "UPDATE visits SET notes = 'x' WHERE id = :v",
    "UPDATE visits SET visit_date = '2021-03-05' WHERE id = :v",
    "DELETE FROM visits WHERE id = :v",
    "UPDATE values_global SET phys_global = 9 WHERE visit_id = :v",
    "DELETE FROM values_cmas WHERE visit_id = :v",
    "INSERT INTO values_skin (visit_id, skin_heliotrope) VALUES (:v, 'yes')",
    "INSERT INTO visit_missing (visit_id, field, reason) VALUES (:v, 'crp', 'not_done')",
    "DELETE FROM visit_missing WHERE visit_id = :v",
    "DELETE FROM visit_signoffs WHERE visit_id = :v",
    "UPDATE visits SET baseline = 1 - baseline WHERE id = :v",
    "UPDATE derived_values SET value = 'major' WHERE visit_id = :v",
    "DELETE FROM derived_values WHERE visit_id = :v",
    "UPDATE visit_signoffs SET signed_by = 'someone else' WHERE visit_id = :v",
    "UPDATE visit_signoffs SET snapshot_pdf = X'255044462D' WHERE visit_id = :v",
])
def test_triggers_refuse_changes_that_bypass_the_repository(db_path: Path, statement: str) -> None:
    with Repository(db_path) as repo:
        _m0, m3 = _complete(repo)
        signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys = ON")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="signed visit is read-only|never "
                                                         "changed"):
            con.execute(statement, {"v": m3})
    finally:
        con.close()


def test_triggers_allow_the_same_changes_after_unlock(db_path: Path) -> None:
    with Repository(db_path) as repo:
        _m0, m3 = _complete(repo)
        signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
        signoff.unlock_visit(repo, m3, "Dr A", "correction")
    con = sqlite3.connect(db_path)
    try:
        con.execute("UPDATE values_global SET phys_global = 9 WHERE visit_id = ?", (m3,))
        with pytest.raises(sqlite3.IntegrityError, match="never changed"):
            con.execute("UPDATE visit_signoffs SET void_reason = 'rewritten' WHERE visit_id = ?",
                        (m3,))
    finally:
        con.close()


def test_deleting_an_unlocked_visit_keeps_its_voided_signatures_as_evidence(
        repo: Repository) -> None:
    """Issue 17: ON DELETE CASCADE removed the signature and its PDF without an audit row."""
    _m0, m3 = _complete(repo)
    signed = signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    signoff.unlock_visit(repo, m3, "Dr A", "duplicate visit")
    repo.delete_visit(m3, "nurse")
    row = repo.db.execute("SELECT signed_by, void_reason, visit_deleted_at, snapshot_pdf FROM "
                          "visit_signoffs WHERE id = ?", [signed.id]).fetchone()
    assert row is not None and row[0] == "Dr A" and row[1] == "duplicate visit"
    assert row[2] is not None and bytes(row[3]) == PDF
    assert signoff.snapshot(repo, signed.id) == PDF
    # it belongs to no live visit any more (a later visit may reuse the id)
    assert signoff.signoff_status(repo, m3).history == ()
    history = repo.visit_history(m3)
    assert any(e.field == "void_reason" for e in history)
    assert any(e.field == "visit_deleted_at" and e.table == "visit_signoffs" for e in history)
    # and nothing can delete it
    with pytest.raises(Exception, match="never deleted"):
        repo.db.execute("DELETE FROM visit_signoffs WHERE id = ?", [signed.id])
    assert verify_chain(repo.db.conn).ok


def test_deleting_a_patient_keeps_the_signature_evidence_of_its_visits(
        repo: Repository) -> None:
    _m0, m3 = _complete(repo)
    signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    signoff.unlock_visit(repo, m3, "Dr A", "patient withdrew consent")
    repo.delete_patient("P01", "nurse")
    assert repo.db.execute("SELECT count(*) FROM visit_signoffs").fetchone()[0] == 1


def test_import_cannot_replace_a_signed_visit(repo: Repository) -> None:
    _m0, m3 = _complete(repo)
    signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
    again = sample_patient()
    with pytest.raises(SignedVisitLocked, match="P01, visit 2021-03-04"):
        repo.import_patients([again], "import", today=TODAY)


def test_exports_sign_visit_stores_the_rendered_case_summary(repo: Repository) -> None:
    from exports.signoff import sign_visit

    m0, m3 = _complete(repo)
    with pytest.raises(signoff.VisitIncomplete, match="P01, visit 2021-01-04"):
        sign_visit(repo, "P01", m0, "Dr A")
    with pytest.raises(NotFound):
        sign_visit(repo, "P01", 9999, "Dr A")
    signed = sign_visit(repo, "P01", m3, "Dr A")
    pdf = signoff.snapshot(repo, signed.id)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 2000 and signed.snapshot_size == len(pdf)
    import hashlib
    assert hashlib.sha256(pdf).hexdigest() == signed.snapshot_sha256


def test_a_frozen_signed_visit_says_settings_changed_since_signing(repo: Repository) -> None:
    from forms.settings import ScoringSettings
    from storage.repository import AppSettings

    _m0, m3, stored = _signed_followup(repo)
    assert signoff.signoff_status(repo, m3, with_note=True).note == ""
    repo.set_settings(AppSettings(ScoringSettings(tis_muscle_measure="cmas")), "admin")
    assert signoff.signoff_status(repo, m3).note == ""  # lists do not pay for the rescoring
    status = signoff.signoff_status(repo, m3, with_note=True)
    assert {k: v.value for k, v in repo.get_derived(m3).items()} == stored
    assert "changed since signing" in status.note and "TIS" in status.note
    assert "changed since signing" in status.describe()


def test_deleting_the_baseline_of_a_signed_followup_is_refused(repo: Repository) -> None:
    m0, m3, stored = _signed_followup(repo)
    with pytest.raises(SignedVisitLocked, match="baseline.*signed visit"):
        repo.delete_visit(m0, "nurse")
    assert len(repo.get_patient("P01").visits) == 2
    assert {k: v.value for k, v in repo.get_derived(m3).items()} == stored
