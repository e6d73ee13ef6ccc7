"""On-screen keys: digits for PINs and phone numbers; digits, letters, dot and dash for dossier
codes (which are typed as printed on the receipt: 000.00.53.H48-220921-0099)."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import QGridLayout, QPushButton, QWidget

from ui.screens.base import button

DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", ".", "0", "-"]
LETTERS = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
BACK = "⌫"


class Keyboard(QWidget):
    def __init__(self, press: Callable[[str], None], *, letters: bool) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(8)
        self.keys: dict[str, QPushButton] = {}
        keys = [k for k in DIGITS if letters or k.isdigit()] + ([*LETTERS] if letters else []) + [BACK]
        columns = 10 if letters else 3
        for i, key in enumerate(keys):
            b = button(key, name=f"key {key}")
            b.setObjectName("key")
            b.clicked.connect(lambda _=False, k=key: press(k))
            grid.addWidget(b, i // columns, i % columns)
            self.keys[key] = b
