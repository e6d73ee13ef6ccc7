"""Which journey a code scanned at the idle screen starts: a pickup QR starts a pickup (the
citizen need not touch anything first); a staff badge starts a sign-in; anything else waits for
the person to choose, since a receipt's QR may be for a drop-off or a look-up."""

from __future__ import annotations

from kiosk import codes


def journey_for(text: str) -> str | None:
    try:
        parsed = codes.parse(text)
    except codes.CodeRejected:
        return None
    if isinstance(parsed, codes.PickupToken):
        return "pickup"
    if isinstance(parsed, codes.StaffBadge):
        return "signin"
    return None
