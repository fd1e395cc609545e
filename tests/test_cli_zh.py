"""The command line in Chinese: every subcommand run as a nurse would, in its own process.

Runs ``main.py`` in a subprocess with ``JDM_CAPTURE_LANG=zh_CN`` through a clinic's day on the
command line: ``--help`` of the program and of every subcommand, ``init``, ``demo``, ``check``
(with a receipt), ``report`` (patient and cohort), ``export`` (case file, workbooks, REDCap,
template), ``import`` of a good file and of files with a bad row (case file and workbook),
``backup`` / ``restore``, an encrypted database with its accounts (the investigators who sign
visits off), key slots, a new recovery key and a recovery, and the usual mistakes (missing
database, wrong file name, unknown choice, missing argument). Every line on stdout and stderr
is read; any word in Latin letters outside :data:`ALLOWED` (codes and abbreviations as
clinicians write them, command and option names typed as they are, field names, sheet names
of the file format) fails the test, naming the command and the line.

It also checks how the command line chooses its language: ``--lang``, else
``$JDM_CAPTURE_LANG``, else the language picked in the GUI's settings, else the system locale.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

import main
from forms import i18n, registry

# slow: runs many child processes or dialogs (run first: tests/conftest.py)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

#: words that stay in Latin letters in Chinese output: instrument and lab abbreviations, units,
#: product and format names, the options' metavariables of argparse's usage line.
ALLOWED = set("""
CMAS MMT CHAQ CDASI TIS PRINTO ACR EULAR CID DAS CK ULN LDH AST ALT ESR CRP IgG MRI VAS MDAAT
CHQ PF PhS PhGA PtGA EMGA DI IMACS JDM JAK IVMP CTCAE MedDRA TIF NXP MDA SAE SRP HMGCR Jo
Capture JSON Excel REDCap PDF SQLite SQLCipher db xlsx json pdf csv Kendall UTC CST GMT kg cm mg
mL ug IU mm h dL uL L U g m na MiB KiB MB DEMO argon2id MRN ID Ctrl
""".split())  # noqa: SIM905 - a word list is easier to read and extend

#: what a user types as it is: subcommands, option names, choices, environment variables,
#: the workbook's sheet names (file format), the names the CLI gives its files.
TYPED = set("""
jdm-capture init encrypt accounts keys recovery-key recover demo import export report check
backup restore list add remove password role data_entry investigator administrator file keep
en zh_CN history audit-trail data schema Patients Visits Medications Missing Adverse Settings
Dictionary events backups recovery thresholds derived settings drafts anchor signoff
""".split())  # noqa: SIM905
#: REDCap's own menu names and the labels of its missing-data codes, quoted as REDCap shows
#: them (the export's note tells the administrator where to declare the codes)
REDCAP = set("""
Project Setup Additional customizations Missing Data Codes ND Not done NASS assessable UNK
Unknown
""".split())  # noqa: SIM905

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_./'-]*")
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
_PATH = re.compile(r"[A-Za-z0-9_.~-]*/[A-Za-z0-9_./-]*")


def _codes() -> set[str]:
    codes: set[str] = set()
    for f in registry.FIELDS:
        codes.add(f.name)
        codes.update(str(c.code) for c in f.choices)
    return codes


CODES = _codes()


def english_words(text: str, data: set[str]) -> list[str]:
    """Latin-letter words of ``text`` a Chinese reader would have to read as English."""
    found = []
    text = _OPTION.sub(" ", text)  # --option names and -h are typed as they are
    text = _PATH.sub(" ", text)  # file paths
    for raw in _WORD.findall(text):
        word = raw.strip(".'-/")
        if len(word) < 2 or word in data or word in CODES or word in TYPED or word in REDCAP:
            continue
        if any(ch.isdigit() or ch == "_" for ch in word) or "." in word or "/" in word:
            continue  # codes (M3, DEMO-01, cmas_leg_raise), file names and paths
        parts = [p for p in re.split(r"[-']", word) if p]
        if all(p in ALLOWED or p.upper() in ALLOWED or p in TYPED or len(p) < 2 for p in parts):
            continue
        found.append(word)
    return found


class Cli:
    """Runs ``main.py`` in Chinese and collects every English word it prints."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("JDM_CAPTURE_", "LC_", "LANG"))}
        self.env.update({
            "JDM_CAPTURE_LANG": "zh_CN", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
            "JDM_CAPTURE_INSECURE_FAST_KDF": "1", "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_DATA_HOME": str(tmp / "data"), "COLUMNS": "100",
        })
        self.problems: list[str] = []
        self.lines = 0
        # the tmp folder's name, the names and typed mistakes of this test
        self.data = {w for w in _WORD.findall(str(tmp))} | {
            "Ada", "Admin", "Bob", "Investigator", "ada", "bob", "two", "NOPE", "rename", "fr",
            "frobnicate", "Dose"}

    def run(self, *argv: str | Path, expect: int = 0, plain: bool = True,
            env: dict[str, str] | None = None) -> str:
        run_env = dict(self.env, **(env or {}))
        if plain:
            run_env["JDM_CAPTURE_PLAINTEXT"] = "1"
        args = [str(a) for a in argv]
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=self.tmp,
                              env=run_env, capture_output=True, text=True, encoding="utf-8",
                              timeout=120, check=False, stdin=subprocess.DEVNULL)
        command = " ".join(a.replace(str(self.tmp), "") for a in args)
        assert done.returncode == expect, (command, done.returncode, done.stdout, done.stderr)
        text = done.stdout + done.stderr
        key_line = False
        for line in text.splitlines():
            self.lines += 1
            if key_line or line.startswith("    ") and re.fullmatch(r"\s+[A-Z0-9-]+", line):
                key_line = False
                continue  # the recovery key itself
            bad = english_words(line.replace(str(self.tmp), ""), self.data)
            if bad:
                self.problems.append(f"{command}: {bad} in {line[:140]!r}")
        return text

    def expect(self, chinese: str, output: str) -> None:
        if chinese not in output:
            self.problems.append(f"no {chinese!r} in {output[:200]!r}")


