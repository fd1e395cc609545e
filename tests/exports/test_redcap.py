"""REDCap export: the dictionary follows REDCap's documented rules, records fit the dictionary,
events and repeat instances are laid out as REDCap imports them, and de-identification holds.

Expected REDCap facts are written here from REDCap's documentation and source (not copied from
exports/redcap.py): the 18 dictionary headers, the built-in validation type names
(``redcap_validation_types`` in REDCap's install SQL), the variable name syntax, and the unique
event name algorithm (``Project::getUniqueEventNames``, REDCap 15.7.6).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from exports import redcap
from forms import registry
from forms.fields import Level
from forms.model import AdverseEvent, Medication, Patient, Visit
from forms.settings import ScoringSettings

sys.path.insert(0, str(Path(__file__).parent))
from export_factory import make_patient  # noqa: E402

#: REDCap's data dictionary header, verbatim, in order.
REDCAP_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
]
#: REDCap's built-in text validation types (redcap_validation_types).
REDCAP_VALIDATION = {
    "date_dmy", "date_mdy", "date_ymd", "datetime_dmy", "datetime_mdy", "datetime_ymd",
    "datetime_seconds_dmy", "datetime_seconds_mdy", "datetime_seconds_ymd", "email",
    "integer", "number", "number_1dp", "number_2dp", "number_3dp", "number_4dp", "phone",
    "time", "time_mm_ss", "zipcode", "alpha_only",
}
REDCAP_FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse",
                      "calc", "file", "slider", "descriptive", "sql"}
VARIABLE = re.compile(r"[a-z][a-z0-9_]*")
#: REDCap's data dictionary check of a raw code (Classes/MetaData.php, REDCap 15.7.6):
#: a number, or ``^[a-zA-Z0-9._\-]+$``.
CHOICE = re.compile(r"[A-Za-z0-9._\-]+, [^|]+")
SYSTEM = {"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"}
IDENTIFIERS = ("given_name", "family_name", "mrn", "birth_date")
SETTINGS = ScoringSettings()


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def cmas_all(score: int = 1) -> dict[str, object]:
    """Every CMAS item at ``score``, capped at the item's maximum."""
    return {name: min(score, int(registry.get(name).maximum or 0))
            for name in registry.cmas_item_names()}


@pytest.fixture
def cohort() -> list[Patient]:
    """P01: M0, an unscheduled visit, M3, a second M3; P02: factory patient; P03: no visits."""
    base = dt.date(2020, 5, 4)
    p1 = Patient(
        study_id="P01", sex="male", diagnosis_date=base - dt.timedelta(days=10),
        autoantibody="Mi-2",
        identifiers={"given_name": "Zed", "family_name": "Quorn", "mrn": "MRN778899",
                     "birth_date": dt.date(2011, 2, 3)},
        visits=[
            Visit(base, "M0", values={**cmas_all(2), "weight_kg": Decimal("30.5"),
                                      "chaq_dress": "na", "chaq_aid_dressing": True,
                                      "skin_heliotrope": "yes"},
                  missing={"chq_phs": "not_done"}),
            Visit(base + dt.timedelta(days=40), "flare", values={"phys_global": Decimal("4.5")},
                  notes="Mother says Zed fell at school"),
            Visit(base + dt.timedelta(days=90), "M3",
                  values={**{k: v for k, v in cmas_all(3).items() if k != "cmas_pick_up"},
                          "chaq_aid_dressing": False, "assessor": "Dr Quorn"}),
            Visit(base + dt.timedelta(days=95), "M3", values={"ck": Decimal(300)}),
        ],
        medications=[
            Medication("prednisolone", base, Decimal(30), "mg", Decimal(1), "oral",
                       notes="=HYPERLINK(\"x\")"),
            Medication("methotrexate", base - dt.timedelta(days=3), Decimal(15), "mg/m2",
                       Decimal("0.143"), "sc"),
        ],
        adverse_events=[AdverseEvent(base + dt.timedelta(days=20), "nausea", 1, False,
                                     "methotrexate", "none", "resolved")],
    )
    p2 = make_patient("P02", 4, seed=2)
    p3 = Patient(study_id="P03", sex="female", diagnosis_date=dt.date(2019, 1, 1))
    return [p1, p2, p3]


@pytest.fixture
def deid(tmp_path: Path, cohort: list[Patient]) -> redcap.RedcapSummary:
    return redcap.write_redcap_project(cohort, tmp_path / "deid", identified=False,
                                       settings=SETTINGS)


