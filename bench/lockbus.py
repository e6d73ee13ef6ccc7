"""Lock-bus round trips through the simulator over a real pty.

Runs the production LockBus against ``LockboardSim`` twice: with wire time not modelled (what the
software adds: driver, pty, simulator) and with it modelled at 19200 baud (what a technician would
see on a real bus). The software figure is the target: under 1 ms p50 per command.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from drivers.lockboard.bus import BusTiming, LockBus
from hardware_sim.control import ControlClient
from hardware_sim.lockboard import BITS_PER_BYTE_ON_WIRE, LockboardSim

ROUNDS = 400
UNLOCKS = 150


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[94], qs[98]


def measure(
    fn: Callable[[], object], rounds: int, between: Callable[[], object] | None = None
) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        if between:
            between()
    return samples


def run(protocol: str, wire_baud: int, workdir: Path) -> dict[str, list[float]]:
    link = workdir / f"{protocol}-{wire_baud}"
    sim = LockboardSim(protocol, [0], link, wire_baud=wire_baud, release_ms=0).start_in_thread()
    ctl = ControlClient(sim.control_path)
    # Poll as fast as the bus allows: the first status read after the unlock is the proof.
    timing = BusTiming(poll_interval_s=0.0, unlock_confirm_s=1.0)
    bus = LockBus.from_url(str(link), protocol, timing=timing)
    try:
        bus.status(0)  # open the port and warm up
        status = measure(lambda: bus.status(0), ROUNDS)
        unlock = measure(lambda: bus.unlock(0, 1), UNLOCKS, between=lambda: ctl.call("close", 0, 1))
    finally:
        bus.close()
        sim.stop()
    return {"status": status, "unlock": unlock}


def wire_ms(protocol: str, baud: int, command: str) -> float:
    request, reply = {"cu48": (6, 12), "cu16": (5, 9)}[protocol]
    nbytes = request + reply if command == "status" else request + request + reply  # unlock + 1 poll
    return nbytes * BITS_PER_BYTE_ON_WIRE / baud * 1000


def main() -> None:
    print("## Lock bus: production driver -> pty -> simulated board\n")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}\n")  # fmt: skip
    print(
        "| protocol | command | software p50 / p95 / p99 (ms) | at 19200 baud p50 (ms) | of which wire (ms) |"
    )
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="kb") as d:
        for protocol in ("cu48", "cu16"):
            soft = run(protocol, 0, Path(d))
            wired = run(protocol, 19200, Path(d))
            for command in ("status", "unlock"):
                p50, p95, p99 = percentiles(soft[command])
                w50 = percentiles(wired[command])[0]
                wire = wire_ms(protocol, 19200, command)
                print(
                    f"| {protocol} | {command} | {p50:.3f} / {p95:.3f} / {p99:.3f} | {w50:.2f} | {wire:.2f} |"
                )
    print("\n'unlock' is unlock frame sent to the first status read that proves the hook released;")
    print("the simulator releases at once here (release time 0) so only software and wire remain.")


if __name__ == "__main__":
    main()
