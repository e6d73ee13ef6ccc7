"""A whole simulated machine for journey tests: lock-board simulator on a pty, store, core, and a
clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from drivers.lockboard.bus import BusTiming
from hardware_sim.control import ControlClient
from hardware_sim.lockboard import LockboardSim
from kiosk import config, staff
from kiosk.compartments import sync_from_config
from kiosk.core import Announcement, Core
from kiosk.journeys.signin import SignInJourney
from kiosk.lockers import Lockers
from kiosk.store import Store


class FakeClock:
    """The wall clock a test moves by hand. ``advance`` is time passing (the monotonic clock moves
    too); setting ``now`` is a step of the wall clock alone (NTP, a person at the settings)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
        self.elapsed = 0.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.elapsed

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.elapsed += seconds


def site_config(root: Path, protocol: str, confirm_ms: int = 200) -> config.KioskConfig:
    compartments = [  # board 0: A01-A04 small high, A05-A06 medium low, A07-A08 large low
        {"id": f"A{n:02d}", "bus": "lockbus0", "board": 0, "lock": n,
         "size": "S" if n <= 4 else "M" if n <= 6 else "L", "position": "high" if n <= 4 else "low"}
        for n in range(1, 9)
    ]  # fmt: skip
    return config.parse({
        "kiosk": {"id": "HG-VT-01", "data_dir": str(root / "data")},
        "bus": [{"name": "lockbus0", "url": str(root / "lockbus0"), "protocol": protocol,
                 "reply_timeout_ms": 60, "poll_interval_ms": 5, "unlock_confirm_ms": confirm_ms}],
        "compartment": compartments,
    })  # fmt: skip


STAFF = {  # role: (badge id, name, PIN)
    "officer": ("CB-0042", "Nguyễn Thị Lan", "482916"),
    "technician": ("KT-0007", "Trần Văn Hùng", "730154"),
}


def sign_in(core: Core, role: str = "officer") -> SignInJourney:
    staff_id, name, pin = STAFF[role]
    if staff.find(core.store, staff_id) is None:
        staff.add(core.store, staff_id, name, role, pin, by="test")
    session = SignInJourney(core)
    session.submit_badge(f"DKS1|{staff_id}")
    session.submit_pin(pin)
    assert session.role == role, session.said
    return session


class Machine:
    def __init__(self, root: Path, protocol: str = "cu16") -> None:
        self.sim = LockboardSim(protocol, [0], root / "lockbus0", release_ms=2).start_in_thread()
        self.ctl = ControlClient(self.sim.control_path)
        self.cfg = site_config(root, protocol)
        self.cfg.data_dir.mkdir(parents=True, exist_ok=True)
        self.clock = FakeClock()
        self.store = Store.open(self.cfg.data_dir, kiosk_id=self.cfg.kiosk.id, clock=self.clock)
        sync_from_config(self.store, self.cfg)
        self.lockers = Lockers.from_config(self.cfg, self.store)
        for bus in self.lockers.buses.values():
            bus.timing = BusTiming(
                reply_timeout_s=0.06, retries=1, poll_interval_s=0.005, unlock_confirm_s=0.2
            )
        self.core = Core(self.cfg, self.store, self.lockers, monotonic=self.clock.monotonic)
        self.heard: list[Announcement] = []
        self.core.listen(self.heard.append)
        self.core.refresh_doors()

    def sign_in(self, role: str = "officer") -> SignInJourney:
        """A member of staff signed in at the screen (badge DKS1|CB-0042 or KT-0007)."""
        return sign_in(self.core, role)

    def person(self, *action: object) -> None:
        """Someone at the machine: ("close", "A05"), ("put", "A05"), ("take", "A05"), ("jam", "A05")."""
        verb, compartment = str(action[0]), str(action[1])
        lock = int(compartment[1:])
        self.ctl.call(verb, 0, lock, *action[2:])

    def outbox(self) -> list[tuple[str, str | None, str | None]]:
        return [
            tuple(r)
            for r in self.store.db.execute("SELECT kind, dossier_code, compartment FROM outbox ORDER BY seq")
        ]  # type: ignore[misc]

    def close(self) -> None:
        self.lockers.close()
        self.store.close()
        self.sim.stop()
