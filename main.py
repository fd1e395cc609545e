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
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from forms.i18n import N_, _, context_text, message_text

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
    import getpass  # noqa: PLC0415 - only commands that write import it

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        user = "unknown user"
    return f"{user} (command line)"  # stored in the audit trail: English, as every record


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
        raise _Refused(_("{path}: is a folder; give the name of the {what} file to write, "
                         "e.g. {example}").format(
                             path=out, what=what,
                             example=out / ("jdm-capture" + (out.suffix or ".out"))))
    if not out.parent.exists():
        raise _Refused(_("{path}: the folder {folder} does not exist").format(
            path=out, folder=out.parent))
    return out


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _role(role: str) -> str:
    """A role's name in the current language (``data_entry`` -> "data entry", 数据录入)."""
    from storage import accounts

    return _(accounts.ROLE_LABELS[role])


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
            raise _Refused(_("cannot read the password from file descriptor {fd}: "
                             "{error}").format(fd=fd, error=exc.strerror or exc)) from exc
    lines = _fd_cache[fd]
    if not lines:
        raise _Refused(_("file descriptor {fd} has no (more) lines to read a password "
                         "from").format(fd=fd))
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
        raise _Refused(_("{what} needed: type it at the prompt (run in a terminal), or give "
                         "it in ${env} or with --password-fd N; never as an "
                         "argument").format(what=what, env=env))
    import getpass  # noqa: PLC0415

    first = getpass.getpass(_("{what}: ").format(what=what))
    if confirm and getpass.getpass(_("{what} again: ").format(what=what)) != first:
        raise _Refused(_("the two entries differ; nothing was changed"))
    return first


