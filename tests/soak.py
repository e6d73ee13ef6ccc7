"""``make soak``: simulated days of a kiosk (``--days 30 --per-day 200``) on an accelerated clock,
through the core and the sync, with random device faults, network cuts and process kills.

``python -m tests.soak --days 30 --per-day 200 [--seed N] [--keep DIR]``. Every part is real and
its own process: the lock boards (five CU16, 80 compartments) and the receipt printer on ptys
(hardware_sim), the stand-in backend on loopback, ``kiosk sync`` (SIGKILLed at random, started
again), the core's process (tests/soak_day.py: SIGKILLed at random; the next one reconciles and
carries on with the day) and, at each day's end, ``kiosk maintain`` on the soak's clock (killed
now and then too, then run again), so the archive grows and the database stays bounded. The
backend goes down, cuts connections, loses answers, answers twice or fails with 503s for spells.

At the end everything is drained, read back from the backend and checked: every event the kiosk
wrote (in its database and in its archives) applied exactly once, in a gapless sequence; the
audit chain intact through every archive; no citizen's name, phone, PIN, token or pickup code in
any line any process logged. It prints the figures as a table (and ``report.json`` in the soak's
folder) and exits 1 on any loss, duplicate, broken check or leak.

The soak's folder is on /dev/shm when there is one: it tests what faults and kills do, not the
disk's fsyncs (tests/crash.py and the benchmarks look at those).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from tests.soak_day import Plan

KIOSK, SECRET = "HG-VT-01", "soak-secret-for-tests-only"
BOARDS = 5  # KR-CU16, 16 locks each: 80 compartments
NETWORK = {  # what the backend does for a spell
    "backend down": {"down": True},
    "connections cut": {"drop_rate": 0.3},
    "answers lost": {"drop_after_rate": 0.3},
    "server errors": {"error_rate": 0.5, "retry_after": 1},
    "answers twice": {"twice_rate": 0.3},
}
MB = 1024 * 1024


def config_text(root: Path, backend: str) -> str:
    compartments = []
    sizes = {"A": "S", "B": "S", "C": "M", "D": "M", "E": "ML"}  # results are envelopes; dossiers thicker
    for board, column in enumerate("ABCDE"):
        for lock in range(1, 17):
            size = sizes[column][0] if lock <= 8 else sizes[column][-1]
            position = "low" if lock > 10 else "high"
            compartments.append(
                f'[[compartment]]\nid = "{column}{lock:02d}"\nbus = "lockbus0"\nboard = {board}\n'
                f'lock = {lock}\nsize = "{size}"\nposition = "{position}"\n'
            )
    return f"""[kiosk]
id = "{KIOSK}"
data_dir = "{root / "data"}"
office = "Bộ phận Một cửa UBND phường Vị Thanh"

[rules]
hold_days = 3
reminder_days = [1]

[retention]
archive_after_days = 3
backups_kept = 3

[backend]
url = "{backend}"
client_id = "{KIOSK}"
client_secret_file = "{root / "backend-secret"}"
connect_timeout_s = 2
read_timeout_s = 5
max_backoff_s = 2
idle_s = 0.2
assignments_s = 1
heartbeat_s = 5

[health]
port = 0

[printer]
url = "{root / "printer"}"
baudrate = 115200

[[bus]]
name = "lockbus0"
url = "{root / "lockbus0"}"
protocol = "cu16"
reply_timeout_ms = 60
poll_interval_ms = 3
unlock_confirm_ms = 200

