"""The pickup's fee paid by VietQR, against the lock-board simulator over a pty: the bank's word
arrives as the sync writes it (a ``payment_backend`` row), read by the journey's tick."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk import payments, vietqr
from kiosk.config import BeneficiarySection, FeesSection
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say, sums
from kiosk.journeys.pickup import Pickup, PickupJourney
from kiosk.recovery import reconcile
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load, take_and_close

FEE = 50_000
BANK, ACCOUNT, NAME = "970416", "257678859", "UBND PHUONG VI THANH"


def with_fees(m: Machine, **extra: Any) -> FeesSection:
    fees = FeesSection(**{"bin": BANK, "account": ACCOUNT, "name": NAME, "methods": ["vietqr"], **extra})
    m.core.cfg = m.cfg.model_copy(update={"fees": fees})
    return fees


def bank_says(m: Machine, reference: str, paid: int, *, transactions: int = 1, **columns: Any) -> None:
    """What the sync writes after the backend's answer (it alone writes this table)."""
    row = {"reference": reference, "created_at": "2026-11-23T08:00:00.000+00:00",
           "checked_at": m.store.now(), "paid_amount": paid, "paid_at": m.store.now(),
           "transactions": transactions, "detail": None, **columns}  # fmt: skip
    m.store.db.table("payment_backend").upsert(row, pk="reference")


def pickup_at_the_fee(m: Machine, sent: dict[str, str], *, auto_open: bool = True) -> PickupJourney:
    pickup = PickupJourney(m.core, auto_open=auto_open)
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.FEE_DUE, pickup.said
    return pickup


def at_the_qr(m: Machine, fee: int, *, auto_open: bool = True) -> tuple[PickupJourney, dict[str, str]]:
    """A result with ``fee`` loaded, and its citizen on the QR screen."""
    sent = load(m, fee=fee)
    pickup = pickup_at_the_fee(m, sent, auto_open=auto_open)
    pickup.pay_by_qr()
    return pickup, sent


def flags(m: Machine) -> list[str]:
    rows = m.store.db.execute(
        "SELECT json_extract(payload, '$.reason') FROM outbox WHERE kind = 'payment-flagged' ORDER BY seq"
    )
    return [r[0] for r in rows]


def one(m: Machine, sql: str, *args: object) -> Any:
    return m.store.db.execute(sql, list(args)).fetchone()


@pytest.fixture
def fee_machine(machine: Machine) -> Machine:
    with_fees(machine)
    return machine


