"""Encryption at rest: the random database key, its key slots and the recovery key.

Design (README "Protecting patient data"):

* The database is a SQLCipher 4 file (``sqlcipher3``) keyed with a **random 256-bit raw key**
  (``PRAGMA key = "x'...'"``: no SQLCipher PBKDF2 on open, the slow step is ours, once).
* Nobody knows that key. Each account has a **key slot**: its password goes through argon2id
  (:data:`DEFAULT_KDF`, about 0.35 s here) with the slot's own random salt, giving 64 bytes:
  a key-encryption key and a MAC key. The slot stores the database key XOR
  HMAC-SHA256(kek, label) and an HMAC-SHA256 tag over the slot's header and that ciphertext
  (encrypt-then-MAC; the salt is fresh for every slot so the keystream is never reused). A
  wrong password fails the tag, never "decrypts" to a wrong key. The **recovery key** (shown
  once at set-up) has a slot of its own.
* Removing an account removes its slot, a password change rewrites only that slot: the data is
  never re-encrypted (as LUKS does).
* The slots live in a small JSON **key file** beside the database, ``<name>.sqlite.keys``
  (0600), and a copy goes beside every backup. They cannot live inside the database: SQLCipher
  encrypts every page, page 1 included (only the 16-byte salt is clear), so there is no
  unencrypted header to hold them, and a slot has to be read *before* the key is known. A
  separate file is also replaced atomically (write, fsync, rename) without touching the data.
  It holds nothing secret without a password: salts, KDF costs, wrapped keys, tags, user names.
* :data:`_UNLOCKED` is this process's key ring: database id -> key. :func:`key_for` finds the
  key of any file whose key file names an unlocked database id, so a backup (same id, same
  key) opens with the key the user already unlocked.

Plain (unencrypted) files still open, through the standard ``sqlite3`` module: files made
before encryption (convert them with ``main.py encrypt``) and, when ``JDM_CAPTURE_PLAINTEXT=1``
is set, new files made by the test suite (:func:`plaintext_allowed`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import asdict, field
from pathlib import Path
from typing import Any

from forms.i18n import _
from forms.records import frozen, mutable
from storage.errors import KnownStorageError

#: creates new databases without encryption (tests and development only; never in a clinic).
PLAINTEXT_ENV = "JDM_CAPTURE_PLAINTEXT"
#: makes new key slots with a cheap KDF (the test suite; a slot records its own cost).
FAST_KDF_ENV = "JDM_CAPTURE_INSECURE_FAST_KDF"
KEYS_SUFFIX = ".keys"
KEY_FILE_FORMAT = "jdm-capture-keys"
KEY_FILE_VERSION = 1
KEY_BYTES = 32
SQLITE_MAGIC = b"SQLite format 3\x00"
RECOVERY_SLOT = "recovery"
_LABEL_ENC = b"jdm-capture key slot v1: wrap"
_LABEL_CHECK = b"jdm-capture key check v1"
# Crockford base32 without I, L, O, U: easy to read back from paper.
_RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@frozen
class KdfParams:
    """argon2id cost: passes, memory in KiB, lanes."""

    time_cost: int = 3
    memory_kib: int = 128 * 1024
    parallelism: int = 1


#: about 0.35 s on the reference machine (2 shared cores); bench/bench_encryption.py prints it.
DEFAULT_KDF = KdfParams()
_FAST_KDF = KdfParams(time_cost=1, memory_kib=8, parallelism=1)


def current_kdf() -> KdfParams:
    return _FAST_KDF if os.environ.get(FAST_KDF_ENV) == "1" else DEFAULT_KDF


def plaintext_allowed() -> bool:
    """True when new databases may be created unencrypted (``JDM_CAPTURE_PLAINTEXT=1``)."""
    return os.environ.get(PLAINTEXT_ENV) == "1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@frozen
class KeySlot:
    """One way into the database key: an account's password or the recovery key."""

    name: str  # the user name, or RECOVERY_SLOT
    salt: str
    time_cost: int
    memory_kib: int
    parallelism: int
    wrapped: str
    tag: str

    def _header(self, database_id: str) -> bytes:
        return json.dumps([database_id, self.name, self.salt, self.time_cost, self.memory_kib,
                           self.parallelism]).encode()

    @property
    def kdf(self) -> KdfParams:
        return KdfParams(self.time_cost, self.memory_kib, self.parallelism)


