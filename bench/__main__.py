"""Run every benchmark and print its report. ``python -m bench [name …]``."""

from __future__ import annotations

import sys

from bench import lockbus, memory, payment, printing, qr, scan_to_unlock, sync_drain, ui

BENCHES = {
    "lockbus": lockbus.main,
    "memory": memory.main,
    "payment": payment.main,
    "printing": printing.main,
    "qr": qr.main,
    "scan-to-unlock": scan_to_unlock.main,
    "sync-drain": sync_drain.main,
    "ui": ui.main,
}


def main(argv: list[str]) -> int:
    for name in argv or list(BENCHES):
        BENCHES[name]()
    return 0


raise SystemExit(main(sys.argv[1:]))
