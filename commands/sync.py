"""``kiosk sync``: the sync worker, its own process, with the look-up service (sync/lookup.py) the
touch screen asks, so that only this process holds the backend's secret. ``--once`` for scripts,
``--status`` for a technician: queue depth, oldest event, last success and error, clock skew, dead
letters."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from types import FrameType
from typing import TextIO

from kiosk import flags, sealed
from kiosk.config import BackendSection, KioskConfig
from kiosk.errors import KioskError
from kiosk.store import Store
from sync.client import BackendClient
from sync.errors import SecretUnusable, SyncError
from sync.liveness import SyncHealth
from sync.lookup import SOCKET_NAME, LookupService, LookupServiceError
from sync.secret import check_client_key, read_secret
from sync.worker import SyncWorker

OK, FAILED, USAGE = 0, 1, 2
LOOKUP_STATE = "lookup_service"
HEALTH_STATE = "health_endpoint"  # written by sync/health_server.py
log = logging.getLogger("kiosk.sync")
SKEW_WARNING_S = 120
LETTERS_SHOWN = 10


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sy = sub.add_parser(
        "sync", help="deliver queued events to the backend, pull assignments, send heartbeats"
    )
    how = sy.add_mutually_exclusive_group()
    how.add_argument("--once", action="store_true", help="drain what is queued now, then exit")
    how.add_argument("--status", action="store_true", help="print the sync's health and exit")
    how.add_argument(
        "--letter", type=int, metavar="SEQ", help="one rejected event, whole (its PIN and phone too)"
    )


def backend_of(cfg: KioskConfig) -> BackendSection:
    if cfg.backend is None:
        raise KioskError(f"{cfg.source} has no [backend] table: there is nowhere to sync to")
    return cfg.backend


def cmd_sync(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    section = backend_of(cfg)
    delivering = not args.status and args.letter is None
    if delivering:
        try:  # refused before anything is done, like a config mistake
            read_secret(section.client_secret_file)
            check_client_key(section.client_key)
        except SecretUnusable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return USAGE
    client = BackendClient(section, cfg.kiosk.id, clock=store.clock)
    worker = SyncWorker(store, client, section, opener=_opener(cfg, store, make=delivering), fees=cfg.fees)
    try:
        if args.letter is not None:
            return _letter(worker, args.letter, out)
        if args.status:
            return _status(worker, store, out)
        if args.once:
            return _once(worker, out)
        return _serve(worker, client, cfg, out)
    finally:
        client.close()


def _once(worker: SyncWorker, out: TextIO) -> int:
    try:
        done = worker.run_once()
    except SyncError as exc:
        queued = worker.health()["queue_depth"]
        raise KioskError(f"{exc}; {queued} event(s) stay queued and go when the backend answers") from exc
    except Exception as exc:  # recorded by the worker; a sentence here, not a traceback
        raise KioskError(f"the sync failed unexpectedly ({type(exc).__name__}): {exc}") from exc
    print(f"delivered {done.total} events ({done.accepted} accepted, {done.duplicate} duplicate, "
          f"{done.rejected} rejected); assignments and heartbeat sent", file=out)  # fmt: skip
    if done.rejected:
        print(f"{done.rejected} event(s) were rejected by the backend and kept whole in the dead letters"
              " (kiosk sync --status lists them); the office must settle each one", file=out)  # fmt: skip
        return FAILED
    return OK


def _serve(worker: SyncWorker, client: BackendClient, cfg: KioskConfig, out: TextIO) -> int:
    section = backend_of(cfg)
    # its own client: a requests session is not shared between threads
    own = BackendClient(section, cfg.kiosk.id, clock=client.clock)
    service = LookupService(own, cfg.data_dir / SOCKET_NAME)
    stopping = threading.Event()

    def wait(seconds: float) -> None:
        stopping.wait(seconds)  # a backoff (at most max_backoff_s) ends at once on SIGTERM

    worker.sleep = wait
    health = SyncHealth(worker, client)  # systemd's watchdog (sync/liveness.py)

    def stop(signum: int, frame: FrameType | None) -> None:
        health.stopping()
        stopping.set()
        client.cancel()  # a slow call ends within half a second
        service.cancel()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # events go out whatever becomes of the look-ups: a socket that cannot be served (another
    # process listening there, a path too long) is tried again, and said, never the end of delivery
    if not _try_lookups(service, worker):
        threading.Thread(
            target=_serve_lookups, args=(service, worker, stopping), name="lookup-start", daemon=True
        ).start()

    # /healthz and /metrics on loopback ([health]); like the look-ups, never in delivery's way
    from sync import health_server  # http.server and prometheus-client: 80 ms no other command needs

    store = worker.store
    endpoint = health_server.endpoint_for(cfg, store.path, store.clock, lambda: dict(worker.errors))
    if endpoint is not None:
        health_server.serve(endpoint, worker.notes, stopping)
    served = f"; health at {endpoint.url}/healthz" if endpoint is not None else ""
    print(
        f"syncing {cfg.kiosk.id} with {section.url}; look-ups at {service.path}{served}", file=out, flush=True
    )
    health.serving()
    try:
        worker.run(stopping.is_set)
    finally:
        health.closed()
        service.stop()
        if endpoint is not None:
            endpoint.stop()
    return OK


LOOKUP_RETRY_S = 30.0


def _try_lookups(service: LookupService, worker: SyncWorker) -> bool:
    try:
        service.start()
    except LookupServiceError as exc:
        log.error("look-ups are not served: %s; trying again every %.0f s", exc, LOOKUP_RETRY_S)
        worker.notes[LOOKUP_STATE] = f"not served: {exc}"
        return False
    worker.notes[LOOKUP_STATE] = f"served at {service.path}"
    return True


def _serve_lookups(service: LookupService, worker: SyncWorker, stopping: threading.Event) -> None:
    while not stopping.wait(LOOKUP_RETRY_S) and not _try_lookups(service, worker):
        pass


def _opener(cfg: KioskConfig, store: Store, *, make: bool) -> sealed.Opener | None:
    """This process alone opens what the touch screen seals (kiosk/sealed.py): the keys are made
    at the first start that delivers (never by a technician's --status), and what was written in
    clear before is sealed then."""
    try:
        if not make:
            return sealed.Opener(cfg.data_dir) if (cfg.data_dir / sealed.PRIVATE).exists() else None
        opener = sealed.ensure_keys(cfg.data_dir, group_shared=cfg.kiosk.group_shared)
        with store.transaction() as db:
            resealed = sealed.reseal(db, opener)
        if resealed:  # the clear copies leave the write-ahead log too, not only the live rows
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return opener
    except (sealed.SealError, OSError) as exc:
        raise KioskError(f"the outbox's keys cannot be used: {exc}") from exc


def _letter(worker: SyncWorker, seq: int, out: TextIO) -> int:
    letter = worker.read_letter(seq)
    if letter is None:
        print(f"no rejected event {seq} (kiosk sync --status lists them)", file=out)
        return FAILED
    print(json.dumps(letter, ensure_ascii=False, indent=2, sort_keys=True), file=out)
    return OK


def _status(worker: SyncWorker, store: Store, out: TextIO) -> int:
    health = worker.health()
    state = dict(store.db.execute("SELECT key, value FROM sync_state").fetchall())
    age = health["oldest_undelivered_age_s"]
    print(f"queued events: {health['queue_depth']}" + (f" (oldest {age:.0f} s old)" if age else ""), file=out)
    print(f"last success: {state.get('last_success', 'never')}", file=out)
    error = health["last_error"]
    if error:
        where = f" in {error['request']}" if error.get("request") else ""
        print(f"last error: {error['kind']}{where} at {error['at']}: {error['message']}", file=out)
    else:
        print("last error: none", file=out)
    skew = state.get("clock_skew_s")
    warn = " — check the kiosk's clock (NTP)" if skew and abs(float(skew)) > SKEW_WARNING_S else ""
    print(f"clock skew (kiosk minus backend): {skew + ' s' if skew else 'not measured yet'}{warn}", file=out)
    print(f"look-ups for the touch screen: {state.get(LOOKUP_STATE, 'not started yet')}", file=out)
    if HEALTH_STATE in state:
        print(f"health endpoint: {state[HEALTH_STATE]}", file=out)
    lost = flags.get(store, flags.HISTORY)
    if lost is not None:  # the numbering was moved after the backend's, or the database is not whole
        print(f"HISTORY {lost.value.upper()} since {lost.at}: {lost.detail}", file=out)
    waiting, troubled = worker.payments.summary()
    if waiting or troubled:
        print(f"VietQR payments waiting for the bank: {waiting}; with a problem: {len(troubled)}", file=out)
        for reference, problem in troubled[:LETTERS_SHOWN]:
            print(f"  payment {reference}: {problem}", file=out)
    print(f"dead letters (events the backend rejected): {health['dead_letters']}", file=out)
    letters = store.db.execute(
        "SELECT seq, kind, dossier_code, reason, rejected_at FROM dead_letter ORDER BY seq DESC LIMIT ?",
        [LETTERS_SHOWN],
    ).fetchall()
    for seq, kind, code, reason, at in letters:
        print(f"  event {seq} ({kind}{', ' + code if code else ''}) at {at}: {reason}", file=out)
    return FAILED if health["dead_letters"] or warn or lost is not None else OK
