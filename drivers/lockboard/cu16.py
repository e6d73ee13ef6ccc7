"""Kerong KR-CU16 / CU12 (protocols/lockboards.md; agreed by several independent implementations,
to be confirmed on a board).

Request ``02 ADDR CMD 03 SUM`` with the board in ADDR's high nibble and the lock (0 = lock 1) in
its low nibble; set-pulse carries two data bytes before ETX. Status reply
``02 ADDR CMD H1 H2 S1 S2 03 SUM``: hook bits and item-present (infrared) bits of locks 1–16.
Public implementations disagree on the reply's CMD byte (an echo of 30, or 35), so both are
accepted; the simulator echoes 30.
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

CMD_STATUS = 0x30
CMD_UNLOCK = 0x31
CMD_STATUS_ALL = 0x32
CMD_UNLOCK_ALL = 0x33
CMD_SET_PULSE = 0x37
STATUS_REPLY_CMDS = (CMD_STATUS, 0x35)
ALL_BOARDS_ADDR = 0xF0
LOCKS = 16

_REQUEST_KINDS = {
    CMD_STATUS: RequestKind.STATUS,
    CMD_UNLOCK: RequestKind.UNLOCK,
    CMD_STATUS_ALL: RequestKind.STATUS_ALL,
    CMD_UNLOCK_ALL: RequestKind.UNLOCK_ALL,
    CMD_SET_PULSE: RequestKind.SET_PULSE,
}


class CU16(LockboardCodec):
    name = "cu16"
    max_boards = 16
    locks_per_board = LOCKS
    has_item_sensors = True
    request_lengths = (5, 7)
    reply_length = 9

    def encode_status(self, board: int) -> bytes:
        self.check_address(board)
        return seal(board << 4, CMD_STATUS)

    def encode_unlock(self, board: int, lock: int) -> bytes:
        self.check_address(board, lock)
        return seal(board << 4 | (lock - 1), CMD_UNLOCK)

    def encode_status_all(self) -> bytes:
        return seal(ALL_BOARDS_ADDR, CMD_STATUS_ALL)

    def encode_unlock_all(self, board: int | None) -> bytes:
        if board is None:
            raise FrameError("CU16 has no bus-wide unlock; unlock each board")
        self.check_address(board)
        return seal(board << 4, CMD_UNLOCK_ALL)

    def encode_set_pulse(self, board: int, pulse_ms: int) -> bytes:
        self.check_address(board)
        units = max(1, min(0xFFFF, round(pulse_ms / 10)))
        return seal(board << 4, CMD_SET_PULSE, units >> 8, units & 0xFF)

    def decode_status(self, frame: bytes, board: int) -> RawStatus:
        check(frame, self.reply_length)
        if frame[2] not in STATUS_REPLY_CMDS:
            raise FrameError(f"expected a status reply (30), got command {frame[2]:02X}")
        if frame[1] >> 4 != board:
            raise WrongBoard(board, frame[1] >> 4)
        return RawStatus(board, bytes_to_bits(frame[3:5]), bytes_to_bits(frame[5:7]))

    def decode_request(self, frame: bytes) -> Request:
        if len(frame) == 7:
            check(frame, 7)
            if frame[2] != CMD_SET_PULSE:
                raise FrameError(f"7-byte CU16 frame with command {frame[2]:02X}, not 37")
            units = frame[3] << 8 | frame[4]
            return Request(RequestKind.SET_PULSE, frame[1] >> 4, None, units * 10)
        check(frame, 5)
        addr, cmd = frame[1], frame[2]
        kind = _REQUEST_KINDS.get(cmd)
        if kind is None or kind is RequestKind.SET_PULSE:
            raise FrameError(f"unknown or malformed CU16 command {cmd:02X}")
        if kind is RequestKind.STATUS_ALL:
            return Request(kind, None)
        lock = (addr & 0x0F) + 1 if kind is RequestKind.UNLOCK else None
        return Request(kind, addr >> 4, lock)

    def encode_status_reply(
        self, board: int, hook_bits: Sequence[bool], item_bits: Sequence[bool] | None
    ) -> bytes:
        items = bits_to_bytes(item_bits or (), 2)
        return seal(board << 4, CMD_STATUS, *bits_to_bytes(hook_bits, 2), *items)
