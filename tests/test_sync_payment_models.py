"""A payment answer (sync/models.py ``PaymentAnswer``) and what the round keeps of it
(sync/payments.py ``merged``), by property: any answer near the contract's shape is taken within
its bounds or refused as a ``BadAnswer``; what is kept never forgets a transfer, never counts one
twice and never sums past its bounds."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.payments import purpose
from sync.errors import BadAnswer
from sync.models import MAX_AMOUNT, MAX_CONFIRMATIONS, Confirmation, PaymentAnswer, parse
from sync.payments import MAX_KEPT, merged
from tests.test_sync_models import JSON, as_bytes

AMOUNTS = st.integers(-5, 5) | st.integers(MAX_AMOUNT - 2, MAX_AMOUNT + 2) | st.integers(1, 10**7) | JSON
ODD_MOMENTS = ["2026-11-23T08:00:05+07:00", "2026-11-23T01:00:00Z", "2026-02-30T08:00:00Z",
               "1999-12-31T23:59:59Z", "2026-11-23 08:00:00", "2026-11-23T08:00:00.1234567Z"]  # fmt: skip
MOMENTS = st.sampled_from(ODD_MOMENTS) | JSON
TXNS = st.sampled_from(["FT1", "FT2", "FT1\n", "", "x" * 65, "FT.2:3-4_5"]) | JSON
CONFIRMATION = st.fixed_dictionaries({"amount": AMOUNTS, "at": MOMENTS, "transaction": TXNS})
PAYMENT = st.fixed_dictionaries(
    {
        "reference": st.sampled_from(["KPABCDEFGH234567", "kpabc", "KP" + "A" * 30]) | JSON,
        "dossier_code": st.sampled_from(["000.00.53.H48-220921-0099", "x"]) | JSON,
        "amount": AMOUNTS,
        "state": st.sampled_from(["pending", "paid", "cancelled", "refunded"]) | JSON,
        "confirmations": st.lists(CONFIRMATION, max_size=MAX_CONFIRMATIONS + 2) | JSON,
    },
    optional={"cancelled_at": st.none() | MOMENTS},
)


@settings(max_examples=200)
@given(PAYMENT | JSON)
def test_a_payment_answer_is_taken_within_its_bounds_or_refused_whole(value: Any) -> None:
    try:
        answer = parse(PaymentAnswer, as_bytes(value))
    except BadAnswer:
        return
    assert 1 <= answer.amount <= MAX_AMOUNT and len(answer.confirmations) <= MAX_CONFIRMATIONS
    assert all(1 <= c.amount <= MAX_AMOUNT for c in answer.confirmations)
    transfers = answer.transfers()
    assert len({t.transaction for t in transfers}) == len(transfers) <= len(answer.confirmations)
    assert (answer.state == "pending") <= (not answer.confirmations)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_any_bytes_are_a_payment_or_a_bad_answer(body: bytes) -> None:
    with contextlib.suppress(BadAnswer):
        parse(PaymentAnswer, body)


TRANSFER = st.builds(
    Confirmation,
    amount=st.integers(1, MAX_AMOUNT),
    at=st.just("2026-11-23T08:00:05+07:00"),
    transaction=st.sampled_from([f"FT{n}" for n in range(60)]),
)


@settings(max_examples=300)
@given(st.lists(TRANSFER, max_size=30), st.lists(TRANSFER, max_size=30))
def test_what_is_kept_never_forgets_never_doubles_and_stays_bounded(
    known: list[Confirmation], answered: list[Confirmation]
) -> None:
    known = list({c.transaction: c for c in known}.values())  # as written before: each once
    try:
        kept = merged(known, answered)
    except BadAnswer as exc:
        amounts = {c.transaction: c.amount for c in known}
        changed = any(amounts.setdefault(c.transaction, c.amount) != c.amount for c in answered)
        assert changed or len(amounts) > MAX_KEPT, exc
        return
    ids = [c.transaction for c in kept]
    assert len(ids) == len(set(ids)) <= MAX_KEPT
    assert {c.transaction for c in known} <= set(ids) and {c.transaction for c in answered} <= set(ids)
    assert sum(c.amount for c in kept) <= MAX_KEPT * MAX_AMOUNT


@given(st.text(min_size=1, max_size=40), st.from_regex(r"KP[A-Z2-7]{14}", fullmatch=True))
def test_the_purpose_fits_the_qr_s_field(code: str, reference: str) -> None:
    said = purpose(code, reference)
    assert said in (code, reference) and re.fullmatch(r"[ -~]{1,25}", said)  # the contract's pattern
