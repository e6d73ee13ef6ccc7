"""Fees paid at the kiosk (issue 14): the ledger of what an item owes, the requests the kiosk makes
(a VietQR transfer, a cash payment), and their settling from what is proven to have arrived.

The money is a fact only when it is proven: the bank's word, which the sync process writes into
``payment_backend`` (the kiosk's process only reads it), or a note the validator credited
(``cash_credit``). Each fact is committed with its audit entry and its outbox event in one
transaction, inside the caller's when the journey moves with it. What an item owes is its fee less
everything received for it, whatever became of the payment that brought it (a transfer confirmed
after the citizen gave up still counts), so nothing is asked twice.

``payment-flagged`` events tell an officer of money to look at; their ``amount`` is the sum at
issue: what arrived of a short payment, the excess of an over-payment, the reported sum of a
payment confirmed twice or after its cancellation, the value of a note in question.
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk import events, vietqr
from kiosk.clock import stamp
from kiosk.config import FeesSection
from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.core import Core

log = logging.getLogger("kiosk.payments")
ACTOR = "kiosk"
VIETQR, CASH = "vietqr", "cash"
ENDED = ("cancelled", "expired")
# the most a bank's word may say was paid: anything beyond is a damaged row, not money
MAX_REPORTED = vietqr.AMOUNT_MAX


@dataclass(frozen=True)
class Beneficiary:
    bank_bin: str
    account: str
    name: str | None


@dataclass(frozen=True)
class Payment:
    reference: str
    item: int
    dossier_code: str
    method: str
    amount: int
    received: int
    state: str
    journey: str | None
    created_at: str
    settled_at: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Payment:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class BankWord:
    """What the sync last wrote of a VietQR payment: the sum reported paid, and how many times."""

    paid_amount: int
    paid_at: str | None
    transactions: int
    cancelled_at: str | None


@dataclass(frozen=True)
class Settled:
    """A payment's new money counted: its state now, and what was flagged with it."""

    payment: Payment
    flagged: tuple[str, ...]

    @property
    def state(self) -> str:
        return self.payment.state


def new_reference() -> str:
    """ "KP" and 14 characters of base32 (70 random bits), upper-case ASCII: the bank's memo of a
    transfer, so it must survive any bank's app unchanged."""
    return "KP" + base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:14]


def remaining(store: Store, item_id: int) -> int:
    """What the item still owes: its fee less every payment's ``received`` for its dossier (a
    result withdrawn and loaded again keeps what was paid for it), never below 0."""
    row = store.db.execute("SELECT COALESCE(fee_due, 0) FROM item WHERE id = ?", [item_id]).fetchone()
    return 0 if row is None else max(0, int(row[0]) - paid(store, item_id))


def paid(store: Store, item_id: int) -> int:
    """Everything received for the item's dossier, whichever visit or loading it came in."""
    row = store.db.execute(
        "SELECT COALESCE(SUM(p.received), 0) FROM payment p JOIN item i ON i.dossier_code = p.dossier_code"
        " WHERE i.id = ?",
        [item_id],
    )
    return int(row.fetchone()[0])


def beneficiary(fees: FeesSection, procedure: str | None) -> Beneficiary:
    """The account a procedure's fees go to: the [[fees.beneficiary]] that names it, else the default."""
    wanted = (procedure or "").strip()
    for other in fees.beneficiary:
        if wanted and wanted in (p.strip() for p in other.procedures):
            return Beneficiary(other.bin, other.account, other.name)
    return Beneficiary(fees.bin, fees.account, fees.name)


def purpose(dossier_code: str, reference: str) -> str:
    """The transfer's memo: the dossier code when the field holds it (ASCII, at most 25), else the
    reference."""
    fits = dossier_code.isascii() and dossier_code.isprintable() and len(dossier_code) <= vietqr.PURPOSE_MAX
    return dossier_code if fits else reference


def qr_of(payee: Beneficiary, payment: Payment) -> str:
    asked = vietqr.VietQR(payee.bank_bin, payee.account, payment.amount, purpose(payment.dossier_code,
                          payment.reference))  # fmt: skip
    return vietqr.build(asked)


def of_item(store: Store, item_id: int) -> list[Payment]:
    rows = store.db.query("SELECT * FROM payment WHERE item = ? ORDER BY created_at, rowid", [item_id])
    return [Payment.of(row) for row in rows]


