"""Repository verbs: each one's effect, its audit rows, and all-or-nothing validation."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import full_cmas, full_mmt, sample_patient

from forms import scoring
from forms.model import AdverseEvent, Medication, Patient, Visit
from forms.settings import ScoringSettings
from storage.errors import NotFound, ValidationFailed
from storage.repository import AppSettings, Repository

ENCRYPTED_TOO = True  # tests/storage/conftest.py: each test on a plain and an encrypted file
#: these check audit actors passed by name or exact audit row counts (an encrypted file
#: records the signed-in account, and its set-up wrote audit rows of its own)
PLAIN_ONLY = {"test_drafts_are_kept_apart", "test_insert_is_audited_field_by_field", "test_medication_verbs", "test_save_visit_replaces_values_atomically_and_audits_old_and_new"}


def _count(repo: Repository, table: str) -> int:
    return repo.db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def _snapshot(repo: Repository) -> dict[str, int]:
    tables = [t for t in repo.db.table_names() if not t.startswith("_")]
    return {t: _count(repo, t) for t in tables}


def test_add_and_get_patient_round_trip(repo: Repository) -> None:
    original = sample_patient()
    result = repo.add_patient(original, "dr.a")
    assert result.id == original.id
    got = repo.get_patient("P01")
    assert got.sex == "female" and got.autoantibody == "NXP2"
    assert got.identifiers == original.identifiers
    assert [v.visit_date for v in got.visits] == [dt.date(2021, 1, 4), dt.date(2021, 3, 4)]
    for saved, given in zip(got.visits, original.visits, strict=True):
        assert saved.values == given.values
        assert saved.missing == given.missing
        assert saved.baseline == given.baseline
        assert saved.notes == given.notes
    assert got.visits[0].values["chaq_dress"] == "na"
    assert isinstance(got.visits[0].values["phys_global"], Decimal)
    assert got.visits[0].values["chaq_aid_walking"] is True
    assert got.medications[0].dose == 5 and got.medications[0].frequency_per_day == 2
    assert got.adverse_events[0].serious is False
    assert got.adverse_events[0].resolution_date == dt.date(2021, 2, 20)


def test_get_unknown_patient(repo: Repository) -> None:
    with pytest.raises(NotFound):
        repo.get_patient("NOPE")


def test_duplicate_study_id_is_refused(repo: Repository) -> None:
    repo.add_patient(sample_patient(), "dr.a")
    before = _snapshot(repo)
    with pytest.raises(ValidationFailed, match="already used"):
        repo.add_patient(sample_patient(), "dr.a")
    assert _snapshot(repo) == before


def test_insert_is_audited_field_by_field(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    rows = repo.audit_history("patients", patient.id or 0)
    assert {(r.field, r.old, r.new) for r in rows} >= {("study_id", None, "P01"),
                                                       ("sex", None, "female"),
                                                       ("birth_date", None, "2010-04-12")}
    assert {r.actor for r in rows} == {"dr.a"} and {r.action for r in rows} == {"insert"}
    assert all(r.at.tzinfo is not None and r.at.utcoffset() == dt.timedelta(0) for r in rows)
    m0 = patient.visits[0]
    history = repo.visit_history(m0.id or 0)
    assert ("values_cmas", "cmas_leg_raise", None, "1") in {
        (r.table, r.field, r.old, r.new) for r in history}
    assert ("visit_missing", "esr", None, "not_done") in {
        (r.table, r.field, r.old, r.new) for r in history}


def test_save_visit_replaces_values_atomically_and_audits_old_and_new(
        repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    visit = repo.get_patient("P01").visits[1]
    visit.values["cmas_leg_raise"] = 1
    del visit.values["parent_global"]
    visit.missing["parent_global"] = "not_done"
    result = repo.save_visit("P01", visit, "nurse.b")
    assert result.changed == 3
    saved = repo.get_patient("P01").visits[1]
    assert saved.values == visit.values and saved.missing == {"parent_global": "not_done"}
    changes = {(r.actor, r.table, r.field, r.old, r.new) for r in repo.visit_history(visit.id)}
    assert ("nurse.b", "values_cmas", "cmas_leg_raise", "2", "1") in changes
    assert ("nurse.b", "values_global", "parent_global", "2", None) in changes
    assert ("nurse.b", "visit_missing", "parent_global", None, "not_done") in changes


def test_saving_identical_visit_adds_no_audit(repo: Repository) -> None:
    repo.add_patient(sample_patient(), "dr.a")
    before = _count(repo, "audit")
    visit = repo.get_patient("P01").visits[0]
    assert repo.save_visit("P01", visit, "dr.a").changed == 0
    assert _count(repo, "audit") == before


def test_same_date_replaces_the_visit(repo: Repository) -> None:
    repo.add_patient(sample_patient(), "dr.a")
    new = Visit(dt.date(2021, 3, 4), "M3", values={"phys_global": Decimal("1.0")})
    repo.save_visit("P01", new, "dr.a")
    visits = repo.get_patient("P01").visits
    assert len(visits) == 2
    assert visits[1].values == {"phys_global": Decimal("1.0")}


def test_invalid_visit_writes_nothing(repo: Repository) -> None:
    repo.add_patient(sample_patient(), "dr.a")
    before = _snapshot(repo)
    bad = Visit(dt.date(2021, 6, 1), "M6", values={"cmas_leg_raise": 3, "phys_global": 2,
                                                   "not_a_field": 1, "cmas_total": 40})
    with pytest.raises(ValidationFailed) as info:
        repo.save_visit("P01", bad, "dr.a")
    messages = [p.code_message for p in info.value.problems]
    assert "cmas_leg_raise = 3 is out of range 0-2" in messages
    assert any(m.startswith("not_a_field") for m in messages)
    assert any(m.startswith("cmas_total") for m in messages)
    assert _snapshot(repo) == before
    assert bad.id is None


def test_visit_before_birth_is_refused(repo: Repository) -> None:
    repo.add_patient(sample_patient(), "dr.a")
    with pytest.raises(ValidationFailed, match="before the date of birth"):
        repo.save_visit("P01", Visit(dt.date(2009, 1, 1), "X"), "dr.a")


def test_derived_values_are_stored_with_rule_versions(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    m0, m3 = patient.visits
    d0 = repo.get_derived(m0.id or 0)
    assert d0["cmas_total"].value == sum(full_cmas(1).values())
    assert d0["cmas_total"].rule_version == scoring.RULE_VERSIONS["cmas_total"]
    assert d0["mmt8_total"].value == 6 * 8
    assert "tis" not in d0  # the baseline has no response
    d3 = repo.get_derived(m3.id or 0)
    assert d3["baseline_label"].value == "M0"
    assert d3["acr_eular_response"].value in {"none", "minimal", "moderate", "major",
                                              "indeterminate"}
    assert isinstance(d3["tis"].value, Decimal)
    summary = repo.list_patients()[0]
    assert summary.cmas_total == sum(full_cmas(3).values())
    assert summary.mmt8_total == 9 * 8
    assert summary.response == d3["acr_eular_response"].value
    assert summary.visit_count == 2 and summary.last_visit_label == "M3"


def test_changing_the_baseline_recomputes_responses(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    m0, m3 = repo.get_patient("P01").visits
    m6 = Visit(dt.date(2021, 6, 4), "M6", values={**full_cmas(3), **full_mmt(10),
                                                 "phys_global": Decimal("0.5")})
    repo.save_visit("P01", m6, "dr.a")
    assert repo.get_derived(m6.id or 0)["baseline_label"].value == "M0"
    m3.baseline = True
    repo.save_visit("P01", m3, "dr.a")
    visits = repo.get_patient("P01").visits
    assert [v.baseline for v in visits] == [False, True, False]
    assert repo.get_derived(m6.id or 0)["baseline_label"].value == "M3"
    assert "baseline_label" not in repo.get_derived(m3.id or 0)


def test_stale_rule_versions_are_recomputed(db_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with Repository(db_path) as repo:
        patient = sample_patient()
        repo.add_patient(patient, "dr.a")
        vid = patient.visits[0].id or 0
    monkeypatch.setitem(scoring.RULE_VERSIONS, "cmas_total", "cmas_total@99 (test)")
    with Repository(db_path) as repo:
        assert repo.get_derived(vid)["cmas_total"].rule_version == "cmas_total@99 (test)"
        assert repo.refresh_derived() == 0  # already up to date


def test_delete_visit_audits_every_value(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    m3 = patient.visits[1]
    repo.delete_visit(m3.id or 0, "dr.a")
    assert [v.visit_label for v in repo.get_patient("P01").visits] == ["M0"]
    deleted = {(r.table, r.field, r.old, r.new) for r in repo.visit_history(m3.id or 0)
               if r.action == "delete"}
    assert ("values_cmas", "cmas_leg_raise", "2", None) in deleted
    assert ("visits", "visit_date", "2021-03-04", None) in deleted
    assert repo.get_derived(m3.id or 0) == {}
    with pytest.raises(NotFound):
        repo.delete_visit(m3.id or 0, "dr.a")


def test_update_patient_and_rename(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    patient.study_id = "P01-B"
    patient.sex = "male"
    patient.identifiers.pop("mrn")
    assert repo.update_patient(patient, "dr.b").changed == 3
    got = repo.get_patient("P01-B")
    assert got.sex == "male" and "mrn" not in got.identifiers
    changes = {(r.field, r.old, r.new) for r in repo.audit_history("patients", got.id or 0)
               if r.action == "update"}
    assert changes == {("study_id", "P01", "P01-B"), ("sex", "female", "male"),
                       ("mrn", "H123456", None)}


def test_medication_verbs(repo: Repository) -> None:
    repo.add_patient(Patient("P02"), "dr.a")
    med = Medication("prednisolone", dt.date(2021, 1, 1), dose=Decimal(30), dose_unit="mg",
                     frequency_per_day=Decimal(1), route="oral")
    mid = repo.record_medication("P02", med, "dr.a")
    med.stop_date = dt.date(2021, 6, 1)
    repo.update_medication("P02", med, "dr.b")
    assert repo.get_patient("P02").medications[0].stop_date == dt.date(2021, 6, 1)
    bad = Medication("x", dt.date(2021, 1, 1), stop_date=dt.date(2020, 1, 1))
    with pytest.raises(ValidationFailed, match="before the start date"):
        repo.record_medication("P02", bad, "dr.a")
    repo.delete_medication(mid, "dr.c")
    assert repo.get_patient("P02").medications == []
    actions = [(r.action, r.actor, r.field) for r in repo.audit_history("medications", mid)]
    assert ("update", "dr.b", "stop_date") in actions
    assert ("delete", "dr.c", "drug") in actions


def test_adverse_event_verbs(repo: Repository) -> None:
    repo.add_patient(Patient("P03"), "dr.a")
    event = AdverseEvent(dt.date(2021, 2, 1), "nausea", grade=1, serious=False)
    eid = repo.record_adverse_event("P03", event, "dr.a")
    event.outcome = "resolved"
    repo.update_adverse_event("P03", event, "dr.a")
    assert repo.get_patient("P03").adverse_events[0].outcome == "resolved"
    with pytest.raises(ValidationFailed, match="grade"):
        repo.record_adverse_event("P03", AdverseEvent(dt.date(2021, 2, 1), "x", grade=7),
                                  "dr.a")
    repo.delete_adverse_event(eid, "dr.a")
    assert repo.get_patient("P03").adverse_events == []


def test_settings_round_trip_and_recompute(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    assert repo.get_settings() == AppSettings()
    m3 = patient.visits[1].id or 0
    assert repo.get_derived(m3)["tis_muscle_measure"].value == "mmt8"
    ulns = dict(ScoringSettings().uln_defaults)
    ulns["ck"] = Decimal(170)
    new = AppSettings(ScoringSettings("cmas", "adult", ulns), "Dr Ada")
    repo.set_settings(new, "admin")
    assert repo.get_settings() == new
    assert repo.get_derived(m3)["tis_muscle_measure"].value == "cmas"
    audited = {r.field for r in repo._history("a.table_name = 'settings'", ())}
    assert audited >= {"tis_muscle_measure", "thresholds", "uln_ck", "assessor"}


def test_drafts_are_kept_apart(repo: Repository) -> None:
    repo.save_draft("visit:P01:new", json.dumps({"cmas_leg_raise": 2}))
    repo.save_draft("visit:P01:new", json.dumps({"cmas_leg_raise": 1}))
    drafts = repo.load_drafts()
    assert [(d.key, json.loads(d.payload_json)) for d in drafts] == [
        ("visit:P01:new", {"cmas_leg_raise": 1})]
    assert _count(repo, "audit") == 0
    repo.discard_draft("visit:P01:new")
    assert repo.load_drafts() == []
    with pytest.raises(ValueError):
        repo.save_draft("k", "{not json")


def test_iter_patients_streams_everyone_in_order(repo: Repository) -> None:
    for i in range(450):
        repo.add_patient(Patient(f"S{i:04d}", sex="male"), "bulk")
    ids = [p.study_id for p in repo.iter_patients()]
    assert ids == [f"S{i:04d}" for i in range(450)]
    assert len(repo.list_patients()) == 450


def test_actor_is_required(repo: Repository) -> None:
    with pytest.raises(ValueError, match="actor"):
        repo.add_patient(Patient("P9"), " ")


def test_delete_patient(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    repo.delete_patient("P01", "dr.a")
    assert repo.list_patients() == []
    for table in ("visits", "values_cmas", "visit_missing", "medications", "adverse_events",
                  "derived_values"):
        assert _count(repo, table) == 0, table
    assert _count(repo, "audit") > 0


def test_follow_up_save_matches_a_full_recompute(repo: Repository) -> None:
    """save_visit recomputes only the saved follow-up when the baseline is unchanged; the
    stored responses must equal what a full recompute gives."""
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    m6 = Visit(dt.date(2021, 6, 4), "M6", values={**full_cmas(2), **full_mmt(7),
                                                 "phys_global": Decimal("4.0")})
    repo.save_visit("P01", m6, "dr.a")
    m3 = repo.get_patient("P01").visits[1]
    m3.values["phys_global"] = Decimal("0.5")
    repo.save_visit("P01", m3, "dr.a")
    stored = {v.id: repo.get_derived(v.id or 0) for v in repo.get_patient("P01").visits}
    repo.refresh_derived(force=True)
    again = {v.id: repo.get_derived(v.id or 0) for v in repo.get_patient("P01").visits}
    assert stored == again
    # moving a follow-up before the baseline date removes its response
    m3.visit_date = dt.date(2020, 12, 1)
    repo.save_visit("P01", m3, "dr.a")
    assert "tis" not in repo.get_derived(m3.id or 0)


def test_settings_without_refresh_leave_it_to_refresh_derived(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "dr.a")
    m3 = patient.visits[1].id or 0
    repo.set_settings(AppSettings(ScoringSettings("cmas")), "admin", refresh=False)
    assert repo.get_derived(m3)["tis_muscle_measure"].value == "mmt8"  # not yet
    assert repo.refresh_derived() == 0  # no visit rescored: only responses recomputed
    assert repo.get_derived(m3)["tis_muscle_measure"].value == "cmas"


def test_needs_refresh_follows_rule_versions(db_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with Repository(db_path) as repo:
        repo.add_patient(sample_patient(), "dr.a")
        assert not repo.needs_refresh()
    monkeypatch.setitem(scoring.RULE_VERSIONS, "chaq_di", "chaq_di@2 (test)")
    with Repository(db_path, refresh=False) as repo:
        assert repo.needs_refresh()
        assert repo.refresh_derived() == 2  # both visits rescored
        assert not repo.needs_refresh()


def test_patient_list_reads_each_figure_from_the_latest_visit_that_has_it(
        repo: Repository) -> None:
    """The list's figures, read by one query (issue 16 rewrote it), against the stored
    values read visit by visit: the latest visit by date (not by entry order) gives the
    visit count, date and label; CMAS, MMT-8 and the response come from the latest visit
    that has each, which need not be the latest visit."""
    repo.add_patient(sample_patient("P01"), "dr.a")  # M0 and M3, both with CMAS and MMT-8
    # the latest visit has no CMAS and no MMT-8; one entered afterwards is dated earlier
    repo.save_visit("P01", Visit(dt.date(2021, 6, 4), "M6",
                                 values={"phys_global": Decimal("1.0")}), "dr.a")
    repo.save_visit("P01", Visit(dt.date(2021, 2, 1), "unscheduled",
                                 values={**full_cmas(2)}), "dr.a")
    p2 = sample_patient("P02")
    p2.visits = p2.visits[:1]  # the baseline alone: no response
    repo.add_patient(p2, "dr.a")
    repo.add_patient(Patient("P03", sex="male"), "dr.a")  # no visits at all

    def expected(study_id: str) -> tuple[object, ...]:
        visits = sorted(repo.get_patient(study_id).visits, key=lambda v: v.visit_date)
        derived = [repo.get_derived(v.id or 0) for v in visits]

        def latest(name: str) -> object:
            return next((d[name].value for d in reversed(derived)
                         if name in d and d[name].value is not None), None)

        with_response = next((d for d in reversed(derived)
                              if d.get("acr_eular_response") is not None
                              and d["acr_eular_response"].value is not None), None)

        def of_response(name: str) -> object:
            return with_response[name].value if with_response and name in with_response \
                else None

        return (len(visits), visits[-1].visit_date if visits else None,
                visits[-1].visit_label if visits else None, latest("cmas_total"),
                latest("mmt8_total"), of_response("acr_eular_response"),
                of_response("acr_eular_response_min"), of_response("acr_eular_response_max"),
                of_response("tis_measures"))

    summaries = repo.list_patients()
    assert [s.study_id for s in summaries] == ["P01", "P02", "P03"]
    for s in summaries:
        assert (s.visit_count, s.last_visit_date, s.last_visit_label, s.cmas_total,
                s.mmt8_total, s.response, s.response_min, s.response_max,
                s.tis_measures) == expected(s.study_id), s.study_id
    p1 = summaries[0]
    assert p1.last_visit_label == "M6" and p1.visit_count == 4
    assert p1.cmas_total == sum(full_cmas(3).values())  # M3's: M6 has none
    assert p1.response is not None
    assert summaries[1].response is None and summaries[2].visit_count == 0
