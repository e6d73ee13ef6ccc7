"""The payment round of ``kiosk sync`` (issue 14): what the backend says about each VietQR payment
the kiosk asked for, written into ``payment_backend`` and nowhere else (the kiosk's process writes
``payment``; each table has one writer).

Which payments, and how often:
- 'requested': every ``[fees] poll_s``: created once (``PUT``, idempotent by reference), then
  checked (``GET``).
- 'cancelled' or 'expired': created if the backend never heard of it (the citizen saw the QR: a
  transfer may still come), cancelled once, then checked every ``WATCH_S`` for ``WATCH_FOR`` after
  the kiosk gave up, for a late confirmation.
- 'paid' or 'short': checked every ``WATCH_S`` for ``WATCH_FOR``, for a second transfer.

What is written is what the bank reported, within the contract's bounds, and never un-learnt: each
transfer (by transaction id) is kept in ``detail`` once seen, ``transactions`` counts them and
``paid_amount`` sums them; ``paid_at`` is the first one's time, as the bank gave it. An answer
that contradicts what was seen (another payment, another amount, a transfer whose amount changed)
is refused whole and said in ``detail``'s ``problem``; the other payments go on.

``detail`` is JSON: {"state": the backend's word, "confirmations": [{"transaction", "amount",
"at"}, …], "problem": the last failure in words or null, "problem_at"}.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from kiosk import payments
from kiosk.clock import stamp
from kiosk.config import FeesSection
from kiosk.status import shown_text
from kiosk.store import Store
from sync.client import BackendClient
from sync.errors import AuthFailed, BadAnswer, NotSent, Refused, SyncError
from sync.models import Confirmation, PaymentAnswer

log = logging.getLogger("kiosk.sync.payments")
WATCH_S = 60.0  # a payment the kiosk no longer waits for is looked at this often …
WATCH_FOR = timedelta(hours=24)  # … for this long after the kiosk gave up or settled it
PER_ROUND = 20  # payments looked at per round: a backlog cannot starve the events
MAX_KEPT = 50  # transfers kept per payment: a backend inventing new ones every answer is refused
# answers about this payment alone: said in its row, the round goes on with the next
ITS_OWN = (BadAnswer, Refused, NotSent)


@dataclass(frozen=True)
class Looked:
    """One payment as the round sees it: the kiosk's row and what was written of the backend's."""

    reference: str
    dossier_code: str
    amount: int
    state: str
    created_at: str
    procedure: str | None
    sent_at: str | None  # payment_backend.created_at: the backend accepted the request
    cancelled_at: str | None
    checked_at: str | None
    detail: str | None


@dataclass
class RoundDone:
    checked: int = 0
    problems: int = 0  # answers about one payment refused (said in its row)


class PaymentRound:
    def __init__(self, store: Store, client: BackendClient, fees: FeesSection | None) -> None:
        self.store = store
        self.client = client
        self.fees = fees

    def pause_s(self, idle_s: float) -> float:
        """How long the worker may rest between rounds: less than ``poll_s`` while a citizen waits
        at the QR screen."""
        if self.fees is None or idle_s <= self.fees.poll_s:
            return idle_s
        waiting = self.store.db.execute(
            "SELECT 1 FROM payment WHERE method = 'vietqr' AND state = 'requested' LIMIT 1"
        ).fetchone()
        return self.fees.poll_s if waiting else idle_s

    def run(self) -> RoundDone:
        """Every payment due now, one exchange or three each. A failure of the backend itself
        (unreachable, busy) ends the round with that error, for the worker's backoff."""
        done = RoundDone()
        for p in self.due():
            try:
                self._exchange(p)
                done.checked += 1
            except AuthFailed:  # the kiosk's credentials, not this payment: the worker's to say
                raise
            except ITS_OWN as exc:
                done.problems += 1
                log.warning("payment %s: %s", p.reference, exc)
                self._problem(p, exc)
        return done

    def summary(self) -> tuple[int, list[tuple[str, str]]]:
        """For ``kiosk sync --status``: how many requests wait for the bank now, and the payments
        whose last exchange failed (reference, the problem in words)."""
        waiting = self.store.db.execute(
            "SELECT COUNT(*) FROM payment WHERE method = 'vietqr' AND state = 'requested'"
        ).fetchone()[0]
        rows = self.store.db.execute(
            "SELECT reference, json_extract(detail, '$.problem') FROM payment_backend"
            " WHERE json_valid(detail) AND json_extract(detail, '$.problem') IS NOT NULL ORDER BY reference"
        ).fetchall()
        return int(waiting), [(str(r), shown_text(str(p), 200)) for r, p in rows]

    def due(self) -> list[Looked]:
        if self.fees is None:
            return []
        now = self.store.clock()
        rows = self.store.db.execute(
            "SELECT p.reference, p.dossier_code, p.amount, p.state, p.created_at, i.procedure,"
            " b.created_at, b.cancelled_at, b.checked_at, b.detail FROM payment p"
            " JOIN item i ON i.id = p.item LEFT JOIN payment_backend b USING (reference)"
            " WHERE p.method = 'vietqr'"
            " AND (p.state = 'requested' OR COALESCE(p.settled_at, p.updated_at) >= ?)"
            " ORDER BY p.state != 'requested', b.checked_at IS NOT NULL, b.checked_at",
            [stamp(now - WATCH_FOR)],
        ).fetchall()
        found = [Looked(*row) for row in rows]
        return [p for p in found if self._is_due(p, now)][:PER_ROUND]

    def _is_due(self, p: Looked, now: datetime) -> bool:
        requested = p.state == "requested"
        to_cancel = not requested and p.cancelled_at is None  # goes at once, then as a request
        looked = [t for t in (None if to_cancel else p.checked_at, _problem_at(p.detail)) if t]
        if not looked:
            return True
        every = self.fees.poll_s if self.fees and (requested or to_cancel) else WATCH_S
        last = max(datetime.fromisoformat(t) for t in looked)
        # a clock stepped back (NTP, a person at the settings) must not stop the polling
        return last > now or (now - last).total_seconds() >= every - 0.05

    # -- one payment -------------------------------------------------------------------------------

    def _exchange(self, p: Looked) -> None:
        answered = False
        if p.sent_at is None:
            p = self._record(p, self.client.put_payment(p.reference, self.request(p)), sent=True)
            answered = True
        if p.state in ("cancelled", "expired") and p.cancelled_at is None:
            p = self._record(p, self._or_lost(p, lambda: self.client.cancel_payment(p.reference)),
                             cancelled=True)  # fmt: skip
            answered = True
        if not answered:
            self._record(p, self._or_lost(p, lambda: self.client.payment(p.reference)))

    def _or_lost(self, p: Looked, call: Any) -> PaymentAnswer:
        try:
            answer: PaymentAnswer = call()
            return answer
        except Refused as exc:
            if exc.status == 404:  # the backend lost it (a restored database): asked for again
                self._write(p.reference, {"created_at": None, "cancelled_at": None})
            raise

    def request(self, p: Looked) -> dict[str, Any]:
        """What the citizen's QR asked for (the same account and purpose: kiosk/payments.py's)."""
        assert self.fees is not None
        payee = payments.beneficiary(self.fees, p.procedure)
        return {
            "dossier_code": p.dossier_code, "amount": p.amount, "method": "vietqr",
            "purpose": payments.purpose(p.dossier_code, p.reference),
            "beneficiary": {"bin": payee.bank_bin, "account": payee.account}, "created_at": p.created_at,
        }  # fmt: skip

    def _record(
        self, p: Looked, answer: PaymentAnswer, *, sent: bool = False, cancelled: bool = False
    ) -> Looked:
        if answer.dossier_code != p.dossier_code or answer.amount != p.amount:
            raise BadAnswer(
                f"the backend's payment {p.reference} is for {answer.amount:,} đồng on another dossier"
                if answer.dossier_code != p.dossier_code
                else f"the backend's payment {p.reference} asks {answer.amount:,} đồng, not {p.amount:,}"
            )
        transfers = merged(_kept(p.detail), answer.transfers())
        now = self.store.now()
        columns: dict[str, Any] = {
            "checked_at": now,
            "paid_amount": sum(t.amount for t in transfers) if transfers else None,
            "paid_at": min(transfers, key=lambda t: datetime.fromisoformat(t.at)).at if transfers else None,
            "transactions": len(transfers),
            "detail": _detail(answer.state, transfers),
        }
        if sent:
            columns["created_at"] = now
        if cancelled:
            columns["cancelled_at"] = now
        self._write(p.reference, columns)
        return replace(p, detail=columns["detail"], sent_at=p.sent_at or now)

    def _problem(self, p: Looked, exc: SyncError) -> None:
        row = self.store.db.execute(  # as written now: a step of this exchange may have written it
            "SELECT detail FROM payment_backend WHERE reference = ?", [p.reference]
        ).fetchone()
        try:
            detail = json.loads(row[0]) if row and row[0] else {}
        except ValueError:
            detail = {}
        detail = (detail if isinstance(detail, dict) else {}) | {
            "problem": shown_text(str(exc), 300),
            "problem_at": self.store.now(),
        }
        self._write(p.reference, {"detail": json.dumps(detail, ensure_ascii=False, sort_keys=True)})

    def _write(self, reference: str, columns: dict[str, Any]) -> None:
        names = list(columns)
        with self.store.transaction() as db:
            db.execute(
                f"INSERT INTO payment_backend (reference, {', '.join(names)})"
                f" VALUES (?, {', '.join('?' for _ in names)}) ON CONFLICT (reference) DO UPDATE SET"
                f" {', '.join(f'{n} = excluded.{n}' for n in names)}",
                [reference, *columns.values()],
            )


