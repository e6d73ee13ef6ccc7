"""The QR on a chip ID card (CCCD, "Căn cước công dân"), read totally: any text in, a ``CCCDCard``
or ``CardUnreadable`` with the reason out. Pure: no I/O, no clock.

The chip CCCD of 2021 (Circular 06/2021/TT-BCA) prints it on the front, with the chip and the MRZ
on the back; the "Căn cước" card issued since July 2024 prints a QR on the back, and its contents
could not be checked from here: a card whose QR has another shape is "not seven fields", and after
four tries its holder is sent to an officer, never let through.

Its text is ``ID|old ID|name|DDMMYYYY|sex|address|DDMMYYYY``: the 12-digit personal ID number,
the old 9-digit ID (CMND) or nothing, the full name, the date of birth, "Nam" or "Nữ", the place of
residence and the date of issue. Only the ID number is used (compared as a keyed hash,
kiosk/holder.py); the rest is checked so that a code of another kind, scanned by mistake, is told
apart from a card that cannot be read. Nothing read from a card is kept: ``CCCDCard`` never shows
its fields in a repr, so a traceback or a log line that names one gives nothing away.

The seam for a chip reader is ``HolderReader``: what identifies the card's holder, the QR today.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from kiosk import codes
from kiosk.errors import KioskError

MAX_LENGTH = 512  # a real card's QR is under 250 characters, with a long address
MAX_NAME = 100
MAX_ADDRESS = 250
FIELDS = 7
SEXES = ("Nam", "Nữ")
A = re.ASCII  # digits are ASCII digits (DESIGN §7)
ID_NUMBER = re.compile(r"[0-9]{12}", A)
# the old ID (CMND) was 9 digits; the 12-digit CMND of 2012-2016 is carried over the same way
OLD_ID = re.compile(r"(?:[0-9]{9}|[0-9]{12})?", A)
DAY = re.compile(r"[0-9]{8}", A)
EARLIEST = date(1900, 1, 1)
LATEST = date(2099, 12, 31)
# a name is letters (any script's, as NFC leaves Vietnamese ones) with spaces, hyphens, apostrophes
NAME_MARKS = frozenset(" -'.")


class Unreadable(enum.Enum):
    """Why a scanned text is not a CCCD's QR; ``counts`` says whether it is a try at the card."""

    EMPTY = "nothing was read"
    NOT_CCCD = "another kind of code (a dossier code, a pickup or payment QR)"
    TOO_LONG = "too long for a CCCD's QR"
    CHARACTERS = "characters no card carries"
    FIELDS = "not seven fields"
    ID_NUMBER = "the ID number is not 12 digits"
    OLD_ID = "the old ID number is not 9 or 12 digits"
    NAME = "the name is missing, too long or not a name"
    SEX = "the sex is neither Nam nor Nữ"
    ADDRESS = "the address is missing or too long"
    DATE = "a date is not a day in DDMMYYYY, or the birth is not before the issue"

    @property
    def counts(self) -> bool:
        """A card held the wrong way gives nothing, a pickup QR scanned instead is not the card:
        neither is a try. Everything else was a card's QR that could not be read."""
        return self not in (Unreadable.EMPTY, Unreadable.NOT_CCCD)


class CardUnreadable(KioskError):
    def __init__(self, reason: Unreadable) -> None:
        # the reason only: the text scanned may be a card's, and a message goes to logs
        super().__init__(f"not a readable CCCD QR: {reason.value}")
        self.reason = reason


@dataclass(frozen=True)
class CCCDCard:
    """What a card's QR says. No field in the repr: it is a citizen's identity (DESIGN §5)."""

    id_number: str = field(repr=False)
    old_id: str = field(repr=False)
    name: str = field(repr=False)
    birth: date = field(repr=False)
    sex: Literal["Nam", "Nữ"] = field(repr=False)
    address: str = field(repr=False)
    issued: date = field(repr=False)
    source: Literal["qr", "chip"] = "qr"


