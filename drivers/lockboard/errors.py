"""Lock-board errors. Codec errors come from bytes alone; the rest from talking to a board."""

from __future__ import annotations

from drivers.errors import DeviceError


class LockBoardError(DeviceError):
    """Base of every lock-board error."""


class CodecError(LockBoardError):
    """Bytes that are not a valid frame of the protocol. The only error a codec raises."""


class ChecksumError(CodecError):
    def __init__(self, frame: bytes) -> None:
        expected = sum(frame[:-1]) & 0xFF
        got = f"{frame[-1]:02X}" if frame else "nothing"
        shown = frame.hex(" ")
        super().__init__(f"bad checksum in frame {shown}: expected {expected:02X}, got {got}")
        self.frame = frame


class FrameError(CodecError):
    """Wrong length, start/end byte or command byte."""


class WrongBoard(CodecError):
    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"reply came from board {got}, but board {expected} was asked")
        self.expected = expected
        self.got = got


class BoardSilent(LockBoardError):
    def __init__(self, bus: str, board: int, detail: str = "no reply") -> None:
        super().__init__(
            f"board {board} on {bus} does not answer ({detail}): check its power, "
            "the RS485 A/B wires and its DIP-switch address"
        )
        self.bus = bus
        self.board = board


class DoorJammed(LockBoardError):
    """The unlock was sent but the hook kept reading locked until the deadline."""

    def __init__(self, bus: str, board: int, lock: int) -> None:
        super().__init__(f"door jammed: lock {lock} of board {board} on {bus} stayed locked")
        self.bus = bus
        self.board = board
        self.lock = lock


class UnlockUnconfirmed(LockBoardError):
    """The unlock was sent but no status read could prove or disprove it: the door may be open."""

    def __init__(self, bus: str, board: int, lock: int, cause: DeviceError) -> None:
        super().__init__(
            f"unlock of lock {lock} on board {board} ({bus}) was sent but could not be "
            f"confirmed ({cause}); the door may be open"
        )
        self.bus = bus
        self.board = board
        self.lock = lock
        self.cause = cause


class NoSuchLock(LockBoardError):
    def __init__(self, protocol: str, board: int, lock: int | None) -> None:
        where = f"board {board}" if lock is None else f"lock {lock} on board {board}"
        super().__init__(f"a {protocol} bus has no {where}")
