"""Issue 17: a bad settings row or a bad draft row must not crash the GUI at open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from gui.app import open_session
from gui.main_window import MainWindow
from gui.operations import startup
from gui.session import Session


def _plant(db_path: Path, statement: str) -> None:
    Session(db_path).close()
    con = sqlite3.connect(db_path)
    con.execute(statement)
    con.commit()
    con.close()


def test_a_bad_setting_gives_a_plain_message_at_open(
        qtbot, monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    _plant(db_path, "INSERT INTO settings (key, value) VALUES ('uln_ck', 'abc')")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        staticmethod(lambda _parent, _title, text: shown.append(text)))
    assert open_session(db_path) is None
    assert len(shown) == 1 and "uln_ck" in shown[0] and "restore a backup" in shown[0]


@pytest.mark.parametrize("row", [
    "('visit/P01/new', '[1]', '2026-01-01T00:00:00.000Z')",
    "('visit/P01/new', '{\"study_id\": \"P01\"}', 'yesterday')",
])
def test_a_bad_draft_is_skipped_at_start(qtbot, monkeypatch: pytest.MonkeyPatch,
                                         db_path: Path, row: str) -> None:
    """A damaged draft never crashes the start and is never offered; when it cannot be read
    at all it is reported once, naming it, and kept aside unchanged (issue 17)."""
    _plant(db_path, f"INSERT INTO drafts (key, payload, saved_at) VALUES {row}")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _parent, _title, text: shown.append(text)))
    session = Session(db_path)
    try:
        assert session.drafts() == []
        window = MainWindow(session)
        qtbot.addWidget(window)
        startup.offer_drafts(window)  # nothing to offer; at most the one report, no exception
        assert all("P01/new" in text and "kept aside" in text for text in shown)
        assert len(shown) <= 1
    finally:
        session.close()
