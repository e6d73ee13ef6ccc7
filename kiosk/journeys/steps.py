"""Where a person is in a journey of several steps, for the screen's "Bước 2/4": one table for
every journey. A journey of one step (a look-up, a pickup by QR) shows none."""

from __future__ import annotations

from typing import Any

from kiosk.journeys.machine import Journey

# (journey kind, where it is) -> (this step, of how many)
STEPS: dict[tuple[str, str], tuple[int, int]] = {
    ("pickup", "waiting-code"): (1, 3),
    ("pickup", "waiting-pin"): (2, 3),
    ("pickup", "opening"): (3, 3),
    ("pickup", "door-open"): (3, 3),
    ("dropoff", "waiting-code"): (1, 4),
    ("dropoff", "waiting-phone"): (2, 4),
    ("dropoff", "reviewing"): (3, 4),
    ("dropoff", "opening"): (4, 4),
    ("dropoff", "door-open"): (4, 4),
}


def step_of(journey: Journey[Any]) -> tuple[int, int] | None:
    """(n, m) for "Bước n/m", or None where no step is shown."""
    where = journey.state.value
    if journey.kind == "pickup":
        if journey.data.get("via") == "qr":  # scanned: the door opens with no step to count
            return None
        if where == "waiting-code" and getattr(journey, "needs_pin", False):
            where = "waiting-pin"
    return STEPS.get((journey.kind, where))
