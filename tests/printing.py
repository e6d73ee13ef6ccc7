"""Shared test material for the printer: a fixed drop-off receipt and the simulator without a pty."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from drivers.printer.document import Document
from hardware_sim.printer import PrinterSim
from kiosk.receipts import Office, dropoff_receipt

OFFICE = Office("Bộ phận Một cửa UBND phường Vị Thanh", "HG-VT-01")
AT = datetime(2026, 11, 23, 3, 5, tzinfo=UTC)
TRACKING = "https://dichvucong.haugiang.gov.vn/tra-cuu?code=000.00.53.H48-220921-0099"


def dropoff() -> Document:
    return dropoff_receipt(
        OFFICE, "000.00.53.H48-220921-0099", "Đăng ký khai sinh (1.001193.000.00.00.H48)", AT, "A05", TRACKING
    )


def print_offline(data: bytes, out: Path, profile: str, paper: str) -> tuple[str, Path]:
    """Feed bytes to the printer simulator's interpreter directly; returns its text and PNG."""
    sim = PrinterSim(out / "unused-link", out=out, profile=profile, paper=paper)
    sim.feed(data)
    sim.tear_off()  # a cutterless profile does not cut; its receipt is torn off
    stem = out / sim.receipts[0]
    return stem.with_suffix(".txt").read_text(encoding="utf-8"), stem.with_suffix(".png")
