"""``kiosk-sim printer``: an ESC/POS receipt printer on a pty.

Answers DLE EOT status from its state at any moment, prints what it is sent onto a paper image,
and on each cut saves the receipt as PNG and as plain text (``receipt-0001.png`` / ``.txt``) in
the output folder a technician can open. Faults through the control channel: ``paper out|near|ok``,
``cover open|closed``, ``offline on|off``, ``status ok|garbage|silent``, ``runout N`` (the paper ends
after N more bytes of the next job), plus the common ``state`` and ``link down|up``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from escpos.capabilities import CAPABILITIES, get_profile
from PIL import Image

from drivers.printer import status as rt
from drivers.printer.document import Text
from drivers.printer.render import DOT_WIDTH, LINE_PX, line_image, qr_image
from drivers.printer.userchars import glyph
from drivers.printer.vietnamese import decode_tcvn3, vietnamese_letters
from hardware_sim.device import Command, SimDevice
from hardware_sim.escpos_parse import Cmd, parse

TEAR_AFTER_S = 0.3  # a printer without a cutter: the receipt is torn off once the paper stops
ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclass
class Paper:
    """The receipt being printed: pictures in order, and the same as text."""

    parts: list[Image.Image] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    cut_off: bool = False


class PrinterSim(SimDevice):
    kind = "printer"

    def __init__(self, link: Path, control: Path | None = None, *, out: Path, profile: str = "TM-T20II",
                 paper: str = "80mm") -> None:  # fmt: skip
        self.out = out
        self.profile = profile
        self.dots = DOT_WIDTH[paper]
        self.code_pages: dict[int, str] = {
            int(k): v for k, v in get_profile(profile).profile_data["codePages"].items()
        }
        self.state = rt.PrinterStatus()
        self.status_mode = "ok"
        self.runout_after: int | None = None
        self.receipts: list[str] = []
        self._buf = b""
        self._line = ""  # the line being printed, decoded as it arrives (pages switch mid-line)
        self._last_print_at = 0.0
        self._reset_style()
        self._paper = Paper()
        self._qr_data = b""
        self._qr_module = 3
        super().__init__(link, control)

    def _reset_style(self) -> None:
        self.page, self.align, self.bold, self.big = 0, "left", False, False
        self.user_set = False
        self.user_glyphs: dict[int, bytes] = {}  # code -> ESC & column data

    # -- control -------------------------------------------------------------------------------

    def commands(self) -> dict[str, Command]:
        return {
            "paper": (self._paper_cmd, "out|near|ok"),
            "cover": (lambda s: self._set(cover_open={"open": True, "closed": False}[s]), "open|closed"),
            "offline": (lambda s: self._set(offline={"on": True, "off": False}[s]), "on|off"),
            "status": (self._status_cmd, "ok|garbage|silent"),
            "runout": (self._runout_cmd, "N"),
        }

    def snapshot(self) -> dict[str, Any]:
        return {**super().snapshot(), "status": self.state.__dict__, "status_mode": self.status_mode,
                "receipts": self.receipts, "out": str(self.out)}  # fmt: skip

    def _set(self, **changes: bool) -> Any:
        self.state = rt.PrinterStatus(**{**self.state.__dict__, **changes})
        return self.snapshot()

    def _paper_cmd(self, state: str) -> Any:
        flags = {"out": (True, True), "near": (False, True), "ok": (False, False)}
        if state not in flags:
            raise ValueError(state)
        out, near = flags[state]
        return self._set(paper_out=out, stopped_for_paper=out, paper_near_end=near)

    def _status_cmd(self, mode: str) -> Any:
        if mode not in ("ok", "garbage", "silent"):
            raise ValueError(mode)
        self.status_mode = mode
        return self.snapshot()

    def _runout_cmd(self, n: str) -> Any:
        self.runout_after = int(n)
        return self.snapshot()

    # -- the wire ------------------------------------------------------------------------------

    def on_bytes(self, data: bytes) -> None:
        self.feed(data)
        if self._paper.parts:
            self._last_print_at = self.now()
            self.call_at(self._last_print_at + TEAR_AFTER_S, self._tear_if_still)

    def feed(self, data: bytes) -> None:
        """Interpret ``data``; usable without the event loop (tests feed it bytes directly)."""
        self._buf += data
        cmds, used = parse(self._buf)
        self._buf = self._buf[used:]
        for cmd in cmds:
            if cmd.name == "status":
                self._answer_status(cmd.arg)
            elif self._consume_paper(cmd):
                HANDLERS.get(cmd.name, PrinterSim._ignore)(self, cmd)

    def _tear_if_still(self) -> None:
        if self._paper.parts and self.now() - self._last_print_at >= TEAR_AFTER_S - 1e-3:
            self._save()

    def on_link_down(self) -> None:
        self._buf = b""

    def _answer_status(self, n: int) -> None:
        if self.status_mode == "silent":
            return
        answer = 0xFF if self.status_mode == "garbage" else rt.encode(self.state).get(n, 0x12)
        self.write(bytes((answer,)))

    def _consume_paper(self, cmd: Cmd) -> bool:
        """Whether the printer acts on ``cmd``: not while it cannot print, nor once paper ends."""
        if not self.state.can_print:
            self._paper.cut_off = True
            return False
        if self.runout_after is not None:
            self.runout_after -= max(1, len(cmd.data))
            if self.runout_after < 0:
                self.runout_after = None
                self._paper_cmd("out")
                self._paper.cut_off = True
                self._save()  # what came out before the paper ended
                return False
        return True

    # -- printing ------------------------------------------------------------------------------

    def _ignore(self, cmd: Cmd) -> None:
        pass

    def _init(self, cmd: Cmd) -> None:
        self._save()  # a new job: whatever a cutterless printer printed before is torn off
        self._reset_style()
        self._line = ""

    def _text(self, cmd: Cmd) -> None:
        if not self.user_set:
            self._line += self._decode(cmd.data)
            return
        for byte in cmd.data:
            glyph = self.user_glyphs.get(byte)
            self._line += self._decode(bytes((byte,))) if glyph is None else identify(glyph)

    def _define_chars(self, cmd: Cmd) -> None:
        """ESC & y c1 c2 [x d1…d(y·x)]…: keep each glyph under its code."""
        y, first, last = cmd.data[0], cmd.data[1], cmd.data[2]
        at = 3
        for code in range(first, last + 1):
            width = cmd.data[at]
            self.user_glyphs[code] = cmd.data[at + 1 : at + 1 + y * width]
            at += 1 + y * width

    def _newline(self, cmd: Cmd) -> None:
        line, self._line = self._line, ""
        style = Text(line, bold=self.bold, align=self.align, big=self.big)  # type: ignore[arg-type]
        self._paper.parts.append(line_image(line, style, self.dots))
        self._paper.text.append(line)

    def _decode(self, data: bytes) -> str:
        name = self.code_pages.get(self.page, "CP437")
        if name.startswith("TCVN-3"):
            return decode_tcvn3(data, page_is_upper=name == "TCVN-3-2")
        codec = CAPABILITIES["encodings"].get(name, {}).get("python_encode")
        if codec is None:  # a page the simulator cannot draw shows as "?", as a wrong page would
            return "".join(chr(b) if b < 0x80 else "?" for b in data)
        return data.decode(codec, errors="replace").replace("\ufffd", "?")

    def _raster(self, cmd: Cmd) -> None:
        width_bytes = cmd.arg
        height = len(cmd.data) // max(1, width_bytes)
        bits = Image.frombytes("1", (width_bytes * 8, height), cmd.data)
        image = Image.eval(bits.convert("L"), lambda v: 255 - v)  # a set bit is black on paper
        self._place(image)
        self._paper.text.append(f"[image {image.width}x{image.height}]")

    def _2d(self, cmd: Cmd) -> None:
        cn, fn, rest = cmd.data[0], cmd.data[1], cmd.data[2:]
        if cn != 0x31:
            return
        if fn == 0x43:
            self._qr_module = rest[0]
        elif fn == 0x50:
            self._qr_data = rest[1:]  # after m = '0'
        elif fn == 0x51:
            self._place(qr_image(self._qr_data.decode("utf-8", "replace"), self._qr_module))
            self._paper.text.append(f"[QR {self._qr_data.decode('utf-8', 'replace')}]")

    def _place(self, image: Image.Image) -> None:
        row = Image.new("L", (self.dots, image.height), 255)
        x = {"left": 0, "center": (self.dots - image.width) // 2, "right": self.dots - image.width}[
            self.align
        ]
        row.paste(image, (max(0, x), 0))
        self._paper.parts.append(row)

    def _feed(self, cmd: Cmd) -> None:
        self._paper.parts.append(Image.new("L", (self.dots, LINE_PX * cmd.arg), 255))

    def _cut(self, cmd: Cmd) -> None:
        self._save()

    def tear_off(self) -> None:
        """End the receipt on the paper now, as a person tearing it off a cutterless printer."""
        self._save()

    def _save(self) -> None:
        paper, self._paper = self._paper, Paper()
        if not paper.parts:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        stem = self.out / f"receipt-{len(self.receipts) + 1:04d}"
        sheet = Image.new("L", (self.dots, sum(p.height for p in paper.parts)), 255)
        y = 0
        for part in paper.parts:
            sheet.paste(part, (0, y))
            y += part.height
        sheet.save(stem.with_suffix(".png"))
        tail = ["[CUT OFF: the paper ended or the printer stopped]"] if paper.cut_off else []
        stem.with_suffix(".txt").write_text("\n".join(paper.text + tail) + "\n", encoding="utf-8")
        self.receipts.append(stem.name)

    def _style(self, cmd: Cmd) -> None:
        if cmd.name == "codepage":
            self.page = cmd.arg
        elif cmd.name == "align":
            self.align = ALIGNS.get(cmd.arg, "left")
        elif cmd.name == "bold":
            self.bold = bool(cmd.arg & 1)
        elif cmd.name == "mode":  # ESC !: bit 3 bold, bits 4/5 double height/width
            self.bold, self.big = bool(cmd.arg & 0x08), bool(cmd.arg & 0x30)
        elif cmd.name == "size":  # GS !
            self.big = bool(cmd.arg & 0x77)
        elif cmd.name == "user-set":  # ESC %
            self.user_set = bool(cmd.arg & 1)


@cache
def _known_glyphs() -> dict[bytes, str]:
    letters = vietnamese_letters() + "".join(chr(c) for c in range(0x21, 0x7F))
    return {glyph(ch): ch for ch in letters}


def identify(data: bytes) -> str:
    """The letter a user-defined glyph shows, as a person reading the paper would; "?" if none."""
    return _known_glyphs().get(data, "?")


HANDLERS = {
    "init": PrinterSim._init,
    "text": PrinterSim._text,
    "newline": PrinterSim._newline,
    "raster": PrinterSim._raster,
    "2d": PrinterSim._2d,
    "feed": PrinterSim._feed,
    "cut": PrinterSim._cut,
    "define-chars": PrinterSim._define_chars,
    **{name: PrinterSim._style for name in ("codepage", "align", "bold", "mode", "size", "user-set")},
}
