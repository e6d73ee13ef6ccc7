"""The kiosk's health as the database tells it, for both processes that share it: what ``/healthz``
says (and ``kiosk health`` prints) and the numbers ``/metrics`` exposes (sync/health_server.py).

One read transaction takes everything (journeys, the outbox, compartments, flags, the touch
screen's published snapshot, kiosk/metrics.py), so the answer is of one moment. Each query is
bounded by an index or a LIMIT, and in WAL mode a reader never holds up a writer.

The kiosk can serve citizens (200) unless one of these holds (503), each said in ``problems``:
the database cannot be read, written or has no room; a flag keeps it out of service
(kiosk/flags.py); the touch screen's last snapshot is older than ``[health] stale_s`` (it is
frozen or gone); no compartment is in service; no lock board answers. A full kiosk (no free
compartment) still hands out results: said, not a 503.

No field holds a citizen's data: no dossier code, name or phone, and the sync's last error by its
kind and request only (its message can quote an answer; ``kiosk sync --status`` shows it).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from kiosk import flags
from kiosk.config import KioskConfig
from kiosk.metrics import UI_PROCESS, Snapshot, parse_snapshot

GROUPS_MAX = 500  # (kind, outcome) pairs: a few dozen in code; a bound against a table filled by hand
DEVICES_MAX = 64
LABEL = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")
SIZES = ("S", "M", "L")


def software_version() -> str:
    try:
        return version("dossier-kiosk")
    except PackageNotFoundError:
        return "unknown"


Device = dict[str, Any]  # {"answers": bool, "state": words, "at": when seen}


@dataclass(frozen=True)
class Compartments:
    in_service: int = 0
    out_of_service: int = 0
    uncertain: int = 0
    free: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SIZES, 0))


@dataclass(frozen=True)
class Reading:
    """Everything the endpoint says, read at one moment."""

    now: datetime
    version: str
    store_problem: str | None = None  # damaged, not writable, no room: the kiosk cannot serve
    schema_version: int | None = None
    free_mb: int | None = None
    flags: dict[str, str] = field(default_factory=dict)  # key -> since
    journeys: dict[tuple[str, str], int] = field(default_factory=dict)  # ended: (kind, outcome) -> n
    open_journeys: dict[str, int] = field(default_factory=dict)
    queue_depth: int = 0
    oldest_undelivered: datetime | None = None
    dead_letters: int = 0
    last_success: str | None = None
    last_error: dict[str, Any] | None = None
    compartments: Compartments = Compartments()
    devices: dict[str, Device] = field(default_factory=dict)
    ui: Snapshot | None = None
    ui_at: datetime | None = None
    ui_problem: str | None = None  # the snapshot is there but is not one

    @property
    def oldest_undelivered_age_s(self) -> float | None:
        if self.oldest_undelivered is None:
            return None
        return max(0.0, round((self.now - self.oldest_undelivered).total_seconds(), 1))

    @property
    def ui_age_s(self) -> float | None:
        return None if self.ui_at is None else round((self.now - self.ui_at).total_seconds(), 1)


def read(conn: sqlite3.Connection, cfg: KioskConfig, now: datetime) -> Reading:
    """What the database says now; a database that cannot be read is itself the answer."""
    base = Reading(now=now, version=software_version())
    try:
        conn.execute("BEGIN")  # one snapshot of the file for every query below
        try:
            reading = _read_all(conn, base)
        finally:
            if conn.in_transaction:  # an interrupted statement may have ended it already
                conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        return Reading(now=now, version=base.version, store_problem=f"the database cannot be read: {exc}")
    free = _free_mb(cfg.data_dir)
    return replace(reading, store_problem=_writable(conn) or _room(cfg, free), free_mb=free)


def _read_all(conn: sqlite3.Connection, base: Reading) -> Reading:
    version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    # the outbox_undelivered index: counted from it, and the first in sequence is the one that has
    # waited longest (read by one row, not all of them)
    depth = conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    first = conn.execute("SELECT at FROM outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT 1").fetchone()
    oldest = first[0] if first else None
    sync = dict(conn.execute("SELECT key, value FROM sync_state WHERE key IN ('last_success', 'last_error')"))
    ui, ui_at, ui_problem = _ui_snapshot(conn)
    return replace(
        base,
        schema_version=version,
        flags=dict(conn.execute("SELECT key, at FROM kiosk_flag ORDER BY key LIMIT 20")),
        journeys=_journeys(conn),
        open_journeys=_open_journeys(conn),
        queue_depth=depth,
        oldest_undelivered=parse_time(oldest),
        dead_letters=conn.execute("SELECT COUNT(*) FROM dead_letter").fetchone()[0],
        last_success=sync.get("last_success"),
        last_error=_sync_error(sync.get("last_error")),
        compartments=_compartments(conn),
        devices=_devices(conn, ui, ui_at),
        ui=ui,
        ui_at=ui_at,
        ui_problem=ui_problem,
    )


def _journeys(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    rows = conn.execute(
        "SELECT kind, outcome, COUNT(*) FROM journey WHERE ended_at IS NOT NULL"
        " GROUP BY kind, outcome LIMIT ?",
        [GROUPS_MAX],
    )  # the journey_ended index alone
    found: dict[tuple[str, str], int] = {}
    for kind, outcome, count in rows:
        key = (label_value(kind), label_value(outcome or "unknown"))
        found[key] = found.get(key, 0) + count
    return found


def _open_journeys(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute(
        "SELECT kind, COUNT(*) FROM journey WHERE ended_at IS NULL GROUP BY 1 LIMIT ?", [GROUPS_MAX]
    )  # the journey_open index
    found: dict[str, int] = {}
    for kind, count in rows:
        found[label_value(kind)] = found.get(label_value(kind), 0) + count
    return found


def label_value(value: object) -> str:
    """A label value from the store, as code writes them ("pickup", "not taken"); anything else,
    which only a hand-edited table could hold, is "other"."""
    return value if isinstance(value, str) and LABEL.match(value) else "other"


def _compartments(conn: sqlite3.Connection) -> Compartments:
    from kiosk.compartments import WITH_CONTENTS

    rows = conn.execute(
        f"SELECT size, in_service, holds_state, door FROM ({WITH_CONTENTS}) WHERE in_config = 1 LIMIT 10000"
    ).fetchall()
    free = dict.fromkeys(SIZES, 0)
    for size, in_service, holds_state, door in rows:
        if in_service and holds_state is None and door == "closed" and size in free:
            free[size] += 1  # what a new item could be given (Compartment.usable)
    return Compartments(
        in_service=sum(1 for r in rows if r[1]),
        out_of_service=sum(1 for r in rows if not r[1]),
        uncertain=sum(1 for r in rows if r[2] == "uncertain"),
        free=free,
    )


def _ui_snapshot(conn: sqlite3.Connection) -> tuple[Snapshot | None, datetime | None, str | None]:
    row = conn.execute("SELECT snapshot, at FROM process_snapshot WHERE process = ?", [UI_PROCESS]).fetchone()
    if row is None:
        return None, None, None
    at = parse_time(row[1])
    try:
        return parse_snapshot(str(row[0])), at, None
    except ValueError as exc:
        return None, at, f"its snapshot cannot be read ({type(exc).__name__})"


def _devices(conn: sqlite3.Connection, ui: Snapshot | None, ui_at: datetime | None) -> dict[str, Device]:
    """Each device as the touch screen last saw it: its heartbeat's words (``device_state``, every
    minute while idle), unless its snapshot (every read since) tells otherwise of its answering."""
    found: dict[str, Device] = {}
    for name, state, at in conn.execute("SELECT name, state, at FROM device_state LIMIT ?", [DEVICES_MAX]):
        words = " ".join(str(state).split())[:120]  # a driver's message may name a port, never a person
        found[str(name)] = {"answers": not words.startswith("not answering"), "state": words, "at": str(at)}
    at = ui_at.isoformat(timespec="seconds") if ui_at is not None else ""
    for name, seen in (ui.devices if ui is not None else {}).items():
        answers = seen == "ok"
        if name not in found or found[name]["answers"] != answers:
            state = "ok" if answers else f"not answering ({seen})"
            found[name] = {"answers": answers, "state": state, "at": at}
    return dict(sorted(found.items()))


def _sync_error(raw: str | None) -> dict[str, Any] | None:
    try:
        error = json.loads(raw) if raw else None
    except ValueError:
        return {"kind": "SyncError", "at": None, "request": None}
    if not isinstance(error, dict):
        return None
    return {k: error.get(k) for k in ("kind", "at", "request")}  # not the message: see the docstring


def parse_time(stamp: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(stamp)) if stamp else None
    except ValueError:
        return None


def _writable(conn: sqlite3.Connection) -> str | None:
    """Whether a write could start: the write lock taken and given back, nothing written. A
    writer holding it now is no problem (the touch screen mid-commit)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return None
        return f"the database cannot be written: {exc}"
    except sqlite3.Error as exc:
        return f"the database cannot be written: {exc}"
    return None


