"""Finder benchmark (not a test): ranking the patient list per keystroke at 5,000 patients.

    .venv/bin/python bench/bench_finder.py [--patients 5000]

Types the same keystrokes into (a) the floor: the plain substring filter the list used before
(``gui.models.FilterProxy`` over the same rows) and (b) the ranked finder
(``PatientListPage.set_filter``: ``forms.finder`` ranks every row, the list is reordered
best-first and the top row selected), interleaved in one run, and prints the median and worst
per keystroke of each beside the other and the target (< 100 ms, issue 4). Runs offscreen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TYPED = ["D", "DE", "DEM", "DEMO", "DEMO-", "DEMO-1", "DEMO-13", "", "1", "13", "", "f", "fe",
         "fem", "female", "", "w", "wa", "wan", "wang", "", "王", "王小", "", "2", "20", "202",
         "2024", "2024-0", "", "m", "ma", "maj", "major", ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5000)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from gui.models import FilterProxy, PatientListModel, PatientRow
    from gui.patient_list import PatientListPage

    app = QApplication.instance() or QApplication([])
    rng = random.Random(14)
    family = ["Wang", "Li", "Berg", "Osei", "Garcia", "Smith", "王", "李", "Kim", "Nguyen"]
    given = ["Anna", "Li", "Sam", "Maria", "小明", "Jose", "Aisha", "Tom"]
    rows = [PatientRow(f"DEMO-{i:04d}", rng.choice(["female", "male"]),
                       Decimal(rng.randint(20, 170)) / 10, rng.randint(1, 20),
                       dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 1800)),
                       rng.randint(0, 52), rng.randint(0, 80),
                       rng.choice(["major", "moderate", "minimal", "none", None]), "M6",
                       mrn=f"H{rng.randint(100000, 999999)}", given_name=rng.choice(given),
                       family_name=rng.choice(family)) for i in range(args.patients)]
    page = PatientListPage()
    page.set_rows(rows)
    t = time.perf_counter()
    app.processEvents()  # benchmark only: the list's warm-up after it is shown
    print(f"finder warm-up after the list is shown: {(time.perf_counter() - t) * 1000:.0f} ms")
    floor_model = PatientListModel()
    floor_model.set_rows(rows)
    floor = FilterProxy()
    floor.setSourceModel(floor_model)
    ranked_ms: list[float] = []
    floor_ms: list[float] = []
    for _round in range(3):
        for text in TYPED:
            t = time.perf_counter()
            floor.set_filter_text(text)
            _ = floor.rowCount()
            floor_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            page.set_filter(text)
            _ = page.proxy.rowCount()
            ranked_ms.append((time.perf_counter() - t) * 1000)
    print(f"finder over {args.patients:,} patients, {len(ranked_ms)} keystrokes:")
    print(f"  ranked finder : median {statistics.median(ranked_ms):.1f} ms, "
          f"worst {max(ranked_ms):.1f} ms (target < 100 ms)")
    print(f"  floor (substring filter, same rows, same run): median "
          f"{statistics.median(floor_ms):.1f} ms, worst {max(floor_ms):.1f} ms")
    print(f"  ratio of medians: {statistics.median(ranked_ms) / statistics.median(floor_ms):.2f}x")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
