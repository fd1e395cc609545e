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


class _Refused(Exception):
    """A refused operation: the lines go to stderr and the exit status is 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _actor() -> str:
    """Who the audit trail records for command-line changes."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        user = "unknown user"
    return f"{user} (command line)"


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


# ------------------------------------------------------------------------------------------
# Subcommands
# ------------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from storage import migrations
    from storage.database import (
        applied_migrations,
        check_version,
        connect,
        migrate_database,
    )
    from storage.repository import Repository

    path: Path = args.db
    existed = path.exists() and path.stat().st_size > 0
    db = connect(path)
    try:
        pending = check_version(db, path)
        copy = migrate_database(db, path) if pending else None
        with Repository(db) as repo:
            rescored = repo.refresh_derived()
        schema = applied_migrations(db)[-1]
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


def cmd_import(args: argparse.Namespace) -> int:
    from storage.casefile import CaseFileRejected, import_case_file
    from storage.repository import Repository

    status = OK
    actor = _actor()
    with Repository(args.db) as repo:
        for name in args.files:
            path = Path(name)
            if path.suffix.lower() == ".xlsx":
                status = max(status, _import_workbook(repo, path, actor))
                continue
            try:
                case, summary = import_case_file(repo, path, actor)
            except CaseFileRejected as exc:
                for line in exc.problems:
                    _err(line)
                _err(f"{path.name}: not imported (nothing of this file was saved)")
                status = REFUSED
                continue
            for line in case.warnings:
                _err(f"warning: {line}")
            _out(f"{path.name}: imported {len(case.patients)} patients "
                 f"({summary.patients_added} new), {summary.visits} visits "
                 f"({summary.visits_replaced} replaced), {summary.medications} medications, "
                 f"{summary.adverse_events} adverse events")
    return status


def _import_workbook(repo: Repository, path: Path, actor: str) -> int:
    """``import FILE.xlsx``: a workbook in the identified export layout, whole or not at all."""
    from exports.xlsx_import import import_workbook

    summary = import_workbook(path, repo, actor)
    for line in summary.warnings:
        _err(f"warning: {line}")
    if not summary.imported:
        for line in summary.errors:
            _err(line)
        _err(f"{path.name}: not imported (nothing of this file was saved)")
        return REFUSED
    _out(f"{path.name}: imported {summary.patients} patients ({summary.patients_added} new), "
         f"{summary.visits} visits ({summary.visits_replaced} replaced), "
         f"{summary.medications} medications, {summary.adverse_events} adverse events")
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
    if not out.parent.exists():
        raise _Refused(f"{out}: the folder {out.parent} does not exist")
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
    if not out.parent.exists():
        raise _Refused(f"{out}: the folder {out.parent} does not exist")
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
    if not out.parent.exists():
        raise _Refused(f"{out}: the folder {out.parent} does not exist")
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
    from storage.database import check_database

    report = check_database(args.db)
    if not report.healthy:
        for line in report.problems:
            _err(f"{args.db.name}: {line}")
        return REFUSED
    counts = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in report.counts.items())
    _out(f"{args.db}: ok (integrity, foreign keys, schema {report.applied[-1]}); {counts}")
    if report.chain is not None:
        _out(f"audit trail: hash chain verified over {report.chain.rows_checked} rows")
    return OK


def cmd_backup(args: argparse.Namespace) -> int:
    from storage.database import backup_file

    if args.out.resolve() == args.db.resolve():
        raise _Refused("the backup must be a different file from the database")
    dest = backup_file(args.db, args.out)
    _out(f"backed up {args.db} to {dest} ({dest.stat().st_size:,} bytes)")
    return OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database, keeping the current file aside (never lost)."""
    from storage.backups import BackupError, describe_backup, restore_backup

    source = args.source
    if not source.is_file():
        raise _Refused(f"there is no backup at {source}")
    summary = describe_backup(source)
    if not summary.healthy:
        raise _Refused(f"{source.name} cannot be restored: {summary.problem}; nothing was "
                       "changed")
    try:
        aside = restore_backup(args.db, source)
    except BackupError as exc:
        raise _Refused(f"{exc}; nothing was changed") from exc
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

    add("init", cmd_init, "create the database, or upgrade an older one (a copy is made "
        "first)")
    add("demo", cmd_demo, "add the synthetic demo cohort (running it twice adds nothing)")
    p = add("import", cmd_import, "import JSON case files; each file is imported whole or "
            "not at all")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="case files (.json) or workbooks in the identified export layout "
                        "(.xlsx)")
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
    add("check", cmd_check, "check integrity, foreign keys and the schema version (exit 0 "
        "only when healthy)")
    p = add("backup", cmd_backup, "consistent copy of the database (safe while it is in use)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p = add("restore", cmd_restore, "replace the database with a backup; the current file is "
            "kept aside beside it, never overwritten")
    p.add_argument("--from", dest="source", type=Path, required=True, metavar="BACKUP",
                   help="the backup file (e.g. from the backups folder next to the database)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 refused, 1 failure)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0) if isinstance(exc.code, int) else REFUSED
    from storage.database import default_db_path

    db = args.db if args.db is not None else default_db_path()
    args.db = Path(db).expanduser()
    if args.lang:
        os.environ["JDM_CAPTURE_LANG"] = args.lang  # the GUI's language too, for this run
    from forms import i18n

    i18n.set_language(args.lang)
    if args.command is None:
        return run_gui(args.db)
    return _run(args.func, args)


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from storage.errors import KnownStorageError, NotFound, ValidationFailed

    try:
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
    except Exception as exc:  # noqa: BLE001 - the one place unexpected failures end up
        _err(f"jdm-capture {args.command}: unexpected error: {type(exc).__name__}: {exc}")
        if os.environ.get("JDM_CAPTURE_DEBUG"):
            traceback.print_exc()
        else:
            _err("(set JDM_CAPTURE_DEBUG=1 to see the details)")
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
