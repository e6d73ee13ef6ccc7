"""A credit is never lost across a crash: the kiosk (a driver in its own process) is SIGKILLed
after the validator's reply holding a credit arrived and before the driver handed it over; a new
driver on the same state file sends that POLL again before its SYNC and gets the credit, once.
The simulator runs on a real pty in this process; the kiosk's side is a child process, killed for
real. And a state file that is another validator's, or not one at all, is ignored, said in the log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.cash import link_state
from drivers.cash.codec import NoteEvent, NoteEventKind, Setup, command_frame
from drivers.cash.errors import LinkStateRefused, LinkStateUnwritable, ValidatorSilent
from drivers.cash.link_state import LinkState
from drivers.cash.validator import NoteValidator
from hardware_sim.cash import CashSim
from hardware_sim.control import ControlClient

ROOT = Path(__file__).resolve().parent.parent
K = NoteEventKind
FAST_S = 0.08
POLL = 0x07

# The kiosk's side: connects, takes notes up to 50.000 đồng, polls. ``before``: it stops (and is
# killed) inside the poll whose reply holds the credit, before handing it over; ``after``: once
# that poll has returned it.
CHILD = """
import sys, time
from pathlib import Path
from drivers.cash.codec import parse_events
from drivers.cash.validator import NoteValidator

link, state, when = sys.argv[1], sys.argv[2], sys.argv[3]

class Kiosk(NoteValidator):
    def _hand_over(self, replies):
        if when == "before" and any(e.kind == "credit" for r in replies for e in parse_events(r)):
            print("reply read", flush=True)
            time.sleep(60)
        super()._hand_over(replies)

v = Kiosk.from_url(link, reply_timeout_s=0.08, state_path=Path(state) if state else None)
v.connect()
v.accept_up_to(50_000)
print("ready", flush=True)
while True:
    if any(e.kind == "credit" for e in v.poll()) and when == "after":
        print("handed over", flush=True)
        time.sleep(60)
    time.sleep(0.02)
"""


@pytest.fixture
def sim(short_tmp: Path) -> Iterator[CashSim]:
    validator = CashSim(short_tmp / "cash").start_in_thread()
    yield validator
    validator.stop()


def credits(events: list[NoteEvent]) -> list[int | None]:
    return [e.value for e in events if e.kind is K.CREDIT and not e.repeated]


def line_from(proc: subprocess.Popen[str], timeout: float = 20.0) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the kiosk's process said nothing"
    return proc.stdout.readline().strip()


def kiosk_killed(sim: CashSim, state: Path | None, when: str) -> None:
    """The kiosk's process takes a 20.000 đồng note and is SIGKILLed ``when`` it has read it."""
    argv = [sys.executable, "-c", CHILD, str(sim.link_path), str(state or ""), when]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert line_from(proc) == "ready"
        ControlClient(sim.control_path).call("insert", 20_000)
        assert line_from(proc) == {"before": "reply read", "after": "handed over"}[when]
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.stdout is not None
        proc.stdout.close()


@contextlib.contextmanager
def driver(
    sim: CashSim, state: Path | None, reply_timeout_s: float = FAST_S, **kw: int
) -> Iterator[NoteValidator]:
    """The kiosk's driver, started again: on the same port and state file."""
    v = NoteValidator.from_url(str(sim.link_path), reply_timeout_s=reply_timeout_s, state_path=state, **kw)
    try:
        yield v
    finally:
        v.close()


def restarted(sim: CashSim, state: Path | None, polls: int = 4) -> list[int | None]:
    """A new driver on the same port (and state file): connect, then what ``polls`` polls credit."""
    with driver(sim, state) as v:
        v.connect()
        return [value for _ in range(polls) for value in credits(v.poll())]


def test_killed_after_the_credit_reply_arrived_the_restart_gets_the_credit_once(
    sim: CashSim, short_tmp: Path
) -> None:
    state = short_tmp / "cash-link.state"
    kiosk_killed(sim, state, "before")
    assert json.loads(state.read_text())["poll_frame"] is not None  # the POLL in flight, on disk
    assert restarted(sim, state) == [20_000]
    assert ControlClient(sim.control_path).call("state")["credits"] == 1  # the validator said it once
    assert link_state.load(state, str(sim.link_path), 0) == LinkState(str(sim.link_path), 0)  # handed over
    assert restarted(sim, state) == []  # and a second restart finds nothing to give again


def test_without_a_state_file_that_credit_is_lost(sim: CashSim) -> None:
    """What the state file is for: the same crash, and SYNC on restart throws the reply away."""
    kiosk_killed(sim, None, "before")
    assert restarted(sim, None) == []
    assert ControlClient(sim.control_path).call("state")["credits"] == 1


