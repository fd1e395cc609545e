"""The headless command line (main.py): exit codes, messages, no Qt, default database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _case_file(path: Path, study_id: str = "P07", leg_raise: int = 2) -> Path:
    path.write_text(json.dumps({
        "format": "jdm-capture-cases", "version": 1,
        "patients": [{"study_id": study_id, "sex": "female",
                      "identifiers": {"birth_date": "2010-04-12"},
                      "visits": [{"visit_date": "2021-03-04", "visit_label": "M3",
                                  "values": {"cmas_leg_raise": leg_raise,
                                             "phys_global": 3.5}}]}]}))
    return path


def test_init_creates_then_reports_up_to_date(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite"
    code, out, _ = run(capsys, "init", "--db", db)
    assert code == 0 and "created" in out
    code, out, _ = run(capsys, "init", "--db", db)
    assert code == 0 and "up to date" in out


def test_db_option_before_the_command(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "first.sqlite"
    assert run(capsys, "--db", db, "init")[0] == 0
    assert db.exists()


def test_env_variable_sets_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "from-env.sqlite"
    monkeypatch.setenv("JDM_CAPTURE_DB", str(db))
    assert run(capsys, "init")[0] == 0
    assert db.exists()


def test_default_is_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    from storage.database import default_db_path

    monkeypatch.delenv("JDM_CAPTURE_DB", raising=False)
    path = default_db_path()
    assert path.parent == Path(platformdirs.user_data_dir("jdm-capture", appauthor=False))
    assert path.name == "jdm-capture.sqlite"


def test_demo_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.sqlite"
    code, out, _ = run(capsys, "demo", "--db", db)
    assert code == 0 and "added 13" in out
    code, out, _ = run(capsys, "demo", "--db", db)
    assert code == 0 and "nothing added" in out


def test_import_good_and_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "i.sqlite"
    run(capsys, "init", "--db", db)
    good = _case_file(tmp_path / "good.json")
    bad = _case_file(tmp_path / "cases.json", "P08", leg_raise=3)
    code, out, err = run(capsys, "import", "--db", db, good, bad)
    assert code == 2
    assert "good.json: imported 1 patients" in out
    assert ("cases.json: patient P08, visit 2021-03-04 (M3): cmas_leg_raise = 3 is out of "
            "range 0-2") in err.splitlines()
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("SELECT study_id FROM patients")] == ["P07"]
    con.close()


def test_export_json_round_trip_and_check(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    assert run(capsys, "demo", "--db", a)[0] == 0
    out_json = tmp_path / "all.json"
    code, out, _ = run(capsys, "export", "--db", a, "--out", out_json)
    assert code == 0 and "13 patients" in out
    assert run(capsys, "init", "--db", b)[0] == 0
    assert run(capsys, "import", "--db", b, out_json)[0] == 0
    code, out, _ = run(capsys, "check", "--db", b)
    assert code == 0 and "ok" in out and "13 patients" in out


def test_export_refuses_other_suffixes(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.sqlite"
    run(capsys, "init", "--db", db)
    code, _, err = run(capsys, "export", "--db", db, "--out", tmp_path / "x.csv")
    assert code == 2 and "choose a .json" in err


def test_reading_commands_refuse_a_missing_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.sqlite"
    for argv in (["check"], ["backup", "--out", tmp_path / "b.sqlite"],
                 ["export", "--out", tmp_path / "x.json"],
                 ["report", "--cohort", "--out", tmp_path / "c.pdf"],
                 # a mistyped --db must not become a new file full of identifiable data
                 ["import", _case_file(tmp_path / "g.json")],
                 ["import", "--settings", "file", _case_file(tmp_path / "h.json")]):
        code, _, err = run(capsys, *argv, "--db", missing)
        assert code == 2, argv
        assert "no database at" in err.lower() or "there is no database" in err.lower()
    assert not missing.exists()
    assert not list(tmp_path.glob("none.sqlite*"))


def test_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("hello " * 1000)
    for argv in (["check"], ["import", _case_file(tmp_path / "g.json")], ["init"]):
        code, _, err = run(capsys, *argv, "--db", junk)
        assert code == 2, argv
        assert len(err.strip().splitlines()) == 1
        assert err.startswith("junk.sqlite is not a JDM Capture database"), err


def test_check_finds_damage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "k.sqlite"
    run(capsys, "demo", "--db", db)
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("INSERT INTO visits (patient_id, visit_date) VALUES (999, '2020-01-01')")
    con.commit()
    con.close()
    code, _, err = run(capsys, "check", "--db", db)
    assert code == 2
    assert "foreign key: visits row" in err


def test_check_finds_corruption(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "corrupt.sqlite"
    run(capsys, "demo", "--db", db)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 12)):  # scribble over some pages
        data[offset] = (data[offset] * 7 + 13) % 256
    db.write_bytes(bytes(data))
    code, _, err = run(capsys, "check", "--db", db)
    assert code == 2
    assert "is damaged" in err or "integrity:" in err, err


def test_backup_is_a_healthy_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, copy = tmp_path / "live.sqlite", tmp_path / "copy.sqlite"
    run(capsys, "demo", "--db", db)
    code, out, _ = run(capsys, "backup", "--db", db, "--out", copy)
    assert code == 0 and "backed up" in out
    assert run(capsys, "check", "--db", copy)[0] == 0
    con = sqlite3.connect(copy)
    assert con.execute("SELECT count(*) FROM patients").fetchone()[0] == 13
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()


def test_report_unknown_patient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "r.sqlite"
    run(capsys, "init", "--db", db)
    code, _, err = run(capsys, "report", "--db", db, "--patient", "NOPE", "--out",
                       tmp_path / "r.pdf")
    assert code == 2 and "NOPE" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "bogus")[0] == 2
    assert run(capsys, "report", "--cohort")[0] == 2  # --out missing
    assert run(capsys, "--help")[0] == 0


def test_unexpected_failure_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_args: object) -> int:
        raise ZeroDivisionError("simulated bug")
    monkeypatch.setattr(main, "cmd_check", boom)
    db = tmp_path / "x.sqlite"
    run(capsys, "init", "--db", db)
    code, _, err = run(capsys, "check", "--db", db)
    assert code == 1 and "unexpected error: ZeroDivisionError: simulated bug" in err


def test_subcommands_do_not_import_qt(tmp_path: Path) -> None:
    """init/demo/import/export/check/backup run headless: PySide6 is never imported."""
    db = tmp_path / "q.sqlite"
    case = _case_file(tmp_path / "q.json")
    script = (
        "import sys, main\n"
        f"db = {str(db)!r}\n"
        "codes = [main.main(a) for a in (['init', '--db', db], ['demo', '--db', db],\n"
        f"        ['import', '--db', db, {str(case)!r}],\n"
        f"        ['export', '--db', db, '--out', {str(tmp_path / 'e.json')!r}],\n"
        f"        ['backup', '--db', db, '--out', {str(tmp_path / 'b.sqlite')!r}],\n"
        "        ['check', '--db', db])]\n"
        "print(codes, 'PySide6' in sys.modules, 'shiboken6' in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, env=env, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0, 0, 0] False False"


def test_no_subcommand_starts_the_gui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []

    def fake_gui(path: Path) -> int:
        seen.append(path)
        return 0
    monkeypatch.setattr(main, "run_gui", fake_gui)
    assert main.main(["--db", str(tmp_path / "g.sqlite")]) == 0
    assert seen == [tmp_path / "g.sqlite"]
