"""``kiosk holder-key install FILE`` / ``kiosk holder-key status``: the key the province shares with
its kiosks for results only their holder may take (kiosk/holder.py). The technician installs the
file the province gave (from a USB stick, say: its own mode does not matter, the copy is 0600) and
compares the fingerprint printed with the province's; the key itself is never printed or audited."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import TextIO

from kiosk import files, holder
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.store import Store

OK, FAILED = 0, 1
MAX_KEY_FILE = 4096  # a key is 32 bytes or a little more; a bigger file is the wrong file
FINGERPRINT_LABEL = b"dossier-kiosk/holder-key-fingerprint/v1"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    hk = sub.add_parser("holder-key", help="install or check the key for holder-only results")
    hk.add_argument("action", choices=["install", "status"])
    hk.add_argument("file", nargs="?", type=Path, help="install: the key file the province gave")


def fingerprint(key: bytes) -> str:
    """What two people compare by phone: 16 hex digits, telling nothing of the key."""
    digest = hashlib.sha256(FINGERPRINT_LABEL + key).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def cmd_holder_key(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    if args.action == "install":
        return _install(args.file, cfg, store, out)
    return _status(cfg, store, out)


def _install(source: Path | None, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    if source is None:
        raise KioskError("name the key file: kiosk holder-key install /media/usb/holder-id.key")
    try:
        key = files.read_regular(source, MAX_KEY_FILE)
    except FileNotFoundError:
        raise KioskError(f"{source}: no such file") from None
    except (OSError, files.FileModeError) as exc:
        raise KioskError(f"{source}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(key) > MAX_KEY_FILE:
        raise KioskError(f"{source} is larger than {MAX_KEY_FILE} bytes: not a holder-ID key")
    path = holder.write_key(cfg.data_dir, key)  # refuses a short key
    store.audit("technician", "holder-key:installed", None, fingerprint=fingerprint(key))
    print(f"Installed in {path} (readable by its owner only).", file=out)
    print(f"Fingerprint: {fingerprint(key)}. Compare it with the province's; then delete {source}.", file=out)
    return OK


def _status(cfg: KioskConfig, store: Store, out: TextIO) -> int:
    waiting = store.db.execute(
        "SELECT COUNT(*) FROM item WHERE kind = 'result' AND state = 'held' AND requires_holder = 1"
    ).fetchone()[0]
    try:
        key = holder.holder_key(cfg.data_dir)
    except holder.HolderKeyError as exc:
        print(f"The holder-ID key is refused: {exc}", file=out)
        return FAILED
    if key is None:
        print(f"No holder-ID key in {cfg.data_dir / holder.KEY_FILE}: results for their holder only go"
              f" to an officer ({waiting} held now). Install it: kiosk holder-key install FILE",
              file=out)  # fmt: skip
        return FAILED
    print(f"Holder-ID key: fingerprint {fingerprint(key)}; {waiting} held result(s) for their holder only.",
          file=out)  # fmt: skip
    return OK
