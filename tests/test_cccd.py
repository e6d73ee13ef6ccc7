"""The QR on a CCCD, read totally (kiosk/cccd.py): every shape of wrong text gets its
reason, a code of another kind is told apart, any text gives a card or ``CardUnreadable``, and a
card built parses back."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import cccd
from kiosk.cccd import CardUnreadable, CCCDCard, Unreadable
from kiosk.pickup_codes import make_token

ADDRESS = "Số 12 đường Lê Lợi, Phường 1, Quận 3, TP. Hồ Chí Minh"
CARD = f"079190012345|025123456|Nguyễn Thị Lan|01021990|Nữ|{ADDRESS}|15062021"


def reason(text: str) -> Unreadable:
    with pytest.raises(CardUnreadable) as caught:
        cccd.parse(text)
    return caught.value.reason


def test_a_card_as_its_qr_reads() -> None:
    card = cccd.parse(CARD + "\r\n")  # as a scanner in keyboard mode ends it
    assert (card.id_number, card.old_id, card.name, card.sex) == (
        "079190012345",
        "025123456",
        "Nguyễn Thị Lan",
        "Nữ",
    )
    assert (card.birth, card.issued, card.source) == (date(1990, 2, 1), date(2021, 6, 15), "qr")
    assert card.address.startswith("Số 12 đường Lê Lợi")


def test_a_card_without_an_old_id_and_one_in_decomposed_unicode() -> None:
    decomposed = unicodedata.normalize("NFD", CARD.replace("|025123456|", "||"))
    card = cccd.parse(decomposed)
    assert card.old_id == "" and card.name == "Nguyễn Thị Lan" and card.sex == "Nữ"
    assert unicodedata.is_normalized("NFC", card.address)


def test_nothing_of_a_card_shows_in_its_repr() -> None:
    card = cccd.parse(CARD)
    shown = repr(card) + str(card)
    assert "079190012345" not in shown and "Lan" not in shown and "Lê Lợi" not in shown


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", Unreadable.EMPTY),
        ("  \r\n", Unreadable.EMPTY),
        (CARD + "|", Unreadable.FIELDS),
        ("079190012345|025123456|Nguyễn Thị Lan|01021990|Nữ|15062021", Unreadable.FIELDS),
        (CARD.replace("079190012345", "07919001234"), Unreadable.ID_NUMBER),
        (CARD.replace("079190012345", "07919001234٥"), Unreadable.ID_NUMBER),  # an Arabic-Indic 5
        (CARD.replace("079190012345", "0791900123456"), Unreadable.ID_NUMBER),
        (CARD.replace("025123456", "02512345"), Unreadable.OLD_ID),
        (CARD.replace("Nguyễn Thị Lan", ""), Unreadable.NAME),
        (CARD.replace("Nguyễn Thị Lan", "Nguyễn 3 Lan"), Unreadable.NAME),
        (CARD.replace("Nguyễn Thị Lan", "Lan" * 40), Unreadable.NAME),
        (CARD.replace("Nữ", "nữ"), Unreadable.SEX),
        (CARD.replace("Nữ", "F"), Unreadable.SEX),
        (CARD.replace("01021990", "30021990"), Unreadable.DATE),
        (CARD.replace("01021990", "1021990"), Unreadable.DATE),
        (CARD.replace("01021990", "01021899"), Unreadable.DATE),
        (CARD.replace("15062021", "01021990"), Unreadable.DATE),  # issued the day of birth
        (CARD.replace("01021990", "16062021"), Unreadable.DATE),  # born after the issue
        (CARD.replace("Số 12", "Số\u202e12"), Unreadable.CHARACTERS),  # a bidi override
        (CARD.replace("Số 12", "Số\x0012"), Unreadable.CHARACTERS),
        (CARD.replace(", Phường 1", "\nPhường 1"), Unreadable.CHARACTERS),
        (CARD.replace("Số 12 đường", "x" * 300), Unreadable.ADDRESS),
        (CARD + "x" * 600, Unreadable.TOO_LONG),
    ],
)
def test_each_wrong_shape_has_its_reason(text: str, why: Unreadable) -> None:
    assert reason(text) is why
    assert why.counts is (why not in (Unreadable.EMPTY, Unreadable.NOT_CCCD))


def test_codes_of_other_kinds_scanned_by_mistake_are_not_cards() -> None:
    token = make_token(b"k" * 32, "HG-VT-01", "000.00.53.H48-220921-0099", "A01", 1_900_000_000, "L" * 12)
    others = [
        token,  # seven fields, like a card's
        "000.00.53.H48-220921-0099",
        "Mã hồ sơ: 000.00.53.H48-220921-0099\nNgày hẹn trả: 25/11/2026",
        "https://dichvucong.gov.vn/p/tra-cuu?mahoso=000.00.53.H48-220921-0099",
        "DKS1|CB-0042",
        "00020101021238570010A000000727012700069704220113012345678900208QRIBFTTA53037045802VN6304ABCD",
    ]
    assert [reason(text) for text in others] == [Unreadable.NOT_CCCD] * len(others)
    assert not Unreadable.NOT_CCCD.counts


def test_an_address_that_looks_like_a_receipt_is_still_a_card() -> None:
    card = cccd.parse(CARD.replace("Số 12 đường Lê Lợi", "Tổ 5: khu code=ABC-123"))
    assert card.id_number == "079190012345"


def test_the_message_names_the_reason_not_the_text() -> None:
    with pytest.raises(CardUnreadable) as caught:
        cccd.parse(CARD.replace("Nữ", "X"))
    assert "079190012345" not in str(caught.value) and "Lan" not in str(caught.value)


def test_the_qr_reader_is_a_holder_reader() -> None:
    reader: cccd.HolderReader = cccd.QRHolderReader()
    assert reader.read(CARD).id_number == "079190012345"


@given(st.text(max_size=700))
def test_any_text_is_a_card_or_unreadable(text: str) -> None:
    try:
        card = cccd.parse(text)
    except CardUnreadable as exc:
        assert isinstance(exc.reason, Unreadable)
    else:
        assert cccd.ID_NUMBER.fullmatch(card.id_number)


# the letters a Vietnamese name is written with, precomposed (NFC), and the rest of an address
VIET_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
WORD = st.text(alphabet=VIET_LETTERS + VIET_LETTERS.upper(), min_size=1, max_size=10)
NAMES = st.lists(WORD, min_size=1, max_size=6).map(" ".join).filter(lambda n: len(n) <= cccd.MAX_NAME)
ADDRESS_WORD = st.text(alphabet=VIET_LETTERS + "0123456789,./-", min_size=1, max_size=12)
ADDRESSES = st.lists(ADDRESS_WORD, min_size=1, max_size=12).map(" ".join)
DIGITS = "0123456789"


@st.composite
def cards(draw: st.DrawFn) -> CCCDCard:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2090, 1, 1)))
    issued = draw(st.dates(min_value=born.replace(year=born.year + 1, day=1), max_value=date(2099, 12, 31)))
    return CCCDCard(
        id_number=draw(st.text(alphabet=DIGITS, min_size=12, max_size=12)),
        old_id=draw(st.sampled_from(["", "0" * 9]) | st.text(alphabet=DIGITS, min_size=9, max_size=9)),
        name=draw(NAMES),
        birth=born,
        sex=draw(st.sampled_from(["Nam", "Nữ"])),
        address=draw(ADDRESSES),
        issued=issued,
    )


@given(cards())
def test_a_card_built_parses_back(card: CCCDCard) -> None:
    assert cccd.parse(cccd.build(card)) == card


@given(cards(), st.integers(min_value=0, max_value=6), st.text(max_size=20))
def test_a_card_with_one_field_changed_never_crashes(card: CCCDCard, index: int, other: str) -> None:
    parts = cccd.build(card).split("|")
    parts[index] = other
    try:
        card = cccd.parse("|".join(parts))
    except CardUnreadable as exc:
        assert exc.reason.counts or exc.reason is Unreadable.NOT_CCCD
    else:
        assert cccd.parse(cccd.build(card)) == card  # what was read is one spelling of a card
