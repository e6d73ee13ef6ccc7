"""Results past their hold period, and the reminders before it ends.

A result loaded into the kiosk is held for its procedure's hold period (the backend's assignment,
else ``Rules.hold_days``). Reminder events go out at ``Rules.reminder_days`` before the end, each
once; the backend turns them into messages to the citizen. Past the end, a result is listed for an
officer to withdraw.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kiosk import events
from kiosk.core import Core
from kiosk.events import HandoverEvent
from kiosk.store import Store


def due_for_withdrawal(store: Store, now: datetime) -> list[dict[str, Any]]:
    return list(store.db.query(
        "SELECT * FROM item WHERE kind = 'result' AND state = 'held' AND expires_at < ? ORDER BY expires_at",
        [now.isoformat(timespec="seconds")],
    ))  # fmt: skip


def send_reminders(core: Core) -> list[HandoverEvent]:
    now = core.now()
    sent = []
    for days in sorted(core.rules.reminder_days, reverse=True):
        horizon = (now + timedelta(days=days)).isoformat(timespec="seconds")
        rows = core.store.db.execute(
            "SELECT dossier_code, compartment, expires_at FROM item i"
            " WHERE kind = 'result' AND state = 'held' AND expires_at <= ? AND expires_at > ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox o"
            "  WHERE o.kind = 'expiry-reminder' AND o.dossier_code = i.dossier_code"
            "  AND json_extract(o.payload, '$.expires') = i.expires_at"  # not a reload's reminder
            "  AND json_extract(o.payload, '$.days_before') = ?)",
            [horizon, now.isoformat(timespec="seconds"), days],
        ).fetchall()
        for code, compartment, expires in rows:
            sent.append(events.emit(core.store, "expiry-reminder", actor="kiosk", dossier_code=code,
                                    compartment=compartment, expires=expires, days_before=days))  # fmt: skip
    return sent
