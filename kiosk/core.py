"""The headless core the UI and the scenario runner drive: store, lock buses, clock, announcements.

``unlock()`` is the one way a journey opens a compartment: the intent is committed before the
unlock frame is sent, and the outcome after; a jam takes the compartment out of service and raises
a maintenance event.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drivers.errors import DeviceError
from drivers.lockboard.bus import AskedStatus, BoardStatus
from drivers.lockboard.errors import DoorJammed
from kiosk import compartments, events, flags, lockout, procedures, space
from kiosk.compartments import Compartment
from kiosk.config import KioskConfig, RulesSection
from kiosk.errors import DoorFoundOpen, ItemFoundInside, OutOfService
from kiosk.lockers import Lockers
from kiosk.pickup_codes import kiosk_key, pepper_of
from kiosk.status import StatusSource
from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.cash_session import CashSession

log = logging.getLogger("kiosk.core")


@dataclass(frozen=True)
class Announcement:
    """What the UI (through ui/bridge.py) or a script hears: a journey changed, a reminder, …"""

    topic: str
    journey: str | None
    detail: dict[str, Any] = field(default_factory=dict)


# A status asked longer ago than this before the unlock frame is asked again: the look at the door
# must be of now, not of before a commit that stalled.
FRESH_READ_S = 0.25

# The rules are config's [rules] table; journeys read them as ``core.rules``.
Rules = RulesSection


class Core:
    def __init__(
        self, cfg: KioskConfig, store: Store, lockers: Lockers, rules: Rules | None = None,
        status_source: StatusSource | None = None, monotonic: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.cfg = cfg
        self.store = store
        self.lockers = lockers
        self.rules = rules or cfg.rules
        self.status_source = status_source  # the backend, for look-ups; None: offline
        self.token_key = kiosk_key(store)  # refused when missing, swapped, short or readable by others
        self.pepper = pepper_of(self.token_key)  # keys the PIN hashes
        self.procedures = procedures.load(cfg.procedures_path)  # a bad catalogue stops the start
        # time no wall-clock step moves, for the kiosk-wide PIN windows (kiosk/lockout.py)
        self.monotonic = monotonic
        self.pin_failures = lockout.Recent()  # a citizen's wrong PINs, across dossiers
        self.staff_failures = lockout.Recent()  # wrong staff PINs, across badges
        self.space = space.SpaceWatch(store, monotonic)  # its own files against their cap
        self._listeners: list[Callable[[Announcement], None]] = []
        self.metrics = lockers.metrics  # unlock latency, door-open times, faults: memory only
        self.cash: CashSession | None = None  # the bill validator's session, when one is fitted

    @property
    def kiosk_id(self) -> str:
        return self.cfg.kiosk.id

    def now(self) -> datetime:
        return self.store.clock()

    def listen(self, listener: Callable[[Announcement], None]) -> None:
        self._listeners.append(listener)

    def announce(self, topic: str, journey: str | None = None, **detail: Any) -> None:
        announcement = Announcement(topic, journey, detail)
        for listener in self._listeners:
            listener(announcement)

    # -- whether a new journey may start ----------------------------------------------------------

    def admit(self, blocked_by: Collection[str], *, staff: bool) -> None:
        """Refuse a new journey (``OutOfService``) while a flag it is ``blocked_by`` is up; the
        free space is looked at first, so the disk flag follows the disk."""
        self.check_disk()
        for flag in flags.all_flags(self.store):
            if flag.key in blocked_by:
                raise OutOfService(flag.key, self._out_of_service_words(flag, staff=staff))

    def _out_of_service_words(self, flag: flags.Flag, *, staff: bool) -> tuple[str, str]:
        from kiosk.journeys.messages import Say  # the words live with the journeys'

        if flag.key == flags.DISK_CAP:  # drop-offs only: the citizen can still pick up
            return Say.DROPOFFS_PAUSED.format()
        if not staff:
            return Say.OUT_OF_SERVICE_NOW.format()
        if flag.key == flags.HISTORY:
            return Say.OUT_OF_SERVICE_HISTORY.format(problem=flag.value)
        return Say.OUT_OF_SERVICE_DISK.format()

    def check_disk(self) -> bool:
        """Whether ``data_dir`` has the configured free space; the disk flag (with its alarm, once)
        goes up below the floor and comes down above it. When even the flag cannot be written,
        the answer (not enough room) stands without it. The kiosk's own files are held to their
        cap too (kiosk/space.py), at most once a minute."""
        free = shutil.disk_usage(self.cfg.data_dir).free
        enough = free >= self.cfg.kiosk.min_free_mb * 1024 * 1024
        try:
            if not enough:
                with self.store.transaction():
                    floor = self.cfg.kiosk.min_free_mb
                    detail = f"{free // (1024 * 1024)} MB free in {self.cfg.data_dir}, under {floor} MB"
                    if flags.raise_flag(self.store, flags.DISK_LOW, "below the floor", detail):
                        events.emit(self.store, "alarm", actor="kiosk", problem=f"disk nearly full: {detail}")
                        log.error("disk nearly full: %s", detail)
            elif flags.get(self.store, flags.DISK_LOW) is not None:
                flags.lower_flag(self.store, flags.DISK_LOW, actor="kiosk", reason="free space again")
        except sqlite3.Error as exc:  # no room even for the flag: the refusal stands without it
            log.error("cannot record the disk's state: %s", exc)
        self.space.check(self.cfg)
        return enough

    def compartments(self) -> list[Compartment]:
        return compartments.all_compartments(self.store)

    def record_intent(self, comp: Compartment, *, actor: str, journey: str) -> None:
        """Journal that ``comp`` is about to be unlocked; inside the transaction that moves the
        journey, so one commit makes both durable before the frame is sent."""
        where = {"bus": comp.bus, "board": comp.board, "lock": comp.lock, "journey": journey}
        self.store.audit(actor, "unlock-intent", comp.id, **where)

    @contextlib.contextmanager
    def intent_to_open(self, comp: Compartment, *, actor: str, journey: str) -> Iterator[AskedStatus]:
        """The transaction that makes the intent to open ``comp`` durable: the block's changes (the
        journey's move, the item's), then the intent, in one commit. Meanwhile the board is asked
        for the status that ``unlock(before=…)`` looks at: the request goes out before the COMMIT
        and the answer is read after it, so the fsync and the board's answer overlap. The block
        must not use ``comp``'s bus."""
        bus = self.lockers.buses[comp.bus]
        with bus.status_meanwhile(comp.board) as asked, self.store.transaction():
            yield asked
            self.record_intent(comp, actor=actor, journey=journey)

    def unlock(
        self, comp: Compartment, *, actor: str, journey: str, before: AskedStatus | None = None,
        expect_empty: bool = False,
    ) -> BoardStatus:  # fmt: skip
        """Open ``comp``: with ``before`` from the ``intent_to_open`` block that made the intent
        durable, else the intent is committed here first. Raises DoorFoundOpen (nothing sent: the
        door already read open), ItemFoundInside (``expect_empty`` and the sensor shows an item:
        nothing sent), DoorJammed (the compartment is then out of service) or another DeviceError
        (the door may be open: the caller records the outcome as uncertain)."""
        if before is None:
            self.record_intent(comp, actor=actor, journey=journey)
        before_status = self._door_before(comp, before)
        if expect_empty and before_status is not None and before_status.has_item(comp.lock):
            raise ItemFoundInside(comp.id)
        if before_status is not None and not before_status.is_locked(comp.lock):
            # A released hook before the frame would make the "proof" after it meaningless.
            with self.store.transaction():
                compartments.record_door(self.store, comp.id, "open")
                self.store.audit(actor, "door-found-open", comp.id, journey=journey)
            raise DoorFoundOpen(comp.id)
        try:
            proof = self._send_unlock(comp)
        except DoorJammed:
            self.take_out_of_service(comp.id, "door jammed", actor=actor)
            raise
        except DeviceError as exc:
            with self.store.transaction():
                compartments.record_door(self.store, comp.id, "unknown")
                self.store.audit(actor, "unlock-unconfirmed", comp.id, cause=str(exc))
            raise
        with self.store.transaction():
            compartments.record_door(self.store, comp.id, "open")
            self.store.audit(actor, "unlocked", comp.id, journey=journey)
        return proof

    def _send_unlock(self, comp: Compartment) -> BoardStatus:
        """The unlock frame and the board's proof, timed in memory (no write on this path)."""
        started = time.perf_counter()
        try:
            proof = self.lockers.buses[comp.bus].unlock(comp.board, comp.lock)
        except DeviceError as exc:
            self.lockers.noted(comp.bus, comp.board, exc)
            raise
        self.metrics.unlocked(comp.id, time.perf_counter() - started, at=self.monotonic())
        return proof

    def _door_before(self, comp: Compartment, asked: AskedStatus | None) -> BoardStatus | None:
        """What the board says just before the frame: the status asked during the intent's commit,
        unless that was long enough ago for the door to have changed (a commit that waited on
        another process's write lock); then a read now."""
        bus = self.lockers.buses[comp.bus]
        if asked is None or (asked.status is not None and bus.since(asked.asked_at) > FRESH_READ_S):
            return self.read(comp)
        return self._seen(comp, asked.status if asked.status is not None else asked.error)

    def refresh_doors(self) -> dict[str, str]:
        """Record every compartment's door as its board reports it now ("unknown" when the board
        cannot be read); returns what was recorded."""
        readings = self.lockers.read_boards()
        doors = {}
        with self.store.transaction():
            for comp in self.compartments():
                status = readings.get((comp.bus, comp.board))
                door = "unknown" if not isinstance(status, BoardStatus) else (
                    "closed" if status.is_locked(comp.lock) else "open")  # fmt: skip
                if door == "closed":
                    self.metrics.door_closed(comp.id, at=self.monotonic())
                if door != comp.door:
                    compartments.record_door(self.store, comp.id, door)
                doors[comp.id] = door
        return doors

    def read(self, comp: Compartment) -> BoardStatus | None:
        """The board's status for ``comp``, or None when it cannot be read now."""
        try:
            status = self.lockers.buses[comp.bus].status(comp.board)
        except DeviceError as exc:
            return self._seen(comp, exc)
        return self._seen(comp, status)

    def _seen(self, comp: Compartment, reading: BoardStatus | DeviceError | None) -> BoardStatus | None:
        """A reading of ``comp``'s board, noted for the health endpoint (it answered, or how it
        failed); the status, or None when there is none."""
        if not isinstance(reading, BoardStatus):
            log.warning("cannot read %s: %s", comp.id, reading)
            if reading is not None:
                self.lockers.noted(comp.bus, comp.board, reading)
            return None
        self.lockers.noted(comp.bus, comp.board, reading)
        if reading.is_locked(comp.lock):  # the end of its time open, if it was opened
            self.metrics.door_closed(comp.id, at=self.monotonic())
        return reading

    def take_out_of_service(self, compartment_id: str, why: str, *, actor: str) -> None:
        self._set_service(compartment_id, False, why, actor=actor)
        self.announce("maintenance", compartment=compartment_id, problem=why)

    def return_to_service(self, compartment_id: str, note: str, *, actor: str) -> None:
        self._set_service(compartment_id, True, note, actor=actor)
        self.announce("in-service", compartment=compartment_id, note=note)

    def _set_service(self, compartment_id: str, in_service: bool, note: str, *, actor: str) -> None:
        with self.store.transaction():
            self.store.update(
                "compartment", compartment_id,
                {"in_service": int(in_service), "service_note": note, "updated_at": self.store.now()},
            )  # fmt: skip
            if in_service:
                events.emit(self.store, "back-in-service", actor=actor, compartment=compartment_id, note=note)
            else:
                events.emit(self.store, "maintenance", actor=actor, compartment=compartment_id, problem=note)
