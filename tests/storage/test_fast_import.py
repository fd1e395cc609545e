"""The import's fast path (issue 16: each visit scored once, its scores reused for the
responses, values checked by per-field compiled checks) stores exactly what saving the same
visits one by one stores: the same derived values (scores and responses, reasons and rule
versions) and the same audit rows and change rows; the file then passes ``check``."""

from __future__ import annotations

import copy
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from forms import scoring
from storage import demo, repo_patients, schema
from storage.casefile import export_case_file, import_case_file, load_case_file
from storage.database import check_database
from storage.repository import Repository

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_import  # noqa: E402  (the benchmark's fully filled visits)


def _derived(repo: Repository) -> list[tuple[Any, ...]]:
    return sorted(repo.db.conn.execute(
        "SELECT v.visit_date, p.study_id, d.field, d.value, d.missing_reason, d.rule_version "
        "FROM derived_values d JOIN visits v ON v.id = d.visit_id "
        "JOIN patients p ON p.id = v.patient_id").fetchall(), key=repr)


def _audit(repo: Repository) -> list[tuple[Any, ...]]:
    """Every audit row without its time and hashes, with its sorted change rows."""
    rows = []
    for aid, actor, action, table, record_id, context in repo.db.conn.execute(
            "SELECT id, actor, action, table_name, record_id, context FROM audit ORDER BY id"):
        changes = repo.db.conn.execute(
            "SELECT field, old, new FROM audit_changes WHERE audit_id = ? ORDER BY field",
            (aid,)).fetchall()
        rows.append((actor, action, table, record_id, context, tuple(changes)))
    return rows


def _one_by_one(repo: Repository, patients: list[Any]) -> None:
    """Each patient added bare, then each visit saved, then its records: the GUI's path."""
    for patient in patients:
        visits, meds, events = patient.visits, patient.medications, patient.adverse_events
        bare = copy.copy(patient)
        bare.visits, bare.medications, bare.adverse_events = [], [], []
        repo.add_patient(bare, "importer")
        for visit in visits:
            repo.save_visit(patient.study_id, visit, "importer")
        for med in meds:
            repo.record_medication(patient.study_id, med, "importer")
        for event in events:
            repo.record_adverse_event(patient.study_id, event, "importer")


@pytest.fixture
def demo_case(tmp_path: Path) -> Path:
    with Repository(tmp_path / "source.sqlite") as src:
        demo.add_demo_cohort(src)
        export_case_file(src, tmp_path / "cases.json", with_derived=False)
    return tmp_path / "cases.json"


def _varied_case(path: Path) -> Path:
    """Fully filled visits (the benchmark's) made awkward: decimals written with trailing
    zeros (stored as REAL, read back without them), labels in other spellings or outside
    the protocol, a later visit flagged as the baseline, whole measures marked missing, notes,
    enzymes at 0 at baseline."""
    data = json.loads(bench_import.case_text(5, 7, seed=11))
    for n, patient in enumerate(data["patients"]):
        visits = patient["visits"]
        visits[1]["visit_label"] = "m3" if n % 2 else "visit2"  # spelling / not a protocol visit
        visits[2]["notes"] = f"note {n}: 'quoted' \"text\""
        if n % 2:
            visits[3]["baseline"] = True  # the baseline is not the earliest visit
            visits[3]["visit_label"] = "m9"  # stored as M9, the baseline label of the rest
        if n % 3 == 0:
            for name in ("ck", "ck_uln", "phys_global"):
                visits[4]["values"].pop(name, None)
            visits[4]["missing"] = {"ck": "not_done", "phys_global": "unknown"}
        visits[0]["values"]["ldh"] = 0
        visits[0]["values"]["phys_global"] = "PHYS_TRAILING_ZERO"
    text = json.dumps(data).replace('"PHYS_TRAILING_ZERO"', "2.50")
    path.write_text(text)
    return path


