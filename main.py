"""JDM Capture entry point: no subcommand opens the GUI; subcommands work headless.

``python main.py [--db PATH]`` opens the desktop application (PySide6 is imported only on that
path). The subcommands of data-contract section 1 (``init``, ``demo``, ``import``, ``export``,
``report``, ``check``, ``backup``, ``restore``) run without Qt or a display. Exit status: 0
success, 2 bad input or a refused operation (one line per problem on stderr), 1 unexpected
failure.

The database is ``--db PATH``, else ``$JDM_CAPTURE_DB``, else ``jdm-capture.sqlite`` in the
platform's user data folder.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the storage layer is imported lazily, inside the commands
    from storage.repository import Repository

OK, FAILED, REFUSED = 0, 1, 2
#: the status of a command whose stdout reader went away (as if killed by SIGPIPE)
SIGPIPE_STATUS = 141


class _Refused(Exception):
    """A refused operation: the lines go to stderr and the exit status is 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _actor() -> str:
    """Who the audit trail records for command-line changes to a plain file (on an encrypted
    file the signed-in account is recorded instead: storage.repository)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        user = "unknown user"
    return f"{user} (command line)"


def _out(text: str) -> None:
    """One line on stdout; a reader that went away (``check | head -1``) ends the output
    quietly, and the command still finishes with its own exit status."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def _silence_stdout() -> None:
    """Send the rest of stdout to nowhere (no "Exception ignored ... BrokenPipeError" at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _writable_target(out: Path, what: str) -> Path:
    """Refuse an output name that is a folder or lies in a missing folder (exit 2)."""
    if out.is_dir():
        raise _Refused(f"{out}: is a folder; give the name of the {what} file to write, "
                       f"e.g. {out / ('jdm-capture' + (out.suffix or '.out'))}")
    if not out.parent.exists():
        raise _Refused(f"{out}: the folder {out.parent} does not exist")
    return out


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


# ------------------------------------------------------------------------------------------
# Who is running the command (encrypted files)
# ------------------------------------------------------------------------------------------
#: scripts give the password here or through --password-fd; never as an argument.
PASSWORD_ENV = "JDM_CAPTURE_PASSWORD"
NEW_PASSWORD_ENV = "JDM_CAPTURE_NEW_PASSWORD"
USER_ENV = "JDM_CAPTURE_USER"
RECOVERY_ENV = "JDM_CAPTURE_RECOVERY_KEY"
_fd_cache: dict[int, list[str]] = {}


def _from_fd(fd: int) -> str:
    """The next line from file descriptor ``fd`` (several secrets may come one per line)."""
    if fd not in _fd_cache:
        try:
            with os.fdopen(fd, "r", encoding="utf-8", closefd=False) as handle:
                _fd_cache[fd] = handle.read().splitlines()
        except OSError as exc:
            raise _Refused(f"cannot read the password from file descriptor {fd}: "
                           f"{exc.strerror or exc}") from exc
    lines = _fd_cache[fd]
    if not lines:
        raise _Refused(f"file descriptor {fd} has no (more) lines to read a password from")
    return lines.pop(0)


def _secret(args: argparse.Namespace, what: str, env: str, fd: int | None, *,
            confirm: bool = False) -> str:
    """A secret from the file descriptor, else the environment, else a prompt without echo."""
    if fd is not None:
        return _from_fd(fd)
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise _Refused(f"{what} needed: type it at the prompt (run in a terminal), or give "
                       f"it in ${env} or with --password-fd N; never as an argument")
    first = getpass.getpass(f"{what}: ")
    if confirm and getpass.getpass(f"{what} again: ") != first:
        raise _Refused("the two entries differ; nothing was changed")
    return first


def _user(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get(USER_ENV, "")
    if name:
        return str(name)
    if sys.stdin.isatty():
        return input("user name: ").strip()
    raise _Refused(f"this database is encrypted: give your user name with --user NAME (or "
                   f"${USER_ENV})")


def _sign_in(args: argparse.Namespace) -> None:
    """Unlock an encrypted database with the user's key slot (plain files need nothing)."""
    from storage import accounts, crypto

    if not crypto.is_encrypted(args.db):
        return
    user = _user(args)
    password = _secret(args, f"password for {user}", PASSWORD_ENV, args.password_fd)
    accounts.sign_in(args.db, user, password)


