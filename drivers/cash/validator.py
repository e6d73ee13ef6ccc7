"""``NoteValidator``: the verbs of one SSP bill validator (NV9 / NV10 / NV200, notes only).

Money rides on the sequence flag. A command whose reply was lost or spoilt is re-sent as the
identical frame, same flag, and the validator answers it with its last reply instead of acting
again, so a POLL's credit is neither lost nor doubled. A frame that never got its reply is
re-sent first, whatever verb comes next, so no new flag is used before the last reply is read.
A credit with no note read since the last credit is passed on marked ``repeated``: not money.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import serial

from drivers.cash.codec import (
    OK,
    Command,
    Frame,
    FrameReader,
    NoteEvent,
    NoteEventKind,
    Setup,
    command_frame,
    command_name,
    encode_frame,
    inhibit_masks,
    parse_events,
    parse_serial,
    parse_setup,
)
from drivers.cash.errors import BadReply, CashError, CodecError, CommandRefused, ValidatorSilent
from drivers.transport import Link

__all__ = ["NoteEvent", "NoteEventKind", "NoteValidator", "Setup", "ValidatorCounters"]

T = TypeVar("T")
HOST_PROTOCOLS = (8, 7, 6)  # asked for in this order; the first the unit takes is used
FAIL = 0xF8  # the generic response to a HOST PROTOCOL VERSION the unit does not speak


@dataclass
class ValidatorCounters:
    commands: int = 0
    retries: int = 0  # identical frames sent again after a lost or bad reply
    resent: int = 0  # frames left unanswered by an earlier verb, sent again before the next one


class NoteValidator:
    def __init__(
        self,
        link: Link,
        *,
        address: int = 0,
        reply_timeout_s: float = 1.0,
        retries: int = 3,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link = link
        self.address = address
        self.reply_timeout_s = reply_timeout_s
        self.retries = retries
        self.setup: Setup | None = None
        self.counters = ValidatorCounters()
        self._monotonic = monotonic
        self._flag = False  # the sequence flag of the next command (SYNC is always sent with it set)
        self._unanswered: Unanswered | None = None  # its reply never read: re-sent before anything new
        self._held: list[NoteEvent] = []  # events of a POLL settled on behalf of another verb
        self._read_since_credit = True  # a credit first thing after connecting is money
        self._in_flight = threading.RLock()  # a verb's exchanges and the events it holds, together
        self.log = logging.getLogger("drivers.cash")

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        address: int = 0,
        baudrate: int = 9600,
        reply_timeout_s: float = 1.0,
        retries: int = 3,
    ) -> NoteValidator:
        link = Link(url, baudrate=baudrate, stopbits=serial.STOPBITS_TWO, name="cash")  # SSP is 8N2
        return cls(link, address=address, reply_timeout_s=reply_timeout_s, retries=retries)

    def close(self) -> None:
        self.link.close()

    # -- verbs -------------------------------------------------------------------------------

    def connect(self) -> Setup:
        """SYNC, the highest HOST PROTOCOL VERSION the unit takes (8, else 7, else 6), SETUP."""
        self._command(Command.SYNC)
        for version in HOST_PROTOCOLS:
            try:
                self._command(Command.HOST_PROTOCOL_VERSION, bytes((version,)))
                break
            except CommandRefused as exc:
                if exc.code != FAIL:
                    raise
        else:
            asked = "HOST PROTOCOL VERSION " + ", ".join(map(str, HOST_PROTOCOLS))
            why = "its firmware is older than protocol 6: update it with ITL's tools"
            raise CommandRefused(self.link.url, f"{asked} ({why})", FAIL)
        self.setup = self._parsed(Command.SETUP_REQUEST, parse_setup, self._command(Command.SETUP_REQUEST))
        self._read_since_credit = True
        self.log.info("validator %s: firmware %s, %s, channels %s", self.link.url, self.setup.firmware,
                      self.setup.country, self.setup.channels)  # fmt: skip
        return self.setup

    def accept_up_to(self, amount: int) -> tuple[int, ...]:
        """Enable only the notes worth at most ``amount`` (the kiosk gives no change); the note
        values now accepted. Nothing fits, or ``amount`` <= 0: the validator is disabled."""
        if amount <= 0:
            self.disable()
            return ()
        channels = self._require_setup().channels
        chosen = [c for c, value in enumerate(channels, 1) if 0 < value <= amount]
        self._command(Command.SET_INHIBITS, inhibit_masks(chosen, len(channels)))
        if not chosen:
            self._command(Command.DISABLE)
            return ()
        self._command(Command.ENABLE)
        return tuple(sorted({channels[c - 1] for c in chosen}))

    def disable(self) -> None:
        self._command(Command.DISABLE)

    def poll(self) -> list[NoteEvent]:
        """What happened since the last poll, oldest first."""
        with self._in_flight:
            data = self._command(Command.POLL)
            channels = self.setup.channels if self.setup else ()
            events, self._held = [*self._held, *parse_events(data, channels)], []
            return [self._judged(event) for event in events]

    def reject(self) -> None:
        """Give back the note held in escrow."""
        self._command(Command.REJECT)

    def serial_number(self) -> int:
        return self._parsed(Command.SERIAL_NUMBER, parse_serial, self._command(Command.SERIAL_NUMBER))

    # -- the exchange ------------------------------------------------------------------------

    def _require_setup(self) -> Setup:
        if self.setup is None:
            raise CashError(f"the bill validator on {self.link.url} was not connected (no SETUP read)")
        return self.setup

    def _parsed(self, command: int, parse: Callable[[bytes], T], data: bytes) -> T:
        try:
            return parse(data)
        except CodecError as exc:
            raise BadReply(self.link.url, command_name(command), str(exc)) from exc

    def _judged(self, event: NoteEvent) -> NoteEvent:
        if event.kind is NoteEventKind.READ:
            self._read_since_credit = True
        elif event.kind is NoteEventKind.CREDIT:
            if not self._read_since_credit:
                self.log.warning("validator %s credited channel %s again with no note read since",
                                 self.link.url, event.channel)  # fmt: skip
                return dataclasses.replace(event, repeated=True)
            self._read_since_credit = False
        return event

    def _command(self, command: int, params: bytes = b"") -> bytes:
        """The reply data after its 0xF0; ``CommandRefused`` for any other generic response."""
        with self._in_flight:
            if self._unanswered is not None:
                self._settle(self._unanswered)
            flag = command == Command.SYNC or self._flag
            reply = self._exchange(
                Unanswered(command_frame(flag, self.address, command, params), command, flag)
            )
        if reply.data[0] != OK:
            reason = reply.data[1] if len(reply.data) > 1 else None
            raise CommandRefused(self.link.url, command_name(command), reply.data[0], reason)
        return reply.data[1:]

    def _settle(self, left: Unanswered) -> None:
        self.counters.resent += 1
        self.log.info("validator %s: sending again the %s left unanswered", self.link.url,
                      command_name(left.command))  # fmt: skip
        reply = self._exchange(left)
        if left.command == Command.POLL and reply.data[0] == OK:
            channels = self.setup.channels if self.setup else ()
            self._held.extend(parse_events(reply.data[1:], channels))

    def _exchange(self, sent: Unanswered) -> Frame:
        """The reply to ``sent``, sent again identically on silence or a bad reply; raises once
        ``retries`` more tries have failed, keeping it to be sent first next time. The next
        command's flag is the other one (after SYNC: clear)."""
        name = command_name(sent.command)
        problems: list[str | None] = []
        self._unanswered = sent  # from before the first byte goes out: a link lost mid-way leaves it
        for attempt in range(self.retries + 1):
            if attempt:
                self.counters.retries += 1
                self.log.debug("validator %s: try %d of %s after: %s", self.link.url, attempt + 1, name,
                               problems[-1] or "silence")  # fmt: skip
            self.counters.commands += 1
            self.link.flush()
            self.link.write(sent.frame)
            outcome = self._await_reply(sent)
            if isinstance(outcome, Frame):
                self._unanswered = None
                self._flag = not sent.flag
                return outcome
            problems.append(outcome)
        spoilt = [p for p in problems if p is not None]
        if not spoilt:
            detail = f"no reply to {name} in {len(problems)} tries"
            raise ValidatorSilent(self.link.url, self.address, self.link.baudrate, detail)
        raise BadReply(self.link.url, name, spoilt[-1])

    def _await_reply(self, sent: Unanswered) -> Frame | str | None:
        """The reply marked as ``sent`` is; else None for silence, or what came instead."""
        seq = sent.frame[1]  # SEQ is never 0x7F (addresses stop at 0x7D), so it is never stuffed
        reader = FrameReader()
        deadline = self._monotonic() + self.reply_timeout_s
        problem: str | None = None
        while chunk := self.link.read(512, deadline):
            spoilt = False
            for found in reader.feed(chunk):
                if isinstance(found, CodecError):
                    problem, spoilt = str(found), True
                elif encode_frame(found) == sent.frame:
                    continue  # our own frame, echoed by a half-duplex adapter
                elif found.seq != seq:  # a late reply to an earlier command: its answer may follow
                    problem = f"a reply marked {found.seq:02X} to a command marked {seq:02X}"
                else:
                    return found
            if spoilt and not reader.inside_frame:
                return problem  # a spoilt frame and nothing more on its way: try again now
            if self._monotonic() >= deadline:  # a line that babbles without end is no answer either
                break
        if problem is None and (reader.inside_frame or reader.skipped):
            problem = "bytes that were not a whole frame"
        return problem


@dataclass(frozen=True)
class Unanswered:
    """A command frame as sent, kept until its reply is read."""

    frame: bytes
    command: int
    flag: bool
