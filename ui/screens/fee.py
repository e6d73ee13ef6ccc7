"""A fee paid at the kiosk before the door opens (issue 14): the amount and the ways this kiosk
offers now (``FeeDueScreen``), a VietQR code to scan with a bank's app while the bank has time to
confirm (``QrPayScreen``), notes into the validator, counted as each is credited (``CashPayScreen``).

What the screens show is the core's: the amount still due, the notes taken now, the payload of the
QR, the seconds left. A screen decides nothing: "Quét mã VietQR" asks the journey to ``pay_by_qr``,
and the door opens when the core says the money is in. "Máy không trả tiền thừa" is said before a
note goes in, since the validator gives none back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QPixmap
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from kiosk.journeys.messages import Say
from ui import readable
from ui.i18n import N_, Language
from ui.screens.base import Screen, button, plain, text, title
from ui.screens.chrome import MORE_TIME
from ui.screens.message import qr_pixmap
from ui.screens.pictograms import ChoiceButton, Picture

CANCEL = N_("Cancel")
# back to the ways to pay: named as the core's words name it ("chạm «Quay lại» để thanh toán bằng …")
GO_BACK = N_("Go back")
DOSSIER = N_("Dossier {code}")
# the ways a fee is paid here: (the journey's step, the button, what it means), in this order
METHODS: dict[str, tuple[str, str, str]] = {
    "vietqr": ("pay_by_qr", N_("Scan a VietQR code"), N_("A transfer from your bank's app on your phone.")),
    "cash": ("pay_by_cash", N_("Pay in cash"), N_("Notes only. The machine gives no change.")),
}
NO_CHANGE = N_("The machine gives no change.")
QR_STEPS = (
    N_("1. Open your bank's app on your phone."),
    N_("2. Choose to scan a QR code, and scan this one."),
    N_("3. Check the amount of {remaining} đồng and confirm."),
)
OPENS_BY_ITSELF = N_(
    "The compartment opens by itself once the bank confirms the payment. Paid and not open yet? Please"
    " wait: do not pay again."
)
TIME_LEFT = N_("Time left to pay: {time}")
# what a screen says of the money already put in, when the person leaves the cash screen; the core
# keeps it counted for the dossier (kiosk/payments.py)
KEPT = N_(
    "The {inserted} đồng already put in stays counted for this dossier: when you come back for this"
    " result, the kiosk asks only for the rest, or an officer refunds it during opening hours."
)

# "Hủy" touched once with notes in: the money's fate said before the payment is given up (the
# machine gives nothing back), and a second touch cancels
CONFIRM_CANCEL = N_(
    "The machine does not give back the {inserted} đồng put in: it stays counted for this dossier."
    " Touch Cancel again to cancel the payment."
)

PROBLEMS = frozenset(
    say.format() for say in (Say.CASH_REJECTED, Say.CASH_JAMMED, Say.CASH_STOPPED, Say.CASH_REFUSED,
                             Say.QR_NOT_HEARD)
)  # fmt: skip


def shown(data: Mapping[str, Any], language: str) -> dict[str, object]:
    """The journey's data as a person reads it: sums of đồng and the notes written out."""
    return readable.shown(data, language)


