"""A message and the way on: an answer, a compartment to use, a failure and what to do next."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import qrcode
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import QPushButton

from kiosk.layout import Machine
from ui import readable
from ui.i18n import Language
from ui.screens.base import Screen, button, drop, plain, text, title
from ui.screens.compartment_map import CompartmentMap, DoorCaption, beside


class MessageScreen(Screen):
    def __init__(
        self, language: Language, home: Callable[[], None], machine: Machine | None = None,
        orientation: str = "portrait",
    ) -> None:  # fmt: skip
        super().__init__(language)
        self.map = CompartmentMap(machine)
        self.map.show_open(None)
        self.caption = DoorCaption(machine, language)  # the open door's id and where it is, in words
        landscape = orientation == "landscape"
        if landscape:  # the map beside the message: under it, it would be a strip
            self.layout_ = beside(self.layout_, self.map)
        self.heading = title()
        self.dossier = text(name="dossier")  # which dossier: its code and the citizen's masked name
        self.words = text(name="message")
        self.words.setObjectName("message")
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.dossier)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.words)
        if not landscape:
            self.layout_.addWidget(self.map, 20)  # the space the words leave: the map fills it
        self.layout_.addWidget(self.caption)
        self.qr = plain()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setAccessibleName("the dossier's code, to photograph")
        self.qr.setVisible(False)
        self.layout_.addWidget(self.qr, 3)
        # what happened, to quote on the phone or at the counter (kiosk/reference.py)
        self.reference = text(name="reference")
        self.reference.setAccessibleName("reference")
        self.layout_.addWidget(self.reference)
        # after a failure, what the person can do now at this hour: call, or read help
        self.what_now = text(name="what-now")
        self.what_now.setAccessibleName("what you can do now")
        self.layout_.addWidget(self.what_now)
        self.layout_.addStretch(2)
        self._actions_at = self.layout_.count()  # the view's own buttons go here, above "Xong"
        self.action_buttons: dict[str, QPushButton] = {}
        self._action_keys: dict[str, str] = {}
        self.home = button(secondary=True, name="home")
        self.home.clicked.connect(home)
        self.layout_.addWidget(self.home)
        self._ref = ""
        self._proof = False
        self.hotline: str | None = None  # the office's, for what_now ([office] hotline)
        self.qr_px = 480
        self._failed = False
        self._key = ""
        self._values: dict[str, object] = {}
        self._said: tuple[str, str] | None = None
        self._dossier = False
        self.retranslate()

    def present(
        self, heading_key: str, said: tuple[str, str] | None, *, can_leave: bool = True,
        where: str | None = None, qr: str | None = None, dossier: bool = False, proof: bool = False,
        reference: str = "", failed: bool = False, **values: object,
    ) -> None:  # fmt: skip
        """``where``: the compartment to show on the machine's map (an open door); ``qr``: a code
        to show as a QR, for a person to photograph (a receipt that could not be printed);
        ``dossier``: name the dossier (``code``, and ``citizen`` where known) under the heading;
        ``proof``: the screen carries what the person needs, so its way out says "Xong" (it stays
        until then); ``reference``: what happened, shown to quote to an officer. The buttons of
        ``set_actions`` are for one view: a new one takes them away. ``failed``: say what the person
        can do now (call the hotline with the reference, or read help)."""
        self._key, self._said, self._values = heading_key, said, values
        self._ref, self._proof, self._failed = reference, proof, failed
        self.set_actions(())
        self._dossier = dossier and bool(values.get("code"))
        self.map.show_open(where)
        self.caption.show_door(where)
        self.qr.setVisible(qr is not None)
        if qr is not None:
            self.qr.setPixmap(qr_pixmap(qr, self.qr_px))
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

    def spoken(self) -> str:
        """What the screen says, then where the open door is: a person who cannot read the map
        hears it."""
        return " ".join(w for w in (super().spoken(), self.caption.words()) if w)

    def remind(self, words: str) -> None:
        self.words.setText(f"{self.language.pick(self._said)}\n\n{words}")

    def retranslate(self) -> None:
        values = readable.shown(self._values, self.language.code)  # "8.000 đồng", not "8000 đồng"
        self.heading.setText(self.t(self._key, **values) if self._key else "")
        self.words.setText(self.language.pick(self._said))
        self.caption.retranslate()
        self.home.setText(self.t("Done") if self._proof else self.t("Back to start"))
        self.reference.setText(self.t("Reference: {reference}", reference=self._ref) if self._ref else "")
        self.what_now.setText(self._what_now() if self._failed else "")
        for name, b in self.action_buttons.items():
            b.setText(self.t(self._action_keys[name]))
        citizen = self._values.get("citizen")
        shown = self.t("Dossier {code}", code=self._values.get("code")) + (f" · {citizen}" if citizen else "")
        self.dossier.setText(shown if self._dossier else "")

    def _what_now(self) -> str:
        if self.hotline:
            return self.t(
                "You can call the hotline {hotline} and read out the reference, or touch Help.",
                hotline=self.hotline,
            )
        return self.t("Touch Help to see when officers are at the counter and how to reach them.")


def qr_pixmap(text: str, size: int) -> QPixmap:
    """``text`` as a QR code, black on white with its quiet zone, ``size`` pixels square."""
    image = qrcode.make(text, border=4).get_image().convert("L").resize((size, size))
    data = image.tobytes()
    return QPixmap.fromImage(QImage(data, size, size, size, QImage.Format.Format_Grayscale8).copy())
