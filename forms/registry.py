"""The field registry: every field of the data contract, defined once.

Sources for every range, level and label are in ``shared/spec/instruments.md`` (section numbers
are cited next to each instrument below); the field names are data-contract.md section 3.

Everything else is generated from this module: the GUI pages (:data:`FORMS` order, widgets from
each :class:`~forms.fields.Field`), the SQLite columns and CHECK constraints, the Excel and REDCap
data dictionaries, and validation. Use :func:`get` / :func:`fields_for` rather than copying any
number or label out of here.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal as D
from enum import StrEnum
from fractions import Fraction
from typing import Any

from forms.fields import Choice, Deid, Field, FieldType, Form, Level, Term
from forms.i18n import LANGUAGES, _, in_language, translate_to

INT = FieldType.INTEGER
DEC = FieldType.DECIMAL
BOOL = FieldType.BOOLEAN
CHOICE = FieldType.CHOICE
DATE = FieldType.DATE
TEXT = FieldType.TEXT

# --------------------------------------------------------------------------------------------
# Forms (instruments / pages), in the order a visit is entered.
# --------------------------------------------------------------------------------------------
FORMS: tuple[Form, ...] = (
    Form("patient", "Patient", Level.PATIENT, "Demographics, diagnosis and identifiers"),
    Form("visit", "Visit", Level.VISIT, "Date, anthropometry, assessor and steroid dose"),
    Form("cmas", "CMAS", Level.VISIT, "Childhood Myositis Assessment Scale, 14 items, 0-52"),
    Form("mmt8", "MMT-8", Level.VISIT, "Manual muscle testing of 8 groups, Kendall 0-10"),
    Form("skin", "Skin findings", Level.VISIT, "Cutaneous findings checklist"),
    Form("cdasi", "CDASI", Level.VISIT, "Cutaneous Dermatomyositis Disease Area and Severity "
         "Index, version 2"),
    Form("global", "Global assessments", Level.VISIT,
         "Physician, parent and extramuscular global assessments; DAS; CHQ physical summary"),
    Form("chaq", "CHAQ", Level.VISIT, "Childhood Health Assessment Questionnaire"),
    Form("labs", "Labs & imaging", Level.VISIT, "Muscle enzymes with local ULN, other labs, MRI"),
    Form("response", "Response", Level.RESPONSE,
         "Derived response criteria and inactive disease"),
    Form("medication", "Medications", Level.MEDICATION, "Medication courses"),
    Form("adverse_event", "Adverse events", Level.ADVERSE_EVENT, "Adverse events"),
)

YES_NO = (Choice("yes", "Yes"), Choice("no", "No"))

_fields: list[Field] = []


def _add(*fields: Field) -> None:
    _fields.extend(fields)


def _levels(*labels: str, start: int = 0) -> tuple[Choice, ...]:
    return tuple(Choice(start + i, text) for i, text in enumerate(labels))


# --------------------------------------------------------------------------------------------
# Patient (data-contract section 3; identifiers are dropped by de-identified exports)
# --------------------------------------------------------------------------------------------
AUTOANTIBODIES = ("TIF1g", "NXP2", "MDA5", "Mi-2", "SAE", "SRP", "HMGCR", "Jo-1", "other",
                  "negative", "unknown")
_add(
    # No leading "-": a study ID is passed on the command line (report --patient ID) and
    # pasted into spreadsheets, where "-x" reads as an option or a formula (m010 renames old ones).
    Field("study_id", "Study ID", "patient", TEXT, Level.PATIENT, required=True, max_length=32,
          pattern=r"[A-Za-z0-9_][A-Za-z0-9_-]{0,31}", deid=Deid.KEEP,
          pattern_help="1-32 letters, digits, '-' or '_', not starting with '-'",
          help="The pseudonymous study identifier; unique in the database."),
    Field("sex", "Sex", "patient", CHOICE, Level.PATIENT,
          choices=(Choice("female", "Female"), Choice("male", "Male"))),
    Field("diagnosis_date", "Date of JDM diagnosis", "patient", DATE, Level.PATIENT),
    Field("autoantibody", "Myositis-specific autoantibody", "patient", CHOICE, Level.PATIENT,
          choices=tuple(Choice(a, {"TIF1g": "anti-TIF1-gamma", "other": "Other",
                                   "negative": "Negative", "unknown": "Unknown / not tested"}
                               .get(a, "anti-" + a)) for a in AUTOANTIBODIES)),
    Field("given_name", "Given name", "patient", TEXT, Level.PATIENT, identifier=True,
          max_length=100),
    Field("family_name", "Family name", "patient", TEXT, Level.PATIENT, identifier=True,
          max_length=100),
    Field("mrn", "Medical record number", "patient", TEXT, Level.PATIENT, identifier=True,
          max_length=40),
    Field("birth_date", "Date of birth", "patient", DATE, Level.PATIENT, identifier=True),
)

# --------------------------------------------------------------------------------------------
# Visit header (instruments.md section 10 for steroid plausibility)
# --------------------------------------------------------------------------------------------
_add(
    Field("visit_date", "Visit date", "visit", DATE, required=True),
    Field("visit_label", "Visit label", "visit", TEXT, max_length=16, deid=Deid.LABEL,
          pattern=r"[A-Za-z0-9_][A-Za-z0-9_-]{0,15}", pattern_help="1-16 letters, digits, '-' "
          "or '_', not starting with '-' and not a date (protocol visits M0, M3, M6, ...)",
          help="Protocol visit label such as M0, M3, M6; other visits may use any short label."),
    Field("weight_kg", "Weight", "visit", DEC, minimum=D("1"), maximum=D("250"), decimals=1,
          warn_below=D("8"), warn_above=D("150"), unit="kg"),
    Field("height_cm", "Height", "visit", DEC, minimum=D("30"), maximum=D("230"), decimals=1,
          warn_below=D("60"), warn_above=D("210"), unit="cm"),
    Field("assessor", "Assessor", "visit", TEXT, max_length=100,
          help="Who examined the child at this visit."),
    Field("steroid_mg_day", "Oral steroid dose", "visit", DEC, minimum=D("0"), maximum=D("80"),
          decimals=2, warn_above=D("60"), unit="mg/day",
          help="Oral prednisone-equivalent daily dose (methylprednisolone mg x 1.25). "
               "IV methylprednisolone pulses are counted separately."),
    Field("ivmp_pulses", "IV methylprednisolone pulses since last visit", "visit", INT,
          minimum=D("0"), maximum=D("30"), warn_above=D("12"), unit="pulses"),
)

# --------------------------------------------------------------------------------------------
# CMAS (instruments.md section 1): 14 items, total 0-52.
# --------------------------------------------------------------------------------------------
_TIME5 = _levels("Unable", "1-9 seconds", "10-29 seconds", "30-59 seconds", "60-119 seconds",
                 "2 minutes or more")
_TIME4 = _levels("Unable", "1-9 seconds", "10-29 seconds", "30-59 seconds", "60 seconds or more")

#: (name, label, levels) for the 14 CMAS items, in the order of the scoring sheet.
CMAS_ITEMS: tuple[tuple[str, str, tuple[Choice, ...]], ...] = (
    ("cmas_head_elevation", "1. Head elevation (neck flexion, supine), timed", _TIME5),
    ("cmas_leg_raise", "2. Leg raise / touch object (supine)", _levels(
        "Cannot lift leg off the table",
        "Clears the table but cannot touch the examiner's hand",
        "Lifts the leg high enough to touch the object")),
    ("cmas_straight_leg_lift", "3. Straight leg lift, duration", _TIME5),
    ("cmas_supine_to_prone", "4. Supine to prone", _levels(
        "Can barely turn to the side; cannot free the arm",
        "Turns to the side but cannot fully free the arm or reach prone",
        "Turns easily, frees the arm with some difficulty, reaches prone",
        "Turns over and frees the arm easily")),
    ("cmas_situps", "5. Sit-ups (count of the 6 variants completed)", _levels(
        "None of the 6 sit-up variants", "1 variant", "2 variants", "3 variants",
        "4 variants", "5 variants",
        "All 6: hands on thighs / across chest / behind head, each with and without feet held")),
    ("cmas_supine_to_sit", "6. Supine to sit", _levels(
        "Unable by self", "Much difficulty: very slow, barely able", "Some difficulty",
        "No difficulty")),
    ("cmas_arm_raise_straighten", "7. Arm raise / straighten", _levels(
        "Cannot raise the wrists to shoulder (AC joint) level",
        "Raises the wrists to AC level but not above the head",
        "Wrists above the head but elbows not fully straight",
        "Arms straight overhead, elbows fully extended")),
    ("cmas_arm_raise_duration", "8. Arm raise, duration (wrists above head)", _TIME4),
    ("cmas_floor_sit", "9. Floor sit (standing to sitting on the floor)", _levels(
        "Unable, or afraid even with a chair for support",
        "Needs a chair to hold during the descent",
        "No chair, but some difficulty (e.g. slow, Gowers-type manoeuvre)",
        "No difficulty")),
    ("cmas_all_fours", "10. All-fours manoeuvre", _levels(
        "Cannot get from prone to all-fours",
        "Barely holds all-fours; cannot lift the head to look ahead",
        "Holds all-fours with head up and back straight but cannot crawl",
        "Can crawl forward",
        "Can also lift and extend one leg, keeping balance")),
    ("cmas_floor_rise", "11. Floor rise (kneeling to standing)", _levels(
        "Unable, even with a chair", "Needs a chair for support",
        "No chair, but needs hands on thighs, knees or floor",
        "No hands, but some difficulty", "No difficulty")),
    ("cmas_chair_rise", "12. Chair rise", _levels(
        "Unable, even with hands on the seat", "Needs hands on the sides of the seat",
        "Needs hands on knees or thighs", "No hands, but some difficulty", "No difficulty")),
    ("cmas_stool_step", "13. Stool step", _levels(
        "Unable", "Needs a hand on the exam table or examiner",
        "No table support, but a hand on knee or thigh", "No support")),
    ("cmas_pick_up", "14. Pick-up (object off the floor)", _levels(
        "Unable", "Relies heavily on hands on knees or thighs",
        "Brief or minimal hand support, somewhat slow", "No difficulty or compensation")),
)

#: timed CMAS items: item name -> (seconds field name, band lower bounds in seconds).
#: Score = number of bounds reached (0 s -> 0; 1-9 -> 1; 10-29 -> 2; 30-59 -> 3; 60-119 -> 4;
#: >= 120 -> 5), capped at the item maximum (item 8 caps at 4). instruments.md section 1.
CMAS_TIMED: dict[str, tuple[str, tuple[int, ...]]] = {
    "cmas_head_elevation": ("cmas_head_elevation_sec", (1, 10, 30, 60, 120)),
    "cmas_straight_leg_lift": ("cmas_straight_leg_lift_sec", (1, 10, 30, 60, 120)),
    "cmas_arm_raise_duration": ("cmas_arm_raise_duration_sec", (1, 10, 30, 60)),
}

for _name, _label, _lv in CMAS_ITEMS:
    _add(Field(_name, _label, "cmas", INT, minimum=D(0), maximum=D(len(_lv) - 1), levels=_lv,
               help="; ".join(f"{c.code} = {c.label}" for c in _lv)))
    if _name in CMAS_TIMED:
        _sec_name, _bounds = CMAS_TIMED[_name]
        _add(Field(_sec_name, _label.split(",")[0] + ": seconds held", "cmas", INT,
                   minimum=D(0), maximum=D(3600), warn_above=D(600), unit="s",
                   help="Whole seconds. When given, the item score is derived from it: "
                        + "; ".join(f">= {b} s" for b in _bounds) + " raise the score by one."))

# --------------------------------------------------------------------------------------------
# MMT-8 (instruments.md section 2): Kendall 0-10; neck once, 7 groups right and left.
# --------------------------------------------------------------------------------------------
#: Kendall 0-10 grade -> (0-5 notation with +/-, name, criterion). 0 covers Zero and Trace (T),
#: project convention 3.
KENDALL_GRADES: tuple[tuple[int, str, str, str], ...] = (
    (0, "0 / 1 (T)", "Zero or Trace", "No contraction, or a flicker / tendon prominence only"),
    (1, "2-", "Poor-", "Gravity eliminated: partial range"),
    (2, "2", "Poor", "Gravity eliminated: full range"),
    (3, "2+", "Poor+", "Against gravity: partial range"),
    (4, "3-", "Fair-", "Gradual release from the antigravity test position"),
    (5, "3", "Fair", "Holds the test position, no added pressure"),
    (6, "3+", "Fair+", "Holds against slight pressure"),
    (7, "4-", "Good-", "Holds against slight-to-moderate pressure"),
    (8, "4", "Good", "Holds against moderate pressure"),
    (9, "4+", "Good+", "Holds against moderate-to-strong pressure"),
    (10, "5", "Normal", "Holds against strong pressure"),
)
_KENDALL_LEVELS = tuple(Choice(g, f"{five} {name}: {crit}")
                        for g, five, name, crit in KENDALL_GRADES)

MMT_AXIAL = ("mmt_neck_flexors", "Neck flexors")
#: (stem, label) of the 7 paired muscle groups; fields are ``<stem>_r`` and ``<stem>_l``.
MMT_PAIRED: tuple[tuple[str, str], ...] = (
    ("mmt_deltoid", "Deltoid (middle)"),
    ("mmt_biceps", "Biceps brachii"),
    ("mmt_wrist_extensors", "Wrist extensors"),
    ("mmt_gluteus_maximus", "Gluteus maximus"),
    ("mmt_gluteus_medius", "Gluteus medius"),
    ("mmt_quadriceps", "Quadriceps"),
    ("mmt_ankle_dorsiflexors", "Ankle dorsiflexors"),
)
SIDES = (("r", "right"), ("l", "left"))
_kendall_help = ("Kendall 0-10 scale (0-5 with +/- in brackets): "
                 + "; ".join(f"{g} = {five}" for g, five, _, _ in KENDALL_GRADES))
_add(Field(MMT_AXIAL[0], MMT_AXIAL[1], "mmt8", INT, minimum=D(0), maximum=D(10),
           levels=_KENDALL_LEVELS, group="axial", help=_kendall_help))
for _stem, _label in MMT_PAIRED:
    for _suffix, _side in SIDES:
        _add(Field(f"{_stem}_{_suffix}", f"{_label}, {_side}", "mmt8", INT, minimum=D(0),
                   maximum=D(10), levels=_KENDALL_LEVELS, group=_side, help=_kendall_help))

# --------------------------------------------------------------------------------------------
# Skin findings checklist (instruments.md section 3c): yes/no, absent = not assessed.
# --------------------------------------------------------------------------------------------
SKIN_FINDINGS: tuple[tuple[str, str], ...] = (
    ("skin_heliotrope", "Heliotrope rash"),
    ("skin_gottron_papules", "Gottron's papules"),
    ("skin_gottron_sign", "Gottron's sign"),
    ("skin_malar", "Malar / facial erythema"),
    ("skin_v_sign", "V-sign"),
    ("skin_shawl", "Shawl sign"),
    ("skin_holster", "Holster sign"),
    ("skin_periungual", "Periungual erythema"),
    ("skin_nailfold_changes", "Nailfold capillary changes"),
    ("skin_ulceration", "Cutaneous ulceration"),
    ("skin_calcinosis", "Calcinosis"),
    ("skin_lipodystrophy", "Lipodystrophy"),
    ("skin_mechanics_hands", "Mechanic's hands"),
    ("skin_poikiloderma", "Poikiloderma"),
    ("skin_alopecia", "Alopecia"),
    ("skin_edema", "Oedema (facial, periorbital or limb)"),
    ("skin_erythroderma", "Erythroderma (> 50 % body surface)"),
    ("skin_panniculitis", "Panniculitis"),
    ("skin_raynaud", "Raynaud's phenomenon"),
)
for _name, _label in SKIN_FINDINGS:
    _add(Field(_name, _label, "skin", CHOICE, choices=YES_NO))

# --------------------------------------------------------------------------------------------
# CDASI v2 (instruments.md section 3a): 15 locations x (erythema, scale, erosion | poikiloderma,
# calcinosis) plus Gottron's hands, periungual and alopecia. Activity 0-100, damage 0-32.
# --------------------------------------------------------------------------------------------
CDASI_LOCATIONS: tuple[tuple[str, str], ...] = (
    ("scalp", "Scalp"),
    ("malar", "Malar area"),
    ("periorbital", "Periorbital"),
    ("face", "Rest of the face"),
    ("v_neck", "V-area of the neck (front)"),
    ("post_neck", "Posterior neck"),
    ("upper_back", "Upper back and shoulders"),
    ("back_buttocks", "Rest of back and buttocks"),
    ("abdomen", "Abdomen"),
    ("lat_thigh", "Lateral upper thigh"),
    ("leg_feet", "Rest of leg and feet"),
    ("arm", "Arm"),
    ("mechanics_hand", "Mechanic's hand"),
    ("dorsal_hand", "Dorsum of hands (not over joints)"),
    ("gottron_other", "Gottron's, not on hands (e.g. elbows, knees)"),
)
#: (part, label, kind, levels) of the per-location CDASI columns.
CDASI_PARTS: tuple[tuple[str, str, str, tuple[Choice, ...]], ...] = (
    ("ery", "erythema", "activity", _levels("Absent", "Pink; faint erythema", "Red",
                                            "Dark red; violaceous")),
    ("scale", "scale", "activity", _levels("Absent", "Scale", "Crust / lichenification")),
    ("eros", "erosion / ulceration", "activity", _levels("Absent", "Present")),
    ("poik", "poikiloderma", "damage", _levels("Absent", "Present (dyspigmentation or "
                                                         "telangiectasia)")),
    ("calc", "calcinosis", "damage", _levels("Absent", "Present")),
)
for _loc, _loc_label in CDASI_LOCATIONS:
    for _part, _part_label, _kind, _lv in CDASI_PARTS:
        _add(Field(f"cdasi_{_loc}_{_part}", f"{_loc_label}: {_part_label}", "cdasi", INT,
                   minimum=D(0), maximum=D(len(_lv) - 1), levels=_lv, group=_loc,
                   extra={"cdasi_kind": _kind},
                   help=f"CDASI {_kind}. " + "; ".join(f"{c.code} = {c.label}" for c in _lv)))
_add(
    Field("cdasi_gottron_hand_ery", "Gottron's papules on hands: erythema", "cdasi", INT,
          minimum=D(0), maximum=D(3), group="gottron_hand", extra={"cdasi_kind": "activity"},
          levels=_levels("Absent", "Pink; faint erythema", "Red", "Dark red; violaceous"),
          help="CDASI activity; doubled when papules are present (0-6)."),
    Field("cdasi_gottron_hand_papules", "Gottron's papules on hands: papules present", "cdasi",
          BOOL, group="gottron_hand", extra={"cdasi_kind": "activity"},
          help="When present, the hands' erythema score counts double."),
    Field("cdasi_gottron_hand_ulc", "Gottron's papules on hands: ulceration", "cdasi", INT,
          minimum=D(0), maximum=D(1), group="gottron_hand", extra={"cdasi_kind": "activity"},
          levels=_levels("Absent", "Present")),
    Field("cdasi_gottron_hand_damage", "Gottron's papules on hands: damage", "cdasi", INT,
          minimum=D(0), maximum=D(2), group="gottron_hand", extra={"cdasi_kind": "damage"},
          levels=_levels("Absent", "Dyspigmentation", "Scarring")),
    Field("cdasi_periungual", "Periungual changes", "cdasi", INT, minimum=D(0), maximum=D(2),
          group="other", extra={"cdasi_kind": "activity"},
          levels=_levels("Absent", "Pink/red erythema or microscopic telangiectasia",
                         "Visible telangiectasia")),
    Field("cdasi_alopecia", "Alopecia: recent hair loss (last 30 days)", "cdasi", INT,
          minimum=D(0), maximum=D(1), group="other", extra={"cdasi_kind": "activity"},
          levels=_levels("Absent", "Present")),
)

# --------------------------------------------------------------------------------------------
# Global assessments, DAS, CHQ (instruments.md sections 3b, 5): VAS 0-10 with one decimal.
# --------------------------------------------------------------------------------------------
_VAS: dict[str, Any] = dict(minimum=D(0), maximum=D(10), decimals=1, unit="cm (0-10)")
_add(
    Field("phys_global", "Physician global assessment of disease activity", "global", DEC,
          help="10-cm VAS, 0 = no activity, 10 = extremely active.", **_VAS),
    Field("parent_global", "Parent global assessment of overall well-being", "global", DEC,
          help="10-cm VAS, 0 = very well, 10 = very poor.", **_VAS),
    Field("parent_global_activity", "Parent/patient global assessment of disease activity",
          "global", DEC,
          help="IMACS 10-cm VAS of the child's overall disease activity, 0 = no activity, "
               "10 = extremely active. The TIS parent row uses it when it is entered at both "
               "visits (instruments.md convention 5).", **_VAS),
    Field("extramuscular_global", "Extramuscular global activity (MDAAT)", "global", DEC,
          help="Physician's 10-cm VAS of extramuscular disease activity.", **_VAS),
    Field("das_skin", "DAS skin subscale", "global", INT, minimum=D(0), maximum=D(9),
          help="Disease Activity Score (Bode 2003) skin subscale total, 0-9."),
    Field("das_muscle", "DAS muscle subscale", "global", INT, minimum=D(0), maximum=D(11),
          help="Disease Activity Score (Bode 2003) muscle subscale total, 0-11."),
    Field("chq_phs", "CHQ-PF50 physical summary score", "global", DEC, minimum=D(0),
          maximum=D(100), decimals=1, warn_below=D(5), warn_above=D(70),
          help="Norm-based score (population mean 50, SD 10); higher is better."),
)

# --------------------------------------------------------------------------------------------
# CHAQ (instruments.md section 4): 30 items 0-3 or "na" in 8 domains; aids and help per domain.
# --------------------------------------------------------------------------------------------
CHAQ_RESPONSES = _levels("Without any difficulty", "With some difficulty",
                         "With much difficulty", "Unable to do")
#: domain key -> (label, items as (name, label)).
CHAQ_DOMAINS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "dressing": ("Dressing and grooming", (
        ("chaq_dress", "Dress, including tying shoelaces and doing buttons"),
        ("chaq_shampoo", "Shampoo hair"),
        ("chaq_socks", "Remove socks"),
        ("chaq_nails", "Cut fingernails"))),
    "arising": ("Arising", (
        ("chaq_stand_chair", "Stand up from a low chair or floor"),
        ("chaq_bed", "Get in and out of bed or stand up in crib"))),
    "eating": ("Eating", (
        ("chaq_cut_meat", "Cut own meat"),
        ("chaq_cup", "Lift a cup or glass to the mouth"),
        ("chaq_cereal_box", "Open a new cereal box"))),
    "walking": ("Walking", (
        ("chaq_walk", "Walk outdoors on flat ground"),
        ("chaq_steps", "Climb up five steps"))),
    "hygiene": ("Hygiene", (
        ("chaq_wash", "Wash and dry the entire body"),
        ("chaq_tub", "Take a tub bath (get in and out of the tub)"),
        ("chaq_toilet", "Get on and off the toilet or potty chair"),
        ("chaq_teeth", "Brush teeth"),
        ("chaq_comb", "Comb or brush hair"))),
    "reach": ("Reach", (
        ("chaq_reach_object", "Reach and get down a heavy object from just above the head"),
        ("chaq_bend_floor", "Bend down to pick up clothing or paper from the floor"),
        ("chaq_sweater", "Pull on a sweater over the head"),
        ("chaq_turn_neck", "Turn the neck to look back over the shoulder"))),
    "grip": ("Grip", (
        ("chaq_write", "Write or scribble with a pen or pencil"),
        ("chaq_car_door", "Open car doors"),
        ("chaq_jar", "Open jars which have been previously opened"),
        ("chaq_taps", "Turn taps on and off"),
        ("chaq_door_knob", "Push open a door after turning the knob"))),
    "activities": ("Activities", (
        ("chaq_errands", "Run errands and shop"),
        ("chaq_car", "Get in and out of a car, toy car or school bus"),
        ("chaq_bike", "Ride a bike or tricycle"),
        ("chaq_chores", "Do household chores"),
        ("chaq_play", "Run and play"))),
}
for _dom, (_dom_label, _items) in CHAQ_DOMAINS.items():
    for _name, _label in _items:
        _add(Field(_name, _label, "chaq", INT, minimum=D(0), maximum=D(3), na_allowed=True,
                   levels=CHAQ_RESPONSES, group=_dom,
                   help="Over the past week, because of illness: 0 = without any difficulty, "
                        "1 = some difficulty, 2 = much difficulty, 3 = unable; "
                        '"na" = not applicable (e.g. too young).'))
for _dom, (_dom_label, _items) in CHAQ_DOMAINS.items():
    _add(Field(f"chaq_aid_{_dom}", f"{_dom_label}: uses aids or devices", "chaq", BOOL,
               group=_dom, help="An aid or device raises the domain score to at least 2."))
    _add(Field(f"chaq_help_{_dom}", f"{_dom_label}: needs help from another person", "chaq",
               BOOL, group=_dom, help="Help raises the domain score to at least 2."))
_add(
    Field("chaq_pain", "CHAQ pain VAS", "chaq", DEC, group="vas",
          help="0 = no pain, 10 = very severe pain (100-mm line / 10).", **_VAS),
    Field("chaq_wellbeing", "CHAQ overall well-being VAS", "chaq", DEC, group="vas",
          help="0 = very well, 10 = very poor (100-mm line / 10).", **_VAS),
)

# --------------------------------------------------------------------------------------------
# Labs (instruments.md section 10): value + local ULN; hard limits reject, soft limits warn.
# --------------------------------------------------------------------------------------------
#: enzyme name -> (label, hard max, warn above, ULN range, default ULN). The TIS enzyme row and
#: ULN-based "most abnormal" selection use these (instruments.md 7.5); tie order is this order.
ENZYMES: dict[str, tuple[str, int, int, tuple[int, int], int]] = {
    "ck": ("Creatine kinase (CK)", 200_000, 20_000, (10, 2_000), 200),
    "aldolase": ("Aldolase", 500, 100, (1, 50), 8),
    "ldh": ("Lactate dehydrogenase (LDH)", 20_000, 3_000, (50, 2_000), 250),
    "ast": ("Aspartate aminotransferase (AST)", 20_000, 1_000, (5, 500), 40),
    "alt": ("Alanine aminotransferase (ALT)", 20_000, 1_000, (5, 500), 40),
}
for _name, (_label, _hard, _warn, (_ulo, _uhi), _default) in ENZYMES.items():
    _add(Field(_name, _label, "labs", DEC, minimum=D(0), maximum=D(_hard), decimals=1,
               warn_above=D(_warn), unit="U/L", group="enzymes",
               help="U/L (IU/L). From ukat/L multiply by 60."))
    _add(Field(f"{_name}_uln", f"{_label}: upper limit of normal", "labs", DEC,
               minimum=D(_ulo), maximum=D(_uhi), decimals=1, unit="U/L", group="enzymes",
               extra={"default_uln": str(_default)},
               help="The reporting laboratory's upper limit of normal for this child."))
_add(
    Field("esr", "ESR", "labs", DEC, minimum=D(0), maximum=D(150), decimals=0,
          warn_above=D(100), unit="mm/h", group="other"),
    Field("crp", "CRP", "labs", DEC, minimum=D(0), maximum=D(500), decimals=1,
          warn_above=D(100), unit="mg/L", group="other", help="mg/L (from mg/dL multiply by 10)."),
    Field("ferritin", "Ferritin", "labs", DEC, minimum=D(0), maximum=D(100_000), decimals=0,
          warn_above=D(1_000), unit="ug/L", group="other"),
    Field("lymphocytes", "Lymphocytes (absolute)", "labs", DEC, minimum=D(0), maximum=D(50),
          decimals=2, warn_below=D("0.5"), unit="10^9/L", group="other",
          help="x10^9/L (from cells/uL divide by 1000)."),
    Field("igg", "IgG", "labs", DEC, minimum=D(0), maximum=D(60), decimals=1, warn_below=D(3),
          warn_above=D(20), unit="g/L", group="other", help="g/L (from mg/dL divide by 100)."),
    Field("ifn_score", "Type I interferon gene score", "labs", DEC, minimum=D(0),
          maximum=D(100_000), decimals=2, group="other",
          help="Unitless, as reported by the laboratory."),
    Field("mri_muscle_edema", "Muscle oedema on MRI", "labs", CHOICE, choices=YES_NO,
          group="imaging", help="Muscle oedema on MRI at or near this visit."),
)

# --------------------------------------------------------------------------------------------
# Derived visit values (computed by forms.scoring; never entered or imported).
# --------------------------------------------------------------------------------------------
_add(
    Field("cmas_total", "CMAS total", "cmas", INT, minimum=D(0), maximum=D(52), derived=True,
          derivation="Sum of the 14 CMAS items; missing unless all 14 are scored."),
    Field("mmt8_total", "MMT-8 total (unilateral)", "mmt8", INT, minimum=D(0), maximum=D(80),
          derived=True, derivation="Neck flexors + the 7 right-side groups; the left side when "
          "the right is incomplete; missing when neither side is complete."),
    Field("mmt8_side", "MMT-8 side used", "mmt8", CHOICE, derived=True,
          choices=(Choice("right", "Right"), Choice("left", "Left")),
          derivation="The side summed in mmt8_total."),
    Field("mmt8_bilateral", "MMT-8 total (bilateral)", "mmt8", INT, minimum=D(0),
          maximum=D(150), derived=True,
          derivation="Neck flexors + the 7 groups on both sides; missing unless all 15 graded."),
    Field("chaq_di", "CHAQ disability index", "chaq", DEC, minimum=D(0), maximum=D(3),
          decimals=3, derived=True,
          derivation="Mean of the domain scores (highest item, raised to 2 with aids or help); "
          "missing unless at least 6 of 8 domains are scored."),
    Field("cdasi_activity", "CDASI activity", "cdasi", INT, minimum=D(0), maximum=D(100),
          derived=True, derivation="Sum of erythema, scale and erosion over 15 locations + "
          "Gottron's hands (erythema doubled with papules, + ulceration) + periungual + "
          "alopecia. Unentered CDASI fields count 0 once any CDASI field is entered."),
    Field("cdasi_damage", "CDASI damage", "cdasi", INT, minimum=D(0), maximum=D(32),
          derived=True, derivation="Sum of poikiloderma and calcinosis over 15 locations + "
          "Gottron's hands damage."),
    Field("das_total", "DAS total", "global", INT, minimum=D(0), maximum=D(20), derived=True,
          derivation="das_skin + das_muscle; missing unless both are entered."),
    Field("steroid_mg_kg_day", "Oral steroid dose per kg", "visit", DEC, minimum=D(0),
          decimals=3, warn_above=D(2), unit="mg/kg/day", derived=True,
          derivation="steroid_mg_day / weight_kg of the same visit, to 3 decimals."),
    Field("printo_cid", "PRINTO clinically inactive disease", "response", CHOICE,
          choices=(Choice("yes", "Yes"), Choice("no", "No"),
                   Choice("indeterminate", "Indeterminate")), derived=True,
          derivation="At least 3 of: CK <= 150 U/L, CMAS >= 48, MMT-8 >= 78, physician "
          "global <= 0.2 (Lazarevic 2013)."),
)

# --------------------------------------------------------------------------------------------
# Derived response values between a baseline and a follow-up visit (forms.response).
# --------------------------------------------------------------------------------------------
_ACR_CATEGORIES = (Choice("none", "No improvement"), Choice("minimal", "Minimal"),
                   Choice("moderate", "Moderate"), Choice("major", "Major"))
_PRINTO_LEVELS = (Choice("70", "PRINTO 70"), Choice("50", "PRINTO 50"),
                  Choice("20", "PRINTO 20"), Choice("none", "None"))
_add(
    Field("baseline_label", "Baseline visit", "response", TEXT, Level.RESPONSE, derived=True,
          max_length=16, deid=Deid.LABEL,
          derivation="Label of the visit responses are measured from."),
    Field("tis", "ACR/EULAR Total Improvement Score", "response", DEC, Level.RESPONSE,
          minimum=D(0), maximum=D(100), decimals=1, derived=True,
          derivation="Sum of the level scores of the 6 core set rows (Rider 2017, Table 3); "
          "the sum of the available rows when some are missing."),
    Field("tis_measures", "TIS core set measures available", "response", INT, Level.RESPONSE,
          minimum=D(0), maximum=D(6), derived=True),
    Field("tis_muscle_measure", "TIS muscle measure used", "response", CHOICE, Level.RESPONSE,
          choices=(Choice("mmt8", "MMT-8 (0-80)"), Choice("mmt8_bilateral", "MMT-8 (0-150)"),
                   Choice("cmas", "CMAS (0-52)")), derived=True),
    Field("tis_enzyme", "TIS enzyme", "response", CHOICE, Level.RESPONSE, derived=True,
          choices=tuple(Choice(name, label) for name, (label, *_rest) in ENZYMES.items()),
          derivation="The muscle enzyme in the TIS enzyme row: the highest value/ULN at "
          "baseline (ties in the order CK, aldolase, LDH, AST, ALT)."),
    Field("tis_parent_measure", "TIS parent global used", "response", CHOICE, Level.RESPONSE,
          derived=True,
          choices=(Choice("parent_global_activity", "Parent/patient global activity (IMACS)"),
                   Choice("parent_global", "Parent global well-being (PRINTO)")),
          derivation="parent_global_activity when entered at both visits, else parent_global "
          "(instruments.md convention 5)."),
    Field("acr_eular_response", "ACR/EULAR 2016 response", "response", CHOICE,
          Level.RESPONSE, derived=True,
          choices=(*_ACR_CATEGORIES, Choice("indeterminate", "Indeterminate"))),
    Field("acr_eular_response_min", "ACR/EULAR 2016 response, lower bound", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_ACR_CATEGORIES,
          derivation="The category the sum of the available TIS rows reaches (convention 5)."),
    Field("acr_eular_response_max", "ACR/EULAR 2016 response, upper bound", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_ACR_CATEGORIES,
          derivation="The category of the available rows plus the maxima of the missing rows "
          "(convention 5); equals the lower bound when the response is determinate."),
    Field("printo_response", "PRINTO response level", "response", CHOICE, Level.RESPONSE,
          derived=True, choices=(*_PRINTO_LEVELS, Choice("indeterminate", "Indeterminate"))),
    Field("printo_response_worst", "PRINTO response level, worst case", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_PRINTO_LEVELS,
          derivation="The level met with every missing variable worsened by more than 30 % "
          "(convention 6)."),
    Field("printo_response_best", "PRINTO response level, best case", "response", CHOICE,
          Level.RESPONSE, derived=True, choices=_PRINTO_LEVELS,
          derivation="The level met with every missing variable improved at every level "
          "(convention 6)."),
)

# --------------------------------------------------------------------------------------------
# Medication courses and adverse events (data-contract section 2).
# --------------------------------------------------------------------------------------------
#: how a course is given (the medication ``schedule`` field): the dose is per administration.
SCHEDULES: tuple[Choice, ...] = (
    Choice("daily", "Per day"), Choice("weekly", "Per week"), Choice("monthly", "Per month"),
    Choice("single", "Single dose"), Choice("pulse", "IV pulse series"))


_M, _A = Level.MEDICATION, Level.ADVERSE_EVENT
_add(
    Field("drug", "Drug", "medication", TEXT, _M, required=True, max_length=100,
          deid=Deid.CODE, vocabulary="drugs",
          help="Generic name, e.g. tofacitinib, prednisolone, methotrexate (from the drug "
               "list; other names are exported de-identified as 'other')."),
    Field("dose", "Dose per administration", "medication", DEC, _M, minimum=D(0),
          maximum=D(100_000), decimals=3,
          help="The dose given each time, as prescribed (methotrexate 15 mg once a week: 15)."),
    Field("dose_unit", "Dose unit", "medication", CHOICE, _M, choices=tuple(
        Choice(u, u) for u in ("mg", "g", "ug", "mg/kg", "mg/m2", "g/kg", "IU", "mL"))),
    Field("schedule", "Schedule", "medication", CHOICE, _M, choices=SCHEDULES,
          help="Per day (1-4 times), per week, per month, a single dose, or an IV pulse "
               "series (one dose a day)."),
    Field("times_per_period", "Times per day / week / month", "medication", INT, _M,
          minimum=D(1), maximum=D(7),
          help="How many administrations per day (1-4), per week or per month; 1 if empty."),
    Field("pulse_count", "Doses in the pulse series", "medication", INT, _M, minimum=D(1),
          maximum=D(30), help="IV pulse series: how many doses, one a day from the start date "
          "(methylprednisolone 30 mg/kg x 3)."),
    Field("frequency_per_day", "Doses per day (older records)", "medication", DEC, _M,
          minimum=D(0), maximum=D(24), decimals=3,
          help="Kept from records made before the schedule fields, when it did not convert "
               "exactly to a schedule (0.5 = every other day). New courses use the schedule."),
    Field("route", "Route", "medication", CHOICE, _M, choices=(
        Choice("oral", "Oral"), Choice("iv", "Intravenous"), Choice("sc", "Subcutaneous"),
        Choice("im", "Intramuscular"), Choice("topical", "Topical"), Choice("other", "Other"))),
    Field("start_date", "Start date", "medication", DATE, _M, required=True),
    Field("stop_date", "Stop date", "medication", DATE, _M,
          help="Empty while the course is ongoing."),
    Field("notes", "Notes", "medication", TEXT, _M, max_length=2000, multiline=True),
    Field("onset_date", "Onset date", "adverse_event", DATE, _A, required=True),
    Field("term", "Event", "adverse_event", TEXT, _A, required=True, max_length=200,
          deid=Deid.CODE, vocabulary="ae_terms",
          help="A term of the JDM adverse-event list (e.g. herpes zoster, cushingoid, "
               "hypertension); other text is exported de-identified as 'other'."),
    Field("grade", "CTCAE grade", "adverse_event", INT, _A, minimum=D(1), maximum=D(5),
          levels=_levels("Mild", "Moderate", "Severe", "Life-threatening", "Death", start=1)),
    Field("serious", "Serious adverse event", "adverse_event", BOOL, _A),
    Field("related_drug", "Suspected drug", "adverse_event", TEXT, _A, max_length=100,
          deid=Deid.CODE, vocabulary="drugs"),
    Field("action", "Action taken", "adverse_event", CHOICE, _A, choices=(
        Choice("none", "None"), Choice("dose_reduced", "Dose reduced"),
        Choice("interrupted", "Drug interrupted"), Choice("withdrawn", "Drug withdrawn"),
        Choice("other", "Other"))),
    Field("outcome", "Outcome", "adverse_event", CHOICE, _A, choices=(
        Choice("resolved", "Resolved"), Choice("resolving", "Resolving"),
        Choice("ongoing", "Ongoing"), Choice("sequelae", "Resolved with sequelae"),
        Choice("fatal", "Fatal"), Choice("unknown", "Unknown"))),
    Field("resolution_date", "Resolution date", "adverse_event", DATE, _A),
)


# --------------------------------------------------------------------------------------------
# Controlled vocabularies: drugs (the drug list below, DRUG_TERMS) and adverse-event terms are
# exported de-identified as codes of these lists (exports.deid); the typed text stays in
# identified outputs only. MedDRA is not
# available offline, so the adverse-event list is a curated JDM list (the usual toxicities of
# glucocorticoids, methotrexate, calcineurin and JAK inhibitors, IVIG and biologics, and the
# disease's own skin complications), with "other" for anything else.
# --------------------------------------------------------------------------------------------
OTHER_CODE = "other"


def _t(code: str, label: str, *synonyms: str, group: str = "") -> Term:
    return Term(code, label, synonyms, group)


#: curated JDM adverse-event terms (grouped as a pharmacovigilance reviewer reads them).
AE_TERMS: tuple[Term, ...] = (
    _t("herpes_zoster", "Herpes zoster", "zoster", "shingles", "vzv reactivation",
       group="infection"),
    _t("varicella", "Varicella", "chickenpox", "chicken pox", group="infection"),
    _t("herpes_simplex", "Herpes simplex", "hsv", "cold sore", group="infection"),
    _t("upper_respiratory_infection", "Upper respiratory tract infection",
       "urti", "uri", "common cold", group="infection"),
    _t("pneumonia", "Pneumonia", "lower respiratory tract infection", "lrti",
       group="infection"),
    _t("covid19", "COVID-19", "covid", "sars-cov-2 infection", group="infection"),
    _t("urinary_tract_infection", "Urinary tract infection", "uti", group="infection"),
    _t("skin_infection", "Skin or soft-tissue infection", "cellulitis", "abscess",
       "impetigo", group="infection"),
    _t("gastroenteritis", "Gastroenteritis", group="infection"),
    _t("opportunistic_infection", "Opportunistic infection", "pneumocystis pneumonia", "pjp",
       "pcp", "cmv infection", group="infection"),
    _t("sepsis", "Sepsis", "bacteraemia", "bacteremia", group="infection"),
    _t("infection_other", "Infection, other", "infection", group="infection"),
    _t("cushingoid", "Cushingoid features", "cushingoid", "cushingoid appearance",
       "moon face", group="glucocorticoid"),
    _t("weight_gain", "Weight gain", group="glucocorticoid"),
    _t("hypertension", "Hypertension", "high blood pressure", "raised blood pressure",
       group="glucocorticoid"),
    _t("hyperglycaemia", "Hyperglycaemia", "hyperglycemia", "steroid-induced diabetes",
       "glucose intolerance", group="glucocorticoid"),
    _t("osteoporosis", "Osteoporosis / osteopenia", "osteoporosis", "osteopenia",
       "low bone density", group="glucocorticoid"),
    _t("fracture", "Fracture", "vertebral fracture", "fragility fracture",
       group="glucocorticoid"),
    _t("avascular_necrosis", "Avascular necrosis", "avn", "osteonecrosis",
       group="glucocorticoid"),
    _t("cataract", "Cataract", group="glucocorticoid"),
    _t("glaucoma", "Glaucoma / raised intraocular pressure", "glaucoma",
       "raised intraocular pressure", group="glucocorticoid"),
    _t("growth_delay", "Growth delay", "growth failure", "growth retardation",
       "short stature", "growth suppression", group="glucocorticoid"),
    _t("mood_behaviour_change", "Mood or behaviour change", "mood change",
       "behaviour change", "behavior change", group="glucocorticoid"),
    _t("sleep_disturbance", "Sleep disturbance", "insomnia", group="glucocorticoid"),
    _t("neutropenia", "Neutropenia", group="cytopenia"),
    _t("lymphopenia", "Lymphopenia", group="cytopenia"),
    _t("thrombocytopenia", "Thrombocytopenia", group="cytopenia"),
    _t("anaemia", "Anaemia", "anemia", group="cytopenia"),
    _t("transaminase_rise", "Transaminase rise", "raised transaminases", "raised alt",
       "elevated alt", "raised liver enzymes", "elevated liver enzymes", "deranged lfts",
       "hepatotoxicity", group="laboratory"),
    _t("hyperlipidaemia", "Hyperlipidaemia", "hyperlipidemia", "raised cholesterol",
       group="laboratory"),
    _t("renal_impairment", "Renal impairment", "raised creatinine", "nephrotoxicity",
       group="laboratory"),
    _t("gi_upset", "Gastrointestinal upset", "gi upset", "nausea", "vomiting",
       "abdominal pain", "diarrhoea", "diarrhea", "dyspepsia", group="gastrointestinal"),
    _t("mouth_ulcers", "Mouth ulcers", "stomatitis", "mucositis", group="gastrointestinal"),
    _t("injection_site_reaction", "Injection-site reaction", "injection site reaction",
       group="administration"),
    _t("infusion_reaction", "Infusion reaction", "infusion-related reaction",
       "ivig reaction", group="administration"),
    _t("headache", "Headache", group="administration"),
    _t("allergic_reaction", "Allergic reaction", "hypersensitivity", "drug rash",
       "anaphylaxis", group="administration"),
    _t("hair_thinning", "Hair thinning", "hair loss", group="skin"),
    _t("hirsutism", "Hirsutism / hypertrichosis", "hirsutism", "hypertrichosis",
       group="skin"),
    _t("gingival_hyperplasia", "Gingival hyperplasia", "gum hypertrophy", group="skin"),
    _t("calcinosis_ulcer", "Calcinosis ulceration", "calcinosis ulcer",
       "ulcerated calcinosis", group="skin"),
    _t("skin_ulceration", "Skin ulceration", "skin ulcer", group="skin"),
    _t("lipodystrophy", "Lipodystrophy", "lipoatrophy", group="skin"),
    _t("tremor", "Tremor", group="neurological"),
    _t("thrombosis", "Thrombosis", "deep vein thrombosis", "dvt", "pulmonary embolism",
       "venous thromboembolism", group="other"),
    _t("malignancy", "Malignancy", "cancer", group="other"),
    _t(OTHER_CODE, "Other event (not in this list)"),
)


#: ``Visit.notes``: free text of a visit, stored on the visit row (not a value column, so not in
#: :data:`FIELDS`); defined here so validation, exports and the GUI share its limits. 10,000
#: characters is about four printed pages, far below a spreadsheet cell's 32,767.
VISIT_NOTES = Field("visit_notes", "Visit notes", "visit", TEXT, max_length=10_000,
                    multiline=True, deid=Deid.DROP,
                    help="Free-text notes of the visit (identified outputs only: free text may "
                         "name the child).")

# --------------------------------------------------------------------------------------------
# The drug list (JDM treatments). A course's ``drug`` is still free text; a listed drug is stored
# by its code and shown by its label. Glucocorticoid equivalence (instruments.md section 10 and
# the usual anti-inflammatory equivalence tables, e.g. BNF "Glucocorticoid therapy", Liu D et al.
# Allergy Asthma Clin Immunol 2013;9:30 Table 1): 5 mg prednisone = 5 mg prednisolone = 4 mg
# methylprednisolone = 0.75 mg dexamethasone = 20 mg hydrocortisone.
# --------------------------------------------------------------------------------------------
class DrugClass(StrEnum):
    """Treatment classes of the drug list (for grouping in pickers and summaries)."""

    GLUCOCORTICOID = "glucocorticoid"
    CSDMARD = "csdmard"  #: conventional synthetic immunosuppressant / DMARD
    CALCINEURIN = "calcineurin_inhibitor"
    ANTIMALARIAL = "antimalarial"
    IMMUNOGLOBULIN = "immunoglobulin"
    BIOLOGIC = "biologic"
    JAK = "jak_inhibitor"
    CYTOTOXIC = "cytotoxic"


DRUG_CLASS_LABELS: dict[DrugClass, str] = {
    DrugClass.GLUCOCORTICOID: "Glucocorticoid",
    DrugClass.CSDMARD: "Immunosuppressant (conventional)",
    DrugClass.CALCINEURIN: "Calcineurin inhibitor",
    DrugClass.ANTIMALARIAL: "Antimalarial",
    DrugClass.IMMUNOGLOBULIN: "Immunoglobulin",
    DrugClass.BIOLOGIC: "Biologic",
    DrugClass.JAK: "JAK inhibitor",
    DrugClass.CYTOTOXIC: "Cytotoxic",
}


@dataclass(frozen=True)
class Drug:
    """One drug of the list.

    Attributes:
        code: stored in a course's ``drug`` field (lower case, ``_`` between words).
        label: the generic name people read.
        drug_class: see :class:`DrugClass`.
        routes: the usual routes (codes of the medication ``route`` field), first = default.
        unit: the usual dose unit (a code of ``dose_unit``).
        schedule: the usual schedule (a code of ``schedule``), e.g. ``weekly`` for methotrexate.
        prednisone_mg: for a glucocorticoid, the dose (mg) equivalent to 5 mg prednisone.
        synonyms: other names and abbreviations that find this drug (brand names, MTX, MMF).
    """

    code: str
    label: str
    drug_class: DrugClass
    routes: tuple[str, ...]
    unit: str = "mg"
    schedule: str = "daily"
    prednisone_mg: D | None = None
    synonyms: tuple[str, ...] = ()

    @property
    def is_glucocorticoid(self) -> bool:
        return self.drug_class is DrugClass.GLUCOCORTICOID

    @property
    def prednisone_factor(self) -> Fraction | None:
        """mg of prednisone per mg of this drug (exact: dexamethasone is 20/3), or None."""
        if self.prednisone_mg is None:
            return None
        return Fraction(5) / Fraction(self.prednisone_mg)


_GC, _DM = DrugClass.GLUCOCORTICOID, DrugClass.CSDMARD
DRUGS: tuple[Drug, ...] = (
    Drug("prednisone", "Prednisone", _GC, ("oral",), prednisone_mg=D(5)),
    Drug("prednisolone", "Prednisolone", _GC, ("oral",), prednisone_mg=D(5)),
    Drug("methylprednisolone", "Methylprednisolone", _GC, ("iv", "oral"), schedule="pulse",
         prednisone_mg=D(4), synonyms=("ivmp", "solu-medrol", "medrol", "mp")),
    Drug("dexamethasone", "Dexamethasone", _GC, ("oral", "iv"), prednisone_mg=D("0.75")),
    Drug("hydrocortisone", "Hydrocortisone", _GC, ("oral",), prednisone_mg=D(20),
         synonyms=("cortisol",)),
    Drug("methotrexate", "Methotrexate", _DM, ("sc", "oral"), schedule="weekly",
         synonyms=("mtx",)),
    Drug("ciclosporin", "Ciclosporin", DrugClass.CALCINEURIN, ("oral",),
         synonyms=("cyclosporine", "cyclosporin", "csa")),
    Drug("tacrolimus", "Tacrolimus", DrugClass.CALCINEURIN, ("oral", "topical"),
         synonyms=("fk506",)),
    Drug("mycophenolate_mofetil", "Mycophenolate mofetil", _DM, ("oral",),
         synonyms=("mmf", "mycophenolate", "cellcept")),
    Drug("mycophenolic_acid", "Mycophenolic acid (mycophenolate sodium)", _DM, ("oral",),
         synonyms=("mycophenolate sodium", "myfortic")),
    Drug("hydroxychloroquine", "Hydroxychloroquine", DrugClass.ANTIMALARIAL, ("oral",),
         synonyms=("hcq", "plaquenil")),
    Drug("azathioprine", "Azathioprine", _DM, ("oral",), synonyms=("aza",)),
    Drug("ivig", "Intravenous immunoglobulin (IVIG)", DrugClass.IMMUNOGLOBULIN, ("iv",),
         unit="g/kg", schedule="monthly", synonyms=("immunoglobulin", "igiv")),
    Drug("scig", "Subcutaneous immunoglobulin (SCIG)", DrugClass.IMMUNOGLOBULIN, ("sc",),
         unit="g", schedule="weekly"),
    Drug("rituximab", "Rituximab", DrugClass.BIOLOGIC, ("iv",), schedule="single",
         synonyms=("rtx",)),
    Drug("cyclophosphamide", "Cyclophosphamide", DrugClass.CYTOTOXIC, ("iv",), unit="mg/m2",
         schedule="monthly", synonyms=("cyc", "cytoxan", "endoxan")),
    Drug("tofacitinib", "Tofacitinib", DrugClass.JAK, ("oral",), synonyms=("xeljanz",)),
    Drug("baricitinib", "Baricitinib", DrugClass.JAK, ("oral",), synonyms=("olumiant",)),
    Drug("ruxolitinib", "Ruxolitinib", DrugClass.JAK, ("oral",), synonyms=("jakafi", "jakavi")),
    Drug("upadacitinib", "Upadacitinib", DrugClass.JAK, ("oral",), synonyms=("rinvoq",)),
    Drug("abatacept", "Abatacept", DrugClass.BIOLOGIC, ("iv", "sc"), schedule="monthly",
         synonyms=("orencia",)),
    Drug("anifrolumab", "Anifrolumab", DrugClass.BIOLOGIC, ("iv",), schedule="monthly",
         synonyms=("saphnelo",)),
    Drug("infliximab", "Infliximab", DrugClass.BIOLOGIC, ("iv",), unit="mg/kg",
         schedule="single", synonyms=("remicade",)),
    Drug("adalimumab", "Adalimumab", DrugClass.BIOLOGIC, ("sc",), schedule="weekly",
         synonyms=("humira",)),
    Drug("tocilizumab", "Tocilizumab", DrugClass.BIOLOGIC, ("iv", "sc"), unit="mg/kg",
         schedule="monthly", synonyms=("actemra", "roactemra")),
)
_DRUG_KEYS: dict[str, Drug] = {}


def _drug_key(text: str) -> str:
    return re.sub(r"[\s_\-()]+", "", text.casefold())


for _drug in DRUGS:
    for _key in (_drug.code, _drug.label, *_drug.synonyms):
        if _DRUG_KEYS.get(_drug_key(_key), _drug) is not _drug:
            raise RuntimeError(f"drug name {_key!r} listed twice")
        _DRUG_KEYS[_drug_key(_key)] = _drug


def drug(text: str | None) -> Drug | None:
    """The listed drug a course's ``drug`` text names (code, generic name or a synonym, any
    case and spacing: ``"MTX"``, ``"Methotrexate"``, ``"IVIG"``), or None for free text."""
    if not text:
        return None
    found = _DRUG_KEYS.get(_drug_key(text))
    if found is None:  # the name in another language: 托法替布 is tofacitinib
        key = _drug_key(text)
        found = next((d for d in DRUGS for lang in LANGUAGES if lang != "en"
                      and _drug_key(translate_to(lang, d.label)) == key), None)
    return found


def drug_label(text: str | None) -> str:
    """The words for a course's drug: the listed label, else the text as typed."""
    found = drug(text)
    if found is not None:
        return _(found.label)
    return text or ""


