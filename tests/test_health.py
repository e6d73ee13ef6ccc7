"""The health endpoint: a real ``kiosk sync`` process serving ``/healthz`` and ``/metrics`` on
loopback over a database where a core has run real journeys on the simulated boards, scraped over
HTTP and parsed with prometheus-client's own parser; the touch screen's publisher (in memory, then
one row now and then) through its API and through the real bridge; the endpoint against hostile
local clients; ``kiosk health``; the ``[health]`` table's refusals."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from pytestqt.qtbot import QtBot

import commands.main
from kiosk import config, flags, health, maintenance, migrations
from kiosk.clock import utc_now
from kiosk.config import HealthSection, KioskConfig
from kiosk.errors import ConfigError
from kiosk.journeys.pickup import PickupJourney
from kiosk.metrics import ProcessMetrics, parse_snapshot
from sync.health_server import HealthEndpoint, serve
from tests.backend import KIOSK, StandIn
from tests.logscan import CitizenData, leaks
from tests.machine import Machine
from tests.test_journey_dropoff import deposit
from tests.test_journey_pickup import load
from tests.test_sync import kiosk_command

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the bridge's test: Qt without a display
CODES = ("000.00.53.H48-220921-0099", "000.00.53.H48-220921-0100")
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scrape(url: str) -> Samples:
    """/metrics, parsed by prometheus-client: every sample by name and labels."""
    response = requests.get(f"{url}/metrics", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def healthz(url: str) -> tuple[int, dict[str, Any]]:
    response = requests.get(f"{url}/healthz", timeout=5)
    return response.status_code, response.json()


def site_toml(m: Machine, backend: StandIn, port: int) -> Path:
    """The kiosk's one config file, as both its processes read it: the boards and compartments the
    machine runs on, the stand-in backend, the endpoint's port."""
    bus = m.cfg.bus[0]
    parts = [
        f'[kiosk]\nid = "{KIOSK}"\ndata_dir = "{m.cfg.data_dir}"\n',
        f'[backend]\nurl = "{backend.url}"\nclient_id = "{KIOSK}"\n'
        f'client_secret_file = "{backend.secret_file}"\nmax_backoff_s = 1\n',
        f"[health]\nport = {port}\n",
        f'[[bus]]\nname = "{bus.name}"\nurl = "{bus.url}"\nprotocol = "{bus.protocol}"\n',
        *(
            f'[[compartment]]\nid = "{c.id}"\nbus = "{c.bus}"\nboard = {c.board}\nlock = {c.lock}\n'
            f'size = "{c.size}"\nposition = "{c.position}"\n'
            for c in m.cfg.compartment
        ),
    ]
    path = m.cfg.data_dir.parent / "kiosk.toml"
    path.write_text("\n".join(parts))
    return path


class SyncProcess:
    """``kiosk sync`` as systemd runs it, until SIGTERM."""

    def __init__(self, config_path: Path) -> None:
        argv = [sys.executable, "-m", "commands", "--config", str(config_path), "sync"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.first_line = self.proc.stdout.readline()

    def stop(self) -> str:
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=10)
        assert self.proc.returncode == 0, err
        return err


def until(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.05)


@pytest.fixture
def backend(short_tmp: Path) -> Iterator[StandIn]:
    b = StandIn(short_tmp / "standin")
    yield b
    b.stop()


def run_journeys(m: Machine) -> CitizenData:
    """Two results loaded, one picked up after 30 s with the door open, a dossier handed in: real
    journeys on the simulated board; returns what identifies their citizens."""
    citizens = CitizenData()
    sent = [load(m, code) for code in CODES]
    pickup = PickupJourney(m.core)
    pickup.submit_code(sent[0]["token"])
    pickup.open()
    m.clock.advance(30)  # the citizen takes half a minute
    m.person("take", pickup.data["compartment"])
    m.person("close", pickup.data["compartment"])
    pickup.tick()
    dropoff = deposit(m)
    m.person("put", dropoff.data["compartment"])
    m.person("close", dropoff.data["compartment"])
    dropoff.tick()
    for each, code in zip(sent, CODES, strict=True):
        citizens.add(pin=each["pin"], token=each["token"], code=code)
    citizens.add(phone="0912345678", name="Nguyễn Thị Lan")
    return citizens


