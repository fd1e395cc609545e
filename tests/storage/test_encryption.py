"""Encryption at rest, accounts, key slots, the recovery key, roles and password signatures.

The first tests read the raw bytes of every file the application writes (database, WAL,
backups, upgrade copies, key files) and look for a test patient's identifiers; the same steps on
a plain file find them, so the search is shown to work.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from storage_samples import FIXTURES, sample_patient

from forms.model import Patient
from storage import accounts, crypto, signoff
from storage.accounts import ADMINISTRATOR, DATA_ENTRY, INVESTIGATOR
from storage.backups import automatic_backup, describe_backup, list_backups, restore_backup
from storage.conversion import encrypt_database
from storage.database import backup_file, check_database
from storage.errors import KnownStorageError
from storage.repository import AppSettings, Repository

ADMIN = ("ada", "Ada Admin", "ada's long password")
NURSE = ("nora", "Nora Nurse", "nora's long password")
DOC = ("ivan", "Ivan Investigator", "ivan's long password")
PDF = b"%PDF-1.4\n% snapshot naming Quixote-Zebulon\n%%EOF\n"
TODAY = dt.date(2026, 1, 1)
#: the test patient's identifiers, as text the files would hold in the clear
SECRETS = ("Zebulon", "Quixote", "MRN-4471-XQ", "2011-03-17")


@pytest.fixture(autouse=True)
def _fresh_key_ring() -> object:
    yield
    crypto.forget()
    accounts._SIGNED_IN.clear()  # noqa: SLF001


def _patient(study_id: str = "P01") -> Patient:
    patient = sample_patient(study_id)
    patient.identifiers = {"given_name": "Zebulon", "family_name": "Quixote",
                           "mrn": "MRN-4471-XQ", "birth_date": dt.date(2011, 3, 17)}
    m3 = patient.visits[1]
    m3.values["extramuscular_global"] = Decimal("1.5")
    m3.missing["chaq_dress"] = "not_done"
    m3.notes = "Zebulon Quixote seen with his mother"
    return patient


def _setup(path: Path) -> accounts.SetUp:
    setup = accounts.create_encrypted(path, *ADMIN)
    with Repository(path) as repo:
        accounts.add_account(repo, NURSE[0], NURSE[1], DATA_ENTRY, NURSE[2])
        accounts.add_account(repo, DOC[0], DOC[1], INVESTIGATOR, DOC[2])
    return setup


def _write_everything(path: Path) -> dict[str, bytes]:
    """Every kind of file: data, a draft, a sign-off snapshot, a backup, a copy; returns each
    file's bytes, read while the WAL still holds the last transactions."""
    keep_open = Repository(path)
    keep_open.db.execute("PRAGMA wal_autocheckpoint = 0")  # the WAL keeps every page
    patient = _patient()
    keep_open.add_patient(patient, "nurse", today=TODAY)
    keep_open.save_draft("visit/P01/new", json.dumps(
        {"texts": {"notes": "Zebulon Quixote, MRN-4471-XQ, born 2011-03-17"}}))
    m3 = patient.visits[1].id or 0
    if keep_open.database_id is None:
        signoff.sign_off_visit(keep_open, m3, "Dr A", PDF, today=TODAY)
    else:
        signoff.sign_off_visit(keep_open, m3, "", PDF, today=TODAY, password=ADMIN[2])
    automatic_backup(path)
    backup_file(path, path.with_name("manual-copy.sqlite"))
    files = {p.name: p.read_bytes() for p in path.parent.rglob("*") if p.is_file()}
    assert len(files[f"{path.name}-wal"]) > 0
    keep_open.close()
    return files