def test_killed_after_the_credit_was_handed_over_it_is_not_given_again(sim: CashSim, short_tmp: Path) -> None:
    state = short_tmp / "cash-link.state"
    kiosk_killed(sim, state, "after")
    assert restarted(sim, state) == []


def test_a_poll_settled_for_another_verb_waits_on_disk_for_the_next_poll(
    sim: CashSim, short_tmp: Path
) -> None:
    """A POLL whose reply was lost is settled by the next verb (DISABLE); its credit waits for a
    poll() that never comes in this process (nothing runs after a SIGKILL: the driver is just
    dropped), and the next process's first poll() returns it."""
    state = short_tmp / "cash-link.state"
    ctl = ControlClient(sim.control_path)
    first = NoteValidator.from_url(str(sim.link_path), reply_timeout_s=FAST_S, retries=0, state_path=state)
    first.connect()
    first.accept_up_to(50_000)
    ctl.call("insert", 50_000)
    first.poll()  # read: in escrow
    ctl.call("corrupt-crc", "1")
    with pytest.raises(Exception, match="no usable reply"):
        first.poll()  # the credit's reply spoilt
    first.disable()  # settles that POLL first: the credit is held for the next poll()
    assert json.loads(state.read_text())["held"] != []
    first.link.close()  # no close(), no poll(): as a SIGKILL leaves it
    assert restarted(sim, state) == [50_000]
    assert ctl.call("state")["credits"] == 1


