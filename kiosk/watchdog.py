"""A service's health loop for systemd's watchdog (``WatchdogSec=``): a plain thread that, every
half interval, runs the service's checks and says ``WATCHDOG=1`` only when every one passed. A
process that hangs (its screen, its core, its sync loop) or cannot write its store stops saying
it, and systemd kills and restarts it; what was wrong is said in ``STATUS=`` meanwhile, in plain
words with no citizen data.

The checks are the service's own (ui/health.py for the touch screen, sync/liveness.py for the
sync); the store probe here is shared. Nothing here imports Qt.
"""

from __future__ import annotations

import faulthandler
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk.notify import Notifier

log = logging.getLogger("kiosk.watchdog")
# None: healthy; otherwise a short reason, for STATUS= and the journal
Check = Callable[[], str | None]
STORE_WAIT_S = 1.0  # how long the write lock may be waited for before the store counts as stuck


class HealthLoop:
    def __init__(
        self, notifier: Notifier, checks: Sequence[Check], serving: Callable[[], str], *, name: str
    ) -> None:
        self.notifier = notifier
        self.checks = list(checks)
        self.serving = serving  # the STATUS= line while healthy ("serving; a board is not answering")
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._said: str | None = None

    def start(self) -> None:
        """The loop runs only when systemd asked for a watchdog: elsewhere nobody listens."""
        if self.notifier.ping_every_s is None or self._thread is not None:
            return
        # systemd's watchdog ends a hung process with SIGABRT: the journal then has every thread's
        # stack (function names and lines, no data), to find where it hung
        if not faulthandler.is_enabled():
            faulthandler.enable()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def halt(self) -> None:
        """No more pings or statuses from now (the process is stopping); returns at once."""
        self._stop.set()

    def stop(self) -> None:
        self.halt()
        if self._thread is not None:
            self._thread.join(5)

    # a service's life, as systemd hears it: READY, then the pings; STOPPING; the loop's end
    def ready(self) -> None:
        """The service serves: READY=1 with its status, and the watchdog's pings from now on."""
        if self.notifier.enabled:  # outside systemd the store is not even looked at
            self.notifier.ready(self.serving())
            self.start()

    def stopping(self) -> None:
        """SIGTERM: STOPPING=1 at once; ``closed`` ends the loop once the service has let go."""
        self.halt()
        self.notifier.stopping()

    def closed(self) -> None:
        self.stop()
        self.notifier.close()

    def problem(self) -> str | None:
        """The first check that fails, in words; a check that raises fails with its error's kind."""
        for check in self.checks:
            try:
                found = check()
            except Exception as exc:  # a broken check is a failing one, never the end of the loop
                log.exception("a health check failed unexpectedly")
                found = f"a health check failed ({type(exc).__name__})"
            if found is not None:
                return found
        return None

    def once(self) -> bool:
        """One round: the checks, then WATCHDOG=1 if they passed; STATUS= when it changed."""
        found = self.problem()
        if self._stop.is_set():  # stopping: the threads asked may rightly not answer any more
            return False
        status = self.serving() if found is None else found
        if status != self._said:
            if found is not None:
                log.warning("not healthy: %s; systemd is not told all is well", found)
            elif self._said is not None:
                log.info("healthy again: %s", status)
        changed = status if status != self._said else None
        self._said = status
        if found is None:
            self.notifier.watchdog(changed)
        elif changed is not None:
            self.notifier.status(changed)
        return found is None

    def _run(self) -> None:
        every = self.notifier.ping_every_s or 1.0
        while not self._stop.wait(every):
            try:
                self.once()
            except Exception:  # the loop must outlive anything; if it died, systemd would restart us
                log.exception("the health loop's round failed")


class StoreProbe:
    """The store as the health loop sees it, on a connection of its own (SQLite connections are
    one thread's): whether the write lock can be taken now, and what the devices last said."""

    def __init__(self, path: Path, wait_s: float = STORE_WAIT_S) -> None:
        self.path = path
        self.wait_s = wait_s
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            # mode=rw: a probe never makes a database where there was none
            uri = f"file:{self.path}?mode=rw"
            self._db = sqlite3.connect(
                uri, uri=True, timeout=self.wait_s, isolation_level=None, check_same_thread=False
            )
        return self._db

    def writable(self) -> str | None:
        """BEGIN IMMEDIATE takes the one write lock (WAL) and ROLLBACK gives it back: nothing is
        written, no fsync, yet a store that another connection holds, or that cannot be opened
        for writing, fails here within ``wait_s``."""
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return None
        except sqlite3.Error as exc:
            self.close()  # opened afresh next round: a replaced file is seen
            return f"the store cannot be written ({exc})"

    def devices_in_trouble(self) -> list[str]:
        """The devices whose last reading was not "ok" (device_state, written by the screen's
        process), by name only."""
        try:
            rows = self._connection().execute(
                "SELECT name FROM device_state WHERE state != 'ok' ORDER BY name"
            )
            return [str(name) for (name,) in rows]
        except sqlite3.Error:
            return []

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
