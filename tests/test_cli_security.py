"""The command line on encrypted files: set-up, sign-in (prompt without echo, environment,
file descriptor; never an argument), wrong or missing passwords, role rules, accounts, key
slots, the recovery key, encrypting a plain file, restore, owner-only files. Each command runs
in its own process, as a script would run it."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import crypto, migrations

# slow: runs many child processes or dialogs (run first: tests/conftest.py)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "m001_schema.sqlite"
ADMIN_PW = "ada's long password"
NURSE_PW = "nora's long password"
DOC_PW = "ivan's long password"


def cli(*args: str | Path, password: str | None = None, new: str | None = None,
        env: dict[str, str] | None = None, fd_text: str | None = None,
        plaintext: bool = False) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JDM_CAPTURE_")}
    environ.update({"JDM_CAPTURE_INSECURE_FAST_KDF": "1", "QT_QPA_PLATFORM": "offscreen"})
    if plaintext:
        environ["JDM_CAPTURE_PLAINTEXT"] = "1"
    if password is not None:
        environ["JDM_CAPTURE_PASSWORD"] = password
    if new is not None:
        environ["JDM_CAPTURE_NEW_PASSWORD"] = new
    environ.update(env or {})
    extra: dict[str, object] = {}
    argv = [sys.executable, str(ROOT / "main.py"), *map(str, args)]
    if fd_text is not None:
        read, write = os.pipe()
        os.write(write, fd_text.encode())
        os.close(write)
        argv += ["--password-fd", str(read)]
        extra["pass_fds"] = (read,)
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=environ,
                              timeout=120, check=False, stdin=subprocess.DEVNULL,
                              **extra)  # type: ignore[call-overload]
    finally:
        if fd_text is not None:
            os.close(read)


def _key(stdout: str) -> str:
    found = re.findall(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}\b", stdout)
    assert len(found) == 1, stdout
    return found[0]


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert words in result.stderr, result.stderr


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the encrypted database of :func:`db` and its recovery key, built once
    per test process (five command-line processes, ~4 s) and copied for each test."""
    folder = tmp_path_factory.mktemp("cli-security-template")
    path = folder / "clinic.sqlite"
    r = cli("init", "--db", path, "--user", "ada", "--full-name", "Ada Admin", new=ADMIN_PW)
    assert r.returncode == 0, r.stderr
    assert "RECOVERY KEY" in r.stdout
    (folder / "recovery.txt").write_text(_key(r.stdout))
    for user, pw, role in (("nora", NURSE_PW, "data_entry"), ("ivan", DOC_PW, "investigator")):
        r = cli("accounts", "add", user, "--role", role, "--full-name", user.title(), "--db",
                path, "--user", "ada", password=ADMIN_PW, new=pw)
        assert r.returncode == 0, r.stderr
    r = cli("demo", "--db", path, "--user", "nora", password=NURSE_PW)
    assert r.returncode == 0, r.stderr
    return folder


@pytest.fixture
def db(tmp_path: Path, db_template: Path) -> Path:
    """An encrypted database: administrator ada, data entry nora, investigator ivan, demo
    (a copy of the session's template: the processes that wrote it have exited)."""
    shutil.copytree(db_template, tmp_path, dirs_exist_ok=True)
    return tmp_path / "clinic.sqlite"


def test_init_makes_an_encrypted_owner_only_file_and_prints_the_recovery_key_once(
        db: Path) -> None:
    assert not db.read_bytes().startswith(crypto.SQLITE_MAGIC)
    assert b"DEMO-01" not in db.read_bytes()
    for p in (db, crypto.keys_path(db)):
        assert p.stat().st_mode & 0o777 == 0o600
    key = (db.parent / "recovery.txt").read_text()
    assert len(key) == 39 and key.count("-") == 7
    assert key.encode() not in crypto.keys_path(db).read_bytes()  # stored only as a slot


def test_every_password_source(db: Path) -> None:
    r = cli("check", "--db", db, "--user", "nora", password=NURSE_PW)
    assert r.returncode == 0 and "encryption: SQLCipher 4" in r.stdout and "4 key slots" in r.stdout
    assert cli("check", "--db", db, "--user", "nora", fd_text=NURSE_PW + "\n").returncode == 0
    r = cli("check", "--db", db, env={"JDM_CAPTURE_USER": "nora"}, password=NURSE_PW)
    assert r.returncode == 0, r.stderr
    # there is no password argument at all
    r = cli("check", "--db", db, "--user", "nora", "--password", NURSE_PW)
    assert r.returncode == 2 and NURSE_PW not in r.stdout


