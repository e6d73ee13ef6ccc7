"""SSP codec tables: every worked example of protocols/cash-ssp.md byte for byte, the SETUP and
POLL replies, and the driver through (sent, replied) tables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import pytest

from drivers.cash.codec import (
    Command,
    Frame,
    FrameReader,
    NoteEvent,
    NoteEventKind,
    Setup,
    command_frame,
    crc16,
    decode_frame,
    enabled_channels,
    encode_frame,
    encode_setup,
    inhibit_masks,
    parse_events,
    parse_serial,
    parse_setup,
)
from drivers.cash.errors import BadReply, CommandRefused, CrcError, FrameError, ValidatorSilent
from drivers.cash.validator import NoteValidator
from drivers.errors import LinkLost
from tests.protocol import Pair, ScriptedLink

H = bytes.fromhex
K = NoteEventKind
VND = (10_000, 20_000, 50_000, 100_000, 200_000, 500_000)

# -- the worked examples -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "wire"),
    [
        (command_frame(True, 0, Command.SYNC), "7F 80 01 11 65 82"),
        (encode_frame(Frame(True, 0, H("F0"))), "7F 80 01 F0 23 80"),
        (command_frame(True, 0, Command.HOST_PROTOCOL_VERSION, H("08")), "7F 80 02 06 08 03 94"),
        (command_frame(True, 0, Command.SETUP_REQUEST), "7F 80 01 05 1D 82"),
        (command_frame(True, 0, Command.POLL), "7F 80 01 07 12 02"),
        (encode_frame(Frame(True, 0, H("F0 F1 E8"))), "7F 80 03 F0 F1 E8 BF 8C"),
        (encode_frame(Frame(True, 0, H("F0 EE 01 EB"))), "7F 80 04 F0 EE 01 EB B9 48"),
        (
            command_frame(True, 0, Command.SET_INHIBITS, inhibit_masks(range(1, 17), 16)),
            "7F 80 03 02 FF FF 25 A4",
        ),
        (command_frame(False, 0, Command.SET_INHIBITS, H("68")), "7F 00 02 02 68 7F 7F 8D"),
        (encode_frame(Frame(True, 0, H("F0 01 7F 7F 2A"))), "7F 80 05 F0 01 7F 7F 7F 7F 2A 73 72"),
    ],
)
def test_worked_examples_encode_byte_for_byte_and_decode_back(frame: bytes, wire: str) -> None:
    assert frame == H(wire)
    back = decode_frame(H(wire))
    assert encode_frame(back) == H(wire)


def test_worked_example_crc_is_over_seq_len_data_low_byte_first() -> None:
    assert crc16(H("80 01 11")) == 0x8265  # sent as 65 82
    assert crc16(H("00 02 02 68")) == 0x8D7F  # its low byte 7F is the one stuffed


def test_worked_example_poll_replies_parse_to_events() -> None:
    reset = decode_frame(H("7F 80 03 F0 F1 E8 BF 8C"))
    assert parse_events(reset.data[1:], VND) == [NoteEvent(K.SLAVE_RESET), NoteEvent(K.DISABLED)]
    credit = decode_frame(H("7F 80 04 F0 EE 01 EB B9 48"))
    assert parse_events(credit.data[1:], VND) == [NoteEvent(K.CREDIT, 1, 10_000), NoteEvent(K.STACKED)]


def test_worked_example_serial_number_with_stuffed_data() -> None:
    reply = decode_frame(H("7F 80 05 F0 01 7F 7F 7F 7F 2A 73 72"))
    assert reply == Frame(True, 0, H("F0 01 7F 7F 2A"))
    assert parse_serial(reply.data[1:]) == 0x017F7F2A


def test_worked_example_set_inhibits_masks() -> None:
    assert inhibit_masks(range(1, 17), 16) == H("FF FF")
    assert enabled_channels(H("68"), 8) == {4, 6, 7}
    assert inhibit_masks({4, 6, 7}, 6) == H("28 00")  # channel 7 does not exist on a 6-channel unit


# -- the reader --------------------------------------------------------------------------------


def test_reader_resyncs_on_stx_after_garbage_and_across_chunks() -> None:
    reader = FrameReader()
    wire = H("00 55 AA") + H("7F 80 05 F0 01 7F 7F 7F 7F 2A 73 72") + H("13")
    found = [x for i in range(len(wire)) for x in reader.feed(wire[i : i + 1])]
    assert found == [Frame(True, 0, H("F0 01 7F 7F 2A"))]
    assert reader.skipped == 4 and not reader.inside_frame


def test_reader_a_lone_7f_cuts_the_frame_short_and_starts_the_next() -> None:
    # the stuffing example with one stuffed byte missing: the first frame is cut, then a new one
    found = FrameReader().feed(H("7F 80 05 F0 01 7F 7F 7F 2A 73 72") + H("7F 80 01 F0 23 80"))
    assert isinstance(found[0], FrameError) and "cut short" in str(found[0])
    # "7F 2A 73 72" starts a frame of LEN 0x73, itself cut short by the next STX: a whole reply
    assert isinstance(found[1], FrameError)
    assert found[2:] == [Frame(True, 0, H("F0"))]


def test_reader_bad_crc_and_zero_length_are_typed() -> None:
    found = FrameReader().feed(H("7F 80 01 F0 23 81") + H("7F 80 00") + H("7F 80 01 F0 23 80"))
    assert isinstance(found[0], CrcError) and "expected 8023, got 8123" in str(found[0])
    assert isinstance(found[1], FrameError) and "length 0" in str(found[1])
    assert found[2] == Frame(True, 0, H("F0"))


@pytest.mark.parametrize(
    "wire",
    ["", "80 01 F0 23 80", "7F 80 01 F0 23", "7F 80 01 F0 23 80 00", "7F 80 01 F0 23 80 7F 80 01 F0 23 80"],
)
def test_decode_frame_wants_exactly_one_frame(wire: str) -> None:
    with pytest.raises(FrameError):
        decode_frame(H(wire))


# -- SETUP REQUEST -----------------------------------------------------------------------------

# An NV9 at protocol 7: type 00, firmware "0400", "VND", multiplier 10,000 (00 27 10), 6 channels
# valued 1 2 5 10 20 50, security 02 ×6, real multiplier 1, protocol 07, "VND" ×6, expanded values.
NV9_P7 = H(
    "00 30 34 30 30 56 4E 44 00 27 10 06 01 02 05 0A 14 32 02 02 02 02 02 02 00 00 01 07"
    + " 56 4E 44" * 6
    + " 10 27 00 00 20 4E 00 00 50 C3 00 00 A0 86 01 00 40 0D 03 00 20 A1 07 00"
)


def test_setup_reply_protocol_7_takes_the_expanded_values() -> None:
    assert parse_setup(NV9_P7) == Setup("0400", "VND", VND, 7, 0)


def test_setup_reply_protocol_6_with_multiplier_zero_still_has_its_notes() -> None:
    zero = NV9_P7[:8] + H("00 00 00") + NV9_P7[11:]
    assert parse_setup(zero).channels == VND


def test_setup_reply_before_protocol_6_multiplies_the_channel_values() -> None:
    p4 = NV9_P7[:27] + H("04")  # no country codes, no expanded values
    assert parse_setup(p4) == Setup("0400", "VND", VND, 4, 0)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (NV9_P7[:11], "too short"),
        (NV9_P7[:-1], "not 69"),
        (NV9_P7 + H("00"), "not 71"),
        (NV9_P7[:1] + H("30 34 FF 30") + NV9_P7[5:], "firmware"),
        (NV9_P7[:30] + H("00") + NV9_P7[31:], "channel country"),
        (H("00 30 34 30 30 56 4E 44 00 00 01 FF"), "naming 255 channels"),  # bounded before its length
        (H("00 30 34 30 30 56 4E 44 00 00 01 18"), "too short for 24 channels"),
    ],
)
def test_setup_reply_that_does_not_add_up_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(FrameError, match=why):
        parse_setup(data)


def test_setup_encodes_as_the_hand_written_reply() -> None:
    assert encode_setup(Setup("0400", "VND", VND, 7, 0)) == NV9_P7


# -- POLL events -------------------------------------------------------------------------------


def test_every_documented_event_with_its_channel_and_value() -> None:
    data = H("F1 EF 00 EF 03 EE 03 CC EB ED EC EA E9 E8 E7 E6 02 E1 01 E2 06 E3 E4 B5 B6")
    assert parse_events(data, VND) == [
        NoteEvent(K.SLAVE_RESET), NoteEvent(K.READ, 0), NoteEvent(K.READ, 3, 50_000),
        NoteEvent(K.CREDIT, 3, 50_000), NoteEvent(K.STACKING), NoteEvent(K.STACKED),
        NoteEvent(K.REJECTING), NoteEvent(K.REJECTED), NoteEvent(K.SAFE_JAM), NoteEvent(K.UNSAFE_JAM),
        NoteEvent(K.DISABLED), NoteEvent(K.STACKER_FULL), NoteEvent(K.FRAUD, 2, 20_000),
        NoteEvent(K.CLEARED_FRONT, 1, 10_000), NoteEvent(K.CLEARED_CASHBOX, 6, 500_000),
        NoteEvent(K.CASHBOX_REMOVED), NoteEvent(K.CASHBOX_REPLACED), NoteEvent(K.CHANNELS_DISABLED),
        NoteEvent(K.INITIALISING),
    ]  # fmt: skip


def test_unknown_event_is_recorded_and_the_rest_dropped_not_guessed() -> None:
    assert parse_events(H("EF 01 99 EE 01 EB"), VND) == [
        NoteEvent(K.READ, 1, 10_000),
        NoteEvent(K.UNKNOWN, 0x99),
    ]


def test_event_cut_before_its_channel_is_unknown_and_a_channel_out_of_range_has_no_value() -> None:
    assert parse_events(H("EB EE"), VND) == [NoteEvent(K.STACKED), NoteEvent(K.UNKNOWN, 0xEE)]
    assert parse_events(H("EE 09"), VND) == [NoteEvent(K.CREDIT, 9, None)]
    assert parse_events(H("EE 01")) == [NoteEvent(K.CREDIT, 1, None)]  # before SETUP: no values


@pytest.mark.parametrize("data", ["", "01 02 03", "00 01 02 03 04"])
def test_serial_number_reply_is_four_bytes(data: str) -> None:
    with pytest.raises(FrameError):
        parse_serial(H(data))


# -- the driver through (sent, replied) tables -------------------------------------------------


class SSPLink(ScriptedLink):
    baudrate = 9600


def ok(flag: bool, data: str = "") -> bytes:
    return encode_frame(Frame(flag, 0, H("F0" + data)))


def cmd(flag: bool, command: Command, params: str = "") -> bytes:
    return command_frame(flag, 0, command, H(params))


def connecting() -> list[Pair]:
    return [
        (H("7F 80 01 11 65 82"), H("7F 80 01 F0 23 80")),
        (cmd(False, Command.HOST_PROTOCOL_VERSION, "08"), ok(False)),
        (cmd(True, Command.SETUP_REQUEST), ok(True, NV9_P7.hex())),
    ]


class Ticking:
    """A monotonic clock that moves 1 ms each time it is looked at, so deadlines pass unwaited."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


