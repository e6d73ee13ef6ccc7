"""The sync's payment round (sync/payments.py) against the stand-in backend on loopback: the
payment asked for once and checked, what the pretend bank does in each mode (confirms at once,
late, twice, a wrong amount, never), the cancellation and a confirmation after it, and that the
round writes ``payment_backend`` and nothing else.

The kiosk's side (the pay helper's) is played by inserting ``payment`` rows into a real store, as
the pickup journey does; the store's clock is the test's."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk import events
from kiosk.config import FeesSection
from kiosk.store import Store
from sync.client import BackendClient
from sync.errors import Unreachable
from sync.payments import WATCH_FOR, WATCH_S
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.machine import FakeClock
from tests.test_sync import kiosk_command, sync_config

CODE = "000.00.53.H48-220921-0099"
REF = "KPABCDEFGH234567"
FEE = 8_000
FEES = FeesSection.model_validate({
    "bin": "970416", "account": "257678859", "poll_s": 3,
    "beneficiary": [{"procedures": ["Cấp Phiếu lý lịch tư pháp"], "bin": "970436", "account": "0011004"}],
})  # fmt: skip


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    b = StandIn(Path(tmp_path_factory.mktemp("pay")))
    yield b
    b.stop()


def clocked_store(short_tmp: Path) -> Iterator[Store]:
    """A real store on the test's clock (the payment tests' ``store`` fixture, in each module)."""
    data = short_tmp / "data"
    data.mkdir()
    s = Store.open(data, kiosk_id=KIOSK, clock=FakeClock())
    yield s
    s.close()


store = pytest.fixture(clocked_store, name="store")


@pytest.fixture(autouse=True)
def manual(backend: StandIn) -> None:
    backend.post("payments/mode", {"mode": "manual"})


def worker_for(store: Store, url: str, section: Any) -> SyncWorker:
    client = BackendClient(section, KIOSK, clock=store.clock)
    return SyncWorker(store, client, section, sleep=lambda s: None, rng=random.Random(1), fees=FEES)


@pytest.fixture
def worker(store: Store, backend: StandIn) -> SyncWorker:
    return worker_for(store, backend.url, backend.section())


_refs = iter(range(10**6))


def fresh_ref() -> str:
    """A reference of the kiosk's shape, new for each payment: the stand-in is shared by the module."""
    n = next(_refs)
    return "KP" + "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(n >> (5 * i)) % 32] for i in range(14))


def ask(store: Store, reference: str | None = None, *, amount: int = FEE, code: str | None = None,
        procedure: str = "Cấp bản sao trích lục hộ tịch", state: str = "requested") -> str:  # fmt: skip
    """A VietQR payment as the pickup journey writes it: its item, then the request."""
    reference = reference or fresh_ref()
    n = store.db.execute("SELECT COUNT(*) FROM item").fetchone()[0] + 1
    code = code or (CODE if n == 1 else f"000.00.53.H48-221123-{n:04d}")
    held = store.db.execute("SELECT id FROM item WHERE dossier_code = ?", [code]).fetchone()
    with store.transaction() as db:
        if held is None:
            db.execute(
                "INSERT INTO compartment (id, bus, board, lock, size, position, updated_at)"
                " VALUES (?, 'lockbus0', 0, ?, 'S', 'high', ?)",
                [f"A{n:02d}", n, store.now()],
            )
            held = [db.execute(
                "INSERT INTO item (kind, dossier_code, compartment, state, procedure, fee_due, created_at,"
                " updated_at) VALUES ('result', ?, ?, 'held', ?, ?, ?, ?)",
                [code, f"A{n:02d}", procedure, amount, store.now(), store.now()],
            ).lastrowid]  # fmt: skip
        item = held[0]
        db.execute(
            "INSERT INTO payment (reference, item, dossier_code, method, amount, state, created_at,"
            " updated_at) VALUES (?, ?, ?, 'vietqr', ?, ?, ?, ?)",
            [reference, item, code, amount, state, store.now(), store.now()],
        )
    return reference


def give_up(store: Store, reference: str, state: str = "cancelled") -> None:
    """The citizen touched «Hủy», or the QR's wait ran out: the kiosk's write."""
    store.db.execute(
        "UPDATE payment SET state = ?, updated_at = ? WHERE reference = ?", [state, store.now(), reference]
    )


