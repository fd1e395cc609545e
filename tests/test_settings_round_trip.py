"""Scoring settings travel with the data (issue 10, section 3).

Before: a database with non-default settings exported to JSON and imported into an empty
file changed 26 follow-up responses (TIS 75 -> 67.5, major -> moderate), silently. Now every
export carries its settings (JSON ``settings``, workbook sheet ``Settings``, REDCap
``scoring_settings.csv``) and an import whose settings differ refuses (exit 2, differences
listed) until ``--settings file`` or ``--settings keep`` chooses.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest

import main
from forms.settings import ScoringSettings, default_ulns, settings_items
from storage.casefile import (
    CaseFileRejected,
    SettingsDiffer,
    export_case_file,
    import_case_file,
)
from storage.demo import add_demo_cohort
from storage.repository import AppSettings, Repository

ACTOR = "test"
#: every setting differs from the default.
CUSTOM = ScoringSettings(tis_muscle_measure="cmas", thresholds="adult",
                         uln_defaults={**default_ulns(), "ck": Decimal(180)})


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _responses(repo: Repository) -> dict[tuple[str, str], dict[str, object]]:
    """(study_id, visit date) -> the stored response values of every follow-up."""
    names = ("tis", "acr_eular_response", "printo_response")
    out = {}
    for p in repo.iter_patients(with_derived=True):
        for v in p.visits:
            derived = repo.get_derived(v.id or 0)
            if "tis" in derived:
                out[(p.study_id, v.visit_date.isoformat())] = {
                    n: derived[n].value for n in names if n in derived}
    return out


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A demo database scored with non-default settings."""
    db = tmp_path / "source.sqlite"
    with Repository(db) as repo:
        add_demo_cohort(repo, ACTOR)
        repo.set_settings(AppSettings(CUSTOM), ACTOR)
    return db


def test_the_settings_change_responses_of_the_demo_cohort(source: Path, tmp_path: Path) -> None:
    """The premise: the same data scored with the default settings gives other responses."""
    with Repository(source) as repo:
        custom = _responses(repo)
        repo.set_settings(AppSettings(ScoringSettings()), ACTOR)
        default = _responses(repo)
    changed = [k for k in custom if custom[k] != default[k]]
    assert len(changed) >= 10, changed


