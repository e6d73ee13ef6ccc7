"""The production LockBus against the simulator over a real pty: both protocols, several boards,
every fault the simulator can inject."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.errors import LinkLost, LinkUnavailable
from drivers.lockboard.bus import LockBus
from drivers.lockboard.errors import (
    BoardSilent,
    ChecksumError,
    DoorJammed,
    FrameError,
    UnlockUnconfirmed,
    WrongBoard,
)
from tests.conftest import SimBus

MakeSimBus = Callable[..., SimBus]
PROTOCOLS = ["cu48", "cu16"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_doors_start_closed_and_locked(make_simbus: MakeSimBus, protocol: str) -> None:
    sb = make_simbus(protocol, boards=(0, 1, 3))
    for board in (0, 1, 3):
        status = sb.bus.status(board)
        assert all(status.locked)
        assert status.item_present is None if protocol == "cu48" else not any(status.item_present or ())


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_unlock_is_confirmed_then_person_closes(make_simbus: MakeSimBus, protocol: str) -> None:
    sb = make_simbus(protocol, release_ms=30)
    proof = sb.bus.unlock(1, 7)
    assert not proof.is_locked(7)
    assert sb.ctl.call("state")["boards"]["1"]["open"] == [7]
    assert not sb.bus.status(1).is_locked(7)  # springs open and stays open
    sb.ctl.call("close", 1, 7)
    assert sb.bus.status(1).is_locked(7)
    assert all(sb.bus.status(0).locked)  # the other board was never touched


def test_cu16_item_sensor_follows_the_person(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu16")
    sb.bus.unlock(0, 4)
    sb.ctl.call("put", 0, 4)
    sb.ctl.call("close", 0, 4)
    status = sb.bus.status(0)
    assert status.is_locked(4) and status.has_item(4) is True
    sb.bus.unlock(0, 4)
    sb.ctl.call("take", 0, 4)
    assert sb.bus.status(0).has_item(4) is False


def test_normally_closed_board_reads_the_same_to_the_kiosk(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu48", nc=(1,))
    assert all(sb.bus.status(1).locked)
    assert not sb.bus.unlock(1, 2).is_locked(2)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_jammed_lock_raises_door_jammed(make_simbus: MakeSimBus, protocol: str) -> None:
    sb = make_simbus(protocol)
    sb.ctl.call("jam", 0, 5, "on")
    with pytest.raises(DoorJammed) as err:
        sb.bus.unlock(0, 5)
    assert (err.value.board, err.value.lock) == (0, 5)
    assert sb.bus.status(0).is_locked(5)
    assert not sb.bus.unlock(0, 6).is_locked(6)  # the neighbour still opens


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_silent_board_does_not_stop_the_others(make_simbus: MakeSimBus, protocol: str) -> None:
    sb = make_simbus(protocol, boards=(0, 1, 2))
    sb.ctl.call("silent", 1, "on")
    result = sb.bus.read_all([0, 1, 2])
    assert isinstance(result[1], BoardSilent)
    assert all(result[0].locked) and all(result[2].locked)  # type: ignore[union-attr]
    with pytest.raises(UnlockUnconfirmed):
        sb.bus.unlock(1, 1)
    assert sb.ctl.call("state")["boards"]["1"]["open"] == []  # a dead board does not act


def test_board_missing_from_the_bus_is_silent(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu16", boards=(0,))
    with pytest.raises(BoardSilent, match="board 4"):
        sb.bus.status(4)


@pytest.mark.parametrize(
    ("fault", "error"),
    [("checksum", ChecksumError), ("truncate", FrameError), ("wrong-address", WrongBoard)],
)
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_reply_faults_are_retried_then_typed(
    make_simbus: MakeSimBus, protocol: str, fault: str, error: type[Exception]
) -> None:
    sb = make_simbus(protocol)
    sb.ctl.call(fault, 0, 2)  # the next two replies are spoilt: the third try succeeds
    assert all(sb.bus.status(0).locked)
    assert sb.bus.counters.retries == 2
    sb.ctl.call(fault, 0, "on")
    with pytest.raises(error):
        sb.bus.status(0)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_noise_between_frames_is_skipped(make_simbus: MakeSimBus, protocol: str) -> None:
    sb = make_simbus(protocol)
    sb.ctl.call("noise", 0, "on")
    for _ in range(5):
        assert all(sb.bus.status(0).locked)


def test_late_reply_within_timeout_is_accepted_beyond_it_is_retried(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu48")
    sb.ctl.call("late", 0, 30)
    assert all(sb.bus.status(0).locked)
    assert sb.bus.counters.retries == 0
    sb.ctl.call("late", 0, 500)
    with pytest.raises(BoardSilent):
        sb.bus.status(0)


def test_cu16_busy_after_unlock_still_confirms(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu16")
    sb.ctl.call("busy", 0, 120)
    assert not sb.bus.unlock(0, 9).is_locked(9)
    assert sb.bus.counters.retries > 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_link_drop_mid_use_and_recovery(make_simbus: MakeSimBus, protocol: str) -> None:
    sb = make_simbus(protocol)
    assert all(sb.bus.status(0).locked)
    sb.ctl.call("link", "down")
    with pytest.raises(LinkLost):
        sb.bus.status(0)
    with pytest.raises(LinkUnavailable, match="No such file"):
        sb.bus.status(0)
    sb.ctl.call("link", "up")
    assert all(sb.bus.status(0).locked)


def test_port_vanishes_during_unlock_confirmation(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu48", release_ms=2000)  # the hook would release only after the link is gone
    sb.bus.status(0)
    sb.ctl.call("late", 0, 60)

    import threading

    timer = threading.Timer(0.05, sb.ctl.call, ("link", "down"))
    timer.start()
    with pytest.raises(UnlockUnconfirmed) as err:
        sb.bus.unlock(0, 1)
    timer.join()
    assert isinstance(err.value.cause, (LinkLost, LinkUnavailable))
    assert "may be open" in str(err.value)


def test_device_that_is_not_there(short_tmp) -> None:  # type: ignore[no-untyped-def]
    bus = LockBus.from_url(str(short_tmp / "no-such-adapter"), "cu48")
    with pytest.raises(LinkUnavailable) as err:
        bus.status(0)
    assert "no-such-adapter" in str(err.value) and "No such file" in str(err.value)


def test_wire_time_is_modelled(make_simbus: MakeSimBus) -> None:
    import time

    sb = make_simbus("cu48", wire_baud=9600)
    start = time.perf_counter()
    sb.bus.status(0)
    took = time.perf_counter() - start
    # 18 bytes at 9600 baud, 10 bits each: at least 18.75 ms on the wire.
    assert took >= 18 * 10 / 9600


def test_unlock_with_wire_time_needs_no_retry(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu48", wire_baud=19200, release_ms=0)
    assert not sb.bus.unlock(0, 1).is_locked(1)
    assert sb.bus.counters.retries == 0


def test_status_broadcast_brings_one_reply_per_board(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu48", boards=(0, 2))
    link = sb.bus.link
    link.open()
    link.flush()
    link.write(sb.bus.codec.encode_status_all())
    import time

    got = b""
    deadline = time.monotonic() + 1
    while len(got) < 24 and time.monotonic() < deadline:
        got += link.read(24 - len(got), deadline)
    assert [got[1], got[13]] == [0, 2]
    assert sb.bus.codec.decode_status(got[:12], 0).hook_bits[0]


def test_every_frame_is_logged_in_hex_at_debug(
    make_simbus: MakeSimBus, caplog: pytest.LogCaptureFixture
) -> None:
    sb = make_simbus("cu16")
    with caplog.at_level("DEBUG", logger="drivers.link"):
        sb.bus.status(1)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("drivers.link")]
    assert "-> 02 10 30 03 45" in lines
    assert any(line.startswith("<- 02 10 30 ff ff 00 00 03") for line in lines)


# -- a status read overlapped with the caller's work (the unlock intent's commit) --------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_status_asked_before_a_block_is_answered_after_it(make_simbus: MakeSimBus, protocol: str) -> None:
    sb = make_simbus(protocol)
    sb.ctl.call("open", 0, 3)
    with sb.bus.status_meanwhile(0) as asked:
        # the commit's fsync goes here; the request is out: the board answers meanwhile
        assert asked.status is None and asked.error is None  # nothing is read inside the block
        assert sb.bus.counters.commands == 1
    assert asked.error is None and asked.status is not None  # read on leaving it
    assert not asked.status.is_locked(3) and asked.status.is_locked(1)
    assert sb.bus.counters.commands == 1 and sb.bus.counters.retries == 0


def test_status_asked_meanwhile_is_retried_like_any_status(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu16")
    sb.ctl.call("checksum", 0, 2)  # the overlapped answer and the first retry are spoilt
    with sb.bus.status_meanwhile(0) as asked:
        pass
    assert asked.status is not None and all(asked.status.locked)
    assert sb.bus.counters.retries == 2


def test_status_asked_of_a_silent_board_says_so(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu48")
    sb.ctl.call("silent", 0, "on")
    with sb.bus.status_meanwhile(0) as asked:
        pass
    assert asked.status is None and isinstance(asked.error, BoardSilent)
    assert sb.bus.counters.errors == {"BoardSilent": 1}
    assert all(sb.bus.status(1).locked)  # the bus was let go: the next command goes through


def test_a_block_that_fails_lets_the_bus_go_and_its_answer_is_dropped(make_simbus: MakeSimBus) -> None:
    sb = make_simbus("cu48")
    sb.ctl.call("open", 0, 2)
    with pytest.raises(RuntimeError), sb.bus.status_meanwhile(0) as asked:
        raise RuntimeError("the commit failed")
    assert asked.status is None and asked.error is None
    status = sb.bus.status(1)  # not board 0's stale answer, left in the input: flushed
    assert status.board == 1 and all(status.locked)
