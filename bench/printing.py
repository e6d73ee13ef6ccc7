"""Bytes on the wire and time to print the drop-off receipt, per Vietnamese mode and profile.

Wire time is bytes x 10 bits / baud (8N1); the software time is rendering the receipt to bytes.
Targets: exact Vietnamese on every profile, the drop-off receipt on the wire in <= 3 s at 115200
and <= 8 s at 19200 baud.
"""

from __future__ import annotations

import statistics
import time

from drivers.printer.render import PrinterProfile, VietnameseMode, render_bytes
from tests.printing import dropoff

CASES = [
    (PrinterProfile("TM-T20II", "80mm"), VietnameseMode.TEXT),
    (PrinterProfile("TM-T20II", "80mm"), VietnameseMode.USER_CHARS),
    (PrinterProfile("TM-T20II", "80mm"), VietnameseMode.RASTER_LINES),
    (PrinterProfile("TM-T20II", "80mm"), VietnameseMode.RASTER),
    (PrinterProfile("POS-5890", "58mm"), VietnameseMode.USER_CHARS),
    (PrinterProfile("POS-5890", "58mm"), VietnameseMode.RASTER_LINES),
    (PrinterProfile("POS-5890", "58mm"), VietnameseMode.RASTER),
]


def main() -> None:
    print("\n## Printing the drop-off receipt\n")
    print("| profile | paper | Vietnamese as | bytes | 19200 baud (s) | 115200 baud (s) | render (ms) |")
    print("|---|---|---|---|---|---|---|")
    doc = dropoff()
    for profile, mode in CASES:
        timings = []
        for _ in range(15):
            start = time.perf_counter()
            data = render_bytes(doc, profile, mode)
            timings.append((time.perf_counter() - start) * 1000)
        wire = {baud: len(data) * 10 / baud for baud in (19200, 115200)}
        print(f"| {profile.name} | {profile.paper} | {mode.value} | {len(data)} | {wire[19200]:.2f} "
              f"| {wire[115200]:.2f} | {statistics.median(timings):.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
