"""The one place that builds the machine from its config: the store, the lock buses, the core and
its devices (receipt printer, serial scanner, camera), and where look-ups go. Every entry point
uses it: the technician's commands, ``kiosk run``, ``kiosk sync``, the demo and the benchmarks, so
a kiosk is put together one way only.

Device stacks are imported when asked for (python-escpos and Pillow cost 0.2 s, OpenCV more), so a
command that needs none of them starts without them. Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from drivers.scanner.serial_scanner import ScannerSettings, SerialScanner
from kiosk import files
from kiosk.clock import Clock, utc_now
from kiosk.config import CameraSection, CashSection, KioskConfig, PrinterSection, ScannerSection
from kiosk.core import Core
from kiosk.lockers import Lockers
from kiosk.recovery import Settled, reconcile
from kiosk.status import StatusSource
from kiosk.store import Store

CASH_LINK_STATE = "cash-link.state"

log = logging.getLogger("kiosk.assembly")

if TYPE_CHECKING:
    from drivers.cash.validator import NoteValidator
    from drivers.printer.printer import ReceiptPrinter
    from kiosk.cash_session import CashSession


class CodeReader(Protocol):
    """What the core's screens read codes from: the serial scanner or the camera."""

    def read_code(self, timeout: float) -> str | None: ...

    def close(self) -> None: ...


def open_store(cfg: KioskConfig, clock: Clock = utc_now) -> Store:
    """The kiosk's database, with the process's umask set first: what SQLite or Python makes is
    never world-readable."""
    os.umask(files.umask(cfg.kiosk.group_shared))
    return Store.open(cfg.data_dir, kiosk_id=cfg.kiosk.id, clock=clock, group_shared=cfg.kiosk.group_shared)


def status_source(cfg: KioskConfig) -> StatusSource | None:
    """Look-ups through the sync process's look-up service when a [backend] is configured (the
    screen's process parses strangers' QR codes: it never holds the backend's secret); None:
    offline."""
    if cfg.backend is None:
        return None
    from sync.lookup import SOCKET_NAME, StatusFromSync

    return StatusFromSync(cfg.data_dir / SOCKET_NAME, cfg.backend.lookup_timeout_s)


def build_core(cfg: KioskConfig, store: Store, lockers: Lockers) -> tuple[Core, list[Settled]]:
    """The core, after every unfinished journey is reconciled with the boards (DESIGN §5).
    Raises the KioskError that keeps it from serving (a refused key, a bad catalogue)."""
    core = Core(cfg, store, lockers, status_source=status_source(cfg))
    return core, list(reconcile(core))


def scanner_from_config(section: ScannerSection) -> SerialScanner:
    settings = ScannerSettings(
        terminator=section.terminator,
        prefix=section.prefix,
        suffix=section.suffix,
        max_length=section.max_length,
        repeat_window_s=section.repeat_window_ms / 1000,
        idle_reset_s=section.idle_reset_ms / 1000,
    )
    return SerialScanner.from_url(section.url, baudrate=section.baudrate, settings=settings)


def camera_from_config(section: CameraSection) -> CodeReader:
    from drivers.scanner.camera import CameraScanner, OpenCVSource  # OpenCV only when a camera is used
    from drivers.scanner.decoders import decoder_for

    source = OpenCVSource(section.source, section.width, section.height)
    return CameraScanner(
        source, decoder_for(section.decoder), idle_fps=section.idle_fps,
        repeat_window_s=section.repeat_window_ms / 1000,
    )  # fmt: skip


def printer_from_config(section: PrinterSection) -> ReceiptPrinter:
    from drivers.printer.printer import ReceiptPrinter
    from drivers.printer.render import PrinterProfile, VietnameseMode

    profile = PrinterProfile(section.profile, section.paper)
    mode = None if section.vietnamese == "auto" else VietnameseMode(section.vietnamese)
    printer = ReceiptPrinter.from_url(section.url, profile, mode, baudrate=section.baudrate)
    printer.status_timeout_s = section.status_timeout_ms / 1000
    return printer


def validator_from_config(section: CashSection, state_path: Path | None = None) -> NoteValidator:
    """The bill validator of ``[cash]``, not yet connected (``connect()`` syncs with it).
    ``state_path`` (``cash_link_state``): where a POLL in flight outlives a crash."""
    from drivers.cash.validator import NoteValidator

    return NoteValidator.from_url(
        section.url, address=section.address, baudrate=section.baudrate,
        reply_timeout_s=section.reply_timeout_ms / 1000, retries=section.retries, state_path=state_path,
    )  # fmt: skip


def cash_link_state(cfg: KioskConfig) -> Path:
    """The validator's frame in flight, kept across a crash (drivers/cash/link_state.py): every
    process that talks to the validator uses it, so none throws away a reply another has not read."""
    return cfg.data_dir / CASH_LINK_STATE


@dataclass
class Devices:
    """The devices the screen's process drives beside the lock buses; each None when not
    configured."""

    scanner: SerialScanner | None = None
    printer: ReceiptPrinter | None = None
    camera: CodeReader | None = None
    cash: CashSession | None = None

    def close(self) -> None:
        for device in (self.scanner, self.printer, self.camera):
            if device is not None:
                device.close()
        if self.cash is not None:
            self.cash.end()  # a kiosk stopping mid-payment leaves no validator taking notes unseen
            self.cash.validator.close()


def devices(cfg: KioskConfig, core: Core | None = None) -> Devices:
    """Opens what is configured. A scanner that is absent now is opened when it appears. With
    ``core`` (the screen's process, after reconcile): the bill validator too, as ``core.cash``."""
    found = Devices()
    if core is not None and cfg.cash is not None:
        found.cash = core.cash = cash_for(cfg, core.store)
    if cfg.scanner is not None:
        found.scanner = scanner_from_config(cfg.scanner)
        found.scanner.connect()
    if cfg.printer is not None:
        found.printer = printer_from_config(cfg.printer)
    if cfg.camera is not None:
        found.camera = camera_from_config(cfg.camera)
    return found


def cash_for(cfg: KioskConfig, store: Store) -> CashSession | None:
    """The bill validator's session, synced, with what it credited while the kiosk was down read
    into the cash payment that was in progress (``cash_session.recover``), left disabled. A
    validator that does not answer now does not stop the kiosk: the session stays, unavailable
    (pickups are offered no cash until it answers), and the log says so for the technician. None
    only when even that failed."""
    from kiosk import cash_session

    assert cfg.cash is not None
    validator = validator_from_config(cfg.cash, cash_link_state(cfg))
    session = cash_session.CashSession(store, validator)
    try:
        cash_session.recover(store, session)
    except Exception:  # a bug in recovering cash must not keep results from being handed over
        log.exception("the bill validator's recovery failed: the kiosk runs without cash")
        validator.close()
        return None
    if not session.available:
        log.warning("the bill validator at %s did not answer at start: pickups are offered no cash "
                    "until it answers; check its power and cable (`kiosk cash status`, with the kiosk "
                    "stopped)", cfg.cash.url)  # fmt: skip
    return session


@contextmanager
def lockers_of(cfg: KioskConfig, store: Store) -> Iterator[Lockers]:
    """The lock buses, closed however the block ends."""
    lockers = Lockers.from_config(cfg, store)
    try:
        yield lockers
    finally:
        lockers.close()