@pytest.fixture
def ident(tmp_path: Path, cohort: list[Patient]) -> redcap.RedcapSummary:
    return redcap.write_redcap_project(cohort, tmp_path / "ident", identified=True,
                                       settings=SETTINGS)


@pytest.fixture(params=[False, True], ids=["deidentified", "identified"])
def both(request: pytest.FixtureRequest, tmp_path: Path,
         cohort: list[Patient]) -> redcap.RedcapSummary:
    return redcap.write_redcap_project(cohort, tmp_path / "both", identified=request.param,
                                       settings=SETTINGS)


# ------------------------------------------------------------------------------------------
# Data dictionary
# ------------------------------------------------------------------------------------------
def test_dictionary_header_is_redcaps_exactly(both: redcap.RedcapSummary) -> None:
    with both.files["dictionary"].open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == REDCAP_HEADER


def test_variable_names_follow_redcap_syntax(both: redcap.RedcapSummary) -> None:
    _, rows = read_csv(both.files["dictionary"])
    names = [r["Variable / Field Name"] for r in rows]
    assert names[0] == "study_id"
    assert len(names) == len(set(names)), "duplicate variable names"
    for name in names:
        assert VARIABLE.fullmatch(name), name
        assert len(name) <= 100, name
        # REDCap reserves these (Project::$reserved_field_names).
        assert name not in {"action", "event_id", "redcap_event_name", "instance", "target",
                            "field_label", "new", "return", "class", "enum"}, name
    long = [n for n in names if len(n) > 26]
    assert long == ["cmas_arm_raise_duration_sec"], "names above REDCap's 26 recommended"


def test_reserved_adverse_event_field_is_renamed(both: redcap.RedcapSummary) -> None:
    _, rows = read_csv(both.files["dictionary"])
    row = next(r for r in rows if r["Variable / Field Name"] == "ae_action")
    assert row["Form Name"] == "adverse_event"
    assert row["Field Label"] == registry.get("action", Level.ADVERSE_EVENT).label


def test_each_form_contiguous_and_every_registry_form_present(
        both: redcap.RedcapSummary) -> None:
    _, rows = read_csv(both.files["dictionary"])
    forms = [r["Form Name"] for r in rows]
    seen: list[str] = []
    for form in forms:
        if not seen or seen[-1] != form:
            assert form not in seen, f"form {form} rows are not contiguous"
            seen.append(form)
    assert seen == [f.key for f in registry.FORMS]
    for form in seen:
        assert VARIABLE.fullmatch(form)


def test_field_types_choices_and_validation(both: redcap.RedcapSummary) -> None:
    _, rows = read_csv(both.files["dictionary"])
    for r in rows:
        name, ftype = r["Variable / Field Name"], r["Field Type"]
        assert ftype in REDCAP_FIELD_TYPES, name
        assert ftype != "calc", "derived values must not be REDCap calculations"
        choices = r["Choices, Calculations, OR Slider Labels"]
        if ftype in ("radio", "dropdown"):
            options = choices.split(" | ")
            for option in options:
                assert CHOICE.fullmatch(option), (name, option)
            codes = [o.split(",")[0] for o in options]
            assert len(codes) == len(set(codes)), name
        else:
            assert choices == "", name
        validation = r["Text Validation Type OR Show Slider Number"]
        if validation:
            assert ftype == "text", name
            assert validation in REDCAP_VALIDATION, (name, validation)
        lo, hi = r["Text Validation Min"], r["Text Validation Max"]
        if lo or hi:
            assert validation in ("integer", "number"), name
        if lo and hi:
            assert Decimal(lo) <= Decimal(hi), name


