"""``NoteValidator``: the verbs of one SSP bill validator (NV9 / NV10 / NV200, notes only).

Money rides on the sequence flag. A command whose reply was lost or spoilt is re-sent as the
identical frame, same flag, and the validator answers it with its last reply instead of acting
again, so a POLL's credit is neither lost nor doubled. A frame that never got its reply is
re-sent first, whatever verb comes next, so no new flag is used before the last reply is read.
A credit with no note read since the last credit is passed on marked ``repeated``: not money.
Given a ``state_path``, a POLL in flight and replies not yet handed over outlive the process
(drivers/cash/link_state.py): a kiosk killed mid-poll sends that POLL again before its SYNC.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import serial

from drivers.cash import link_state
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
from drivers.cash.errors import (
    BadReply,
    CashError,
    CodecError,
    CommandRefused,
    LinkStateRefused,
    LinkStateUnwritable,
    SetupRefused,
    ValidatorSilent,
)
from drivers.cash.link_state import LinkState
from drivers.transport import Link

__all__ = ["NoteEvent", "NoteEventKind", "NoteValidator", "Setup", "ValidatorCounters"]

T = TypeVar("T")
# every note of the đồng in circulation (100 to 500.000; 0: a channel not used)
VND_NOTES = frozenset((100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000))
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
        state_path: Path | None = None,
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
        self._held: list[bytes] = []  # replies (after 0xF0) of POLLs settled on behalf of another verb
        self.state_path = state_path
        self._written: LinkState | None = None  # what the state file holds; None: not known
        self._resumed = state_path is None  # the file read (once, before the first frame)
        self._carried = False  # events of before this process (the file's) wait for a poll()
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
        state_path: Path | None = None,
    ) -> NoteValidator:
        """``state_path``: where the frame in flight is kept across a crash (the kiosk's
        ``data_dir / "cash-link.state"``); None keeps it in memory only."""
        link = Link(url, baudrate=baudrate, stopbits=serial.STOPBITS_TWO, name="cash")  # SSP is 8N2
        return cls(link, address=address, reply_timeout_s=reply_timeout_s, retries=retries,
                   state_path=state_path)  # fmt: skip

    def close(self) -> None:
        self.link.close()

    # -- verbs -------------------------------------------------------------------------------

    def connect(self) -> Setup:
        """SYNC, the highest HOST PROTOCOL VERSION the unit takes (8, else 7, else 6), SETUP. A
        POLL the state file shows in flight is sent again first; its events go to the next poll()."""
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
        setup = self._parsed(Command.SETUP_REQUEST, parse_setup, self._command(Command.SETUP_REQUEST))
        self.setup = self._vietnamese(setup)
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
            replies, self._held = [*self._held, data], []
            try:
                self._hand_over(replies)
            except LinkStateUnwritable:
                self._held = replies  # still ours to hand over: the next poll returns them
                raise
            self._carried = False
            channels = self.setup.channels if self.setup else ()
            return [self._judged(event) for reply in replies for event in parse_events(reply, channels)]

    def reject(self) -> None:
        """Give back the note held in escrow."""
        self._command(Command.REJECT)

    @property
    def carried_over(self) -> bool:
        """Whether the next poll() returns events from before this process (a POLL in flight at a
        crash, or replies held then, from the state file): they belong to what was in progress
        then, not to a payment begun since."""
        with self._in_flight:
            self._resume_once()
            return self._carried

    def next_flag(self) -> bool:
        """The sequence flag the next new command (a POLL) goes out with: a caller that records it
        with its own commit can send that POLL again after a crash (``resume``). A frame left
        unanswered goes first, with its own flag, so the next one has the other."""
        with self._in_flight:
            self._resume_once()
            left = self._unanswered
            return self._flag if left is None else not left.flag

    def resume(self, flag: bool, setup: Setup) -> None:
        """After a crash, instead of ``connect()`` first: the next command goes out with ``flag``
        (what ``next_flag()`` said before the crashed process's last POLL), with no SYNC before it,
        so a validator whose last command was that POLL repeats its reply; ``setup`` gives the
        channels' values meanwhile. A POLL the state file shows in flight still goes first."""
        with self._in_flight:
            self._resume_once()
            self.setup = self._vietnamese(setup)  # read back from a journey's row: checked as at connect
            if self._unanswered is None:
                self._flag = flag

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

    def _vietnamese(self, setup: Setup) -> Setup:
        """``setup``, if it names only notes the State Bank issues (in đồng): a validator loaded
        with another country's dataset, or one that claims a note that does not exist, is not
        taken money from (a credit is counted at the value SETUP gives)."""
        strange = [v for v in setup.channels if v and v not in VND_NOTES]
        if setup.country != "VND" or strange or not any(setup.channels):
            notes = ", ".join(map(str, setup.channels)) or "none"
            raise SetupRefused(self.link.url, setup.country, notes)
        return setup

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
            self._resume_once()
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
            self._held.append(reply.data[1:])

    # -- the state file ----------------------------------------------------------------------

    def _resume_once(self) -> None:
        if not self._resumed and self.state_path is not None:
            self._resume(self.state_path)

    def _resume(self, path: Path) -> None:
        """Once, before the first frame: a POLL the file shows in flight becomes the frame left
        unanswered (sent again first, same flag), and replies it holds wait for the next poll()."""
        self._resumed = True
        empty = LinkState(self.link.url, self.address)
        try:
            found = link_state.load(path, self.link.url, self.address)
        except LinkStateRefused as exc:
            self.log.warning("%s", exc)
            return  # what the file holds is not known: the next frame's record replaces it
        if found is None or found.empty:
            self._written = empty if found is None else found
            return
        self._held = [*found.held, *self._held]
        self._carried = True
        if found.poll_frame is not None:
            flag = found.poll_frame[1] >= 0x80  # SEQ, never stuffed (addresses stop at 0x7D)
            self._unanswered = Unanswered(found.poll_frame, Command.POLL, flag)
            self.log.warning("validator %s: a POLL was in flight when the kiosk stopped; sending it "
                             "again before anything else", self.link.url)  # fmt: skip
        self._written = found

    def _record(self, sent: Unanswered) -> None:
        """Before ``sent`` goes out: the file says whether a POLL is in flight, and what is held."""
        poll_frame = sent.frame if sent.command == Command.POLL else None
        self._keep(LinkState(self.link.url, self.address, poll_frame, tuple(self._held)))

    def _hand_over(self, replies: list[bytes]) -> None:
        """``replies``' events are about to be returned: nothing is in flight or held any more."""
        self._keep(LinkState(self.link.url, self.address))

    def _keep(self, state: LinkState) -> None:
        if self.state_path is None or state == self._written:
            return
        self._written = None  # unknown until written whole
        link_state.save(self.state_path, state)
        self._written = state

    def _exchange(self, sent: Unanswered) -> Frame:
        """The reply to ``sent``, sent again identically on silence or a bad reply; raises once
        ``retries`` more tries have failed, keeping it to be sent first next time. The next
        command's flag is the other one (after SYNC: clear)."""
        name = command_name(sent.command)
        problems: list[str | None] = []
        self._record(sent)  # durable before the first byte goes out: a crash mid-way leaves it
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