@contextlib.contextmanager
def expected_ssp(pairs: Sequence[Pair], retries: int = 2) -> Iterator[NoteValidator]:
    link = SSPLink(pairs)
    validator = NoteValidator(link, reply_timeout_s=0.05, retries=retries, monotonic=Ticking())  # type: ignore[arg-type]
    yield validator
    assert not link.pairs, f"{len(link.pairs)} pair(s) of the table were never sent"


def test_connect_accept_and_poll_the_worked_credit() -> None:
    table = [
        *connecting(),
        (cmd(False, Command.SET_INHIBITS, "07 00"), ok(False)),
        (cmd(True, Command.ENABLE), ok(True)),
        (cmd(False, Command.POLL), ok(False, "EF 01")),
        (H("7F 80 01 07 12 02"), H("7F 80 04 F0 EE 01 EB B9 48")),
    ]
    with expected_ssp(table) as v:
        assert v.connect() == Setup("0400", "VND", VND, 7, 0)
        assert v.accept_up_to(50_000) == (10_000, 20_000, 50_000)
        assert v.poll() == [NoteEvent(K.READ, 1, 10_000)]
        assert v.poll() == [NoteEvent(K.CREDIT, 1, 10_000), NoteEvent(K.STACKED)]


def test_host_protocol_falls_back_from_8_to_7_to_6() -> None:
    table = [
        (H("7F 80 01 11 65 82"), H("7F 80 01 F0 23 80")),
        (cmd(False, Command.HOST_PROTOCOL_VERSION, "08"), encode_frame(Frame(False, 0, H("F8")))),
        (cmd(True, Command.HOST_PROTOCOL_VERSION, "07"), encode_frame(Frame(True, 0, H("F8")))),
        (cmd(False, Command.HOST_PROTOCOL_VERSION, "06"), ok(False)),
        (cmd(True, Command.SETUP_REQUEST), ok(True, NV9_P7.hex())),
    ]
    with expected_ssp(table) as v:
        v.connect()