def test_registry_ranges_and_codes_reach_the_dictionary(ident: redcap.RedcapSummary) -> None:
    _, rows = read_csv(ident.files["dictionary"])
    by_name = {r["Variable / Field Name"]: r for r in rows}
    weight = registry.get("weight_kg")
    assert by_name["weight_kg"]["Text Validation Type OR Show Slider Number"] == "number"
    assert Decimal(by_name["weight_kg"]["Text Validation Min"]) == weight.minimum
    assert Decimal(by_name["weight_kg"]["Text Validation Max"]) == weight.maximum
    assert by_name["ivmp_pulses"]["Text Validation Type OR Show Slider Number"] == "integer"
    assert by_name["visit_date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    # an ordinal item: its described levels as radio choices, codes = the registry's scores
    leg = registry.get("cmas_leg_raise")
    assert by_name["cmas_leg_raise"]["Field Type"] == "radio"
    codes = [o.split(",")[0] for o in
             by_name["cmas_leg_raise"]["Choices, Calculations, OR Slider Labels"].split(" | ")]
    assert codes == [str(c.code) for c in leg.levels]
    # Kendall 0-10 has 11 levels: a drop-down
    assert by_name["mmt_neck_flexors"]["Field Type"] == "dropdown"
    # CHAQ items also allow "na"
    assert "na, " in by_name["chaq_dress"]["Choices, Calculations, OR Slider Labels"]
    assert by_name["chaq_aid_dressing"]["Field Type"] == "yesno"
    assert by_name["skin_heliotrope"]["Choices, Calculations, OR Slider Labels"].startswith(
        "yes, ")


def test_derived_totals_are_read_only_under_their_own_names(
        ident: redcap.RedcapSummary) -> None:
    _, rows = read_csv(ident.files["dictionary"])
    by_name = {r["Variable / Field Name"]: r for r in rows}
    for f in registry.FIELDS:
        if f.derived:
            row = by_name[f.name]
            assert "@READONLY" in row["Field Annotation"], f.name
            assert row["Field Type"] in ("text", "radio", "dropdown"), f.name


def test_identifiers_flagged_only_in_identified_dictionary(
        ident: redcap.RedcapSummary, deid: redcap.RedcapSummary) -> None:
    _, rows = read_csv(ident.files["dictionary"])
    flagged = {r["Variable / Field Name"] for r in rows if r["Identifier?"] == "y"}
    assert set(IDENTIFIERS) <= flagged
    assert "study_id" not in flagged
    _, rows = read_csv(deid.files["dictionary"])
    names = {r["Variable / Field Name"] for r in rows}
    assert not names & set(IDENTIFIERS)
    assert "assessor" not in names and "notes" not in names  # free text
    assert {"drug", "term"} <= names


# ------------------------------------------------------------------------------------------
# Events, mapping, repeating set-up
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("event", "expected"), [
    ("M0", "m0_arm_1"),
    ("Other visit", "other_visit_arm_1"),
    ("Visit 1!", "visit_1_arm_1"),
    (" Baseline (M0) ", "baseline_m0_arm_1"),
    ("Twenty two chars long!", "twenty_two_chars_l_arm_1"),
    ("_x_", "x_arm_1"),
])
def test_unique_event_names_follow_redcaps_algorithm(event: str, expected: str) -> None:
    assert redcap.unique_event_name(event) == expected


def test_events_mapping_and_repeating_are_consistent(both: redcap.RedcapSummary) -> None:
    header, events = read_csv(both.files["events"])
    assert header[:2] == ["event_name", "arm_num"]
    unique = [redcap.unique_event_name(e["event_name"], int(e["arm_num"])) for e in events]
    offsets = [int(e["day_offset"]) for e in events]
    assert offsets == sorted(set(offsets)), "REDCap orders events by day offset"
    # the factory's month-1 visit is unscheduled (issue 14): it goes to the repeating event
    assert unique == ["patient_arm_1", "m0_arm_1", "m3_arm_1", "m6_arm_1", "other_visit_arm_1"]
    header, mapping = read_csv(both.files["mapping"])
    assert header == ["arm_num", "unique_event_name", "form"]
    assert {m["unique_event_name"] for m in mapping} == set(unique)
    _, dictionary = read_csv(both.files["dictionary"])
    forms = {r["Form Name"] for r in dictionary}
    assert {m["form"] for m in mapping} == forms, "every form designated to an event"
    header, repeating = read_csv(both.files["repeating"])
    assert header == ["event_name", "form_name", "custom_form_label"]
    as_set = {(r["event_name"], r["form_name"]) for r in repeating}
    assert as_set == {("patient_arm_1", "medication"), ("patient_arm_1", "adverse_event"),
                      ("other_visit_arm_1", "")}
    for r in repeating:
        if r["form_name"]:
            assert {"arm_num": "1", "unique_event_name": r["event_name"],
                    "form": r["form_name"]} in mapping


