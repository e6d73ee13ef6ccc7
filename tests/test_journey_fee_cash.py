"""The pickup's fee paid in cash: the bill-validator simulator and the lock-board simulator on
real ptys, the production NoteValidator and CashSession, the citizen's notes put in through the
simulator's control channel. Every credit is committed before it counts; no change is given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import payments
from kiosk.cash_session import CashSession, recover
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say, sums
from kiosk.journeys.pickup import Pickup, PickupJourney
from kiosk.recovery import reconcile
from tests.cash_rig import CashRig, cash_rig
from tests.machine import Machine
from tests.test_journey_fee_qr import at_the_qr, bank_says, flags, one, pickup_at_the_fee, with_fees
from tests.test_journey_pickup import load, take_and_close

FEE = 30_000


@pytest.fixture
def rig(short_tmp: Path) -> Iterator[CashRig]:
    with cash_rig(short_tmp / "c") as r:
        yield r


@pytest.fixture
def cashier(machine: Machine, rig: CashRig, short_tmp: Path) -> Machine:
    (short_tmp / "c").mkdir(exist_ok=True)
    with_fees(machine, methods=["vietqr", "cash"])
    machine.core.cash = CashSession(machine.store, rig.validator)
    assert machine.core.cash.open()
    return machine


@pytest.fixture(autouse=True)
def _cash_dir(short_tmp: Path) -> None:
    (short_tmp / "c").mkdir(exist_ok=True)


def ticks_until(pickup: PickupJourney, done: Any, n: int = 12) -> None:
    for _ in range(n):
        if done():
            return
        pickup.tick()
    assert done(), (pickup.state, pickup.data, pickup.said)


def put_note(rig: CashRig, pickup: PickupJourney, value: int) -> None:
    """A note into the slot; the journey's ticks poll until it is credited (or refused)."""
    before = pickup.data.get("inserted", 0)
    assert rig.ctl.call("insert", value)["outcome"] == "drawn in"
    ticks_until(
        pickup, lambda: pickup.data.get("inserted", 0) > before or pickup.state is not Pickup.PAYING_CASH
    )


def credits(m: Machine) -> list[int]:
    return [r[0] for r in m.store.db.execute("SELECT value FROM cash_credit ORDER BY id")]


