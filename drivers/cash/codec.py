"""SSP (Innovative Technology's Smiley Secure Protocol, plain, not eSSP) as bytes and values.

Pure: no I/O, no clock. The host side (the driver) and the validator side (the simulator) use the
same functions, and every decoder is total: any bytes give a value or a ``CodecError``.
protocols/cash-ssp.md is the authority for every rule here.

A frame on the wire is ``STX SEQ LEN DATA… CRCL CRCH``; after STX every 0x7F is doubled, so a
single 0x7F always starts a new frame.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drivers.cash.errors import CodecError, CrcError, FrameError

STX = 0x7F
SEQ_FLAG = 0x80
MAX_ADDRESS = 0x7D  # 0x7E and 0x7F are not addresses
OK = 0xF0


class Command(enum.IntEnum):
    RESET = 0x01
    SET_INHIBITS = 0x02
    SETUP_REQUEST = 0x05
    HOST_PROTOCOL_VERSION = 0x06
    POLL = 0x07
    REJECT = 0x08
    DISABLE = 0x09
    ENABLE = 0x0A
    SERIAL_NUMBER = 0x0C
    SYNC = 0x11


def command_name(code: int) -> str:
    try:
        return Command(code).name.replace("_", " ")
    except ValueError:
        return f"command {code:02X}"


# -- CRC and framing ---------------------------------------------------------------------------


def crc16(data: bytes) -> int:
    """CRC-16, polynomial 0x8005, seed 0xFFFF, MSB first, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = (crc << 1 ^ 0x8005 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


@dataclass(frozen=True)
class Frame:
    """One packet: the sequence flag, the slave's address, and DATA (command or reply first)."""

    flag: bool
    address: int
    data: bytes

    @property
    def seq(self) -> int:
        return (SEQ_FLAG if self.flag else 0) | self.address


def encode_frame(frame: Frame) -> bytes:
    if not 0 <= frame.address <= 0x7F:
        raise FrameError(f"address {frame.address} is not 0–127")
    if not 1 <= len(frame.data) <= 255:
        raise FrameError(f"an SSP frame carries 1–255 data bytes, not {len(frame.data)}")
    body = bytes((frame.seq, len(frame.data))) + frame.data
    crc = crc16(body)
    body += bytes((crc & 0xFF, crc >> 8))
    return bytes((STX,)) + body.replace(b"\x7f", b"\x7f\x7f")


def command_frame(flag: bool, address: int, command: int, params: bytes = b"") -> bytes:
    return encode_frame(Frame(flag, address, bytes((command,)) + params))


class FrameReader:
    """Turns a byte stream into frames, a chunk at a time, whatever the chunks' edges.

    Bytes before an STX are skipped; 0x7F 0x7F inside a frame is one 0x7F; a single 0x7F inside a
    frame abandons it (``FrameError``) and starts the next. ``feed`` never raises: what it found
    is returned in order, frames and the errors that stand for frames that were spoilt.
    """

    def __init__(self) -> None:
        self._body: bytearray | None = None  # None: hunting for STX
        self._escape = False  # a 0x7F inside a frame, waiting for the byte that says what it was
        self.skipped = 0  # bytes outside any frame, for a caller's diagnosis

    @property
    def inside_frame(self) -> bool:
        return self._body is not None

    def feed(self, data: bytes) -> list[Frame | CodecError]:
        found: list[Frame | CodecError] = []
        for byte in data:
            if self._body is None:
                if byte == STX:
                    self._body = bytearray()
                else:
                    self.skipped += 1
            elif self._escape:
                self._escape = False
                if byte == STX:
                    self._take(byte, found)
                else:  # the 0x7F was a lone STX: what came before it was cut short
                    if self._body:
                        found.append(FrameError(f"SSP frame {self._body.hex(' ')} cut short by a new STX"))
                    self._body = bytearray()
                    self._take(byte, found)
            elif byte == STX:
                self._escape = True
            else:
                self._take(byte, found)
        return found

    def _take(self, byte: int, found: list[Frame | CodecError]) -> None:
        body = self._body
        assert body is not None
        body.append(byte)
        if len(body) < 2:
            return
        if body[1] == 0:
            found.append(FrameError(f"SSP frame with length 0 (SEQ {body[0]:02X})"))
            self._body = None
            return
        if len(body) == body[1] + 4:
            found.append(_checked(bytes(body)))
            self._body = None


def _checked(body: bytes) -> Frame | CodecError:
    expected = crc16(body[:-2])
    got = body[-2] | body[-1] << 8
    if got != expected:
        return CrcError(body, expected, got)
    return Frame(bool(body[0] & SEQ_FLAG), body[0] & 0x7F, body[2:-2])


def decode_frame(raw: bytes) -> Frame:
    """Exactly one whole frame (stuffed, as on the wire), nothing before or after it."""
    reader = FrameReader()
    found = reader.feed(raw)
    if reader.inside_frame or reader.skipped or len(found) != 1:
        raise FrameError(f"{raw.hex(' ')} is not exactly one SSP frame")
    if isinstance(found[0], CodecError):
        raise found[0]
    return found[0]


# -- SETUP REQUEST -----------------------------------------------------------------------------

# bounded (DESIGN §7): SET INHIBITS' masks for NV9 / NV10 / NV200 datasets stop far below this
MAX_CHANNELS = 24


@dataclass(frozen=True)
class Setup:
    """What the validator says of itself. ``channels``: the value in đồng of channel 1, 2, …"""

    firmware: str
    country: str
    channels: tuple[int, ...]
    protocol: int
    unit_type: int


def parse_setup(data: bytes) -> Setup:
    """The SETUP REQUEST reply after its 0xF0. From protocol 6 the expanded values (4 bytes, least
    significant first) are the notes' values; before it, channel value × value multiplier."""
    if len(data) < 12:
        raise FrameError(f"a SETUP REQUEST reply of {len(data)} bytes is too short")
    unit_type, n = data[0], data[11]
    if n > MAX_CHANNELS:
        raise FrameError(
            f"a SETUP REQUEST reply naming {n} channels: a note validator has at most {MAX_CHANNELS}"
        )
    firmware, country = _ascii(data[1:5], "firmware"), _ascii(data[5:8], "country")
    multiplier = int.from_bytes(data[8:11], "big")
    protocol_at = 12 + 2 * n + 3
    if len(data) <= protocol_at:
        raise FrameError(f"a SETUP REQUEST reply of {len(data)} bytes is too short for {n} channels")
    protocol = data[protocol_at]
    expected = protocol_at + 1 + (7 * n if protocol >= 6 else 0)
    if len(data) != expected:
        raise FrameError(
            f"a SETUP REQUEST reply for {n} channels at protocol {protocol} has {expected} bytes, "
            f"not {len(data)}"
        )
    if protocol >= 6:
        for i in range(n):
            _ascii(data[protocol_at + 1 + 3 * i : protocol_at + 4 + 3 * i], "channel country")
        at = protocol_at + 1 + 3 * n
        values = tuple(int.from_bytes(data[at + 4 * i : at + 4 * i + 4], "little") for i in range(n))
    else:
        values = tuple(v * multiplier for v in data[12 : 12 + n])
    return Setup(firmware, country, values, protocol, unit_type)


def encode_setup(setup: Setup) -> bytes:
    """The validator's side: the reply data after 0xF0, with per-channel values and, from
    protocol 6, the expanded values too."""
    n = len(setup.channels)
    multiplier = _multiplier(setup.channels)
    out = bytearray((setup.unit_type,))
    out += setup.firmware.encode("ascii") + setup.country.encode("ascii")
    out += multiplier.to_bytes(3, "big") + bytes((n,))
    out += bytes(v // multiplier if multiplier else 0 for v in setup.channels)
    out += bytes((2,) * n)  # channel security: obsolete, the manual's usual value
    out += (1).to_bytes(3, "big") + bytes((setup.protocol,))  # real value multiplier: đồng are whole
    if setup.protocol >= 6:
        out += setup.country.encode("ascii") * n
        out += b"".join(v.to_bytes(4, "little") for v in setup.channels)
    return bytes(out)


def _multiplier(values: Sequence[int]) -> int:
    """The largest power of ten dividing every value with each quotient fitting one byte; 0 when
    there is none (then only protocol 6's expanded values carry them)."""
    m = 1
    while all(v % (m * 10) == 0 for v in values) and values and min(values) >= m * 10:
        m *= 10
    return m if all(v // m <= 255 and v % m == 0 for v in values) else 0


def _ascii(raw: bytes, what: str) -> str:
    if not all(0x20 <= b < 0x7F for b in raw):
        raise FrameError(f"the {what} field {raw.hex(' ')} is not printable ASCII")
    return raw.decode("ascii")


# -- poll events -------------------------------------------------------------------------------


class NoteEventKind(enum.StrEnum):
    SLAVE_RESET = "slave-reset"
    READ = "read"
    CREDIT = "credit"
    REJECTING = "rejecting"
    REJECTED = "rejected"
    STACKING = "stacking"
    STACKED = "stacked"
    SAFE_JAM = "safe-jam"
    UNSAFE_JAM = "unsafe-jam"
    DISABLED = "disabled"
    STACKER_FULL = "stacker-full"
    FRAUD = "fraud"
    CLEARED_FRONT = "cleared-front"
    CLEARED_CASHBOX = "cleared-cashbox"
    CASHBOX_REMOVED = "cashbox-removed"
    CASHBOX_REPLACED = "cashbox-replaced"
    CHANNELS_DISABLED = "channels-disabled"
    INITIALISING = "initialising"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class NoteEvent:
    """One poll event. ``channel``: the channel it names (for ``unknown``, the raw code);
    ``value``: that channel's note in đồng when known. ``repeated``: a credit the driver judged to
    be the same note's credit again (no note was read since the last credit): not money."""

    kind: NoteEventKind
    channel: int | None = None
    value: int | None = None
    repeated: bool = False


K = NoteEventKind
# code -> (event, whether a channel byte follows)
EVENT_CODES: dict[int, tuple[NoteEventKind, bool]] = {
    0xF1: (K.SLAVE_RESET, False),
    0xEF: (K.READ, True),
    0xEE: (K.CREDIT, True),
    0xED: (K.REJECTING, False),
    0xEC: (K.REJECTED, False),
    0xCC: (K.STACKING, False),
    0xEB: (K.STACKED, False),
    0xEA: (K.SAFE_JAM, False),
    0xE9: (K.UNSAFE_JAM, False),
    0xE8: (K.DISABLED, False),
    0xE7: (K.STACKER_FULL, False),
    0xE6: (K.FRAUD, True),
    0xE1: (K.CLEARED_FRONT, True),
    0xE2: (K.CLEARED_CASHBOX, True),
    0xE3: (K.CASHBOX_REMOVED, False),
    0xE4: (K.CASHBOX_REPLACED, False),
    0xB5: (K.CHANNELS_DISABLED, False),
    0xB6: (K.INITIALISING, False),
}
CODE_OF = {kind: code for code, (kind, _) in EVENT_CODES.items()}
HAS_CHANNEL = frozenset(kind for kind, has in EVENT_CODES.values() if has)


def parse_events(data: bytes, channels: Sequence[int] = ()) -> list[NoteEvent]:
    """A POLL reply's events after its 0xF0, oldest first, each channel's value from ``channels``.

    An event code not in the document (or one whose channel byte is missing) ends the reply: it
    is recorded as ``unknown`` with the raw code, and what follows it is dropped, since its length
    cannot be known."""
    events: list[NoteEvent] = []
    i = 0
    while i < len(data):
        code = data[i]
        known = EVENT_CODES.get(code)
        if known is None or (known[1] and i + 1 >= len(data)):
            events.append(NoteEvent(K.UNKNOWN, code))
            break
        kind, has_channel = known
        if has_channel:
            channel = data[i + 1]
            value = channels[channel - 1] if 1 <= channel <= len(channels) else None
            events.append(NoteEvent(kind, channel, value))
            i += 2
        else:
            events.append(NoteEvent(kind))
            i += 1
    return events


def encode_events(events: Iterable[NoteEvent]) -> bytes:
    """The validator's side. An ``unknown`` event's channel is sent as its raw code."""
    out = bytearray()
    for event in events:
        if event.kind is K.UNKNOWN:
            out.append(event.channel or 0)
            continue
        out.append(CODE_OF[event.kind])
        if event.kind in HAS_CHANNEL:
            out.append(event.channel or 0)
    return bytes(out)


# -- the small ones ----------------------------------------------------------------------------


def parse_serial(data: bytes) -> int:
    if len(data) != 4:
        raise FrameError(f"a SERIAL NUMBER reply has 4 bytes, not {len(data)}")
    return int.from_bytes(data, "big")


def inhibit_masks(enabled: Iterable[int], n_channels: int) -> bytes:
    """SET INHIBITS' parameters: bit c-1 set enables channel c, low channels first, at least two
    bytes (16 channels) as ITL's own hosts send."""
    width = max(2, (n_channels + 7) // 8)
    bits = sum(1 << (c - 1) for c in set(enabled) if 1 <= c <= n_channels)
    return bits.to_bytes(width, "little")


def enabled_channels(masks: bytes, n_channels: int) -> frozenset[int]:
    bits = int.from_bytes(masks, "little")
    return frozenset(c for c in range(1, n_channels + 1) if bits >> (c - 1) & 1)
