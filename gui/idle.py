"""The idle lock's watcher: emits ``idle`` after the idle-lock minutes without keyboard,
mouse or touch input (the main window then locks the session: :mod:`gui.security`).

Its application-wide event filter is installed only while the watch runs (an encrypted file
is open): every Qt event of the application passes through it, a call into Python each, so a
plain file, whose session never locks, pays nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from storage.accounts import DEFAULT_IDLE_MINUTES

_INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                 QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class IdleWatcher(QObject):
    """Emits :attr:`idle` after ``minutes`` without keyboard, mouse or touch input."""

    idle = Signal()

    def __init__(self, minutes: float = DEFAULT_IDLE_MINUTES,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle.emit)
        self.set_minutes(minutes)
        self._filtering = False

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(max(1, int(minutes * 60_000)))

    def start(self) -> None:
        self.timer.start()
        app = QGuiApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True

    def stop(self) -> None:
        self.timer.stop()
        app = QGuiApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if event.type() in _INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # restart
        return False
