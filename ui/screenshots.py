"""``make screenshots``: every screen, in Vietnamese and English, portrait and landscape, saved as
PNG under docs/screens/ for a reviewer who has no machine at hand, with a contact sheet of the
Vietnamese portrait set. Run in a real X server (the make target starts Xvfb).

Adding a screen: one ``Shot`` in ``views()``
--------------------------------------------
::

    Shot("30-help", "help", "Help", lambda w: w.open_help(), shows=("Hotline {hotline}",)),

- ``name``: the file's name before ``-vi-portrait.png``: a two-digit number and what it shows.
- ``screen``: the window's attribute that must be the current screen of its stack once ``show``
  has run: ``"idle"``, ``"message"``, ``"menu"``, ``"entries.pin"`` (``window.entries["pin"]``).
- ``title``: what that screen's ``heading`` must show, in the language drawn: a translation key
  (``"Thank you"``), a key with values (``key("Compartment {compartment} is open",
  compartment="A05")``) or what the core says (``Say.THANK_YOU.format()``).
- ``show``: takes a fresh window to the state: ``view(kind, state, said, …)`` (the window is given a
  ``View`` as the core reports it), or a function of the window that touches it.
- ``shows``: more words, in the same forms, that must be visible in the window (a notice, the
  core's message, a value): what tells this screen from another with the same heading.
- ``at``: the window's clock (``ui.shooting.DAY``, a Tuesday at 10:05, or ``NIGHT``, 02:10): the
  header's time, and whether help says officers are at the counter.

A ``show`` that forces a countdown's face (the more-time question, a bar counting down) stops
``w.countdown`` first: its next tick would redraw it from the real time left.

Every entry is drawn in a window of its own on a core and a store of its own (``ui.shooting.Stage``),
never in what the entry before left behind. ``make screenshots`` and ``tests/test_screenshots.py``
both refuse an entry whose window is not on ``screen`` with ``title`` and ``shows``, and two entries
drawn alike.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtWidgets import QApplication

from drivers.lockboard.bus import BoardStatus
from drivers.lockboard.errors import BoardSilent
from kiosk import maintenance
from kiosk.board_outage import Outage
from kiosk.journeys.messages import Say, sums
from kiosk.vietqr import VietQR, build
from ui.bridge import View
from ui.screens.fee import KEPT
from ui.screens.message import OFFICERS_AT
from ui.shooting import (
    DAMAGED,
    LANGUAGES,
    MACHINE,
    NIGHT,
    ORIENTATIONS,
    Shot,
    ShotMismatch,
    contact_sheet,
    damaged_database,
    duplicates,
    fingerprint,
    key,
    render,
)
from ui.window import KioskWindow

__all__ = ["CODE", "MACHINE", "Shot", "key", "main", "views"]  # MACHINE: for tests/test_ui_geometry.py

CODE = "000.00.53.H48-220921-0099"
JOURNEY = "4f3a91c2-7d1e-4b7a-9c55-0e2f6a1b3c4d"  # as a journey's id looks: its reference 4F3A-91C2
FEE_DUE = 8000
OFFICE_NAME = "Bộ phận Một cửa UBND phường Vị Thanh"  # as ui.shooting.office() names it
DATA = {
    "compartment": "A05",
    "code": CODE,
    "citizen": "Ng**** V** A*",  # masked, as the kiosk keeps it
    "fee_due": FEE_DUE,
    "tracking": f"https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?maHoSo={CODE}",
}
OPEN = "Compartment {compartment} is open"
OFFLINE = "The network is down. Picking up and handing in work as usual; look-ups show what was last known."
SOME_OUT = (
    "Some compartments are out of service for a while. Picking up and handing in at the other"
    " compartments still works."
)
FEE = "A fee of {fee_due} đồng is due"
NO_RECEIPT = "The receipt could not be printed. Please photograph this code: it follows your dossier."


def view(
    kind: str, state: str, said: tuple[str, str] | None = None, compartment: str = "A05",
    more: dict[str, object] | None = None, **extra: object,
) -> Callable[[KioskWindow], None]:  # fmt: skip
    """The window shown a journey's ``View`` as the core would report it; ``more``: the journey's
    data beyond the sample dossier's (a lockout's end)."""
    data = {**DATA, "compartment": compartment, **(more or {})}
    return lambda w: w.show_view(View(JOURNEY, kind, state, said, data, **extra))  # type: ignore[arg-type]


def offline(w: KioskWindow) -> None:
    w.idle.set_offline(True)


def some_out(w: KioskWindow) -> None:
    w.idle.set_outage(Outage(out_of_use=("B01", "B02", "B03"), total=24))


def maintenance_findings(w: KioskWindow) -> None:
    w.show_view(View(JOURNEY, "technician", "choosing", None))
    w.maintenance.show_findings(
        [
            maintenance.board_finding("lockbus0", 0, BoardStatus(0, (True,) * 16, None)),
            maintenance.board_finding("lockbus0", 1, BoardSilent("lockbus0", 1)),
            maintenance.out_of_service_finding("B02", "door jammed"),
            maintenance.queue_finding(0, 0.0),
        ]
    )


def more_time(w: KioskWindow) -> None:
    w.show_view(View(JOURNEY, "lookup", "waiting-code", None))
    w.countdown.stop()  # its next tick, with 70 s still left, would take the question away again
    w.ask_more_time()


def typing(*keys: str) -> Callable[[KioskWindow], None]:
    def find(w: KioskWindow) -> None:
        w.show_view(View(JOURNEY, "dropoff", "waiting-code", None))
        w.find_procedure()
        for k in keys:
            w.procedure.press(k)

    return find


def door_alarm(w: KioskWindow) -> None:
    from kiosk.core import Announcement

    view("pickup", "door-open", Say.TAKE_RESULT.format(compartment="A05"))(w)
    w.hear(Announcement("door-alarm", "j", {"compartment": "A05"}))


def technician_list(w: KioskWindow) -> None:
    items = (("A01", "A01 · closed"), ("B02", "B02 · closed · OUT"))
    w.show_view(View(JOURNEY, "technician", "choosing", None, items=items))
    w.maintain("service")


def rating(w: KioskWindow) -> None:
    """ "Xong" after a pickup: the three faces on the way out."""
    w.show_view(
        View(JOURNEY, "pickup", "done", Say.THANK_YOU.format(), dict(DATA), ended=True, offers=("rate",))
    )
    w.done()
    w.countdown.stop()  # the faces stay for the picture; untouched they go back by themselves


REVIEW = {
    "procedure_name": "Đăng ký khai sinh",
    "phone_masked": "09** *** 678",
    "size": "M",
    "usual_size": "M",
    "prefer_low": False,
    "free": [["M", False], ["M", True], ["L", False]],
}


def help_after_a_jam(w: KioskWindow) -> None:
    data = {"compartment": "A05", "code": CODE}
    w.show_view(View(JOURNEY, "pickup", "jammed", Say.JAMMED.format(compartment="A05"), data, ended=True))
    w.open_help()


def proof_counting_down(w: KioskWindow) -> None:
    data = {"compartment": "A05", "code": CODE, "tracking": CODE}
    said = Say.DEPOSITED.format()
    w.show_view(View(JOURNEY, "dropoff", "deposited", said, data, ended=True, receipt="out of paper"))
    w.countdown.stop()  # its ticks would redraw the bar from the real time left (300 s) meanwhile
    frame = w.message.frame
    assert frame is not None
    frame.show_countdown(w.language, 25)


# issue 14: a fee paid here (the province's account, as examples/kiosk.toml's [fees] has it)
METHODS = ["vietqr", "cash"]
PAYMENT = "KP7Q2M4X9R3T5W8Z"  # as kiosk/payments.py makes one: "KP" and 14 of base32
BANK, ACCOUNT, HOLDER = "970436", "0011001234567", "UBND PHUONG VI THANH"
FEE_DATA = {"methods": METHODS, "remaining": FEE_DUE, "paid": 0}
QR_DATA = {
    **FEE_DATA,
    "qr": build(VietQR(BANK, ACCOUNT, FEE_DUE, CODE)),
    "reference": PAYMENT,
    "payment_reference": PAYMENT,  # as ui/bridge.py names it for the screen
    "beneficiary": HOLDER,
    "bank_bin": BANK,
    "account": ACCOUNT,
}
CASH_FEE = 50_000  # a fee paid in notes: 20.000 in, 30.000 still due
FIRST_NOTE = {"remaining": CASH_FEE, "paid": 0, "inserted": 0, "accepted": [10_000, 20_000, 50_000]}
CASH_DATA = {"methods": METHODS, "fee_due": CASH_FEE, "remaining": 30_000, "paid": 20_000,
             "inserted": 20_000, "accepted": [10_000, 20_000]}  # fmt: skip


def paid_then_open(w: KioskWindow) -> None:
    """The bank's word came: the QR screen, then "Đã nhận thanh toán" (for a moment), the door
    open already."""
    w.show_view(
        View(JOURNEY, "pickup", "paying-qr", None, {**DATA, **QR_DATA}, step=(3, 4), seconds_left=240)
    )
    paid = {**DATA, **QR_DATA, "remaining": 0, "paid": FEE_DUE}
    said = Say.TAKE_RESULT.format(compartment="A05")
    w.show_view(View(JOURNEY, "pickup", "door-open", said, paid, step=(4, 4)))


def paid_door_open(w: KioskWindow) -> None:
    """And after the moment: the door's screen, the fee still said paid."""
    paid_then_open(w)
    w._after_the_moment()


