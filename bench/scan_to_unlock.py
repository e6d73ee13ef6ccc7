"""Scan to unlock: from the last byte of a pickup QR written into the scanner's pty to the first
byte of the unlock frame read at the simulated board, with the dossier already in the store.

The kiosk side is the production path: SerialScanner reads the code, a PickupJourney verifies the
token offline and opens the compartment (each step committed, fsynced, before the next). Both
simulators run in threads of this process, so their timestamps share one clock. Target: p50 <= 2 ms
and p99 <= 10 ms (the floor is about 0.3 ms: one fsynced SQLite commit and a pty write).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from drivers.lockboard.codec import Request
from drivers.scanner.serial_scanner import ScannerSettings, SerialScanner
from hardware_sim.control import ControlClient
from hardware_sim.lockboard import LockboardSim
from hardware_sim.scanner import ScannerSim
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.pickup import Pickup, PickupJourney
from tests.machine import Machine

ROUNDS = 200


class TimedBoards(LockboardSim):
    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.unlocks_at: list[float] = []
        self._bytes_at = 0.0

    def on_bytes(self, data: bytes) -> None:
        self._bytes_at = time.perf_counter()  # when the frame's bytes were read at the board
        super().on_bytes(data)

    def _on_unlock(self, request: Request, request_len: int) -> None:
        self.unlocks_at.append(self._bytes_at)
        super()._on_unlock(request, request_len)


class TimedScanner(ScannerSim):
    written_at = 0.0

    def _send(self, data: bytes) -> object:
        result = super()._send(data)
        self.written_at = time.perf_counter()  # the last byte is in the pty
        return result


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="s2u") as tmp:
        root = Path(tmp)
        import tests.machine as machine_module

        machine_module.LockboardSim = TimedBoards  # type: ignore[misc]
        m = Machine(root)
        boards = m.sim
        assert isinstance(boards, TimedBoards)
        scanner_sim = TimedScanner(root / "scanner").start_in_thread()
        assert isinstance(scanner_sim, TimedScanner)
        scanner_ctl = ControlClient(scanner_sim.control_path)
        scanner = SerialScanner.from_url(str(root / "scanner"), settings=ScannerSettings(repeat_window_s=0))
        scanner.connect()
        samples = []
        try:
            for _ in range(ROUNDS):
                token = load_one(m)
                before = len(boards.unlocks_at)
                pickup = PickupJourney(m.core, auto_open=True)  # the citizen is at the scan screen
                scanner_ctl.call("scan", token)
                text = scanner.read_code(2)
                assert text is not None
                pickup.submit_code(text)
                assert pickup.state is Pickup.DOOR_OPEN and len(boards.unlocks_at) > before
                samples.append((boards.unlocks_at[before] - scanner_sim.written_at) * 1000)
                m.person("take", pickup.data["compartment"])
                m.person("close", pickup.data["compartment"])
                pickup.tick()
        finally:
            scanner.close()
            scanner_sim.stop()
            m.close()
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    print("\n## Scan to unlock (pickup QR in the scanner's pty -> unlock frame at the board)\n")
    spread = f"p50 {qs[49]:.2f} ms, p95 {qs[94]:.2f} ms, p99 {qs[98]:.2f} ms, max {max(samples):.2f} ms"
    print(f"{ROUNDS} pickups: {spread}")


def load_one(m: Machine) -> str:
    load = LoadJourney(m.core, m.sign_in())
    load.submit_code(f"000.00.53.H48-261123-{len(m.outbox()) % 10000:04d}")
    m.person("put", load.data["compartment"])
    m.person("close", load.data["compartment"])
    load.tick()
    row = m.store.db.execute(
        "SELECT payload FROM outbox WHERE kind = 'result-loaded' ORDER BY seq DESC"
    ).fetchone()
    return str(json.loads(row[0])["token"])


if __name__ == "__main__":
    main()
