"""``kiosk scenario``: the shipped scenario files, run by the real CLI against a simulator process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_cli import Machine

SCENARIOS = Path(__file__).resolve().parent.parent / "examples" / "scenarios"


@pytest.fixture
def machine(short_tmp: Path) -> Iterator[Machine]:
    m = Machine(short_tmp)
    yield m
    m.stop()


def test_load_and_pickup(machine: Machine) -> None:
    done = machine.kiosk("scenario", str(SCENARIOS / "load-and-pickup.toml"))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "  load: door-open -> loaded" in lines and "  pickup: door-open -> done" in lines
    assert any(line.startswith("  door-reminder:") for line in lines)  # the 65 s wait
    assert lines[-1] == "scenario finished: all expectations met"
    assert machine.audit_actions().count("event:result-picked-up") == 1


def test_wrong_pin_then_cancel(machine: Machine) -> None:
    done = machine.kiosk("scenario", str(SCENARIOS / "wrong-pin-then-cancel.toml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "  screen: Mã PIN không đúng. Còn 4 lần thử. / Wrong PIN. 4 tries left." in done.stdout
    assert "  pickup: waiting-code -> timed-out" in done.stdout


def test_a_failed_expectation_exits_1(machine: Machine, short_tmp: Path) -> None:
    bad = short_tmp / "bad.toml"
    bad.write_text('[[step]]\ndo = "load 000.00.53.H48-220921-0099"\n[[step]]\nexpect = "done"\n')
    done = machine.kiosk("scenario", str(bad))
    assert done.returncode == 1 and "  EXPECTED done, the journey is door-open" in done.stdout


def test_a_malformed_scenario_is_refused_plainly(machine: Machine, short_tmp: Path) -> None:
    bad = short_tmp / "bad.toml"
    bad.write_text('[[step]]\ndo = "load X"\nwait = 3\n')
    done = machine.kiosk("scenario", str(bad))
    assert done.returncode == 1
    assert "step[0] must have exactly one of do, person, wait, expect" in done.stderr