class HolderReader(Protocol):
    """What identifies the card's holder: the person at the machine presents their card, the
    reader says whose it is, or raises ``CardUnreadable``.

    Today that is the QR printed on the card (``QRHolderReader``): a scanner or the camera gives its text.
    A QR is printed and signs nothing: it can be photographed and shown from a phone, and anyone
    who knows the ID number (it is on many papers) can make one. It proves knowledge of the
    number, not the card in hand. A chip reader (ICAO 9303 over NFC; PyPI has no library for
    it, so none is built here) would be a second ``HolderReader``: ``read`` would take the MRZ
    printed on the back of the card (the three lines scanned by the camera, or typed),
    derive the Basic Access Control keys from its document number, birth date and expiry, open a
    secure channel with the chip, read DG13 (where the CCCD keeps the ID number and the other
    fields of the QR) and check the Document Security Object's signature over it against the
    issuing country's certificate (passive authentication), prove the chip is no copy where the
    card supports it (chip or active authentication), then answer a ``CCCDCard`` with
    ``source="chip"``. That ID cannot be forwarded like a photo of a QR: only the card in the
    reader's field answers. Its failures (no card in the field, a signature that does not verify)
    would be reasons of their own in ``Unreadable``. The journey needs no change for it: it asks
    the reader it was given (``PickupJourney.holder_reader``).
    """

    def read(self, scanned: str) -> CCCDCard: ...


class QRHolderReader:
    """The QR printed on the card, as the scanner or the camera read it."""

    def read(self, scanned: str) -> CCCDCard:
        return parse(scanned)


def parse(text: str) -> CCCDCard:
    """Any text to a card, or ``CardUnreadable`` saying why not."""
    text = text.strip().lstrip("\ufeff").strip()
    if not text:
        raise CardUnreadable(Unreadable.EMPTY)
    if len(text) > MAX_LENGTH:
        raise CardUnreadable(Unreadable.TOO_LONG)
    try:
        return _card(text)
    except CardUnreadable:
        # only now: a card whose address holds a "code:" label is still a card
        if _another_code(text):
            raise CardUnreadable(Unreadable.NOT_CCCD) from None
        raise


def _card(text: str) -> CCCDCard:
    if any(unicodedata.category(ch) in codes.UNREADABLE_CATEGORIES for ch in text):
        raise CardUnreadable(Unreadable.CHARACTERS)
    parts = unicodedata.normalize("NFC", text).split("|")
    if len(parts) != FIELDS:
        raise CardUnreadable(Unreadable.FIELDS)
    id_number, old_id, name, birth, sex, address, issued = parts
    if not ID_NUMBER.fullmatch(id_number):
        raise CardUnreadable(Unreadable.ID_NUMBER)
    if not OLD_ID.fullmatch(old_id):
        raise CardUnreadable(Unreadable.OLD_ID)
    born, issued_on = _day(birth), _day(issued)
    if born >= issued_on:
        raise CardUnreadable(Unreadable.DATE)
    if sex not in SEXES:
        raise CardUnreadable(Unreadable.SEX)
    return CCCDCard(
        id_number, old_id, _name(name), born, "Nam" if sex == "Nam" else "Nữ", _address(address), issued_on
    )


def build(card: CCCDCard) -> str:
    """The QR text of a card (the demo's and the tests' cards); ``parse`` reads it back."""
    return "|".join(
        [card.id_number, card.old_id, card.name, f"{card.birth:%d%m%Y}", card.sex, card.address,
         f"{card.issued:%d%m%Y}"]
    )  # fmt: skip


def _another_code(text: str) -> bool:
    """A pickup token, a dossier code, a receipt, a staff badge or a payment QR scanned instead.
    A card's QR is none of them: it starts with 12 digits and a bar, which no code kind takes."""
    try:
        codes.parse(text)
    except codes.CodeRejected as exc:
        return exc.rejection is codes.Rejection.PAYMENT_QR
    return True


def _day(text: str) -> date:
    if not DAY.fullmatch(text):
        raise CardUnreadable(Unreadable.DATE)
    try:
        day = date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise CardUnreadable(Unreadable.DATE) from None
    if not EARLIEST <= day <= LATEST:
        raise CardUnreadable(Unreadable.DATE)
    return day


def _name(text: str) -> str:
    name = " ".join(text.split())
    letters = [ch for ch in name if ch not in NAME_MARKS]
    if not 0 < len(name) <= MAX_NAME or not letters or not all(_letter(ch) for ch in letters):
        raise CardUnreadable(Unreadable.NAME)
    return name


def _letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _address(text: str) -> str:
    address = " ".join(text.split())
    if not 0 < len(address) <= MAX_ADDRESS:
        raise CardUnreadable(Unreadable.ADDRESS)
    return address
