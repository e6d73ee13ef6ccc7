"""STX … ETX SUM framing shared by the Kerong families. Pure: bytes in, values out.

SUM is the low byte of the sum of every byte before it (STX and ETX included).
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.lockboard.errors import ChecksumError, FrameError

STX = 0x02
ETX = 0x03


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def seal(*body: int) -> bytes:
    """A frame from its bytes after STX and before ETX."""
    head = bytes((STX, *body, ETX))
    return head + bytes((checksum(head),))


def check(frame: bytes, length: int) -> bytes:
    """``frame`` itself when it is a whole, well-formed frame of ``length`` bytes."""
    if len(frame) != length:
        raise FrameError(f"frame of {len(frame)} bytes where {length} were expected")
    if frame[0] != STX or frame[-2] != ETX:
        raise FrameError(f"frame {frame.hex(' ')} does not start with 02 and end with 03 <sum>")
    expected = checksum(frame[:-1])
    if frame[-1] != expected:
        raise ChecksumError(frame)
    return frame


@dataclass(frozen=True)
class Scan:
    """What a scan of a receive buffer found.

    ``frame`` is the first valid frame or None; ``consumed`` is how many leading bytes of the
    buffer the caller may drop (garbage, and the frame when one was found); ``bad_frame`` is a
    frame-shaped run with a wrong sum that was passed over, so a caller that times out can say why.
    """

    frame: bytes | None
    consumed: int
    bad_frame: bytes | None = None


def scan(buf: bytes, lengths: tuple[int, ...]) -> Scan:
    """Find the first valid frame of one of ``lengths`` in ``buf``, skipping bytes between frames.

    A 02 inside garbage must not hide a whole frame behind it, so every 02 is tried as a start;
    an incomplete candidate only holds the buffer from that point when nothing later is valid.
    """
    bad: bytes | None = None
    pending: int | None = None
    start = buf.find(STX)
    while start >= 0:
        for length in lengths:
            end = start + length
            if end > len(buf):
                pending = start if pending is None else pending
                continue
            candidate = buf[start:end]
            if candidate[-2] != ETX:
                continue
            if candidate[-1] == checksum(candidate[:-1]):
                return Scan(candidate, end, bad)
            bad = bad or candidate
        start = buf.find(STX, start + 1)
    return Scan(None, len(buf) if pending is None else pending, bad)