def minutes(seconds: float) -> str:
    """ "4:05": the time left as a clock counts it (never below 0:00)."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class PaymentScreen(Screen):
    """What the three screens share: a heading, which dossier it is, what the core said, and at the
    foot the ways out (another way to pay, where there is one, and "Hủy")."""

    def __init__(self, language: Language, cancel: Callable[[], None]) -> None:
        super().__init__(language)
        self.heading = title()
        self.dossier = text(name="dossier")
        self.words = text(name="message")  # the core's word of this step
        self.cancel = button(secondary=True, name="cancel")
        self.cancel.clicked.connect(cancel)
        self._data: dict[str, Any] = {}
        self._said: tuple[str, str] | None = None

    def present(self, data: Mapping[str, Any], said: tuple[str, str] | None) -> None:
        """The journey's ``View.data`` and what it said, as the core has them now."""
        self._data, self._said = dict(data), said
        self.retranslate()

    def values(self) -> dict[str, object]:
        return shown(self._data, self.language.code)

    def retranslate(self) -> None:
        code, citizen = self._data.get("code"), self._data.get("citizen")
        about = self.t(DOSSIER, code=code) + (f" · {citizen}" if citizen else "") if code else ""
        self.dossier.setText(about)
        self.dossier.setVisible(bool(about))
        self.words.setText(self.language.pick(self._said))
        self.words.setVisible(bool(self._said))
        # a note refused, the cash stopped, the bank not heard: said as a problem, not as the rest
        problem = self._said in PROBLEMS
        if self.words.objectName() != ("error" if problem else "message"):
            self.words.setObjectName("error" if problem else "message")
            style = self.words.style()
            if style is not None:
                style.polish(self.words)
        self.cancel.setText(self.t(CANCEL))


class FeeDueScreen(PaymentScreen):
    """The amount, what it is for, and a large button for each way this kiosk takes it now."""

    def __init__(self, language: Language, pay: Callable[[str], None], cancel: Callable[[], None]) -> None:
        """``pay(step)``: the journey's ``pay_by_qr`` or ``pay_by_cash``."""
        super().__init__(language, cancel)
        self.purpose = text(name="purpose")
        self.so_far = text(name="paid so far")
        self.choose = text(name="choose")
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.dossier)
        self.layout_.addWidget(self.purpose)
        self.layout_.addWidget(self.so_far)
        self.layout_.addWidget(self.words)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.choose)
        self.methods: dict[str, QPushButton] = {}
        self.meanings: dict[str, QLabel] = {}
        for method, (step, _, _) in METHODS.items():
            b = ChoiceButton(method)  # large, with its pictogram, as the idle screen's choices
            b.clicked.connect(lambda _=False, s=step: pay(s))
            meaning = text(name=f"{method} means")
            self.layout_.addWidget(b)
            self.layout_.addWidget(meaning)
            self.methods[method], self.meanings[method] = b, meaning
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.cancel)
        self.retranslate()

    def present(self, data: Mapping[str, Any], said: tuple[str, str] | None) -> None:
        offered = set(data.get("methods") or ())
        for method, b in self.methods.items():
            b.setVisible(method in offered)
            self.meanings[method].setVisible(method in offered)
        super().present(data, said)

    def retranslate(self) -> None:
        super().retranslate()
        values = self.values()
        self.heading.setText(self.t("Fee to pay: {remaining} đồng", remaining=_due(values)))
        procedure = self._data.get("procedure_name") or self._data.get("procedure")
        purpose = self.t("The fee for handing over the result of this dossier.")
        if procedure:
            purpose += "\n" + self.t("Procedure: {procedure}", procedure=procedure)
        self.purpose.setText(purpose)
        paid = bool(self._data.get("paid"))
        self.so_far.setText(self.t("Already paid: {paid} đồng.", paid=values.get("paid")) if paid else "")
        self.so_far.setVisible(paid)
        self.choose.setText(self.t("Choose how to pay:"))
        for method, (_, label, meaning) in METHODS.items():
            self.methods[method].setText(self.t(label))
            self.meanings[method].setText(self.t(meaning))