def test_the_prompt_does_not_echo(db: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JDM_CAPTURE_")}
    environ["JDM_CAPTURE_INSECURE_FAST_KDF"] = "1"
    pid, master = pty.fork()
    if pid == 0:  # the child: the command line on a terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "main.py", "check", "--db", str(db),
                                   "--user", "nora"], environ)
    seen = b""
    deadline = time.monotonic() + 60
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not sent and b"password for nora:" in seen:
            os.write(master, NURSE_PW.encode() + b"\n")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(master)
    assert sent and os.waitstatus_to_exitcode(status) == 0, seen
    assert NURSE_PW.encode() not in seen  # never echoed to the terminal
    assert b"ok (integrity" in seen


def test_wrong_and_missing_passwords_exit_2_without_traceback(db: Path) -> None:
    refused(cli("check", "--db", db, "--user", "nora", password="not nora's"),
            "wrong user name or password")
    refused(cli("check", "--db", db, "--user", "nobody", password=NURSE_PW),
            "wrong user name or password")
    refused(cli("check", "--db", db, "--user", "nora"), "password for nora needed")
    refused(cli("check", "--db", db, password=NURSE_PW), "give your user name")
    refused(cli("export", "--db", db, "--out", db.parent / "x.json"), "give your user name")
    assert not (db.parent / "x.json").exists()
    shutil.move(crypto.keys_path(db), db.parent / "aside.keys")
    refused(cli("check", "--db", db, "--user", "nora", password=NURSE_PW), "key file")


