"""An officer's list of items to take out (deposited dossiers, expired results, items to settle):
one large button each, naming the compartment and the dossier."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from ui.i18n import Language
from ui.screens.base import Screen, button, drop, text, title


class ChooseScreen(Screen):
    def __init__(self, language: Language, take: Callable[[str], None], done: Callable[[], None]) -> None:
        super().__init__(language)
        self.take = take
        self.heading = title()
        self.empty = text()
        self.list = QWidget()
        self.rows = QVBoxLayout(self.list)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.empty)
        self.layout_.addWidget(self.list)
        self.layout_.addStretch(1)
        self.done = button(secondary=True, name="done")
        self.done.clicked.connect(done)
        self.layout_.addWidget(self.done)
        self.items: dict[str, QPushButton] = {}
        self.retranslate()

    def present(self, items: tuple[tuple[str, str], ...]) -> None:
        drop(self.items)
        for key, label in items:
            b = button(label, name=key)
            b.clicked.connect(lambda _=False, k=key: self.take(k))
            self.rows.addWidget(b)
            self.items[key] = b
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.t("Touch an item to open its compartment."))
        self.empty.setText("" if self.items else self.t("Nothing to take out."))
        self.done.setText(self.t("Done"))
