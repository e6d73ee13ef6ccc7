"""The holder's card and the fee together (issue 14): the card comes first, so no one is asked to
pay for a result they may not take; once it matches, the fee is paid by VietQR and the door opens.
The lock-board simulator over a pty, the bank's word as the sync writes it."""

from __future__ import annotations

from kiosk.journeys.pickup import Pickup, PickupJourney
from tests.machine import Machine
from tests.test_journey_fee_qr import FEE, bank_says, with_fees
from tests.test_journey_holder import HOLDER_QR, OTHER_QR, load, refusals


def payments(m: Machine) -> int:
    return int(m.store.db.execute("SELECT COUNT(*) FROM payment").fetchone()[0])


def test_the_card_first_then_the_fee_by_qr_then_the_door(machine: Machine) -> None:
    with_fees(machine)
    sent = load(machine, fee=FEE)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.HOLDER_CHECK and "methods" not in pickup.data and payments(machine) == 0
    pickup.submit_card(HOLDER_QR)
    assert pickup.state is Pickup.FEE_DUE and pickup.data["remaining"] == FEE
    pickup.pay_by_qr()
    bank_says(machine, pickup.data["reference"], FEE)
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN and refusals(machine) == []


def test_a_card_refused_asks_for_no_payment(machine: Machine) -> None:
    with_fees(machine)
    sent = load(machine, fee=FEE)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    pickup.submit_card(OTHER_QR)
    assert pickup.state is Pickup.HOLDER_REFUSED and payments(machine) == 0
    kinds = [r[0] for r in machine.store.db.execute("SELECT kind FROM outbox ORDER BY seq")]
    assert kinds == ["result-loaded", "holder-refused"]


def test_the_card_is_asked_again_on_the_next_visit_after_paying(machine: Machine) -> None:
    """Paid, then the citizen walked away before the door: the money counts, the card is asked again."""
    with_fees(machine)
    sent = load(machine, fee=FEE)
    first = PickupJourney(machine.core)
    first.submit_code(sent["token"])
    first.submit_card(HOLDER_QR)
    first.pay_by_qr()
    bank_says(machine, first.data["reference"], FEE)
    first.tick()
    assert first.state is Pickup.VERIFIED
    machine.clock.advance(61)
    first.tick()
    assert first.state is Pickup.TIMED_OUT
    again = PickupJourney(machine.core)
    again.submit_code(sent["token"])
    assert again.state is Pickup.HOLDER_CHECK  # a payment is not a proof of who is at the machine
    again.submit_card(HOLDER_QR)
    assert again.state is Pickup.VERIFIED  # nothing left to pay
