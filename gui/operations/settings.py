"""File > Settings (Ctrl+,): scoring, the default assessor and the study protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gui.background import show_error

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def edit_settings(window: MainWindow) -> None:
    """The settings dialog; saved settings refresh the list and the open patient."""
    if window.session is None:
        return
    current = window.session.settings()
    from gui.dialogs import SettingsDialog  # noqa: PLC0415
    from storage.repository import AppSettings  # noqa: PLC0415

    dialog = SettingsDialog(current.scoring, current.assessor, window,
                            protocol=current.protocol)
    if not dialog.exec() or dialog.result_settings is None:
        return
    try:
        window.session.set_settings(AppSettings(scoring=dialog.result_settings,
                                                assessor=dialog.result_assessor,
                                                protocol=dialog.result_protocol))
    except Exception as exc:  # noqa: BLE001
        show_error(window, exc)
        return
    window.refresh_list()
    if window.patient is not None and window.on_patient_page():
        window.reload_patient()
