"""Every speed target of issue 16 in one run, one benchmark after the other (the README's
Benchmarks table is updated from one such run).

    .venv/bin/python bench/bench_all.py [--out bench-run.txt] [--gui-db /tmp/bench-gui-5000.sqlite]
                                        [--skip suite]

Runs, in this order, each in its own process and each printing its figures beside the floor it
measures in the same run: ``bench_pdf.py`` (the patient PDF in a fresh process),
``bench_gui.py`` (process start to a usable list of 5,000 patients, the list filter, a visit
save; the file is built once and reused), ``bench_open.py`` on that same file,
``bench_import.py --patients 100``,
``bench_exports.py --sizes "" --db-sizes 500x8`` and ``bench_suite.py`` (the test suite). The
whole output, with the date, the commit and the load average before each script, goes to the
terminal and to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _steps(gui_db: Path) -> list[tuple[str, list[str]]]:
    return [
        ("pdf", ["bench/bench_pdf.py"]),
        ("gui", ["bench/bench_gui.py", "--db", str(gui_db)]),
        ("open", ["bench/bench_open.py", "--db", str(gui_db)]),
        ("import", ["bench/bench_import.py", "--patients", "100"]),
        ("exports", ["bench/bench_exports.py", "--sizes", "", "--db-sizes", "500x8"]),
        ("suite", ["bench/bench_suite.py"]),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-run.txt"))
    parser.add_argument("--gui-db", type=Path, default=Path("/tmp/bench-gui-5000.sqlite"))
    parser.add_argument("--skip", nargs="*", default=[], help="step names to leave out")
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    failed = []
    with args.out.open("w", encoding="utf-8") as log:
        def say(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()
            log.write(text)
            log.flush()

        say(f"bench_all {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, "
            f"{os.cpu_count()} cores\n")
        for name, command in _steps(args.gui_db):
            if name in args.skip:
                continue
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            say(f"\n=== {name}: {' '.join(command)} (load average {load})\n")
            child = subprocess.Popen([sys.executable, *command], cwd=ROOT, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            assert child.stdout is not None
            for line in child.stdout:
                say(line)
            if child.wait() != 0:
                failed.append(name)
                say(f"=== {name} exited with {child.returncode}\n")
        say(f"\nbench_all done; exited non-zero (a target not met, or an error): "
            f"{', '.join(failed) or 'none'}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
