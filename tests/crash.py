"""Crash consistency: journeys in a child process, SIGKILLed at random points, then a restart.

``python -m tests.crash --points 300`` (make test runs 300, make soak 2000). The lock-board
simulator runs as its own process: the machine's physical state outlives the crash, as a real
one does. For each point a child forked from this (already imported) worker loads results, takes
in deposited dossiers, hands results over, withdraws expired ones, collects deposits and
test-opens compartments, in a loop, acting as signed-in officer and technician, citizen and
kiosk, and now and then reopens a compartment after a pickup or a drop-off ("Mở lại ngăn": a
dossier added to or taken back out); a quarter of the results carry a fee, paid at the pickup by
VietQR (the bank's word written as the sync writes it) and, when the simulator is up, by notes into
the bill validator; it is killed after a random delay. Then a new core on the
same SQLite file reconciles, and the invariants are checked:
- no journey left open, no item left mid-handover, the audit chain intact;
- outbox sequence numbers 1..N with no gap or repeat, every UUID once;
- every issued PIN has exactly one "result loaded" event; every item picked up, withdrawn or
  collected, and every dossier deposited, has its event;
- every uncertain item has an "outcome uncertain" event (flagged, never guessed);
- every compartment's recorded door matches its board, and the boards' item sensors match what
  the store says is inside;
- 0 confirmations lost and 0 charged twice: every payment the bank confirmed is counted, none
  counts more than was confirmed, each paid payment has one "fee paid" event, no result was
  handed over while something was owed, and no dossier is asked for money it no longer owes.
Then an officer clears the machine for the next point. Prints the counts; exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from drivers.cash.validator import NoteValidator
from kiosk import audit, payments
from kiosk.cash_session import CashSession, recover
from kiosk.clock import utc_now
from kiosk.compartments import sync_from_config
from kiosk.config import FeesSection
from kiosk.core import Core
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.load import Load, LoadJourney
from kiosk.journeys.machine import Journey
from kiosk.journeys.officer import CollectJourney, OfficerReleaseJourney, Release, WithdrawJourney
from kiosk.journeys.pickup import Pickup, PickupJourney
from kiosk.journeys.technician import Tech, TechnicianJourney
from kiosk.lockers import Lockers
from kiosk.recovery import reconcile
from kiosk.scenario import ScenarioClock
from kiosk.store import Store
from tests.machine import sign_in, site_config

# The simulated locks release 2 ms after their frame: 60 ms confirms them with room to spare, and
# keeps recovery's wait for an unlock in flight short.
CONFIRM_MS = 60


def open_core(root: Path, clock: Callable[[], datetime] = utc_now) -> tuple[Core, Lockers, Store]:
    cfg = site_config(root, "cu16", CONFIRM_MS)
    store = Store.open(cfg.data_dir, kiosk_id=cfg.kiosk.id, clock=clock)
    lockers = Lockers.from_config(cfg, store)
    fees = FeesSection(bin="970416", account="257678859", methods=["vietqr", "cash"])
    return Core(cfg.model_copy(update={"fees": fees}), store, lockers), lockers, store


def open_cash(root: Path, store: Store) -> CashSession:
    """The bill validator (its simulator a process of its own, like the lock board's)."""
    state = (
        root / "data" / "cash-link.state"
    )  # as kiosk/assembly.py gives it: both guards on, as in production
    return CashSession(store, NoteValidator.from_url(str(root / "cash"), reply_timeout_s=0.08, retries=3,
                                                     state_path=state))  # fmt: skip


def person(ctl: Path, *words: object) -> None:
    from hardware_sim.control import ControlClient

    ControlClient(ctl).call(*words)


def child(root: Path, seed: int) -> None:
    """Journeys forever, as fast as they go; the parent kills this process. The clock jumps past
    the hold period now and then, so an officer has expired results to withdraw."""
    clock = ScenarioClock()
    core, _, store = open_core(root, clock)
    core.cash = open_cash(root, store)
    assert core.cash.open()
    at = Hands(root / "lockbus0.ctl")
    rng = random.Random(seed)
    officer = technician = None
    n = 0
    while True:
        n += 1
        code = f"000.00.53.H48-261123-{(seed * 37 + n) % 10000:04d}"
        fee = FEE if n % 4 == 1 else 0
        assigned = "INSERT OR REPLACE INTO assignment (dossier_code, fee_due, synced_at) VALUES (?, ?, 't')"
        store.db.execute(assigned, [code, fee])
        if officer is None or officer.role is None:
            officer = sign_in(core, "officer")
        load = LoadJourney(core, officer)
        load.submit_code(code)
        if load.state is not Load.DOOR_OPEN:
            return
        at.place(load, Load.DOOR_OPEN)
        # the first result of each point carries a fee and is picked up at once: kill points fall
        # in its payment (by cash or by VietQR, point by point)
        if n > 1:
            _deposit(at, core, code, n, rng)
        roll = 0.0 if n == 1 else rng.random()
        if roll < 0.5:
            pickup = PickupJourney(core)
            pickup.submit_code(_sent(store, code)["token"])
            if pickup.state is Pickup.FEE_DUE:
                (_pay_cash if (seed + n) % 2 else _pay)(root, store, pickup)
            pickup.open()
            at.take(pickup, Pickup.DOOR_OPEN)
            if pickup.state is Pickup.DONE and rng.random() < 0.2:  # reopened, to look for a lost pen
                pickup.reopen()
                at.close(pickup, Pickup.REOPENED)
        elif roll < 0.65:
            clock.offset += timedelta(days=core.rules.hold_days + 1)
            _take_all(at, WithdrawJourney(core, officer))
        elif roll < 0.8:
            _take_all(at, CollectJourney(core, officer))
        elif roll < 0.9:
            if technician is None or technician.role is None:
                technician = sign_in(core, "technician")
            tech = TechnicianJourney(core, technician)
            tech.open(f"A{rng.randint(1, 8):02d}", reason="crash test")
            if tech.state is Tech.DOOR_OPEN:
                at.close(tech, Tech.DOOR_OPEN)
            tech.finish()
        # else: left for a later citizen


class Hands:
    """The person at the machine, through the simulator's control channel."""

    def __init__(self, ctl: Path) -> None:
        self.ctl = ctl

    def place(self, journey: Journey[Any], door_open: Any) -> None:
        self._then_close(journey, door_open, "put")

    def take(self, journey: Journey[Any], door_open: Any) -> None:
        self._then_close(journey, door_open, "take")

    def close(self, journey: Journey[Any], door_open: Any) -> None:
        self._then_close(journey, door_open)

    def _then_close(self, journey: Journey[Any], door_open: Any, *verbs: str) -> None:
        if journey.state is not door_open:
            return
        lock = int(journey.data["compartment"][1:])
        for verb in (*verbs, "close"):
            person(self.ctl, verb, 0, lock)
        while journey.state is door_open:
            journey.tick()


FEE = 50_000  # five notes of 10.000 đồng: five credits a crash may fall among


def _deposit(at: Hands, core: Core, code: str, n: int, rng: random.Random) -> None:
    deposit = DropoffJourney(core)
    if n % 3:
        deposit.submit_code(code.replace("H48", "H26"))
    else:  # a paper dossier with no code: the kiosk's own reference
        deposit.choose_procedure("certified-copy")
    deposit.submit_phone("0912345678", size="M")
    at.place(deposit, Dropoff.DOOR_OPEN)
    if deposit.state is Dropoff.DEPOSITED and rng.random() < 0.2:  # "Mở lại ngăn": a page added, or
        deposit.reopen()  # the dossier taken back out
        (at.take if rng.random() < 0.5 else at.close)(deposit, Dropoff.REOPENED)


def _pay(root: Path, store: Store, pickup: PickupJourney) -> None:
    """The citizen pays the QR; the bank's word arrives as the sync writes it (at once here)."""
    pickup.pay_by_qr()
    now = store.now()
    store.db.execute(
        "INSERT OR REPLACE INTO payment_backend (reference, created_at, checked_at, paid_amount, paid_at,"
        " transactions) VALUES (?, ?, ?, ?, ?, 1)",
        [pickup.data["reference"], now, now, pickup.data["remaining"], now],
    )
    pickup.tick()


def _pay_cash(root: Path, store: Store, pickup: PickupJourney) -> None:
    """The citizen pays in notes of 10.000 đồng, each polled through before the next."""
    pickup.pay_by_cash()
    for _ in range(FEE // 10_000):
        if pickup.state is not Pickup.PAYING_CASH:
            return
        person(root / "cash.ctl", "insert", 10_000)
        inserted = pickup.data.get("inserted", 0)
        for _ in range(10):
            pickup.tick()
            if pickup.data.get("inserted", 0) > inserted or pickup.state is not Pickup.PAYING_CASH:
                break


def _take_all(at: Hands, journey: OfficerReleaseJourney) -> None:
    for item in journey.items():
        journey.take(item["dossier_code"])
        at.take(journey, Release.DOOR_OPEN)
    journey.finish()


def _sent(store: Store, code: str) -> dict[str, Any]:
    loaded = "SELECT payload FROM outbox WHERE kind = 'result-loaded' AND dossier_code = ?"
    return dict(json.loads(store.db.execute(loaded, [code]).fetchone()[0]))


def check(core: Core) -> list[str]:
    db = core.store.db
    problems = []
    one = lambda sql, *a: db.execute(sql, list(a)).fetchone()[0]  # noqa: E731
    if one("SELECT COUNT(*) FROM journey WHERE ended_at IS NULL"):
        problems.append("a journey is still open")
    if one("SELECT COUNT(*) FROM item WHERE state IN ('placing', 'releasing')"):
        problems.append("an item is left mid-handover")
    if not audit.verify(db).ok:
        problems.append("the audit chain is broken: " + "; ".join(audit.verify(db).problems))
    seqs = [r[0] for r in db.execute("SELECT seq FROM outbox ORDER BY seq")]
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append(f"outbox sequence has gaps or repeats: {seqs[:20]}…")
    if one("SELECT COUNT(*) - COUNT(DISTINCT uuid) FROM outbox"):
        problems.append("an event UUID is used twice")
    for kind, sql in (
        ("result-loaded", "SELECT dossier_code FROM item WHERE pin_hash IS NOT NULL"),
        ("result-picked-up", "SELECT dossier_code FROM item WHERE outcome = 'picked up'"),
        ("result-withdrawn", "SELECT dossier_code FROM item WHERE outcome = 'withdrawn'"),
        ("dossier-collected", "SELECT dossier_code FROM item WHERE outcome = 'collected'"),
        ("outcome-uncertain", "SELECT dossier_code FROM item WHERE state = 'uncertain'"),
        ("dossier-taken-back", "SELECT dossier_code FROM item WHERE outcome = 'taken back'"),
        (  # proven in once, whatever a reopen did after (kiosk/journeys/after.py)
            "dossier-deposited",
            "SELECT i.dossier_code FROM journey j JOIN item i ON i.id = j.item WHERE j.kind = 'dropoff'"
            " AND (j.outcome = 'completed' OR EXISTS (SELECT 1 FROM audit_log a"
            " WHERE a.subject = j.id AND a.action = 'journey:dropoff:deposited'))",
        ),
    ):
        wanted = sorted(r[0] for r in db.execute(sql))
        have = sorted(r[0] for r in db.execute("SELECT dossier_code FROM outbox WHERE kind = ?", [kind]))
        if kind == "outcome-uncertain":
            missing = sorted(set(wanted) - set(have))
        else:
            missing = sorted(set(wanted) ^ set(have)) if wanted != have else []
        if missing:
            items = db.execute("SELECT kind, state, outcome FROM item WHERE dossier_code = ?", [missing[0]])
            sent = db.execute("SELECT kind FROM outbox WHERE dossier_code = ?", [missing[0]])
            problems.append(
                f"{kind}: events and items disagree for {missing[:5]}; the first's items"
                f" {items.fetchall()}, events {[r[0] for r in sent]}"
            )
    problems += check_money(core)
    board = core.lockers.buses["lockbus0"].status(0)
    inside = {r[0]: r[1] for r in db.execute("SELECT compartment, state FROM item WHERE state != 'gone'")}
    for comp in core.compartments():
        if comp.door != ("closed" if board.is_locked(comp.lock) else "open"):
            problems.append(f"{comp.id}: recorded door {comp.door}, board says otherwise")
        if inside.get(comp.id) == "held" and board.has_item(comp.lock) is False:
            problems.append(f"{comp.id}: the store says a result is held, the sensor says empty")
        if comp.id not in inside and board.has_item(comp.lock):
            problems.append(f"{comp.id}: the sensor says an item, the store says nothing is inside")
    return problems


def check_money(core: Core) -> list[str]:
    """0 confirmations lost, 0 charged twice (kiosk/payments.py)."""
    db = core.store.db
    problems = []
    for reference, received, confirmed, transactions, amount in db.execute(
        "SELECT p.reference, p.received, COALESCE(b.paid_amount, 0), COALESCE(b.transactions, 0), p.amount"
        " FROM payment p LEFT JOIN payment_backend b ON b.reference = p.reference WHERE p.method = 'vietqr'"
    ):
        if received != (min(confirmed, amount) if transactions > 1 else confirmed):
            problems.append(f"payment {reference}: {received} counted, the bank confirmed {confirmed}")
    for reference, received, credited in db.execute(
        "SELECT p.reference, p.received, (SELECT COALESCE(SUM(c.value), 0) FROM cash_credit c"
        " WHERE c.reference = p.reference) FROM payment p WHERE p.method = 'cash'"
    ):
        if received != credited:
            problems.append(f"cash payment {reference}: {received} counted, {credited} credited")
    paid = sorted(r[0] for r in db.execute("SELECT reference FROM payment WHERE state = 'paid'"))
    events = sorted(r[0] for r in db.execute(
        "SELECT json_extract(payload, '$.reference') FROM outbox WHERE kind = 'fee-paid'"
        " AND json_extract(payload, '$.reference') IN (SELECT reference FROM payment WHERE state = 'paid')"
    ))  # fmt: skip
    if paid != events:
        problems.append(f"paid payments and fee-paid events disagree: {paid[:3]} / {events[:3]}")
    for item, code, outcome in db.execute("SELECT id, dossier_code, outcome FROM item WHERE fee_due > 0"):
        owed = payments.remaining(core.store, item)
        if outcome == "picked up" and owed:
            problems.append(f"{code} was handed over owing {owed}")
        asked = db.execute("SELECT COUNT(*) FROM payment WHERE item = ? AND state = 'requested'", [item])
        if not owed and asked.fetchone()[0]:
            problems.append(f"{code} is paid and still asked for money")
        over = db.execute("SELECT COUNT(*) FROM payment WHERE item = ? AND received > 0", [item]).fetchone()[
            0
        ]
        if over > 1:
            problems.append(f"{code}: money taken {over} times for one fee")
    return problems


def check_cash(core: Core, ctl: Path) -> list[str]:
    """Every credit the validator reported is in ``cash_credit`` exactly once."""
    from hardware_sim.control import ControlClient

    credited = ControlClient(ctl).call("state")["credited"]
    ledger = core.store.db.execute("SELECT COALESCE(SUM(value), 0) FROM cash_credit").fetchone()[0]
    if credited != ledger:
        return [f"the validator credited {credited} đồng in all, the ledger has {ledger}"]
    return []


def clear(core: Core, ctl: Path) -> None:
    """An officer empties the machine for the next round (and settles what was uncertain)."""
    for comp in core.compartments():
        person(ctl, "open", 0, comp.lock)
        person(ctl, "take", 0, comp.lock)
        person(ctl, "close", 0, comp.lock)
    core.store.db.execute(
        "UPDATE item SET state = 'gone', outcome = COALESCE(outcome, 'cleared') WHERE state != 'gone'"
    )
    core.refresh_doors()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--max-delay-ms", type=float, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crash") as tmp:
        root = Path(tmp)
        sim = subprocess.Popen(
            [sys.executable, "-m", "hardware_sim", "lockboard", "--protocol", "cu16", "--boards", "0",
             "--link", str(root / "lockbus0"), "--release-ms", "2"], stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        cash = subprocess.Popen(
            [sys.executable, "-m", "hardware_sim", "cash", "--link", str(root / "cash")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            for started in (sim, cash):
                assert started.stdout is not None and started.stdout.readline().startswith("ready")
            return run(root, args)
        finally:
            for started in (sim, cash):
                started.terminate()
                started.wait(5)


def run(root: Path, args: argparse.Namespace) -> int:
    cfg = site_config(root, "cu16", CONFIRM_MS)
    cfg.data_dir.mkdir(parents=True)
    core, lockers, store = open_core(root)
    sync_from_config(store, cfg)
    core.refresh_doors()
    lockers.close()
    store.close()
    rng = random.Random(args.seed)
    outcomes: collections.Counter[str] = collections.Counter()
    failures = 0
    for point in range(args.points):
        pid = os.fork()
        if pid == 0:
            try:
                child(root, args.seed * 100_000 + point)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, args.max_delay_ms / 1000))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        core, lockers, store = open_core(root)
        for settled in reconcile(core):
            outcomes[f"{settled.kind} {settled.state} -> {settled.outcome}"] += 1
        cash = open_cash(root, store)
        news = recover(store, cash)  # the notes that went through while it was down
        cash.validator.close()
        if news is not None:
            outcomes[f"cash payment interrupted, {len(news.credited)} credits read after the restart"] += 1
        problems = check(core) + check_cash(core, root / "cash.ctl")
        if problems:
            failures += 1
            print(f"point {point}: " + "; ".join(problems), flush=True)
        outcomes["events so far"] = store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        for state, n in store.db.execute("SELECT state, COUNT(*) FROM payment GROUP BY state"):
            outcomes[f"payments {state} so far"] = n
        clear(core, root / "lockbus0.ctl")
        lockers.close()
        store.close()
        if (point + 1) % 100 == 0:
            print(f"… {point + 1} points, {failures} with a broken invariant", flush=True)
    print(f"{args.points} kill points, {failures} with a broken invariant")
    for what, count in sorted(outcomes.items()):
        print(f"  {what}: {count}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
