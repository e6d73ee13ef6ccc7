"""``kiosk run`` as systemd's ``Type=notify`` service (kiosk/notify.py): READY=1 once its screen
is shown, then WATCHDOG=1 from a health loop (kiosk/watchdog.py) only while the GUI thread and the
core's thread both run a queued event within a second and the store can be written. A hung
screen stops the pings and systemd restarts it; a lock board that does not answer stops nothing
(kiosk/board_outage.py: its compartments are out of use, the idle screen says what still works),
and STATUS= names it.

The questions are posted from the loop's own thread (a plain Python thread, so it is not stuck
with the one it watches) as queued signals; each answer is a ``threading.Event`` set by a slot
on the thread asked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from PyQt6.QtCore import QObject, Qt, pyqtSignal, pyqtSlot

from kiosk.notify import Notifier
from kiosk.watchdog import Check, HealthLoop, StoreProbe
from ui.bridge import CoreBridge

ANSWER_WITHIN_S = 1.0
Ask = Callable[[threading.Event], None]  # posts a question that sets the event when answered


class GuiAnswerer(QObject):
    """Made on the GUI thread, so its slot runs there."""

    _asked = pyqtSignal(object)

    def __init__(self) -> None:
        super().__init__()
        # queued whoever emits: the answer must come from this thread's event loop, never inline
        self._asked.connect(self._answer, type=Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]

    def ask(self, answered: threading.Event) -> None:
        self._asked.emit(answered)

    @pyqtSlot(object)
    def _answer(self, answered: threading.Event) -> None:
        answered.set()


def threads_answer(asks: Mapping[str, Ask], within_s: float = ANSWER_WITHIN_S) -> Check:
    """Every thread in ``asks`` asked at once; the names of those that did not answer in time."""

    def check() -> str | None:
        answers = {}
        for who, ask in asks.items():
            answers[who] = threading.Event()
            ask(answers[who])
        ends = time.monotonic() + within_s
        silent = [
            who for who, answered in answers.items() if not answered.wait(max(0.0, ends - time.monotonic()))
        ]
        return f"not answering within {within_s:g} s: {', '.join(silent)}" if silent else None

    return check


class ScreenHealth:
    """What ``kiosk run`` tells systemd, from start to stop."""

    def __init__(self, notifier: Notifier, loop: HealthLoop, keep: object = None) -> None:
        self.notifier = notifier
        self.loop = loop
        self._keep = keep  # the GUI thread's answerer lives as long as this

    @classmethod
    def of_kiosk(cls, bridge: CoreBridge, store: Path, notifier: Notifier | None = None) -> ScreenHealth:
        notifier = notifier or Notifier()
        gui, probe = GuiAnswerer(), StoreProbe(store)

        def serving() -> str:
            trouble = probe.devices_in_trouble()
            return "serving" + (f"; devices in trouble: {', '.join(trouble)}" if trouble else "")

        answers = threads_answer({"the screen": gui.ask, "the core": bridge.ask_core})
        loop = HealthLoop(notifier, [answers, probe.writable], serving, name="kiosk-health")
        return cls(notifier, loop, keep=(gui, probe))

    @classmethod
    def of_out_of_service(cls, reason: str, notifier: Notifier | None = None) -> ScreenHealth:
        """The out-of-service screen serves too (it says where to turn): pinged while it answers,
        so that systemd does not restart it in a loop over what a restart cannot mend."""
        notifier = notifier or Notifier()
        gui = GuiAnswerer()
        answers = threads_answer({"the screen": gui.ask})
        loop = HealthLoop(notifier, [answers], lambda: f"out of service: {reason}", name="kiosk-health")
        return cls(notifier, loop, keep=gui)

    def shown(self) -> None:
        """The screen is drawn: READY=1, and the watchdog's pings from now on."""
        self.loop.ready()

    def stopping(self) -> None:
        """SIGTERM: STOPPING=1 at once; the loop ends (``closed``) once the window is gone."""
        self.loop.stopping()

    def closed(self) -> None:
        self.loop.closed()