def _derive(secret: str, salt: bytes, kdf: KdfParams) -> tuple[bytes, bytes]:
    from argon2.low_level import Type, hash_secret_raw  # noqa: PLC0415 - only to unlock

    raw = hash_secret_raw(secret.encode("utf-8"), salt, kdf.time_cost, kdf.memory_kib,
                          kdf.parallelism, 64, Type.ID)
    return raw[:32], raw[32:]


def make_slot(name: str, secret: str, key: bytes, database_id: str,
              kdf: KdfParams | None = None) -> KeySlot:
    """Wrap ``key`` under ``secret`` (a password or the recovery key) in a new slot."""
    kdf = kdf or current_kdf()
    salt = secrets.token_bytes(16)
    kek, mac_key = _derive(secret, salt, kdf)
    stream = hmac.digest(kek, _LABEL_ENC, "sha256")
    wrapped = bytes(a ^ b for a, b in zip(key, stream, strict=True))
    draft = KeySlot(name, _b64(salt), kdf.time_cost, kdf.memory_kib, kdf.parallelism,
                    _b64(wrapped), "")
    tag = hmac.digest(mac_key, draft._header(database_id) + wrapped, "sha256")  # noqa: SLF001
    return KeySlot(**{**asdict(draft), "tag": _b64(tag)})


def open_slot(slot: KeySlot, secret: str, database_id: str) -> bytes | None:
    """The database key if ``secret`` opens ``slot``, else None (the tag does not verify)."""
    kek, mac_key = _derive(secret, _unb64(slot.salt), slot.kdf)
    wrapped = _unb64(slot.wrapped)
    expected = hmac.digest(mac_key, slot._header(database_id) + wrapped, "sha256")  # noqa: SLF001
    if not hmac.compare_digest(expected, _unb64(slot.tag)):
        return None
    stream = hmac.digest(kek, _LABEL_ENC, "sha256")
    return bytes(a ^ b for a, b in zip(wrapped, stream, strict=True))


def key_check(key: bytes) -> str:
    """A value stored in the key file to confirm an unwrapped key belongs to this file."""
    return hmac.digest(key, _LABEL_CHECK, "sha256").hex()[:32]


@mutable
class KeyFile:
    """The key file (``<db>.keys``): the database id, a key check, and the slots."""

    database_id: str
    check: str
    slots: list[KeySlot] = field(default_factory=list)

    def slot(self, name: str) -> KeySlot | None:
        return next((s for s in self.slots if s.name == name), None)

    def with_slot(self, slot: KeySlot) -> KeyFile:
        others = [s for s in self.slots if s.name != slot.name]
        return KeyFile(self.database_id, self.check, [*others, slot])

    def without(self, name: str) -> KeyFile:
        return KeyFile(self.database_id, self.check, [s for s in self.slots if s.name != name])

    def to_json(self) -> str:
        return json.dumps({"format": KEY_FILE_FORMAT, "version": KEY_FILE_VERSION,
                           "cipher": "sqlcipher4-raw-key", "database_id": self.database_id,
                           "key_check": self.check,
                           "slots": [asdict(s) for s in self.slots]}, indent=1)

    @classmethod
    def from_json(cls, text: str, where: Path) -> KeyFile:
        try:
            data: dict[str, Any] = json.loads(text)
            if data.get("format") != KEY_FILE_FORMAT:
                raise ValueError("not a JDM Capture key file")
            if data.get("version") != KEY_FILE_VERSION:
                raise ValueError(f"key file version {data.get('version')} is not supported")
            slots = [KeySlot(**s) for s in data["slots"]]
            return cls(str(data["database_id"]), str(data["key_check"]), slots)
        except (ValueError, KeyError, TypeError) as exc:
            raise KnownStorageError(
                "bad_key_file", f"{where.name} is damaged or not a JDM Capture key file "
                f"({exc}). Restore it from a backup folder (each backup has its own "
                "copy).") from exc


