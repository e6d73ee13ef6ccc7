"""Draining a queued outbox to the stand-in backend on loopback, as ``kiosk sync`` does.

10,000 events (the mix a busy week makes, PINs and tokens included) are queued in a real SQLite
outbox; the worker drains them in batches of 100 to ``kiosk-backend`` (its own process, checking
every request against the contract, applying each event in its own SQLite), first with no added
latency, then with 100 ms added to every request. Targets: ≥ 2,000 events/s, and ≥ 500 events/s
with the latency.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from kiosk.store import Store
from sync.client import BackendClient
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.sync_crash import queue

EVENTS = 10_000


def drain(root: Path, backend: StandIn, latency_ms: int) -> float:
    data = root / f"kiosk-{latency_ms}"
    data.mkdir()
    store = Store.open(data, kiosk_id=f"{KIOSK}")
    queue(store, random.Random(latency_ms), EVENTS)
    section = backend.section()
    client = BackendClient(section, KIOSK, clock=store.clock)
    client._token()  # the token is not part of the drain
    worker = SyncWorker(store, client, section)
    backend.faults(latency_ms=latency_ms)
    started = time.perf_counter()
    done = worker.drain()
    elapsed = time.perf_counter() - started
    backend.faults()
    assert done.total == EVENTS, done
    client.close()
    store.close()
    return elapsed


def main() -> None:
    print("\n## Sync: draining 10,000 queued events to the stand-in backend on loopback\n")
    with tempfile.TemporaryDirectory(prefix="benchsync") as tmp:
        for latency_ms in (0, 100):
            backend = StandIn(Path(tmp) / f"b{latency_ms}")
            try:
                elapsed = drain(Path(tmp), backend, latency_ms)
            finally:
                backend.stop()
            label = "no added latency" if not latency_ms else f"{latency_ms} ms added per request"
            print(f"{label}: {EVENTS / elapsed:,.0f} events/s ({elapsed:.2f} s for {EVENTS:,})")


if __name__ == "__main__":
    main()
