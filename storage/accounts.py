"""Personal accounts, roles, sign-in and the key slots that go with them.

Roles (issue 12):

* ``data_entry``: patients, visits, medications, adverse events, imports and exports;
* ``investigator``: also signs visits off and unlocks signed visits;
* ``administrator``: also accounts, settings, restore and encryption.

An account's password is stored twice, for two jobs, each with a fresh salt: as an argon2id
hash in ``accounts.password_hash`` (checked when the open database asks for the password
again: signing, unlocking a visit, the session lock) and as the account's key slot in the key
file (:mod:`storage.crypto`; opening the file). Both are written together by
:func:`add_account` and :func:`change_password`.

Who is signed in to which database is kept per process in :data:`_SIGNED_IN` (database id ->
:class:`Account`); :class:`storage.repository.Repository` records that account as the audit
actor of every change, whatever actor string a caller passes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from forms.i18n import N_, _, context_text
from forms.records import frozen
from storage import crypto
from storage.errors import KnownStorageError, NotFound, classify, sqlite_errors

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from storage.repo_core import RepositoryCore
    from storage.repository import Repository

DATA_ENTRY, INVESTIGATOR, ADMINISTRATOR = "data_entry", "investigator", "administrator"
ROLES = (DATA_ENTRY, INVESTIGATOR, ADMINISTRATOR)
#: English, as stored and as the audit trail writes them; translated where shown (N_ marks them
#: for the catalog)
ROLE_LABELS = {DATA_ENTRY: N_("data entry"), INVESTIGATOR: N_("investigator"),
               ADMINISTRATOR: N_("administrator")}
#: what each permission needs; roles are ordered, each has the rights of those before it.
PERMISSIONS = {
    "enter": DATA_ENTRY,        # patients, visits, medications, events, import, export
    "sign": INVESTIGATOR,       # sign off, unlock a signed visit
    "administer": ADMINISTRATOR,  # accounts, settings, restore, encryption, key slots
}
_WHAT = {"enter": N_("enter data"), "sign": N_("sign off or unlock visits"),
         "administer": N_("manage accounts, settings, restore and encryption")}
MIN_PASSWORD = 10
#: this many wrong passwords for one account within LOCKOUT_MINUTES (recorded security events)
#: refuse further tries for that account until the oldest of them is LOCKOUT_MINUTES old
LOCKOUT_ATTEMPTS, LOCKOUT_MINUTES = 5, 5
_MAX_USER = 40


@frozen
class Account:
    user_name: str
    full_name: str
    role: str
    active: bool = True

    @property
    def actor(self) -> str:
        """How the audit trail names this person: ``Ana Nurse (anurse)``."""
        return f"{self.full_name} ({self.user_name})"

    def can(self, permission: str) -> bool:
        return self.active and ROLES.index(self.role) >= ROLES.index(PERMISSIONS[permission])


class NotAllowed(KnownStorageError):
    """The signed-in account's role does not allow this."""

    def __init__(self, account: Account | None, permission: str) -> None:
        if account is None:
            super().__init__("not_allowed", _("Not allowed: nobody is signed in to this "
                                              "encrypted database; sign in first."))
            return
        role = _(ROLE_LABELS[account.role])
        if not account.active:
            role = _("{role} (inactive account)").format(role=role)
        template = (_("Not allowed: {full_name} ({role}) may not {what}; that needs the {need} "
                      "role or administrator.") if PERMISSIONS[permission] == INVESTIGATOR
                    else _("Not allowed: {full_name} ({role}) may not {what}; that needs the "
                           "{need} role."))
        super().__init__("not_allowed", template.format(
            full_name=account.full_name, role=role, what=_(_WHAT[permission]),
            need=_(ROLE_LABELS[PERMISSIONS[permission]])))


def hasher() -> PasswordHasher:
    from argon2 import PasswordHasher  # noqa: PLC0415 - only to sign in or set a password

    kdf = crypto.current_kdf()
    return PasswordHasher(time_cost=kdf.time_cost, memory_cost=kdf.memory_kib,
                          parallelism=kdf.parallelism)


_PURPOSES = {"session unlock": N_("session unlock"), "password change": N_("password change")}
_PURPOSE_PREFIXES = (("sign-off of ", N_("sign-off of {what}")),
                     ("unlocking ", N_("unlocking {what}")))


