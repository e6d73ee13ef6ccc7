"""A citizen picks up a result: the QR token from the SMS or slip (verified offline), or the dossier
code and the 6-digit PIN; the dossier is shown (name masked) with any fee; the compartment opens;
the door is closed with the result gone (where the board senses items): "result picked up".

  waiting-code --token or code+PIN--> verified | fee-due --settled--> verified --open--> opening
  fee-due --pay_by_qr | pay_by_cash--> paying-qr | paying-cash --paid--> verified (kiosk/journeys/paying.py)
  opening --proven--> door-open --closed, result gone--> done | --closed, result inside--> not-taken
  opening --jam--> jammed;  --unprovable--> uncertain;  cancel or idle before opening
  after the end, once, within [rules] reopen_grace_s ("Mở lại ngăn", kiosk/journeys/after.py):
  not-taken --reopen--> opening (the result still inside: released as the first time)
  done --reopen--> reopening --proven--> reopened --closed empty--> done | --closed on an item--> item-left
       reopening --jam or unprovable--> done (the result was out already)
  door-open --"the door did not open", believed--> door-not-opened (the result held or uncertain)
  a result only its holder may take (issue 14), between the code and the fee or the opening:
  verified code --> holder-check --the card's ID matches--> fee-due | verified (| opening)
  holder-check --another card, a card unreadable twice--> holder-refused;  no key: refused at once

Waiting for the code is two steps on the screen: the code, then (for a typed code) the PIN, with
Back between them keeping the code. A dossier locked by wrong PINs, or a kiosk slowed by them,
says until when (``locked_until``), so the screen can hold its keys until then.
The holder's card (``submit_card``, its own part in kiosk/journeys/holder_check.py) is asked for
once the code is verified, when the result is for its holder only.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime, timedelta
from typing import Any, ClassVar

from kiosk import board_outage, codes, entries, lockout, receipts, status
from kiosk.core import Core
from kiosk.journeys.holder_check import HolderChecking
from kiosk.journeys.machine import IllegalStep, step
from kiosk.journeys.messages import Say
from kiosk.journeys.paying import PayingJourney
from kiosk.pickup_codes import check_secret, token_is_genuine

CITIZEN = "citizen"
# the end of a dossier code is enough where it names one result held here: the daily sequence
# ("0099"), or the date and the sequence ("220921-0099"); ASCII digits only (DESIGN §7)
TAIL = re.compile(r"[0-9]{4,8}(?:-[0-9]{4,8})?")


class Pickup(enum.Enum):
    WAITING_CODE = "waiting-code"
    FEE_DUE = "fee-due"
    VERIFIED = "verified"
    OPENING = "opening"
    DOOR_OPEN = "door-open"
    DONE = "done"
    NOT_TAKEN = "not-taken"
    JAMMED = "jammed"
    UNCERTAIN = "uncertain"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed-out"
    REOPENING = "reopening"
    REOPENED = "reopened"
    ITEM_LEFT = "item-left"
    NOT_OPENED = "door-not-opened"
    # issue 14: the fee paid at the kiosk (kiosk/journeys/paying.py)
    PAYING_QR = "paying-qr"
    PAYING_CASH = "paying-cash"
    PAYMENT_PROBLEM = "payment-problem"
    # issue 14: a result for its holder only (kiosk/journeys/holder_check.py)
    HOLDER_CHECK = "holder-check"
    HOLDER_REFUSED = "holder-refused"


BEFORE_UNLOCK = frozenset({Pickup.WAITING_CODE, Pickup.FEE_DUE, Pickup.VERIFIED, Pickup.HOLDER_CHECK})
PAYING = frozenset({Pickup.PAYING_QR, Pickup.PAYING_CASH})


class PickupJourney(PayingJourney[Pickup], HolderChecking[Pickup]):
    kind = "pickup"
    OPENING, DOOR_OPEN, RELEASED = Pickup.OPENING, Pickup.DOOR_OPEN, Pickup.DONE
    NOT_TAKEN, JAMMED, UNCERTAIN = Pickup.NOT_TAKEN, Pickup.JAMMED, Pickup.UNCERTAIN
    REOPENING, REOPENED, ITEM_LEFT, NOT_OPENED = (
        Pickup.REOPENING,
        Pickup.REOPENED,
        Pickup.ITEM_LEFT,
        Pickup.NOT_OPENED,
    )
    RELEASE_EVENT, RELEASE_OUTCOME = "result-picked-up", "picked up"
    SAY_OPEN, SAY_RELEASED = Say.TAKE_RESULT, Say.THANK_YOU
    FEE_DUE, PAYING_QR, PAYING_CASH, PAYMENT_PROBLEM = (
        Pickup.FEE_DUE,
        Pickup.PAYING_QR,
        Pickup.PAYING_CASH,
        Pickup.PAYMENT_PROBLEM,
    )
    VERIFIED, TIMED_OUT = Pickup.VERIFIED, Pickup.TIMED_OUT
    INITIAL = Pickup.WAITING_CODE
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        Pickup.WAITING_CODE: frozenset(
            {
                Pickup.VERIFIED,
                Pickup.FEE_DUE,
                Pickup.CANCELLED,
                Pickup.TIMED_OUT,
                Pickup.HOLDER_CHECK,
                Pickup.HOLDER_REFUSED,
            }
        ),
        Pickup.HOLDER_CHECK: frozenset(
            {Pickup.VERIFIED, Pickup.FEE_DUE, Pickup.HOLDER_REFUSED, Pickup.CANCELLED, Pickup.TIMED_OUT}
        ),
        Pickup.FEE_DUE: frozenset({Pickup.VERIFIED, Pickup.CANCELLED, Pickup.TIMED_OUT, *PAYING}),
        Pickup.VERIFIED: frozenset({Pickup.OPENING, Pickup.CANCELLED, Pickup.TIMED_OUT}),
        Pickup.OPENING: frozenset({Pickup.DOOR_OPEN, Pickup.JAMMED, Pickup.UNCERTAIN}),
        Pickup.DOOR_OPEN: frozenset({Pickup.DONE, Pickup.NOT_TAKEN, Pickup.NOT_OPENED}),
        # after the end (kiosk/journeys/after.py)
        Pickup.NOT_TAKEN: frozenset({Pickup.OPENING}),
        Pickup.DONE: frozenset({Pickup.REOPENING}),
        Pickup.REOPENING: frozenset({Pickup.REOPENED, Pickup.DONE}),
        Pickup.REOPENED: frozenset({Pickup.DONE, Pickup.ITEM_LEFT}),
        # the fee paid at the kiosk; the QR's wait is [fees] qr_wait_s (paying.py), not the idle timeout
        Pickup.PAYING_QR: frozenset(
            {Pickup.VERIFIED, Pickup.FEE_DUE, Pickup.PAYMENT_PROBLEM, Pickup.CANCELLED, Pickup.TIMED_OUT}
        ),
        Pickup.PAYING_CASH: frozenset({Pickup.VERIFIED, Pickup.FEE_DUE, Pickup.CANCELLED, Pickup.TIMED_OUT}),
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {
        s: ("idle_timeout_s", Pickup.TIMED_OUT) for s in BEFORE_UNLOCK | {Pickup.PAYING_CASH}
    }
    CANCELLABLE, CANCELLED = BEFORE_UNLOCK | PAYING, Pickup.CANCELLED
    # the ends it may be reopened from, and the states a door of the citizen's is open in
    AFTER_END = frozenset({Pickup.DONE, Pickup.NOT_TAKEN})
    DOOR_SHOWN = frozenset({Pickup.DOOR_OPEN, Pickup.REOPENED})
    TERMINAL = frozenset({Pickup.DONE, Pickup.NOT_TAKEN, Pickup.JAMMED, Pickup.UNCERTAIN, Pickup.CANCELLED,
                          Pickup.TIMED_OUT, Pickup.ITEM_LEFT, Pickup.NOT_OPENED,
                          Pickup.PAYMENT_PROBLEM, Pickup.HOLDER_REFUSED})  # fmt: skip
    HOLDER_CHECK, HOLDER_REFUSED = Pickup.HOLDER_CHECK, Pickup.HOLDER_REFUSED

    def __init__(self, core: Core, *, auto_open: bool = False) -> None:
        """``auto_open``: open as soon as the code is verified and no fee is due, as the screen
        does (verification, opening and the unlock intent then commit together)."""
        super().__init__(core, CITIZEN)
        self.auto_open = auto_open
        self.needs_pin = False
        self.locked_until: datetime | None = None  # no PIN is taken until then (data: its time of day)

    # -- what the citizen does -------------------------------------------------------------------

    @step
    def submit_code(self, text: str) -> None:
        """A scanned QR, or a typed dossier code (a PIN is then asked for)."""
        self._require(Pickup.WAITING_CODE)
        self.needs_pin = False  # a code given (again) is the code step, whatever was given before
        self._unlock_keys()
        if TAIL.fullmatch(text.strip()):
            self._by_tail(text.strip())
            return
        parsed = self._parse(text)
        if parsed is None:
            return
        if isinstance(parsed, codes.PickupToken):
            self._by_token(parsed)
        elif (dossier := codes.dossier_of(parsed)) is not None:
            item = self._held(dossier.code)
            if item is None:
                self.said = self._why_not_here(dossier.code)
                return
            self._ask_pin(item)
        else:
            self._reject(codes.Rejection.UNKNOWN)

    def _by_tail(self, tail: str) -> None:
        """The last digits of the code, as a person in a hurry types them: the one result held
        here whose code ends so, else typed in full. It tells no more than a full code would:
        codes are shaped by unit, date and a daily number, so the PIN is the guard, not the code."""
        rows = self.core.store.db.execute(
            "SELECT dossier_code FROM item WHERE kind = 'result' AND state = 'held'"
            " AND (dossier_code LIKE '%-' || ? OR dossier_code LIKE '%.' || ?) LIMIT 2",
            [tail, tail],
        ).fetchall()
        if len(rows) > 1:
            self.said = Say.TAIL_AMBIGUOUS.format(tail=tail)
            return
        item = self._held(rows[0][0]) if rows else None
        if item is None:
            self.said = Say.NOT_HERE.format(code=tail)
            return
        self._ask_pin(item)

    def _ask_pin(self, item: dict[str, Any]) -> None:
        self.data.update(code=item["dossier_code"], via="code")
        if self._requires_holder(item):  # said now, so the steps count the card's too
            self.data["holder"] = "asked"
        else:
            self.data.pop("holder", None)
        self.needs_pin = True
        self._still_locked(item)  # said now, before a PIN is typed for nothing

    @step
    def back(self) -> None:
        """From the PIN back to the code, which is kept (``data["code"]``) to be corrected; from
        paying back to the fee, to pay another way."""
        if self.state in PAYING:
            self._back_to_fee_due()
            return
        self._require(Pickup.WAITING_CODE)
        if not self.needs_pin:
            raise IllegalStep("the code is the first step: nothing to go back to")
        self.needs_pin = False
        self._unlock_keys()

    @step
    def submit_pin(self, pin: str) -> None:
        self._require(Pickup.WAITING_CODE)
        if not self.needs_pin:
            raise IllegalStep("no dossier code was given before the PIN")
        if entries.pickup_pin(pin) is None:
            self.said = Say.PIN_FORMAT.format()
            return
        item = self._held(self.data["code"])
        if item is None:  # picked up or withdrawn since the code was typed
            self.said = self._why_not_here(self.data["code"])
            return
        if self._still_locked(item):
            return
        if check_secret(pin, item["pin_hash"] or "", self.core.pepper):
            self.core.store.db.table("item").update(item["id"], {"failed_tries": 0})
            self._verified(item)
        else:
            self._wrong_pin(item, self.core.now())

    @step
    def settle_fee(self) -> None:
        """The fee is paid (the payment issue calls this once the money is confirmed)."""
        self._require(Pickup.FEE_DUE)
        self._change_state(Pickup.VERIFIED, fee="settled")

    @step
    def open(self) -> None:
        self._require(Pickup.VERIFIED)
        if self._board_silent(self.data["compartment"]):
            return
        self._release()

    @step
    def reopen(self) -> None:
        """ "Mở lại ngăn": the same compartment once more, soon after the end."""
        self._reopen()

    @step
    def door_not_opened(self) -> None:
        """ "Cửa không mở?": the person says the door did not open."""
        self._door_not_opened()

    def tick(self) -> None:
        super().tick()
        if self.state is Pickup.DOOR_OPEN:
            self._watch_release()
        elif self.state is Pickup.REOPENED:
            self._watch_reopened()
        elif self.state in PAYING or self.state is Pickup.FEE_DUE:
            self._watch_payment()
        elif self.locked_until is not None and self.core.now() >= self.locked_until:
            self._unlock_keys()
            self.said = None  # it said until when: that time has come

    # -- locks -------------------------------------------------------------------------------------

    def _still_locked(self, item: dict[str, Any]) -> bool:
        """The dossier is locked after wrong PINs, or the kiosk is slowed after too many: said,
        with until when, and no PIN is taken until then."""
        now = self.core.now()
        busy = self._kiosk_busy(now)
        locked = lockout.locked_until(self.core.store, "item", item, self.core.rules, now)
        if locked is not None and (busy is None or locked >= now + busy):
            self._lock_keys(locked, Say.LOCKED, code=self.data["code"])
        elif busy is not None:
            self._lock_keys(now + busy, Say.KIOSK_BUSY)
        else:
            self._unlock_keys()
            return False
        return True

    def _kiosk_busy(self, now: datetime) -> timedelta | None:
        """How long the kiosk takes no PIN (nor card) after too many wrong ones across dossiers."""
        limit, window = self.core.rules.kiosk_pin_failures, self.core.rules.kiosk_pin_window_s
        return lockout.longest(
            now,
            lockout.busy_until(self.core.store, "pin_failure", now, limit=limit, window_s=window),
            self.core.pin_failures.wait_s(self.core.monotonic(), limit=limit, window_s=window),
        )

    def _lock_keys(self, until: datetime, say: Say, **values: object) -> None:
        self.locked_until = until
        self.data["locked_until"] = time_of_day(until)
        self.said = say.format(until=self.data["locked_until"], **values)

    def _unlock_keys(self) -> None:
        self.locked_until = None
        self.data.pop("locked_until", None)

    # -- checks ------------------------------------------------------------------------------------

    def _by_token(self, token: codes.PickupToken) -> None:
        if token.kiosk_id != self.core.kiosk_id:
            self.said = Say.OTHER_KIOSK.format(kiosk=token.kiosk_id)
            return
        if not token_is_genuine(self.core.token_key, token):
            self._reject(codes.Rejection.BAD_TOKEN)
            return
        if token.expires < self.core.now().timestamp():
            self.said = Say.EXPIRED.format()
            return
        item = self._held(token.dossier.code)
        if item is None or item["compartment"] != token.compartment or item["loading"] != token.loading:
            # a replayed token lands here, and so does one of an earlier loading of this dossier
            # (a DKP1 token names no loading: it fits only a result loaded before tokens did)
            self.said = self._why_not_here(token.dossier.code)
            return
        self.data.update(code=token.dossier.code, via="qr")
        self._verified(item)

    def _verified(self, item: dict[str, Any]) -> None:
        if self._board_silent(item["compartment"]):
            return
        keys = ("compartment", "citizen", "procedure", "fee_due")
        self.data.update({key: item[key] for key in keys}, code=item["dossier_code"], item=item["id"])
        self.needs_pin = False
        self._unlock_keys()
        if self._holder_to_check(item):
            return
        owed = self._owed(item)  # the fee less what was paid for it before (kiosk/payments.py)
        if owed:
            self._fee_data(item)
            self.said = self._fee_said(owed)
        if self.auto_open and not owed:  # verified, opening and the intent: one commit
            self._release(first=lambda: self._change_state(Pickup.VERIFIED, dossier=item["dossier_code"]),
                          was=item["state"])  # fmt: skip
            return
        with self.core.store.transaction():
            self.core.store.update(
                "journey", self.id, {"item": item["id"], "compartment": item["compartment"]}
            )
            next_state = Pickup.FEE_DUE if owed else Pickup.VERIFIED
            self._change_state(next_state, dossier=item["dossier_code"])

    def _board_silent(self, compartment_id: str) -> bool:
        """Its lock board does not answer (kiosk/board_outage.py): nothing is sent, the result
        stays held, and the citizen is told it is safe and to come back."""
        if not board_outage.board_silent(self.core, compartment_id):
            return False
        self.said = Say.COMPARTMENT_RESTING.format(compartment=compartment_id)
        return True

    def _wrong_pin(self, item: dict[str, Any], now: datetime) -> None:
        with self.core.store.transaction():
            left = lockout.wrong_try(self.core.store, "item", item, self.core.rules, now, actor=CITIZEN)
            lockout.record_failure(self.core.store, "pin_failure", now)
        self.core.pin_failures.add(self.core.monotonic())
        if left:
            self.said = Say.PIN_WRONG.format(left=left)
        else:
            until = now + timedelta(seconds=self.core.rules.pin_lockout_s)
            self._lock_keys(until, Say.LOCKED, code=self.data["code"])

    def _held(self, code: str) -> dict[str, Any] | None:
        cursor = self.core.store.db.execute(
            "SELECT * FROM item WHERE kind = 'result' AND dossier_code = ? AND state = 'held'", [code]
        )  # sqlite-utils' query() would wrap this read in a savepoint
        row = cursor.fetchone()
        return None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))

    def _why_not_here(self, code: str) -> tuple[str, str]:
        gone = self.core.store.db.execute(
            "SELECT 1 FROM item WHERE kind = 'result' AND dossier_code = ? AND outcome = 'picked up'", [code]
        ).fetchone()
        if gone:
            return Say.ALREADY_PICKED_UP.format(code=code)
        # the backend's last word (no network call here: the citizen is waiting at the screen)
        known = status.cached_status(self.core.store, code, self.core.kiosk_id)
        if known is not None and known.status == "ready-elsewhere":
            return Say.AT_OTHER_KIOSK.format(code=code, kiosk=known.kiosk)
        return Say.NOT_HERE.format(code=code)


def time_of_day(moment: datetime) -> str:
    """A moment as the clock on the wall says it, in Vietnam: "02:17"."""
    return moment.astimezone(receipts.VIETNAM).strftime("%H:%M")
