"""Issue 12 item 3: ``kiosk run`` and ``kiosk sync`` as systemd's ``Type=notify`` services with a
watchdog. systemd's end is played by a real AF_UNIX datagram socket bound in a temporary
directory, named to the kiosk in ``NOTIFY_SOCKET``, and read by a thread of the test; the
watchdog's interval (``WATCHDOG_USEC``) is 0.4 s, so a ping is due every 0.2 s.

What is asserted is the order of what systemd hears (READY, then pings; a problem said, then no
ping until it is over), never how fast anything went.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6.QtCore import QObject, pyqtSignal, pyqtSlot
from pytestqt.qtbot import QtBot

from kiosk import assembly, assignment, board_outage, config, maintenance
from kiosk.compartments import sync_from_config
from kiosk.journeys.messages import Say
from kiosk.journeys.pickup import Pickup, PickupJourney
from kiosk.lockers import Lockers
from kiosk.notify import Notifier
from kiosk.store import Store
from kiosk.watchdog import HealthLoop, StoreProbe
from sync.deadline import Deadline
from sync.liveness import GRACE_S, STALL_S, Liveness
from tests.backend import StandIn
from tests.machine import Machine
from tests.test_cli import Machine as Site
from tests.test_journey_pickup import load
from tests.test_sync import backend, sync_config  # noqa: F401  (the stand-in backend's fixture)
from ui import app
from ui import bridge as bridge_module
from ui.bridge import CoreBridge
from ui.health import ScreenHealth
from ui.i18n import Language
from ui.screens.idle import SOME_OUT
from ui.window import KioskWindow

WATCHDOG_USEC = "400000"
Message = dict[str, str]


class NotifySocket:
    """systemd's side of sd_notify: every datagram, as its KEY=value lines, in arrival order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.1)
        self.got: list[tuple[float, Message]] = []
        self._lock = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def env(self) -> dict[str, str]:
        return {"NOTIFY_SOCKET": str(self.path), "WATCHDOG_USEC": WATCHDOG_USEC}

    def _read(self) -> None:
        while not self._closed:
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            fields = dict(line.split("=", 1) for line in data.decode().splitlines())
            with self._lock:
                self.got.append((time.monotonic(), fields))
                self._lock.notify_all()

    def messages(self) -> list[Message]:
        with self._lock:
            return [m for _, m in self.got]

    def wait_for(self, done: Callable[[list[Message]], bool], timeout: float = 20) -> list[Message]:
        """In a test whose GUI thread is not the kiosk's (a process): a plain wait."""
        with self._lock:
            assert self._lock.wait_for(lambda: done([m for _, m in self.got]), timeout), self.got
            return [m for _, m in self.got]

    def close(self) -> None:
        self._closed = True
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def notify(short_tmp: Path) -> Iterator[NotifySocket]:
    sock = NotifySocket(short_tmp / "notify")
    yield sock
    sock.close()


def pings(messages: list[Message], after: int = 0) -> int:
    return sum(1 for m in messages[after:] if m.get("WATCHDOG") == "1")


def first(messages: list[Message], found: Callable[[Message], bool], after: int = 0) -> int:
    """The index of the first message from ``after`` on that ``found`` says; -1 if none."""
    return next((i for i in range(after, len(messages)) if found(messages[i])), -1)


def says(words: str) -> Callable[[Message], bool]:
    return lambda m: words in m.get("STATUS", "")


def ready_then_pinged(messages: list[Message], times: int = 3) -> bool:
    ready = first(messages, lambda m: m.get("READY") == "1")
    return ready >= 0 and pings(messages, ready) >= times


def recovered_after(problem: str) -> Callable[[list[Message]], bool]:
    """``problem`` was said, and a ping (with the healthy status) came after it."""

    def done(messages: list[Message]) -> bool:
        said = first(messages, says(problem))
        return said >= 0 and pings(messages, said) > 0

    return done