def test_a_lost_poll_reply_is_asked_again_with_the_identical_frame() -> None:
    poll = cmd(False, Command.POLL)
    table = [*connecting(), (poll, None), (poll, ok(True, "EE 01")), (poll, ok(False, "EE 01"))]
    with expected_ssp(table) as v:  # the second reply's flag is wrong: refused, asked again
        v.connect()
        assert v.poll() == [NoteEvent(K.CREDIT, 1, 10_000)]
        assert v.counters.retries == 2


def test_silence_on_every_try_is_validator_silent_and_the_frame_goes_first_next_time() -> None:
    poll = cmd(False, Command.POLL)
    table = [*connecting(), (poll, None), (poll, None), (poll, None)]
    table += [(poll, ok(False, "EE 02")), (cmd(True, Command.DISABLE), ok(True)), (poll, ok(False))]
    with expected_ssp(table) as v:
        v.connect()
        with pytest.raises(ValidatorSilent, match="check its power, the serial cable"):
            v.poll()
        v.disable()  # the unanswered POLL is asked again first, same flag: its credit is held
        assert v.counters.resent == 1
        assert v.poll() == [NoteEvent(K.CREDIT, 2, 20_000)]  # a new POLL, its flag toggled


def test_bad_crc_on_every_try_is_bad_reply() -> None:
    bad = H("7F 00 01 F0 20 80")
    table = [*connecting(), *[(cmd(False, Command.POLL), bad)] * 3]
    with expected_ssp(table) as v:
        v.connect()
        with pytest.raises(BadReply, match="bad CRC"):
            v.poll()


