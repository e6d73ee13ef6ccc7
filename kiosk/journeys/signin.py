"""An officer or technician signs in: the staff badge QR, then the PIN.

A badge is never told apart from another before its PIN: every well-formed badge is asked for a
PIN, and a wrong PIN and an unknown badge get one answer, in the same time (an unknown badge's PIN
is checked against a stand-in hash), so badges cannot be enumerated at the screen. Wrong PINs are
counted per badge, known or not (``Rules.pin_tries`` lock it for ``Rules.pin_lockout_s``), and
across the kiosk (``Rules.staff_failures`` in ``Rules.staff_window_s`` slow every sign-in down).
The session ends after ``Rules.idle_timeout_s`` without a touch.

  waiting-badge --badge--> waiting-pin --PIN--> signed-in --idle or sign out--> signed-out
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from functools import cache
from typing import Any, ClassVar

from kiosk import codes, lockout, staff
from kiosk.core import Core
from kiosk.journeys.machine import Journey, step
from kiosk.journeys.messages import Say
from kiosk.pickup_codes import check_secret, hash_secret, is_legacy_hash

FAILURES = "staff_failure"


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
        self.badge: str | None = None  # the id the badge carries, known or not
        self.member: dict[str, Any] | None = None  # set once signed in
        self.last_touch = core.now()

    @property
    def role(self) -> str | None:
        return self.member["role"] if self.member and self.state is SignIn.SIGNED_IN else None

    @step
    def submit_badge(self, text: str) -> None:
        self._require(SignIn.WAITING_BADGE)
        try:
            badge = codes.parse(text)
        except codes.CodeRejected:
            badge = None
        if not isinstance(badge, codes.StaffBadge):  # not a badge at all: that says nothing of staff
            self.said = Say.BADGE_UNKNOWN.format()
            return
        self.badge = badge.staff_id
        self._change_state(SignIn.WAITING_PIN, badge=badge.staff_id)

    @step
    def submit_pin(self, pin: str) -> None:
        self._require(SignIn.WAITING_PIN)
        assert self.badge is not None
        now = self.core.now()
        rules = self.core.rules
        limit, window = rules.staff_failures, rules.staff_window_s
        busy = lockout.longest(
            now,
            lockout.busy_until(self.core.store, FAILURES, now, limit=limit, window_s=window),
            self.core.staff_failures.wait_s(self.core.monotonic(), limit=limit, window_s=window),
        )
        if busy is not None:
            self.said = Say.SIGNIN_BUSY.format(minutes=_minutes(busy))
            return
        if (minutes := self._badge_locked(now)) is not None:
            self.said = Say.BADGE_LOCKED.format(minutes=minutes)
            return
        member = staff.find(self.core.store, self.badge)
        # an unknown badge's PIN is checked too, against a stand-in: the same answer in the same time
        stored = member["pin_hash"] if member is not None else _stand_in_hash(self.core.pepper)
        if check_secret(pin, stored, self.core.pepper) and member is not None:
            self._signed_in(member, pin, now)
            return
        self._wrong_pin(now)

    def _signed_in(self, member: dict[str, Any], pin: str, now: datetime) -> None:
        if is_legacy_hash(member["pin_hash"]):  # hashed before PIN hashes were keyed: now it is
            self.core.store.update("staff", member["id"], {"pin_hash": hash_secret(pin, self.core.pepper)})
        self.member = member
        self.last_touch = now
        self.said = Say.WELCOME.format(name=member["name"])
        self._change_state(SignIn.SIGNED_IN, staff=member["id"], role=member["role"])

    def _wrong_pin(self, now: datetime) -> None:
        store = self.core.store
        with store.transaction():
            lockout.record_failure(store, FAILURES, now, self.badge)
            store.audit("staff", "staff-pin-wrong", self.badge)
        self.core.staff_failures.add(self.core.monotonic())
        left = self.core.rules.pin_tries - self._failures(now)
        if left > 0:
            self.said = Say.SIGNIN_REFUSED.format(left=left)
        else:
            self.said = Say.BADGE_LOCKED.format(
                minutes=_minutes(timedelta(seconds=self.core.rules.pin_lockout_s))
            )

    def _failures(self, now: datetime) -> int:
        since = (now - timedelta(seconds=self.core.rules.pin_lockout_s)).isoformat()
        row = self.core.store.db.execute(
            f"SELECT COUNT(*) FROM {FAILURES} WHERE badge = ? AND at > ?", [self.badge, since]
        ).fetchone()
        return int(row[0])

    def _badge_locked(self, now: datetime) -> int | None:
        """Minutes this badge stays locked after ``pin_tries`` wrong PINs, whoever's it is."""
        rules = self.core.rules
        until = lockout.busy_until(
            self.core.store, FAILURES, now, limit=rules.pin_tries, window_s=rules.pin_lockout_s,
            where=" AND badge = ?", args=(self.badge,),
        )  # fmt: skip
        return None if until is None else _minutes(until - now)

    def touch(self) -> None:
        """The person touched the screen: the session goes on."""
        self.last_touch = self.core.now()

    def keep_alive(self) -> None:
        super().keep_alive()
        if self.state is SignIn.SIGNED_IN:
            self.touch()

    @step
    def sign_out(self) -> None:
        self._change_state(SignIn.SIGNED_OUT, reason="signed out")
        self.said = Say.SIGNED_OUT.format()

    def tick(self) -> None:
        super().tick()
        now = self.core.now()
        if now < self.last_touch:  # the clock went back: the session lasts its length from now
            self.last_touch = now
        idle = (now - self.last_touch).total_seconds()
        if self.state is SignIn.SIGNED_IN and idle >= self.core.rules.idle_timeout_s:
            self._change_state(SignIn.SIGNED_OUT, reason="no touch")
            self.said = Say.SIGNED_OUT.format()


def _minutes(delta: timedelta) -> int:
    return max(1, round(delta.total_seconds() / 60))


@cache
def _stand_in_hash(pepper: bytes) -> str:
    return hash_secret("not a PIN anyone has", pepper)
