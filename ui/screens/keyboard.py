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


QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VIETNAMESE_LETTERS = "ăâđêôơư"
# the tone keys, each labelled with the tone on an "a", the way every Vietnamese learns them
TONE_KEYS = (("acute", "á"), ("grave", "à"), ("hook", "ả"), ("tilde", "ã"), ("dot", "ạ"))
SPACE = " "


class VietnameseKeyboard(QWidget):
    """Letters, the Vietnamese vowels and đ, a space, and five tone keys; a tone key sends its
    tone's name ("acute"…), which marks the last word typed (ui.vietnamese.add_tone)."""

    def __init__(self, press: Callable[[str], None]) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(8)
        self.keys: dict[str, QPushButton] = {}
        rows = [
            [(k, k) for k in QWERTY[0]],
            [*((k, k) for k in QWERTY[1]), (BACK, BACK)],
            [(k, k) for k in QWERTY[2]],
            [(k, k) for k in VIETNAMESE_LETTERS],
            list(TONE_KEYS),
        ]
        for row, keys in enumerate(rows):
            for column, (key, label) in enumerate(keys):
                self._add(grid, press, key, label, row, column)
        space = self._add(grid, press, SPACE, "␣", 2, len(QWERTY[2]), span=3)
        space.setAccessibleName("key space")

    def _add(
        self, grid: QGridLayout, press: Callable[[str], None], key: str, label: str, row: int, column: int,
        span: int = 1,
    ) -> QPushButton:  # fmt: skip
        b = button(label, name=f"key {key}")
        b.setObjectName("key")
        b.clicked.connect(lambda _=False, k=key: press(k))
        grid.addWidget(b, row, column, 1, span)
        self.keys[key] = b
        return b
