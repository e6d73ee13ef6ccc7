"""Which journey a code scanned at the idle screen starts: a pickup QR starts a pickup (the
citizen need not touch anything first); a staff badge starts a sign-in; anything else waits for
the person to choose, since a receipt's QR may be for a drop-off or a look-up.

A pickup QR that claims to be this kiosk's but whose MAC does not verify is "forged": it starts
nothing, so a stranger holding up made-up tokens writes no journey (a row and two audit entries
each, which can never be deleted) and cannot fill the disk that way; the screen still says the
code is not valid. Another kiosk's token does start a pickup, which tells the citizen where to go.
"""

from __future__ import annotations

from kiosk import codes
from kiosk.core import Core
from kiosk.pickup_codes import token_is_genuine

FORGED = "forged"


def journey_for(text: str, core: Core) -> str | None:
    try:
        parsed = codes.parse(text)
    except codes.CodeRejected:
        return None
    if isinstance(parsed, codes.PickupToken):
        if parsed.kiosk_id == core.kiosk_id and not token_is_genuine(core.token_key, parsed):
            return FORGED
        return "pickup"
    if isinstance(parsed, codes.StaffBadge):
        return "signin"
    return None
