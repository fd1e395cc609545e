"""The field registry: every field of the data contract, defined once, collected from the
instrument modules.

Each instrument declares its own fields, scores, checks and roles in ``forms/instruments/``
(``cmas.py``, ``mmt8.py``, ``skin.py``, ``cdasi.py``, ``globals.py``, ``chaq.py``, ``labs.py``,
``mdi.py``; the patient record and visit header in ``header.py``, the response values in
``response.py``); this module is the aggregate view over :data:`INSTRUMENTS`, plus the
medication and adverse-event records and their vocabularies (drugs, adverse-event terms).
Sources for every range, level and label are in ``shared/spec/instruments.md`` (cited in each
instrument module); the field names are data-contract.md section 3.

Everything else is generated from here: the GUI pages (:data:`FORMS` order, widgets from
each :class:`~forms.fields.Field`), the SQLite columns and CHECK constraints, the Excel and REDCap
data dictionaries, validation, scoring (:data:`SCORING_ORDER`), the response criteria's roles,
the sign-off core set and the report rows. Use :func:`get` / :func:`fields_for` rather than
copying any number or label out of here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal as D
from enum import StrEnum
from fractions import Fraction

from forms import score_base
from forms.fields import Choice, Deid, Field, FieldType, Form, Level, Term
from forms.i18n import LANGUAGES, _, translate_to
from forms.instruments import cdasi, chaq, cmas, globals, header, labs, mdi, mmt8, response, skin
from forms.instruments.base import (
    YES_NO,  # noqa: F401 - today's public name (forms.registry.YES_NO)
    CoreDomain,
    CrossCheck,
    Derived,
    Domain,
    Enzyme,
    Instrument,
    MuscleMeasure,
    ReportGroup,
    ReportRow,
    Role,
    Section,
)
from forms.records import frozen

INT = FieldType.INTEGER
DEC = FieldType.DECIMAL
BOOL = FieldType.BOOLEAN
CHOICE = FieldType.CHOICE
DATE = FieldType.DATE
TEXT = FieldType.TEXT

# --------------------------------------------------------------------------------------------
# The instruments, in the order a visit is entered
# --------------------------------------------------------------------------------------------
#: every instrument with fields or scores at the patient and visit levels, in entry order.
INSTRUMENTS: tuple[Instrument, ...] = (
    header.PATIENT, header.VISIT, cmas.INSTRUMENT, mmt8.INSTRUMENT, skin.INSTRUMENT,
    cdasi.INSTRUMENT, globals.INSTRUMENT, chaq.INSTRUMENT, labs.INSTRUMENT, mdi.INSTRUMENT,
    response.INSTRUMENT)
#: the order the scoring rules run and their derived fields are stored (the PRINTO CID, in
#: ``response``, reads the CMAS and MMT-8 totals, so it comes last); also the order of the
#: derived columns in the exports.
SCORING_ORDER: tuple[Instrument, ...] = (
    cmas.INSTRUMENT, mmt8.INSTRUMENT, chaq.INSTRUMENT, cdasi.INSTRUMENT, globals.INSTRUMENT,
    header.VISIT, mdi.INSTRUMENT, response.INSTRUMENT)
INSTRUMENTS_BY_KEY: dict[str, Instrument] = {i.key: i for i in INSTRUMENTS}

_MEDICATION_FORM = Form("medication", "Medications", Level.MEDICATION, "Medication courses")
_AE_FORM = Form("adverse_event", "Adverse events", Level.ADVERSE_EVENT, "Adverse events")
#: the forms (instruments / pages), in the order a visit is entered.
FORMS: tuple[Form, ...] = (*(i.form for i in INSTRUMENTS), _MEDICATION_FORM, _AE_FORM)

_fields: list[Field] = [f for i in INSTRUMENTS for f in i.fields]
_fields += [f for i in SCORING_ORDER for f in i.derived_fields]


def _add(*fields: Field) -> None:
    _fields.extend(fields)


def _levels(*labels: str, start: int = 0) -> tuple[Choice, ...]:
    return tuple(Choice(start + i, text) for i, text in enumerate(labels))


# --------------------------------------------------------------------------------------------
# Today's names for the instruments' item lists (read by the GUI pages, the exports, the tests)
# --------------------------------------------------------------------------------------------
AUTOANTIBODIES = header.AUTOANTIBODIES
#: (name, label, levels) for the 14 CMAS items, in the order of the scoring sheet.
CMAS_ITEMS: tuple[tuple[str, str, tuple[Choice, ...]], ...] = tuple(
    (i.name, i.label, i.levels) for i in cmas.ITEMS)
#: timed CMAS items: item name -> (seconds field name, band lower bounds in seconds).
CMAS_TIMED: dict[str, tuple[str, tuple[int, ...]]] = {
    name: (t.seconds_field, t.bounds) for name, t in cmas.TIMED.items()}
#: Kendall 0-10 grade -> (0-5 notation with +/-, name, criterion).
KENDALL_GRADES: tuple[tuple[int, str, str, str], ...] = tuple(
    (g.grade, g.five, g.name, g.criterion) for g in mmt8.GRADES)
MMT_AXIAL = (mmt8.NECK.stem, mmt8.NECK.label)
#: (stem, label) of the 7 paired muscle groups; fields are ``<stem>_r`` and ``<stem>_l``.
MMT_PAIRED: tuple[tuple[str, str], ...] = tuple((m.stem, m.label) for m in mmt8.PAIRED)
SIDES = mmt8.SIDES
SKIN_FINDINGS: tuple[tuple[str, str], ...] = tuple((f.name, f.label) for f in skin.FINDINGS)
CDASI_LOCATIONS: tuple[tuple[str, str], ...] = tuple((c.key, c.label) for c in cdasi.LOCATIONS)
#: (part, label, kind, levels) of the per-location CDASI columns.
CDASI_PARTS: tuple[tuple[str, str, str, tuple[Choice, ...]], ...] = tuple(
    (p.part, p.label, p.kind, p.levels) for p in cdasi.PARTS)
CHAQ_RESPONSES = chaq.RESPONSES
#: domain key -> (label, items as (name, label)).
CHAQ_DOMAINS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    d.key: (d.label, tuple((q.name, q.label) for q in d.items)) for d in chaq.DOMAINS}
#: enzyme name -> (label, hard max, warn above, ULN range, default ULN); the typed description
#: with the ULN field is :func:`enzymes` (``forms.instruments.labs``).
ENZYMES: dict[str, tuple[str, int, int, tuple[int, int], int]] = {
    s.name: (s.label, s.hard_max, s.warn_above, s.uln_range, s.default_uln) for s in labs.SPECS}

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


@frozen
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
        return _prednisone_factor(self.prednisone_mg)


@functools.cache
def _prednisone_factor(prednisone_mg: D) -> Fraction:
    """5 mg prednisone per ``prednisone_mg`` (a drug's, computed once: exposure sums ask it
    for every course in every interval between visits)."""
    return Fraction(5) / Fraction(prednisone_mg)


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
    found = _DRUG_KEYS.get(text)  # a code as stored ("prednisolone"): already its own key
    if found is not None:
        return found
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



# --------------------------------------------------------------------------------------------
# What the instruments declare, collected
# --------------------------------------------------------------------------------------------
def instrument(form_key: str) -> Instrument:
    """The instrument of form ``form_key`` (``cmas`` -> the CMAS).

    Raises:
        KeyError: no such instrument.
    """
    return INSTRUMENTS_BY_KEY[form_key]


def scoring_rules() -> tuple[Derived, ...]:
    """The per-visit scoring rules, in :data:`SCORING_ORDER` (``forms.scoring.score_visit``)."""
    return tuple(rule for i in SCORING_ORDER for rule in i.derived if rule.compute is not None)


def rules() -> tuple[Derived, ...]:
    """Every rule with a version: per-visit scores, then the response criteria."""
    return tuple(rule for i in SCORING_ORDER for rule in i.derived)


def cross_checks() -> tuple[CrossCheck, ...]:
    """The instruments' cross-field checks (``forms.validation``), in :data:`SCORING_ORDER`:
    the CMAS check first, since the item scores it derives from seconds are values too."""
    return tuple(c for i in SCORING_ORDER for c in i.cross_checks)


#: the muscle enzymes with their ULN fields and default ULNs; the TIS tie order.
ENZYME_LIST: tuple[Enzyme, ...] = tuple(e for i in INSTRUMENTS for e in i.enzymes)
_ENZYME_BY_NAME: dict[str, Enzyme] = {e.name: e for e in ENZYME_LIST}


def enzymes() -> tuple[Enzyme, ...]:
    """The muscle enzymes (CK, aldolase, LDH, AST, ALT) with their ULN fields, in tie order."""
    return ENZYME_LIST


def enzyme(name: str) -> Enzyme:
    """The enzyme called ``name`` (``ck``); its ``uln_field`` is ``ck_uln``.

    Raises:
        KeyError: not a muscle enzyme.
    """
    return _ENZYME_BY_NAME[name]


#: the TIS muscle measures: the default (MMT-8) first, the CMAS fallback last.
MUSCLE_MEASURE_LIST: tuple[MuscleMeasure, ...] = response.MUSCLE_MEASURES
_ROLES: dict[Role, str] = {b.role: b.field for i in INSTRUMENTS for b in i.roles}


def muscle_measures() -> tuple[MuscleMeasure, ...]:
    return MUSCLE_MEASURE_LIST


def muscle_measure(key: str) -> MuscleMeasure:
    """The TIS muscle measure of setting code ``key`` (``mmt8``, ``mmt8_bilateral``, ``cmas``)."""
    return next(m for m in MUSCLE_MEASURE_LIST if m.key == key)


def role(which: Role) -> str:
    """The field that plays ``which`` in the response criteria (``Role.PHYSICIAN_GLOBAL`` ->
    ``phys_global``)."""
    return _ROLES[which]


@functools.cache
def core_domains() -> tuple[CoreDomain, ...]:
    """The sign-off core set (``storage.signoff``): each domain merged over the instruments
    that serve it, in :class:`~forms.instruments.base.Domain` order."""
    out = []
    for domain in Domain:
        parts = [(i, p) for i in INSTRUMENTS for p in i.domains if p.domain is domain]
        out.append(CoreDomain(
            domain,
            tuple(t for _i, p in parts for t in p.totals),
            tuple(f for _i, p in parts for f in p.fields),
            tuple(i.key for i, p in parts if p.missing_reason_counts)))
    return tuple(out)


def report_groups() -> tuple[tuple[ReportGroup, tuple[ReportRow, ...]], ...]:
    """The patient report's core set table: (group, rows) in reading order, each group's rows
    in instrument order (``exports.pdf``); groups without rows are left out."""
    rows = [r for i in INSTRUMENTS for r in i.report]
    return tuple((g, tuple(r for r in rows if r.group is g)) for g in ReportGroup
                 if any(r.group is g for r in rows))


def sections(form_key: str) -> tuple[Section, ...]:
    """Section headers of a form's field groups (REDCap ``Section Header``)."""
    found = INSTRUMENTS_BY_KEY.get(form_key)
    return found.sections if found is not None else ()


def scoring_rule(field_name: str) -> Derived:
    """The per-visit rule that computes derived field ``field_name``.

    Raises:
        KeyError: no per-visit rule produces it.
    """
    for rule in scoring_rules():
        if any(f.name == field_name for f in rule.fields):
            return rule
    raise KeyError(field_name)


# the runtime table of rule versions the rules stamp on their scores (forms.score_base)
score_base.RULE_VERSIONS.update({f.name: rule.version for rule in rules() for f in rule.fields})
