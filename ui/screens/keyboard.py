"""On-screen keys: a telephone's pad for PINs and phone numbers (0 at the bottom centre, as on every
ATM and phone); digits, letters, dot and dash for dossier codes (typed as printed on the receipt:
000.00.53.H48-220921-0099); and the Vietnamese keyboard for a procedure's name.

Every key is at least ``TARGET_PX`` square, set here on the widget (see ui/style.py), with
``KEY_GAP_PX`` between keys. Keys that do something other than type a letter say so in words a
person reads ("Xóa", "Dấu cách"), and the tone keys are named ("dấu sắc") and drawn differently
from the letters: each is a mark on the last word, not a letter of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtWidgets import QGridLayout, QPushButton, QWidget

from ui.i18n import N_, Language
from ui.screens.base import button
from ui.style import KEY_GAP_PX, TARGET_PX

BACK = "⌫"  # what the Delete key sends: the last character off
SPACE = " "
PAD_KEY_PX = 200  # a pad's keys: wide for a shaky finger, and still a pad, not bars across the screen
# (what the key sends, row, column, columns it spans); a place not listed stays empty
Place = tuple[str, int, int, int]

PAD: tuple[Place, ...] = (
    *((str(n), (n - 1) // 3, (n - 1) % 3, 1) for n in range(1, 10)),
    ("0", 3, 1, 1),
    (BACK, 3, 2, 1),
)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE_KEYS: tuple[Place, ...] = (
    *((d, 0, i, 1) for i, d in enumerate("1234567890")),
    *((ch, 1 + i // 10, i % 10, 1) for i, ch in enumerate(LETTERS)),
    (".", 3, 6, 1),
    ("-", 3, 7, 1),
    (BACK, 3, 8, 2),
)
# landscape: three rows of fourteen, so the keys leave room under the header for the rest
CODE_KEYS_WIDE: tuple[Place, ...] = (
    *((d, 0, i, 1) for i, d in enumerate("1234567890.-")),
    (BACK, 0, 12, 2),
    *((ch, 1 + i // 13, i % 13, 1) for i, ch in enumerate(LETTERS)),
)
QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VIETNAMESE_LETTERS = "ăâđêôơư"
# the tone keys: the tone's name (what the key sends), and the tone on an "a", the way every
# Vietnamese learns them
TONE_KEYS = (("acute", "á"), ("grave", "à"), ("hook", "ả"), ("tilde", "ã"), ("dot", "ạ"))
VIETNAMESE_KEYS: tuple[Place, ...] = (
    *((k, row, i, 1) for row, keys in enumerate(QWERTY) for i, k in enumerate(keys)),
    (SPACE, 2, 7, 3),
    *((k, 3, i, 1) for i, k in enumerate(VIETNAMESE_LETTERS)),
    (BACK, 3, 7, 3),
    *((name, 4, 2 * i, 2) for i, (name, _) in enumerate(TONE_KEYS)),
)
# landscape: four rows of twelve, the Vietnamese vowels at the ends of the letters' rows
VIETNAMESE_KEYS_WIDE: tuple[Place, ...] = (
    *((k, 0, i, 1) for i, k in enumerate(QWERTY[0] + "ăâ")),
    *((k, 1, i, 1) for i, k in enumerate(QWERTY[1] + "đêô")),
    *((k, 2, i, 1) for i, k in enumerate(QWERTY[2] + "ơư")),
    (BACK, 2, 9, 3),
    *((name, 3, 2 * i, 2) for i, (name, _) in enumerate(TONE_KEYS)),
    (SPACE, 3, 10, 2),
)
# what a key that is not a letter says, in the person's language
WORDS = {
    BACK: N_("Delete"),
    SPACE: N_("Space"),
    "acute": N_("acute tone"),
    "grave": N_("grave tone"),
    "hook": N_("hook tone"),
    "tilde": N_("tilde tone"),
    "dot": N_("dot tone"),
}
SAMPLE = dict(TONE_KEYS)
ACCESSIBLE = {SPACE: "key space"}


class Keys(QWidget):
    """A grid of keys; ``keys`` maps what each key sends to its button. ``wide``: the same keys in
    fewer, longer rows, for a landscape window (chosen when the keys are first polished, which is
    before the window lays out and sizes itself to what its screens need)."""

    def __init__(
        self, press: Callable[[str], None], places: Sequence[Place], language: Language | None,
        wide: Sequence[Place] | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)  # the screen's margins are enough
        self.grid.setSpacing(KEY_GAP_PX)
        self.places, self.wide = tuple(places), tuple(wide or places)
        self.keys: dict[str, QPushButton] = {}
        for key, *_ in places:
            b = button(key, name=ACCESSIBLE.get(key, f"key {key}"))
            b.setObjectName("tone" if key in SAMPLE else "wordkey" if key in WORDS else "key")
            b.clicked.connect(lambda _=False, k=key: press(k))
            self.keys[key] = b
        self.lay_out(self.places)
        self.retranslate(language or Language("vi"))

    def lay_out(self, places: Sequence[Place]) -> None:
        for b in self.keys.values():
            self.grid.removeWidget(b)
        for key, row, column, span in places:
            b = self.keys[key]
            b.setMinimumSize(span * TARGET_PX + (span - 1) * KEY_GAP_PX, TARGET_PX)
            self.grid.addWidget(b, row, column, 1, span)
        self.laid_out = tuple(places)

    def event(self, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.Polish:
            window = self.window()
            landscape = window is not None and window is not self and window.width() > window.height()
            places = self.wide if landscape else self.places
            if places != self.laid_out:
                self.lay_out(places)
        return super().event(event)

    def retranslate(self, language: Language) -> None:
        for key, b in self.keys.items():
            if key in WORDS:
                word = language.tr(WORDS[key])
                b.setText(f"{SAMPLE[key]}\n{word}" if key in SAMPLE else word)


class Keyboard(Keys):
    """The pad (``letters=False``) or the dossier code's keys."""

    def __init__(
        self, press: Callable[[str], None], *, letters: bool, language: Language | None = None
    ) -> None:
        super().__init__(press, CODE_KEYS if letters else PAD, language, CODE_KEYS_WIDE if letters else None)
        if not letters:
            self.grid.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            for b in self.keys.values():
                b.setFixedWidth(PAD_KEY_PX)


class VietnameseKeyboard(Keys):
    """Letters, the Vietnamese vowels and đ, a space, and five tone keys; a tone key sends its
    tone's name ("acute"…), which marks the last word typed (ui.vietnamese.add_tone)."""

    def __init__(self, press: Callable[[str], None], language: Language | None = None) -> None:
        super().__init__(press, VIETNAMESE_KEYS, language, VIETNAMESE_KEYS_WIDE)