def test_a_refusal_names_the_command_and_its_reason() -> None:
    table = [*connecting(), (cmd(False, Command.DISABLE), encode_frame(Frame(False, 0, H("F5 03"))))]
    with expected_ssp(table) as v:
        v.connect()
        with pytest.raises(CommandRefused) as refused:
            v.disable()
    assert refused.value.code == 0xF5 and refused.value.reason == 3
    assert "refused DISABLE: F5 command cannot be processed, reason 03" in str(refused.value)


def test_accepting_nothing_disables() -> None:
    table = [
        *connecting(),
        (cmd(False, Command.SET_INHIBITS, "00 00"), ok(False)),
        (cmd(True, Command.DISABLE), ok(True)),
        (cmd(False, Command.DISABLE), ok(False)),
    ]
    with expected_ssp(table) as v:
        v.connect()
        assert v.accept_up_to(5_000) == ()
        assert v.accept_up_to(0) == ()


def test_a_credit_with_no_note_read_since_the_last_is_marked_repeated() -> None:
    table = [
        *connecting(),
        (cmd(False, Command.POLL), ok(False, "EE 03 CC")),  # first after connecting: money
        (cmd(True, Command.POLL), ok(True, "EE 03 EB")),  # again, no read between: not money
        (cmd(False, Command.POLL), ok(False, "EF 03 EE 03")),
    ]
    with expected_ssp(table) as v:
        v.connect()
        assert v.poll()[0] == NoteEvent(K.CREDIT, 3, 50_000)
        assert v.poll()[0] == NoteEvent(K.CREDIT, 3, 50_000, repeated=True)
        assert v.poll()[1] == NoteEvent(K.CREDIT, 3, 50_000)