def _bad_case_file(path: Path) -> Path:
    path.write_text(json.dumps({
        "format": "jdm-capture-cases", "version": 1,
        "patients": [{"study_id": "P07", "sex": "female",
                      "identifiers": {"birth_date": "2010-04-12"},
                      "visits": [{"visit_date": "2021-03-04", "visit_label": "M3",
                                  "values": {"cmas_leg_raise": 9, "phys_global": 3.5}}]}]}))
    return path


def _bad_workbook(good: Path, out: Path) -> Path:
    wb = load_workbook(good)
    ws = wb["Visits"]
    column = next(c.column for c in ws[1] if c.value == "cmas_leg_raise")
    ws.cell(row=2, column=column, value=7)
    ws.cell(row=3, column=column, value="two")
    wb.save(out)
    return out


def _workbook_with_typing_mistakes(good: Path, out: Path) -> Path:
    """The mistakes of a hand-filled workbook: a formula, an empty study ID, a patient twice,
    a visit twice on one day, a column name typed wrong."""
    wb = load_workbook(good)
    visits = wb["Visits"]
    names = [c.value for c in visits[1]]
    visits.cell(row=2, column=names.index("cmas_total") + 1 if "cmas_total" in names else 5,
                value="=1+1")
    visits.cell(row=3, column=names.index("visit_date") + 1,
                value=visits.cell(row=2, column=names.index("visit_date") + 1).value)
    visits.cell(row=3, column=names.index("study_id") + 1,
                value=visits.cell(row=2, column=names.index("study_id") + 1).value)
    patients = wb["Patients"]
    pnames = [c.value for c in patients[1]]
    patients.cell(row=3, column=pnames.index("study_id") + 1, value=None)
    patients.cell(row=4, column=pnames.index("study_id") + 1,
                  value=patients.cell(row=2, column=pnames.index("study_id") + 1).value)
    meds = wb["Medications"]
    meds.cell(row=1, column=meds.max_column + 1, value="Dose")  # "dose", typed as a label
    wb.save(out)
    return out


