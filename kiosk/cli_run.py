"""``kiosk run``: the touch UI, with the core and the configured devices (real or simulated).

Every unfinished journey is reconciled with the boards first (DESIGN §5); then the window opens.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from kiosk.config import KioskConfig
from kiosk.core import Core
from kiosk.errors import KioskError
from kiosk.lockers import Lockers
from kiosk.recovery import reconcile
from kiosk.status import StatusSource
from kiosk.store import Store
from sync.lookup import SOCKET_NAME, StatusFromSync


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub.add_parser("run", help="the touch screen, with the core and the configured devices")


def status_source(cfg: KioskConfig, store: Store) -> StatusSource | None:
    """Look-ups through the sync process's look-up service when a [backend] is configured (this
    process parses strangers' QR codes: it never holds the backend's secret); None: offline."""
    if cfg.backend is None:
        return None
    return StatusFromSync(cfg.data_dir / SOCKET_NAME, cfg.backend.lookup_timeout_s)


def cmd_run(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    from ui import app  # Qt is loaded only by the command that shows a window

    lockers = Lockers.from_config(cfg, store)
    try:
        try:
            core = Core(cfg, store, lockers, status_source=status_source(cfg, store))
            for settled in reconcile(core):
                print(f"recovered: {settled.kind} {settled.state} -> {settled.outcome}", file=out)
        except KioskError as exc:  # a refused key, a bad catalogue: say so on the screen, not a restart loop
            print(f"error: {exc}", file=sys.stderr)
            return out_of_service(cfg, exc)
        return app.run(core, cfg)
    finally:
        lockers.close()


def out_of_service(cfg: KioskConfig, exc: KioskError) -> int:
    """``kiosk run`` when the kiosk cannot serve at all (a damaged database, a refused key, a bad
    catalogue): the screen says it is out of service, and where to turn, until a technician stops
    it, rather than a black screen restarting every two seconds."""
    from ui import app  # Qt is loaded only by the command that shows a window

    return app.run_out_of_service(cfg, str(exc))
