"""A byte link opened from a pyserial URL: a device, a pty path, socket://, loop://, spy://.

Switching between a real board and the simulator is a change of URL, never of code. Every byte in
and out is logged in hex at debug level, except on a link that carries what citizens hold (a
scanner's QR codes, a receipt's PIN and dossier code): there only how many bytes (DESIGN §5). A
link that fails is closed and reopened on next use, so an adapter that is unplugged and plugged
back in recovers without restarting the program.
"""

from __future__ import annotations

import contextlib
import logging
import termios
import time
from collections.abc import Callable

import serial

from drivers.errors import LinkLost, LinkUnavailable

# What a port that vanishes can raise: pyserial's own error, the OS's, or termios' (not an OSError).
_PORT_ERRORS = (serial.SerialException, OSError, termios.error)

# How long one read call may block; reads loop until their own deadline, so this only bounds how
# late a deadline can be noticed, not how fast bytes are delivered.
READ_SLICE_S = 0.02


class Link:
    """One serial line shared by the devices on it. Not thread-safe: the device class serialises."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 19200,
        stopbits: float = serial.STOPBITS_ONE,
        name: str = "link",
        private: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.stopbits = stopbits  # 8N1 but for SSP's validators, which want 8N2
        self.log = logging.getLogger(f"drivers.link.{name}")
        self.private = private
        self._monotonic = monotonic
        self._port: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        if self._port is not None:
            return
        try:
            self._port = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                stopbits=self.stopbits,
                timeout=READ_SLICE_S,
                write_timeout=1.0,
            )
        except (*_PORT_ERRORS, ValueError) as exc:
            raise LinkUnavailable(self.url, _reason(exc)) from exc
        self.log.debug("opened %s at %d baud", self.url, self.baudrate)

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(*_PORT_ERRORS):
                port.close()

    def flush(self) -> None:
        """Drop stale bytes both ways; stale input garbles the next reply (field note)."""
        port = self._require()
        try:
            port.reset_input_buffer()
            port.reset_output_buffer()
        except _PORT_ERRORS as exc:
            self._lost(exc)

    def discard_input(self) -> None:
        """Drop stale input only: output may still hold a job that must reach the device."""
        port = self._require()
        try:
            port.reset_input_buffer()
        except _PORT_ERRORS as exc:
            self._lost(exc)

    def write(self, data: bytes) -> None:
        port = self._require()
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("-> %s", self._shown(data))
        try:
            port.write(data)
            port.flush()
        except _PORT_ERRORS as exc:
            self._lost(exc)

    def read(self, size: int, deadline: float) -> bytes:
        """Up to ``size`` bytes: as soon as one has arrived, it and whatever else is waiting;
        b"" only once ``deadline`` has passed with nothing received."""
        port = self._require()
        while True:
            try:
                data: bytes = port.read(1)
                waiting = port.in_waiting if data else 0
                if waiting and size > 1:
                    data += port.read(min(waiting, size - 1))
            except _PORT_ERRORS as exc:
                self._lost(exc)
            if data:
                if self.log.isEnabledFor(logging.DEBUG):
                    self.log.debug("<- %s", self._shown(data))
                return data
            if self._monotonic() >= deadline:
                return b""

    def _shown(self, data: bytes) -> str:
        return f"{len(data)} bytes" if self.private else data.hex(" ")

    def _require(self) -> serial.Serial:
        if self._port is None:
            self.open()
        assert self._port is not None
        return self._port

    def _lost(self, exc: BaseException) -> None:
        self.close()
        raise LinkLost(self.url, _reason(exc)) from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, termios.error) and len(exc.args) == 2:
        return str(exc.args[1])
    text = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    # pyserial nests the OS's text: "could not open port X: [Errno 2] No such file or directory: X"
    return text.rsplit("] ", 1)[-1] or type(exc).__name__
