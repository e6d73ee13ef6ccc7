"""Compartments in the store, kept in step with the config without losing what they hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config import CompartmentSection, KioskConfig
from kiosk.errors import UnknownCompartment
from kiosk.migrations import ACTIVE_ITEM
from kiosk.store import Store

PLACEMENT = ("bus", "board", "lock", "size", "position")
# A compartment with what it holds now: at most one active item (a unique index says so).
WITH_CONTENTS = f"""SELECT c.*, i.dossier_code AS holds, i.kind AS holds_kind, i.state AS holds_state
    FROM compartment c LEFT JOIN item i ON i.compartment = c.id AND i.state IN {ACTIVE_ITEM}"""


@dataclass(frozen=True)
class Compartment:
    id: str
    bus: str
    board: int
    lock: int
    size: str
    position: str
    in_config: bool
    in_service: bool
    service_note: str | None
    holds: str | None  # dossier code of the active item inside, if any
    holds_kind: str | None  # "result" (for a citizen) or "deposit" (for an officer)
    holds_state: str | None  # the item's state: "held", or "uncertain" for an officer to settle
    door: str

    @property
    def usable(self) -> bool:
        """Can be given to a new item: in the config, in service, empty, door known closed."""
        return self.in_config and self.in_service and self.holds is None and self.door == "closed"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Compartment:
        fields = {k: row[k] for k in cls.__dataclass_fields__}
        fields["in_config"] = bool(row["in_config"])
        fields["in_service"] = bool(row["in_service"])
        return cls(**fields)


def sync_from_config(store: Store, cfg: KioskConfig) -> list[str]:
    """Add, move and retire compartments to match the config; returns what changed, in words.

    A compartment removed from the config is kept (``in_config = 0``) so nothing it holds is
    forgotten; one moved to another lock keeps its contents. Each change is audited.
    """
    changes: list[str] = []
    with store.transaction() as db:
        existing = {row["id"]: row for row in db.query(WITH_CONTENTS)}
        for c in cfg.compartment:
            changes += _apply(store, c, existing.get(c.id))
        for cid in sorted(set(existing) - {c.id for c in cfg.compartment}):
            row = existing[cid]
            if row["in_config"]:
                db.table("compartment").update(cid, {"in_config": 0, "updated_at": store.now()})
                store.audit("config", "compartment-retired", cid, holds=row["holds"] is not None)
                changes.append(f"{cid} is no longer in the config" + _holding(row))
    return changes


def _apply(store: Store, c: CompartmentSection, row: dict[str, Any] | None) -> list[str]:
    placement = {k: getattr(c, k) for k in PLACEMENT}
    table = store.db.table("compartment")
    if row is None:
        table.insert({"id": c.id, **placement, "updated_at": store.now()})
        store.audit("config", "compartment-added", c.id, **placement)
        return [f"{c.id} added"]
    moved = {k: v for k, v in placement.items() if row[k] != v}
    if not moved and row["in_config"]:
        return []
    table.update(c.id, {**placement, "in_config": 1, "updated_at": store.now()})
    store.audit("config", "compartment-changed", c.id, back=not row["in_config"], **moved)
    words = [] if row["in_config"] else ["back in the config"]
    words += [f"{k} {row[k]} -> {v}" for k, v in moved.items()]
    return [f"{c.id} " + ("changed: " if row["in_config"] else "") + ", ".join(words)]


def _holding(row: dict[str, Any]) -> str:
    return f" (kept: it still holds {row['holds_kind']} {row['holds']})" if row["holds"] else ""


def all_compartments(store: Store, *, in_config_only: bool = True) -> list[Compartment]:
    where = " WHERE c.in_config = 1" if in_config_only else ""
    rows = store.db.query(WITH_CONTENTS + where + " ORDER BY c.id")
    return [Compartment.from_row(r) for r in rows]


def get(store: Store, compartment_id: str) -> Compartment:
    # execute, not sqlite-utils' query(): that wraps each read in a savepoint (on the unlock path)
    cursor = store.db.execute(WITH_CONTENTS + " WHERE c.id = ? AND c.in_config = 1", [compartment_id])
    row = cursor.fetchone()
    if row is None:
        raise UnknownCompartment(compartment_id, [c.id for c in all_compartments(store)])
    return Compartment.from_row(dict(zip([c[0] for c in cursor.description], row, strict=True)))


def where_is(store: Store, kind: str, dossier_code: str) -> str | None:
    """The compartment an active item of ``kind`` ("result" or "deposit") with this code is in."""
    row = store.db.execute(
        f"SELECT compartment FROM item WHERE kind = ? AND dossier_code = ? AND state IN {ACTIVE_ITEM}",
        [kind, dossier_code],
    ).fetchone()
    return str(row[0]) if row else None


def record_door(store: Store, compartment_id: str, door: str) -> None:
    store.update("compartment", compartment_id, {"door": door, "updated_at": store.now()})
