"""``SerialScanner``: codes from a USB-CDC or RS232 scanner on a URL-opened link.

A repeat of the same code within the repeat window is dropped (a person holding a slip under the
reader must not trigger twice); a half code followed by silence is dropped as incomplete; an
unplugged scanner is reopened, every ``reconnect_s``, for as long as the caller keeps reading.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.errors import DeviceError
from drivers.scanner.errors import IncompleteRead, ReadTooLong
from drivers.scanner.framing import TERMINATORS, LineFramer, decode
from drivers.scanner.repeat import RepeatFilter
from drivers.transport import Link


@dataclass(frozen=True)
class ScannerSettings:
    terminator: str = "CR"
    prefix: str = ""
    suffix: str = ""
    max_length: int = 512
    repeat_window_s: float = 1.5
    idle_reset_s: float = 0.3  # a code arrives in one burst; a longer gap means it was cut off
    reconnect_s: float = 1.0


class SerialScanner:
    def __init__(
        self,
        link: Link,
        settings: ScannerSettings | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.link = link
        self.settings = settings or ScannerSettings()
        self.framer = LineFramer(TERMINATORS[self.settings.terminator], self.settings.max_length)
        self.link_error: DeviceError | None = None  # why the scanner is not connected, if it is not
        self._monotonic = monotonic
        self._sleep = sleep
        self._ready: list[bytes | ReadTooLong] = []
        self._repeats = RepeatFilter(self.settings.repeat_window_s, monotonic)
        self._last_byte_at = 0.0
        self._next_reconnect = 0.0
        self.log = logging.getLogger("drivers.scanner")

    @classmethod
    def from_url(
        cls, url: str, *, baudrate: int = 9600, settings: ScannerSettings | None = None
    ) -> SerialScanner:
        return cls(Link(url, baudrate=baudrate, name="scanner", private=True), settings)

    def connect(self) -> bool:
        """Open the port now (opening flushes its input, so codes sent before are lost); False,
        with ``link_error`` saying why, when the scanner is not there."""
        now = self._monotonic()
        return self._connected(now, now)

    def close(self) -> None:
        self.link.close()

    def read_code(self, timeout: float) -> str | None:
        """The next new code within ``timeout`` seconds, or None.

        Raises a ``BadRead`` (too long, not UTF-8, cut off) for a read that cannot be a code; the
        caller shows it and reads on.
        """
        deadline = self._monotonic() + timeout
        while True:
            if self._ready:
                code = self._accept(self._ready.pop(0))
                if code is not None:
                    return code
                continue
            if self._monotonic() >= deadline:
                return None
            self._receive(deadline)

    def _receive(self, deadline: float) -> None:
        now = self._monotonic()
        if self.framer.pending and now - self._last_byte_at > self.settings.idle_reset_s:
            got = self.framer.pending
            self.framer.reset()
            raise IncompleteRead(got)
        if not self._connected(now, deadline):
            return
        # wake in time to notice a half code going stale
        until = min(deadline, now + self.settings.idle_reset_s) if self.framer.pending else deadline
        try:
            data = self.link.read(4096, until)
        except DeviceError as exc:
            self._disconnected(exc)
            return
        if data:
            self._last_byte_at = self._monotonic()
            self._ready += self.framer.feed(data)

    def _accept(self, item: bytes | ReadTooLong) -> str | None:
        if isinstance(item, ReadTooLong):
            raise item
        code = decode(item, self.settings.prefix, self.settings.suffix)
        if not self._repeats.fresh(code):
            self.log.debug("dropped a repeat read within %.1f s", self.settings.repeat_window_s)
            return None
        return code

    def _connected(self, now: float, deadline: float) -> bool:
        if self.link.is_open:
            return True
        if now < self._next_reconnect:
            self._sleep(max(0.0, min(self._next_reconnect, deadline) - now))
            return False
        try:
            self.link.open()
        except DeviceError as exc:
            self._disconnected(exc)
            return False
        if self.link_error is not None:
            self.log.warning("scanner connected again at %s", self.link.url)
        self.link_error = None
        return True

    def _disconnected(self, exc: DeviceError) -> None:
        if self.link_error is None:
            self.log.warning("scanner lost: %s; retrying every %.0f s", exc, self.settings.reconnect_s)
        self.link_error = exc
        self.link.close()
        self.framer.reset()
        self._next_reconnect = self._monotonic() + self.settings.reconnect_s
