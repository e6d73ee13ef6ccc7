"""``kiosk sync``: drains the outbox to the backend in sequence order, pulls assignments, sends
heartbeats; its own process, so a hung network never stalls a citizen at the screen.

Delivery is at least once, exactly once in effect: a batch is read in ``seq`` order (at most
``batch_events`` events or ``batch_bytes`` of JSON), posted, and the backend's per-event answers
are recorded in one transaction: delivered (accepted or duplicate) with the secrets (PIN, token,
phone) scrubbed from the payload, or rejected into ``dead_letter`` whole (what the office needs to
help the citizen) with an alarm event. A kill at any point loses nothing: an event whose answer
was not recorded is sent again, and the backend answers "duplicate".

Before anything is sent, and whenever the backend says a sequence number was already used, the
numbering is checked against the backend's (sync/sequence.py).

``run()`` goes round by round until told to stop: each round sends one batch (events go out every
round), pulls at most ``PAGES_PER_ROUND`` pages of assignments, sends a heartbeat when due and
looks at the VietQR payments due (sync/payments.py; every ``[fees] poll_s`` while a citizen waits
at the QR screen). No
exception of a round ends it: it is recorded (kind, time, the request), and the next round waits
with backoff.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk import events, sealed
from kiosk.clock import stamp
from kiosk.config import BackendSection, FeesSection
from kiosk.health import software_version
from kiosk.names import masked
from kiosk.status import shown_text
from kiosk.store import Store
from sync import sequence
from sync.client import BackendClient, backoff
from sync.errors import AuthFailed, BadAnswer, Cancelled, SyncError
from sync.models import EventResult
from sync.payments import PaymentRound, RoundDone

log = logging.getLogger("kiosk.sync")
PAGES_PER_ROUND = 5  # assignment pages per round: a feed that always has more cannot starve events
PAGES_ONCE = 50  # for ``--once``, which has no next round


@dataclass
class Delivered:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    renumbered: int = 0  # answered "sequence number already used": renumbered, to be sent again

    @property
    def total(self) -> int:
        return self.accepted + self.duplicate + self.rejected

    def add(self, other: Delivered) -> None:
        self.accepted += other.accepted
        self.duplicate += other.duplicate
        self.rejected += other.rejected
        self.renumbered += other.renumbered


class SyncWorker:
    def __init__(
        self,
        store: Store,
        client: BackendClient,
        section: BackendSection,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        opener: sealed.Opener | None = None,
        fees: FeesSection | None = None,
    ) -> None:
        self.store = store
        self.payments = PaymentRound(store, client, fees)
        self.opener = opener  # opens the secrets the touch screen sealed (kiosk/sealed.py)
        self.client = client
        self.section = section
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.failures = 0
        self.sequence_checked = False
        self.next_pull = self.next_beat = 0.0
        # what another thread of this process has to say (the look-up service's state), written to
        # sync_state by the worker's own thread: one connection is never used by two at once
        self.notes: dict[str, str] = {}
        self.errors: Counter[str] = Counter()  # failed rounds by kind, for /metrics (in memory)

    # -- one step each ---------------------------------------------------------------------------

    def check_sequence(self) -> None:
        """Once per worker, before the first event goes: does the backend's last event of this
        kiosk belong to this database?"""
        if self.sequence_checked:
            return
        answer = self.client.sequence()
        if not sequence.ours(self.store, answer):
            why = "the backend's last accepted event of this kiosk is not one this database sent"
            sequence.renumber(self.store, answer, why)
        self.sequence_checked = True

    def deliver_batch(self) -> Delivered:
        """Send the next batch and record the answers; an empty Delivered when nothing is queued."""
        self.check_sequence()
        batch = self._next_batch()
        if not batch:
            return Delivered()
        results = self.client.post_events(batch)
        done = self._record(batch, results)
        if done.renumbered:
            used = next(e["seq"] for e, r in zip(batch, results, strict=True) if _seq_used(r))
            answer = self.client.sequence()
            if sequence.ours(self.store, answer):
                # its own last word says all is well: no renumbering, no flag on a contradiction
                raise BadAnswer(
                    f"the backend answered that sequence number {used} was already used, yet the last"
                    " event it says it accepted is this kiosk's own; the events stay queued"
                )
            why = f"the backend answered that sequence number {used} was already used by another event"
            sequence.renumber(self.store, answer, why)
        return done

    def drain(self) -> Delivered:
        done = Delivered()
        stuck = 0
        while (step := self.deliver_batch()).total or step.renumbered:
            done.add(step)
            stuck = 0 if step.total else stuck + 1
            if stuck > 2:  # renumbered and refused again: the backend's numbering is not to be met
                raise BadAnswer("the backend keeps answering that the sequence numbers were used")
        return done

    def pull_assignments(self, max_pages: int = PAGES_PER_ROUND) -> tuple[int, bool]:
        """Bring the assignment cache up to date, at most ``max_pages`` pages; returns how many
        changed and whether the backend has more."""
        changed = 0
        cursor = self._state("assignments_cursor")
        for _ in range(max_pages):
            page = self.client.assignments(cursor)
            with self.store.transaction() as db:
                for a in page.assignments:
                    if a.active:
                        db.execute(
                            "INSERT OR REPLACE INTO assignment (dossier_code, citizen, procedure, fee_due,"
                            " hold_days, size_hint, synced_at, requires_holder, holder_hash)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [a.dossier_code, masked(a.citizen),  # however the backend sent it
                             a.procedure, a.fee_due, a.hold_days, a.size_hint, self.store.now(),
                             int(a.requires_holder), a.holder_hash],
                        )  # fmt: skip
                    else:
                        db.execute("DELETE FROM assignment WHERE dossier_code = ?", [a.dossier_code])
                self._set_state("assignments_cursor", page.cursor)
            changed += len(page.assignments)
            cursor = page.cursor
            if not page.more:
                return changed, False
        return changed, True

    def send_heartbeat(self) -> None:
        self.client.heartbeat(self.health())

    # -- the loops -------------------------------------------------------------------------------

    def run(self, stop: Callable[[], bool], clock: Callable[[], float] = time.monotonic) -> None:
        """Until ``stop()``: one round after another; after a failure of any kind, record it and
        wait with backoff (never giving up)."""
        while not stop():
            try:
                self._write_notes()
                self._round(clock)
            except Exception as exc:  # whatever one round met, the worker goes on
                if stop():
                    break
                self.sleep(self._failed(exc))

    def _write_notes(self) -> None:
        for key in list(self.notes):
            value = self.notes.pop(key)
            if self._state(key) != value:
                self._set_state(key, value)

    def _round(self, clock: Callable[[], float]) -> None:
        # first: a citizen may be waiting at the QR screen, and a batch the backend refuses must
        # not keep them waiting
        failed: SyncError | None = None
        try:
            paid = self.payments.run()
        except (AuthFailed, Cancelled):
            raise
        except SyncError as exc:  # the backend failed on a payment: the events, assignments and
            failed, paid = exc, RoundDone()  # heartbeat still go, then the backoff as for any failure
        if paid.problems:
            self.errors["BadAnswer"] += paid.problems  # each said in its payment's row
        delivered = self.deliver_batch()
        exchanged = delivered.total > 0  # an empty outbox asks the backend nothing
        now = clock()
        if now >= self.next_pull:
            _, more = self.pull_assignments()
            # the rest next round, after that round's events
            self.next_pull, exchanged = (now if more else now + self.section.assignments_s), True
        if now >= self.next_beat:
            self.send_heartbeat()
            self.next_beat, exchanged = now + self.section.heartbeat_s, True
        if failed is not None:
            raise failed
        if exchanged or paid.checked:  # recorded only then: an idle kiosk does not write every 2 s
            self._succeeded()
        if not delivered.total:
            self.sleep(self.payments.pause_s(self.section.idle_s))

    def run_once(self, attempts: int = 3, max_wait_s: float = 2.0) -> Delivered:
        """Drain everything queued now, pull assignments and send a heartbeat; retry a failure a
        few times (waiting at most ``max_wait_s`` each: a script is waiting), then give up with the
        last error (``kiosk sync --once``)."""
        done = Delivered()
        steps: list[Callable[[], Any]] = [
            lambda: done.add(self.drain()),
            lambda: self.pull_assignments(PAGES_ONCE),
            self.send_heartbeat,
            self.payments.run,
        ]
        for step in steps:
            for attempt in range(1, attempts + 1):
                try:
                    step()
                    self._succeeded()
                    break
                except Exception as exc:
                    wait = self._failed(exc)
                    if attempt == attempts or not getattr(exc, "retry", False):
                        raise
                    self.sleep(min(wait, max_wait_s))
        return done

    # -- the outbox --------------------------------------------------------------------------------

    def _next_batch(self) -> list[dict[str, Any]]:
        rows = self.store.db.execute(
            "SELECT seq, uuid, kind, at, dossier_code, compartment, actor, payload, audit_seq,"
            " prev_audit_hash FROM outbox WHERE delivered_at IS NULL AND kiosk_id = ? ORDER BY seq LIMIT ?",
            # another kiosk's events (its database put in this one's place) are never sent as ours
            [self.store.kiosk_id, self.section.batch_events],
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
                "payload": self._opened(json.loads(payload)),
                "audit_seq": audit_seq,
                "prev_audit_hash": prev,
            }
            size += len(json.dumps(event, ensure_ascii=False).encode()) + 1
            if batch and size > self.section.batch_bytes:
                break
            batch.append(event)
        return batch

    def _opened(self, payload: dict[str, Any]) -> dict[str, Any]:
        if not sealed.is_sealed(payload):
            return payload
        if self.opener is None:
            raise sealed.SealError("an event is sealed and this worker holds no key to open it")
        return self.opener.open(payload)

    def _record(self, batch: list[dict[str, Any]], results: list[EventResult]) -> Delivered:
        done = Delivered()
        now = self.store.now()
        with self.store.transaction() as db:
            for event, result in zip(batch, results, strict=True):
                if _seq_used(result):
                    done.renumbered += 1  # not the event's fault: it goes again under a new number
                    continue
                public = {k: v for k, v in event["payload"].items() if k not in events.SECRET_FIELDS}
                db.execute(
                    "UPDATE outbox SET delivered_at = ?, outcome = ?, payload = ? WHERE seq = ?",
                    [now, result.status, json.dumps(public, ensure_ascii=False, sort_keys=True),
                     event["seq"]],
                )  # fmt: skip
                if result.status == "rejected":
                    self._dead_letter(event, result.reason or "no reason given", now)
                setattr(done, result.status, getattr(done, result.status) + 1)
        log.info("delivered %d events (%d duplicate, %d rejected, %d to renumber)",
                 done.total, done.duplicate, done.rejected, done.renumbered)  # fmt: skip
        return done

    def _dead_letter(self, event: dict[str, Any], reason: str, now: str) -> None:
        self.store.db.execute(
            "INSERT INTO dead_letter (seq, uuid, kind, dossier_code, reason, rejected_at, payload)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            # whole, as sent, for the office to help the citizen: the PIN and phone sealed again, so
            # a copy of the database alone does not give them up
            [event["seq"], event["uuid"], event["kind"], event["dossier_code"], reason, now,
             json.dumps(self._letter(event), ensure_ascii=False, sort_keys=True)],
        )  # fmt: skip
        # its reason may quote the dossier: it is in the dead letters (kiosk sync --status), not the journal
        log.error("the backend rejected event %d (%s); kept in the dead letters", event["seq"], event["kind"])
        if "rejected_seq" in event["payload"]:
            return  # the alarm about a rejection was itself rejected: an alarm of that would loop
        events.emit(self.store, "alarm", actor="kiosk",
                    problem=f"the backend rejected event {event['seq']} ({event['kind']}"
                            f"{', ' + event['dossier_code'] if event['dossier_code'] else ''}): {reason}",
                    rejected_seq=event["seq"])  # fmt: skip

    def _letter(self, event: dict[str, Any]) -> dict[str, Any]:
        payload = self.opener.seal(event["payload"]) if self.opener is not None else event["payload"]
        return {**event, "payload": payload}

    def read_letter(self, seq: int) -> dict[str, Any] | None:
        """A dead letter with its secrets opened (``kiosk sync --letter``): what the office needs."""
        row = self.store.db.execute("SELECT payload FROM dead_letter WHERE seq = ?", [seq]).fetchone()
        if row is None or row[0] is None:
            return None
        event: dict[str, Any] = json.loads(row[0])
        return {**event, "payload": self._opened(event.get("payload") or {})}

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
            "last_error": self.last_error(),
        }

    def last_error(self) -> dict[str, Any] | None:
        raw = self._state("last_error")
        try:
            error = json.loads(raw) if raw else None
        except ValueError:  # written by an older version: plain words
            error = {"kind": "SyncError", "at": self.store.now(), "request": None, "message": raw}
        return error if isinstance(error, dict) else None

    def _succeeded(self) -> None:
        if self.failures:
            log.info("the backend answers again after %d failure(s)", self.failures)
        self.failures = 0
        with self.store.transaction():
            self._set_state("last_success", self.store.now())
            if self.client.skew_s is not None:
                self._set_state("clock_skew_s", str(self.client.skew_s))

    def _failed(self, exc: BaseException) -> float:
        """Record what went wrong (kind, time, request) and say how long to wait."""
        self.failures += 1
        self.errors[type(exc).__name__] += 1
        retry_after = exc.retry_after if isinstance(exc, SyncError) else None
        wait = backoff(self.failures, self.section.max_backoff_s, self.rng, retry_after)
        error = {
            "kind": type(exc).__name__,
            "at": self.store.now(),
            "request": self.client.last_request,
            "message": shown_text(str(exc) or type(exc).__name__, 500),
        }
        if isinstance(exc, SyncError):
            log.warning("sync failed (%s in %s, %d in a row): %s; next try in %.1f s",
                        error["kind"], error["request"], self.failures, error["message"], wait)  # fmt: skip
        else:  # not one of ours: a bug, or the store; the traceback is for the developer
            log.exception("sync round failed (%d in a row); next try in %.1f s", self.failures, wait)
        try:
            self._set_state("last_error", json.dumps(error, ensure_ascii=False))
        except Exception:  # the store itself may be what failed: the wait still happens
            log.exception("could not record the sync's last error")
        return wait

    def _state(self, key: str) -> str | None:
        row = self.store.db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def _set_state(self, key: str, value: str) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?)", [key, value, self.store.now()])


def _seq_used(result: EventResult) -> bool:
    return result.status == "rejected" and result.code == "seq-used"
