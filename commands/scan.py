"""``kiosk scan``: wait for codes from the configured scanner and show what each one is."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TextIO

from drivers.scanner.errors import BadRead
from kiosk import codes
from kiosk.assembly import CodeReader, camera_from_config, scanner_from_config
from kiosk.config import KioskConfig
from kiosk.errors import ConfigError
from kiosk.store import Store

OK, FAILED = 0, 1


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sc = sub.add_parser("scan", help="wait for a code from the scanner and show its kind and fields")
    sc.add_argument("--once", action="store_true", help="stop after the first read")
    sc.add_argument(
        "--from",
        dest="source",
        choices=["serial", "camera"],
        help="default: [scanner] if configured, else [camera]",
    )
    sc.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a read")


def open_reader(source: str | None, cfg: KioskConfig, out: TextIO) -> CodeReader:
    source = source or ("serial" if cfg.scanner or not cfg.camera else "camera")
    if source == "camera":
        if cfg.camera is None:
            raise ConfigError(cfg.source, ["camera: no [camera] is configured; this command needs one"])
        return camera_from_config(cfg.camera)
    if cfg.scanner is None:
        raise ConfigError(cfg.source, ["scanner: no [scanner] is configured; this command needs one"])
    scanner = scanner_from_config(cfg.scanner)
    if not scanner.connect():
        print(f"waiting for the scanner: {scanner.link_error}", file=out)
    return scanner


def cmd_scan(args: argparse.Namespace, cfg: KioskConfig, store: Store, out: TextIO) -> int:
    scanner = open_reader(args.source, cfg, out)
    try:
        while True:
            status = _one_read(scanner, args.timeout, out)
            if args.once or status is None:
                return status or OK
    except KeyboardInterrupt:
        return OK
    finally:
        scanner.close()


def _one_read(scanner: CodeReader, timeout: float, out: TextIO) -> int | None:
    """OK or FAILED for the read; None when nothing came in time."""
    print(f"Scan a code now (waiting up to {timeout:g} s)…", file=out, flush=True)
    try:
        text = scanner.read_code(timeout)
    except BadRead as exc:
        print(f"bad read: {exc}", file=out)
        return FAILED
    if text is None:
        link_error = getattr(scanner, "link_error", None)
        why = f": the scanner is not connected ({link_error})" if link_error else ""
        print(f"no code within {timeout:g} s{why}", file=out)
        return None if not why else FAILED
    try:
        parsed = codes.parse(text)
    except codes.CodeRejected as exc:
        print(f"rejected: {exc.rejection.vi} / {exc}", file=out)
        return FAILED
    for key, value in describe(parsed):
        print(f"{key}: {value}", file=out)
    print(file=out)
    return OK


def describe(parsed: codes.ScannedCode) -> list[tuple[str, str]]:
    rows = [("kind", parsed.kind)]
    for field in dataclasses.fields(parsed):
        value = getattr(parsed, field.name)
        if dataclasses.is_dataclass(value):
            rows += [(f"{field.name}.{k}", v) for k, v in describe(value)[1:]]  # type: ignore[arg-type]
        elif value is not None:
            shown = "(present, checked by the core)" if field.name == "mac" else value
            rows.append((field.name, "yes" if value is True else "no" if value is False else str(shown)))
    return rows
