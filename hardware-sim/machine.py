"""The whole simulated machine as processes, for ``make demo`` (``ui/demo``) and the technician's
session (``hardware_sim.demo``): the lock bus, receipt printer, QR scanner and bill validator
simulators on ptys, the stand-in backend seeded with the demo's sample dossiers (two with a fee)
and its pretend bank confirming each transfer asked for a moment later, the demo's staff enrolled with
``kiosk staff add`` would, and ``kiosk sync`` as its own process, each with its stderr in
``WORK/logs/NAME.log``. The config is ``examples/kiosk.toml`` with only the device URLs, the
folders, the backend and a few intervals changed (so a minute shows what an hour would).

Nothing here imports Qt: the touch screen is opened by whoever runs the machine, through
``kiosk.assembly``; the technician's console reaches the simulators through ``Controls``.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from hardware_sim.backend.admin import Backend, ReadBack
from hardware_sim.control import ControlClient
from hardware_sim.samples import FEE_RESULTS, LOOKED_UP, OFFICER, RESULTS, TECHNICIAN, StaffMember
from kiosk.names import masked

BACKEND = "backend"
Say = Callable[[str], None]


# -- the config --------------------------------------------------------------------------------------

# a minute of demo shows what an hour would: the sync looks at the outbox twice a second, pulls
# assignments every few seconds, and tries again within two seconds once the network is back
SYNC_PACE = {"idle_s": "0.5", "assignments_s": "3", "heartbeat_s": "5", "max_backoff_s": "2"}
DEMO_UI = {"fullscreen": "false", "hide_cursor": "false", "staff_hold_s": "2"}
# the sync asks about a transfer every second, and the pretend bank confirms it 2 s after the
# request: the demo's citizen paying with a bank's app
DEMO_FEES = {"poll_s": "1"}
BANK_DELAY_S = 2.0


def demo_config(text: str, work: Path) -> str:
    """``examples/kiosk.toml`` with each ``/dev/kiosk-NAME`` at ``WORK/NAME`` (the simulators) and
    the data folder in ``WORK/data``."""
    text = re.sub(r'(?m)^(url = )"/dev/kiosk-([\w-]+)"', lambda m: f'{m[1]}"{work / m[2]}"', text)
    return re.sub(r'(?m)^data_dir = "[^"]*"', f'data_dir = "{work / "data"}"', text, count=1)


def set_keys(text: str, table: str, values: dict[str, str]) -> str:
    """Each ``key = value`` in ``[table]``: the line replaced where the key is there (its comment
    kept), added at the table's end where not; the table added at the end when missing."""
    lines = text.splitlines()
    header = re.compile(rf"^\[{re.escape(table)}\]\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return text.rstrip("\n") + f"\n\n[{table}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    missing = dict(values)
    for i in range(start + 1, end):
        key = lines[i].split("=", 1)[0].strip()
        if key in missing:
            comment = lines[i].partition("#")[2]
            lines[i] = f"{key} = {missing.pop(key)}" + (f"  # {comment.strip()}" if comment else "")
    lines[end:end] = [f"{k} = {v}" for k, v in missing.items()]
    return "\n".join(lines) + "\n"


def point_at_backend(cfg: Path, url: str, secret_file: Path, pace: dict[str, str] | None) -> None:
    """The config's [backend] at the stand-in, written whole into place: a ``kiosk`` command
    starting meanwhile reads the file before or after, never half of it."""
    keys = {"url": f'"{url}"', "client_secret_file": f'"{secret_file}"', **(pace or {})}
    text = set_keys(cfg.read_text(encoding="utf-8"), "backend", keys)
    new = cfg.with_name(cfg.name + ".new")
    new.write_text(text, encoding="utf-8")
    os.replace(new, cfg)


def locks_of(raw: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Each compartment's (board, lock), as the config wires it."""
    return {c["id"]: (int(c["board"]), int(c["lock"])) for c in raw["compartment"]}


# -- what the console and the tour act on ----------------------------------------------------------------


@dataclass
class Controls:
    """The person at the machine and the fault injector: the simulators' control sockets, and the
    backend's admin API for the network."""

    lockbus: ControlClient
    scanner: ControlClient
    printer: ControlClient
    locks: dict[str, tuple[int, int]]
    backend: Backend | None = None
    cash: ControlClient | None = None  # the bill validator, where the config has [cash]

    def person(self, verb: str, compartment: str, *more: str) -> Any:
        """``close``, ``open`` (forced), ``put``, ``take``, ``jam … on|off`` at a compartment."""
        board, lock = self.locks[compartment]
        return self.lockbus.call(verb, board, lock, *more)

    def present(self, code: str) -> Any:
        """A code held to the QR scanner."""
        return self.scanner.call("scan", code)

    def note(self, value: int) -> Any:
        """A banknote of ``value`` đồng put into the bill validator's slot."""
        if self.cash is None:
            raise RuntimeError("no bill validator in this machine")
        return self.cash.call("insert", value)

    def paper(self, state: str) -> Any:
        """``out`` (the roll pulled), ``near``, ``ok`` (a new roll)."""
        return self.printer.call("paper", state)

    def network(self, up: bool) -> None:
        if self.backend is None:
            raise RuntimeError("no backend runs in this machine")
        self.backend.call("up" if up else "down")

    def jammed(self, compartment: str) -> bool:
        board, lock = self.locks[compartment]
        state = self.lockbus.call("state")
        return lock in state["boards"][str(board)]["jammed"]


# -- the processes ----------------------------------------------------------------------------------------

# ``kiosk sync`` as the service runs it, with its log at INFO (``kiosk -v`` is DEBUG, every byte)
SYNC_AT_INFO = (
    "import logging, sys; "
    "logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s'); "
    "from commands.main import main; sys.exit(main(sys.argv[1:]))"
)


@dataclass
class Proc:
    """A process of the machine, its stderr (and, after its first line, its stdout) in its log."""

    name: str
    popen: subprocess.Popen[str]
    log: IO[str]

    @classmethod
    def launch(cls, name: str, argv: list[str], logs: Path, *, shown: str, say: Say) -> Proc:
        say(f"$ {shown}")
        log = (logs / f"{name}.log").open("a", encoding="utf-8")
        return cls(name, subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True), log)

    def ready(self, prefix: str) -> str:
        """Its first line, once it says it serves (SystemExit if it says anything else, or dies)."""
        out = self.popen.stdout
        assert out is not None
        line = out.readline()
        if not line.startswith(prefix):
            raise SystemExit(
                f"{self.name} did not start ({line.strip() or 'no answer'}); see {self.log.name}"
            )

        def drain() -> None:  # what it prints later goes to its log, never blocks it on a full pipe
            for more in out:
                self.log.write(more)
                self.log.flush()

        threading.Thread(target=drain, name=f"{self.name}-stdout", daemon=True).start()
        return line

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        self.log.close()


def sim_commands(raw: dict[str, Any], work: Path) -> dict[str, list[str]]:
    """``kiosk-sim`` for each device the config names: the first lock bus, the printer, the scanner."""
    bus = raw["bus"][0]
    boards = sorted({c["board"] for c in raw["compartment"] if c["bus"] == bus["name"]})
    nc = [b["address"] for b in bus.get("board", []) if b.get("hook") == "normally-closed"]
    printer = raw["printer"]
    lockbus = ["lockboard", "--protocol", bus["protocol"], "--boards", ",".join(map(str, boards)),
               "--link", str(work / bus["name"]), "--release-ms", "40"]  # fmt: skip
    if nc:
        lockbus += ["--nc-boards", ",".join(map(str, nc))]
    commands = {
        bus["name"]: lockbus,
        "printer": ["printer", "--link", str(work / "printer"), "--out", str(work / "printed"),
                    "--profile", printer["profile"], "--paper", printer["paper"]],
        "scanner": ["scanner", "--link", str(work / "scanner")],
    }  # fmt: skip
    if "cash" in raw:
        commands["cash"] = ["cash", "--link", str(work / "cash")]
    return commands


def enrol(config: Path, members: tuple[StaffMember, ...], say: Say) -> None:
    """Each member enrolled as ``kiosk staff add`` does (in this process: two fewer interpreters to
    start on a two-core machine, while the simulators start)."""
    from kiosk import assembly, staff
    from kiosk import config as kiosk_config

    cfg = kiosk_config.load(config)
    store = assembly.open_store(cfg)
    try:
        for member in members:
            say(f"$ kiosk staff add {member.id} --name '{member.name}' --role {member.role}   (PIN on stdin)")
            staff.add(store, member.id, member.name, member.role, member.pin, by="technician:demo")
    finally:
        store.close()


# -- the machine ---------------------------------------------------------------------------------------------


@dataclass
class Machine:
    """Every process of the simulated machine but the touch screen; ``stop`` ends them all."""

    work: Path
    config: Path
    raw: dict[str, Any]
    controls: Controls
    backend: Backend
    procs: list[Proc] = field(default_factory=list)

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def kiosk_id(self) -> str:
        return str(self.raw["kiosk"]["id"])

    @property
    def db(self) -> Path:
        return self.work / "data" / "kiosk.db"

    def start_sync(self, say: Say) -> None:
        argv = [sys.executable, "-c", SYNC_AT_INFO, "--config", str(self.config), "sync"]
        self.procs.append(
            Proc.launch("sync", argv, self.logs, shown=f"kiosk --config {self.config} sync", say=say)
        )
        self.procs[-1].ready("syncing")

    def query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """The kiosk's database on a read-only connection of our own (the kiosk's processes own theirs)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def undelivered(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")[0][0])

    def read_back(self) -> ReadBack:
        written = [str(u) for (u,) in self.query("SELECT uuid FROM outbox ORDER BY seq")]
        return ReadBack.compare(written, self.backend.events(self.kiosk_id), self.backend.get("_admin/stats"))

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


def start(
    example: Path, work: Path, say: Say = print, *, technician_only: bool = False, speech: bool = True
) -> Machine:
    """The machine in ``work`` (emptied first): the config, the simulators and the backend (started
    side by side), the staff enrolled meanwhile; then, unless ``technician_only`` (the technician's
    session syncs by hand), the backend seeded and ``kiosk sync`` started. ``speech``: off for a tour
    offscreen (nobody to hear it)."""
    shutil.rmtree(work, ignore_errors=True)
    logs = work / "logs"
    logs.mkdir(parents=True)
    text = example.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    cfg = work / "kiosk.toml"
    text = set_keys(demo_config(text, work), "ui", {**DEMO_UI, "speech": "true" if speech else "false"})
    if "fees" in raw:
        text = set_keys(text, "fees", DEMO_FEES)
    cfg.write_text(set_keys(text, "health", {"port": str(free_port())}), encoding="utf-8")
    say(f"Config: {example} with each /dev/kiosk-NAME url pointed at {work}/NAME (the simulators),")
    say(f"data_dir = {work / 'data'}; every process's log in {logs}")
    procs: list[Proc] = []
    try:
        for name, argv in sim_commands(raw, work).items():
            procs.append(Proc.launch(name, [sys.executable, "-m", "hardware_sim", *argv], logs,
                                     shown="kiosk-sim " + shlex.join(argv), say=say))  # fmt: skip
        secret_file = work / "backend-secret"
        argv, shown = backend_command(
            work, raw["kiosk"]["id"], secret_file, seed=12 if technician_only else 0
        )
        procs.append(Proc.launch(BACKEND, argv, logs, shown=shown, say=say))
        if not technician_only:
            enrol(cfg, (OFFICER, TECHNICIAN), say)  # while the simulators start
        for proc in procs[:-1]:
            proc.ready("ready")
        url = procs[-1].ready("ready ").split()[1]
        point_at_backend(cfg, url, secret_file, None if technician_only else SYNC_PACE)
        say(f"and the [backend] pointed at the stand-in, {url}")
        backend = Backend(url)
        bus = raw["bus"][0]["name"]
        cash = ControlClient(work / "cash.ctl") if "cash" in raw else None
        controls = Controls(ControlClient(work / f"{bus}.ctl"), ControlClient(work / "scanner.ctl"),
                            ControlClient(work / "printer.ctl"), locks_of(raw), backend, cash)  # fmt: skip
        machine = Machine(work, cfg, tomllib.loads(cfg.read_text(encoding="utf-8")), controls, backend, procs)
        if not technician_only:
            backend.seed(machine.kiosk_id)
            seed_fees(backend, machine.kiosk_id)
            backend.payment_mode("auto", delay_s=BANK_DELAY_S)
            say(f"The backend assigns {len(RESULTS) + len(FEE_RESULTS)} results to {machine.kiosk_id} "
                f"({len(FEE_RESULTS)} with a fee), knows {LOOKED_UP.code}; its pretend bank confirms "
                f"each transfer {BANK_DELAY_S:.0f} s after it is asked for.")  # fmt: skip
            machine.start_sync(say)
    except BaseException:
        for proc in reversed(procs):
            proc.stop()
        raise
    return machine


def seed_fees(backend: Backend, kiosk_id: str) -> None:
    """The results with a fee, through the admin API as the province's system would assign them."""
    backend.post("_admin/assignments", {"kiosk_id": kiosk_id, "assignments": [
        {"dossier_code": f.dossier.code, "citizen": masked(f.dossier.citizen),
         "procedure": f.dossier.procedure, "fee_due": f.fee, "size_hint": f.dossier.size}
        for f in FEE_RESULTS
    ]})  # fmt: skip


def backend_command(work: Path, kiosk_id: str, secret_file: Path, seed: int) -> tuple[list[str], str]:
    """The stand-in backend on a free loopback port, with this kiosk's client and a fresh secret
    (mode 600, as ``kiosk sync`` insists); its argv and how it is shown (the secret elided)."""
    secret = secrets.token_urlsafe(24)
    secret_file.write_text(secret + "\n")
    secret_file.chmod(0o600)
    argv = ["--data", str(work / "backend"), "--client", f"{kiosk_id}:{secret}", "--port", "0"]
    argv += ["--seed", str(seed)] if seed else []
    shown = "kiosk-backend " + shlex.join(argv).replace(secret, "…")
    return [sys.executable, "-m", "hardware_sim.backend.cli", *argv], shown


def free_port() -> int:
    """A loopback port free now, for the health endpoint: two demos (or a test beside one) never
    share 9108."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, ready: Callable[[], object], timeout: float = 30.0, every: float = 0.1) -> None:
    """Until ``ready()`` is true; SystemExit naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