# ------------------------------------------------------------------------------------------
# Records
# ------------------------------------------------------------------------------------------
def test_every_records_column_is_in_the_dictionary(both: redcap.RedcapSummary) -> None:
    header, _ = read_csv(both.files["records"])
    _, dictionary = read_csv(both.files["dictionary"])
    names = {r["Variable / Field Name"] for r in dictionary}
    forms = {r["Form Name"] for r in dictionary}
    assert header[:4] == ["study_id", *sorted(SYSTEM, key=header.index)]
    assert header[1:4] == ["redcap_event_name", "redcap_repeat_instrument",
                           "redcap_repeat_instance"]
    for column in header:
        assert (column in names or column in SYSTEM
                or (column.endswith("_complete") and column[:-9] in forms)), column
    assert {f"{form}_complete" for form in forms} <= set(header)
    assert len(header) == len(set(header))


def test_records_values_fit_the_dictionary(both: redcap.RedcapSummary) -> None:
    _, dictionary = read_csv(both.files["dictionary"])
    _, rows = read_csv(both.files["records"])
    spec = {r["Variable / Field Name"]: r for r in dictionary}
    checked = 0
    mdc = {c for c, _label in redcap.MISSING_DATA_CODES.values()}
    for row in rows:
        for name, value in row.items():
            if value == "" or name not in spec or value in mdc:  # declared missing codes
                continue
            d = spec[name]
            if d["Field Type"] in ("radio", "dropdown"):
                codes = {o.split(",")[0] for o in
                         d["Choices, Calculations, OR Slider Labels"].split(" | ")}
                assert value in codes, (name, value)
            elif d["Field Type"] == "yesno":
                assert value in ("0", "1"), (name, value)
            elif d["Text Validation Type OR Show Slider Number"] == "integer":
                assert re.fullmatch(r"-?\d+", value), (name, value)
            elif d["Text Validation Type OR Show Slider Number"] == "number":
                assert re.fullmatch(r"-?\d+(\.\d+)?", value), (name, value)
            elif d["Text Validation Type OR Show Slider Number"] == "date_ymd":
                dt.date.fromisoformat(value)
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            lo, hi = d["Text Validation Min"], d["Text Validation Max"]
            if lo:
                assert Decimal(value) >= Decimal(lo), (name, value)
            if hi:
                assert Decimal(value) <= Decimal(hi), (name, value)
            checked += 1
    assert checked > 500


def _rows_of(summary: redcap.RedcapSummary, sid: str) -> list[dict[str, str]]:
    _, rows = read_csv(summary.files["records"])
    return [r for r in rows if r["study_id"] == sid]


def test_records_layout_events_and_instances(ident: redcap.RedcapSummary) -> None:
    rows = _rows_of(ident, "P01")
    keys = [(r["redcap_event_name"], r["redcap_repeat_instrument"],
             r["redcap_repeat_instance"]) for r in rows]
    assert keys == [
        ("patient_arm_1", "", ""),
        ("m0_arm_1", "", ""),
        ("other_visit_arm_1", "", "1"),          # unscheduled "flare" visit, day 40
        ("m3_arm_1", "", ""),
        ("other_visit_arm_1", "", "2"),          # second M3, day 95
        ("patient_arm_1", "medication", "1"),    # methotrexate started first
        ("patient_arm_1", "medication", "2"),
        ("patient_arm_1", "adverse_event", "1"),
    ]
    patient, m0, flare, m3, m3b, mtx, pred, ae = rows
    assert patient["sex"] == "male" and patient["patient_complete"] == "2"
    assert patient["visit_complete"] == "" and patient["visit_date"] == ""
    assert flare["visit_label"] == "flare" and flare["phys_global"] == "4.5"
    assert flare["visit_notes"] == "Mother says Zed fell at school"
    assert m3b["visit_label"] == "M3" and m3b["ck"] == "300"
    assert mtx["drug"] == "methotrexate" and pred["drug"] == "prednisolone"
    assert mtx["dose_unit"] == "mg_m2"  # REDCap-safe code for "mg/m2"
    assert patient["autoantibody"] == "Mi-2"  # the workbook's code: REDCap allows "-"
    assert ae["term"] == "nausea" and ae["ae_action"] == "none" and ae["serious"] == "0"
    assert ae["adverse_event_complete"] == "2" and ae["medication_complete"] == ""
    assert any("second M3" in n for n in ident.notes)


