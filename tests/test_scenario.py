"""``kiosk scenario``: the shipped scenario files, run by the real CLI against a simulator process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import Store
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
    assert "  screen: Mã PIN không đúng. Còn 4 lần thử. / Wrong PIN. Tries left: 4." in done.stdout
    assert "  pickup: waiting-code -> timed-out" in done.stdout


def test_a_failed_expectation_exits_1(machine: Machine, short_tmp: Path) -> None:
    bad = short_tmp / "bad.toml"
    bad.write_text('[[step]]\ndo = "lookup 000.00.53.H48-220921-0099"\n[[step]]\nexpect = "answered"\n')
    done = machine.kiosk("scenario", str(bad))
    assert done.returncode == 1 and "  EXPECTED answered, the journey is not-found" in done.stdout


def test_a_malformed_scenario_is_refused_plainly(machine: Machine, short_tmp: Path) -> None:
    bad = short_tmp / "bad.toml"
    bad.write_text('[[step]]\ndo = "load X"\nwait = 3\n')
    done = machine.kiosk("scenario", str(bad))
    assert done.returncode == 1
    assert "step[0] must have exactly one of do, person, wait, expect" in done.stderr


def run(machine: Machine, name: str) -> list[str]:
    done = machine.kiosk("scenario", str(SCENARIOS / name))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "scenario finished: all expectations met"
    return lines


def test_dropoff_then_an_officer_collects(machine: Machine) -> None:
    lines = run(machine, "dropoff-and-collect.toml")
    assert "  dropoff: door-open -> deposited" in lines
    assert "  collect: door-open -> taken" in lines
    actions = machine.audit_actions()
    assert actions.count("event:dossier-deposited") == 2 and actions.count("event:dossier-collected") == 1
    # the dossier without a code: its procedure chosen, the kiosk's own reference given
    assert lines[lines.index("> do: procedure birth") + 1] == "  dropoff: waiting-code -> waiting-phone"
    store = Store.open(machine.data, kiosk_id="HG-VT-01")
    try:
        deposited = store.db.execute("SELECT dossier_code FROM outbox WHERE kind = 'dossier-deposited'")
        assert re.fullmatch(r"HG-VT-01-\d{6}-0001", [code for (code,) in deposited][-1])
    finally:
        store.close()
    # a low one was asked for, but the only medium compartment is high: a preference, not a refusal
    assert "  screen: Ngăn tủ A02 đang mở. Mời ông/bà đặt hồ sơ vào và đóng cửa lại." in " ".join(lines)


def test_reminders_then_withdrawal(machine: Machine) -> None:
    lines = run(machine, "withdraw-expired.toml")
    reminders = [line for line in lines if line.startswith("  kiosk: expiry-reminder")]
    assert reminders == [
        "  kiosk: expiry-reminder for 000.00.53.H48-261101-0031 (3 days before)",
        "  kiosk: expiry-reminder for 000.00.53.H48-261101-0031 (1 days before)",
    ]
    assert "  withdraw: door-open -> taken" in lines
    assert machine.audit_actions().count("event:result-withdrawn") == 1


def test_technician_session(machine: Machine) -> None:
    lines = run(machine, "technician.toml")
    assert (
        "  screen: Tài khoản này không được làm việc này. / This account is not allowed to do this." in lines
    )
    assert "  technician: opening -> jammed" in lines
    actions = machine.audit_actions()
    assert actions.count("event:maintenance") == 1 and actions.count("event:back-in-service") == 1
    listing = machine.kiosk("lockers").stdout
    assert "OUT (" not in listing and listing.count("in service") == 3  # A02 is back


def test_lookups_offline(machine: Machine) -> None:
    lines = run(machine, "lookup.toml")
    text = "\n".join(lines)
    assert "Kết quả đã có tại máy này" in text and "Deposited in the kiosk, waiting for an officer" in text
    assert "The network is down. This kiosk has no news of dossier 000.00.53.H48-250101-0001" in text
