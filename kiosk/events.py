"""Handover events: written to the outbox in the same transaction as the change they report.

Each carries a UUID (the backend's idempotency key), the kiosk id, a per-kiosk sequence number
(the outbox's, never reused), the time and the hash of the audit entry before it. Secrets the
backend must pass on (a pickup PIN, a token) stay out of the audit log; the sync scrubs them from
the outbox once delivered (issue 5).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from kiosk import sealed
from kiosk.store import Store

KINDS = frozenset({
    "result-loaded", "result-picked-up", "dossier-deposited", "dossier-collected", "result-withdrawn",
    "expiry-reminder", "maintenance", "back-in-service", "alarm", "outcome-uncertain", "item-settled",
    # issue 13: a deposited dossier taken back out after a reopen; the receipt not printed (the
    # backend texts the code to the phone given); the citizens' satisfaction, counted (kiosk/rating.py)
    "dossier-taken-back", "receipt-not-printed", "satisfaction-tally",
    # issue 14: a fee paid at the kiosk, each note credited, money an officer must look at
    # (kiosk/payments.py); a result refused to someone not its holder (kiosk/holder.py)
    "fee-paid", "cash-credited", "payment-flagged", "holder-refused",
})  # fmt: skip
# kept out of the audit log, sealed in the outbox (kiosk/sealed.py)
SECRET_FIELDS = sealed.SECRET_FIELDS


@dataclass(frozen=True)
class HandoverEvent:
    seq: int
    uuid: str
    kind: str
    at: str
    kiosk_id: str
    dossier_code: str | None
    compartment: str | None
    actor: str
    payload: dict[str, Any]
    prev_audit_hash: str


def emit(
    store: Store, kind: str, *, actor: str, dossier_code: str | None = None, compartment: str | None = None,
    **payload: Any,
) -> HandoverEvent:  # fmt: skip
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event_id = str(uuid.uuid4())
    with store.transaction() as db:
        prev_hash = db.execute("SELECT hash FROM audit_head WHERE id = 1").fetchone()[0]
        public = {k: v for k, v in payload.items() if k not in SECRET_FIELDS}
        audit_seq = store.audit(actor, f"event:{kind}", compartment or dossier_code, uuid=event_id, **public)
        at = store.now()
        cursor = db.execute(
            "INSERT INTO outbox (uuid, kind, at, kiosk_id, dossier_code, compartment, actor, payload,"
            " audit_seq, prev_audit_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [event_id, kind, at, store.kiosk_id, dossier_code, compartment, actor,
             json.dumps(sealed.seal(store.path.parent, payload), ensure_ascii=False, sort_keys=True),
             audit_seq, prev_hash],
        )  # fmt: skip
        seq = cursor.lastrowid
    assert seq is not None
    return HandoverEvent(
        seq, event_id, kind, at, store.kiosk_id, dossier_code, compartment, actor, payload, prev_hash
    )


def pending(store: Store, limit: int = 100) -> list[HandoverEvent]:
    rows = store.db.execute(
        "SELECT seq, uuid, kind, at, kiosk_id, dossier_code, compartment, actor, payload, prev_audit_hash"
        " FROM outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT ?",
        [limit],
    ).fetchall()
    return [
        HandoverEvent(seq, uid, kind, at, kiosk, code, comp, actor, json.loads(payload), prev)
        for seq, uid, kind, at, kiosk, code, comp, actor, payload, prev in rows
    ]
