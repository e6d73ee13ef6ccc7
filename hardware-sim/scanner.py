"""``kiosk-sim scanner``: a serial QR/barcode scanner on a pty that sends a code when told.

Control commands: ``scan TEXT…`` (a whole read: prefix, text, suffix, terminator), ``half TEXT…``
(a read cut off before its end), ``raw HEX`` (any bytes, e.g. garbage), ``flood N`` (N bytes with
no end), and the common ``state`` and ``link down|up`` (unplug and plug back in).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drivers.scanner.framing import TERMINATORS
from hardware_sim.device import Command, SimDevice


class ScannerSim(SimDevice):
    kind = "scanner"

    def __init__(
        self, link: Path, control: Path | None = None, *, terminator: str = "CR", prefix: str = "",
        suffix: str = "",
    ) -> None:  # fmt: skip
        self.terminator = TERMINATORS[terminator]
        self.prefix = prefix
        self.suffix = suffix
        self.reads_sent = 0
        super().__init__(link, control)

    def commands(self) -> dict[str, Command]:
        return {
            "scan": (self.scan, "TEXT…"),
            "half": (self.half, "TEXT…"),
            "raw": (self.raw, "HEX"),
            "flood": (self.flood, "N"),
        }

    def snapshot(self) -> dict[str, Any]:
        return {**super().snapshot(), "reads_sent": self.reads_sent}

    def scan(self, *words: str) -> Any:
        text = " ".join(words)
        if not text:
            raise ValueError("nothing to scan")
        return self._send((self.prefix + text + self.suffix).encode() + self.terminator)

    def half(self, *words: str) -> Any:
        text = (self.prefix + " ".join(words)).encode()
        return self._send(text[: max(1, len(text) // 2)])

    def raw(self, hex_bytes: str) -> Any:
        return self._send(bytes.fromhex(hex_bytes))

    def flood(self, n: str) -> Any:
        return self._send(b"A" * int(n) + self.terminator)

    def _send(self, data: bytes) -> Any:
        self.write(data)
        self.reads_sent += 1
        return self.snapshot()