def test_role_rules_on_the_command_line(db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite"
    r = cli("backup", "--db", db, "--out", backup, "--user", "nora", password=NURSE_PW)
    assert r.returncode == 0, r.stderr  # anyone may back up (the copy stays encrypted)
    assert crypto.keys_path(backup).exists()
    refused(cli("restore", "--db", db, "--from", backup, "--user", "nora", password=NURSE_PW),
            "Not allowed")
    refused(cli("restore", "--db", db, "--from", backup, "--user", "ivan", password=DOC_PW),
            "administrator role")
    refused(cli("accounts", "add", "eve", "--db", db, "--user", "ivan", password=DOC_PW,
                new="eve's long password"), "Not allowed")
    refused(cli("keys", "--db", db, "--user", "nora", password=NURSE_PW), "Not allowed")
    refused(cli("recovery-key", "--db", db, "--user", "ivan", password=DOC_PW), "Not allowed")
    refused(cli("accounts", "role", "nora", "--role", "administrator", "--db", db, "--user",
                "nora", password=NURSE_PW), "Not allowed")
    r = cli("restore", "--db", db, "--from", backup, "--user", "ada", password=ADMIN_PW)
    assert r.returncode == 0, r.stderr
    r = cli("export", "--db", db, "--out", tmp_path / "out.xlsx", "--user", "nora",
            password=NURSE_PW)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out.xlsx").stat().st_mode & 0o777 == 0o600  # exports owner-only


def test_accounts_and_key_slots_from_the_command_line(db: Path) -> None:
    r = cli("accounts", "list", "--db", db, "--user", "ada", password=ADMIN_PW)
    assert r.returncode == 0 and "nora" in r.stdout and "investigator" in r.stdout
    r = cli("keys", "--db", db, "--user", "ada", password=ADMIN_PW)
    assert r.returncode == 0 and "slot nora" in r.stdout and "slot recovery" in r.stdout
    # a person changes their own password (current one from the environment)
    r = cli("accounts", "password", "nora", "--db", db, "--user", "nora", password=NURSE_PW,
            new="nora's second password")
    assert r.returncode == 0, r.stderr
    refused(cli("check", "--db", db, "--user", "nora", password=NURSE_PW), "wrong")
    assert cli("check", "--db", db, "--user", "nora",
               password="nora's second password").returncode == 0
    r = cli("accounts", "remove", "nora", "--db", db, "--user", "ada", password=ADMIN_PW)
    assert r.returncode == 0 and "not re-encrypted" in r.stdout
    refused(cli("check", "--db", db, "--user", "nora", password="nora's second password"),
            "wrong user name or password")
    r = cli("keys", "--db", db, "--user", "ada", password=ADMIN_PW)
    assert "slot nora" not in r.stdout
    refused(cli("accounts", "remove", "ada", "--db", db, "--user", "ada", password=ADMIN_PW),
            "only active administrator")


def test_recovery_key_and_a_new_one(db: Path) -> None:
    key = (db.parent / "recovery.txt").read_text()
    refused(cli("recover", "--db", db, "--user", "ada", env={
        "JDM_CAPTURE_RECOVERY_KEY": "0000-0000-0000-0000-0000-0000-0000-0000"},
        new="ada's new password"), "wrong recovery key")
    r = cli("recover", "--db", db, "--user", "ada", fd_text=key.lower() + "\n",
            new="ada's new password")
    assert r.returncode == 0, r.stderr
    refused(cli("check", "--db", db, "--user", "ada", password=ADMIN_PW), "wrong")
    r = cli("recovery-key", "--db", db, "--user", "ada", password="ada's new password")
    assert r.returncode == 0 and "RECOVERY KEY" in r.stdout
    new_key = _key(r.stdout)
    assert new_key != key
    refused(cli("recover", "--db", db, "--user", "ada", env={"JDM_CAPTURE_RECOVERY_KEY": key},
                new="ada's third password"), "wrong recovery key")
    r = cli("recover", "--db", db, "--user", "ada", env={"JDM_CAPTURE_RECOVERY_KEY": new_key},
            new="ada's third password")
    assert r.returncode == 0, r.stderr


def test_encrypt_a_plain_file_from_the_first_released_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    assert b"Fixture" in path.read_bytes()
    r = cli("encrypt", "--db", path, "--user", "ada", "--full-name", "Ada Admin",
            new=ADMIN_PW)
    assert r.returncode == 0, r.stderr
    assert "encrypted and verified" in r.stdout and "RECOVERY KEY" in r.stdout
    assert "WARNING" not in r.stderr
    for p in tmp_path.iterdir():
        assert b"Fixture" not in p.read_bytes(), p.name
        assert not p.read_bytes().startswith(crypto.SQLITE_MAGIC), p.name
    r = cli("check", "--db", path, "--user", "ada", password=ADMIN_PW)
    assert r.returncode == 0 and migrations.latest_name() in r.stdout, r.stderr
    refused(cli("encrypt", "--db", path, "--user", "ada", new=ADMIN_PW, password=ADMIN_PW),
            "already encrypted")


def test_encrypt_keep_plaintext_warns_loudly(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    r = cli("encrypt", "--db", path, "--user", "ada", "--keep-plaintext", new=ADMIN_PW)
    assert r.returncode == 0, r.stderr
    assert "WARNING: PLAIN-TEXT COPIES KEPT" in r.stderr
    kept = [p for p in tmp_path.iterdir() if ".plaintext-" in p.name]
    assert len(kept) == 1 and str(kept[0]) in r.stderr
    assert kept[0].read_bytes().startswith(crypto.SQLITE_MAGIC)


def test_new_files_need_an_administrator_unless_plaintext_is_asked_for(tmp_path: Path) -> None:
    refused(cli("init", "--db", tmp_path / "a.sqlite"), "give your user name")
    refused(cli("demo", "--db", tmp_path / "b.sqlite"), "new databases are encrypted")
    assert not (tmp_path / "b.sqlite").exists()
    r = cli("init", "--db", tmp_path / "c.sqlite", plaintext=True)
    assert r.returncode == 0 and (tmp_path / "c.sqlite").read_bytes().startswith(
        crypto.SQLITE_MAGIC)
    r = cli("check", "--db", tmp_path / "c.sqlite")  # plain files still open, with a warning
    assert r.returncode == 0 and "encryption: NONE" in r.stdout


def test_a_second_process_writes_to_the_encrypted_file_while_it_is_open(db: Path,
                                                                         tmp_path: Path) -> None:
    """The GUI's connection stays open while a command-line import writes (WAL, same key)."""
    import json

    from storage import accounts
    from storage.repository import Repository

    case = tmp_path / "cases.json"
    case.write_text(json.dumps({"format": "jdm-capture-cases", "version": 1, "patients": [
        {"study_id": "P77", "sex": "female", "identifiers": {"birth_date": "2010-04-12"},
         "visits": [{"visit_date": "2021-03-04", "visit_label": "M0",
                     "values": {"phys_global": 3.5}}]}]}))
    accounts.sign_in(db, "nora", NURSE_PW)
    try:
        with Repository(db) as repo:
            before = repo.patient_count()
            r = cli("import", case, "--db", db, "--user", "ivan", password=DOC_PW)
            assert r.returncode == 0, r.stderr
            assert repo.patient_count() == before + 1  # seen through the open connection
            actor = repo.db.execute("SELECT actor FROM audit WHERE table_name = 'patients' "
                                    "ORDER BY id DESC").fetchone()[0]
            assert actor == "Ivan (ivan)"  # the account signed in to that process
    finally:
        accounts.sign_out(db)
