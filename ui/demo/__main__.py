"""``python -m ui.demo [--tour] [--workdir .demo] [--config examples/kiosk.toml]``

With a display (DISPLAY or WAYLAND_DISPLAY set): the kiosk window and the technician's console
beside it, until the console is closed (or Ctrl+C). Without one, or with ``--tour``: the scripted
tour, offscreen; exit 0 only when every event reached the stand-in backend exactly once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--tour", action="store_true", help="the scripted tour, even with a display")
    parser.add_argument("--workdir", type=Path, default=Path(".demo"), help="emptied, then filled")
    parser.add_argument("--config", type=Path, default=Path("examples/kiosk.toml"))
    args = parser.parse_args(argv)
    tour = args.tour or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if tour:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is loaded: no display needed
    else:  # the 1080×1920 screen and the console side by side on a desktop (QT_SCALE_FACTOR=1: life-size)
        os.environ.setdefault("QT_SCALE_FACTOR", "0.5")
    from ui.demo.play import play  # Qt is loaded from here on

    return play(args.config, args.workdir.resolve(), tour=tour)


if __name__ == "__main__":
    sys.exit(main())
