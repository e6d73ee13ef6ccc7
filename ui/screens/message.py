"""A message and the way on: an answer, a compartment to use, a failure and what to do next."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import qrcode
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import QPushButton

from ui.i18n import Language
from ui.screens.base import Screen, button, drop, plain, text, title
from ui.screens.compartment_map import CompartmentMap


class MessageScreen(Screen):
    def __init__(
        self, language: Language, home: Callable[[], None], compartments: list[str] | None = None
    ) -> None:
        super().__init__(language)
        self.heading = title()
        self.dossier = text(name="dossier")  # which dossier: its code and the citizen's masked name
        self.words = text(name="message")
        self.words.setObjectName("message")
        self.map = CompartmentMap(compartments or [])
        self.map.show_open(None)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.dossier)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.words)
        self.layout_.addWidget(self.map, 3)
        self.qr = plain()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setAccessibleName("the dossier's code, to photograph")
        self.qr.setVisible(False)
        self.layout_.addWidget(self.qr, 3)
        # what happened, to quote on the phone or at the counter (kiosk/reference.py)
        self.reference = text(name="reference")
        self.reference.setAccessibleName("reference")
        self.layout_.addWidget(self.reference)
        self.layout_.addStretch(2)
        self._actions_at = self.layout_.count()  # the view's own buttons go here, above "Xong"
        self.action_buttons: dict[str, QPushButton] = {}
        self._action_keys: dict[str, str] = {}
        self.home = button(secondary=True, name="home")
        self.home.clicked.connect(home)
        self.layout_.addWidget(self.home)
        self._ref = ""
        self._proof = False
        self._key = ""
        self._values: dict[str, object] = {}
        self._said: tuple[str, str] | None = None
        self._dossier = False
        self.retranslate()

    def present(
        self, heading_key: str, said: tuple[str, str] | None, *, can_leave: bool = True,
        where: str | None = None, qr: str | None = None, dossier: bool = False, proof: bool = False,
        reference: str = "", **values: object,
    ) -> None:  # fmt: skip
        """``where``: the compartment to show on the machine's map (an open door); ``qr``: a code
        to show as a QR, for a person to photograph (a receipt that could not be printed);
        ``dossier``: name the dossier (``code``, and ``citizen`` where known) under the heading;
        ``proof``: the screen carries what the person needs, so its way out says "Xong" (it stays
        until then); ``reference``: what happened, shown to quote to an officer. The buttons of
        ``set_actions`` are for one view: a new one takes them away."""
        self._key, self._said, self._values = heading_key, said, values
        self._ref, self._proof = reference, proof
        self.set_actions(())
        self._dossier = dossier and bool(values.get("code"))
        self.map.show_open(where)
        self.qr.setVisible(qr is not None)
        if qr is not None:
            self.qr.setPixmap(qr_pixmap(qr, 480))
        self.home.setVisible(can_leave)
        self.retranslate()

    def set_actions(self, actions: Sequence[tuple[str, str, Callable[[], None]]]) -> None:
        """Buttons of this view's own, above "Xong": (accessible name, translation key, what a
        touch does), in order; e.g. "Mở lại ngăn" after a pickup. Called after ``present``."""
        drop(self.action_buttons)
        self._action_keys = {}
        for i, (name, key, then) in enumerate(actions):
            b = button(name=name)
            b.clicked.connect(lambda _=False, do=then: do())
            self.layout_.insertWidget(self._actions_at + i, b)
            self.action_buttons[name] = b
            self._action_keys[name] = key
        self.retranslate()

    def remind(self, words: str) -> None:
        self.words.setText(f"{self.language.pick(self._said)}\n\n{words}")

    def retranslate(self) -> None:
        self.heading.setText(self.t(self._key, **self._values) if self._key else "")
        self.words.setText(self.language.pick(self._said))
        self.home.setText(self.t("Done") if self._proof else self.t("Back to start"))
        self.reference.setText(self.t("Reference: {reference}", reference=self._ref) if self._ref else "")
        for name, b in self.action_buttons.items():
            b.setText(self.t(self._action_keys[name]))
        citizen = self._values.get("citizen")
        shown = self.t("Dossier {code}", code=self._values.get("code")) + (f" · {citizen}" if citizen else "")
        self.dossier.setText(shown if self._dossier else "")


def qr_pixmap(text: str, size: int) -> QPixmap:
    """``text`` as a QR code, black on white with its quiet zone, ``size`` pixels square."""
    image = qrcode.make(text, border=4).get_image().convert("L").resize((size, size))
    data = image.tobytes()
    return QPixmap.fromImage(QImage(data, size, size, size, QImage.Format.Format_Grayscale8).copy())
