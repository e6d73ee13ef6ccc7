"""Printer errors: what stops a print, said so a technician knows what to do."""

from __future__ import annotations

from drivers.errors import DeviceError


class PrinterError(DeviceError):
    """Base of the printer's errors."""


class StatusUnreadable(PrinterError):
    """The printer did not answer a real-time status request, or answered nonsense."""


class PrinterNotReady(PrinterError):
    """The status says the printer cannot print now; nothing was sent."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the printer cannot print: " + "; ".join(problems))
        self.problems = problems


class PrintInterrupted(PrinterError):
    """A print was cut off mid-way: part of the receipt may have come out. Not retried blindly."""