def _update(store: Store, reference: str, changes: dict[str, Any]) -> None:
    columns = ", ".join(f"{column} = ?" for column in changes)  # names from this module, never input
    store.db.execute(f"UPDATE payment SET {columns} WHERE reference = ?", [*changes.values(), reference])


def get(store: Store, reference: str) -> Payment | None:
    rows = list(store.db.query("SELECT * FROM payment WHERE reference = ?", [reference]))
    return Payment.of(rows[0]) if rows else None


def request(store: Store, *, item: dict[str, Any], method: str, amount: int, journey: str,
            reuse_s: float) -> Payment:  # fmt: skip
    """The payment the citizen is asked to make, inside the caller's transaction: the one still
    'requested' for this item and way of paying (a cash one whatever its amount: its notes so far
    count), else a VietQR request ended less than ``reuse_s`` ago that the backend has not yet
    confirmed cancelled (the citizen may still pay its QR: it is asked again, never a second one
    beside it), else a new one. A VietQR request for another amount (cash came in meanwhile) is
    cancelled first."""
    old = _open_or_revivable(store, item["id"], method, reuse_s)
    if old is not None and (old.amount == amount or method == CASH):
        if old.state != "requested" or old.journey != journey:
            _set_state(store, old, "requested", journey=journey, audit="payment:asked-again")
        return get(store, old.reference) or old
    if old is not None and old.state == "requested":
        end(store, old, "cancelled")
    now = store.now()
    row = {"reference": new_reference(), "item": item["id"], "dossier_code": item["dossier_code"],
           "method": method, "amount": amount, "received": 0, "state": "requested", "journey": journey,
           "created_at": now, "updated_at": now, "settled_at": None}  # fmt: skip
    store.db.table("payment").insert(row)
    store.audit(ACTOR, "payment:requested", row["reference"], method=method, amount=amount, journey=journey)
    return Payment.of(row)


def _open_or_revivable(store: Store, item: int, method: str, reuse_s: float) -> Payment | None:
    since = stamp(store.clock() - timedelta(seconds=reuse_s))
    rows = list(store.db.query(
        "SELECT p.* FROM payment p LEFT JOIN payment_backend b ON b.reference = p.reference"
        " WHERE p.item = ? AND p.method = ? AND (p.state = 'requested' OR (p.method = 'vietqr'"
        " AND p.state IN ('cancelled', 'expired') AND p.received = 0 AND p.updated_at >= ?"
        " AND b.cancelled_at IS NULL AND COALESCE(b.paid_amount, 0) = 0))"
        " ORDER BY p.state = 'requested' DESC, p.created_at DESC LIMIT 1",
        [item, method, since],
    ))  # fmt: skip
    return Payment.of(rows[0]) if rows else None


def end(store: Store, payment: Payment, state: str) -> None:
    """A request the citizen gave up ('cancelled') or waited out ('expired'); the sync then tells
    the backend. Money that arrives for it later still counts (``settle_news``)."""
    if payment.state == "requested":
        _set_state(store, payment, state, audit=f"payment:{state}")


def end_open(store: Store, journey: str, state: str, method: str | None = None) -> None:
    """Every request of ``journey`` still open (of ``method``, if given) ended so."""
    for row in list(
        store.db.query("SELECT * FROM payment WHERE journey = ? AND state = 'requested'", [journey])
    ):
        if method is None or row["method"] == method:
            end(store, Payment.of(row), state)


def _set_state(store: Store, payment: Payment, state: str, *, audit: str, **columns: Any) -> None:
    _update(store, payment.reference, {"state": state, "updated_at": store.now(), **columns})
    store.audit(ACTOR, audit, payment.reference, method=payment.method, amount=payment.amount)


# -- the bank's word (VietQR) --------------------------------------------------------------------


def bank_word(store: Store, reference: str) -> BankWord | None:
    """The sync's row, bounded (it is what a network said): None while nothing is reported paid."""
    row = store.db.execute(
        "SELECT paid_amount, paid_at, transactions, cancelled_at FROM payment_backend WHERE reference = ?",
        [reference],
    ).fetchone()
    if row is None or not isinstance(row[0], int) or not 0 < row[0] <= MAX_REPORTED:
        return None
    transactions = row[2] if isinstance(row[2], int) and row[2] > 0 else 1
    return BankWord(row[0], row[1] if isinstance(row[1], str) else None, transactions, row[3])


