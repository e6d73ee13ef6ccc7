"""``kiosk-sim cash``: an NV9-like bill validator speaking SSP on a pty, the device side of
drivers/cash/codec.py.

A note put in goes through the stages a real one reports, one stage per POLL: read (held in
escrow) → credit and stacking → stacked; or read → rejecting → rejected for a note the validator
refuses, one whose channel is inhibited, or one in escrow when the host rejects it. Disabling
gives a note not yet credited back at once and draws no note in. Events wait in the validator
until a POLL collects them; a command repeating the last one's sequence flag gets the last reply
again and is not carried out. Conditions (disabled, a jam, stacker full) are reported on every POLL while they
last. A power cycle (``reset``) reports where a note in progress went: back out of the front, or
into the cashbox once it was credited or jammed safely inside.

Control verbs (``kiosk-sim ctl``): ``insert VALUE``, ``insert-reject VALUE``, ``jam safe|unsafe``,
``fraud``, ``stacker-full [on|off]``, ``silent on|off``, ``reset``, and the faults of the next reply
(COUNT replies, or on/off): ``corrupt-crc``, ``drop-stuffing`` (the next reply holding a 0x7F),
``stale-seq`` (the last reply again, not carried out), ``unknown-event`` (a code the document does
not have, in the next POLL), ``credit-twice`` (the next credit is reported again a POLL later).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.cash.codec import (
    OK,
    Command,
    Frame,
    FrameReader,
    NoteEvent,
    NoteEventKind,
    Setup,
    crc16,
    enabled_channels,
    encode_events,
    encode_frame,
    encode_setup,
)
from hardware_sim.control import CommandError
from hardware_sim.device import Command as ControlCommand
from hardware_sim.device import SimDevice, on_off

K = NoteEventKind
DEFAULT_NOTES = (10_000, 20_000, 50_000, 100_000, 200_000, 500_000)
SERIAL = 0x017F7F2A  # the document's stuffing example: this serial's reply has 0x7F bytes to stuff
FIRMWARE = "0400"
UNKNOWN_CODE = 0x99  # not in protocols/cash-ssp.md's table; a data byte follows it on the wire
FOREVER = -1
REPLY_FAULTS = ("corrupt-crc", "drop-stuffing", "stale-seq", "unknown-event", "credit-twice")
NOT_KNOWN, WRONG_PARAMS, FAIL = 0xF2, 0xF3, 0xF8


class Stage(enum.Enum):
    INSERTED = "inserted"
    ESCROW = "escrow"
    STACKING = "stacking"
    REJECTING = "rejecting"
    DONE = "done"


@dataclass
class Note:
    value: int
    channel: int  # 0: no channel carries this value
    refused: bool = False  # the validator will not take it (insert-reject)
    stage: Stage = Stage.INSERTED
    reject_asked: bool = False
    credit_again: bool = False

    @property
    def credited(self) -> bool:
        return self.stage in (Stage.STACKING, Stage.DONE) and not self.reject_asked


class ValidatorModel:
    """What the validator knows and does, no I/O. One note in the path at a time; notes put in
    after it wait at the bezel."""

    def __init__(self, notes: Iterable[int], max_protocol: int = 8) -> None:
        self.notes = tuple(notes)
        self.max_protocol = max_protocol
        self.faults: dict[str, int] = {}
        self.stacker_full = False
        self.credited: list[int] = []  # the value of every credit reported, repeats included
        self.stacked = 0
        self.power_up()

    def power_up(self, note_fate: list[NoteEvent] | None = None) -> None:
        self.protocol = self.max_protocol
        self.enabled = False
        self.accepting: frozenset[int] = frozenset()
        self.events: list[NoteEvent] = [NoteEvent(K.SLAVE_RESET), *(note_fate or [])]
        self.note: Note | None = None
        self.waiting: deque[Note] = deque()
        self.jam: str | None = None

    def setup(self) -> Setup:
        return Setup(FIRMWARE, "VND", self.notes, self.protocol, 0)

    def take_fault(self, name: str) -> bool:
        left = self.faults.get(name, 0)
        if left == 0:
            return False
        if left > 0:
            self.faults[name] = left - 1
        return True

    # -- what a person does ----------------------------------------------------------------------

    def insert(self, value: int, refused: bool = False) -> str:
        if not self.enabled:
            return "not drawn in: the validator is disabled"
        if self.stacker_full or self.jam:
            return "not drawn in: the validator is out of service (stacker full or jammed)"
        channel = self.notes.index(value) + 1 if value in self.notes else 0
        self.waiting.append(Note(value, channel, refused))
        return "drawn in"

    def jam_note(self, kind: str) -> None:
        if kind not in ("safe", "unsafe"):
            raise ValueError(kind)
        if self._current() is None:
            raise CommandError("no note is in the validator to jam: insert one first")
        self.jam = kind

    def fraud(self) -> None:
        note = self._current()
        if note is not None and not note.credited:
            self.note = None
        self.events.append(NoteEvent(K.FRAUD, note.channel if note else 0))

    def set_stacker_full(self, full: bool) -> None:
        if self.stacker_full and not full:  # an officer emptied it
            self.events += [NoteEvent(K.CASHBOX_REMOVED), NoteEvent(K.CASHBOX_REPLACED)]
        self.stacker_full = full

    def power_cycle(self) -> None:
        """Power off and on: a note in the path goes back out, or into the cashbox when it was
        credited or jammed past the point of return."""
        fate: list[NoteEvent] = []
        note = self.note
        if note is not None and note.stage is not Stage.DONE:
            into_box = note.credited or self.jam == "safe"
            fate.append(NoteEvent(K.CLEARED_CASHBOX if into_box else K.CLEARED_FRONT, note.channel))
        self.power_up(fate)

    # -- what the host asks ----------------------------------------------------------------------

    def set_inhibits(self, masks: bytes) -> None:
        self.accepting = enabled_channels(masks, len(self.notes))

    def reject(self) -> None:
        if self.note is not None and self.note.stage is Stage.ESCROW:
            self.note.reject_asked = True

    def disable(self) -> None:
        """At once, polled or not: notes at the bezel stay out, one not yet credited comes back."""
        self.enabled = False
        self.waiting.clear()
        note = self.note
        if note is not None and note.stage in (Stage.INSERTED, Stage.ESCROW) and self.jam is None:
            if note.stage is Stage.INSERTED:
                self.events.append(NoteEvent(K.READ, 0))
            self.events += [NoteEvent(K.REJECTING), NoteEvent(K.REJECTED)]
            self.note = None

    def poll(self) -> list[NoteEvent]:
        if self.jam is None:
            self._advance()
        events, self.events = self.events, []
        if self.jam:
            events.append(NoteEvent(K.SAFE_JAM if self.jam == "safe" else K.UNSAFE_JAM))
        if self.stacker_full:
            events.append(NoteEvent(K.STACKER_FULL))
        if not self.enabled:
            events.append(NoteEvent(K.DISABLED))
        elif not self.accepting:
            events.append(NoteEvent(K.CHANNELS_DISABLED))
        return events

    def _current(self) -> Note | None:
        if self.note is None and self.waiting:
            self.note = self.waiting.popleft()
        return self.note

    def _advance(self) -> None:
        note = self._current()
        if note is None:
            return
        ch, value = note.channel, note.value
        said = self.events.append
        if note.stage is Stage.INSERTED:
            if note.refused or not ch or ch not in self.accepting or self.stacker_full:
                said(NoteEvent(K.READ, 0))
                said(NoteEvent(K.REJECTING))
                note.stage = Stage.REJECTING
            else:
                said(NoteEvent(K.READ, ch, value))
                note.stage = Stage.ESCROW
        elif note.stage is Stage.ESCROW:
            if note.reject_asked or self.stacker_full:
                note.reject_asked = True
                said(NoteEvent(K.REJECTING))
                note.stage = Stage.REJECTING
            else:
                said(NoteEvent(K.CREDIT, ch, value))
                said(NoteEvent(K.STACKING))
                self.credited.append(value)
                note.credit_again = self.take_fault("credit-twice")
                note.stage = Stage.STACKING
        elif note.stage is Stage.STACKING:
            if note.credit_again:
                said(NoteEvent(K.CREDIT, ch, value))
                self.credited.append(value)
            said(NoteEvent(K.STACKED))
            self.stacked += 1
            self.note = None
        else:  # rejecting
            said(NoteEvent(K.REJECTED))
            self.note = None

    def snapshot(self) -> dict[str, Any]:
        note = self.note
        return {
            "enabled": self.enabled,
            "accepting": [self.notes[c - 1] for c in sorted(self.accepting)],
            "protocol": self.protocol,
            "note": None if note is None else {"value": note.value, "stage": note.stage.value},
            "waiting": [n.value for n in self.waiting],
            "jam": self.jam,
            "stacker_full": self.stacker_full,
            "queued": [e.kind.value for e in self.events],
            "credited": sum(self.credited),
            "credits": len(self.credited),
            "stacked": self.stacked,
            "faults": {k: v for k, v in self.faults.items() if v},
        }


class CashSim(SimDevice):
    kind = "cash"

    def __init__(
        self,
        link: Path,
        control: Path | None = None,
        *,
        notes: Iterable[int] = DEFAULT_NOTES,
        address: int = 0,
        max_protocol: int = 8,
    ) -> None:
        self.model = ValidatorModel(notes, max_protocol)
        self.address = address
        self.frames_seen = 0
        self._reader = FrameReader()
        self._last_flag: bool | None = None
        self._last_reply: bytes | None = None
        super().__init__(link, control)

    # -- the wire --------------------------------------------------------------------------------

    def on_bytes(self, data: bytes) -> None:
        for found in self._reader.feed(data):
            if isinstance(found, Frame) and found.address == self.address:
                self.frames_seen += 1
                self._on_frame(found)
            # a spoilt frame, or one for another address: a real validator stays quiet

    def on_link_down(self) -> None:
        self._reader = FrameReader()

    def _on_frame(self, frame: Frame) -> None:
        if self.model.take_fault("silent"):
            return  # a dead validator neither answers nor acts
        code, params = frame.data[0], frame.data[1:]
        repeat = code != Command.SYNC and frame.flag == self._last_flag
        if self._last_reply is not None and (repeat or self.model.take_fault("stale-seq")):
            self._send(self._last_reply)
            return
        reply = encode_frame(Frame(frame.flag, self.address, self._carry_out(code, params)))
        self._last_flag, self._last_reply = frame.flag, reply
        self._send(reply)

    def _carry_out(self, code: int, params: bytes) -> bytes:
        m = self.model
        actions: dict[int, Callable[[], bytes | None]] = {
            Command.SYNC: lambda: None,
            Command.RESET: lambda: m.power_cycle(),
            Command.HOST_PROTOCOL_VERSION: lambda: self._host_protocol(params),
            Command.SETUP_REQUEST: lambda: bytes((OK,)) + encode_setup(m.setup()),
            Command.SET_INHIBITS: lambda: m.set_inhibits(params) if params else bytes((WRONG_PARAMS,)),
            Command.ENABLE: lambda: setattr(m, "enabled", True),
            Command.DISABLE: m.disable,
            Command.POLL: self._poll,
            Command.REJECT: lambda: m.reject(),
            Command.SERIAL_NUMBER: lambda: bytes((OK,)) + SERIAL.to_bytes(4, "big"),
        }
        action = actions.get(code)
        if action is None:
            return bytes((NOT_KNOWN,))
        takes_params = code in (Command.HOST_PROTOCOL_VERSION, Command.SET_INHIBITS)
        if params and not takes_params:
            return bytes((WRONG_PARAMS,))
        return action() or bytes((OK,))

    def _host_protocol(self, params: bytes) -> bytes | None:
        if len(params) != 1:
            return bytes((WRONG_PARAMS,))
        if not 1 <= params[0] <= self.model.max_protocol:
            return bytes((FAIL,))
        self.model.protocol = params[0]
        return None

    def _poll(self) -> bytes:
        data = bytes((OK,)) + encode_events(self.model.poll())
        if self.model.take_fault("unknown-event"):
            data += bytes((UNKNOWN_CODE, 0x01))
        return data

    def _send(self, reply: bytes) -> None:
        if self.model.take_fault("corrupt-crc"):
            reply = _with_crc_off_by_one(reply)
        if b"\x7f\x7f" in reply and self.model.take_fault("drop-stuffing"):
            at = reply.index(b"\x7f\x7f")
            reply = reply[:at] + reply[at + 1 :]
        self.write(reply)

    # -- the control channel --------------------------------------------------------------------

    def commands(self) -> dict[str, ControlCommand]:
        m = self.model
        table: dict[str, ControlCommand] = {
            "insert": (lambda value: self._insert(value), "VALUE"),
            "insert-reject": (lambda value: self._insert(value, refused=True), "VALUE"),
            "jam": (self._acting(m.jam_note), "safe|unsafe"),
            "fraud": (self._acting(m.fraud), ""),
            "stacker-full": (self._acting(lambda s="on": m.set_stacker_full(on_off(s))), "[on|off]"),
            "silent": (lambda s: self._fault("silent", FOREVER if on_off(s) else 0), "on|off"),
            "reset": (self._reset, ""),
        }
        for fault in REPLY_FAULTS:
            table[fault] = (self._fault_cmd(fault), "[COUNT|on|off]")
        return table

    def snapshot(self) -> dict[str, Any]:
        return {**super().snapshot(), "frames_seen": self.frames_seen, **self.model.snapshot()}

    def _insert(self, value: str, refused: bool = False) -> Any:
        return {**self.snapshot(), "outcome": self.model.insert(int(value), refused)}

    def _reset(self) -> Any:
        self.model.faults.clear()
        self.model.power_cycle()
        self._last_flag = self._last_reply = None
        return self.snapshot()

    def _fault_cmd(self, fault: str) -> Callable[..., Any]:
        def set_fault(count: str = "1") -> Any:
            n = {"on": FOREVER, "off": 0}.get(count)
            return self._fault(fault, int(count) if n is None else n)

        return set_fault

    def _fault(self, fault: str, count: int) -> Any:
        self.model.faults[fault] = count
        return self.snapshot()

    def _acting(self, action: Callable[..., None]) -> Callable[..., Any]:
        def act(*args: str) -> Any:
            action(*args)
            return self.snapshot()

        return act


def _with_crc_off_by_one(reply: bytes) -> bytes:
    """The same frame with its CRC wrong (still stuffed right, so only the CRC is at fault)."""
    body = bytearray(reply[1:].replace(b"\x7f\x7f", b"\x7f"))
    good = crc16(bytes(body[:-2]))
    bad = good ^ 0x0001
    body[-2:] = bytes((bad & 0xFF, bad >> 8))
    return b"\x7f" + bytes(body).replace(b"\x7f", b"\x7f\x7f")