def no_ping_while(messages: list[Message], problem: str) -> int:
    """Between the status that said ``problem`` and the next ping, nothing said all was well;
    that next ping says the kiosk serves again. Returns its index."""
    said = first(messages, says(problem))
    assert said >= 0, messages
    back = first(messages, lambda m: m.get("WATCHDOG") == "1", said)
    assert back > said and messages[back].get("STATUS", "").startswith("serving"), messages[said:]
    return back


# -- the protocol ---------------------------------------------------------------------------------


def test_the_notifier_speaks_the_protocol_to_a_path_and_to_the_abstract_namespace(
    notify: NotifySocket,
) -> None:
    told = Notifier(notify.env())
    assert told.ping_every_s == pytest.approx(0.2)
    assert told.ready("serving") and told.watchdog() and told.stopping()
    got = notify.wait_for(lambda m: len(m) == 3)
    assert got == [
        {"READY": "1", "STATUS": "serving"},
        {"WATCHDOG": "1"},
        {"STOPPING": "1", "STATUS": "stopping"},
    ]
    told.close()

    name = f"kiosk-test-{os.getpid()}-{time.monotonic_ns()}"
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    abstract.bind(b"\0" + name.encode())
    abstract.settimeout(5)
    try:
        assert Notifier({"NOTIFY_SOCKET": f"@{name}"}).status("reconciling")
        assert abstract.recv(100) == b"STATUS=reconciling"
    finally:
        abstract.close()


def test_a_status_cannot_forge_another_assignment(notify: NotifySocket) -> None:
    """A STATUS= line carries words from elsewhere (an error's message): a newline in it would
    make a second line, a READY=1 or a MAINPID= of someone's choosing."""
    Notifier(notify.env()).status("locked\nREADY=1\nMAINPID=1")
    (got,) = notify.wait_for(lambda m: len(m) == 1)
    assert set(got) == {"STATUS"} and "READY" not in got


@pytest.mark.parametrize(
    "env",
    [
        {},  # outside systemd
        {"NOTIFY_SOCKET": "relative/path"},  # neither a path nor @name: ignored, as libsystemd does
        {"NOTIFY_SOCKET": "/" + "x" * 200},  # longer than a socket address
    ],
    ids=["unset", "relative", "too-long"],
)
def test_without_a_usable_notify_socket_nothing_is_sent_or_watched(env: dict[str, str]) -> None:
    told = Notifier({**env, "WATCHDOG_USEC": WATCHDOG_USEC})
    assert not told.enabled and told.ping_every_s is None
    assert told.ready("serving") is False


def test_the_watchdog_is_only_for_the_process_systemd_named(notify: NotifySocket) -> None:
    base = notify.env()
    assert Notifier({**base, "WATCHDOG_PID": str(os.getpid())}).ping_every_s == pytest.approx(0.2)
    assert Notifier({**base, "WATCHDOG_PID": str(os.getpid() + 1)}).ping_every_s is None
    for usec in ("0", "-5", "12x", "٤٠٠٠٠٠"):  # Arabic-Indic digits are digits to str.isdigit()
        assert Notifier({**base, "WATCHDOG_USEC": usec}).ping_every_s is None, usec
    assert Notifier({**base, "WATCHDOG_USEC": "1"}).ping_every_s == 0.05  # never a busy loop


def test_a_manager_that_went_away_ends_nothing(short_tmp: Path) -> None:
    gone = short_tmp / "gone"
    told = Notifier({"NOTIFY_SOCKET": str(gone), "WATCHDOG_USEC": WATCHDOG_USEC})
    assert told.watchdog() is False  # no such socket: said False, raised nothing
    sock = NotifySocket(gone)  # and once it is there again, it is told again
    try:
        assert told.watchdog()
        assert sock.wait_for(lambda m: len(m) == 1) == [{"WATCHDOG": "1"}]
    finally:
        sock.close()


