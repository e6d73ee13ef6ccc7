"""Resident memory of the touch screen's process over 1,000 journeys.

The process is the one ``kiosk run`` makes: the store, the lock buses, the core (reconciled at
start) and ``ui.app.build``'s bridge, scanner, printer and KioskWindow (offscreen), from a config
like examples/kiosk.toml (24 compartments on two CU16 boards) whose devices are the simulators,
each its own process on a pty. The journeys go through the window and the devices as people make
them: an officer scans the badge and types the PIN, bulk-loads results by scanning their codes and
collects the dossiers handed in since the last round; citizens pick up with the SMS's QR held to the
scanner at the idle screen (one in five types the dossier code and the PIN instead) and hand in
dossiers by typing the code and a phone number (the receipt printed). 1,000 journeys are counted:
loads, pickups and drop-offs, a third each; the officers' collections and sign-ins come on top.

RSS (VmRSS of /proc/self/status) is read once the idle screen is shown, every 100 journeys and at
the end; the peak is VmHWM. The slope is the least-squares line through the samples from 100
journeys on (the first hundred fill the caches of code paths not yet run). Target (issue 12):
<= 150 MB at the end and flat (slope within +-5 MB per 1,000 journeys).
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

JOURNEYS = 1000
SAMPLE_EVERY = 100
PER_ROUND = 4  # results loaded, picked up and dossiers handed in per round of the officer's
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kiosk.toml"
OFFICER = ("CB-0042", "Nguyễn Thị Lan", "482916")
PHONE = "0912345678"
Steps = Generator[None, None, None]  # a person's actions, between which the event loop runs


def status_kb() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def rss_mb() -> float:
    return status_kb()["VmRSS"] / 1024


def peak_mb() -> float:
    return status_kb()["VmHWM"] / 1024


def slope_per_1000(samples: list[tuple[int, float]]) -> float:
    """Least squares: MB per 1,000 journeys."""
    n = len(samples)
    mx = sum(x for x, _ in samples) / n
    my = sum(y for _, y in samples) / n
    sxx = sum((x - mx) ** 2 for x, _ in samples)
    return 1000 * sum((x - mx) * (y - my) for x, y in samples) / sxx if sxx else 0.0


# -- the site: the example config, its devices the simulators ------------------------------------


@dataclass
class Site:
    root: Path
    sims: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.root / "kiosk.toml"

    def start(self) -> None:
        r = self.root
        self._sim("lockboard", "--protocol", "cu16", "--boards", "0,1", "--nc-boards", "1",
                  "--link", str(r / "lockbus0"), "--release-ms", "5")  # fmt: skip
        self._sim("scanner", "--link", str(r / "scanner"))
        (r / "receipts").mkdir()
        self._sim("printer", "--link", str(r / "printer"), "--out", str(r / "receipts"))
        text = EXAMPLE.read_text(encoding="utf-8")
        text = re.sub(r"\n\[backend\].*?(?=\n\[printer\])", "\n", text, flags=re.S)  # offline
        for device in ("lockbus0", "scanner", "printer"):
            text = text.replace(f'"/dev/kiosk-{device}"', f'"{r / device}"')
        text = text.replace('data_dir = "/var/lib/kiosk"', f'data_dir = "{r / "data"}"')
        text = text.replace("group_shared = true", "group_shared = false")
        # a thank-you goes back after 1 s; nothing spoken (the example's [ui] has both keys)
        text = re.sub(r"(?m)^done_return_s = \S+", "done_return_s = 1", text)
        text = re.sub(r"(?m)^speech = \S+", "speech = false", text)
        self.config.write_text(text, encoding="utf-8")

    def _sim(self, kind: str, *args: str) -> None:
        proc = subprocess.Popen([sys.executable, "-m", "hardware_sim", kind, *args],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        self.sims.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().startswith("ready"), kind

    @contextmanager
    def notify_socket(self) -> Iterator[dict[str, str]]:
        """A service manager's notify socket, as systemd gives ``kiosk run`` one: the environment
        that names it (its datagrams are left unread: the sender never blocks)."""
        path = self.root / "notify"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as manager:
            manager.bind(str(path))
            yield {"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}

    def ctl(self, device: str, command: str, *args: object) -> Any:
        from hardware_sim.control import ControlClient

        return ControlClient(self.root / f"{device}.ctl").call(command, *args)

    def stop(self) -> None:
        for proc in self.sims:
            proc.terminate()
            proc.wait(5)


@contextmanager
def kiosk_run(site: Site) -> Iterator[tuple[Any, Any, Any]]:
    """What ``kiosk run`` builds (commands/run.py, ui/app.py), in this process: the store, the
    buses, the reconciled core, the devices, the bridge and the window, and the health loop that
    pings systemd's watchdog (to a notify socket of the bench's own, every 15 s as under the unit's
    WatchdogSec=30). Yields (the application, the window, the core)."""
    from kiosk import assembly, config, staff
    from kiosk.compartments import sync_from_config
    from kiosk.notify import Notifier
    from ui import app
    from ui.health import ScreenHealth

    cfg = config.load(site.config)
    store = assembly.open_store(cfg)
    sync_from_config(store, cfg)
    staff_id, name, pin = OFFICER
    staff.add(store, staff_id, name, "officer", pin, by="bench")  # before the core's thread starts
    with assembly.lockers_of(cfg, store) as lockers, site.notify_socket() as environ:
        core, _ = assembly.build_core(cfg, store, lockers)
        application = app.application(cfg)
        devices = assembly.devices(cfg)
        bridge, window = app.build(core, cfg, devices)
        health = ScreenHealth.of_kiosk(bridge, store.path, Notifier(environ))
        window.show()
        health.shown()
        try:
            yield application, window, core
        finally:
            health.stopping()
            health.closed()
            bridge.close()
            devices.close()
            window.allow_close()
            window.close()
    store.close()


# -- people at the machine ------------------------------------------------------------------------


class People:
    def __init__(self, site: Site, application: Any, window: Any, core: Any) -> None:
        self.site, self.app, self.window = site, application, window
        self.db_path = core.store.path
        self.count = 0

    def until(self, what: str, predicate: Callable[[], bool], timeout: float = 10) -> Steps:
        """Wait, letting the event loop run (``kiosk run``'s own: deferred deletes included), until
        ``predicate`` holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            yield
            if time.monotonic() > deadline:
                shown = self.window.stack.currentWidget()
                heading = getattr(getattr(shown, "heading", None), "text", lambda: "")()
                raise TimeoutError(f"{what}: still on {type(shown).__name__} {heading!r}")

    def on(self, screen: Any) -> Callable[[], bool]:
        return lambda: self.window.stack.currentWidget() is screen

    def click(self, button: Any) -> None:
        from PyQt6.QtCore import Qt
        from PyQt6.QtTest import QTest

        assert button.isVisible(), button.text()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]

    def type_in(self, screen: Any, typed: str) -> None:
        for ch in typed:
            self.click(screen.keyboard.keys[ch])
        self.click(screen.ok)

    def scan(self, code: str) -> None:
        self.site.ctl("scanner", "scan", code)

    def door(self, *verbs: str) -> None:
        """The person at the open compartment: e.g. "put", "close"."""
        view = self.window.view
        compartment = view.data["compartment"]
        board, lock = self.where(compartment)
        for verb in verbs:
            self.site.ctl("lockbus0", verb, board, lock)

    def where(self, compartment: str) -> tuple[int, int]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT board, lock FROM compartment WHERE id = ?", [compartment]).fetchone()
            return int(row[0]), int(row[1])
        finally:
            conn.close()

    def sent(self, code: str) -> dict[str, str]:
        """What the citizen was sent for ``code`` (the SMS): from the outbox, unsealed while no
        sync has made its keys, on a connection of the bench's own."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT payload FROM outbox WHERE kind = 'result-loaded' AND dossier_code = ?"
                " ORDER BY seq DESC", [code]
            ).fetchone()  # fmt: skip
        finally:
            conn.close()
        return dict(json.loads(row[0]))

    def opened(self) -> bool:
        view = self.window.view
        return view is not None and view.state == "door-open" and self.on(self.window.message)()

    def finished(self) -> Steps:
        """Home from a finished journey's message (or its own return), back at the idle screen."""
        w = self.window
        yield from self.until("the journey's end", lambda: w.view is not None and w.view.ended)
        if w.stack.currentWidget() is w.message and w.message.home.isVisible():
            self.click(w.message.home)
        yield from self.until("the idle screen", self.on(w.idle))

    # -- journeys ---------------------------------------------------------------------------------

    def officer_round(self, loads: list[str]) -> Steps:
        w = self.window
        staff_id, _, pin = OFFICER
        self.scan(f"DKS1|{staff_id}")
        yield from self.until("the staff PIN", self.on(w.entries["staffpin"]))
        self.type_in(w.entries["staffpin"], pin)
        yield from self.until("the menu", self.on(w.menu))
        self.click(w.menu.buttons["collect"])
        yield from self.until("the list to collect", self.on(w.choose_items))
        while w.choose_items.items:
            self.click(next(iter(w.choose_items.items.values())))
            yield from self.until("a deposit's door open", self.opened)
            self.door("take", "close")
            yield from self.until("the list again", self.on(w.choose_items))
        self.click(w.choose_items.done)
        yield from self.until("the menu", self.on(w.menu))
        self.click(w.menu.buttons["load"])
        yield from self.until("the result's code", self.on(w.entries["result"]))
        for code in loads:
            self.scan(code)
            yield from self.until("a result's door open", self.opened)
            self.door("put", "close")
            yield from self.until("the next result", self.on(w.entries["result"]))
            self.count += 1
        self.click(w.entries["result"].back)
        yield from self.until("the menu", self.on(w.menu))
        self.click(w.menu.sign_out)
        yield from self.until("the idle screen", self.on(w.idle))

    def pickup(self, code: str, *, typed: bool) -> Steps:
        w = self.window
        sent = self.sent(code)
        if typed:
            self.click(w.idle.buttons["pickup"])
            yield from self.until("the code screen", self.on(w.entries["code"]))
            self.type_in(w.entries["code"], code)
            yield from self.until("the PIN screen", self.on(w.entries["pin"]))
            self.type_in(w.entries["pin"], sent["pin"])
        else:
            self.scan(sent["token"])  # the SMS's QR held to the scanner at the idle screen
        yield from self.until("the result's door open", self.opened)
        self.door("take", "close")
        yield from self.finished()
        self.count += 1

    def dropoff(self, code: str) -> Steps:
        w = self.window
        self.click(w.idle.buttons["dropoff"])
        yield from self.until("the code screen", self.on(w.entries["code"]))
        self.type_in(w.entries["code"], code)
        yield from self.until("the phone screen", self.on(w.entries["phone"]))
        self.type_in(w.entries["phone"], PHONE)
        yield from self.until("the review", self.on(w.review))  # issue 13: checked before a door opens
        self.click(w.review.confirm)
        yield from self.until("the dossier's door open", self.opened)
        self.door("put", "close")
        yield from self.finished()
        self.count += 1


