"""The CJK fallback font is parsed only when a report prints a character DejaVu lacks (issue
16: parsing Droid Sans Fallback cost 0.37 s on every report). Each case runs in a fresh
process, since a font registered once stays registered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from export_factory import make_patient
from exports import fonts
from exports.pdf import write_patient_report
from forms.settings import ScoringSettings
p = make_patient("P1", 4, seed=1, given_name={given!r}, family_name="Li")
write_patient_report(p, sys.argv[1], deidentified=False, settings=ScoringSettings())
print(fonts.fallback_registered())
"""


def _run(tmp_path: Path, given: str) -> tuple[str, str]:
    code = SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests" / "exports"), given=given)
    out = tmp_path / "r.pdf"
    result = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    return result.stdout.strip(), text


def test_latin_report_does_not_parse_the_cjk_font(tmp_path: Path) -> None:
    registered, text = _run(tmp_path, "Zoë")
    assert registered == "False"
    assert "Zoë" in text


def test_cjk_name_registers_it_and_prints(tmp_path: Path) -> None:
    registered, text = _run(tmp_path, "梅")
    assert registered == "True"
    assert "梅" in text
