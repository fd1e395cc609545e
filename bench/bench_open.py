"""Open-time benchmark (not a test): opening a large database beside its floor.

    .venv/bin/python bench/bench_open.py --db /tmp/bench-5000x20.sqlite   # builds it once
    .venv/bin/python bench/bench_open.py --patients 200 --visits 8        # quick run

Builds the file with ``bench/bench_storage.py``'s synthetic visits (JSON case files imported
as ``main.py import`` does) unless ``--db`` names an existing one, then prints the median of
``--runs`` fresh opens of each:

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


def build(path: Path, patients: int, visits: int) -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, Repository(path) as repo:
        files = _case_files(Path(tmp), patients, visits, per_file=100)
        for n, case in enumerate(files, 1):
            import_case_file(repo, case, "bench")
            if n % 10 == 0:
                print(f"  built {n * 100:,} of {patients:,} patients "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"built {path} in {time.perf_counter() - started:.0f} s", flush=True)


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
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench-open.sqlite"
    if not path.exists():
        build(path, args.patients, args.visits)

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
