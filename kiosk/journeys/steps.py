"""Where a person is in a journey of several steps, for the screen's "Bước 2/4": one table for
every journey. A journey of one step (a look-up, a pickup by QR) shows none.

A pickup's steps depend on its dossier (issue 14): the holder's ID card where the result goes only
to its holder, the fee where one is due and the kiosk takes fees (else it is paid at the counter,
and the pickup ends there), before the door; they are counted once the code has said
which dossier it is. After a scanned QR, the scan was the first step (and alone before the door,
no step is shown)."""

from __future__ import annotations

from typing import Any

from kiosk.journeys.machine import Journey

# (journey kind, where it is) -> (this step, of how many)
STEPS: dict[tuple[str, str], tuple[int, int]] = {
    ("dropoff", "waiting-code"): (1, 4),
    ("dropoff", "waiting-phone"): (2, 4),
    ("dropoff", "reviewing"): (3, 4),
    ("dropoff", "opening"): (4, 4),
    ("dropoff", "door-open"): (4, 4),
}
# a pickup's states -> the part of it they are, in the order a pickup goes through them
PICKUP_PARTS = {
    "waiting-code": "code",
    "waiting-pin": "pin",
    "holder-check": "holder",
    "fee-due": "fee",
    "paying-qr": "fee",
    "paying-cash": "fee",
    "opening": "door",
    "door-open": "door",
}


def step_of(journey: Journey[Any]) -> tuple[int, int] | None:
    """(n, m) for "Bước n/m", or None where no step is shown."""
    where = journey.state.value
    if journey.kind == "pickup":
        return _pickup_step(journey, where)
    return STEPS.get((journey.kind, where))


def _pickup_step(journey: Journey[Any], where: str) -> tuple[int, int] | None:
    if where == "waiting-code" and getattr(journey, "needs_pin", False):
        where = "waiting-pin"
    data = journey.data
    parts = ["scan"] if data.get("via") == "qr" else ["code", "pin"]
    if data.get("holder"):  # the holder's card asked for (or matched)
        parts.append("holder")
    if data.get("fee_due") and journey.core.cfg.fees is not None:  # paid here: a step of its own
        parts.append("fee")
    parts.append("door")
    part = PICKUP_PARTS.get(where)
    if part not in parts or parts == ["scan", "door"]:  # a scan, then the door: nothing to count
        return None
    return parts.index(part) + 1, len(parts)
