"""Tone marks typed on the on-screen keyboard land where Vietnamese spelling puts them."""

from __future__ import annotations

import pytest

from ui.vietnamese import add_tone


@pytest.mark.parametrize(
    ("typed", "tone", "written"),
    [
        ("khai", "acute", "khái"),
        ("đăng ky", "acute", "đăng ký"),
        ("viêt", "dot", "việt"),
        ("ngươi", "grave", "người"),  # ươ: on the ơ
        ("hoa", "grave", "hòa"),  # two open vowels: the first
        ("thuy", "hook", "thủy"),
        ("toan", "acute", "toán"),  # a final consonant: the last vowel
        ("khuyu", "hook", "khuỷu"),  # three vowels: the middle
        ("quy", "hook", "quỷ"),  # qu: the u is no vowel here
        ("gia", "acute", "giá"),  # gi + vowel: nor is the i
        ("gi", "grave", "gì"),
        ("chưng", "acute", "chứng"),
        ("đât đai", "acute", "đât đái"),  # the last word only
        ("KHAI", "acute", "KHÁI"),
        ("khái", "grave", "khài"),  # another tone replaces the first
        ("khái", "acute", "khai"),  # the same tone again takes it off
        ("tr", "acute", "tr"),  # no vowel yet: nothing to mark
        ("khai ", "acute", "khai "),  # after a space: nothing
        ("", "dot", ""),
    ],
)
def test_a_tone_goes_where_it_is_written(typed: str, tone: str, written: str) -> None:
    assert add_tone(typed, tone) == written
