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
    patient = make_patient("P07", 4, seed=7)
    # the factory's month-1 visit is no protocol visit; as a (short-labelled) flare visit the
    # report keeps its four full pages, which the printing test compares page by page
    patient.visits[1].visit_label = "flare"
    write_patient_report(patient, out, deidentified=False, settings=ScoringSettings())
    return out