#: the cumulative glucocorticoid exposure between visits (forms.medication), derived from the
#: medication courses and the visit weight, not from one visit's values: it is not in FIELDS
#: (no column, no score_visit rule), the exports and the patient page use this definition.
GC_EXPOSURE = Field(
    "gc_exposure_mg_kg", "Glucocorticoid exposure since the previous visit", "visit", DEC,
    minimum=D(0), decimals=1, unit="mg/kg", derived=True, short="GC since last (mg/kg)",
    derivation="Prednisone-equivalent mg of every glucocorticoid course (oral and IV pulses) "
    "given from the day after the previous visit to this visit, divided by the weight at the "
    "previous visit (prednisolone = prednisone; methylprednisolone x 1.25; dexamethasone x "
    "20/3; hydrocortisone x 1/4).")

#: the drug list as a vocabulary (exports.deid codes ``drug`` and ``related_drug`` with it;
#: matching is :func:`drug`'s), with "other" last.
DRUG_TERMS: tuple[Term, ...] = (
    *(Term(d.code, d.label, d.synonyms, d.drug_class.value) for d in DRUGS),
    Term(OTHER_CODE, "Other drug (not in this list)"))

#: vocabulary name -> terms (``Field.vocabulary`` names one of these).
VOCABULARIES: dict[str, tuple[Term, ...]] = {"drugs": DRUG_TERMS, "ae_terms": AE_TERMS}


