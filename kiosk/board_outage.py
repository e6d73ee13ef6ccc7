"""A lock board that does not answer puts its compartments out of use, not the kiosk: they are
given to no new item (their doors are recorded "unknown", which assignment never picks), a
result inside one is not opened (nothing would prove the door opened: the item would end
"uncertain" for an officer), and the rest of the kiosk goes on. When the board answers again its
doors are read and its compartments come back by themselves. Nothing a technician switched out of
service (``in_service``) is touched either way.

The screen's process reads the boards now and then (ui/bridge.py, kiosk/maintenance.py); the
last reading of each board is in ``device_state``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from drivers.errors import DeviceError
from drivers.lockboard.bus import BoardStatus
from kiosk import compartments
from kiosk.core import Core
from kiosk.store import Store

log = logging.getLogger("kiosk.boards")
NOT_ANSWERING = "not answering"  # how device_state's value for a board begins when it did not answer


def board_name(bus: str, board: int) -> str:
    """A board's name in ``device_state`` and in the heartbeat (``_recorded_silent`` spells it
    the same way in SQL)."""
    return f"{bus}/board{board}"


@dataclass(frozen=True)
class Outage:
    """The compartments (in the config) out of use now because their board does not answer."""

    out_of_use: tuple[str, ...] = ()
    total: int = 0

    @property
    def some(self) -> bool:
        return bool(self.out_of_use)

    @property
    def all(self) -> bool:
        return self.total > 0 and len(self.out_of_use) == self.total


def follow(core: Core, readings: dict[tuple[str, int], BoardStatus | DeviceError]) -> Outage:
    """Record what ``readings`` (every board, read just now) mean for the doors: "unknown" behind
    a silent board, read again behind one that answers after being silent. Call only while no
    journey is at a door (the screen's process does so when nobody is at the machine)."""
    doors: dict[str, str] = {}
    out: list[str] = []
    present = core.compartments()
    for comp in present:
        status = readings.get((comp.bus, comp.board))
        if not isinstance(status, BoardStatus):
            out.append(comp.id)
            if comp.door != "unknown":
                doors[comp.id] = "unknown"
        elif comp.door == "unknown":
            doors[comp.id] = "closed" if status.is_locked(comp.lock) else "open"
    if doors:
        with core.store.transaction():
            for compartment_id, door in doors.items():
                compartments.record_door(core.store, compartment_id, door)
        gone = sorted(c for c, d in doors.items() if d == "unknown")
        back = sorted(c for c, d in doors.items() if d != "unknown")
        if gone:
            log.warning("out of use while their board does not answer: %s", ", ".join(gone))
        if back:
            log.info("read again, their board answers: %s", ", ".join(back))
    return Outage(tuple(out), len(present))


def board_silent(core: Core, compartment_id: str) -> bool:
    """Whether the board of ``compartment_id`` was last recorded as not answering and still does
    not: then nothing is sent to it for a citizen. It is read once when the record says silent,
    so a board that is back is used at once, not at the next round of readings."""
    if not _recorded_silent(core.store, compartment_id):
        return False
    return core.read(compartments.get(core.store, compartment_id)) is None


def _recorded_silent(store: Store, compartment_id: str) -> bool:
    # one small query on the scan-to-unlock path: the board's last reading, by the compartment
    row = store.db.execute(
        "SELECT d.state FROM compartment c JOIN device_state d ON d.name = c.bus || '/board' || c.board"
        " WHERE c.id = ?",
        [compartment_id],
    ).fetchone()
    return row is not None and str(row[0]).startswith(NOT_ANSWERING)
