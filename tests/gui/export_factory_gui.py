"""A patient report PDF for the printing tests (written with the export test factory)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exports"))

from export_factory import make_patient  # noqa: E402

from exports.pdf import write_patient_report  # noqa: E402
from forms.settings import ScoringSettings  # noqa: E402


def report_pdf(folder: Path) -> Path:
    out = folder / "report.pdf"
    write_patient_report(make_patient("P07", 4, seed=7), out, deidentified=False,
                         settings=ScoringSettings())
    return out
