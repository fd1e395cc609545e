"""Benchmark: the patient PDF of a record holding very long text (saved before text limits).

    .venv/bin/python bench/bench_long_text.py

Issue 17: a 1 MB visit note made the patient PDF (and so sign-off) run for more than 5 minutes.
Notes now print up to the registry limit (registry.VISIT_NOTES.max_length) in paragraphs that
split across pages linearly, and the rest is named, not printed. This prints, in the same run:

* the floor: the same patient's PDF with no notes;
* a note at the limit (10,000 characters, printed in full);
* a 1 MB note (printed up to the limit);
* a 100-line adverse-event term (200 characters, the most an old file's CHECK allowed: a table
  row split across pages).

Target: every figure within a few times the floor, well under the 1 s PDF target.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "exports")]

from export_factory import make_patient  # noqa: E402

from exports.pdf import write_patient_report  # noqa: E402
from forms import registry  # noqa: E402
from forms.model import AdverseEvent, Patient  # noqa: E402
from forms.settings import ScoringSettings  # noqa: E402


def _time(patient: Patient, out: Path) -> float:
    started = time.perf_counter()
    write_patient_report(patient, out, deidentified=False, settings=ScoringSettings())
    return time.perf_counter() - started


def main() -> None:
    limit = registry.VISIT_NOTES.max_length or 0
    cases: dict[str, Patient] = {}
    cases["floor: no notes"] = make_patient("B01", 8)
    at_limit = make_patient("B01", 8)
    at_limit.visits[0].notes = ("Seen with mother. " * (limit // 18 + 1))[:limit]
    cases[f"note at the limit ({limit:,} chars)"] = at_limit
    huge = make_patient("B01", 8)
    huge.visits[0].notes = ("Seen with mother. " * 60_000)[:1_000_000]
    cases["1 MB note (old data)"] = huge
    tall = make_patient("B01", 8)
    tall.adverse_events.append(AdverseEvent(tall.visits[1].visit_date,
                                            ("x\n" * 100)[:200]))
    cases["100-line adverse-event term (old data)"] = tall
    with tempfile.TemporaryDirectory() as tmp:
        _time(cases["floor: no notes"], Path(tmp) / "warm.pdf")  # fonts loaded once
        floor = None
        for name, patient in cases.items():
            seconds = min(_time(patient, Path(tmp) / "x.pdf") for _ in range(3))
            floor = floor or seconds
            print(f"{name:45s} {seconds:7.3f} s   {seconds / floor:5.1f}x floor")


if __name__ == "__main__":
    main()
