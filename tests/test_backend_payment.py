"""The stand-in backend's payments (hardware-sim/backend/payments.py) on loopback: the contract's
resource as a kiosk's client meets it (idempotent by reference, another kiosk's payment unseen),
the admin's controls (a bank notification, the pretend bank's mode, the listing) and what they
refuse, the technician's console ``kiosk-backend pay``, and the issue-14 event kinds."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from hardware_sim.backend import cli
from kiosk import events
from kiosk.store import Store
from sync.client import BackendClient
from sync.errors import Refused
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.machine import FakeClock
from tests.test_sync_payment import CODE, FEE, fresh_ref

CREATED = "2026-11-23T08:00:00.000+00:00"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    b = StandIn(Path(tmp_path_factory.mktemp("standin-pay")))
    yield b
    b.stop()


@pytest.fixture(scope="module")
def client(backend: StandIn) -> Iterator[BackendClient]:
    c = BackendClient(backend.section(), KIOSK)
    yield c
    c.close()


@pytest.fixture(autouse=True)
def manual(backend: StandIn) -> None:
    backend.post("payments/mode", {"mode": "manual"})


def request(amount: int = FEE, code: str = CODE) -> dict[str, Any]:
    return {"dossier_code": code, "amount": amount, "method": "vietqr", "purpose": code,
            "beneficiary": {"bin": "970416", "account": "257678859"}, "created_at": CREATED}  # fmt: skip


def admin(backend: StandIn, method: str, what: str, body: Any = None) -> requests.Response:
    return backend.admin.request(method, f"{backend.url}/_admin/{what}", json=body, timeout=5)


def test_a_request_is_idempotent_by_reference_and_refused_with_other_details(
    backend: StandIn, client: BackendClient
) -> None:
    ref = fresh_ref()
    first = client.put_payment(ref, request())
    assert (first.state, first.amount, first.confirmations, first.cancelled_at) == ("pending", FEE, [], None)
    assert client.put_payment(ref, request()) == first  # a lost answer, sent again: nothing changes
    with pytest.raises(Refused) as refused:
        client.put_payment(ref, request(amount=9_000))
    assert refused.value.status == 409
    assert [p["amount"] for p in backend.get("payments")["payments"] if p["reference"] == ref] == [FEE]


def test_confirm_then_cancel_a_cancellation_keeps_the_money_listed(
    backend: StandIn, client: BackendClient
) -> None:
    ref = fresh_ref()
    client.put_payment(ref, request())
    backend.post(f"payments/{ref}/confirm", {"amount": 5_000, "transaction": "FT26112300042"})
    paid = client.payment(ref)
    assert paid.state == "paid" and [(c.amount, c.transaction) for c in paid.confirmations] == [
        (5_000, "FT26112300042")
    ]
    cancelled = client.cancel_payment(ref)
    assert cancelled.state == "cancelled" and cancelled.cancelled_at is not None
    assert client.cancel_payment(ref).cancelled_at == cancelled.cancelled_at  # idempotent
    backend.post(f"payments/{ref}/confirm", {})  # after the cancellation: still the bank's word
    assert [c.amount for c in client.payment(ref).confirmations] == [5_000, FEE]


def test_another_kiosk_cannot_see_or_take_a_payment(backend: StandIn, client: BackendClient) -> None:
    ref = fresh_ref()
    client.put_payment(ref, request())
    backend.post(
        "clients", {"client_id": "HG-VT-02", "secret": "another-secret-0123", "kiosk_id": "HG-VT-02"}
    )
    other = BackendClient(backend.section(client_id="HG-VT-02"), "HG-VT-02", secret="another-secret-0123")
    try:
        for call in (lambda: other.payment(ref), lambda: other.cancel_payment(ref)):
            with pytest.raises(Refused) as refused:
                call()
            assert refused.value.status == 404
        with pytest.raises(Refused) as taken:
            other.put_payment(ref, request())
        assert taken.value.status == 409
    finally:
        other.close()
    assert client.payment(ref).state == "pending"


def test_the_contract_refuses_requests_out_of_bounds(backend: StandIn, client: BackendClient) -> None:
    for body in (request(amount=0), request(amount=10**12 + 1), request() | {"purpose": "x" * 26},
                 request() | {"method": "cash"}, request() | {"extra": 1}):  # fmt: skip
        with pytest.raises(Refused) as refused:
            client.put_payment(fresh_ref(), body)
        assert refused.value.status == 400
    unknown = fresh_ref()
    with pytest.raises(Refused) as missing:
        client.payment(unknown)
    assert missing.value.status == 404


def test_the_admin_controls_refuse_what_no_bank_would_say(backend: StandIn, client: BackendClient) -> None:
    ref = fresh_ref()
    client.put_payment(ref, request())
    for body in ({"amount": -1}, {"amount": 0}, {"amount": 10**12 + 1}, {"amount": "8000"}, {"amount": True},
                 {"transaction": "FT 1"}, {"transaction": "x" * 65}, {"bank": "?"}):  # fmt: skip
        assert admin(backend, "POST", f"payments/{ref}/confirm", body).status_code == 400, body
    assert admin(backend, "POST", f"payments/{fresh_ref()}/confirm", {}).status_code == 404
    for _ in range(20):
        backend.post(f"payments/{ref}/confirm", {})
    full = admin(backend, "POST", f"payments/{ref}/confirm", {})
    assert full.status_code == 409 and "20 confirmations" in full.json()["error"]
    assert len(client.payment(ref).confirmations) == 20  # within the contract's bound
    for mode in ({"mode": "sometimes"}, {"mode": "auto", "delay_s": -1}, {"mode": "auto", "delay_s": "5"},
                 {"mode": "wrong-amount", "amount": 0}, {"speed": 1}):  # fmt: skip
        assert admin(backend, "POST", "payments/mode", mode).status_code == 400, mode


def test_the_listing_shows_each_request_its_confirmations_and_the_mode(
    backend: StandIn, client: BackendClient
) -> None:
    backend.post("payments/mode", {"mode": "twice", "delay_s": 0})
    ref = fresh_ref()
    client.put_payment(ref, request())
    listing = backend.get("payments")
    assert listing["mode"] == {"mode": "twice", "delay_s": 0.0, "amount": None}
    mine = next(p for p in listing["payments"] if p["reference"] == ref)
    assert mine["kiosk_id"] == KIOSK and mine["request"] == request() and mine["state"] == "paid"
    assert [c["amount"] for c in mine["confirmations"]] == [FEE, FEE]


def test_the_technician_s_console_marks_a_payment_received(
    backend: StandIn, client: BackendClient, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = fresh_ref()
    client.put_payment(ref, request())
    assert cli.main(["pay", ref, "--amount", "5000", "--url", backend.url]) == 0
    assert capsys.readouterr().out == f"{ref} ({CODE}): paid, 5,000 of 8,000 đồng in 1 transfer(s)\n"
    console = [sys.executable, "-m", "hardware_sim.backend.cli", "pay", ref, "--url", backend.url]
    done = subprocess.run(console, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and "13,000 of 8,000 đồng in 2 transfer(s)" in done.stdout
    assert [c.amount for c in client.payment(ref).confirmations] == [5_000, FEE]


def test_the_console_says_plainly_what_went_wrong(
    backend: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = fresh_ref()
    assert cli.main(["pay", unknown, "--url", backend.url]) == 1
    assert capsys.readouterr().err == f"kiosk-backend pay: no payment {unknown}\n"
    assert cli.main(["pay", unknown, "--url", "http://127.0.0.1:9"]) == 1
    assert "no stand-in backend answers at http://127.0.0.1:9" in capsys.readouterr().err
    assert cli.main(["pay", unknown, "--amount", "-5", "--url", backend.url]) == 1
    assert "whole number of đồng" in capsys.readouterr().err


def test_the_issue_14_events_are_accepted_and_a_card_s_contents_refused(
    backend: StandIn, client: BackendClient, short_tmp: Path
) -> None:
    data = short_tmp / "data"
    data.mkdir()
    store = Store.open(data, kiosk_id=KIOSK, clock=FakeClock())
    try:
        ref = fresh_ref()
        about: dict[str, Any] = {"actor": "citizen", "dossier_code": CODE}
        sent = [
            events.emit(store, "cash-credited", **about, reference=ref, value=5_000, channel=2),
            events.emit(store, "fee-paid", **about, reference=ref, method="cash", amount=FEE, received=10_000,
                        paid_at=store.now()),
            events.emit(store, "payment-flagged", **about, reference=ref, reason="over", amount=2_000),
            events.emit(store, "holder-refused", **about, compartment="A01", reason="mismatch"),
        ]  # fmt: skip
        worker = SyncWorker(store, client, backend.section(), sleep=lambda s: None)
        batch = worker._next_batch()  # the outbox as the sync sends it
        assert [e["uuid"] for e in batch] == [e.uuid for e in sent]
        assert worker.drain().accepted == 4
        kinds = [e["kind"] for e in backend.get("events", kiosk_id=KIOSK)["events"]][-4:]
        assert kinds == ["cash-credited", "fee-paid", "payment-flagged", "holder-refused"]
        told = dict(batch[3], uuid="00000000-0000-4000-8000-000000000001", seq=99)
        told["payload"] = {"reason": "mismatch", "id_number": "001204012345"}  # never the card's contents
        with pytest.raises(Refused) as refused:
            client.post_events([told])
        assert refused.value.status == 400
        odd = dict(batch[2], uuid="00000000-0000-4000-8000-000000000002", seq=100)
        odd["payload"] = {"reference": ref, "reason": "the cat did it"}
        with pytest.raises(Refused):
            client.post_events([odd])
    finally:
        store.close()
