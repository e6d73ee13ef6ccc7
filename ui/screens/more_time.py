"""Asked of a person who has stopped touching a screen that waits for them: do they need more
time? The seconds left are counted down (ui/countdown.py); "Thêm thời gian" goes back to where
they were, nothing lost."""

from __future__ import annotations

import math
from collections.abc import Callable

from ui.i18n import Language
from ui.screens.base import Screen, button, text, title
from ui.screens.chrome import RETURNS_IN


class MoreTimeScreen(Screen):
    def __init__(self, language: Language, more: Callable[[], None], leave: Callable[[], None]) -> None:
        super().__init__(language)
        self.heading = title()
        self.hint = text()
        self.left = text(name="message")
        self.left.setAccessibleName("countdown")
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.left)
        self.layout_.addWidget(self.hint)
        self.layout_.addStretch(1)
        self.yes = button(name="more time")
        self.yes.setMinimumHeight(180)
        self.yes.clicked.connect(more)
        self.no = button(secondary=True, name="leave")
        self.no.clicked.connect(leave)
        self.layout_.addWidget(self.yes)
        self.layout_.addWidget(self.no)
        self.seconds: int | None = None
        self.retranslate()

    def show_left(self, seconds: float) -> None:
        self.seconds = max(0, math.ceil(seconds))
        self.left.setText(self.t(RETURNS_IN, seconds=self.seconds))

    def retranslate(self) -> None:
        self.heading.setText(self.t("Do you need more time?"))
        self.hint.setText(self.t("If nobody answers, the screen goes back to the start."))
        self.left.setText(self.t(RETURNS_IN, seconds=self.seconds) if self.seconds is not None else "")
        self.yes.setText(self.t("Yes, I need more time"))
        self.no.setText(self.t("No, I am done"))
