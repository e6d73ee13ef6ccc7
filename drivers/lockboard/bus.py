"""``LockBus``: the verbs of the lock boards sharing one RS485 line.

One command in flight per bus (a lock held per exchange); input and output flushed before each
command; bounded retries on checksum errors, bad frames and timeouts; an unlock is only reported
once a status read proves the hook released.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from drivers.errors import DeviceError
from drivers.lockboard.codec import LockboardCodec, RawStatus
from drivers.lockboard.errors import (
    BoardSilent,
    ChecksumError,
    CodecError,
    DoorJammed,
    FrameError,
    LockBoardError,
    UnlockUnconfirmed,
)
from drivers.lockboard.framing import scan
from drivers.lockboard.protocols import codec_for
from drivers.transport import Link


class HookPolarity(enum.Enum):
    """How a board's hook switches are wired. Normally-closed wiring inverts the hook bit."""

    NORMALLY_OPEN = "normally-open"
    NORMALLY_CLOSED = "normally-closed"


@dataclass(frozen=True)
class BoardStatus:
    """A board's state as the kiosk understands it: polarity applied, lock 1 at index 0."""

    board: int
    locked: tuple[bool, ...]
    item_present: tuple[bool, ...] | None

    def is_locked(self, lock: int) -> bool:
        return self.locked[lock - 1]

    def has_item(self, lock: int) -> bool | None:
        return None if self.item_present is None else self.item_present[lock - 1]


@dataclass
class AskedStatus:
    """A status read begun by ``LockBus.status_meanwhile``: once its block is left, ``status`` is
    the board's answer, or None with ``error`` saying why there is none."""

    board: int
    status: BoardStatus | None = None
    error: DeviceError | None = None
    asked_at: float = 0.0  # when the request went out, on the bus's monotonic clock


@dataclass(frozen=True)
class BusTiming:
    reply_timeout_s: float = 0.15
    retries: int = 2
    poll_interval_s: float = 0.05
    unlock_confirm_s: float = 1.5
    unlock_attempts: int = 2


@dataclass
class BusCounters:
    commands: int = 0
    retries: int = 0
    errors: dict[str, int] = field(default_factory=dict)


