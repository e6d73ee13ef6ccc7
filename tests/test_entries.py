"""What a person types: PINs and mobile numbers, one canonical spelling, total over any text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.entries import mobile_number, pickup_pin

OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩０１２３４５６７８９²³¹߀०𝟘"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("0312-345-678", "0312345678"),
        ("12345", None),
        ("0212345678", None),  # a landline, not a mobile
        ("09123456789", None),
        ("０９１２３４５６７８", None),  # full-width digits: not a second spelling
        ("091234567٨", None),
        ("0912\u200b345678", None),
        ("0" * 10_000, None),
    ],
)
def test_mobile_numbers(typed: str, read: str | None) -> None:
    assert mobile_number(typed) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [("042917", "042917"), ("04291", None), ("0429177", None), ("04291a", None), ("٠٤٢٩١٧", None),
     ("²²²²²²", None), ("04291７", None), (" 42917", None)],
)  # fmt: skip
def test_pickup_pins(typed: str, read: str | None) -> None:
    assert pickup_pin(typed) == read


@given(st.text(alphabet=st.characters() | st.sampled_from(OTHER_DIGITS + "+ .-"), max_size=60))
def test_any_text_is_a_canonical_number_or_refused(typed: str) -> None:
    for read in (mobile_number(typed), pickup_pin(typed)):
        assert read is None or (read.isascii() and read.isdigit())
    number = mobile_number(typed)
    assert number is None or (len(number) == 10 and mobile_number(number) == number)
