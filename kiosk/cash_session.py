"""Cash at the kiosk (issue 14): the bill validator (drivers/cash/validator.py, SSP) between the
pickup's cash payment and the ledger (kiosk/payments.py).

The validator takes notes only while a payment is in progress, and only notes up to what is still
due: the kiosk gives no change. Every credit is committed (its ``cash_credit`` row, its event, the
payment's new sum) before anything counts it; a credit the validator reports again without a note
read between (the driver marks it ``repeated``) is flagged and not counted twice. Jams, fraud, a
full cashbox, a silent validator and an event the kiosk does not know each stop the cash, flagged
for an officer, with what was received still counted for the dossier. A credit seen in the first
poll after a restart belongs to the cash payment that was in progress (``recover``).

A POLL's reply is the only record of its credits until they are committed, and a validator
forgets it once the next command carries the other sequence flag. So the flag each POLL goes out
with is committed first (``cash_poll`` in the journey's row), and moved on in the commit of the
reply's credits: after a crash between the reply and that commit, the first command is that POLL
again, same flag, and the validator answers it with the same reply (cash-ssp.md, Sequencing).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from drivers.cash.codec import Setup
from drivers.errors import DeviceError
from kiosk import events, payments
from kiosk.journeys.messages import Say
from kiosk.payments import Payment
from kiosk.store import Store

log = logging.getLogger("kiosk.cash")
# events that end the cash for this visit, the flag an officer gets, and what the citizen is told
STOPS: dict[str, tuple[str | None, Say]] = {
    "safe-jam": ("jam", Say.CASH_JAMMED),
    "unsafe-jam": ("jam", Say.CASH_JAMMED),
    "fraud": ("fraud", Say.CASH_REFUSED),
    "unknown": ("unknown-event", Say.CASH_STOPPED),
    "stacker-full": (None, Say.CASH_STOPPED),  # an alarm for the technician, not a payment's flag
    "cashbox-removed": (None, Say.CASH_STOPPED),
}
# a note the validator put into the cashbox at power-up: credited before, or jammed inside; an
# officer counts the box against the credits
INTO_THE_BOX = "cleared-cashbox"
QUIET = frozenset({"disabled", "channels-disabled", "slave-reset", "initialising"})
RECOVERY_POLLS = 10  # a note in escrow at the crash goes through in a few polls


class Validator(Protocol):
    """What the session needs of drivers.cash.validator.NoteValidator."""

    def connect(self) -> Any: ...

    def next_flag(self) -> bool: ...

    def resume(self, flag: bool, setup: Setup) -> None: ...

    def accept_up_to(self, amount: int) -> tuple[int, ...]: ...

    def disable(self) -> None: ...

    def poll(self) -> Sequence[Any]: ...

    def close(self) -> None: ...


@dataclass
class CashNews:
    """One poll's outcome for a payment: the values counted (committed), the notes accepted now,
    and what to tell the citizen when it is not a plain credit."""

    payment: Payment
    credited: list[int] = field(default_factory=list)
    accepted: tuple[int, ...] = ()
    said: tuple[str, str] | None = None
    kinds: list[str] = field(default_factory=list)  # what the validator reported

    @property
    def settled(self) -> bool:
        """No note on its way through the validator (nothing but standing conditions)."""
        return all(kind in QUIET for kind in self.kinds)


def kind_of(event: Any) -> str:
    kind = getattr(event, "kind", None)
    return str(getattr(kind, "value", kind))


class CashSession:
    def __init__(self, store: Store, validator: Validator) -> None:
        self.store = store
        self.validator = validator
        self.available = True  # it answered when last asked
        self.accepted: tuple[int, ...] = ()
        self._told: set[tuple[str, str]] = set()  # (payment, condition) flagged: a jam lasts many polls
        self._marked: tuple[str, bool] | None = None  # (journey, flag) of the POLL made durable last
        self._escrow: int | None = None  # the value of the note read and not yet credited or refused

    def open(self, *, disable: bool = True) -> bool:
        """Sync with the validator and (unless a note may be on its way through it, ``recover``)
        leave it taking nothing; whether it answered."""
        try:
            self.validator.connect()
            if disable:  # disabling returns a note held in escrow
                self.validator.disable()
        except DeviceError as exc:
            self._silent(exc)
            return False
        self.available = True
        return True

    def check(self) -> bool:
        """From the idle tick, never a screen's step (a silent unit costs its reply timeouts): a
        validator that went quiet is synced again, so cash is offered once it answers. It is done as
        at start (``recover``): a note it credited while it could not be heard belongs to the cash
        payment that was then in progress, never to the next citizen's."""
        if not self.available:
            recover(self.store, self)
        return self.available

    def begin(self, payment: Payment, due: int) -> tuple[int, ...]:
        """Notes up to ``due`` enabled (none when nothing is due or the validator does not answer)."""
        self._marked = None  # the journey's row was written since: its mark is to be made again
        return self._accept(due)

    def end(self) -> None:
        """No payment in progress: the validator takes nothing."""
        self.accepted = ()
        self._marked = None
        try:
            self.validator.disable()
        except DeviceError as exc:
            self._silent(exc)

    def _accept(self, due: int) -> tuple[int, ...]:
        try:
            self.accepted = self.validator.accept_up_to(due) if due > 0 else ()
            if due <= 0:
                self.validator.disable()
        except DeviceError as exc:
            self._silent(exc)
            self.accepted = ()
        return self.accepted

    def _silent(self, exc: DeviceError) -> None:
        if self.available:
            log.warning("the bill validator does not answer: %s", exc)
        self.available = False

    def poll(
        self, payment: Payment, on_paid: Callable[[], None] | None = None, *, take_more: bool = True
    ) -> CashNews:
        """Read the validator's news for ``payment``: each credit committed before it is counted
        (``on_paid``, the journey's move to verified, in the commit of the credit that pays the fee)."""
        news = CashNews(payment, accepted=self.accepted)
        with self.store.transaction():
            self._mark(payment)
        try:
            happened = list(self.validator.poll())
        except DeviceError as exc:
            self._silent(exc)
            news.said, news.accepted = Say.CASH_STOPPED.format(), ()
            return news
        self.available = True
        news.kinds = [kind_of(e) for e in happened]
        stopped = False
        with self.store.transaction():  # the reply's credits, and the next POLL's flag
            for event in happened:
                if self._one(news, event, on_paid):
                    stopped = True
                    break
            if news.credited:
                self._mark(news.payment)
        if stopped or news.payment.state != "requested":
            self.end()
            news.accepted = ()
        elif not take_more:
            news.accepted = ()
        elif news.credited:
            news.accepted = self._accept(payments.remaining(self.store, news.payment.item))
        return news

    def _one(self, news: CashNews, event: Any, on_paid: Callable[[], None] | None) -> bool:
        """One event; True when the rest of the reply is not to be read (a stop)."""
        kind = kind_of(event)
        if kind == "read":
            value = getattr(event, "value", None)
            self._escrow = value if isinstance(value, int) and value > 0 else self._escrow
        elif kind == "credit":
            self._escrow = None
            if not self._credit(news, event, on_paid):
                news.said = Say.CASH_REFUSED.format()
                return True
        elif kind == "rejected":
            self._escrow = None
            news.said = Say.CASH_REJECTED.format()
        elif kind in STOPS:
            reason, say = STOPS[kind]
            self._stopped(news.payment, kind, reason, event)
            news.said = say.format()
            return True
        elif kind == INTO_THE_BOX:
            self._stopped(news.payment, kind, "jam", event)
        return False

    def _credit(self, news: CashNews, event: Any, on_paid: Callable[[], None] | None) -> bool:
        """False when the credit cannot be counted and the cash must stop (a channel of no known
        value: the note is in the box, an officer counts it)."""
        value = getattr(event, "value", None)
        channel = getattr(event, "channel", None) or 0
        if getattr(event, "repeated", False):  # the same note's credit again: not money
            payments.flag(self.store, news.payment, "credit-repeated", value or 0)
            return True
        if not isinstance(value, int) or value <= 0:
            payments.flag(self.store, news.payment, "unknown-event", 0, channel=channel)
            return False
        news.payment = payments.record_credit(self.store, news.payment, channel, value)
        if on_paid is not None and news.payment.state == "paid":
            on_paid()  # the journey's row written anew: the mark follows (``poll``)
            self._marked = None
        news.credited.append(value)
        return True

    def _mark(self, payment: Payment) -> None:
        """The flag the next POLL goes out with, in the journey's row (inside the caller's
        transaction), unless it is there already."""
        flag = self.validator.next_flag()
        if payment.journey is None or self._marked == (payment.journey, flag):
            return
        setup = getattr(self.validator, "setup", None)
        mark = {"flag": flag, "setup": dataclasses.asdict(setup) if isinstance(setup, Setup) else None}
        self.store.db.execute(
            "UPDATE journey SET data = json_set(data, '$.cash_poll', json(?)) WHERE id = ?",
            [json.dumps(mark), payment.journey],
        )
        self._marked = (payment.journey, flag)

    def _stopped(self, payment: Payment, kind: str, reason: str | None, event: Any) -> None:
        if (payment.reference, kind) in self._told:  # a condition repeated by every poll: once
            return
        self._told.add((payment.reference, kind))
        value = getattr(event, "value", None)
        if not isinstance(value, int):  # a jam names no note: the one read in escrow
            value = self._escrow if kind in ("safe-jam", "unsafe-jam") else None
        if reason is not None:
            payments.flag(self.store, payment, reason, value or 0)
        else:
            events.emit(self.store, "alarm", actor="kiosk", problem=f"bill validator: {kind}")
        log.warning("bill validator: %s; cash stops for this payment", kind)