SUBCOMMANDS = ("init", "encrypt", "accounts", "keys", "recovery-key", "recover", "demo",
               "import", "export", "report", "check", "backup", "restore")


def test_every_subcommand_speaks_chinese(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    out = cli.run("--help")
    cli.expect("用法", out)
    cli.expect("命令", out)
    for name in SUBCOMMANDS:
        cli.run(name, "--help")

    db = tmp_path / "clinic.sqlite"
    cli.expect("已创建", cli.run("init", "--db", db))
    cli.run("init", "--db", db)
    cli.expect("演示", cli.run("demo", "--db", db))
    cli.run("demo", "--db", db)
    receipt = tmp_path / "receipt.json"
    cli.run("check", "--db", db, "--receipt", receipt)
    cli.run("check", "--db", db, "--receipt", receipt)
    cli.run("report", "--db", db, "--patient", "DEMO-01", "--out", tmp_path / "p.pdf")
    cli.run("report", "--db", db, "--cohort", "--out", tmp_path / "c.pdf")
    cli.run("report", "--db", db, "--patient", "DEMO-01", "--out", tmp_path / "p.txt", expect=2)
    cli.run("report", "--db", db, "--patient", "NOPE", "--out", tmp_path / "n.pdf", expect=2)
    cli.run("export", "--db", db, "--out", tmp_path / "cases.json")
    cli.run("export", "--db", db, "--out", tmp_path / "deid.xlsx")
    cli.run("export", "--db", db, "--out", tmp_path / "ident.xlsx", "--identified")
    cli.run("export", "--db", db, "--redcap", tmp_path / "redcap")
    cli.run("export", "--template", tmp_path / "blank.xlsx")
    cli.run("export", "--db", db, "--out", tmp_path / "x.csv", expect=2)
    cli.run("export", "--db", db, "--out", tmp_path / "missing" / "x.xlsx", expect=2)

    other = tmp_path / "other.sqlite"
    cli.run("import", "--db", other, tmp_path / "cases.json", expect=2)  # no database yet
    cli.run("init", "--db", other)
    cli.run("import", "--db", other, _bad_case_file(tmp_path / "bad.json"), expect=2)
    cli.run("import", "--db", other,
            _bad_workbook(tmp_path / "ident.xlsx", tmp_path / "bad.xlsx"), expect=2)
    cli.run("import", "--db", other, tmp_path / "deid.xlsx", expect=2)
    cli.run("import", "--db", other, _workbook_with_typing_mistakes(
        tmp_path / "ident.xlsx", tmp_path / "typed.xlsx"), expect=2)
    cli.run("import", "--db", other, tmp_path / "cases.json")
    cli.run("import", "--db", other, tmp_path / "ident.xlsx")

    backup = tmp_path / "b.sqlite"
    cli.run("backup", "--db", db, "--out", backup)
    cli.run("backup", "--db", db, "--out", db, expect=2)
    cli.run("restore", "--db", db, "--from", backup)
    cli.run("restore", "--db", db, "--from", tmp_path / "none.sqlite", expect=2)

    # an encrypted file and its accounts: the investigators who sign visits off
    enc = tmp_path / "enc.sqlite"
    secrets = {"JDM_CAPTURE_NEW_PASSWORD": "first password 1", "JDM_CAPTURE_USER": "ada"}
    cli.expect("恢复密钥", cli.run("init", "--db", enc, "--full-name", "Ada Admin",
                                 plain=False, env=secrets))
    signed = {"JDM_CAPTURE_USER": "ada", "JDM_CAPTURE_PASSWORD": "first password 1",
              "JDM_CAPTURE_NEW_PASSWORD": "second password 2"}
    cli.run("accounts", "--db", enc, "add", "bob", "--full-name", "Bob Investigator",
            "--role", "investigator", plain=False, env=signed)
    cli.run("accounts", "--db", enc, "list", plain=False, env=signed)
    cli.run("accounts", "--db", enc, "role", "bob", "--role", "data_entry", plain=False,
            env=signed)
    cli.run("accounts", "--db", enc, "password", "bob", plain=False, env=signed)
    cli.run("keys", "--db", enc, plain=False, env=signed)
    cli.run("accounts", "--db", enc, "remove", "bob", plain=False, env=signed)
    cli.run("accounts", "--db", enc, "add", plain=False, env=signed, expect=2)
    cli.run("check", "--db", enc, plain=False, env=signed)
    cli.run("check", "--db", enc, plain=False, env=dict(signed, JDM_CAPTURE_PASSWORD="wrong"),
            expect=2)
    cli.run("check", "--db", enc, plain=False, env={}, expect=2)  # no user name
    cli.run("accounts", "--db", db, "list", expect=2)  # a plain file has no accounts
    cli.run("keys", "--db", db, expect=2)
    cli.run("demo", "--db", enc, plain=False, env=signed)
    cli.run("backup", "--db", enc, "--out", tmp_path / "enc-b.sqlite", plain=False, env=signed)
    cli.run("recovery-key", "--db", enc, plain=False, env=signed)
    cli.run("encrypt", "--db", other, "--full-name", "Ada Admin", plain=False, env=signed)

    # the usual mistakes: argparse's own messages too
    cli.run("check", "--db", tmp_path / "nowhere.sqlite", expect=2)
    cli.run("report", "--db", db, expect=2)
    cli.run("export", "--db", db, "--out", tmp_path / "a.json", "--redcap", tmp_path / "r",
            expect=2)
    cli.run("accounts", "--db", enc, "rename", expect=2)
    cli.run("--lang", "fr", "check", expect=2)
    cli.run("frobnicate", expect=2)

    assert cli.lines > 150, cli.lines
    assert not cli.problems, "\n".join(cli.problems)


def test_the_detector_finds_english() -> None:
    assert english_words("已创建 (schema m021_x); 3 patients", set()) == ["patients"]
    assert english_words("--db 路径  DEMO-01 cmas_leg_raise CMAS/MMT-8 Visits", set()) == []
    assert english_words("usage: jdm-capture [-h] [--password-fd N]", set()) == ["usage"]
    assert english_words("需要 --user 名 (or $JDM_CAPTURE_USER)", set()) == ["or"]


def _lang(tmp_path: Path, *argv: str, env: dict[str, str]) -> str:
    """The first line ``init`` prints with this environment and these options."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("JDM_CAPTURE_LANG", "LC_", "LANG"))}
    clean.update({"XDG_CONFIG_HOME": str(tmp_path / "config"), "JDM_CAPTURE_PLAINTEXT": "1"})
    clean.update(env)
    db = tmp_path / f"l{len(list(tmp_path.iterdir()))}.sqlite"
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), *argv, "init", "--db",
                           str(db)], env=clean, capture_output=True, text=True,
                          encoding="utf-8", check=True, timeout=60)
    return done.stdout


def test_the_command_line_chooses_its_language_as_a_nurse_expects(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # the system locale
    assert "已创建" in _lang(tmp_path, env={"LANG": "zh_CN.UTF-8"})
    assert "created" in _lang(tmp_path, env={"LANG": "en_GB.UTF-8"})
    # the language picked in the GUI's settings (this user, this computer) beats the locale
    i18n.save_choice("zh_CN")
    assert "已创建" in _lang(tmp_path, env={"LANG": "en_GB.UTF-8"})
    # $JDM_CAPTURE_LANG beats the setting, and --lang beats both
    assert "created" in _lang(tmp_path, env={"LANG": "en_GB.UTF-8", "JDM_CAPTURE_LANG": "en"})
    assert "created" in _lang(tmp_path, "--lang", "en", env={"JDM_CAPTURE_LANG": "zh_CN"})
    i18n.save_choice("system")
    assert "created" in _lang(tmp_path, env={"LANG": "en_GB.UTF-8"})


def test_main_module_has_no_untranslated_output_calls() -> None:
    """Every literal given to _out, _err or _Refused in main.py goes through _()."""
    import ast

    tree = ast.parse((ROOT / "main.py").read_text(encoding="utf-8"))
    bare = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("_out", "_err", "_Refused")):
            for arg in node.args:
                parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
                literal = "".join(p.value for p in parts if isinstance(p, ast.Constant)
                                  and isinstance(p.value, str))
                if re.search(r"[A-Za-z]{2}", literal):
                    bare.append(f"main.py:{node.lineno}: {ast.unparse(arg)[:80]}")
    assert not bare, "\n".join(bare)
    assert main.__doc__


def _columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_chinese_help_fits_the_terminal_and_keeps_its_column(tmp_path: Path) -> None:
    """argparse counts characters; a Chinese character takes two columns. The help used to
    overrun an 80-column terminal (lines of up to 160 columns) and its option column was out
    of line by two columns per Chinese character of a metavariable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update({"JDM_CAPTURE_LANG": "zh_CN", "COLUMNS": "80", "PYTHONIOENCODING": "utf-8",
                "XDG_CONFIG_HOME": str(tmp_path)})
    for name in ("", *SUBCOMMANDS):
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), *([name] if name else []),
                               "--help"], env=env, capture_output=True, text=True,
                              encoding="utf-8", check=True, timeout=60)
        lines = done.stdout.splitlines()
        wide = [line for line in lines if _columns(line) > 80]
        assert not wide, (name, wide)
        # every help text starts in one column: beside its option, or on the next line
        # when the option is too wide (the header's own indent is not a gap: it used to be
        # counted as one, so nothing was compared)
        starts = set()
        for line in lines:
            match = re.match(r"^  (-\S.*?\S)  +(\S)", line)
            if match and "  " not in match.group(1):
                starts.add(_columns(line[:match.start(2)]))
        assert len(starts) <= 1, (name, starts, done.stdout)
        assert starts or name in ("", "accounts"), (name, done.stdout)
        # argparse's section headings end with a full-width colon in Chinese
        headings = [line for line in lines if re.fullmatch(r"\S.*[:：]", line)]
        assert headings and all(h.endswith("：") for h in headings), (name, headings)