def drive(people: People, journeys: int, sample: Callable[[int], None]) -> Steps:
    n = 0
    while people.count < journeys:
        codes = [f"000.00.53.H48-261201-{n + i:04d}" for i in range(PER_ROUND)]
        rounds = [people.officer_round(codes)]  # generators: each runs when its turn comes
        for i, code in enumerate(codes):
            rounds.append(people.pickup(code, typed=(n + i) % 5 == 4))
            rounds.append(people.dropoff(code.replace("H48", "H26")))
        for person in rounds:
            before = people.count
            yield from person
            for done in range(before + 1, people.count + 1):
                if done % SAMPLE_EVERY == 0:
                    sample(done)
        n += PER_ROUND


def in_event_loop(application: Any, steps: Steps) -> None:
    """Run ``steps`` from a timer inside the application's event loop, as ``kiosk run`` runs: a
    loop of ``processEvents`` would never carry out a widget's ``deleteLater``."""
    from PyQt6.QtCore import QTimer

    failed: list[BaseException] = []

    def step() -> None:
        try:
            next(steps)
            return
        except StopIteration:
            pass
        except BaseException as exc:
            failed.append(exc)
        application.exit(0)  # not quit(): the kiosk window refuses to close, and that cancels quit()

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(1)
    application.exec()
    timer.stop()
    if failed:
        raise failed[0]