""" + "\n".join(compartments)


class Proc:
    """One of the soak's processes, its stderr (and stdout, unless piped) in ``logs/NAME-N.log``."""

    def __init__(self, name: str, argv: list[str], logs: Path, *, pipe: bool = False) -> None:
        self.name, self.argv, self.logs, self.pipe = name, argv, logs, pipe
        self.starts = 0
        self.cpu_s = 0.0  # over every start
        self.popen: subprocess.Popen[bytes] | None = None
        self._buffer = b""

    def start(self) -> Proc:
        self.starts += 1
        log = open(self.logs / f"{self.name}-{self.starts}.log", "wb")  # noqa: SIM115
        out = subprocess.PIPE if self.pipe else log
        self.popen = subprocess.Popen(self.argv, stdin=subprocess.PIPE if self.pipe else subprocess.DEVNULL,
                                      stdout=out, stderr=log)  # fmt: skip
        log.close()
        self._buffer = b""
        return self

    def line(self, timeout: float) -> str | None:
        """The next line on its stdout, or None when none came within ``timeout``."""
        assert self.popen is not None and self.popen.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.popen.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None  # it ended
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def send(self, text: str) -> None:
        assert self.popen is not None and self.popen.stdin is not None
        self.popen.stdin.write(text.encode() + b"\n")
        self.popen.stdin.flush()

    def cpu_now(self) -> float:
        """Its CPU time so far, over every start (read while it runs: its own, not its children's)."""
        if not self.alive:
            return self.cpu_s
        assert self.popen is not None
        try:
            fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return self.cpu_s
        return self.cpu_s + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _count_cpu(self) -> None:
        self.cpu_s = self.cpu_now()

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self._count_cpu()
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> int | None:
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self._count_cpu()
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.popen.returncode

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class Soak:
    root: Path
    plan: Plan
    rng: random.Random
    backend_url: str = ""
    faults: collections.Counter[str] = field(default_factory=collections.Counter)
    problems: list[str] = field(default_factory=list)
    rss_kb: list[tuple[int, int, int]] = field(default_factory=list)  # (day, core's start number, RSS)
    db_mb: list[float] = field(default_factory=list)  # kiosk.db after each day's maintenance
    wal_mb: list[float] = field(default_factory=list)  # and its write-ahead log
    day_s: float = 5.0  # how long a day takes, for when to strike
    maintain_cpu_s: float = 0.0
    procs: dict[str, Proc] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    # -- the machine's processes ---------------------------------------------------------------------

    def start_world(self) -> None:
        py = sys.executable
        self.logs.mkdir(parents=True)
        boards = ",".join(str(b) for b in range(BOARDS))
        for name, argv in (
            ("lockboard", [py, "-m", "hardware_sim", "lockboard", "--protocol", "cu16", "--boards", boards,
                           "--link", str(self.root / "lockbus0"), "--release-ms", "2"]),
            ("printer", [py, "-m", "hardware_sim", "printer", "--link", str(self.root / "printer"),
                         "--out", str(self.root / "receipts")]),
            ("backend", [py, "-m", "hardware_sim.backend.cli", "--data", str(self.root / "backend"),
                         "--client", f"{KIOSK}:{SECRET}", "--port", "0"]),
        ):  # fmt: skip
            proc = self.procs[name] = Proc(name, argv, self.logs, pipe=True).start()
            ready = proc.line(30)
            if ready is None or not ready.startswith("ready"):
                raise RuntimeError(f"{name} did not start: {ready!r}")
            if name == "backend":
                self.backend_url = ready.split()[1]
        secret = self.root / "backend-secret"
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, SECRET.encode() + b"\n")
        os.close(fd)
        (self.root / "kiosk.toml").write_text(config_text(self.root, self.backend_url))
        self.plan.write(self.root)
        config = str(self.root / "kiosk.toml")
        self.procs["sync"] = Proc("sync", [py, "-m", "commands", "-v", "--config", config, "sync"], self.logs)
        self.procs["sync"].start()
        self.procs["core"] = Proc(
            "core", [py, "-m", "tests.soak_day", "core", str(self.root)], self.logs, pipe=True
        )
        self.start_core()

    def start_core(self) -> None:
        core = self.procs["core"].start()
        ready = core.line(120)
        if ready != "ready":
            raise RuntimeError(f"the core did not start (start {core.starts}): {ready!r}; see {self.logs}")

    def stop_world(self) -> None:
        for proc in self.procs.values():
            proc.stop()

    def admin(self, method: str, what: str, body: dict[str, Any] | None = None) -> Any:
        answer = requests.request(method, f"{self.backend_url}/_admin/{what}", json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    # -- a day ----------------------------------------------------------------------------------------

    def day(self, d: int) -> None:
        self.admin("POST", "assignments", {"kiosk_id": KIOSK, "assignments": [
            {"dossier_code": r.code, "citizen": r.citizen, "procedure": r.procedure, "fee_due": 0}
            for r in self.plan.results(d)
        ]})  # fmt: skip
        strikes = self.strikes(d)
        began = time.monotonic()
        core = self.procs["core"]
        core.send(f"day {d}")
        while True:
            wait = strikes[0][0] - (time.monotonic() - began) if strikes else 600
            line = core.line(max(wait, 0))
            if line is not None and line.startswith(f"done {d} "):
                self.rss_kb.append((d, core.starts, int(line.split()[2])))
                break
            if line is None and not core.alive:  # it ended by itself: a crash the soak did not cause
                self.problems.append(f"day {d}: the core's process ended by itself (see {self.logs})")
                self.restart_core(d)
                continue
            if not strikes:
                raise RuntimeError(f"day {d} did not end within 10 minutes")
            if line is None:
                self.strike(strikes.pop(0)[1], d)
        self.network({})
        self.day_s = 0.7 * self.day_s + 0.3 * (time.monotonic() - began)
        if not self.procs["sync"].alive:
            self.problems.append(f"day {d}: kiosk sync ended by itself (see {self.logs})")
            self.procs["sync"].start()

    def strikes(self, d: int) -> list[tuple[float, str]]:
        """What goes wrong today, and when (seconds into the day); on the first day, each kind
        of strike for sure, so that a short soak tries them all."""
        est, rng = self.day_s, self.rng
        found = []
        if d == 0 or rng.random() < 0.6:
            found.append((rng.uniform(0, est), "kill sync"))
        if d == 0 or rng.random() < 0.35:
            found.append((rng.uniform(0.05, 0.95) * est, "kill core"))
        if d == 0 or rng.random() < 0.6:
            begins = rng.uniform(0, 0.7) * est
            found += [
                (begins, f"network {rng.choice(sorted(NETWORK))}"),
                (begins + rng.uniform(0.1, 0.3) * est, "network ok"),
            ]
        return sorted(found)

    def strike(self, what: str, d: int) -> None:
        if what == "kill sync":
            self.procs["sync"].kill()
            self.faults["sync killed"] += 1
            self.procs["sync"].start()
        elif what == "kill core":
            self.faults["core killed"] += 1
            self.restart_core(d)
        elif what == "network ok":
            self.network({})
        else:
            kind = what.removeprefix("network ")
            self.faults[kind] += 1
            self.network(NETWORK[kind] | {"seed": self.rng.randrange(10**6)})

    def restart_core(self, d: int) -> None:
        self.procs["core"].kill()
        self.start_core()
        self.procs["core"].send(f"day {d}")

    def network(self, faults: dict[str, Any]) -> None:
        self.admin("POST", "faults", faults)

    def maintain(self, d: int) -> None:
        argv = [sys.executable, "-m", "tests.soak_day", "maintain", str(self.root), str(d)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = Proc(f"maintain-day{d + 1}", argv, self.logs)
        if self.rng.random() < 0.2:  # killed in the middle, then the timer's next run
            run.start()
            time.sleep(self.rng.uniform(0.3, 1.2))
            if run.alive:
                run.kill()
                self.faults["maintain killed"] += 1
        run.start()
        assert run.popen is not None
        status = run.popen.wait(300)
        if status != 0:
            self.problems.append(
                f"day {d}: kiosk maintain exited {status} (see {self.logs}/{run.name}-*.log)"
            )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # none other ends meanwhile
        self.maintain_cpu_s += after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        self.db_mb.append(_size(self.root / "data" / "kiosk.db") / MB)
        self.wal_mb.append(_size(self.root / "data" / "kiosk.db-wal") / MB)

    def drain(self, limit_s: float = 180) -> int:
        """Everything delivered, the network well: returns how many events stay undelivered."""
        import sqlite3

        self.network({})
        sync = self.procs["sync"]
        if not sync.alive:
            sync.start()
        deadline = time.monotonic() + limit_s
        db = sqlite3.connect(f"file:{self.root / 'data' / 'kiosk.db'}?mode=ro", uri=True, timeout=30)
        try:
            while True:
                waiting = db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
                if waiting == 0 or time.monotonic() > deadline:
                    return int(waiting)
                time.sleep(0.5)
        finally:
            db.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def run(args: argparse.Namespace) -> int:
    from tests.soak_report import check_and_report

    began = time.monotonic()
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="soak", dir=base))
    root.mkdir(parents=True, exist_ok=True)
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    plan = Plan((midnight - timedelta(days=args.days + 1)).isoformat(), args.days, args.per_day, args.seed)
    soak = Soak(root, plan, random.Random(args.seed))
    try:
        soak.start_world()
        for d in range(args.days):
            soak.day(d)
            soak.maintain(d)
            print(f"day {d + 1}/{args.days} done ({soak.day_s:.1f} s a day)", file=sys.stderr, flush=True)
        core = soak.procs["core"]
        core.cpu_s = core.cpu_now()  # it ends by itself
        core.send("quit")
        undelivered = soak.drain()
        soak.procs["sync"].stop()
        assert core.popen is not None
        core.popen.wait(30)
        return check_and_report(soak, undelivered, time.monotonic() - began, args)
    finally:
        soak.stop_world()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--per-day", type=int, default=200, help="dossiers a day: half results, half drop-offs"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", metavar="DIR", help="run in DIR and keep it (logs, archives, report.json)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
