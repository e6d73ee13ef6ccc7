"""Conditions that keep the kiosk from serving until someone acts, kept in the store so every
process sees them: the UI's core, the sync worker and the technician's commands.

- ``history``: this database does not carry the kiosk's whole history (it was deleted and made
  anew, replaced by another file, belongs to another kiosk, or the backend has accepted events
  this database never sent). Citizens are not served until a technician confirms
  (``kiosk history confirm``).
- ``disk-low``: free space under the floor; no new journey starts until there is room again.
- ``disk-near-cap``: the kiosk's own files (database, archives, backups) use ``[retention]
  alarm_percent`` of their cap: a warning for the technician, nothing is refused.
- ``disk-cap``: they use the whole cap: no drop-off is taken in (pickups, loads and collections
  go on) until there is room again (kiosk/space.py).

Raising a flag that is already up changes nothing (so its alarm is raised once per episode).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.store import Store

HISTORY = "history"
DISK_LOW = "disk-low"
DISK_NEAR_CAP = "disk-near-cap"
DISK_CAP = "disk-cap"


@dataclass(frozen=True)
class Flag:
    key: str
    value: str  # e.g. "lost", "replaced", "foreign", "behind-backend"
    detail: str
    at: str


def raise_flag(store: Store, key: str, value: str, detail: str, *, actor: str = "kiosk") -> bool:
    """Put the flag up; True when it was not up before (the caller then raises its alarm)."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM kiosk_flag WHERE key = ?", [key]).fetchone():
            return False
        db.execute("INSERT INTO kiosk_flag VALUES (?, ?, ?, ?)", [key, value, detail, store.now()])
        store.audit(actor, f"flag-raised:{key}", value, detail=detail)
    return True


def lower_flag(store: Store, key: str, *, actor: str, reason: str) -> Flag | None:
    """Take the flag down (audited); returns what it was, None when it was not up."""
    with store.transaction() as db:
        was = get(store, key)
        if was is None:
            return None
        db.execute("DELETE FROM kiosk_flag WHERE key = ?", [key])
        store.audit(actor, f"flag-lowered:{key}", was.value, reason=reason, detail=was.detail)
    return was


def get(store: Store, key: str) -> Flag | None:
    row = store.db.execute("SELECT key, value, detail, at FROM kiosk_flag WHERE key = ?", [key]).fetchone()
    return None if row is None else Flag(*row)


def all_flags(store: Store) -> list[Flag]:
    rows = store.db.execute("SELECT key, value, detail, at FROM kiosk_flag ORDER BY key")
    return [Flag(*row) for row in rows]