def purpose_text(purpose: str) -> str:
    """What a password was asked for (stored in English in the security events) in the
    current language: ``sign-off of patient P01, visit 2024-05-22`` -> 签署患者 P01，访视 ..."""
    if purpose in _PURPOSES:
        return _(_PURPOSES[purpose])
    for prefix, template in _PURPOSE_PREFIXES:
        if purpose.startswith(prefix):
            return _(template).format(what=context_text(purpose[len(prefix):]))
    return purpose


def check_new_password(user_name: str, password: str) -> None:
    """Refuse a password that is too short or is the user name."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise KnownStorageError("weak_password", _("The password must have at least {n} "
                                                   "characters.").format(n=MIN_PASSWORD))
    if password.strip().lower() == user_name.lower():
        raise KnownStorageError("weak_password", _("The password must not be the user name."))


def check_user_name(user_name: str) -> str:
    name = user_name.strip() if isinstance(user_name, str) else ""
    if not name or len(name) > _MAX_USER or not all(c.isalnum() or c in "._-" for c in name):
        raise KnownStorageError("bad_user_name", _(
            "user name {name}: use 1-{max} letters, digits, dots, dashes or "
            "underscores.").format(name=repr(user_name), max=_MAX_USER))
    if name == crypto.RECOVERY_SLOT:
        raise KnownStorageError("bad_user_name", _("{name} is reserved; choose another "
                                                   "name.").format(name=repr(name)))
    return name


# ------------------------------------------------------------------------------------------
# Who is signed in (per process and database)
# ------------------------------------------------------------------------------------------
_SIGNED_IN: dict[str, Account] = {}
_LOCK = threading.Lock()


def signed_in(database_id: str | None) -> Account | None:
    if database_id is None:
        return None
    with _LOCK:
        return _SIGNED_IN.get(database_id)


def set_signed_in(database_id: str, account: Account | None) -> None:
    with _LOCK:
        if account is None:
            _SIGNED_IN.pop(database_id, None)
        else:
            _SIGNED_IN[database_id] = account


def sign_out(db_path: Path | str) -> None:
    """Forget who is signed in and the database key (the file can no longer be opened)."""
    keys = crypto.read_key_file(db_path)
    if keys is not None:
        set_signed_in(keys.database_id, None)
        crypto.forget(keys.database_id)


def require(repo: RepositoryCore, permission: str) -> Account | None:
    """The signed-in account, if it may do ``permission`` (None on a plain file).

    Raises:
        NotAllowed: an encrypted file and nobody signed in, or the role is too low.
    """
    if repo.database_id is None:
        return None  # a plain file has no accounts (tests, files not yet encrypted)
    account = signed_in(repo.database_id)
    if account is None or not account.can(permission):
        raise NotAllowed(account, permission)
    return account


# ------------------------------------------------------------------------------------------
# Reading and writing accounts
# ------------------------------------------------------------------------------------------
def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def get_account(repo: Repository, user_name: str) -> Account:
    row = repo.db.conn.execute(
        "SELECT user_name, full_name, role, active FROM accounts WHERE user_name = ?",
        (user_name,)).fetchone()
    if row is None:
        raise NotFound(f"no account {user_name!r}")
    return Account(row[0], row[1], row[2], bool(row[3]))


def list_accounts(repo: Repository) -> list[Account]:
    rows = repo.db.conn.execute(
        "SELECT user_name, full_name, role, active FROM accounts ORDER BY user_name").fetchall()
    return [Account(r[0], r[1], r[2], bool(r[3])) for r in rows]


def record_event(repo: Repository, user_name: str, event: str, detail: str = "") -> None:
    """A security event (refused password, recovery use, ...), audited in the same
    transaction; written even by an account that may do nothing else."""
    with repo.unit_of_work(None) as uow:
        at = _now()
        cur = repo.db.conn.execute(
            "INSERT INTO security_events (at, user_name, event, detail) VALUES (?, ?, ?, ?)",
            (at, user_name, event, detail))
        me = signed_in(repo.database_id)  # who was at the keyboard, if anybody
        uow.audit_as(me.actor if me else user_name, at, "insert",
                     "security_events",
                     int(cur.lastrowid or 0),
                     [("event", None, event), ("user_name", None, user_name),
                      *([("detail", None, detail)] if detail else [])], event)


def verify_password(repo: Repository, user_name: str, password: str, purpose: str) -> Account:
    """Check an active account's password against its argon2id hash, for ``purpose``.

    A wrong password (or an unknown or inactive account) is refused and recorded as a
    security event ``wrong password: <purpose>``; after :data:`LOCKOUT_ATTEMPTS` of them in
    :data:`LOCKOUT_MINUTES` minutes the account's password is not even checked for a while.

    Raises:
        KnownStorageError: ``wrong_password``.
    """
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=LOCKOUT_MINUTES)).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    recent = repo.db.conn.execute(
        "SELECT count(*) FROM security_events WHERE user_name = ? AND event = 'wrong password' "
        "AND at > ?", (user_name, since)).fetchone()[0]
    if recent >= LOCKOUT_ATTEMPTS:
        raise KnownStorageError(
            "throttled", _("{user}: {n} wrong passwords in the last {minutes} minutes; wait a "
                           "few minutes before trying again (the attempts are "
                           "recorded).").format(user=user_name, n=recent,
                                                minutes=LOCKOUT_MINUTES))
    row = repo.db.conn.execute(
        "SELECT password_hash, active FROM accounts WHERE user_name = ?",
        (user_name,)).fetchone()
    from argon2.exceptions import InvalidHashError, VerificationError  # noqa: PLC0415

    ok = False
    ph = hasher()
    if row is not None and row[1]:
        try:
            ok = ph.verify(row[0], password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        with contextlib.suppress(VerificationError, InvalidHashError):
            ph.verify(ph.hash("not a password"), password)  # same time as a real check
    if not ok:
        record_event(repo, user_name, "wrong password", purpose)
        raise KnownStorageError("wrong_password", _(
            "Wrong password for {user}: {purpose} refused (the attempt is recorded).").format(
                user=user_name, purpose=purpose_text(purpose)))
    return get_account(repo, user_name)


def _require_admin_or_setup(repo: Repository) -> Account | None:
    if repo.db.conn.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0:
        return None  # creating the very first account (set-up)
    return require(repo, "administer")


def _key_of(repo: Repository) -> tuple[crypto.KeyFile, bytes]:
    if repo.path is None:
        raise KnownStorageError("not_encrypted", _("this database has no file"))
    keys = crypto.read_key_file(repo.path)
    if keys is None:
        raise KnownStorageError("not_encrypted", _(
            "{file} is not encrypted: encrypt it first (`main.py encrypt`), accounts live in "
            "encrypted files only.").format(file=repo.path.name))
    key = crypto.key_for(repo.path)
    if key is None:  # pragma: no cover - key_for raises for a locked encrypted file
        raise KnownStorageError("encrypted_locked", _("sign in first"))
    return keys, key


def add_account(repo: Repository, user_name: str, full_name: str, role: str, password: str,
                *, by: str | None = None) -> Account:
    """Create an account and its key slot (administrators; or the first account, at set-up).

    Raises:
        KnownStorageError: bad name or role, weak password, existing user, not allowed.
    """
    user_name = check_user_name(user_name)
    full_name = " ".join(full_name.split()) if isinstance(full_name, str) else ""
    if not 1 <= len(full_name) <= 100:
        raise KnownStorageError("bad_full_name", _("full name: 1-100 characters are needed"))
    if role not in ROLES:
        raise KnownStorageError("bad_role", _("role {role}: choose one of {roles}").format(
            role=repr(role), roles=", ".join(ROLES)))
    check_new_password(user_name, password)
    admin = _require_admin_or_setup(repo)
    keys, key = _key_of(repo)
    if repo.db.conn.execute("SELECT 1 FROM accounts WHERE user_name = ?",
                            (user_name,)).fetchone():
        raise KnownStorageError("exists", _(
            "there is already an account {name} (inactive accounts keep their name for the "
            "audit trail)").format(name=repr(user_name)))
    slot = crypto.make_slot(user_name, password, key, keys.database_id)
    password_hash = hasher().hash(password)
    actor = admin.actor if admin else (by or f"{full_name} ({user_name})")
    with repo.unit_of_work(None) as uow:
        at = _now()
        cur = repo.db.conn.execute(
            "INSERT INTO accounts (user_name, full_name, role, password_hash, active, "
            "created_at, changed_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
            (user_name, full_name, role, password_hash, at, at))
        uow.audit_as(actor, at, "insert", "accounts", int(cur.lastrowid or 0),
                     [("user_name", None, user_name), ("full_name", None, full_name),
                      ("role", None, role), ("password", None, "(set)")],
                     f"account {user_name}")
        # the slot is written inside the transaction: if it cannot be written, no account
        assert repo.path is not None
        crypto.write_key_file(repo.path, keys.with_slot(slot))
    sync_copies(repo.path)
    return Account(user_name, full_name, role)


def change_password(repo: Repository, user_name: str, new_password: str, *,
                    old_password: str | None = None, by_recovery: bool = False) -> None:
    """Rewrite one account's key slot and hash; the data is not re-encrypted.

    A person changes their own password with ``old_password``; an administrator resets
    anybody's; ``by_recovery`` is the recovery-key path (:func:`recover`).
    """
    account = get_account(repo, user_name)
    check_new_password(user_name, new_password)
    me = signed_in(repo.database_id)
    if not by_recovery:
        if me is not None and me.user_name == user_name and old_password is not None:
            verify_password(repo, user_name, old_password, "password change")
        else:
            require(repo, "administer")
    keys, key = _key_of(repo)
    slot = crypto.make_slot(user_name, new_password, key, keys.database_id)
    password_hash = hasher().hash(new_password)
    actor = "recovery key" if by_recovery else (me.actor if me else account.actor)
    with repo.unit_of_work(None) as uow:
        at = _now()
        rid = repo.db.conn.execute("SELECT id FROM accounts WHERE user_name = ?",
                                   (account.user_name,)).fetchone()[0]
        repo.db.conn.execute("UPDATE accounts SET password_hash = ?, changed_at = ? "
                             "WHERE id = ?", (password_hash, at, rid))
        uow.audit_as(actor, at, "update", "accounts", rid,
                     [("password", "(set)", "(changed)")], f"account {user_name}")
        assert repo.path is not None
        crypto.write_key_file(repo.path, keys.with_slot(slot))
    sync_copies(repo.path)


def set_role(repo: Repository, user_name: str, role: str) -> None:
    admin = require(repo, "administer")
    if role not in ROLES:
        raise KnownStorageError("bad_role", _("role {role}: choose one of {roles}").format(
            role=repr(role), roles=", ".join(ROLES)))
    account = get_account(repo, user_name)
    if account.role == role:
        return
    _keep_an_administrator(repo, user_name, role)
    with repo.unit_of_work(None) as uow:
        at = _now()
        rid = repo.db.conn.execute("SELECT id FROM accounts WHERE user_name = ?",
                                   (user_name,)).fetchone()[0]
        repo.db.conn.execute("UPDATE accounts SET role = ?, changed_at = ? WHERE id = ?",
                             (role, at, rid))
        uow.audit_as(admin.actor if admin else user_name, at, "update",
                     "accounts", rid, [("role", account.role, role)], f"account {user_name}")


def _keep_an_administrator(repo: Repository, user_name: str, new_role: str | None) -> None:
    others = repo.db.conn.execute(
        "SELECT count(*) FROM accounts WHERE role = 'administrator' AND active = 1 "
        "AND user_name != ?", (user_name,)).fetchone()[0]
    if not others and new_role != ADMINISTRATOR:
        raise KnownStorageError("last_administrator", _(
            "{user} is the only active administrator; make another account administrator "
            "first.").format(user=user_name))


def remove_account(repo: Repository, user_name: str) -> list[Path]:
    """Deactivate the account and delete its key slot here and beside every backup.

    The data is not re-encrypted: the removed password simply no longer opens anything this
    application holds (a copy someone took earlier is outside its reach; README).

    Returns:
        The key files that were rewritten.
    """
    admin = require(repo, "administer")
    account = get_account(repo, user_name)
    _keep_an_administrator(repo, user_name, None)
    keys, _key = _key_of(repo)
    assert repo.path is not None
    rewritten: list[Path] = []
    with repo.unit_of_work(None) as uow:
        at = _now()
        rid = repo.db.conn.execute("SELECT id FROM accounts WHERE user_name = ?",
                                   (user_name,)).fetchone()[0]
        if account.active:
            repo.db.conn.execute("UPDATE accounts SET active = 0, changed_at = ? WHERE id = ?",
                                 (at, rid))
            uow.audit_as(admin.actor if admin else "?", at, "update",
                         "accounts", rid, [("active", "1", "0")], f"account {user_name}")
        rewritten.append(crypto.write_key_file(repo.path, keys.without(user_name)))
    rewritten.extend(sync_copies(repo.path))
    return rewritten


def sync_copies(db_path: Path) -> list[Path]:
    """Give every backup and copy of this database (same database id) the current key slots.

    A removed account or an old password then opens no copy this application keeps; a new
    account opens the backups too (they hold the same key, so restore keeps working).
    Returns the key files rewritten.
    """
    from storage.backups import backup_dir  # noqa: PLC0415 - backups imports database

    current = crypto.read_key_file(db_path)
    if current is None:
        return []
    out: list[Path] = []
    folder = backup_dir(db_path)
    candidates = list(folder.glob(f"*{crypto.KEYS_SUFFIX}")) if folder.is_dir() else []
    candidates += list(db_path.parent.glob(f"{db_path.stem}.*{crypto.KEYS_SUFFIX}"))
    for keys_file in candidates:
        db_file = keys_file.with_name(keys_file.name[:-len(crypto.KEYS_SUFFIX)])
        if db_file.resolve() == db_path.resolve():
            continue
        try:
            other = crypto.read_key_file(db_file)
        except KnownStorageError:
            continue
        if other is not None and other.database_id == current.database_id and \
                other.to_json() != current.to_json():
            out.append(crypto.write_key_file(db_file, current))
    return out


# ------------------------------------------------------------------------------------------
# Sign-in, set-up and recovery
# ------------------------------------------------------------------------------------------
def sign_in(db_path: Path | str, user_name: str, password: str) -> Account:
    """Unlock the file with this account's key slot and make it the signed-in account.

    Raises:
        KnownStorageError: ``wrong_password`` (unknown user or wrong password, one message),
            ``inactive`` (an account that was removed, if its slot survived somewhere).
    """
    keys = crypto.unlock_with(db_path, user_name, password)
    try:  # a light read-only look at the account (the caller opens the file properly next)
        con = crypto.connect_path(db_path, readonly=True)
        try:
            row = con.execute("SELECT user_name, full_name, role, active FROM accounts "
                              "WHERE user_name = ?", (user_name,)).fetchone()
        finally:
            con.close()
    except sqlite_errors() as exc:
        crypto.forget(keys.database_id)
        raise classify(exc, db_path) from exc
    account = Account(row[0], row[1], row[2], bool(row[3])) if row else None
    if account is None or not account.active:
        crypto.forget(keys.database_id)
        raise KnownStorageError("inactive", _(
            "the account {name} has been removed; ask an administrator.").format(
                name=repr(user_name)))
    set_signed_in(keys.database_id, account)
    return account


def switch_user(repo: Repository, user_name: str, password: str, purpose: str) -> Account:
    """Another person signs in to the already unlocked file (the session lock)."""
    account = verify_password(repo, user_name, password, purpose)
    if repo.database_id is not None:
        set_signed_in(repo.database_id, account)
    return account


@frozen
class SetUp:
    account: Account
    recovery_key: str


def create_encrypted(db_path: Path | str, user_name: str, full_name: str,
                     password: str) -> SetUp:
    """Create a new encrypted database with its first administrator and a recovery key.

    Raises:
        KnownStorageError: the file or its key file already exists; bad name or password.
    """
    from storage.repository import Repository  # noqa: PLC0415

    path = Path(db_path)
    user_name = check_user_name(user_name)
    check_new_password(user_name, password)
    if (path.exists() and path.stat().st_size > 0) or crypto.keys_path(path).exists():
        raise KnownStorageError("exists", _("{path} already exists; choose a new file "
                                            "name.").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    keys, key = crypto.new_database(path)
    recovery = crypto.new_recovery_key()
    keys = keys.with_slot(crypto.make_slot(crypto.RECOVERY_SLOT, recovery, key,
                                           keys.database_id))
    crypto.write_key_file(path, keys)
    crypto.remember(keys.database_id, key)
    try:
        with Repository(path, refresh=False) as repo:
            account = add_account(repo, user_name, full_name, ADMINISTRATOR, password)
    except BaseException:
        crypto.forget(keys.database_id)
        for leftover in (path, crypto.keys_path(path), Path(f"{path}-wal"),
                         Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    set_signed_in(keys.database_id, account)
    return SetUp(account, recovery)


def recover(db_path: Path | str, recovery_key: str, user_name: str,
            new_password: str) -> Account:
    """Open the file with the recovery key and set a new password for an administrator.

    Raises:
        KnownStorageError: wrong recovery key; ``user_name`` is not an active administrator.
    """
    from storage.repository import Repository  # noqa: PLC0415

    keys = crypto.unlock_with(db_path, crypto.RECOVERY_SLOT,
                              crypto.normalise_recovery_key(recovery_key))
    try:
        with Repository(db_path, refresh=False) as repo:
            account = get_account(repo, user_name)
            if account.role != ADMINISTRATOR or not account.active:
                raise KnownStorageError("not_allowed", _(
                    "the recovery key resets an active administrator's password; {user} is "
                    "not one.").format(user=user_name))
            change_password(repo, user_name, new_password, by_recovery=True)
            record_event(repo, "recovery key", "recovery key used",
                         f"new password for {user_name}")
    except BaseException:
        crypto.forget(keys.database_id)
        raise
    set_signed_in(keys.database_id, account)
    return account


def change_recovery_key(repo: Repository) -> str:
    """A new recovery key (shown once); the old one stops working here and in backups."""
    admin = require(repo, "administer")
    keys, key = _key_of(repo)
    recovery = crypto.new_recovery_key()
    slot = crypto.make_slot(crypto.RECOVERY_SLOT, recovery, key, keys.database_id)
    assert repo.path is not None
    crypto.write_key_file(repo.path, keys.with_slot(slot))
    sync_copies(repo.path)
    record_event(repo, admin.actor if admin else "?", "recovery key changed")
    return recovery


@contextlib.contextmanager
def as_account(database_id: str, account: Account) -> Iterator[None]:
    """Temporarily sign ``account`` in (tests and the command line's single command)."""
    previous = signed_in(database_id)
    set_signed_in(database_id, account)
    try:
        yield
    finally:
        set_signed_in(database_id, previous)


# ------------------------------------------------------------------------------------------
# The session lock setting
# ------------------------------------------------------------------------------------------
DEFAULT_IDLE_MINUTES = 10
IDLE_SETTING = "idle_lock_minutes"


def idle_minutes(repo: Repository) -> int:
    """Minutes without input before the window locks (setting; default 10)."""
    row = repo.db.conn.execute("SELECT value FROM settings WHERE key = ?",
                               (IDLE_SETTING,)).fetchone()
    try:
        value = int(row[0]) if row else DEFAULT_IDLE_MINUTES
    except ValueError:
        value = DEFAULT_IDLE_MINUTES
    return min(max(value, 1), 240)


def set_idle_minutes(repo: Repository, minutes: int) -> None:
    """Change the idle lock (administrators), audited like every setting."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
        raise KnownStorageError("bad_setting", _("idle lock = {minutes}: choose 1-240 "
                                                 "minutes").format(minutes=repr(minutes)))
    old = repo.db.conn.execute("SELECT value FROM settings WHERE key = ?",
                               (IDLE_SETTING,)).fetchone()
    if old and old[0] == str(minutes):
        return
    with repo.unit_of_work("administer") as uow:
        repo.db.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = excluded.value", (IDLE_SETTING, str(minutes)))
        rid = repo.db.conn.execute("SELECT rowid FROM settings WHERE key = ?",
                                   (IDLE_SETTING,)).fetchone()[0]
        uow.audit(IDLE_SETTING, _now(), "update" if old else "insert",
                  "settings", rid, [(IDLE_SETTING, old[0] if old else None, str(minutes))],
                  f"setting {IDLE_SETTING}")
