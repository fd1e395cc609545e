"""Every record that is accepted can be printed, signed and exported.

Two halves: the repository (every path: GUI, JSON and xlsx import all write through it) refuses
dates and text the reports cannot handle; and a file holding such values from before the rules
(written here with plain sqlite3, as an old version or a hand edit would) is reported by
``check`` while every export, both patient PDFs and sign-off still work.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from storage_samples import sample_patient

import main
from forms.model import AdverseEvent, Medication
from storage import migrations as mig
from storage.audit_chain import append, verify_chain
from storage.errors import ValidationFailed
from storage.repository import Repository

TODAY = dt.date(2026, 1, 1)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------ refused at entry
@pytest.mark.parametrize("dates", [
    {"start_date": dt.date(9999, 12, 31)},
    {"start_date": dt.date(2021, 1, 4), "stop_date": dt.date(9999, 12, 31)},
    {"start_date": dt.date(2009, 1, 1)},  # before the date of birth 2010-04-12
])
def test_medication_dates_reports_cannot_print_are_refused(repo: Repository,
                                                           dates: dict[str, dt.date]) -> None:
    repo.add_patient(sample_patient(), "nurse", today=TODAY)
    with pytest.raises(ValidationFailed) as err:
        repo.record_medication("P01", Medication("methotrexate", **dates), "nurse")
    assert "date" in str(err.value)


@pytest.mark.parametrize("event", [
    AdverseEvent(dt.date(9999, 12, 31), "herpes zoster"),
    AdverseEvent(dt.date.today() + dt.timedelta(days=2), "herpes zoster"),
    AdverseEvent(dt.date(2021, 2, 2), "herpes zoster", resolution_date=dt.date(9999, 12, 31)),
    AdverseEvent(dt.date(2009, 2, 2), "cataract"),
    AdverseEvent(dt.date(2021, 2, 2), "zoster\nsecond line"),
])
def test_adverse_events_reports_cannot_print_are_refused(repo: Repository,
                                                         event: AdverseEvent) -> None:
    repo.add_patient(sample_patient(), "nurse", today=TODAY)
    with pytest.raises(ValidationFailed):
        repo.record_adverse_event("P01", event, "nurse")


def test_json_import_refuses_a_far_future_medication(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import json
    case = tmp_path / "cases.json"
    case.write_text(json.dumps({
        "format": "jdm-capture-cases", "version": 1,
        "patients": [{"study_id": "P07", "identifiers": {"birth_date": "2010-04-12"},
                      "medications": [{"drug": "methotrexate", "start_date": "2020-01-01",
                                       "stop_date": "9999-12-31"}]}]}))
    db = tmp_path / "c.sqlite"
    run(capsys, "--db", db, "init")
    code, _out, err = run(capsys, "--db", db, "import", case)
    assert code == 2 and "stop_date" in err and "9999-12-31" in err


def test_birth_date_after_saved_visits_is_refused(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "nurse", today=TODAY)
    patient.identifiers["birth_date"] = dt.date(2021, 2, 1)  # after M0, before M3
    patient.diagnosis_date = None
    with pytest.raises(ValidationFailed) as err:
        repo.update_patient(patient, "nurse", today=TODAY)
    message = str(err.value)
    assert "birth_date" in message and "2021-01-04" in message
    assert repo.get_patient("P01").birth_date == dt.date(2010, 4, 12)
    # an import moving the birth date is refused the same way
    again = sample_patient()
    again.visits, again.medications, again.adverse_events = [], [], []
    again.identifiers["birth_date"] = dt.date(2021, 2, 1)
    again.diagnosis_date = None
    with pytest.raises(ValidationFailed):
        repo.import_patients([again], "import", today=TODAY)


def test_visit_notes_have_a_limit_and_no_control_characters(repo: Repository) -> None:
    patient = sample_patient()
    repo.add_patient(patient, "nurse", today=TODAY)
    visit = patient.visits[0]
    for bad in ("x" * 1_000_000, "ok\x00hidden", "ok\u202eevil"):
        visit.notes = bad
        with pytest.raises(ValidationFailed, match="notes"):
            repo.save_visit("P01", visit, "nurse", today=TODAY)
    visit.notes = "line one\nline two\ttabbed"
    repo.save_visit("P01", visit, "nurse", today=TODAY)
    assert repo.get_patient("P01").visits[0].notes == "line one\nline two\ttabbed"


# ------------------------------------------------------------------ saved before the rules
LONG_NOTE = ("Seen in clinic, mother present. " * 6250)[:200_000]  # 200,000 characters


@pytest.fixture
def old_data(tmp_path: Path) -> Path:
    """A file holding what older versions accepted: a 9999 stop date, a 200 kB note, a
    100-line adverse-event term, a birth date after a visit."""
    db = tmp_path / "old.sqlite"
    with Repository(db) as repo:
        patient = sample_patient()
        m3 = patient.visits[1]
        m3.values["extramuscular_global"] = Decimal("1.5")
        m3.missing["chaq_dress"] = "not_done"
        repo.add_patient(patient, "nurse", today=TODAY)
        repo.add_patient(sample_patient("P02"), "nurse", today=TODAY)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE medications SET stop_date = '9999-12-31'")
        # 200 characters (the old CHECK's limit) in 100 lines: taller than a page, which
        # made both patient PDFs fail with LayoutError
        tall = ("rash\nitchy\n" + "x\n" * 100)[:200]
        conn.execute("INSERT INTO adverse_events (patient_id, onset_date, term) SELECT id, "
                     "'2021-02-10', ? FROM patients WHERE study_id = 'P01'", (tall,))
        conn.execute("UPDATE visits SET notes = ? WHERE visit_label = 'M0' AND patient_id = "
                     "(SELECT id FROM patients WHERE study_id = 'P01')", (LONG_NOTE,))
        conn.execute("UPDATE patients SET birth_date = '2021-02-01' WHERE study_id = 'P02'")
    conn.close()
    return db


def test_check_reports_records_that_break_todays_rules(old_data: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--db", old_data, "check")
    assert code == 2
    lines = err.splitlines()
    assert any("patient P01" in ln and "stop_date" in ln and "9999-12-31" in ln for ln in lines)
    assert any("patient P01" in ln and "visit_notes" in ln and "200,000" in ln for ln in lines)
    assert any("patient P01" in ln and "term" in ln and "one line" in ln for ln in lines)
    assert any("patient P02" in ln and "before the date of birth" in ln for ln in lines)
    assert all(len(ln) < 400 for ln in lines)


def test_old_records_still_print_sign_and_export(old_data: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for deid in ((), ("--deidentified",)):
        out = tmp_path / f"p01{len(deid)}.pdf"
        started = time.monotonic()
        code, _o, err = run(capsys, "--db", old_data, "report", "--patient", "P01", "--out",
                            out, *deid)
        assert code == 0, err
        assert time.monotonic() - started < 60
        text = " ".join(" ".join(pg.extract_text().split())
                        for pg in pypdf.PdfReader(out).pages)
        assert "itchy" in text if not deid else "Other event (not in this list)" in text
        if not deid:
            # printed up to the 10,000-character limit, then a line says what was left out
            assert "189,999 more characters not printed" in text
            assert 300 <= text.count("Seen in clinic") <= 320
    for args in (("--redcap", tmp_path / "rc"), ("--redcap", tmp_path / "rci", "--identified"),
                 ("--out", tmp_path / "x.xlsx"), ("--out", tmp_path / "xi.xlsx", "--identified")):
        code, _o, err = run(capsys, "--db", old_data, "export", *args)
        assert code == 0, err
    from exports.signoff import sign_visit
    with Repository(old_data) as repo:
        m3 = next(v for v in repo.get_patient("P01").visits if v.visit_label == "M3")
        signed = sign_visit(repo, "P01", m3.id or 0, "Dr A")
        assert signed.snapshot_size > 1000


# ------------------------------------------------------------------------ leading dash (m010)
def _make_pre_m010(path: Path) -> None:
    """A file as it was before m010: a study ID and a (signed) visit label starting with '-'."""
    from exports.signoff import sign_visit

    with Repository(path) as repo:
        patient = sample_patient()
        m3 = patient.visits[1]
        m3.values["extramuscular_global"] = Decimal("1.5")
        m3.missing["chaq_dress"] = "not_done"
        repo.add_patient(patient, "nurse", today=TODAY)
        repo.add_patient(sample_patient("P02"), "nurse", today=TODAY)
        sign_visit(repo, "P01", m3.id or 0, "Dr A")
    conn = sqlite3.connect(path)
    with conn:
        for name in [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE '%no_dash%'")]:
            conn.execute(f'DROP TRIGGER "{name}"')
        lock = conn.execute("SELECT sql FROM sqlite_master WHERE name = "
                            "'visits_signed_update'").fetchone()[0]
        conn.execute('DROP TRIGGER "visits_signed_update"')
        conn.execute("UPDATE patients SET study_id = '-P01' WHERE study_id = 'P01'")
        conn.execute("UPDATE patients SET study_id = '--P01' WHERE study_id = 'P02'")
        conn.execute("UPDATE visits SET visit_label = '-M3' WHERE visit_label = 'M3'")
        # ...saved through the older app, so its audit trail records them (`check` replays
        # the trail against the data: a bare UPDATE would be reported as a forgery)
        at = "2026-01-01T00:00:00.000Z"
        for pid, old, new in ((1, "P01", "-P01"), (2, "P02", "--P01")):
            append(conn, (at, "older version", "update", "patients", pid, f"patient {new}"),
                   [("study_id", old, new)])
        for (vid,) in conn.execute("SELECT id FROM visits WHERE visit_label = '-M3'"
                                   ).fetchall():
            append(conn, (at, "older version", "update", "visits", vid, "label"),
                   [("visit_label", "M3", "-M3")])
        conn.execute(lock)
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm010_no_leading_dash'")
    conn.close()


def test_m010_renames_leading_dashes_deterministically_and_audits_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "old.sqlite"
    _make_pre_m010(db)
    code, _out, err = run(capsys, "--db", db, "init")
    assert code == 0, err
    conn = sqlite3.connect(db)
    try:
        ids = sorted(r[0] for r in conn.execute("SELECT study_id FROM patients"))
        assert ids == ["P01", "P01_1"]  # "--P01" stripped collides: the next free suffix
        labels = {r[0] for r in conn.execute("SELECT visit_label FROM visits")}
        assert "-M3" not in labels and "M3" in labels
        changes = conn.execute(
            "SELECT a.actor, c.field, c.old, c.new FROM audit a JOIN audit_changes c ON "
            "c.audit_id = a.id WHERE a.actor = ? ORDER BY a.id", (mig.UPGRADE_ACTOR,)).fetchall()
        assert changes == [(mig.UPGRADE_ACTOR, "study_id", "-P01", "P01"),
                           (mig.UPGRADE_ACTOR, "study_id", "--P01", "P01_1"),
                           (mig.UPGRADE_ACTOR, "visit_label", "-M3", "M3"),  # P01's (signed)
                           (mig.UPGRADE_ACTOR, "visit_label", "-M3", "M3")]  # P02's
        assert verify_chain(conn).ok
        # the signature was kept, and its lock is back
        assert conn.execute("SELECT count(*) FROM visit_signoffs WHERE voided_at IS NULL"
                            ).fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError, match="read-only"):
            conn.execute("UPDATE visits SET visit_label = 'M4' WHERE visit_label = 'M3'")
        with pytest.raises(sqlite3.IntegrityError, match="may not start with -"):
            conn.execute("UPDATE patients SET study_id = '-X' WHERE study_id = 'P01'")
        with pytest.raises(sqlite3.IntegrityError, match="may not start with -"):
            conn.execute("UPDATE visits SET visit_label = '-X' WHERE visit_label = 'M0'")
    finally:
        conn.close()
    code, _out, err = run(capsys, "--db", db, "check")
    assert code == 0, err
    code, _out, err = run(capsys, "--db", db, "report", "--patient", "P01_1", "--out",
                          tmp_path / "r.pdf")
    assert code == 0, err


def test_no_leading_dash_rule_is_deterministic() -> None:
    assert mig.no_leading_dash("-P01", set(), 32) == "P01"
    assert mig.no_leading_dash("-P01", {"P01", "P01_1"}, 32) == "P01_2"
    assert mig.no_leading_dash("---", set(), 32) == "ID"
    assert len(mig.no_leading_dash("-" + "x" * 32, {"x" * 32}, 32)) <= 32


def test_a_leading_dash_study_id_is_refused_on_import(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import json
    case = tmp_path / "cases.json"
    case.write_text(json.dumps({"format": "jdm-capture-cases", "version": 1,
                                "patients": [{"study_id": "-P01"}]}))
    db = tmp_path / "c.sqlite"
    run(capsys, "--db", db, "init")
    code, _out, err = run(capsys, "--db", db, "import", case)
    assert code == 2 and "study_id" in err and "not starting with '-'" in err


def test_redcap_csv_has_no_formula_like_study_id(old_data: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _o, err = run(capsys, "--db", old_data, "export", "--redcap", tmp_path / "rc")
    assert code == 0, err
    with (tmp_path / "rc" / "records.csv").open(encoding="utf-8", newline="") as fh:
        ids = {r["study_id"] for r in csv.DictReader(fh)}
    assert ids and not any(i.startswith(("-", "=", "+", "@")) for i in ids)
