"""Shared test material for the printer: a fixed drop-off receipt and the simulator without a pty."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from drivers.printer.document import Document
from hardware_sim.escpos_parse import parse
from hardware_sim.printer import PrinterSim
from kiosk.receipts import Office, dropoff_receipt

OFFICE = Office("Bộ phận Một cửa UBND phường Vị Thanh", "HG-VT-01")
AT = datetime(2026, 11, 23, 3, 5, tzinfo=UTC)
TRACKING = "https://dichvucong.haugiang.gov.vn/tra-cuu?code=000.00.53.H48-220921-0099"


def dropoff() -> Document:
    return dropoff_receipt(
        OFFICE, "000.00.53.H48-220921-0099", "Đăng ký khai sinh (1.001193.000.00.00.H48)", AT, "A05", TRACKING
    )


def listing(data: bytes) -> str:
    """ESC/POS as one command a line, exact but for the dots of pictures (glyphs, raster images),
    which depend on the FreeType inside Pillow and are checked by what the simulator reads."""
    cmds, used = parse(data)
    assert used == len(data), "the job ends in the middle of a command"
    lines = []
    for cmd in cmds:
        if cmd.name in ("define-chars", "raster"):
            lines.append(f"{cmd.name} {cmd.arg} <{len(cmd.data)} bytes of dots>")
        else:
            lines.append(f"{cmd.name} {cmd.arg} {cmd.data.hex(' ')}".rstrip())
    return "\n".join(lines) + "\n"


def print_offline(data: bytes, out: Path, profile: str, paper: str) -> tuple[str, Path]:
    """Feed bytes to the printer simulator's interpreter directly; returns its text and PNG."""
    sim = PrinterSim(out / "unused-link", out=out, profile=profile, paper=paper)
    sim.feed(data)
    sim.tear_off()  # a cutterless profile does not cut; its receipt is torn off
    stem = out / sim.receipts[0]
    return stem.with_suffix(".txt").read_text(encoding="utf-8"), stem.with_suffix(".png")
