"""Cutting a scanner's byte stream into codes. Pure: bytes in, codes or bad reads out."""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.scanner.errors import NotUtf8, ReadTooLong

TERMINATORS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "TAB": b"\t"}


@dataclass
class LineFramer:
    """Splits on ``terminator``; a run longer than ``max_length`` yields one ``ReadTooLong`` and is
    dropped up to its terminator, so a 10 KB line never grows the buffer past the limit."""

    terminator: bytes
    max_length: int
    _buf: bytearray = field(default_factory=bytearray)
    _skipping: bool = False

    def feed(self, data: bytes) -> list[bytes | ReadTooLong]:
        out: list[bytes | ReadTooLong] = []
        self._buf += data
        while True:
            end = self._buf.find(self.terminator)
            if end < 0:
                break
            line = bytes(self._buf[:end])
            del self._buf[: end + len(self.terminator)]
            if self._skipping:
                self._skipping = False
            elif len(line) > self.max_length:
                out.append(ReadTooLong(self.max_length))
            elif line:
                out.append(line)
        if len(self._buf) > self.max_length:
            if not self._skipping:
                out.append(ReadTooLong(self.max_length))
                self._skipping = True
            # keep a tail that could be the start of a split terminator
            del self._buf[: len(self._buf) - len(self.terminator) + 1]
        return out

    @property
    def pending(self) -> int:
        """Bytes of a code begun but not ended (0 while dropping an overlong one)."""
        return 0 if self._skipping else len(self._buf)

    def reset(self) -> None:
        self._buf.clear()
        self._skipping = False


def decode(raw: bytes, prefix: str = "", suffix: str = "") -> str:
    """The code in one read: UTF-8, with the configured prefix and suffix taken off."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotUtf8(raw) from None
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :]
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)]
    return text
