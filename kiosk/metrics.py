"""What only the process that drives the devices knows, kept in memory and published now and then.

The touch screen's process times each unlock (frame sent to the board's proof), each door's time
open (unlock to the door read closed), counts device faults by kind and keeps the printer's paper
and which devices answer. Nothing here writes on the scan-to-unlock path: the hooks add to
numbers in memory; ``publish`` writes them all as one row of ``process_snapshot`` from a timer
(ui/bridge.py), and the sync process's health endpoint (kiosk/health.py) reads that row. The row's
time is also the process's proof of life.

No label or value holds a citizen's data: devices are named from the config, faults by their
error's class, compartments never appear.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.store import Store

UI_PROCESS = "ui"
# seconds; an unlock at 19200 baud takes ~20 ms, a slow lock up to unlock_confirm_ms × attempts
UNLOCK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# seconds; a pickup takes well under a minute, a door left open raises its alarm at 120 s
DOOR_OPEN_BUCKETS = (5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
MAX_SNAPSHOT_BYTES = 64 * 1024  # a snapshot is about 2 KB; more is not one of ours
MAX_DEVICES = 64
MAX_FAULT_KINDS = 64  # error classes are named in code; a bound anyway
PaperState = Literal["ok", "near-end", "out", "unknown"]


@dataclass
class Histogram:
    """Observations in fixed buckets, as Prometheus counts them (each bucket holds what is at most
    its bound; the last, +Inf, everything)."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0

    def __post_init__(self) -> None:
        self.counts = self.counts or [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        value = max(0.0, value)
        self.total += value
        for i, bound in enumerate(self.bounds):
            if value <= bound:
                self.counts[i] += 1
                return
        self.counts[-1] += 1

    def as_json(self) -> dict[str, Any]:
        return {"bounds": list(self.bounds), "counts": list(self.counts), "sum": self.total}


class ProcessMetrics:
    """The in-memory side. Callers pass the times (the core's monotonic clock for a door, a
    perf-counter difference for an unlock), so this holds no clock and tests move none."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the scanner's thread reports faults too
        self.unlock_latency = Histogram(UNLOCK_BUCKETS)
        self.door_open = Histogram(DOOR_OPEN_BUCKETS)
        self.faults: Counter[tuple[str, str]] = Counter()  # (device kind, error class) -> count
        self.devices: dict[str, str] = {}  # device name -> "ok", or the error class it last raised
        self.paper: PaperState = "unknown"
        self.last_fault: dict[str, str] | None = None
        self._opened: dict[str, float] = {}  # compartment id -> when it was unlocked (monotonic)

    # -- the hooks -------------------------------------------------------------------------------

    def unlocked(self, compartment: str, latency_s: float, *, at: float) -> None:
        with self._lock:
            self.unlock_latency.observe(latency_s)
            self._opened[compartment] = at

    def door_closed(self, compartment: str, *, at: float) -> None:
        """The door of ``compartment`` reads closed; counted once per unlock (a no-op otherwise)."""
        if compartment not in self._opened:  # the common case, every closed read: no lock taken
            return
        with self._lock:
            opened = self._opened.pop(compartment, None)
            if opened is not None:
                self.door_open.observe(at - opened)

    def answered(self, device: str) -> None:
        if self.devices.get(device) != "ok":
            with self._lock:
                self.devices[device] = "ok"

    def fault(self, kind: str, device: str | None, exc: BaseException, *, at: str) -> None:
        """``kind`` is the device's kind ("lockboard", "printer", "scanner"); ``device`` its name
        from the config, when one device is meant."""
        error = type(exc).__name__
        with self._lock:
            if len(self.faults) < MAX_FAULT_KINDS or (kind, error) in self.faults:
                self.faults[(kind, error)] += 1
            if device is not None and (device in self.devices or len(self.devices) < MAX_DEVICES):
                self.devices[device] = error
            self.last_fault = {"device": kind, "kind": error, "at": at}

    def printer_status(self, *, paper_out: bool, paper_near_end: bool) -> None:
        self.paper = "out" if paper_out else "near-end" if paper_near_end else "ok"

    # -- publishing --------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "unlock_latency_seconds": self.unlock_latency.as_json(),
                "door_open_seconds": self.door_open.as_json(),
                "faults": [{"device": d, "kind": k, "count": n} for (d, k), n in sorted(self.faults.items())],
                "devices": dict(sorted(self.devices.items())),
                "printer_paper": self.paper,
                "last_fault": self.last_fault,
                "resident_bytes": _resident_bytes(),
            }

    def publish(self, store: Store, process: str = UI_PROCESS) -> None:
        """One row, replaced: a small commit every few seconds, never one per unlock, and without
        its own fsync (synchronous=NORMAL for it alone): a row lost to a power cut only looks
        stale until the next one, and the next durable commit syncs it anyway. The core's thread
        so never waits on the disk for it when a person scans."""
        body = json.dumps(self.snapshot(), sort_keys=True)
        conn = store.db.conn
        if conn.in_transaction:  # never inside someone's transaction (the timer runs between steps)
            return
        durability = int(conn.execute("PRAGMA synchronous").fetchone()[0])
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            with store.transaction() as db:
                db.execute(
                    "INSERT OR REPLACE INTO process_snapshot VALUES (?, ?, ?, ?)",
                    [process, os.getpid(), body, store.now()],
                )
        finally:
            conn.execute(f"PRAGMA synchronous={durability}")


def _resident_bytes() -> int | None:
    """This process's resident memory (Linux), for the screen's memory target (≤ 200 MB)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


# -- what the health endpoint reads back: bounded, so a row that is not ours is refused ----------

Count = Annotated[int, Field(ge=0, le=2**53)]
Label = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,79}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HistogramSnapshot(_Model):
    bounds: Annotated[list[Annotated[float, Field(ge=0)]], Field(max_length=32)]
    counts: Annotated[list[Count], Field(max_length=33)]
    sum: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _one_count_a_bucket(self) -> HistogramSnapshot:
        if len(self.counts) != len(self.bounds) + 1 or self.bounds != sorted(set(self.bounds)):
            raise ValueError("a histogram needs rising bounds and a count for each, and one for +Inf")
        return self

    def cumulative(self) -> list[tuple[str, int]]:
        """(le, count of observations at most le), +Inf last, as the exposition format has them."""
        out, running = [], 0
        for bound, count in zip([*map(str, self.bounds), "+Inf"], self.counts, strict=True):
            running += count
            out.append((bound, running))
        return out

    @property
    def count(self) -> int:
        return sum(self.counts)


class FaultCount(_Model):
    device: Label
    kind: Label
    count: Count


class LastFault(_Model):
    device: Label
    kind: Label
    at: Annotated[str, Field(max_length=40)]


class Snapshot(_Model):
    unlock_latency_seconds: HistogramSnapshot
    door_open_seconds: HistogramSnapshot
    faults: Annotated[list[FaultCount], Field(max_length=MAX_FAULT_KINDS)]
    devices: Annotated[dict[Label, Label], Field(max_length=MAX_DEVICES)]
    printer_paper: PaperState
    last_fault: LastFault | None
    resident_bytes: Count | None


def parse_snapshot(text: str) -> Snapshot:
    """A published row back as values; ``ValueError`` for anything that is not one."""
    if len(text) > MAX_SNAPSHOT_BYTES:
        raise ValueError(f"a snapshot of {len(text)} bytes; at most {MAX_SNAPSHOT_BYTES}")
    return Snapshot.model_validate_json(text)
