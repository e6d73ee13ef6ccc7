"""A ``Document`` as ESC/POS, laid out for a paper width, with Vietnamese printed exactly.

Four ways to print Vietnamese (``VietnameseMode``):
- ``text``: TCVN-3 text, switching between its lower- and upper-case pages; a few KB a receipt.
  Only for profiles that list TCVN-3 (python-escpos's default and Epson profiles).
- ``user-chars``: ASCII as text, each Vietnamese letter the receipt uses defined once as an ESC &
  user-defined character (userchars.py). For profiles without TCVN-3; about 3 KB a receipt.
- ``raster-lines``: lines that are plain ASCII go as text, lines with Vietnamese letters as raster
  images of just that line. For profiles whose only Vietnamese page is CP1258 (cheap 58 mm ones).
- ``raster``: the whole receipt as one image; works on every printer, costs the most bytes.
The QR uses the printer's own QR command where the profile has one, else it is an image.
Commands go through a python-escpos ``Escpos`` sink: its Dummy for bytes, a LinkPrinter to print.
"""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import qrcode
from escpos.capabilities import get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont, ImageOps

from drivers.printer.document import QR, Document, Element, Rule, Text
from drivers.printer.userchars import UserChars
from drivers.printer.vietnamese import encodable, encode_tcvn3, needs_pixels, plain, tcvn3_pages

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# DejaVu Sans, not Sans Mono: the mono face sets stacked Vietnamese marks beside the letter.
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
LINE_PX = 30  # one text line of Font A (24 dots) plus spacing
FONT_PX = 22
DOT_WIDTH = {"80mm": 576, "58mm": 384}
FONT_A_DOTS = 12


class VietnameseMode(enum.Enum):
    TEXT = "text"
    USER_CHARS = "user-chars"
    RASTER_LINES = "raster-lines"
    RASTER = "raster"


@dataclass(frozen=True)
class PrinterProfile:
    """A python-escpos profile name and the paper in it."""

    name: str
    paper: str = "80mm"

    @property
    def dots(self) -> int:
        return DOT_WIDTH[self.paper]

    @property
    def columns(self) -> int:
        return self.dots // FONT_A_DOTS

    @property
    def qr_module(self) -> int:
        return 6 if self.paper == "80mm" else 4

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = get_profile(self.name).profile_data
        return data

    @property
    def tcvn3(self) -> tuple[int, int] | None:
        return tcvn3_pages(self.data.get("codePages", {}))

    @property
    def native_qr(self) -> bool:
        return bool(self.data.get("features", {}).get("qrCode"))

    def best_mode(self) -> VietnameseMode:
        return VietnameseMode.TEXT if self.tcvn3 else VietnameseMode.USER_CHARS


def render(doc: Document, profile: PrinterProfile, mode: VietnameseMode, sink: Escpos) -> None:
    """Send ``doc`` through ``sink``: python-escpos's Dummy to get the bytes, or a LinkPrinter."""
    if mode is VietnameseMode.TEXT and profile.tcvn3 is None:
        raise ValueError(f"profile {profile.name} has no TCVN-3 pages; use raster-lines or raster")
    sink.hw("INIT")
    if mode is VietnameseMode.RASTER:
        sink._raw(raster_command(page_image(doc, profile)))
    else:
        page = _Page(profile, mode, sink)
        for element in doc.elements:
            page.add(element)
    sink.set(align="left", bold=False, normal_textsize=True)
    sink.cut()


def render_bytes(doc: Document, profile: PrinterProfile, mode: VietnameseMode) -> bytes:
    sink = Dummy(profile=profile.name)
    render(doc, profile, mode, sink)
    output: bytes = sink.output
    return output


