"""Codec tables: (bytes sent, bytes replied), including every worked example in lockboards.md."""

from __future__ import annotations

import pytest

from drivers.lockboard.bus import BusTiming, HookPolarity
from drivers.lockboard.codec import RequestKind
from drivers.lockboard.cu16 import CU16
from drivers.lockboard.cu48 import CU48
from drivers.lockboard.errors import (
    BoardSilent,
    ChecksumError,
    DoorJammed,
    FrameError,
    NoSuchLock,
    UnlockUnconfirmed,
    WrongBoard,
)
from tests.protocol import expected_protocol

H = bytes.fromhex
cu48, cu16 = CU48(), CU16()

# -- worked examples of protocols/lockboards.md ------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (cu48.encode_status(0), "02 00 00 50 03 55"),
        (cu48.encode_status_all(), "02 0A 00 50 03 5F"),
        (cu48.encode_unlock(0, 1), "02 00 00 51 03 56"),
        (cu48.encode_unlock_all(0), "02 00 30 51 03 86"),
        (cu48.encode_unlock_all(None), "02 0A 30 51 03 90"),
        (cu16.encode_status(0), "02 00 30 03 35"),
        (cu16.encode_unlock(0, 1), "02 00 31 03 36"),
        (cu16.encode_unlock(1, 3), "02 12 31 03 48"),
    ],
)
def test_worked_example_requests(encoded: bytes, expected: str) -> None:
    assert encoded == H(expected)


def test_worked_example_cu48_status_board0() -> None:
    raw = cu48.decode_status(H("02 00 00 65 07 00 00 00 00 C0 03 31"), 0)
    locked = [i + 1 for i, bit in enumerate(raw.hook_bits) if bit]
    assert locked == [1, 2, 3, 47, 48]
    assert raw.item_bits is None


def test_worked_example_cu48_broadcast_reply_board1() -> None:
    raw = cu48.decode_status(H("02 01 00 65 00 00 80 00 00 00 03 EB"), 1)
    assert [i + 1 for i, bit in enumerate(raw.hook_bits) if bit] == [24]


# -- the driver through tables -----------------------------------------------------------------

CU48_B0_LOCKED_1_2_3_47_48 = H("02 00 00 65 07 00 00 00 00 C0 03 31")


def cu48_status(board: int, locked: set[int]) -> bytes:
    return cu48.encode_status_reply(board, [i + 1 in locked for i in range(48)], None)


def cu16_status(board: int, locked: set[int], items: set[int] = frozenset()) -> bytes:  # type: ignore[assignment]
    return cu16.encode_status_reply(
        board, [i + 1 in locked for i in range(16)], [i + 1 in items for i in range(16)]
    )


def test_cu48_status_table() -> None:
    with expected_protocol("cu48", [(H("02 00 00 50 03 55"), CU48_B0_LOCKED_1_2_3_47_48)]) as bus:
        status = bus.status(0)
    assert status.is_locked(1) and status.is_locked(48) and not status.is_locked(4)


def test_cu48_normally_closed_inverts_hooks() -> None:
    nc = {0: HookPolarity.NORMALLY_CLOSED}
    with expected_protocol("cu48", [(H("02 00 00 50 03 55"), CU48_B0_LOCKED_1_2_3_47_48)], nc) as bus:
        status = bus.status(0)
    assert not status.is_locked(1) and status.is_locked(4)


def test_cu16_status_with_items_table() -> None:
    reply = H("02 10 30 FF FF 05 00 03 48")
    assert reply == cu16_status(1, set(range(1, 17)), {1, 3})
    with expected_protocol("cu16", [(H("02 10 30 03 45"), reply)]) as bus:
        status = bus.status(1)
    assert all(status.locked)
    assert status.has_item(1) and not status.has_item(2) and status.has_item(3)


def test_cu16_reply_with_cmd_35_is_accepted() -> None:
    # Some public implementations report status replies with command 35; accept both.
    body = bytes((0x02, 0x00, 0x35, 0xFF, 0xFF, 0x00, 0x00, 0x03))
    reply = body + bytes((sum(body) & 0xFF,))
    with expected_protocol("cu16", [(H("02 00 30 03 35"), reply)]) as bus:
        assert all(bus.status(0).locked)


def test_unlock_confirmed_by_polling_table() -> None:
    pairs = [
        (H("02 00 00 51 03 56"), None),  # unlock: no reply
        (H("02 00 00 50 03 55"), cu48_status(0, {1, 2})),  # still locked
        (H("02 00 00 50 03 55"), cu48_status(0, {2})),  # released
    ]
    with expected_protocol("cu48", pairs) as bus:
        proof = bus.unlock(0, 1)
    assert not proof.is_locked(1) and proof.is_locked(2)


