"""The day or the night theme on the kiosk's window, by the kiosk's clock (injectable), looked at
every minute: a white screen glares in a dark street, and a darker one is easier on eyes that
have adjusted to the night. The layout is the same in both; only colours change."""

from __future__ import annotations

from PyQt6.QtCore import QObject, QTimer
from PyQt6.QtWidgets import QWidget

from kiosk.clock import Clock
from ui.style import NightHours, Theme, sheet, theme_at

EVERY_MS = 60_000


class ThemeClock(QObject):
    def __init__(self, window: QWidget, clock: Clock, night: NightHours | None) -> None:
        super().__init__(window)  # a child: it dies with the window, never fires into a dead one
        self.window, self.clock, self.night = window, clock, night
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.look)
        self.timer.start(EVERY_MS)
        self.look()

    def look(self) -> Theme:
        """Wear the theme of this minute; a new style sheet only when it changes (twice a day):
        re-polishing every widget of every screen took 0.3 s (median of 10) on this 2-core
        machine under a load of about 20: the screen pauses that long at 18:00 and at 06:00."""
        theme = theme_at(self.clock(), self.night)
        if self.window.property("theme") != theme.name:
            self.window.setProperty("theme", theme.name)  # first: painters read it (style.theme_of)
            self.window.setStyleSheet(sheet(theme))
        return theme
