"""Exit codes and temporary files of the command line (issue 17, "Resource and exit-code
limits"): exit 2 with the problem named, never "unexpected error"; interrupted work leaves no
readable patient data behind."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage import casefile

PRIVATE_DIR_NAME = ".jdm-capture-tmp"  # storage.tempfiles (not imported: runs on old code)

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=180, check=False,
                          **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "clinic.sqlite"
    assert _cli("init", "--db", db).returncode == 0
    assert _cli("demo", "--db", db).returncode == 0
    return db


def _refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert words in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args, name", [
    (("export", "--out"), "x.json"), (("export", "--out"), "x.xlsx"),
    (("report", "--patient", "DEMO-01", "--out"), "x.pdf"), (("backup", "--out"), "x.sqlite"),
    (("export", "--template"), "x.xlsx")])
def test_out_naming_a_folder_is_refused(demo_db: Path, tmp_path: Path, args: tuple[str, ...],
                                        name: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    _refused(_cli(*args, folder, "--db", demo_db), "is a folder")


def test_a_lone_surrogate_in_a_case_file_is_refused_naming_the_place(demo_db: Path,
                                                                     tmp_path: Path) -> None:
    doc = {"format": casefile.FORMAT, "version": casefile.VERSION, "patients": [
        {"study_id": "P99", "sex": "female", "visits": [
            {"visit_date": "2021-03-04", "visit_label": "M3", "values": {},
             "notes": "a\ud800b"}]}]}
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(doc))
    result = _cli("import", "--db", demo_db, path)
    _refused(result, "patient P99, visit 2021-03-04 (M3): notes contains a character that "
                     "is not valid Unicode")


def test_a_lone_surrogate_in_a_text_field_is_refused() -> None:
    from forms import validation

    value, problems = validation.check_field("assessor", "Dr \ud800")
    assert value is None and "not valid Unicode" in problems[0].message
    problems[0].message.encode("utf-8")  # the message itself can be printed


def test_an_integer_of_more_than_4300_digits_is_refused(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    doc = {"format": casefile.FORMAT, "version": casefile.VERSION, "patients": [
        {"study_id": "P98", "sex": "female", "visits": [
            {"visit_date": "2021-03-04", "visit_label": "M3", "values": {"cmas_leg_raise": 0}}
        ]}]}
    path.write_text(json.dumps(doc).replace('"cmas_leg_raise": 0',
                                            '"cmas_leg_raise": ' + "7" * 5000))
    result = _cli("import", "--db", demo_db, path)
    _refused(result, "cmas_leg_raise = 7777")
    assert "(5,000 characters)" in result.stderr


def test_check_into_a_closed_pipe_exits_quietly(demo_db: Path) -> None:
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "check", "--db",
                              str(demo_db)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # `| head -1` that has already gone
    err = child.stderr.read()
    child.stderr.close()
    assert child.wait(timeout=120) == 0  # the check's own verdict: healthy
    assert err == b""


def test_check_piped_into_head_prints_one_line(demo_db: Path) -> None:
    result = subprocess.run(f"'{sys.executable}' main.py check --db '{demo_db}' | head -1",
                            shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.stdout.count("\n") == 1 and "ok" in result.stdout
    assert result.stderr == ""


_KILL_AT_RENAME = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[1])
    real = os.replace
    def killed(src, dst):
        if str(dst).endswith(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst)
    os.replace = killed
    import main
    sys.exit(main.main(sys.argv[3:]))
""")


@pytest.mark.parametrize("args, name", [(("backup", "--out"), "b.sqlite"),
                                        (("export", "--out"), "x.json"),
                                        (("export", "--identified", "--out"), "x.xlsx")])
def test_interrupted_work_leaves_no_readable_patient_data(demo_db: Path, tmp_path: Path,
                                                          args: tuple[str, ...],
                                                          name: str) -> None:
    out = tmp_path / "out" / name
    out.parent.mkdir()
    system_tmp = tmp_path / "system-tmp"  # the child's /tmp (tempfile reads TMPDIR)
    system_tmp.mkdir()
    done = subprocess.run([sys.executable, "-c", _KILL_AT_RENAME, str(ROOT), name,
                           *args, str(out), "--db", str(demo_db)], cwd=ROOT,
                          env={**os.environ, "TMPDIR": str(system_tmp)},
                          capture_output=True, timeout=180, check=False)
    assert done.returncode == -signal.SIGKILL
    assert not out.exists()
    beside = [p for p in out.parent.iterdir() if p.name != PRIVATE_DIR_NAME]
    assert beside == []  # no .partial next to the target
    private = out.parent / PRIVATE_DIR_NAME
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert list(system_tmp.iterdir()) == []  # no openpyxl sheet files in /tmp
    assert any(private.iterdir())  # the killed run's copy is there, owner-only ...
    # ... and the next run in that folder sweeps it
    result = _cli(*args, out, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    assert not private.exists()  # swept, and the empty private folder removed
    assert out.exists()


def test_openpyxl_sheet_files_go_to_the_private_folder(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from exports.common import written_atomically

    seen: list[Path] = []
    with written_atomically(tmp_path / "x.xlsx", ".xlsx") as tmp:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Visits")
        ws.append(["P01", "private"])
        seen.append(Path(ws._writer.out))  # the sheet's temporary file, holding the rows
        assert seen[0].parent == tmp_path / PRIVATE_DIR_NAME
        assert seen[0].name.startswith(f"p{os.getpid()}-openpyxl.")
        wb.save(tmp)
    assert (tmp_path / "x.xlsx").exists()
