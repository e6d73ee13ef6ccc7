"""A message and the way on: an answer, a compartment to use, a failure and what to do next."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import qrcode
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import QPushButton

from kiosk.layout import Machine
from ui import readable
from ui.i18n import N_, Language
from ui.screens.base import Screen, button, drop, plain, text, title
from ui.screens.compartment_map import CompartmentMap, DoorCaption, beside

QUIET_ZONE = 4  # modules of white round a QR code, as its standard asks
PAID = N_("The fee of {fee_due} đồng is paid.")
# where an officer can be found, on the screens that send the person to one (issue 14)
OFFICERS_AT = N_("Officers at the one-stop office can help during opening hours: {hours}.")


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
        # a fee just paid at the kiosk, said on the way to the door (issue 14)
        self.paid = text(name="paid")
        self.paid.setAccessibleName("paid")
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.dossier)
        self.layout_.addWidget(self.paid)
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
        self._paid = False
        self._officers = False
        self.retranslate()

    def present(
        self, heading_key: str, said: tuple[str, str] | None, *, can_leave: bool = True,
        where: str | None = None, qr: str | None = None, dossier: bool = False, proof: bool = False,
        reference: str = "", failed: bool = False, fee_paid: bool = False, officers: bool = False,
        **values: object,
    ) -> None:  # fmt: skip
        """``where``: the compartment to show on the machine's map (an open door); ``qr``: a code
        to show as a QR, for a person to photograph (a receipt that could not be printed);
        ``dossier``: name the dossier (``code``, and ``citizen`` where known) under the heading;
        ``proof``: the screen carries what the person needs, so its way out says "Xong" (it stays
        until then); ``reference``: what happened, shown to quote to an officer. The buttons of
        ``set_actions`` are for one view: a new one takes them away. ``failed``: say what the person
        can do now (call the hotline with the reference, or read help); ``officers``: and when
        officers are at the counter (``hours``). ``fee_paid``: say the fee (``fee_due``) is paid, on the
        way to the door."""
        self._key, self._said, self._values = heading_key, said, values
        self._ref, self._proof, self._failed = reference, proof, failed
        self._paid, self._officers = fee_paid and bool(values.get("fee_due")), officers
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
        """What the screen says, that the fee was received, then where the open door is: a person who
        cannot read the map hears it."""
        return " ".join(w for w in (super().spoken(), self.paid.text(), self.caption.words()) if w)

    def remind(self, words: str) -> None:
        self.words.setText(f"{self.language.pick(self._said)}\n\n{words}")

    def retranslate(self) -> None:
        values = readable.shown(self._values, self.language.code)  # "8.000 đồng", not "8000 đồng"
        self.heading.setText(self.t(self._key, **values) if self._key else "")
        self.words.setText(self.language.pick(self._said))
        self.caption.retranslate()
        self.home.setText(self.t("Done") if self._proof else self.t("Back to start"))
        self.paid.setText(f"✓ {self.t(PAID, **values)}" if self._paid else "")
        self.paid.setVisible(self._paid)
        reference = self.t("Reference: {reference}", reference=self._ref) if self._ref else ""
        payment = self._values.get("payment_reference")
        if reference and payment:  # what the bank and the office's ledger know the payment by
            reference += "\n" + self.t("Payment reference: {reference}", reference=payment)
        self.reference.setText(reference)
        self.what_now.setText(self._what_now() if self._failed or self._officers else "")
        for name, b in self.action_buttons.items():
            b.setText(self.t(self._action_keys[name]))
        citizen = self._values.get("citizen")
        shown = self.t("Dossier {code}", code=self._values.get("code")) + (f" · {citizen}" if citizen else "")
        self.dossier.setText(shown if self._dossier else "")

    def _what_now(self) -> str:
        if self.hotline:
            now = self.t(
                "You can call the hotline {hotline} and read out the reference, or touch Help.",
                hotline=self.hotline,
            )
        else:
            now = self.t("Touch Help to see when officers are at the counter and how to reach them.")
        if not self._officers:
            return now
        hours = readable.shown(self._values, self.language.code).get("hours", "—")
        return f"{self.t(OFFICERS_AT, hours=hours)}\n{now}"


def qr_pixmap(text: str, size: int) -> QPixmap:
    """``text`` as a QR code, black on white with its quiet zone (4 modules), at most ``size`` pixels
    square: each module a whole number of pixels, so that no edge is blurred between two for the
    camera of a phone held at arm's length."""
    code = qrcode.QRCode(border=QUIET_ZONE)
    code.add_data(text)
    code.make(fit=True)
    code.box_size = max(1, size // (code.modules_count + 2 * QUIET_ZONE))
    image = code.make_image().get_image().convert("L")
    side = image.width
    return QPixmap.fromImage(
        QImage(image.tobytes(), side, side, side, QImage.Format.Format_Grayscale8).copy()
    )