def counts_for(payment: Payment, word: BankWord) -> int:
    """What the bank's word makes ``payment`` received: the sum confirmed, but no more than was
    asked when it came in more than one transfer (the second is the officer's to refund)."""
    return min(word.paid_amount, payment.amount) if word.transactions > 1 else word.paid_amount


def bank_news(store: Store, dossier_code: str) -> list[tuple[Payment, BankWord]]:
    """The VietQR payments of a dossier whose bank's word adds money not yet counted, with it:
    whichever visit asked for them (a QR left by Back, a visit cancelled a moment ago)."""
    found = []
    for row in list(store.db.query("SELECT * FROM payment WHERE dossier_code = ? AND method = 'vietqr'"
                                   " ORDER BY created_at", [dossier_code])):  # fmt: skip
        payment = Payment.of(row)
        word = bank_word(store, payment.reference)
        if word is not None and counts_for(payment, word) > payment.received:
            found.append((payment, word))
    return found


def settle(store: Store, payment: Payment, word: BankWord) -> Settled | None:
    """Count what the bank's word adds to ``payment``, inside the caller's transaction; None when it
    adds nothing (seen already). A request paid in full becomes 'paid' (an excess flagged 'over'),
    one paid less becomes 'short' (flagged: the door stays shut); paid by more than one transfer
    adding up to more than was asked, flagged 'twice' and counted once (no more than was asked);
    for a request already ended, counted for the dossier and flagged 'after-cancel'."""
    counted = counts_for(payment, word)
    flagged: list[tuple[str, int]] = []
    # two transfers that only make up the amount together are no problem
    twice = word.transactions > 1 and word.paid_amount > payment.amount
    if twice and not _twice_flagged(store, payment.reference):
        flagged.append(("twice", word.paid_amount))
        _update(store, payment.reference, {"twice_flagged": word.transactions})
    if counted <= payment.received:
        _flag_all(store, payment, flagged)
        return Settled(payment, tuple(f for f, _ in flagged)) if flagged else None
    state = payment.state
    if payment.state in ENDED:
        flagged.append(("after-cancel", word.paid_amount))
    elif counted >= payment.amount:
        state = "paid"
        if counted > payment.amount:
            flagged.append(("over", counted - payment.amount))
    else:
        state = "short"
        flagged.append(("short", counted))
    return _count(store, payment, counted, state, flagged, paid_at=word.paid_at)


def _count(
    store: Store, payment: Payment, received: int, state: str, flagged: list[tuple[str, int]],
    *, paid_at: str | None,
) -> Settled:  # fmt: skip
    now = store.now()
    _update(
        store, payment.reference, {"received": received, "state": state, "settled_at": now, "updated_at": now}
    )
    store.audit(ACTOR, f"payment:{state}", payment.reference, method=payment.method, amount=payment.amount,
                received=received)  # fmt: skip
    if state == "paid" or payment.state in ENDED:
        events.emit(store, "fee-paid", actor=ACTOR, dossier_code=payment.dossier_code,
                    reference=payment.reference, method=payment.method, amount=payment.amount,
                    received=received, paid_at=paid_at or now)  # fmt: skip
    settled = get(store, payment.reference)
    assert settled is not None
    _flag_all(store, settled, flagged)
    return Settled(settled, tuple(f for f, _ in flagged))


def _flag_all(store: Store, payment: Payment, flagged: list[tuple[str, int]]) -> None:
    for reason, amount in flagged:
        flag(store, payment, reason, amount)


def flag(store: Store, payment: Payment | None, reason: str, amount: int, **more: Any) -> None:
    """Money an officer must look at (a refund, a check of the cashbox), with its audit entry;
    ``more`` (the validator's channel) goes to the audit log only: the contract's event has no
    room for it yet."""
    reference, code = (payment.reference, payment.dossier_code) if payment else (None, None)
    with store.transaction():
        events.emit(store, "payment-flagged", actor=ACTOR, dossier_code=code, reference=reference,
                    reason=reason, amount=amount)  # fmt: skip
        if more:
            store.audit(ACTOR, "payment:flag-detail", reference, reason=reason, **more)
    log.warning("payment %s flagged: %s", payment.reference if payment else "(none)", reason)