def test_cu16_busy_after_unlock_is_retried_not_failed_table() -> None:
    pairs = [
        (H("02 12 31 03 48"), None),
        (H("02 10 30 03 45"), None),  # busy: silent
        (H("02 10 30 03 45"), None),
        (H("02 10 30 03 45"), cu16_status(1, set())),
    ]
    with expected_protocol("cu16", pairs) as bus:
        assert not bus.unlock(1, 3).is_locked(3)


def test_jam_when_hook_stays_locked_table() -> None:
    timing = BusTiming(poll_interval_s=0.1, unlock_confirm_s=0.25, unlock_attempts=2)
    locked = cu48_status(0, {1})
    pairs = []
    for _ in range(2):
        pairs += [(H("02 00 00 51 03 56"), None)] + [(H("02 00 00 50 03 55"), locked)] * 3
    with expected_protocol("cu48", pairs, timing=timing) as bus, pytest.raises(DoorJammed) as err:
        bus.unlock(0, 1)
    assert "door jammed" in str(err.value)


def test_unlock_unconfirmed_when_board_mute_table() -> None:
    timing = BusTiming(retries=0, poll_interval_s=0.1, unlock_confirm_s=0.15, unlock_attempts=1)
    # One poll, silent for the whole reply timeout, already passes the confirm deadline.
    pairs = [(H("02 00 00 51 03 56"), None), (H("02 00 00 50 03 55"), None)]
    with expected_protocol("cu48", pairs, timing=timing) as bus, pytest.raises(UnlockUnconfirmed) as err:
        bus.unlock(0, 1)
    assert isinstance(err.value.cause, BoardSilent)


@pytest.mark.parametrize(
    ("replies", "error"),
    [
        ([None, None, None], BoardSilent),
        ([CU48_B0_LOCKED_1_2_3_47_48[:-1] + b"\x00"] * 3, ChecksumError),
        ([CU48_B0_LOCKED_1_2_3_47_48[:7]] * 3, FrameError),
        ([cu48_status(1, set())] * 3, WrongBoard),
    ],
    ids=["silent", "checksum", "short", "wrong-board"],
)
def test_bounded_retries_then_typed_error_table(replies: list[bytes | None], error: type[Exception]) -> None:
    pairs = [(H("02 00 00 50 03 55"), r) for r in replies]
    with expected_protocol("cu48", pairs) as bus, pytest.raises(error):
        bus.status(0)


def test_retry_recovers_from_one_bad_reply_table() -> None:
    pairs = [
        (H("02 00 00 50 03 55"), CU48_B0_LOCKED_1_2_3_47_48[:-1] + b"\x00"),
        (H("02 00 00 50 03 55"), CU48_B0_LOCKED_1_2_3_47_48),
    ]
    with expected_protocol("cu48", pairs) as bus:
        assert bus.status(0).is_locked(47)
    assert bus.counters.retries == 1


def test_bytes_between_frames_are_skipped_table() -> None:
    noisy = H("FF 02 55 03") + CU48_B0_LOCKED_1_2_3_47_48
    with expected_protocol("cu48", [(H("02 00 00 50 03 55"), noisy)]) as bus:
        assert bus.status(0).is_locked(1)


# -- board side (what the simulator decodes) -----------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "frame", "kind", "board", "lock"),
    [
        (cu48, "02 00 00 50 03 55", RequestKind.STATUS, 0, None),
        (cu48, "02 0A 00 50 03 5F", RequestKind.STATUS_ALL, None, None),
        (cu48, "02 00 00 51 03 56", RequestKind.UNLOCK, 0, 1),
        (cu48, "02 00 30 51 03 86", RequestKind.UNLOCK_ALL, 0, None),
        (cu48, "02 0A 30 51 03 90", RequestKind.UNLOCK_ALL, None, None),
        (cu16, "02 00 30 03 35", RequestKind.STATUS, 0, None),
        (cu16, "02 00 31 03 36", RequestKind.UNLOCK, 0, 1),
        (cu16, "02 12 31 03 48", RequestKind.UNLOCK, 1, 3),
    ],
)
def test_board_side_decodes_requests(codec, frame, kind, board, lock) -> None:  # type: ignore[no-untyped-def]
    request = codec.decode_request(H(frame))
    assert (request.kind, request.board, request.lock) == (kind, board, lock)


def test_cu16_set_pulse_round_trip() -> None:
    frame = cu16.encode_set_pulse(2, 300)
    assert frame == H("02 20 37 00 1E 03 7A")
    request = cu16.decode_request(frame)
    assert (request.kind, request.board, request.pulse_ms) == (RequestKind.SET_PULSE, 2, 300)


@pytest.mark.parametrize(
    ("codec", "board", "lock"), [(cu48, 10, 1), (cu48, 0, 49), (cu16, 16, 1), (cu16, 0, 0)]
)
def test_encoding_a_lock_that_does_not_exist_is_refused(codec, board: int, lock: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoSuchLock):
        codec.encode_unlock(board, lock)