def test_records_raw_codes_blanks_and_derived_totals(ident: redcap.RedcapSummary) -> None:
    rows = _rows_of(ident, "P01")
    m0 = next(r for r in rows if r["redcap_event_name"] == "m0_arm_1")
    m3 = next(r for r in rows if r["redcap_event_name"] == "m3_arm_1")
    assert m0["cmas_total"] == str(sum(cmas_all(2).values()))
    assert m3["cmas_pick_up"] == "" and m3["cmas_total"] == ""  # 13 of 14: no total, not 0
    assert m0["chaq_dress"] == "na" and m0["chaq_aid_dressing"] == "1"
    assert m3["chaq_aid_dressing"] == "0"
    assert m0["skin_heliotrope"] == "yes"
    assert m0["weight_kg"] == "30.5" and m0["height_cm"] == ""
    assert m0["chq_phs"] == "ND"  # recorded as not done: REDCap's missing data code
    assert m0["mmt8_complete"] == "" and m0["cmas_complete"] == "2"
    assert m0["visit_date"] == "2020-05-04"
    # response values of a follow-up visit against M0
    assert m3["baseline_label"] == "M0" and m0["baseline_label"] == ""


def test_formula_like_text_gets_the_space_redcap_removes(ident: redcap.RedcapSummary) -> None:
    """REDCap's import strips one space before - @ + = (Records::saveData), never a quote."""
    pred = next(r for r in _rows_of(ident, "P01") if r["drug"] == "prednisolone")
    assert pred["notes"] == ' =HYPERLINK("x")'
    assert "'" not in pred["notes"]
    assert any("formula" in n and "leading space" in n for n in ident.notes)


# ------------------------------------------------------------------------------------------
# De-identification
# ------------------------------------------------------------------------------------------
def test_deidentified_files_hold_no_identifiers(deid: redcap.RedcapSummary) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in deid.files.values())
    for secret in ("Zed", "Quorn", "MRN778899", "2011-02-03", "2020-05-04", "HYPERLINK",
                   "Mei", "H100002"):
        assert secret not in text, secret
    header, _ = read_csv(deid.files["records"])
    assert not set(header) & {*IDENTIFIERS, "assessor", "notes", "visit_notes"}


def test_deidentified_dates_are_days_from_baseline(deid: redcap.RedcapSummary) -> None:
    rows = _rows_of(deid, "P01")
    by_event = {(r["redcap_event_name"], r["redcap_repeat_instance"]): r for r in rows}
    epoch = dt.date(2000, 1, 1)
    assert by_event[("m0_arm_1", "")]["visit_date"] == epoch.isoformat()
    assert by_event[("m3_arm_1", "")]["visit_date"] == (
        epoch + dt.timedelta(days=90)).isoformat()
    assert by_event[("patient_arm_1", "")]["diagnosis_date"] == (
        epoch - dt.timedelta(days=10)).isoformat()
    mtx = next(r for r in rows if r["drug"] == "methotrexate")
    assert mtx["start_date"] == (epoch - dt.timedelta(days=3)).isoformat()
    # P03 has no visits: no baseline, so dates are blank and the administrator is told
    p3 = _rows_of(deid, "P03")
    assert p3[0]["diagnosis_date"] == "" and p3[0]["sex"] == "female"
    assert any("P03" in n for n in deid.notes)


def test_identified_keeps_identifiers_and_real_dates(ident: redcap.RedcapSummary) -> None:
    patient = _rows_of(ident, "P01")[0]
    assert patient["given_name"] == "Zed" and patient["mrn"] == "MRN778899"
    assert patient["birth_date"] == "2011-02-03"
    assert patient["diagnosis_date"] == "2020-04-24"


