"""The kiosk's side of the soak (tests/soak.py): the plan of the simulated days, the core's process
(it lives through the days the soak asks for on its stdin, until it is killed), and the daily
maintenance run, each on the soak's clock.

``python -m tests.soak_day core ROOT`` answers ``ready`` once it has reconciled, then ``done D RSS``
after each ``day D``; ``python -m tests.soak_day maintain ROOT D`` is ``kiosk maintain`` at the end
of day D. Both log at DEBUG to stderr, which the soak keeps and scans for citizen data.

A day: six rounds. In each an officer signs in, collects the deposited dossiers and loads results
(the day's share, and what found no room before, leaving twenty compartments free for
citizens' dossiers); citizens drop off dossiers (two in three with a code, the others by procedure, one in
ten asking for a low door; the receipt printed) and pick up the results whose SMS has reached
them (by the QR four times in five, else by code and PIN; four in five the same day, one in a
hundred never). At the last round the officer also withdraws what was never picked up and
settles what could not be proven, and the technician repairs the compartments taken out of
service. Between journeys the machine goes wrong now and then: a jammed lock, a board that stops
answering for a few requests, garbled replies, the printer out of paper.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import math
import random
import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from drivers.errors import DeviceError
from hardware_sim.control import ControlClient
from kiosk import assembly, config, expiry, history, maintenance, staff
from kiosk.compartments import sync_from_config
from kiosk.errors import KioskError, OutOfService
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.load import Load, LoadJourney
from kiosk.journeys.officer import (
    CollectJourney,
    OfficerReleaseJourney,
    Release,
    SettleJourney,
    WithdrawJourney,
)
from kiosk.journeys.pickup import Pickup, PickupJourney
from kiosk.journeys.signin import SignInJourney
from kiosk.journeys.technician import TechnicianJourney
from kiosk.migrations import ACTIVE_ITEM

ROUNDS = 6
RESERVED = 20  # compartments a dossier fits in that an officer leaves free for the citizens' drop-offs
STEP_S = 20  # simulated seconds an action takes
OPENING_HOUR = 7
STAFF = {
    "officer": ("CB-0042", "Nguyễn Thị Lan", "482916"),
    "technician": ("KT-0007", "Trần Văn Hùng", "730154"),
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Đức", "Kim"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hạnh", "Khoa", "Linh", "Mai", "Nam", "Phúc", "Quyên", "Sơn",
         "Tâm", "Uyên", "Việt", "Xuân", "Yến"]  # fmt: skip
PROCEDURES = ["birth", "certified-copy", "marriage", "marital-status", "signature", "contract"]
SMS = re.compile(r"Ket qua ho so (\S+) da san sang .* Ma PIN: (\d{6})\. Ma QR: (\S+)$")
log = logging.getLogger("soak.day")


@dataclass(frozen=True)
class Result:
    code: str
    citizen: str
    procedure: str


@dataclass(frozen=True)
class Deposit:
    key: str  # the plan's name for it (the ledger's)
    code: str | None  # None: a paper dossier without a code, handed in by procedure
    procedure: str | None
    phone: str
    low: bool


@dataclass(frozen=True)
class Plan:
    """The simulated days, the same in every process: what comes to the kiosk when."""

    start: str  # ISO: midnight UTC of day 0
    days: int
    per_day: int
    seed: int

    @classmethod
    def read(cls, root: Path) -> Plan:
        return cls(**json.loads((root / "plan.json").read_text()))

    def write(self, root: Path) -> None:
        (root / "plan.json").write_text(json.dumps(asdict(self)))

    def day(self, d: int) -> datetime:
        return datetime.fromisoformat(self.start) + timedelta(days=d)

    def at(self, d: int, r: int, k: int) -> datetime:
        span = timedelta(hours=12) / ROUNDS
        return self.day(d) + timedelta(hours=OPENING_HOUR) + r * span + timedelta(seconds=k * STEP_S)

    def maintenance_at(self, d: int) -> datetime:
        return self.day(d) + timedelta(hours=23)

    def results(self, d: int) -> list[Result]:
        rng = random.Random(f"{self.seed}-results-{d}")
        day = self.day(d).strftime("%y%m%d")
        return [
            Result(f"000.00.53.H48-{day}-{n:04d}", _name(rng), rng.choice(["Cấp bản sao trích lục hộ tịch",
                   "Đăng ký khai sinh", "Chứng thực bản sao", "Đăng ký kết hôn"]))
            for n in range(1, self.per_day // 2 + 1)
        ]  # fmt: skip

    def deposits(self, d: int) -> list[Deposit]:
        rng = random.Random(f"{self.seed}-deposits-{d}")
        day = self.day(d).strftime("%y%m%d")
        found = []
        for n in range(1, self.per_day - self.per_day // 2 + 1):
            by_code = rng.random() < 2 / 3
            code = f"000.00.53.H26-{day}-{n:04d}" if by_code else None
            procedure = None if by_code else rng.choice(PROCEDURES)
            phone = f"09{rng.randrange(10**8):08d}"
            found.append(Deposit(f"{day}-{n:04d}", code, procedure, phone, rng.random() < 0.1))
        return found

    def comes_after(self, code: str) -> timedelta | None:
        """When the citizen comes for a result after it is loaded; None: never (it is withdrawn)."""
        rng = random.Random(f"{self.seed}-comes-{code}")
        roll = rng.random()
        if roll < 0.8:
            return timedelta(hours=rng.uniform(1, 4))
        if roll < 0.95:
            return timedelta(hours=rng.uniform(20, 30))
        if roll < 0.99:
            return timedelta(hours=rng.uniform(44, 54))
        return None

    def by_qr(self, code: str) -> bool:
        return random.Random(f"{self.seed}-qr-{code}").random() < 0.8


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


class SoakClock:
    """The core's wall clock: set by the day's plan, never back (a restart resumes where the
    journeys in the store had come to)."""

    def __init__(self, floor: datetime) -> None:
        self.now = floor

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


class Moments:
    """The next moment of round ``r`` of day ``d``: each action takes ``STEP_S`` of the day."""

    def __init__(self, clock: SoakClock, plan: Plan, d: int, r: int) -> None:
        self.clock, self.plan, self.d, self.r = clock, plan, d, r
        self.steps = itertools.count()

    def __call__(self) -> None:
        self.clock.set(self.plan.at(self.d, self.r, next(self.steps)))


class Ledger:
    """What the kiosk's day has done, for a core started again after a kill (and the report)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        if path.exists():
            for line in path.read_text().splitlines():
                with contextlib.suppress(ValueError):
                    entry = json.loads(line)
                    if "done" in entry:
                        self.done.add(entry["done"])
        self._file = open(path, "a", buffering=1)  # noqa: SIM115  (a line a write: a kill loses none)

    def note(self, **entry: Any) -> None:
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if "done" in entry:
            self.done.add(entry["done"])

    def close(self) -> None:
        self._file.close()


