"""Scan or type: a dossier code (a scanned QR goes straight in), a PIN, or a phone number.

What a person typed stays for them to correct (a wrong code stays in the field, the error naming
it); only a PIN is cleared after it was refused. The pickup PIN is six boxes that take no
seventh digit. While the core holds a step locked (too many wrong PINs), its keys are disabled
and the error says until when. The dossier a step is about is named under its prompt."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from kiosk.entries import PIN_LENGTH
from ui.i18n import N_, Language
from ui.screens.base import Screen, button, plain, text, title
from ui.screens.keyboard import BACK, Keyboard
from ui.screens.qr_hint import BesideKeys, QrHint

PROMPTS = {
    "code": N_("Scan the QR code, or type the dossier code."),
    "pin": N_("Type the 6-digit PIN from your SMS."),
    "phone": N_("Type a phone number we can reach you on."),
    "staffpin": N_("Type your staff PIN."),
    "result": N_("Scan or type the dossier code of the result."),
    "staffid": N_("Scan your staff badge, or type your staff number."),
}
FILLED, EMPTY = "●", ""
HINT = N_("The last 4 digits of the dossier code are enough.")
CLEARED_AFTER_A_PROBLEM = frozenset({"pin", "staffpin"})  # a secret is typed again, never corrected


class PinBoxes(QWidget):
    """Six boxes, one for each digit typed (shown as a dot): how many are left is plain to see."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setSpacing(16)
        row.addStretch(1)
        self.boxes: list[QLabel] = []
        for n in range(PIN_LENGTH):
            box = plain(EMPTY)
            box.setObjectName("pinbox")
            box.setAccessibleName(f"PIN digit {n + 1}")
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.setFixedSize(88, 104)
            box.setFrameShape(QFrame.Shape.Box)  # no style sheet of its own: the window's styles it
            box.setLineWidth(3)
            font = box.font()
            font.setPixelSize(48)
            box.setFont(font)
            row.addWidget(box)
            self.boxes.append(box)
        row.addStretch(1)

    def show_count(self, typed: int) -> None:
        for n, box in enumerate(self.boxes):
            box.setText(FILLED if n < typed else EMPTY)


class EntryScreen(Screen):
    def __init__(
        self,
        language: Language,
        what: str,
        submit: Callable[[str], None],
        home: Callable[[], None],
        preview: QWidget | None = None,
        alternative: Callable[[], None] | None = None,
        previous: Callable[[], None] | None = None,
    ) -> None:
        """``previous``: the way one step back (the window shows the button where there is one)."""
        super().__init__(language)
        self.what = what
        self.submit_ = submit
        self.heading = title()
        self.dossier = text(name="dossier")  # which dossier this step is about
        self.hint = text(name="hint")  # a way to type less (the window shows it where it holds)
        self.hint.hide()
        self.problem = text(name="error")
        self.problem.setObjectName("error")
        self.field = QLineEdit()
        self.field.setAccessibleName(what)
        self.boxes: PinBoxes | None = None
        if what in ("pin", "staffpin"):
            self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.dossier)
        self.layout_.addWidget(self.hint)
        self.preview = preview
        if preview is not None:  # the camera's picture, where one is configured
            self.layout_.addWidget(preview)
        if what == "pin":  # the boxes show it; the field holds it
            self.field.setMaxLength(PIN_LENGTH)
            self.boxes = PinBoxes()
            self.field.textChanged.connect(self._typed)  # a bound method: PyQt holds no strong ref
            self.field.hide()
            self.layout_.addWidget(self.boxes)
        else:
            self.layout_.addWidget(self.field)
        self.layout_.addWidget(self.problem)
        self.keyboard = Keyboard(self.press, letters=what in ("code", "result", "staffid"), language=language)
        # the citizen's scan-or-type screen shows where to hold the QR, beside or above the keys
        self.layout_.addWidget(BesideKeys(self.keyboard, QrHint()) if what == "code" else self.keyboard)
        # a drop-off's way on for a dossier without a code (shown by the window for drop-offs only)
        self.alternative: QPushButton | None = None
        if alternative is not None:
            self.alternative = button(secondary=True, name="no code")
            self.alternative.clicked.connect(alternative)
            self.layout_.addWidget(self.alternative)
        row = QHBoxLayout()
        self.previous: QPushButton | None = None
        if previous is not None:
            self.previous = button(secondary=True, name="previous step")
            self.previous.clicked.connect(previous)
            row.addWidget(self.previous)
        self.back = button(secondary=True, name="home")
        self.back.clicked.connect(home)
        self.ok = button(name="ok")
        self.ok.clicked.connect(self._submit)
        row.addWidget(self.back)
        row.addWidget(self.ok)
        self.layout_.addLayout(row)
        self._code: str | None = None
        self.locked = False
        self.retranslate()

    def _typed(self, typed: str) -> None:
        if self.boxes is not None:
            self.boxes.show_count(len(typed))

    def press(self, key: str) -> None:
        if self.locked:
            return
        typed = self.field.text()
        if key == BACK:
            self.field.setText(typed[:-1])
        elif self.field.maxLength() > len(typed):  # the PIN's seventh digit goes nowhere
            self.field.setText(typed + key)
            if self.boxes is not None and len(self.field.text()) == PIN_LENGTH:
                self._submit()  # six boxes full: no "OK" to find; a refused PIN comes back cleared
                self.field.clear()

    def show_problem(self, words: str) -> None:
        """What the core said of the last step; what was typed stays to be corrected (a PIN, a
        secret, is typed again)."""
        if words and self.what in CLEARED_AFTER_A_PROBLEM:
            self.field.clear()
        self.problem.setText(words)

    def about(self, code: str | None) -> None:
        """Name the dossier this step is for (None: none yet)."""
        self._code = code
        self.retranslate()

    def lock(self, locked: bool) -> None:
        """The core takes nothing on this step until the time its message says: no key works."""
        self.locked = locked
        self.keyboard.setEnabled(not locked)
        self.ok.setEnabled(not locked)
        if locked:
            self.field.clear()

    def _submit(self) -> None:
        if self.field.text() and not self.locked:
            self.submit_(self.field.text())

    def retranslate(self) -> None:
        self.heading.setText(self.t(PROMPTS[self.what]))
        self.dossier.setText(self.t("Dossier {code}", code=self._code) if self._code else "")
        self.dossier.setVisible(bool(self._code))
        self.hint.setText(self.t(HINT) if self.what == "code" else "")
        self.back.setText(self.t("Back to start"))
        self.ok.setText(self.t("OK"))
        if self.previous is not None:
            self.previous.setText(self.t("Go back"))
        self.keyboard.retranslate(self.language)
        if self.alternative is not None:
            self.alternative.setText(self.t("No dossier code? Choose its procedure"))
