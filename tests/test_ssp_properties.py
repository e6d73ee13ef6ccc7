"""SSP property tests: frame → bytes → frame with stuffing, whatever the chunks; random bytes into
the reader and every decoder give values or the codec's own errors, never anything else."""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from drivers.cash.codec import (
    MAX_ADDRESS,
    STX,
    Frame,
    FrameReader,
    NoteEvent,
    NoteEventKind,
    Setup,
    decode_frame,
    enabled_channels,
    encode_events,
    encode_frame,
    encode_setup,
    inhibit_masks,
    parse_events,
    parse_serial,
    parse_setup,
)
from drivers.cash.errors import CodecError

K = NoteEventKind
frames = st.builds(Frame, st.booleans(), st.integers(0, MAX_ADDRESS), st.binary(min_size=1, max_size=255))
# DATA full of 0x7F, the byte that needs stuffing
stuffy = st.builds(
    Frame, st.booleans(), st.integers(0, MAX_ADDRESS),
    st.lists(st.sampled_from([0x7F, 0x00, 0xF0]), min_size=1, max_size=40).map(bytes),
)  # fmt: skip


@given(frame=st.one_of(frames, stuffy))
def test_frame_round_trip(frame: Frame) -> None:
    wire = encode_frame(frame)
    assert decode_frame(wire) == frame
    assert STX not in wire[1:].replace(b"\x7f\x7f", b"")  # no lone STX after the first


@given(frames=st.lists(st.one_of(frames, stuffy), min_size=1, max_size=5), data=st.data())
def test_reader_finds_every_frame_whatever_the_chunks_and_the_garbage_between(
    frames: list[Frame], data: st.DataObject
) -> None:
    no_stx = st.binary(max_size=8).map(lambda b: b.replace(b"\x7f", b""))
    wire = b"".join(data.draw(no_stx) + encode_frame(f) for f in frames)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=6)))
    reader = FrameReader()
    found = [x for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True) for x in reader.feed(wire[a:b])]
    assert found == frames


@given(junk=st.binary(max_size=300), chunk=st.integers(1, 64))
def test_random_bytes_into_the_reader_give_frames_or_codec_errors(junk: bytes, chunk: int) -> None:
    reader = FrameReader()
    for i in range(0, len(junk), chunk):
        for found in reader.feed(junk[i : i + chunk]):
            assert isinstance(found, (Frame, CodecError))
            if isinstance(found, Frame):
                assert 1 <= len(found.data) <= 255


@given(junk=st.binary(max_size=300))
def test_random_bytes_into_every_decoder_raise_only_codec_errors(junk: bytes) -> None:
    for decode in (decode_frame, parse_setup, parse_serial):
        with contextlib.suppress(CodecError):
            decode(junk)
    events = parse_events(junk, (10_000, 20_000))
    assert all(e.kind is not K.UNKNOWN for e in events[:-1])  # an unknown event ends the reply


@given(
    channels=st.lists(st.integers(0, 2**32 - 1), max_size=20),
    firmware=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=4, max_size=4),
    protocol=st.integers(6, 255),
)
def test_setup_round_trip_from_protocol_6(channels: list[int], firmware: str, protocol: int) -> None:
    setup = Setup(firmware, "VND", tuple(channels), protocol, 0)
    assert parse_setup(encode_setup(setup)) == setup


@given(
    multiples=st.lists(st.integers(1, 255), min_size=1, max_size=20),
    power=st.integers(0, 5),
    protocol=st.integers(1, 5),
)
def test_setup_round_trip_before_protocol_6(multiples: list[int], power: int, protocol: int) -> None:
    setup = Setup("0400", "VND", tuple(m * 10**power for m in multiples), protocol, 0)
    assert parse_setup(encode_setup(setup)) == setup


documented = [k for k in K if k is not K.UNKNOWN]


@given(picks=st.lists(st.tuples(st.sampled_from(documented), st.integers(0, 8)), max_size=30))
def test_events_round_trip(picks: list[tuple[NoteEventKind, int]]) -> None:
    channels = (10_000, 20_000, 50_000, 100_000, 200_000, 500_000)
    events = []
    for kind, ch in picks:
        has_channel = kind in (K.READ, K.CREDIT, K.FRAUD, K.CLEARED_FRONT, K.CLEARED_CASHBOX)
        value = channels[ch - 1] if has_channel and 1 <= ch <= 6 else None
        events.append(NoteEvent(kind, ch, value) if has_channel else NoteEvent(kind))
    assert parse_events(encode_events(events), channels) == events


@given(enabled=st.sets(st.integers(1, 24)), n=st.integers(0, 24))
def test_inhibit_masks_round_trip(enabled: set[int], n: int) -> None:
    masks = inhibit_masks(enabled, n)
    assert len(masks) >= 2
    assert enabled_channels(masks, n) == {c for c in enabled if c <= n}
