"""Reconciling after a crash or power cut (DESIGN §5), run at every start before any journey.

Every journey left open is settled against what the boards report now:
- it had not committed an unlock intent: nothing physical happened; it ends as interrupted;
- it had: only what the boards prove is recorded. A closed door with the sensor showing nothing
  changed: the handover did not happen. A journey whose door had been proven open, now closed with
  the sensor showing the change (a result or dossier inside, an item gone): the handover is
  completed with its event, exactly as the journey would have. Anything else (no sensor, a door
  still open, a board that cannot be read, a crash between the frame and its proof) becomes
  "uncertain" with an event, for the next officer to settle, never guessed.
- a compartment reopened after its journey's end ("Mở lại ngăn"): a pickup's had been emptied
  already, so it ends as it had (done; an item the sensor shows there is found as unknown, below);
  a drop-off's deposited dossier is settled as a release: still inside, it stays deposited; proven
  gone after the door had been proven open, it was taken back (its event); else uncertain.
Doors are recorded as the boards read them, so assignment never trusts a stale "closed".
A pickup interrupted while its fee was being paid ends as interrupted like any other before its
unlock: a payment confirmed before the crash is a fact already (the next visit owes only what is
left), and confirmations that came while the kiosk was down are settled here
(``payments.settle_news``). Cash in the validator is read by its session's first poll
(kiosk/cash_session.py ``recover``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.lockboard.bus import BoardStatus
from kiosk import events, payments
from kiosk.core import Core
from kiosk.journeys.dropoff import record_deposited, record_taken_back
from kiosk.journeys.load import record_loaded
from kiosk.journeys.officer import CollectJourney, SettleJourney, WithdrawJourney
from kiosk.journeys.pickup import PickupJourney
from kiosk.journeys.placing import record_unknown_item
from kiosk.journeys.releasing import ReleasingJourney, record_released

log = logging.getLogger("kiosk.recovery")
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
    # reopened after the end (kiosk/journeys/after.py)
    ("pickup", "reopening"): "emptied",
    ("pickup", "reopened"): "emptied",
    ("dropoff", "reopening"): "releasing",
    ("dropoff", "reopened"): "releasing",
}
DOOR_PROVEN = frozenset({"door-open", "reopened"})  # states entered once the unlock was proven
# how a deposited dossier's reopened journey ends, in the words the journey itself would use
REOPENED_ENDS = {
    ("dropoff", "releasing", "completed"): "taken-back",
    ("dropoff", "releasing", "not taken"): "deposited",
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
    settled = [_settle_safely(core, row, readings) for row in journeys]
    settled += _orphans(core)
    settled += _unknown_items(core, readings)
    payments.settle_news(core)
    return settled


def abandon(core: Core, journey_id: str) -> Settled | None:
    """End one journey that its own code can no longer be trusted to finish (an unexpected error
    in the middle of it): settled from the store and the boards exactly as after a crash. None
    when the store says it has ended already."""
    rows = list(core.store.db.query("SELECT * FROM journey WHERE id = ? AND ended_at IS NULL", [journey_id]))
    if not rows:
        return None
    return _settle_safely(core, rows[0], core.lockers.read_boards())


def _settle_safely(core: Core, journey: dict[str, Any], readings: dict[tuple[str, int], Any]) -> Settled:
    """``_settle``, and when a stored row cannot be interpreted (a value out of bounds from an older
    version, a damaged field), its item becomes uncertain for an officer rather than a crash that
    would repeat at every start."""
    try:
        return _settle(core, journey, readings)
    except Exception as exc:  # any row at all must leave recovery able to go on
        log.exception("journey %s could not be settled from its row", journey.get("id"))
        cause = f"recovery could not interpret the journey's row ({type(exc).__name__})"
        with core.store.transaction() as db:
            item = journey.get("item")
            row = db.execute(
                "SELECT dossier_code, compartment, state FROM item WHERE id = ?", [item]
            ).fetchone()
            if row is not None and row[2] != "gone":
                db.execute("UPDATE item SET state = 'uncertain', outcome = ? WHERE id = ?", [cause, item])
                events.emit(core.store, "outcome-uncertain", actor="kiosk", dossier_code=row[0],
                            compartment=row[1], cause=cause, journey=journey.get("id"))  # fmt: skip
            _end(core, journey, "uncertain", data=None)
        return Settled(
            str(journey.get("id")), str(journey.get("kind")), str(journey.get("state")), "uncertain"
        )


def _settle(core: Core, journey: dict[str, Any], readings: dict[tuple[str, int], Any]) -> Settled:
    kind, state = journey["kind"], journey["state"]
    if (kind, state) not in AFTER_INTENT or journey["item"] is None:
        _end(core, journey, "interrupted")
        return Settled(journey["id"], kind, state, "interrupted")
    role = AFTER_INTENT[(kind, state)]
    if role == "emptied":  # its result was picked up before the reopen: that stands
        _end(core, journey, "done")
        return Settled(journey["id"], kind, state, "completed")
    item = next(core.store.db.query("SELECT * FROM item WHERE id = ?", [journey["item"]]))
    comp = next(c for c in core.compartments() if c.id == journey["compartment"])
    status = readings.get((comp.bus, comp.board))
    sensed = _sensed(status, comp.lock)
    outcome = _provable(role, state, sensed)
    data = json.loads(journey["data"])
    with core.store.transaction() as db:
        if outcome == "not placed":
            db.table("item").update(journey["item"], {"state": "gone", "outcome": "not placed (recovered)"})
        elif outcome == "not taken":
            db.table("item").update(journey["item"], {"state": "held"})
        elif outcome == "completed":
            _complete(core, journey, item, comp.id, data, role)
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
        _end(core, journey, REOPENED_ENDS.get((kind, role, outcome), outcome))
    return Settled(journey["id"], kind, state, outcome)


def _complete(
    core: Core, journey: dict[str, Any], item: dict[str, Any], compartment: str, data: Any, role: str
) -> None:
    """The door had been proven open for this journey and the board now proves its end: the same
    record the journey would have made, had it seen the door close."""
    kind, code, actor = journey["kind"], item["dossier_code"], journey["actor"]
    if kind == "dropoff" and role == "releasing":  # a deposited dossier reopened, and now gone
        record_taken_back(core.store, item=item["id"], code=code, compartment=compartment)
    elif kind == "load":
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


def _provable(role: str, state: str, sensed: str | None) -> str:
    placing = role == "placing"
    releasing = role == "releasing"
    if placing and sensed == "closed empty":
        return "not placed"  # the result or the dossier never went in
    if (releasing or role == "checking") and sensed == "closed with item":
        return "not taken"  # the item is still there
    if state in DOOR_PROVEN and (
        (placing and sensed == "closed with item") or (releasing and sensed == "closed empty")
    ):
        return "completed"  # the unlock was proven for this journey, and the sensor proves the rest
    return "uncertain"


def _end(core: Core, journey: dict[str, Any], outcome: str, *, data: Any = ...) -> None:
    now = core.store.now()
    with core.store.transaction() as db:
        db.execute(
            "UPDATE journey SET ended_at = ?, updated_at = ?, outcome = ? WHERE id = ?",
            [now, now, outcome, journey["id"]],
        )
        core.store.audit(
            "kiosk",
            f"journey:{journey['kind']}:recovered",
            journey["id"],
            outcome=outcome,
            state=journey["state"],
            data=json.loads(journey["data"]) if data is ... else data,
        )


def _unknown_items(core: Core, readings: dict[tuple[str, int], Any]) -> list[Settled]:
    """Compartments the store says are empty whose sensor shows an item (a database lost or
    replaced, an item pushed through a forced door): each becomes an uncertain item."""
    found = []
    for comp in core.compartments():
        status = readings.get((comp.bus, comp.board))
        if comp.holds is None and isinstance(status, BoardStatus) and status.has_item(comp.lock):
            with core.store.transaction():
                record_unknown_item(core.store, comp.id, actor="kiosk")
            found.append(Settled("", "item", "unknown", "uncertain"))
    return found


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
