"""Cash at the kiosk (issue 14): the bill validator (drivers/cash/validator.py, SSP) between the
pickup's cash payment and the ledger (kiosk/payments.py).

The validator takes notes only while a payment is in progress, and only notes up to what is still
due: the kiosk gives no change. Every credit is committed (its ``cash_credit`` row, its event, the
payment's new sum) before anything counts it; a credit the validator reports again without a note
read between is flagged and not counted twice. Jams, fraud, a full cashbox, a silent validator
and an event the kiosk does not know each stop the cash, flagged for an officer, with what was
received still counted for the dossier. A credit seen in the first poll after a restart belongs
to the cash payment that was in progress (``recover``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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


class Validator(Protocol):
    """What the session needs of drivers.cash.validator.NoteValidator."""

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


def kind_of(event: Any) -> str:
    kind = getattr(event, "kind", None)
    return str(getattr(kind, "value", kind))


class CashSession:
    def __init__(self, store: Store, validator: Validator) -> None:
        self.store = store
        self.validator = validator
        self.available = True  # it answered when last asked
        self.accepted: tuple[int, ...] = ()
        self._credited_since_read = False  # a second credit before the next note is read: repeated

    def begin(self, payment: Payment, due: int) -> tuple[int, ...]:
        """Notes up to ``due`` enabled (none when nothing is due or the validator does not answer)."""
        return self._accept(due)

    def end(self) -> None:
        """No payment in progress: the validator takes nothing."""
        self.accepted = ()
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

    def poll(self, payment: Payment, on_paid: Callable[[], None] | None = None) -> CashNews:
        """Read the validator's news for ``payment``: each credit committed before it is counted
        (``on_paid``, the journey's move to verified, in the commit of the credit that pays the fee)."""
        news = CashNews(payment, accepted=self.accepted)
        try:
            happened = list(self.validator.poll())
        except DeviceError as exc:
            self._silent(exc)
            news.said, news.accepted = Say.CASH_STOPPED.format(), ()
            return news
        self.available = True
        stopped = False
        for event in happened:
            if self._one(news, event, on_paid):
                stopped = True
                break
        if stopped or news.payment.state != "requested":
            self.end()
            news.accepted = ()
        elif news.credited:
            news.accepted = self._accept(payments.remaining(self.store, news.payment.item))
        return news

    def _one(self, news: CashNews, event: Any, on_paid: Callable[[], None] | None) -> bool:
        """One event; True when the rest of the reply is not to be read (a stop)."""
        kind = kind_of(event)
        if kind == "read":
            self._credited_since_read = False
        elif kind == "credit":
            self._credit(news, event, on_paid)
        elif kind == "rejected":
            news.said = Say.CASH_REJECTED.format()
        elif kind in STOPS:
            reason, say = STOPS[kind]
            self._stopped(news.payment, kind, reason, event)
            news.said = say.format()
            return True
        return False

    def _credit(self, news: CashNews, event: Any, on_paid: Callable[[], None] | None) -> None:
        value = getattr(event, "value", None)
        channel = getattr(event, "channel", None) or 0
        if self._credited_since_read:
            payments.flag(self.store, news.payment, "credit-repeated", value or 0)
            return
        self._credited_since_read = True
        if not isinstance(value, int) or value <= 0:  # a channel with no known value: for an officer
            payments.flag(self.store, news.payment, "unknown-event", 0)
            return
        with self.store.transaction():
            news.payment = payments.record_credit(self.store, news.payment, channel, value)
            if on_paid is not None and news.payment.state == "paid":
                on_paid()
        news.credited.append(value)

    def _stopped(self, payment: Payment, kind: str, reason: str | None, event: Any) -> None:
        value = getattr(event, "value", None)
        if reason is not None:
            payments.flag(self.store, payment, reason, value if isinstance(value, int) else 0)
        else:
            events.emit(self.store, "alarm", actor="kiosk", problem=f"bill validator: {kind}")
        log.warning("bill validator: %s; cash stops for this payment", kind)


def recover(store: Store, session: CashSession) -> CashNews | None:
    """At start, before any journey: the first poll's credits (notes the validator took while the
    kiosk was down) go to the cash payment that was in progress, which is then closed (what it
    received stays counted for the dossier); the validator is left disabled. None when no cash
    payment was in progress (a credit then is stray money: an alarm, counted nowhere)."""
    payment = payments.open_cash(store)
    if payment is None:
        try:
            stray = [e for e in session.validator.poll() if kind_of(e) == "credit"]
        except DeviceError as exc:
            session._silent(exc)
            return None
        for event in stray:
            value = getattr(event, "value", None)
            events.emit(
                store, "alarm", actor="kiosk", problem=f"bill validator credited {value} with no payment"
            )
        session.end()
        return None
    news = session.poll(payment)
    payments.close_cash(store, news.payment, "cancelled")
    session.end()
    return news
