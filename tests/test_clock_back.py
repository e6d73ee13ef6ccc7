"""Time going backwards (an NTP correction after the clock ran ahead): no lockout, timeout or hold
lasts longer than its configured length from now. What was seen: wrong PINs recorded while the
clock ran 30 days ahead, then the correction, made every PIN pickup say "try again in 43,210
minutes"."""

from __future__ import annotations

from datetime import timedelta

from kiosk import expiry, staff
from kiosk.journeys.messages import Say
from kiosk.journeys.officer import WithdrawJourney
from kiosk.journeys.pickup import Pickup, PickupJourney, time_of_day
from kiosk.journeys.signin import SignIn, SignInJourney
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load

AHEAD = timedelta(days=30)


def wrong_pins(m: Machine, times: int, code: str = CODE) -> PickupJourney:
    pickup = PickupJourney(m.core)
    pickup.submit_code(code)
    for _ in range(times):
        pickup.submit_pin("000000" if pickup.said != Say.PIN_FORMAT.format() else "111111")
    return pickup


def test_a_dossier_locked_while_the_clock_ran_ahead_is_locked_for_its_length_from_now(
    machine: Machine,
) -> None:
    sent = load(machine)
    machine.clock.now += AHEAD
    wrong_pins(machine, 5)  # locked for 15 minutes, by a clock 30 days ahead
    machine.clock.now -= AHEAD  # NTP puts it right
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    pickup.submit_pin(sent["pin"])
    until = time_of_day(machine.clock.now + timedelta(minutes=15))  # not 30 days and 15 minutes on
    assert pickup.said == Say.LOCKED.format(code=CODE, until=until)
    machine.clock.advance(15 * 60 + 1)
    pickup.submit_pin(sent["pin"])
    assert pickup.state is Pickup.VERIFIED


def test_the_kiosk_wide_window_lasts_its_length_from_now(machine: Machine) -> None:
    codes = [f"000.00.53.H48-220921-{n:04d}" for n in range(1, 6)]
    for code in codes:
        load(machine, code)
    machine.clock.now += AHEAD
    for code in codes:  # 20 wrong PINs across the kiosk, 4 on each dossier (none locks)
        wrong_pins(machine, 4, code)
    machine.clock.now -= AHEAD
    pickup = PickupJourney(machine.core)
    pickup.submit_code(codes[0])
    pickup.submit_pin("123456")
    busy = Say.KIOSK_BUSY.format(until=time_of_day(machine.clock.now + timedelta(minutes=10)))
    assert pickup.said == busy
    machine.clock.advance(10 * 60 + 1)
    pickup.submit_pin("123456")
    assert pickup.said != busy


def test_a_staff_badge_locked_ahead_is_locked_for_its_length_from_now(machine: Machine) -> None:
    staff.add(machine.store, "CB-0042", "Nguyễn Thị Lan", "officer", "482916", by="test")
    machine.clock.now += AHEAD
    session = SignInJourney(machine.core)
    session.submit_badge("DKS1|CB-0042")
    for _ in range(5):
        session.submit_pin("000000")
    machine.clock.now -= AHEAD
    session.submit_pin("482916")
    assert session.said == Say.BADGE_LOCKED.format(minutes=15)
    machine.clock.advance(15 * 60 + 1)
    session.submit_pin("482916")
    assert session.state is SignIn.SIGNED_IN


def test_a_journey_begun_ahead_times_out_after_its_length_from_now(machine: Machine) -> None:
    machine.clock.now += AHEAD
    pickup = PickupJourney(machine.core)
    machine.clock.now -= AHEAD
    pickup.tick()
    assert pickup.state is Pickup.WAITING_CODE
    machine.clock.advance(machine.core.rules.idle_timeout_s + 1)
    pickup.tick()
    assert pickup.state is Pickup.TIMED_OUT  # not 30 days later


def test_a_session_signed_in_ahead_ends_after_its_idle_time_from_now(machine: Machine) -> None:
    machine.clock.now += AHEAD
    session = machine.sign_in()
    machine.clock.now -= AHEAD
    session.tick()
    assert session.state is SignIn.SIGNED_IN
    machine.clock.advance(machine.core.rules.idle_timeout_s + 1)
    session.tick()
    assert session.state is SignIn.SIGNED_OUT


def test_a_hold_begun_ahead_ends_after_its_length_from_now(machine: Machine) -> None:
    machine.clock.now += AHEAD
    load(machine)  # held 14 days from a clock 30 days ahead: 44 days from the true now
    machine.clock.now -= AHEAD
    assert expiry.due_for_withdrawal(machine.core) == []
    machine.clock.advance(timedelta(days=14, minutes=1).total_seconds())
    due = WithdrawJourney(machine.core, machine.sign_in()).items()
    assert [i["dossier_code"] for i in due] == [CODE]


BUSY = "('" + Say.KIOSK_BUSY.vi.split("{")[0]  # what the kiosk says while it takes no PIN


def test_stepping_the_clock_ahead_and_back_buys_no_more_guesses(machine: Machine) -> None:
    """What the attacker review did: step the clock 10 minutes ahead, guess, step it back, a real
    minute a cycle: 360 wrong PINs in 30 real minutes against the 60 allowed, because stamps
    brought back to now aged out at the next step ahead. The window is also counted on the
    monotonic clock, which no step moves."""
    codes = [f"000.00.53.H48-220921-{n:04d}" for n in range(1, 9)]  # a result in each compartment
    for code in codes:
        load(machine, code)
    checked = 0
    for code in codes:  # eight real minutes, a wall-clock step ahead and back in each
        machine.clock.now += timedelta(minutes=10)
        pickup = PickupJourney(machine.core)
        pickup.submit_code(code)
        for _ in range(3):
            pickup.submit_pin("000000")
            checked += not str(pickup.said).startswith(BUSY)
        machine.clock.now -= timedelta(minutes=10)
        pickup.submit_pin("000000")  # one more with the clock back: the store's stamps come back to now
        checked += not str(pickup.said).startswith(BUSY)
        machine.clock.advance(60)
    assert checked == machine.core.rules.kiosk_pin_failures  # 20 in the window, not 32