def _require(args: argparse.Namespace, permission: str) -> None:
    """Refuse (exit 2) when the signed-in account may not do ``permission``."""
    from storage import accounts, crypto

    keys = crypto.read_key_file(args.db)
    if keys is None:
        return
    account = accounts.signed_in(keys.database_id)
    if account is None or not account.can(permission):
        raise accounts.NotAllowed(account, permission)


# ------------------------------------------------------------------------------------------
# Subcommands
# ------------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from storage import crypto, migrations
    from storage.database import (
        applied_migrations,
        check_version,
        connect,
        migrate_database,
    )
    from storage.repository import Repository

    path: Path = args.db
    existed = path.exists() and path.stat().st_size > 0
    if not existed and not crypto.keys_path(path).exists() and not crypto.plaintext_allowed():
        return _init_encrypted(args)
    _sign_in(args)
    db = connect(path)
    try:
        pending = check_version(db, path)
        copy = migrate_database(db, path) if pending else None
        with Repository(db) as repo:
            rescored = repo.refresh_derived()
        known = migrations.known_names()  # the newest in this build's order, not by date
        schema = max(applied_migrations(db), key=lambda n: known.index(n) if n in known
                     else -1)
    finally:
        db.close()
    if not existed:
        _out(f"{path}: created (schema {schema})")
    elif pending:
        _out(f"{path}: upgraded to schema {schema} ({len(pending)} migration"
             f"{'s' if len(pending) != 1 else ''}); the previous file was copied to {copy}")
    else:
        _out(f"{path}: schema up to date ({schema})")
    if rescored:
        _out(f"recomputed the derived values of {rescored} visits")
    if schema != migrations.latest_name():  # pragma: no cover - migrate_database applies all
        raise RuntimeError(f"schema is {schema} after migrating, not {migrations.latest_name()}")
    return OK


def _print_recovery_key(key: str) -> None:
    """The recovery key, once, on stdout (it is not stored anywhere in clear)."""
    rule = "=" * 62
    _out(rule)
    _out("RECOVERY KEY (shown once: print it or write it down, keep it locked away)")
    _out("")
    _out(f"    {key}")
    _out("")
    _out("It opens this database and resets an administrator's password if every")
    _out("administrator password is forgotten: `recover --user NAME`.")
    _out(rule)


def _new_password(args: argparse.Namespace, who: str) -> str:
    return _secret(args, f"new password for {who}", NEW_PASSWORD_ENV,
                   getattr(args, "new_password_fd", None), confirm=True)


def _init_encrypted(args: argparse.Namespace) -> int:
    """``init`` on a new file: an encrypted database with its first administrator."""
    from storage import accounts, migrations

    user = _user(args)
    full_name = args.full_name or user
    password = _new_password(args, user)
    setup = accounts.create_encrypted(args.db, user, full_name, password)
    _out(f"{args.db}: created, encrypted (schema {migrations.latest_name()}); administrator "
         f"{setup.account.full_name} ({setup.account.user_name})")
    _print_recovery_key(setup.recovery_key)
    return OK


def cmd_encrypt(args: argparse.Namespace) -> int:
    """Encrypt an existing plain database, its backups and its upgrade copies."""
    from storage.conversion import encrypt_database

    path = _existing(args.db)
    user = _user(args)
    password = _new_password(args, user)
    result = encrypt_database(path, user, args.full_name or user, password,
                              keep_plaintext=args.keep_plaintext)
    _out(f"{path}: encrypted and verified; administrator {result.account.full_name} "
         f"({result.account.user_name})")
    for other in result.converted[1:]:
        _out(f"  also encrypted: {other}")
    _print_recovery_key(result.recovery_key)
    if result.kept_plaintext:
        _err("!" * 62)
        _err("WARNING: PLAIN-TEXT COPIES KEPT (--keep-plaintext). Anyone who copies these")
        _err("files reads every patient in them. Move them to secure storage or delete them:")
        for kept in result.kept_plaintext:
            _err(f"  {kept}")
        _err("!" * 62)
    return OK


