"""``kiosk health``: what ``/healthz`` answers, read from the database by this command itself, for
a technician without curl or with the sync stopped. Exit 0 when the kiosk can serve citizens, 1
when not (the reasons under "problems"). ``--url`` prints where the sync serves the endpoint."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from kiosk import health
from kiosk.config import KioskConfig
from kiosk.store import Store

OK, FAILED = 0, 1


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    he = sub.add_parser("health", help="whether the kiosk can serve citizens, as /healthz says (JSON)")
    he.add_argument(
        "--url", action="store_true", help="print the health endpoint's address ([health]) and exit"
    )


def cmd_health(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    if args.url:
        if cfg.health.url is None:
            print("the health endpoint is off ([health] port = 0)", file=out)
            return FAILED
        print(cfg.health.url, file=out)
        return OK
    ok, body = health.healthz(health.read(store.db.conn, cfg, store.clock()), cfg.health.stale_s)
    print(json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True), file=out)
    return OK if ok else FAILED