def views() -> list[Shot]:
    hours = {  # as examples/kiosk.toml's [office] has them
        "vi": "Thứ Hai – Thứ Sáu: 7:30 – 11:30, 13:30 – 17:00 · Thứ Bảy: 7:30 – 11:30",
        "en": "Monday – Friday: 7:30 – 11:30, 13:30 – 17:00 · Saturday: 7:30 – 11:30",
    }
    amount = key(FEE, fee_due={"vi": "8.000", "en": "8,000"})
    officers = key(OFFICERS_AT, hours=hours)
    part_paid = Say.PAID_IN_PART.format(**sums(received=5_000, remaining=3_000))  # a short transfer
    return [
        Shot("01-idle", "idle", "Dossier kiosk, open 24 hours", shows=("Pick up a result",)),
        Shot(
            "02-scan-or-type",
            "entries.code",
            "Scan the QR code, or type the dossier code.",
            view("pickup", "waiting-code"),
        ),
        Shot(
            "03-pin-wrong",
            "entries.pin",
            "Type the 6-digit PIN from your SMS.",
            view("pickup", "waiting-code", Say.PIN_WRONG.format(left=4), needs_pin=True),
            shows=(Say.PIN_WRONG.format(left=4),),
        ),
        Shot(
            "04-compartment-open",
            "message",
            key(OPEN, compartment="A05"),
            view("pickup", "door-open", Say.TAKE_RESULT.format(compartment="A05")),
            shows=(Say.TAKE_RESULT.format(compartment="A05"),),
        ),
        Shot(
            "05-thank-you",
            "message",
            "Thank you",
            view("pickup", "done", Say.THANK_YOU.format(), ended=True),
            shows=(Say.THANK_YOU.format(),),
        ),
        Shot(
            "06-fee-due",
            "message",
            amount,
            view("pickup", "fee-due", Say.FEE_DUE.format(**sums(amount=FEE_DUE))),
            shows=(Say.FEE_DUE.format(**sums(amount=FEE_DUE)), officers),
        ),
        Shot(
            "07-jammed",
            "message",
            "The compartment did not open",
            view("pickup", "jammed", Say.JAMMED.format(compartment="A05"), ended=True),
            shows=(Say.JAMMED.format(compartment="A05"),),
        ),
        Shot(
            "08-door-found-open",
            "message",
            "Please ask an officer",
            view("pickup", "uncertain", Say.FOUND_OPEN.format(compartment="A05"), ended=True),
            shows=(Say.FOUND_OPEN.format(compartment="A05"),),
        ),
        Shot(
            "09-not-here",
            "entries.code",
            "Scan the QR code, or type the dossier code.",
            view("pickup", "waiting-code", Say.NOT_HERE.format(code=CODE)),
            shows=(Say.NOT_HERE.format(code=CODE),),
        ),
        Shot(
            "10-phone",
            "entries.phone",
            "Type a phone number we can reach you on.",
            view("dropoff", "waiting-phone"),
        ),
        Shot(
            "11-no-space",
            "message",
            "No compartment is free",
            view("dropoff", "no-space", Say.NO_SPACE_DROPOFF.format(), ended=True),
            shows=(Say.NO_SPACE_DROPOFF.format(),),
        ),
        Shot(
            "12-lookup-offline",
            "message",
            "Dossier status",
            view("lookup", "not-found", Say.STATUS_UNKNOWN_OFFLINE.format(code=CODE), ended=True),
            shows=(Say.STATUS_UNKNOWN_OFFLINE.format(code=CODE),),
        ),
        Shot("13-more-time", "more_time", "Do you need more time?", more_time),
        Shot("14-staff-pin", "entries.staffpin", "Type your staff PIN.", view("signin", "waiting-pin")),
        Shot(
            "15-officer-menu",
            "menu",
            "What would you like to do?",
            view("signin", "signed-in", role="officer"),
            shows=("Load results",),
        ),
        Shot(
            "16-officer-list",
            "choose_items",
            "Touch an item to open its compartment.",
            view(
                "collect",
                "choosing",
                items=(("000.00.19.H26-250701-0001", "A07 · 000.00.19.H26-250701-0001"),),
            ),
            shows=(("A07 · 000.00.19.H26-250701-0001",) * 2,),
        ),
        Shot(
            "17-load-door-open",
            "message",
            key("Put the result in compartment {compartment} and close the door.", compartment="A05"),
            view("load", "door-open"),
        ),
        Shot(
            "18-no-paper-code-on-screen",
            "message",
            NO_RECEIPT,
            view("dropoff", "deposited", Say.DEPOSITED.format(), ended=True, receipt="printer out of paper"),
            shows=((CODE, CODE),),
        ),
        Shot("19-idle-network-down", "idle", "Dossier kiosk, open 24 hours", offline, shows=(OFFLINE,)),
        Shot(
            "20-staff-number",
            "entries.staffid",
            "Scan your staff badge, or type your staff number.",
            view("signin", "waiting-badge"),
        ),
        Shot(
            "21-maintenance",
            "maintenance",
            "Maintenance",
            maintenance_findings,
            shows=(("cửa bị kẹt", "door jammed"),),
        ),
        Shot(
            "22-dropoff-no-code",
            "entries.code",
            "Scan the QR code, or type the dossier code.",
            view("dropoff", "waiting-code"),
            shows=("No dossier code? Choose its procedure",),
        ),
        Shot(
            "23-find-procedure",
            "procedure",
            "Which procedure is your dossier for?",
            typing("d", "a", "t", " ", "d", "a", "i"),
            shows=(("đất đai", "Land"),),
        ),
        Shot(
            "24-jammed-another-opened",
            "message",
            key(OPEN, compartment="A06"),
            view(
                "dropoff",
                "door-open",
                Say.PUT_DOSSIER_INSTEAD.format(jammed="A05", compartment="A06"),
                compartment="A06",
            ),
            shows=(Say.PUT_DOSSIER_INSTEAD.format(jammed="A05", compartment="A06"),),
        ),
        Shot(
            "25-something-went-wrong",
            "message",
            "Something went wrong",
            view("kiosk", "fault", Say.SOMETHING_WENT_WRONG.format(), ended=True),
            shows=(Say.SOMETHING_WENT_WRONG.format(),),
        ),
        Shot(
            "26-out-of-service",
            "message",
            "This kiosk is out of service",
            view("kiosk", "out-of-service", Say.OUT_OF_SERVICE_NOW.format(), ended=True),
            shows=(Say.OUT_OF_SERVICE_NOW.format(),),
        ),
        Shot(
            "27-staff-pin-refused",
            "entries.staffpin",
            "Type your staff PIN.",
            view("signin", "waiting-pin", Say.SIGNIN_REFUSED.format(left=4)),
            shows=(Say.SIGNIN_REFUSED.format(left=4),),
        ),
        # 28 is the damaged database's own window (ui.shooting.damaged_database), in both languages at once
        Shot(
            "29-qr-cannot-be-used",
            "message",
            "This code cannot be used",
            view("kiosk", "refused", Say.TOKEN_NOT_VALID.format(), ended=True),
            shows=(Say.TOKEN_NOT_VALID.format(),),
        ),
        # issue 13: chrome (help, and a proof counting down near the end of its long timeout)
        Shot(
            "30-help-after-a-jam",
            "help",
            "Help",
            help_after_a_jam,
            shows=(
                key("Officers are at the counter now: {office}.", office=OFFICE_NAME),
                key("Reference: {reference}", reference="4F3A-91C2"),
            ),
        ),
        Shot(
            "31-proof-counting-down",
            "message",
            NO_RECEIPT,
            proof_counting_down,
            shows=(key("Going back to the start in {seconds} seconds.", seconds=25), "More time"),
        ),
        # issue 13: shots
        Shot(
            "40-dropoff-door-open",
            "message",
            key(OPEN, compartment="A05"),
            view("dropoff", "door-open", Say.PUT_DOSSIER.format(compartment="A05")),
            shows=(Say.PUT_DOSSIER.format(compartment="A05"),),
        ),
        Shot(
            "41-result-not-taken",
            "message",
            "The result is still inside",
            view("pickup", "not-taken", Say.NOT_TAKEN.format(), ended=True),
            shows=(Say.NOT_TAKEN.format(),),
        ),
        Shot(
            "42-nothing-handed-in",
            "message",
            "Nothing was handed in",
            view("dropoff", "not-deposited", Say.NOTHING_DEPOSITED.format(), ended=True),
            shows=(Say.NOTHING_DEPOSITED.format(),),
        ),
        Shot(
            "43-pin-locked",
            "entries.pin",
            "Type the 6-digit PIN from your SMS.",
            view(
                "pickup",
                "waiting-code",
                Say.LOCKED.format(code=CODE, until="10:20"),
                needs_pin=True,
                more={"locked_until": "10:20"},
            ),
            shows=(Say.LOCKED.format(code=CODE, until="10:20"),),
        ),
        Shot(
            "44-door-left-open",
            "message",
            key(OPEN, compartment="A05"),
            door_alarm,
            shows=(
                key(
                    "The door of compartment {compartment} is still open. An officer has been told.",
                    compartment="A05",
                ),
            ),
        ),
        Shot(
            "45-idle-some-compartments-out",
            "idle",
            "Dossier kiosk, open 24 hours",
            some_out,
            shows=(SOME_OUT,),
        ),
        Shot(
            "46-no-procedure-found",
            "procedure",
            "Which procedure is your dossier for?",
            typing("x", "y", "z"),
            shows=("No procedure has these words. Type fewer letters.",),
        ),
        Shot(
            "47-technician-menu",
            "menu",
            "What would you like to do?",
            view("signin", "signed-in", role="technician"),
            shows=("Maintenance: test-open compartments",),
        ),
        Shot(
            "48-technician-compartments",
            "choose_items",
            "Touch an item to open its compartment.",
            technician_list,
            shows=(("B02 · closed · OUT",) * 2,),
        ),
        Shot(
            "49-help-at-night",
            "help",
            "Help",
            help_after_a_jam,
            shows=(
                "No officer is at the counter now. You can call, or come back during opening hours.",
                key("Hotline: {number}", number="0293 3870 123"),
                key("Reference: {reference}", reference="4F3A-91C2"),
            ),
            at=NIGHT,
        ),
        # issue 13: steps and after (the review, the way on from a look-up, reopen, a door that did
        # not open, the code by SMS, the rating)
        Shot(
            "50-dropoff-review",
            "review",
            "Please check before the compartment opens",
            view("dropoff", "reviewing", Say.REVIEW.format(), more=REVIEW, step=(3, 4)),
            shows=(Say.REVIEW.format(), ("09** *** 678", "09** *** 678")),
        ),
        Shot(
            "51-review-no-low-free",
            "review",
            "Please check before the compartment opens",
            view(
                "dropoff",
                "reviewing",
                Say.NO_LOW_FREE.format(),
                step=(3, 4),
                more={**REVIEW, "prefer_low": True, "free": [["M", False], ["L", False]]},
            ),
            shows=(Say.NO_LOW_FREE.format(),),
        ),
        Shot(
            "52-lookup-result-here",
            "message",
            "Dossier status",
            view(
                "lookup",
                "answered",
                Say.STATUS.format(
                    code=CODE,
                    vi="Kết quả đã có tại máy này. Mời ông/bà chạm «Nhận kết quả»",
                    en="The result is in this kiosk. Please touch Pick up the result",
                ),
                ended=True,
                more={"ready_here": True},
            ),
            shows=("Pick up a result",),
        ),
        Shot(
            "53-thank-you-reopen",
            "message",
            "Thank you",
            view("pickup", "done", Say.THANK_YOU.format(), ended=True, offers=("reopen", "rate")),
            shows=("Open the compartment again",),
        ),
        Shot(
            "54-door-open-did-not-open",
            "message",
            key(OPEN, compartment="A05"),
            view(
                "pickup", "door-open", Say.TAKE_RESULT.format(compartment="A05"), offers=("door-not-opened",)
            ),
            shows=("Door did not open?",),
        ),
        Shot(
            "55-door-reported-not-opened",
            "message",
            "The compartment did not open",
            view("pickup", "door-not-opened", Say.NOT_OPENED.format(compartment="A05"), ended=True),
            shows=(Say.NOT_OPENED.format(compartment="A05"),),
        ),
        Shot(
            "56-no-paper-code-by-sms",
            "message",
            NO_RECEIPT,
            view(
                "dropoff",
                "deposited",
                Say.CODE_BY_SMS.format(phone="09** *** 678"),
                ended=True,
                receipt="printer out of paper",
                more={"sms_to": "09** *** 678"},
            ),
            shows=((CODE, CODE),),
        ),
        Shot(
            "57-rating",
            "rating",
            "How satisfied are you with this service?",
            rating,
            shows=("Very satisfied",),
        ),
        # issue 14: a fee paid here by VietQR or in cash, and the holder's ID card
        Shot(
            "60-fee-choose-how-to-pay",
            "fee_due",
            key("Fee to pay: {remaining} đồng", remaining={"vi": "8.000", "en": "8,000"}),
            view("pickup", "fee-due", more=FEE_DATA, step=(3, 4)),
            shows=("Scan a VietQR code", "Pay in cash", "Cancel"),
        ),
        Shot(
            "61-fee-vietqr",
            "paying_qr",
            key("Transfer {remaining} đồng", remaining={"vi": "8.000", "en": "8,000"}),
            view("pickup", "paying-qr", more=QR_DATA, step=(3, 4), seconds_left=272),
            shows=(
                key("To: {beneficiary}", beneficiary=HOLDER),
                key("Time left to pay: {time}", time="4:32"),
                "Go back",
            ),
        ),
        Shot(
            "72-fee-vietqr-nearly-over",
            "paying_qr",
            key("Transfer {remaining} đồng", remaining={"vi": "8.000", "en": "8,000"}),
            view("pickup", "paying-qr", more=QR_DATA, step=(3, 4), seconds_left=25),
            shows=(key("Time left to pay: {time}", time="0:25"), "More time"),
        ),
        Shot(
            "62-fee-cash-first-note",
            "paying_cash",
            key("Still to pay: {remaining} đồng", remaining={"vi": "50.000", "en": "50,000"}),
            view("pickup", "paying-cash", step=(3, 4), more={**CASH_DATA, **FIRST_NOTE}),
            shows=("The machine gives no change.",),
        ),
        Shot(
            "63-fee-cash-part-paid",
            "paying_cash",
            key("Still to pay: {remaining} đồng", remaining={"vi": "30.000", "en": "30,000"}),
            view("pickup", "paying-cash", more=CASH_DATA, step=(3, 4)),
            shows=(key("Put in so far: {inserted} đồng", inserted={"vi": "20.000", "en": "20,000"}),),
        ),
        Shot(
            "64-fee-paid",
            "message",
            "Payment received",
            paid_then_open,
            shows=(key("The fee of {fee_due} đồng is paid.", fee_due={"vi": "8.000", "en": "8,000"}),),
        ),
        Shot(
            "71-fee-paid-door-open",
            "message",
            key(OPEN, compartment="A05"),
            paid_door_open,
            shows=(key("The fee of {fee_due} đồng is paid.", fee_due={"vi": "8.000", "en": "8,000"}),),
        ),
        Shot(
            "65-holder-scan-id-card",
            "holder",
            "Scan the QR code on your ID card",
            view("pickup", "holder-check", Say.HOLDER_ASK.format(), step=(3, 4)),
            shows=("ID card issued from July 2024: on the back", Say.HOLDER_ASK.format()),
        ),
        Shot(
            "66-holder-card-unreadable",
            "holder",
            "Please scan the card again",
            view("pickup", "holder-check", Say.CARD_UNREADABLE.format(), step=(3, 4)),
            shows=(Say.CARD_UNREADABLE.format(),),
        ),
        Shot(
            "67-holder-refused",
            "message",
            "The result cannot be handed over at the kiosk",
            view("pickup", "holder-refused", Say.HOLDER_MISMATCH.format(), ended=True),
            shows=(Say.HOLDER_MISMATCH.format(), officers),
        ),
        Shot(
            "68-fee-paid-in-part",
            "fee_due",
            key("Fee to pay: {remaining} đồng", remaining={"vi": "3.000", "en": "3,000"}),
            view(
                "pickup",
                "fee-due",
                part_paid,
                step=(3, 4),
                more={**FEE_DATA, "paid": 5_000, "remaining": 3_000},
            ),
            shows=(part_paid, key("Already paid: {paid} đồng.", paid={"vi": "5.000", "en": "5,000"})),
        ),
        Shot(
            "69-fee-time-over",
            "message",
            "The time to pay is over",
            view("pickup", "timed-out", Say.QR_EXPIRED.format(), ended=True, more=QR_DATA),
            shows=(Say.QR_EXPIRED.format(),),
        ),
        Shot(
            "70-fee-cash-cancelled",
            "message",
            "The payment was cancelled",
            view("pickup", "cancelled", None, ended=True, more={**CASH_DATA, "payment_reference": PAYMENT}),
            shows=(key(KEPT, inserted={"vi": "20.000", "en": "20,000"}),),
        ),
    ]


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/screens")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    started = time.monotonic()
    drawn = {}
    try:
        for orientation in ORIENTATIONS:
            for language in LANGUAGES:
                for shot in views():
                    drawn[f"{shot.name}-{language}-{orientation}"] = render(app, shot, language, orientation)
            drawn[f"{DAMAGED}-{orientation}"] = damaged_database(app, orientation)
    except ShotMismatch as exc:
        print(f"not saved: {exc}", file=sys.stderr)
        return 1
    alike = duplicates({name: fingerprint(image) for name, image in drawn.items()})
    if alike:
        print("not saved, drawn alike: " + ", ".join(" = ".join(pair) for pair in alike), file=sys.stderr)
        return 1
    for stale in out.glob("[0-9][0-9]-*.png"):  # a screen renamed or gone: its old picture with it
        if stale.stem not in drawn:
            stale.unlink()
    for name, image in drawn.items():
        image.save(str(out / f"{name}.png"))
    portrait_vi = {
        name.removesuffix("-vi-portrait").removesuffix("-portrait"): image
        for name, image in drawn.items()
        if name.endswith("-vi-portrait") or name == f"{DAMAGED}-portrait"
    }
    contact_sheet(dict(sorted(portrait_vi.items()))).save(str(out / "contact-sheet-vi-portrait.png"))
    print(f"{len(drawn)} screenshots and a contact sheet in {out} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
