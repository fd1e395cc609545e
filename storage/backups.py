"""Consistent backups, their rotation, and restoring one without losing the current file.

* :func:`online_backup` copies a live database with the SQLite backup API: the copy is a
  consistent snapshot even while another process (the GUI, an import) is writing.
* :func:`automatic_backup` writes a timestamped copy into a ``backups`` folder next to the
  database and prunes it to a grandfather-father-son rotation (:data:`DEFAULT_POLICY`: the newest
  copy of each of the last 7 days, 4 ISO weeks and 12 months).
* :func:`restore_backup` checks a backup, keeps the current file aside (never overwrites it)
  and puts the backup in its place; :func:`describe_backup` says what a backup holds (counts,
  last change, whether its audit hash chain verifies) before anyone restores it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from forms.i18n import _, local_time_text
from forms.records import frozen
from storage import crypto, tempfiles
from storage.audit_chain import record_restore, verify_chain
from storage.errors import (
    KnownStorageError,
    database_errors,
    operational_errors,
    sqlite_errors,
    sqlite_or_known,
)
from storage.locks import live_database_of

if TYPE_CHECKING:
    from storage.integrity import Finding

BACKUP_DIR_NAME = "backups"
_STAMP = "%Y%m%d-%H%M%S"
_NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})\.sqlite$")


@frozen
class RotationPolicy:
    """How many of the newest days, ISO weeks and months keep one backup each."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


DEFAULT_POLICY = RotationPolicy()


@frozen
class Backup:
    """One backup file and the UTC time it was taken (from its name)."""

    path: Path
    taken_at: dt.datetime


class BackupError(Exception):
    """A backup could not be made, read or restored; the message says why in plain words."""


