"""The Myositis Damage Index in every output (issue 11, "prove it"): the patient PDF, the
workbook's Visits sheet and data dictionary, and the REDCap dictionary and records show the new
instrument from its module alone (exports/ have no MDI-specific code).
"""

from __future__ import annotations

import csv
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest

from exports import excel, redcap
from exports.pdf import write_patient_report
from forms import registry
from forms.i18n import in_language
from forms.instruments import mdi
from forms.model import Patient
from forms.settings import ScoringSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_factory import make_patient  # noqa: E402

MDI_ENTERED = [f.name for f in registry.fields_for(form="mdi", derived=False)]
MDI_DERIVED = ["mdi_extent", "mdi_severity"]


def _with_damage(patient: Patient) -> Patient:
    """Damage recorded at the last two visits: 3 items present (1 "na"), severity 4.5."""
    for visit in patient.visits[-2:]:
        visit.values.update(dict.fromkeys(mdi.ITEM_NAMES, 0))
        visit.values.update({"mdi_contractures": 1, "mdi_calcinosis": 1, "mdi_scarring": 1,
                             "mdi_menstrual": "na"})
        visit.values.update(dict.fromkeys(mdi.SEVERITY_NAMES, Decimal(0)))
        visit.values.update({"mdi_sev_skeletal": Decimal("2.5"),
                             "mdi_sev_cutaneous": Decimal(2),
                             "mdi_phys_global_damage": Decimal("3.5")})
    return patient


@pytest.fixture(scope="module")
def patient() -> Patient:
    return _with_damage(make_patient("P01", 4))


def test_patient_pdf_prints_the_damage_rows(tmp_path: Path, patient: Patient) -> None:
    out = tmp_path / "p.pdf"
    with in_language("en"):
        write_patient_report(patient, out, deidentified=True, settings=ScoringSettings())
        reader = pypdf.PdfReader(out)
        flat = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
        extent_label = f"{registry.get('mdi_extent').label} (0-38)"
        severity_label = f"{registry.get('mdi_severity').label} (0-110)"
    assert "Damage" in flat
    # two visits without the MDI (dashes), two with extent 3 and severity 4.5
    assert extent_label in flat and severity_label in flat, flat[:2000]
    after = flat[flat.index(extent_label) + len(extent_label):]
    assert after.split()[:4] == ["–", "–", "3", "3"], after[:80]
    after = flat[flat.index(severity_label) + len(severity_label):]
    assert after.split()[:4] == ["–", "–", "4.5", "4.5"], after[:80]
    assert "Physician global assessment of damage (0-10)" in flat


def test_workbook_visits_sheet_and_dictionary_have_the_mdi(tmp_path: Path,
                                                           patient: Patient) -> None:
    out = tmp_path / "w.xlsx"
    excel.write_workbook([patient], out, identified=False, settings=ScoringSettings())
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["Visits"].iter_rows(values_only=True))
    header = list(rows[0])
    for name in (*MDI_ENTERED, *MDI_DERIVED):
        assert name in header, name
    def as_dict(row: tuple) -> dict:  # a saved row ends at its last filled cell
        return dict(zip(header, [*row, *[None] * (len(header) - len(row))], strict=True))

    last, first = as_dict(rows[-1]), as_dict(rows[1])
    assert last["mdi_extent"] == 3 and float(last["mdi_severity"]) == 4.5
    assert last["mdi_contractures"] == 1 and last["mdi_menstrual"] is None
    # "na" goes to the Missing sheet, as for the CHAQ (a number column stays numeric)
    missing = list(wb["Missing"].iter_rows(values_only=True))
    assert sum(1 for r in missing if r[3] == "mdi_menstrual" and r[4] == "na") == 2
    assert first["mdi_extent"] in (None, "")
    dictionary = {r[0]: r for r in wb["Data dictionary"].iter_rows(min_row=2, values_only=True)}
    for name in (*MDI_ENTERED, *MDI_DERIVED):
        assert dictionary[name][3] == "mdi", name  # the form column
        assert dictionary[name][2], name  # a Chinese label
    assert dictionary["mdi_extent"][8] == "yes"  # derived
    assert dictionary["mdi_sev_muscle"][10] == "Visits"
    # an item whose wording was not checked against the printed form says so (tests/forms)
    description = excel.DICTIONARY_HEADER.index("description")
    for item in mdi.ITEMS:
        said = "IMACS Form 08" in (dictionary[item.name][description] or "")
        assert said is not item.verified, item.name


def test_redcap_dictionary_and_records_have_the_mdi(tmp_path: Path, patient: Patient) -> None:
    summary = redcap.write_redcap_project([patient], tmp_path / "rc", identified=False,
                                          settings=ScoringSettings())
    with summary.files["dictionary"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    mdi_rows = [r for r in rows if r["Form Name"] == "mdi"]
    assert [r["Variable / Field Name"] for r in mdi_rows] == [*MDI_ENTERED, *MDI_DERIVED]
    first = mdi_rows[0]
    assert first["Section Header"] == "Muscle"
    assert first["Field Label"] == registry.get("mdi_muscle_atrophy").label
    with summary.files["records"].open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    assert "mdi_complete" in records[0]
    filled = [r for r in records if r.get("mdi_extent")]
    assert [r["mdi_extent"] for r in filled] == ["3", "3"]
