"""Vietnamese through ESC/POS user-defined characters (ESC &), for printers with no Vietnamese page.

Each letter a receipt uses is drawn once as a 12x24-dot glyph (Font A's cell) and bound to one of
the 95 printable codes; runs of such letters are printed between ESC % 1 and ESC % 0 so that the
ASCII around them keeps the printer's own font. When the codes run out, the least recently used
glyph not needed on the current line is redefined. ESC @ forgets them all, so a receipt starts
afresh. A drop-off receipt costs about 1.5 KB more than TCVN-3 text, not 30 KB of pictures.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CELL_W, CELL_H = 12, 24  # Font A
ROWS_BYTES = CELL_H // 8
CODES = range(0x20, 0x7F)
GLYPH_PX = 17  # DejaVu Sans at this size keeps capitals with stacked marks inside 24 dots
BASELINE = 19
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
USER_SET_ON, USER_SET_OFF = b"\x1b%\x01", b"\x1b%\x00"


@cache
def _face() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), GLYPH_PX)


@cache
def glyph(ch: str) -> bytes:
    """``ch`` as ESC & column data: 12 columns of 3 bytes, top dot in the high bit."""
    face = _face()
    image = Image.new("L", (CELL_W * 2, CELL_H), 0)
    ImageDraw.Draw(image).text((0, BASELINE), ch, font=face, fill=255, anchor="ls")
    box = image.getbbox()
    advance = max(1, min(CELL_W * 2, round(face.getlength(ch))))
    cell = image.crop((0, 0, advance, CELL_H))
    if advance > CELL_W:  # a wide letter (Ư, Ơ with marks) is narrowed to the cell
        cell = cell.resize((CELL_W, CELL_H), Image.Resampling.LANCZOS)
    elif box:  # centre it in the cell, as the printer's own font is
        padded = Image.new("L", (CELL_W, CELL_H), 0)
        padded.paste(cell, ((CELL_W - advance) // 2, 0))
        cell = padded
    pixels = cell.load()
    assert pixels is not None
    data = bytearray()
    for x in range(CELL_W):
        for row_byte in range(ROWS_BYTES):
            value = 0
            for bit in range(8):
                if pixels[x, row_byte * 8 + bit] > 110:  # type: ignore[operator]
                    value |= 0x80 >> bit
            data.append(value)
    return bytes(data)


def define(code: int, ch: str) -> bytes:
    """ESC & y c1 c2 x d1…d36: bind ``ch``'s glyph to ``code``."""
    return b"\x1b&" + bytes((ROWS_BYTES, code, code, CELL_W)) + glyph(ch)


class UserChars:
    """The glyphs defined on the printer so far in this receipt."""

    def __init__(self) -> None:
        self.codes: OrderedDict[str, int] = OrderedDict()  # least recently used first
        self.definitions = 0

    def encode_line(self, line: str) -> bytes:
        """``line`` (NFC, stand-ins applied) as bytes: new definitions first, then the text."""
        wanted = list(dict.fromkeys(ch for ch in line if ord(ch) > 0x7E))
        prefix = b"".join(self._bind(ch, keep=wanted) for ch in wanted)
        out = bytearray(prefix)
        user = False
        for ch in line:
            mine = ord(ch) > 0x7E
            if mine != user:
                out += USER_SET_ON if mine else USER_SET_OFF
                user = mine
            out.append(self.codes[ch] if mine else ord(ch))
        if user:
            out += USER_SET_OFF
        return bytes(out)

    def _bind(self, ch: str, keep: list[str]) -> bytes:
        if ch in self.codes:
            self.codes.move_to_end(ch)
            return b""
        if len(self.codes) < len(CODES):
            code = CODES[len(self.codes)]
        else:
            victim = next(c for c in self.codes if c not in keep)
            code = self.codes.pop(victim)
        self.codes[ch] = code
        self.definitions += 1
        return define(code, ch)
