"""Officer sign-in: badge and PIN, lockout, the session ending without a touch; staff enrolment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import staff
from kiosk.journeys.messages import Say
from kiosk.journeys.signin import SignIn, SignInJourney
from tests.machine import Machine


@pytest.fixture
def machine(short_tmp: Path) -> Iterator[Machine]:
    m = Machine(short_tmp)
    staff.add(m.store, "CB-0042", "Nguyễn Thị Lan", "officer", "482916", by="test")
    yield m
    m.close()


def test_badge_then_pin_signs_in_and_idleness_signs_out(machine: Machine) -> None:
    session = SignInJourney(machine.core)
    session.submit_badge("DKS1|CB-0042")
    assert session.state is SignIn.WAITING_PIN
    session.submit_pin("482916")
    assert session.state is SignIn.SIGNED_IN and session.role == "officer"
    assert session.said == Say.WELCOME.format(name="Nguyễn Thị Lan")
    machine.clock.advance(50)
    session.touch()
    machine.clock.advance(50)
    session.tick()
    assert session.state is SignIn.SIGNED_IN  # touched 50 s ago
    machine.clock.advance(11)
    session.tick()
    assert session.state is SignIn.SIGNED_OUT and session.role is None


def test_codes_that_are_not_badges_are_refused(machine: Machine) -> None:
    for text in ("000.00.53.H48-220921-0099", "garbage", "DKS1|a b"):
        session = SignInJourney(machine.core)
        session.submit_badge(text)
        assert session.state is SignIn.WAITING_BADGE and session.said == Say.BADGE_UNKNOWN.format()


def test_an_unknown_badge_is_answered_as_a_known_one_with_a_wrong_pin(machine: Machine) -> None:
    """What was seen: an unknown badge was answered differently from a known one, so badges could
    be enumerated at the screen. Now both are asked for a PIN, and both get the same words, try
    after try, lock included."""
    answers = {}
    for badge in ("DKS1|CB-0042", "DKS1|CB-9999"):
        machine.clock.advance(11 * 60)  # past the kiosk-wide window: each badge on its own
        session = SignInJourney(machine.core)
        session.submit_badge(badge)
        assert session.state is SignIn.WAITING_PIN
        seen = []
        for _ in range(6):
            session.submit_pin("000000")
            seen.append(session.said)
        answers[badge] = seen
    assert answers["DKS1|CB-0042"] == answers["DKS1|CB-9999"]
    assert answers["DKS1|CB-0042"][0] == Say.SIGNIN_REFUSED.format(left=4)
    assert answers["DKS1|CB-0042"][-1] == Say.BADGE_LOCKED.format(minutes=15)


def test_wrong_pins_across_badges_slow_the_whole_kiosk(machine: Machine) -> None:
    """What was seen: fifteen wrong PINs across three badges never slowed the kiosk down."""
    for n in range(machine.core.rules.staff_failures):
        session = SignInJourney(machine.core)
        session.submit_badge(f"DKS1|CB-{n:04d}")
        session.submit_pin("000000")
    session = SignInJourney(machine.core)
    session.submit_badge("DKS1|CB-0042")
    session.submit_pin("482916")  # even the right PIN waits
    assert session.state is SignIn.WAITING_PIN and session.said == Say.SIGNIN_BUSY.format(minutes=10)
    machine.clock.advance(10 * 60 + 1)
    session.submit_pin("482916")
    assert session.state is SignIn.SIGNED_IN


def test_five_wrong_pins_lock_the_badge(machine: Machine) -> None:
    session = SignInJourney(machine.core)
    session.submit_badge("DKS1|CB-0042")
    for left in (4, 3, 2, 1):
        session.submit_pin("000000")
        assert session.said == Say.SIGNIN_REFUSED.format(left=left)
    session.submit_pin("000000")
    assert session.said == Say.BADGE_LOCKED.format(minutes=15)
    session.submit_pin("482916")
    assert session.state is SignIn.WAITING_PIN  # locked, even with the right PIN
    machine.clock.advance(15 * 60 + 1)
    session = SignInJourney(machine.core)
    session.submit_badge("DKS1|CB-0042")
    session.submit_pin("482916")
    assert session.state is SignIn.SIGNED_IN


def test_pins_are_stored_as_slow_hashes(machine: Machine) -> None:
    stored = machine.store.db.execute("SELECT pin_hash FROM staff").fetchone()[0]
    assert stored.startswith("kscrypt$") and "482916" not in stored
    with pytest.raises(staff.StaffError, match="6 to 8 digits"):
        staff.add(machine.store, "CB-1", "X", "officer", "12ab56", by="test")


def test_kiosk_staff_add_reads_the_pin_from_stdin(short_tmp: Path) -> None:
    cfg = short_tmp / "kiosk.toml"
    cfg.write_text(f'[kiosk]\nid = "K1"\ndata_dir = "{short_tmp}/data"\n')

    def kiosk(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "commands", "--config", str(cfg), "staff", *args]
        return subprocess.run(argv, input=stdin, capture_output=True, text=True)

    done = kiosk("add", "CB-0042", "--name", "Nguyễn Thị Lan", stdin="482916\n")
    assert done.returncode == 0, done.stderr
    assert "can now sign in with badge DKS1|CB-0042" in done.stdout
    assert kiosk("list").stdout.split() == ["CB-0042", "officer", "Nguyễn", "Thị", "Lan"]
    bad = kiosk("add", "CB-1", "--name", "X", stdin="12\n")
    assert bad.returncode == 1 and bad.stderr.strip() == "error: a staff PIN is 6 to 8 digits (0-9)"