class Hands:
    """The people at the machine, through the lock-board simulator's control channel."""

    def __init__(self, cfg: config.KioskConfig, ctl: Path) -> None:
        self.ctl = ControlClient(ctl)
        self.where = {c.id: (c.board, c.lock) for c in cfg.compartment}

    def __call__(self, verb: str, compartment: str, *more: str) -> None:
        board, lock = self.where[compartment]
        self.ctl.call(verb, board, lock, *more)

    def close_every_open_door(self) -> None:
        """Whoever stood at a door when the screen died closes it and walks away."""
        for board, state in self.ctl.call("state")["boards"].items():
            for lock in state["open"]:
                self.ctl.call("close", board, lock)


class Kiosk:
    """The core's process: the store on the soak's clock, the buses, the printer; recovery first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.plan = Plan.read(root)
        self.cfg = config.load(root / "kiosk.toml")
        self.ledger = Ledger(root / "ledger.jsonl")
        self.rng = random.Random()
        self.stack = contextlib.ExitStack()
        self.clock = SoakClock(self.plan.day(0))
        store = assembly.open_store(self.cfg, self.clock)
        self.stack.callback(store.close)
        last = store.db.execute("SELECT MAX(updated_at) FROM journey").fetchone()[0]
        if last:
            self.clock.set(datetime.fromisoformat(last))
        sync_from_config(store, self.cfg)
        for role, (badge, name, pin) in STAFF.items():
            if staff.find(store, badge) is None:
                staff.add(store, badge, name, role, pin, by="soak")
        self.hands = Hands(self.cfg, root / "lockbus0.ctl")
        self.printer_ctl = ControlClient(root / "printer.ctl")
        self.hands.close_every_open_door()
        lockers = self.stack.enter_context(assembly.lockers_of(self.cfg, store))
        self.core, settled = assembly.build_core(self.cfg, store, lockers)
        for one in settled:
            self.ledger.note(recovered=f"{one.kind} {one.state} -> {one.outcome}")
        assert self.cfg.printer is not None
        self.printer = assembly.printer_from_config(self.cfg.printer)
        self.stack.callback(self.printer.close)
        self.sms: dict[str, tuple[str, str]] = {}
        self.sms_seen = 0

    def close(self) -> None:
        self.ledger.close()
        self.stack.close()

    # -- a day -------------------------------------------------------------------------------------

    def day(self, d: int) -> None:
        for r in range(ROUNDS):
            moment = Moments(self.clock, self.plan, d, r)
            moment()
            self.between_people()
            self.machine_goes_wrong(d, r)
            last = r == ROUNDS - 1
            officer = self.sign_in("officer")  # one session a round: each sign-in is a scrypt
            self.officer(officer, moment, CollectJourney, *((WithdrawJourney, SettleJourney) if last else ()))
            self.load(officer, d, r, moment)
            officer.sign_out()
            self.deposit(d, r, moment)
            self.pick_up(moment)
            if last:
                self.repair(moment)
        self.between_people()

    def between_people(self) -> None:
        """What the touch screen's timer does while nobody is at it."""
        self.core.check_disk()
        expiry.send_reminders(self.core)
        with contextlib.suppress(KioskError, DeviceError):
            maintenance.check_devices(self.core, self.printer)
        history.mark(self.core.store, group_shared=self.cfg.kiosk.group_shared)

    def machine_goes_wrong(self, d: int, r: int) -> None:
        roll = self.rng.random()
        board = self.rng.choice(sorted({c.board for c in self.cfg.compartment}))
        if roll < 0.25:
            comp = self.rng.choice([c for c in self.core.compartments() if c.in_service])
            self.hands("jam", comp.id, "on")
            self.ledger.note(fault="jammed lock")
        elif roll < 0.35:
            self.hands.ctl.call("silent", board, self.rng.randint(2, 6))
            self.ledger.note(fault="silent board")
        elif roll < 0.5:
            self.hands.ctl.call(self.rng.choice(["checksum", "noise", "truncate"]), board, 3)
            self.ledger.note(fault="garbled replies")
        if r == 1 and self.rng.random() < 0.3:
            self.printer_ctl.call("paper", "out")
            self.ledger.note(fault="paper out")

    # -- the officer -------------------------------------------------------------------------------

    def sign_in(self, role: str) -> SignInJourney:
        badge, _, pin = STAFF[role]
        session = SignInJourney(self.core)
        session.submit_badge(f"DKS1|{badge}")
        session.submit_pin(pin)
        assert session.role == role, session.said
        return session

    def load(self, session: SignInJourney, d: int, r: int, moment: Callable[[], None]) -> None:
        planned = [res for dd in range(d + 1) for res in self.plan.results(dd)]
        backlog = [res for res in planned if f"load:{res.code}" not in self.ledger.done]
        share = math.ceil(self.plan.per_day // 2 / ROUNDS)
        for res in backlog if r == ROUNDS - 1 else backlog[:share]:
            if self.free() <= RESERVED:
                break  # the officer leaves room for the citizens' dossiers, and comes back later
            moment()
            journey = LoadJourney(self.core, session)
            journey.submit_code(res.code)
            if journey.state is Load.DOOR_OPEN:
                self.place(journey, Load.DOOR_OPEN, "put")
            if journey.state is Load.SCANNING:  # it was in already (loaded before a restart)
                journey.finish()
            if journey.state is Load.NO_SPACE:
                break  # the officer comes back with it later
            self.ledger.note(done=f"load:{res.code}")

    def free(self) -> int:
        """Compartments a citizen's dossier (size M) fits in, in service and empty."""
        held = {row[0] for row in self.core.store.db.execute(
            f"SELECT compartment FROM item WHERE state IN {ACTIVE_ITEM}")}  # fmt: skip
        return sum(
            1 for c in self.core.compartments() if c.in_service and c.size in "ML" and c.id not in held
        )

    def officer(
        self, session: SignInJourney, moment: Callable[[], None], *kinds: type[OfficerReleaseJourney]
    ) -> None:
        for kind in kinds:
            moment()
            journey = kind(self.core, session)
            for item in journey.items():
                moment()
                journey.take(item["dossier_code"])
                self.place(journey, Release.DOOR_OPEN, "take")
            journey.finish()

    def repair(self, moment: Callable[[], None]) -> None:
        """The technician's round: every lock freed, every fault cleared, paper in, and what was
        taken out of service back in."""
        broken = [c for c in self.core.compartments() if not c.in_service]
        for board in sorted({c.board for c in self.cfg.compartment}):
            self.hands.ctl.call("clear", board)
        self.printer_ctl.call("paper", "ok")
        if not broken:
            return
        moment()
        session = self.sign_in("technician")
        tech = TechnicianJourney(self.core, session)
        for comp in broken:
            moment()
            tech.set_in_service(comp.id, True, "lock repaired (soak)")
        tech.finish()
        session.sign_out()

    # -- citizens ----------------------------------------------------------------------------------

    def deposit(self, d: int, r: int, moment: Callable[[], None]) -> None:
        planned = self.plan.deposits(d)
        share = math.ceil(len(planned) / ROUNDS)
        for one in planned[r * share : (r + 1) * share]:
            if f"deposit:{one.key}" in self.ledger.done:
                continue
            moment()
            try:
                journey = DropoffJourney(self.core)
            except OutOfService:
                self.ledger.note(done=f"deposit:{one.key}", refused="out of service")
                continue
            if one.code is not None:
                journey.submit_code(one.code)
            else:
                journey.choose_procedure(one.procedure or PROCEDURES[0])
            if journey.state is Dropoff.WAITING_PHONE:
                journey.submit_phone(one.phone, size="M", prefer_low=one.low)
            if journey.state is Dropoff.DOOR_OPEN:
                self.place(journey, Dropoff.DOOR_OPEN, "put")
            if journey.state is Dropoff.DEPOSITED and journey.receipt is not None:
                try:
                    self.printer.print(journey.receipt)
                except DeviceError:
                    self.ledger.note(receipt="not printed")  # the code is on the screen instead
            elif journey.state in (Dropoff.WAITING_CODE, Dropoff.WAITING_PHONE):
                journey.cancel()
            self.ledger.note(done=f"deposit:{one.key}", outcome=journey.state.value)

    def pick_up(self, moment: Callable[[], None]) -> None:
        held = self.core.store.db.execute(
            "SELECT dossier_code, updated_at FROM item WHERE kind = 'result' AND state = 'held'"
        ).fetchall()
        due = []
        for code, since in held:
            after = self.plan.comes_after(code)
            if after is not None and datetime.fromisoformat(since) + after <= self.clock():
                due.append(code)
        if not due:
            return
        sent = self.messages()
        for code in due:
            if code not in sent:
                continue  # the SMS has not reached the citizen yet (the network was down)
            moment()
            pin, token = sent[code]
            journey = PickupJourney(self.core)
            if self.plan.by_qr(code):
                journey.submit_code(token)
            else:
                journey.submit_code(code)
                if journey.needs_pin:
                    journey.submit_pin(pin)
            if journey.state is Pickup.VERIFIED:
                journey.open()
                self.place(journey, Pickup.DOOR_OPEN, "take")
            if not journey.ended:  # a token of an earlier loading (the newer SMS is on its way), or
                journey.cancel()  # its board silent: the citizen comes back later

    def messages(self) -> dict[str, tuple[str, str]]:
        """The newest SMS of each dossier, as its citizen has it: (PIN, token). Read from the
        stand-in's own database (what it sent), the new ones since the last look."""
        db = sqlite3.connect(f"file:{self.root / 'backend' / 'backend.db'}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute("SELECT id, text FROM sms WHERE id > ? ORDER BY id", [self.sms_seen]).fetchall()
        finally:
            db.close()
        for n, text in rows:
            self.sms_seen = n
            if matched := SMS.match(text):
                self.sms[matched[1]] = (matched[2], matched[3])
        return self.sms

    def place(self, journey: Any, door_open: Any, verb: str) -> None:
        """Someone at the open door puts the item in (or takes it) and closes it; the journey
        watches until it has seen the door close."""
        if journey.state is not door_open:
            return
        compartment = journey.data["compartment"]
        self.hands(verb, compartment)
        self.hands("close", compartment)
        for _ in range(500):
            if journey.state is not door_open:
                return
            journey.tick()
        raise AssertionError(f"{journey.kind} at {compartment}: the door never read closed")


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def core_main(root: Path) -> int:
    kiosk = Kiosk(root)
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["day"]:
            kiosk.day(int(words[1]))
            print(f"done {words[1]} {rss_kb()}", flush=True)
        elif words[:1] == ["quit"]:
            break
    kiosk.close()
    return 0


def maintain_main(root: Path, d: int) -> int:
    """``kiosk maintain`` at the end of day ``d`` of the soak's clock."""
    import argparse

    from commands.maintain import cmd_maintain

    plan = Plan.read(root)
    cfg = config.load(root / "kiosk.toml")
    moment = plan.maintenance_at(d)
    store = assembly.open_store(cfg, lambda: moment)
    try:
        sync_from_config(store, cfg)
        return cmd_maintain(argparse.Namespace(status=False), cfg, store, sys.stdout)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args[:1] == ["core"]:
        return core_main(Path(args[1]))
    if args[:1] == ["maintain"]:
        return maintain_main(Path(args[1]), int(args[2]))
    print("usage: python -m tests.soak_day core ROOT | maintain ROOT DAY", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
