"""De-identified means de-identified: one policy (exports.deid) in the workbook, REDCap and PDF.

Each test plants identifying text where a clinic's users really type it (the assessor field, an
adverse-event term, a suspected drug, a drug name, a visit label that is a date) and reads the
produced files back (openpyxl, csv, pypdf) to prove none of it leaves in a de-identified output,
while identified outputs keep it whole.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pypdf
import pytest
from export_factory import make_patient

from exports.excel import write_workbook
from exports.pdf import write_patient_report
from exports.redcap import write_redcap_project
from forms import registry
from forms.fields import Level
from forms.model import AdverseEvent, Medication, Patient
from forms.settings import ScoringSettings

LEAK_TERM = "zoster; seen by Dr Roe at St Mary's 01/04/2021"
LEAK_DRUG = "Mei's trial drug from Dr Roe"
ASSESSOR = "Dr Quentin Assessorname"
DATE_LABEL = "2021-03-04"
SECRETS = ("Roe", "St Mary", "01/04/2021", "Quentin", "Assessorname", "Mei's", DATE_LABEL)


def _leaky_patient() -> Patient:
    p = make_patient("P01", 4, seed=3, given_name="Mei", family_name="Li")
    for v in p.visits:
        v.values["assessor"] = ASSESSOR
    # an unscheduled visit labelled by its calendar date (saved before labels were checked)
    p.visits[2].visit_label = DATE_LABEL
    p.adverse_events.append(AdverseEvent(p.visits[1].visit_date, LEAK_TERM, grade=2,
                                         related_drug=LEAK_DRUG))
    p.adverse_events.append(AdverseEvent(p.visits[1].visit_date, "Cushingoid", grade=1,
                                         related_drug="Prednisolone"))
    p.medications.append(Medication(LEAK_DRUG, p.visits[0].visit_date))
    return p


def _workbook_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row
                     if c.value is not None and ws.title != "Data dictionary")


def _sheet(path: Path, title: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[title]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("deid")
    p = _leaky_patient()
    settings = ScoringSettings()
    out = {"deid_xlsx": d / "deid.xlsx", "ident_xlsx": d / "ident.xlsx",
           "deid_redcap": d / "redcap", "ident_redcap": d / "redcap_ident",
           "deid_pdf": d / "deid.pdf", "ident_pdf": d / "ident.pdf"}
    write_workbook([p], out["deid_xlsx"], identified=False, settings=settings)
    write_workbook([_leaky_patient()], out["ident_xlsx"], identified=True, settings=settings)
    write_redcap_project([_leaky_patient()], out["deid_redcap"], identified=False,
                         settings=settings)
    write_redcap_project([_leaky_patient()], out["ident_redcap"], identified=True,
                         settings=settings)
    write_patient_report(_leaky_patient(), out["deid_pdf"], deidentified=True,
                         settings=settings)
    write_patient_report(_leaky_patient(), out["ident_pdf"], deidentified=False,
                         settings=settings)
    return out


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)


def _redcap_text(folder: Path) -> str:
    return (folder / "records.csv").read_text(encoding="utf-8")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("secret", SECRETS)
def test_no_identifying_text_in_any_deidentified_output(outputs: dict[str, Path],
                                                        secret: str) -> None:
    assert secret not in _workbook_text(outputs["deid_xlsx"])
    assert secret not in _redcap_text(outputs["deid_redcap"])
    assert secret not in _pdf_text(outputs["deid_pdf"])


def test_identified_outputs_keep_the_text(outputs: dict[str, Path]) -> None:
    for text in (LEAK_TERM, LEAK_DRUG, ASSESSOR, DATE_LABEL):
        assert text in _workbook_text(outputs["ident_xlsx"])
        assert text in _redcap_text(outputs["ident_redcap"])


def test_workbook_and_redcap_agree_on_assessor(outputs: dict[str, Path]) -> None:
    """The two outputs disagreed: REDCap dropped the assessor, the workbook kept it."""
    visits = _sheet(outputs["deid_xlsx"], "Visits")
    assert "assessor" not in visits[0]
    assert "assessor" not in _csv(outputs["deid_redcap"] / "records.csv")[0]
    assert "assessor" in _sheet(outputs["ident_xlsx"], "Visits")[0]


def test_terms_and_drugs_are_coded_from_the_registry_lists(outputs: dict[str, Path]) -> None:
    aes = _sheet(outputs["deid_xlsx"], "Adverse events")
    codes = {(r["term"], r["related_drug"]) for r in aes}
    assert codes == {("herpes_zoster", "tofacitinib"), ("other", "other"),
                     ("cushingoid", "prednisolone")}
    meds = {r["drug"] for r in _sheet(outputs["deid_xlsx"], "Medications")}
    assert meds <= {*(d.code for d in registry.DRUGS), "other"} and "other" in meds
    rows = _csv(outputs["deid_redcap"] / "records.csv")
    assert {r["term"] for r in rows if r["term"]} == {"herpes_zoster", "other", "cushingoid"}
    # the REDCap dictionary offers the list as a drop-down of codes
    dictionary = {r["Variable / Field Name"]: r for r in
                  _csv(outputs["deid_redcap"] / "data_dictionary.csv")}
    assert dictionary["term"]["Field Type"] == "dropdown"
    assert "herpes_zoster, Herpes zoster" in dictionary["term"]["Choices, Calculations, OR "
                                                                "Slider Labels"]
    pdf = _pdf_text(outputs["deid_pdf"])
    assert "Herpes zoster" in pdf and "Other event (not in this list)" in pdf
    # an identified project marks the typed text as identifying, so REDCap's own
    # de-identified exports drop it too
    ident = {r["Variable / Field Name"]: r for r in
             _csv(outputs["ident_redcap"] / "data_dictionary.csv")}
    assert {ident[n]["Identifier?"] for n in ("term", "drug", "related_drug")} == {"y"}
    assert dictionary["term"]["Identifier?"] == ""


def test_date_like_visit_label_becomes_a_day_number(outputs: dict[str, Path]) -> None:
    labels = [r["visit_label"] for r in _sheet(outputs["deid_xlsx"], "Visits")]
    p = _leaky_patient()
    day = (p.visits[2].visit_date - p.visits[0].visit_date).days
    # the factory's month-1 visit is no protocol visit: unscheduled (issue 14)
    assert labels == ["M0", "unscheduled", f"day {day}", "M6"]
    rows = _csv(outputs["deid_redcap"] / "records.csv")
    assert f"day {day}" in {r["visit_label"] for r in rows}


def test_ages_are_still_in_the_deidentified_workbook(outputs: dict[str, Path]) -> None:
    row = _sheet(outputs["deid_xlsx"], "Patients")[0]
    assert row["age_at_baseline_years"] == pytest.approx(8.7, abs=0.1)
    assert "birth_date" not in row


def test_data_dictionary_says_what_was_left_out(outputs: dict[str, Path]) -> None:
    rows = {r["field"]: r for r in _sheet(outputs["deid_xlsx"], "Data dictionary")}
    assert rows["assessor"]["sheet"] == "(identified workbooks only)"
    assert rows["term"]["type"] == "choice" and "herpes_zoster" in str(rows["term"]["allowed"])


def test_every_field_has_a_policy_and_free_text_is_never_kept() -> None:
    from forms.fields import Deid

    for f in (*registry.FIELDS, registry.VISIT_NOTES):
        policy = f.deid_policy
        if f.identifier:
            assert policy is Deid.DROP, f.name
        if f.type.value == "text" and policy is Deid.KEEP:
            assert f.pattern, f"{f.name}: kept text must have a pattern"
        if policy is Deid.CODE:
            assert f.vocabulary in registry.VOCABULARIES


def test_deidentify_leaves_nothing_the_policy_forbids() -> None:
    from exports import deid

    p = _leaky_patient()
    p.visits[0].notes = "Mother Jane Li called"
    p.medications[0].notes = "see Dr Roe"
    copy = deid.deidentify(p)
    assert copy.identifiers == {"birth_date": p.birth_date}  # for ages; never written
    assert all(v.notes == "" and "assessor" not in v.values for v in copy.visits)
    assert all(m.notes == "" for m in copy.medications)
    text = repr(dataclasses.asdict(copy))
    for secret in (*SECRETS, "Jane"):
        assert secret not in text
    # the original is untouched
    assert p.visits[0].notes == "Mother Jane Li called"


@pytest.mark.parametrize(("typed", "code"), [
    ("herpes zoster", "herpes_zoster"), ("Shingles.", "herpes_zoster"),
    ("  CUSHINGOID  features", "cushingoid"), ("transaminase rise", "transaminase_rise"),
    ("raised ALT", "transaminase_rise"), ("calcinosis ulcer", "calcinosis_ulcer"),
    (LEAK_TERM, "other"), ("zoster (Mei)", "other"), ("", None)])
def test_adverse_event_terms_match_whole_names_only(typed: str, code: str | None) -> None:
    from exports import deid

    assert deid.code(registry.get("term", Level.ADVERSE_EVENT), typed) == code


def test_unrepresentable_shifted_date_is_blank_not_a_crash() -> None:
    """9999-12-31 saved before dates were bounded: REDCap's epoch + offset would overflow."""
    from exports import deid

    assert deid.shifted_date(dt.date(9999, 12, 31), dt.date(1990, 1, 1)) is None
    assert deid.shifted_date(dt.date(2021, 1, 31), dt.date(2021, 1, 1)) == dt.date(2000, 1, 31)


