"""``kiosk sync`` as systemd's ``Type=notify`` service (kiosk/notify.py): READY=1 when the worker
starts serving, then WATCHDOG=1 from a health loop (kiosk/watchdog.py) only while the worker's
loop is alive and the store can be written. A loop stuck anywhere stops the pings and systemd
restarts the process; the backend being down does not (the loop is alive, backing off).

"Alive" is read from what the loop must do within a bounded time: it is asleep in
``worker.sleep`` (an idle wait or a backoff, however long), or inside a call to the backend,
which has a total deadline (sync/deadline.py), or it began or ended one of those less than
``STALL_S`` ago (the work between two calls is a few SQLite statements).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.notify import Notifier
from kiosk.watchdog import HealthLoop, StoreProbe
from sync.client import BackendClient
from sync.deadline import Deadline
from sync.worker import SyncWorker

STALL_S = 30.0  # between calls and sleeps: far more than any round's own work takes
GRACE_S = 5.0  # past a call's deadline: the deadline socket ends it within half a second


class Liveness:
    """Signs of life of the worker's loop, read from another thread."""

    def __init__(self, deadline: Deadline, clock: Callable[[], float] = time.monotonic) -> None:
        self.deadline = deadline  # the worker's client's: its call in flight, if any
        self.clock = clock
        self._asleep = False
        self._moved = clock()

    def wrap(self, sleep: Callable[[float], None]) -> Callable[[float], None]:
        """``sleep`` as the worker's, marking the loop asleep while it lasts."""

        def sleeping(seconds: float) -> None:
            self._moved, self._asleep = self.clock(), True
            try:
                sleep(seconds)
            finally:
                self._moved, self._asleep = self.clock(), False

        return sleeping

    def check(self) -> str | None:
        now = self.clock()
        if self._asleep:
            return None
        ends = self.deadline.ends
        if ends is not None:
            late = now - ends
            return None if late < GRACE_S else f"a call to the backend is {late:.0f} s past its deadline"
        still = now - max(self._moved, self.deadline.last_active)
        return None if still < STALL_S else f"the sync's loop has not moved for {still:.0f} s"


class SyncHealth:
    """What ``kiosk sync`` tells systemd, from start to stop."""

    def __init__(self, worker: SyncWorker, client: BackendClient, notifier: Notifier | None = None) -> None:
        self.notifier = notifier or Notifier()
        alive = Liveness(client.deadline)
        worker.sleep = alive.wrap(worker.sleep)
        probe = StoreProbe(worker.store.path)

        def serving() -> str:
            failures = worker.failures  # an int, read from this thread while the worker's moves it
            return "syncing" + (f"; the backend failed {failures} time(s) in a row" if failures else "")

        self.loop = HealthLoop(self.notifier, [alive.check, probe.writable], serving, name="sync-health")

    def serving(self) -> None:
        self.loop.ready()

    def stopping(self) -> None:
        self.loop.stopping()

    def closed(self) -> None:
        self.loop.closed()
