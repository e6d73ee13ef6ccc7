"""Kerong KR-CU48, vendor protocol v2.1 (protocols/lockboards.md).

Request ``02 ADDR LOCK CMD 03 SUM``; status reply ``02 ADDR LOCK 65 D1..D6 03 SUM`` with the hook
bit of lock 1 in D1 bit 0. Unlock gets no reply. No item sensors.
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.lockboard.codec import (
    LockboardCodec,
    RawStatus,
    Request,
    RequestKind,
    bits_to_bytes,
    bytes_to_bits,
)
from drivers.lockboard.errors import FrameError, WrongBoard
from drivers.lockboard.framing import check, seal

ALL_BOARDS = 0x0A
ALL_LOCKS = 0x30
CMD_STATUS = 0x50
CMD_UNLOCK = 0x51
CMD_STATUS_REPLY = 0x65
LOCKS = 48

_REQUEST_KINDS = {
    (CMD_STATUS, False, False): RequestKind.STATUS,
    (CMD_STATUS, True, False): RequestKind.STATUS_ALL,
    (CMD_STATUS, False, True): RequestKind.STATUS,  # LOCK is ignored for status
    (CMD_STATUS, True, True): RequestKind.STATUS_ALL,
    (CMD_UNLOCK, False, False): RequestKind.UNLOCK,
    (CMD_UNLOCK, False, True): RequestKind.UNLOCK_ALL,
    (CMD_UNLOCK, True, True): RequestKind.UNLOCK_ALL,
}


class CU48(LockboardCodec):
    name = "cu48"
    max_boards = 10
    locks_per_board = LOCKS
    has_item_sensors = False
    request_lengths = (6,)
    reply_length = 12

    def encode_status(self, board: int) -> bytes:
        self.check_address(board)
        return seal(board, 0x00, CMD_STATUS)

    def encode_unlock(self, board: int, lock: int) -> bytes:
        self.check_address(board, lock)
        return seal(board, lock - 1, CMD_UNLOCK)

    def encode_status_all(self) -> bytes:
        return seal(ALL_BOARDS, 0x00, CMD_STATUS)

    def encode_unlock_all(self, board: int | None) -> bytes:
        if board is not None:
            self.check_address(board)
        return seal(ALL_BOARDS if board is None else board, ALL_LOCKS, CMD_UNLOCK)

    def decode_status(self, frame: bytes, board: int) -> RawStatus:
        check(frame, self.reply_length)
        if frame[3] != CMD_STATUS_REPLY:
            raise FrameError(f"expected a status reply (65), got command {frame[3]:02X}")
        if frame[1] != board:
            raise WrongBoard(board, frame[1])
        return RawStatus(board, bytes_to_bits(frame[4:10]), None)

    def decode_request(self, frame: bytes) -> Request:
        check(frame, 6)
        addr, lock, cmd = frame[1], frame[2], frame[3]
        if addr > ALL_BOARDS or (lock >= LOCKS and lock != ALL_LOCKS):
            raise FrameError(f"address {addr:02X} / lock {lock:02X} out of range")
        kind = _REQUEST_KINDS.get((cmd, addr == ALL_BOARDS, lock == ALL_LOCKS))
        if kind is None:
            raise FrameError(f"unknown or unsupported CU48 command {cmd:02X}")
        board = None if addr == ALL_BOARDS else addr
        single_lock = kind is RequestKind.UNLOCK
        return Request(kind, board, lock + 1 if single_lock else None)

    def encode_status_reply(
        self, board: int, hook_bits: Sequence[bool], item_bits: Sequence[bool] | None
    ) -> bytes:
        return seal(board, 0x00, CMD_STATUS_REPLY, *bits_to_bytes(hook_bits, 6))