class BabblingLink(SSPLink):
    """A validator that sends garbage without end: every read has bytes."""

    def read(self, size: int, deadline: float) -> bytes:
        return H("55 AA") * 8


def test_a_line_that_babbles_without_end_is_bad_reply_within_the_deadline() -> None:
    link, clock = BabblingLink([(cmd(True, Command.SYNC), None)] * 2), Ticking()
    v = NoteValidator(link, reply_timeout_s=0.05, retries=1, monotonic=clock)  # type: ignore[arg-type]
    with pytest.raises(BadReply, match="bytes that were not a whole frame"):
        v.connect()
    assert clock.now < 0.2  # two tries of 50 ms, not forever


def test_our_own_frame_echoed_by_a_half_duplex_adapter_is_not_taken_for_the_reply() -> None:
    poll = cmd(False, Command.POLL)
    with expected_ssp([*connecting(), (poll, poll + ok(False, "EF 02"))]) as v:
        v.connect()
        assert v.poll() == [NoteEvent(K.READ, 2, 20_000)]


class LosingLink(SSPLink):
    """The adapter goes away once, after a POLL went out and before its reply was read."""

    lost = False

    def read(self, size: int, deadline: float) -> bytes:
        if not self.lost and self.pending.startswith(ok(False, "EE 04")):
            self.lost = True
            raise LinkLost("scripted://", "device reports readiness to read but returned no data")
        return super().read(size, deadline)


def test_a_link_lost_after_a_poll_went_out_sends_that_poll_again_first() -> None:
    poll = cmd(False, Command.POLL)
    table = [*connecting(), (poll, ok(False, "EE 04")), (poll, ok(False, "EE 04"))]
    table += [(cmd(True, Command.SET_INHIBITS, "0F 00"), ok(True)), (cmd(False, Command.ENABLE), ok(False))]
    table += [(cmd(True, Command.POLL), ok(True))]
    link = LosingLink(table)
    v = NoteValidator(link, reply_timeout_s=0.05, monotonic=Ticking())  # type: ignore[arg-type]
    v.connect()
    with pytest.raises(LinkLost):
        v.poll()
    assert v.accept_up_to(100_000) == (10_000, 20_000, 50_000, 100_000)  # the POLL first, same flag
    assert v.poll() == [NoteEvent(K.CREDIT, 4, 100_000)]
    assert not link.pairs


def test_a_late_reply_to_the_last_command_is_passed_over_for_the_answer_behind_it() -> None:
    late = ok(True)  # SETUP's reply arriving twice, the second time late
    with expected_ssp([*connecting(), (cmd(False, Command.POLL), late + ok(False, "EF 06"))]) as v:
        v.connect()
        assert v.poll() == [NoteEvent(K.READ, 6, 500_000)]
        assert v.counters.retries == 0


def test_a_reply_from_another_address_is_refused_as_bad_reply() -> None:
    poll = cmd(False, Command.POLL)
    stranger = encode_frame(Frame(False, 1, H("F0 EE 01")))  # a credit, but from validator 1
    with expected_ssp([*connecting(), *[(poll, stranger)] * 3]) as v:
        v.connect()
        with pytest.raises(BadReply, match="a reply marked 01 to a command marked 00"):
            v.poll()