# --------------------------------------------------------------------------------------------
# Abbreviations for narrow table columns and legends (Field.short_label); the usual ones of the
# myositis literature (PhGA, PtGA, EMGA as in the IMACS/PRINTO papers).
# --------------------------------------------------------------------------------------------
SHORT_LABELS: dict[str, str] = {
    "cmas_total": "CMAS", "mmt8_total": "MMT-8", "mmt8_bilateral": "MMT-8 bilat.",
    "phys_global": "PhGA", "parent_global": "PtGA", "parent_global_activity": "PtGA act.",
    "extramuscular_global": "EMGA",
    "das_total": "DAS", "chaq_di": "CHAQ DI", "chq_phs": "CHQ PhS",
    "cdasi_activity": "CDASI act.", "cdasi_damage": "CDASI dam.",
    "ck": "CK", "aldolase": "Aldolase", "ldh": "LDH", "ast": "AST", "alt": "ALT",
    "esr": "ESR", "crp": "CRP",
    "steroid_mg_kg_day": "Steroid mg/kg/d", "steroid_mg_day": "Steroid mg/day",
    "ivmp_pulses": "IVMP pulses", "weight_kg": "Weight", "tis": "TIS",
}
with in_language("en"):  # replace() reads the texts back: keep the English originals
    _fields = [dataclasses.replace(f, short=SHORT_LABELS[f.name])
               if f.name in SHORT_LABELS and f.level not in (Level.MEDICATION, Level.ADVERSE_EVENT)
               else f for f in _fields]

