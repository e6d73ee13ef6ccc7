"""``kiosk sync``: the sync worker, its own process (``--once`` for scripts, ``--status`` for a
technician: queue depth, oldest event, last success and error, clock skew, dead letters)."""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType
from typing import TextIO

from kiosk.config import BackendSection, KioskConfig
from kiosk.errors import KioskError
from kiosk.store import Store
from sync.client import BackendClient
from sync.errors import SyncError
from sync.worker import SyncWorker

OK, FAILED = 0, 1
SKEW_WARNING_S = 120


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sy = sub.add_parser(
        "sync", help="deliver queued events to the backend, pull assignments, send heartbeats"
    )
    how = sy.add_mutually_exclusive_group()
    how.add_argument("--once", action="store_true", help="drain what is queued now, then exit")
    how.add_argument("--status", action="store_true", help="print the sync's health and exit")


def backend_of(cfg: KioskConfig) -> BackendSection:
    if cfg.backend is None:
        raise KioskError(f"{cfg.source} has no [backend] table: there is nowhere to sync to")
    return cfg.backend


def cmd_sync(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    section = backend_of(cfg)
    client = BackendClient(section, cfg.kiosk.id, clock=store.clock)
    worker = SyncWorker(store, client, section)
    try:
        if args.status:
            return _status(worker, store, out)
        if args.once:
            try:
                done = worker.run_once()
            except SyncError as exc:
                queued = worker.health()["queue_depth"]
                raise KioskError(
                    f"{exc}; {queued} event(s) stay queued and go when the backend answers"
                ) from exc
            print(f"delivered {done.total} events ({done.accepted} accepted, {done.duplicate} duplicate, "
                  f"{done.rejected} rejected); assignments and heartbeat sent", file=out)  # fmt: skip
            return OK
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

        def wait(seconds: float) -> None:
            stopping.wait(seconds)  # a backoff (up to max_backoff_s) ends at once on SIGTERM

        worker.sleep = wait
        print(f"syncing {cfg.kiosk.id} with {section.url}", file=out, flush=True)
        worker.run(stopping.is_set)
        return OK
    finally:
        client.close()


def _status(worker: SyncWorker, store: Store, out: TextIO) -> int:
    health = worker.health()
    state = dict(store.db.execute("SELECT key, value FROM sync_state").fetchall())
    when = dict(store.db.execute("SELECT key, at FROM sync_state").fetchall())
    age = health["oldest_undelivered_age_s"]
    print(f"queued events: {health['queue_depth']}" + (f" (oldest {age:.0f} s old)" if age else ""), file=out)
    print(f"last success: {state.get('last_success', 'never')}", file=out)
    error = state.get("last_error")
    print(f"last error: {error} (at {when['last_error']})" if error else "last error: none", file=out)
    skew = state.get("clock_skew_s")
    warn = " — check the kiosk's clock (NTP)" if skew and abs(float(skew)) > SKEW_WARNING_S else ""
    print(f"clock skew (kiosk minus backend): {skew + ' s' if skew else 'not measured yet'}{warn}", file=out)
    print(f"dead letters (events the backend rejected): {health['dead_letters']}", file=out)
    return FAILED if health["dead_letters"] or warn else OK
