"""Replacing a kiosk key that is lost for good (``kiosk key replace``): a technician's last resort
when ``pickup-token.key`` cannot be restored from a backup.

Every PIN and QR token of a held result was made with the old key and will never verify again, so
each held result becomes uncertain, with an event, for an officer to take out (the settle list)
and load again, which sends its citizen a new PIN. Staff PINs are keyed by it too: each member is
enrolled again (``kiosk staff add``). All of it is audited, and the office is told.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from kiosk import events, files
from kiosk.pickup_codes import KEY_BYTES, KEY_FILE, fingerprint
from kiosk.store import Store

CAUSE = "its PIN and QR code were made with a kiosk key that was lost and replaced"


@dataclass(frozen=True)
class Replaced:
    held: list[tuple[str, str]]  # (dossier code, compartment) of each result now uncertain
    staff: list[str]  # the ids to enrol again


def replace_key(store: Store, *, by: str, reason: str) -> Replaced:
    key = secrets.token_bytes(KEY_BYTES)
    with store.transaction() as db:
        held = db.execute(
            "SELECT id, dossier_code, compartment FROM item WHERE kind = 'result' AND state = 'held'"
        ).fetchall()
        for item, code, compartment in held:
            store.update("item", item, {"state": "uncertain", "outcome": CAUSE, "updated_at": store.now()})
            events.emit(store, "outcome-uncertain", actor=by, dossier_code=code, compartment=compartment,
                        cause=CAUSE)  # fmt: skip
        staff = [row[0] for row in db.execute("SELECT id FROM staff WHERE active = 1 ORDER BY id")]
        db.execute("UPDATE kiosk_identity SET key_fingerprint = ? WHERE id = 1", [fingerprint(key)])
        store.audit(by, "kiosk-key-replaced", None, reason=reason, held=len(held), staff=len(staff))
        problem = (
            f"the kiosk key was replaced ({len(held)} held result(s) to load again, staff to enrol again)"
        )
        events.emit(store, "alarm", actor=by, problem=problem)
        # written last, inside the transaction: if it fails, nothing above is committed
        files.replace_atomically(store.path.parent / KEY_FILE, key, files.PRIVATE_FILE)
    return Replaced([(code, compartment) for _, code, compartment in held], staff)