# --------------------------------------------------------------------------------------------
# Look-ups
# --------------------------------------------------------------------------------------------
FIELDS: tuple[Field, ...] = tuple(_fields)
_BY_NAME: dict[str, Field] = {}
_BY_KEY: dict[tuple[Level, str], Field] = {}
for _f in FIELDS:
    # Medication and adverse-event fields live in their own namespace (a record's "notes" is not
    # a visit field); visit and patient names are unique across the whole registry.
    if (_f.level, _f.name) in _BY_KEY:
        raise RuntimeError(f"field {_f.name} defined twice")
    _BY_KEY[(_f.level, _f.name)] = _f
    if _f.level not in (Level.MEDICATION, Level.ADVERSE_EVENT):
        if _f.name in _BY_NAME:
            raise RuntimeError(f"field {_f.name} defined twice")
        _BY_NAME[_f.name] = _f
FORMS_BY_KEY: dict[str, Form] = {f.key: f for f in FORMS}
_unknown_forms = {f.form for f in FIELDS} - set(FORMS_BY_KEY)
if _unknown_forms:
    raise RuntimeError(f"fields refer to unknown forms {_unknown_forms}")
for _f in FIELDS:
    if _f.type is TEXT and not _f.max_length:
        raise RuntimeError(f"text field {_f.name} needs max_length")
    if (_f.deid is Deid.CODE) != bool(_f.vocabulary) or (
            _f.vocabulary and _f.vocabulary not in VOCABULARIES):
        raise RuntimeError(f"field {_f.name}: a coded field names a known vocabulary")
