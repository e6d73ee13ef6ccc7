"""The sync worker SIGKILLed at random points: nothing lost, nothing applied twice.

``python -m tests.sync_crash --points 200`` (make test). The stand-in backend runs as its own
process; the kiosk's outbox is a real SQLite file. For each point, new events are queued (as the
journeys would), a forked child runs the worker flat out, and it is killed after a random delay.
Then the invariants are checked against the backend's own database:
- every event the kiosk marked delivered is at the backend (a mark is never ahead of an answer);
- the backend holds each UUID once and applied each once (its counters agree);
- the backend first received the kiosk's events in sequence order;
- no secret is left in a delivered event's payload at the kiosk;
- no kill makes the worker think its history is not whole (the backend's last event is always
  this database's own, even when its answer was never recorded): no flag, no renumbering.
At the end the worker drains the rest: every queued event reached the backend, and every resend
was answered "duplicate". Prints the counts; exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import tempfile
import time
from pathlib import Path

from kiosk import events, flags
from kiosk.config import BackendSection
from kiosk.store import Store
from sync.client import BackendClient
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn

KINDS = ("result-loaded", "dossier-deposited", "result-picked-up", "expiry-reminder", "maintenance")


def queue(store: Store, rng: random.Random, count: int) -> None:
    for _ in range(count):
        kind = rng.choice(KINDS)
        code = f"000.00.53.H48-261123-{rng.randint(0, 9999):04d}"
        secret = (
            {"pin": f"{rng.randint(0, 999999):06d}", "token": "DKP1|x"} if kind == "result-loaded" else {}
        )
        events.emit(store, kind, actor="kiosk", dossier_code=code, compartment="A01", **secret)


def worker(store: Store, section: BackendSection) -> SyncWorker:
    client = BackendClient(section, KIOSK, clock=store.clock)
    return SyncWorker(store, client, section, sleep=lambda s: time.sleep(min(s, 0.05)))


def child(data: Path, section: BackendSection) -> None:
    store = Store.open(data, kiosk_id=KIOSK)
    worker(store, section).run(lambda: False)


def check(store: Store, backend_db: Path) -> list[str]:
    problems = []
    theirs = sqlite3.connect(f"file:{backend_db}?mode=ro", uri=True)
    try:  # one read transaction: the backend may still be applying the killed worker's last batch
        theirs.execute("BEGIN")
        received = theirs.execute("SELECT uuid, seq FROM event WHERE kiosk_id = ? ORDER BY received", [KIOSK])
        order = [(r[0], r[1]) for r in received]
        counters = dict(theirs.execute("SELECT name, n FROM counter").fetchall())
    finally:
        theirs.close()
    at_backend = {uuid for uuid, _ in order}
    delivered = store.db.execute("SELECT uuid, payload FROM outbox WHERE delivered_at IS NOT NULL").fetchall()
    ahead = [uuid for uuid, _ in delivered if uuid not in at_backend]
    if ahead:
        problems.append(f"{len(ahead)} events marked delivered that the backend never got")
    if any(set(json.loads(p)) & events.SECRET_FIELDS for _, p in delivered):
        problems.append("a delivered event still carries a secret")
    if len(at_backend) != len(order) or counters.get("applied", 0) != len(order):
        problems.append(f"applied {counters.get('applied')} for {len(order)} events: something applied twice")
    seqs = [seq for _, seq in order]
    if seqs != sorted(seqs):
        problems.append("the backend first received the events out of sequence order")
    if flags.get(store, flags.HISTORY) is not None:
        problems.append("a kill between the backend's accept and our record raised the history flag")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--max-delay-ms", type=float, default=150)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="synccrash") as tmp:
        root = Path(tmp)
        backend = StandIn(root)
        try:
            return run(root, backend, rng, args)
        finally:
            backend.stop()


def run(root: Path, backend: StandIn, rng: random.Random, args: argparse.Namespace) -> int:
    data = root / "kiosk"
    data.mkdir()
    section = backend.section(batch_events=50, idle_s=0.01)
    store = Store.open(data, kiosk_id=KIOSK)
    failures = 0
    for point in range(args.points):
        queue(store, rng, rng.randint(20, 120))
        pid = os.fork()
        if pid == 0:
            try:
                child(data, section)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, args.max_delay_ms / 1000))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        problems = check(store, root / "backend" / "backend.db")
        if problems:
            failures += 1
            print(f"point {point}: " + "; ".join(problems), flush=True)
    final = worker(store, section).drain()
    queued = store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    left = store.db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    outcomes = dict(store.db.execute("SELECT outcome, COUNT(*) FROM outbox GROUP BY outcome").fetchall())
    stats = backend.get("stats")
    problems = check(store, root / "backend" / "backend.db")
    if left or problems or stats.get("applied") != queued:
        failures += 1
        print(
            f"at the end: {left} undelivered, applied {stats.get('applied')} of {queued}; "
            + "; ".join(problems)
        )
    print(f"{args.points} kill points, {failures} with a broken invariant")
    accepted, duplicate = outcomes.get("accepted", 0), outcomes.get("duplicate", 0)
    print(f"  events queued and delivered: {queued}: {accepted} recorded as accepted, {duplicate} as"
          " duplicate (their first answer died with the worker)")  # fmt: skip
    resent = stats.get("duplicates", 0)
    print(f"  backend: applied {stats.get('applied')}, resends answered duplicate {resent};"
          f" the last drain delivered {final.total}")  # fmt: skip
    store.close()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
