"""Wrong PINs: counted on the row they guard (a result, a staff badge), which locks after
``Rules.pin_tries`` wrong ones for ``Rules.pin_lockout_s``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kiosk.core import Rules
from kiosk.store import Store


def minutes_locked(row: dict[str, Any], now: datetime) -> int | None:
    """Whole minutes (at least 1) the row stays locked, or None when it is not locked."""
    if not row["locked_until"]:
        return None
    left = (datetime.fromisoformat(row["locked_until"]) - now).total_seconds()
    return max(1, round(left / 60)) if left > 0 else None


def wrong_try(
    store: Store, table: str, row: dict[str, Any], rules: Rules, now: datetime, *, actor: str
) -> int:
    """Count a wrong PIN; returns the tries left, 0 when the row is now locked."""
    tries = row["failed_tries"] + 1
    locked = tries >= rules.pin_tries
    change: dict[str, Any] = {"failed_tries": tries}
    if locked:
        change = {
            "failed_tries": 0,
            "locked_until": (now + timedelta(seconds=rules.pin_lockout_s)).isoformat(),
        }
    with store.transaction():
        store.update(table, row["id"], change)
        store.audit(actor, f"{table}-pin-wrong", str(row["id"]), locked=locked)
    return 0 if locked else rules.pin_tries - tries
