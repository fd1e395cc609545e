"""Workbooks really opened and saved by LibreOffice Calc import as they were exported.

The fixtures in ``tests/fixtures/libreoffice/`` were made by
``tests/fixtures/make_libreoffice_fixtures.py`` with ``soffice --headless --convert-to xlsx``
(LibreOffice 7.4.7). Calc saves every TRUE/FALSE cell as a formula ``TRUE()``/``FALSE()``
with a cached value; before the fix each of them was refused as a formula (16 errors in
``export-lo.xlsx``, 5 in the re-saved template).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from exports.xlsx_import import import_workbook, read_workbook
from forms.model import Patient
from storage.repository import Repository

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "libreoffice"
ACTOR = "test"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    r = Repository(tmp_path / "clinic.jdm")
    yield r
    r.close()


def _comparable(patients: list[Patient]) -> dict[str, tuple[object, ...]]:
    out = {}
    for p in patients:
        out[p.study_id] = (p.sex, p.diagnosis_date, p.autoantibody, p.identifiers,
                           sorted(((v.visit_date, v.visit_label, v.baseline, v.values,
                                    v.missing, v.notes) for v in p.visits),
                                  key=lambda t: t[0]),
                           sorted(vars(m).items() for m in p.medications),
                           sorted(vars(a).items() for a in p.adverse_events))
    return out


def test_fixtures_really_were_saved_by_libreoffice() -> None:
    """Not hand-made imitations: Calc's own marks are in the files."""
    for name in ("export-lo.xlsx", "export-formula-lo.xlsx", "template-filled-lo.xlsx"):
        with zipfile.ZipFile(FIXTURES / name) as z:
            app = z.read("docProps/app.xml").decode()
            sheets = "".join(z.read(n).decode() for n in z.namelist()
                             if n.startswith("xl/worksheets/sheet"))
        assert "LibreOffice" in app, name
        assert '<f aca="false">TRUE()</f>' in sheets, name


def test_export_resaved_by_libreoffice_imports_value_for_value() -> None:
    original = read_workbook(FIXTURES / "export.xlsx")
    resaved = read_workbook(FIXTURES / "export-lo.xlsx")
    assert original.ok and resaved.ok, [str(p) for p in resaved.errors]
    assert _comparable(resaved.patients) == _comparable(original.patients)
    first = next(p for p in resaved.patients if p.study_id == "LO-01").visits
    baseline = min(first, key=lambda v: v.visit_date)
    assert baseline.baseline is True
    assert baseline.values["chaq_aid_dressing"] is True
    assert baseline.values["chaq_help_arising"] is False
    assert baseline.values["chaq_dress"] == "na"
    assert baseline.notes.startswith("=SUM(A1)")
    other = next(p for p in resaved.patients if p.study_id == "LO-02")
    assert other.identifiers["mrn"] == "-0012345"
    # sheet Settings survives Calc too (numbers stay numbers)
    assert resaved.settings == original.settings
    assert resaved.settings is not None and resaved.settings.thresholds == "adult"


def test_export_resaved_by_libreoffice_imports_into_a_database(repo: Repository) -> None:
    summary = import_workbook(FIXTURES / "export-lo.xlsx", repo, ACTOR, settings="file")
    assert summary.imported, summary.errors
    assert (summary.patients, summary.visits) == (2, 5)
    assert repo.scoring_settings().tis_muscle_measure == "cmas"


def test_other_formulas_saved_by_libreoffice_are_still_refused(repo: Repository) -> None:
    summary = import_workbook(FIXTURES / "export-formula-lo.xlsx", repo, ACTOR, settings="keep")
    assert not summary.imported
    assert summary.errors == ["export-formula-lo.xlsx: sheet Visits, row 2, column ck: =100*2 "
                              "is a formula; type the value itself"]
    assert repo.patient_count() == 0


def test_template_filled_and_resaved_by_libreoffice_imports(repo: Repository) -> None:
    summary = import_workbook(FIXTURES / "template-filled-lo.xlsx", repo, ACTOR)
    assert summary.imported, summary.errors
    assert (summary.patients, summary.visits, summary.medications,
            summary.adverse_events) == (1, 2, 1, 1)
    patient = repo.get_patient("T-01")
    assert patient.autoantibody == "Mi-2"
    m0, m3 = sorted(patient.visits, key=lambda v: v.visit_date)
    assert m0.baseline and not m3.baseline
    assert m0.values["chaq_dress"] == "na" and m0.values["chaq_aid_dressing"] is True
    assert m3.values["chaq_aid_dressing"] is False
    assert m3.missing == {"chq_phs": "not_done"}
    plain = read_workbook(FIXTURES / "template-filled.xlsx")
    assert _comparable(plain.patients) == _comparable(read_workbook(
        FIXTURES / "template-filled-lo.xlsx").patients)
