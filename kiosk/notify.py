"""The service manager's notify protocol (sd_notify(3)), for ``Type=notify`` units: one datagram of
``KEY=value`` lines to the AF_UNIX socket named in ``$NOTIFY_SOCKET`` (a path, or ``@name`` in the
abstract namespace). ``READY=1`` once serving, ``WATCHDOG=1`` while healthy, ``STATUS=…`` for
``systemctl status``, ``STOPPING=1`` on the way out. (A slow start is the unit's TimeoutStartSec=.)

Written out rather than taken from a library: the protocol is one ``sendto``, a dependency
(sdnotify, or python-systemd with its C build against libsystemd) would bring more than it saves,
and this one is made to never block and never raise, so a service manager that has gone away can
never end or stall a kiosk's process. Outside systemd (no
``$NOTIFY_SOCKET``) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping

from kiosk.status import shown_text

log = logging.getLogger("kiosk.notify")
MAX_ADDRESS = 107  # sun_path, less its terminating NUL
MAX_STATUS = 200  # what `systemctl status` shows on one line
MIN_PING_S = 0.05  # a hostile or mistaken WATCHDOG_USEC=1 must not become a busy loop


def _address(raw: str | None) -> str | bytes | None:
    """What ``sendto`` takes, or None: anything but an absolute path or an @name is ignored, as
    libsystemd does."""
    if not raw or len(raw.encode()) > MAX_ADDRESS or "\0" in raw:
        return None
    if raw.startswith("@"):
        return b"\0" + raw[1:].encode()
    return raw if raw.startswith("/") else None


def _ping_every(environ: Mapping[str, str], pid: int) -> float | None:
    """Half the watchdog interval systemd gave, in seconds; None when there is no watchdog for
    this process (unset, malformed, or meant for another pid: WATCHDOG_PID)."""
    usec, owner = environ.get("WATCHDOG_USEC", ""), environ.get("WATCHDOG_PID", "")
    if not (usec.isascii() and usec.isdigit()) or int(usec) == 0:
        return None
    if owner and (not (owner.isascii() and owner.isdigit()) or int(owner) != pid):
        return None
    return max(MIN_PING_S, int(usec) / 2_000_000)


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None, pid: int | None = None) -> None:
        env = os.environ if environ is None else environ
        self.address = _address(env.get("NOTIFY_SOCKET"))
        # None: no watchdog asked for; otherwise how often to say WATCHDOG=1 (half its interval)
        self.ping_every_s = _ping_every(env, os.getpid() if pid is None else pid) if self.address else None
        self._sock: socket.socket | None = None
        # the health loop and the main thread both send; reentrant: a signal handler (STOPPING=1) may
        # run on the main thread in the middle of its own send
        self._lock = threading.RLock()
        self._failed = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *assignments: str) -> bool:
        """One datagram; False (logged once) when it could not be sent. Never raises, never blocks."""
        if self.address is None:
            return False
        data = "\n".join(assignments).encode()
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                    self._sock.setblocking(False)  # a full queue at the manager drops a ping, no more
                self._sock.sendto(data, self.address)
            except OSError as exc:
                if not self._failed:
                    log.warning("the service manager was not told (%s); trying again each time", exc)
                self._failed = True
                return False
        if self._failed:
            log.info("the service manager is told again")
        self._failed = False
        return True

    def ready(self, status: str) -> bool:
        return self.send("READY=1", _status(status))

    def status(self, status: str) -> bool:
        return self.send(_status(status))

    def watchdog(self, status: str | None = None) -> bool:
        return self.send("WATCHDOG=1", *([_status(status)] if status is not None else []))

    def stopping(self, status: str = "stopping") -> bool:
        return self.send("STOPPING=1", _status(status))

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


def _status(text: str) -> str:
    """One line: a newline in it would be a second assignment (a forged READY=1 or MAINPID=)."""
    return f"STATUS={shown_text(text, MAX_STATUS)}"
