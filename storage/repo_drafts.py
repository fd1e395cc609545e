"""Unsaved GUI entry kept for crash recovery (``drafts``), never mixed with saved data."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from storage.errors import (
    translated,
)
from storage.repo_core import (
    RepositoryCore,
    now,
    parse_time,
)
from storage.repo_records import (
    Draft,
)

if TYPE_CHECKING:
    pass



class DraftStore(RepositoryCore):
    """Drafts of unsaved entry."""

    def save_draft(self, key: str, payload_json: str) -> None:
        """Keep unsaved GUI entry (JSON text) under ``key``; replaces an older draft."""
        json.loads(payload_json)  # ValueError for text that is not JSON
        with self._write():
            self.db.conn.execute(
                "INSERT INTO drafts (key, payload, saved_at) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET payload = excluded.payload, saved_at = excluded.saved_at",
                (key, payload_json, now()))

    def load_drafts(self) -> list[Draft]:
        with translated(self.path):
            rows = self.db.conn.execute(
                "SELECT key, payload, saved_at FROM drafts ORDER BY saved_at").fetchall()
        out = []
        for key, payload, saved_at in rows:  # damaged rows are skipped (`check` lists them)
            try:
                when = parse_time(str(saved_at))
                json.loads(payload)
            except (ValueError, TypeError):
                continue
            out.append(Draft(key, payload, when))
        return out

    def discard_draft(self, key: str) -> None:
        with self._write():
            self.db.conn.execute("DELETE FROM drafts WHERE key = ?", (key,))

