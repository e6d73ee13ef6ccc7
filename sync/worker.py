"""``kiosk sync``: drains the outbox to the backend in sequence order, pulls assignments, sends
heartbeats; its own process, so a hung network never stalls a citizen at the screen.

Delivery is at least once, exactly once in effect: a batch is read in ``seq`` order (at most
``batch_events`` events or ``batch_bytes`` of JSON), posted, and the backend's per-event answers
are recorded in one transaction: delivered (accepted or duplicate) with the secrets (PIN, token,
phone) scrubbed from the payload, or rejected into ``dead_letter`` with an alarm event. A kill at
any point loses nothing: an event whose answer was not recorded is sent again, and the backend
answers "duplicate".
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from kiosk import events
from kiosk.clock import stamp
from kiosk.config import BackendSection
from kiosk.names import masked
from kiosk.store import Store
from sync.client import BackendClient, EventResult, backoff
from sync.errors import SyncError

log = logging.getLogger("kiosk.sync")


def software_version() -> str:
    try:
        return version("dossier-kiosk")
    except PackageNotFoundError:
        return "unknown"


@dataclass
class Delivered:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.accepted + self.duplicate + self.rejected

    def add(self, other: Delivered) -> None:
        self.accepted += other.accepted
        self.duplicate += other.duplicate
        self.rejected += other.rejected


class SyncWorker:
    def __init__(
        self,
        store: Store,
        client: BackendClient,
        section: BackendSection,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.section = section
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.failures = 0

    # -- one step each ---------------------------------------------------------------------------

    def deliver_batch(self) -> Delivered:
        """Send the next batch and record the answers; an empty Delivered when nothing is queued."""
        batch = self._next_batch()
        if not batch:
            return Delivered()
        results = self.client.post_events(batch)
        return self._record(batch, results)

    def drain(self) -> Delivered:
        done = Delivered()
        while (step := self.deliver_batch()).total:
            done.add(step)
        return done

    def pull_assignments(self) -> int:
        """Bring the assignment cache up to date; returns how many changed."""
        changed = 0
        cursor = self._state("assignments_cursor")
        while True:
            page = self.client.assignments(cursor)
            with self.store.transaction() as db:
                for a in page.assignments:
                    if a.active:
                        db.execute(
                            "INSERT OR REPLACE INTO assignment VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [
                                a.dossier_code,
                                masked(a.citizen),  # however the backend sent it
                                a.procedure,
                                a.fee_due,
                                a.hold_days,
                                a.size_hint,
                                self.store.now(),
                            ],
                        )
                    else:
                        db.execute("DELETE FROM assignment WHERE dossier_code = ?", [a.dossier_code])
                self._set_state("assignments_cursor", page.cursor)
            changed += len(page.assignments)
            cursor = page.cursor
            if not page.more:
                return changed

    def send_heartbeat(self) -> None:
        self.client.heartbeat(self.health())

    # -- the loops -------------------------------------------------------------------------------

    def run(self, stop: Callable[[], bool], clock: Callable[[], float] = time.monotonic) -> None:
        """Until ``stop()``: deliver whenever events are queued, pull assignments and send
        heartbeats on their periods, and after a failure wait with backoff (never giving up)."""
        next_pull = next_beat = 0.0
        while not stop():
            try:
                delivered = self.deliver_batch()
                exchanged = delivered.total > 0  # an empty outbox asks the backend nothing
                now = clock()
                if now >= next_pull:
                    self.pull_assignments()
                    next_pull, exchanged = now + self.section.assignments_s, True
                if now >= next_beat:
                    self.send_heartbeat()
                    next_beat, exchanged = now + self.section.heartbeat_s, True
                if exchanged:  # recorded only then: an idle kiosk does not write every 2 s
                    self._succeeded()
                if not delivered.total:
                    self.sleep(self.section.idle_s)
            except SyncError as exc:
                self.sleep(self._failed(exc))

    def run_once(self, attempts: int = 3, max_wait_s: float = 2.0) -> Delivered:
        """Drain everything queued now, pull assignments and send a heartbeat; retry a failure a
        few times (waiting at most ``max_wait_s`` each: a script is waiting), then give up with the
        last error (``kiosk sync --once``)."""
        done = Delivered()
        steps: list[Callable[[], Any]] = [
            lambda: done.add(self.drain()),
            self.pull_assignments,
            self.send_heartbeat,
        ]
        for step in steps:
            for attempt in range(1, attempts + 1):
                try:
                    step()
                    self._succeeded()
                    break
                except SyncError as exc:
                    wait = self._failed(exc)
                    if attempt == attempts or not exc.retry:
                        raise
                    self.sleep(min(wait, max_wait_s))
        return done

    # -- the outbox --------------------------------------------------------------------------------

    def _next_batch(self) -> list[dict[str, Any]]:
        rows = self.store.db.execute(
            "SELECT seq, uuid, kind, at, dossier_code, compartment, actor, payload, audit_seq,"
            " prev_audit_hash FROM outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT ?",
            [self.section.batch_events],
        ).fetchall()
        batch: list[dict[str, Any]] = []
        size = 20  # {"events": []}
        for seq, uuid, kind, at, code, compartment, actor, payload, audit_seq, prev in rows:
            event = {
                "uuid": uuid,
                "seq": seq,
                "kind": kind,
                "at": at,
                "dossier_code": code,
                "compartment": compartment,
                "actor": actor,
                "payload": json.loads(payload),
                "audit_seq": audit_seq,
                "prev_audit_hash": prev,
            }
            size += len(json.dumps(event, ensure_ascii=False).encode()) + 1
            if batch and size > self.section.batch_bytes:
                break
            batch.append(event)
        return batch

    def _record(self, batch: list[dict[str, Any]], results: list[EventResult]) -> Delivered:
        done = Delivered()
        now = self.store.now()
        with self.store.transaction() as db:
            for event, result in zip(batch, results, strict=True):
                public = {k: v for k, v in event["payload"].items() if k not in events.SECRET_FIELDS}
                db.execute(
                    "UPDATE outbox SET delivered_at = ?, outcome = ?, payload = ? WHERE seq = ?",
                    [
                        now,
                        result.status,
                        json.dumps(public, ensure_ascii=False, sort_keys=True),
                        event["seq"],
                    ],
                )
                if result.status == "rejected":
                    self._dead_letter(event, result.reason or "no reason given", now)
                setattr(done, result.status, getattr(done, result.status) + 1)
        log.info("delivered %d events (%d duplicate, %d rejected)", done.total, done.duplicate, done.rejected)
        return done

    def _dead_letter(self, event: dict[str, Any], reason: str, now: str) -> None:
        self.store.db.execute(
            "INSERT INTO dead_letter VALUES (?, ?, ?, ?, ?, ?)",
            [event["seq"], event["uuid"], event["kind"], event["dossier_code"], reason, now],
        )
        log.error("the backend rejected event %d (%s): %s", event["seq"], event["kind"], reason)
        if "rejected_seq" in event["payload"]:
            return  # the alarm about a rejection was itself rejected: an alarm of that would loop
        events.emit(self.store, "alarm", actor="kiosk",
                    problem=f"the backend rejected event {event['seq']} ({event['kind']}"
                            f"{', ' + event['dossier_code'] if event['dossier_code'] else ''}): {reason}",
                    rejected_seq=event["seq"])  # fmt: skip

    # -- health --------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        db = self.store.db
        depth, oldest = db.execute(
            "SELECT COUNT(*), MIN(at) FROM outbox WHERE delivered_at IS NULL"
        ).fetchone()
        now = self.store.clock()
        age = (
            None
            if oldest is None
            else max(0.0, round((now - datetime.fromisoformat(oldest)).total_seconds(), 1))
        )
        counts = db.execute(
            "SELECT SUM(in_service = 1 AND in_config = 1), SUM(in_service = 0 AND in_config = 1),"
            " (SELECT COUNT(*) FROM item WHERE state = 'uncertain') FROM compartment"
        ).fetchone()
        return {
            "software_version": software_version(),
            "clock": stamp(now),
            "queue_depth": depth,
            "oldest_undelivered_age_s": age,
            "clock_skew_s": self.client.skew_s,
            "devices": {name: state for name, state in db.execute("SELECT name, state FROM device_state")},
            "compartments": {
                "in_service": counts[0] or 0,
                "out_of_service": counts[1] or 0,
                "uncertain": counts[2] or 0,
            },
            "dead_letters": db.execute("SELECT COUNT(*) FROM dead_letter").fetchone()[0],
        }

    def _succeeded(self) -> None:
        if self.failures:
            log.info("the backend answers again after %d failure(s)", self.failures)
        self.failures = 0
        with self.store.transaction():
            self._set_state("last_success", self.store.now())
            if self.client.skew_s is not None:
                self._set_state("clock_skew_s", str(self.client.skew_s))

    def _failed(self, exc: SyncError) -> float:
        self.failures += 1
        wait = backoff(self.failures, self.section.max_backoff_s, self.rng, exc.retry_after)
        log.warning(
            "sync failed (%s, %d in a row): %s; next try in %.1f s",
            type(exc).__name__,
            self.failures,
            exc,
            wait,
        )
        self._set_state("last_error", f"{type(exc).__name__}: {exc}")
        return wait

    def _state(self, key: str) -> str | None:
        row = self.store.db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def _set_state(self, key: str, value: str) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?)", [key, value, self.store.now()])
