"""What every simulated device shares: a pty behind a symlink, one asyncio loop, a control socket.

A device subclass says what it does with the bytes the kiosk sends (``on_bytes``), which control
commands it adds (``commands``) and how it shows its state (``snapshot``). The pty reader, timers
and the control channel share one thread, so device models need no locking.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hardware_sim.control import CommandError, serve
from hardware_sim.ptylink import PtyLink

Command = tuple[Callable[..., Any], str]  # handler, usage


class SimDevice:
    kind = "device"

    def __init__(self, link: Path, control: Path | None = None) -> None:
        self.link_path = link
        self.control_path = control or link.with_name(link.name + ".ctl")
        self.log = logging.getLogger(f"hardware_sim.{self.kind}")
        self._link: PtyLink | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._commands: dict[str, Command] = {
            "state": (self.snapshot, ""),
            "link": (self._link_cmd, "down|up"),
            **self.commands(),
        }

    # -- what a device defines ---------------------------------------------------------------------

    def commands(self) -> dict[str, Command]:
        return {}

    def snapshot(self) -> dict[str, Any]:
        return {"link_up": self.link_up}

    def on_bytes(self, data: bytes) -> None:
        """Bytes the kiosk wrote. The default device ignores them."""

    def on_link_down(self) -> None:
        """The adapter was unplugged: forget half-received input."""

    # -- what a device may use ---------------------------------------------------------------------

    @property
    def link_up(self) -> bool:
        return bool(self._link and self._link.is_up)

    def write(self, data: bytes) -> None:
        if self._link:
            self._link.write(data)

    def now(self) -> float:
        assert self._loop
        return self._loop.time()

    def call_at(self, when: float, fn: Callable[..., Any], *args: Any) -> None:
        assert self._loop
        self._loop.call_at(when, fn, *args)

    # -- running -----------------------------------------------------------------------------------

    async def run(self, ready: Callable[[], None] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._link = PtyLink(self.link_path)
        self._watch_link()
        server = await serve(self.control_path, self.dispatch)
        self.log.info("serving on %s (control %s)", self.link_path, self.control_path)
        if ready:
            ready()
        try:
            await self._stopped.wait()
        finally:
            server.close()
            self._unwatch_link()
            self._link.close()
            self.control_path.unlink(missing_ok=True)

    def start_in_thread(self) -> SimDevice:
        started = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self.run(started.set)), name=f"{self.kind}-sim", daemon=True
        )
        self._thread.start()
        if not started.wait(5):
            raise RuntimeError(f"the {self.kind} simulator did not start")
        return self

    def stop_soon(self) -> None:
        """Ask the loop to stop; safe from any thread or a signal handler."""
        if self._loop and self._stopped:
            self._loop.call_soon_threadsafe(self._stopped.set)

    def stop(self) -> None:
        self.stop_soon()
        if self._thread:
            self._thread.join(5)

    def dispatch(self, cmd: str, args: list[str]) -> Any:
        entry = self._commands.get(cmd)
        if entry is None:
            known = ", ".join(sorted(self._commands))
            raise CommandError(f"unknown command {cmd!r}; known: {known}")
        handler, usage = entry
        try:
            return handler(*args)
        except (TypeError, ValueError):
            raise CommandError(f"usage: {cmd} {usage}".rstrip()) from None

    # -- the link ----------------------------------------------------------------------------------

    def _watch_link(self) -> None:
        assert self._loop and self._link and self._link.master is not None
        self._loop.add_reader(self._link.master, self._read_link)

    def _unwatch_link(self) -> None:
        if self._loop and self._link and self._link.master is not None:
            self._loop.remove_reader(self._link.master)

    def _read_link(self) -> None:
        assert self._link
        data = self._link.read()
        if data:
            self.on_bytes(data)

    def _link_cmd(self, state: str) -> Any:
        assert self._link
        if on_off(state, on="up", off="down"):
            self._link.restore()
            self._watch_link()
        else:
            self._unwatch_link()
            self._link.drop()
            self.on_link_down()
        return self.snapshot()


def on_off(text: str, on: str = "on", off: str = "off") -> bool:
    if text not in (on, off):
        raise ValueError(text)
    return text == on