def _free_mb(data_dir: Path) -> int | None:
    try:
        return shutil.disk_usage(data_dir).free // (1024 * 1024)
    except OSError:
        return None


def _room(cfg: KioskConfig, free: int | None) -> str | None:
    if free is not None and free < cfg.kiosk.min_free_mb:
        return f"{free} MB free in {cfg.data_dir}, under the floor of {cfg.kiosk.min_free_mb} MB"
    return None


# -- what /healthz says -------------------------------------------------------------------------


# a flag that refuses nothing is no 503 (it is in ``flags`` still); one that refuses a part, said so
WARNINGS = frozenset({flags.DISK_NEAR_CAP})
FLAG_WORDS = {flags.DISK_CAP: "drop-offs refused"}


def problems(reading: Reading, stale_s: float) -> list[str]:
    """Why the kiosk cannot serve citizens now; empty when it can."""
    found = [f"store: {reading.store_problem}"] if reading.store_problem else []
    if reading.store_problem and reading.schema_version is None:
        return found  # nothing else could be read
    found += [
        f"{FLAG_WORDS.get(key, 'out of service')}: {key} (since {since})"
        for key, since in reading.flags.items()
        if key not in WARNINGS
    ]
    found += _ui_problems(reading, stale_s)
    if reading.compartments.in_service == 0:
        found.append("compartments: none is in service")
    boards = {n: d for n, d in reading.devices.items() if "/board" in n}
    if boards and not any(d["answers"] for d in boards.values()):
        found.append("devices: no lock board answers")
    return found