def test_json_export_carries_settings_and_is_owner_only(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    with Repository(source) as repo:
        export_case_file(repo, out)
    doc = json.loads(out.read_text())
    assert doc["settings"] == {"tis_muscle_measure": "cmas", "thresholds": "adult",
                               "uln_ck": 180, "uln_aldolase": 8, "uln_ldh": 250,
                               "uln_ast": 40, "uln_alt": 40}
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_cli_refuses_then_imports_with_the_chosen_settings(
        suffix: str, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = tmp_path / f"all{suffix}"
    argv = ["export", "--db", source, "--out", exported]
    if suffix == ".xlsx":
        argv.append("--identified")
    assert run(capsys, *argv)[0] == 0
    with Repository(source) as repo:
        expected = _responses(repo)

    target = tmp_path / "target.sqlite"
    assert run(capsys, "init", "--db", target)[0] == 0
    code, out, err = run(capsys, "import", "--db", target, exported)
    assert code == 2, out
    lines = err.splitlines()
    assert f"all{suffix}: setting tis_muscle_measure: cmas in the file, mmt8 in this database" \
        in lines
    assert f"all{suffix}: setting thresholds: adult in the file, jdm in this database" in lines
    assert f"all{suffix}: setting uln_ck: 180 in the file, 200 in this database" in lines
    assert any("--settings file" in line and "--settings keep" in line for line in lines)
    assert lines[-1] == f"all{suffix}: not imported (nothing of this file was saved)"
    with Repository(target) as repo:
        assert repo.patient_count() == 0 and repo.scoring_settings() == ScoringSettings()

    code, out, err = run(capsys, "import", "--db", target, "--settings", "file", exported)
    assert code == 0, err
    assert "now uses the file's scoring settings" in out
    with Repository(target) as repo:
        assert repo.scoring_settings() == CUSTOM
        assert _responses(repo) == expected  # every response exactly as in the source


def test_keep_keeps_the_database_settings_and_scores_with_them(
        source: Path, tmp_path: Path) -> None:
    exported = tmp_path / "all.json"
    with Repository(source) as repo:
        export_case_file(repo, exported)
    with Repository(tmp_path / "t.sqlite") as repo:
        with pytest.raises(SettingsDiffer) as refused:
            import_case_file(repo, exported, ACTOR)
        assert len(refused.value.differences) == 3
        assert repo.patient_count() == 0  # rolled back whole
        import_case_file(repo, exported, ACTOR, settings="keep")
        assert repo.scoring_settings() == ScoringSettings()
        kept = _responses(repo)
        repo.set_settings(AppSettings(ScoringSettings()), ACTOR, refresh=True)
        assert _responses(repo) == kept


def test_choosing_file_settings_recomputes_responses_already_in_the_database(
        source: Path, tmp_path: Path) -> None:
    """The file's settings apply to the whole database, not only to the imported visits."""
    target = tmp_path / "t.sqlite"
    with Repository(source) as repo:
        export_case_file(repo, tmp_path / "all.json")
        expected = _responses(repo)
    # the target already holds the same patients, scored with the default settings
    with Repository(target) as repo:
        add_demo_cohort(repo, ACTOR)
        before = _responses(repo)
        assert before != expected
        one = json.loads((tmp_path / "all.json").read_text())
        one["patients"] = one["patients"][:1]
        (tmp_path / "one.json").write_text(json.dumps(one))
        import_case_file(repo, tmp_path / "one.json", ACTOR, settings="file")
        assert _responses(repo) == expected


def test_same_settings_or_none_in_the_file_need_no_choice(source: Path, tmp_path: Path) -> None:
    exported = tmp_path / "all.json"
    with Repository(source) as repo:
        export_case_file(repo, exported)
    with Repository(tmp_path / "t.sqlite") as repo:
        repo.set_settings(AppSettings(CUSTOM), ACTOR)
        import_case_file(repo, exported, ACTOR)  # identical settings: no question
        doc = json.loads(exported.read_text())
        del doc["settings"]  # a file written before settings travelled
        (tmp_path / "old.json").write_text(json.dumps(doc))
        import_case_file(repo, tmp_path / "old.json", ACTOR)


def test_bad_settings_in_a_file_are_named(tmp_path: Path) -> None:
    doc = {"format": "jdm-capture-cases", "version": 1, "patients": [],
           "settings": {"thresholds": "strict", "uln_ck": "lots", "colour": "blue"}}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    with Repository(tmp_path / "t.sqlite") as repo, pytest.raises(CaseFileRejected) as refused:
        import_case_file(repo, tmp_path / "s.json", ACTOR)
    problems = refused.value.problems
    assert any('setting "colour" is not a scoring setting' in p for p in problems)
    assert any("setting thresholds = strict is not one of jdm/adult" in p for p in problems)
    assert any(p.startswith("s.json: setting uln_ck = lots") for p in problems)


def test_workbook_and_redcap_exports_carry_the_settings(source: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    from openpyxl import load_workbook

    assert run(capsys, "export", "--db", source, "--out", tmp_path / "d.xlsx")[0] == 0
    ws = load_workbook(tmp_path / "d.xlsx", read_only=True)["Settings"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["tis_muscle_measure"] == "cmas" and rows["thresholds"] == "adult"
    assert rows["uln_ck"] == 180 and isinstance(rows["uln_ck"], int | float)
    code, _, err = run(capsys, "export", "--db", source, "--redcap", tmp_path / "rc")
    assert code == 0
    with open(tmp_path / "rc" / "scoring_settings.csv", newline="", encoding="utf-8") as fh:
        listed = {r["setting"]: r["value"] for r in csv.DictReader(fh)}
    assert listed == {k: str(v) for k, v in settings_items(CUSTOM).items()}
    assert "scoring_settings.csv" in err  # the administrator is told


def test_bad_settings_sheet_is_named_by_row_and_column(source: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "s.xlsx"
    assert run(capsys, "export", "--db", source, "--out", book, "--identified")[0] == 0
    wb = load_workbook(book)
    ws = wb["Settings"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(row=rows["thresholds"], column=2, value="strict")
    ws.cell(row=rows["uln_ck"], column=2, value="lots")
    wb.save(book)
    from exports.xlsx_import import read_workbook

    errors = [str(e) for e in read_workbook(book).errors]
    assert (f"s.xlsx: sheet Settings, row {rows['thresholds']}, column value: setting "
            "thresholds = strict is not one of jdm/adult") in errors
    assert any(e.startswith(f"s.xlsx: sheet Settings, row {rows['uln_ck']}, column value: "
                            "setting uln_ck = lots") for e in errors), errors