def test_a_state_file_of_another_port_or_address_is_ignored_and_said(
    sim: CashSim, short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = short_tmp / "cash-link.state"
    for url, address in (("/dev/ttyUSB9", 0), (str(sim.link_path), 3)):
        link_state.save(state, LinkState(url, address, command_frame(False, address, POLL), (b"\xee\x02",)))
        with pytest.raises(LinkStateRefused, match="was written for the validator at"):
            link_state.load(state, str(sim.link_path), 0)
        with caplog.at_level(logging.WARNING, logger="drivers.cash"):
            caplog.clear()
            assert restarted(sim, state) == []  # its held credit is not this validator's money
        assert any("was ignored" in r.getMessage() for r in caplog.records)
        assert link_state.load(state, str(sim.link_path), 0) == LinkState(str(sim.link_path), 0)  # replaced


GARBAGE = [
    b"", b"\x00\xff" * 10, b"{", b"[]", b'{"version": 1}', b"x" * 20_000,
    json.dumps({"version": 2, "url": "u", "address": 0, "poll_frame": None, "held": []}).encode(),
    json.dumps({"version": 1, "url": "U", "address": True, "poll_frame": None, "held": []}).encode(),
    json.dumps({"version": 1, "url": "U", "address": 0, "poll_frame": "7f800107", "held": []}).encode(),
    json.dumps({"version": 1, "url": "U", "address": 0, "poll_frame": "7f80011165 82", "held": []}).encode(),
    json.dumps({"version": 1, "url": "U", "address": 0, "poll_frame": "7f8001116582", "held": []}).encode(),
    json.dumps({"version": 1, "url": "U", "address": 0, "poll_frame": None, "held": ["EE01"]}).encode(),
    json.dumps({"version": 1, "url": "U", "address": 0, "poll_frame": None, "held": ["ee"] * 17}).encode(),
    json.dumps({"version": 1, "url": "U", "address": 0, "poll_frame": None, "held": ["ee" * 256]}).encode(),
    json.dumps({"version": 1, "url": "U", "address": 0, "poll_frame": None, "held": {}}).encode(),
    b'{"version": 1, "url": "U", "address": 0, "held": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
]  # fmt: skip


@pytest.mark.parametrize("raw", GARBAGE, ids=range(len(GARBAGE)))
def test_a_state_file_that_is_not_one_is_refused_with_its_own_error(short_tmp: Path, raw: bytes) -> None:
    state = short_tmp / "cash-link.state"
    state.write_bytes(raw.replace(b'"U"', json.dumps(str(short_tmp / "cash")).encode()))
    with pytest.raises(LinkStateRefused):
        link_state.load(state, str(short_tmp / "cash"), 0)


def test_a_corrupt_state_file_is_ignored_at_connect_and_said(
    sim: CashSim, short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = short_tmp / "cash-link.state"
    state.write_bytes(b'{"version": 1, "url": ')  # cut short
    with caplog.at_level(logging.WARNING, logger="drivers.cash"):
        assert restarted(sim, state, polls=1) == []
    assert any("is not the JSON this driver writes" in r.getMessage() for r in caplog.records)


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
def test_any_bytes_in_the_state_file_give_a_state_or_the_refusal(raw: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s"
        path.write_bytes(raw)
        try:
            found = link_state.load(path, "U", 0)
        except LinkStateRefused:
            return
        assert found is None or isinstance(found, LinkState)


@settings(max_examples=100, deadline=None)
@given(
    flag=st.booleans(), address=st.integers(0, 0x7D),
    held=st.lists(st.binary(min_size=0, max_size=255), max_size=16),
)  # fmt: skip
def test_what_is_saved_loads_back(flag: bool, address: int, held: list[bytes]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s"
        state = LinkState("/dev/x", address, command_frame(flag, address, POLL), tuple(held))
        link_state.save(path, state)
        assert link_state.load(path, "/dev/x", address) == state
        assert not (Path(d) / "s.new").exists()


def test_a_state_file_that_cannot_be_written_stops_the_poll_before_it_is_sent(
    sim: CashSim, short_tmp: Path
) -> None:
    gone = short_tmp / "no-such-folder" / "cash-link.state"
    with driver(sim, gone) as v:
        v.connect()  # SYNC, protocol, setup: nothing in flight worth keeping, nothing written
        seen = ControlClient(sim.control_path).call("state")["frames_seen"]
        with pytest.raises(LinkStateUnwritable, match="takes no cash until it can"):
            v.poll()
        assert ControlClient(sim.control_path).call("state")["frames_seen"] == seen  # never sent


def test_a_silent_validator_at_restart_keeps_the_poll_in_flight_for_the_next_try(
    sim: CashSim, short_tmp: Path
) -> None:
    state = short_tmp / "cash-link.state"
    kiosk_killed(sim, state, "before")
    ctl = ControlClient(sim.control_path)
    ctl.call("silent", "on")
    with driver(sim, state, reply_timeout_s=0.03, retries=0) as v, pytest.raises(ValidatorSilent):
        v.connect()
    ctl.call("silent", "off")
    assert json.loads(state.read_text())["poll_frame"] is not None
    assert restarted(sim, state) == [20_000]


# -- the caller's own record: next_flag() and resume() (kiosk/cash_session.py commits the flag of
# each POLL with the credits of its reply, which closes the window after poll() has returned too)


def test_a_poll_handed_over_but_not_committed_is_repeated_with_the_flag_recorded(sim: CashSim) -> None:
    ctl = ControlClient(sim.control_path)
    with driver(sim, None) as first:
        setup = first.connect()
        first.accept_up_to(50_000)
        ctl.call("insert", 50_000)
        first.poll()  # read: in escrow
        flag = first.next_flag()  # what the caller commits before the POLL
        assert credits(first.poll()) == [50_000]  # handed over; the caller dies before its commit
    with driver(sim, None) as again:
        again.resume(flag, setup)  # no SYNC first: the validator repeats its last reply
        assert credits(again.poll()) == [50_000]
        again.connect()
        assert [v for _ in range(3) for v in credits(again.poll())] == []
    assert ctl.call("state")["credits"] == 1


def test_the_next_flag_after_a_frame_left_unanswered_is_the_other_one(sim: CashSim, short_tmp: Path) -> None:
    state = short_tmp / "cash-link.state"
    with driver(sim, state, retries=0) as v:
        v.connect()
        sent_with = v.next_flag()
        ControlClient(sim.control_path).call("silent", "on")
        with pytest.raises(ValidatorSilent):
            v.poll()
        assert v.next_flag() is (not sent_with)  # the unanswered POLL goes first, with its own flag
    with driver(sim, state) as restarted_one:  # from the state file, before any frame is sent
        assert restarted_one.next_flag() is (not sent_with)
        ControlClient(sim.control_path).call("silent", "off")
        restarted_one.resume(sent_with, Setup("0400", "VND", (10_000,), 8, 0))  # the file's POLL wins
        restarted_one.connect()
    assert link_state.load(state, str(sim.link_path), 0) == LinkState(
        str(sim.link_path), 0, None, (b"\xf1\xe8",)
    )  # its reply (slave reset, disabled) held until a poll() hands it over


def test_events_of_before_the_restart_are_said_to_be_so_until_a_poll_hands_them_over(
    sim: CashSim, short_tmp: Path
) -> None:
    """A validator silent at start: the POLL of before waits; once it answers (an idle tick's
    connect), the driver says its next poll() carries that earlier payment's credit, so the caller
    does not count it to a citizen paying now."""
    state = short_tmp / "cash-link.state"
    kiosk_killed(sim, state, "before")
    ctl = ControlClient(sim.control_path)
    with driver(sim, state, reply_timeout_s=0.03, retries=0) as v:
        ctl.call("silent", "on")
        with pytest.raises(ValidatorSilent):
            v.connect()
        assert v.carried_over
        ctl.call("silent", "off")
        v.connect()
        assert v.carried_over
        assert credits(v.poll()) == [20_000]
        assert not v.carried_over
    with driver(sim, state) as fresh:
        fresh.connect()
        assert not fresh.carried_over
