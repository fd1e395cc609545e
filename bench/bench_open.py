"""Open-time benchmark (not a test): opening a large database beside its floor.

    .venv/bin/python bench/bench_open.py --db /tmp/bench-5000x20.sqlite   # builds it once
    .venv/bin/python bench/bench_open.py --patients 200 --visits 8        # quick run

Builds the file with ``bench/bench_storage.py``'s synthetic visits (JSON case files imported
as ``main.py import`` does, then copied under new ids: see :func:`build`) unless ``--db``
names an existing one, then prints the median of ``--runs`` fresh opens of each:

* floor: a bare ``sqlite3.connect`` + ``SELECT count(*) FROM sqlite_master`` + close;
* ``open_database`` (connection settings, cheap checks, schema/migration names) + close;
* ``Repository(path)`` as the GUI and every command open it (adds the stored-scores
  fingerprint check) + close;
* for comparison: ``PRAGMA quick_check`` (what every open ran before) and the full
  ``integrity_check`` (``check``, after a crash, after a restore, the GUI's daily check).

Target: open <= 50 ms at 5,000 patients x 20 visits.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_storage import _case_files  # noqa: E402

from storage.casefile import import_case_file  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.repository import Repository  # noqa: E402


def build(path: Path, patients: int, visits: int, copies: int) -> None:
    """Import ``patients / copies`` patients through the repository (values, audit rows,
    scores), then copy them ``copies - 1`` times with SQL under new ids, so a 5,000 x 20
    file takes a minute instead of half an hour on a shared machine. The copies' audit rows
    repeat the originals' (their hash chain does not verify: this file is for timing opens)."""
    started = time.perf_counter()
    base = max(1, patients // copies)
    with tempfile.TemporaryDirectory() as tmp, Repository(path) as repo:
        for case in _case_files(Path(tmp), base, visits, per_file=50):
            import_case_file(repo, case, "bench")
    print(f"imported {base:,} patients x {visits} visits in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    con = sqlite3.connect(path, isolation_level=None)
    top = {t: con.execute(f"SELECT coalesce(max({c}), 0) FROM {t}").fetchone()[0]
           for t, c in (("patients", "id"), ("visits", "id"), ("medications", "id"),
                        ("adverse_events", "id"), ("audit", "id"))}
    shift = {"patient_id": "patients", "visit_id": "visits", "audit_id": "audit"}
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT IN ('_sqlite_migrations', 'settings', 'drafts', 'visit_signoffs')")]
    con.execute("BEGIN")
    for k in range(1, copies):
        for table in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            exprs = []
            for col in cols:
                if col == "id" and table in top:
                    exprs.append(f"id + {k * top[table]}")
                elif col in shift:
                    exprs.append(f"{col} + {k * top[shift[col]]}")
                elif table == "patients" and col == "study_id":
                    exprs.append(f"study_id || '-{k}'")
                else:
                    exprs.append(f'"{col}"')
            names = ", ".join(f'"{c}"' for c in cols)
            con.execute(f'INSERT INTO "{table}" ({names}) SELECT {", ".join(exprs)} '
                        f'FROM "{table}" WHERE {_original(table, cols, top)}')
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print(f"built {path} in {time.perf_counter() - started:.0f} s", flush=True)


def _original(table: str, cols: list[str], top: dict[str, int]) -> str:
    """Rows of the imported originals only (not earlier copies)."""
    if "id" in cols and table in top:
        return f"id <= {top[table]}"
    for col, parent in (("patient_id", "patients"), ("visit_id", "visits"),
                        ("audit_id", "audit")):
        if col in cols:
            return f"{col} <= {top[parent]}"
    return "1"


def median_ms(fn: Callable[[], None], runs: int) -> float:
    fn()  # warm the page cache the same way for every measure
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="reuse (or build) this file")
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--copies", type=int, default=20,
                        help="import patients/copies patients, then copy them with SQL")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench-open.sqlite"
    if not path.exists():
        build(path, args.patients, args.visits, args.copies)

    def floor() -> None:
        con = sqlite3.connect(path)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.close()

    def opened() -> None:
        open_database(path).close()

    def repository() -> None:
        Repository(path).close()

    def quick_check() -> None:
        con = sqlite3.connect(path)
        con.execute("PRAGMA quick_check(1)").fetchone()
        con.close()

    def integrity() -> None:
        con = sqlite3.connect(path)
        con.execute("PRAGMA integrity_check(1)").fetchone()
        con.close()

    size = path.stat().st_size / 1e6
    con = sqlite3.connect(path)
    visits = con.execute("SELECT count(*) FROM visits").fetchone()[0]
    patients = con.execute("SELECT count(*) FROM patients").fetchone()[0]
    con.close()
    print(f"file: {path} ({size:,.0f} MB, {patients:,} patients, {visits:,} visits)")
    base = median_ms(floor, args.runs)
    print(f"floor: bare sqlite3 connect + SELECT sqlite_master  {base:8.1f} ms")
    for label, fn, runs in (("open_database (cheap checks)", opened, args.runs),
                            ("Repository(path) open + close", repository, args.runs),
                            ("before: PRAGMA quick_check on open", quick_check, 3),
                            ("full integrity_check (check, after crash)", integrity, 1)):
        ms = median_ms(fn, runs)
        print(f"{label:<48} {ms:8.1f} ms  = {ms / base:6.1f}x floor", flush=True)
    target = median_ms(opened, args.runs)
    print(f"target open <= 50 ms: {'met' if target <= 50 else 'NOT met'} ({target:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