def _user(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get(USER_ENV, "")
    if name:
        return str(name)
    if sys.stdin.isatty():
        return input(_("user name: ")).strip()
    raise _Refused(_("this database is encrypted: give your user name with --user NAME (or "
                     "${env})").format(env=USER_ENV))


def _sign_in(args: argparse.Namespace) -> None:
    """Unlock an encrypted database with the user's key slot (plain files need nothing)."""
    from storage import accounts, crypto

    if not crypto.is_encrypted(args.db):
        return
    user = _user(args)
    password = _secret(args, _("password for {user}").format(user=user), PASSWORD_ENV,
                       args.password_fd)
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
        _out(_("{path}: created (schema {schema})").format(path=path, schema=schema))
    elif pending:
        _out((_("{path}: upgraded to schema {schema} (1 migration); the previous file was "
                "copied to {copy}") if len(pending) == 1 else
              _("{path}: upgraded to schema {schema} ({n} migrations); the previous file was "
                "copied to {copy}")).format(path=path, schema=schema, n=len(pending),
                                            copy=copy))
    else:
        _out(_("{path}: schema up to date ({schema})").format(path=path, schema=schema))
    if rescored:
        _out(_("recomputed the derived values of {n} visits").format(n=rescored))
    if schema != migrations.latest_name():  # pragma: no cover - migrate_database applies all
        raise RuntimeError(f"schema is {schema} after migrating, not {migrations.latest_name()}")
    return OK


def _print_recovery_key(key: str) -> None:
    """The recovery key, once, on stdout (it is not stored anywhere in clear)."""
    rule = "=" * 62
    _out(rule)
    _out(_("RECOVERY KEY (shown once: print it or write it down, keep it locked away)"))
    _out("")
    _out(f"    {key}")
    _out("")
    for line in _("It opens this database and resets an administrator's password if every\n"
                  "administrator password is forgotten: `recover --user NAME`.").splitlines():
        _out(line)
    _out(rule)


def _new_password(args: argparse.Namespace, who: str) -> str:
    return _secret(args, _("new password for {user}").format(user=who), NEW_PASSWORD_ENV,
                   getattr(args, "new_password_fd", None), confirm=True)


def _init_encrypted(args: argparse.Namespace) -> int:
    """``init`` on a new file: an encrypted database with its first administrator."""
    from storage import accounts, migrations

    user = _user(args)
    full_name = args.full_name or user
    password = _new_password(args, user)
    setup = accounts.create_encrypted(args.db, user, full_name, password)
    _out(_("{path}: created, encrypted (schema {schema}); administrator {full_name} "
           "({user})").format(path=args.db, schema=migrations.latest_name(),
                              full_name=setup.account.full_name,
                              user=setup.account.user_name))
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
    _out(_("{path}: encrypted and verified; administrator {full_name} ({user})").format(
        path=path, full_name=result.account.full_name, user=result.account.user_name))
    for other in result.converted[1:]:
        _out(_("  also encrypted: {path}").format(path=other))
    _print_recovery_key(result.recovery_key)
    if result.kept_plaintext:
        _err("!" * 62)
        for line in _("WARNING: PLAIN-TEXT COPIES KEPT (--keep-plaintext). Anyone who copies "
                      "these\nfiles reads every patient in them. Move them to secure storage "
                      "or delete them:").splitlines():
            _err(line)
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
            raise _Refused(_("{name} is not encrypted, so it has no accounts; encrypt it "
                             "first (`encrypt --user NAME`)").format(name=args.db.name))
        action = args.action
        if action == "list":
            for acc in accounts.list_accounts(repo):
                state = "" if acc.active else _("  (removed)")
                _out(f"{acc.user_name:<20} {_role(acc.role):<14} {acc.full_name}{state}")
            return OK
        if not args.name:
            raise _Refused(_("accounts {action}: give the user name").format(action=action))
        if action == "add":
            role = args.role or accounts.DATA_ENTRY
            _require(args, "administer")
            acc = accounts.add_account(repo, args.name, args.full_name or args.name, role,
                                       _new_password(args, args.name))
            _out(_("added {full_name} ({user}), {role}").format(
                full_name=acc.full_name, user=acc.user_name, role=_role(role)))
        elif action == "remove":
            files = accounts.remove_account(repo, args.name)
            _out((_("removed {user}: the account is inactive and its key slot is gone from 1 "
                    "key file (the data was not re-encrypted)") if len(files) == 1 else
                  _("removed {user}: the account is inactive and its key slot is gone from {n} "
                    "key files (the data was not re-encrypted)")).format(user=args.name,
                                                                          n=len(files)))
        elif action == "password":
            me = repo.account
            old = None
            if me is not None and me.user_name == args.name:
                old = _secret(args, _("current password for {user}").format(user=args.name),
                              PASSWORD_ENV, args.password_fd)
            accounts.change_password(repo, args.name, _new_password(args, args.name),
                                     old_password=old)
            _out(_("changed the password of {user} (its key slot was rewritten; the data "
                   "was not re-encrypted)").format(user=args.name))
        elif action == "role":
            if not args.role:
                raise _Refused(_("accounts role NAME --role ROLE"))
            accounts.set_role(repo, args.name, args.role)
            _out(_("{user} is now {role}").format(user=args.name, role=_role(args.role)))
    return OK


def cmd_keys(args: argparse.Namespace) -> int:
    """List the key slots of the database and how many copies carry them."""
    from storage import accounts, crypto
    from storage.repository import Repository

    keys = crypto.read_key_file(_existing(args.db))
    if keys is None:
        raise _Refused(_("{name} is not encrypted (encrypt it with `encrypt`)").format(
            name=args.db.name))
    _require(args, "administer")
    with Repository(args.db, refresh=False) as repo:
        known = {a.user_name: a for a in accounts.list_accounts(repo)}
    _out(_("{path}: database {id}").format(path=crypto.keys_path(args.db),
                                           id=keys.database_id))
    for slot in keys.slots:
        if slot.name == crypto.RECOVERY_SLOT:
            who = _("recovery key")
        elif slot.name in known and known[slot.name].active:
            who = _("account {user}").format(user=slot.name)
        else:
            who = _("account {user} (NO ACTIVE ACCOUNT)").format(user=slot.name)
        _out(_("  slot {name} {who}; argon2id t={t}, m={m} MiB, p={p}").format(
            name=f"{slot.name:<20}", who=who, t=slot.time_cost, m=slot.memory_kib // 1024,
            p=slot.parallelism))
    missing = [n for n, a in known.items() if a.active and keys.slot(n) is None]
    for name in missing:
        _err(_("warning: active account {user} has no key slot (reset its password)").format(
            user=name))
    return OK


def cmd_recovery_key(args: argparse.Namespace) -> int:
    """Make a new recovery key; the old one stops working here and in the backups."""
    from storage import accounts
    from storage.repository import Repository

    with Repository(_existing(args.db), refresh=False) as repo:
        if repo.database_id is None:
            raise _Refused(_("{name} is not encrypted").format(name=args.db.name))
        key = accounts.change_recovery_key(repo)
    _out(_("the previous recovery key no longer opens this database or its backups"))
    _print_recovery_key(key)
    return OK


def cmd_recover(args: argparse.Namespace) -> int:
    """Forgotten password: the recovery key sets a new password for an administrator."""
    from storage import accounts

    path = _existing(args.db)
    user = _user(args)
    recovery = _secret(args, _("recovery key"), RECOVERY_ENV, args.password_fd)
    accounts.recover(path, recovery, user, _new_password(args, user))
    _out(_("{user}: new password set with the recovery key (recorded in the audit trail); "
           "consider making a new recovery key (`recovery-key`)").format(user=user))
    return OK


def cmd_demo(args: argparse.Namespace) -> int:
    from storage.demo import add_demo_cohort
    from storage.repository import Repository

    with Repository(args.db) as repo:
        added = add_demo_cohort(repo)
    if added:
        _out(_("added {n} synthetic demo patients (DEMO-01 ...) to {path}").format(
            n=added, path=args.db))
    else:
        _out(_("the demo cohort is already in the database; nothing added"))
    return OK


_SETTINGS_HINT = N_("run the import again with --settings file (use the file's settings: "
                    "every stored response is recomputed with them) or --settings keep (keep "
                    "this database's settings)")
_NOT_IMPORTED = N_("{file}: not imported (nothing of this file was saved)")
_IMPORTED = N_("{file}: imported {patients} patients ({added} new), {visits} visits "
               "({replaced} replaced), {medications} medications, {events} adverse events")


def cmd_import(args: argparse.Namespace) -> int:
    from storage.casefile import CaseFileRejected, SettingsDiffer, import_case_file
    from storage.repository import Repository

    if not args.db.exists():
        # a mistyped --db must not become a new file full of identifiable data
        raise _Refused(_("there is no database at {path}; create it first with "
                         "`init --db {path}`, then import (nothing was imported)").format(
                             path=args.db))
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
                    _err(message_text(line))
                if isinstance(exc, SettingsDiffer):
                    _err(f"{path.name}: {_(_SETTINGS_HINT)}")
                _err(_(_NOT_IMPORTED).format(file=path.name))
                status = REFUSED
                continue
            for line in case.warnings:
                _err(_("warning: {text}").format(text=message_text(line)))
            _out(_(_IMPORTED).format(
                file=path.name, patients=len(case.patients), added=summary.patients_added,
                visits=summary.visits, replaced=summary.visits_replaced,
                medications=summary.medications, events=summary.adverse_events))
            _settings_outcome(path, args.settings, case.settings is not None)
    return status


def _settings_outcome(path: Path, choice: str | None, has_settings: bool) -> None:
    """Say which scoring settings apply after an import that had to choose."""
    if choice == "file" and has_settings:
        _out(_("{file}: the database now uses the file's scoring settings; stored responses "
               "were recomputed with them").format(file=path.name))
    elif choice == "keep" and has_settings:
        _out(_("{file}: the database kept its own scoring settings").format(file=path.name))


def _import_workbook(repo: Repository, path: Path, actor: str, settings: str | None) -> int:
    """``import FILE.xlsx``: a workbook in the identified export layout, whole or not at all."""
    from exports.xlsx_import import import_workbook

    summary = import_workbook(path, repo, actor, settings=settings)
    for line in summary.warnings:
        _err(_("warning: {text}").format(text=message_text(line)))
    if not summary.imported:
        for line in summary.errors:
            _err(message_text(line))
        if summary.settings_differences:
            _err(f"{path.name}: {_(_SETTINGS_HINT)}")
        _err(_(_NOT_IMPORTED).format(file=path.name))
        return REFUSED
    _out(_(_IMPORTED).format(
        file=path.name, patients=summary.patients, added=summary.patients_added,
        visits=summary.visits, replaced=summary.visits_replaced,
        medications=summary.medications, events=summary.adverse_events))
    _settings_outcome(path, settings, summary.has_settings)
    return OK


def _export_redcap(args: argparse.Namespace) -> int:
    """``export --redcap DIR``: the REDCap project folder (exports.redcap)."""
    from storage.repository import Repository

    out: Path = args.redcap
    if out.exists() and not out.is_dir():
        raise _Refused(_("{path}: is a file; --redcap needs a folder").format(path=out))
    if not out.parent.exists():
        raise _Refused(_("{path}: the folder {folder} does not exist").format(
            path=out, folder=out.parent))
    export_redcap = _export_function("exports.redcap", "export_redcap")
    with Repository(_existing(args.db)) as repo:
        summary = export_redcap(repo, out, identified=args.identified)
    for line in summary.notes:
        _err(_("note: {text}").format(text=line))
    files = ", ".join(p.name for p in summary.files.values())
    _out((_("wrote the identified REDCap project to {path}: {patients} patients, {rows} record "
            "rows, {events} events ({files})") if args.identified else
          _("wrote the de-identified REDCap project to {path}: {patients} patients, {rows} "
            "record rows, {events} events ({files})")).format(
        path=out, patients=summary.patients, rows=summary.records_rows, events=summary.events,
        files=files))
    return OK


def _export_template(args: argparse.Namespace) -> int:
    """``export --template FILE.xlsx``: the blank data-entry workbook (no database needed)."""
    out: Path = args.template
    if out.suffix.lower() != ".xlsx":
        raise _Refused(_("{file}: the template is a workbook; give a name ending in "
                         ".xlsx").format(file=out.name))
    _writable_target(out, _("template"))
    write_template = _export_function("exports.template", "write_template")
    write_template(out)
    _out(_("wrote the blank data-entry template {path} (fill it in, then: import "
           "{file})").format(path=out, file=out.name))
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
        raise _Refused(_("{file}: choose a .json (case file) or .xlsx (workbook) "
                         "name").format(file=out.name))
    _writable_target(out, _("export"))
    with Repository(_existing(args.db)) as repo:
        if suffix == ".json":
            from storage.casefile import export_case_file

            count = export_case_file(repo, out)
            _out(_("wrote {n} patients to {path} (case file with identifiers)").format(
                n=count, path=out))
            return OK
        write_workbook = _export_function("exports.excel", "write_workbook")
        write_workbook(repo.iter_patients(with_derived=True), out, identified=args.identified,
                       settings=repo.scoring_settings())
    _out((_("wrote the identified workbook {path}") if args.identified else
          _("wrote the de-identified workbook {path}")).format(path=out))
    return OK


def cmd_report(args: argparse.Namespace) -> int:
    from exports import rl_import
    from storage.repository import Repository

    rl_import.defer_images()  # one thread here: Pillow loads only if a report draws a bitmap

    out: Path = args.out
    if out.suffix.lower() != ".pdf":
        raise _Refused(_("{file}: the report is a PDF; give a name ending in .pdf").format(
            file=out.name))
    _writable_target(out, "PDF")
    with Repository(_existing(args.db)) as repo:
        settings = repo.scoring_settings()
        if args.patient:
            write_patient_report = _export_function("exports.pdf", "write_patient_report")
            patient = repo.get_patient(args.patient)
            write_patient_report(patient, out, deidentified=args.deidentified,
                                 settings=settings)
            _out(_("wrote the case summary of {study_id} to {path}").format(
                study_id=args.patient, path=out))
        else:
            write_cohort_report = _export_function("exports.pdf", "write_cohort_report")
            write_cohort_report(repo.iter_patients(), out, settings=settings)
            _out(_("wrote the cohort summary to {path}").format(path=out))
    return OK


def _existing(path: Path) -> Path:
    """Commands that read a database refuse a missing file instead of creating one."""
    if not path.exists():
        raise _Refused(_("there is no database at {path}; create it with `init` or pass "
                         "--db").format(path=path))
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
        raise _Refused(_("{path}: is a folder; --receipt needs a file name").format(
            path=receipt))
    if receipt is not None and not receipt.parent.is_dir():
        raise _Refused(_("{path}: the folder {folder} does not exist").format(
            path=receipt, folder=receipt.parent))
    report = check_database(args.db, receipt=receipt)
    for line in report.notes:
        _out(_("note: {text}").format(text=line))
    if not report.healthy:
        for line in report.problems:
            _err(f"{args.db.name}: {line}")
        if receipt is not None:
            _err(_("the receipt {path} was left unchanged").format(path=receipt))
        return REFUSED
    names = {"patients": _("patients"), "visits": _("visits"),
             "medications": _("medications"), "adverse_events": _("adverse events"),
             "audit": _("audit")}
    counts = _(", ").join(f"{n} {names.get(t, t.replace('_', ' '))}"
                          for t, n in report.counts.items())
    from storage import migrations

    known = migrations.known_names()
    newest = max(report.applied, key=lambda n: known.index(n) if n in known else -1)
    _out(_("{path}: ok (integrity, foreign keys, schema {schema}, schema objects, data "
           "against the audit trail, stored scores, settings, drafts); {counts}").format(
        path=args.db, schema=newest, counts=counts))
    if report.chain is not None:
        _out(_("audit trail: hash chain verified over {n} rows").format(
            n=report.chain.rows_checked))
    if receipt is not None:
        existed = receipt.exists()
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        db = connect(args.db, create=False, wal=False)
        try:
            audit_chain.write_receipt(db.conn, receipt, args.db.name, at)
        finally:
            db.close()
        _out((_("receipt {path} matched and updated: audit head row {row} (keep it away from "
                "the database: it proves later that no audit rows were deleted)") if existed
              else _("receipt {path} written: audit head row {row} (keep it away from the "
                     "database: it proves later that no audit rows were deleted)")).format(
            path=receipt, row=report.head[1] if report.head else 0))
    from storage import crypto

    keys = crypto.read_key_file(args.db)
    if keys is not None:
        _out(_("encryption: SQLCipher 4, key file {file} with {n} key slots (recovery key "
               "included)").format(file=crypto.keys_path(args.db).name, n=len(keys.slots)))
    else:
        _out(_("encryption: NONE - this file is plain text; encrypt it with `encrypt --user "
               "NAME`"))
    return OK


def cmd_backup(args: argparse.Namespace) -> int:
    from storage.database import backup_file

    if args.out.resolve() == args.db.resolve():
        raise _Refused(_("the backup must be a different file from the database"))
    _writable_target(args.out, _("backup"))
    dest = backup_file(args.db, args.out)
    _out(_("backed up {path} to {dest} ({size} bytes)").format(
        path=args.db, dest=dest, size=f"{dest.stat().st_size:,}"))
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
        raise _Refused(_("there is no backup at {path}").format(path=source))
    _require(args, "administer")
    backup_keys = crypto.read_key_file(source)
    if backup_keys is not None and not crypto.is_unlocked(backup_keys.database_id):
        # a backup of another database: the same account must have a slot in it
        accounts.sign_in(source, _user(args), _secret(args, _("password for the backup"),
                                                      PASSWORD_ENV, args.password_fd))
    summary = describe_backup(source)
    if not summary.healthy:
        raise _Refused(_("{file} cannot be restored: {problem}; nothing was changed").format(
            file=source.name, problem=summary.problem))
    keys = crypto.read_key_file(args.db)
    me = accounts.signed_in(keys.database_id) if keys else None
    from storage.database import connect
    from storage.locks import holder_if_running

    holder = holder_if_running(args.db)
    if holder is not None:
        raise _Refused(_("{file} is open in JDM Capture by {holder}; close it there first, "
                         "then restore; nothing was changed").format(
                             file=args.db.name, holder=holder.describe()))
    try:
        aside = restore_backup(args.db, source, actor=me.actor if me else "",
                               accept=args.accept_finding or ())
    except RestoreRefused as exc:
        lines = [f"{source.name}: [{finding_code(f)}] {f}" for f in exc.findings]
        codes = " ".join(sorted({f"--accept-finding {finding_code(f)}" for f in exc.findings}))
        raise _Refused(*lines, _(
            "{file} was not restored, nothing was changed: check would refuse it. If you have "
            "investigated and still want it, repeat with {codes} (the accepted findings are "
            "written to the audit trail).").format(file=source.name, codes=codes)) from exc
    except BackupError as exc:
        raise _Refused(_("{error}; nothing was changed").format(error=exc)) from exc
    connect(args.db, create=False, wal=False, full_check=True).close()  # read it whole
    _out(_("restored {path} from {source}: {summary}").format(
        path=args.db, source=source, summary=summary.describe()))
    _out(_("the previous database was kept as {path}").format(path=aside) if aside else
         _("there was no previous database at that path"))
    return OK


def run_gui(db_path: Path) -> int:
    """The only path that imports PySide6 (through gui.app)."""
    try:
        from gui.app import run
    except ImportError as exc:
        _err(_("the desktop application cannot start: {error}").format(error=exc))
        return FAILED
    return run(db_path)


# ------------------------------------------------------------------------------------------
# Argument parsing
# ------------------------------------------------------------------------------------------
#: argparse's own texts (usage line, section titles, errors), translated with ours: argparse
#: looks them up through its module-level ``_``, which :func:`_translate_argparse` points here.
_ARGPARSE_TEXTS = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"), N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"), N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"), N_("expected one argument"),
    N_("expected at most one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"), N_("unexpected option string: %s"),
    N_("argument \"-\" with mode %r"), N_("can't open '%(filename)s': %(error)s"),
)


