"""``kiosk run``: the touch UI, with the core and the configured devices (real or simulated).

Every unfinished journey is reconciled with the boards first (DESIGN §5); then the window opens.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from kiosk import assembly
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.notify import Notifier
from kiosk.store import Store


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub.add_parser("run", help="the touch screen, with the core and the configured devices")


def cmd_run(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    from ui import app  # Qt is loaded only by the command that shows a window

    notifier = Notifier()
    notifier.status(
        "reconciling unfinished journeys with the lock boards"
    )  # before READY=1: systemd shows it
    with assembly.lockers_of(cfg, store) as lockers:
        try:
            core, settled = assembly.build_core(cfg, store, lockers)
        except KioskError as exc:  # a refused key, a bad catalogue: say so on the screen, not a restart loop
            print(f"error: {exc}", file=sys.stderr)
            return out_of_service(cfg, exc)
        for one in settled:
            print(f"recovered: {one.kind} {one.state} -> {one.outcome}", file=out)
        return app.run(core, cfg, notifier)


def out_of_service(cfg: KioskConfig, exc: KioskError) -> int:
    """``kiosk run`` when the kiosk cannot serve at all (a damaged database, a refused key, a bad
    catalogue): the screen says it is out of service, and where to turn, until a technician stops
    it, rather than a black screen restarting every two seconds."""
    from ui import app  # Qt is loaded only by the command that shows a window

    return app.run_out_of_service(cfg, str(exc))
