"""Storage benchmark (not a test): import speed, one-visit save latency, check time.

    .venv/bin/python bench/bench_storage.py                 # 5,000 patients x 20 visits
    .venv/bin/python bench/bench_storage.py --patients 200  # quick run

Prints:

* import: visits/s for JSON case files (files of ``--per-file`` patients, each file one
  transaction, as ``main.py import`` does: parse, validate, write values and audit rows,
  score every visit and compute every follow-up's responses);
* save: median and p99 latency of ``Repository.save_visit`` (one changed value, with its audit
  rows, the visit's scores and the patient's responses) on the full database;
* list: ``Repository.list_patients()`` (the GUI patient list);
* check: ``main.py check`` (integrity_check, foreign_key_check, schema, audit chain);
* the file size.

The synthetic visits carry about 110 entered values each (CMAS, MMT-8, globals, CHAQ, skin
findings, labs with ULN, anthropometry, steroid dose), which is a full clinic visit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# These figures are for plain files (bench/bench_encryption.py compares encrypted ones);
# new files are encrypted unless the documented test option says otherwise.
os.environ.setdefault("JDM_CAPTURE_PLAINTEXT", "1")

from forms import registry  # noqa: E402
from storage.casefile import import_case_file  # noqa: E402
from storage.database import check_database  # noqa: E402
from storage.repository import Repository  # noqa: E402


def _visit(rng: random.Random, day: date, index: int) -> dict[str, object]:
    s = max(0.0, 0.8 - index * 0.04 + rng.uniform(-0.1, 0.1))  # improving on average
    values: dict[str, object] = {
        "weight_kg": round(30 + index * 0.3 + rng.uniform(-1, 1), 1),
        "height_cm": round(135 + index * 0.5, 1),
        "steroid_mg_day": round(max(0.0, 30 - index * 1.5), 1),
        "phys_global": round(min(10.0, 8 * s + rng.uniform(0, 1)), 1),
        "parent_global": round(min(10.0, 7 * s + rng.uniform(0, 1)), 1),
        "extramuscular_global": round(min(10.0, 6 * s), 1),
        "das_skin": int(round(8 * s)), "das_muscle": int(round(10 * s)),
    }
    for name in registry.cmas_item_names():
        top = int(registry.get(name).maximum or 0)
        values[name] = max(0, min(top, int(round(top * (1 - s) + rng.uniform(-0.6, 0.6)))))
    for name in (registry.MMT_AXIAL[0], *registry.mmt8_side_names("r"),
                 *registry.mmt8_side_names("l")):
        values[name] = max(0, min(10, int(round(10 - 6 * s + rng.uniform(-1, 1)))))
    for _dom, (_label, items) in registry.CHAQ_DOMAINS.items():
        for name, _text in items:
            values[name] = max(0, min(3, int(round(3 * s + rng.uniform(-0.7, 0.7)))))
    values["chaq_pain"] = round(6 * s, 1)
    values["chaq_wellbeing"] = round(6 * s, 1)
    for name, _label in registry.SKIN_FINDINGS:
        values[name] = "yes" if rng.random() < s * 0.6 else "no"
    for enzyme, (_l, _h, _w, (_lo, _hi), uln) in registry.ENZYMES.items():
        values[enzyme] = round(uln * (0.5 + 5 * s * rng.uniform(0.5, 1.5)), 1)
        values[f"{enzyme}_uln"] = uln
    values["esr"] = int(5 + 40 * s)
    values["crp"] = round(1 + 10 * s, 1)
    return {"visit_date": day.isoformat(), "visit_label": f"M{3 * index}",
            "values": values}


def _case_files(folder: Path, patients: int, visits: int, per_file: int) -> list[Path]:
    rng = random.Random(20261125)
    files = []
    for start in range(0, patients, per_file):
        batch = []
        for n in range(start, min(patients, start + per_file)):
            first = date(2018, 1, 1) + timedelta(days=n % 700)
            batch.append({
                "study_id": f"B{n:05d}", "sex": "female" if n % 3 else "male",
                "autoantibody": registry.AUTOANTIBODIES[n % len(registry.AUTOANTIBODIES)],
                "identifiers": {"birth_date": (first - timedelta(days=3000 + n % 2000))
                                .isoformat()},
                "visits": [_visit(rng, first + timedelta(days=91 * i), i)
                           for i in range(visits)]})
        path = folder / f"bench-{start:05d}.json"
        path.write_text(json.dumps({"format": "jdm-capture-cases", "version": 1,
                                    "patients": batch}))
        files.append(path)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--per-file", type=int, default=50)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--dir", type=Path, default=None,
                        help="working folder (default: a temporary folder, deleted after)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        db = folder / "bench.sqlite"
        t0 = time.perf_counter()
        files = _case_files(folder, args.patients, args.visits, args.per_file)
        print(f"generated {len(files)} case files in {time.perf_counter() - t0:.1f} s",
              flush=True)
        with Repository(db) as repo:
            t0 = time.perf_counter()
            visits = 0
            for i, path in enumerate(files):
                _case, summary = import_case_file(repo, path, "bench")
                visits += summary.visits
                if (i + 1) % max(1, len(files) // 10) == 0:
                    elapsed = time.perf_counter() - t0
                    print(f"  {visits:,} visits in {elapsed:.0f} s", flush=True)
            import_s = time.perf_counter() - t0
            print(f"import: {visits:,} visits in {import_s:.1f} s = "
                  f"{visits / import_s:,.0f} visits/s", flush=True)

            rng = random.Random(7)
            study_ids = [f"B{rng.randrange(args.patients):05d}" for _ in range(args.saves)]
            latencies = []
            for sid in study_ids:
                patient = repo.get_patient(sid)
                visit = rng.choice(patient.visits)
                old = visit.values.get("cmas_leg_raise", 0)
                visit.values["cmas_leg_raise"] = 1 if old != 1 else 2
                t = time.perf_counter()
                repo.save_visit(sid, visit, "bench")
                latencies.append((time.perf_counter() - t) * 1000)
            latencies.sort()
            p99 = latencies[min(len(latencies) - 1, int(round(0.99 * len(latencies))) - 1)]
            print(f"save_visit: median {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms "
                  f"({len(latencies)} saves of one changed value)", flush=True)

            t = time.perf_counter()
            rows = repo.list_patients()
            print(f"list_patients: {len(rows):,} rows in {(time.perf_counter() - t) * 1000:.0f}"
                  " ms", flush=True)
            audit_rows = repo.db.execute("SELECT count(*) FROM audit_changes").fetchone()[0]
        t = time.perf_counter()
        report = check_database(db)
        check_s = time.perf_counter() - t
        print(f"check: {'healthy' if report.healthy else report.problems} in {check_s:.1f} s",
              flush=True)
        size = sum(p.stat().st_size for p in folder.glob("bench.sqlite*"))
        print(f"database: {size / 1e6:,.0f} MB for {args.patients:,} patients x {args.visits} "
              f"visits ({audit_rows:,} audited field changes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