def cmd_accounts(args: argparse.Namespace) -> int:
    """``accounts list|add|remove|password|role``."""
    from storage import accounts
    from storage.repository import Repository

    with Repository(_existing(args.db), refresh=False) as repo:
        if repo.database_id is None:
            raise _Refused(f"{args.db.name} is not encrypted, so it has no accounts; encrypt "
                           "it first (`encrypt --user NAME`)")
        action = args.action
        if action == "list":
            for acc in accounts.list_accounts(repo):
                state = "" if acc.active else "  (removed)"
                _out(f"{acc.user_name:<20} {accounts.ROLE_LABELS[acc.role]:<14} "
                     f"{acc.full_name}{state}")
            return OK
        if not args.name:
            raise _Refused(f"accounts {action}: give the user name")
        if action == "add":
            role = args.role or accounts.DATA_ENTRY
            _require(args, "administer")
            acc = accounts.add_account(repo, args.name, args.full_name or args.name, role,
                                       _new_password(args, args.name))
            _out(f"added {acc.full_name} ({acc.user_name}), {accounts.ROLE_LABELS[role]}")
        elif action == "remove":
            files = accounts.remove_account(repo, args.name)
            _out(f"removed {args.name}: the account is inactive and its key slot is gone "
                 f"from {len(files)} key file{'s' if len(files) != 1 else ''} (the data was "
                 "not re-encrypted)")
        elif action == "password":
            me = repo.account
            old = None
            if me is not None and me.user_name == args.name:
                old = _secret(args, f"current password for {args.name}", PASSWORD_ENV,
                              args.password_fd)
            accounts.change_password(repo, args.name, _new_password(args, args.name),
                                     old_password=old)
            _out(f"changed the password of {args.name} (its key slot was rewritten; the "
                 "data was not re-encrypted)")
        elif action == "role":
            if not args.role:
                raise _Refused("accounts role NAME --role ROLE")
            accounts.set_role(repo, args.name, args.role)
            _out(f"{args.name} is now {accounts.ROLE_LABELS[args.role]}")
    return OK


def cmd_keys(args: argparse.Namespace) -> int:
    """List the key slots of the database and how many copies carry them."""
    from storage import accounts, crypto
    from storage.repository import Repository

    keys = crypto.read_key_file(_existing(args.db))
    if keys is None:
        raise _Refused(f"{args.db.name} is not encrypted (encrypt it with `encrypt`)")
    _require(args, "administer")
    with Repository(args.db, refresh=False) as repo:
        known = {a.user_name: a for a in accounts.list_accounts(repo)}
    _out(f"{crypto.keys_path(args.db)}: database {keys.database_id}")
    for slot in keys.slots:
        who = ("recovery key" if slot.name == crypto.RECOVERY_SLOT else
               f"account {slot.name}" + ("" if slot.name in known and known[slot.name].active
                                         else " (NO ACTIVE ACCOUNT)"))
        _out(f"  slot {slot.name:<20} {who}; argon2id t={slot.time_cost}, "
             f"m={slot.memory_kib // 1024} MiB, p={slot.parallelism}")
    missing = [n for n, a in known.items() if a.active and keys.slot(n) is None]
    for name in missing:
        _err(f"warning: active account {name} has no key slot (reset its password)")
    return OK


def cmd_recovery_key(args: argparse.Namespace) -> int:
    """Make a new recovery key; the old one stops working here and in the backups."""
    from storage import accounts
    from storage.repository import Repository

    with Repository(_existing(args.db), refresh=False) as repo:
        if repo.database_id is None:
            raise _Refused(f"{args.db.name} is not encrypted")
        key = accounts.change_recovery_key(repo)
    _out("the previous recovery key no longer opens this database or its backups")
    _print_recovery_key(key)
    return OK


def cmd_recover(args: argparse.Namespace) -> int:
    """Forgotten password: the recovery key sets a new password for an administrator."""
    from storage import accounts

    path = _existing(args.db)
    user = _user(args)
    recovery = _secret(args, "recovery key", RECOVERY_ENV, args.password_fd)
    accounts.recover(path, recovery, user, _new_password(args, user))
    _out(f"{user}: new password set with the recovery key (recorded in the audit trail); "
         "consider making a new recovery key (`recovery-key`)")
    return OK