#: damage planted the way tests/storage plants it (plain sqlite3 on a file the app wrote):
#: each must make ``check`` refuse, in Chinese, naming what it found
_AUDIT_TRIGGERS = ("audit_append_only_update", "audit_append_only_delete",
                   "audit_changes_append_only_update", "audit_changes_append_only_delete")
DAMAGE = {
    "a value edited": ["UPDATE values_global SET phys_global = 0.1 WHERE visit_id = 1"],
    "a bad value": ["UPDATE medications SET stop_date = '9999-12-31' WHERE id = 1",
                    "UPDATE patients SET birth_date = '2030-02-01' WHERE id = 2"],
    "a record deleted": ["DELETE FROM medications WHERE id = 1"],
    "a record added": ["INSERT INTO patients (study_id) VALUES ('GHOST')"],
    "a missing reason added": ["INSERT INTO visit_missing (visit_id, field, reason) "
                               "VALUES (1, 'crp', 'not_done')"],
    "a score edited": ["UPDATE derived_values SET value = '99' WHERE visit_id = 2 AND "
                       "field = 'cmas_total'"],
    "a setting added": ["INSERT INTO settings (key, value) VALUES ('thresholds', 'adult')"],
    "an unusable setting": ["INSERT INTO settings (key, value) VALUES ('uln_ck', 'abc')"],
    "a broken draft": ["INSERT INTO drafts (key, payload, saved_at) VALUES "
                       "('visit/DEMO-01/9', '[1]', 'never')",
                       "INSERT INTO drafts (key, payload, saved_at) VALUES "
                       "('visit/DEMO-01/8', '\"text\"', '2024-01-01T00:00:00Z')"],
    "a planted trigger": ["CREATE TRIGGER zz AFTER INSERT ON values_global BEGIN UPDATE "
                          "values_global SET phys_global = 0 WHERE visit_id = NEW.visit_id; "
                          "END", "CREATE VIEW patients_view AS SELECT * FROM patients"],
    "a changed trigger": ["DROP TRIGGER audit_append_only_delete",
                          "CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit "
                          "BEGIN SELECT 1; END"],
    "a dropped trigger": ["DROP TRIGGER visit_signoffs_keep"],
    "an audit row edited": [*(f'DROP TRIGGER "{t}"' for t in _AUDIT_TRIGGERS),
                            "UPDATE audit SET actor = 'someone else' WHERE id = 5"],
    "an audit row deleted": [*(f'DROP TRIGGER "{t}"' for t in _AUDIT_TRIGGERS),
                             "DELETE FROM audit_changes WHERE audit_id = 8",
                             "DELETE FROM audit WHERE id = 8"],
    "audit rows forged": [*(f'DROP TRIGGER "{t}"' for t in _AUDIT_TRIGGERS),
                          "UPDATE audit SET hash = NULL WHERE id = 3"],
}


