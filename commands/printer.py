"""``kiosk printer status|test``: what the technician asks of the receipt printer.

The printer stack (python-escpos, Pillow) is imported only when this command runs, so that every
other ``kiosk`` command starts without its 0.2 s.
"""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING, TextIO

from drivers.errors import DeviceError
from kiosk.assembly import printer_from_config
from kiosk.config import KioskConfig
from kiosk.errors import ConfigError
from kiosk.store import Store

if TYPE_CHECKING:
    from drivers.printer.printer import ReceiptPrinter

OK, FAILED = 0, 1


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pr = sub.add_parser("printer", help="the receipt printer: its status, or a test page")
    pr.add_argument("action", choices=["status", "test"])


def cmd_printer(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    if cfg.printer is None:
        raise ConfigError(cfg.source, ["printer: no [printer] is configured; this command needs one"])
    printer = printer_from_config(cfg.printer)
    section = cfg.printer
    where = f"{section.profile} ({section.paper}, Vietnamese as {printer.mode.value}) at {section.url}"
    try:
        if args.action == "status":
            return _status(printer, where, out)
        return _test(printer, cfg, store, out)
    finally:
        printer.close()


def _status(printer: ReceiptPrinter, where: str, out: TextIO) -> int:
    print(f"Printer {where}", file=out)
    try:
        status = printer.status()
    except DeviceError as exc:
        print(f"  cannot tell: {exc}", file=out)
        return FAILED
    print(f"  online: {'no' if status.offline else 'yes'}", file=out)
    print(f"  cover:  {'OPEN' if status.cover_open else 'closed'}", file=out)
    paper = (
        "OUT"
        if status.paper_out or status.stopped_for_paper
        else "near end"
        if status.paper_near_end
        else "ok"
    )
    print(f"  paper:  {paper}", file=out)
    for line in status.problems + status.warnings:
        print(f"  ! {line}", file=out)
    print("Ready to print." if status.can_print else "Cannot print.", file=out)
    return OK if status.can_print else FAILED


def _test(printer: ReceiptPrinter, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    from drivers.printer.errors import PrinterNotReady
    from kiosk import receipts

    actor = f"technician:{getpass.getuser()}"
    office = receipts.Office(cfg.kiosk.office, cfg.kiosk.id)
    page = receipts.technician_test_page(office, store.clock(), printer.profile.name, printer.mode.value)
    try:
        result = printer.print(page)
    except PrinterNotReady as exc:
        store.audit(actor, "printer-not-ready", "printer", problems=exc.problems)
        print(f"The test page was not printed: {'; '.join(exc.problems)}.", file=out)
        return FAILED
    except DeviceError as exc:
        store.audit(actor, "printer-failed", "printer", error=str(exc))
        print(f"The test page was not printed: {exc}", file=out)
        return FAILED
    store.audit(actor, "printer-test", "printer", bytes=result.bytes_sent, mode=printer.mode.value)
    print(f"Test page printed: {result.bytes_sent} bytes in {result.seconds:.2f} s.", file=out)
    for warning in result.warnings:
        print(f"  ! {warning}", file=out)
    return OK