class QrPayScreen(PaymentScreen):
    """The VietQR code, large, with the amount and whom it goes to, what to do in three lines, and
    the time the bank has left (counted down by the window's ``Countdown``, the core's deadline)."""

    def __init__(
        self, language: Language, another_way: Callable[[], None], cancel: Callable[[], None],
        more_time: Callable[[], None], orientation: str = "portrait", qr_px: int = 600,
        soon_s: float = 30,
    ) -> None:  # fmt: skip
        """``more_time``: "Thêm thời gian", offered for the last ``soon_s`` seconds."""
        super().__init__(language, cancel)
        self.qr_px, self.soon_s = qr_px, soon_s
        self.qr = plain()
        self.qr.setAccessibleName("the VietQR code, to scan with a bank's app")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setFixedSize(qr_px, qr_px)  # white only where the code is: no glare of a band at night
        self.qr.setStyleSheet("background: #FFFFFF;")  # the quiet zone is white at night too
        self.to = text(name="beneficiary")
        self.to.setAccessibleName("beneficiary")
        self.steps = [text(name=f"step {n + 1}") for n in range(len(QR_STEPS))]
        for line in self.steps:  # each a line of its own (tests/test_ui_geometry.py: none cut off)
            line.setWordWrap(False)
            line.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.opens = text(name="opens by itself")
        self.left = text(name="time left")
        self.left.setObjectName("error")  # bold, and where the eye goes: the time running out
        self.left.setAccessibleName("time left")
        self.reference = text(name="payment reference")
        self.reference.setAccessibleName("payment reference")
        self.another = button(secondary=True, name="another way")
        self.another.clicked.connect(another_way)
        # shown near the end of the bank's time: the core gives more (kiosk/journeys/paying.py)
        self.more = button(name="more time")
        self.more.clicked.connect(more_time)
        self.more.hide()
        column: QVBoxLayout = self.layout_
        if orientation == "landscape":  # the code on the left, as tall as the screen allows
            row = QHBoxLayout()
            row.setSpacing(48)
            row.addWidget(self.qr)
            column = QVBoxLayout()
            column.setSpacing(self.layout_.spacing())
            row.addLayout(column, 1)
            self.layout_.addLayout(row, 1)
            column.addWidget(self.heading)
            column.addWidget(self.dossier)
        else:
            column.addWidget(self.heading)
            column.addWidget(self.dossier)
            column.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        # the three lines to follow, one under the other as a list, the list in the middle
        steps = QHBoxLayout()
        lines = QVBoxLayout()
        for line in self.steps:
            lines.addWidget(line)
        steps.addStretch(1)
        steps.addLayout(lines)
        steps.addStretch(1)
        column.addWidget(self.to)
        column.addLayout(steps)
        for part in (self.opens, self.words, self.left, self.more, self.reference):
            column.addWidget(part)
        column.addStretch(1)
        ways = QHBoxLayout()
        ways.addWidget(self.another)
        ways.addWidget(self.cancel)
        column.addLayout(ways)
        self._payload = ""
        self._seconds: float | None = None
        self.retranslate()

    def present(self, data: Mapping[str, Any], said: tuple[str, str] | None) -> None:
        payload = str(data.get("qr") or "")
        if payload != self._payload:  # drawn once a code, not on every word the core says
            self._payload = payload
            self.qr.setPixmap(qr_pixmap(payload, self.qr_px) if payload else QPixmap())
        super().present(data, said)

    def show_left(self, seconds: float | None) -> None:
        """The seconds the bank has left to confirm (None: not known)."""
        self._seconds = seconds
        self.left.setText(self.t(TIME_LEFT, time=minutes(seconds)) if seconds is not None else "")
        self.left.setVisible(seconds is not None)
        self.more.setVisible(seconds is not None and 0 < seconds <= self.soon_s)

    def spoken(self) -> str:
        return " ".join(
            w.text() for w in (self.heading, self.to, *self.steps, self.opens, self.words) if w.text()
        )

    def retranslate(self) -> None:
        super().retranslate()
        values = self.values()
        due = _due(values)
        self.heading.setText(self.t("Transfer {remaining} đồng", remaining=due))
        name, account = self._data.get("beneficiary"), self._data.get("account")
        to = [self.t("To: {beneficiary}", beneficiary=name)] if name else []
        if account:
            to.append(self.t("Account number: {account}", account=account))
        self.to.setText("\n".join(to))
        self.to.setVisible(bool(to))
        for line, key in zip(self.steps, QR_STEPS, strict=True):
            line.setText(self.t(key, remaining=due))
        self.opens.setText(self.t(OPENS_BY_ITSELF))
        reference = self._data.get("payment_reference")
        self.reference.setText(
            self.t("Payment reference: {reference}", reference=reference) if reference else ""
        )
        self.reference.setVisible(bool(reference))
        self.more.setText(self.t(MORE_TIME))
        self.another.setText(self.t(GO_BACK))
        self.show_left(self._seconds)


