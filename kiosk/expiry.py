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
from kiosk.journeys.load import hold_period


def due_for_withdrawal(core: Core) -> list[dict[str, Any]]:
    now = core.now()
    clamp_holds(core, now)
    return list(core.store.db.query(
        "SELECT * FROM item WHERE kind = 'result' AND state = 'held' AND expires_at < ? ORDER BY expires_at",
        [now.isoformat(timespec="seconds")],
    ))  # fmt: skip


def clamp_holds(core: Core, now: datetime) -> int:
    """No hold lasts longer than its length from now, whatever the clock did: a result loaded
    while the clock ran ahead would otherwise wait that much longer to be withdrawn. Returns how
    many holds were brought back."""
    rows = core.store.db.execute(
        "SELECT i.id, i.expires_at, a.hold_days FROM item i LEFT JOIN assignment a USING (dossier_code)"
        " WHERE i.kind = 'result' AND i.state = 'held' AND i.expires_at IS NOT NULL"
    ).fetchall()
    brought_back = 0
    with core.store.transaction():
        for item, expires, days in rows:
            longest = now + timedelta(days=hold_period(days, core.rules.hold_days))
            try:
                too_late = datetime.fromisoformat(expires) > longest
            except (TypeError, ValueError):  # a damaged value: the hold starts again from now
                too_late = True
            if too_late:
                core.store.update("item", item, {"expires_at": longest.isoformat(timespec="seconds")})
                core.store.audit("kiosk", "hold-brought-back", str(item), was=str(expires))
                brought_back += 1
    return brought_back


def send_reminders(core: Core) -> list[HandoverEvent]:
    now = core.now()
    clamp_holds(core, now)
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