def _twice_flagged(store: Store, reference: str) -> bool:
    """Whether the payment was flagged 'twice' already (once is enough: the officer sees the bank's
    statement), from its own row: the event that said so may be gone from the outbox (retention)."""
    row = store.db.execute("SELECT twice_flagged FROM payment WHERE reference = ?", [reference]).fetchone()
    return bool(row and row[0])


# -- cash ----------------------------------------------------------------------------------------


def record_credit(store: Store, payment: Payment, channel: int, value: int) -> Payment:
    """A note the validator credited: its row, its event and the payment's new ``received``, in one
    transaction, before anything counts it. Reaching the amount makes the payment 'paid'."""
    with store.transaction() as db:
        now = store.now()
        db.execute("INSERT INTO cash_credit (reference, channel, value, at) VALUES (?, ?, ?, ?)",
                   [payment.reference, channel, value, now])  # fmt: skip
        events.emit(store, "cash-credited", actor=ACTOR, dossier_code=payment.dossier_code,
                    reference=payment.reference, value=value, channel=channel)  # fmt: skip
        received = payment.received + value
        if payment.state == "requested" and received >= payment.amount:
            over = [("over", received - payment.amount)] if received > payment.amount else []
            _count(store, payment, received, "paid", over, paid_at=now)
        else:
            _update(store, payment.reference, {"received": received, "updated_at": now})
            if payment.state != "requested":  # a note taken after its payment was over: counted, looked at
                flag(store, payment, "over" if payment.state == "paid" else "after-cancel", value)
    settled = get(store, payment.reference)
    assert settled is not None
    return settled


def close_cash(store: Store, payment: Payment, state: str, *, flag: bool = True) -> None:
    """A cash payment left before its amount was reached: the notes taken stay counted for the
    dossier (no change is given); flagged 'short' for an officer when the journey ends with some
    (``flag``), not when the citizen only goes back to pay the rest another way."""
    with store.transaction():
        current = get(store, payment.reference) or payment
        if current.state != "requested":
            return
        if current.received:
            short = [("short", current.received)] if flag else []
            _count(store, current, current.received, state, short, paid_at=None)
        else:
            end(store, current, state)


def open_cash(store: Store) -> Payment | None:
    """The cash payment in progress, if any (the newest still 'requested')."""
    rows = list(store.db.query(
        "SELECT * FROM payment WHERE method = 'cash' AND state = 'requested' ORDER BY created_at DESC LIMIT 1"
    ))  # fmt: skip
    return Payment.of(rows[0]) if rows else None


# -- news that comes after the journey -----------------------------------------------------------


def settle_news(core: Core, *, now: datetime | None = None) -> list[Settled]:
    """Confirmations that arrived when no journey was watching (late, after a cancel, after a
    crash): counted for the dossier, flagged as ``settle`` says; and VietQR requests whose journey
    has ended and whose wait is over are ended ('expired'), so the sync cancels them. Called at
    start (kiosk/recovery.py) and from the idle tick."""
    store = core.store
    news = []
    rows = list(store.db.query(
        "SELECT p.* FROM payment p JOIN payment_backend b ON b.reference = p.reference"
        " WHERE p.method = 'vietqr' AND b.paid_amount > 0"
        " AND (b.paid_amount > p.received OR (b.transactions > 1 AND p.twice_flagged = 0))"
        " AND (p.journey IS NULL OR NOT EXISTS (SELECT 1 FROM journey j WHERE j.id = p.journey"
        "      AND j.ended_at IS NULL))"
    ))  # fmt: skip
    for row in rows:
        payment = Payment.of(row)
        word = bank_word(store, payment.reference)
        if word is None:
            continue
        with store.transaction():
            settled = settle(store, payment, word)
        if settled is not None:
            news.append(settled)
    _expire_orphans(core, now or core.now())
    return news


def _expire_orphans(core: Core, now: datetime) -> None:
    wait = core.cfg.fees.qr_wait_s if core.cfg.fees is not None else 300.0
    before = stamp(now - timedelta(seconds=wait))
    rows = list(core.store.db.query(
        "SELECT p.* FROM payment p WHERE p.state = 'requested' AND p.method = 'vietqr' AND p.created_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM journey j WHERE j.id = p.journey AND j.ended_at IS NULL)", [before]
    ))  # fmt: skip
    for row in rows:
        with core.store.transaction():
            end(core.store, Payment.of(row), "expired")
