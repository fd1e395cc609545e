"""The demo cohort: synthetic patients for trying JDM Capture (``main.py demo``, first launch).

Every patient here is **synthetic**: study IDs ``DEMO-01`` to ``DEMO-13``, given name "Demo",
family name "Synthetic NN", and every visit's notes say so. No value comes from a real child.

* ``DEMO-01`` to ``DEMO-03``: three refractory JDM patients modelled on a tofacitinib pilot:
  tofacitinib 5 mg twice daily from month 0, visits at months 0, 3 and 6 with the full core set
  (CMAS, MMT-8, physician/parent/extramuscular globals, CHAQ, DAS), skin findings and CDASI,
  muscle enzymes with the laboratory's ULN, a steroid taper, and one mild adverse event.
* ``DEMO-04`` to ``DEMO-13``: varied courses: responders, non-responders, a flare after
  improvement, visits with missing data (with reasons), and different autoantibodies.

Values come from a severity-driven generator (0 = inactive, 1 = most severe) kept inside the
registry's ranges; they pass ``forms.validation`` like any entered visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from decimal import Decimal

from forms import registry
from forms.medication import schedule_from_frequency
from forms.model import AdverseEvent, Medication, Patient, Visit
from forms.records import frozen
from storage.repository import Repository

DEMO_PREFIX = "DEMO-"
ACTOR = "demo cohort"
NOTE = "SYNTHETIC DEMO DATA: not a real patient."
_D = Decimal


@frozen
class _V:
    """One synthetic visit: month, severities and what was (not) assessed."""

    month: int
    muscle: float  # 0-1 muscle disease severity
    skin: float  # 0-1 skin disease activity
    labs: float  # 0-1 enzyme elevation
    steroid: str | None  # oral prednisone-equivalent mg/day
    skip: tuple[str, ...] = ()  # forms not assessed (recorded as missing with a reason)
    label: str | None = None


@frozen
class _P:
    number: int
    sex: str
    born: dt.date
    diagnosed: dt.date
    antibody: str
    start: dt.date
    weight: float
    height: float
    visits: tuple[_V, ...]
    drugs: tuple[tuple[str, str, str, str, int, int | None], ...] = ()
    events: tuple[AdverseEvent, ...] = ()
    calcinosis: bool = False
    uln_ck: int = 200
    extras: dict[str, str] = field(default_factory=dict)


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def _wobble(seed: int, i: int) -> float:
    """A small deterministic jitter in [-0.5, 0.5) so items do not all look alike."""
    return ((seed * 7919 + i * 104729) % 1000) / 1000 - 0.5


def _visit_values(p: _P, v: _V) -> tuple[dict[str, object], dict[str, str]]:
    seed = p.number * 31 + v.month
    values: dict[str, object] = {}
    missing: dict[str, str] = {}
    grow = v.month / 12
    values["weight_kg"] = _D(str(round(p.weight + 1.2 * grow, 1)))
    values["height_cm"] = _D(str(round(p.height + 3 * grow, 1)))
    values["assessor"] = "Demo assessor"
    if v.steroid is not None:
        values["steroid_mg_day"] = _D(v.steroid)
    if "cmas" not in v.skip:
        for i, name in enumerate(registry.cmas_item_names()):
            top = int(registry.get(name).maximum or 0)
            values[name] = int(_clamp(round(top * (1 - v.muscle) + 0.6 * _wobble(seed, i)), 0,
                                      top))
    else:
        missing.update({n: "not_done" for n in registry.cmas_item_names()})
    if "mmt8" not in v.skip:
        names = [registry.MMT_AXIAL[0], *registry.mmt8_side_names("r"),
                 *registry.mmt8_side_names("l")]
        for i, name in enumerate(names):
            values[name] = int(_clamp(round(10 - 6.5 * v.muscle + _wobble(seed, i + 20)), 0,
                                      10))
    else:
        missing["mmt_neck_flexors"] = "not_assessable"
    values["phys_global"] = _D(str(round(_clamp(7.5 * max(v.muscle, v.skin) + 0.4, 0, 10), 1)))
    if "parent" not in v.skip:
        values["parent_global"] = _D(str(round(_clamp(6.5 * v.muscle + 2 * v.skin + 0.3, 0,
                                                      10), 1)))
    else:
        missing["parent_global"] = "unknown"
    values["extramuscular_global"] = _D(str(round(_clamp(7 * v.skin, 0, 10), 1)))
    values["das_skin"] = int(round(_clamp(9 * v.skin * 0.85, 0, 9)))
    values["das_muscle"] = int(round(_clamp(11 * v.muscle * 0.8, 0, 11)))
    if "chaq" not in v.skip:
        young = (p.start - p.born).days < 6 * 365
        for d, (dom, (_label, items)) in enumerate(registry.CHAQ_DOMAINS.items()):
            for i, (name, _text) in enumerate(items):
                if young and name in ("chaq_bike", "chaq_nails", "chaq_errands"):
                    values[name] = "na"
                    continue
                values[name] = int(_clamp(round(3 * v.muscle * 0.85 + 0.8 * _wobble(seed,
                                                                                   d * 9 + i)),
                                          0, 3))
            values[f"chaq_aid_{dom}"] = dom == "walking" and v.muscle > 0.6
            values[f"chaq_help_{dom}"] = dom in ("dressing", "hygiene") and v.muscle > 0.5
        # CHQ-PF50 physical summary (norm-based, mean 50): lower with more muscle disease
        values["chq_phs"] = _D(str(round(_clamp(54 - 32 * v.muscle, 5, 70), 1)))
        values["chaq_pain"] = _D(str(round(_clamp(6 * v.muscle + 1 * v.skin, 0, 10), 1)))
        values["chaq_wellbeing"] = _D(str(round(_clamp(6.5 * v.muscle + 1.5 * v.skin, 0, 10),
                                                1)))
    else:
        missing["chaq_dress"] = "not_done"
    if "cdasi" not in v.skip:
        k = v.skin
        values.update({
            "cdasi_malar_ery": int(round(3 * k)), "cdasi_malar_scale": int(round(1.2 * k)),
            "cdasi_periorbital_ery": int(round(2.6 * k)), "cdasi_v_neck_ery": int(round(2 * k)),
            "cdasi_arm_ery": int(round(1.5 * k)), "cdasi_dorsal_hand_ery": int(round(2.4 * k)),
            "cdasi_lat_thigh_ery": int(round(1.4 * k)),
            "cdasi_gottron_hand_ery": int(round(3 * k)),
            "cdasi_gottron_hand_papules": k > 0.3,
            "cdasi_gottron_hand_ulc": 1 if k > 0.85 else 0,
            "cdasi_periungual": int(round(2 * k)), "cdasi_alopecia": 1 if k > 0.6 else 0,
            "cdasi_upper_back_poik": 1 if p.number % 3 == 0 else 0,
            "cdasi_gottron_hand_damage": 1 if v.month >= 6 and p.number % 2 else 0,
        })
        if p.calcinosis:
            values["cdasi_arm_calc"] = 1
            values["cdasi_lat_thigh_calc"] = 1
    else:
        missing["cdasi_malar_ery"] = "not_done"
    skin = {"skin_heliotrope": v.skin > 0.3, "skin_gottron_papules": v.skin > 0.3,
            "skin_gottron_sign": v.skin > 0.2, "skin_malar": v.skin > 0.25,
            "skin_v_sign": v.skin > 0.5, "skin_shawl": v.skin > 0.7,
            "skin_periungual": v.skin > 0.2, "skin_nailfold_changes": v.skin > 0.15,
            "skin_ulceration": v.skin > 0.85, "skin_calcinosis": p.calcinosis,
            "skin_lipodystrophy": False, "skin_mechanics_hands": p.antibody == "Jo-1",
            "skin_poikiloderma": p.number % 3 == 0, "skin_alopecia": v.skin > 0.6,
            "skin_edema": v.muscle > 0.7, "skin_raynaud": p.antibody in ("MDA5", "Jo-1")}
    values.update({k: "yes" if yes else "no" for k, yes in skin.items()})
    if "labs" not in v.skip:
        lab = v.labs
        values["ck"] = _D(int(round(p.uln_ck * (0.45 + 6 * lab ** 1.5))))
        values["ck_uln"] = _D(p.uln_ck)
        values["aldolase"] = _D(str(round(7.6 * (0.6 + 2.8 * lab), 1)))
        values["aldolase_uln"] = _D("7.6")
        values["ldh"] = _D(int(round(250 * (0.7 + 1.6 * lab))))
        values["ldh_uln"] = _D(250)
        values["ast"] = _D(int(round(40 * (0.5 + 2.2 * lab))))
        values["ast_uln"] = _D(40)
        values["alt"] = _D(int(round(40 * (0.45 + 1.5 * lab))))
        values["alt_uln"] = _D(40)
        values["esr"] = _D(int(round(6 + 30 * max(lab, v.muscle * 0.6))))
        values["crp"] = _D(str(round(0.8 + 12 * lab, 1)))
        values["lymphocytes"] = _D(str(round(2.4 - 1.1 * lab, 2)))
        if p.number <= 3:
            values["ifn_score"] = _D(str(round(4 + 95 * max(lab, v.skin) ** 1.3, 2)))
    else:
        missing.update({"ck": "not_done", "aldolase": "not_done"})
    if v.month == 0 and p.number <= 6:
        values["mri_muscle_edema"] = "yes" if v.muscle > 0.3 else "no"
    return values, missing


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return dt.date(year, month % 12 + 1, min(day.day, 28))


def _patient(p: _P) -> Patient:
    patient = Patient(
        study_id=f"{DEMO_PREFIX}{p.number:02d}", sex=p.sex, diagnosis_date=p.diagnosed,
        autoantibody=p.antibody,
        identifiers={"given_name": "Demo", "family_name": f"Synthetic {p.number:02d}",
                     "mrn": f"SYNTH{p.number:04d}", "birth_date": p.born})
    for i, v in enumerate(p.visits):
        values, missing = _visit_values(p, v)
        patient.visits.append(Visit(
            visit_date=_add_months(p.start, v.month), visit_label=v.label or f"M{v.month}",
            baseline=i == 0, values=values, missing=missing,  # type: ignore[arg-type]
            notes=NOTE))
    for drug, dose, unit, freq, start_month, stop_month in p.drugs:
        # entered as prescribed: 0.143 a day is methotrexate once a week (forms.medication)
        schedule, times = schedule_from_frequency(_D(freq) or Decimal(1)) or ("daily", 1)
        patient.medications.append(Medication(
            drug=drug, start_date=_add_months(p.start, start_month), dose=_D(dose),
            dose_unit=unit, route="oral" if drug != "IVIG" else "iv",
            stop_date=None if stop_month is None else _add_months(p.start, stop_month),
            notes=NOTE, schedule=schedule, times_per_period=times))
    patient.adverse_events.extend(p.events)
    return patient


_TOFA = ("tofacitinib", "5", "mg", "2", 0, None)


def _cohort() -> list[_P]:
    s = dt.date
    return [
        # --- tofacitinib pilot: refractory JDM, M0 / M3 / M6 ------------------------------
        _P(1, "female", s(2011, 5, 14), s(2019, 9, 2), "NXP2", s(2023, 2, 6), 34.0, 141.0, (
            _V(0, 0.62, 0.70, 0.55, "25"), _V(3, 0.35, 0.40, 0.20, "15"),
            _V(6, 0.15, 0.20, 0.05, "7.5")),
           drugs=(_TOFA, ("prednisolone", "25", "mg", "1", -2, None),
                  ("methotrexate", "15", "mg", "0.143", -30, None)),
           events=(AdverseEvent(s(2023, 4, 17), "upper respiratory tract infection", grade=1,
                                serious=False, related_drug="tofacitinib", action="none",
                                outcome="resolved", resolution_date=s(2023, 4, 28)),)),
        _P(2, "female", s(2013, 8, 30), s(2020, 1, 20), "TIF1g", s(2023, 3, 13), 27.5, 130.0, (
            _V(0, 0.55, 0.85, 0.40, "20"), _V(3, 0.40, 0.50, 0.25, "12.5"),
            _V(6, 0.25, 0.30, 0.10, "5")),
           drugs=(_TOFA, ("prednisolone", "20", "mg", "1", -3, None),
                  ("hydroxychloroquine", "200", "mg", "1", -20, None))),
        _P(3, "male", s(2009, 11, 3), s(2018, 6, 11), "MDA5", s(2023, 1, 16), 45.0, 158.0, (
            _V(0, 0.45, 0.75, 0.30, "30"), _V(3, 0.30, 0.45, 0.15, "20"),
            _V(6, 0.20, 0.25, 0.10, "10")),
           drugs=(_TOFA, ("prednisolone", "30", "mg", "1", -1, None),
                  ("mycophenolate mofetil", "1000", "mg", "2", -24, None))),
        # --- varied synthetic courses -----------------------------------------------------
        # good responder on standard therapy, reaches inactive disease
        _P(4, "female", s(2014, 2, 9), s(2022, 10, 3), "NXP2", s(2022, 10, 10), 24.0, 122.0, (
            _V(0, 0.75, 0.60, 0.80, "40"), _V(3, 0.35, 0.30, 0.20, "25"),
            _V(6, 0.10, 0.10, 0.02, "10"), _V(12, 0.02, 0.05, 0.0, "2.5")),
           drugs=(("prednisolone", "40", "mg", "1", 0, None),
                  ("methotrexate", "10", "mg", "0.143", 0, None))),
        # non-responder: barely moves
        _P(5, "male", s(2012, 7, 21), s(2021, 3, 15), "TIF1g", s(2022, 5, 2), 38.0, 146.0, (
            _V(0, 0.60, 0.55, 0.45, "30"), _V(3, 0.58, 0.50, 0.40, "30"),
            _V(6, 0.62, 0.55, 0.50, "25")),
           drugs=(("prednisolone", "30", "mg", "1", 0, None),
                  ("methotrexate", "15", "mg", "0.143", 0, None),
                  ("IVIG", "2", "g/kg", "0.033", 3, None))),
        # flare: improves, then worsens at M12
        _P(6, "female", s(2010, 12, 1), s(2019, 4, 8), "Mi-2", s(2022, 1, 17), 40.0, 150.0, (
            _V(0, 0.55, 0.45, 0.60, "30"), _V(3, 0.25, 0.20, 0.15, "15"),
            _V(6, 0.10, 0.10, 0.05, "5"), _V(12, 0.50, 0.40, 0.55, "20", label="flare")),
           drugs=(("prednisolone", "30", "mg", "1", 0, None),
                  ("methotrexate", "15", "mg", "0.143", 0, None))),
        # missing data: no CHAQ at baseline, no labs at M3, parent absent at M6
        _P(7, "male", s(2015, 6, 6), s(2023, 1, 9), "SAE", s(2023, 1, 23), 21.0, 116.0, (
            _V(0, 0.50, 0.35, 0.40, "20", skip=("chaq",)),
            _V(3, 0.30, 0.20, 0.20, "10", skip=("labs",)),
            _V(6, 0.15, 0.10, 0.10, "5", skip=("parent", "cdasi"))),
           drugs=(("prednisolone", "20", "mg", "1", 0, None),)),
        # calcinosis, chronic course, slow partial response
        _P(8, "female", s(2008, 3, 17), s(2014, 5, 26), "NXP2", s(2022, 6, 6), 48.0, 160.0, (
            _V(0, 0.40, 0.35, 0.20, "10"), _V(6, 0.30, 0.30, 0.15, "7.5"),
            _V(12, 0.25, 0.25, 0.10, "5")), calcinosis=True,
           drugs=(("methotrexate", "15", "mg", "0.143", -40, None),)),
        # skin-predominant, muscle near normal ("hypomyopathic")
        _P(9, "female", s(2012, 9, 12), s(2022, 2, 14), "MDA5", s(2022, 3, 7), 36.0, 144.0, (
            _V(0, 0.10, 0.80, 0.05, "15"), _V(3, 0.05, 0.55, 0.03, "10"),
            _V(6, 0.05, 0.35, 0.02, "5")),
           drugs=(("hydroxychloroquine", "200", "mg", "1", 0, None),
                  ("prednisolone", "15", "mg", "1", 0, 6))),
        # seronegative, moderate responder with CMAS not done at M3
        _P(10, "male", s(2011, 1, 25), s(2021, 11, 1), "negative", s(2021, 11, 15), 39.0,
           149.0, (_V(0, 0.55, 0.40, 0.50, "35"), _V(3, 0.35, 0.30, 0.25, "20",
                                                      skip=("cmas",)),
                   _V(6, 0.25, 0.20, 0.10, "10")),
           drugs=(("prednisolone", "35", "mg", "1", 0, None),
                  ("methotrexate", "15", "mg", "0.143", 0, None))),
        # severe at onset, major response
        _P(11, "female", s(2016, 4, 3), s(2023, 5, 8), "NXP2", s(2023, 5, 15), 19.5, 110.0, (
            _V(0, 0.90, 0.85, 0.95, "30"), _V(3, 0.40, 0.40, 0.30, "20"),
            _V(6, 0.12, 0.15, 0.05, "10")),
           drugs=(("prednisolone", "30", "mg", "1", 0, None),
                  ("methotrexate", "10", "mg", "0.143", 0, None)),
           events=(AdverseEvent(s(2023, 6, 20), "cushingoid features", grade=1, serious=False,
                                related_drug="prednisolone", action="dose_reduced",
                                outcome="resolving"),)),
        # Jo-1 overlap with mechanic's hands, worsening
        _P(12, "male", s(2009, 8, 8), s(2022, 7, 4), "Jo-1", s(2022, 8, 1), 52.0, 165.0, (
            _V(0, 0.40, 0.30, 0.50, "20"), _V(3, 0.45, 0.30, 0.60, "25"),
            _V(6, 0.55, 0.35, 0.70, "30")),
           drugs=(("prednisolone", "20", "mg", "1", 0, None),
                  ("tacrolimus", "2", "mg", "2", 3, None)),
           events=(AdverseEvent(s(2023, 1, 10), "pneumonia", grade=3, serious=True,
                                related_drug=None, action="none", outcome="resolved",
                                resolution_date=s(2023, 1, 30)),)),
        # antibody unknown, only a baseline visit so far
        _P(13, "female", s(2014, 10, 19), s(2024, 1, 8), "unknown", s(2024, 1, 22), 29.0,
           133.0, (_V(0, 0.45, 0.50, 0.35, "30"),),
           drugs=(("prednisolone", "30", "mg", "1", 0, None),)),
    ]


def demo_patients() -> list[Patient]:
    """The synthetic cohort as patients (new objects on every call)."""
    return [_patient(p) for p in _cohort()]


def add_demo_cohort(repo: Repository, actor: str = ACTOR) -> int:
    """Add the demo patients that are not in the database yet (idempotent).

    All of them are added in one transaction; a second call adds nothing.

    Returns:
        How many patients were added.
    """
    added = 0
    with repo.transaction():
        for patient in demo_patients():
            if repo.has_patient(patient.study_id):
                continue
            repo.add_patient(patient, actor)
            added += 1
    return added
