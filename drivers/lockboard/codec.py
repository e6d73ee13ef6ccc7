"""The interface every lock-board family's codec implements, and the table that picks one.

A codec is pure: it turns requests into bytes and bytes into values, for the host side (the
driver) and the board side (the simulator) alike, and raises only ``CodecError`` subclasses.
A new board family is a new codec behind this interface.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from drivers.lockboard.errors import NoSuchLock


class RequestKind(enum.Enum):
    STATUS = "status"
    UNLOCK = "unlock"
    STATUS_ALL = "status-all"
    UNLOCK_ALL = "unlock-all"
    SET_PULSE = "set-pulse"


@dataclass(frozen=True)
class Request:
    """A host request as the board decodes it. ``board``/``lock`` None means "all"."""

    kind: RequestKind
    board: int | None
    lock: int | None = None
    pulse_ms: int | None = None


@dataclass(frozen=True)
class RawStatus:
    """A status reply as sent: hook bits as wired (polarity not applied), lock 1 first."""

    board: int
    hook_bits: tuple[bool, ...]
    item_bits: tuple[bool, ...] | None


class LockboardCodec(ABC):
    name: str
    max_boards: int
    locks_per_board: int
    has_item_sensors: bool
    request_lengths: tuple[int, ...]
    reply_length: int

    # Host side
    @abstractmethod
    def encode_status(self, board: int) -> bytes: ...

    @abstractmethod
    def encode_unlock(self, board: int, lock: int) -> bytes: ...

    @abstractmethod
    def encode_status_all(self) -> bytes: ...

    @abstractmethod
    def encode_unlock_all(self, board: int | None) -> bytes: ...

    @abstractmethod
    def decode_status(self, frame: bytes, board: int) -> RawStatus: ...

    # Board side
    @abstractmethod
    def decode_request(self, frame: bytes) -> Request: ...

    @abstractmethod
    def encode_status_reply(
        self, board: int, hook_bits: Sequence[bool], item_bits: Sequence[bool] | None
    ) -> bytes: ...

    def check_address(self, board: int, lock: int | None = None) -> None:
        bad_lock = lock is not None and not 1 <= lock <= self.locks_per_board
        if not 0 <= board < self.max_boards or bad_lock:
            raise NoSuchLock(self.name, board, lock)


def bits_to_bytes(bits: Sequence[bool], width: int) -> bytes:
    """Bit i of the result (byte i // 8, bit i % 8) is ``bits[i]``: lock 1 is bit 0 of byte 0."""
    value = sum(1 << i for i, bit in enumerate(bits) if bit)
    return value.to_bytes(width, "little")


def bytes_to_bits(data: bytes) -> tuple[bool, ...]:
    value = int.from_bytes(data, "little")
    return tuple(bool(value >> i & 1) for i in range(len(data) * 8))
