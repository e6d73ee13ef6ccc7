"""``kiosk journey REF``: the trail of the journey whose reference a citizen read from the screen
(its help screen, or an error's), from the audit log: when it started and ended, how, at which
compartment, each step. Exit 1 when no journey has that reference."""

from __future__ import annotations

import argparse
from typing import TextIO

from kiosk import trail
from kiosk.config import KioskConfig
from kiosk.store import Store

OK, FAILED = 0, 1


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    jo = sub.add_parser("journey", help="a journey's trail, by the reference its screen showed")
    jo.add_argument("reference", help="as the screen showed it, e.g. 4F3A-91C2")


def cmd_journey(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    zone = cfg.office.zone
    try:
        found = trail.find(store, args.reference)
    except trail.UnknownReference as exc:
        print(f"error: {exc}", file=out)
        return FAILED
    for t in found:
        ended = f"{t.ended_at.astimezone(zone):%Y-%m-%d %H:%M:%S}" if t.ended_at else "still open"
        print(f"{t.reference}  {t.kind}  journey {t.journey}", file=out)
        print(f"  started {t.started_at.astimezone(zone):%Y-%m-%d %H:%M:%S}, ended {ended}, "
              f"outcome {t.outcome or '-'}, compartment {t.compartment or '-'}", file=out)  # fmt: skip
        for step in t.steps:
            print(f"  {step.line(zone)}", file=out)
    return OK
