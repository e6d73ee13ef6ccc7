"""ESC/POS real-time status (DLE EOT n). Pure: request bytes out, answer bytes in.

Each answer is one byte; bits 1 and 4 are always 1 and bits 0 and 7 always 0, so anything else is
not a status answer (protocols/escpos-vietnamese.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.printer.errors import StatusUnreadable

PRINTER, OFFLINE_CAUSE, PAPER = 1, 2, 4
QUERIES = (PRINTER, OFFLINE_CAUSE, PAPER)


def request(n: int) -> bytes:
    return bytes((0x10, 0x04, n))


@dataclass(frozen=True)
class PrinterStatus:
    offline: bool = False
    cover_open: bool = False
    stopped_for_paper: bool = False
    paper_near_end: bool = False
    paper_out: bool = False

    @property
    def can_print(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        found = []
        if self.cover_open:
            found.append("the cover is open: close it")
        if self.paper_out or self.stopped_for_paper:
            found.append("the paper has run out: load a new roll")
        if self.offline and not found:
            found.append("the printer is offline: check its power and error light")
        return found

    @property
    def warnings(self) -> list[str]:
        return ["the paper is nearly out: load a new roll soon"] if self.paper_near_end else []


def well_formed(answer: int) -> bool:
    return answer & 0b1001_0011 == 0b0001_0010


def decode(answers: dict[int, int]) -> PrinterStatus:
    """The status from the answers to DLE EOT 1, 2 and 4."""
    for n, answer in answers.items():
        if not well_formed(answer):
            raise StatusUnreadable(f"the printer answered status request {n} with {answer:02X}, not a status")
    printer, cause, paper = answers[PRINTER], answers[OFFLINE_CAUSE], answers[PAPER]
    return PrinterStatus(
        offline=bool(printer & 0x08),
        cover_open=bool(cause & 0x04),
        stopped_for_paper=bool(cause & 0x20),
        paper_near_end=bool(paper & 0x0C),
        paper_out=bool(paper & 0x60),
    )


def encode(status: PrinterStatus) -> dict[int, int]:
    """The answers a printer in ``status`` gives (the simulator's side)."""
    fixed = 0x12
    return {
        PRINTER: fixed | (0x08 if status.offline else 0),
        OFFLINE_CAUSE: fixed | (0x04 if status.cover_open else 0) | (0x20 if status.stopped_for_paper else 0),
        PAPER: fixed | (0x0C if status.paper_near_end else 0) | (0x60 if status.paper_out else 0),
    }
