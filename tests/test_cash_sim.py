"""The production NoteValidator against the bill-validator simulator over a real pty: the note's
lifecycle, inhibits, enable/disable, and every fault the simulator can put on the wire, each with
its defined outcome (no credit lost, none counted twice)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.cash.codec import NoteEvent, NoteEventKind, Setup
from drivers.cash.errors import BadReply, ValidatorSilent
from drivers.cash.validator import NoteValidator
from drivers.errors import LinkLost, LinkUnavailable
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


def accepting(rig: CashRig, amount: int = 500_000) -> None:
    """Connected, taking notes up to ``amount``, the power-up events already collected."""
    rig.validator.connect()
    rig.validator.accept_up_to(amount)
    rig.polls(1)


def to_escrow(rig: CashRig, value: int) -> None:
    rig.ctl.call("insert", value)
    assert rig.polls(1) == [NoteEvent(K.READ, VND.index(value) + 1, value)]


def test_a_disabled_validator_draws_no_note_in(rig: CashRig) -> None:
    rig.validator.connect()
    assert rig.ctl.call("insert", 10_000)["outcome"] == "not drawn in: the validator is disabled"
    assert rig.polls(3) == [NoteEvent(K.SLAVE_RESET)]


def test_disabling_with_a_note_in_escrow_gives_it_back(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 20_000)
    rig.validator.disable()
    assert rig.polls(2) == [NoteEvent(K.REJECTING), NoteEvent(K.REJECTED)]
    assert rig.ctl.call("state")["credits"] == 0


def test_the_host_rejects_the_note_in_escrow(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 100_000)
    rig.validator.reject()
    assert rig.polls(3) == [NoteEvent(K.REJECTING), NoteEvent(K.REJECTED)]


def test_a_note_the_validator_refuses_is_rejected(rig: CashRig) -> None:
    accepting(rig)
    rig.ctl.call("insert-reject", 200_000)
    assert rig.polls(3) == [NoteEvent(K.READ, 0), NoteEvent(K.REJECTING), NoteEvent(K.REJECTED)]


def test_notes_put_in_one_after_another_are_each_credited_once(rig: CashRig) -> None:
    accepting(rig)
    for value in (10_000, 20_000, 10_000):
        rig.ctl.call("insert", value)
    assert credits(rig.polls(10)) == [10_000, 20_000, 10_000]


def test_an_older_unit_is_spoken_to_at_its_own_protocol(short_tmp: Path) -> None:
    with cash_rig(short_tmp, max_protocol=6) as rig:
        assert rig.validator.connect().protocol == 6
        assert rig.validator.counters.commands == 5  # SYNC, HOST PROTOCOL 8 and 7 (F8), 6, SETUP


# -- faults on the wire: each with a defined outcome --------------------------------------------


def test_bad_crc_on_the_credit_reply_credit_arrives_once(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 50_000)
    rig.ctl.call("corrupt-crc")
    events = rig.polls(3)
    assert credits(events) == [50_000] and K.STACKED in [e.kind for e in events]
    assert rig.validator.counters.retries == 1
    assert rig.ctl.call("state")["credits"] == 1  # the re-sent POLL was answered, not carried out


def test_bad_crc_on_every_try_then_the_line_heals_credit_not_lost(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 50_000)
    rig.ctl.call("corrupt-crc", "on")
    with pytest.raises(BadReply, match="bad CRC"):
        rig.validator.poll()
    rig.ctl.call("corrupt-crc", "off")
    rig.validator.accept_up_to(100_000)  # another verb: the unanswered POLL is asked first
    assert rig.validator.counters.resent == 1
    assert credits(rig.polls(3)) == [50_000]


def test_a_missing_stuffed_byte_is_a_frame_cut_short_and_asked_again(rig: CashRig) -> None:
    rig.validator.connect()
    rig.ctl.call("drop-stuffing")
    assert rig.validator.serial_number() == 0x017F7F2A
    assert rig.validator.counters.retries == 1


def test_a_stale_sequence_flag_is_refused_and_its_old_credit_not_counted_again(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 20_000)
    assert credits(rig.validator.poll()) == [20_000]
    rig.ctl.call("stale-seq")  # the next reply: the last one again (the credit), with its old flag
    assert rig.polls(1) == [NoteEvent(K.STACKED)]
    assert rig.validator.counters.retries == 1


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("corrupt-crc", "bad CRC"),
        ("drop-stuffing", "cut short"),
        ("stale-seq", "a reply marked 80 to a command marked 00"),
    ],
)
def test_a_fault_on_every_try_is_a_bad_reply_that_says_what_came(rig: CashRig, fault: str, said: str) -> None:
    rig.validator.connect()
    rig.ctl.call(fault, "on")
    with pytest.raises(BadReply, match=said) as bad:
        rig.validator.serial_number()
    assert "answered SERIAL NUMBER with no usable reply" in str(bad.value)
    assert rig.validator.counters.retries == 3


def test_an_unknown_event_is_recorded_not_guessed_and_what_came_before_is_kept(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 10_000)
    rig.ctl.call("unknown-event")
    assert rig.polls(1) == [
        NoteEvent(K.CREDIT, 1, 10_000), NoteEvent(K.STACKING), NoteEvent(K.UNKNOWN, 0x99),
    ]  # fmt: skip
    assert rig.polls(1) == [NoteEvent(K.STACKED)]


def test_a_credit_reported_twice_is_counted_once_and_marked(rig: CashRig) -> None:
    accepting(rig)
    rig.ctl.call("credit-twice")
    rig.ctl.call("insert", 200_000)
    events = rig.polls(4)
    assert [e for e in events if e.kind is K.CREDIT] == [
        NoteEvent(K.CREDIT, 5, 200_000), NoteEvent(K.CREDIT, 5, 200_000, repeated=True),
    ]  # fmt: skip
    assert credits(events) == [200_000]
    rig.ctl.call("insert", 200_000)  # the next note is money again
    assert credits(rig.polls(3)) == [200_000]


def test_an_unsafe_jam_before_credit_no_money_and_the_note_comes_back_out(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 500_000)
    rig.ctl.call("jam", "unsafe")
    assert rig.polls(2) == [NoteEvent(K.UNSAFE_JAM)] * 2  # said while it lasts
    assert rig.ctl.call("insert", 10_000)["outcome"].startswith("not drawn in")
    rig.ctl.call("reset")
    assert rig.polls(1) == [NoteEvent(K.SLAVE_RESET), NoteEvent(K.CLEARED_FRONT, 6, 500_000)]
    assert rig.ctl.call("state")["credits"] == 0


def test_a_safe_jam_after_credit_the_note_is_counted_once_and_ends_in_the_cashbox(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 100_000)
    assert credits(rig.validator.poll()) == [100_000]
    rig.ctl.call("jam", "safe")
    assert rig.polls(2) == [NoteEvent(K.SAFE_JAM)] * 2
    rig.ctl.call("reset")
    assert rig.polls(1) == [NoteEvent(K.SLAVE_RESET), NoteEvent(K.CLEARED_CASHBOX, 4, 100_000)]


def test_stacker_full_refuses_notes_until_the_cashbox_is_emptied(rig: CashRig) -> None:
    accepting(rig)
    rig.ctl.call("stacker-full")
    assert rig.ctl.call("insert", 10_000)["outcome"].startswith("not drawn in")
    assert rig.polls(1) == [NoteEvent(K.STACKER_FULL)]
    rig.ctl.call("stacker-full", "off")
    assert rig.polls(1) == [NoteEvent(K.CASHBOX_REMOVED), NoteEvent(K.CASHBOX_REPLACED)]
    rig.ctl.call("insert", 10_000)
    assert credits(rig.polls(2)) == [10_000]


def test_a_fraud_attempt_is_reported_with_its_channel_and_no_credit(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 50_000)
    rig.ctl.call("fraud")
    assert rig.polls(3) == [NoteEvent(K.FRAUD, 3, 50_000)]


def test_a_silent_validator_names_its_port_and_a_note_is_not_lost_when_it_speaks(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 20_000)
    rig.ctl.call("silent", "on")
    with pytest.raises(ValidatorSilent) as silent:
        rig.validator.poll()
    assert str(rig.link) in str(silent.value) and "4 tries" in str(silent.value)
    rig.ctl.call("silent", "off")
    assert credits(rig.polls(2)) == [20_000]


def test_after_a_restart_the_first_credit_belongs_to_the_payment(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 50_000)
    rig.validator.close()  # the kiosk goes down with the note in escrow
    restarted = NoteValidator.from_url(str(rig.link), reply_timeout_s=0.08)
    try:
        restarted.connect()
        assert credits(restarted.poll()) == [50_000]
    finally:
        restarted.close()


def test_the_adapter_unplugged_and_back(rig: CashRig) -> None:
    rig.validator.connect()
    rig.ctl.call("link", "down")
    with pytest.raises((LinkLost, LinkUnavailable)):
        rig.validator.poll()
    rig.ctl.call("link", "up")
    assert rig.validator.connect().country == "VND"


def test_a_validator_asked_at_another_address_stays_quiet(rig: CashRig) -> None:
    other = NoteValidator.from_url(str(rig.link), address=1, reply_timeout_s=0.05, retries=0)
    try:
        with pytest.raises(ValidatorSilent, match="with address 1"):
            other.connect()
    finally:
        other.close()
    assert rig.ctl.call("state")["frames_seen"] == 0


def test_notes_under_random_faults_on_the_wire_none_lost_none_counted_twice(short_tmp: Path) -> None:
    rng = random.Random(14)
    inserted: list[int] = []
    counted: list[int | None] = []
    faults = ["corrupt-crc", "drop-stuffing", "stale-seq"]
    with cash_rig(short_tmp, reply_timeout_s=0.04) as rig:
        accepting(rig)
        for _ in range(60):
            if rng.random() < 0.3:
                inserted.append(rng.choice(VND))
                rig.ctl.call("insert", inserted[-1])
            if rng.random() < 0.3:
                rig.ctl.call(rng.choice(faults), rng.choice([1, 2, 4]))
            with contextlib.suppress(BadReply, ValidatorSilent):  # the next POLL sends it again first
                counted += credits(rig.validator.poll())
        for fault in faults:
            rig.ctl.call(fault, "off")
        while rig.ctl.call("state")["note"] or rig.ctl.call("state")["waiting"]:
            counted += credits(rig.validator.poll())
        counted += credits(rig.validator.poll())
        state = rig.ctl.call("state")
        tried = rig.validator.counters
    assert len(inserted) > 10 and tried.retries > 10 and tried.resent > 0  # polls failed whole, too
    assert counted == inserted
    assert (state["credits"], state["credited"]) == (len(inserted), sum(inserted))


def test_disabling_gives_back_at_once_what_is_not_credited_even_unpolled(rig: CashRig) -> None:
    accepting(rig)
    to_escrow(rig, 50_000)
    rig.ctl.call("insert", 10_000)  # a second note at the bezel, behind the first
    rig.validator.disable()  # the fee is paid elsewhere: no poll follows for a while
    state = rig.ctl.call("state")
    assert (state["note"], state["waiting"]) == (None, [])
    rig.validator.accept_up_to(100_000)  # the next citizen's payment
    assert rig.polls(3) == [NoteEvent(K.REJECTING), NoteEvent(K.REJECTED)]  # nothing of the last one's