def merged(known: list[Confirmation], answered: list[Confirmation]) -> list[Confirmation]:
    """What was seen before and what the backend says now, each transaction once; a transfer
    whose amount changed, or more than MAX_KEPT of them, is an answer not to be believed."""
    kept = {c.transaction: c for c in known}
    for c in answered:
        before = kept.setdefault(c.transaction, c)
        if before.amount != c.amount:
            raise BadAnswer(
                f"the backend now says transfer {c.transaction} was {c.amount:,} đồng, not {before.amount:,}"
            )
    if len(kept) > MAX_KEPT:
        raise BadAnswer(f"the backend reports {len(kept)} transfers for one payment")
    return list(kept.values())


def _kept(detail: str | None) -> list[Confirmation]:
    """The transfers written before (this process's own writing, read back totally all the same)."""
    try:
        raw = json.loads(detail) if detail else {}
        return [Confirmation.model_validate(c) for c in raw.get("confirmations", [])][:MAX_KEPT]
    except (ValueError, ValidationError, AttributeError, TypeError):
        return []


def _problem_at(detail: str | None) -> str | None:
    try:
        at = json.loads(detail).get("problem_at") if detail else None
        return at if isinstance(at, str) and datetime.fromisoformat(at) else None
    except (ValueError, AttributeError):
        return None


def _detail(state: str, transfers: list[Confirmation]) -> str:
    body = {"state": state, "confirmations": [c.model_dump() for c in transfers], "problem": None}
    return json.dumps(body, ensure_ascii=False, sort_keys=True)