def test_paid_in_cash_note_by_note_the_door_opens(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    assert pickup.data["methods"] == ["vietqr", "cash"]
    pickup.pay_by_cash()
    assert pickup.state is Pickup.PAYING_CASH
    assert pickup.data["accepted"] == [10_000, 20_000]  # nothing above what is due: no change is given
    assert pickup.said == Say.PAY_CASH.format(**sums(remaining=FEE, largest=20_000))
    assert rig.ctl.call("state")["accepting"] == [10_000, 20_000]
    put_note(rig, pickup, 20_000)
    assert pickup.data["inserted"] == 20_000 and pickup.data["remaining"] == 10_000
    assert pickup.data["accepted"] == [10_000] and rig.ctl.call("state")["accepting"] == [10_000]
    assert pickup.said == Say.CASH_CREDITED.format(**sums(value=20_000, remaining=10_000))
    assert credits(m) == [20_000]  # committed before the screen counted it
    put_note(rig, pickup, 10_000)
    assert pickup.state is Pickup.DOOR_OPEN
    assert one(m, "SELECT state, received FROM payment") == ("paid", FEE)
    assert not rig.ctl.call("state")["enabled"]  # no payment in progress: the validator takes nothing
    kinds = [k for k, _, _ in m.outbox()]
    assert kinds.count("cash-credited") == 2 and "fee-paid" in kinds
    take_and_close(m, pickup)
    assert pickup.state is Pickup.DONE
    assert pickup.receipt is not None


def test_a_note_above_what_is_due_is_refused_and_said(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("insert", 50_000)
    ticks_until(pickup, lambda: pickup.said == Say.CASH_REJECTED.format())
    assert credits(m) == [] and pickup.state is Pickup.PAYING_CASH and rig.ctl.call("state")["credited"] == 0


def test_back_keeps_the_notes_and_the_qr_asks_only_the_rest(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    put_note(rig, pickup, 10_000)
    pickup.back()
    assert (
        pickup.state is Pickup.FEE_DUE
        and pickup.data["remaining"] == 20_000
        and pickup.data["paid"] == 10_000
    )
    assert not rig.ctl.call("state")["enabled"] and flags(m) == []
    pickup.pay_by_qr()
    assert pickup.data["remaining"] == 20_000
    bank_says(m, pickup.data["reference"], 20_000)
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN
    assert sorted(r[0] for r in m.store.db.execute("SELECT received FROM payment")) == [10_000, 20_000]


def test_cancel_with_notes_in_counts_them_and_tells_an_officer(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    put_note(rig, pickup, 20_000)
    pickup.cancel()
    assert pickup.state is Pickup.CANCELLED and flags(m) == ["short"]
    assert one(m, "SELECT state, received FROM payment") == ("cancelled", 20_000)
    assert not rig.ctl.call("state")["enabled"]
    again = pickup_at_the_fee(m, sent)
    assert again.data["remaining"] == 10_000  # the next visit owes only the rest


def test_walking_away_times_out_and_disables_the_validator(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    m.clock.advance(61)
    pickup.tick()
    assert pickup.state is Pickup.TIMED_OUT and not rig.ctl.call("state")["enabled"]
    assert pickup.said != Say.QR_EXPIRED.format()
    assert one(m, "SELECT state FROM payment") == ("expired",)


def test_a_credit_reported_twice_is_flagged_and_counted_once(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("credit-twice")
    put_note(rig, pickup, 10_000)
    ticks_until(pickup, lambda: "credit-repeated" in flags(m))
    assert credits(m) == [10_000] and pickup.data["inserted"] == 10_000
    assert one(m, "SELECT received FROM payment") == (10_000,)


@pytest.mark.parametrize("jam", ["safe", "unsafe"])
def test_a_jammed_note_stops_the_cash_and_nothing_is_lost(cashier: Machine, rig: CashRig, jam: str) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    put_note(rig, pickup, 10_000)
    rig.ctl.call("insert", 20_000)
    pickup.tick()  # read: in escrow
    rig.ctl.call("jam", jam)
    ticks_until(pickup, lambda: pickup.said == Say.CASH_JAMMED.format())
    for _ in range(3):
        pickup.tick()  # the jam is reported by every poll: flagged once
    assert flags(m) == ["jam"] and pickup.state is Pickup.PAYING_CASH
    assert not rig.ctl.call("state")["enabled"]
    counted = sum(credits(m))
    assert counted == rig.ctl.call("state")["credited"]  # what the validator credited, the ledger has
    pickup.back()
    assert pickup.data["remaining"] == FEE - counted


def test_fraud_stops_the_cash_and_is_flagged(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("insert", 10_000)
    pickup.tick()
    rig.ctl.call("fraud")
    ticks_until(pickup, lambda: "fraud" in flags(m))
    assert pickup.said == Say.CASH_REFUSED.format() and not rig.ctl.call("state")["enabled"]


def test_a_full_stacker_stops_the_cash_with_an_alarm(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("stacker-full", "on")
    ticks_until(pickup, lambda: pickup.said == Say.CASH_STOPPED.format())
    pickup.tick()
    alarms = m.store.db.execute("SELECT payload FROM outbox WHERE kind = 'alarm'").fetchall()
    assert len(alarms) == 1 and "stacker-full" in alarms[0][0]


def test_an_unknown_event_stops_the_cash_and_is_flagged(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("unknown-event")
    ticks_until(pickup, lambda: "unknown-event" in flags(m))
    assert pickup.said == Say.CASH_STOPPED.format()


@pytest.mark.parametrize("fault", ["corrupt-crc", "drop-stuffing", "stale-seq"])
def test_a_spoilt_reply_neither_loses_nor_doubles_a_credit(
    cashier: Machine, rig: CashRig, fault: str
) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call(fault, "2")
    put_note(rig, pickup, 20_000)
    for _ in range(4):
        pickup.tick()
    assert credits(m) == [20_000] == [rig.ctl.call("state")["credited"]]


def test_a_silent_validator_is_said_and_cash_is_not_offered(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("silent", "on")
    ticks_until(pickup, lambda: pickup.said == Say.CASH_STOPPED.format())
    pickup.back()
    assert pickup.data["methods"] == ["vietqr"]  # cash only while a validator answers
    with pytest.raises(IllegalStep):
        pickup.pay_by_cash()
    rig.ctl.call("silent", "off")


def test_a_note_credited_while_the_kiosk_was_down_counts_after_the_restart(
    cashier: Machine, rig: CashRig
) -> None:
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("insert", 20_000)
    pickup.tick()  # read; then the power goes before the credit is polled
    del pickup
    reconcile(m.core, sleep=lambda _: None)
    news = recover(m.store, CashSession(m.store, rig.validator))  # the first polls after the restart
    assert news is not None and news.credited == [20_000]
    assert credits(m) == [20_000] == [rig.ctl.call("state")["credited"]]
    assert not rig.ctl.call("state")["enabled"]
    assert one(m, "SELECT state, received FROM payment") == ("cancelled", 20_000) and flags(m) == ["short"]
    again = pickup_at_the_fee(m, sent)
    assert again.data["remaining"] == 10_000


def test_a_qr_paid_after_the_citizen_turned_to_cash_counts_and_opens(cashier: Machine, rig: CashRig) -> None:
    """Scanned and paid in the bank's app, then "Tiền mặt" touched while the transfer was on its
    way: the QR stays open while the citizen is here, so the transfer counts; the notes stop, and
    the 10.000 đồng too much is flagged for an officer's refund."""
    m = cashier
    pickup, _sent = at_the_qr(m, FEE)
    qr_reference = pickup.data["reference"]
    pickup.back()
    pickup.pay_by_cash()
    put_note(rig, pickup, 10_000)
    bank_says(m, qr_reference, FEE)
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN and not rig.ctl.call("state")["enabled"]
    assert flags(m) == ["over"]  # 10.000 đồng too much: an officer's refund
    rows = m.store.db.execute("SELECT method, state, received FROM payment ORDER BY method").fetchall()
    assert rows == [("cash", "cancelled", 10_000), ("vietqr", "paid", FEE)]


def test_a_short_transfer_on_the_fee_screen_leaves_the_rest_to_pay(cashier: Machine, rig: CashRig) -> None:
    m = cashier
    pickup, _sent = at_the_qr(m, FEE)
    reference = pickup.data["reference"]
    pickup.back()
    bank_says(m, reference, 10_000)
    pickup.tick()
    assert pickup.state is Pickup.FEE_DUE and pickup.data["remaining"] == 20_000 and flags(m) == ["short"]
    pickup.pay_by_cash()
    assert pickup.data["accepted"] == [10_000, 20_000]
    put_note(rig, pickup, 20_000)
    assert pickup.state is Pickup.DOOR_OPEN


def test_a_validator_back_from_silence_is_offered_again_after_the_idle_check(
    cashier: Machine, rig: CashRig
) -> None:
    session = cashier.core.cash
    assert session is not None
    rig.ctl.call("silent", "on")
    session.end()  # the last word to it went unanswered
    assert not session.available and not session.check()
    rig.ctl.call("silent", "off")
    assert session.check() and session.available
    pickup = pickup_at_the_fee(cashier, load(cashier, fee=FEE))
    assert pickup.data["methods"] == ["vietqr", "cash"]


def test_a_note_credited_while_the_validator_was_not_heard_at_the_restart_counts_once_it_answers(
    cashier: Machine, rig: CashRig
) -> None:
    """The kiosk restarts while the validator is silent (a loose plug): the cash payment in progress
    stays open; once the idle tick hears the validator again, the note it credited meanwhile goes
    to that payment, not to the next citizen's."""
    m = cashier
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    pickup.pay_by_cash()
    rig.ctl.call("insert", 20_000)
    pickup.tick()  # read; then the power goes before the credit is polled
    del pickup
    reconcile(m.core, sleep=lambda _: None)
    rig.ctl.call("silent", "on")
    session = CashSession(m.store, rig.validator)
    assert recover(m.store, session) is None and not session.available
    rig.ctl.call("silent", "off")
    assert session.check()  # the idle tick
    assert credits(m) == [20_000] == [rig.ctl.call("state")["credited"]]
    assert one(m, "SELECT state, received FROM payment") == ("cancelled", 20_000)
    assert pickup_at_the_fee(m, sent).data["remaining"] == 10_000


def test_a_note_credited_with_no_payment_in_progress_raises_an_alarm(cashier: Machine, rig: CashRig) -> None:
    """The validator should take nothing then; if a note gets through anyway, it is stray money
    for an officer, counted for no dossier."""
    rig.validator.accept_up_to(50_000)  # as a faulty unit might be left
    rig.ctl.call("insert", 10_000)
    assert recover(cashier.store, CashSession(cashier.store, rig.validator)) is None
    alarms = [r[0] for r in cashier.store.db.execute("SELECT payload FROM outbox WHERE kind = 'alarm'")]
    assert len(alarms) == 1 and "10000" in alarms[0] and credits(cashier) == []
    assert not rig.ctl.call("state")["enabled"]


def test_a_crash_between_a_credit_s_reply_and_its_commit_loses_nothing(
    cashier: Machine, rig: CashRig
) -> None:
    """The kiosk read the POLL that credited a note, then died before committing it: after the
    restart the same POLL goes again (its flag was made durable first) and the validator repeats
    the reply, so the credit is committed once."""
    from drivers.cash.validator import NoteValidator
    from tests.cash_rig import FAST_REPLY_S

    m = cashier
    session = m.core.cash
    assert session is not None
    pickup = pickup_at_the_fee(m, load(m, fee=FEE))
    pickup.pay_by_cash()
    rig.ctl.call("insert", 10_000)
    ticks_until(pickup, lambda: rig.ctl.call("state")["note"] is not None and credits(m) == [] and
                rig.ctl.call("state")["note"]["stage"] != "inserted", n=5)  # fmt: skip
    payment = payments.get(m.store, pickup.data["reference"])
    assert payment is not None
    with m.store.transaction():
        session._mark(payment)  # as poll() does before it sends
    lost = rig.validator.poll()  # the reply read ... and the process killed before its commit
    assert [e.value for e in lost if e.kind.value == "credit"] == [10_000] and credits(m) == []
    del pickup
    reconcile(m.core, sleep=lambda _: None)
    restarted = NoteValidator.from_url(str(rig.link), reply_timeout_s=FAST_REPLY_S, retries=3)
    try:
        news = recover(m.store, CashSession(m.store, restarted))
    finally:
        restarted.close()
    assert news is not None and news.credited == [10_000]
    assert credits(m) == [10_000] == [rig.ctl.call("state")["credited"]]


def test_back_to_the_qr_after_trying_cash_shows_the_same_qr(cashier: Machine, rig: CashRig) -> None:
    """QR, "Cách khác", cash, "Cách khác", QR again (a person changing their mind while the bank is
    slow): the same request and the same code, never a second QR that could be paid as well."""
    m = cashier
    pickup, _sent = at_the_qr(m, FEE)
    first = (pickup.data["reference"], pickup.data["qr"])
    pickup.back()
    pickup.pay_by_cash()
    # still open while the citizen is here: the sync does not cancel it at the backend meanwhile
    assert m.store.db.execute("SELECT state FROM payment WHERE reference = ?", [first[0]]).fetchone() == (
        "requested",
    )
    pickup.back()
    pickup.pay_by_qr()
    assert (pickup.data["reference"], pickup.data["qr"]) == first
    assert m.store.db.execute("SELECT COUNT(*) FROM payment WHERE method = 'vietqr'").fetchone() == (1,)
    bank_says(m, first[0], FEE)  # paid on the first showing: it is the one on screen
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN and flags(m) == []
