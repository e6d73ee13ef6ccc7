"""Choosing a compartment for an item. Pure: compartments in, one of them (or none) out.

The smallest free compartment that fits; a low one first when the person asked for it
(accessibility matters more than size); never one out of service, holding something, or whose
door is not known to be closed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from kiosk.compartments import Compartment

SIZES = ("S", "M", "L")


def fits(compartment: Compartment, size: str) -> bool:
    return SIZES.index(compartment.size) >= SIZES.index(size)


def choose(
    compartments: Iterable[Compartment], size: str, *, prefer_low: bool = False, exclude: Collection[str] = ()
) -> Compartment | None:
    """The compartment to use, or None when no fitting one is free ("no compartment free")."""
    candidates = [c for c in compartments if c.usable and c.id not in exclude and fits(c, size)]

    def rank(c: Compartment) -> tuple[bool, int, str]:
        return (prefer_low and c.position != "low", SIZES.index(c.size), c.id)

    return min(candidates, key=rank, default=None)