def seen(store: Store, reference: str) -> dict[str, Any]:
    row = store.db.execute(
        "SELECT created_at, cancelled_at, checked_at, paid_amount, paid_at, transactions, detail"
        " FROM payment_backend WHERE reference = ?",
        [reference],
    ).fetchone()
    assert row is not None, f"nothing written for {reference}"
    keys = ("created_at", "cancelled_at", "checked_at", "paid_amount", "paid_at", "transactions", "detail")
    return dict(zip(keys, row, strict=True)) | {"detail": json.loads(row[6])}


def later(store: Store, seconds: float) -> None:
    clock = store.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds)


def asked_of(backend: StandIn, reference: str) -> dict[str, Any]:
    found = [p for p in backend.get("payments")["payments"] if p["reference"] == reference]
    assert len(found) == 1
    return found[0]


# -- asked once, checked every poll_s ------------------------------------------------------------


def test_a_payment_is_asked_for_once_then_checked_every_poll_s(
    store: Store, worker: SyncWorker, backend: StandIn
) -> None:
    ref = ask(store)
    assert worker.payments.run().checked == 1
    first = seen(store, ref)
    assert first["created_at"] == first["checked_at"] == store.now()
    assert (first["paid_amount"], first["paid_at"], first["transactions"]) == (None, None, 0)
    assert first["detail"] == {"state": "pending", "confirmations": [], "problem": None}
    request = asked_of(backend, ref)["request"]
    assert request == {
        "dossier_code": CODE, "amount": FEE, "method": "vietqr", "purpose": CODE,
        "beneficiary": {"bin": "970416", "account": "257678859"}, "created_at": store.now(),
    }  # fmt: skip
    assert worker.payments.run().checked == 0  # not due yet: poll_s has not passed
    later(store, FEES.poll_s)
    assert worker.payments.run().checked == 1
    assert (
        seen(store, ref)["checked_at"] == store.now()
        and seen(store, ref)["created_at"] == first["created_at"]
    )
    assert len(backend.get("payments")["payments"]) >= 1 and asked_of(backend, ref)["state"] == "pending"


def test_the_bank_s_word_is_written_as_reported(store: Store, worker: SyncWorker, backend: StandIn) -> None:
    ref = ask(store)
    worker.payments.run()
    backend.post(f"payments/{ref}/confirm", {"transaction": "FT26112300001"})
    later(store, FEES.poll_s)
    worker.payments.run()
    got = seen(store, ref)
    assert (got["paid_amount"], got["transactions"]) == (FEE, 1)
    assert got["paid_at"] == asked_of(backend, ref)["confirmations"][0]["at"]
    assert got["detail"]["state"] == "paid"
    assert got["detail"]["confirmations"] == [
        {"transaction": "FT26112300001", "amount": FEE, "at": got["paid_at"]}
    ]


def test_the_account_and_purpose_follow_the_procedure_and_the_code(store: Store, worker: SyncWorker,
                                                                   backend: StandIn) -> None:  # fmt: skip
    long_code = "G09.20-20260609-0092637-EXTRA"  # 29 characters: the QR's purpose is the reference
    ref = ask(store, code=long_code, procedure="Cấp Phiếu lý lịch tư pháp", amount=200_000)
    worker.payments.run()
    request = asked_of(backend, ref)["request"]
    assert request["purpose"] == ref
    assert request["beneficiary"] == {"bin": "970436", "account": "0011004"}


