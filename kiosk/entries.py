"""What a person types at the screen (a PIN, a mobile number), read into its one canonical
spelling or refused. Pure and total: any text in, a value or None out.

Digits are ASCII digits: ``str.isdigit()`` and ``\\d`` also take other scripts' digits ("٣", "３",
"²"), which would make a second spelling of the same PIN or number, or crash ``int()``.
"""

from __future__ import annotations

import re

PIN_LENGTH = 6
MAX_TYPED = 40  # longer than any number a person means to type
MOBILE = re.compile(r"0[35789][0-9]{8}", re.ASCII)  # Vietnamese mobile numbers, 10 digits
SEPARATORS = re.compile(r"[ .\-]")


def ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def pickup_pin(text: str) -> str | None:
    """A pickup PIN: exactly six ASCII digits."""
    return text if len(text) == PIN_LENGTH and ascii_digits(text) else None


def masked_phone(digits: str) -> str:
    """A mobile number as a screen may show it, enough for its owner to know it: "09** *** 123"."""
    return f"{digits[:2]}** *** {digits[-3:]}" if len(digits) >= 8 else "*" * len(digits)


def mobile_number(text: str) -> str | None:
    """A Vietnamese mobile number as 10 digits ("0912345678"), from what a person may type:
    spaces, dots or dashes between groups, or +84 for the leading 0."""
    if len(text) > MAX_TYPED:
        return None
    digits = SEPARATORS.sub("", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits if MOBILE.fullmatch(digits) else None
