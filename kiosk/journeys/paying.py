"""The pickup's fee, paid at the kiosk (issue 14): by a VietQR transfer the bank confirms through
the backend, or by notes into the bill validator. The money is proven before anything counts it
(kiosk/payments.py); the door opens only when nothing is owed.

  fee-due --pay_by_qr--> paying-qr --paid in full--> verified (--open--> opening, at once with auto_open)
  fee-due --pay_by_cash--> paying-cash --the notes reach the amount--> verified
  paying-qr | paying-cash --back--> fee-due (another way);  --cancel--> cancelled;  timeouts
  paying-qr --paid less--> payment-problem ("ask an officer": what arrived counts for the dossier)

The QR waits ``[fees] qr_wait_s`` (``wait_until``, ``seconds_left()``), the other states the idle
timeout. A QR left by Back stays asked for (the citizen may have paid it already): its confirmation
is still taken on the fee screen. A confirmed payment is committed with the journey's move, before
any door opens; a crash after it resumes the pickup, not the payment: the next visit owes 0.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from drivers.printer.document import Document
from kiosk import payments, receipts
from kiosk.cash_session import CashNews
from kiosk.clock import stamp
from kiosk.journeys.machine import IllegalStep, S, step
from kiosk.journeys.messages import Say, sums
from kiosk.journeys.releasing import ReleasingJourney

MORE_TIME_S = 60.0  # what "Thêm thời gian" gives the QR's countdown, at the least
BANK_SILENT_S = 10.0  # the sync asks every [fees] poll_s (3 s): by then the backend has answered


class PayingJourney(ReleasingJourney[S]):
    FEE_DUE: ClassVar[Any]
    PAYING_QR: ClassVar[Any]
    PAYING_CASH: ClassVar[Any]
    PAYMENT_PROBLEM: ClassVar[Any]
    VERIFIED: ClassVar[Any]
    TIMED_OUT: ClassVar[Any]
    auto_open: bool
    receipt: Document | None = None  # once the fee is paid: what was paid and how, for the printer

    # -- what the citizen does -------------------------------------------------------------------

    @step
    def pay_by_qr(self) -> None:
        """The QR of a transfer of what is still owed, to the procedure's account."""
        self._require(self.FEE_DUE)
        fees = self.core.cfg.fees
        if fees is None or "vietqr" not in self._methods():
            raise IllegalStep("this kiosk takes no VietQR payment")
        item = self._item_row()
        owed = self._owed_now(item)
        payee = payments.beneficiary(fees, item["procedure"])
        wait_until = self.core.now() + timedelta(seconds=fees.qr_wait_s)
        with self.core.store.transaction():
            payment = payments.request(self.core.store, item=item, method=payments.VIETQR, amount=owed,
                                       journey=self.id, reuse_s=fees.qr_wait_s)  # fmt: skip
            self.data.update(qr=payments.qr_of(payee, payment), remaining=owed, reference=payment.reference,
                             beneficiary=payee.name, bank_bin=payee.bank_bin, account=payee.account,
                             wait_until=stamp(wait_until), qr_shown=True)  # fmt: skip
            self._change_state(self.PAYING_QR, reference=payment.reference)
        self.said = Say.PAY_QR.format(**sums(remaining=owed))

    @step
    def pay_by_cash(self) -> None:
        """The validator takes notes up to what is still owed (no change is given)."""
        self._require(self.FEE_DUE)
        cash = self.core.cash
        if cash is None or "cash" not in self._methods():
            raise IllegalStep("this kiosk takes no cash now")
        item = self._item_row()
        owed = self._owed_now(item)
        with self.core.store.transaction():
            payment = payments.request(self.core.store, item=item, method=payments.CASH, amount=owed,
                                       journey=self.id, reuse_s=0)  # fmt: skip
            # a QR asked for before stays open while the citizen is here: a transfer already on its
            # way counts (the inhibits follow it), and going back to the QR shows the same one, not a
            # second that could be paid too; it ends with the visit, or once the notes pay the fee
            self.data.update(reference=payment.reference, inserted=0, remaining=owed, accepted=[])
            self._change_state(self.PAYING_CASH, reference=payment.reference)
        accepted = cash.begin(payment, owed)
        self.data["accepted"] = list(accepted)
        if not accepted:
            self.said = Say.CASH_STOPPED.format()
            return
        self.said = Say.PAY_CASH.format(**sums(remaining=owed, largest=max(accepted)))

    def _back_to_fee_due(self) -> None:
        """Back from either paying state, to choose another way: notes taken stay counted."""
        with self.core.store.transaction():
            self._close_cash(flag=False)
            self._enter_fee_due(self._item_row())

    def keep_alive(self) -> None:
        """ "Thêm thời gian" on the QR screen gives its countdown more time, too."""
        super().keep_alive()
        if self.state is self.PAYING_QR and self.seconds_left() < MORE_TIME_S:
            self.data["wait_until"] = stamp(self.core.now() + timedelta(seconds=MORE_TIME_S))

    def seconds_left(self) -> float:
        """The QR's wait: how long the citizen has left to pay (0 when over, or not waiting)."""
        until = self.data.get("wait_until")
        if self.state is not self.PAYING_QR or not isinstance(until, str):
            return 0.0
        return max(0.0, (datetime.fromisoformat(until) - self.core.now()).total_seconds())

    # -- the fee screen --------------------------------------------------------------------------

    def _owed(self, item: dict[str, Any]) -> int:
        """What is owed now, the bank's word on any earlier visit's QR counted first."""
        store = self.core.store
        for payment, word in payments.bank_news(store, item["dossier_code"]):
            with store.transaction():
                payments.settle(store, payment, word)
        return payments.remaining(store, item["id"])

    def _owed_now(self, item: dict[str, Any]) -> int:
        owed = payments.remaining(self.core.store, item["id"])
        if owed <= 0:  # paid meanwhile (the tick moves it on): nothing to ask for
            raise IllegalStep("nothing is owed on this dossier now")
        return owed

    def _fee_said(self, owed: int) -> tuple[str, str]:
        if not self._methods():  # "pay at the counter", as before the kiosk took fees
            return Say.FEE_DUE.format(**sums(amount=owed))
        return Say.FEE_CHOOSE.format(**sums(remaining=owed))

    def _fee_data(self, item: dict[str, Any]) -> None:
        store = self.core.store
        owed, paid = payments.remaining(store, item["id"]), payments.paid(store, item["id"])
        self.data.update(fee_due=item["fee_due"], paid=paid, remaining=owed, methods=self._methods())
        for key in ("qr", "reference", "beneficiary", "bank_bin", "account", "wait_until", "accepted",
                    "inserted", "bank_unreached"):  # fmt: skip
            self.data.pop(key, None)

    def _enter_fee_due(self, item: dict[str, Any]) -> None:
        self._fee_data(item)
        self._change_state(self.FEE_DUE)
        self.said = self._fee_said(self.data["remaining"])

    def _methods(self) -> list[str]:
        """What this kiosk takes now: none without [fees] ("pay at the counter"); cash only while a
        validator answers."""
        fees = self.core.cfg.fees
        if fees is None:
            return []
        cash = self.core.cash
        return [m for m in fees.methods if m != "cash" or (cash is not None and cash.available)]

    def _item_row(self) -> dict[str, Any]:
        cursor = self.core.store.db.execute("SELECT * FROM item WHERE id = ?", [self.data["item"]])
        return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))

    # -- watching for the money (the journey's tick) ---------------------------------------------

    def _watch_payment(self) -> None:
        """The bank's word on the dossier's QR requests, in every fee state (a QR left by Back,
        paid after the citizen turned to cash, or asked by a visit just cancelled, still counts);
        then the notes, then the QR's wait."""
        if self.state not in (self.FEE_DUE, self.PAYING_QR, self.PAYING_CASH):
            return
        news = payments.bank_news(self.core.store, self.data["code"])
        if news:
            self._settle_qr(*news[0])
            return
        if self.state is self.PAYING_CASH:
            self._watch_cash()
        elif self.state is self.PAYING_QR and self.seconds_left() <= 0:
            self.on_timeout(self.TIMED_OUT)
        elif self.state is self.PAYING_QR:
            self._bank_reached()

    def _bank_reached(self) -> None:
        """The backend has not acknowledged the request a while after the QR went up (the network
        is down): said, so the citizen may pay in cash instead of transferring into silence."""
        if self.data.get("bank_unreached") or self.seconds_in_state() < BANK_SILENT_S:
            return
        row = self.core.store.db.execute(
            "SELECT created_at FROM payment_backend WHERE reference = ?", [self.data["reference"]]
        ).fetchone()
        if row is None or row[0] is None:
            self.data["bank_unreached"] = True
            self.said = Say.QR_NOT_HEARD.format()

    def _settle_qr(self, payment: payments.Payment, word: payments.BankWord) -> None:
        """The bank's word counted with the journey's move, in one commit: nothing left owed,
        verified (then opened, with auto_open); the QR on screen paid less, a problem for an
        officer; elsewhere, what is left is what the screen asks for."""
        store = self.core.store
        with store.transaction():
            settled = payments.settle(store, payment, word)
            owed = payments.remaining(store, payment.item)
            if owed == 0 and settled is not None:
                self._flag_excess(settled)
            if owed == 0:
                self._close_cash(flag=False)
                self._fee_data(self._item_row())
                self._change_state(self.VERIFIED, fee="paid", reference=payment.reference)
            elif self.state is self.PAYING_QR and settled is not None and settled.state == "short":
                self._enter_fee_due(self._item_row())  # the rest payable now, another way or a new QR
            else:
                self.data.update(remaining=owed, paid=payments.paid(store, payment.item))
        if settled is not None and settled.state == "short" and self.state is self.FEE_DUE:
            self.said = Say.PAID_IN_PART.format(**sums(received=settled.payment.received, remaining=owed))
        elif self.state is self.VERIFIED:
            self._paid(payment.amount)
        elif self.state is self.PAYING_CASH and self.core.cash is not None:  # fewer notes fit now
            self.data["accepted"] = list(self.core.cash.begin(payment, owed))

    def _flag_excess(self, settled: payments.Settled) -> None:
        """A transfer that completes a fee notes had partly paid (the QR kept open beside the cash)
        leaves more than the fee: an officer's refund, flagged as an over-payment of the dossier."""
        item = self._item_row()
        excess = payments.paid(self.core.store, item["id"]) - int(item["fee_due"] or 0)
        if excess > 0 and not {"over", "after-cancel", "twice"} & set(settled.flagged):
            payments.flag(self.core.store, settled.payment, "over", excess)

    def _paid(self, amount: int) -> None:
        item = self._item_row()
        fee = int(item["fee_due"] or 0)
        excess = payments.paid(self.core.store, item["id"]) - fee
        self.said = (Say.FEE_PAID_OVER.format(**sums(amount=fee, excess=excess)) if excess > 0
                     else Say.FEE_PAID.format(**sums(amount=amount)))  # fmt: skip
        paid = [receipts.PaidBy(p.received, p.method, p.reference)
                for p in payments.of_item(self.core.store, item["id"]) if p.received]  # fmt: skip
        office = receipts.Office(self.core.cfg.kiosk.office, self.core.kiosk_id)
        code, comp = item["dossier_code"], item["compartment"]
        self.receipt = receipts.pickup_receipt(office, code, self.core.now(), comp, fee=fee, paid=paid)
        if self.auto_open:
            self.open()  # type: ignore[attr-defined]

    def _watch_cash(self) -> None:
        cash = self.core.cash
        payment = payments.get(self.core.store, self.data["reference"])
        if cash is None or payment is None:
            return
        news = cash.poll(payment, on_paid=self._paid_by_cash)
        self._heard_cash(news)

    def _heard_cash(self, news: CashNews) -> None:
        if news.credited or not news.settled:  # a note going in, or refused: someone is there
            self.keep_alive()
            self.data["inserted"] = self.data.get("inserted", 0) + sum(news.credited)
        if self.state is self.VERIFIED:  # moved with the last credit's commit (CashSession.poll)
            self._paid(news.payment.amount)
            return
        owed = payments.remaining(self.core.store, news.payment.item)
        self.data.update(remaining=owed, accepted=list(news.accepted))
        if news.said is not None:
            self.said = news.said
        elif news.credited:
            self.said = Say.CASH_CREDITED.format(**sums(value=news.credited[-1], remaining=owed))

    def _paid_by_cash(self) -> None:
        """The move to verified, in the commit of the credit that paid the fee (CashSession.poll)."""
        payments.end_open(self.core.store, self.id, "cancelled", method=payments.VIETQR)
        self._fee_data(self._item_row())
        self._change_state(self.VERIFIED, fee="paid", reference=self.data.get("reference"))

    # -- the ends: cancel, timeouts --------------------------------------------------------------

    def _change_state(
        self, new: S, *, outcome: str | None = None, columns: dict[str, Any] | None = None, **detail: Any
    ) -> None:
        """A cancel or a timeout from a fee state ends its payments in the same commit."""
        ends = {self.CANCELLED: "cancelled", self.TIMED_OUT: "expired"}
        if new not in ends or self.state not in (self.FEE_DUE, self.PAYING_QR, self.PAYING_CASH):
            super()._change_state(new, outcome=outcome, columns=columns, **detail)
            return
        # a QR shown on this visit (on screen now, or left by Back): a transfer may be on its way
        waited_for_the_bank = self.state is self.PAYING_QR or bool(self.data.get("qr_shown"))
        store = self.core.store
        with store.transaction():
            for payment, word in payments.bank_news(store, self.data["code"]):  # paid before the touch
                payments.settle(store, payment, word)
            self._end_payments(ends[new])
            super()._change_state(new, outcome=outcome, columns=columns, **detail)
        if waited_for_the_bank:  # a transfer may be on its way: what becomes of it is said
            self.said = (Say.QR_EXPIRED if new is self.TIMED_OUT else Say.QR_CANCELLED).format()

    def _end_payments(self, state: str) -> None:
        """Inside the move that ends the journey: its QR requests ended, its cash payment closed
        (the notes taken counted and flagged for an officer), the validator disabled."""
        payments.end_open(self.core.store, self.id, state, method=payments.VIETQR)
        self._close_cash(flag=True, state=state)

    def _close_cash(self, *, flag: bool, state: str = "cancelled") -> None:
        reference = self.data.get("reference")
        payment = payments.get(self.core.store, reference) if isinstance(reference, str) else None
        if payment is None or payment.method != payments.CASH:
            return
        if self.core.cash is not None:
            self.core.cash.end()
        payments.close_cash(self.core.store, payment, state, flag=flag)
