"""Asked of a person who has stopped touching the screen: do they need more time?"""

from __future__ import annotations

from collections.abc import Callable

from ui.i18n import Language
from ui.screens.base import Screen, button, text, title


class MoreTimeScreen(Screen):
    def __init__(self, language: Language, more: Callable[[], None], leave: Callable[[], None]) -> None:
        super().__init__(language)
        self.heading = title()
        self.hint = text()
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.hint)
        self.layout_.addStretch(1)
        self.yes = button(name="more time")
        self.yes.setMinimumHeight(180)
        self.yes.clicked.connect(more)
        self.no = button(secondary=True, name="leave")
        self.no.clicked.connect(leave)
        self.layout_.addWidget(self.yes)
        self.layout_.addWidget(self.no)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.t("Do you need more time?"))
        self.hint.setText(self.t("If nobody answers, the screen goes back to the start."))
        self.yes.setText(self.t("Yes, I need more time"))
        self.no.setText(self.t("No, I am done"))
