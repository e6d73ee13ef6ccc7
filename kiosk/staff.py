"""Staff who sign in at the machine: a badge (a QR carrying their id) and a PIN, stored as scrypt."""

from __future__ import annotations

from typing import Any

from kiosk.entries import ascii_digits
from kiosk.pickup_codes import hash_secret, kiosk_key, pepper_of
from kiosk.store import Store

ROLES = ("officer", "technician")


class StaffError(ValueError):
    pass


def add(store: Store, staff_id: str, name: str, role: str, pin: str, *, by: str) -> None:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not (ascii_digits(pin) and 6 <= len(pin) <= 8):
        raise StaffError("a staff PIN is 6 to 8 digits (0-9)")
    pin_hash = hash_secret(pin, pepper(store))
    with store.transaction() as db:
        db.table("staff").upsert(
            {"id": staff_id, "name": name, "role": role, "pin_hash": pin_hash, "active": 1,
             "failed_tries": 0, "locked_until": None}, pk="id",
        )  # fmt: skip
        store.audit(by, "staff-set", staff_id, name=name, role=role)


def find(store: Store, staff_id: str) -> dict[str, Any] | None:
    rows = list(store.db.query("SELECT * FROM staff WHERE id = ? AND active = 1", [staff_id]))
    return rows[0] if rows else None


def pepper(store: Store) -> bytes:
    """The PIN hashes' key: from the kiosk key beside the database, never in it."""
    return pepper_of(kiosk_key(store))
