"""Property tests: encode/decode round trips, and random bytes raise only the codec's own error."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.lockboard.codec import LockboardCodec, RequestKind
from drivers.lockboard.errors import CodecError
from drivers.lockboard.framing import scan, seal
from drivers.lockboard.protocols import CODECS

CODEC_LIST = list(CODECS.values())


@st.composite
def board_state(draw: st.DrawFn, codec: LockboardCodec) -> tuple[int, list[bool], list[bool] | None]:
    board = draw(st.integers(0, codec.max_boards - 1))
    n = codec.locks_per_board
    hooks = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    items = draw(st.lists(st.booleans(), min_size=n, max_size=n)) if codec.has_item_sensors else None
    return board, hooks, items


@pytest.mark.parametrize("codec", CODEC_LIST, ids=lambda c: c.name)
@given(data=st.data())
def test_status_reply_round_trip(codec: LockboardCodec, data: st.DataObject) -> None:
    board, hooks, items = data.draw(board_state(codec))
    raw = codec.decode_status(codec.encode_status_reply(board, hooks, items), board)
    assert list(raw.hook_bits[: len(hooks)]) == hooks
    assert (list(raw.item_bits) if raw.item_bits else None) == items


@pytest.mark.parametrize("codec", CODEC_LIST, ids=lambda c: c.name)
@given(data=st.data())
def test_unlock_request_round_trip(codec: LockboardCodec, data: st.DataObject) -> None:
    board = data.draw(st.integers(0, codec.max_boards - 1))
    lock = data.draw(st.integers(1, codec.locks_per_board))
    request = codec.decode_request(codec.encode_unlock(board, lock))
    assert (request.kind, request.board, request.lock) == (RequestKind.UNLOCK, board, lock)
    request = codec.decode_request(codec.encode_status(board))
    assert (request.kind, request.board) == (RequestKind.STATUS, board)


@pytest.mark.parametrize("codec", CODEC_LIST, ids=lambda c: c.name)
@given(junk=st.binary(max_size=64), board=st.integers(0, 9))
def test_random_bytes_raise_only_codec_errors(codec: LockboardCodec, junk: bytes, board: int) -> None:
    for decode in (lambda: codec.decode_status(junk, board), lambda: codec.decode_request(junk)):
        with contextlib.suppress(CodecError):
            decode()


@pytest.mark.parametrize("codec", CODEC_LIST, ids=lambda c: c.name)
@given(body=st.binary(min_size=1, max_size=16), board=st.integers(0, 9))
def test_well_framed_random_bodies_raise_only_codec_errors(
    codec: LockboardCodec, body: bytes, board: int
) -> None:
    frame = seal(*body)  # right STX/ETX/SUM, arbitrary content
    for decode in (lambda: codec.decode_status(frame, board), lambda: codec.decode_request(frame)):
        with contextlib.suppress(CodecError):
            decode()


@given(before=st.binary(max_size=40), after=st.binary(max_size=40), data=st.data())
def test_scan_finds_a_frame_whatever_surrounds_it(before: bytes, after: bytes, data: st.DataObject) -> None:
    codec = CODECS["cu48"]
    board, hooks, _ = data.draw(board_state(codec))
    frame = codec.encode_status_reply(board, hooks, None)
    buf = before + frame + after
    found = scan(buf, (codec.reply_length,))
    # Junk may by chance hold a valid frame of its own before ours; never a wrong cut of ours.
    while found.frame is not None and found.frame != frame:
        buf = buf[found.consumed - codec.reply_length + 1 :]
        found = scan(buf, (codec.reply_length,))
    assert found.frame == frame


@given(buf=st.binary(max_size=80))
def test_scan_consumes_within_bounds(buf: bytes) -> None:
    found = scan(buf, (5, 7))
    assert 0 <= found.consumed <= len(buf)
    if found.frame is not None:
        assert found.frame in buf
