"""An officer's list of items to take out (deposited dossiers, expired results, items to settle):
one large button each, naming the compartment and the dossier."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFrame, QPushButton, QScrollArea, QScroller, QVBoxLayout, QWidget

from ui.i18n import Language
from ui.screens.base import Screen, button, drop, text, title


class ChooseScreen(Screen):
    citizen = False  # staff only: no citizen chrome

    def __init__(self, language: Language, take: Callable[[str], None], done: Callable[[], None]) -> None:
        super().__init__(language)
        self.take = take
        self.heading = title()
        self.empty = text()
        self.list = QWidget()
        self.rows = QVBoxLayout(self.list)
        self.rows.addStretch(1)  # the entries go above it, at the top
        # a technician's list has every compartment (24 and more): taller than the screen, so it
        # scrolls (a finger drags it) and Done stays on the screen
        scroll = QScrollArea()
        scroll.setWidget(self.list)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.empty)
        self.layout_.addWidget(scroll, 1)
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
            self.rows.insertWidget(len(self.items), b)
            self.items[key] = b
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.t("Touch an item to open its compartment."))
        self.empty.setText("" if self.items else self.t("Nothing to take out."))
        self.done.setText(self.t("Done"))
