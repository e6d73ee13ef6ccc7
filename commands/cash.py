"""``kiosk cash status``: sync with the bill validator and show what it is and what notes it knows.

Read-only: it neither enables nor disables the validator. Run it while ``kiosk run`` is stopped,
since the two would share the port and its sequence flag.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from drivers.cash.codec import Setup
from drivers.cash.errors import ValidatorSilent
from drivers.errors import DeviceError, LinkUnavailable
from kiosk import payments
from kiosk.assembly import cash_link_state, validator_from_config
from kiosk.config import CashSection, KioskConfig
from kiosk.journeys.messages import amount
from kiosk.store import Store

OK, FAILED = 0, 1
UNIT_TYPES = {0x00: "banknote validator"}


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ca = sub.add_parser("cash", help="the bill validator: sync with it and show its notes")
    ca.add_argument("action", choices=["status"])


def cmd_cash(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    section = cfg.cash
    if section is None:
        print(f"No bill validator is configured: add a [cash] section with its port, e.g. "
              f'url = "/dev/ttyUSB1", to {cfg.source}.', file=out)  # fmt: skip
        return FAILED
    print(f"Bill validator at {section.url} ({section.protocol.upper()}, address {section.address}, "
          f"{section.baudrate} baud)", file=out)  # fmt: skip
    if payments.open_cash(store) is not None:  # its SYNC would make the validator forget a reply
        print("  not asked: a cash payment was in progress when the kiosk stopped, and the validator"
              " may still hold a note's credit for it. Start the kiosk (kiosk run) first: it reads"
              " that credit; then stop it and run this again.", file=out)  # fmt: skip
        return FAILED
    validator = validator_from_config(section, cash_link_state(cfg))  # a reply the kiosk has not read: kept
    try:
        setup = validator.connect()
        serial = validator.serial_number()
    except LinkUnavailable as exc:
        print(f"  cannot open it: {exc.reason}. Check that its USB-serial adapter is plugged in "
              f"and that url in [cash] names it.", file=out)  # fmt: skip
        return FAILED
    except ValidatorSilent as exc:
        print(f"  no answer: {exc}", file=out)
        print("The kiosk cannot take cash until the validator answers.", file=out)
        return FAILED
    except DeviceError as exc:
        print(f"  it answered, but: {exc}", file=out)
        print("The kiosk cannot take cash with it until this is put right.", file=out)
        return FAILED
    finally:
        validator.close()
    _describe(setup, serial, section, out)
    return OK


def _describe(setup: Setup, serial: int, section: CashSection, out: TextIO) -> None:
    unit = UNIT_TYPES.get(
        setup.unit_type, f"unit type {setup.unit_type} (only plain validators are supported)"
    )
    print(f"  unit:     {unit}", file=out)
    print(f"  firmware: {setup.firmware}", file=out)
    print(f"  country:  {setup.country}", file=out)
    print(f"  protocol: {setup.protocol}", file=out)
    print(f"  serial:   {serial}", file=out)
    for channel, value in enumerate(setup.channels, 1):
        print(f"  channel {channel}: {amount(value, 'vi')} đồng", file=out)
    print(f"The validator answers: {len(setup.channels)} channel(s).", file=out)
