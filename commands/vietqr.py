"""``kiosk vietqr --bin BIN --account NUMBER [--amount VND] --purpose TEXT``: the VietQR payload a
fee's QR would carry (dynamic with ``--amount``, static without), for a technician to check the
beneficiary with a banking app. Needs no config and no database. Exit 1 with a plain message on a
value the bank would refuse."""

from __future__ import annotations

import argparse
from typing import TextIO

from kiosk import vietqr

OK, FAILED = 0, 1


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    vq = sub.add_parser("vietqr", help="print a VietQR payment payload (needs no config)")
    vq.add_argument("--bin", required=True, dest="bank_bin", help="the beneficiary bank's 6-digit BIN")
    vq.add_argument("--account", required=True, help="the beneficiary account number")
    vq.add_argument("--amount", help="whole đồng; without it the code is static")
    vq.add_argument("--purpose", help="ASCII, at most 25 characters: the dossier code")


def cmd_vietqr(args: argparse.Namespace, out: TextIO) -> int:
    try:
        amount = _amount(args.amount)
        qr = vietqr.VietQR(args.bank_bin, args.account, amount=amount, purpose=args.purpose)
        print(vietqr.build(qr), file=out)
    except vietqr.VietQRError as exc:
        print(f"error: {exc}", file=out)
        return FAILED
    return OK


def _amount(text: str | None) -> int | None:
    """ASCII digits only: "1e4", "10.000", "-5" or a full-width "１" is not an amount a person meant."""
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 13:
        raise vietqr.VietQRError(f"the amount must be a positive whole number of đồng, got {text!r}")
    return int(text)
