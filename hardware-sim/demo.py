"""``make demo-cli``: the simulated machine and a scripted technician session against it (``make
demo`` is the whole machine with its touch screen: ``ui/demo``).

Copies the example config with only the device URLs (and the data folder) changed, starts
``kiosk-sim`` for the lock bus, the receipt printer, the QR scanner and the bill validator on ptys
(``hardware_sim.machine``), then runs the real ``kiosk`` commands a technician would: check every
board, list the compartments, open a few, meet a jammed lock and a silent board, print the test
page, meet an empty paper roll, scan a receipt's QR, check the bill validator and build a fee's
VietQR payload, run scripted handovers, deliver the events to the stand-in backend
(``kiosk-backend``) through an outage, and verify the audit log. Exits 0 only when every step
ended as expected.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardware_sim import machine
from hardware_sim.control import ControlClient
from hardware_sim.machine import BACKEND

SCAN = ("scan", "--once", "--timeout", "10")
VIETQR = "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
FEE_DOSSIER = "000.00.53.H48-261127-0104"  # a regulated code: exactly the field's 25 characters
RECEIPT_QR = "Mã hồ sơ: 000.00.53.H48-220921-0099\nThủ tục: 1.001193.000.00.00.H48\nNgày hẹn trả: 25/11/2026"


@dataclass(frozen=True)
class Step:
    say: str
    argv: tuple[str, ...] = ()  # a kiosk command; empty when the step acts on a simulator
    ctl: tuple[str, ...] = ()  # a simulator control command
    device: str = "lockbus0"  # whose control channel ``ctl`` goes to
    expect: int = 0
    present: str | None = None  # a code the person holds to the scanner while ``argv`` waits


def steps(locks: dict[str, tuple[int, int]], fees: dict[str, Any] | None = None) -> list[Step]:
    def at(cid: str) -> tuple[str, str]:
        board, lock = locks[cid]
        return str(board), str(lock)

    return [
        Step("Check that every board on the bus answers.", ("doctor",)),
        Step("List every compartment as the boards report it.", ("lockers",)),
        Step("Test-open A01.", ("open", "A01", "--reason", "demo: test-open after install")),
        Step("At the machine: put a folder in A01 and close the door.", ctl=("put", *at("A01"))),
        Step("", ctl=("close", *at("A01"))),
        Step("Test-open C03, on the board wired normally-closed.", ("open", "C03", "--reason", "demo")),
        Step("At the machine: close C03.", ctl=("close", *at("C03"))),
        Step("Fault: the lock of B02 jams.", ctl=("jam", *at("B02"), "on")),
        Step("Try to open B02: it must fail, not report 'opened'.",
             ("open", "B02", "--reason", "demo: jammed lock"), expect=1),
        Step("Fault: board 1 goes silent (power lost).", ctl=("silent", "1", "on")),
        Step("The doctor finds it; board 0 keeps working.", ("doctor",), expect=1),
        Step("Repair: power back, lock freed.", ctl=("clear",)),
        Step("List the compartments again.", ("lockers",)),
        Step("Check the receipt printer.", ("printer", "status")),
        Step("Print the test page (every Vietnamese tone mark and a QR).", ("printer", "test")),
        Step("Fault: the paper roll runs out.", ctl=("paper", "out"), device="printer"),
        Step("The test page is refused before a byte is sent.", ("printer", "test"), expect=1),
        Step("Repair: a new roll.", ctl=("paper", "ok"), device="printer"),
        Step("Scan the QR of an appointment slip with the serial scanner.", SCAN, present=RECEIPT_QR),
        Step("Scan a payment QR by mistake: rejected with a reason.", SCAN, present=VIETQR, expect=1),
        *fee_steps(fees),
        Step("A scripted handover: an officer loads a result, a citizen picks it up with the QR.",
             ("scenario", "examples/scenarios/load-and-pickup.toml")),
        Step("Deliver every event so far to the province's backend (the stand-in, kiosk-backend).",
             ("sync", "--once")),
        Step("The sync's health: queue, last success, clock skew, dead letters.", ("sync", "--status")),
        Step("Citizens look up dossiers: the backend answers, and what the kiosk holds shows.",
             ("scenario", "examples/scenarios/lookup.toml")),
        Step("Fault: the backend goes down (the province's link is cut).", ctl=("down",), device=BACKEND),
        Step("The sync keeps the events and says why it could not deliver them.",
             ("sync", "--once"), expect=1),
        Step("Repair: the link is back; everything queued is delivered, once.", ctl=("up",), device=BACKEND),
        Step("", ("sync", "--once")),
        Step("Verify the tamper-evident audit log.", ("audit", "verify")),
    ]  # fmt: skip


def fee_steps(fees: dict[str, Any] | None) -> list[Step]:
    """The bill validator (the simulator on its pty), and the VietQR payload of a fee to the
    config's [fees] account: what the kiosk shows, to check against a bank's app."""
    if fees is None:
        return []
    bank = ("--bin", str(fees["bin"]), "--account", str(fees["account"]))
    return [
        Step("Check the bill validator: sync with it, its firmware, country and notes.", ("cash", "status")),
        Step("The VietQR payload of a 75.000 đồng fee for a dossier, to the [fees] account.",
             ("vietqr", *bank, "--amount", "75000", "--purpose", FEE_DOSSIER)),
        Step("A purpose longer than the field's 25 characters is refused, not cut.",
             ("vietqr", *bank, "--amount", "75000", "--purpose", FEE_DOSSIER + "-X"), expect=1),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("examples/kiosk.toml"))
    parser.add_argument("--workdir", type=Path, default=Path(".demo"))
    args = parser.parse_args(argv)

    the = machine.start(args.config, args.workdir.resolve(), technician_only=True)
    try:
        controls: dict[str, Any] = {
            the.raw["bus"][0]["name"]: the.controls.lockbus,
            "printer": the.controls.printer,
            "scanner": the.controls.scanner,
            BACKEND: the.backend,
        }
        plan = steps(the.controls.locks, the.raw.get("fees"))
        return _run(plan, the.config, controls, the.work)
    finally:
        the.stop()


def _run(plan: list[Step], cfg: Path, controls: dict[str, Any], work: Path) -> int:
    surprises = 0
    for step in plan:
        if step.say:
            print(f"\n# {step.say}")
        if step.ctl:
            if step.device == BACKEND:
                print(controls[BACKEND].describe(*step.ctl))
            else:
                print(f"$ kiosk-sim ctl --socket {work / step.device}.ctl " + shlex.join(step.ctl))
            controls[step.device].call(*step.ctl)
            continue
        print("$ kiosk " + shlex.join(step.argv))
        started = time.monotonic()
        returncode = _kiosk(cfg, step, controls["scanner"])
        verdict = "as expected" if returncode == step.expect else "UNEXPECTED"
        print(f"(exit {returncode}, {time.monotonic() - started:.1f} s, {verdict})")
        surprises += returncode != step.expect
    receipts = sorted((work / "printed").glob("*.png"))
    print(f"\nReceipts printed by the simulated printer: {', '.join(str(r) for r in receipts) or 'none'}")
    print(f"Demo finished: {len(plan)} steps, {surprises} unexpected outcome(s).")
    return 1 if surprises else 0


def _kiosk(cfg: Path, step: Step, scanner: ControlClient) -> int:
    argv = [sys.executable, "-m", "commands", "--config", str(cfg), *step.argv]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if step.present is not None:
        ready = proc.stdout.readline()  # "Scan a code now …": the port is open
        sys.stdout.write(ready)
        print("(the person holds the code to the scanner)")
        scanner.call("scan", step.present)
    out, err = proc.communicate(timeout=60)
    sys.stdout.write(out + err)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
