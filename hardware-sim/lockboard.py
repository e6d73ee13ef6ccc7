"""``kiosk-sim lockboard``: Kerong boards on a pty, answering the driver's own codec.

Runs on one asyncio loop: the pty reader, reply timers and the control socket share one thread,
so the board models need no locking. The wire time at the configured baud rate can be modelled.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from drivers.lockboard.codec import Request, RequestKind
from drivers.lockboard.errors import CodecError
from drivers.lockboard.framing import scan
from drivers.lockboard.protocols import codec_for
from hardware_sim.boards import FOREVER, REPLY_FAULTS, BoardModel
from hardware_sim.control import CommandError
from hardware_sim.device import Command, SimDevice, on_off

BITS_PER_BYTE_ON_WIRE = 10  # 8N1: start bit, 8 data bits, stop bit


class LockboardSim(SimDevice):
    kind = "lockboard"

    def __init__(
        self,
        protocol: str,
        boards: Iterable[int],
        link: Path,
        control: Path | None = None,
        *,
        wire_baud: int = 0,
        release_ms: int = 20,
        normally_closed: Iterable[int] = (),
        seed: int = 0,
    ) -> None:
        self.codec = codec_for(protocol)
        nc = set(normally_closed)
        self.boards = {
            n: BoardModel(n, self.codec.locks_per_board, self.codec.has_item_sensors, n in nc) for n in boards
        }
        for n in self.boards:
            self.codec.check_address(n)
        self.wire_baud = wire_baud
        self.release_ms = release_ms
        self.frames_seen = 0
        self._rng = random.Random(seed)
        self._buf = b""
        self._line_free_at = 0.0
        super().__init__(link, control)

    # -- the wire --------------------------------------------------------------------------------

    def on_bytes(self, data: bytes) -> None:
        self._buf += data
        while True:
            found = scan(self._buf, self.codec.request_lengths)
            self._buf = self._buf[found.consumed :]
            if found.frame is None:
                return
            self.frames_seen += 1
            try:
                request = self.codec.decode_request(found.frame)
            except CodecError as exc:
                self.log.debug("ignored frame %s: %s", found.frame.hex(" "), exc)
                continue  # a real board stays quiet on what it does not understand
            self._handle(request, len(found.frame))

    def on_link_down(self) -> None:
        self._buf = b""

    def _handle(self, request: Request, request_len: int) -> None:
        handlers: dict[RequestKind, Callable[[Request, int], None]] = {
            RequestKind.STATUS: self._on_status,
            RequestKind.STATUS_ALL: self._on_status,
            RequestKind.UNLOCK: self._on_unlock,
            RequestKind.UNLOCK_ALL: self._on_unlock,
            RequestKind.SET_PULSE: self._on_set_pulse,
        }
        handlers[request.kind](request, request_len)

    def _addressed(self, request: Request) -> list[BoardModel]:
        if request.board is None:
            return [self.boards[n] for n in sorted(self.boards)]
        board = self.boards.get(request.board)
        return [board] if board else []

    def _on_status(self, request: Request, request_len: int) -> None:
        now = self.now()
        delay = self._wire_s(request_len)
        for board in self._addressed(request):
            if board.take_fault("silent") or now < board.busy_until:
                continue
            reply = self._spoil(board, self._status_reply(board))
            delay += self._wire_s(len(reply)) + board.late_ms / 1000
            self._send_at(delay, reply)

    def _status_reply(self, board: BoardModel) -> bytes:
        return self.codec.encode_status_reply(board.number, board.hook_bits(), board.item_bits())

    def _spoil(self, board: BoardModel, reply: bytes) -> bytes:
        if board.take_fault("wrong-address"):
            other = (board.number + 1) % self.codec.max_boards
            reply = self.codec.encode_status_reply(other, board.hook_bits(), board.item_bits())
        if board.take_fault("checksum"):
            reply = reply[:-1] + bytes(((reply[-1] + 1) & 0xFF,))
        if board.take_fault("truncate"):
            reply = reply[: len(reply) // 2]
        if board.take_fault("noise"):
            noise = bytes(self._rng.choice((0x02, 0x03, 0x55, 0xAA, 0xFF)) for _ in range(5))
            reply = noise + reply
        return reply

    def _on_unlock(self, request: Request, request_len: int) -> None:
        arrival = self._wire_s(request_len)
        for board in self._addressed(request):
            if board.faults.get("silent", 0):
                continue  # a dead board does not act either
            locks = [request.lock] if request.lock else range(1, board.locks + 1)
            if board.busy_ms:  # some CU16 firmware ignores polls for a moment after an unlock
                board.busy_until = self.now() + arrival + board.busy_ms / 1000
            for lock in locks:
                self.call_at(self.now() + arrival + self.release_ms / 1000, board.release, lock)

    def _on_set_pulse(self, request: Request, request_len: int) -> None:
        for board in self._addressed(request):
            board.pulse_ms = request.pulse_ms or board.pulse_ms

    def _wire_s(self, nbytes: int) -> float:
        return nbytes * BITS_PER_BYTE_ON_WIRE / self.wire_baud if self.wire_baud else 0.0

    def _send_at(self, delay: float, data: bytes) -> None:
        """Replies share one line, so each starts after the one before has left."""
        at = max(self.now() + delay, self._line_free_at)
        self._line_free_at = at
        if at <= self.now():
            self.write(data)
        else:
            self.call_at(at, self.write, data)

    # -- the control channel --------------------------------------------------------------------

    def commands(self) -> dict[str, Command]:
        def person(action: Callable[[BoardModel, int], None]) -> Callable[[str, str], Any]:
            def act(b: str, lock: str) -> Any:
                action(self._board(b), int(lock))
                return self.snapshot()

            return act

        table: dict[str, Command] = {
            "close": (person(BoardModel.close), "BOARD LOCK"),
            "open": (person(BoardModel.force_open), "BOARD LOCK"),
            "put": (person(BoardModel.put), "BOARD LOCK"),
            "take": (person(BoardModel.take), "BOARD LOCK"),
            "jam": (self._jam, "BOARD LOCK [on|off]"),
            "late": (lambda b, ms: self._set(b, "late_ms", int(ms)), "BOARD MS"),
            "busy": (lambda b, ms: self._set(b, "busy_ms", int(ms)), "BOARD MS"),
            "clear": (self._clear, "[BOARD]"),
            "wire": (lambda baud: self._set_sim("wire_baud", int(baud)), "BAUD (0 = off)"),
            "release": (lambda ms: self._set_sim("release_ms", int(ms)), "MS"),
        }
        for fault in REPLY_FAULTS:
            table[fault] = (self._fault_cmd(fault), "BOARD [COUNT|on|off]")
        return table

    def snapshot(self) -> dict[str, Any]:
        return {
            "protocol": self.codec.name,
            "link_up": self.link_up,
            "wire_baud": self.wire_baud,
            "release_ms": self.release_ms,
            "frames_seen": self.frames_seen,
            "boards": {str(n): b.snapshot() for n, b in sorted(self.boards.items())},
        }

    def _board(self, text: str) -> BoardModel:
        board = self.boards.get(int(text))
        if board is None:
            raise CommandError(f"no board {text}; this bus has {sorted(self.boards)}")
        return board

    def _jam(self, b: str, lock: str, state: str = "on") -> Any:
        self._board(b).door(int(lock)).jammed = on_off(state)
        return self.snapshot()

    def _fault_cmd(self, fault: str) -> Callable[..., Any]:
        def set_fault(b: str, count: str = "on") -> Any:
            n = {"on": FOREVER, "off": 0}.get(count)
            self._board(b).faults[fault] = int(count) if n is None else n
            return self.snapshot()

        return set_fault

    def _set(self, b: str, attr: str, value: int) -> Any:
        setattr(self._board(b), attr, value)
        return self.snapshot()

    def _set_sim(self, attr: str, value: int) -> Any:
        setattr(self, attr, value)
        return self.snapshot()

    def _clear(self, b: str | None = None) -> Any:
        for board in [self._board(b)] if b is not None else self.boards.values():
            board.clear_faults()
        return self.snapshot()