def test_paid_by_qr_the_door_opens_in_the_same_flow(fee_machine: Machine) -> None:
    m = fee_machine
    sent = load(m, fee=FEE)
    pickup = pickup_at_the_fee(m, sent)
    assert pickup.data["methods"] == ["vietqr"] and pickup.data["remaining"] == FEE
    assert pickup.said == Say.FEE_CHOOSE.format(**sums(remaining=FEE))
    pickup.pay_by_qr()
    assert pickup.state is Pickup.PAYING_QR
    asked = vietqr.parse(pickup.data["qr"])
    assert (asked.bank_bin, asked.account, asked.amount, asked.purpose) == (BANK, ACCOUNT, FEE, CODE)
    assert pickup.data["beneficiary"] == NAME and pickup.data["reference"].startswith("KP")
    assert 299 <= pickup.seconds_left() <= 300
    pickup.tick()
    assert pickup.state is Pickup.PAYING_QR  # nothing from the bank yet: the door stays shut
    bank_says(m, pickup.data["reference"], FEE)
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN
    fee_paid = one(m, "SELECT dossier_code, payload FROM outbox WHERE kind = 'fee-paid'")
    assert fee_paid[0] == CODE and '"received": 50000' in fee_paid[1] and '"method": "vietqr"' in fee_paid[1]
    actions = [r[0] for r in m.store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
    # the payment is a durable fact before the unlock intent
    last_intent = len(actions) - 1 - actions[::-1].index("unlock-intent")
    assert actions.index("payment:paid") < actions.index("journey:pickup:verified") < last_intent
    assert one(m, "SELECT state, received FROM payment") == ("paid", FEE)
    take_and_close(m, pickup)
    assert pickup.state is Pickup.DONE


def test_without_auto_open_the_paid_fee_waits_for_open(fee_machine: Machine) -> None:
    pickup, _sent = at_the_qr(fee_machine, FEE, auto_open=False)
    bank_says(fee_machine, pickup.data["reference"], FEE)
    pickup.tick()
    assert pickup.state is Pickup.VERIFIED and pickup.said == Say.FEE_PAID.format(**sums(amount=FEE))
    assert pickup.data["remaining"] == 0 and pickup.data["paid"] == FEE
    pickup.open()
    assert pickup.state is Pickup.DOOR_OPEN


def test_paid_less_leaves_the_rest_to_pay_now_and_tells_an_officer(fee_machine: Machine) -> None:
    """A digit mistyped in the bank app: what arrived counts, the rest is asked for at once (a
    new QR for it), and the short transfer is flagged for the office."""
    m = fee_machine
    pickup, _ = at_the_qr(m, FEE)
    bank_says(m, pickup.data["reference"], 30_000)
    pickup.tick()
    assert pickup.state is Pickup.FEE_DUE and not pickup.ended
    assert pickup.said == Say.PAID_IN_PART.format(**sums(received=30_000, remaining=20_000))
    assert pickup.data["remaining"] == 20_000 and pickup.data["paid"] == 30_000
    assert one(m, "SELECT state, received FROM payment") == ("short", 30_000)
    assert one(m, "SELECT state FROM item") == ("held",) and flags(m) == ["short"]
    pickup.pay_by_qr()
    assert vietqr.parse(pickup.data["qr"]).amount == 20_000
    bank_says(m, pickup.data["reference"], 20_000)
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN


def test_paid_more_opens_and_is_flagged_over(fee_machine: Machine) -> None:
    pickup, _sent = at_the_qr(fee_machine, FEE)
    bank_says(fee_machine, pickup.data["reference"], 70_000)
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN and flags(fee_machine) == ["over"]
    assert (
        one(
            fee_machine, "SELECT json_extract(payload, '$.amount') FROM outbox WHERE kind = 'payment-flagged'"
        )[0]
        == 20_000
    )


def test_confirmed_twice_is_flagged_once_and_counted_once(fee_machine: Machine) -> None:
    m = fee_machine
    pickup, _sent = at_the_qr(m, FEE, auto_open=False)
    bank_says(m, pickup.data["reference"], 2 * FEE, transactions=2)
    pickup.tick()
    assert pickup.state is Pickup.VERIFIED
    assert one(m, "SELECT received FROM payment") == (FEE,) and flags(m) == ["twice"]
    pickup.cancel()  # the journey over, the idle tick sees the same word again: nothing new
    assert payments.settle_news(m.core) == [] and flags(m) == ["twice"]
    assert one(m, "SELECT COUNT(*) FROM outbox WHERE kind = 'fee-paid'") == (1,)
    # delivered and old, the flag's event is deleted by retention: the flag does not come back
    m.store.db.execute("DELETE FROM outbox WHERE kind = 'payment-flagged'")
    assert payments.settle_news(m.core) == [] and flags(m) == []


def test_a_confirmation_after_cancel_counts_for_the_dossier(fee_machine: Machine) -> None:
    m = fee_machine
    pickup, sent = at_the_qr(m, FEE)
    reference = pickup.data["reference"]
    pickup.cancel()
    assert one(m, "SELECT state FROM payment") == ("cancelled",)
    bank_says(m, reference, FEE)
    news = payments.settle_news(m.core)
    assert [n.payment.reference for n in news] == [reference] and flags(m) == ["after-cancel"]
    assert one(m, "SELECT state, received FROM payment") == ("cancelled", FEE)
    again = PickupJourney(m.core, auto_open=True)
    again.submit_code(sent["token"])
    assert again.state is Pickup.DOOR_OPEN  # owes nothing: not charged twice
    assert one(m, "SELECT COUNT(*) FROM payment") == (1,)


def test_the_qr_waits_its_time_then_the_request_expires(fee_machine: Machine) -> None:
    m = fee_machine
    pickup, _sent = at_the_qr(m, FEE)
    m.clock.advance(120)
    pickup.tick()  # longer than the idle timeout: the QR has its own wait
    assert pickup.state is Pickup.PAYING_QR and 179 <= pickup.seconds_left() <= 180
    m.clock.advance(181)
    pickup.tick()
    assert pickup.state is Pickup.TIMED_OUT and pickup.said == Say.QR_EXPIRED.format()
    assert one(m, "SELECT state FROM payment") == ("expired",) and pickup.seconds_left() == 0


def test_cancel_and_retry_asks_the_same_qr_until_the_backend_has_cancelled_it(fee_machine: Machine) -> None:
    m = fee_machine
    sent = load(m, fee=FEE)
    first = pickup_at_the_fee(m, sent)
    first.pay_by_qr()
    first.cancel()
    second = pickup_at_the_fee(m, sent)
    second.pay_by_qr()
    assert second.data["reference"] == first.data["reference"] and second.data["qr"] == first.data["qr"]
    assert one(m, "SELECT COUNT(*), state FROM payment") == (1, "requested")
    second.cancel()
    bank_says(m, first.data["reference"], 0, cancelled_at=m.store.now(), paid_at=None)
    third = pickup_at_the_fee(m, sent)
    third.pay_by_qr()
    assert third.data["reference"] != first.data["reference"]
    states = [r[0] for r in m.store.db.execute("SELECT state FROM payment ORDER BY created_at, rowid")]
    assert sorted(states) == ["cancelled", "requested"]


def test_back_from_the_qr_keeps_it_payable_and_its_confirmation_is_taken(fee_machine: Machine) -> None:
    m = fee_machine
    pickup, _sent = at_the_qr(m, FEE)
    reference = pickup.data["reference"]
    pickup.back()
    assert pickup.state is Pickup.FEE_DUE and "qr" not in pickup.data
    bank_says(m, reference, FEE)  # the citizen had paid already
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN


def test_a_crash_after_the_confirmation_resumes_the_pickup_not_the_payment(fee_machine: Machine) -> None:
    m = fee_machine
    pickup, sent = at_the_qr(m, FEE, auto_open=False)
    bank_says(m, pickup.data["reference"], FEE)
    pickup.tick()
    assert pickup.state is Pickup.VERIFIED
    del pickup  # the power goes: a new core finds the journey open
    reconcile(m.core, sleep=lambda _: None)
    again = PickupJourney(m.core, auto_open=True)
    again.submit_code(sent["token"])
    assert again.state is Pickup.DOOR_OPEN
    assert one(m, "SELECT COUNT(*), SUM(received) FROM payment") == (1, FEE)


def test_a_confirmation_while_the_kiosk_was_down_is_settled_at_start(fee_machine: Machine) -> None:
    m = fee_machine
    pickup, sent = at_the_qr(m, FEE)
    reference = pickup.data["reference"]
    del pickup  # killed while the citizen paid
    bank_says(m, reference, FEE)
    reconcile(m.core, sleep=lambda _: None)
    assert one(m, "SELECT state, received FROM payment") == ("paid", FEE) and flags(m) == []
    again = PickupJourney(m.core, auto_open=True)
    again.submit_code(sent["token"])
    assert again.state is Pickup.DOOR_OPEN


def test_an_unpaid_request_left_by_a_crash_expires_after_its_wait(fee_machine: Machine) -> None:
    m = fee_machine
    pickup, _sent = at_the_qr(m, FEE)
    del pickup
    reconcile(m.core, sleep=lambda _: None)
    assert one(m, "SELECT state FROM payment") == ("requested",)  # still reusable for a while
    m.clock.advance(301)
    payments.settle_news(m.core)
    assert one(m, "SELECT state FROM payment") == ("expired",)


@pytest.mark.parametrize("paid", [-5, 0, 10**14, "fifty", 49999.5, None])
def test_a_damaged_bank_row_is_no_money(fee_machine: Machine, paid: object) -> None:
    m = fee_machine
    pickup, _sent = at_the_qr(m, FEE)
    m.store.db.execute("INSERT INTO payment_backend (reference, paid_amount, transactions) VALUES (?, ?, ?)",
                       [pickup.data["reference"], paid, "x"])  # fmt: skip
    pickup.tick()
    assert pickup.state is Pickup.PAYING_QR and one(m, "SELECT received FROM payment") == (0,)


def test_the_procedure_names_its_account(machine: Machine) -> None:
    procedure = "Cấp Phiếu lý lịch tư pháp"
    other = BeneficiarySection(
        procedures=[procedure], bin="970436", account="0071000123456", name="SO TU PHAP"
    )
    with_fees(machine, beneficiary=[other])
    machine.store.db.execute(
        "INSERT INTO assignment (dossier_code, procedure, fee_due, synced_at) VALUES (?, ?, ?, 't')",
        [CODE, "Cấp Phiếu lý lịch tư pháp", FEE],
    )
    sent = load(machine)
    pickup = pickup_at_the_fee(machine, sent)
    pickup.pay_by_qr()
    asked = vietqr.parse(pickup.data["qr"])
    assert (asked.bank_bin, asked.account, pickup.data["beneficiary"]) == (
        "970436",
        "0071000123456",
        "SO TU PHAP",
    )


def test_a_long_dossier_code_gives_the_reference_as_the_purpose() -> None:
    assert payments.purpose("G09.20-20260609-0092637", "KPABC") == "G09.20-20260609-0092637"
    assert payments.purpose("000.00.53.H48-220921-00991", "KPABCDEFGHIJKLMN") == "KPABCDEFGHIJKLMN"
    assert payments.purpose("Hồ sơ-1", "KPABCDEFGHIJKLMN") == "KPABCDEFGHIJKLMN"


def test_without_fees_the_screen_says_pay_at_the_counter(machine: Machine) -> None:
    sent = load(machine, fee=8000)
    pickup = pickup_at_the_fee(machine, sent)
    assert pickup.data["methods"] == [] and pickup.said == Say.FEE_DUE.format(**sums(amount=8000))
    with pytest.raises(IllegalStep):
        pickup.pay_by_qr()
    with pytest.raises(IllegalStep):
        pickup.pay_by_cash()
