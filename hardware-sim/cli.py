"""``kiosk-sim``: run a simulated device, or act on one through its control channel."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from drivers.lockboard.protocols import PROTOCOLS
from drivers.printer.render import DOT_WIDTH
from drivers.scanner.framing import TERMINATORS
from hardware_sim.cash import DEFAULT_NOTES, CashSim
from hardware_sim.control import CONTROL_ENV, CommandError, ControlClient
from hardware_sim.device import SimDevice
from hardware_sim.lockboard import LockboardSim
from hardware_sim.printer import PrinterSim
from hardware_sim.scanner import ScannerSim


def _int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        msg = f"expected numbers separated by commas, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-sim", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every frame")
    sub = parser.add_subparsers(dest="command", required=True)

    lb = sub.add_parser("lockboard", help="simulate Kerong lock boards on a pty")
    lb.add_argument("--protocol", choices=PROTOCOLS, required=True)
    lb.add_argument("--boards", type=_int_list, default=[0], help="board addresses, e.g. 0,1")
    lb.add_argument("--link", type=Path, required=True, help="symlink to point at the pty")
    lb.add_argument("--control", type=Path, help="control socket (default: LINK.ctl)")
    lb.add_argument("--wire-baud", type=int, default=0, help="model wire time at this baud rate")
    lb.add_argument("--release-ms", type=int, default=20, help="unlock to hook released")
    lb.add_argument("--nc-boards", type=_int_list, default=[], help="boards wired normally-closed")

    sc = sub.add_parser("scanner", help="simulate a serial QR scanner on a pty")
    sc.add_argument("--link", type=Path, required=True, help="symlink to point at the pty")
    sc.add_argument("--control", type=Path, help="control socket (default: LINK.ctl)")
    sc.add_argument("--terminator", choices=sorted(TERMINATORS), default="CR")
    sc.add_argument("--prefix", default="", help="sent before every code")
    sc.add_argument("--suffix", default="", help="sent after every code, before the terminator")

    pr = sub.add_parser("printer", help="simulate an ESC/POS receipt printer on a pty")
    pr.add_argument("--link", type=Path, required=True, help="symlink to point at the pty")
    pr.add_argument("--control", type=Path, help="control socket (default: LINK.ctl)")
    pr.add_argument("--out", type=Path, required=True, help="folder for receipt PNG and text files")
    pr.add_argument("--profile", default="TM-T20II", help="python-escpos profile (code pages)")
    pr.add_argument("--paper", choices=sorted(DOT_WIDTH), default="80mm")

    ca = sub.add_parser("cash", help="simulate an SSP bill validator (NV9-like, VND) on a pty")
    ca.add_argument("--link", type=Path, required=True, help="symlink to point at the pty")
    ca.add_argument("--control", type=Path, help="control socket (default: LINK.ctl)")
    notes = ",".join(str(n) for n in DEFAULT_NOTES)
    ca.add_argument(
        "--notes", type=_int_list, default=list(DEFAULT_NOTES), help=f"channel values (default {notes})"
    )
    ca.add_argument("--address", type=int, default=0, help="SSP address")
    ca.add_argument("--max-protocol", type=int, default=8, help="highest host protocol version it takes")

    cv = sub.add_parser("camera-video", help="write a video of a QR as a kiosk camera sees it")
    cv.add_argument("--out", type=Path, required=True, help="the .avi file to write")
    cv.add_argument("--text", required=True, help="what the QR says")
    cv.add_argument("--seconds", type=float, default=3.0, help="how long the code is in view")
    cv.add_argument("--size", default="640x480", help="WIDTHxHEIGHT")
    for name, default in (("rotation", 0.0), ("tilt", 0.0), ("blur", 0.0), ("noise", 0.0), ("contrast", 1.0)):
        cv.add_argument(f"--{name}", type=float, default=default)

    ctl = sub.add_parser("ctl", help="send a command to a running simulator")
    ctl.add_argument("--socket", type=Path, default=os.environ.get(CONTROL_ENV))
    ctl.add_argument("words", nargs="+", metavar="COMMAND", help="e.g. close 0 3, jam 0 5 on")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(  # force: python-escpos (the printer's) called basicConfig() when imported
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        force=True,
    )
    if args.command == "ctl":
        return _ctl(args.socket, args.words)
    if args.command == "camera-video":
        return _camera_video(args)
    asyncio.run(_serve_until_signalled(DEVICES[args.command](args)))
    return 0


def _lockboard(args: argparse.Namespace) -> SimDevice:
    return LockboardSim(
        args.protocol,
        args.boards,
        args.link,
        args.control,
        wire_baud=args.wire_baud,
        release_ms=args.release_ms,
        normally_closed=args.nc_boards,
    )


def _scanner(args: argparse.Namespace) -> SimDevice:
    return ScannerSim(
        args.link, args.control, terminator=args.terminator, prefix=args.prefix, suffix=args.suffix
    )


def _printer(args: argparse.Namespace) -> SimDevice:
    return PrinterSim(args.link, args.control, out=args.out, profile=args.profile, paper=args.paper)


def _cash(args: argparse.Namespace) -> SimDevice:
    return CashSim(
        args.link, args.control, notes=args.notes, address=args.address, max_protocol=args.max_protocol
    )


DEVICES: dict[str, Callable[[argparse.Namespace], SimDevice]] = {
    "lockboard": _lockboard,
    "scanner": _scanner,
    "printer": _printer,
    "cash": _cash,
}


async def _serve_until_signalled(sim: SimDevice) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, sim.stop_soon)

    def ready() -> None:
        print(f"ready: {sim.link_path} (control: {sim.control_path})", flush=True)

    await sim.run(ready)


def _camera_video(args: argparse.Namespace) -> int:
    from hardware_sim.camera import Scene, write_video  # OpenCV only for this command

    width, _, height = args.size.partition("x")
    size = (int(width), int(height))
    fps = 15.0
    scene = Scene(args.text, size, rotation=args.rotation, tilt=args.tilt, blur=args.blur, noise=args.noise,
                  contrast=args.contrast)  # fmt: skip
    frames = max(1, round(args.seconds * fps))
    write_video(args.out, [Scene(None, size), scene, Scene(None, size, seed=1)], frames_each=frames, fps=fps)
    print(f"wrote {args.out}: {args.seconds:g} s of nothing, the code, nothing; point [camera] source at it")
    return 0


def _ctl(socket_path: Path | None, words: list[str]) -> int:
    if socket_path is None:
        print(f"error: name the control socket with --socket or {CONTROL_ENV}", file=sys.stderr)
        return 2
    try:
        result = ControlClient(socket_path).call(words[0], *words[1:])
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        reason = exc.strerror or exc
        print(f"error: no simulator answers on {socket_path}: {reason}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0
