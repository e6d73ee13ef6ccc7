"""VietQR (NAPAS 247) payment codes: EMVCo merchant-presented mode with NAPAS's VietQR template
(../shared/protocols/vietqr.md). ``build`` writes the payload a fee's QR shows; ``parse`` reads one
back, totally: any string gives a ``VietQR`` or a ``VietQRError`` that says what is wrong.

A QR only asks for a transfer: that the money arrived is learnt from the backend, never from here.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

from kiosk.errors import KioskError

GUID = "A000000727"
TO_ACCOUNT, TO_CARD = "QRIBFTTA", "QRIBFTTC"
SERVICES = frozenset({TO_ACCOUNT, TO_CARD})
VND = "704"
STATIC, DYNAMIC = "11", "12"
PURPOSE_MAX = 25  # the field's limit; a regulated dossier code is exactly this long
ACCOUNT_MAX = 19
AMOUNT_MAX = 10**13 - 1  # EMVCo's amount field holds 13 characters


class VietQRError(KioskError):
    """A VietQR payload that cannot be built or read; the message says which part and why."""


@dataclass(frozen=True)
class VietQR:
    bank_bin: str  # the beneficiary bank's 6-digit BIN (NAPAS)
    account: str
    amount: int | None = None  # whole đồng; None: a static code, the payer types the amount
    purpose: str | None = None  # ASCII, at most 25 characters: the dossier code
    service: str = TO_ACCOUNT

    def __post_init__(self) -> None:
        _check(self)

    @property
    def dynamic(self) -> bool:
        return self.amount is not None


def build(qr: VietQR) -> str:
    """The payload, with its CRC: dynamic (point of initiation 12) when it carries an amount."""
    beneficiary = _tlv("00", qr.bank_bin) + _tlv("01", qr.account)
    merchant = _tlv("00", GUID) + _tlv("01", beneficiary) + _tlv("02", qr.service)
    body = (
        _tlv("00", "01")
        + _tlv("01", DYNAMIC if qr.dynamic else STATIC)
        + _tlv("38", merchant)
        + _tlv("53", VND)
        + (_tlv("54", str(qr.amount)) if qr.amount is not None else "")
        + _tlv("58", "VN")
        + (_tlv("62", _tlv("08", qr.purpose)) if qr.purpose else "")
        + "6304"
    )
    return body + crc(body)


def parse(payload: str) -> VietQR:
    """The VietQR a payload asks for, or ``VietQRError``: a CRC that does not match, a field cut
    short, a template that is not VietQR's, a currency that is not đồng."""
    if not payload.isascii() or not payload.isprintable():
        raise VietQRError("a VietQR payload is printable ASCII only")
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise VietQRError("the payload does not end with its CRC (6304 and four hex digits)")
    if payload[-4:] != crc(payload[:-4]):
        raise VietQRError(f"CRC {payload[-4:]!r} does not match the payload ({crc(payload[:-4])})")
    fields = _fields(payload[:-8])
    if fields.get("00") != "01":
        raise VietQRError("payload format indicator (00) is not 01")
    merchant = _fields(_need(fields, "38", "merchant account (38)"))
    if merchant.get("00") != GUID:
        raise VietQRError(f"merchant account (38) is not VietQR's (GUID {GUID})")
    beneficiary = _fields(_need(merchant, "01", "beneficiary (38.01)"))
    if fields.get("53") != VND:
        raise VietQRError("currency (53) is not 704, the đồng")
    amount = fields.get("54")
    if amount is not None and not (amount.isascii() and amount.isdigit()):
        raise VietQRError(f"amount (54) {amount!r} is not a whole number of đồng")
    purpose = _fields(fields["62"]).get("08") if "62" in fields else None
    initiation = fields.get("01")
    if initiation not in (STATIC, DYNAMIC) or (initiation == DYNAMIC) != (amount is not None):
        raise VietQRError("point of initiation (01) does not agree with the amount (54)")
    return VietQR(
        bank_bin=_need(beneficiary, "00", "bank BIN (38.01.00)"),
        account=_need(beneficiary, "01", "account (38.01.01)"),
        amount=int(amount) if amount is not None else None,
        purpose=purpose,
        service=_need(merchant, "02", "service (38.02)"),
    )


def crc(text: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), four upper-case hex digits."""
    return f"{binascii.crc_hqx(text.encode('ascii'), 0xFFFF):04X}"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(f"field {tag} is {len(value)} characters; a field holds at most 99")
    return f"{tag}{len(value):02d}{value}"


def _fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    at = 0
    while at < len(text):
        head = text[at : at + 4]
        if len(head) < 4 or not (head.isascii() and head.isdigit()):
            raise VietQRError(f"a field at {at} has no two-digit id and length: {head!r}")
        tag, size = head[:2], int(head[2:])
        value = text[at + 4 : at + 4 + size]
        if len(value) < size:
            raise VietQRError(f"field {tag} says {size} characters, {len(value)} are left")
        if tag in found:
            raise VietQRError(f"field {tag} is given twice")
        found[tag] = value
        at += 4 + size
    return found


def _need(fields: dict[str, str], tag: str, what: str) -> str:
    if tag not in fields:
        raise VietQRError(f"{what} is missing")
    return fields[tag]


def _check(qr: VietQR) -> None:
    if not (len(qr.bank_bin) == 6 and qr.bank_bin.isascii() and qr.bank_bin.isdigit()):
        raise VietQRError(f"the bank BIN must be 6 digits, got {qr.bank_bin!r}")
    if not (0 < len(qr.account) <= ACCOUNT_MAX and qr.account.isascii() and qr.account.isalnum()):
        raise VietQRError(f"the account must be 1 to {ACCOUNT_MAX} letters or digits, got {qr.account!r}")
    if qr.amount is not None and (isinstance(qr.amount, bool) or not 0 < qr.amount <= AMOUNT_MAX):
        raise VietQRError(f"the amount must be a positive whole number of đồng, got {qr.amount!r}")
    if qr.purpose is not None:
        if not (qr.purpose.isascii() and qr.purpose.isprintable()):
            raise VietQRError(f"the purpose must be printable ASCII, got {qr.purpose!r}")
        if len(qr.purpose) > PURPOSE_MAX:
            raise VietQRError(f"the purpose holds at most {PURPOSE_MAX} characters, got {len(qr.purpose)}")
    if qr.service not in SERVICES:
        raise VietQRError(f"the service must be {TO_ACCOUNT} or {TO_CARD}, got {qr.service!r}")
