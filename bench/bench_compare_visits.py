"""forms.response.compare_visits speed, before vs after, in one run (not a test).

    .venv/bin/python bench/bench_compare_visits.py            # before = ce900c3 (pre speed-up)
    .venv/bin/python bench/bench_compare_visits.py --before REV

``forms/`` of git revision REV is extracted to a temporary folder; both versions then time
``compare_visits`` on the same inputs (every follow-up visit of the demo cohort against its
baseline) in separate processes, best of 5 rounds, and the script prints ms per call, the
ratio and what 100,000 follow-up visits would cost. It also checks that both versions give
identical results (repr) on those inputs.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import pickle, sys, time
sys.path.insert(0, sys.argv[1])
from forms import response
from forms.settings import ScoringSettings
pairs = pickle.load(open(sys.argv[2], "rb"))
settings = ScoringSettings()
results = [repr(response.compare_visits(b, f, settings)) for b, f in pairs]
best = None
for _ in range(5):
    n = 0
    t0 = time.perf_counter()
    for _ in range(40):
        for b, f in pairs:
            response.compare_visits(b, f, settings)
            n += 1
    ms = (time.perf_counter() - t0) / n * 1000
    best = ms if best is None else min(best, ms)
pickle.dump((best, results), sys.stdout.buffer)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="ce900c3", help="git revision of the old forms/")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from storage.demo import demo_patients

    pairs = []
    for patient in demo_patients():
        base = patient.baseline_visit()
        pairs += [(dict(base.values), dict(v.values)) for v in patient.visits
                  if base is not None and v is not base]
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp, "old")
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "forms"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        data = Path(tmp, "pairs.pkl")
        data.write_bytes(pickle.dumps(pairs))

        def run(tree: Path) -> tuple[float, list[str]]:
            out = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(data)],
                                 check=True, capture_output=True).stdout
            return pickle.loads(out)

        (before, r_before), (after, r_after) = run(old), run(ROOT)
    print(f"compare_visits, {len(pairs)} demo follow-up visits, best of 5 x 40 rounds")
    print(f"before ({args.before}): {before:.3f} ms/call; after (working tree): {after:.3f} "
          f"ms/call; speed-up x{before / after:.2f}")
    print(f"100,000 follow-up visits: {before * 100:.0f} s -> {after * 100:.0f} s")
    print("results identical:", r_before == r_after)


if __name__ == "__main__":
    main()