def keys_path(db_path: Path | str) -> Path:
    """The key file of a database or backup: ``clinic.sqlite`` -> ``clinic.sqlite.keys``."""
    path = Path(db_path)
    return path.with_name(path.name + KEYS_SUFFIX)


def read_key_file(db_path: Path | str) -> KeyFile | None:
    """The key file beside ``db_path``, or None when the database is not encrypted."""
    where = keys_path(db_path)
    try:
        text = where.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KnownStorageError("cannot_open", _("{file} cannot be read: {error}").format(
            file=where.name, error=exc.strerror or exc)) from exc
    return KeyFile.from_json(text, where)


def write_key_file(db_path: Path | str, keys: KeyFile) -> Path:
    """Replace the key file atomically (temporary file, fsync, rename), owner-only."""
    where = keys_path(db_path)
    tmp = where.with_name(f"{where.name}.{os.getpid()}-{threading.get_ident()}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(keys.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, where)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KnownStorageError("cannot_write", _("Could not write the key file {path}: "
                                                  "{error}").format(
            path=where, error=exc.strerror or exc)) from exc
    return where


def copy_key_file(db_path: Path | str, dest_db: Path | str) -> Path | None:
    """Put a copy of ``db_path``'s key file beside ``dest_db`` (a backup); None if plain."""
    keys = read_key_file(db_path)
    return None if keys is None else write_key_file(dest_db, keys)


# ------------------------------------------------------------------------------------------
# Recovery key
# ------------------------------------------------------------------------------------------
def new_recovery_key() -> str:
    """160 random bits as 8 groups of 4 characters, e.g. ``7K3Q-...``."""
    value = secrets.randbits(160)
    chars = []
    for _position in range(32):
        value, digit = divmod(value, 32)
        chars.append(_RECOVERY_ALPHABET[digit])
    text = "".join(chars)
    return "-".join(text[i:i + 4] for i in range(0, 32, 4))


