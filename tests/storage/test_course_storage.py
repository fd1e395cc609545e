"""Storage asks forms.course for the baseline and its follow-ups; what it stores is unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from storage_samples import sample_patient

from forms import response
from forms.i18n import in_language
from forms.model import Visit
from storage.repository import Repository

ENCRYPTED_TOO = True
TODAY = dt.date(2026, 1, 1)


def test_a_missing_tis_keeps_its_stored_reason_without_parsing_the_explanation(
        repo: Repository) -> None:
    patient = sample_patient()
    del patient.visits[1].values["phys_global"]  # no PhGA at M3: no TIS
    repo.add_patient(patient, "nurse", today=TODAY)
    m0, m3 = patient.visits
    stored = repo.get_derived(m3.id or 0)["tis"]
    assert stored.value is None
    with in_language("en"):
        tis = response.compare_visits(m0.values, m3.values, repo.scoring_settings()).tis
    # the one-sentence summary is a field of the result; it is what was stored before
    assert stored.missing_reason == tis.summary == tis.explanation.splitlines()[0]
    assert "Physician global" in stored.missing_reason


def test_a_later_flagged_baseline_moves_the_stored_responses(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "nurse", today=TODAY)
    m0, m3 = patient.visits
    assert "acr_eular_response" in repo.get_derived(m3.id or 0)
    m6 = Visit(dt.date(2021, 6, 4), "M6", values={"phys_global": Decimal("1")})
    repo.save_visit("P01", m6, "nurse", today=TODAY)
    m3.baseline, m0.baseline = True, False
    repo.save_visit("P01", m3, "nurse", today=TODAY)  # M3 becomes the baseline
    assert "acr_eular_response" not in repo.get_derived(m0.id or 0)  # before it: none
    assert "acr_eular_response" not in repo.get_derived(m3.id or 0)
    assert repo.get_derived(m6.id or 0)["baseline_label"].value == "M3"
    due = {s.study_id: s.baseline_date for s in repo.schedule_inputs()}
    assert due["P01"] == dt.date(2021, 3, 4)