def cmd_demo(args: argparse.Namespace) -> int:
    from storage.demo import add_demo_cohort
    from storage.repository import Repository

    with Repository(args.db) as repo:
        added = add_demo_cohort(repo)
    if added:
        _out(f"added {added} synthetic demo patients (DEMO-01 ...) to {args.db}")
    else:
        _out("the demo cohort is already in the database; nothing added")
    return OK


_SETTINGS_HINT = ("run the import again with --settings file (use the file's settings: every "
                  "stored response is recomputed with them) or --settings keep (keep this "
                  "database's settings)")


def cmd_import(args: argparse.Namespace) -> int:
    from storage.casefile import CaseFileRejected, SettingsDiffer, import_case_file
    from storage.repository import Repository

    if not args.db.exists():
        # a mistyped --db must not become a new file full of identifiable data
        raise _Refused(f"there is no database at {args.db}; create it first with "
                       f"`init --db {args.db}`, then import (nothing was imported)")
    status = OK
    actor = _actor()
    with Repository(args.db) as repo:
        for name in args.files:
            path = Path(name)
            if path.suffix.lower() == ".xlsx":
                status = max(status, _import_workbook(repo, path, actor, args.settings))
                continue
            try:
                case, summary = import_case_file(repo, path, actor, settings=args.settings)
            except CaseFileRejected as exc:
                for line in exc.problems:
                    _err(line)
                if isinstance(exc, SettingsDiffer):
                    _err(f"{path.name}: {_SETTINGS_HINT}")
                _err(f"{path.name}: not imported (nothing of this file was saved)")
                status = REFUSED
                continue
            for line in case.warnings:
                _err(f"warning: {line}")
            _out(f"{path.name}: imported {len(case.patients)} patients "
                 f"({summary.patients_added} new), {summary.visits} visits "
                 f"({summary.visits_replaced} replaced), {summary.medications} medications, "
                 f"{summary.adverse_events} adverse events")
            _settings_outcome(path, args.settings, case.settings is not None)
    return status


def _settings_outcome(path: Path, choice: str | None, has_settings: bool) -> None:
    """Say which scoring settings apply after an import that had to choose."""
    if choice == "file" and has_settings:
        _out(f"{path.name}: the database now uses the file's scoring settings; stored "
             "responses were recomputed with them")
    elif choice == "keep" and has_settings:
        _out(f"{path.name}: the database kept its own scoring settings")


def _import_workbook(repo: Repository, path: Path, actor: str, settings: str | None) -> int:
    """``import FILE.xlsx``: a workbook in the identified export layout, whole or not at all."""
    from exports.xlsx_import import import_workbook

    summary = import_workbook(path, repo, actor, settings=settings)
    for line in summary.warnings:
        _err(f"warning: {line}")
    if not summary.imported:
        for line in summary.errors:
            _err(line)
        if summary.settings_differences:
            _err(f"{path.name}: {_SETTINGS_HINT}")
        _err(f"{path.name}: not imported (nothing of this file was saved)")
        return REFUSED
    _out(f"{path.name}: imported {summary.patients} patients ({summary.patients_added} new), "
         f"{summary.visits} visits ({summary.visits_replaced} replaced), "
         f"{summary.medications} medications, {summary.adverse_events} adverse events")
    _settings_outcome(path, settings, summary.has_settings)
    return OK


def _export_redcap(args: argparse.Namespace) -> int:
    """``export --redcap DIR``: the REDCap project folder (exports.redcap)."""
    from storage.repository import Repository

    out: Path = args.redcap
    if out.exists() and not out.is_dir():
        raise _Refused(f"{out}: is a file; --redcap needs a folder")
    if not out.parent.exists():
        raise _Refused(f"{out}: the folder {out.parent} does not exist")
    export_redcap = _export_function("exports.redcap", "export_redcap")
    with Repository(_existing(args.db)) as repo:
        summary = export_redcap(repo, out, identified=args.identified)
    for line in summary.notes:
        _err(f"note: {line}")
    kind = "identified" if args.identified else "de-identified"
    files = ", ".join(p.name for p in summary.files.values())
    _out(f"wrote the {kind} REDCap project to {out}: {summary.patients} patients, "
         f"{summary.records_rows} record rows, {summary.events} events ({files})")
    return OK


