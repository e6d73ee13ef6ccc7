"""The stand-in's payments (``/v1/payments/{reference}``): the requests kiosks made, the bank's
confirmations of them, and how the pretend bank behaves (``PaymentMode``), all in its SQLite.

A confirmation the mode foresees is written when the request arrives, with the time it becomes
true (``due_at``); reads see the ones whose time has come. So "the citizen pays 5 s after the QR
appears" needs no timer, and a test can say exactly what the bank will do. The mode itself lives
in memory, like the faults: a restarted stand-in is "manual" again.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS payment (
        reference TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, dossier_code TEXT NOT NULL,
        amount INTEGER NOT NULL, request TEXT NOT NULL, received_at TEXT NOT NULL, cancelled_at TEXT)""",
    # a transfer the bank reported, or will report at due_at; only_if_open: not if the kiosk
    # cancelled first (a citizen who paid after giving up is "late", its own mode)
    """CREATE TABLE IF NOT EXISTS confirmation (
        id INTEGER PRIMARY KEY, reference TEXT NOT NULL, amount INTEGER NOT NULL,
        txn TEXT NOT NULL, due_at TEXT NOT NULL, only_if_open INTEGER NOT NULL DEFAULT 0)""",
]
Mode = Literal["manual", "auto", "late", "twice", "wrong-amount", "never"]
MODES = get_args(Mode)
MAX_AMOUNT = 10**12
MAX_CONFIRMATIONS = 20  # the contract's bound on one answer's list
TRANSACTION = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class PaymentRefused(Exception):
    """What the stand-in answers with an error: ``status`` and words."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status


@dataclass(frozen=True)
class PaymentMode:
    """How the pretend bank confirms the payments asked for from now on. manual and never: only
    when told (``confirm``); auto: the full amount ``delay_s`` after the request, unless the kiosk
    cancelled first; late: the same, even after a cancellation; twice: two transfers of the full
    amount; wrong-amount: one transfer of ``amount`` (default half of what was asked)."""

    mode: Mode = "manual"
    delay_s: float = 5.0
    amount: int | None = None

    @classmethod
    def parse(cls, body: Any) -> PaymentMode:
        if not isinstance(body, dict) or set(body) - {"mode", "delay_s", "amount"}:
            raise PaymentRefused(400, 'a mode is {"mode": …, "delay_s": S, "amount": N}, each optional')
        mode, delay, amount = body.get("mode", "manual"), body.get("delay_s", 5.0), body.get("amount")
        if mode not in MODES:
            raise PaymentRefused(400, f"mode {mode!r} is none of {', '.join(MODES)}")
        if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 86_400:
            raise PaymentRefused(400, "delay_s is a number of seconds from 0 to 86400")
        return cls(mode, float(delay), None if amount is None else _amount(amount))

    def foreseen(self, asked: int) -> list[tuple[int, float, bool]]:
        """The transfers this mode makes for a request of ``asked``: (amount, after s, only if open)."""
        if self.mode in ("manual", "never"):
            return []
        if self.mode == "twice":
            return [(asked, self.delay_s, True), (asked, self.delay_s, True)]
        if self.mode == "wrong-amount":
            return [(self.amount or max(1, asked // 2), self.delay_s, True)]
        return [(asked, self.delay_s, self.mode == "auto")]


class PaymentBook:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        for sql in SCHEMA:
            self.db.execute(sql)
        self.mode = PaymentMode()

    def put(self, kiosk_id: str, reference: str, request: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(request, sort_keys=True, ensure_ascii=False)
        row = self.db.execute(
            "SELECT kiosk_id, request FROM payment WHERE reference = ?", [reference]
        ).fetchone()
        if row is not None:
            if row[0] != kiosk_id or row[1] != body:  # idempotent for the same request only
                raise PaymentRefused(409, f"payment {reference} was asked for with other details")
            return self.get(kiosk_id, reference)
        received = _now()
        self.db.execute(
            "INSERT INTO payment VALUES (?, ?, ?, ?, ?, ?, NULL)",
            [reference, kiosk_id, request["dossier_code"], request["amount"], body, _stamp(received)],
        )
        for amount, after_s, only_if_open in self.mode.foreseen(request["amount"]):
            self._add(reference, amount, received + timedelta(seconds=after_s), only_if_open)
        return self.get(kiosk_id, reference)

    def get(self, kiosk_id: str | None, reference: str) -> dict[str, Any]:
        """As the contract shows it; ``kiosk_id`` None: whoever asked for it (the admin's view)."""
        row = self.db.execute(
            "SELECT kiosk_id, dossier_code, amount, cancelled_at FROM payment WHERE reference = ?",
            [reference],
        ).fetchone()
        if row is None or (kiosk_id is not None and row[0] != kiosk_id):
            raise PaymentRefused(404, f"no payment {reference}")  # another kiosk's is none of its business
        _, code, amount, cancelled_at = row
        seen = self._confirmations(reference, cancelled_at)
        state = "cancelled" if cancelled_at else "paid" if seen else "pending"
        return {"reference": reference, "dossier_code": code, "amount": amount, "state": state,
                "cancelled_at": cancelled_at, "confirmations": seen}  # fmt: skip

    def cancel(self, kiosk_id: str, reference: str) -> dict[str, Any]:
        self.get(kiosk_id, reference)
        self.db.execute(
            "UPDATE payment SET cancelled_at = ? WHERE reference = ? AND cancelled_at IS NULL",
            [_stamp(_now()), reference],
        )
        return self.get(kiosk_id, reference)

    def confirm(self, reference: str, body: Any) -> dict[str, Any]:
        """A bank notification (the admin's, the technician's console): the amount asked unless
        another is given, a transaction id of the bank's unless one is given."""
        if not isinstance(body, dict) or set(body) - {"amount", "transaction"}:
            raise PaymentRefused(400, 'a confirmation is {"amount": N, "transaction": "…"}, each optional')
        transaction = body.get("transaction")
        if transaction is not None and not (
            isinstance(transaction, str) and TRANSACTION.fullmatch(transaction)
        ):
            raise PaymentRefused(400, "a transaction id is 1-64 letters, digits and . _ : -")
        amount = None if body.get("amount") is None else _amount(body["amount"])
        asked = self.get(None, reference)
        if len(asked["confirmations"]) >= MAX_CONFIRMATIONS:
            raise PaymentRefused(409, f"payment {reference} has {MAX_CONFIRMATIONS} confirmations already")
        amount = asked["amount"] if amount is None else amount
        self._add(reference, amount, _now(), False, transaction)
        return self.get(None, reference)

    def listing(self) -> dict[str, Any]:
        rows = self.db.execute(
            "SELECT reference, kiosk_id, request, received_at FROM payment ORDER BY received_at"
        ).fetchall()
        payments = [
            self.get(None, ref) | {"kiosk_id": kiosk, "request": json.loads(req), "received_at": at}
            for ref, kiosk, req, at in rows
        ]
        return {"payments": payments, "mode": asdict(self.mode)}

    def _add(
        self, reference: str, amount: int, due: datetime, only_if_open: bool, txn: str | None = None
    ) -> None:
        self.db.execute(
            "INSERT INTO confirmation (reference, amount, txn, due_at, only_if_open) VALUES (?, ?, ?, ?, ?)",
            [reference, amount, txn or f"FT{secrets.token_hex(6).upper()}", _stamp(due), int(only_if_open)],
        )

    def _confirmations(self, reference: str, cancelled_at: str | None) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT amount, txn, due_at, only_if_open FROM confirmation WHERE reference = ? AND due_at <= ?"
            " ORDER BY due_at, id",
            [reference, _stamp(_now())],
        ).fetchall()
        return [
            {"amount": amount, "at": due, "transaction": txn}
            for amount, txn, due, only_if_open in rows
            if not (only_if_open and cancelled_at is not None and cancelled_at < due)
        ][:MAX_CONFIRMATIONS]


def _amount(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_AMOUNT:
        raise PaymentRefused(400, f"an amount is a whole number of đồng from 1 to {MAX_AMOUNT:,}")
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    # one width, so that the times compare as text; the contract's Moment
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