@dataclass
class _Page:
    profile: PrinterProfile
    mode: VietnameseMode
    sink: Escpos
    code_page: int | None = None  # the TCVN-3 page left selected, so it is not sent again
    user_chars: UserChars = field(default_factory=UserChars)

    def add(self, el: Element) -> None:
        if isinstance(el, QR):
            self._qr(el)
        elif isinstance(el, Rule):
            self.sink.set(align="left", bold=False, normal_textsize=True)
            self.sink._raw(b"-" * self.profile.columns + b"\n")
        else:
            self._text(el if isinstance(el, Text) else Text(f"{el.label}: {el.value}"))

    def _text(self, text: Text) -> None:
        as_pixels = (self.mode is VietnameseMode.RASTER_LINES and needs_pixels(text.text)) or (
            # a character neither TCVN-3 page holds ("§", "©"): the line is drawn, never refused
            self.mode is VietnameseMode.TEXT and not encodable(text.text)
        )
        if as_pixels:
            self.sink.set(align="left")
            for line in wrap_pixels(text, self.profile.dots):
                self.sink._raw(raster_command(line_image(line, text, self.profile.dots)))
            return
        size = {"double_width": True, "double_height": True} if text.big else {"normal_textsize": True}
        self.sink.set(align=text.align, bold=text.bold, **size)
        for line in wrap(text, self.profile):
            self.sink._raw(self._encode(line) + b"\n")

    def _encode(self, line: str) -> bytes:
        if self.mode is VietnameseMode.TEXT:
            assert self.profile.tcvn3 is not None
            encoded, self.code_page = encode_tcvn3(line, self.profile.tcvn3, self.code_page)
            return encoded
        if self.mode is VietnameseMode.USER_CHARS:
            return self.user_chars.encode_line(plain(line))
        return plain(line).encode("ascii")  # only ASCII lines reach here in raster-lines mode

    def _qr(self, el: QR) -> None:
        self.sink.set(align="center", bold=False, normal_textsize=True)
        if self.profile.native_qr:
            self.sink.qr(el.data, ec=QR_ECLEVEL_M, size=self.profile.qr_module, native=True)
        else:
            self.sink._raw(raster_command(qr_image(el.data, self.profile.qr_module)))
        if el.caption:
            self._text(Text(el.caption, align="center"))


def wrap(text: Text, profile: PrinterProfile) -> list[str]:
    width = profile.columns // (2 if text.big else 1)
    return textwrap.wrap(plain(text.text), width) or [""]


def wrap_pixels(text: Text, width: int) -> list[str]:
    face = font(text.bold, text.big)
    lines: list[str] = []
    for word in plain(text.text).split():
        if lines and face.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


# -- pictures ----------------------------------------------------------------------------------


def raster_command(image: Image.Image) -> bytes:
    """GS v 0: a 1-bit image, black printed, in raster format."""
    mono = ImageOps.invert(image.convert("L")).convert("1")  # in mode "1" a set bit is white
    width_bytes = (mono.width + 7) // 8
    if mono.width % 8:
        padded = Image.new("1", (width_bytes * 8, mono.height), 0)
        padded.paste(mono, (0, 0))
        mono = padded
    size = bytes((width_bytes & 0xFF, width_bytes >> 8, mono.height & 0xFF, mono.height >> 8))
    return b"\x1dv0\x00" + size + mono.tobytes()


def qr_image(data: str, module: int = 6) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module, border=2)
    code.add_data(data.encode("utf-8"))
    image: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("L")


@cache
def font(bold: bool, big: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT), FONT_PX * (2 if big else 1))


def line_image(line: str, text: Text, width: int) -> Image.Image:
    face = font(text.bold, text.big)
    image = Image.new("L", (width, LINE_PX * (2 if text.big else 1)), 255)
    advance = face.getlength(line)
    x = {"left": 0.0, "center": (width - advance) / 2, "right": width - advance}[text.align]
    ImageDraw.Draw(image).text((max(0.0, x), 2), line, font=face, fill=0)
    return image


def page_image(doc: Document, profile: PrinterProfile) -> Image.Image:
    """The whole receipt as one image (the mode that works on every printer)."""
    parts = list(_page_parts(doc, profile))
    page = Image.new("L", (profile.dots, sum(p.height for p in parts)), 255)
    y = 0
    for part in parts:
        page.paste(part, ((profile.dots - part.width) // 2, y))
        y += part.height
    return page


def _page_parts(doc: Document, profile: PrinterProfile) -> Iterator[Image.Image]:
    for el in doc.elements:
        if isinstance(el, QR):
            yield qr_image(el.data, profile.qr_module)
            if el.caption:
                yield line_image(el.caption, Text(el.caption, align="center"), profile.dots)
        elif isinstance(el, Rule):
            rule = Image.new("L", (profile.dots, LINE_PX), 255)
            ImageDraw.Draw(rule).line((0, LINE_PX // 2, profile.dots, LINE_PX // 2), fill=0, width=2)
            yield rule
        else:
            text = el if isinstance(el, Text) else Text(f"{el.label}: {el.value}")
            for line in wrap_pixels(text, profile.dots):
                yield line_image(line, text, profile.dots)
