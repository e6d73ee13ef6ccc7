"""Wrong PINs: counted on the row they guard (a result, a staff badge), which locks after
``Rules.pin_tries`` wrong ones for ``Rules.pin_lockout_s``; and counted across the kiosk, which
slows everyone down after too many in a window.

Time can go backwards (an NTP correction after the clock ran ahead): no lockout ever lasts longer
than its configured length from now. A lock or a failure stamped in the future is brought back to
now, in the store, so the cap holds from then on and does not slide along with the clock.

That alone would let someone who steps the clock ahead and back (a spoofed NTP answer) age the
failures at will; so the kiosk-wide windows are also counted in memory on the process's monotonic
clock (``Recent``), which no wall-clock step moves. The store's count carries across a restart.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Any

from kiosk.config import RulesSection as Rules
from kiosk.store import Store

FAILURE_TABLES = frozenset({"pin_failure", "staff_failure"})


def minutes_locked(store: Store, table: str, row: dict[str, Any], rules: Rules, now: datetime) -> int | None:
    """Whole minutes (at least 1) the row stays locked, or None when it is not locked."""
    until = locked_until(store, table, row, rules, now)
    return None if until is None else max(1, round((until - now).total_seconds() / 60))


def locked_until(
    store: Store, table: str, row: dict[str, Any], rules: Rules, now: datetime
) -> datetime | None:
    """When the row takes PINs again, or None when it takes them now; never later than one
    lockout from now."""
    if not row["locked_until"]:
        return None
    until = datetime.fromisoformat(row["locked_until"])
    longest = now + timedelta(seconds=rules.pin_lockout_s)
    if until > longest:  # locked while the clock ran ahead
        until = longest
        store.update(table, row["id"], {"locked_until": until.isoformat()})
    return until if until > now else None


def wrong_try(
    store: Store, table: str, row: dict[str, Any], rules: Rules, now: datetime, *, actor: str
) -> int:
    """Count a wrong PIN; returns the tries left, 0 when the row is now locked."""
    tries = row["failed_tries"] + 1
    locked = tries >= rules.pin_tries
    change: dict[str, Any] = {"failed_tries": tries}
    if locked:
        change = {
            "failed_tries": 0,
            "locked_until": (now + timedelta(seconds=rules.pin_lockout_s)).isoformat(),
        }
    with store.transaction():
        store.update(table, row["id"], change)
        store.audit(actor, f"{table}-pin-wrong", str(row["id"]), locked=locked)
    return 0 if locked else rules.pin_tries - tries


def busy_until(
    store: Store,
    table: str,
    now: datetime,
    *,
    limit: int,
    window_s: float,
    where: str = "",
    args: tuple[Any, ...] = (),
) -> datetime | None:
    """When the kiosk takes PINs again, if ``limit`` failures (in ``table``, optionally narrowed by
    ``where``) fell in the last ``window_s``; None when it takes them now. Never later than one
    window from now."""
    assert table in FAILURE_TABLES
    stamp = now.isoformat()
    with store.transaction() as db:
        db.execute(f"UPDATE {table} SET at = ? WHERE at > ?", [stamp, stamp])  # stamped while ahead
        since = (now - timedelta(seconds=window_s)).isoformat()
        count, first = db.execute(
            f"SELECT COUNT(*), MIN(at) FROM {table} WHERE at > ?{where}", [since, *args]
        ).fetchone()
    if count < limit:
        return None
    return datetime.fromisoformat(first) + timedelta(seconds=window_s)


def record_failure(store: Store, table: str, now: datetime, *extra: Any) -> None:
    assert table in FAILURE_TABLES
    marks = ", ".join("?" for _ in range(len(extra) + 1))
    store.db.execute(f"INSERT INTO {table} VALUES ({marks})", [*extra, now.isoformat()])


class Recent:
    """Failures by this process's monotonic clock: a wall clock stepped back and forth ages none."""

    def __init__(self) -> None:
        self._at: deque[float] = deque()

    def add(self, now: float) -> None:
        self._at.append(now)

    def wait_s(self, now: float, *, limit: int, window_s: float) -> float | None:
        """Seconds until fewer than ``limit`` failures fall in the last ``window_s``; None: none."""
        while self._at and self._at[0] <= now - window_s:
            self._at.popleft()
        if len(self._at) < limit:
            return None
        return self._at[len(self._at) - limit] + window_s - now


def longest(now: datetime, stored: datetime | None, recent_s: float | None) -> timedelta | None:
    """The longer of the two throttles' waits (the store's, from its stamps; memory's, in seconds)."""
    waits = []
    if stored is not None:
        waits.append(stored - now)
    if recent_s is not None:
        waits.append(timedelta(seconds=recent_s))
    positive = [w for w in waits if w > timedelta(0)]
    return max(positive) if positive else None