def normalise_recovery_key(text: str) -> str:
    """Accept lower case, spaces, missing dashes, O for 0 and I/L for 1."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    return "-".join(cleaned[i:i + 4] for i in range(0, len(cleaned), 4))


# ------------------------------------------------------------------------------------------
# The process key ring
# ------------------------------------------------------------------------------------------
_UNLOCKED: dict[str, bytes] = {}
_LOCK = threading.Lock()


def remember(database_id: str, key: bytes) -> None:
    with _LOCK:
        _UNLOCKED[database_id] = key


def forget(database_id: str | None = None) -> None:
    """Drop one key (or every key) from this process."""
    with _LOCK:
        if database_id is None:
            _UNLOCKED.clear()
        else:
            _UNLOCKED.pop(database_id, None)


def is_unlocked(database_id: str) -> bool:
    return database_id in _UNLOCKED


def new_database(db_path: Path | str) -> tuple[KeyFile, bytes]:
    """A fresh random key and an empty key file for a database about to be created."""
    import uuid  # noqa: PLC0415 - only when a database is created

    key = secrets.token_bytes(KEY_BYTES)
    return KeyFile(str(uuid.uuid4()), key_check(key)), key


def key_for(db_path: Path | str) -> bytes | None:
    """The key to open ``db_path`` with: None for a plain file.

    Raises:
        KnownStorageError: ``encrypted_locked`` when the file is encrypted and nobody has
            signed in to it in this process; ``no_key_file`` when the file looks encrypted
            but its key file is missing.
    """
    path = Path(db_path)
    keys = read_key_file(path)
    if keys is None:
        if _looks_encrypted(path):
            raise KnownStorageError(
                "no_key_file", f"{path.name} is encrypted (or damaged), and its key file "
                f"{keys_path(path).name} is missing. Copy the key file back beside it (every "
                "backup folder holds one), or restore a backup.")
        return None
    with _LOCK:
        key = _UNLOCKED.get(keys.database_id)
    if key is None:
        raise KnownStorageError(
            "encrypted_locked", f"{path.name} is encrypted: sign in with your user name and "
            "password first.")
    return key


def _looks_encrypted(path: Path) -> bool:
    """A SQLCipher file: whole pages, starting with 16 random bytes (its salt), not the SQLite
    magic, not text, not zeros (a damaged plain file reads as damaged, not as encrypted).

    A database SQLite holds open in this process is never read by hand (an ``open()`` and
    ``close()`` of it would release SQLite's POSIX locks: ``storage.locks``); it was opened
    without a key file, so it is plain."""
    from storage import locks  # noqa: PLC0415 - locks is light, but keep crypto's imports lean

    if locks.has_open_connection(path):
        return False
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    if len(head) < 16 or size % 512 or head == SQLITE_MAGIC:
        return False
    return len(set(head)) >= 8 and sum(32 <= b < 127 for b in head) < 14


def unlock_with(db_path: Path | str, name: str, secret: str) -> KeyFile:
    """Open ``name``'s slot (a user name, or :data:`RECOVERY_SLOT`) and remember the key.

    Raises:
        KnownStorageError: ``wrong_password`` (same message for an unknown user, so the
            message does not reveal which accounts exist), or no key file.
    """
    path = Path(db_path)
    keys = read_key_file(path)
    if keys is None:
        raise KnownStorageError("not_encrypted", _("{file} is not encrypted.").format(
            file=path.name))
    slot = keys.slot(name)
    key = open_slot(slot, secret, keys.database_id) if slot is not None else None
    if slot is None:  # spend the same time as a real attempt
        _derive(secret, secrets.token_bytes(16), current_kdf())
    if key is None or not hmac.compare_digest(key_check(key), keys.check):
        message = (_("{file}: wrong recovery key; the file was not opened.")
                   if name == RECOVERY_SLOT else
                   _("{file}: wrong user name or password; the file was not opened."))
        raise KnownStorageError("wrong_password", message.format(file=path.name))
    remember(keys.database_id, key)
    return keys


# ------------------------------------------------------------------------------------------
# Connections
# ------------------------------------------------------------------------------------------
def raw_key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_raw(target: Path | str, key: bytes | None, **kwargs: Any) -> Any:
    """A DB-API connection: ``sqlite3`` for a plain file, ``sqlcipher3`` with the key.

    ``target`` may be a ``file:`` URI (pass ``uri=True``). Temporary tables and indices stay
    in memory (``temp_store = MEMORY``), so nothing decrypted is spilled to a temp file.
    """
    if key is None:
        conn = sqlite3.connect(str(target), **kwargs)
    else:
        import sqlcipher3  # noqa: PLC0415 - loaded for the first encrypted file (issue 16)

        conn = sqlcipher3.connect(str(target), **kwargs)
        conn.execute(raw_key_pragma(key))
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def connect_path(path: Path | str, *, readonly: bool = False, **kwargs: Any) -> Any:
    """:func:`connect_raw` with the key :func:`key_for` finds for ``path``."""
    key = key_for(path)
    if readonly:
        return connect_raw(f"{Path(path).resolve().as_uri()}?mode=ro", key, uri=True, **kwargs)
    return connect_raw(path, key, **kwargs)


def is_encrypted(path: Path | str) -> bool:
    return read_key_file(path) is not None


@contextlib.contextmanager
def umask_private() -> Iterator[None]:
    """Files and folders created inside the block are owner-only (0600 / 0700)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def make_private(path: Path | str) -> None:
    """chmod 0600 a file (0700 a folder) the app created; ignores file systems without modes."""
    p = Path(path)
    with contextlib.suppress(OSError):
        os.chmod(p, 0o700 if p.is_dir() else 0o600)


def fingerprint(key: bytes) -> str:
    """A short non-secret id of a key (shown by ``keys list``)."""
    return hashlib.sha256(b"jdm-capture fingerprint" + key).hexdigest()[:12]
