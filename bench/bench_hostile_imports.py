"""Benchmark: hostile import files of up to ~100 MB are answered within seconds, memory flat.

    .venv/bin/python bench/bench_hostile_imports.py          # about 2 minutes on 2 shared cores

Each file is generated in a temporary folder (tests/exports/hostile_xlsx.py for workbooks),
then ``main.py import`` runs on it in a fresh subprocess; the script prints the exit status,
the wall time and the child's peak memory beside a floor measured in the same run:

* workbooks: the floor is bare openpyxl (read-only, values only) iterating the same sheet,
  capped at 60 s (it has no size or row limits: for the zip bomb it would inflate 1.5 GB);
* JSON: the floor is a bare ``json.loads`` of the same bytes.

Issue 10 section 2 asks for an answer within seconds for any file up to 100 MB; issue 17
reported a 1.5 MB workbook imported at 2.9 GB and a 1M-row workbook refused after 9 minutes.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "exports")]

from hostile_xlsx import HEADER, rows_xml, workbook  # noqa: E402

#: peak memory of this process alone (VmHWM; ru_maxrss would include the forking parent's).
PEAK = """
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
"""

CHILD = PEAK + """
import sys, time
sys.path.insert(0, {root!r})
import main
t = time.perf_counter()
code = main.main(["import", "--db", {db!r}, {path!r}])
elapsed = time.perf_counter() - t
print("RESULT", code, elapsed, peak(), file=sys.stderr)
"""

FLOOR_XLSX = PEAK + """
import sys, time
from openpyxl import load_workbook
t = time.perf_counter()
n = 0
try:
    wb = load_workbook({path!r}, read_only=True)
    for ws in wb:
        for _row in ws.iter_rows(values_only=True):
            n += 1
            if time.perf_counter() - t > 60:
                break
except Exception:  # bare openpyxl raises on hostile cells: the time until then
    pass
print("RESULT", n, time.perf_counter() - t, peak(), file=sys.stderr)
"""

FLOOR_JSON = PEAK + """
import json, sys, time
data = open({path!r}, "rb").read()
t = time.perf_counter()
try:
    json.loads(data)
except (ValueError, RecursionError):
    pass
print("RESULT", 0, time.perf_counter() - t, peak(), file=sys.stderr)
"""


def run(script: str, timeout: float = 900) -> tuple[str, float, int, str]:
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("RESULT"))
    _, code, elapsed, rss = line.split()
    first = next((x for x in proc.stderr.splitlines() if not x.startswith("RESULT")), "")
    return code, float(elapsed), int(rss), first


def report(name: str, path: Path, db: Path, floor: str) -> None:
    size = path.stat().st_size / 2**20
    code, elapsed, rss, message = run(CHILD.format(root=str(ROOT), db=str(db), path=str(path)))
    _, f_elapsed, f_rss, _ = run(floor.format(path=str(path)))
    print(f"{name:<34} {size:7.1f} MB  exit {code}  {elapsed:6.2f} s  {rss:6,} MB peak   "
          f"floor {f_elapsed:6.2f} s {f_rss:6,} MB")
    print(f"{'':<36}{message[:150]}")


def patients_rows(n: int) -> list[list[object]]:
    return [["study_id", "sex"], *([f"P{i:07d}", "female"] for i in range(n))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        db = t / "clinic.sqlite"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "init", "--db", str(db)],
                       check=True, capture_output=True)
        print(f"{'file':<34} {'size':>10}  {'':6}  {'time':>8}  {'memory':>12}   floor "
              "(same file, same run)")

        chunk = " " * (1 << 20)
        bomb = workbook(t / "bomb.xlsx", {"Patients": [HEADER, "<sheetData>",
                                                       *([chunk] * 1536),
                                                       "</sheetData></worksheet>"]})
        report("zip bomb (1.5 GB sheet)", bomb, db, FLOOR_XLSX)

        million = workbook(t / "million.xlsx", {"Patients": [
            HEADER, "<sheetData>", *rows_xml(patients_rows(1_000_000)),
            "</sheetData></worksheet>"]})
        report("1M valid patient rows", million, db, FLOOR_XLSX)

        unknown = workbook(t / "unknown.xlsx", {
            "Patients": [HEADER, "<sheetData>", *rows_xml(patients_rows(1)),
                         "</sheetData></worksheet>"],
            "Visits": [HEADER, "<sheetData>", *rows_xml(
                [["study_id", "visit_date"],
                 *([f"X{i}", "2021-01-04"] for i in range(200_000))]),
                "</sheetData></worksheet>"]})
        report("200k visit rows, unknown patients", unknown, db, FLOOR_XLSX)

        nan_rows = [["study_id", "visit_date", "phys_global"],
                    *([f"P{i:07d}", "2021-01-04", ("raw", "n", "NaN")] for i in range(200_000))]
        nan = workbook(t / "nan.xlsx", {
            "Patients": [HEADER, "<sheetData>", *rows_xml(patients_rows(1)),
                         "</sheetData></worksheet>"],
            "Visits": [HEADER, "<sheetData>", *rows_xml(nan_rows),
                       "</sheetData></worksheet>"]})
        report("200k NaN number cells", nan, db, FLOOR_XLSX)

        damaged = workbook(t / "damaged.xlsx", {"Patients": [
            HEADER, "<sheetData>", *rows_xml(patients_rows(45_000)), "<row><c"]})
        report("45k rows then damaged XML", damaged, db, FLOOR_XLSX)

        bad = t / "bad.json"
        bad.write_text(json.dumps({"format": "jdm-capture-cases", "version": 1, "patients": [
            {"study_id": f"P{i}", "sex": "x", "visits": [
                {"visit_date": "2021-01-04", "values": {"phys_global": 99}}]}
            for i in range(900_000)]}))
        report("100 MB JSON, every patient bad", bad, db, FLOOR_JSON)

        deep = t / "deep.json"
        deep.write_text("[" * 100_000_000)
        report("100 MB JSON nested [[[[", deep, db, FLOOR_JSON)

    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - t0:.0f} s")
