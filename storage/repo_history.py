"""Reads of the audit trail: the history of one record or of one whole visit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from storage import schema, signoff
from storage.errors import (
    translated,
)
from storage.repo_core import (
    RepositoryCore,
    parse_time,
)
from storage.repo_records import (
    AuditEntry,
)

if TYPE_CHECKING:
    pass

#: tables whose audit rows belong to one visit (record_id = visit id).
VISIT_TABLES = ("visits", *schema.value_tables(), "visit_missing", signoff.TABLE)


class HistoryReader(RepositoryCore):
    """The audit trail of records and visits."""

    def audit_history(self, table: str, record_id: int) -> list[AuditEntry]:
        """Every audited change of one record, oldest first."""
        return self._history("a.table_name = ? AND a.record_id = ?", (table, record_id))

    def visit_history(self, visit_id: int) -> list[AuditEntry]:
        """Every audited change of one visit: header, values of every form, missing reasons."""
        marks = ",".join("?" * len(VISIT_TABLES))
        return self._history(f"a.table_name IN ({marks}) AND a.record_id = ?",
                             (*VISIT_TABLES, visit_id))

    def _history(self, where: str, params: Sequence[Any]) -> list[AuditEntry]:
        with translated(self.path):
            rows = self.db.conn.execute(
                "SELECT a.id, a.at, a.actor, a.action, a.table_name, a.record_id, a.context, "
                "c.field, c.old, c.new FROM audit a LEFT JOIN audit_changes c "
                f"ON c.audit_id = a.id WHERE {where} ORDER BY a.id, c.field", params).fetchall()
        return [AuditEntry(r[0], parse_time(r[1]), *r[2:]) for r in rows]