def recover(store: Store, session: CashSession) -> CashNews | None:
    """At start, before any journey: the validator synced, and the first polls' credits (a note
    that went through while the kiosk was down, or was on its way at the crash) go to the cash
    payment that was in progress, which is then closed (what it received stays counted for the
    dossier, flagged for an officer); the validator is left disabled. None when the validator does
    not answer, or no cash payment was in progress (a credit then is stray money: an alarm)."""
    payment = payments.open_cash(store)
    again = None if payment is None else _poll_again(store, session, payment)  # before anything else
    if not session.open(disable=False):  # a note in escrow at the crash goes on into the box
        return None
    if payment is None:
        _stray(store, session)
        return None
    payment = payments.get(store, payment.reference) or payment
    news = CashNews(payment, credited=list(again.credited) if again else [])
    for _ in range(RECOVERY_POLLS):
        polled = session.poll(news.payment, take_more=False)
        news.payment, news.credited, news.kinds = (
            polled.payment,
            news.credited + polled.credited,
            polled.kinds,
        )
        if polled.settled:
            break
    payments.close_cash(store, news.payment, "cancelled")
    session.end()
    return news


def _stray(store: Store, session: CashSession) -> None:
    for _ in range(RECOVERY_POLLS):
        try:
            happened = list(session.validator.poll())
        except DeviceError as exc:
            session._silent(exc)
            return
        for event in happened:
            if kind_of(event) == "credit" and not getattr(event, "repeated", False):
                value = getattr(event, "value", None)
                events.emit(
                    store, "alarm", actor="kiosk", problem=f"bill validator credited {value} with no payment"
                )
        if all(kind_of(e) in QUIET for e in happened):
            break
    session.end()


def _poll_again(store: Store, session: CashSession, payment: Payment) -> CashNews | None:
    """The POLL the crashed process had made durable, sent again with its flag (no SYNC before
    it): the validator repeats its reply if that was the last command it had, and the credits in
    it are committed now; if not, it is a new POLL, as good."""
    row = store.db.execute("SELECT json_extract(data, '$.cash_poll') FROM journey WHERE id = ?",
                           [payment.journey]).fetchone()  # fmt: skip
    try:
        mark: dict[str, Any] = json.loads(row[0]) if row is not None and isinstance(row[0], str) else {}
        flag, setup = (
            mark.get("flag"),
            Setup(**{**mark["setup"], "channels": tuple(mark["setup"]["channels"])}),
        )
    except (AttributeError, TypeError, KeyError, ValueError):  # no mark, or one not understood
        return None  # the polls after the SYNC read what they can
    if not isinstance(flag, bool):
        return None
    session.validator.resume(flag, setup)
    session._marked = (str(payment.journey), flag)
    return session.poll(payment, take_more=False)