def test_summary_counts_and_progress(tmp_path: Path, cohort: list[Patient]) -> None:
    calls: list[tuple[int, int]] = []
    s = redcap.write_redcap_project(cohort, tmp_path, identified=False, settings=SETTINGS,
                                    progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert (s.patients, s.visits, s.medications, s.adverse_events) == (3, 8, 6, 2)
    _, rows = read_csv(s.files["records"])
    assert s.records_rows == len(rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(redcap.FILES.values())


def test_response_values_of_follow_up_visits(ident: redcap.RedcapSummary,
                                             cohort: list[Patient]) -> None:
    from forms.response import compare_visits

    patient = cohort[1]
    base, m3 = patient.visits[0], patient.visits[2]
    expected = compare_visits(base.values, m3.values, SETTINGS)
    row = next(r for r in _rows_of(ident, "P02") if r["redcap_event_name"] == "m3_arm_1")
    assert row["visit_label"] == m3.visit_label == "M3"
    assert row["baseline_label"] == "M0"
    assert row["acr_eular_response"] == expected.tis.category
    assert row["printo_response"] == expected.printo.level
    assert row["tis_measures"] == str(expected.tis.measures)
    assert row["tis_muscle_measure"] == expected.tis.muscle_measure
    # the bounds of conventions 5 and 6 reach the REDCap records
    assert row["acr_eular_response_min"] == expected.tis.category_min
    assert row["acr_eular_response_max"] == expected.tis.category_max
    assert row["printo_response_worst"] == expected.printo.worst
    assert row["printo_response_best"] == expected.printo.best
    assert row["tis_parent_measure"] == expected.tis.parent_measure
    assert row["response_complete"] == "2"


def test_export_from_a_database(tmp_path: Path, cohort: list[Patient]) -> None:
    from storage.repository import Repository

    with Repository(tmp_path / "clinic.jdm") as repo:
        repo.import_patients(cohort[:2], "test")
        summary = redcap.export_redcap(repo, tmp_path / "out", identified=True)
    assert (summary.patients, summary.visits) == (2, 8)
    assert not list((tmp_path / "out").glob(".*")), "no temporary files left behind"
    assert _rows_of(summary, "P01")[0]["given_name"] == "Zed"


def test_section_headers_group_chaq_domains_and_cdasi_locations(
        deid: redcap.RedcapSummary) -> None:
    _, rows = read_csv(deid.files["dictionary"])
    headed = {r["Variable / Field Name"]: r["Section Header"] for r in rows
              if r["Section Header"]}
    for key, (label, items) in registry.CHAQ_DOMAINS.items():
        assert headed[items[0][0]] == label, key
    for loc, label in registry.CDASI_LOCATIONS:
        assert headed[f"cdasi_{loc}_ery"] == label
    # the MDI (issue 11): one header per organ system, before its first item
    systems = registry.sections("mdi")
    for section in systems:
        first = next(f.name for f in registry.fields_for(form="mdi")
                     if f.group == section.group)
        assert headed[first] == section.label
    assert len(headed) == (len(registry.CHAQ_DOMAINS) + len(registry.CDASI_LOCATIONS)
                           + len(systems))


def test_cli_export_redcap(tmp_path: Path, cohort: list[Patient],
                           capsys: pytest.CaptureFixture[str]) -> None:
    import main
    from storage.repository import Repository

    db = tmp_path / "clinic.jdm"
    with Repository(db) as repo:
        repo.import_patients(cohort[:2], "test")
    out = tmp_path / "redcap"
    assert main.main(["export", "--db", str(db), "--redcap", str(out)]) == 0
    text, err = capsys.readouterr()
    assert "wrote the de-identified REDCap project" in text and "2 patients" in text
    assert "note: patient P01: a second M3 visit" in err
    assert sorted(p.name for p in out.iterdir()) == sorted(redcap.FILES.values())
    assert "Zed" not in (out / "records.csv").read_text(encoding="utf-8")
    (tmp_path / "afile").write_text("x")
    assert main.main(["export", "--db", str(db), "--redcap", str(tmp_path / "afile")]) == 2


def test_unlabelled_baseline_does_not_leak_its_date(tmp_path: Path) -> None:
    day = dt.date(2021, 7, 9)
    patient = Patient(study_id="P09", visits=[
        Visit(day, None, values={"phys_global": Decimal(5)}),
        Visit(day + dt.timedelta(days=30), None, values={"phys_global": Decimal(2)})])
    s = redcap.write_redcap_project([patient], tmp_path, identified=False, settings=SETTINGS)
    text = "\n".join(p.read_text(encoding="utf-8") for p in s.files.values())
    assert "2021" not in text and not any("2021" in n for n in s.notes)
    rows = _rows_of(s, "P09")
    assert rows[2]["baseline_label"] == "day 0"


# ------------------------------------------------------------------------------------------
# REDCap's own import rules (checked in REDCap 15.7.6's source, see exports/redcap.py)
# ------------------------------------------------------------------------------------------
#: REDCap's check of a Missing Data Code (ProjectSetup/index.php): a number, or letters,
#: digits, dots, dashes and underscores.
MDC_FORMAT = re.compile(r"[0-9A-Za-z._\-]+")


def test_missing_reasons_become_declared_missing_data_codes(ident: redcap.RedcapSummary) -> None:
    from forms.model import MISSING_REASONS

    assert set(redcap.MISSING_DATA_CODES) == set(MISSING_REASONS)
    text = ident.files["missing_codes"].read_text(encoding="utf-8")
    assert text == "ND, Not done\nNASS, Not assessable\nUNK, Unknown\n"
    real_values = {str(c.code).lower() for f in registry.FIELDS
                   for c in (*f.choices, *f.levels)} | {"na", "0", "1"}
    for code, _label in redcap.MISSING_DATA_CODES.values():
        assert MDC_FORMAT.fullmatch(code)
        assert code.lower() not in real_values, code  # never clashes with a real value
    # the administrator is told to declare them before importing the records
    assert "Missing Data Codes" in ident.notes[0] and "ND = Not done" in ident.notes[0]
    m0 = next(r for r in _rows_of(ident, "P01") if r["redcap_event_name"] == "m0_arm_1")
    assert m0["chq_phs"] == "ND"


def test_form_complete_is_2_only_when_every_field_has_a_value_or_a_code(
        tmp_path: Path) -> None:
    base = dt.date(2021, 1, 4)
    items = cmas_all(2)
    full = Visit(base, "M0", values=dict(items))
    coded = Visit(base + dt.timedelta(days=91), "M3",
                  values={k: v for k, v in items.items() if k != "cmas_pick_up"},
                  missing={"cmas_pick_up": "not_assessable"})
    partial = Visit(base + dt.timedelta(days=182), "M6",
                    values={k: v for k, v in items.items() if k != "cmas_pick_up"})
    patient = Patient("C1", sex="female", visits=[full, coded, partial])
    s = redcap.write_redcap_project([patient], tmp_path, identified=False, settings=SETTINGS)
    rows = {r["redcap_event_name"]: r for r in _rows_of(s, "C1")}
    assert rows["m0_arm_1"]["cmas_complete"] == "2"
    assert rows["m3_arm_1"]["cmas_complete"] == "2" and rows["m3_arm_1"]["cmas_pick_up"] == "NASS"
    assert rows["m6_arm_1"]["cmas_complete"] == "1"  # an item with neither value nor reason
    assert rows["m6_arm_1"]["mmt8_complete"] == ""  # nothing entered: no status at all
    # the visit form: date only, no weight/height/steroid: entered, not complete
    assert rows["m0_arm_1"]["visit_complete"] == "1"


def test_choice_codes_are_the_workbooks_wherever_redcap_allows_them(
        ident: redcap.RedcapSummary) -> None:
    _, rows = read_csv(ident.files["dictionary"])
    by_name = {r["Variable / Field Name"]: r for r in rows}
    checked = 0
    for f in registry.FIELDS:
        name = redcap.redcap_name(f)
        if name not in by_name or not f.choices:
            continue
        listed = [o.split(",")[0] for o in
                  by_name[name]["Choices, Calculations, OR Slider Labels"].split(" | ")]
        for c in f.choices:
            code = str(c.code)
            if re.fullmatch(r"[A-Za-z0-9._\-]+", code):
                assert code in listed, (name, code)
                checked += 1
            else:
                assert code not in listed and redcap.redcap_code(code) in listed, (name, code)
    assert checked > 50
    assert "Mi-2" in by_name["autoantibody"]["Choices, Calculations, OR Slider Labels"]
    assert redcap.redcap_code("mg/kg") == "mg_kg"


def test_formula_characters_are_exactly_the_ones_redcap_strips() -> None:
    for text in ("=1+1", "+44 20", "-0012345", "@SUM(A1)"):
        assert redcap.redcap_text(text) == " " + text
    for text in ("plain", "#N/A", "a=b"):
        assert redcap.redcap_text(text) == text


def test_parent_global_activity_is_exported(ident: redcap.RedcapSummary) -> None:
    """The IMACS parent/patient global activity (data-contract 3, revised) is a field of the
    global-assessment instrument, and the response instrument says which parent row the TIS
    used (instruments.md 0.5)."""
    _, rows = read_csv(ident.files["dictionary"])
    by_name = {r["Variable / Field Name"]: r for r in rows}
    assert by_name["parent_global_activity"]["Form Name"] == "global"
    assert by_name["tis_parent_measure"]["Form Name"] == "response"
    for bound in ("acr_eular_response_min", "acr_eular_response_max",
                  "printo_response_worst", "printo_response_best"):
        assert by_name[bound]["Form Name"] == "response"
