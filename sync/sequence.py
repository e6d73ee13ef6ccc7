"""Keeping this database's sequence numbers after the backend's, when the database is not the one
the backend heard from (deleted and made anew, replaced, restored from an old backup).

The backend says which event of this kiosk it accepted last (``GET …/sequence``). When that is
this database's own event of that number (same seq and same UUID) all is well, even if the answer
to it was never recorded here (a kill between the backend's accept and our record is normal: the
event is sent again and answered "duplicate"). Otherwise, or when an answer says a sequence number
was already used, the events not yet delivered are renumbered to follow the backend's last, in
order, in one transaction, with the outbox's AUTOINCREMENT counter moved past them so new events
follow; and the kiosk is flagged (its history is not whole: kiosk/flags.py), with an alarm event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk import events, flags
from kiosk.store import Store
from sync.errors import BadAnswer
from sync.models import MAX_SEQ, SequenceAnswer

ROOM = 10**9  # numbers left after a renumbering, for the kiosk's events to come

log = logging.getLogger("kiosk.sync.sequence")


@dataclass(frozen=True)
class Renumbered:
    count: int
    first: int  # the first new number (the backend's last + 1, or past this database's delivered)
    flagged: bool  # the history flag went up now (False: it was up already)


def ours(store: Store, answer: SequenceAnswer) -> bool:
    """Whether the backend's last accepted event is this database's own (or it has none)."""
    if answer.last_seq is None:
        return True
    row = store.db.execute("SELECT uuid FROM outbox WHERE seq = ?", [answer.last_seq]).fetchone()
    return row is not None and row[0] == answer.last_uuid


def renumber(store: Store, answer: SequenceAnswer, why: str) -> Renumbered:
    """Give every undelivered event a number after the backend's last accepted one (and after
    every number this database has delivered), keeping their order; raise the flag."""
    with store.transaction() as db:
        delivered = db.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM outbox WHERE delivered_at IS NOT NULL"
        ).fetchone()[0]
        base = max(answer.last_seq or 0, delivered)
        waiting = [row[0] for row in db.execute(
            "SELECT seq FROM outbox WHERE delivered_at IS NULL ORDER BY seq"
        )]  # fmt: skip
        if base + len(waiting) + ROOM > MAX_SEQ:
            # a number the contract cannot carry would stop delivery for good: keep ours and say so
            raise BadAnswer(
                f"the backend's last accepted sequence number ({answer.last_seq}) leaves no room for"
                f" this kiosk's {len(waiting)} waiting event(s) under {MAX_SEQ}; they stay as numbered"
            )
        # out of the way first (negative numbers are free), so no new number meets an old one
        db.execute("UPDATE outbox SET seq = -seq WHERE delivered_at IS NULL")
        for n, old in enumerate(waiting, start=1):
            db.execute("UPDATE outbox SET seq = ? WHERE seq = ?", [base + n, -old])
        top = base + len(waiting)
        # AUTOINCREMENT hands out numbers above the largest it ever gave: make that ours
        moved = db.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'outbox'", [top])
        if moved.rowcount == 0:
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", [top])
        detail = (
            f"{why}; {len(waiting)} undelivered event(s) renumbered from {base + 1} (the backend's"
            f" last accepted event of this kiosk: number {answer.last_seq}, {answer.last_uuid})"
        )
        flagged = flags.raise_flag(store, flags.HISTORY, "behind-backend", detail)
        if flagged:
            events.emit(store, "alarm", actor="kiosk", problem=f"the kiosk's history is not whole ({detail})")
    log.error("%s", detail)
    return Renumbered(len(waiting), base + 1, flagged)