class LockBus:
    def __init__(
        self,
        link: Link,
        codec: LockboardCodec,
        *,
        name: str = "lockbus",
        polarity: Mapping[int, HookPolarity] | None = None,
        timing: BusTiming | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.link = link
        self.codec = codec
        self.name = name
        self.polarity = dict(polarity or {})
        self.timing = timing or BusTiming()
        self.counters = BusCounters()
        self._monotonic = monotonic
        self._sleep = sleep
        self._in_flight = threading.Lock()
        self.log = logging.getLogger(f"drivers.lockboard.{name}")

    @classmethod
    def from_url(
        cls,
        url: str,
        protocol: str,
        *,
        baudrate: int = 19200,
        name: str = "lockbus",
        polarity: Mapping[int, HookPolarity] | None = None,
        timing: BusTiming | None = None,
    ) -> LockBus:
        link = Link(url, baudrate=baudrate, name=name)
        return cls(link, codec_for(protocol), name=name, polarity=polarity, timing=timing)

    def close(self) -> None:
        self.link.close()

    # -- verbs -------------------------------------------------------------------------------

    def status(self, board: int) -> BoardStatus:
        """The hook (and item) state of every lock on ``board``; ``BoardSilent`` if it is mute."""
        return self._as_status(self._exchange(self.codec.encode_status(board), board), board)

    @contextlib.contextmanager
    def status_meanwhile(self, board: int) -> Iterator[AskedStatus]:
        """``status(board)`` with the caller's block run while the board answers: the request goes
        out on entry and the answer is read on leaving (retried as ``status`` retries), so the
        board's answer time and the block's (a commit's fsync) overlap. The bus is held
        throughout: the block must not use it. Once the block is left, the yielded
        ``AskedStatus`` holds the answer or the error that stands for it; if the block raises,
        no answer is read (the next command's flush drops it)."""
        asked = AskedStatus(board)
        request = self.codec.encode_status(board)
        with self._in_flight:
            asked.asked_at = self._monotonic()
            try:
                self.counters.commands += 1
                self.link.flush()
                self.link.write(request)
            except DeviceError as exc:
                asked.error = exc
            yield asked
            if asked.error is None:
                asked.error = self._take_answer(asked)
        if isinstance(asked.error, (BoardSilent, CodecError)):  # retried as ``_exchange`` would
            asked.asked_at = self._monotonic()
            try:
                asked.status, asked.error = self._retried_status(request, board, asked.error), None
            except DeviceError as exc:
                asked.error = exc

    def since(self, moment: float) -> float:
        """Seconds from ``moment`` (an ``AskedStatus.asked_at``) to now, on the bus's clock."""
        return self._monotonic() - moment

    def _take_answer(self, asked: AskedStatus) -> DeviceError | None:
        try:
            frame = self._read_reply(asked.board)
            asked.status = self._as_status(self.codec.decode_status(frame, asked.board), asked.board)
        except DeviceError as exc:
            return exc
        return None

    def _retried_status(self, request: bytes, board: int, first: LockBoardError) -> BoardStatus:
        if not self.timing.retries:
            self._count(type(first).__name__)
            raise first
        self.counters.retries += 1
        self.log.debug("retry 1 of board %d after: %s", board, first)
        return self._as_status(self._exchange(request, board, self.timing.retries), board)

    def _as_status(self, raw: RawStatus, board: int) -> BoardStatus:
        inverted = self.polarity.get(board) is HookPolarity.NORMALLY_CLOSED
        locked = tuple(bit != inverted for bit in raw.hook_bits[: self.codec.locks_per_board])
        items = raw.item_bits[: self.codec.locks_per_board] if raw.item_bits else None
        return BoardStatus(board, locked, items)

    def read_all(self, boards: Iterable[int]) -> dict[int, BoardStatus | DeviceError]:
        """Every board's status, or the error it gave; one silent board does not stop the rest."""
        result: dict[int, BoardStatus | DeviceError] = {}
        for board in boards:
            try:
                result[board] = self.status(board)
            except DeviceError as exc:
                result[board] = exc
        return result

    def unlock(self, board: int, lock: int) -> BoardStatus:
        """Release ``lock`` and return the status read that proves it unlocked.

        Raises ``DoorJammed`` when every status read until the deadline shows it still locked,
        and ``UnlockUnconfirmed`` when no status read succeeded after the unlock was sent.
        """
        frame = self.codec.encode_unlock(board, lock)
        # None: the last attempt read the hook locked to the end; an error: it could not read.
        outcome: DeviceError | None = None
        for attempt in range(self.timing.unlock_attempts):
            try:
                self._send(frame)
            except DeviceError as exc:
                if attempt == 0:
                    raise  # nothing went out: the lock was not released by us
                outcome = exc  # an earlier unlock did go out: the door may be open
                break
            self.log.info("unlock sent: board %d lock %d (attempt %d)", board, lock, attempt + 1)
            result = self._await_unlocked(board, lock)
            if isinstance(result, BoardStatus):
                return result
            outcome = result
        if outcome is None:
            self._count("DoorJammed")
            raise DoorJammed(self.name, board, lock)
        self._count("UnlockUnconfirmed")
        raise UnlockUnconfirmed(self.name, board, lock, outcome)

    # -- the exchange ------------------------------------------------------------------------

    def _await_unlocked(self, board: int, lock: int) -> BoardStatus | DeviceError | None:
        """Poll until the hook reads unlocked or the deadline passes.

        Returns the proving status; None when every read showed it still locked; or the last
        error when no read succeeded. Some CU16 firmware is busy right after an unlock, and a link
        may come back within the deadline, so a failed poll is retried, not taken as a failed unlock.
        """
        deadline = self._monotonic() + self.timing.unlock_confirm_s
        saw_locked = False
        error: DeviceError | None = None
        while True:
            self._sleep(self.timing.poll_interval_s)
            try:
                status = self.status(board)
            except DeviceError as exc:
                error = exc
            else:
                if not status.is_locked(lock):
                    return status
                saw_locked = True
            if self._monotonic() >= deadline:
                return None if saw_locked else error

    def _send(self, frame: bytes) -> None:
        with self._in_flight:
            self.link.flush()
            self.link.write(frame)

    def _exchange(self, request: bytes, board: int, attempts: int | None = None) -> RawStatus:
        attempts = self.timing.retries + 1 if attempts is None else attempts
        last: LockBoardError | None = None
        for attempt in range(attempts):
            if attempt:
                self.counters.retries += 1
                self.log.debug("retry %d of board %d after: %s", attempt, board, last)
            try:
                with self._in_flight:
                    self.counters.commands += 1
                    self.link.flush()
                    self.link.write(request)
                    frame = self._read_reply(board)
                return self.codec.decode_status(frame, board)
            except (BoardSilent, CodecError) as exc:
                last = exc
        assert last is not None
        self._count(type(last).__name__)
        raise last

    def _read_reply(self, board: int) -> bytes:
        length = self.codec.reply_length
        deadline = self._monotonic() + self.timing.reply_timeout_s
        buf = b""
        got_any = False
        bad_frame: bytes | None = None
        while True:
            chunk = self.link.read(max(1, length - len(buf)), deadline)
            if chunk:
                got_any = True
                buf += chunk
                found = scan(buf, (length,))
                bad_frame = found.bad_frame or bad_frame
                if found.frame is not None:
                    return found.frame
                if found.bad_frame is not None and found.consumed == len(buf):
                    raise ChecksumError(found.bad_frame)  # nothing more is coming: retry now
                buf = buf[found.consumed :]
            elif self._monotonic() >= deadline:
                break
        if not got_any:
            raise BoardSilent(self.name, board)
        if bad_frame is not None:
            raise ChecksumError(bad_frame)
        raise FrameError(f"board {board} sent {len(buf)} stray or partial bytes, no whole frame")

    def _count(self, what: str) -> None:
        self.counters.errors[what] = self.counters.errors.get(what, 0) + 1
