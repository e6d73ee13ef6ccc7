"""The bill validator wired into the product by ``kiosk.assembly.devices(cfg, core)``, the one way
``kiosk run`` and the demo build it: with ``[cash]`` at the simulator's pty the session is synced,
left disabled, and a pickup is offered cash; with no validator answering, the kiosk runs without
cash and the log tells the technician. A credit the validator held for a kiosk that died mid-poll
goes to the cash payment that was in progress."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.cash.codec import command_frame
from drivers.cash.link_state import LinkState, save
from kiosk import assembly
from kiosk.config import CashSection
from tests.cash_rig import CashRig, cash_rig
from tests.machine import Machine
from tests.test_journey_fee_qr import pickup_at_the_fee, with_fees
from tests.test_journey_pickup import load

FEE = 30_000


@pytest.fixture
def rig(short_tmp: Path) -> Iterator[CashRig]:
    (short_tmp / "c").mkdir()
    with cash_rig(short_tmp / "c") as r:
        r.validator.close()  # the kiosk's own driver is the one assembly builds
        yield r


def with_cash(m: Machine, url: str) -> None:
    with_fees(m, methods=["vietqr", "cash"])
    m.core.cfg = m.core.cfg.model_copy(update={"cash": CashSection(url=url, reply_timeout_ms=80, retries=1)})


def test_a_validator_that_answers_is_the_cores_disabled_and_a_pickup_is_offered_cash(
    machine: Machine, rig: CashRig
) -> None:
    with_cash(machine, str(rig.link))
    devices = assembly.devices(machine.core.cfg, machine.core)
    try:
        assert machine.core.cash is devices.cash and devices.cash is not None and devices.cash.available
        state = rig.ctl.call("state")
        assert state["enabled"] is False and state["protocol"] == 8  # synced, taking nothing
        pickup = pickup_at_the_fee(machine, load(machine, fee=FEE))
        assert pickup.data["methods"] == ["vietqr", "cash"]
    finally:
        devices.close()


def test_a_kiosk_stopping_mid_payment_leaves_the_validator_taking_nothing(
    machine: Machine, rig: CashRig
) -> None:
    with_cash(machine, str(rig.link))
    devices = assembly.devices(machine.core.cfg, machine.core)
    pickup = pickup_at_the_fee(machine, load(machine, fee=FEE))
    pickup.pay_by_cash()
    assert rig.ctl.call("state")["enabled"] is True
    devices.close()  # SIGTERM: `kiosk run` closes its devices
    assert rig.ctl.call("state")["enabled"] is False  # no note taken with no screen to say so


def test_no_validator_the_kiosk_runs_without_cash_and_says_so_in_the_log(
    machine: Machine, short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with_cash(machine, str(short_tmp / "no-validator-here"))
    with caplog.at_level(logging.WARNING):
        devices = assembly.devices(machine.core.cfg, machine.core)
    try:
        assert devices.cash is not None and not devices.cash.available
        said = [r.getMessage() for r in caplog.records if r.name == "kiosk.assembly"]
        assert any("did not answer at start" in s and "kiosk cash status" in s for s in said), said
        pickup = pickup_at_the_fee(machine, load(machine, fee=FEE))
        assert pickup.data["methods"] == ["vietqr"]  # a fee still paid, by QR
    finally:
        devices.close()


def test_without_cash_section_no_validator_is_opened(machine: Machine) -> None:
    with_fees(machine, methods=["vietqr", "cash"])
    devices = assembly.devices(machine.core.cfg, machine.core)
    assert devices.cash is None and machine.core.cash is None
    pickup = pickup_at_the_fee(machine, load(machine, fee=FEE))
    assert pickup.data["methods"] == ["vietqr"]


def test_a_stale_state_file_does_not_keep_the_kiosk_from_cash(
    machine: Machine, rig: CashRig, caplog: pytest.LogCaptureFixture
) -> None:
    with_cash(machine, str(rig.link))
    state = assembly.cash_link_state(machine.core.cfg)
    save(state, LinkState("/dev/ttyUSB7", 0, command_frame(True, 0, 0x07)))  # the validator of before
    with caplog.at_level(logging.WARNING):
        devices = assembly.devices(machine.core.cfg, machine.core)
    try:
        assert devices.cash is not None and devices.cash.available
        assert any("was ignored" in r.getMessage() for r in caplog.records)
    finally:
        devices.close()
