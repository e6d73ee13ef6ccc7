"""What the kiosk accepts from the backend: every field typed and bounded as ``openapi.yaml`` says
(days, amounts, lengths, counts, dates, patterns), strictly (no "12" for 12, no true for 1).

An answer outside them is refused as a whole with ``BadAnswer``; nothing of it is used. Patterns
spell digits ``[0-9]``: the validator's ``\\d`` would take other scripts' digits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeVar, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.config import MAX_HOLD_DAYS
from sync.errors import BadAnswer

MAX_SEQ = 2**53 - 1  # what a JSON number holds exactly
DOSSIER_CODE = r"^[A-Za-z0-9][A-Za-z0-9.\-]{5,39}$"
KIOSK_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# RFC 3339 with an offset, one spelling (upper-case T and Z, a fraction of at most 6 digits)
RFC3339 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
DossierStatusWord = Literal[
    "received", "deposited", "in-process", "needs-documents", "finished", "result-returned", "refused",
    "withdrawn",
]  # fmt: skip
STATUS_WORDS = frozenset(get_args(DossierStatusWord))
RejectionCode = Literal["seq-used", "refused"]
PAYMENT_REFERENCE = r"^[A-Z0-9]{8,25}$"
MAX_AMOUNT = 10**12  # đồng: the contract's bound on a fee and on one transfer
MAX_CONFIRMATIONS = 20


def _real_moment(value: str) -> str:
    moment = datetime.fromisoformat(value)  # the pattern guarantees the offset; this, a real date
    if not 2000 <= moment.year <= 2199:
        raise ValueError("a date outside 2000-2199")
    return value


def _printable(value: str) -> str:
    # no control characters: a CR/LF in a name would forge a log line, a NUL cut a string short
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise ValueError("a control character in a text")
    return value


Moment = Annotated[str, Field(pattern=RFC3339), AfterValidator(_real_moment)]
DossierCode = Annotated[str, Field(pattern=DOSSIER_CODE)]
KioskId = Annotated[str, Field(pattern=KIOSK_ID)]
Uuid = Annotated[str, Field(pattern=UUID)]
Seq = Annotated[int, Field(ge=1, le=MAX_SEQ)]
Procedure = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_printable)]
Citizen = Annotated[str, Field(max_length=200), AfterValidator(_printable)]
Reason = Annotated[str, Field(max_length=500), AfterValidator(_printable)]
PaymentReference = Annotated[str, Field(pattern=PAYMENT_REFERENCE)]
Amount = Annotated[int, Field(ge=1, le=MAX_AMOUNT)]
HolderHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class TokenAnswer(_Answer):
    # printable ASCII without spaces: it goes into an Authorization header as it is
    access_token: Annotated[str, Field(pattern=r"^[!-~]{16,4096}$")]
    token_type: Literal["Bearer", "bearer"]
    expires_in: Annotated[int, Field(ge=1, le=31_536_000)]


class EventResult(_Answer):
    uuid: Uuid
    status: Literal["accepted", "duplicate", "rejected"]
    code: RejectionCode | None = None  # why a rejection, for the kiosk to act on
    reason: Reason | None = None  # why, in words, for a person


class EventsAnswer(_Answer):
    results: Annotated[list[EventResult], Field(max_length=100)]


class Assignment(_Answer):
    dossier_code: DossierCode
    citizen: Citizen | None = None
    procedure: Procedure
    fee_due: Annotated[int, Field(ge=0, le=10**12)]
    hold_days: Annotated[int, Field(ge=1, le=MAX_HOLD_DAYS)] | None = None
    size_hint: Literal["S", "M", "L"] | None = None
    active: bool
    requires_holder: bool = False
    holder_hash: HolderHash | None = None


class AssignmentsAnswer(_Answer):
    assignments: Annotated[list[Assignment], Field(max_length=500)]
    cursor: Annotated[str, Field(pattern=r"^[0-9]{1,18}$")]
    more: bool


class DossierAnswer(_Answer):
    code: DossierCode
    status: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]  # a province's word; mapped after
    procedure: Procedure | None = None
    citizen: Citizen | None = None
    kiosk: KioskId | None = None
    updated_at: Moment


class DossierStatus(_Answer):
    """A dossier's status as the kiosk keeps it: the backend's answer with its status in our words.
    The look-up service sends these fields, and only these, to the UI's process."""

    code: DossierCode
    status: DossierStatusWord
    procedure: Procedure | None = None
    citizen: Citizen | None = None
    kiosk: KioskId | None = None
    updated_at: Moment


class HeartbeatAnswer(_Answer):
    server_time: Moment


class SequenceAnswer(_Answer):
    last_seq: Seq | None
    last_uuid: Uuid | None

    @model_validator(mode="after")
    def _both_or_neither(self) -> SequenceAnswer:
        if (self.last_seq is None) != (self.last_uuid is None):
            raise ValueError("last_seq and last_uuid go together")
        return self


class Confirmation(_Answer):
    """One transfer the bank reported for a payment."""

    amount: Amount
    at: Moment
    transaction: Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]


class PaymentAnswer(_Answer):
    reference: PaymentReference
    dossier_code: DossierCode
    amount: Amount
    state: Literal["pending", "paid", "cancelled"]
    cancelled_at: Moment | None = None
    confirmations: Annotated[list[Confirmation], Field(max_length=MAX_CONFIRMATIONS)]

    @model_validator(mode="after")
    def _consistent(self) -> PaymentAnswer:
        if (self.state == "paid") != bool(self.confirmations) and self.state != "cancelled":
            raise ValueError(f"a {self.state} payment with {len(self.confirmations)} confirmation(s)")
        if (self.state == "cancelled") != (self.cancelled_at is not None):
            raise ValueError("cancelled_at goes with the state cancelled, and only with it")
        amounts: dict[str, int] = {}
        for c in self.confirmations:
            if amounts.setdefault(c.transaction, c.amount) != c.amount:
                raise ValueError("one transaction confirmed with two amounts")
        return self

    def transfers(self) -> list[Confirmation]:
        """Each transaction once: a bank notification delivered twice is one transfer, not two."""
        seen: dict[str, Confirmation] = {}
        for c in self.confirmations:
            seen.setdefault(c.transaction, c)
        return list(seen.values())


M = TypeVar("M", bound=BaseModel)


def parse(shape: type[M], body: bytes | str, what: str = "the answer") -> M:
    """``body`` as ``shape``, or BadAnswer saying where it is wrong (never the value: it may be a
    citizen's name)."""
    try:
        return shape.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        if first["type"] == "json_invalid":
            raise BadAnswer(f"{what} is not JSON") from None
        where = ".".join(str(part) for part in first["loc"]) or "the whole"
        raise BadAnswer(f"{what} has the wrong shape ({where}: {first['msg']})") from None
