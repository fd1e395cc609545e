"""Benchmark of the test suite itself (issue 16: <= 3 min on this 2-core machine, no test dropped).

    python3 bench/bench_suite.py            # runs `python3 dev.py test`, as CI and the README do
    python3 bench/bench_suite.py -- -k cli  # extra arguments after -- go to pytest

Prints the wall time of the whole command against the target, the CPU time of everything it
ran (pytest's workers and every child process the tests start), the least wall time that CPU
could take on this machine's cores (its floor: the suite cannot beat it by scheduling alone),
the number of tests, and the files that took longest (from pytest's JUnit XML: where to look
next). The machine's load average before and after is printed too: compare runs made at
similar load.
"""

from __future__ import annotations

import collections
import os
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 180.0


def _per_file(junit: Path) -> tuple[int, collections.Counter[str]]:
    per: collections.Counter[str] = collections.Counter()
    count = 0
    for case in ET.parse(junit).getroot().iter("testcase"):
        count += 1
        module = ".".join(p for p in (case.get("classname") or "?").split(".")
                          if not p[:1].isupper())
        per[module.replace(".", "/") + ".py"] += float(case.get("time") or 0)
    return count, per


def main(argv: list[str]) -> int:
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="jdm-bench-suite-") as tmp:
        junit = Path(tmp) / "junit.xml"
        load_before = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "dev.py"), "test", "-q",
                               "-p", "no:cacheprovider", f"--junitxml={junit}", *extra],
                              cwd=ROOT, check=False, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_after = os.getloadavg()
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        tail = done.stdout.strip().splitlines()[-1:] or [""]
        count, per = _per_file(junit) if junit.exists() else (0, collections.Counter())
    floor = cpu / (cores or 1)
    print(f"pytest: {tail[0]}")
    for line in done.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            print(f"  {line}")
    print(f"tests: {count}   exit code {done.returncode}")
    print(f"wall: {wall:.1f} s   target <= {TARGET_S:.0f} s   "
          f"{'met' if wall <= TARGET_S and done.returncode == 0 else 'NOT met'} "
          f"({wall / TARGET_S:.2f}x the target)")
    print(f"CPU: {cpu:.1f} s on {cores} cores: floor {floor:.1f} s (the wall time of that CPU "
          f"on every core at once); wall / floor = {wall / floor:.2f}x")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print("slowest files (sum of their tests' setup + call + teardown):")
    for name, seconds in per.most_common(12):
        print(f"  {seconds:7.1f} s  {name}")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
