"""Scanner errors: each spoils one read only; the scanner goes on reading after it."""

from __future__ import annotations

from drivers.errors import DeviceError


class ScannerError(DeviceError):
    """Base of the scanner's errors."""


class BadRead(ScannerError):
    """One read that cannot be a code; the next read is unaffected."""


class ReadTooLong(BadRead):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the scanner sent more than {limit} bytes without an end of code; dropped")
        self.limit = limit


class NotUtf8(BadRead):
    def __init__(self, raw: bytes) -> None:
        shown = raw[:32].hex(" ") + (" …" if len(raw) > 32 else "")
        super().__init__(f"the scanner sent bytes that are not UTF-8 text ({shown}); dropped")
        self.raw = raw


class IncompleteRead(BadRead):
    def __init__(self, got: int) -> None:
        super().__init__(f"the scanner sent {got} bytes of a code and then stopped; dropped")
        self.got = got
