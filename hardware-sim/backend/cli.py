"""``kiosk-backend``: run the stand-in backend on loopback, or tell a running one that a citizen paid.

  kiosk-backend --data DIR --client HG-VT-01:SECRET [--port 8700] [--seed 40]
                [--tls-cert C --tls-key K [--tls-client-ca CA]] [--holder-key FILE]
  kiosk-backend pay REFERENCE [--amount N] [--transaction ID] [--url http://127.0.0.1:8700]

Prints ``ready URL`` once it listens (``--port 0`` takes a free port). ``--holder-key`` is the
province's key for applicants' ID numbers (the kiosks' ``holder-id.key``): assignments given a
``holder_id`` keep only its keyed hash. ``pay`` is the technician's console: the bank's word that
the payment REFERENCE arrived (the amount asked, unless ``--amount``), through the admin API.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import ssl
import sys
import urllib.error
from pathlib import Path

from aiohttp import web

from hardware_sim.backend import seed
from hardware_sim.backend.admin import Backend
from hardware_sim.backend.app import build_app
from hardware_sim.backend.store import BackendStore
from kiosk import files
from kiosk.holder import KEY_BYTES

DEFAULT_URL = "http://127.0.0.1:8700"


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
    parser.add_argument("--holder-key", type=Path, metavar="FILE",
                        help="the key (0600, 32 bytes or more) hashing applicants' ID numbers")  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def pay_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-backend pay", description="the bank's word that a citizen paid (a running stand-in's)"
    )
    parser.add_argument("reference", help="the payment's reference, as the kiosk shows it (KP…)")
    parser.add_argument("--amount", type=int, help="đồng received (default: the amount asked)")
    parser.add_argument("--transaction", help="the bank's transaction id (default: a new one)")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"the stand-in (default {DEFAULT_URL})")
    return parser


def pay(argv: list[str]) -> int:
    args = pay_parser().parse_args(argv)
    body = {k: v for k, v in (("amount", args.amount), ("transaction", args.transaction)) if v is not None}
    try:
        payment = Backend(args.url.rstrip("/")).confirm(args.reference, body)
    except urllib.error.HTTPError as exc:
        print(f"kiosk-backend pay: {_refusal(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # refused, unreachable, timed out
        print(f"kiosk-backend pay: no stand-in backend answers at {args.url} ({exc})", file=sys.stderr)
        return 1
    received = sum(c["amount"] for c in payment["confirmations"])
    print(f"{payment['reference']} ({payment['dossier_code']}): {payment['state']}, {received:,} of"
          f" {payment['amount']:,} đồng in {len(payment['confirmations'])} transfer(s)")  # fmt: skip
    return 0


def _refusal(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read())["error"])
    except (ValueError, KeyError, TypeError):
        return f"the stand-in answered {exc.code}"


def read_holder_key(path: Path) -> bytes:
    key = files.read_private(path)
    if len(key) < KEY_BYTES:
        raise ValueError(f"{path} holds {len(key)} bytes; a holder-ID key is at least {KEY_BYTES}")
    return key


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["pay"]:
        return pay(argv[1:])
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
    try:
        holder_key = read_holder_key(args.holder_key) if args.holder_key else None
    except (OSError, ValueError, files.FileModeError) as exc:
        print(f"kiosk-backend: --holder-key: {exc}", file=sys.stderr)
        return 2
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            tls.verify_mode = ssl.CERT_REQUIRED
            tls.load_verify_locations(args.tls_client_ca)
    try:
        asyncio.run(_serve(build_app(store, holder_key), args.host, args.port, tls))
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
