"""The kiosk window: full screen, no way out to the desktop; one stack of screens, switched by
what the core reports (``View``) and by touches (which become bridge commands)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk.clock import Clock, utc_now
from kiosk.core import Announcement
from kiosk.journeys.messages import Say
from kiosk.layout import Machine
from kiosk.office import Opening
from kiosk.reference import reference_of
from ui import readable
from ui.bridge import CoreBridge, View
from ui.countdown import Countdown
from ui.i18n import N_, Language
from ui.screens.base import Screen, text, title
from ui.screens.camera_preview import CameraPreview
from ui.screens.choose import ChooseScreen
from ui.screens.chrome import Chrome
from ui.screens.entry import EntryScreen
from ui.screens.fee import KEPT, CashPayScreen, FeeDueScreen, PaymentScreen, QrPayScreen
from ui.screens.help import Happened, HelpScreen, OfficeInfo
from ui.screens.holder import HolderScreen
from ui.screens.idle import IdleScreen
from ui.screens.maintenance import MaintenanceScreen
from ui.screens.menu import MenuScreen
from ui.screens.message import MessageScreen
from ui.screens.more_time import MoreTimeScreen
from ui.screens.procedure import ProcedureScreen
from ui.screens.rating import RatingScreen
from ui.screens.review import ReviewScreen
from ui.speech import Speaker
from ui.staff_gesture import CornerGesture
from ui.style import SHEET, NightHours
from ui.theme import ThemeClock

RELEASES = ("collect", "withdraw", "settle")
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
OUT_OF_SERVICE = N_("This kiosk is out of service")
COME_BACK = N_("Please come back later, or ask {office} during opening hours.")
# (journey kind, state) -> the heading of the message screen, and whether Home is offered
MESSAGES: dict[tuple[str, str], tuple[str, bool]] = {
    ("pickup", "fee-due"): (N_("A fee of {fee_due} đồng is due"), True),
    ("pickup", "verified"): (N_("Opening your compartment…"), False),
    ("pickup", "opening"): (N_("Opening your compartment…"), False),
    ("pickup", "door-open"): (N_("Compartment {compartment} is open"), False),
    ("pickup", "done"): (N_("Thank you"), True),
    ("pickup", "not-taken"): (N_("The result is still inside"), True),
    ("pickup", "jammed"): (N_("The compartment did not open"), True),
    ("pickup", "uncertain"): (N_("Please ask an officer"), True),
    # issue 14: a fee paid here, the holder's card
    ("pickup", "payment-problem"): (N_("The payment needs an officer's check"), True),
    ("pickup", "holder-refused"): (N_("The result cannot be handed over at the kiosk"), True),
    # shown only when money was asked for or put in (``_money_to_tell``); else back to the start
    ("pickup", "timed-out"): (N_("The time to pay is over"), True),
    ("pickup", "cancelled"): (N_("The payment was cancelled"), True),
    ("dropoff", "opening"): (N_("Opening a compartment…"), False),
    ("dropoff", "door-open"): (N_("Compartment {compartment} is open"), False),
    ("dropoff", "deposited"): (N_("Thank you"), True),
    ("dropoff", "not-deposited"): (N_("Nothing was handed in"), True),
    ("dropoff", "no-space"): (N_("No compartment is free"), True),
    ("dropoff", "uncertain"): (N_("Please ask an officer"), True),
    # issue 13: after — a compartment opened again, a door that did not open
    ("pickup", "reopening"): (N_("Opening your compartment…"), False),
    ("pickup", "reopened"): (N_("Compartment {compartment} is open again"), False),
    ("pickup", "item-left"): (N_("Something is left in the compartment"), True),
    ("pickup", "door-not-opened"): (N_("The compartment did not open"), True),
    ("dropoff", "reopening"): (N_("Opening a compartment…"), False),
    ("dropoff", "reopened"): (N_("Compartment {compartment} is open again"), False),
    ("dropoff", "taken-back"): (N_("You took your dossier back"), True),
    ("load", "opening"): (N_("Opening a compartment…"), False),
    ("load", "door-open"): (N_("Put the result in compartment {compartment} and close the door."), False),
    ("load", "no-space"): (N_("No compartment is free"), True),
    ("load", "uncertain"): (N_("Please check the compartment"), True),
    **{(kind, state): (N_("Opening a compartment…"), False) for kind in RELEASES for state in ("opening",)},
    **{
        (kind, "door-open"): (
            N_("Compartment {compartment} is open: take the item out and close the door."),
            False,
        )
        for kind in RELEASES
    },
    ("technician", "opening"): (N_("Opening a compartment…"), False),
    ("technician", "door-open"): (N_("Compartment {compartment} is open"), False),
    ("lookup", "answered"): (N_("Dossier status"), True),
    ("lookup", "not-found"): (N_("Dossier status"), True),
    ("kiosk", "fault"): (N_("Something went wrong"), True),
    ("kiosk", "out-of-service"): (OUT_OF_SERVICE, True),
    ("kiosk", "refused"): (N_("This code cannot be used"), True),
}
# the buttons a view's offers become on the message screen: (accessible name, key, bridge command)
OFFERED = {
    "door-not-opened": ("door did not open", N_("Door did not open?"), "door_not_opened"),
    "reopen": ("reopen", N_("Open the compartment again"), "reopen"),
}
# the message screen's own arguments: a journey's data of the same name (a VietQR payload "qr") is not one
MESSAGE_ARGS = frozenset(inspect.signature(MessageScreen.present).parameters)
THANKED_S = 5.0  # the rating's thanks stays this long (nothing to answer there)
OPEN_DOOR = frozenset({"door-open", "reopened"})  # the states whose screen shows the open door
NO_RECEIPT = N_("The receipt could not be printed. Please photograph this code: it follows your dossier.")
REMINDERS = {
    "door-reminder": N_("Please close the door of compartment {compartment}."),
    "door-alarm": N_("The door of compartment {compartment} is still open. An officer has been told."),
}
# the entry screen of each state that waits for something typed (a pickup's code or PIN aside)
ENTRY_FOR = {
    "waiting-phone": "phone",
    "waiting-pin": "staffpin",
    "scanning": "result",
    "waiting-badge": "staffid",
}
SUBMITS = {
    "code": "submit_code",
    "pin": "submit_pin",
    "phone": "review",  # the drop-off's review follows, before any door opens
    "staffpin": "submit_pin",
    "result": "submit_code",
    "staffid": "submit_badge",
}
# what an officer may well need to look up later: the screen says its reference
REFERENCED = frozenset(
    {
        ("pickup", "jammed"),
        ("pickup", "uncertain"),
        ("pickup", "not-taken"),
        ("pickup", "fee-due"),
        ("dropoff", "deposited"),  # kept on screen only when no receipt was printed (its code shown)
        ("dropoff", "not-deposited"),
        ("dropoff", "no-space"),
        ("dropoff", "uncertain"),
        ("pickup", "door-not-opened"),
        ("pickup", "item-left"),
        ("pickup", "payment-problem"),
        ("pickup", "holder-refused"),
        ("pickup", "timed-out"),  # with a payment (``_money_to_tell``), as the two below
        ("pickup", "cancelled"),
        ("kiosk", "fault"),
        ("kiosk", "out-of-service"),
    }
)
# a screen carrying what the person needs (a proof, an amount, a reference to quote): it stays until
# "Xong", with only a long safety timeout
PROOFS = REFERENCED - {
    ("dropoff", "deposited"),
    ("dropoff", "not-deposited"),
    ("dropoff", "no-space"),
    ("kiosk", "fault"),
    ("kiosk", "out-of-service"),
}
# outcomes where something went wrong for the person: the screen says what they can do now
FAILURES = REFERENCED - {("dropoff", "deposited"), ("pickup", "fee-due")}
# where the person is sent to an officer: the screen says when officers are at the counter too
TO_AN_OFFICER = frozenset(
    {
        ("pickup", "payment-problem"),
        ("pickup", "holder-refused"),
        ("pickup", "timed-out"),
        ("pickup", "cancelled"),
        ("pickup", "fee-due"),
    }
)  # fmt: skip  (fee-due: "pay at the counter")
PAYING = frozenset({"paying-qr", "paying-cash"})
QR_GIVEN_UP = frozenset({Say.QR_EXPIRED.format(), Say.QR_CANCELLED.format()})  # the core's words then
# on the way to the door after a fee was paid here: said first, then the door (issue 14)
PAID_THEN = frozenset({"verified", "opening", "door-open"})
PAYMENT_RECEIVED = N_("Payment received")
PAID_MOMENT_S = 1.5  # "Đã nhận thanh toán" alone on the screen, before the door's screen
CITIZEN_JOURNEYS = frozenset({"pickup", "dropoff", "lookup", "kiosk"})
STAFF_ENTRIES = frozenset({"staffpin", "result", "staffid"})
TOUCHES = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
    }
)
KEEP_ALIVE_EVERY_S = 5.0
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
QR_PX = {"portrait": 480, "landscape": 400}  # a code shown to photograph, as large as the screen allows
# a VietQR code to scan from a phone held at arm's length: larger still, each module a dozen pixels
QR_PAY_PX = {"portrait": 720, "landscape": 720}
BACK_TO_IDLE = frozenset({"cancelled", "timed-out"})
WITH_A_STEP_BACK = frozenset({"pin", "phone"})  # entries that are a journey's second step
STEPS_BACK = frozenset({("waiting-phone", "waiting-code"), ("reviewing", "waiting-phone")})
# journeys whose message screens say which dossier it is (a look-up says it in its answer)
NAMES_THE_DOSSIER = frozenset({"pickup", "dropoff", "load", *RELEASES})


class StaffEntryScreen(EntryScreen):
    """What staff type (their number, PIN, a result's code): no citizen chrome."""

    citizen = False


class NoWayOut(QMainWindow):
    """A kiosk window: frameless, and closed only by ``kiosk run`` itself on SIGTERM."""

    def __init__(self, orientation: str) -> None:
        super().__init__()
        self._may_close = False
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.setStyleSheet(SHEET)
        self.resize(*SIZES[orientation])

    def allow_close(self) -> None:
        """Only ``kiosk run`` itself, on SIGTERM, may close the window."""
        self._may_close = True

    def closeEvent(self, event: QCloseEvent | None) -> None:
        """A keyboard plugged in (Alt+F4) or a window manager's close: refused, the kiosk stays."""
        if event is None:
            return
        if self._may_close:
            event.accept()
        else:
            event.ignore()


class OutOfServiceWindow(NoWayOut):
    """What the screen says when the kiosk cannot serve at all (a damaged database): both
    languages at once, since nothing can be touched to switch, and where to turn."""

    def __init__(self, office: str, *, orientation: str = "portrait") -> None:
        super().__init__(orientation)
        vi, en = Language("vi"), Language("en")
        screen = Screen(vi)
        self.heading = title(f"{vi.tr(OUT_OF_SERVICE)}\n{en.tr(OUT_OF_SERVICE)}")
        self.words = text(
            f"{vi.tr(COME_BACK, office=office)}\n\n{en.tr(COME_BACK, office=office)}", name="message"
        )
        screen.layout_.addStretch(1)
        screen.layout_.addWidget(self.heading)
        screen.layout_.addWidget(self.words)
        screen.layout_.addStretch(2)
        self.setCentralWidget(screen)


class KioskWindow(NoWayOut):
    def __init__(
        self,
        bridge: CoreBridge,
        language: Language,
        *,
        orientation: str = "portrait",
        done_return_s: float = 30,
        ask_more_time_s: float = 40,
        answer_s: float = 30,
        proof_timeout_s: float = 300,
        staff_hold_s: float = 4,
        speaker: Speaker | None = None,
        machine: Machine | None = None,
        camera: Callable[[], Any] | None = None,
        office: OfficeInfo | None = None,
        clock: Clock = utc_now,
        zone: tzinfo | None = None,
        night: NightHours | None = None,
        keep_alive_s: float = KEEP_ALIVE_EVERY_S,
        paid_moment_s: float = PAID_MOMENT_S,
    ) -> None:
        """Times in seconds: ``ask_more_time_s`` untouched on a screen that waits for the person,
        then ``answer_s`` to say they need more (counted down); ``done_return_s`` on a finished
        journey's screen, ``proof_timeout_s`` on one that carries what the person needs.
        ``clock`` and ``zone``: the time in the header and for the opening hours; ``keep_alive_s``:
        how often the core hears the person is there (well inside its own idle timeout)."""
        super().__init__(orientation)
        self.speaker = speaker or Speaker(False)
        self.bridge = bridge
        self.language = language
        self.start_language = language.code  # what every journey's end comes back to
        self.clock = clock
        self.zone = zone or ZoneInfo(DEFAULT_ZONE)
        self.office = office or OfficeInfo("Bộ phận Một cửa", openings=[Opening.parse("mon-fri 07:30-17:00")])
        self.done_return_s, self.proof_timeout_s = done_return_s, proof_timeout_s
        self.ask_more_time_s, self.keep_alive_s = ask_more_time_s, keep_alive_s
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.idle = IdleScreen(language, self.choose)
        self.entries: dict[str, EntryScreen] = {}
        for what in ("code", "pin", "phone", "staffpin", "result", "staffid"):
            preview = CameraPreview(camera) if camera is not None and what == "code" else None
            alternative = self.find_procedure if what == "code" else None
            previous = self.step_back if what in WITH_A_STEP_BACK else None
            kind = StaffEntryScreen if what in STAFF_ENTRIES else EntryScreen
            self.entries[what] = kind(
                language, what, self._submitter(what), self.home, preview, alternative, previous
            )
        self.review = ReviewScreen(
            language, self.choose_on_review, lambda: bridge.step("confirm"), self.step_back, self.home
        )
        self._typed_for = ""  # the journey whose typing the entry fields hold
        self.procedure = ProcedureScreen(
            language, bridge.procedures, self.choose_procedure, self.have_a_code, self.home, orientation
        )
        self.message = MessageScreen(language, self.done, machine, orientation)
        self.message.hotline = self.office.hotline
        self.message.qr_px = QR_PX[orientation]
        self.rating = RatingScreen(language, self.rate, self.home)
        self.menu = MenuScreen(language, self.choose, bridge.sign_out)
        self.choose_items = ChooseScreen(language, self.take, self.home)
        self.more_time = MoreTimeScreen(language, self.resume, self.home)
        self.maintenance = MaintenanceScreen(language, self.maintain, self.home)
        self.help = HelpScreen(language, self.office, self.leave_help, self.local_now)
        # issue 14: the fee paid here and the holder's card
        cancel = self._command("cancel")  # the journey's own cancel: its end is reported, and shown
        self.fee_due = FeeDueScreen(language, bridge.step, cancel)
        self.paying_qr = QrPayScreen(language, self.step_back, cancel, self.give_more_time, orientation,
                                     QR_PAY_PX[orientation], soon_s=answer_s)  # fmt: skip
        self.paying_cash = CashPayScreen(language, self.step_back, cancel)
        self.holder = HolderScreen(language, cancel, orientation)
        self._qr_deadline: float | None = None  # monotonic: the end of the bank's time to confirm
        self._paid_in: str = ""  # the journey that was paying here, for "Đã nhận thanh toán"
        self._paid_said: str = ""  # and whose "Đã nhận thanh toán" has been shown
        self.paid_moment_s = paid_moment_s
        self._moment = QTimer(self)  # a child: it dies with the window, never fires into a dead one
        self._moment.setSingleShot(True)
        self._moment.timeout.connect(self._after_the_moment)
        self._moment_of: View | None = None
        self._spoken: tuple[QWidget, str] | None = None  # what was last read aloud, on which screen
        self.tech_mode = ""  # what a touch on the compartment list does: "open" or "service"
        screens = (
            self.idle,
            *self.entries.values(),
            self.procedure,
            self.review,
            self.message,
            self.menu,
            self.choose_items,
            self.more_time,
            self.maintenance,
            self.help,
            self.rating,
            self.fee_due,
            self.paying_qr,
            self.paying_cash,
            self.holder,
        )
        chrome = Chrome(
            self.office.name,
            help=self.open_help,
            switch_language=self.switch_language,
            more_time=self.give_more_time,
            repeat=self.repeat if self.speaker.program is not None else None,
            orientation=orientation,
        )
        for screen in screens:
            self.stack.addWidget(screen)
            screen.dress(chrome)
        # once the screens are in: a sheet set before they were is not what they wear
        self.theme = ThemeClock(self, clock, night)  # night None: the day's theme at every hour
        self.view: View | None = None
        self.signed_in = False
        self._asked_on: QWidget | None = None  # the screen the "more time?" question covers
        self._behind_help: QWidget | None = None  # where help goes back to
        self._happened: Happened | None = None  # the last journey, for help's reference
        # where a person may simply have walked away (never an open door: that is watched instead)
        self.asking: set[QWidget] = {*self.entries.values(), self.choose_items, self.procedure, self.help,
                                  self.review, self.fee_due, self.paying_cash, self.holder}  # fmt: skip
        # the message screen's own time before it goes back (None: it waits, e.g. a door is open)
        self._message_return_s: float | None = None
        self.countdown = Countdown(
            self, answer_s=answer_s, show=self._show_countdown, keep_alive=self._keep_alive
        )
        self._last_keep_alive = 0.0
        self.gesture = CornerGesture(self, hold_s=staff_hold_s, then=lambda: self.bridge.start("signin"))
        self._ticker = QTimer(self)  # the header's clock
        self._ticker.timeout.connect(self._tick_clock)
        self._ticker.start(1000)
        self._tick_clock()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        bridge.changed.connect(self.show_view)
        bridge.heard.connect(self.hear)
        bridge.network.connect(lambda reachable: self.idle.set_offline(not reachable))
        bridge.findings.connect(self.maintenance.show_findings)
        bridge.outage.connect(self.idle.set_outage)

    # -- touches ---------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is None or "stack" not in self.__dict__:
            return False  # a window the garbage collector is tearing down hears its last events
        if (
            self.stack.currentWidget() is self.idle
            and isinstance(watched, QWidget)
            and watched.window() is self
        ):
            self.gesture.feel(event)
        if event.type() in TOUCHES and not self._answers_the_countdown(watched):
            self.touched()
        return False

    def _answers_the_countdown(self, watched: QObject | None) -> bool:
        """A touch on the "more time?" question or the countdown's bar answers it by its buttons;
        it is not the touch that takes the question away before the button hears it."""
        if not isinstance(watched, QWidget):
            return False
        current = self.stack.currentWidget()
        frame = current.frame if isinstance(current, Screen) else None
        bar = frame.countdown if frame is not None else None
        return current is self.more_time or (
            bar is not None and (watched is bar or bar.isAncestorOf(watched))
        )

    def touched(self) -> None:
        """Any touch: the person is there; the whole time again. The core hears it too, at most
        every few seconds."""
        self.countdown.more_time()
        self._keep_alive()

    def _keep_alive(self) -> None:
        now = time.monotonic()
        if self.view is not None and not self.view.ended and now - self._last_keep_alive > self.keep_alive_s:
            self._last_keep_alive = now
            self.bridge.step("keep_alive")

    def _show_countdown(self, left: float | None) -> None:
        """The countdown's face: on a screen that waits for the person, the "more time?" question
        over it; on any other, the bar above its footer. The VietQR screen's is its own line: the
        bank's time, which no touch extends."""
        current = self.stack.currentWidget()
        if current is self.paying_qr:
            self.paying_qr.show_left(left)
            return
        if left is not None and current in self.asking:
            self._asked_on = current
            self._show(self.more_time, force=True, arm=False)  # shown, and read aloud, like any screen
            current = self.more_time
        if current is self.more_time:
            if left is None:
                self.resume()
            else:
                self.more_time.show_left(left)
            return
        if isinstance(current, Screen) and current.frame is not None:
            if left is None:
                current.frame.hide_countdown()
            else:
                current.frame.show_countdown(self.language, left)

    def ask_more_time(self) -> None:
        """Ask now (the screenshots; a test): as when the quiet time has passed."""
        if self.stack.currentWidget() in self.asking:
            self._asked_on = self.stack.currentWidget()
            self._show(self.more_time, force=True, arm=False)
            self.more_time.show_left(self.countdown.answer_s)

    def give_more_time(self) -> None:
        """ "Thêm thời gian": the whole time again."""
        if self.stack.currentWidget() is self.more_time:
            self.resume()
        else:
            self.countdown.more_time()
        self._last_keep_alive = 0.0
        self._keep_alive()

    def resume(self) -> None:
        """Back from the "more time?" question to the screen it covered, nothing lost."""
        self._last_keep_alive = 0.0
        self._keep_alive()
        asked_on, self._asked_on = self._asked_on, None
        self._show(asked_on if asked_on is not None else self.idle)

    # -- the chrome ------------------------------------------------------------------------------

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.zone)

    def _tick_clock(self) -> None:
        current = self.stack.currentWidget()
        if isinstance(current, Screen) and current.frame is not None:
            current.frame.set_time(self.local_now().strftime("%H:%M  %d/%m/%Y"))

    def open_help(self) -> None:
        """Help, from any citizen screen; "Quay lại" goes back to it as it was."""
        current = self.stack.currentWidget()
        if current is self.help:
            return
        self._behind_help = self._asked_on if current is self.more_time else current
        self.help.present(self._happened)
        self._show(self.help)

    def leave_help(self) -> None:
        behind, self._behind_help = self._behind_help, None
        self._show(behind if behind is not None else self.idle, force=True)

    def repeat(self) -> None:
        """ "Nghe lại": the screen's words read aloud again."""
        current = self.stack.currentWidget()
        if isinstance(current, Screen):
            self.speaker.say(current.spoken(), self.language.code)

    def choose(self, kind: str) -> None:
        self.bridge.start(kind)

    def find_procedure(self) -> None:
        """A drop-off without a dossier code: on to finding its procedure (the journey still waits
        for a code or a procedure)."""
        self.procedure.start()
        self._show(self._with_step(self.procedure, self.view))

    def have_a_code(self) -> None:
        self._show(self._with_step(self.entries["code"], self.view))

    def choose_procedure(self, key: str) -> None:
        self.bridge.step("choose_procedure", key)

    def step_back(self) -> None:
        """ "Quay lại": one step back in the journey, what was typed kept (the core keeps its part)."""
        self.bridge.step("back")

    def choose_on_review(self, **choice: object) -> None:
        self.bridge.step("choose", **choice)

    def pick_up(self, code: str) -> None:
        """ "Nhận kết quả" on a look-up's answer: a pickup with the code already given."""
        self.bridge.start("pickup")
        self.bridge.step("submit_code", code)

    def submit(self, what: str, typed: str) -> None:
        self.bridge.step(SUBMITS[what], f"DKS1|{typed}" if what == "staffid" else typed)

    def take(self, key: str) -> None:
        """A touch on the list: an item to take out, or (for a technician) a compartment to test
        or to switch out of service and back."""
        if self.view is None or self.view.kind != "technician":
            self.bridge.step("take", key)
        elif self.tech_mode == "service":
            self.bridge.step("switch_service", key, "switched on the maintenance screen")
        else:
            self.bridge.step("open", key, "test-open from the maintenance screen")

    def maintain(self, action: str) -> None:
        if action in ("open", "service"):
            self.tech_mode = action
            if self.view is not None:
                self.choose_items.present(self.view.items)
            self._show(self.choose_items)
        else:
            self.bridge.step(action)

    def _submitter(self, what: str) -> Callable[[str], None]:
        return lambda typed: self.submit(what, typed)

    def home(self) -> None:
        if _notes_in(self.view):  # walked away, or "no" to more time: where that money is, not home
            self.bridge.step("cancel")
            return
        if self.stack.currentWidget() is self.choose_items and self.tech_mode:
            self.tech_mode = ""  # from a compartment list back to the maintenance screen
            self._show(self.maintenance)
            return
        self.tech_mode = ""
        self.bridge.leave()
        self._show(self.menu if self.signed_in else self.idle, force=True)

    def switch_language(self) -> None:
        self.language.switch()
        self._relabel()

    def _relabel(self) -> None:
        for i in range(self.stack.count()):
            screen = self.stack.widget(i)
            if isinstance(screen, Screen):
                screen.relabel()
        self._tick_clock()

    # -- what the core decided -------------------------------------------------------------------

    def show_view(self, view: View) -> None:
        before = self.view
        came_back = before is not None and before.journey == view.journey and _went_back(before, view)
        self.view = view
        self._remember(view)
        if view.kind == "kiosk" and view.data.get("signed_out"):
            self.signed_in = False  # the core ended the session with the journey
        if view.kind == "signin":
            self.signed_in = view.state == "signed-in"
            if view.state == "signed-in":
                self.menu.for_role(view.role or "officer")
                self._show(self.menu)
                return
            if view.state == "signed-out":
                self._show(self.idle)
                return
        if view.kind == "technician" and view.state == "choosing":
            if self.tech_mode and self.stack.currentWidget() is not self.maintenance:
                self.choose_items.present(view.items)
                self._show(self.choose_items)
            else:
                self._show(self.maintenance)
            return
        if view.kind in RELEASES and view.state == "choosing":
            self.choose_items.present(view.items)
            self._show(self.choose_items)
            return
        if view.kind in (*RELEASES, "load", "technician") and view.state == "done":
            return  # the session's menu follows
        if view.state in BACK_TO_IDLE and not _money_to_tell(view):
            self._show(self.idle, force=True)
            return
        if view.state == "reviewing":
            self.review.present(view.data, view.said)
            self._show(self._with_step(self.review, view))
            return
        paying = self._paying(view)
        if paying is not None:
            self._show(self._with_step(paying, view))
            return
        entry = self._entry_for(view)
        if entry is not None:
            self._show(self._with_step(self._present_entry(entry, view, came_back), view))
            return
        heading, can_leave = MESSAGES.get((view.kind, view.state), ("", True))
        paid = view.journey == self._paid_in and view.state in PAID_THEN
        moment = paid and self._paid_said != view.journey  # the fee just paid: said alone first
        if moment or (paid and view.state not in OPEN_DOOR):
            heading = PAYMENT_RECEIVED
        where = view.data.get("compartment") if view.state in OPEN_DOOR and not moment else None
        qr = None
        said = view.said
        if int(view.data.get("inserted") or 0) > 0 and view.state in BACK_TO_IDLE:
            said = _kept(view.data)  # notes were put in: where that money is now
        if view.receipt is not None and view.receipt != "printed":  # the code on screen instead
            heading, qr = NO_RECEIPT, view.data.get("tracking")
            code = str(view.data.get("code", ""))
            said = (code, code)  # not "take your receipt": there is none
            if view.data.get("sms_to") and view.said:  # and where the code is texted to
                said = (f"{code}\n{view.said[0]}", f"{code}\n{view.said[1]}")
        dossier = qr is None and view.kind in NAMES_THE_DOSSIER
        kept = qr is not None or (view.kind, view.state) in PROOFS
        referenced = qr is not None or (view.kind, view.state) in REFERENCED
        reference = reference_of(view.journey) if referenced and view.journey else ""
        self.message.present(
            heading, said, can_leave=can_leave, where=where, qr=qr, dossier=dossier,
            proof=kept, reference=reference, failed=(view.kind, view.state) in FAILURES,
            fee_paid=paid, officers=(view.kind, view.state) in TO_AN_OFFICER, hours=self.office.openings,
            **{k: v for k, v in view.data.items() if k not in MESSAGE_ARGS},
        )  # fmt: skip
        actions = [(name, key, self._command(then)) for offer in view.offers
                   if offer in OFFERED for name, key, then in [OFFERED[offer]]]  # fmt: skip
        if view.kind == "lookup" and view.data.get("ready_here"):  # the answer's way on: pick it up here
            code = str(view.data["code"])
            actions.append(("pick up", "Pick up a result", lambda: self.pick_up(code)))
        self.message.set_actions(actions)
        self._message_return_s = self._return_time(view, kept)
        # a fee paid while help is open: its door opens with no touch, so its screen comes forward
        # over help rather than waiting behind it
        over_help = paid and self.stack.currentWidget() is self.help
        self._show(self._with_step(self.message, view), force=over_help)
        if moment and view.state in OPEN_DOOR:  # then the door, its screen as for any pickup
            self._paid_said, self._moment_of = view.journey, view
            self._moment.start(int(self.paid_moment_s * 1000))

    def _after_the_moment(self) -> None:
        view, self._moment_of = self._moment_of, None
        if view is not None and self.view is view:  # the core has not moved on (else its view is up)
            self.show_view(view)

    def _command(self, command: str) -> Callable[[], None]:
        return lambda: self.bridge.step(command)

    def _paying(self, view: View) -> Screen | None:
        """The screen of a fee paid here or of the holder's card, presented, for a pickup at one of
        those steps; None otherwise (a fee with no way to pay here is the message screen's: "pay at
        the counter")."""
        if view.kind != "pickup":
            return None
        if view.state in PAYING:
            self._paid_in = view.journey
        screens: dict[str, PaymentScreen] = {"paying-qr": self.paying_qr, "paying-cash": self.paying_cash}
        if view.data.get("methods"):
            screens["fee-due"] = self.fee_due
        screen = screens.get(view.state)
        if screen is not None:
            if screen is self.paying_qr:
                left = view.seconds_left
                self._qr_deadline = None if left is None else time.monotonic() + max(0.0, left)
            screen.present(view.data, view.said)
            return screen
        if view.state == "holder-check":
            code = view.data.get("code")
            self.holder.present(str(code) if code else None, view.said)
            return self.holder
        return None

    def _qr_wait_over(self) -> None:
        """The bank's time is up on the screen: the core, whose deadline it is, says what now."""
        self.paying_qr.show_left(0.0)

    def done(self) -> None:
        """ "Xong" (or Home) on a message: after a citizen's journey, the rating is offered on the way
        out (one touch, or none: it goes back by itself); else the start."""
        view = self.view
        if view is not None and view.ended and "rate" in view.offers and not self.signed_in:
            self.bridge.leave()
            self.rating.ask()
            self._show(self.rating)
            return
        self.home()

    def rate(self, face: str) -> None:
        self.bridge.step("rate", face)
        self.countdown.arm(THANKED_S, self.home)  # the thanks, briefly; any touch goes on at once

    def _return_time(self, view: View, kept: bool) -> float | None:
        """How long the message screen stays untouched before it goes back by itself: a proof
        long (it waits for "Xong"), a plain end shortly; None while the journey goes on (an open
        door is watched by the core) or for staff, whose menu follows."""
        if self.signed_in:
            return None
        if kept:
            return self.proof_timeout_s
        return self.done_return_s if view.ended else None

    def _remember(self, view: View) -> None:
        """What is happening, for help: the journey's reference, its kind, when, which compartment."""
        if view.journey and view.kind in CITIZEN_JOURNEYS:
            where = view.data.get("compartment")
            at = self._happened.at if self._happened and self._happened.journey == view.journey else None
            self._happened = Happened(
                reference_of(view.journey), view.kind, at or self.local_now(), str(where) if where else None,
                journey=view.journey,
            )  # fmt: skip

    def _where(self) -> QWidget | None:
        """The screen the person is on, under help or the "more time?" question."""
        current = self.stack.currentWidget()
        if current is self.help and self._behind_help is not None:
            return self._behind_help
        if current is self.more_time and self._asked_on is not None:
            return self._asked_on
        return current

    def hear(self, announcement: Announcement) -> None:
        """What the core says meanwhile: a door left open is asked to be closed, louder later."""
        key = REMINDERS.get(announcement.topic)
        if key is not None and self.stack.currentWidget() is self.message:
            self.message.remind(self.language.tr(key, **announcement.detail))

    def _with_step(self, screen: Screen, view: View | None) -> Screen:
        """``screen`` with "Bước n/m" for where the journey is (kiosk/journeys/steps.py), or none."""
        number, of = view.step if view is not None and view.step is not None else (None, None)
        screen.set_step(number, of)
        return screen

    def _present_entry(self, entry: str, view: View, came_back: bool) -> Screen:
        """The entry screen of the step the journey is at, with what the person typed for this
        journey kept (a new journey starts with empty fields), what the core said of the last
        step, the dossier it is about, and its keys held while the core says it is locked."""
        if view.journey != self._typed_for:
            self._typed_for = view.journey
            for each in self.entries.values():
                each.field.clear()
                each.problem.clear()
        screen = self.entries[entry]
        if came_back and entry == "code" and view.kind == "dropoff" and view.data.get("procedure_name"):
            return self.procedure  # back to the procedure it was handed in for, its search kept
        if self._where() is not screen and entry in ("pin", "staffpin"):
            screen.field.clear()  # a PIN is never kept across steps
        code = view.data.get("code")
        if entry == "code" and not screen.field.text() and code and not view.data.get("procedure_name"):
            screen.field.setText(str(code))  # carried over from a look-up, or given before Back
        if screen.alternative is not None:
            screen.alternative.setVisible(view.kind == "dropoff")
        screen.hint.setVisible(entry == "code" and view.kind == "pickup")
        screen.about(str(code) if code and entry in ("pin", "phone") else None)
        screen.lock(bool(view.data.get("locked_until")))
        screen.show_problem(self.language.pick(view.said) if view.said else "")
        return screen

    def _entry_for(self, view: View) -> str | None:
        if view.state == "waiting-code":
            return "pin" if view.needs_pin else "code"
        return ENTRY_FOR.get(view.state)

    def _show(self, screen: QWidget, *, force: bool = False, arm: bool = True) -> None:
        """``screen`` now, read aloud, with its countdown; while help is open, what the core
        shows waits behind it (help goes back to it), unless ``force``: Home, or help's own end."""
        current = self.stack.currentWidget()
        if current is self.help and screen is not self.help and not force:
            self._behind_help = screen
            return
        if current is self.more_time and screen is not self.more_time and not force:
            self._asked_on = None  # the core moved on: the question is answered by that
        if screen is self.idle:
            self._for_the_next_person()
        if isinstance(current, Screen) and current.frame is not None:
            current.frame.hide_countdown()
        self.stack.setCurrentWidget(screen)
        self._tick_clock()
        if isinstance(screen, Screen):
            self._say(screen)
        if arm:
            self._arm(screen)

    def _say(self, screen: Screen) -> None:
        """The screen's words read aloud, unless it is the same screen saying the same again (the
        VietQR's deadline moved, nothing else): a person hears each thing once."""
        words = screen.spoken()
        if (screen, words) == self._spoken:
            return
        self._spoken = (screen, words)
        self.speaker.say(words, self.language.code)

    def _arm(self, screen: QWidget) -> None:
        """The one place a screen's automatic return is set (``self.countdown``)."""
        if screen is self.help:  # left open: back to where the person was, whose own time then runs
            self.countdown.arm(self.ask_more_time_s + self.countdown.answer_s, self.leave_help)
        elif screen in self.asking:
            self.countdown.arm(self.ask_more_time_s + self.countdown.answer_s, self.home)
        elif screen is self.rating:
            self.countdown.arm(self.done_return_s, self.home)
        elif screen is self.message and self._message_return_s is not None:
            self.countdown.arm(self._message_return_s, self.home)
        elif screen is self.paying_qr and self._qr_deadline is not None:
            self.countdown.arm(max(0.0, self._qr_deadline - time.monotonic()), self._qr_wait_over, fixed=True)
        else:
            self.countdown.stop()

    def _for_the_next_person(self) -> None:
        """Every return to the idle screen: the language it starts in, nothing of the last person."""
        self._happened = None
        self._paid_in = self._paid_said = ""
        self._behind_help = None
        self._asked_on = None
        if self.language.code != self.start_language:
            self.language.code = self.start_language
            self._relabel()

    # -- the last resort -------------------------------------------------------------------------

    def recover(self, exc: BaseException) -> None:
        """An exception escaped a slot on the GUI thread (ui/app.py's hook calls this): the core
        ends the journey safely and the person is told; the window lives on."""
        self.bridge.fault(type(exc).__name__)


