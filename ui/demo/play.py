"""The demo's two ways: the scripted tour (no display) or the window and the console (a display);
either way the whole machine first (``hardware_sim.machine``), the touch screen in this process."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from PyQt6.QtWidgets import QApplication

from hardware_sim import machine
from hardware_sim.machine import Machine
from hardware_sim.samples import FEE_RESULTS, LOOKED_UP, OFFICER, RESULTS, TECHNICIAN
from ui import app
from ui.demo.console import Console
from ui.demo.kiosk import Kiosk, log_to, open_kiosk
from ui.demo.touch import Hand
from ui.demo.tour import Tour, run


def play(example: Path, work: Path, *, tour: bool) -> int:
    started = time.monotonic()
    # the display first: Qt aborts the process when it has none it can use, and then before any
    # simulator is started, not leaving them behind
    QApplication.instance() or QApplication(sys.argv[:1])
    # SIGTERM ends the tour as Ctrl+C does, through the finally blocks that stop every process
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print("== The machine: simulators, the stand-in backend, the staff, the sync worker", flush=True)
    the = machine.start(example, work, speech=not tour)
    try:
        log_to(the.logs / "ui.log")
        machine.wait_for("the sync's first pull of assignments", lambda: assigned(the), timeout=30)
        kiosk = open_kiosk(the.config)
        try:
            return scripted(the, kiosk, started) if tour else interactive(the, kiosk)
        finally:
            kiosk.close()
    finally:
        the.stop()
        print(f"(the machine stopped; {time.monotonic() - started:.1f} s in all)", flush=True)


def assigned(the: Machine) -> bool:
    """Whether the sync has brought the backend's assignments in (the names, masked, and sizes)."""
    try:
        return int(the.query("SELECT COUNT(*) FROM assignment")[0][0]) >= len(RESULTS) + len(FEE_RESULTS)
    except Exception:  # no database yet, or no table yet: not yet
        return False


def scripted(the: Machine, kiosk: Kiosk, started: float) -> int:
    kiosk.window.show()
    print("\n== The tour: a person's hand on the kiosk's window (offscreen)", flush=True)
    return run(Tour(the, kiosk, Hand(kiosk.window, the.work / "screens"), started=started))


def interactive(the: Machine, kiosk: Kiosk) -> int:
    console = Console(the.controls, sample_codes())
    kiosk.window.show()
    kiosk.window.move(0, 0)
    console.closed.connect(kiosk.quit)
    console.show_beside(kiosk.window)
    print("\nThe kiosk's window and the technician's console are open. Play the citizen, the officer")
    print(f"(badge DKS1|{OFFICER.id}, PIN {OFFICER.pin}) and the technician ({TECHNICIAN.id}, PIN "
          f"{TECHNICIAN.pin}; or five taps on the idle screen's title).")  # fmt: skip
    print("Close the console, or Ctrl+C here, to stop.", flush=True)
    return app.show_until_stopped(kiosk.application, kiosk.window, kiosk.cfg, "the idle screen")


def sample_codes() -> list[tuple[str, str]]:
    """What the console offers to hold to the scanner (the SMS's QR codes come from its phones)."""
    return [
        (f"officer's badge DKS1|{OFFICER.id}", f"DKS1|{OFFICER.id}"),
        (f"technician's badge DKS1|{TECHNICIAN.id}", f"DKS1|{TECHNICIAN.id}"),
        *((f"a result to load: {d.code}", d.code) for d in RESULTS),
        (f"a dossier to look up: {LOOKED_UP.code}", LOOKED_UP.code),
    ]
