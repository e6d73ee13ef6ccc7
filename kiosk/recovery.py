"""Reconciling after a crash or power cut (DESIGN §5), run at every start before any journey.

Every journey left open is settled against what the boards report now:
- it had not committed an unlock intent: nothing physical happened; it ends as interrupted;
- it had: only what the boards prove is recorded. A closed door with the sensor showing nothing
  changed: the handover did not happen. A journey whose door had been proven open, now closed with
  the sensor showing the change (a result or dossier inside, an item gone): the handover is
  completed with its event, exactly as the journey would have. Anything else (no sensor, a door
  still open, a board that cannot be read, a crash between the frame and its proof) becomes
  "uncertain" with an event, for the next officer to settle, never guessed.
Doors are recorded as the boards read them, so assignment never trusts a stale "closed".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.lockboard.bus import BoardStatus
from kiosk import events
from kiosk.core import Core
from kiosk.journeys.dropoff import record_deposited
from kiosk.journeys.load import record_loaded
from kiosk.journeys.officer import CollectJourney, SettleJourney, WithdrawJourney
from kiosk.journeys.pickup import PickupJourney
from kiosk.journeys.releasing import ReleasingJourney, record_released

RELEASERS: dict[str, type[ReleasingJourney[Any]]] = {
    j.kind: j for j in (PickupJourney, CollectJourney, WithdrawJourney, SettleJourney)
}

# (journey kind, state) in which the compartment may have been unlocked, and the item's role there
AFTER_INTENT = {
    ("load", "opening"): "placing",
    ("load", "door-open"): "placing",
    ("dropoff", "opening"): "placing",
    ("dropoff", "door-open"): "placing",
    ("pickup", "opening"): "releasing",
    ("pickup", "door-open"): "releasing",
    ("collect", "opening"): "releasing",
    ("collect", "door-open"): "releasing",
    ("withdraw", "opening"): "releasing",
    ("settle", "opening"): "releasing",
    ("withdraw", "door-open"): "releasing",
    ("settle", "door-open"): "releasing",
    ("technician", "opening"): "checking",
    ("technician", "door-open"): "checking",
}


@dataclass(frozen=True)
class Settled:
    journey: str
    kind: str
    state: str
    outcome: str  # "interrupted", "not placed", "not taken", "completed" or "uncertain"


def reconcile(core: Core, sleep: Callable[[float], None] = time.sleep) -> list[Settled]:
    journeys = list(core.store.db.query("SELECT * FROM journey WHERE ended_at IS NULL ORDER BY started_at"))
    if any((j["kind"], j["state"]) in AFTER_INTENT for j in journeys):
        # An unlock frame sent just before the crash may still release its lock: a door read
        # "closed" now could spring open a moment later. Give it the confirmation window first.
        sleep(max((bus.timing.unlock_confirm_s for bus in core.lockers.buses.values()), default=0.0))
    core.refresh_doors()
    readings = core.lockers.read_boards()
    settled = []
    for row in journeys:
        settled.append(_settle(core, row, readings))
    settled += _orphans(core)
    return settled


def _settle(core: Core, journey: dict[str, Any], readings: dict[tuple[str, int], Any]) -> Settled:
    kind, state = journey["kind"], journey["state"]
    if (kind, state) not in AFTER_INTENT or journey["item"] is None:
        _end(core, journey, "interrupted")
        return Settled(journey["id"], kind, state, "interrupted")
    item = next(core.store.db.query("SELECT * FROM item WHERE id = ?", [journey["item"]]))
    comp = next(c for c in core.compartments() if c.id == journey["compartment"])
    status = readings.get((comp.bus, comp.board))
    sensed = _sensed(status, comp.lock)
    outcome = _provable(kind, state, sensed)
    data = json.loads(journey["data"])
    with core.store.transaction() as db:
        if outcome == "not placed":
            db.table("item").update(journey["item"], {"state": "gone", "outcome": "not placed (recovered)"})
        elif outcome == "not taken":
            db.table("item").update(journey["item"], {"state": "held"})
        elif outcome == "completed":
            _complete(core, journey, item, comp.id, data)
        else:
            cause = f"interrupted during {kind} {state}; the board shows {sensed or 'nothing (not readable)'}"
            db.table("item").update(journey["item"], {"state": "uncertain", "outcome": cause})
            events.emit(
                core.store,
                "outcome-uncertain",
                actor="kiosk",
                dossier_code=item["dossier_code"],
                compartment=comp.id,
                cause=cause,
                journey=journey["id"],
            )
        _end(core, journey, outcome)
    return Settled(journey["id"], kind, state, outcome)


def _complete(core: Core, journey: dict[str, Any], item: dict[str, Any], compartment: str, data: Any) -> None:
    """The door had been proven open for this journey and the board now proves its end: the same
    record the journey would have made, had it seen the door close."""
    kind, code, actor = journey["kind"], item["dossier_code"], journey["actor"]
    if kind == "load":
        record_loaded(core, item=item["id"], code=code, compartment=compartment,
                      hold_days=data.get("hold_days"), actor=actor)  # fmt: skip
    elif kind == "dropoff":  # the phone was never stored: the office has the dossier to call from
        record_deposited(core.store, item=item["id"], code=code, compartment=compartment, phone=None,
                         procedure=item["procedure"] or "")  # fmt: skip
    else:
        record_released(core.store, RELEASERS[kind], item=item["id"], code=code, compartment=compartment,
                        actor=actor, sensed=True)  # fmt: skip


def _sensed(status: Any, lock: int) -> str | None:
    """What the board proves about one compartment: "closed empty", "closed with item", "closed"
    (no sensor), "open", or None when the board cannot be read."""
    if not isinstance(status, BoardStatus):
        return None
    if not status.is_locked(lock):
        return "open"
    item = status.has_item(lock)
    return "closed" if item is None else ("closed with item" if item else "closed empty")


def _provable(kind: str, state: str, sensed: str | None) -> str:
    placing = kind in ("load", "dropoff")
    releasing = kind in RELEASERS
    if placing and sensed == "closed empty":
        return "not placed"  # the result or the dossier never went in
    if (releasing or kind == "technician") and sensed == "closed with item":
        return "not taken"  # the item is still there
    if state == "door-open" and (
        (placing and sensed == "closed with item") or (releasing and sensed == "closed empty")
    ):
        return "completed"  # the unlock was proven for this journey, and the sensor proves the rest
    return "uncertain"


def _end(core: Core, journey: dict[str, Any], outcome: str) -> None:
    now = core.store.now()
    with core.store.transaction() as db:
        db.table("journey").update(journey["id"], {"ended_at": now, "updated_at": now, "outcome": outcome})
        core.store.audit(
            "kiosk",
            f"journey:{journey['kind']}:recovered",
            journey["id"],
            outcome=outcome,
            state=journey["state"],
            data=json.loads(journey["data"]),
        )


def _orphans(core: Core) -> list[Settled]:
    """Items left mid-handover with no open journey: cannot happen by design; flagged if it does."""
    found = []
    rows = core.store.db.execute(
        "SELECT i.id, i.dossier_code, i.compartment FROM item i WHERE i.state IN ('placing', 'releasing')"
        " AND NOT EXISTS (SELECT 1 FROM journey j WHERE j.item = i.id AND j.ended_at IS NULL)"
    ).fetchall()
    for item_id, code, compartment in rows:
        with core.store.transaction() as db:
            db.table("item").update(item_id, {"state": "uncertain", "outcome": "found mid-handover at start"})
            events.emit(
                core.store,
                "outcome-uncertain",
                actor="kiosk",
                dossier_code=code,
                compartment=compartment,
                cause="found mid-handover at start",
            )
        found.append(Settled("", "item", "orphan", "uncertain"))
    return found