def _export_template(args: argparse.Namespace) -> int:
    """``export --template FILE.xlsx``: the blank data-entry workbook (no database needed)."""
    out: Path = args.template
    if out.suffix.lower() != ".xlsx":
        raise _Refused(f"{out.name}: the template is a workbook; give a name ending in .xlsx")
    _writable_target(out, "template")
    write_template = _export_function("exports.template", "write_template")
    write_template(out)
    _out(f"wrote the blank data-entry template {out} (fill it in, then: import {out.name})")
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    from storage.repository import Repository

    if args.redcap is not None:
        return _export_redcap(args)
    if args.template is not None:
        return _export_template(args)
    out: Path = args.out
    suffix = out.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise _Refused(f"{out.name}: choose a .json (case file) or .xlsx (workbook) name")
    _writable_target(out, "export")
    with Repository(_existing(args.db)) as repo:
        if suffix == ".json":
            from storage.casefile import export_case_file

            count = export_case_file(repo, out)
            _out(f"wrote {count} patients to {out} (case file with identifiers)")
            return OK
        write_workbook = _export_function("exports.excel", "write_workbook")
        write_workbook(repo.iter_patients(with_derived=True), out, identified=args.identified,
                       settings=repo.scoring_settings())
    kind = "identified" if args.identified else "de-identified"
    _out(f"wrote the {kind} workbook {out}")
    return OK


def cmd_report(args: argparse.Namespace) -> int:
    from storage.repository import Repository

    out: Path = args.out
    if out.suffix.lower() != ".pdf":
        raise _Refused(f"{out.name}: the report is a PDF; give a name ending in .pdf")
    _writable_target(out, "PDF")
    with Repository(_existing(args.db)) as repo:
        settings = repo.scoring_settings()
        if args.patient:
            write_patient_report = _export_function("exports.pdf", "write_patient_report")
            patient = repo.get_patient(args.patient)
            write_patient_report(patient, out, deidentified=args.deidentified,
                                 settings=settings)
            _out(f"wrote the case summary of {args.patient} to {out}")
        else:
            write_cohort_report = _export_function("exports.pdf", "write_cohort_report")
            write_cohort_report(repo.iter_patients(), out, settings=settings)
            _out(f"wrote the cohort summary to {out}")
    return OK


def _existing(path: Path) -> Path:
    """Commands that read a database refuse a missing file instead of creating one."""
    if not path.exists():
        raise _Refused(f"there is no database at {path}; create it with `init` or pass --db")
    return path


def _export_function(module: str, name: str) -> Callable[..., None]:
    """An exports function, imported only when that export runs (reportlab/openpyxl are big)."""
    import importlib

    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise RuntimeError(f"{module}.{name} is not available in this build: {exc}") from exc
    return fn  # type: ignore[no-any-return]


def cmd_check(args: argparse.Namespace) -> int:
    import datetime as dt

    from storage import audit_chain
    from storage.database import check_database, connect

    receipt: Path | None = args.receipt
    if receipt is not None and receipt.is_dir():
        raise _Refused(f"{receipt}: is a folder; --receipt needs a file name")
    if receipt is not None and not receipt.parent.is_dir():
        raise _Refused(f"{receipt}: the folder {receipt.parent} does not exist")
    report = check_database(args.db, receipt=receipt)
    for line in report.notes:
        _out(f"note: {line}")
    if not report.healthy:
        for line in report.problems:
            _err(f"{args.db.name}: {line}")
        if receipt is not None:
            _err(f"the receipt {receipt} was left unchanged")
        return REFUSED
    counts = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in report.counts.items())
    from storage import migrations

    known = migrations.known_names()
    newest = max(report.applied, key=lambda n: known.index(n) if n in known else -1)
    _out(f"{args.db}: ok (integrity, foreign keys, schema {newest}, schema objects, data "
         f"against the audit trail, stored scores, settings, drafts); {counts}")
    if report.chain is not None:
        _out(f"audit trail: hash chain verified over {report.chain.rows_checked} rows")
    if receipt is not None:
        existed = receipt.exists()
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        db = connect(args.db, create=False, wal=False)
        try:
            audit_chain.write_receipt(db.conn, receipt, args.db.name, at)
        finally:
            db.close()
        verb = "matched and updated" if existed else "written"
        _out(f"receipt {receipt} {verb}: audit head row {report.head[1] if report.head else 0}"
             " (keep it away from the database: it proves later that no audit rows were "
             "deleted)")
    from storage import crypto

    keys = crypto.read_key_file(args.db)
    if keys is not None:
        _out(f"encryption: SQLCipher 4, key file {crypto.keys_path(args.db).name} with "
             f"{len(keys.slots)} key slots (recovery key included)")
    else:
        _out("encryption: NONE - this file is plain text; encrypt it with `encrypt --user "
             "NAME`")
    return OK


