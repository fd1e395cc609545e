"""The patient record and the visit header (data-contract section 3; instruments.md section
10 for steroid plausibility): demographics and identifiers (dropped by de-identified exports),
visit date and label, anthropometry, assessor, steroid dose, and the steroid dose per kg.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal as D

from forms.fields import Choice, Deid, Field, FieldType, Form, Level
from forms.i18n import _
from forms.instruments.base import (
    CrossCheck,
    Derived,
    Instrument,
    ReportGroup,
    ReportRow,
)
from forms.score_base import (
    RULE_VERSIONS,
    InvalidValue,
    Score,
    fmt,
    invalid,
    labels,
    quantize,
    read_number,
)

PATIENT_FORM = Form("patient", "Patient", Level.PATIENT, "Demographics, diagnosis and identifiers")
VISIT_FORM = Form("visit", "Visit", Level.VISIT, "Date, anthropometry, assessor and steroid dose")

AUTOANTIBODIES = ("TIF1g", "NXP2", "MDA5", "Mi-2", "SAE", "SRP", "HMGCR", "Jo-1", "other",
                  "negative", "unknown")
TEXT, DATE, CHOICE = FieldType.TEXT, FieldType.DATE, FieldType.CHOICE
DEC, INT = FieldType.DECIMAL, FieldType.INTEGER
PATIENT_FIELDS: tuple[Field, ...] = (
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

VISIT_FIELDS: tuple[Field, ...] = (
    Field("visit_date", "Visit date", "visit", DATE, required=True),
    Field("visit_label", "Visit label", "visit", TEXT, max_length=16, deid=Deid.LABEL,
          pattern=r"[A-Za-z0-9_][A-Za-z0-9_-]{0,15}", pattern_help="1-16 letters, digits, '-' "
          "or '_', not starting with '-' and not a date (protocol visits M0, M3, M6, ...)",
          help="Protocol visit label such as M0, M3, M6; other visits may use any short label."),
    Field("weight_kg", "Weight", "visit", DEC, minimum=D("1"), maximum=D("250"), decimals=1,
          warn_below=D("8"), warn_above=D("150"), unit="kg", short="Weight"),
    Field("height_cm", "Height", "visit", DEC, minimum=D("30"), maximum=D("230"), decimals=1,
          warn_below=D("60"), warn_above=D("210"), unit="cm"),
    Field("assessor", "Assessor", "visit", TEXT, max_length=100,
          help="Who examined the child at this visit."),
    Field("steroid_mg_day", "Oral steroid dose", "visit", DEC, minimum=D("0"), maximum=D("80"),
          decimals=2, warn_above=D("60"), unit="mg/day", short="Steroid mg/day",
          help="Oral prednisone-equivalent daily dose (methylprednisolone mg x 1.25). "
               "IV methylprednisolone pulses are counted separately."),
    Field("ivmp_pulses", "IV methylprednisolone pulses since last visit", "visit", INT,
          minimum=D("0"), maximum=D("30"), warn_above=D("12"), unit="pulses",
          short="IVMP pulses"),
)

PER_KG = Field("steroid_mg_kg_day", "Oral steroid dose per kg", "visit", FieldType.DECIMAL,
               minimum=D(0), decimals=3, warn_above=D(2), unit="mg/kg/day", derived=True,
               short="Steroid mg/kg/d",
               derivation="steroid_mg_day / weight_kg of the same visit, to 3 decimals.")
VERSION = "steroid_mg_kg_day@1 (mg/day / kg, 3 dp half-up)"


def steroid_mg_kg_day(values: Mapping[str, object]) -> Score:
    """Oral steroid mg/kg/day = ``steroid_mg_day`` / ``weight_kg`` of the same visit (conv. 8).

    Rounded half-up to the registry's decimals (3); the exact quotient is kept in ``exact``.
    """
    version = RULE_VERSIONS["steroid_mg_kg_day"]
    try:
        dose = read_number(values, "steroid_mg_day")
        weight = read_number(values, "weight_kg")
    except InvalidValue as exc:
        return Score("steroid_mg_kg_day", None, invalid(_("Steroid mg/kg/day"), [str(exc)]),
                     version)
    missing = [n for n, v in (("steroid_mg_day", dose), ("weight_kg", weight)) if v is None]
    if missing:
        return Score("steroid_mg_kg_day", None,
                     _("Steroid mg/kg/day: {names} missing").format(
                         names=labels(missing)), version, missing=tuple(missing))
    assert dose is not None and weight is not None
    if weight == 0:  # the registry forbids it; guard anyway rather than divide by zero
        return Score("steroid_mg_kg_day", None, _("Steroid mg/kg/day: weight is 0"), version)
    exact = dose / weight
    value = quantize(exact, PER_KG.decimals)
    return Score("steroid_mg_kg_day", value, "", version,
                 f"{fmt(dose)} {_('mg/day')} / {fmt(weight)} kg = {fmt(exact)}", exact)


def _score(values: Mapping[str, object], _scores: Mapping[str, Score]) -> dict[str, Score]:
    return {"steroid_mg_kg_day": steroid_mg_kg_day(values)}


PATIENT = Instrument(form=PATIENT_FORM, fields=PATIENT_FIELDS)
VISIT = Instrument(
    form=VISIT_FORM,
    fields=VISIT_FIELDS,
    derived=(Derived((PER_KG,), VERSION, "steroid dose", _score),),
    cross_checks=(CrossCheck("body", "Weight and height give a plausible body-mass index; the "
                             "steroid dose per kg is below the usual maximum (warnings)."),),
    report=(ReportRow(ReportGroup.TREATMENT, "steroid_mg_kg_day"),
            ReportRow(ReportGroup.TREATMENT, "steroid_mg_day"),
            ReportRow(ReportGroup.TREATMENT, "ivmp_pulses"),
            ReportRow(ReportGroup.TREATMENT, "weight_kg")),
)
