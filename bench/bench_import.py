"""Import benchmark (not a test): fully filled visits per second against a floor (issue 16).

    .venv/bin/python bench/bench_import.py                   # 200 patients x 20 visits
    .venv/bin/python bench/bench_import.py --patients 50     # quick run

Every visit has every entered form filled in: visit (weight, height, steroid, IV pulses),
CMAS (all 14 items, the timed ones with their seconds), MMT-8 (neck and both sides), skin
findings, CDASI (every activity and damage item), globals, CHAQ (every item, aids, help, pain,
well-being) and labs (every enzyme with its ULN, ESR, CRP, ferritin): about 210 values.

Prints, measured in the same run on fresh files:

* import: ``storage.casefile.import_case_file`` (what ``main.py import`` does: read, parse and
  validate, write the rows with their audit rows, score every visit, compute the responses),
  in visits/s, against the target of >= 400 visits/s;
* floor: the same rows (patients, visits, every value table) written to the same schema with
  plain ``executemany`` in one transaction: no parsing, no validation, no audit rows, no
  scores; and the ratio import / floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# plain files, like the other benchmarks (new files are encrypted unless this test option is set)
os.environ.setdefault("JDM_CAPTURE_PLAINTEXT", "1")

from forms import registry, scoring  # noqa: E402
from forms.fields import FieldType  # noqa: E402
from storage import schema  # noqa: E402
from storage.casefile import import_case_file, parse_case_text  # noqa: E402
from storage.repository import Repository  # noqa: E402

TARGET = 400.0


def full_visit(rng: random.Random, day: dt.date, index: int) -> dict[str, Any]:
    """One visit with every entered form filled with valid values (about 210 values)."""
    values: dict[str, Any] = {}
    for f in registry.visit_value_fields():
        if f.name in registry.VISIT_KEYS or f.derived:
            continue
        if f.type is FieldType.TEXT:
            values[f.name] = f"Dr Bench {index}"
        elif f.type is FieldType.BOOLEAN:
            values[f.name] = rng.random() < 0.3
        elif f.type is FieldType.CHOICE:
            values[f.name] = rng.choice([c.code for c in f.choices if c.code != "na"])
        elif f.type is FieldType.INTEGER:
            values[f.name] = rng.randint(int(f.minimum or 0), int(f.maximum or 0))
        elif f.type is FieldType.DECIMAL:
            lo, hi = float(f.minimum or 0), float(f.maximum or 0)
            values[f.name] = round(rng.uniform(lo, min(hi, lo + 100)), f.decimals or 0)
            if not f.decimals:
                values[f.name] = int(values[f.name])
    for item, sec_name in _timed_items():
        seconds = rng.randint(0, 150)
        values[sec_name] = seconds
        values[item] = scoring.cmas_item_from_seconds(item, seconds)
    values["weight_kg"] = round(30 + index * 0.3, 1)
    values["height_cm"] = round(135 + index * 0.5, 1)
    values["steroid_mg_day"] = round(max(0.0, 30 - index * 1.5), 1)
    return {"visit_date": day.isoformat(), "visit_label": f"M{3 * index}", "values": values}


def _timed_items() -> list[tuple[str, str]]:
    return [(n, f"{n}_sec") for n in registry.cmas_item_names()
            if registry.has(f"{n}_sec")]


def case_text(patients: int, visits: int, seed: int = 20261201) -> str:
    rng = random.Random(seed)
    batch = []
    for n in range(patients):
        first = dt.date(2018, 1, 1) + dt.timedelta(days=n % 700)
        batch.append({
            "study_id": f"F{n:05d}", "sex": "female" if n % 3 else "male",
            "autoantibody": registry.AUTOANTIBODIES[n % len(registry.AUTOANTIBODIES)],
            "identifiers": {"birth_date": (first - dt.timedelta(days=3000)).isoformat()},
            "visits": [full_visit(rng, first + dt.timedelta(days=91 * i), i)
                       for i in range(visits)]})
    return json.dumps({"format": "jdm-capture-cases", "version": 1, "patients": batch})


def floor(db: Path, text: str) -> tuple[float, float]:
    """Seconds (wall, CPU) to write the same rows with plain executemany, no validation/audit."""
    case = parse_case_text(text, "floor.json")  # parsed outside the timing
    Repository(db).close()  # the same schema, created outside the timing
    tables = schema.value_tables()
    t0, c0 = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN IMMEDIATE")
    for patient in case.patients:
        pid = conn.execute("INSERT INTO patients (study_id, sex, autoantibody, birth_date) "
                           "VALUES (?, ?, ?, ?)",
                           (patient.study_id, patient.sex, patient.autoantibody,
                            str(patient.identifiers.get("birth_date")))).lastrowid
        rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in tables}
        for visit in patient.visits:
            vid = conn.execute("INSERT INTO visits (patient_id, visit_date, visit_label) "
                               "VALUES (?, ?, ?)", (pid, visit.visit_date.isoformat(),
                                                    visit.visit_label)).lastrowid
            for table, fields in tables.items():
                rows[table].append((vid, *(schema.to_sql(f, visit.values.get(f.name))
                                           for f in fields)))
        for table, fields in tables.items():
            cols = ", ".join(f'"{f.name}"' for f in fields)
            marks = ", ".join("?" * (len(fields) + 1))
            conn.executemany(f'INSERT INTO "{table}" (visit_id, {cols}) VALUES ({marks})',
                             rows[table])
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="median of this many runs")
    args = parser.parse_args()
    total = args.patients * args.visits
    text = case_text(args.patients, args.visits)
    sample = json.loads(text)["patients"][0]["visits"][0]["values"]
    print(f"{args.patients} patients x {args.visits} visits = {total:,} visits, "
          f"{len(sample)} values each; load average {_load()}", flush=True)
    imports, floors, cpu, floor_cpu = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            path = Path(tmp) / f"cases-{run}.json"
            path.write_text(text)
            db = Path(tmp) / f"import-{run}.sqlite"
            Repository(db).close()
            with Repository(db) as repo:
                t0, c0 = time.perf_counter(), time.process_time()
                _case, summary = import_case_file(repo, path, "bench")
                imports.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                assert summary.visits == total, summary
                audited = repo.db.execute("SELECT count(*) FROM audit_changes").fetchone()[0]
            wall, used = floor(Path(tmp) / f"floor-{run}.sqlite", text)
            floors.append(wall)
            floor_cpu.append(used)
            print(f"  run {run + 1}: import {imports[-1]:.2f} s (CPU {cpu[-1]:.2f} s, "
                  f"{audited:,} audited changes), floor {floors[-1]:.2f} s (CPU "
                  f"{floor_cpu[-1]:.2f} s)", flush=True)
    imp, flo = statistics.median(imports), statistics.median(floors)
    imp_cpu, flo_cpu = statistics.median(cpu), statistics.median(floor_cpu)
    rate, floor_rate = total / imp, total / flo
    print(f"import (fully filled, audit rows included): {rate:,.0f} visits/s "
          f"({total:,} visits in {imp:.2f} s); floor (plain executemany, no validation or "
          f"audit): {floor_rate:,.0f} visits/s; ratio {imp / flo:.1f}x the floor's time; "
          f"target >= {TARGET:.0f} visits/s: {'met' if rate >= TARGET else 'NOT met'}")
    print(f"  by CPU time (steadier on a shared machine): {total / imp_cpu:,.0f} visits/s vs "
          f"floor {total / flo_cpu:,.0f} visits/s, ratio {imp_cpu / flo_cpu:.1f}x "
          f"(medians of {len(imports)} runs); load average at the end {_load()}")
    return 0


def _load() -> str:
    """The machine's load average (1, 5, 15 min): other work on a shared machine slows the
    import and the floor alike, and CPU times less than wall times."""
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # not on every system
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
