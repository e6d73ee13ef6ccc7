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


def free_kinds(
    compartments: Iterable[Compartment], sizes: Iterable[str], *, exclude: Collection[str] = ()
) -> list[tuple[str, bool]]:
    """The kinds (size, low door) that would find a free compartment now, for a person to choose
    from before anything is reserved: (size, False) when any fitting one is free, (size, True)
    when a low one is."""
    every = list(compartments)
    free = []
    for size in sizes:
        for low in (False, True):
            comp = choose(every, size, prefer_low=low, exclude=exclude)
            if comp is not None and (not low or comp.position == "low"):
                free.append((size, low))
    return free
