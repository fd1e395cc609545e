"""How ``main.py report`` runs as its own process (issue 16): the collector is paused for one
patient's report and the process ends as soon as the report is written (atexit handlers run,
no interpreter teardown), Pillow is loaded only when a bitmap is drawn; in-process callers
(tests) get the collector back as it was and main() returns to them."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

import main
from exports import rl_import

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "exports"))
from export_factory import make_patient  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from storage.repository import Repository

    path = tmp_path_factory.mktemp("report") / "r.sqlite"
    with Repository(path) as repo:
        repo.import_patients([make_patient("P1", 4, seed=3)], "test")
    return path


def _env() -> dict[str, str]:
    return dict(os.environ, JDM_CAPTURE_PLAINTEXT="1")


def test_in_process_main_leaves_the_collector_as_it_was(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    out = tmp_path / "p.pdf"
    assert main.main(["report", "--db", str(db), "--patient", "P1", "--out", str(out)]) == 0
    assert gc.isenabled() and gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
    assert "P1" in pypdf.PdfReader(out).pages[0].extract_text()


PROBE = """
import atexit, gc, sys
sys.path.insert(0, {root!r})
seen = []
gc.callbacks.append(lambda phase, info: phase == "start" and seen.append(info["generation"]))
import main
during, collecting, command = [], [], main._main
def counted(args):
    start = len(seen)
    collecting.append(gc.isenabled())  # while the command runs
    try:
        return command(args)
    finally:
        during.append(len(seen) - start)
main._main = counted
def at_exit():  # atexit handlers still run when main() ends the process itself
    print(during[0], gc.isenabled(), "PIL.ExifTags" in sys.modules, collecting[0],
          file=sys.stderr)
atexit.register(at_exit)
status = main.main()
print("main() returned", status, file=sys.stderr)
sys.exit(status)
"""


def test_report_process_pauses_the_collector_and_defers_pillow(db: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "p.pdf"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=str(ROOT)), "report", "--db", str(db),
         "--patient", "P1", "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, env=_env(), check=False)
    assert done.returncode == 0, done.stderr
    assert "main() returned" not in done.stderr  # the process ended in main(), at once
    collections, enabled, pillow, collecting = done.stderr.split()[-4:]
    assert collecting == "False" and collections == "0"  # no collection while it was made
    assert enabled == "True"
    assert pillow == "False"  # the report drew no bitmap: Pillow's Image was never loaded
    assert "wrote the case summary of P1" in done.stdout
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "JDM case summary" in text and "P1" in text


def test_cohort_report_keeps_the_collector(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.pdf"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=str(ROOT)), "report", "--db", str(db),
         "--cohort", "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, env=_env(), check=False)
    assert done.returncode == 0, done.stderr
    assert "main() returned" not in done.stderr
    # any number of patients: the collector runs, and collects cycles as they go (how often
    # depends on how much the report allocates: one patient's cohort report may need none)
    collecting = done.stderr.split()[-1]
    assert collecting == "True"
    assert out.stat().st_size > 0


DEFERRED = """
import sys
sys.path.insert(0, {root!r})
from exports import rl_import
assert rl_import.defer_images()
assert not rl_import.defer_images()  # once
import reportlab.lib.utils as utils
assert "PIL.ExifTags" not in sys.modules and utils.haveImages
from reportlab.lib.utils import ImageReader
reader = ImageReader(sys.argv[1])  # the first use loads the real module
assert reader.getSize() == (3, 2), reader.getSize()
from PIL import Image
assert isinstance(Image.open(sys.argv[1]), Image.Image)
print("ok")
"""


def test_deferred_pillow_loads_on_first_use(tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "i.png"
    Image.new("RGB", (3, 2), (200, 10, 10)).save(png)
    done = subprocess.run([sys.executable, "-c", DEFERRED.format(root=str(ROOT)), str(png)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_defer_images_is_a_no_op_once_pillow_is_loaded() -> None:
    import PIL.Image  # noqa: F401

    assert rl_import.defer_images() is False


def test_a_refused_report_exits_with_its_status_and_message(db: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "main", "report", "--db", str(db), "--patient", "NOPE",
         "--out", str(tmp_path / "n.pdf")],
        capture_output=True, text=True, cwd=ROOT, env=_env(), check=False)
    assert done.returncode == 2, done.stderr
    assert "NOPE" in done.stderr
    assert not (tmp_path / "n.pdf").exists()


def test_report_output_survives_a_pipe(db: Path, tmp_path: Path) -> None:
    """stdout is a pipe (buffered): what the command printed is flushed before the end."""
    out = tmp_path / "p.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "main", "report", "--db", str(db), "--patient", "P1",
         "--out", str(out)], capture_output=True, text=True, cwd=ROOT, env=_env(), check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote the case summary of P1 to {out}\n"
    assert not list(tmp_path.glob("*.partial*")) and out.read_bytes().rstrip().endswith(b"%%EOF")
    assert not [p for p in db.parent.iterdir() if p.name.endswith(("-wal", "-shm"))]