def test_check_names_planted_damage_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """``check`` on a damaged file: every finding (integrity, schema objects, audit trail,
    data against the trail, stored scores, settings, drafts, record rules) in Chinese.
    In-process (main.main) to stay fast; the language as ``--lang`` would set it."""
    import shutil
    import sqlite3

    monkeypatch.setenv("JDM_CAPTURE_PLAINTEXT", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("JDM_CAPTURE_LANG", "zh_CN")
    good = tmp_path / "good.sqlite"
    try:
        assert main.main(["init", "--db", str(good)]) == 0
        assert main.main(["demo", "--db", str(good)]) == 0
        receipt = tmp_path / "receipt.json"
        assert main.main(["check", "--db", str(good), "--receipt", str(receipt)]) == 0
        capsys.readouterr()
        problems: list[str] = []
        data = {w for w in _WORD.findall(str(tmp_path))} | {"someone", "else", "GHOST",
                                                            "abc", "never", "adult", "zz"}
        for n, (damage, statements) in enumerate(DAMAGE.items()):
            db = tmp_path / f"d{n}.sqlite"
            shutil.copy(good, db)
            con = sqlite3.connect(db, isolation_level=None)
            for statement in statements:
                con.execute(statement)
            con.close()
            capsys.readouterr()
            assert main.main(["check", "--db", str(db), "--receipt", str(receipt)]) == 2, damage
            err = capsys.readouterr().err
            assert err.strip(), damage
            for line in err.splitlines():
                bad = english_words(line.replace(str(tmp_path), ""), data)
                if bad:
                    problems.append(f"{damage}: {bad} in {line[:160]!r}")
        assert not problems, "\n".join(problems)
    finally:
        i18n.set_language("en")


def _case(**doc: object) -> str:
    return json.dumps({"format": "jdm-capture-cases", "version": 1, **doc})


_VISIT = {"visit_date": "2021-01-04", "visit_label": "M0"}
#: case files broken in each way the reader names (storage.casefile)
BAD_CASE_FILES: dict[str, str | bytes] = {
    "not-utf8.json": b'{"format": "jdm-capture-cases", "x": "\xff"}',
    "empty.json": "  ",
    "not-json.json": '{"format": "jdm-capture-cases", "version": 1,,}',
    "unterminated.json": '{"format": "jdm-capture-cases', "twice.json":
        '{"format": "jdm-capture-cases", "format": "x"}',
    "list.json": "[1, 2]", "format.json": json.dumps({"format": "other", "version": 1}),
    "version-text.json": json.dumps({"format": "jdm-capture-cases", "version": "1"}),
    "newer.json": json.dumps({"format": "jdm-capture-cases", "version": 99}),
    "older.json": json.dumps({"format": "jdm-capture-cases", "version": 0}),
    "patients-object.json": _case(patients={"P01": {}}),
    "structure.json": _case(extra=1, settings=[], patients=[
        5, {"study_id": "P01", "sex": "female", "colour": "red", "identifiers": "H1",
            "visits": [7, {**_VISIT, "values": [], "missing": "all", "baseline": "yes",
                           "notes": 3},
                       {"visit_label": "M1", "baseline": True},
                       {**_VISIT, "baseline": True}],
            "medications": [{"drug": "MTX", "start_date": "2021-01-04"}, "x",
                            {"drug": "MTX", "start_date": "2021-01-04"}],
            "adverse_events": "none"},
        {"study_id": "P01", "sex": "female"}]),
    "settings.json": _case(settings={"thresholds": "teen", "colour": 1, "uln_ck": "lots",
                                     "tis_muscle_measure": "both"}, patients=[]),
    "nested.json": '{"format": "jdm-capture-cases", "version": 1, "patients": '
                   + "[" * 100_000 + "]" * 100_000 + "}",
}


def test_import_of_malformed_files_speaks_chinese(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """``import`` of case files broken in every structural way and of damaged workbooks
    (damaged XML part, a DTD, too many rows, cells not what their type says, not a zip, an
    unknown sheet): every line in Chinese. In-process (main.main) to stay fast."""
    import zipfile

    from exports import xlsx_import

    sys.path.insert(0, str(ROOT / "tests" / "exports"))
    from hostile_xlsx import PATIENTS, VISITS_HEADER, sheet_xml, workbook

    monkeypatch.setenv("JDM_CAPTURE_PLAINTEXT", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("JDM_CAPTURE_LANG", "zh_CN")
    monkeypatch.setitem(xlsx_import.MAX_ROWS, "Medications", 5)
    files = []
    for name, content in BAD_CASE_FILES.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        files.append(path)
    visits = sheet_xml([VISITS_HEADER, ["P01", "2021-01-04", "M0", ("raw", "n", "NaN"),
                                        ("raw", "n", "1E999")],
                        ["P01", "2021-02-04", ("raw", "s", "99"), ("raw", "b", "maybe")]])
    files.append(workbook(tmp_path / "cells.xlsx", {"Patients": sheet_xml(PATIENTS),
                                                     "Visits": visits, "Vists": "x"}))
    files.append(workbook(tmp_path / "rows.xlsx", {
        "Patients": sheet_xml(PATIENTS),
        "Medications": sheet_xml([["study_id", "drug", "start_date"],
                                  *(["P01", "MTX", f"2021-01-{d:02d}"] for d in range(1, 9))])}))
    files.append(workbook(tmp_path / "xml.xlsx", {
        "Patients": '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"'}))
    files.append(workbook(tmp_path / "dtd.xlsx", {
        "Patients": '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "x">]><worksheet/>'}))
    broken = workbook(tmp_path / "part.xlsx", {"Patients": sheet_xml(PATIENTS)})
    with zipfile.ZipFile(broken) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = b"<workbook><sheets><sheet"
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    files.append(broken)
    (tmp_path / "not-zip.xlsx").write_text("hello", encoding="utf-8")
    files.append(tmp_path / "not-zip.xlsx")
    db = tmp_path / "clinic.sqlite"
    try:
        assert main.main(["init", "--db", str(db)]) == 0
        capsys.readouterr()
        problems: list[str] = []
        from storage import casefile

        # the case file's keys (data contract) are typed as they are, as are JSON's words
        keys = {*casefile._TOP_KEYS, *casefile._PATIENT_KEYS, *casefile._VISIT_KEYS,
                "true", "false", "null", "extra", "XML", "DTD", "zip", "xff", "jdm-capture-cases"}
        data = keys | {w for w in _WORD.findall(str(tmp_path))} | {
            "colour", "red", "teen", "lots", "both", "other", "none", "all", "yes", "maybe",
            "NaN", "inf", "Vists", "hello", "MTX", "TRUE", "FALSE", "XXXX"}
        lines = 0
        for path in files:
            assert main.main(["import", "--db", str(db), str(path)]) == 2, path.name
            err = capsys.readouterr().err
            assert err.strip(), path.name
            for line in err.splitlines():
                lines += 1
                bad = english_words(line.replace(str(tmp_path), ""), data)
                if bad:
                    problems.append(f"{path.name}: {bad} in {line[:160]!r}")
        assert lines > 40, lines
        assert not problems, "\n".join(problems)
    finally:
        i18n.set_language("en")