def _ui_problems(reading: Reading, stale_s: float) -> list[str]:
    if reading.ui_problem:
        return [f"touch screen: {reading.ui_problem}"]
    age = reading.ui_age_s
    if age is None:
        return ["touch screen: it has published nothing (is kiosk run running?)"]
    if age > stale_s:
        return [f"touch screen: its last word is {age:.0f} s old (over {stale_s:g} s): frozen or stopped"]
    if age < -stale_s:  # stamped by a clock since stepped back: it says the next time it publishes
        return [f"touch screen: its last word is dated {-age:.0f} s ahead of this clock"]
    return []


def healthz(reading: Reading, stale_s: float) -> tuple[bool, dict[str, Any]]:
    """(whether the kiosk can serve citizens, the JSON /healthz and ``kiosk health`` answer)."""
    found = problems(reading, stale_s)
    ui = reading.ui
    body: dict[str, Any] = {
        "status": "ok" if not found else "unavailable",
        "problems": found,
        "version": reading.version,
        "at": reading.now.isoformat(timespec="seconds"),
        "devices": reading.devices,
        "printer_paper": ui.printer_paper if ui is not None else "unknown",
        "store": {
            "ok": reading.store_problem is None,
            "problem": reading.store_problem,
            "schema_version": reading.schema_version,
            "free_mb": reading.free_mb,
            "flags": reading.flags,
        },
        "compartments": {
            "in_service": reading.compartments.in_service,
            "out_of_service": reading.compartments.out_of_service,
            "uncertain": reading.compartments.uncertain,
            "free": reading.compartments.free,
        },
        "sync": {
            "queue_depth": reading.queue_depth,
            "oldest_undelivered_age_s": reading.oldest_undelivered_age_s,
            "dead_letters": reading.dead_letters,
            "last_success": reading.last_success,
            "last_error": reading.last_error,
        },
        "last_error": _latest_error(reading),
        "ui": {
            "age_s": reading.ui_age_s,
            "published_at": reading.ui_at.isoformat(timespec="seconds") if reading.ui_at else None,
            "stale_after_s": stale_s,
        },
    }
    return not found, body


def _latest_error(reading: Reading) -> dict[str, Any] | None:
    """The newer of the sync's last error and the touch screen's last device fault."""
    candidates = []
    if reading.last_error is not None:
        candidates.append({"process": "sync", **reading.last_error})
    if reading.ui is not None and reading.ui.last_fault is not None:
        candidates.append({"process": "ui", **reading.ui.last_fault.model_dump()})
    dated = [(str(c.get("at") or ""), i, c) for i, c in enumerate(candidates)]
    return max(dated)[2] if dated else None