def _notes_in(view: View | None) -> bool:
    """Notes went into the validator on this visit and it is still paying in cash: leaving must end
    on the screen that says what became of them (its proof), not on the start."""
    return (
        view is not None and view.kind == "pickup" and view.state == "paying-cash"
        and int(view.data.get("inserted") or 0) > 0
    )  # fmt: skip


def _money_to_tell(view: View) -> bool:
    """A pickup that ended while its fee was being paid, with something to say of the money: the
    bank's time over (a transfer made late still counts), notes put in before "Hủy"."""
    if view.kind != "pickup" or view.state not in BACK_TO_IDLE:
        return False
    inserted = int(view.data.get("inserted") or 0) > 0  # notes in: walked away or "Hủy"
    # or a QR shown and given up, by "Hủy" or the bank's time: a transfer may be on its way
    return inserted or view.said in QR_GIVEN_UP


def _kept(data: dict[str, Any]) -> tuple[str, str]:
    """What happens to the notes put in, in both languages, as the cash screen said before."""
    inserted = data.get("inserted", 0)
    vi, en = (readable.shown({"inserted": inserted}, code)["inserted"] for code in ("vi", "en"))
    return Language("vi").tr(KEPT, inserted=vi), Language("en").tr(KEPT, inserted=en)


def _went_back(before: View, now: View) -> bool:
    return (before.state, now.state) in STEPS_BACK
