"""The production NoteValidator against the bill-validator simulator over a real pty: the note's
lifecycle, inhibits, enable/disable, and every fault the simulator can put on the wire, each with
its defined outcome (no credit lost, none counted twice)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.cash.codec import NoteEvent, NoteEventKind, Setup
from tests.cash_rig import CashRig, cash_rig

K = NoteEventKind
VND = (10_000, 20_000, 50_000, 100_000, 200_000, 500_000)


@pytest.fixture
def rig(short_tmp: Path) -> Iterator[CashRig]:
    with cash_rig(short_tmp) as r:
        yield r


def credits(events: list[NoteEvent]) -> list[int | None]:
    return [e.value for e in events if e.kind is K.CREDIT and not e.repeated]


def test_connect_reads_the_validator(rig: CashRig) -> None:
    assert rig.validator.connect() == Setup("0400", "VND", VND, 8, 0)
    assert rig.validator.serial_number() == 0x017F7F2A  # its reply has stuffed bytes
    assert rig.validator.poll() == [NoteEvent(K.SLAVE_RESET), NoteEvent(K.DISABLED)]


def test_a_note_is_read_credited_and_stacked_across_polls(rig: CashRig) -> None:
    rig.validator.connect()
    assert rig.validator.accept_up_to(50_000) == (10_000, 20_000, 50_000)
    rig.polls(1)
    assert rig.ctl.call("insert", 50_000)["outcome"] == "drawn in"
    assert rig.polls(4) == [
        NoteEvent(K.READ, 3, 50_000), NoteEvent(K.CREDIT, 3, 50_000), NoteEvent(K.STACKING),
        NoteEvent(K.STACKED),
    ]  # fmt: skip
    state = rig.ctl.call("state")
    assert (state["credited"], state["stacked"], state["note"]) == (50_000, 1, None)


def test_a_note_above_what_is_due_is_rejected(rig: CashRig) -> None:
    rig.validator.connect()
    rig.validator.accept_up_to(30_000)
    rig.polls(1)
    rig.ctl.call("insert", 50_000)
    assert rig.polls(3) == [NoteEvent(K.READ, 0), NoteEvent(K.REJECTING), NoteEvent(K.REJECTED)]
    assert rig.ctl.call("state")["credited"] == 0
