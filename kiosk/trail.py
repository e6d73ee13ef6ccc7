"""A journey's trail, found by the reference the screen showed (kiosk/reference.py): what an
officer reads when a citizen calls ("the door did not open, reference 4F3A-91C2"). From the audit
log: the journey's own moves, and what happened at its compartment while it lasted.

It shows what an officer may see at the machine (the compartment, the dossier's code, which
``kiosk lockers`` shows too, the outcome, the time), never a phone, a name, a PIN or a token: the
audit log holds none, and only the keys named below are read from its rows' detail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kiosk.errors import KioskError
from kiosk.reference import BadReference, id_prefix, reference_of
from kiosk.store import Store

SHOWN = ("compartment", "dossier", "reason", "cause", "tried", "fee", "status", "source", "jammed")
MAX_MATCHES = 20


class UnknownReference(KioskError):
    """No journey has this reference (in this database; older ones are in the archives)."""


@dataclass(frozen=True)
class Step:
    at: datetime
    action: str
    actor: str
    detail: dict[str, object]

    def line(self, zone: tzinfo) -> str:
        shown = "  ".join(f"{k}={v}" for k, v in self.detail.items())
        return f"{self.at.astimezone(zone):%Y-%m-%d %H:%M:%S}  {self.action:<28} {self.actor:<16} {shown}"


@dataclass(frozen=True)
class Trail:
    reference: str
    journey: str
    kind: str
    outcome: str | None
    compartment: str | None
    started_at: datetime
    ended_at: datetime | None
    steps: list[Step]


def _detail(text: str) -> dict[str, object]:
    try:
        raw = json.loads(text)
    except ValueError:
        return {}
    return {k: raw[k] for k in SHOWN if isinstance(raw, dict) and k in raw}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def find(store: Store, reference: str) -> list[Trail]:
    """Every journey with this reference (one, nearly always), oldest first."""
    try:
        prefix = id_prefix(reference)
    except BadReference as exc:
        raise UnknownReference(str(exc)) from None
    rows = list(
        store.db.query(
            "SELECT id, kind, outcome, compartment, started_at, ended_at FROM journey"
            " WHERE id LIKE :p ORDER BY started_at LIMIT :n",
            {"p": f"{prefix}%", "n": MAX_MATCHES},
        )
    )
    if not rows:
        raise UnknownReference(
            f"no journey has the reference {reference_of(prefix)} in this database"
            " (journeys older than [retention] archive_after_days are in the archives)"
        )
    return [_trail(store, row) for row in rows]


def _trail(store: Store, row: dict[str, object]) -> Trail:
    journey, compartment = str(row["id"]), row["compartment"]
    started, ended = str(row["started_at"]), row["ended_at"]
    # its own moves, and what was done to its compartment while it lasted (the unlock, a jam)
    query = (
        "SELECT at, action, actor, detail FROM audit_log WHERE subject = :j"
        " OR (subject = :c AND at >= :s AND (:e IS NULL OR at <= :e)) ORDER BY seq"
    )
    steps = [
        Step(datetime.fromisoformat(r["at"]), r["action"], r["actor"], _detail(r["detail"]))
        for r in store.db.query(query, {"j": journey, "c": compartment, "s": started, "e": ended})
    ]
    return Trail(
        reference_of(journey), journey, str(row["kind"]), _text(row["outcome"]),
        _text(compartment), datetime.fromisoformat(started),
        datetime.fromisoformat(str(ended)) if ended else None, steps,
    )  # fmt: skip
