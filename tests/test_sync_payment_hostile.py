"""The payment round against a hostile backend (tests/hostile.py, raw sockets on loopback): an
answer about another payment, amounts out of bounds, a redirect, a cut-off body, a backend that
says "paid" twice, changes a transfer's amount, forgets one, or lists too many. Each is a typed
error said in the payment's row, or a fact recorded within its bounds; never a crash of the round,
never money the bank did not report."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.store import Store
from sync.client import BackendClient
from sync.errors import AuthFailed, NotSent, Unreachable
from sync.worker import SyncWorker
from tests.hostile import CUT, KIOSK, Hostile, Recorder, Reply, Request, answer, head
from tests.test_sync_hostile import section_for
from tests.test_sync_payment import CODE, FEE, FEES, ask, clocked_store, give_up, later, seen

REF = "KPHOSTILE2345677"
GET, PUT, CANCEL = (
    f"{m} /v1/payments/{REF}{tail}" for m, tail in (("GET", ""), ("PUT", ""), ("POST", "/cancel"))
)
AT = "2026-11-23T08:00:05+07:00"


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    h = Hostile()
    yield h
    h.stop()


store = pytest.fixture(clocked_store, name="store")


@pytest.fixture
def worker(hostile: Hostile, store: Store, short_tmp: Path) -> SyncWorker:
    secret = short_tmp / "backend-secret"
    secret.write_text("hostile-secret-for-tests-only\n")
    secret.chmod(0o600)
    section = section_for(hostile.url, secret)
    client = BackendClient(section, KIOSK, clock=store.clock)
    return SyncWorker(store, client, section, sleep=lambda s: None, rng=random.Random(1), fees=FEES)


def payment(
    state: str = "pending", confirmations: list[dict[str, Any]] | None = None, **changes: Any
) -> dict[str, Any]:
    body = {"reference": REF, "dossier_code": CODE, "amount": FEE, "state": state, "cancelled_at": None,
            "confirmations": confirmations or []}  # fmt: skip
    return body | changes


def transfer(amount: Any = FEE, txn: str = "FT0001", at: str = AT) -> dict[str, Any]:
    return {"amount": amount, "at": at, "transaction": txn}


def serve(hostile: Hostile, *bodies: dict[str, Any] | Callable[[Request], Reply]) -> None:
    """PUT answers the first body, each GET the next (the last one again once they run out)."""
    replies = [b if callable(b) else (lambda r, b=b: answer(body=b)) for b in bodies]
    hostile.spoil[PUT] = replies[0]
    left = list(replies[1:]) or [replies[0]]

    def get(request: Request) -> Reply:
        return (left.pop(0) if len(left) > 1 else left[0])(request)

    hostile.spoil[GET] = get
    hostile.spoil[CANCEL] = lambda r: answer(body=payment("cancelled", cancelled_at=AT))


def round_(store: Store, worker: SyncWorker, rounds: int = 1) -> None:
    for _ in range(rounds):
        worker.payments.run()
        later(store, FEES.poll_s)


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("another reference", payment(reference="KPOTHER234567ABC"), "another payment"),
        ("another dossier", payment(dossier_code="000.00.53.H48-220921-0100"), "another dossier"),
        ("another amount asked", payment(amount=1), "asks 1 đồng"),
        ("a negative transfer", payment("paid", [transfer(-8_000)]), "confirmations.0.amount"),
        ("a zero transfer", payment("paid", [transfer(0)]), "confirmations.0.amount"),
        ("a huge transfer", payment("paid", [transfer(10**12 + 1)]), "confirmations.0.amount"),
        ("an amount as text", payment("paid", [transfer("8000")]), "confirmations.0.amount"),
        ("a float amount", payment("paid", [transfer(8000.0)]), "confirmations.0.amount"),
        ("paid with no transfer", payment("paid"), "a paid payment with 0"),
        ("pending with a transfer", payment("pending", [transfer()]), "a pending payment with 1"),
        ("cancelled without a time", payment("cancelled"), "cancelled_at"),
        ("a state of its own", payment("settled"), "state"),
        ("one transaction, two amounts", payment("paid", [transfer(), transfer(9_000)]), "two amounts"),
        ("a transaction id with a newline", payment("paid", [transfer(txn="FT1\nFT2")]), "transaction"),
        ("a date of no calendar", payment("paid", [transfer(at="2026-02-30T08:00:00Z")]), "at"),
        ("21 transfers", payment("paid", [transfer(txn=f"FT{n}") for n in range(21)]), "confirmations"),
        ("not JSON", None, "not JSON"),
    ],
)
def test_an_answer_outside_the_contract_is_refused_whole_and_said_in_the_row(
    store: Store, worker: SyncWorker, hostile: Hostile, name: str, body: Any, says: str
) -> None:
    ask(store, REF)
    serve(hostile, payment())
    round_(store, worker)
    hostile.spoil[GET] = (
        (lambda r: [head(200, 9) + b"{not json"]) if body is None else (lambda r: answer(body=body))
    )
    done = worker.payments.run()
    assert (done.checked, done.problems) == (0, 1), name
    got = seen(store, REF)
    assert (got["paid_amount"], got["transactions"]) == (None, 0)  # nothing of it used
    assert says in got["detail"]["problem"], got["detail"]["problem"]
    later(store, FEES.poll_s)
    serve(hostile, payment(), payment("paid", [transfer()]))  # the backend mends its ways
    assert worker.payments.run().checked == 1
    got = seen(store, REF)
    assert (got["paid_amount"], got["transactions"], got["detail"]["problem"]) == (FEE, 1, None)


def test_paid_twice_with_two_transactions_is_a_recorded_fact(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, REF)
    second = transfer(txn="FT2", at="2026-11-23T08:01:00+07:00")
    serve(
        hostile,
        payment(),
        payment("paid", [transfer(txn="FT1")]),
        payment("paid", [transfer(txn="FT1"), second]),
    )
    round_(store, worker, 3)
    got = seen(store, REF)
    assert (got["paid_amount"], got["transactions"], got["paid_at"]) == (2 * FEE, 2, AT)


def test_a_notification_listed_twice_is_one_transfer(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, REF)
    serve(hostile, payment(), payment("paid", [transfer(), transfer()]))
    round_(store, worker, 2)
    assert (seen(store, REF)["paid_amount"], seen(store, REF)["transactions"]) == (FEE, 1)


def test_a_transfer_once_reported_is_never_unlearnt_nor_its_amount_changed(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, REF)
    serve(hostile, payment(), payment("paid", [transfer()]), payment())  # then it "forgets"
    round_(store, worker, 3)
    assert (seen(store, REF)["paid_amount"], seen(store, REF)["transactions"]) == (FEE, 1)
    serve(hostile, payment(), payment("paid", [transfer(amount=800_000)]))
    worker.payments.run()
    got = seen(store, REF)
    assert (got["paid_amount"], got["transactions"]) == (FEE, 1)
    assert "now says transfer FT0001 was 800,000" in got["detail"]["problem"]


def test_a_redirect_is_not_followed_and_nothing_goes_elsewhere(
    store: Store, worker: SyncWorker, hostile: Hostile, short_tmp: Path
) -> None:
    recorder = Recorder()
    try:
        ask(store, REF)
        moved = answer(302, {"error": "moved"}, {"Location": f"{recorder.url}/v1/payments/{REF}"})
        serve(hostile, lambda r: moved)
        assert worker.payments.run().problems == 1
        assert "redirect" in seen(store, REF)["detail"]["problem"]
        assert seen(store, REF)["created_at"] is None  # asked for again at the next round
        assert bytes(recorder.received) == b""
    finally:
        recorder.stop()


def test_a_cut_off_body_ends_the_round_for_the_backoff_and_the_worker_goes_on(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, REF)
    whole = json.dumps(payment("paid", [transfer()])).encode()
    serve(hostile, lambda r: [head(200, len(whole)) + whole[: len(whole) // 2], CUT])
    with pytest.raises(Unreachable, match="stopped after"):
        worker.payments.run()
    assert store.db.execute("SELECT COUNT(*) FROM payment_backend").fetchone()[0] == 0
    waits: list[float] = []
    worker.sleep = waits.append
    worker.run(lambda: len(waits) >= 2)  # the loop records it, backs off, and goes on
    assert worker.last_error() is not None and worker.last_error()["kind"] == "Unreachable"  # type: ignore[index]


def test_a_backend_that_lost_the_payment_is_asked_again(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, REF)
    serve(hostile, payment(), lambda r: answer(404, {"error": "no such payment"}))
    round_(store, worker, 2)
    assert seen(store, REF)["created_at"] is None and "404" in seen(store, REF)["detail"]["problem"]
    serve(hostile, payment("paid", [transfer()]))
    worker.payments.run()
    assert seen(store, REF)["created_at"] is not None and seen(store, REF)["transactions"] == 1
    assert [r.method for r in hostile.requests if REF in r.path] == ["PUT", "GET", "PUT"]


def test_a_reference_the_contract_does_not_allow_is_not_sent(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, "kp/../../v1/x")
    assert worker.payments.run().problems == 1
    assert "not sent" in seen(store, "kp/../../v1/x")["detail"]["problem"]
    assert not [r for r in hostile.requests if "payments" in r.path]
    with pytest.raises(NotSent):
        worker.client.payment("KP%2F..")


def test_one_payment_s_bad_answer_does_not_stop_the_others(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    good = "KPGOOD2345677ABC"
    ask(store, REF)
    ask(store, good, code="000.00.53.H48-220921-0100")
    serve(hostile, payment(reference="KPOTHER234567ABC"))
    body = payment(reference=good, dossier_code="000.00.53.H48-220921-0100")
    hostile.spoil[f"PUT /v1/payments/{good}"] = lambda r: answer(body=body)
    done = worker.payments.run()
    assert (done.checked, done.problems) == (1, 1)
    assert seen(store, good)["created_at"] is not None


def test_a_cancelled_payment_whose_cancel_fails_keeps_what_was_seen(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, REF)
    serve(hostile, payment("paid", [transfer()]))
    give_up(store, REF)
    hostile.spoil[CANCEL] = lambda r: answer(body=payment("pending"))  # not what was asked
    worker.payments.run()
    got = seen(store, REF)
    assert (got["paid_amount"], got["transactions"], got["cancelled_at"]) == (FEE, 1, None)
    assert [c["transaction"] for c in got["detail"]["confirmations"]] == ["FT0001"]
    assert got["detail"]["problem"] is not None


def test_refused_credentials_are_the_worker_s_to_say_not_one_payment_s(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    ask(store, REF)
    hostile.spoil["POST /oauth/token"] = lambda r: answer(401, {"error": "invalid_client"})
    with pytest.raises(AuthFailed):
        worker.payments.run()
    assert store.db.execute("SELECT COUNT(*) FROM payment_backend").fetchone()[0] == 0


def test_a_backend_failing_on_a_payment_still_takes_the_events_then_the_worker_backs_off(
    store: Store, worker: SyncWorker, hostile: Hostile
) -> None:
    """One dossier's fee the backend chokes on (a 500 to every PUT) must not hold back the
    kiosk's handovers, assignments and heartbeats: the rest of the round goes, then the backoff."""
    from kiosk import events
    from sync.errors import ServerBusy

    ask(store, REF)
    hostile.spoil[PUT] = lambda r: answer(500, {"error": "fee platform down"})
    events.emit(store, "result-loaded", actor="officer:CB-0042", dossier_code=CODE, compartment="A01")
    with pytest.raises(ServerBusy):
        worker._round(lambda: 0.0)
    undelivered = store.db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    assert undelivered == 0