def test_redcap_deidentified_survives_a_far_future_date(tmp_path: Path) -> None:
    p = make_patient("P02", 3, seed=2, start=dt.date(1995, 3, 1))
    p.medications.append(Medication("methotrexate", dt.date(1995, 3, 1),
                                    stop_date=dt.date(9999, 12, 31)))
    summary = write_redcap_project([p], tmp_path, identified=False, settings=ScoringSettings())
    assert summary.medications == len(p.medications)


@pytest.mark.slow
def test_identified_workbook_never_silently_cuts_a_long_note(tmp_path: Path) -> None:
    """A 40,000-character note (saved before the 10,000 limit) no longer fits a cell: the
    cell says it was cut and where the full text is, in openpyxl and in LibreOffice."""
    import shutil
    import subprocess

    p = make_patient("P03", 2, seed=4)
    p.visits[0].notes = ("Seen with mother. " * 2300)[:40_000]
    out = tmp_path / "ident.xlsx"
    write_workbook([p], out, identified=True, settings=ScoringSettings())
    note = next(r["visit_notes"] for r in _sheet(out, "Visits") if r["visit_notes"])
    assert isinstance(note, str) and len(note) <= 32_767
    assert note.endswith("the full text is in the JSON case file export]")
    assert "40,000 characters" in note
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    conv = tmp_path / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(conv), str(out)],
                   check=True, capture_output=True, timeout=180)
    again = next(r["visit_notes"] for r in _sheet(conv / "ident.xlsx", "Visits")
                 if r["visit_notes"])
    assert again == note  # LibreOffice kept the whole (marked) cell


def test_redcap_export_notes_a_study_id_that_looks_like_the_mrn(tmp_path: Path) -> None:
    p = make_patient("H100005", 2, seed=5)  # the factory's MRN is H100005
    summary = write_redcap_project([p], tmp_path, identified=False, settings=ScoringSettings())
    assert any("H100005" in n and "medical record number" in n for n in summary.notes)
