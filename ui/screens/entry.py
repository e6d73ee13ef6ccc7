"""Scan or type: a dossier code (a scanned QR goes straight in), a PIN, or a phone number."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

from ui.i18n import N_, Language
from ui.screens.base import Screen, button, text, title
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


class EntryScreen(Screen):
    def __init__(
        self,
        language: Language,
        what: str,
        submit: Callable[[str], None],
        home: Callable[[], None],
        preview: QWidget | None = None,
        alternative: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(language)
        self.what = what
        self.submit_ = submit
        self.heading = title()
        self.problem = text(name="error")
        self.problem.setObjectName("error")
        self.field = QLineEdit()
        self.field.setAccessibleName(what)
        if what in ("pin", "staffpin"):
            self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.layout_.addWidget(self.heading)
        self.preview = preview
        if preview is not None:  # the camera's picture, where one is configured
            self.layout_.addWidget(preview)
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
        self.back = button(secondary=True, name="home")
        self.back.clicked.connect(home)
        self.ok = button(name="ok")
        self.ok.clicked.connect(self._submit)
        row.addWidget(self.back)
        row.addWidget(self.ok)
        self.layout_.addLayout(row)
        self.retranslate()

    def press(self, key: str) -> None:
        self.field.setText(self.field.text()[:-1] if key == BACK else self.field.text() + key)

    def show_problem(self, words: str) -> None:
        self.problem.setText(words)
        self.field.clear()

    def _submit(self) -> None:
        if self.field.text():
            self.submit_(self.field.text())

    def retranslate(self) -> None:
        self.heading.setText(self.t(PROMPTS[self.what]))
        self.back.setText(self.t("Back to start"))
        self.ok.setText(self.t("OK"))
        self.keyboard.retranslate(self.language)
        if self.alternative is not None:
            self.alternative.setText(self.t("No dossier code? Choose its procedure"))