def test_a_check_that_raises_fails_the_round_and_the_loop_goes_on(notify: NotifySocket) -> None:
    def broken() -> str | None:
        raise RuntimeError("a bug in a check")

    loop = HealthLoop(Notifier(notify.env()), [broken], lambda: "serving", name="test-health")
    assert loop.once() is False
    assert loop.once() is False  # the same problem is not said twice
    loop.checks = []
    assert loop.once() is True
    assert notify.wait_for(lambda m: len(m) == 2) == [
        {"STATUS": "a health check failed (RuntimeError)"},
        {"WATCHDOG": "1", "STATUS": "serving"},
    ]


def test_the_store_probe_fails_while_another_holds_the_write_lock(machine: Machine) -> None:
    probe = StoreProbe(machine.store.path, wait_s=0.2)
    assert probe.writable() is None
    other = sqlite3.connect(machine.store.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert "database is locked" in (probe.writable() or "")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert probe.writable() is None
    assert StoreProbe(machine.store.path.with_name("absent.db")).writable() is not None
    assert not machine.store.path.with_name("absent.db").exists()  # a probe makes no database


# -- kiosk run, a process -------------------------------------------------------------------------


def start_kiosk_run(site: Site, notify: NotifySocket) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **notify.env())
    argv = [sys.executable, "-m", "commands", "--config", str(site.config), "run"]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err, err
    return err


@pytest.fixture
def site(short_tmp: Path) -> Iterator[Site]:
    s = Site(short_tmp)
    yield s
    s.stop()


def test_kiosk_run_says_ready_then_pings_and_stopping_on_sigterm(site: Site, notify: NotifySocket) -> None:
    proc = start_kiosk_run(site, notify)
    try:
        notify.wait_for(ready_then_pinged)
    finally:
        stop(proc)
    got = notify.messages()
    ready = first(got, lambda m: m.get("READY") == "1")
    assert first(got, says("reconciling")) < ready  # said while it started
    assert got[ready]["STATUS"] == "serving" and pings(got[:ready]) == 0
    assert got[-1] == {"STOPPING": "1", "STATUS": "stopping"}


def test_kiosk_run_stops_pinging_while_the_store_cannot_be_written(site: Site, notify: NotifySocket) -> None:
    proc = start_kiosk_run(site, notify)
    try:
        notify.wait_for(ready_then_pinged)
        holder = sqlite3.connect(site.data / "kiosk.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            notify.wait_for(lambda m: first(m, says("the store cannot be written")) >= 0)
            time.sleep(1.0)  # held on: rounds go by, none of them pings
            held = len(notify.messages())
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        notify.wait_for(recovered_after("the store cannot be written"))
    finally:
        stop(proc)
    got = notify.messages()
    said = first(got, says("the store cannot be written"))
    assert "database is locked" in got[said]["STATUS"]
    assert pings(got[said:held]) == 0
    no_ping_while(got, "the store cannot be written")


def test_the_out_of_service_screen_is_ready_and_pinged_too(site: Site, notify: NotifySocket) -> None:
    """A damaged database: the screen says so until a technician comes; restarting every 30 s
    would mend nothing and only blank it, so it is serving, and watched while it answers."""
    from tests.test_at_rest import damage, filled

    site.data.mkdir(mode=0o700, exist_ok=True)
    damage(filled(site.data))
    proc = start_kiosk_run(site, notify)
    try:
        got = notify.wait_for(ready_then_pinged)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and "Traceback" not in err, err  # as before: out of service
    ready = got[first(got, lambda m: m.get("READY") == "1")]
    assert ready["STATUS"].startswith("out of service: ") and "is damaged" in ready["STATUS"]
    assert notify.messages()[-1]["STOPPING"] == "1"


# -- kiosk run's threads, in this process ---------------------------------------------------------


@dataclass
class Screen:
    site: Site
    store: Store
    bridge: CoreBridge
    window: KioskWindow
    notify: NotifySocket

    def doors(self) -> dict[str, str]:
        conn = sqlite3.connect(f"file:{self.store.path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT id, door FROM compartment").fetchall())
        finally:
            conn.close()


