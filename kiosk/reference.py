"""A journey's short reference: what a person at the screen reads out on the phone or at the
counter ("4F3A-91C2"), and what an officer types to find that journey (``kiosk journey REF``).

It is the first 32 bits of the journey's id (a UUID4), the same eight characters the logs name a
journey by; it tells nothing about the person. Two journeys share one in about 1 in 4 billion,
and the look-up lists every journey that matches."""

from __future__ import annotations

import re

HEX = re.compile(r"^[0-9A-Fa-f]{8}$")


class BadReference(ValueError):
    """Not eight hexadecimal characters (a dash or space in the middle allowed)."""


def reference_of(journey_id: str) -> str:
    """``4F3A-91C2``; empty for an id that is not a journey's (nothing to look up by it)."""
    head = journey_id.replace("-", "")[:8].upper()
    return f"{head[:4]}-{head[4:]}" if HEX.fullmatch(head) else ""


def id_prefix(reference: str) -> str:
    """The start of the journey id a reference stands for (lower-case hex), or ``BadReference``."""
    bare = reference.strip().replace("-", "").replace(" ", "")
    if not HEX.fullmatch(bare) or not bare.isascii():
        raise BadReference(
            "a reference is eight characters, digits and the letters A to F, like 4F3A-91C2;"
            f" got {reference[:40]!r}"
        )
    return bare.lower()
