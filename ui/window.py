"""The kiosk window: full screen, no way out to the desktop; one stack of screens, switched by
what the core reports (``View``) and by touches (which become bridge commands)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk.core import Announcement
from ui.bridge import CoreBridge, View
from ui.i18n import N_, Language
from ui.screens.base import Screen, text, title
from ui.screens.camera_preview import CameraPreview
from ui.screens.choose import ChooseScreen
from ui.screens.entry import EntryScreen
from ui.screens.idle import IdleScreen
from ui.screens.maintenance import MaintenanceScreen
from ui.screens.menu import MenuScreen
from ui.screens.message import MessageScreen
from ui.screens.more_time import MoreTimeScreen
from ui.screens.procedure import ProcedureScreen
from ui.screens.review import ReviewScreen
from ui.speech import Speaker
from ui.style import SHEET

RELEASES = ("collect", "withdraw", "settle")
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
OUT_OF_SERVICE = N_("This kiosk is out of service")
COME_BACK = N_("Please come back later, or ask {office} during opening hours.")
# (journey kind, state) -> the heading of the message screen, and whether Home is offered
MESSAGES: dict[tuple[str, str], tuple[str, bool]] = {
    ("pickup", "fee-due"): (N_("A fee of {fee_due} đồng is due. Please pay at the office counter."), True),
    ("pickup", "verified"): (N_("Opening your compartment…"), False),
    ("pickup", "opening"): (N_("Opening your compartment…"), False),
    ("pickup", "door-open"): (N_("Compartment {compartment} is open"), False),
    ("pickup", "done"): (N_("Thank you"), True),
    ("pickup", "not-taken"): (N_("The result is still inside"), True),
    ("pickup", "jammed"): (N_("The compartment did not open"), True),
    ("pickup", "uncertain"): (N_("Please ask an officer"), True),
    ("dropoff", "opening"): (N_("Opening a compartment…"), False),
    ("dropoff", "door-open"): (N_("Compartment {compartment} is open"), False),
    ("dropoff", "deposited"): (N_("Thank you"), True),
    ("dropoff", "not-deposited"): (N_("Nothing was handed in"), True),
    ("dropoff", "no-space"): (N_("No compartment is free"), True),
    ("dropoff", "uncertain"): (N_("Please ask an officer"), True),
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
TOUCHES = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
    }
)
# quick taps on one spot arrive as double clicks
TAPS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick})
KEEP_ALIVE_EVERY_S = 5.0
BACK_TO_IDLE = frozenset({"cancelled", "timed-out"})
WITH_A_STEP_BACK = frozenset({"pin", "phone"})  # entries that are a journey's second step
STEPS_BACK = frozenset({("waiting-phone", "waiting-code"), ("reviewing", "waiting-phone")})
# journeys whose message screens say which dossier it is (a look-up says it in its answer)
NAMES_THE_DOSSIER = frozenset({"pickup", "dropoff", "load", *RELEASES})


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
        done_return_s: float = 10,
        ask_more_time_s: float = 40,
        give_up_s: float = 15,
        speaker: Speaker | None = None,
        compartments: list[str] | None = None,
        camera: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(orientation)
        self.speaker = speaker or Speaker(False)
        self.bridge = bridge
        self.language = language
        self.done_return_ms = int(done_return_s * 1000)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.idle = IdleScreen(language, self.choose, self.switch_language)
        self.entries: dict[str, EntryScreen] = {}
        for what in ("code", "pin", "phone", "staffpin", "result", "staffid"):
            preview = CameraPreview(camera) if camera is not None and what == "code" else None
            alternative = self.find_procedure if what == "code" else None
            previous = self.step_back if what in WITH_A_STEP_BACK else None
            self.entries[what] = EntryScreen(
                language, what, self._submitter(what), self.home, preview, alternative, previous
            )
        self.review = ReviewScreen(
            language, self.choose_on_review, lambda: bridge.step("confirm"), self.step_back, self.home
        )
        self._typed_for = ""  # the journey whose typing the entry fields hold
        self.procedure = ProcedureScreen(
            language, bridge.procedures, self.choose_procedure, self.have_a_code, self.home, orientation
        )
        self.message = MessageScreen(language, self.home, compartments)
        self.menu = MenuScreen(language, self.choose, bridge.sign_out)
        self.choose_items = ChooseScreen(language, self.take, self.home)
        self.more_time = MoreTimeScreen(language, self.resume, self.home)
        self.maintenance = MaintenanceScreen(language, self.maintain, self.home)
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
        )
        for screen in screens:
            self.stack.addWidget(screen)
        self.view: View | None = None
        self.signed_in = False
        self._shown = 0  # counts screens shown, so a late timer never returns a newer one to idle
        self._return_after = -1
        self._return = QTimer(self)  # a child: it dies with the window, never fires into a dead one
        self._return.setSingleShot(True)
        self._return.timeout.connect(self._back_if_still)
        self._asked_on: QWidget | None = None  # the screen the "more time?" question covers
        # where a person may simply have walked away (never an open door: that is watched instead)
        self.asking: set[QWidget] = {*self.entries.values(), self.choose_items, self.procedure, self.review}
        self._quiet = self._single_shot(self.ask_more_time)
        self._give_up = self._single_shot(self.home)
        self.ask_more_time_ms, self.give_up_ms = int(ask_more_time_s * 1000), int(give_up_s * 1000)
        self._last_keep_alive = 0.0
        self._taps: list[float] = []
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        bridge.changed.connect(self.show_view)
        bridge.heard.connect(self.hear)
        bridge.network.connect(lambda reachable: self.idle.set_offline(not reachable))
        bridge.findings.connect(self.maintenance.show_findings)
        bridge.outage.connect(self.idle.set_outage)

    # -- touches ---------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() in TOUCHES:
            self.touched()
            if watched is self.idle.heading and event.type() in TAPS:
                self._hidden_tap()
        return False

    def _hidden_tap(self) -> None:
        """Five taps on the idle screen's title within three seconds: staff sign-in by typing the
        staff number (for a technician without a badge at hand); the PIN follows as usual."""
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < 3.0] + [now]
        if len(self._taps) >= 5:
            self._taps = []
            self.bridge.start("signin")

    def touched(self) -> None:
        """Any touch: the person is there. The core hears it too, at most every few seconds."""
        self._give_up.stop()
        if self.stack.currentWidget() in self.asking:
            self._quiet.start(self.ask_more_time_ms)
        now = time.monotonic()
        if self.view is not None and not self.view.ended and now - self._last_keep_alive > KEEP_ALIVE_EVERY_S:
            self._last_keep_alive = now
            self.bridge.step("keep_alive")

    def ask_more_time(self) -> None:
        if self.stack.currentWidget() not in self.asking:
            return
        self._asked_on = self.stack.currentWidget()
        self._show(self.more_time)  # shown, and read aloud, like any screen
        self._give_up.start(self.give_up_ms)

    def resume(self) -> None:
        self._give_up.stop()
        self.bridge.step("keep_alive")
        if self._asked_on is not None:
            self._show(self._asked_on)

    def _single_shot(self, then: Callable[[], None]) -> QTimer:
        timer = QTimer(self)  # a child: it dies with the window
        timer.setSingleShot(True)
        timer.timeout.connect(then)
        return timer

    def choose(self, kind: str) -> None:
        self.bridge.start(kind)

    def find_procedure(self) -> None:
        """A drop-off without a dossier code: on to finding its procedure (the journey still waits
        for a code or a procedure)."""
        self.procedure.start()
        self._show(self.procedure)

    def have_a_code(self) -> None:
        self._show(self.entries["code"])

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
        if self.stack.currentWidget() is self.choose_items and self.tech_mode:
            self.tech_mode = ""  # from a compartment list back to the maintenance screen
            self._show(self.maintenance)
            return
        self.tech_mode = ""
        self.bridge.leave()
        self._show(self.menu if self.signed_in else self.idle)

    def switch_language(self) -> None:
        self.language.switch()
        for i in range(self.stack.count()):
            self.stack.widget(i).retranslate()  # type: ignore[union-attr]

    # -- what the core decided -------------------------------------------------------------------

    def show_view(self, view: View) -> None:
        before = self.view
        came_back = before is not None and before.journey == view.journey and _went_back(before, view)
        self.view = view
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
        if view.state in BACK_TO_IDLE:
            self._show(self.idle)
            return
        if view.state == "reviewing":
            self.review.present(view.data, view.said)
            self._show(self.review)
            return
        entry = self._entry_for(view)
        if entry is not None:
            self._show(self._present_entry(entry, view, came_back))
            return
        heading, can_leave = MESSAGES.get((view.kind, view.state), ("", True))
        where = view.data.get("compartment") if view.state == "door-open" else None
        qr = None
        said = view.said
        if view.receipt is not None and view.receipt != "printed":  # the code on screen instead
            heading, qr = NO_RECEIPT, view.data.get("tracking")
            code = str(view.data.get("code", ""))
            said = (code, code)  # not "take your receipt": there is none
        dossier = qr is None and view.kind in NAMES_THE_DOSSIER
        self.message.present(
            heading, said, can_leave=can_leave, where=where, qr=qr, dossier=dossier, **view.data
        )
        self._show(self.message)
        if view.ended and not self.signed_in:
            self._return_after = self._shown
            self._return.start(self.done_return_ms)

    def hear(self, announcement: Announcement) -> None:
        """What the core says meanwhile: a door left open is asked to be closed, louder later."""
        key = REMINDERS.get(announcement.topic)
        if key is not None and self.stack.currentWidget() is self.message:
            self.message.remind(self.language.tr(key, **announcement.detail))

    def _present_entry(self, entry: str, view: View, came_back: bool) -> QWidget:
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
        if self.stack.currentWidget() is not screen and entry in ("pin", "staffpin"):
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

    def _show(self, screen: QWidget) -> None:
        self._shown += 1
        self._give_up.stop()
        self.stack.setCurrentWidget(screen)
        if isinstance(screen, Screen):
            self.speaker.say(screen.spoken(), self.language.code)
        if screen in self.asking:
            self._quiet.start(self.ask_more_time_ms)
        else:
            self._quiet.stop()

    def _back_if_still(self) -> None:
        if self._shown == self._return_after:
            self.home()

    # -- the last resort -------------------------------------------------------------------------

    def recover(self, exc: BaseException) -> None:
        """An exception escaped a slot on the GUI thread (ui/app.py's hook calls this): the core
        ends the journey safely and the person is told; the window lives on."""
        self.bridge.fault(type(exc).__name__)


def _went_back(before: View, now: View) -> bool:
    return (before.state, now.state) in STEPS_BACK
