"""Encrypting an existing plain database, its backups and its upgrade copies, safely.

:func:`encrypt_database`:

1. refuses a file that is open elsewhere, already encrypted, or not a JDM Capture database;
2. checkpoints its WAL, then writes an encrypted copy beside it (``sqlcipher_export`` into a
   new SQLCipher file keyed with a fresh random key) and **verifies** it: integrity check,
   the same schema objects, and every table's rows identical (a SHA-256 over each table's rows
   in key order, computed on both files);
3. only then replaces the plain file with the verified copy (an atomic rename) and deletes
   the plain WAL; with ``keep_plaintext`` the plain file is kept aside instead, and the caller
   prints a loud warning;
4. upgrades the encrypted file to the current schema (the pre-upgrade copy is encrypted),
   creates the first administrator account and the recovery key;
5. does the same conversion, with the same key, for every plain backup of the file (the
   ``backups`` folder and the ``.before-...`` copies beside it), each verified before its
   plain file is removed (or, with ``keep_plaintext``, left as it was and listed).

Deleting a file does not wipe its blocks (an SSD cannot promise that anyway); the README says
to rely on full-disk encryption for what was written before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from dataclasses import field
from pathlib import Path
from typing import Any

from forms.i18n import _
from forms.records import mutable
from storage import accounts, crypto
from storage.backups import database_in_use, list_backups
from storage.errors import KnownStorageError, sqlite_errors, translated

_STAMP = "%Y%m%d-%H%M%S"


@mutable
class Conversion:
    """What :func:`encrypt_database` did."""

    database: Path
    recovery_key: str
    account: accounts.Account
    converted: list[Path] = field(default_factory=list)
    #: plain files kept on disk (``keep_plaintext``): the caller must warn loudly
    kept_plaintext: list[Path] = field(default_factory=list)


def _is_plain_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == crypto.SQLITE_MAGIC
    except OSError:
        return False


def _table_digests(conn: Any) -> dict[str, tuple[int, str]]:
    """Table -> (row count, SHA-256 of its rows in primary-key order)."""
    out: dict[str, tuple[int, str]] = {}
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    for table in tables:
        cols = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        pk = [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5]]
        order = ", ".join(f'"{c}"' for c in pk) if pk else ", ".join(f'"{c[1]}"' for c in cols)
        digest = hashlib.sha256()
        count = 0
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
            digest.update(repr(tuple(row)).encode("utf-8"))
            count += 1
        out[table] = (count, digest.hexdigest())
    return out


def _schema(conn: Any) -> list[tuple[str, str, str | None]]:
    return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master "
                               "WHERE name NOT LIKE 'sqlite_%'").fetchall())


def encrypted_copy(plain: Path, dest: Path, key: bytes) -> None:
    """Write ``plain`` as a new SQLCipher file ``dest`` keyed with ``key``, and verify it.

    Raises:
        KnownStorageError: ``verify_failed`` when the copy differs (it is then deleted).
    """
    dest.unlink(missing_ok=True)
    with translated(plain):
        con = sqlite3.connect(plain)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before_schema, before_rows = _schema(con), _table_digests(con)
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
        import sqlcipher3  # noqa: PLC0415 - loaded only to convert (issue 16)

        src = sqlcipher3.connect(str(plain))  # a plain file, read through SQLCipher's SQLite
        try:
            src.execute("ATTACH DATABASE ? AS encrypted KEY \"x'" + key.hex() + "'\"",
                        (str(dest),))
            src.execute("SELECT sqlcipher_export('encrypted')")
            src.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            src.commit()
            src.execute("DETACH DATABASE encrypted")
        finally:
            src.close()
    try:
        out = crypto.connect_raw(dest, key)
        try:
            ok = out.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            same = ok and _schema(out) == before_schema and _table_digests(out) == before_rows
        finally:
            out.close()
        with open(dest, "rb") as handle:
            fsynced_head = handle.read(16)
            os.fsync(handle.fileno())
    except sqlite_errors() as exc:
        dest.unlink(missing_ok=True)
        raise KnownStorageError("verify_failed", _(
            "the encrypted copy of {file} could not be read back ({error}); the plain file is "
            "unchanged.").format(file=plain.name, error=exc)) from exc
    if not same or fsynced_head == crypto.SQLITE_MAGIC:
        dest.unlink(missing_ok=True)
        raise KnownStorageError("verify_failed", _(
            "the encrypted copy of {file} did not match it; nothing was changed.").format(
                file=plain.name))


def plain_copies(db_path: Path) -> list[Path]:
    """The plain backups and upgrade/restore copies of ``db_path``."""
    found = [b.path for b in list_backups(db_path)]
    found += sorted(db_path.parent.glob(f"{db_path.stem}.before-*.sqlite"))
    found += sorted(db_path.parent.glob(f"{db_path.stem}.plaintext-*.sqlite"))
    return [p for p in found if _is_plain_sqlite(p) and not crypto.keys_path(p).exists()]


def encrypt_database(db_path: Path | str, user_name: str, full_name: str, password: str, *,
                     keep_plaintext: bool = False) -> Conversion:
    """Encrypt a plain database in place (see the module docstring).

    Raises:
        KnownStorageError: open elsewhere, already encrypted, not a plain SQLite file, bad
            user name or password, or the copy did not verify (then nothing changed).
    """
    from storage.database import check_version, connect  # noqa: PLC0415 - imports backups

    path = Path(db_path)
    user_name = accounts.check_user_name(user_name)
    accounts.check_new_password(user_name, password)
    if crypto.keys_path(path).exists():
        raise KnownStorageError("already_encrypted", _("{file} is already encrypted.").format(
            file=path.name))
    if not path.is_file() or not _is_plain_sqlite(path):
        raise KnownStorageError("not_a_database", _(
            "{path} is not a plain SQLite database.").format(path=path))
    if database_in_use(path):
        raise KnownStorageError("locked", _(
            "{file} is open in JDM Capture or another program; close it there first.").format(
                file=path.name))
    probe = connect(path, create=False, wal=False)
    try:
        check_version(probe, path)  # a newer or foreign file is refused before any copy
    finally:
        probe.close()
    keys, key = crypto.new_database(path)
    stamp = dt.datetime.now(dt.UTC).strftime(_STAMP)
    staged = path.with_name(f"{path.name}.encrypting")
    encrypted_copy(path, staged, key)
    kept: list[Path] = []
    if keep_plaintext:
        aside = path.with_name(f"{path.stem}.plaintext-{stamp}{path.suffix or '.sqlite'}")
        try:
            os.link(path, aside)  # the plain bytes stay under the aside name
        except OSError:
            shutil.copy2(path, aside)
        kept.append(aside)
    recovery = crypto.new_recovery_key()
    keys = keys.with_slot(crypto.make_slot(crypto.RECOVERY_SLOT, recovery, key,
                                           keys.database_id))
    crypto.write_key_file(path, keys)
    for suffix in ("-wal", "-shm"):  # checkpointed and empty: they belong to the plain file
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(staged, path)
    crypto.make_private(path)
    crypto.remember(keys.database_id, key)
    from storage.repository import Repository  # noqa: PLC0415

    with Repository(path, refresh=False) as repo:  # upgrades to the current schema
        account = accounts.add_account(repo, user_name, full_name, accounts.ADMINISTRATOR,
                                       password)
        accounts.record_event(repo, user_name, "encrypted",
                              f"plain file converted{'; plain copy kept' if kept else ''}")
    accounts.set_signed_in(keys.database_id, account)
    result = Conversion(path, recovery, account, [path], kept)
    current = crypto.read_key_file(path)
    assert current is not None
    for plain in plain_copies(path):
        if plain in kept:
            continue
        if keep_plaintext:
            result.kept_plaintext.append(plain)
            continue
        staged = plain.with_name(f"{plain.name}.encrypting")
        encrypted_copy(plain, staged, key)
        crypto.write_key_file(plain, current)
        for suffix in ("-wal", "-shm"):
            Path(f"{plain}{suffix}").unlink(missing_ok=True)
        os.replace(staged, plain)
        crypto.make_private(plain)
        result.converted.append(plain)
    accounts.sync_copies(path)  # the upgrade copy made on the way gets the account's slot
    return result