@pytest.mark.parametrize("which", ["demo", "varied"])
def test_import_stores_what_saving_one_by_one_stores(tmp_path: Path, demo_case: Path,
                                                     which: str) -> None:
    if which == "varied":
        demo_case = _varied_case(tmp_path / "varied.json")
    with Repository(tmp_path / "fast.sqlite") as fast:
        _case, summary = import_case_file(fast, demo_case, "importer")
        assert summary.visits >= 20
        fast_derived, fast_audit = _derived(fast), _audit(fast)
    # the same patients, parsed from the same file, saved the slow way
    case = load_case_file(demo_case)
    with Repository(tmp_path / "slow.sqlite") as slow:
        _one_by_one(slow, case.patients)
        slow_derived, slow_audit = _derived(slow), _audit(slow)
    assert len(fast_derived) > 20 * len(scoring.RULE_VERSIONS) // 2
    assert any(r[2] == "tis" and r[3] is not None for r in fast_derived)  # responses too
    assert fast_derived == slow_derived
    # the one-by-one path writes the same rows; saving a visit of a patient with a baseline
    # writes no other audit rows (derived values are a cache, not audited)
    assert len(fast_audit) == len(slow_audit) > summary.visits
    assert fast_audit == slow_audit
    for name in ("fast.sqlite", "slow.sqlite"):
        report = check_database(tmp_path / name)
        assert report.problems == [], (name, report.problems)


def test_import_again_replaces_visits_with_the_same_derived_values(
        tmp_path: Path, demo_case: Path) -> None:
    """A second import of the file (every visit replaced: the scores are of the new values)
    leaves the derived values a recalculation gives (``check`` compares them), and the chain
    verifies."""
    with Repository(tmp_path / "again.sqlite") as repo:
        import_case_file(repo, demo_case, "importer")
        first = _derived(repo)
        data = json.loads(demo_case.read_text())
        for patient in data["patients"]:
            for visit in patient["visits"]:
                if "cmas_head_elevation" in visit.get("values", {}):
                    visit["values"]["cmas_head_elevation"] = 0  # lower every CMAS
        changed = tmp_path / "changed.json"
        changed.write_text(json.dumps(data))
        _case, summary = import_case_file(repo, changed, "importer")
        assert summary.visits_replaced == summary.visits > 0
        second = _derived(repo)
        assert second != first
    report = check_database(tmp_path / "again.sqlite")
    assert report.problems == [], report.problems


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the audit trail (hashes included) and of every values table."""
    conn = sqlite3.connect(path)
    try:
        names = ["audit", "audit_changes", "visits", "derived_values",
                 *schema.value_tables()]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in names}
    finally:
        conn.close()


def _generic_insert_values(self: Repository, vid: int, values: Any, actor: str, at: str,
                           context: str) -> int:
    """A new visit's value rows through the generic ``_insert_many`` (the code before the
    import's own writer of value rows): what the fast writer must reproduce byte for byte."""
    inserts, changed = [], 0
    for table, fields in schema.value_tables().items():
        new = {f.name: schema.to_sql(f, values[f.name]) for f in fields if f.name in values}
        if new:
            inserts.append((table, new, fields, context, {"visit_id": vid}, vid))
            changed += len(new)
    self._insert_many(actor, at, inserts)  # noqa: SLF001
    return changed


def test_value_rows_and_hashes_are_those_of_the_generic_writer(
        tmp_path: Path, demo_case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import's writer of a new visit's value rows (remembered audit texts, change rows
    in the chain's order) stores the rows, audit rows, change rows and hashes of the generic
    ``_insert_many``, for the demo cohort and for fully filled visits (every form, the MDI
    included, values with decimals, yes/no and "na")."""
    full = tmp_path / "full.json"
    full.write_text(bench_import.case_text(4, 6, seed=7))
    monkeypatch.setattr(repo_patients, "now", lambda: "2026-12-02T01:00:00.000Z")
    dumps = []
    for name, generic in (("fast.sqlite", False), ("generic.sqlite", True)):
        with monkeypatch.context() as patch:
            if generic:
                patch.setattr(Repository, "_insert_values", _generic_insert_values)
            with Repository(tmp_path / name) as repo:
                import_case_file(repo, demo_case, "importer")
                import_case_file(repo, full, "importer")
        dumps.append(_tables(tmp_path / name))
    fast, generic = dumps
    assert len(fast["audit_changes"]) > 6 * 4 * 250  # the full visits are there
    for table in fast:
        assert fast[table] == generic[table], table
    report = check_database(tmp_path / "fast.sqlite")
    assert report.problems == [], report.problems
