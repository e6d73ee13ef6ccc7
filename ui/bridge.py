"""The one place where the core meets Qt. The core (store, lock buses, journeys) lives in its own
thread, so no device I/O or waiting ever happens on the GUI thread; screens send commands here
and receive what the core decided as signals. The UI decides nothing the core decides.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from PyQt6 import sip
from PyQt6.QtCore import QObject, Qt, QThread, QTimer, pyqtSignal, pyqtSlot

from drivers.errors import DeviceError
from drivers.scanner.errors import BadRead
from kiosk import expiry, history, maintenance, payments, rating, receipts, recovery
from kiosk.assembly import CodeReader
from kiosk.clock import stamp, utc_now
from kiosk.core import Announcement, Core
from kiosk.errors import KioskError, OutOfService
from kiosk.journeys import after
from kiosk.journeys.dropoff import DropoffJourney
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.lookup import LookupJourney
from kiosk.journeys.machine import Journey
from kiosk.journeys.messages import Say
from kiosk.journeys.officer import (
    CollectJourney,
    OfficerReleaseJourney,
    Release,
    SettleJourney,
    WithdrawJourney,
)
from kiosk.journeys.pickup import PickupJourney
from kiosk.journeys.routing import FORGED, journey_for
from kiosk.journeys.signin import SignInJourney
from kiosk.journeys.staffed import NotSignedIn, StaffJourney
from kiosk.journeys.steps import step_of
from kiosk.journeys.technician import Tech, TechnicianJourney
from kiosk.maintenance import Finding
from kiosk.metrics import ProcessMetrics

if TYPE_CHECKING:  # the printer stack loads only when a printer is configured
    from drivers.printer.printer import ReceiptPrinter

log = logging.getLogger("kiosk.ui.bridge")
# journey methods no screen may call: settle_fee is the scenario runner's (it moves a pickup past
# its fee without looking at the ledger)
NOT_FROM_A_SCREEN = frozenset({"settle_fee"})
SHOWN = ("compartment", "code", "citizen", "procedure", "fee_due")  # what a screen may show
# and what a step shows (issue 13): a lock's time, the drop-off's review (the phone only masked)
SHOWN_STEPS = ("locked_until", "procedure_name", "phone_masked", "size", "usual_size", "prefer_low", "free",
               "ready_here")  # fmt: skip
# and a fee paid here (issue 14): what is paid and still due, the ways offered now, the VietQR code and
# its account and its deadline (moved by more time: a view of its own, with ``seconds_left``), the notes
# the validator takes now and what has gone in
SHOWN_PAYMENT = ("paid", "remaining", "methods", "qr", "beneficiary", "account", "wait_until", "accepted",
                 "inserted")  # fmt: skip
# a journey's data the screen knows by another name: a payment's reference is not the journey's
# (kiosk/reference.py), which the problem screens show
RENAMED = {"reference": "payment_reference"}
DEADLINE_STATES = frozenset({"paying-qr"})  # the core's own deadline, counted down on the screen


@dataclass(frozen=True)
class View:
    """A journey as a screen sees it, after each change."""

    journey: str  # its id: a new journey is always news, even in the same state as the last
    kind: str
    state: str
    said: tuple[str, str] | None
    data: dict[str, Any] = field(default_factory=dict)
    needs_pin: bool = False
    ended: bool = False
    items: tuple[tuple[str, str], ...] = ()  # what staff choose from: (key sent back, label shown)
    receipt: str | None = None  # a drop-off's receipt: "printed", or why not (the code is shown instead)
    role: str | None = None  # the signed-in member's, on the session's view
    step: tuple[int, int] | None = None  # "Bước n/m" (kiosk/journeys/steps.py)
    # the seconds left of the core's deadline when the view was made (a payment's wait); not part
    # of what changed: a view is news only when the journey moved
    seconds_left: float | None = field(default=None, compare=False)
    # what the person may do besides leaving (kiosk/journeys/after.py, kiosk/rating.py):
    # "door-not-opened", "reopen", "rate"
    offers: tuple[str, ...] = ()


STARTS: dict[str, Callable[[Core], Journey[Any]]] = {
    "pickup": lambda core: PickupJourney(core, auto_open=True),
    "dropoff": DropoffJourney,
    "lookup": LookupJourney,
}


STAFF_STARTS: dict[str, Callable[[Core, SignInJourney], Journey[Any]]] = {
    "load": lambda core, session: LoadJourney(core, session, bulk=True),
    "collect": CollectJourney,
    "withdraw": WithdrawJourney,
    "settle": SettleJourney,
    "technician": TechnicianJourney,
}
NETWORK_EVERY_MS = 5000
F = TypeVar("F", bound=Callable[..., Any])
DEVICES_EVERY_MS = 60_000
CODE_STATES = frozenset({"waiting-code", "scanning"})  # a scanned code goes straight in
CARD_STATES = frozenset({"holder-check"})  # a scanned code is the holder's ID card (issue 14)
AFTER_COMMANDS = frozenset({"reopen", "rate"})  # for the citizen's journey just ended


class StaleTouch(KioskError):
    """A touch for a journey that is over (a button on a screen the person has left)."""


def guarded(slot: F) -> F:
    """The worker's slots never let an exception out: in a Qt slot it would end the process
    (PyQt6 calls qFatal), so one crafted scan would kill the kiosk. What is not a KioskError is a
    fault: the journey is ended safely by the core and the person is told."""

    @functools.wraps(slot)
    def run(self: _Worker, *args: Any) -> Any:
        try:
            return slot(self, *args)
        except Exception as exc:  # the last resort: whatever it was, the window lives on
            self._fault(exc)
            return None

    return run  # type: ignore[return-value]


def quietly(task: F) -> F:
    """A timer's task while nobody may be at the screen (reading devices, the disk, reminders):
    a failure is logged and the task runs again next time; no journey is ended, no screen shown."""

    @functools.wraps(task)
    def run(self: _Worker, *args: Any) -> Any:
        try:
            return task(self, *args)
        except Exception as exc:
            log.error("%s failed (%s); it runs again later", task.__name__, type(exc).__name__, exc_info=exc)
            return None

    return run  # type: ignore[return-value]


def _items(journey: Journey[Any]) -> tuple[tuple[str, str], ...]:
    """What a staff member chooses from: (what the touch sends, what the button says)."""
    if isinstance(journey, OfficerReleaseJourney) and journey.state is Release.CHOOSING:
        return tuple(
            (i["dossier_code"], f"{i['compartment']} · {i['dossier_code']}") for i in journey.items()
        )
    if isinstance(journey, TechnicianJourney) and journey.state is Tech.CHOOSING:
        return tuple(
            (c.id, f"{c.id} · {c.door}" + ("" if c.in_service else " · OUT"))
            for c in journey.core.compartments()
        )
    return ()


def _shows_its_code(journey: Journey[Any]) -> bool:
    """A journey whose code the screen shows (and the backend texts) when its receipt is not
    printed: a drop-off's."""
    return callable(getattr(journey, "receipt_not_printed", None))


