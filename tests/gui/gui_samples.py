"""Test data and windows shared by the GUI tests (imported as ``gui_samples``, like
``tests/exports/export_factory.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms import registry
from forms.model import Visit


def complete_visit(session: Any) -> int:
    """Save a visit of P01 complete enough to sign off (every core-set domain has a value or a
    reason); returns its id."""
    values: dict[str, Any] = {name: min(1, int(registry.get(name).maximum or 0))
                              for name in registry.cmas_item_names()}
    values.update({"phys_global": Decimal("4.5"), "parent_global": Decimal("3"),
                   "extramuscular_global": Decimal("1"), "ck": Decimal(900)})
    visit = Visit(dt.date(2021, 5, 6), "M0", baseline=True, values=values,
                  missing={"chaq_dress": "not_done"})
    return session.save_visit("P01", visit).id or 0


def sign_in_editor(qtbot: Any, monkeypatch: Any, window: Any, visit_id: int) -> None:
    """Open ``visit_id`` of P01 in the editor and sign it off as "Dr Signer" through the real
    sign-off bar (only the dialog's ``exec`` is answered); waits until it is signed."""
    from gui.signoff import SignOffDialog  # noqa: PLC0415

    window.open_patient("P01")
    window.open_visit(visit_id)
    bar = window.editor.signoff_bar

    def sign(dialog: SignOffDialog) -> int:
        dialog.name.setText("Dr Signer")
        return 1

    monkeypatch.setattr(SignOffDialog, "exec", sign)
    bar.sign_button.click()
    qtbot.waitUntil(lambda: bar.status is not None and bar.status.signed, timeout=30000)


#: the demo database's bytes per actor, made by the first demo_window of the worker
_DEMO_FILES: dict[str, bytes] = {}


def demo_window(qtbot: Any, tmp_path: Path, actor: str) -> Iterator[Any]:
    """A shown main window on a new demo database (for a fixture to yield from). Imports the
    GUI only when called, so a language fixture can install its translators first."""
    from gui.main_window import MainWindow  # noqa: PLC0415
    from gui.session import Session  # noqa: PLC0415
    from storage.demo import add_demo_cohort  # noqa: PLC0415
    from storage.repository import Repository  # noqa: PLC0415

    db = tmp_path / "demo.sqlite"
    if actor in _DEMO_FILES:  # the same cohort, written once per worker (0.3 s each time)
        db.write_bytes(_DEMO_FILES[actor])
    else:
        with Repository(db) as repo:
            add_demo_cohort(repo, actor)
        assert not db.with_name(db.name + "-wal").exists()  # closed: the whole file is db
        _DEMO_FILES[actor] = db.read_bytes()
    session = Session(db)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    yield window
    if window._editor is not None:
        window.editor.discard()
    session.close()