@pytest.fixture
def screen(
    site: Site, notify: NotifySocket, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Screen]:
    """The window, bridge and core as ``kiosk run`` builds them (ui/app.py), with its health loop
    telling ``notify``; the boards are read every 0.3 s instead of every minute."""
    monkeypatch.setattr(bridge_module, "DEVICES_EVERY_MS", 300)
    cfg = config.load(site.config)
    store = Store.open(cfg.data_dir, kiosk_id=cfg.kiosk.id)
    sync_from_config(store, cfg)
    lockers = Lockers.from_config(cfg, store)
    core, _ = assembly.build_core(cfg, store, lockers)
    bridge, window = app.build(core, cfg, assembly.Devices())
    qtbot.addWidget(window)
    health = ScreenHealth.of_kiosk(bridge, store.path, Notifier(notify.env()))
    window.show()
    health.shown()
    yield Screen(site, store, bridge, window, notify)
    health.closed()
    window.allow_close()
    bridge.close()
    lockers.close()
    store.close()


def wait_for(qtbot: QtBot, notify: NotifySocket, done: Callable[[list[Message]], bool]) -> list[Message]:
    """While the GUI thread is the test's: Qt's events run meanwhile."""
    qtbot.waitUntil(lambda: done(notify.messages()), timeout=20_000)
    return notify.messages()


class Sleeper(QObject):
    """Moved to the core's thread: its slot keeps that thread busy, as a hung command would."""

    go = pyqtSignal(float)

    def __init__(self) -> None:
        super().__init__()
        self.woke = 0.0
        self.go.connect(self.sleep)

    @pyqtSlot(float)
    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
        self.woke = time.monotonic()


def test_no_ping_while_the_gui_thread_or_the_core_thread_does_not_answer(
    screen: Screen, qtbot: QtBot
) -> None:
    notify = screen.notify
    wait_for(qtbot, notify, ready_then_pinged)
    before = len(notify.messages())
    time.sleep(2.0)  # the GUI thread (this test's) runs no event: the health loop's question waits
    woke = time.monotonic()
    wait_for(qtbot, notify, recovered_after("the screen"))
    got = notify.messages()
    said = first(got, says("not answering within 1 s: the screen"))
    assert said >= before and notify.got[said][0] < woke  # told while it was blocked
    assert notify.got[no_ping_while(got, "the screen")][0] >= woke  # the next ping only after

    sleeper = Sleeper()
    sleeper.moveToThread(screen.bridge._thread)  # the core's own thread
    sleeper.go.emit(2.0)  # queued there: the core's thread sleeps, this one goes on
    wait_for(qtbot, notify, recovered_after("the core"))
    got = notify.messages()
    assert "the screen" not in got[first(got, says("the core"))]["STATUS"]  # this thread answered
    assert notify.got[no_ping_while(got, "the core")][0] >= sleeper.woke


def test_a_silent_board_puts_its_compartments_out_of_use_and_pings_go_on(
    screen: Screen, qtbot: QtBot
) -> None:
    notify, idle = screen.notify, screen.window.idle
    wait_for(qtbot, notify, ready_then_pinged)
    assert idle.notice.text() == ""
    screen.site.ctl.call("silent", 1, "on")  # board 1 (C01) loses power; board 0 (A01, A02) answers
    vi = Language("vi").tr(SOME_OUT)
    qtbot.waitUntil(lambda: idle.notice.text() == vi, timeout=10_000)
    assert vi.startswith("Một số ngăn tủ tạm ngừng phục vụ")
    screen.window.switch_language()  # English second
    assert idle.notice.text() == (
        "Some compartments are out of service for a while. Pick-up and hand-in still work at the other"
        " compartments."
    )
    screen.window.switch_language()
    assert screen.doors()["C01"] == "unknown"  # given to no new item
    assert screen.doors()["A01"] == screen.doors()["A02"] == "closed"
    said = wait_for(qtbot, notify, lambda m: first(m, says("lockbus0/board1")) >= 0)
    trouble = first(said, says("lockbus0/board1"))
    assert said[trouble] == {"WATCHDOG": "1", "STATUS": "serving; devices in trouble: lockbus0/board1"}
    wait_for(qtbot, notify, lambda m: pings(m, trouble) >= 5)  # the kiosk serves on, and says so

    screen.site.ctl.call("silent", 1, "off")
    qtbot.waitUntil(lambda: idle.notice.text() == "", timeout=10_000)
    assert screen.doors()["C01"] == "closed"  # back by itself
    got = wait_for(qtbot, notify, lambda m: first(m, lambda x: x.get("STATUS") == "serving", trouble) >= 0)
    assert pings(got, trouble) >= 5


