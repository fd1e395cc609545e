"""Sample records and paths shared by the storage and command-line tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from forms import registry
from forms.model import AdverseEvent, Medication, Patient, Visit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def full_cmas(score: int = 2) -> dict[str, int]:
    """Every CMAS item at ``score`` capped at its maximum."""
    return {name: min(score, int(registry.get(name).maximum or 0))
            for name in registry.cmas_item_names()}


def full_mmt(grade: int = 8) -> dict[str, int]:
    names = [registry.MMT_AXIAL[0], *registry.mmt8_side_names("r"),
             *registry.mmt8_side_names("l")]
    return {name: grade for name in names}


def sample_patient(study_id: str = "P01") -> Patient:
    """A patient with a baseline and a follow-up visit, a medication and an event."""
    m0 = Visit(dt.date(2021, 1, 4), "M0", baseline=True, values={
        **full_cmas(1), **full_mmt(6), "phys_global": Decimal("6.5"),
        "parent_global": Decimal("5.0"), "weight_kg": Decimal("32.5"),
        "steroid_mg_day": Decimal("30"), "ck": Decimal(1250), "ck_uln": Decimal(200),
        "chaq_dress": "na", "chaq_walk": 2, "cdasi_malar_ery": 2, "skin_heliotrope": "yes",
        "chaq_aid_walking": True}, missing={"esr": "not_done"}, notes="first visit")
    m3 = Visit(dt.date(2021, 3, 4), "M3", values={
        **full_cmas(3), **full_mmt(9), "phys_global": Decimal("2.0"),
        "parent_global": Decimal("2.0"), "weight_kg": Decimal("33.1"),
        "steroid_mg_day": Decimal("15"), "ck": Decimal(180), "ck_uln": Decimal(200)})
    return Patient(
        study_id, sex="female", diagnosis_date=dt.date(2020, 11, 2), autoantibody="NXP2",
        identifiers={"given_name": "Mei", "family_name": "Li", "mrn": "H123456",
                     "birth_date": dt.date(2010, 4, 12)},
        visits=[m0, m3],
        medications=[Medication("tofacitinib", dt.date(2021, 1, 4), dose=Decimal(5),
                                dose_unit="mg", frequency_per_day=Decimal(2), route="oral")],
        adverse_events=[AdverseEvent(dt.date(2021, 2, 2), "herpes zoster", grade=2,
                                     serious=False, related_drug="tofacitinib",
                                     action="none", outcome="resolved",
                                     resolution_date=dt.date(2021, 2, 20))])