def measure(journeys: int = JOURNEYS) -> tuple[list[tuple[int, float]], float, float]:
    with tempfile.TemporaryDirectory(prefix="benchmem") as tmp:
        site = Site(Path(tmp))
        site.start()
        try:
            with kiosk_run(site) as (application, window, core):
                people = People(site, application, window, core)
                samples: list[tuple[int, float]] = []

                def run() -> Steps:
                    yield from people.until("the idle screen", people.on(window.idle))
                    samples.append((0, rss_mb()))
                    yield from drive(people, journeys, lambda done: samples.append((done, rss_mb())))

                started = time.monotonic()
                in_event_loop(application, run())
                took = time.monotonic() - started
                return samples, peak_mb(), took
        finally:
            site.stop()


def as_kiosk_run_loads() -> None:
    """Import what ``kiosk run`` has loaded before its window opens: its command-line module (found
    through the ``kiosk`` entry point, wherever it lives) and, through it, every command's."""
    from importlib.metadata import entry_points

    (kiosk,) = entry_points(group="console_scripts", name="kiosk")
    kiosk.load()


def child() -> None:
    as_kiosk_run_loads()
    samples, peak, took = measure()
    print(json.dumps({"samples": samples, "peak": peak, "took": took}))


def main() -> None:
    """In a process of its own, as ``kiosk run`` is: not one that has run the other benchmarks
    (their QApplication, OpenCV and the rest would be counted)."""
    print("\n## Resident memory of the touch screen's process over 1,000 journeys\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "bench.memory"], capture_output=True, text=True, env=env,
                          timeout=3600, check=True)  # fmt: skip
    report = json.loads(done.stdout.splitlines()[-1])
    samples = [(int(n), float(mb)) for n, mb in report["samples"]]
    start, end = samples[0][1], samples[-1][1]
    slope = slope_per_1000([s for s in samples if s[0] >= SAMPLE_EVERY])
    print(f"{samples[-1][0]} journeys (loads, pickups, drop-offs) in {report['took']:.0f} s:"
          f" start {start:.0f} MB, end {end:.0f} MB, peak {report['peak']:.0f} MB,"
          f" slope {slope:+.1f} MB per 1,000 journeys")  # fmt: skip
    print("RSS every 100: " + ", ".join(f"{mb:.0f}" for _, mb in samples))


if __name__ == "__main__":
    child()
