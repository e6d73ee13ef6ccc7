"""What a person may still do once a pickup or a drop-off has ended, and what they may say while a
door is open; the rules both journeys share.

"Mở lại ngăn": the same compartment opens once more, within ``[rules] reopen_grace_s`` of the end,
once per journey. The journey leaves its end state for a reopening state of its own table (its row
is open again, so recovery settles it after a crash like any other unlock) and ends again on what
the sensor shows when the door closes.

"Cửa không mở?": the person says the door did not open. The board's reading decides what is
believed (kiosk/journeys/releasing.py and placing.py say how for each journey); a report believed
takes the compartment out of service with an alarm for the office, as a jam does. So that nobody can
empty the machine of compartments with it, at most ``[rules] door_claims`` reports are believed per
``door_claims_window_s`` across the kiosk (and one per journey); beyond that a report is recorded
and the person sent for help, and nothing is taken out of service. Every report is audited with
what the board read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from kiosk import compartments, events
from kiosk.clock import stamp
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say

if TYPE_CHECKING:
    from kiosk.compartments import Compartment
    from kiosk.journeys.machine import Journey

BELIEVED = "door-claim:believed"
NOT_BELIEVED = "door-claim:not-believed"
OVER_LIMIT = "door-claim:over-limit"


def reopen_refused(journey: Journey[Any]) -> tuple[str, str] | None:
    """Why ``journey`` may not be reopened now (the words for the person), or None when it may.
    A state it cannot be reopened from (its ``AFTER_END``) is a stale screen: IllegalStep."""
    if journey.state not in getattr(journey, "AFTER_END", frozenset()):
        raise IllegalStep(f"{journey.kind} is {journey.state.value}: nothing to reopen")
    if journey.data.get("reopened"):
        return Say.REOPEN_ONCE.format()
    if journey.seconds_in_state() >= journey.core.rules.reopen_grace_s:
        return Say.REOPEN_TOO_LATE.format()
    return None


def offers(journey: Journey[Any]) -> tuple[str, ...]:
    """What the person may do now besides leaving: "door-not-opened" while a door of theirs is
    open, "reopen" just after the end (once, within the grace period)."""
    ended: frozenset[Any] = getattr(journey, "AFTER_END", frozenset())
    if journey.state in getattr(journey, "DOOR_SHOWN", frozenset()):
        return ("door-not-opened",)
    fresh = journey.seconds_in_state() < journey.core.rules.reopen_grace_s
    return ("reopen",) if journey.state in ended and not journey.data.get("reopened") and fresh else ()


def may_believe(journey: Journey[Any]) -> bool:
    """Whether one more report may take a compartment out of service: one per journey, and no
    more than the rules allow across the kiosk in their window."""
    if journey.data.get("claimed"):
        return False
    rules = journey.core.rules
    since = stamp(journey.core.now() - timedelta(seconds=rules.door_claims_window_s))
    believed = journey.core.store.db.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action = ? AND at > ?", [BELIEVED, since]
    ).fetchone()[0]
    return int(believed) < rules.door_claims


def record_claim(journey: Journey[Any], action: str, compartment: str, **read: Any) -> None:
    """The report in the audit log, with what the board read (inside the caller's transaction)."""
    if action == BELIEVED:
        journey.data["claimed"] = True
    journey.core.store.audit(journey.actor, action, compartment, journey=journey.id, **read)


def read_door(journey: Journey[Any], comp: Compartment) -> tuple[str | None, bool | None, dict[str, Any]]:
    """The board's reading now: the door ("closed", "open", None unreadable), the item sensor
    (None without one or unreadable), and both as the audit records them."""
    status = journey.core.read(comp)
    door = None if status is None else ("closed" if status.is_locked(comp.lock) else "open")
    item = None if status is None else status.has_item(comp.lock)
    return door, item, {"door": door or "unreadable", "item": item, "state": journey.state.value}


def report_believed(journey: Journey[Any], comp: Compartment, door: str | None, read: dict[str, Any]) -> None:
    """A report believed, as a jam: the compartment out of service (its maintenance event), an
    alarm for the office, the report audited, the door as read. Inside the caller's transaction."""
    store = journey.core.store
    journey.core.take_out_of_service(
        comp.id, "the citizen reports the door did not open", actor=journey.actor
    )
    record_claim(journey, BELIEVED, comp.id, **read)
    problem = f"the citizen reports the door did not open (door {read['door']})"
    events.emit(store, "alarm", actor="kiosk", compartment=comp.id, journey=journey.id, problem=problem)
    if door is not None:
        compartments.record_door(store, comp.id, door)