# -- a silent board, headless ---------------------------------------------------------------------


def test_a_result_behind_a_silent_board_is_not_opened_and_comes_back_when_it_answers(
    machine: Machine,
) -> None:
    sent = load(machine)
    compartment = sent["compartment"]
    machine.ctl.call("silent", 0, "on")
    outage = maintenance.check_devices(machine.core)
    assert outage.all and compartment in outage.out_of_use
    intents = "SELECT COUNT(*) FROM audit_log WHERE action = 'unlock-intent'"
    intents_before = machine.store.db.execute(intents).fetchone()[0]

    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    assert pickup.said == Say.COMPARTMENT_RESTING.format(compartment=compartment)
    assert pickup.state is Pickup.WAITING_CODE  # the person may go, or try again
    held = machine.store.db.execute("SELECT state FROM item WHERE compartment = ?", [compartment]).fetchone()
    assert held == ("held",)  # never made "uncertain" for an officer: nothing was sent
    assert machine.store.db.execute(intents).fetchone()[0] == intents_before  # nor meant to be
    assert assignment.choose(machine.core.compartments(), "S") is None  # every door unknown: none given out

    machine.ctl.call("clear")  # the board answers again: the next citizen is served at once
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.DOOR_OPEN
    assert not maintenance.check_devices(machine.core).some
    assert board_outage.Outage().some is False


# -- kiosk sync -----------------------------------------------------------------------------------


def test_kiosk_sync_says_ready_and_pings_even_while_the_backend_is_down(
    machine: Machine,
    backend: StandIn,  # noqa: F811
    short_tmp: Path,
    notify: NotifySocket,
) -> None:
    config_file = sync_config(
        short_tmp, machine.cfg.data_dir, backend, backend.secret_file, idle_s=0.1, heartbeat_s=0.3
    )
    env = dict(os.environ, **notify.env())
    argv = [sys.executable, "-m", "commands", "--config", str(config_file), "sync"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        got = notify.wait_for(ready_then_pinged)
        assert got[first(got, lambda m: m.get("READY") == "1")]["STATUS"] == "syncing"
        backend.faults(down=True)  # the loop backs off, alive: no reason to restart it
        got = notify.wait_for(lambda m: first(m, says("the backend failed")) >= 0)
        down = first(got, says("the backend failed"))
        notify.wait_for(lambda m: pings(m, down) >= 3)
    finally:
        backend.faults()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert notify.messages()[-1] == {"STOPPING": "1", "STATUS": "stopping"}


def test_a_sync_loop_stuck_between_calls_is_not_alive() -> None:
    """The clock moved by hand: inside a call until its deadline, asleep however long, and
    between the two for less than STALL_S is alive; anything else is stuck."""
    deadline = Deadline()
    offset = [0.0]
    alive = Liveness(deadline, clock=lambda: time.monotonic() + offset[0])
    assert alive.check() is None
    with deadline.running(10):
        assert alive.check() is None  # a call within its deadline
        offset[0] = 10 + GRACE_S + 1
        assert "past its deadline" in (alive.check() or "")
    assert alive.check() is None  # the call has just ended
    offset[0] += STALL_S
    assert "has not moved for" in (alive.check() or "")
    seen: list[str | None] = []
    alive.wrap(lambda _: seen.append(alive.check()))(300.0)  # a backoff: alive throughout
    assert seen == [None] and alive.check() is None