def _found(files: dict[str, bytes]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for name, data in files.items():
        for secret in SECRETS:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if secret.encode(encoding) in data:
                    hits.setdefault(name, []).append(secret)
    return hits


def test_no_identifier_in_any_file_the_app_writes(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.PLAINTEXT_ENV)
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    files = _write_everything(path)
    names = set(files)
    assert {"clinic.sqlite", "clinic.sqlite-wal", "clinic.sqlite.keys",
            "manual-copy.sqlite", "manual-copy.sqlite.keys"} <= names
    backups = list_backups(path)
    assert backups and backups[0].path.name in names
    assert crypto.keys_path(backups[0].path).name in names
    assert _found(files) == {}
    for name, data in files.items():  # no database file starts with the plain SQLite header
        assert not data.startswith(crypto.SQLITE_MAGIC), name
    # and the data is all there, through the key
    with Repository(path) as repo:
        assert repo.get_patient("P01").identifiers["mrn"] == "MRN-4471-XQ"
        assert repo.load_drafts()[0].payload_json.count("Zebulon") == 1


def test_the_byte_search_finds_identifiers_in_a_plain_file(tmp_path: Path) -> None:
    """The same steps on a plain file: the search above would have caught a leak."""
    path = tmp_path / "plain.sqlite"
    files = _write_everything(path)
    hits = _found(files)
    assert "plain.sqlite-wal" in hits or "plain.sqlite" in hits
    assert any(name.startswith("plain-") for name in hits)  # the automatic backup
    assert "manual-copy.sqlite" in hits


def test_files_and_folders_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "clinic.sqlite"
    import os

    old = os.umask(0o077)  # what main.py sets for the application
    try:
        _setup(path)
        with Repository(path) as repo:
            repo.add_patient(_patient(), "x", today=TODAY)
        automatic_backup(path)
    finally:
        os.umask(old)
    for p in [path.parent, *path.parent.rglob("*")]:
        mode = p.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{p.name} is {oct(mode)}"
    assert crypto.keys_path(path).stat().st_mode & 0o777 == 0o600  # even without the umask


def test_wrong_or_missing_password_opens_nothing(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    accounts.sign_out(path)
    with pytest.raises(KnownStorageError) as info:
        Repository(path)
    assert info.value.kind == "encrypted_locked" and "sign in" in info.value.message
    for user, password in ((NURSE[0], "not nora's password"), ("nobody", NURSE[2]),
                           (NURSE[0], "")):
        with pytest.raises(KnownStorageError) as info:
            accounts.sign_in(path, user, password)
        assert info.value.kind == "wrong_password"
        assert "wrong user name or password" in info.value.message
    with pytest.raises(KnownStorageError):
        Repository(path)
    # plain sqlite3 sees no database at all
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    con.close()
    assert accounts.sign_in(path, *NURSE[::2]).full_name == NURSE[1]


def test_a_missing_or_foreign_key_file_gives_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    with Repository(path) as repo:
        repo.add_patient(_patient(), "x", today=TODAY)
    other = tmp_path / "other.sqlite"
    accounts.create_encrypted(other, *ADMIN)
    keys = crypto.keys_path(path)
    saved = keys.read_bytes()
    keys.unlink()
    with pytest.raises(KnownStorageError) as info:
        Repository(path)
    assert info.value.kind == "no_key_file" and "key file" in info.value.message
    shutil.copy(crypto.keys_path(other), keys)  # another database's key file
    with pytest.raises(KnownStorageError) as info:
        Repository(path)
    assert info.value.kind == "wrong_key"
    keys.write_bytes(saved)
    with Repository(path) as repo:
        assert repo.has_patient("P01")


def test_key_slot_add_remove_and_password_change_never_reencrypt(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    with Repository(path) as repo:
        repo.add_patient(_patient(), "x", today=TODAY)
    automatic_backup(path)
    salt = path.read_bytes()[:16]  # SQLCipher's per-file salt: a re-encrypted file has another
    check = crypto.read_key_file(path).check
    with Repository(path) as repo:
        accounts.remove_account(repo, NURSE[0])
        accounts.change_password(repo, DOC[0], "ivan's new long password")
        assert not accounts.get_account(repo, NURSE[0]).active  # kept for the audit trail
    assert path.read_bytes()[:16] == salt and crypto.read_key_file(path).check == check
    backup = list_backups(path)[0].path
    for target in (path, backup):  # the backup's key file was updated too
        accounts.sign_out(target)
        with pytest.raises(KnownStorageError, match="wrong user name or password"):
            crypto.unlock_with(target, NURSE[0], NURSE[2])
        with pytest.raises(KnownStorageError, match="wrong user name or password"):
            crypto.unlock_with(target, DOC[0], DOC[2])
        crypto.unlock_with(target, DOC[0], "ivan's new long password")
        crypto.forget()
    assert accounts.sign_in(path, DOC[0], "ivan's new long password").role == INVESTIGATOR
    with Repository(path) as repo:  # the data is intact
        assert repo.get_patient("P01").identifiers["family_name"] == "Quixote"
        audited = repo.db.execute("SELECT field, old, new FROM audit_log WHERE table_name = "
                                  "'accounts'").fetchall()
    assert ("password", "(set)", "(changed)") in audited and ("active", "1", "0") in audited
    assert not any("argon2" in str(row) for row in audited)  # hashes never in the audit


def test_self_service_password_change_needs_the_old_password(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    accounts.sign_in(path, *NURSE[::2])
    with Repository(path) as repo:
        with pytest.raises(KnownStorageError, match="Wrong password"):
            accounts.change_password(repo, NURSE[0], "nora's new password", old_password="x")
        accounts.change_password(repo, NURSE[0], "nora's new password", old_password=NURSE[2])
        with pytest.raises(accounts.NotAllowed):  # somebody else's: administrators only
            accounts.change_password(repo, DOC[0], "ivan's new password 2")
        with pytest.raises(KnownStorageError, match="at least 10"):
            accounts.change_password(repo, NURSE[0], "short", old_password="nora's new password")


def test_recovery_key_resets_an_administrator_password(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    setup = _setup(path)
    accounts.sign_out(path)
    with pytest.raises(KnownStorageError, match="wrong recovery key"):
        accounts.recover(path, "0000-0000-0000-0000-0000-0000-0000-0000", ADMIN[0],
                         "a brand new password")
    with pytest.raises(KnownStorageError, match="administrator"):
        accounts.recover(path, setup.recovery_key, NURSE[0], "a brand new password")
    accounts.sign_out(path)
    typed = setup.recovery_key.lower().replace("-", " ")  # as read back from paper
    assert accounts.recover(path, typed, ADMIN[0], "a brand new password").role == ADMINISTRATOR
    accounts.sign_out(path)
    with pytest.raises(KnownStorageError):
        accounts.sign_in(path, *ADMIN[::2])
    accounts.sign_in(path, ADMIN[0], "a brand new password")
    with Repository(path) as repo:
        events = repo.db.execute("SELECT event, detail FROM security_events").fetchall()
        assert ("recovery key used", f"new password for {ADMIN[0]}") in events
        new_key = accounts.change_recovery_key(repo)
    assert new_key != setup.recovery_key
    accounts.sign_out(path)
    with pytest.raises(KnownStorageError, match="wrong recovery key"):
        crypto.unlock_with(path, crypto.RECOVERY_SLOT, setup.recovery_key)
    crypto.unlock_with(path, crypto.RECOVERY_SLOT, new_key)


def test_role_rules(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    with Repository(path) as repo:
        repo.add_patient(_patient(), "x", today=TODAY)
        m3 = repo.get_patient("P01").visits[1].id or 0
    accounts.sign_in(path, *NURSE[::2])
    with Repository(path) as repo:
        repo.add_patient(_patient("P02"), "typed name", today=TODAY)  # data entry may
        with pytest.raises(accounts.NotAllowed, match="sign off"):
            signoff.sign_off_visit(repo, m3, "", PDF, today=TODAY, password=NURSE[2])
        with pytest.raises(accounts.NotAllowed, match="administrator"):
            repo.set_settings(AppSettings(repo.scoring_settings(), "x"), "x")
        with pytest.raises(accounts.NotAllowed):
            accounts.add_account(repo, "eve", "Eve", ADMINISTRATOR, "eve's long password")
        with pytest.raises(accounts.NotAllowed):
            accounts.remove_account(repo, ADMIN[0])
        actors = {r[0] for r in repo.db.execute(
            "SELECT actor FROM audit WHERE table_name = 'patients'")}
        assert "Nora Nurse (nora)" in actors and "typed name" not in actors
    accounts.sign_in(path, *DOC[::2])
    with Repository(path) as repo:
        signed = signoff.sign_off_visit(repo, m3, "ignored", PDF, today=TODAY,
                                        password=DOC[2])
        assert signed.signed_by == DOC[1]
        with pytest.raises(accounts.NotAllowed):
            repo.set_settings(AppSettings(repo.scoring_settings(), "x"), "x")
    accounts.sign_in(path, *ADMIN[::2])
    with Repository(path) as repo:
        repo.set_settings(AppSettings(repo.scoring_settings(), "Dr A"), "x")
        with pytest.raises(KnownStorageError, match="only active administrator"):
            accounts.set_role(repo, ADMIN[0], DATA_ENTRY)
        accounts.set_role(repo, NURSE[0], INVESTIGATOR)
        assert accounts.get_account(repo, NURSE[0]).role == INVESTIGATOR


def test_sign_off_needs_the_signers_password_now(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    accounts.sign_in(path, *NURSE[::2])  # a data-entry session at the keyboard
    with Repository(path) as repo:
        repo.add_patient(_patient(), "x", today=TODAY)
        m3 = repo.get_patient("P01").visits[1].id or 0
        with pytest.raises(KnownStorageError, match="enter the password"):
            signoff.sign_off_visit(repo, m3, "Dr A", PDF, today=TODAY)
        with pytest.raises(KnownStorageError) as info:
            signoff.sign_off_visit(repo, m3, "", PDF, today=TODAY, user_name=DOC[0],
                                   password="not ivan's password")
        assert info.value.kind == "wrong_password" and "recorded" in info.value.message
        assert not signoff.signoff_status(repo, m3).signed
        events = repo.db.execute("SELECT user_name, event, detail FROM security_events "
                                 "").fetchall()
        assert (DOC[0], "wrong password", "sign-off of patient P01, visit 2021-03-04 (M3)") \
            in events
        audited = repo.db.execute("SELECT actor, table_name FROM audit WHERE table_name = "
                                  "'security_events'").fetchall()
        assert audited == [("Nora Nurse (nora)", "security_events")]
        # the investigator types their own user name and password at the nurse's desk
        signed = signoff.sign_off_visit(repo, m3, "", PDF, today=TODAY, user_name=DOC[0],
                                        password=DOC[2])
        assert signed.signed_by == "Ivan Investigator" and signed.meaning == signoff.MEANING
        assert signed.signed_at.utcoffset() == dt.timedelta(0)
        actor = repo.db.execute("SELECT actor FROM audit WHERE table_name = 'visit_signoffs'"
                                ).fetchone()[0]
        assert actor == "Ivan Investigator (ivan)"
        # unlocking: an investigator's password and a reason
        with pytest.raises(accounts.NotAllowed):
            signoff.unlock_visit(repo, m3, "", "typo in CMAS", password=NURSE[2])
        with pytest.raises(KnownStorageError, match="Wrong password"):
            signoff.unlock_visit(repo, m3, "", "typo in CMAS", user_name=DOC[0],
                                 password="wrong")
        assert signoff.signoff_status(repo, m3).signed
        voided = signoff.unlock_visit(repo, m3, "", "typo in CMAS", user_name=DOC[0],
                                      password=DOC[2])
        assert voided.voided_by == "Ivan Investigator" and voided.void_reason == "typo in CMAS"
        assert len(repo.db.execute("SELECT * FROM security_events").fetchall()) == 2
    assert check_database(path).healthy


def test_restore_of_an_encrypted_backup(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    with Repository(path) as repo:
        repo.add_patient(_patient(), "x", today=TODAY)
    backup = automatic_backup(path)
    with Repository(path) as repo:
        repo.delete_patient("P01", "x")
    summary = describe_backup(backup)
    assert summary.healthy and summary.table_counts["patients"] == 1 and summary.chain_ok
    aside = restore_backup(path, backup, actor="Ada Admin (ada)")
    assert aside is not None and crypto.keys_path(aside).exists()
    assert crypto.read_key_file(path).database_id == crypto.read_key_file(backup).database_id
    accounts.sign_out(path)
    accounts.sign_in(path, *NURSE[::2])  # the restored key slots open it
    with Repository(path) as repo:
        assert repo.get_patient("P01").identifiers["given_name"] == "Zebulon"
    assert check_database(path).healthy
    assert not path.read_bytes().startswith(crypto.SQLITE_MAGIC)


def test_a_plain_backup_is_not_restored_over_an_encrypted_file(tmp_path: Path) -> None:
    plain = tmp_path / "plain.sqlite"
    with Repository(plain) as repo:
        repo.add_patient(_patient(), "x", today=TODAY)
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    from storage.backups import BackupError

    with pytest.raises(BackupError, match="not encrypted"):
        restore_backup(path, plain)


def test_new_files_are_encrypted_unless_the_test_option_is_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crypto.PLAINTEXT_ENV)
    with pytest.raises(KnownStorageError) as info:
        Repository(tmp_path / "new.sqlite")
    assert info.value.kind == "needs_setup"
    assert not (tmp_path / "new.sqlite").exists()
    monkeypatch.setenv(crypto.PLAINTEXT_ENV, "1")
    with Repository(tmp_path / "new.sqlite") as repo:
        assert repo.database_id is None
    assert (tmp_path / "new.sqlite").read_bytes().startswith(crypto.SQLITE_MAGIC)


def _m001_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "clinic.sqlite"
    shutil.copy(FIXTURES / "m001_schema.sqlite", path)
    return path


def test_encrypting_a_plain_file_from_the_first_released_schema(tmp_path: Path) -> None:
    path = _m001_copy(tmp_path)
    con = sqlite3.connect(path)
    before = con.execute("SELECT study_id, given_name, autoantibody FROM patients").fetchall()
    con.close()
    assert before and any(b"Fixture" in p.read_bytes() for p in [path])
    backups = tmp_path / "backups"
    backups.mkdir()
    old_backup = backups / "clinic-20250101-120000.sqlite"
    shutil.copy(path, old_backup)
    result = encrypt_database(path, *ADMIN)
    assert result.kept_plaintext == [] and old_backup in result.converted
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    for f in files:  # no plain copy is left anywhere
        data = f.read_bytes()
        assert not data.startswith(crypto.SQLITE_MAGIC), f.name
        assert b"Fixture" not in data and b"NXP2" not in data, f.name
    assert {f.name for f in files if f.name.endswith(".sqlite")} >= {
        "clinic.sqlite", "clinic-20250101-120000.sqlite"}
    assert all(crypto.keys_path(f).exists() for f in files if f.name.endswith(".sqlite"))
    report = check_database(path)
    assert report.healthy and report.applied[-1] == "m015_accounts"
    accounts.sign_out(path)
    accounts.sign_in(path, *ADMIN[::2])
    with Repository(path) as repo:
        after = [(p.study_id, p.identifiers.get("given_name"), p.autoantibody)
                 for p in repo.iter_patients()]
    assert sorted(after) == sorted(before)
    summary = describe_backup(old_backup)  # the converted backup opens with the same key
    assert summary.healthy, summary.problem
    with pytest.raises(KnownStorageError, match="already encrypted"):
        encrypt_database(path, *ADMIN)


def test_encrypting_with_keep_plaintext_keeps_and_lists_the_plain_files(tmp_path: Path) -> None:
    path = _m001_copy(tmp_path)
    result = encrypt_database(path, *ADMIN, keep_plaintext=True)
    assert len(result.kept_plaintext) == 1
    kept = result.kept_plaintext[0]
    assert kept.read_bytes().startswith(crypto.SQLITE_MAGIC) and b"Fixture" in kept.read_bytes()
    assert not path.read_bytes().startswith(crypto.SQLITE_MAGIC)


def test_a_copy_that_does_not_verify_changes_nothing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = _m001_copy(tmp_path)
    before = path.read_bytes()
    from storage import conversion

    real = conversion._table_digests  # noqa: SLF001
    calls = {"n": 0}

    def flaky(conn: object) -> dict[str, tuple[int, str]]:
        calls["n"] += 1
        out = real(conn)
        if calls["n"] == 2:  # the encrypted copy's digests: one table differs
            out["patients"] = (0, "tampered")
        return out

    monkeypatch.setattr(conversion, "_table_digests", flaky)
    with pytest.raises(KnownStorageError, match="did not match"):
        encrypt_database(path, *ADMIN)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic.sqlite"]


def test_kdf_parameters_are_recorded_per_slot(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    accounts.create_encrypted(path, *ADMIN)
    data = json.loads(crypto.keys_path(path).read_text())
    assert data["format"] == "jdm-capture-keys" and len(data["slots"]) == 2
    slot = data["slots"][0]
    assert {"salt", "time_cost", "memory_kib", "parallelism", "wrapped", "tag"} <= set(slot)
    assert crypto.DEFAULT_KDF.memory_kib >= 64 * 1024  # the production cost is memory-hard
    # a slot tampered with (its cost lowered) no longer verifies
    data["slots"][1]["time_cost"] += 1
    crypto.keys_path(path).write_text(json.dumps(data))
    accounts.sign_out(path)
    with pytest.raises(KnownStorageError, match="wrong user name or password"):
        accounts.sign_in(path, *ADMIN[::2])


def test_encrypting_a_plain_file_at_the_last_released_schema(tmp_path: Path) -> None:
    """A clinic file as the last released version left it (through m004: the released
    version wrote patients without the adoption marker that m005 adds), with an identified
    patient; encrypting upgrades it, and m005 adopts the patient into the audit trail."""
    from sqlite_utils import Database

    from storage import migrations as mig

    path = tmp_path / "clinic.sqlite"
    db = Database(path)
    first_new = mig.known_names()[mig.known_names().index("m004_parent_global_activity") + 1]
    mig.migrations.apply(db, stop_before=[first_new])
    db.close()
    con = sqlite3.connect(path)
    released = mig.known_names()[:mig.known_names().index(first_new)]
    assert [r[0] for r in con.execute("SELECT name FROM _sqlite_migrations")] == released
    con.execute("INSERT INTO patients (study_id, sex, given_name, family_name, mrn, birth_date)"
                " VALUES ('P01', 'male', 'Zebulon', 'Quixote', 'MRN-4471-XQ', '2011-03-17')")
    con.commit()
    con.close()
    result = encrypt_database(path, *ADMIN)
    copies = [p for p in tmp_path.iterdir() if p.suffix == ".sqlite"]
    assert len(copies) == 2  # the file and the copy made before its upgrade to m015
    for p in tmp_path.iterdir():
        data = p.read_bytes()
        assert not any(s.encode() in data for s in SECRETS), p.name
    assert result.account.role == ADMINISTRATOR
    assert all(crypto.read_key_file(p).slot(ADMIN[0]) for p in copies)  # type: ignore[union-attr]
    with Repository(path) as repo:
        assert repo.get_patient("P01").identifiers["mrn"] == "MRN-4471-XQ"
    assert check_database(path).healthy


def test_repeated_wrong_passwords_pause_the_account(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    _setup(path)
    with Repository(path) as repo:
        for _ in range(accounts.LOCKOUT_ATTEMPTS):
            with pytest.raises(KnownStorageError) as info:
                accounts.verify_password(repo, DOC[0], "guess", "session unlock")
            assert info.value.kind == "wrong_password"
        with pytest.raises(KnownStorageError) as info:  # even the right one, for a while
            accounts.verify_password(repo, DOC[0], DOC[2], "session unlock")
        assert info.value.kind == "throttled" and "wait" in info.value.message
        # another account is not affected
        assert accounts.verify_password(repo, NURSE[0], NURSE[2], "session unlock").active