def count(m: Machine, sql: str) -> int:
    return int(m.store.db.execute(sql).fetchone()[0])


def test_a_running_sync_serves_both_processes_health_and_metrics(
    machine: Machine, backend: StandIn, short_tmp: Path
) -> None:
    m = machine
    m.clock.now = datetime.now(UTC)  # the sync process reads the real clock
    citizens = run_journeys(m)
    m.ctl.call("silent", 0, 2)  # one status read goes unanswered, its retry too …
    assert m.core.read(m.core.compartments()[0]) is None
    m.core.read(m.core.compartments()[0])  # … and the next is
    m.core.metrics.publish(m.store)  # the touch screen's timer, by hand
    backend.faults(down=True)  # the events stay queued; the sync counts its failures
    port = free_port()
    sync = SyncProcess(site_toml(m, backend, port))
    url = f"http://127.0.0.1:{port}"
    try:
        assert (
            sync.first_line.startswith(f"syncing {KIOSK}") and f"health at {url}/healthz" in sync.first_line
        )
        failed = ("kiosk_sync_errors_total", (("kind", "Unreachable"),))
        samples = until(lambda: (s := scrape(url)).get(failed) and s)

        def metric(name: str, **labels: str) -> float:
            return samples[(name, tuple(sorted(labels.items())))]

        for kind, outcome, done in (("load", "done", 2), ("pickup", "done", 1), ("dropoff", "deposited", 1)):
            in_store = f"SELECT COUNT(*) FROM journey WHERE kind = '{kind}' AND outcome = '{outcome}'"
            assert metric("kiosk_journeys_total", kind=kind, outcome=outcome) == done == count(m, in_store)
        undelivered = count(m, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
        assert metric("kiosk_outbox_depth") == undelivered == 4  # 2 loaded, 1 picked up, 1 deposited
        assert metric("kiosk_outbox_oldest_age_seconds") >= 0
        usable = [c for c in m.core.compartments() if c.usable]
        for size in "SML":
            assert metric("kiosk_compartments_free", size=size) == sum(c.size == size for c in usable)
        assert metric("kiosk_compartments_free", size="S") == 3  # one result is still held
        assert metric("kiosk_unlock_latency_seconds_count") == 4  # one unlock per journey
        assert 0 < metric("kiosk_unlock_latency_seconds_sum") < 4 * 1.5
        assert metric("kiosk_door_open_seconds_count") == 4
        assert metric("kiosk_door_open_seconds_bucket", le="20.0") == 3  # the pickup's 30 s …
        assert metric("kiosk_door_open_seconds_bucket", le="30.0") == 4  # … is in the next bucket
        assert metric("kiosk_door_open_seconds_sum") == 30
        assert metric("kiosk_device_faults_total", device="lockboard", kind="BoardSilent") == 1
        assert metric("kiosk_device_up", device="lockbus0/board0") == 1  # answered again since
        assert metric("kiosk_printer_paper", state="unknown") == 1  # no printer read yet
        assert metric("kiosk_sync_errors_total", kind="Unreachable") >= 1
        assert metric("kiosk_can_serve") == 1
        status, body = healthz(url)
        assert status == 200 and body["status"] == "ok" and body["problems"] == []
        assert body["sync"]["queue_depth"] == undelivered
        assert (
            body["sync"]["last_error"]["kind"] == "Unreachable"
            and "message" not in body["sync"]["last_error"]
        )
        assert body["ui"]["age_s"] is not None and body["ui"]["age_s"] < 45
        assert (
            body["version"] == health.software_version()
            and body["store"]["schema_version"] == migrations.LATEST
        )
        # no citizen's data in any label or field, in any spelling
        text = requests.get(f"{url}/metrics", timeout=5).text + json.dumps(body, ensure_ascii=False)
        assert len(citizens) >= 6 and leaks(text.splitlines(), citizens) == []
    finally:
        sync.stop()


def test_healthz_is_503_when_the_touch_screen_goes_quiet_or_a_flag_is_raised(
    machine: Machine, backend: StandIn
) -> None:
    m = machine
    port = free_port()
    sync = SyncProcess(site_toml(m, backend, port))
    url = f"http://127.0.0.1:{port}"
    try:
        status, body = until(lambda: healthz(url))
        assert status == 503 and body["problems"] == [
            "touch screen: it has published nothing (is kiosk run running?)"
        ]
        m.clock.now = datetime.now(UTC)
        m.core.metrics.publish(m.store)
        assert healthz(url)[0] == 200
        m.clock.now = datetime.now(UTC) - timedelta(minutes=5)  # its last word, five minutes ago
        m.core.metrics.publish(m.store)
        status, body = healthz(url)
        assert status == 503 and body["status"] == "unavailable"
        assert re.fullmatch(r"touch screen: its last word is 30\d s old \(over 45 s\): frozen or stopped",
                            body["problems"][0])  # fmt: skip
        assert requests.get(f"{url}/metrics", timeout=5).text.count("kiosk_can_serve 0.0") == 1
        m.clock.now = datetime.now(UTC)
        m.core.metrics.publish(m.store)
        assert healthz(url)[0] == 200
        flags.raise_flag(m.store, flags.HISTORY, "replaced", "a test's")
        status, body = healthz(url)
        assert status == 503 and body["problems"][0].startswith("out of service: history (since ")
        cli = kiosk_command(site_toml(m, backend, port), "health")  # the same answer, without curl
        assert cli.returncode == 1 and json.loads(cli.stdout)["problems"] == body["problems"]
        flags.lower_flag(m.store, flags.HISTORY, actor="test", reason="checked")
        assert healthz(url)[0] == 200
        said = io.StringIO()
        assert commands.main.main(["--config", str(site_toml(m, backend, port)), "health"], out=said) == 0
        assert json.loads(said.getvalue())["status"] == "ok"
        said = io.StringIO()
        assert (
            commands.main.main(["--config", str(site_toml(m, backend, port)), "health", "--url"], out=said)
            == 0
        )
        assert said.getvalue() == f"{url}\n"  # where the demo and a monitoring agent find it
    finally:
        sync.stop()


def test_a_taken_port_is_said_and_tried_again_and_never_stops_delivery(
    machine: Machine, backend: StandIn
) -> None:
    load(machine)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    sync = SyncProcess(site_toml(machine, backend, port))
    try:
        until(lambda: count(machine, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == 0)
    finally:
        taken.close()
        err = sync.stop()
    assert f"the health endpoint is not served at http://127.0.0.1:{port}" in err and "Traceback" not in err


# -- the endpoint in this process: hostile clients, a port freed later, a bad snapshot ----------


def with_port(cfg: KioskConfig, port: int) -> KioskConfig:
    return cfg.model_copy(update={"health": HealthSection(port=port)})


@pytest.fixture
def endpoint(machine: Machine) -> Iterator[HealthEndpoint]:
    machine.clock.now = datetime.now(UTC)
    machine.core.metrics.publish(machine.store)
    served = HealthEndpoint(with_port(machine.cfg, free_port()), machine.store.path, machine.clock,
                            lambda: {}, deadline_s=0.5, max_clients=2)  # fmt: skip
    served.start()
    yield served
    served.stop()


def raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(request)
        return b"".join(iter(lambda: s.recv(65536), b""))


def test_only_get_healthz_and_metrics_from_loopback_names(endpoint: HealthEndpoint) -> None:
    url = endpoint.url
    assert requests.get(f"{url}/", timeout=5).status_code == 404
    assert requests.get(f"{url}/metrics/../etc/passwd", timeout=5).status_code == 404
    assert requests.get(f"{url}/healthz?x=1", timeout=5).status_code == 200
    refused = requests.post(f"{url}/metrics", data=b"x", timeout=5)
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET"
    # a page in a browser here, its name rebound to 127.0.0.1, gets nothing
    rebound = requests.get(f"{url}/healthz", headers={"Host": "attacker.example:80"}, timeout=5)
    assert rebound.status_code == 403 and "queue_depth" not in rebound.text
    assert requests.get(f"{url}/healthz", headers={"Host": "localhost"}, timeout=5).status_code == 200
    assert raw(url, b"GET /healthz HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")  # no Host at all
    garbage = raw(url, b"\x16\x03\x01\x02\x00garbage\r\n\r\n")  # TLS, or worse
    assert garbage.startswith(b"HTTP/1.0 400") and garbage.endswith(b'{"error": 400}\n')


def test_a_slow_client_is_cut_off_and_holds_up_no_one(endpoint: HealthEndpoint) -> None:
    url = endpoint.url
    host, port = url.removeprefix("http://").split(":")
    slow = socket.create_connection((host, int(port)), timeout=5)
    slow.sendall(b"GET /healthz HTTP/1.0\r\n")  # and then, a byte at a time, never the end

    def trickle() -> None:
        try:
            for _ in range(40):
                slow.sendall(b"X")
                time.sleep(0.05)
        except OSError:
            pass

    threading.Thread(target=trickle, daemon=True).start()
    assert requests.get(f"{url}/metrics", timeout=5).status_code == 200  # meanwhile, a scrape
    started = time.monotonic()
    assert slow.recv(65536) == b""  # closed by the connection's deadline (0.5 s here) …
    assert time.monotonic() - started < 2.0  # … not by its own pace (2 s of trickling)
    slow.close()


def test_clients_past_the_bound_are_closed_at_once(endpoint: HealthEndpoint) -> None:
    host, port = endpoint.url.removeprefix("http://").split(":")
    held = [socket.create_connection((host, int(port)), timeout=5) for _ in range(2)]
    time.sleep(0.1)
    extra = socket.create_connection((host, int(port)), timeout=5)
    assert extra.recv(100) == b""  # the third of two allowed: closed unanswered
    for s in [*held, extra]:
        s.close()
    time.sleep(0.6)  # their deadline frees the slots
    assert requests.get(f"{endpoint.url}/healthz", timeout=5).status_code == 200


def test_a_port_freed_later_is_served_without_a_restart(machine: Machine) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    served = HealthEndpoint(with_port(machine.cfg, port), machine.store.path, machine.clock, lambda: {})
    notes: dict[str, str] = {}
    stopping = threading.Event()
    serve(served, notes, stopping, retry_s=0.1)
    assert notes["health_endpoint"].startswith(f"not served at http://127.0.0.1:{port}")
    taken.close()
    try:
        until(lambda: notes["health_endpoint"] == f"served at http://127.0.0.1:{port}/healthz and /metrics")
        assert requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 200
    finally:
        stopping.set()
        served.stop()


def test_a_snapshot_that_is_not_one_is_a_503_and_metrics_go_on(
    endpoint: HealthEndpoint, machine: Machine
) -> None:
    machine.store.db.execute(
        "UPDATE process_snapshot SET snapshot = ?", ['{"devices": {"x": "' + "A" * 99 + '"}}']
    )
    status, body = healthz(endpoint.url)
    assert status == 503 and body["problems"] == [
        "touch screen: its snapshot cannot be read (ValidationError)"
    ]
    samples = scrape(endpoint.url)
    assert samples[("kiosk_can_serve", ())] == 0 and ("kiosk_unlock_latency_seconds_count", ()) not in samples
    machine.store.db.execute("UPDATE process_snapshot SET snapshot = ?", ["[" * 100_000])
    assert healthz(endpoint.url)[0] == 503  # too long: refused before parsing


# -- the reading itself, on an injected clock ---------------------------------------------------


def test_stale_is_measured_on_the_clock_given(machine: Machine) -> None:
    m = machine
    m.core.metrics.publish(m.store)
    at = m.clock()
    stale_s = m.cfg.health.stale_s

    def problems(now: datetime) -> list[str]:
        return health.problems(health.read(m.store.db.conn, m.cfg, now), stale_s)

    assert problems(at + timedelta(seconds=stale_s)) == []
    assert problems(at + timedelta(seconds=stale_s + 1))[0].startswith(
        "touch screen: its last word is 46 s old"
    )
    # the clock stepped back an hour since the row was stamped: said until the next publish
    assert "ahead of this clock" in problems(at - timedelta(hours=1))[0]
    for c in m.core.compartments():
        m.core.take_out_of_service(c.id, "a test", actor="test")
    assert problems(at) == ["compartments: none is in service"]


def test_no_board_answering_is_a_503_and_a_printer_out_of_paper_is_said_not_503(
    machine: Machine, short_tmp: Path
) -> None:
    from drivers.printer.printer import ReceiptPrinter
    from drivers.printer.render import PrinterProfile
    from hardware_sim.control import ControlClient
    from hardware_sim.printer import PrinterSim

    m = machine
    sim = PrinterSim(short_tmp / "printer", out=short_tmp / "printed").start_in_thread()
    printer = ReceiptPrinter.from_url(str(short_tmp / "printer"), PrinterProfile("TM-T20II", "80mm"))
    printer.status_timeout_s = 0.3
    try:
        ControlClient(sim.control_path).call("paper", "out")
        m.ctl.call("silent", 0, "on")
        maintenance.check_devices(m.core, printer)  # the bridge's minute while idle
        m.core.metrics.publish(m.store)
        ok, body = health.healthz(health.read(m.store.db.conn, m.cfg, m.clock()), m.cfg.health.stale_s)
        assert not ok and body["problems"] == ["devices: no lock board answers"]
        assert body["printer_paper"] == "out"
        assert body["devices"]["printer"] | {"at": ""} == {"answers": True, "state": "out of paper", "at": ""}
        board = body["devices"]["lockbus0/board0"]
        assert not board["answers"] and board["state"].startswith("not answering: ")
        assert body["last_error"] == {"process": "ui", "device": "lockboard", "kind": "BoardSilent",
                                      "at": m.store.now()}  # fmt: skip
        m.ctl.call("silent", 0, "off")
        maintenance.check_devices(m.core, printer)
        m.core.metrics.publish(m.store)
        ok, body = health.healthz(health.read(m.store.db.conn, m.cfg, m.clock()), m.cfg.health.stale_s)
        assert ok and body["printer_paper"] == "out"  # receipts fail; the code is shown instead
    finally:
        printer.close()
        sim.stop()


def test_a_jam_is_counted_as_the_locks_fault_not_the_boards(machine: Machine) -> None:
    from drivers.lockboard.errors import DoorJammed

    m = machine
    comp = m.core.compartments()[0]
    m.person("jam", comp.id)
    with pytest.raises(DoorJammed):
        m.core.unlock(comp, actor="test", journey="j")
    snapshot = m.core.metrics.snapshot()
    assert snapshot["faults"] == [{"device": "lockboard", "kind": "DoorJammed", "count": 1}]
    assert snapshot["devices"] == {"lockbus0/board0": "ok"}  # it answered that the hook held
    assert sum(snapshot["unlock_latency_seconds"]["counts"]) == 0  # no proof, no latency


def test_the_metrics_in_memory_and_their_row_read_back() -> None:
    metrics = ProcessMetrics()
    metrics.unlocked("A01", 0.02, at=100.0)
    metrics.door_closed("A01", at=112.0)
    metrics.door_closed("A01", at=500.0)  # closed reads after that change nothing
    metrics.door_closed("A02", at=500.0)  # nor one of a door never opened
    for bound in (0.005, 10.0, 11.0):  # on a bound, and past the last
        metrics.unlocked("A03", bound, at=0.0)
    snapshot = parse_snapshot(json.dumps(metrics.snapshot()))
    assert snapshot.door_open_seconds.count == 1 and snapshot.door_open_seconds.sum == 12
    cumulative = dict(snapshot.unlock_latency_seconds.cumulative())
    assert cumulative["0.005"] == 1 and cumulative["0.025"] == 2 and cumulative["10.0"] == 3
    assert cumulative["+Inf"] == snapshot.unlock_latency_seconds.count == 4
    for bad in ('{"unlock_latency_seconds": 1}', json.dumps({**metrics.snapshot(), "pin": "123456"})):
        with pytest.raises(ValueError):
            parse_snapshot(bad)


def test_a_publish_leaves_the_stores_durability_as_it_was(machine: Machine) -> None:
    store = machine.store
    with store.transaction():  # inside someone's transaction: not now (the next tick will)
        machine.core.metrics.publish(store)
        assert store.db.execute("SELECT COUNT(*) FROM process_snapshot").fetchone()[0] == 0
    machine.core.metrics.publish(store)
    assert store.db.execute("SELECT COUNT(*) FROM process_snapshot").fetchone()[0] == 1
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL, for every other commit


# -- the touch screen's timer, through the real bridge ------------------------------------------


def test_the_bridge_publishes_from_the_core_thread_on_the_gui_threads_timer(
    machine: Machine, qtbot: QtBot
) -> None:
    from ui.bridge import CoreBridge

    m = machine
    sent = load(m)
    m.store.clock = utc_now  # each publish stamped as it happens
    m.core.cfg = m.cfg.model_copy(update={"health": HealthSection(publish_s=1.0, stale_s=3.0)})
    bridge = CoreBridge(m.core, tick_ms=20)
    try:
        bridge.start("pickup")
        bridge.step("submit_code", sent["token"])  # opens at once
        # the load's unlock and door, then the pickup's
        qtbot.waitUntil(lambda: observed(m, "unlock_latency_seconds") == 2, timeout=5000)
        m.person("take", sent["compartment"])
        m.person("close", sent["compartment"])
        qtbot.waitUntil(lambda: observed(m, "door_open_seconds") == 2, timeout=5000)
        first = peek_at(m)
        qtbot.waitUntil(lambda: peek_at(m) != first, timeout=3000)  # again, a second later
    finally:
        bridge.close()
    last = peek_at(m)
    time.sleep(1.5)
    assert peek_at(m) == last  # a closed bridge publishes no more: the row goes stale


def observed(m: Machine, histogram: str) -> int:
    """How many observations the published row has in ``histogram`` (0 before the first row)."""
    rows = peek(m, "SELECT snapshot FROM process_snapshot")
    return sum(json.loads(rows[0][0])[histogram]["counts"]) if rows else 0


def peek_at(m: Machine) -> str | None:
    rows = peek(m, "SELECT at FROM process_snapshot")
    return str(rows[0][0]) if rows else None


def peek(m: Machine, sql: str) -> list[tuple[Any, ...]]:
    """On a connection of the test's own: the core's belongs to the bridge's thread now."""
    import sqlite3

    conn = sqlite3.connect(f"file:{m.store.path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- the [health] table -------------------------------------------------------------------------


BASE = {"kiosk": {"id": KIOSK, "data_dir": "/tmp/unused"}}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.20", "localhost", "127.0.0.2", "[::1]"])
def test_the_endpoint_is_never_configured_beyond_loopback(host: str) -> None:
    with pytest.raises(ConfigError, match=r"health.host: the health endpoint is served on loopback only"):
        config.parse({**BASE, "health": {"host": host}})


def test_the_health_tables_other_refusals_and_its_url() -> None:
    with pytest.raises(
        ConfigError, match=r"health\.port: the sync runs without privileges and cannot listen on 80"
    ):
        config.parse({**BASE, "health": {"port": 80}})
    with pytest.raises(ConfigError, match=r"health.stale_s: expected at least three publish intervals"):
        config.parse({**BASE, "health": {"publish_s": 10, "stale_s": 20}})
    assert config.parse(BASE).health.url == "http://127.0.0.1:9108"
    assert config.parse({**BASE, "health": {"host": "::1", "port": 9200}}).health.url == "http://[::1]:9200"
    assert config.parse({**BASE, "health": {"port": 0}}).health.url is None
