"""Realistic forms.model Patients for the export tests and bench/bench_exports.py.

A patient starts weak with high CK on 2 mg/kg/day prednisolone, improves over the visits while
the steroid is tapered, and starts tofacitinib at the third visit. Every value respects the
registry's hard range (the items are built from the registry's maxima, not restated here).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from forms import registry
from forms.model import AdverseEvent, Medication, Patient, Visit
from forms.protocol import UNSCHEDULED, canonical_label

MONTHS = (0, 1, 3, 6, 9, 12, 18, 24, 30, 36, 42, 48, 54, 60, 66, 72, 78, 84, 90, 96)


def _maximum(name: str) -> int:
    return int(registry.get(name).maximum or 0)


def _dec(x: float, places: int = 1) -> Decimal:
    return Decimal(str(round(x, places)))


def visit_values(frac: float, weight: float, rng: random.Random) -> dict[str, object]:
    """Entered values of one visit; ``frac`` 0 = very active disease, 1 = recovered."""
    v: dict[str, object] = {"weight_kg": _dec(weight), "height_cm": _dec(120 + weight)}
    for name in registry.cmas_item_names():
        top = _maximum(name)
        v[name] = max(0, min(top, round(top * (0.35 + 0.65 * frac) - rng.random())))
    neck = registry.MMT_AXIAL[0]
    v[neck] = max(0, min(10, round(4 + 6 * frac - rng.random())))
    for side in ("r", "l"):
        for name in registry.mmt8_side_names(side):
            v[name] = max(0, min(10, round(5 + 5 * frac - rng.random())))
    v["phys_global"] = _dec(max(0.0, 7.5 * (1 - frac) + rng.random() * 0.4 - 0.3))
    v["parent_global"] = _dec(max(0.0, 6.0 * (1 - frac) + rng.random()))
    v["extramuscular_global"] = _dec(max(0.0, 5.0 * (1 - frac) + rng.random() * 0.5))
    for dom in registry.CHAQ_DOMAINS:
        for name in registry.chaq_domain_items(dom):
            v[name] = max(0, min(3, round(2.4 * (1 - frac) - rng.random() * 0.5)))
    v["chaq_pain"] = _dec(max(0.0, 6 * (1 - frac)))
    skin_level = round(3 * (1 - frac))
    for loc in ("malar", "periorbital", "v_neck", "dorsal_hand", "scalp"):
        v[f"cdasi_{loc}_ery"] = max(0, min(3, skin_level - (loc == "scalp")))
        v[f"cdasi_{loc}_scale"] = min(1, skin_level)
    v["cdasi_gottron_hand_ery"] = min(3, skin_level)
    v["cdasi_gottron_hand_papules"] = skin_level > 1
    v["cdasi_periungual"] = min(2, skin_level)
    v["cdasi_arm_poik"] = 1 if frac > 0.3 else 0
    v["skin_heliotrope"] = "yes" if frac < 0.6 else "no"
    v["skin_gottron_papules"] = "yes" if frac < 0.8 else "no"
    v["skin_calcinosis"] = "yes" if frac > 0.7 else "no"
    v["skin_periungual"] = "yes" if frac < 0.5 else "no"
    v["das_skin"] = max(0, min(9, round(7 * (1 - frac))))
    v["das_muscle"] = max(0, min(11, round(9 * (1 - frac))))
    v["ck"] = _dec(90 + 2800 * (1 - frac) ** 2 + rng.random() * 20)
    v["ck_uln"] = Decimal(200)
    v["aldolase"] = _dec(6 + 30 * (1 - frac) ** 2)
    v["aldolase_uln"] = Decimal(8)
    v["ldh"] = _dec(220 + 900 * (1 - frac) ** 2)
    v["ldh_uln"] = Decimal(250)
    v["ast"] = _dec(30 + 160 * (1 - frac) ** 2)
    v["ast_uln"] = Decimal(40)
    v["alt"] = _dec(20 + 80 * (1 - frac) ** 2)
    v["alt_uln"] = Decimal(40)
    v["esr"] = Decimal(round(5 + 30 * (1 - frac)))
    v["crp"] = _dec(1 + 12 * (1 - frac))
    return v


def make_patient(study_id: str = "P01", n_visits: int = 6, *, seed: int = 1,
                 start: dt.date = dt.date(2021, 1, 11), given_name: str = "Mei",
                 family_name: str = "Li", notes: str = "") -> Patient:
    """A patient with ``n_visits`` visits (M0, M1, M3, ...), medications and one AE."""
    rng = random.Random(seed)
    weight = 22 + rng.random() * 20
    visits = []
    for i in range(n_visits):
        months = MONTHS[i] if i < len(MONTHS) else MONTHS[-1] + 6 * (i - len(MONTHS) + 1)
        frac = min(1.0, (months / 12) ** 0.7) if months else 0.0
        values = visit_values(frac, weight + months * 0.15, rng)
        steroid = max(0.0, 2.0 * (1 - frac) ** 1.5) * (weight + months * 0.15)
        values["steroid_mg_day"] = _dec(min(60.0, steroid), 1)
        if i == 0:
            values["ivmp_pulses"] = 3
        visit = Visit(visit_date=start + dt.timedelta(days=round(months * 30.44)),
                      visit_label=canonical_label(f"M{months}") or UNSCHEDULED,
                      baseline=(i == 0), values=values,
                      notes=notes if i == 0 else "")
        if i == 1:
            visit.missing["chq_phs"] = "not_done"
            for name in ("mmt_neck_flexors",):
                visit.values.pop(name, None)
                visit.missing[name] = "not_assessable"
        visits.append(visit)
    tofa = visits[min(2, n_visits - 1)].visit_date
    meds = [
        Medication("prednisolone", start, Decimal(60), "mg", Decimal(1), "oral",
                   stop_date=visits[-1].visit_date if n_visits > 4 else None),
        Medication("methylprednisolone", start - dt.timedelta(days=3), Decimal(30), "mg/kg",
                   Decimal(1), "iv", stop_date=start - dt.timedelta(days=1),
                   notes="3 pulses before the baseline visit"),
        Medication("methotrexate", start, Decimal(15), "mg/m2", Decimal("0.143"), "sc"),
        Medication("tofacitinib", tofa, Decimal(5), "mg", Decimal(2), "oral"),
    ]
    aes = [AdverseEvent(tofa + dt.timedelta(days=40), "herpes zoster", 2, False, "tofacitinib",
                        "interrupted", "resolved", tofa + dt.timedelta(days=60))]
    return Patient(
        study_id=study_id, sex="female" if seed % 3 else "male",
        diagnosis_date=start - dt.timedelta(days=45), autoantibody="NXP2",
        identifiers={"given_name": given_name, "family_name": family_name,
                     "mrn": f"H{100000 + seed}", "birth_date": dt.date(2012, 4, 12)},
        visits=visits, medications=meds, adverse_events=aes)


def make_cohort(n_patients: int, n_visits: int) -> list[Patient]:
    return [make_patient(f"P{i:05d}", n_visits, seed=i + 1) for i in range(n_patients)]
