"""The touch UI: cold start of ``kiosk run`` to the idle screen, touch to the next screen drawn,
and resident memory over 1,000 journeys driven through the screens.

Cold start: ``kiosk run`` as its own process (offscreen), devices connected (the lock-board
simulator on a pty), from the process's start to its "ready" line, printed once the event loop
has drawn the idle screen. Touch: a click on "Look up a dossier" to the code screen shown and
painted; the core's reply crosses the bridge's thread and commits the new journey first.
Memory: 1,000 look-ups typed on the on-screen keys, RSS read after 500 and after 1,000.
Targets: ≤ 1 s; ≤ 100 ms p95; ≤ 200 MB and no growth over the last 500.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_start(runs: int = 5) -> list[float]:
    from tests.test_cli import Machine as Site

    times = []
    with tempfile.TemporaryDirectory(prefix="benchui") as tmp:
        site = Site(Path(tmp))
        try:
            for _ in range(runs):
                started = time.perf_counter()
                proc = subprocess.Popen(
                    [sys.executable, "-m", "commands", "--config", str(site.config), "run"],
                    stdout=subprocess.PIPE, text=True,
                )  # fmt: skip
                assert proc.stdout is not None and proc.stdout.readline().startswith("ready")
                times.append(time.perf_counter() - started)
                proc.terminate()
                proc.wait(10)
        finally:
            site.stop()
    return times


def in_process(touches: int = 200, journeys: int = 1000) -> tuple[list[float], float, float]:
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest
    from PyQt6.QtWidgets import QApplication

    from tests.machine import Machine
    from ui.bridge import CoreBridge
    from ui.i18n import Language
    from ui.window import KioskWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="benchui") as tmp:
        machine = Machine(Path(tmp))
        bridge = CoreBridge(machine.core, tick_ms=100)
        window = KioskWindow(bridge, Language("vi"))
        window.show()

        def until(predicate: object) -> None:
            deadline = time.perf_counter() + 5
            while not predicate():  # type: ignore[operator]
                app.processEvents()
                if time.perf_counter() > deadline:
                    raise TimeoutError("the screen did not change")

        code = window.entries["code"]
        samples = []
        for _ in range(touches):
            started = time.perf_counter()
            QTest.mouseClick(window.idle.buttons["lookup"], Qt.MouseButton.LeftButton)
            until(lambda: window.stack.currentWidget() is code)
            code.repaint()
            samples.append((time.perf_counter() - started) * 1000)
            QTest.mouseClick(code.back, Qt.MouseButton.LeftButton)
            until(lambda: window.stack.currentWidget() is window.idle)
        keyboard = code.keyboard
        half = 0.0
        for n in range(1, journeys + 1):
            QTest.mouseClick(window.idle.buttons["lookup"], Qt.MouseButton.LeftButton)
            until(lambda: window.stack.currentWidget() is code)
            for ch in "G22.39-240517-0012":
                QTest.mouseClick(keyboard.keys[ch], Qt.MouseButton.LeftButton)
            QTest.mouseClick(code.ok, Qt.MouseButton.LeftButton)
            until(lambda: window.stack.currentWidget() is window.message)
            QTest.mouseClick(window.message.home, Qt.MouseButton.LeftButton)
            until(lambda: window.stack.currentWidget() is window.idle)
            if n == journeys // 2:
                half = rss_mb()
        full = rss_mb()
        bridge.close()
        window.allow_close()
        window.close()
        machine.close()
    return samples, half, full


def main() -> None:
    print("\n## Touch UI\n")
    starts = cold_start()
    print(f"cold start of kiosk run to the idle screen: median {statistics.median(starts):.2f} s,"
          f" max {max(starts):.2f} s over {len(starts)} runs")  # fmt: skip
    samples, half, full = in_process()
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    print(f"touch to the next screen drawn: p50 {qs[49]:.1f} ms, p95 {qs[94]:.1f} ms over {len(samples)}")
    print(f"resident memory after 500 journeys {half:.0f} MB, after 1,000 {full:.0f} MB")


if __name__ == "__main__":
    main()
