from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.lockboard.bus import BusTiming, HookPolarity, LockBus
from hardware_sim.control import ControlClient
from hardware_sim.lockboard import LockboardSim
from tests.machine import Machine

# Short deadlines keep fault tests fast; they are still far above a pty's round trip.
FAST = BusTiming(
    reply_timeout_s=0.08, retries=2, poll_interval_s=0.01, unlock_confirm_s=0.3, unlock_attempts=2
)


class SimBus:
    """A simulator on a real pty, the production LockBus on it, and the control client."""

    def __init__(self, sim: LockboardSim, bus: LockBus) -> None:
        self.sim = sim
        self.bus = bus
        self.ctl = ControlClient(sim.control_path)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    # Unix socket paths are limited to ~108 bytes; pytest's tmp_path can exceed that.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kt") as d:
        yield Path(d)


@pytest.fixture
def make_simbus(short_tmp: Path) -> Iterator[Callable[..., SimBus]]:
    made: list[SimBus] = []

    def make(
        protocol: str,
        boards: tuple[int, ...] = (0, 1),
        *,
        nc: tuple[int, ...] = (),
        release_ms: int = 5,
        timing: BusTiming = FAST,
        **sim_kw: int,
    ) -> SimBus:
        link = short_tmp / f"{protocol}-{len(made)}"
        sim = LockboardSim(
            protocol, boards, link, release_ms=release_ms, normally_closed=nc, **sim_kw
        ).start_in_thread()
        polarity = {b: HookPolarity.NORMALLY_CLOSED for b in nc}
        bus = LockBus.from_url(str(link), protocol, name="testbus", polarity=polarity, timing=timing)
        made.append(SimBus(sim, bus))
        return made[-1]

    yield make
    for sb in made:
        sb.bus.close()
        sb.sim.stop()


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_SIM_CTL", raising=False)


@pytest.fixture
def machine(short_tmp: Path) -> Iterator[Machine]:
    """A whole simulated machine (tests/machine.py); test_cli's own, of processes, overrides it."""
    m = Machine(short_tmp)
    yield m
    m.close()