def test_the_round_writes_payment_backend_and_nothing_else(store: Store, worker: SyncWorker) -> None:
    refs = [ask(store), ask(store, state="cancelled")]
    tables = [r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def everything_but_its_own() -> dict[str, list[Any]]:
        return {t: store.db.execute(f"SELECT * FROM {t}").fetchall()  # the names are the schema's own
                for t in tables if t not in ("payment_backend", "sync_state")}  # fmt: skip

    before = everything_but_its_own()
    worker.payments.run()
    later(store, WATCH_S)
    worker.payments.run()
    assert everything_but_its_own() == before
    assert [seen(store, r)["created_at"] is not None for r in refs] == [True, True]


# -- the pretend bank's modes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "paid", "transfers"),
    [
        ({"mode": "auto"}, FEE, 1),  # the demo's citizen, paying
        ({"mode": "twice"}, 2 * FEE, 2),  # two transfers: two transactions and their sum, to be flagged
        ({"mode": "wrong-amount", "amount": 5_000}, 5_000, 1),  # short: as the bank reported it
        ({"mode": "wrong-amount"}, FEE // 2, 1),
    ],
    ids=["auto", "twice", "wrong-amount", "wrong-amount-half"],
)
def test_what_the_bank_reported_is_what_is_written(
    store: Store, worker: SyncWorker, backend: StandIn, mode: dict[str, Any], paid: int, transfers: int
) -> None:
    backend.post("payments/mode", mode | {"delay_s": 0})
    ref = ask(store)
    worker.payments.run()
    got = seen(store, ref)
    assert (got["paid_amount"], got["transactions"], got["detail"]["state"]) == (paid, transfers, "paid")
    assert len({c["transaction"] for c in got["detail"]["confirmations"]}) == transfers


def test_never_the_payment_waits_is_cancelled_and_watched_for_a_day_then_left(
    store: Store, worker: SyncWorker, backend: StandIn
) -> None:
    backend.post("payments/mode", {"mode": "never"})
    ref = ask(store)
    worker.payments.run()
    for _ in range(3):
        later(store, FEES.poll_s)
        worker.payments.run()
    assert seen(store, ref)["transactions"] == 0
    give_up(store, ref, "expired")
    later(store, 1)
    worker.payments.run()  # the cancellation goes at the next round
    got = seen(store, ref)
    assert got["cancelled_at"] == store.now() and got["detail"]["state"] == "cancelled"
    assert asked_of(backend, ref)["state"] == "cancelled"
    later(store, WATCH_S / 2)
    assert worker.payments.run().checked == 0  # a given-up payment: once a minute
    later(store, WATCH_S / 2)
    assert worker.payments.run().checked == 1
    later(store, WATCH_FOR.total_seconds())
    assert worker.payments.run().checked == 0  # a day on: no longer looked at
    assert seen(store, ref)["transactions"] == 0


@pytest.mark.parametrize("arrives", ["told by the console", "late mode"])
def test_a_confirmation_after_the_cancellation_is_caught(
    store: Store, worker: SyncWorker, backend: StandIn, arrives: str
) -> None:
    if arrives == "late mode":
        backend.post("payments/mode", {"mode": "late", "delay_s": 0.3})
    ref = ask(store)
    worker.payments.run()
    give_up(store, ref)
    worker.payments.run()
    assert seen(store, ref)["cancelled_at"] is not None and seen(store, ref)["transactions"] == 0
    if arrives == "told by the console":
        backend.post(f"payments/{ref}/confirm", {})  # the citizen's transfer, arriving after «Hủy»
    ends = time.monotonic() + 5  # the stand-in's clock is the real one: its 0.3 s pass for real
    while not asked_of(backend, ref)["confirmations"] and time.monotonic() < ends:
        time.sleep(0.05)
    later(store, WATCH_S)
    worker.payments.run()
    got = seen(store, ref)
    assert (got["paid_amount"], got["transactions"], got["detail"]["state"]) == (FEE, 1, "cancelled")


def test_auto_does_not_pay_what_the_kiosk_cancelled_first(
    store: Store, worker: SyncWorker, backend: StandIn
) -> None:
    backend.post("payments/mode", {"mode": "auto", "delay_s": 3600})
    ref = ask(store)
    worker.payments.run()
    give_up(store, ref)
    worker.payments.run()
    assert asked_of(backend, ref)["confirmations"] == []


def test_a_payment_cancelled_before_the_backend_heard_of_it_is_asked_for_then_cancelled(
    store: Store, worker: SyncWorker, backend: StandIn
) -> None:
    ref = ask(store, state="expired")  # the network was down while the QR was on the screen
    worker.payments.run()
    got = seen(store, ref)
    assert got["created_at"] is not None and got["cancelled_at"] is not None
    assert asked_of(backend, ref)["state"] == "cancelled"


def test_a_paid_payment_is_watched_for_a_second_transfer(
    store: Store, worker: SyncWorker, backend: StandIn
) -> None:
    ref = ask(store)
    backend.post("payments/mode", {"mode": "auto", "delay_s": 0})
    worker.payments.run()
    store.db.execute("UPDATE payment SET state = 'paid', received = ?, settled_at = ? WHERE reference = ?",
                     [FEE, store.now(), ref])  # fmt: skip
    backend.post(f"payments/{ref}/confirm", {})
    later(store, WATCH_S)
    worker.payments.run()
    assert seen(store, ref)["transactions"] == 2


def test_the_same_reference_with_other_details_is_a_problem_said_in_its_row(
    store: Store, worker: SyncWorker, backend: StandIn
) -> None:
    ref = ask(store)
    worker.payments.run()
    (store.path.parent.parent / "other").mkdir()
    other = Store.open(store.path.parent.parent / "other", kiosk_id=KIOSK, clock=FakeClock())
    try:
        ask(other, ref, amount=9_000)  # another database that chose the same reference
        done = worker_for(other, backend.url, backend.section()).payments.run()
        assert done.problems == 1
        problem = seen(other, ref)["detail"]["problem"]
        assert "409" in problem and "other details" in problem
        assert seen(other, ref)["created_at"] is None
    finally:
        other.close()
    assert asked_of(backend, ref)["amount"] == FEE


def test_kiosk_sync_runs_the_round_while_a_citizen_waits(store: Store, backend: StandIn) -> None:
    section = backend.section(idle_s=10)
    worker = worker_for(store, backend.url, section)
    ref = ask(store)
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        later(store, seconds)

    worker.sleep = pause
    worker.run(lambda: len(pauses) >= 3)
    assert pauses == [FEES.poll_s] * 3  # not idle_s: a citizen is at the QR screen
    assert seen(store, ref)["checked_at"] is not None
    give_up(store, ref)
    worker.payments.run()
    pauses.clear()
    worker.run(lambda: len(pauses) >= 1)
    assert pauses == [10]


def test_an_event_the_backend_refuses_does_not_keep_a_citizen_waiting(store: Store, backend: StandIn) -> None:
    events.emit(store, "holder-refused", actor="citizen", dossier_code=CODE, reason="mismatch",
                name="NGUYEN VAN A")  # out of the contract: the whole batch is answered 400  # fmt: skip
    backend.post("payments/mode", {"mode": "auto", "delay_s": 0})
    ref = ask(store)
    worker = worker_for(store, backend.url, backend.section())
    waits: list[float] = []
    worker.sleep = waits.append
    worker.run(lambda: len(waits) >= 1)
    assert worker.last_error()["kind"] == "Refused"  # type: ignore[index]
    assert seen(store, ref)["paid_amount"] == FEE


def test_a_clock_stepped_back_does_not_stop_the_polling(store: Store, worker: SyncWorker) -> None:
    ref = ask(store)
    worker.payments.run()
    clock = store.clock
    assert isinstance(clock, FakeClock)
    clock.now -= timedelta(hours=2)  # NTP corrects a kiosk that ran fast
    assert worker.payments.run().checked == 1
    assert seen(store, ref)["checked_at"] == store.now()


def test_a_lost_answer_to_the_request_is_asked_again_and_is_the_same_payment(
    store: Store, worker: SyncWorker, backend: StandIn
) -> None:
    ref = ask(store)
    worker.send_heartbeat()  # the token first, so that the fault meets the payment
    backend.faults(drop_after_rate=1.0)  # applied, then the connection cut: the answer is lost
    try:
        with pytest.raises(Unreachable):
            worker.payments.run()
    finally:
        backend.faults()
    assert store.db.execute("SELECT COUNT(*) FROM payment_backend").fetchone()[0] == 0
    backend.post(f"payments/{ref}/confirm", {})
    worker.payments.run()
    assert (seen(store, ref)["paid_amount"], seen(store, ref)["transactions"]) == (FEE, 1)
    assert [p["reference"] for p in backend.get("payments")["payments"]].count(ref) == 1


def test_kiosk_sync_once_asks_for_the_payments_of_a_kiosk_with_fees(
    store: Store, backend: StandIn, short_tmp: Path
) -> None:
    ref = ask(store)
    config = sync_config(short_tmp, store.path.parent, backend, backend.secret_file)
    with config.open("a") as f:
        f.write('\n[fees]\nbin = "970416"\naccount = "257678859"\n')
    done = kiosk_command(config, "sync", "--once")
    assert done.returncode == 0, done.stderr
    assert asked_of(backend, ref)["request"]["beneficiary"] == {"bin": "970416", "account": "257678859"}
    assert seen(store, ref)["created_at"] is not None


def test_kiosk_sync_status_says_what_waits_for_the_bank_and_what_went_wrong(
    store: Store, worker: SyncWorker, backend: StandIn, short_tmp: Path
) -> None:
    ask(store)
    troubled = ask(store, "KPNOTINTHEBANK23")
    worker.payments.run()
    store.db.execute(
        "UPDATE payment_backend SET detail = json_set(detail, '$.problem', 'the backend answered 503')"
        " WHERE reference = ?",
        [troubled],
    )  # as a failed check leaves it
    config = sync_config(short_tmp, store.path.parent, backend, backend.secret_file)
    status = kiosk_command(config, "sync", "--status")
    assert "VietQR payments waiting for the bank: 2; with a problem: 1" in status.stdout, status.stdout
    assert f"  payment {troubled}: the backend answered 503" in status.stdout