class CashPayScreen(PaymentScreen):
    """Notes into the validator: which it takes now (none above what is still due), that it gives
    no change, what has gone in and what is still due, updated as each note is credited."""

    def __init__(
        self, language: Language, another_way: Callable[[], None], cancel: Callable[[], None]
    ) -> None:
        super().__init__(language, cancel)
        self._cancel = cancel
        self.confirming = False  # "Hủy" touched once with notes in
        self.cancel.clicked.disconnect()
        self.cancel.clicked.connect(self._cancel_touched)
        self.no_change = text(name="no change")
        self.no_change.setObjectName("title")  # before a note goes in, where it cannot be missed
        self.no_change.setAccessibleName("no change")
        self.picture = Picture("note-in", 428, name="a note into the slot")
        self.notes = text(name="notes taken")
        self.notes.setAccessibleName("notes taken")
        self.inserted = text(name="inserted")
        self.inserted.setObjectName("message")
        self.inserted.setAccessibleName("inserted")
        self.kept = text(name="money kept")
        self.kept.setAccessibleName("money kept")
        self.another = button(secondary=True, name="another way")
        self.another.clicked.connect(another_way)
        for part in (self.heading, self.dossier, self.no_change, self.notes):
            self.layout_.addWidget(part)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        self.layout_.addWidget(self.inserted)
        self.layout_.addWidget(self.words)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.kept)
        ways = QHBoxLayout()
        ways.addWidget(self.another)
        ways.addWidget(self.cancel)
        self.layout_.addLayout(ways)
        self.retranslate()

    def _cancel_touched(self) -> None:
        if int(self._data.get("inserted") or 0) > 0 and not self.confirming:
            self.confirming = True
            self.retranslate()
            return
        self.confirming = False
        self._cancel()

    def present(self, data: Mapping[str, Any], said: tuple[str, str] | None) -> None:
        if dict(data) != self._data:  # a note counted, or another visit: asked again from the start
            self.confirming = False
        super().present(data, said)

    def spoken(self) -> str:
        """What has gone in first (a note was just counted), then the rest of the screen."""
        parts = (self.inserted, self.heading, self.no_change, self.notes, self.words)
        return " ".join(w.text() for w in parts if w.text())

    def retranslate(self) -> None:
        super().retranslate()
        values = self.values()
        self.heading.setText(self.t("Still to pay: {remaining} đồng", remaining=_due(values)))
        self.no_change.setText(self.t(NO_CHANGE))
        taken = bool(self._data.get("accepted"))
        self.notes.setText(
            self.t("Notes taken now: {accepted} đồng", accepted=values.get("accepted"))
            if taken
            else self.t("No note can be taken for what is still due. Please choose another way.")
        )
        inserted = int(self._data.get("inserted") or 0)
        self.inserted.setText(self.t("Put in so far: {inserted} đồng", inserted=values.get("inserted", 0)))
        kept = CONFIRM_CANCEL if self.confirming else KEPT
        self.kept.setText(self.t(kept, inserted=values.get("inserted")) if inserted else "")
        self.kept.setObjectName("error" if self.confirming else "money kept")
        style = self.kept.style()
        if style is not None:  # the object name picks the style sheet's colour
            style.polish(self.kept)
        self.kept.setVisible(inserted > 0)
        self.another.setText(self.t(GO_BACK))


def _due(values: Mapping[str, object]) -> object:
    """What is still due, written out: ``remaining``, or the whole fee before anything was paid."""
    return values.get("remaining", values.get("fee_due", "—"))
