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
    # a result only its holder may take (issue 14): the card is a step of its own before the door,
    # known once the code names the result; after a scanned QR, the scan was the first step
    ("pickup+holder", "waiting-code"): (1, 4),
    ("pickup+holder", "waiting-pin"): (2, 4),
    ("pickup+holder", "holder-check"): (3, 4),
    ("pickup+holder", "opening"): (4, 4),
    ("pickup+holder", "door-open"): (4, 4),
    ("pickup+holder+qr", "holder-check"): (2, 3),
    ("pickup+holder+qr", "opening"): (3, 3),
    ("pickup+holder+qr", "door-open"): (3, 3),
    ("dropoff", "waiting-code"): (1, 4),
    ("dropoff", "waiting-phone"): (2, 4),
    ("dropoff", "reviewing"): (3, 4),
    ("dropoff", "opening"): (4, 4),
    ("dropoff", "door-open"): (4, 4),
}


def step_of(journey: Journey[Any]) -> tuple[int, int] | None:
    """(n, m) for "Bước n/m", or None where no step is shown."""
    where, kind = journey.state.value, journey.kind
    if kind == "pickup":
        if journey.data.get("holder"):  # the holder's card asked for (or matched)
            kind += "+holder" + ("+qr" if journey.data.get("via") == "qr" else "")
        elif journey.data.get("via") == "qr":  # scanned: the door opens with no step to count
            return None
        if where == "waiting-code" and getattr(journey, "needs_pin", False):
            where = "waiting-pin"
    return STEPS.get((kind, where))