for _name, _terms in VOCABULARIES.items():
    if len({t.code for t in _terms}) != len(_terms) or _terms[-1].code != OTHER_CODE:
        raise RuntimeError(f"vocabulary {_name}: codes unique, 'other' last")


def get(name: str, level: Level | None = None) -> Field:
    """The field called ``name`` (patient, visit or response namespace unless ``level``).

    Raises:
        KeyError: no such field.
    """
    if level is not None:
        return _BY_KEY[(level, name)]
    return _BY_NAME[name]


def has(name: str) -> bool:
    return name in _BY_NAME


@functools.cache  # FIELDS is a tuple fixed at import; validation asks for each visit
def fields_for(*, level: Level | None = None, form: str | None = None,
               derived: bool | None = None) -> tuple[Field, ...]:
    """Fields filtered by level, form and derived-ness, in registry order."""
    return tuple(f for f in FIELDS
                 if (level is None or f.level is level)
                 and (form is None or f.form == form)
                 and (derived is None or f.derived is derived))


def visit_fields(*, derived: bool | None = None) -> tuple[Field, ...]:
    """All per-visit fields (entered and/or derived), in registry order."""
    return fields_for(level=Level.VISIT, derived=derived)


#: visit header fields stored as columns of the visit itself rather than as values.
VISIT_KEYS = ("visit_date", "visit_label")


