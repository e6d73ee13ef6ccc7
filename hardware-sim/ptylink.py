"""A pseudo-terminal standing in for a device's serial port, reached through a symlink.

The kiosk opens the symlink exactly as it would open /dev/ttyUSB0. The simulator keeps its own
handle on the slave side so that the master never sees EIO while the kiosk closes and reopens the
port. ``drop()`` and ``restore()`` model an adapter that is unplugged and plugged back in.
"""

from __future__ import annotations

import contextlib
import os
import tty
from pathlib import Path


class PtyLink:
    def __init__(self, link: Path) -> None:
        self.link = link
        self.master: int | None = None
        self._slave: int | None = None
        self.restore()

    @property
    def is_up(self) -> bool:
        return self.master is not None

    def restore(self) -> None:
        if self.master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line discipline: bytes pass as they are
        os.set_blocking(master, False)
        self.master, self._slave = master, slave
        self.link.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        os.replace(tmp, self.link)  # atomic: the kiosk never sees a half-made link

    def drop(self) -> None:
        self.link.unlink(missing_ok=True)
        for fd in (self.master, self._slave):
            if fd is not None:
                os.close(fd)
        self.master = self._slave = None

    def read(self) -> bytes:
        if self.master is None:
            return b""
        try:
            return os.read(self.master, 4096)
        except (BlockingIOError, OSError):
            return b""

    def write(self, data: bytes) -> None:
        if self.master is None:
            return
        # A full or closed line loses bytes, as a real one does.
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self.master, data)

    def close(self) -> None:
        self.drop()
