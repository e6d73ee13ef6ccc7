"""The lock buses as the core sees them: survey, a technician's open, and the doctor's check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from drivers.errors import DeviceError
from drivers.lockboard.bus import BoardStatus, BusTiming, HookPolarity, LockBus
from drivers.lockboard.errors import DoorJammed
from kiosk import compartments
from kiosk.compartments import Compartment
from kiosk.config import BusSection, KioskConfig
from kiosk.metrics import ProcessMetrics
from kiosk.store import Store


def bus_from_config(section: BusSection) -> LockBus:
    return LockBus.from_url(
        section.url,
        section.protocol,
        baudrate=section.baudrate,
        name=section.name,
        polarity={b.address: HookPolarity(b.hook) for b in section.board},
        timing=BusTiming(
            reply_timeout_s=section.reply_timeout_ms / 1000,
            retries=section.retries,
            poll_interval_s=section.poll_interval_ms / 1000,
            unlock_confirm_s=section.unlock_confirm_ms / 1000,
            unlock_attempts=section.unlock_attempts,
        ),
    )


@dataclass(frozen=True)
class CompartmentReading:
    """A compartment as recorded, with what its board says right now."""

    compartment: Compartment
    hook: str  # "locked", "unlocked" or "unknown"
    item: str  # "present", "absent", "no sensor" or "unknown"
    problem: str | None = None


@dataclass
class BoardCheck:
    bus: str
    board: int
    status: BoardStatus | None
    error: str | None


@dataclass
class DoctorReport:
    checks: list[BoardCheck] = field(default_factory=list)
    link_errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.link_errors and all(c.error is None for c in self.checks)


def board_name(bus: str, board: int) -> str:
    """A board as the heartbeat and the health endpoint name it."""
    return f"{bus}/board{board}"


class Lockers:
    def __init__(self, cfg: KioskConfig, store: Store, buses: dict[str, LockBus]) -> None:
        self.cfg = cfg
        self.store = store
        self.buses = buses
        self.metrics = ProcessMetrics()  # which boards answer, faults: in memory (kiosk/metrics.py)

    @classmethod
    def from_config(cls, cfg: KioskConfig, store: Store) -> Lockers:
        return cls(cfg, store, {b.name: bus_from_config(b) for b in cfg.bus})

    def close(self) -> None:
        for bus in self.buses.values():
            bus.close()

    def compartment(self, compartment_id: str) -> Compartment:
        return compartments.get(self.store, compartment_id)

    def read_boards(self) -> dict[tuple[str, int], BoardStatus | DeviceError]:
        readings = {
            (name, board): result
            for name, bus in self.buses.items()
            for board, result in bus.read_all(self.cfg.boards_of(name)).items()
        }
        for (name, board), result in readings.items():
            self.noted(name, board, result)
        return readings

    def noted(self, bus: str, board: int, result: BoardStatus | DeviceError) -> None:
        """What a read of a board showed, for the health endpoint: it answered, or how it failed."""
        name = board_name(bus, board)
        if isinstance(result, BoardStatus):
            self.metrics.answered(name)
            return
        # a jammed lock is the lock's fault, not the board's: it answered that the hook held
        self.metrics.fault("lockboard", None if isinstance(result, DoorJammed) else name, result,
                           at=self.store.now())  # fmt: skip

    def survey(self) -> Iterator[CompartmentReading]:
        readings = self.read_boards()
        for comp in compartments.all_compartments(self.store):
            yield _reading(comp, readings.get((comp.bus, comp.board)))

    def technician_open(self, compartment_id: str, *, reason: str, actor: str) -> BoardStatus:
        """Open a compartment for a technician; returns the status read that proves it unlocked.

        The intent is committed before the unlock frame is sent; the outcome after, whatever it is.
        """
        comp = compartments.get(self.store, compartment_id)
        where = {"bus": comp.bus, "board": comp.board, "lock": comp.lock}
        self.store.audit(actor, "technician-open-requested", comp.id, reason=reason, **where)
        try:
            proof = self.buses[comp.bus].unlock(comp.board, comp.lock)
        except DoorJammed:
            self.store.audit(actor, "technician-open-failed", comp.id, cause="door jammed")
            raise
        except DeviceError as exc:
            with self.store.transaction():
                compartments.record_door(self.store, comp.id, "unknown")
                self.store.audit(actor, "technician-open-unconfirmed", comp.id, cause=str(exc))
            raise
        with self.store.transaction():
            compartments.record_door(self.store, comp.id, "open")
            self.store.audit(actor, "technician-opened", comp.id, item=_item(proof, comp.lock))
        return proof

    def doctor(self) -> DoctorReport:
        report = DoctorReport()
        for name, bus in self.buses.items():
            try:
                bus.link.open()
            except DeviceError as exc:
                report.link_errors[name] = str(exc)
                continue
            for board, result in bus.read_all(self.cfg.boards_of(name)).items():
                if isinstance(result, BoardStatus):
                    report.checks.append(BoardCheck(name, board, result, None))
                else:
                    report.checks.append(BoardCheck(name, board, None, str(result)))
        return report


def _reading(comp: Compartment, status: BoardStatus | DeviceError | None) -> CompartmentReading:
    if not isinstance(status, BoardStatus):
        problem = str(status) if status is not None else "board not read"
        return CompartmentReading(comp, "unknown", "unknown", problem)
    hook = "locked" if status.is_locked(comp.lock) else "unlocked"
    return CompartmentReading(comp, hook, _item(status, comp.lock))


def _item(status: BoardStatus, lock: int) -> str:
    present = status.has_item(lock)
    return "no sensor" if present is None else ("present" if present else "absent")
