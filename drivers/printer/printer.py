"""``ReceiptPrinter``: status before every print, then the receipt through python-escpos over our
URL-opened link (python-escpos's own Serial class opens only a device path).

A print that cannot happen raises ``PrinterNotReady`` before a byte of it is sent, so the screen
can show the code instead; a print cut off mid-way raises ``PrintInterrupted`` and is not retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from escpos.escpos import Escpos

from drivers.errors import DeviceError
from drivers.printer import status as rt
from drivers.printer.document import Document
from drivers.printer.errors import PrinterNotReady, PrintInterrupted, StatusUnreadable
from drivers.printer.render import PrinterProfile, VietnameseMode, render
from drivers.transport import Link


class LinkPrinter(Escpos):  # type: ignore[misc]
    """python-escpos's verbs, writing to our transport."""

    def __init__(self, link: Link, profile: str) -> None:
        super().__init__(profile=profile)
        self.link = link
        self.sent = 0

    def _raw(self, msg: bytes) -> None:
        self.link.write(msg)
        self.sent += len(msg)


@dataclass(frozen=True)
class PrintResult:
    bytes_sent: int
    seconds: float
    warnings: list[str]


class ReceiptPrinter:
    def __init__(
        self,
        link: Link,
        profile: PrinterProfile,
        mode: VietnameseMode | None = None,
        *,
        status_timeout_s: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link = link
        self.profile = profile
        self.mode = mode or profile.best_mode()
        self.status_timeout_s = status_timeout_s
        self._monotonic = monotonic
        self.log = logging.getLogger("drivers.printer")

    @classmethod
    def from_url(
        cls, url: str, profile: PrinterProfile, mode: VietnameseMode | None = None, *, baudrate: int = 115200
    ) -> ReceiptPrinter:
        return cls(Link(url, baudrate=baudrate, name="printer", private=True), profile, mode)

    def close(self) -> None:
        self.link.close()

    def status(self) -> rt.PrinterStatus:
        """Online, cover, paper: from DLE EOT 1, 2 and 4. ``StatusUnreadable`` if it will not say."""
        self.link.discard_input()
        answers = {n: self._ask(n) for n in rt.QUERIES}
        return rt.decode(answers)

    def _ask(self, n: int) -> int:
        self.link.write(rt.request(n))
        answer = self.link.read(1, self._monotonic() + self.status_timeout_s)
        if not answer:
            raise StatusUnreadable(f"the printer did not answer status request {n}: check power and cable")
        return answer[0]

    def print(self, doc: Document) -> PrintResult:
        ready = self.status()
        if not ready.can_print:
            raise PrinterNotReady(ready.problems)
        started = self._monotonic()
        sink = LinkPrinter(self.link, self.profile.name)
        try:
            render(doc, self.profile, self.mode, sink)
        except DeviceError as exc:
            raise PrintInterrupted(f"the {doc.name} was cut off after {sink.sent} bytes: {exc}") from exc
        after = self._status_after(doc, sink.sent)
        took = self._monotonic() - started
        self.log.info("printed %s: %d bytes in %.2f s (%s)", doc.name, sink.sent, took, self.mode.value)
        return PrintResult(sink.sent, took, list(dict.fromkeys(ready.warnings + after.warnings)))

    def _status_after(self, doc: Document, sent: int) -> rt.PrinterStatus:
        try:
            after = self.status()
        except DeviceError as exc:
            raise PrintInterrupted(f"the {doc.name} may be incomplete: {exc}") from exc
        if not after.can_print:
            problems = "; ".join(after.problems)
            raise PrintInterrupted(f"the {doc.name} was cut off ({sent} bytes sent): {problems}")
        return after
