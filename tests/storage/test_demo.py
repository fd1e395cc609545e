"""The demo cohort: synthetic, labelled, valid, varied and idempotent."""

from __future__ import annotations

from storage.demo import NOTE, add_demo_cohort, demo_patients
from storage.repository import Repository

ENCRYPTED_TOO = True  # tests/storage/conftest.py: each test on a plain and an encrypted file


def test_demo_is_idempotent_and_valid(repo: Repository) -> None:
    assert add_demo_cohort(repo) == 13
    audit = repo.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert add_demo_cohort(repo) == 0
    assert repo.db.execute("SELECT count(*) FROM audit").fetchone()[0] == audit
    assert repo.patient_count() == 13


def test_demo_patients_are_labelled_synthetic() -> None:
    for p in demo_patients():
        assert p.study_id.startswith("DEMO-")
        assert p.identifiers["given_name"] == "Demo"
        assert all(v.notes == NOTE for v in p.visits)


def test_demo_passes_validation_without_warnings(repo: Repository) -> None:
    for p in demo_patients():
        assert repo.add_patient(p, "demo").warnings == ()


def test_pilot_patients_have_the_full_core_set(repo: Repository) -> None:
    add_demo_cohort(repo)
    for sid in ("DEMO-01", "DEMO-02", "DEMO-03"):
        p = repo.get_patient(sid)
        assert [v.visit_label for v in p.visits] == ["M0", "M3", "M6"]
        assert any(m.drug == "tofacitinib" and m.frequency_per_day == 2 for m in p.medications)
        steroid = [v.values["steroid_mg_day"] for v in p.visits]
        assert steroid == sorted(steroid, reverse=True) and steroid[0] > steroid[-1]
        for v in p.visits:
            derived = repo.get_derived(v.id or 0)
            for name in ("cmas_total", "mmt8_total", "chaq_di", "cdasi_activity", "das_total"):
                assert derived[name].value is not None, (sid, v.visit_label, name)
            assert v.values["ck_uln"] and v.values["skin_heliotrope"] in ("yes", "no")
    events = [e for sid in ("DEMO-01", "DEMO-02", "DEMO-03")
              for e in repo.get_patient(sid).adverse_events]
    assert len(events) == 1 and events[0].grade == 1


def test_demo_is_varied(repo: Repository) -> None:
    add_demo_cohort(repo)
    rows = repo.list_patients()
    assert {"none", "major"} <= {r.response for r in rows}
    assert len({r.autoantibody for r in rows}) >= 6
    patients = {p.study_id: p for p in repo.iter_patients()}
    assert any(v.missing for p in patients.values() for v in p.visits)
    assert any(v.visit_label == "FLARE" for p in patients.values() for v in p.visits)
