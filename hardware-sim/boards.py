"""The simulated lock boards: doors, hooks, item sensors and injected faults. No I/O here.

A door starts closed and latched. An unlock releases the hook and the door springs open; it stays
open until a person closes it, which latches it again. A jammed lock ignores unlocks. On boards
with item sensors a person can put an item in or take it out while the door is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hardware_sim.control import CommandError

# Faults that spoil the next N replies of a board (-1: until cleared).
REPLY_FAULTS = ("silent", "checksum", "wrong-address", "truncate", "noise")
FOREVER = -1


@dataclass
class Door:
    open: bool = False
    item: bool = False
    jammed: bool = False


@dataclass
class BoardModel:
    number: int
    locks: int
    has_items: bool
    normally_closed: bool = False
    doors: list[Door] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)
    late_ms: int = 0
    busy_ms: int = 0
    busy_until: float = 0.0
    pulse_ms: int = 500

    def __post_init__(self) -> None:
        if not self.doors:
            self.doors = [Door() for _ in range(self.locks)]

    def door(self, lock: int) -> Door:
        if not 1 <= lock <= self.locks:
            raise CommandError(f"board {self.number} has locks 1–{self.locks}, not {lock}")
        return self.doors[lock - 1]

    # -- what the wire shows -------------------------------------------------------------------

    def hook_bits(self) -> tuple[bool, ...]:
        # A latched (closed) door reads 1 on a normally-open switch; NC wiring inverts it.
        return tuple((not d.open) != self.normally_closed for d in self.doors)

    def item_bits(self) -> tuple[bool, ...] | None:
        return tuple(d.item for d in self.doors) if self.has_items else None

    def take_fault(self, name: str) -> bool:
        """Whether fault ``name`` spoils this reply, counting it down."""
        left = self.faults.get(name, 0)
        if left == 0:
            return False
        if left > 0:
            self.faults[name] = left - 1
        return True

    # -- what a person does ----------------------------------------------------------------------

    def release(self, lock: int) -> None:
        door = self.door(lock)
        if not door.jammed:
            door.open = True

    def close(self, lock: int) -> None:
        self.door(lock).open = False

    def force_open(self, lock: int) -> None:
        self.door(lock).open = True

    def put(self, lock: int) -> None:
        self._reach_in(lock).item = True

    def take(self, lock: int) -> None:
        self._reach_in(lock).item = False

    def _reach_in(self, lock: int) -> Door:
        if not self.has_items:
            raise CommandError(f"board {self.number} has no item sensors (CU48)")
        door = self.door(lock)
        if not door.open:
            raise CommandError(f"door {lock} of board {self.number} is closed: open it first")
        return door

    def clear_faults(self) -> None:
        self.faults.clear()
        self.late_ms = self.busy_ms = 0
        for door in self.doors:
            door.jammed = False

    def snapshot(self) -> dict[str, Any]:
        def locks(pred: Any) -> list[int]:
            return [i + 1 for i, d in enumerate(self.doors) if pred(d)]

        return {
            "open": locks(lambda d: d.open),
            "items": locks(lambda d: d.item) if self.has_items else None,
            "jammed": locks(lambda d: d.jammed),
            "faults": {k: v for k, v in self.faults.items() if v},
            "late_ms": self.late_ms,
            "busy_ms": self.busy_ms,
            "normally_closed": self.normally_closed,
        }