def online_backup(source: Path | str, dest: Path | str, *, pages_per_step: int = 1024) -> Path:
    """Copy the database at ``source`` to ``dest`` with the SQLite online backup API.

    The copy is written to a temporary file in the private folder beside ``dest``
    (:mod:`storage.tempfiles`, mode 0700) and renamed into place only when complete, so a
    failed or interrupted backup never leaves a half-written ``dest`` nor a readable copy.

    Raises:
        BackupError: the source cannot be read or the destination cannot be written.
    """
    source, dest = Path(source), Path(dest)
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if live_database_of(dest) is not None:
        raise BackupError(f"{dest.name} is an open database; choose another file")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfiles.new_temp_file(dest)
    except OSError as exc:
        raise BackupError(f"could not write the backup {dest}: {exc.strerror or exc}") from exc
    try:
        key = crypto.key_for(source)
    except KnownStorageError as exc:
        raise BackupError(f"could not back up {source.name}: {exc.message}") from exc
    try:
        src = crypto.connect_raw(f"{source.resolve().as_uri()}?mode=ro", key, uri=True,
                                 timeout=30)
        try:
            out = crypto.connect_raw(tmp, key)  # encrypted with the same key
            try:
                src.backup(out, pages=pages_per_step)
                out.execute("PRAGMA journal_mode=DELETE")
            finally:
                out.close()
        finally:
            src.close()
        _fsync(tmp)
        if key is not None:
            crypto.copy_key_file(source, dest)  # the key slots travel with every backup
        os.replace(tmp, dest)
    except KnownStorageError as exc:
        raise BackupError(f"could not back up {source.name}: {exc.message}") from exc
    except sqlite_errors() as exc:
        raise BackupError(f"could not back up {source.name}: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"could not write the backup {dest}: {exc.strerror or exc}") from exc
    finally:
        tempfiles.finished(tmp)
    return dest


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def backup_dir(db_path: Path | str) -> Path:
    """The ``backups`` folder next to the database."""
    return Path(db_path).resolve().parent / BACKUP_DIR_NAME


def list_backups(db_path: Path | str) -> list[Backup]:
    """This database's backups in its ``backups`` folder, newest first."""
    folder = backup_dir(db_path)
    stem = Path(db_path).stem
    found: list[Backup] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = _NAME_RE.match(path.name)
        if not match or match.group("stem") != stem:
            continue
        with contextlib.suppress(ValueError):
            taken = dt.datetime.strptime(match.group("stamp"), _STAMP).replace(tzinfo=dt.UTC)
            found.append(Backup(path, taken))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def backups_to_keep(backups: Iterable[Backup],
                    policy: RotationPolicy = DEFAULT_POLICY) -> set[Path]:
    """Grandfather-father-son rotation: which backups to keep.

    The newest backup of each of the ``policy.daily`` most recent days that have one is kept,
    likewise per ISO week and per calendar month. A backup kept for any reason is kept.
    """
    ordered = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    keep: set[Path] = set()
    buckets = (
        (policy.daily, lambda t: t.date()),
        (policy.weekly, lambda t: t.isocalendar()[:2]),
        (policy.monthly, lambda t: (t.year, t.month)),
    )
    for limit, key in buckets:
        seen: list[object] = []
        for backup in ordered:
            bucket = key(backup.taken_at)
            if bucket in seen:
                continue
            if len(seen) == limit:
                break
            seen.append(bucket)
            keep.add(backup.path)
    return keep


def prune_backups(db_path: Path | str, policy: RotationPolicy = DEFAULT_POLICY) -> list[Path]:
    """Delete the backups the rotation does not keep; returns what was deleted."""
    backups = list_backups(db_path)
    keep = backups_to_keep(backups, policy)
    removed = []
    for backup in backups:
        if backup.path not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def backup_due(db_path: Path | str, now: dt.datetime,
               every: dt.timedelta = dt.timedelta(days=1)) -> bool:
    """True when the newest backup is older than ``every`` (or there is none)."""
    backups = list_backups(db_path)
    return not backups or now - backups[0].taken_at >= every


def automatic_backup(db_path: Path | str, now: dt.datetime | None = None,
                     policy: RotationPolicy = DEFAULT_POLICY) -> Path:
    """Back up ``db_path`` into its ``backups`` folder, then prune to the rotation.

    Args:
        db_path: the live database.
        now: the time to stamp the backup with (UTC); tests pass simulated dates.
        policy: the rotation to prune to.

    Returns:
        The new backup's path.
    """
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    db_path = Path(db_path)
    dest = backup_dir(db_path) / f"{db_path.stem}-{now.strftime(_STAMP)}.sqlite"
    online_backup(db_path, dest)
    prune_backups(db_path, policy)
    return dest


@frozen
class BackupSummary:
    """What a backup holds, shown before restoring it."""

    path: Path
    taken_at: dt.datetime | None
    size_bytes: int
    healthy: bool
    problem: str
    table_counts: dict[str, int]
    last_change: str | None
    #: the audit hash chain: True verified, False broken, None when the file predates it
    chain_ok: bool | None = None
    chain_detail: str = ""

    def describe(self) -> str:
        """One line for a list of backups: date, contents, health."""
        when = local_time_text(self.taken_at) if self.taken_at else _("undated copy")
        if not self.healthy:
            return _("{when}: cannot be restored ({problem})").format(when=when,
                                                                     problem=self.problem)
        names = {"patients": _("patients"), "visits": _("visits"),
                 "medications": _("medications"), "adverse_events": _("adverse events")}
        counts = ", ".join(f"{n} {names.get(t, t.replace('_', ' '))}"
                           for t, n in self.table_counts.items())
        chain = _("; audit trail {detail}").format(detail=self.chain_detail) \
            if self.chain_detail else ""
        last = ""
        if self.last_change:
            try:
                last_text = local_time_text(dt.datetime.fromisoformat(
                    str(self.last_change).replace("Z", "+00:00")))
            except ValueError:
                last_text = str(self.last_change)
            last = _("; last change {when}").format(when=last_text)
        return f"{when}: {counts}{last}{chain} ({self.size_bytes / 1e6:.1f} MB)"


def describe_backup(path: Path | str,
                    tables: Iterable[str] = ("patients", "visits", "medications",
                                             "adverse_events")) -> BackupSummary:
    """Read a backup without changing it: integrity, counts of records, time of last change."""
    path = Path(path)
    match = _NAME_RE.match(path.name)
    taken = None
    if match:
        taken = dt.datetime.strptime(match.group("stamp"), _STAMP).replace(tzinfo=dt.UTC)
    counts: dict[str, int] = {}
    last_change = None
    chain_ok: bool | None = None
    chain_detail = ""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return BackupSummary(path, taken, 0, False, f"cannot read the file: {exc}", {}, None)
    try:
        con = crypto.connect_path(path, readonly=True)
    except KnownStorageError as exc:
        return BackupSummary(path, taken, size, False, exc.message, {}, None)
    except sqlite_errors() as exc:
        return BackupSummary(path, taken, size, False, f"not a readable database: {exc}", {},
                             None)
    try:
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                return BackupSummary(path, taken, size, False, f"damaged: {result}", {}, None)
            existing = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            for table in tables:
                if table in existing:
                    counts[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if "audit" in existing:
                cols = {r[1] for r in con.execute("PRAGMA table_info(audit)")}
                for col in ("at", "changed_at", "timestamp"):
                    if col in cols:
                        last_change = con.execute(f"SELECT max({col}) FROM audit").fetchone()[0]
                        break
                if "hash" in cols:
                    chain = verify_chain(con)
                    chain_ok = chain.ok
                    chain_detail = (_("verified ({n} rows)").format(n=chain.rows_checked)
                                    if chain.ok else _("BROKEN at row {row}").format(
                                        row=chain.first_broken_id))
        finally:
            con.close()
    except database_errors() as exc:
        return BackupSummary(path, taken, size, False, f"not a readable database: {exc}", {},
                             None)
    if not counts:
        return BackupSummary(path, taken, size, False, "not a JDM Capture database", {}, None)
    return BackupSummary(path, taken, size, True, "", counts, last_change, chain_ok,
                         chain_detail)


def _audit_head(path: Path) -> tuple[object, ...] | None:
    con = crypto.connect_path(path, readonly=True)
    try:
        cols = {r[1] for r in con.execute("PRAGMA table_info(audit)")}
        if "hash" not in cols:
            return None
        return tuple(con.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")
                     .fetchone() or ())
    finally:
        con.close()


def changed_since_last_backup(db_path: Path | str) -> bool:
    """False when the newest backup already holds every audited change of the database.

    Every clinical change, setting change, sign-off and unlock writes a hash-chained audit row,
    so equal newest audit rows (id and hash) mean equal clinical content: a backup on closing
    an unchanged database would only duplicate the last one. True when unsure.
    """
    found = list_backups(db_path)
    if not found:
        return True
    try:
        current = _audit_head(Path(db_path))
        newest = _audit_head(found[0].path)
    except sqlite_or_known():
        return True
    return current is None or current != newest


def database_in_use(db_path: Path | str) -> bool:
    """True when another connection (the GUI, an import) has the database open.

    Tries to take SQLite's exclusive lock without waiting; any reader or writer holding the
    file prevents it. A file too damaged to lock is reported as not in use.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        return False
    try:
        # file locks are taken before any page is decrypted: no key is needed to ask
        con = crypto.connect_raw(db_path, None, timeout=0)
    except sqlite_errors():
        return False
    try:
        con.execute("PRAGMA locking_mode = EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        con.execute("ROLLBACK")
    except operational_errors() as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except database_errors():
        return False
    finally:
        con.close()
    return False


class RestoreRefused(BackupError):
    """The backup has findings ``check`` would refuse; restoring needs each one accepted.

    Attributes:
        findings: what was found (:class:`storage.integrity.Finding`); ``code(f)`` is what
            ``accept`` (``restore --accept-finding CODE``) must name.
    """

    def __init__(self, backup_name: str, findings: list[Finding]) -> None:
        lines = "; ".join(f"[{finding_code(f)}] {f}" for f in findings[:10])
        codes = " ".join(sorted({f"--accept-finding {finding_code(f)}" for f in findings}))
        super().__init__(_("{file} is not restored because check would refuse it: {lines}. "
                           "If you have investigated and still want it, repeat with {codes} "
                           "(the accepted findings are written to the audit trail)").format(
            file=backup_name, lines=lines, codes=codes))
        self.findings = findings


def finding_code(finding: Finding) -> str:
    """The short name a user gives to accept a finding: its kind, with dashes."""
    return finding.kind.replace(" ", "-")


def restore_findings(db_path: Path | str, backup_path: Path | str) -> list[Finding]:
    """What ``check`` would refuse in the backup, and whether restoring it erases history.

    * every problem of :func:`storage.database.check_database` on the backup (foreign file,
      newer schema, broken chain, data that differs from its trail, planted triggers, ...);
      an *older* schema is fine (it is upgraded when opened), its chain is still verified;
    * ``history``: the current file has an audit trail and the backup's newest audit row is
      not in it (the backup's trail was emptied, or it belongs to another timeline or file):
      restoring would replace the current history.
    """
    from storage import audit_chain  # noqa: PLC0415
    from storage.database import check_database  # noqa: PLC0415 - database imports us
    from storage.errors import KnownStorageError  # noqa: PLC0415
    from storage.integrity import PENDING_MIGRATIONS, Finding  # noqa: PLC0415

    db_path, backup_path = Path(db_path), Path(backup_path)
    out: list[Finding] = []
    try:
        report = check_database(backup_path)
    except KnownStorageError as exc:
        return [Finding("file", backup_path.name, exc.message)]
    for f in report.findings:
        if f.severity == "problem" and f.code != PENDING_MIGRATIONS:
            out.append(f)
    con = crypto.connect_path(backup_path, readonly=True)  # encrypted with the file's key
    try:
        cols = {r[1] for r in con.execute("PRAGMA table_info(audit)")}
        if report.pending and "hash" in cols and not out:
            chain = verify_chain(con)
            if not chain.ok:
                out.append(Finding("audit trail", backup_path.name, chain.reason))
        if "hash" in cols:
            backup_head = audit_chain.head(con)
        elif cols:  # before the chain (m001, m002): only a count to compare
            backup_head = (int(con.execute("SELECT count(*) FROM audit").fetchone()[0]), -1, "")
        else:
            backup_head = (0, 0, "")
    finally:
        con.close()
    if not db_path.exists():
        return out
    try:
        cur = crypto.connect_path(db_path, readonly=True)
        try:
            current = audit_chain.head(cur)
            row = cur.execute("SELECT hash FROM audit WHERE id = ?",
                              (backup_head[1],)).fetchone() if backup_head[1] > 0 else None
        finally:
            cur.close()
    except sqlite_or_known():
        return out  # the current file is damaged: nothing to compare with
    if current[0] == 0:
        return out
    if backup_head[0] == 0:
        out.append(Finding("history", backup_path.name, f"the backup has no audit trail, the "
                           f"current file has {current[0]} audit rows: restoring it would "
                           "erase the history (the current file is kept aside)"))
    elif backup_head[1] > 0 and (row is None or row[0] != backup_head[2]):
        out.append(Finding("history", backup_path.name, f"the backup's newest audit row "
                           f"{backup_head[1]} is not in the current file's trail: it was "
                           "emptied or rewritten, or comes from another file or timeline"))
    return out


def restore_backup(db_path: Path | str, backup_path: Path | str,
                   now: dt.datetime | None = None, *, actor: str = "",
                   accept: Iterable[str] = ()) -> Path | None:
    """Replace the database with a backup, keeping the current file aside.

    The backup is checked first (integrity and that it is a JDM Capture database); then the
    current database, if any, is kept as ``<name>.before-restore-<time>.sqlite`` beside it
    (a consistent copy through the backup API, or the raw files when the current one is too
    damaged to open); then the backup is copied to a temporary file and renamed into place.
    The restored file gets one audit row (table ``restores``: who, when, which backup, where
    the previous file was kept), so its history shows the restore and ``check`` does not
    mistake the rolled-back trail for deleted rows.

    Refused while another connection has ``db_path`` open (:func:`database_in_use`): a
    program still writing to the replaced file would lose its changes. Refused as well
    (:class:`RestoreRefused`) when :func:`restore_findings` finds anything, unless every
    finding's code is in ``accept``; accepted findings are recorded in the restore's audit
    row. A symbolic link at ``db_path`` is followed: the file it points to is replaced.

    Returns:
        The path the previous database was kept at, or None when there was none.

    Raises:
        BackupError: the backup is unusable or a file could not be written; the current
            database is then untouched.
    """
    db_path, backup_path = Path(db_path), Path(backup_path)
    if db_path.is_symlink():  # restore the real file, never replace the link
        db_path = db_path.resolve()
    if db_path.resolve() == backup_path.resolve():
        raise BackupError("the backup and the database are the same file")
    summary = describe_backup(backup_path)
    if not summary.healthy:
        raise BackupError(f"{backup_path.name} cannot be restored: {summary.problem}")
    if crypto.is_encrypted(db_path) and not crypto.is_encrypted(backup_path):
        raise BackupError(f"{backup_path.name} is not encrypted and {db_path.name} is: "
                          "restoring it would put patient data back on disk in plain text. "
                          "Restore it to a new file name, then encrypt that file "
                          "(`main.py encrypt`)")
    if database_in_use(db_path):
        raise BackupError(f"{db_path.name} is open in JDM Capture or another program; close "
                          "it there first, then restore")
    accepted = set(accept)
    findings = restore_findings(db_path, backup_path)
    refused = [f for f in findings if finding_code(f) not in accepted]
    if refused:
        raise RestoreRefused(backup_path.name, refused)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    aside = None
    if db_path.exists():
        aside = db_path.with_name(f"{db_path.stem}.before-restore-{now.strftime(_STAMP)}"
                                  f"{db_path.suffix or '.sqlite'}")
        try:
            online_backup(db_path, aside)
        except BackupError:
            # Too damaged to read through SQLite: keep the raw files (and its journal) instead.
            try:
                _keep_raw(db_path, aside)
                for suffix in ("-wal", "-shm", "-journal", crypto.KEYS_SUFFIX):
                    side = Path(str(db_path) + suffix)
                    if side.exists():
                        _keep_raw(side, Path(str(aside) + suffix))
            except OSError as exc:
                raise BackupError(f"could not keep the current file aside: {exc}") from exc
    try:
        staged = tempfiles.temp_path(db_path, ".restoring")
    except OSError as exc:
        raise BackupError(f"could not prepare the restored copy: {exc}") from exc
    online_backup(backup_path, staged)
    try:  # the restored file's audit trail says it was restored, by whom, from what
        con = crypto.connect_path(staged, isolation_level=None)
        try:
            record_restore(con, now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                           actor or _os_user(), backup_path.name, aside.name if aside else None,
                           accepted="; ".join(f"[{finding_code(f)}] {f.english()}"
                                              for f in findings) or None)
        finally:
            con.close()
    except sqlite_or_known() as exc:
        crypto.keys_path(staged).unlink(missing_ok=True)
        tempfiles.finished(staged)
        raise BackupError(f"could not prepare the restored copy: {exc}") from exc
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    staged_keys = crypto.keys_path(staged)
    if staged_keys.exists():  # the backup's key slots come back with it
        os.replace(staged_keys, crypto.keys_path(db_path))
    else:  # a plain backup: the current key file would describe another file
        crypto.keys_path(db_path).unlink(missing_ok=True)
    os.replace(staged, db_path)
    tempfiles.finished(staged)
    return aside


def _keep_raw(path: Path, aside: Path) -> None:
    """Keep ``path`` under the name ``aside`` without opening it (a hard link: the same bytes,
    no file handle that could release SQLite's locks); a plain copy where links are not
    supported (FAT, some network drives)."""
    try:
        os.link(path, aside)
    except OSError:
        shutil.copy2(path, aside)


def _os_user() -> str:
    try:
        return f"{getpass.getuser()} (restore)"
    except (KeyError, OSError):
        return "unknown user (restore)"
