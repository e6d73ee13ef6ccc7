"""A citizen pays a fee by VietQR, end to end: the pickup journey asks (kiosk/payments.py), the
sync's round asks the stand-in backend and writes what its pretend bank said, the journey's tick
opens the door, and every event of it (the fee paid, a payment flagged) is delivered and accepted
by the contract. Over the lock-board simulator on a pty and the stand-in on loopback."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import payments
from kiosk.journeys.pickup import Pickup
from sync.client import BackendClient
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.machine import Machine
from tests.test_journey_fee_qr import FEE, pickup_at_the_fee, with_fees
from tests.test_journey_pickup import CODE, load, take_and_close


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    b = StandIn(Path(tmp_path_factory.mktemp("pay-journey")))
    yield b
    b.stop()


def worker_for(m: Machine, backend: StandIn) -> SyncWorker:
    section = backend.section()
    client = BackendClient(section, KIOSK, clock=m.store.clock)
    fees = with_fees(m)
    return SyncWorker(m.store, client, section, sleep=lambda s: None, rng=random.Random(1), fees=fees)


def delivered(backend: StandIn, kind: str) -> list[dict[str, object]]:
    return [e for e in backend.get("events", kiosk_id=KIOSK)["events"] if e["kind"] == kind]


def test_paid_by_qr_the_sync_brings_the_bank_s_word_and_the_door_opens(
    machine: Machine, backend: StandIn
) -> None:
    worker = worker_for(machine, backend)
    backend.post("payments/mode", {"mode": "auto", "delay_s": 0})
    pickup = pickup_at_the_fee(machine, load(machine, fee=FEE))
    pickup.pay_by_qr()
    ref = pickup.data["reference"]
    pickup.tick()
    assert pickup.state is Pickup.PAYING_QR
    assert worker.payments.run().checked == 1
    pickup.tick()
    assert pickup.state is Pickup.DOOR_OPEN
    take_and_close(machine, pickup)
    assert worker.drain().rejected == 0
    fee_paid = delivered(backend, "fee-paid")
    assert [(e["dossier_code"], e["status"]) for e in fee_paid] == [(CODE, "accepted")]
    paid = {"reference": ref, "method": "vietqr", "amount": FEE, "received": FEE}
    assert {k: v for k, v in fee_paid[0]["payload"].items() if k != "paid_at"} == paid  # type: ignore[attr-defined]
    item = machine.store.db.execute("SELECT item FROM payment WHERE reference = ?", [ref]).fetchone()[0]
    assert payments.remaining(machine.store, item) == 0


def test_paid_twice_the_flag_reaches_the_office(machine: Machine, backend: StandIn) -> None:
    worker = worker_for(machine, backend)
    backend.post("payments/mode", {"mode": "twice", "delay_s": 0})
    pickup = pickup_at_the_fee(machine, load(machine, fee=FEE))
    pickup.pay_by_qr()
    worker.payments.run()
    pickup.tick()
    payments.flag(machine.store, None, "unknown-event", 0)  # the validator, while no payment was open
    assert worker.drain().rejected == 0
    flagged = [(e["payload"]["reason"], e["status"]) for e in delivered(backend, "payment-flagged")]  # type: ignore[index]
    assert ("twice", "accepted") in flagged and ("unknown-event", "accepted") in flagged
