"""Database-wide settings (scoring, assessor, study protocol) and the review of visit labels
matched to the protocol: the repository's settings part."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING

from forms import registry, validation
from forms.i18n import _
from forms.protocol import DEFAULT_PROTOCOL, Protocol
from forms.settings import ScoringSettings, default_ulns
from forms.validation import Problem
from storage import integrity, schema
from storage.errors import (
    KnownStorageError,
    ValidationFailed,
    translated,
)
from storage.repo_core import (
    RepositoryCore,
    ensure_actor,
    now,
)
from storage.repo_records import (
    AppSettings,
    LabelReview,
)

if TYPE_CHECKING:
    pass



class SettingsStore(RepositoryCore):
    """Settings and the protocol-label review."""

    def get_settings(self) -> AppSettings:
        """Scoring settings and the default assessor (defaults where nothing was saved)."""
        with translated(self.path):
            stored = dict(self.db.conn.execute("SELECT key, value FROM settings").fetchall())
        for key, value in stored.items():  # a damaged setting: a plain message, never a crash
            reason = integrity.setting_problem(key, value) if isinstance(value, str) else (
                _("is not text"))
            if reason:
                name = self.path.name if self.path else _("the database")
                raise KnownStorageError("bad_settings", _(
                    "{file}: the stored setting {key} = {value} {reason}, so responses cannot "
                    "be scored. It was not written by JDM Capture: restore a backup, or "
                    "correct it with sqlite3 after investigation (`check` lists every such "
                    "problem).").format(file=name, key=key, value=repr(str(value)[:40]),
                                        reason=reason))
        ulns = dict(default_ulns())
        for enzyme in ulns:
            if f"uln_{enzyme}" in stored:
                ulns[enzyme] = Decimal(stored[f"uln_{enzyme}"])
        defaults = ScoringSettings()
        scoring_settings = ScoringSettings(
            tis_muscle_measure=stored.get("tis_muscle_measure", defaults.tis_muscle_measure),
            thresholds=stored.get("thresholds", defaults.thresholds), uln_defaults=ulns)
        protocol = DEFAULT_PROTOCOL
        if "study_protocol" in stored:
            try:
                protocol = Protocol.from_dict(json.loads(stored["study_protocol"]))
            except ValueError:
                protocol = DEFAULT_PROTOCOL  # unreadable: the default schedule, never a crash
        return AppSettings(scoring_settings, stored.get("assessor", ""), protocol)

    def scoring_settings(self) -> ScoringSettings:
        return self.get_settings().scoring

    def set_settings(self, settings: AppSettings, actor: str, *, refresh: bool = True) -> None:
        """Save settings (audited); a scoring change recomputes every stored response.

        Args:
            settings: the new settings.
            actor: who changed them (audit trail).
            refresh: recompute the stored responses now, in the same transaction. With
                ``refresh=False`` they are recomputed by the next :meth:`refresh_derived`
                (the GUI runs it in the background: at 5,000 patients x 20 visits it takes
                minutes, because every follow-up is compared with its baseline again).
        """
        actor = ensure_actor(actor)
        if not isinstance(settings.scoring, ScoringSettings):
            raise TypeError("settings.scoring must be a ScoringSettings")
        new = {"tis_muscle_measure": settings.scoring.tis_muscle_measure,
               "thresholds": settings.scoring.thresholds,
               "assessor": settings.assessor.strip(),
               "study_protocol": json.dumps(settings.protocol.to_dict(), sort_keys=True)}
        for enzyme, uln in settings.scoring.uln_defaults.items():
            f = registry.get(registry.enzyme(enzyme).uln_field)
            value, problems = validation.check_field(f, Decimal(uln))
            if problems:
                raise ValidationFailed(problems, "settings")
            new[f"uln_{enzyme}"] = schema.audit_text(value) or ""
        if len(new["assessor"]) > (registry.get("assessor").max_length or 100):
            raise ValidationFailed([Problem("assessor", new["assessor"][:20] + "...",
                                            "is too long")], "settings")
        with self._write("administer"):
            at = now()
            old = dict(self.db.conn.execute("SELECT key, value FROM settings").fetchall())
            for key, value in new.items():
                if old.get(key) == value:
                    continue
                self.db.conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                    "UPDATE SET value = excluded.value", (key, value))
                rid = self.db.conn.execute("SELECT rowid FROM settings WHERE key = ?",
                                           (key,)).fetchone()[0]
                self._audit(actor, at, "update" if key in old else "insert", "settings", rid,
                            [(key, old.get(key), value)], f"setting {key}")
            self._protocol = None
            if refresh:
                self.refresh_derived()

    def protocol(self) -> Protocol:
        """The study protocol of this database (cached; :meth:`set_settings` clears it)."""
        if self._protocol is None:
            self._protocol = self.get_settings().protocol
        return self._protocol

    def label_review(self) -> list[LabelReview]:
        """Visit labels matched to the protocol (by the m020 upgrade, or an import of older
        data) that nobody has reviewed yet (:meth:`mark_label_review_done`)."""
        with translated(self.path):
            seen = self.db.conn.execute(
                "SELECT value FROM settings WHERE key = 'label_review_seen'").fetchone()
            rows = self.db.conn.execute(
                "SELECT p.study_id, r.visit_id, v.visit_date, r.old_label, r.new_label, r.kept "
                "FROM label_review r JOIN visits v ON v.id = r.visit_id "
                "JOIN patients p ON p.id = v.patient_id WHERE r.id > ? "
                "ORDER BY p.study_id, v.visit_date", (int(seen[0]) if seen else 0,)
            ).fetchall()
        return [LabelReview(sid, vid, dt.date.fromisoformat(day), old, new, bool(kept))
                for sid, vid, day, old, new, kept in rows]

    def mark_label_review_done(self, actor: str) -> None:
        """Record (audited) that someone reviewed the listed labels; they are not shown again
        (labels matched later are)."""
        actor = ensure_actor(actor)
        with self._write():
            at = now()
            last = self.db.conn.execute("SELECT max(id) FROM label_review").fetchone()[0] or 0
            old = self.db.conn.execute(
                "SELECT value FROM settings WHERE key = 'label_review_seen'").fetchone()
            self.db.conn.execute("INSERT INTO settings (key, value) VALUES "
                                 "('label_review_seen', ?) ON CONFLICT (key) DO UPDATE SET "
                                 "value = excluded.value", (str(last),))
            rid = self.db.conn.execute("SELECT rowid FROM settings WHERE key = "
                                       "'label_review_seen'").fetchone()[0]
            self._audit(actor, at, "update" if old else "insert", "settings", rid,
                        [("label_review_seen", old[0] if old else None, str(last))],
                        "setting label_review_seen (visit labels reviewed)")