def _translate_argparse() -> None:
    """Make argparse's usage line, headings and error messages speak the current language."""
    def translated(message: str) -> str:
        return _(message) if message else message

    def nplural(singular: str, plural: str, n: int) -> str:
        return _(singular if n == 1 else plural)

    argparse._ = translated  # type: ignore[attr-defined]
    argparse.ngettext = nplural  # type: ignore[attr-defined]


def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, aligned and wrapped by terminal columns rather than characters, so
    Chinese help lines neither overrun the terminal nor push the option column out of line."""

    _NO_BREAK_BEFORE = "，。；：、）》」』！？,.;:)"
    _NO_BREAK_AFTER = "（《「『("

    def _split_lines(self, text: str, width: int) -> list[str]:
        if text.isascii():
            return super()._split_lines(text, width)
        # break between any two Chinese characters, or at spaces between Latin words
        units = re.findall(r"[\x21-\x7e]+|\s+|.", " ".join(text.split()))
        lines, line = [], ""
        for unit in units:
            if unit.isspace():
                unit = " "
            if line and _columns(line + unit.rstrip()) > width \
                    and unit[0] not in self._NO_BREAK_BEFORE:
                carried = line[-1] if line[-1] in self._NO_BREAK_AFTER else ""
                lines.append(line[:len(line) - len(carried)].rstrip())
                line = carried + ("" if unit == " " else unit)
            else:
                line += unit
        if line.strip():
            lines.append(line.rstrip())
        return lines

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.isascii():
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in self._split_lines(text, width))

    def _format_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                      groups: Iterable[Any], prefix: str | None) -> str:
        width = self._width
        try:
            for _attempt in range(4):  # argparse wraps the usage by characters: narrow it
                text = super()._format_usage(usage, actions, groups, prefix)
                over = max(_columns(line) for line in text.splitlines()) - width
                if over <= 0:
                    break
                self._width -= over
        finally:
            self._width = width
        return str(text)

    def format_help(self) -> str:
        # section headings ("选项:"): a Chinese heading ends with the full-width colon
        return re.sub(r"(?m)^(\S[^\n]*[^\x00-\x7f]):$", "\\1：", super().format_help())

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        extra = _columns(header) - len(header)
        indent = " " * self._current_indent
        first, newline, rest = text.partition("\n")
        if not extra or not first.startswith(indent + header + "  "):
            return text  # no wide characters, or argparse put the help on the next line
        # argparse padded the header by characters; the help must start in the column of
        # the others: take back the columns the wide characters add, and when that leaves
        # less than two spaces, give the help its own line as for a long option
        help_position = min(self._action_max_length + 2, self._max_help_position)
        shown = first[len(indent + header):]
        gap = len(shown) - len(shown.lstrip())
        if gap - extra >= 2:
            return indent + header + shown[extra:] + newline + rest
        return (indent + header + "\n" + " " * help_position + shown.lstrip() + newline
                + rest)


def _db_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--db", type=Path, default=default, metavar=_("PATH"),
                        help=_("the database file (default: $JDM_CAPTURE_DB, else "
                               "jdm-capture.sqlite in your user data folder)"))
    parser.add_argument("--user", default=default, metavar=_("NAME"),
                        help=_("your user name on an encrypted database (or ${env})").format(
                            env=USER_ENV))
    parser.add_argument("--password-fd", type=int, default=default, metavar="N",
                        help=_("read the password (one per line) from file descriptor N; "
                               "else ${env}, else a prompt without echo").format(
                                   env=PASSWORD_ENV))


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, its help in the current language (set it first)."""
    _translate_argparse()
    parser = argparse.ArgumentParser(
        prog="jdm-capture", formatter_class=_HelpFormatter,
        description=_("JDM Capture: juvenile dermatomyositis core set capture. Without a "
                      "command the desktop application opens."))
    _db_option(parser, None)
    parser.add_argument("--lang", choices=("en", "zh_CN"), default=None,
                        help=_("language of messages and PDF reports (default: "
                               "$JDM_CAPTURE_LANG, else the language chosen in the "
                               "application's settings, else the system locale)"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    new_password_help = _("read the new password from file descriptor N (else ${env}, else "
                          "a prompt)").format(env=NEW_PASSWORD_ENV)
    full_name_help = _("the administrator's full name")
    text_var, file_var = _("TEXT"), _("FILE")

    def add(name: str, func: Callable[[argparse.Namespace], int],
            text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text, formatter_class=_HelpFormatter)
        # SUPPRESS: a --db given before the command is not overwritten by this default
        _db_option(p, argparse.SUPPRESS)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, _("create the database (encrypted, with its first administrator "
                                "--user and a recovery key), or upgrade an older one (a copy "
                                "is made first)"))
    p.add_argument("--full-name", metavar=text_var, help=full_name_help)
    p.add_argument("--new-password-fd", type=int, metavar="N", help=new_password_help)
    p = add("encrypt", cmd_encrypt, _("encrypt an existing plain database, its backups and "
                                      "upgrade copies (each verified before the plain file is "
                                      "removed); creates the first administrator --user and a "
                                      "recovery key"))
    p.add_argument("--full-name", metavar=text_var, help=full_name_help)
    p.add_argument("--new-password-fd", type=int, metavar="N", help=new_password_help)
    p.add_argument("--keep-plaintext", action="store_true",
                   help=_("keep the plain files (a loud warning lists them)"))
    p = add("accounts", cmd_accounts, _("list, add, remove accounts, reset a password or "
                                        "change a role (administrators; anyone may change "
                                        "their own password)"))
    p.add_argument("action", choices=["list", "add", "remove", "password", "role"],
                   help=_("what to do"))
    p.add_argument("name", nargs="?", metavar=_("USER"), help=_("the account's user name"))
    p.add_argument("--full-name", metavar=text_var, help=_("the account holder's full name"))
    p.add_argument("--role", choices=["data_entry", "investigator", "administrator"],
                   help=_("data_entry: patients, visits, imports, exports; investigator: "
                          "also signs visits off; administrator: also accounts, settings, "
                          "restore"))
    p.add_argument("--new-password-fd", type=int, metavar="N", help=new_password_help)
    add("keys", cmd_keys, _("list the key slots of an encrypted database (administrators)"))
    add("recovery-key", cmd_recovery_key, _("make a new recovery key (shown once); the old "
                                            "one stops working (administrators)"))
    p = add("recover", cmd_recover, _("forgotten password: set a new one for administrator "
                                      "--user with the recovery key "
                                      "($JDM_CAPTURE_RECOVERY_KEY, --password-fd or prompt)"))
    p.add_argument("--new-password-fd", type=int, metavar="N", help=new_password_help)
    add("demo", cmd_demo, _("add the synthetic demo cohort (running it twice adds nothing)"))
    p = add("import", cmd_import, _("import JSON case files or workbooks (.xlsx); each file "
                                    "is imported whole or not at all"))
    p.add_argument("files", nargs="+", metavar=file_var,
                   help=_("case files (.json) or workbooks in the identified export layout "
                          "(.xlsx)"))
    p.add_argument("--settings", choices=("file", "keep"), default=None,
                   help=_("when a file's scoring settings (TIS muscle measure, thresholds, "
                          "default ULNs) differ from the database's: 'file' makes the "
                          "database use the file's (every stored response is recomputed), "
                          "'keep' keeps the database's. Without it such a file is refused "
                          "(exit 2) with the differences listed"))
    p = add("export", cmd_export, _("export the database: FILE.json (case file), FILE.xlsx "
                                    "(workbook) or a REDCap project folder (de-identified "
                                    "unless --identified); or write a blank data-entry "
                                    "template"))
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, metavar=file_var,
                        help=_("the case file (.json) or workbook (.xlsx) to write"))
    target.add_argument("--redcap", type=Path, metavar=_("FOLDER"),
                        help=_("REDCap data dictionary, records and project set-up files"))
    target.add_argument("--template", type=Path, metavar=_("FILE.xlsx"),
                        help=_("blank workbook with drop-downs and ranges, importable once "
                               "filled in"))
    p.add_argument("--identified", action="store_true",
                   help=_("include names, MRN, birth date, free text and real dates"))
    p = add("report", cmd_report, _("write a PDF: one patient's case summary or the cohort "
                                    "summary"))
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--patient", metavar=_("STUDY_ID"), help=_("the patient's study ID"))
    which.add_argument("--cohort", action="store_true", help=_("the whole cohort"))
    p.add_argument("--out", type=Path, required=True, metavar=_("FILE.pdf"),
                   help=_("the PDF file to write"))
    p.add_argument("--deidentified", action="store_true",
                   help=_("leave names, MRN and birth date out of a patient report"))
    p = add("check", cmd_check, _("check integrity, schema, the audit trail against the data, "
                                  "stored scores, settings and drafts (exit 0 only when "
                                  "healthy)"))
    p.add_argument("--receipt", type=Path, metavar=file_var,
                   help=_("compare the audit trail's head with this receipt (if it exists), "
                          "then write the current head to it; keep it away from the "
                          "database"))
    p = add("backup", cmd_backup, _("consistent copy of the database (safe while it is in "
                                    "use)"))
    p.add_argument("--out", type=Path, required=True, metavar=file_var,
                   help=_("the backup file to write"))
    p = add("restore", cmd_restore, _("replace the database with a backup; the current file "
                                      "is kept aside beside it, never overwritten"))
    p.add_argument("--from", dest="source", type=Path, required=True, metavar=_("BACKUP"),
                   help=_("the backup file (e.g. from the backups folder next to the "
                          "database)"))
    p.add_argument("--accept-finding", action="append", metavar=_("CODE"),
                   help=_("restore although check finds this in the backup (e.g. history, "
                          "audit-trail, data, schema); repeat for each; recorded in the audit "
                          "trail"))
    return parser