def cmd_backup(args: argparse.Namespace) -> int:
    from storage.database import backup_file

    if args.out.resolve() == args.db.resolve():
        raise _Refused("the backup must be a different file from the database")
    _writable_target(args.out, "backup")
    dest = backup_file(args.db, args.out)
    _out(f"backed up {args.db} to {dest} ({dest.stat().st_size:,} bytes)")
    return OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database, keeping the current file aside (never lost)."""
    from storage import accounts, crypto
    from storage.backups import (
        BackupError,
        RestoreRefused,
        describe_backup,
        finding_code,
        restore_backup,
    )

    source = args.source
    if not source.is_file():
        raise _Refused(f"there is no backup at {source}")
    _require(args, "administer")
    backup_keys = crypto.read_key_file(source)
    if backup_keys is not None and not crypto.is_unlocked(backup_keys.database_id):
        # a backup of another database: the same account must have a slot in it
        accounts.sign_in(source, _user(args), _secret(args, "password for the backup",
                                                      PASSWORD_ENV, args.password_fd))
    summary = describe_backup(source)
    if not summary.healthy:
        raise _Refused(f"{source.name} cannot be restored: {summary.problem}; nothing was "
                       "changed")
    keys = crypto.read_key_file(args.db)
    me = accounts.signed_in(keys.database_id) if keys else None
    from storage.database import connect
    from storage.locks import holder_if_running

    holder = holder_if_running(args.db)
    if holder is not None:
        raise _Refused(f"{args.db.name} is open in JDM Capture by {holder.describe()}; close "
                       "it there first, then restore; nothing was changed")
    try:
        aside = restore_backup(args.db, source, actor=me.actor if me else "",
                               accept=args.accept_finding or ())
    except RestoreRefused as exc:
        lines = [f"{source.name}: [{finding_code(f)}] {f}" for f in exc.findings]
        codes = " ".join(sorted({f"--accept-finding {finding_code(f)}" for f in exc.findings}))
        raise _Refused(*lines, f"{source.name} was not restored, nothing was changed: check "
                       "would refuse it. If you have investigated and still want it, repeat "
                       f"with {codes} (the accepted findings are written to the audit "
                       "trail).") from exc
    except BackupError as exc:
        raise _Refused(f"{exc}; nothing was changed") from exc
    connect(args.db, create=False, wal=False, full_check=True).close()  # read it whole
    _out(f"restored {args.db} from {source}: {summary.describe()}")
    _out(f"the previous database was kept as {aside}" if aside else
         "there was no previous database at that path")
    return OK


def run_gui(db_path: Path) -> int:
    """The only path that imports PySide6 (through gui.app)."""
    try:
        from gui.app import run
    except ImportError as exc:
        _err(f"the desktop application cannot start: {exc}")
        return FAILED
    return run(db_path)


# ------------------------------------------------------------------------------------------
# Argument parsing
# ------------------------------------------------------------------------------------------
def _db_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--db", type=Path, default=default, metavar="PATH",
                        help="the database file (default: $JDM_CAPTURE_DB, else "
                             "jdm-capture.sqlite in your user data folder)")
    parser.add_argument("--user", default=default, metavar="NAME",
                        help=f"your user name on an encrypted database (or ${USER_ENV})")
    parser.add_argument("--password-fd", type=int, default=default, metavar="N",
                        help="read the password (one per line) from file descriptor N; "
                             f"else ${PASSWORD_ENV}, else a prompt without echo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jdm-capture",
        description="JDM Capture: juvenile dermatomyositis core set capture. Without a "
                    "command the desktop application opens.")
    _db_option(parser, None)
    parser.add_argument("--lang", choices=("en", "zh_CN"), default=None,
                        help="language of messages and PDF reports (default: "
                             "$JDM_CAPTURE_LANG, else the system locale; the GUI's own "
                             "setting otherwise)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int],
            text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text)
        # SUPPRESS: a --db given before the command is not overwritten by this default
        _db_option(p, argparse.SUPPRESS)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create the database (encrypted, with its first administrator "
            "--user and a recovery key), or upgrade an older one (a copy is made first)")
    p.add_argument("--full-name", metavar="TEXT", help="the administrator's full name")
    p.add_argument("--new-password-fd", type=int, metavar="N",
                   help=f"read the new password from file descriptor N (else "
                        f"${NEW_PASSWORD_ENV}, else a prompt)")
    p = add("encrypt", cmd_encrypt, "encrypt an existing plain database, its backups and "
            "upgrade copies (each verified before the plain file is removed); creates the "
            "first administrator --user and a recovery key")
    p.add_argument("--full-name", metavar="TEXT")
    p.add_argument("--new-password-fd", type=int, metavar="N")
    p.add_argument("--keep-plaintext", action="store_true",
                   help="keep the plain files (a loud warning lists them)")
    p = add("accounts", cmd_accounts, "list, add, remove accounts, reset a password or "
            "change a role (administrators; anyone may change their own password)")
    p.add_argument("action", choices=["list", "add", "remove", "password", "role"])
    p.add_argument("name", nargs="?", metavar="USER")
    p.add_argument("--full-name", metavar="TEXT")
    p.add_argument("--role", choices=["data_entry", "investigator", "administrator"])
    p.add_argument("--new-password-fd", type=int, metavar="N")
    add("keys", cmd_keys, "list the key slots of an encrypted database (administrators)")
    add("recovery-key", cmd_recovery_key, "make a new recovery key (shown once); the old one "
        "stops working (administrators)")
    p = add("recover", cmd_recover, "forgotten password: set a new one for administrator "
            "--user with the recovery key ($JDM_CAPTURE_RECOVERY_KEY, --password-fd or prompt)")
    p.add_argument("--new-password-fd", type=int, metavar="N")
    add("demo", cmd_demo, "add the synthetic demo cohort (running it twice adds nothing)")
    p = add("import", cmd_import, "import JSON case files; each file is imported whole or "
            "not at all")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="case files (.json) or workbooks in the identified export layout "
                        "(.xlsx)")
    p.add_argument("--settings", choices=("file", "keep"), default=None,
                   help="when a file's scoring settings (TIS muscle measure, thresholds, "
                        "default ULNs) differ from the database's: 'file' makes the database "
                        "use the file's (every stored response is recomputed), 'keep' keeps "
                        "the database's. Without it such a file is refused (exit 2) with the "
                        "differences listed")
    p = add("export", cmd_export, "export the database: FILE.json (case file), FILE.xlsx "
            "(workbook) or a REDCap project folder (de-identified unless --identified); or "
            "write a blank data-entry template")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, metavar="FILE")
    target.add_argument("--redcap", type=Path, metavar="DIR",
                        help="REDCap data dictionary, records and project set-up files")
    target.add_argument("--template", type=Path, metavar="FILE.xlsx",
                        help="blank workbook with drop-downs and ranges, importable once "
                             "filled in")
    p.add_argument("--identified", action="store_true",
                   help="include names, MRN, birth date, free text and real dates")
    p = add("report", cmd_report, "write a PDF: one patient's case summary or the cohort "
            "summary")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--patient", metavar="STUDY_ID")
    which.add_argument("--cohort", action="store_true")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--deidentified", action="store_true",
                   help="leave names, MRN and birth date out of a patient report")
    p = add("check", cmd_check, "check integrity, schema, the audit trail against the data, "
            "stored scores, settings and drafts (exit 0 only when healthy)")
    p.add_argument("--receipt", type=Path, metavar="FILE",
                   help="compare the audit trail's head with this receipt (if it exists), "
                        "then write the current head to it; keep it away from the database")
    p = add("backup", cmd_backup, "consistent copy of the database (safe while it is in use)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p = add("restore", cmd_restore, "replace the database with a backup; the current file is "
            "kept aside beside it, never overwritten")
    p.add_argument("--from", dest="source", type=Path, required=True, metavar="BACKUP",
                   help="the backup file (e.g. from the backups folder next to the database)")
    p.add_argument("--accept-finding", action="append", metavar="CODE",
                   help="restore although check finds this in the backup (e.g. history, "
                        "audit-trail, data, schema); repeat for each; recorded in the audit "
                        "trail")
    return parser


#: the collector's thresholds while a command runs: a command is one short process that builds
#: many objects and few reference cycles (a report: ~100 collections, a tenth of its time, at
#: Python's default 700); cycles are still collected, a few hundred times less often.
_COMMAND_GC_THRESHOLD = (50_000, 20, 100)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 refused, 1 failure)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0) if isinstance(exc.code, int) else REFUSED
    if args.command is None:
        return _main(args)
    import gc

    previous = gc.get_threshold()
    gc.set_threshold(*_COMMAND_GC_THRESHOLD)
    try:
        return _main(args)
    finally:
        gc.set_threshold(*previous)  # main() called in-process (tests) leaves no trace


def _main(args: argparse.Namespace) -> int:
    from storage.database import default_db_path

    db = args.db if args.db is not None else default_db_path()
    args.db = Path(db).expanduser()
    os.umask(0o077)  # every file and folder the app creates is owner-only (0600 / 0700)
    if args.lang:
        os.environ["JDM_CAPTURE_LANG"] = args.lang  # the GUI's language too, for this run
    from forms import i18n

    i18n.set_language(args.lang)
    if args.command is None:
        return run_gui(args.db)
    return _run(args.func, args)


#: commands that sign in themselves (or need no database)
_OWN_SIGN_IN = {"init", "encrypt", "recover"}


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from storage.errors import KnownStorageError, NotFound, ValidationFailed

    try:
        if args.command not in _OWN_SIGN_IN and getattr(args, "template", None) is None:
            _sign_in(args)
        return func(args)
    except _Refused as exc:
        for line in exc.lines:
            _err(line)
        return REFUSED
    except KnownStorageError as exc:
        _err(exc.message)
        return REFUSED
    except NotFound as exc:
        _err(str(exc))
        return REFUSED
    except ValidationFailed as exc:
        where = f"{exc.context}: " if exc.context else ""
        for p in exc.problems:
            _err(f"{where}{p.code_message}")
        return REFUSED
    except KeyboardInterrupt:
        _err("interrupted; the current step was rolled back")
        return FAILED
    except BrokenPipeError:  # the reader of stdout went away: stop quietly
        _silence_stdout()
        return SIGPIPE_STATUS
    except UnicodeError as exc:  # e.g. a lone surrogate that reached storage or printing
        _err(f"jdm-capture {args.command}: the input holds text that is not valid Unicode "
             f"({type(exc).__name__}: {str(exc)[:120]}); fix that text and run again")
        return REFUSED
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            return _unexpected(args, exc)
        _err(f"jdm-capture {args.command}: the input holds an integer of more than 4,300 "
             "digits, which is not a value JDM Capture accepts; fix it and run again")
        return REFUSED
    except Exception as exc:  # noqa: BLE001 - the one place unexpected failures end up
        return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace, exc: BaseException) -> int:
    _err(f"jdm-capture {args.command}: unexpected error: {type(exc).__name__}: "
         f"{str(exc)[:500]}")
    if os.environ.get("JDM_CAPTURE_DEBUG"):
        traceback.print_exception(exc)
    else:
        _err("(set JDM_CAPTURE_DEBUG=1 to see the details)")
    return FAILED


if __name__ == "__main__":
    sys.exit(main())
