"""An officer or technician signs in: the staff badge QR, then the PIN. Five wrong PINs lock the
badge for 15 minutes. The session ends after ``Rules.idle_timeout_s`` without a touch.

  waiting-badge --badge--> waiting-pin --PIN--> signed-in --idle or sign out--> signed-out
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from kiosk import codes, lockout, staff
from kiosk.core import Core
from kiosk.journeys.machine import Journey
from kiosk.journeys.messages import Say
from kiosk.pickup_codes import check_secret, hash_secret, is_legacy_hash


class SignIn(enum.Enum):
    WAITING_BADGE = "waiting-badge"
    WAITING_PIN = "waiting-pin"
    SIGNED_IN = "signed-in"
    SIGNED_OUT = "signed-out"


class SignInJourney(Journey[SignIn]):
    kind = "signin"
    INITIAL = SignIn.WAITING_BADGE
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        SignIn.WAITING_BADGE: frozenset({SignIn.WAITING_PIN, SignIn.SIGNED_OUT}),
        SignIn.WAITING_PIN: frozenset({SignIn.SIGNED_IN, SignIn.WAITING_BADGE, SignIn.SIGNED_OUT}),
        SignIn.SIGNED_IN: frozenset({SignIn.SIGNED_OUT}),
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {
        SignIn.WAITING_BADGE: ("idle_timeout_s", SignIn.SIGNED_OUT),
        SignIn.WAITING_PIN: ("idle_timeout_s", SignIn.SIGNED_OUT),
    }
    TERMINAL = frozenset({SignIn.SIGNED_OUT})
    BLOCKED_BY = frozenset()  # staff sign in to put a kiosk that is out of service right
    STAFF = True

    def __init__(self, core: Core) -> None:
        super().__init__(core, "staff")
        self.said: tuple[str, str] | None = None
        self.member: dict[str, Any] | None = None
        self.last_touch = core.now()

    @property
    def role(self) -> str | None:
        return self.member["role"] if self.member and self.state is SignIn.SIGNED_IN else None

    def submit_badge(self, text: str) -> None:
        self._require(SignIn.WAITING_BADGE)
        try:
            badge = codes.parse(text)
        except codes.CodeRejected:
            badge = None
        member = staff.find(self.core.store, badge.staff_id) if isinstance(badge, codes.StaffBadge) else None
        if member is None:
            self.said = Say.BADGE_UNKNOWN.format()
            return
        self.member = member
        self.said = None
        self._change_state(SignIn.WAITING_PIN, staff=member["id"])

    def submit_pin(self, pin: str) -> None:
        self._require(SignIn.WAITING_PIN)
        assert self.member is not None
        now = self.core.now()
        member = staff.find(self.core.store, self.member["id"]) or self.member
        if (minutes := lockout.minutes_locked(member, now)) is not None:
            self.said = Say.LOCKED.format(minutes=minutes)
            return
        if check_secret(pin, member["pin_hash"], self.core.pepper):
            change: dict[str, Any] = {"failed_tries": 0, "locked_until": None}
            if is_legacy_hash(member["pin_hash"]):  # hashed before PIN hashes were keyed: now it is
                change["pin_hash"] = hash_secret(pin, self.core.pepper)
            self.core.store.update("staff", member["id"], change)
            self.last_touch = now
            self.said = Say.WELCOME.format(name=member["name"])
            self._change_state(SignIn.SIGNED_IN, staff=member["id"], role=member["role"])
            return
        left = lockout.wrong_try(self.core.store, "staff", member, self.core.rules, now, actor="staff")
        self.said = (
            Say.PIN_WRONG.format(left=left) if left else Say.LOCKED.format(minutes=self._lockout_minutes)
        )

    @property
    def _lockout_minutes(self) -> int:
        return round(self.core.rules.pin_lockout_s / 60)

    def touch(self) -> None:
        """The person touched the screen: the session goes on."""
        self.last_touch = self.core.now()

    def keep_alive(self) -> None:
        super().keep_alive()
        if self.state is SignIn.SIGNED_IN:
            self.touch()

    def sign_out(self) -> None:
        self._change_state(SignIn.SIGNED_OUT, reason="signed out")
        self.said = Say.SIGNED_OUT.format()

    def tick(self) -> None:
        super().tick()
        idle = (self.core.now() - self.last_touch).total_seconds()
        if self.state is SignIn.SIGNED_IN and idle >= self.core.rules.idle_timeout_s:
            self._change_state(SignIn.SIGNED_OUT, reason="no touch")
            self.said = Say.SIGNED_OUT.format()