@functools.cache
def visit_value_fields() -> tuple[Field, ...]:
    """The entered per-visit fields that go into a visit's ``values`` map (case file)."""
    return tuple(f for f in visit_fields(derived=False) if f.name not in VISIT_KEYS)


def entered_forms(level: Level = Level.VISIT) -> tuple[Form, ...]:
    """Forms that have entered (non-derived) fields at ``level``, in entry order."""
    keys = {f.form for f in fields_for(level=level, derived=False)}
    return tuple(f for f in FORMS if f.key in keys)


def names(fields: Iterable[Field]) -> list[str]:
    return [f.name for f in fields]


def iter_forms() -> Iterator[Form]:
    return iter(FORMS)


def cmas_item_names() -> tuple[str, ...]:
    return tuple(name for name, _, _ in CMAS_ITEMS)


def mmt8_side_names(side: str) -> tuple[str, ...]:
    """The 7 paired MMT-8 field names of one side (``"r"`` or ``"l"``)."""
    return tuple(f"{stem}_{side}" for stem, _ in MMT_PAIRED)


def chaq_domain_items(domain: str) -> tuple[str, ...]:
    return tuple(name for name, _ in CHAQ_DOMAINS[domain][1])


def cdasi_entered_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields_for(form="cdasi", derived=False))
