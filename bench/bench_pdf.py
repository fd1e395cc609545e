"""Benchmark: the patient PDF in a fresh process against its floor, measured in the same run.

    .venv/bin/python bench/bench_pdf.py [--patients 500] [--visits 8] [--runs 5]

Floor (issue 16): a fresh Python process that imports reportlab and writes a one-page PDF with
the same embedded Latin fonts: DejaVu Sans regular and bold, registered from the same bytes as
the reports, one line drawn in each, so both subsets are embedded as in a report (the page is
compressed in both, reportlab's default).
Figure: ``python -m main report --patient ID --out X.pdf`` on a database of ``--patients``
patients (``--visits`` visits each, the export test factory's realistic values), a fresh
process each time. Both are the median of ``--runs`` runs, interleaved so load on the machine
hits both alike, and both run from bytecode as installed (pip compiles site-packages, the
bundle ships .pyc, the ``jdm-capture`` script imports ``main``): a shell with
PYTHONDONTWRITEBYTECODE=1 would otherwise recompile our modules at every start while
reportlab loads precompiled. (Until 2 Dec 2026 the figure ran ``python main.py``, which
compiles main.py's source, ~7 ms, on every start: no installed copy does that.) Each line
also gives the processes' CPU time (user + system, median) and its ratio, which a loaded
machine disturbs less than wall time; the target is on wall time. The report's font-metrics cache
(``exports.fonts.load_font``) is warm, as on every report after the first; a third figure
gives the report with an empty cache each time (the first report after installing).
A fourth times a patient whose name needs the CJK font (Droid Sans Fallback), which is
registered and subset only then. Target: figure <= 2x floor.
"""

from __future__ import annotations

import argparse
import atexit
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "exports")]
# plain files, like the other benchmarks (new files are encrypted unless this test option is set)
os.environ.setdefault("JDM_CAPTURE_PLAINTEXT", "1")

FLOOR = """
import io, sys
from importlib.resources import files
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
for name, file in (("JDMSans", "DejaVuSans.ttf"), ("JDMSans-Bold", "DejaVuSans-Bold.ttf")):
    data = (files("resources") / "fonts" / file).read_bytes()
    pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
c = canvas.Canvas(sys.argv[1])
c.setFont("JDMSans-Bold", 16)
c.drawString(72, 750, "JDM case summary")
c.setFont("JDMSans", 9)
c.drawString(72, 720, "Study ID P00042, CMAS 44, MMT-8 70")
c.showPage()
c.save()
"""

#: bytecode for the children, kept out of the source tree (see the module docstring)
_PYCACHE = tempfile.mkdtemp(prefix="jdm-bench-pycache-")
atexit.register(shutil.rmtree, _PYCACHE, True)
_FONT_CACHE = tempfile.mkdtemp(prefix="jdm-bench-fonts-")
atexit.register(shutil.rmtree, _FONT_CACHE, True)


def _env(font_cache: str = _FONT_CACHE) -> dict[str, str]:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=_PYCACHE, JDM_CAPTURE_CACHE_DIR=font_cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def make_db(path: Path, patients: int, visits: int) -> None:
    from export_factory import make_patient

    from storage.repository import Repository

    with Repository(path) as repo:
        batch = []
        for i in range(patients):
            p = make_patient(f"P{i:05d}", visits, seed=i + 1)
            if i == 7:
                p.identifiers["given_name"], p.identifiers["family_name"] = "梅", "李"
            batch.append(p)
            if len(batch) == 100:
                repo.import_patients(batch, "bench")
                batch = []
        if batch:
            repo.import_patients(batch, "bench")


STAGES = """
import sys, time
t0 = time.perf_counter()
from exports import rl_import
rl_import.defer_images()  # as main.py's report does
from storage.repository import Repository
t1 = time.perf_counter()
repo = Repository(sys.argv[1])
t2 = time.perf_counter()
patient, settings = repo.get_patient("P00042"), repo.scoring_settings()
from exports import pdf, fonts
t3 = time.perf_counter()
pdf.write_patient_report(patient, sys.argv[2], deidentified=False, settings=settings)
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, fonts.fallback_registered())
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd`` in a fresh process."""
    env = env or _env()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cold_font_cache() -> dict[str, str]:
    """An environment whose font cache is empty (removed and made again before each run)."""
    folder = Path(_FONT_CACHE) / "cold"
    shutil.rmtree(folder, ignore_errors=True)
    return _env(str(folder))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--patients", type=int, default=500)
    ap.add_argument("--visits", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--db", type=Path, help="reuse this database (made if missing)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.sqlite"
        if not db.exists():
            t = time.perf_counter()
            make_db(db, args.patients, args.visits)
            print(f"database: {args.patients} patients x {args.visits} visits "
                  f"({time.perf_counter() - t:.1f} s to build)", flush=True)
        out = Path(tmp) / "out.pdf"
        py = sys.executable
        floor_cmd = [py, "-c", FLOOR, str(out)]
        latin = [py, "-m", "main", "report", "--db", str(db), "--patient", "P00042",
                 "--out", str(out)]
        cjk = [py, "-m", "main", "report", "--db", str(db), "--patient", "P00007",
               "--out", str(out)]
        timed(floor_cmd)  # warm the OS file cache and write the bytecode for both
        timed(latin)
        timed(cjk)
        floors, figures, cjks, colds = [], [], [], []
        for _ in range(args.runs):
            floors.append(timed(floor_cmd))
            figures.append(timed(latin))
            cjks.append(timed(cjk))
            colds.append(timed(latin, cold_font_cache()))
        (floor, figure, cjk_t, cold), (floor_cpu, figure_cpu, cjk_cpu, cold_cpu) = (
            [statistics.median(run[i] for run in x) for x in (floors, figures, cjks, colds)]
            for i in (0, 1))
        stages = []
        for _ in range(args.runs):
            done = subprocess.run([py, "-c", STAGES, str(db), str(out)], cwd=ROOT, check=True,
                                  capture_output=True, text=True, env=_env()).stdout.split()
            stages.append([float(x) for x in done[:4]])
            assert done[4] == "False", "the CJK font was parsed for a Latin-only report"
        med = [statistics.median(col) for col in zip(*stages, strict=True)]
        print(f"floor (python + reportlab + DejaVu regular and bold, one page): median "
              f"{floor:.3f} s of {args.runs} (CPU {floor_cpu:.3f} s)")
        print(f"report --patient ({args.visits} visits, Latin names): median {figure:.3f} s "
              f"= {figure / floor:.2f}x floor (target <= 2x: "
              f"{'met' if figure <= 2 * floor else 'NOT met'}); CPU {figure_cpu:.3f} s "
              f"= {figure_cpu / floor_cpu:.2f}x")
        print(f"report --patient, font cache empty (first report): median {cold:.3f} s "
              f"= {cold / floor:.2f}x floor; CPU {cold_cpu / floor_cpu:.2f}x")
        print(f"report --patient (CJK name, fallback font): median {cjk_t:.3f} s "
              f"= {cjk_t / floor:.2f}x floor; CPU {cjk_cpu / floor_cpu:.2f}x")
        if hasattr(os, "getloadavg"):
            print("load average at the end (1, 5, 15 min): "
                  + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(f"where the report's time goes (median, in-process): import storage "
              f"{med[0]:.3f} s, open the database {med[1]:.3f} s, read the patient + import "
              f"reportlab/exports {med[2]:.3f} s, lay out and write {med[3]:.3f} s")
        return 0 if figure <= 2 * floor else 1


if __name__ == "__main__":
    raise SystemExit(main())
