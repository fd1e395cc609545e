"""JSON case files: every kind of bad file is refused whole with the right message; round trip."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from storage_samples import full_cmas, sample_patient

from storage.casefile import (
    CaseFileRejected,
    export_case_file,
    import_case_file,
    parse_case_text,
    patient_to_json,
)
from storage.demo import add_demo_cohort
from storage.repository import Repository

ENCRYPTED_TOO = True  # tests/storage/conftest.py: each test on a plain and an encrypted file
#: these check audit actors passed by name or exact audit row counts (an encrypted file
#: records the signed-in account, and its set-up wrote audit rows of its own)
PLAIN_ONLY = {"test_bad_file_is_refused_whole", "test_good_file_imports_and_reimport_replaces"}


def _good() -> dict[str, Any]:
    return {
        "format": "jdm-capture-cases", "version": 1,
        "patients": [{
            "study_id": "P07", "sex": "female", "autoantibody": "NXP2",
            "identifiers": {"given_name": "Mei", "birth_date": "2010-04-12"},
            "visits": [
                {"visit_date": "2021-01-04", "visit_label": "M0", "baseline": True,
                 "values": {**full_cmas(1), "phys_global": 6.5, "ck": 1250, "ck_uln": 200,
                            "chaq_dress": "na"}},
                {"visit_date": "2021-03-04", "visit_label": "M3",
                 "values": {"cmas_leg_raise": 2, "phys_global": 3.5},
                 "missing": {"ck": "not_done"}}],
            "medications": [{"drug": "tofacitinib", "dose": 5, "dose_unit": "mg",
                             "frequency_per_day": 2, "route": "oral",
                             "start_date": "2021-01-04", "stop_date": None, "notes": ""}],
            "adverse_events": [{"onset_date": "2021-02-01", "term": "herpes zoster",
                                "grade": 2, "serious": False}]}]}


def _with(change: Any) -> str:
    doc = _good()
    change(doc)
    return json.dumps(doc)


def _visit(doc: dict[str, Any], i: int = 1) -> dict[str, Any]:
    return doc["patients"][0]["visits"][i]


P = "cases.json: patient P07"
V = f"{P}, visit 2021-03-04 (M3)"

# (case id, file text, an expected line); each file must be refused whole.
BAD_FILES: list[tuple[str, str, str]] = [
    ("empty", "", "cases.json: is empty"),
    ("not json", "{format: 1}", "cases.json: is not valid JSON: Expecting property name"),
    ("truncated", json.dumps(_good())[:-20], "cases.json: is not valid JSON"),
    ("top list", "[]", "cases.json: is not a case file: the top level is a list"),
    ("wrong format", _with(lambda d: d.update(format="other")),
     'cases.json: "format" is "other", not "jdm-capture-cases"'),
    ("no format", _with(lambda d: d.pop("format")), 'cases.json: "format" is null'),
    ("future version", _with(lambda d: d.update(version=2)),
     "cases.json: is case-file version 2, written by a newer JDM Capture"),
    ("version bool", _with(lambda d: d.update(version=True)),
     'cases.json: "version" must be the whole number 1, not true'),
    ("version text", _with(lambda d: d.update(version="1")),
     'cases.json: "version" must be the whole number 1, not "1"'),
    ("patients object", _with(lambda d: d.update(patients={})),
     'cases.json: "patients" must be a list of patients, not an object'),
    ("patient not object", _with(lambda d: d["patients"].append(3)),
     "cases.json: patients[1]: must be an object, not a number"),
    ("out of range", _with(lambda d: _visit(d)["values"].update(cmas_leg_raise=3)),
     f"{V}: cmas_leg_raise = 3 is out of range 0-2"),
    ("unknown field", _with(lambda d: _visit(d)["values"].update(cmas_leg_rise=1)),
     f"{V}: cmas_leg_rise = 1 is not a known field name"),
    ("derived field", _with(lambda d: _visit(d)["values"].update(cmas_total=40)),
     f"{V}: cmas_total = 40 is computed by JDM Capture and cannot be entered"),
    ("NaN", json.dumps(_good()).replace('"phys_global": 3.5', '"phys_global": NaN'),
     f"{V}: phys_global = nan is not a number"),
    ("Infinity", json.dumps(_good()).replace('"phys_global": 3.5', '"phys_global": Infinity'),
     f"{V}: phys_global = inf is not a number"),
    ("bool for number", _with(lambda d: _visit(d)["values"].update(phys_global=True)),
     f"{V}: phys_global = true is true/false, not a number"),
    ("text for number", _with(lambda d: _visit(d)["values"].update(cmas_leg_raise="2")),
     f'{V}: cmas_leg_raise = "2" is not a number'),
    ("fraction for integer", _with(lambda d: _visit(d)["values"].update(cmas_leg_raise=1.5)),
     f"{V}: cmas_leg_raise = 1.5 is not a whole number"),
    ("too many decimals", _with(lambda d: _visit(d)["values"].update(phys_global=3.25)),
     f"{V}: phys_global = 3.25 has too many decimals"),
    ("bad choice", _with(lambda d: _visit(d)["values"].update(skin_heliotrope="maybe")),
     f'{V}: skin_heliotrope = "maybe" is not one of yes/no'),
    ("bad date", _with(lambda d: _visit(d).update(visit_date="2021-02-30")),
     'cases.json: patient P07, visit 2021-02-30 (M3): visit_date = "2021-02-30" is not a '
     "real calendar date"),
    ("future visit", _with(lambda d: _visit(d).update(visit_date="2999-01-01")),
     "visit_date = \"2999-01-01\" is in the future"),
    ("visit before birth", _with(lambda d: _visit(d).update(visit_date="2001-01-01")),
     "is before the date of birth 2010-04-12"),
    ("values not object", _with(lambda d: _visit(d).update(values=[1, 2])),
     f'{V}: "values" must be an object of field names and values, not a list'),
    ("unknown visit key", _with(lambda d: _visit(d).update(valeus={})),
     f'{V}: "valeus" is not a known key here'),
    ("value and missing", _with(lambda d: _visit(d)["missing"].update(phys_global="unknown")),
     f"{V}: phys_global = 3.5 has a value and is also marked missing"),
    ("bad missing reason", _with(lambda d: _visit(d)["missing"].update(ck="lost")),
     f'{V}: ck = "lost" is not a missing-value reason'),
    ("duplicate visit date", _with(lambda d: _visit(d).update(visit_date="2021-01-04")),
     "the same visit_date appears twice for this patient"),
    ("two baselines", _with(lambda d: _visit(d).update(baseline=True)),
     f"{P}: 2 visits are marked baseline"),
    ("baseline not bool", _with(lambda d: _visit(d).update(baseline="yes")),
     f'{V}: baseline = "yes" must be true or false'),
    ("missing visit date", _with(lambda d: _visit(d).pop("visit_date")),
     "cases.json: patient P07, visits[1]: visit_date = (empty) is required"),
    ("bad study id", _with(lambda d: d["patients"][0].update(study_id="P 07")),
     'cases.json: patient P 07: study_id = "P 07" is not valid'),
    ("duplicate patient", _with(lambda d: d["patients"].append(copy.deepcopy(d["patients"][0]))),
     f"{P}: appears twice in this file"),
    ("bad sex", _with(lambda d: d["patients"][0].update(sex="f")),
     f'{P}: sex = "f" is not one of female/male'),
    ("unknown identifier", _with(lambda d: d["patients"][0]["identifiers"].update(nhs="1")),
     f'{P}, identifiers: "nhs" is not a known key here'),
    ("medication bad dose", _with(lambda d: d["patients"][0]["medications"][0].update(
        dose="5 mg")), f'{P}, medication 1 (tofacitinib): dose = "5 mg" is not a number'),
    ("medication no drug", _with(lambda d: d["patients"][0]["medications"][0].pop("drug")),
     f"{P}, medication 1: drug = (empty) is required"),
    ("event grade", _with(lambda d: d["patients"][0]["adverse_events"][0].update(grade=6)),
     f"{P}, adverse event 1 (herpes zoster): grade = 6 is out of range 1-5"),
    ("duplicate key", '{"format": "jdm-capture-cases", "format": "x", "version": 1}',
     'cases.json: the key "format" appears twice in one object'),
    ("not utf8", "\udcff", "cases.json: is not UTF-8 text"),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_whole(repo: Repository, tmp_path: Path, case: str, text: str,
                                   expected: str) -> None:
    path = tmp_path / "cases.json"
    if text == "\udcff":
        path.write_bytes(b'{"format": "\xff"}')
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileRejected) as info:
        import_case_file(repo, path, "importer", today=dt.date(2026, 1, 1))
    assert any(expected in line for line in info.value.problems), info.value.problems
    assert all(line.startswith("cases.json: ") for line in info.value.problems)
    assert repo.patient_count() == 0
    assert repo.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def test_all_problems_in_a_file_are_reported() -> None:
    def spoil(d: dict[str, Any]) -> None:
        _visit(d)["values"].update(cmas_leg_raise=3, phys_global=11)
        _visit(d, 0)["values"].update(mmt_neck_flexors=12)
        d["patients"][0]["sex"] = "x"
    with pytest.raises(CaseFileRejected) as info:
        parse_case_text(_with(spoil), today=dt.date(2026, 1, 1))
    assert len(info.value.problems) == 4


def test_good_file_imports_and_reimport_replaces(repo: Repository, tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(_good()))
    case, summary = import_case_file(repo, path, "importer")
    assert (summary.patients_added, summary.visits_added, summary.medications) == (1, 2, 1)
    patient = repo.get_patient("P07")
    assert patient.visits[0].values["phys_global"] == Decimal("6.5")
    assert patient.visits[1].missing == {"ck": "not_done"}
    audit_before = repo.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    # the same file again: nothing changes, nothing is duplicated or audited
    _case, again = import_case_file(repo, path, "importer")
    assert again.visits_replaced == 2 and again.patients_added == 0
    assert repo.db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_before
    assert len(repo.get_patient("P07").medications) == 1
    # a changed value on the same visit date replaces it, audited old -> new
    doc = _good()
    _visit(doc)["values"]["cmas_leg_raise"] = 1
    path.write_text(json.dumps(doc))
    import_case_file(repo, path, "second importer")
    m3 = repo.get_patient("P07").visits[1]
    assert m3.values["cmas_leg_raise"] == 1
    assert ("second importer", "cmas_leg_raise", "2", "1") in {
        (e.actor, e.field, e.old, e.new) for e in repo.visit_history(m3.id or 0)}


def test_existing_patient_birth_date_is_used(repo: Repository, tmp_path: Path) -> None:
    repo.add_patient(sample_patient("P07"), "dr.a")  # born 2010-04-12
    doc = {"format": "jdm-capture-cases", "version": 1, "patients": [
        {"study_id": "P07", "visits": [{"visit_date": "2005-01-01", "values": {}}]}]}
    path = tmp_path / "late.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CaseFileRejected, match="before the date of birth 2010-04-12"):
        import_case_file(repo, path, "importer")


def test_derived_key_is_ignored(tmp_path: Path) -> None:
    doc = _good()
    _visit(doc)["derived"] = {"cmas_total": 99}
    doc["patients"][0]["derived"] = {"anything": 1}
    case = parse_case_text(json.dumps(doc))
    assert "cmas_total" not in case.patients[0].visits[1].values


def test_export_then_import_reproduces_everything(tmp_path: Path) -> None:
    with Repository(tmp_path / "a.sqlite") as source:
        add_demo_cohort(source)
        source.add_patient(sample_patient("P01"), "dr.a")
        out = tmp_path / "all.json"
        assert export_case_file(source, out) == 14
        originals = list(source.iter_patients())
        derived_before = {(p.study_id, v.visit_date): {
            k: d.value for k, d in source.get_derived(v.id or 0).items()}
            for p in originals for v in p.visits}
    doc = json.loads(out.read_text())
    first_visit = doc["patients"][0]["visits"][0]
    assert "derived" in first_visit and "cmas_total" in first_visit["derived"]
    with Repository(tmp_path / "b.sqlite") as target:
        _case, summary = import_case_file(target, out, "importer")
        assert summary.patients_added == 14
        copies = list(target.iter_patients())
        for a, b in zip(originals, copies, strict=True):
            assert patient_to_json(a) == patient_to_json(b)
            assert a.identifiers == b.identifiers
            for va, vb in zip(a.visits, b.visits, strict=True):
                assert (va.values, va.missing, va.baseline, va.notes, va.visit_label) == (
                    vb.values, vb.missing, vb.baseline, vb.notes, vb.visit_label)
            strip = lambda recs: [{**r.__dict__, "id": None} for r in recs]  # noqa: E731
            assert strip(a.medications) == strip(b.medications)
            assert strip(a.adverse_events) == strip(b.adverse_events)
            for vb in b.visits:
                assert {k: d.value for k, d in target.get_derived(vb.id or 0).items()} == \
                    derived_before[(b.study_id, vb.visit_date)]
