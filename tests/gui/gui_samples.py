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


def demo_window(qtbot: Any, tmp_path: Path, actor: str) -> Iterator[Any]:
    """A shown main window on a new demo database (for a fixture to yield from). Imports the
    GUI only when called, so a language fixture can install its translators first."""
    from gui.main_window import MainWindow  # noqa: PLC0415
    from gui.session import Session  # noqa: PLC0415
    from storage.demo import add_demo_cohort  # noqa: PLC0415
    from storage.repository import Repository  # noqa: PLC0415

    db = tmp_path / "demo.sqlite"
    with Repository(db) as repo:
        add_demo_cohort(repo, actor)
    session = Session(db)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    yield window
    if window._editor is not None:
        window.editor.discard()
    session.close()