def _lang_option(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in ``argv`` (read before the parser is built, so that its help
    and its error messages are in that language)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


#: the collector's thresholds while a command runs: a command is one short process that builds
#: many objects and few reference cycles (a report: ~100 collections, a tenth of its time, at
#: Python's default 700); cycles are still collected, a few hundred times less often.
_COMMAND_GC_THRESHOLD = (50_000, 20, 100)

#: commands after which the process ends at once when main() is its own command line (no
#: teardown of the interpreter: :func:`_end_process`): ones checked to close every file and
#: connection they open with ``with``, and to start no thread
_ENDS_AT_ONCE = frozenset({"report"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 refused, 1 failure)."""
    from forms import i18n

    arguments = list(argv) if argv is not None else sys.argv[1:]
    lang = _lang_option(arguments)
    if lang in i18n.LANGUAGES:
        os.environ["JDM_CAPTURE_LANG"] = lang  # the GUI's language too, for this run
    # --lang, else $JDM_CAPTURE_LANG, else the language chosen in the GUI's settings (this
    # user on this computer), else the system locale
    i18n.set_language(lang if lang in i18n.LANGUAGES else None)
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0) if isinstance(exc.code, int) else REFUSED
    if args.command is None:
        return _main(args)
    import gc

    previous, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(*_COMMAND_GC_THRESHOLD)
    if args.command == "report" and args.patient:
        gc.disable()  # one patient's report: its few reference cycles go with the process
    try:
        status = _main(args)
    finally:
        gc.set_threshold(*previous)  # main() called in-process (tests) leaves no trace
        if enabled:
            gc.enable()
    if argv is None and args.command in _ENDS_AT_ONCE:
        _end_process(status)
    return status


def _end_process(status: int) -> NoReturn:
    """End the process now, with ``status``, once its command is done (main() as the process's
    own command line: ``python -m main``, the ``jdm-capture`` script, the bundle).

    The interpreter's usual exit tears down every module and collects every object the
    command made: ~15% of a patient report's time, for memory the system frees anyway. The
    output streams are flushed and the atexit handlers run first, as at a normal exit; the
    command has closed its files and its database already.
    """
    import atexit
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, closed
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(status)


def _main(args: argparse.Namespace) -> int:
    from storage.database import default_db_path

    db = args.db if args.db is not None else default_db_path()
    args.db = Path(db).expanduser()
    os.umask(0o077)  # every file and folder the app creates is owner-only (0600 / 0700)
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
        where = f"{context_text(exc.context)}: " if exc.context else ""
        for p in exc.problems:
            _err(f"{where}{p.code_message}")
        return REFUSED
    except KeyboardInterrupt:
        _err(_("interrupted; the current step was rolled back"))
        return FAILED
    except BrokenPipeError:  # the reader of stdout went away: stop quietly
        _silence_stdout()
        return SIGPIPE_STATUS
    except UnicodeError as exc:  # e.g. a lone surrogate that reached storage or printing
        _err(_("jdm-capture {command}: the input holds text that is not valid Unicode "
               "({error}); fix that text and run again").format(
            command=args.command, error=f"{type(exc).__name__}: {str(exc)[:120]}"))
        return REFUSED
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            return _unexpected(args, exc)
        _err(_("jdm-capture {command}: the input holds an integer of more than 4,300 "
               "digits, which is not a value JDM Capture accepts; fix it and run "
               "again").format(command=args.command))
        return REFUSED
    except Exception as exc:  # noqa: BLE001 - the one place unexpected failures end up
        return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace, exc: BaseException) -> int:
    _err(_("jdm-capture {command}: unexpected error: {error}").format(
        command=args.command, error=f"{type(exc).__name__}: {str(exc)[:500]}"))
    if os.environ.get("JDM_CAPTURE_DEBUG"):
        import traceback  # noqa: PLC0415 - only to show an unexpected error

        traceback.print_exception(exc)
    else:
        _err(_("(set JDM_CAPTURE_DEBUG=1 to see the details)"))
    return FAILED


if __name__ == "__main__":
    sys.exit(main())
