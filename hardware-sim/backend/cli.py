"""``kiosk-backend``: run the stand-in backend on loopback.

  kiosk-backend --data DIR --client HG-VT-01:SECRET [--port 8700] [--seed 40]
                [--tls-cert C --tls-key K [--tls-client-ca CA]]

Prints ``ready URL`` once it listens (``--port 0`` takes a free port).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import ssl
import sys
from pathlib import Path

from aiohttp import web

from hardware_sim.backend import seed
from hardware_sim.backend.app import build_app
from hardware_sim.backend.store import BackendStore


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-backend", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="folder for the backend's SQLite file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700, help="0: any free port")
    parser.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="KIOSK:SECRET",
        help="a kiosk's OAuth2 client (its id is the kiosk id); repeatable",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="assign N sample results to each client's kiosk"
    )
    parser.add_argument("--tls-cert", type=Path, help="serve https with this certificate (PEM)")
    parser.add_argument("--tls-key", type=Path, help="… and this key")
    parser.add_argument("--tls-client-ca", type=Path,
                        help="ask each kiosk for a client certificate signed by this CA (PEM)")  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    args.data.mkdir(parents=True, exist_ok=True)
    store = BackendStore(args.data / "backend.db")
    for spec in args.client:
        kiosk, _, secret = spec.partition(":")
        if not kiosk or not secret:
            print(f"kiosk-backend: --client takes KIOSK:SECRET, not {spec!r}", file=sys.stderr)
            return 2
        store.add_client(kiosk, secret, kiosk)
        for dossier in seed.sample(args.seed, kiosk):
            store.assign(kiosk, dossier)
            store.add_dossier(
                dossier["dossier_code"], "in-process", dossier["procedure"], dossier["citizen"], None
            )
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            tls.verify_mode = ssl.CERT_REQUIRED
            tls.load_verify_locations(args.tls_client_ca)
    try:
        asyncio.run(_serve(build_app(store), args.host, args.port, tls))
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
    return 0


async def _serve(app: web.Application, host: str, port: int, tls: ssl.SSLContext | None) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    print(f"ready {'https' if tls else 'http'}://{host}:{bound}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
