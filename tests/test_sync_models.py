"""Parsing what comes from outside is total (DESIGN §7): the client's answer models and the
headers it reads, on arbitrary JSON and arbitrary bytes, give a value or the module's own error
(``BadAnswer``), never anything else. (Both ends of the look-up socket: tests/test_lookup_service.py.)"""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from kiosk.status import shown_text
from sync import headers
from sync.client import backoff
from sync.errors import BadAnswer
from sync.models import (
    AssignmentsAnswer,
    DossierAnswer,
    DossierStatus,
    EventsAnswer,
    HeartbeatAnswer,
    PaymentAnswer,
    SequenceAnswer,
    TokenAnswer,
    parse,
)

MODELS: list[type[BaseModel]] = [
    TokenAnswer, EventsAnswer, AssignmentsAnswer, DossierAnswer, DossierStatus, HeartbeatAnswer,
    SequenceAnswer, PaymentAnswer,
]  # fmt: skip
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50)
    | st.sampled_from(["accepted", "rejected", "seq-used", "Bearer", "finished", "S", "2026-11-23T08:00:00Z",
                       "000.00.53.H48-220921-0099", "0", "{0}", "%s", "\r\n", "\ud800", "٣", "²"])
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)


def near(shape: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the model's own keys and arbitrary values: most answers get past the first key."""
    return st.fixed_dictionaries({}, optional={name: JSON for name in shape.model_fields})


def as_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MODELS), st.data())
def test_every_answer_model_takes_any_json_or_refuses_it_as_a_bad_answer(
    shape: type[BaseModel], data: st.DataObject
) -> None:
    value = data.draw(near(shape) | JSON)
    try:
        parsed = parse(shape, as_bytes(value))
    except BadAnswer:
        return
    assert isinstance(parsed, shape)


@settings(max_examples=300)
@given(st.sampled_from(MODELS), st.binary(max_size=300))
def test_every_answer_model_takes_any_bytes_or_refuses_them_as_a_bad_answer(
    shape: type[BaseModel], body: bytes
) -> None:
    with contextlib.suppress(BadAnswer):
        parse(shape, body)


ODD = ["99999999999", "²", "٣", "-1", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 23 Nov 2026 08:00:00",
       "Mon, 23 Nov 2026 08:00:00 GMT"]  # fmt: skip


@settings(max_examples=300)
@given(st.text(max_size=60) | st.sampled_from(ODD))
def test_the_headers_read_are_parsed_totally_and_bounded(value: str) -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    wait = headers.retry_after(value, now, 300)
    assert wait is None or 0 <= wait <= 300
    assert backoff(3, 300, random.Random(0), wait) <= 300
    moment = headers.http_date(value)
    assert moment is None or moment.tzinfo is not None
    length = headers.content_length(value)
    assert length is None or (length >= 0 and value.strip().isascii())
    assert len(shown_text(value, 20)) <= 20
