"""Vietnamese as bytes an ESC/POS printer prints correctly. Pure.

TCVN-3 (TCVN 5712 "VN3") holds Vietnamese in two single-byte pages: lower case (and ASCII) in one,
upper case in the other. The tables come from python-escpos's printer database, with its known
error mended: the upper-case page maps U+00D0 (Ð, Icelandic eth) where U+0110 (Đ) is meant.
Characters neither page has get a plain ASCII stand-in, never "?".
"""

from __future__ import annotations

import unicodedata

from escpos.capabilities import CAPABILITIES

ESC_T = b"\x1bt"

# Typography a receipt may carry that no single-byte page has: printed as its nearest ASCII.
ASCII_STAND_INS = {
    "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "*", "·": "*",
    "№": "No", "\u00a0": " ", "₫": "d",
}  # fmt: skip


def _table(name: str, fixes: dict[str, str]) -> dict[str, int]:
    rows: list[str] = CAPABILITIES["encodings"][name]["data"]
    table = {}
    for byte, ch in enumerate("".join(rows), start=0x80):
        ch = fixes.get(ch, ch)
        if ch != " ":
            table[ch] = byte
    return table


LOWER = _table("TCVN-3-1", {})
UPPER = _table("TCVN-3-2", {"\u00d0": "\u0110"})  # Ð -> Đ, the database's known error


def vietnamese_letters() -> str:
    """Every precomposed Vietnamese letter, both cases (134) — what a receipt may need."""
    bases = "aăâeêioôơuưy"
    marks = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    lower = [unicodedata.normalize("NFC", b + m) for b in bases for m in marks] + ["đ"]
    return "".join(lower) + "".join(ch.upper() for ch in lower)


def tcvn3_pages(profile_code_pages: dict[str, str]) -> tuple[int, int] | None:
    """The ESC t slots of the lower and upper TCVN-3 pages in a printer profile, if it has them."""
    slots = {name: int(slot) for slot, name in profile_code_pages.items()}
    if "TCVN-3-1" in slots and "TCVN-3-2" in slots:
        return slots["TCVN-3-1"], slots["TCVN-3-2"]
    return None


# what text from outside (a procedure's name, the office's) may hold that must never reach the
# printer as itself: controls (ESC @ resets it, GS V cuts), format characters, line separators
NOT_PRINTED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def plain(text: str) -> str:
    """NFC, with stand-ins for typography no page holds, and a space for every control, format or
    separator character: text is printed, never sent as commands."""
    text = unicodedata.normalize("NFC", text)
    return "".join(
        " " if unicodedata.category(ch) in NOT_PRINTED else ASCII_STAND_INS.get(ch, ch) for ch in text
    )


def needs_pixels(text: str) -> bool:
    """Whether ``text`` has anything beyond ASCII once stand-ins are applied."""
    return any(ord(ch) > 0x7E for ch in plain(text))


def encodable(text: str) -> bool:
    return all(ord(ch) < 0x80 or ch in LOWER or ch in UPPER for ch in plain(text))


def encode_tcvn3(text: str, pages: tuple[int, int], current: int | None = None) -> tuple[bytes, int | None]:
    """``text`` as TCVN-3 bytes, selecting a page (ESC t n) only when it changes.

    Returns the bytes and the page left selected, to carry into the next call. Raises ValueError
    for a character neither page holds (call ``encodable`` first, or render it as pixels).
    """
    lower_page, upper_page = pages
    out = bytearray()
    for ch in plain(text):
        if ord(ch) < 0x80:
            out.append(ord(ch))  # ASCII is the same on every page
            continue
        page, byte = (lower_page, LOWER[ch]) if ch in LOWER else (upper_page, UPPER.get(ch, -1))
        if byte < 0:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) is in neither TCVN-3 page")
        if page != current:
            out += ESC_T + bytes((page,))
            current = page
        out.append(byte)
    return bytes(out), current


def decode_tcvn3(data: bytes, page_is_upper: bool) -> str:
    """The simulator's side: bytes of one TCVN-3 page back to text."""
    table = {b: ch for ch, b in (UPPER if page_is_upper else LOWER).items()}
    return "".join(chr(b) if b < 0x80 else table.get(b, "\ufffd") for b in data)