def _seconds_left(journey: Journey[Any]) -> float | None:
    """The seconds left of the deadline the journey waits for (a VietQR payment's), or None."""
    left = getattr(journey, "seconds_left", None)
    if journey.state.value not in DEADLINE_STATES or not callable(left):
        return None
    value = left()
    return float(value) if isinstance(value, int | float) else None


class _Worker(QObject):
    """Lives in the core's thread: runs each command, ticks the journey, reports what changed."""

    changed = pyqtSignal(object)
    heard = pyqtSignal(object)
    refused = pyqtSignal(str)
    network = pyqtSignal(bool)  # whether the sync reaches the backend (only with a [backend])
    findings = pyqtSignal(object)  # list[Finding], for the maintenance screen
    outage = pyqtSignal(object)  # board_outage.Outage: compartments out of use while a board is silent

    def __init__(self, core: Core, tick_ms: int, printer: ReceiptPrinter | None = None) -> None:
        super().__init__()
        self.core = core
        self.printer = printer
        self._receipt: tuple[str, str] = ("", "")  # the last drop-off's id and how its receipt went
        self.tick_ms = tick_ms
        self.journey: Journey[Any] | None = None
        self.session: SignInJourney | None = None  # a signed-in officer or technician
        # the citizen's journey just ended, until the next one starts: to reopen (until the person
        # leaves its screen) and to rate
        self._ended: Journey[Any] | None = None
        self._may_reopen = False
        self.ratings = rating.Ratings(core)
        self._last: View | None = None
        self._aside = False  # a fault or out-of-service screen is up: no view is reported over it
        self._marked_events = -1  # the outbox's last event when the history marker was written
        self._timer: QTimer | None = None
        self._published = -1e9  # when the metrics were last published (monotonic)
        self._unpublished = False  # the last publish failed (and was said)
        core.listen(self._announced)

    @pyqtSlot()
    def begin(self) -> None:
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(self.tick_ms)
        self._look_at_network()
        self._look_at_devices()

    @quietly
    def _look_at_devices(self) -> None:
        """Every board and the printer read now and then, never in the middle of a person's journey:
        the heartbeat then tells the office of a board gone quiet at 2 a.m."""
        if self._timer is None:
            return
        QTimer.singleShot(DEVICES_EVERY_MS, self._look_at_devices)  # first: a failure below must not stop it
        if self.journey is None or self.journey.ended:
            self.core.check_disk()  # the alarm goes out at 2 a.m. too, not when a citizen comes
            rating.report_due(self.core)  # while nobody is here: next to no journey's events
            expiry.send_reminders(self.core)  # and the citizens' reminders before a hold ends
            payments.settle_news(self.core)  # a bank's word that came after its journey ended (issue 14)
            if self.core.cash is not None:  # a bill validator gone quiet, synced again: cash offered again
                self.core.cash.check()
            self._mark_history()
            try:
                self.outage.emit(maintenance.check_devices(self.core, self.printer))
            except (KioskError, DeviceError) as exc:
                log.warning("devices not read: %s", exc)

    @quietly
    def _look_at_network(self) -> None:
        """The sync process's last word (it writes sync_state): reachable or not, now and then."""
        if self.core.cfg.backend is None:
            return
        if self._timer is not None:
            QTimer.singleShot(NETWORK_EVERY_MS, self._look_at_network)
        rows = dict(self.core.store.db.execute("SELECT key, at FROM sync_state").fetchall())
        success, error = rows.get("last_success"), rows.get("last_error")
        self.network.emit(error is None or (success is not None and success >= error))

    @pyqtSlot(object)
    def answer(self, answered: threading.Event) -> None:
        """The health loop's question (ui/health.py): this thread runs its events."""
        answered.set()

    @pyqtSlot()
    @quietly
    def publish(self) -> None:
        """What only this process knows (kiosk/metrics.py), for the sync's health endpoint. Asked
        for by the GUI thread's timer and done on this one, so a fresh row says both are alive;
        asks queued behind a long step (a slow receipt) are one publish, not a burst."""
        now = time.monotonic()
        if now - self._published < self.core.cfg.health.publish_s / 2:
            return
        self._published = now
        try:
            self.core.metrics.publish(self.core.store)
        except sqlite3.Error as exc:  # a full disk: said once, not every few seconds
            if not self._unpublished:
                log.warning("the health snapshot is not published (%s); /healthz will say so", exc)
            self._unpublished = True
            return
        self._unpublished = False

    @pyqtSlot()
    def end(self) -> None:
        if self._timer is not None:  # a timer must die in its own thread, this one
            self._timer.stop()
            sip.delete(self._timer)
            self._timer = None
        if self.journey is not None and not self.journey.ended:
            self._try(self._leave)

    @pyqtSlot(str, tuple, dict)
    @guarded
    def run(self, command: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._aside = False
        if command == "start":
            self._try(lambda: self._start(*args))
        elif command == "scanned":
            self._try(lambda: self._scanned(*args))
        elif command == "leave":
            self._try(self._leave)
        elif command in AFTER_COMMANDS:
            self._try(lambda: self._after_end(command, *args))
        elif command == "sign_out":
            self._try(self._sign_out)
        elif command == "fault":  # the GUI thread met an exception: end what it was showing
            self._fault(RuntimeError(f"in the window: {args[0] if args else 'unknown'}"))
            return
        elif command == "health" and isinstance(self.journey, TechnicianJourney):
            self.findings.emit(maintenance.health(self.core, self.printer))
        elif command == "print_test" and isinstance(self.journey, TechnicianJourney):
            self.findings.emit([self._print_test(self.journey.actor)])
        elif self.journey is None:
            self.refused.emit(f"{command}: no journey")
        elif command.startswith("_") or command in NOT_FROM_A_SCREEN:
            self.refused.emit(f"{command}: not a step a screen takes")
        else:
            self._try(lambda: getattr(self.journey, command)(*args, **kwargs))
        self._after_step()

    def _print_test(self, actor: str) -> Finding:
        if self.printer is None:
            return Finding(False, "Không có máy in trong cấu hình", "No printer is configured")
        office = receipts.Office(self.core.cfg.kiosk.office, self.core.kiosk_id)
        page = receipts.technician_test_page(
            office, self.core.now(), self.printer.profile.name, self.printer.mode.value
        )
        try:
            result = self.printer.print(page)
        except DeviceError as exc:
            self.core.store.audit(actor, "printer-failed", "printer", error=str(exc))
            return Finding(
                False,
                f"Không in được trang thử ({maintenance.trouble_vi(exc)})",
                f"The test page was not printed: {exc}",
            )
        self.core.store.audit(actor, "printer-test", "printer", bytes=result.bytes_sent)
        return Finding(
            True,
            f"Đã in trang thử ({result.bytes_sent} byte)",
            f"Test page printed ({result.bytes_sent} bytes)",
        )

    def _scanned(self, text: str) -> None:
        """A code from the scanner: into the journey waiting for one, or the journey it starts."""
        journey = self.journey
        if isinstance(journey, TechnicianJourney) and not journey.ended:  # the scanner test
            self.findings.emit([Finding(True, f"Máy quét đọc được: {text}", f"The scanner read: {text}")])
            return
        if journey is not None and not journey.ended:
            state = journey.state.value
            if state in CODE_STATES and not getattr(journey, "needs_pin", False):
                journey.submit_code(text)  # type: ignore[attr-defined]
                return
            if state == "waiting-badge":
                journey.submit_badge(text)  # type: ignore[attr-defined]
                return
            if state in CARD_STATES:
                journey.submit_card(text)  # type: ignore[attr-defined]
                return
            if journey is not self.session:
                return  # mid-journey (a PIN, an open door): a stray scan changes nothing
        kind = journey_for(text, self.core)
        if kind == FORGED:  # said, and nothing written: made-up codes cannot fill the disk
            self._say_on_its_own("refused", Say.TOKEN_NOT_VALID.format())
        elif kind == "signin":
            self._start("signin")
            self.journey.submit_badge(text)  # type: ignore[union-attr]
        elif kind is not None:
            self._start(kind)
            self._scanned(text)

    def _after_end(self, command: str, *args: Any) -> None:
        """What the person does at the end of their journey: "Mở lại ngăn" (while its screen is up)
        or a rating (once, until the next journey starts)."""
        journey = self._ended
        if journey is None or (journey is not self.journey and self.journey is not None):
            raise StaleTouch(f"{command}: no citizen journey has just ended")
        if command == "rate":
            self.ratings.rate(journey, str(args[0]) if args else "")
            return
        if not self._may_reopen:
            raise StaleTouch("reopen: the person has left that screen")
        journey.reopen()  # type: ignore[attr-defined]
        self.journey = journey  # its door watched again, or its refusal reported (then let go again)

    def _start(self, kind: str) -> None:
        self._ended, self._may_reopen = None, False  # a new person: nothing of the last one's
        self._leave()
        if kind == "signin":
            self.session = SignInJourney(self.core)
            self.journey = self.session
        elif kind in STAFF_STARTS:
            if self.session is None:
                raise NotSignedIn(Say.SIGN_IN_FIRST)
            self.journey = STAFF_STARTS[kind](self.core, self.session)
        else:
            if self.session is not None and not self.session.ended:
                self.session.sign_out()  # a citizen at the screen: the officer has gone
            self.session = None
            self.journey = STARTS[kind](self.core)

    def _leave(self) -> None:
        """The person walked away or pressed Home: end the journey safely (cancel what can be
        cancelled, finish a staff journey at its list; an open door goes on being watched until it
        closes)."""
        journey = self.journey
        self._may_reopen = False  # left its screen: the door is not for reopening any more
        if journey is not None and journey is not self.session and not journey.ended:
            if journey.state in journey.CANCELLABLE:
                journey.cancel()
            elif isinstance(journey, StaffJourney) and journey.state is journey.WAITING:
                journey.finish()  # type: ignore[attr-defined]
        self._settle()

    def _sign_out(self) -> None:
        self._leave()
        if self.session is not None and not self.session.ended:
            self.session.sign_out()
            self.journey = self.session  # its "signed out" is reported, then it is let go

    def _settle(self) -> None:
        """After a journey ends: back to the signed-in session's menu, or to nobody."""
        live = self.session is not None and not self.session.ended
        if self.journey is not None and self.journey.ended and self.journey is not self.session:
            if self.journey.kind in rating.CITIZEN_JOURNEYS and self.journey is not self._ended:
                self._ended, self._may_reopen = self.journey, True
            self.journey = self.session if live else None
        if not live:
            self.session = None

    @guarded
    def _tick(self) -> None:
        journey = self.journey
        if journey is None or journey.ended:
            return
        before = (journey.state, getattr(journey, "said", None))
        self._try(journey.tick)
        if (journey.state, getattr(journey, "said", None)) != before:  # most ticks change nothing
            self._after_step()

    def _after_step(self) -> None:
        """After a command or a tick that moved the journey: its receipt, its view, and (once the
        view of how it ended is out) the session's menu or nobody."""
        if self.journey is not None:
            self._print_receipt(self.journey)
            if self.journey.ended and self.journey is not self.session:
                self._mark_history(only_after_events=True)  # how far the log has come
        self._report()
        self._settle()
        self._report()

    def _mark_history(self, *, only_after_events: bool = False) -> None:
        """Write down how far the log has come (kiosk/history.py), so an older copy of the
        database put back is told. After a journey, only if it made an event (a handover): a
        journey given up changes nothing worth an fsync on the person's touch."""
        try:
            top = self.core.store.db.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0]
            if only_after_events and top == self._marked_events:
                return
            history.mark(self.core.store, group_shared=self.core.cfg.kiosk.group_shared)
            self._marked_events = top
        except (OSError, KioskError) as exc:  # a full disk: the kiosk says so elsewhere
            log.warning("the history marker was not written: %s", exc)

    def _try(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except OutOfService as exc:  # the kiosk takes no new journey of this kind: say so
            log.warning("out of service: %s", exc)
            self._say_on_its_own("out-of-service", exc.said)
        except KioskError as exc:  # a stale tap, a step the journey is not at: said, not fatal
            log.warning("refused: %s", exc)
            self.refused.emit(str(exc))
        except Exception as exc:  # anything else is a fault, ended safely (``_fault``)
            self._fault(exc)

    def _fault(self, exc: Exception) -> None:
        """The last resort (DESIGN §7): an exception no code expected. It is logged; the journey in
        progress (and a staff session) is ended by the core as after a crash, from what the store
        and the boards say, never from the half-changed journey object; the person is told that
        something went wrong and that the machine is ready again."""
        log.error("unexpected %s; the journey in progress is ended safely", type(exc).__name__, exc_info=exc)
        ended_in_store = True
        for journey in {id(j): j for j in (self.journey, self.session) if j is not None}.values():
            try:
                recovery.abandon(self.core, journey.id)
            except Exception as again:  # the store itself fails (a full disk, a damaged page)
                log.error("the journey could not be ended in the store: %s", again, exc_info=again)
                ended_in_store = False
        self.journey = self.session = None
        if ended_in_store:
            self._say_on_its_own("fault", Say.SOMETHING_WENT_WRONG.format(), signed_out=True)
        else:  # the truth: nothing can be recorded now, so nothing is offered
            self._say_on_its_own("out-of-service", Say.OUT_OF_SERVICE_NOW.format(), signed_out=True)

    def _say_on_its_own(self, state: str, said: tuple[str, str], *, signed_out: bool = False) -> None:
        """A screen that is no journey's: a fault, or the kiosk out of service. It stays until the
        next touch or command (no session menu is reported over it); as an ended view, the window
        goes back to the start by itself after showing it."""
        view = View(
            journey=str(uuid.uuid4()), kind="kiosk", state=state, said=said, ended=True,
            data={"signed_out": True} if signed_out else {},
        )  # fmt: skip
        self._last, self._aside = view, True
        self.changed.emit(view)

    def _print_receipt(self, journey: Journey[Any]) -> None:
        """A journey's receipt, printed once, as soon as it has one (device I/O: here): a drop-off's
        once the dossier is in, a pickup's once its fee is paid here (issue 14). Only a drop-off's
        code is shown or texted instead when it is not printed: a pickup's paid fee is in the store
        and on the backend's ledger, the paper is a courtesy."""
        document = getattr(journey, "receipt", None)
        if document is None or self._receipt[0] == journey.id:
            return
        outcome = self._print(journey.id, document)
        if not _shows_its_code(journey):
            self._receipt = (journey.id, "printed")  # once; nothing for the screen to show instead
            if outcome != "printed":
                log.warning("the paid fee's receipt of %s was not printed: %s", journey.id, outcome)
            return
        self._receipt = (journey.id, outcome)
        if outcome != "printed":  # the backend texts the code to the phone given instead
            try:
                journey.receipt_not_printed(outcome)  # type: ignore[attr-defined]
            except KioskError as exc:
                log.warning("the code of %s is not to be texted: %s", journey.id, exc)

    def _print(self, journey_id: str, document: Any) -> str:
        """ "printed", or why not."""
        if self.printer is None:
            outcome = "no printer"
        else:
            try:
                self.printer.print(document)
                outcome = "printed"
            except DeviceError as exc:
                log.warning("the receipt of %s was not printed: %s", journey_id, exc)
                self.core.metrics.fault("printer", None, exc, at=self.core.store.now())
                outcome = str(exc)
            except Exception as exc:  # the dossier is in whatever the printer did: say so, show the code
                log.error("the receipt of %s failed (%s)", journey_id, type(exc).__name__, exc_info=exc)
                outcome = f"the receipt could not be printed ({type(exc).__name__})"
        return outcome

    def _report(self) -> None:
        journey = self.journey
        if journey is None or self._aside:
            return
        view = View(
            journey=journey.id,
            kind=journey.kind, state=journey.state.value, said=getattr(journey, "said", None),
            data=self._shown(journey),
            needs_pin=bool(getattr(journey, "needs_pin", False)),
            items=_items(journey),
            receipt=self._receipt[1] if self._receipt[0] == journey.id else None,
            role=getattr(journey, "role", None) if journey is self.session else None, ended=journey.ended,
            step=step_of(journey),
            offers=self._offers(journey),
            seconds_left=_seconds_left(journey),
        )  # fmt: skip
        if view != self._last:
            self._last = view
            self.changed.emit(view)

    def _offers(self, journey: Journey[Any]) -> tuple[str, ...]:
        if journey.kind not in rating.CITIZEN_JOURNEYS:
            return ()
        rate = ("rate",) if self.ratings.may_rate(journey) else ()
        return after.offers(journey) + rate

    def _shown(self, journey: Journey[Any]) -> dict[str, Any]:
        data = {k: journey.data[k] for k in (*SHOWN, *SHOWN_STEPS, *SHOWN_PAYMENT) if k in journey.data}
        data |= {shown: journey.data[k] for k, shown in RENAMED.items() if k in journey.data}
        if getattr(journey, "sms_to", None):  # the phone the code is texted to, masked
            data["sms_to"] = journey.sms_to  # type: ignore[attr-defined]
        if "code" in data:  # where a citizen follows the dossier: the receipt's QR, or the screen's
            data["tracking"] = self.core.cfg.kiosk.tracking_url.format(code=data["code"])
        return data

    def _announced(self, announcement: Announcement) -> None:
        if announcement.topic != "journey":
            self.heard.emit(announcement)


class _Scanner(QThread):
    """Reads the scanner (device I/O, so never on the GUI thread) and hands each code on."""

    scanned = pyqtSignal(str)
    bad_read = pyqtSignal(str)

    def __init__(self, reader: CodeReader, metrics: ProcessMetrics) -> None:
        super().__init__()
        self.setObjectName("kiosk-scanner")
        self.reader = reader
        self.metrics = metrics

    def run(self) -> None:
        while not self.isInterruptionRequested():
            try:
                code = self.reader.read_code(0.2)
            except BadRead as exc:
                self.bad_read.emit(str(exc))
                continue
            except Exception as exc:  # a reader that fails oddly is read again, never the end of the thread
                log.error("the code reader failed: %s", exc, exc_info=exc)
                self.metrics.fault("scanner", None, exc, at=stamp(utc_now()))
                time.sleep(1.0)
                continue
            if code is not None:
                self.scanned.emit(code)


class CoreBridge(QObject):
    """Screens talk to this, on the GUI thread."""

    changed = pyqtSignal(object)  # View
    heard = pyqtSignal(object)  # Announcement: door reminders, alarms, maintenance
    refused = pyqtSignal(str)
    network = pyqtSignal(bool)
    findings = pyqtSignal(object)
    outage = pyqtSignal(object)
    _command = pyqtSignal(str, tuple, dict)
    _publish = pyqtSignal()
    _stop = pyqtSignal()
    _ask = pyqtSignal(object)

    def __init__(
        self,
        core: Core,
        *,
        tick_ms: int = 100,
        reader: CodeReader | None = None,
        printer: ReceiptPrinter | None = None,
        readers: list[CodeReader] | None = None,
    ) -> None:
        super().__init__()
        self.procedures = core.procedures  # set once when the core is made; read-only after
        self._thread = QThread()
        self._thread.setObjectName("kiosk-core")
        self._worker = _Worker(core, tick_ms, printer)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.begin)
        self._command.connect(self._worker.run)
        # close() returns only after the worker has let go of its timer, in its own thread
        # (PyQt6's stubs leave out connect's connection type, which PyQt6 itself takes)
        self._stop.connect(self._worker.end, type=Qt.ConnectionType.BlockingQueuedConnection)  # type: ignore[call-arg]
        self._worker.changed.connect(self.changed)
        self._worker.heard.connect(self.heard)
        self._worker.refused.connect(self.refused)
        self._worker.network.connect(self.network)
        self._worker.findings.connect(self.findings)
        self._publish.connect(self._worker.publish)
        self._thread.started.connect(self._worker.publish)
        self._worker.outage.connect(self.outage)
        self._ask.connect(self._worker.answer, type=Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        self._thread.start()
        # the GUI thread asks, the core's thread writes: a fresh snapshot means both are alive
        self._publisher = QTimer(self)
        self._publisher.timeout.connect(self._publish)
        self._publisher.start(int(core.cfg.health.publish_s * 1000))
        self._scanners: list[_Scanner] = []
        for each in [*([reader] if reader is not None else []), *(readers or [])]:  # serial, camera
            scanner = _Scanner(each, core.metrics)
            scanner.scanned.connect(lambda code: self._command.emit("scanned", (code,), {}))
            scanner.bad_read.connect(self.refused)
            scanner.start()
            self._scanners.append(scanner)

    def start(self, kind: str) -> None:
        self._command.emit("start", (kind,), {})

    def step(self, command: str, *args: Any, **kwargs: Any) -> None:
        """A journey method the person's touch calls: submit_code, submit_pin, submit_phone, …"""
        self._command.emit(command, args, kwargs)

    def leave(self) -> None:
        self._command.emit("leave", (), {})

    def sign_out(self) -> None:
        self._command.emit("sign_out", (), {})

    def fault(self, what: str) -> None:
        """The GUI thread met an exception: the core ends the journey safely and says so."""
        self._command.emit("fault", (what,), {})

    def ask_core(self, answered: threading.Event) -> None:
        """From any thread: ``answered`` is set once the core's thread gets to it (behind the
        command or device reading it may be busy with)."""
        self._ask.emit(answered)

    def close(self) -> None:
        self._publisher.stop()
        for scanner in self._scanners:
            scanner.requestInterruption()
            scanner.wait(5000)
        if self._thread.isRunning():  # a blocking signal into a thread that has ended never returns
            self._stop.emit()
        self._thread.quit()
        self._thread.wait(5000)
