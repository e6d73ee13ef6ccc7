"""A dossier without a code: the citizen finds its procedure by typing a few words of its name on
the Vietnamese keyboard (tone marks optional) and touches it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from PyQt6.QtWidgets import QBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.procedures import Procedure, find
from ui.i18n import Language
from ui.screens.base import Screen, button, drop, text, title
from ui.screens.keyboard import BACK, TONE_KEYS, VietnameseKeyboard
from ui.vietnamese import add_tone

TONES = frozenset(name for name, _ in TONE_KEYS)
SHOWN = {"portrait": 5, "landscape": 4}  # as many as fit beside or above the keyboard
# characters: a long name wraps (a button does not), to fit beside the keyboard
LINE = {"portrait": 36, "landscape": 26}


class ProcedureScreen(Screen):
    def __init__(
        self,
        language: Language,
        catalogue: tuple[Procedure, ...],
        choose: Callable[[str], None],
        back: Callable[[], None],
        home: Callable[[], None],
        orientation: str = "portrait",
    ) -> None:
        super().__init__(language)
        self.catalogue = catalogue
        self.choose = choose
        self.shown, self.line = SHOWN[orientation], LINE[orientation]
        self.heading = title()
        self.hint = text()
        self.field = QLineEdit()
        self.field.setAccessibleName("procedure")
        self.field.textChanged.connect(self._refresh)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.hint)
        self.layout_.addWidget(self.field)
        beside = QBoxLayout(
            QBoxLayout.Direction.LeftToRight
            if orientation == "landscape"
            else QBoxLayout.Direction.TopToBottom
        )
        found = QWidget()
        self.rows = QVBoxLayout(found)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.addStretch(1)  # the buttons found go above it, at the top
        self.more = text()
        beside.addWidget(found, 1)
        self.keyboard = VietnameseKeyboard(self.press, language)
        beside.addWidget(self.keyboard)
        self.layout_.addLayout(beside, 1)
        self.layout_.addWidget(self.more)
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.home = button(secondary=True, name="home")
        self.home.clicked.connect(home)
        self.back = button(secondary=True, name="back")
        self.back.clicked.connect(back)
        row.addWidget(self.home)
        row.addWidget(self.back)
        self.layout_.addLayout(row)
        self.found: dict[str, QPushButton] = {}
        self.retranslate()

    def start(self) -> None:
        self.field.clear()  # the list follows the field (an empty field: the most asked first)

    def press(self, key: str) -> None:
        typed = self.field.text()
        if key == BACK:
            typed = typed[:-1]
        elif key in TONES:
            typed = add_tone(typed, key)
        else:
            typed += key
        self.field.setText(typed)

    def _refresh(self) -> None:
        drop(self.found)
        matches = find(self.catalogue, self.field.text())
        for procedure in matches[: self.shown]:
            b = button(textwrap.fill(procedure.name(self.language.code), self.line), name=procedure.key)
            b.clicked.connect(lambda _=False, k=procedure.key: self.choose(k))
            self.rows.insertWidget(len(self.found), b)
            b.show()  # at once, not after the layout's next pass: a quick finger may already be there
            self.found[procedure.key] = b
        left = len(matches) - len(self.found)
        if not matches:
            self.more.setText(self.t("No procedure has these words. Type fewer letters."))
        elif left:
            self.more.setText(self.t("…and {count} more: type more letters to narrow the list.", count=left))
        else:
            self.more.setText("")

    def retranslate(self) -> None:
        self.heading.setText(self.t("Which procedure is your dossier for?"))
        self.hint.setText(self.t("Type a few words of its name, with or without tone marks, then touch it."))
        self.home.setText(self.t("Back to start"))
        self.back.setText(self.t("I have a dossier code"))
        self.keyboard.retranslate(self.language)
        self._refresh()
