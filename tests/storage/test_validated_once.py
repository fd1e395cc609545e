"""A case-file import validates each visit once (issue 16), and the repository still refuses
what its caller did not validate, or changed after validating."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import sample_patient

from forms import validation
from storage.casefile import (
    CaseFileRejected,
    export_case_file,
    import_case_file,
    parse_case_text,
)
from storage.errors import ValidationFailed
from storage.repository import CheckedVisit, Repository


@pytest.fixture
def case_text(tmp_path: Path) -> str:
    """A case file of two patients (four visits) exported from a database."""
    with Repository(tmp_path / "source.sqlite") as src:
        src.add_patient(sample_patient("P01"), "test")
        src.add_patient(sample_patient("P02"), "test")
        export_case_file(src, tmp_path / "cases.json")
    return (tmp_path / "cases.json").read_text()


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = validation.check_visit

    def counting(*args: object, **kwargs: object) -> validation.VisitCheck:
        calls[0] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "check_visit", counting)
    return calls


def test_import_checks_each_visit_once(repo: Repository, tmp_path: Path, case_text: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "in.json"
    path.write_text(case_text)
    calls = _count_checks(monkeypatch)
    _case, summary = import_case_file(repo, path, "test")
    assert summary.visits == 4
    assert calls[0] == 4  # the parser's check; the repository trusted it (was 8)
    saved = repo.get_patient("P01").visits
    assert saved[0].values["cmas_leg_raise"] == 1 and saved[0].missing == {"esr": "not_done"}


def test_a_visit_changed_after_parsing_is_checked_again(repo: Repository, case_text: str
                                                        ) -> None:
    case = parse_case_text(case_text)
    case.patients[0].visits[1].values["cmas_leg_raise"] = 3  # not valid: 0-2
    with pytest.raises(ValidationFailed, match="cmas_leg_raise"):
        repo.import_patients(case.patients, "test", checked=case.checked)
    assert repo.patient_count() == 0  # nothing of the file was written


@pytest.mark.parametrize("change", ["value object", "missing reason", "date", "added value",
                                    "renamed value"])
def test_any_change_voids_the_proof(case_text: str, change: str) -> None:
    case = parse_case_text(case_text)
    visit = case.patients[0].visits[0]
    proof = case.checked[id(visit)]
    birth = dt.date(2010, 4, 12)
    assert proof.holds_for(visit, birth, None)
    if change == "value object":  # equal, but not the object that was checked
        visit.values["phys_global"] = Decimal("6.50")
    elif change == "missing reason":
        visit.missing["esr"] = "unknown"
    elif change == "date":
        visit.visit_date = dt.date(2021, 1, 5)
    elif change == "renamed value":  # as many values, the same objects, one under a new name
        visit.values["ck_uln"] = visit.values.pop("phys_global")
    else:
        visit.values["ck_uln"] = Decimal(250)
    assert not proof.holds_for(visit, birth, None)


def test_a_proof_holds_only_for_its_own_visit_birth_date_and_day(case_text: str) -> None:
    case = parse_case_text(case_text)
    visit = case.patients[0].visits[0]
    proof = case.checked[id(visit)]
    birth = dt.date(2010, 4, 12)
    assert not proof.holds_for(copy.deepcopy(visit), birth, None)  # an equal copy
    assert not proof.holds_for(visit, dt.date(2011, 1, 1), None)  # another birth date
    assert not proof.holds_for(visit, birth, dt.date(2030, 1, 1))  # another "today"


def test_a_proof_under_the_wrong_key_is_not_trusted(repo: Repository, case_text: str) -> None:
    case = parse_case_text(case_text)
    good, bad = case.patients[0].visits
    bad.values["cmas_leg_raise"] = 3
    # a caller's mix-up: the good visit's proof filed under the bad visit's id
    forged = {id(bad): case.checked[id(good)]}
    with pytest.raises(ValidationFailed, match="cmas_leg_raise"):
        repo.import_patients(case.patients, "test", checked=forged)
    assert repo.patient_count() == 0


def test_a_proof_of_a_refused_check_is_never_trusted(case_text: str) -> None:
    case = parse_case_text(case_text)
    visit = case.patients[0].visits[0]
    refused = validation.check_visit({"cmas_leg_raise": 3}, visit_date=visit.visit_date)
    assert refused.errors
    proof = CheckedVisit(visit, refused, birth_date=None, today=None)
    assert not proof.holds_for(visit, None, None)


def test_import_without_proofs_still_validates(repo: Repository, case_text: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Callers other than the case-file parser (the spreadsheet import) pass no proofs."""
    case = parse_case_text(case_text)
    calls = _count_checks(monkeypatch)
    repo.import_patients(case.patients, "test")
    assert calls[0] == 4


def test_the_parser_still_refuses_a_bad_file(tmp_path: Path, case_text: str,
                                             repo: Repository) -> None:
    doc = json.loads(case_text)
    doc["patients"][1]["visits"][0]["values"]["cmas_leg_raise"] = 3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CaseFileRejected, match="patient P02, visit .*cmas_leg_raise = 3"):
        import_case_file(repo, path, "test")
    assert repo.patient_count() == 0


def test_remembered_audit_texts_equal_the_conversion() -> None:
    """The import's cache of audit texts gives what converting each stored value gives, and
    keeps 1, 1.0 and True apart (equal as dict keys, different texts per field type)."""
    from forms import registry
    from storage import schema
    from storage.repository import _sql_audit_text

    int_field, dec_field = registry.get("cmas_leg_raise"), registry.get("phys_global")
    bool_field = registry.get("chaq_aid_walking")
    cases = [(int_field, 1), (dec_field, 1.0), (dec_field, 6.5), (dec_field, 1),
             (bool_field, 1), (bool_field, 0), (registry.get("chaq_dress"), "na"),
             (registry.get("skin_malar"), "yes")]
    for _round in range(2):  # computed, then remembered
        for f, value in cases:
            assert _sql_audit_text(f, value) == schema.audit_text(schema.from_sql(f, value))
    assert _sql_audit_text(bool_field, 1) == "true"
    assert _sql_audit_text(int_field, 1) == "1"
