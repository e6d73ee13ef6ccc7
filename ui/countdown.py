"""The one way the screen goes back by itself (DESIGN §8, WCAG 2.2.1): a deadline the person can see
coming. For the last ``answer_s`` seconds (at least 20 on a kiosk) the screen counts down and
offers "Thêm thời gian"; a touch, or that button, gives the whole time again.

While it runs, the core hears that the person may still be there (``keep_alive``), so the core's
own idle timeout, a backstop for a screen that died, never ends a journey the screen is still
offering more time for.

A deadline that is not the screen's but the core's (a payment's wait: the bank has this long to
say the money arrived) is counted down the same way, from the start and whole (``fixed``): a touch
does not restart it here, and nothing is kept alive by it. More of it is the core's to give (a
touch or "Thêm thời gian" asks, with ``keep_alive``); the window arms it again from the core's
next word."""

from __future__ import annotations

import time
from collections.abc import Callable

from PyQt6.QtCore import QObject, QTimer

TICK_MS = 200


class Countdown(QObject):
    def __init__(
        self,
        parent: QObject,
        *,
        answer_s: float,
        show: Callable[[float | None], None],
        keep_alive: Callable[[], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``show(seconds)``: draw the countdown with that many seconds left, ``show(None)``: take it
        away; ``keep_alive``: tell the core the person may still be there (called every tick: it
        decides how often the core hears it)."""
        super().__init__(parent)
        self.answer_s = answer_s
        self._show, self._keep_alive, self._now = show, keep_alive, monotonic
        self._timer = QTimer(self)  # a child: it dies with the window, never fires into a dead one
        self._timer.timeout.connect(self._tick)
        self._then: Callable[[], None] | None = None
        self._length = 0.0
        self._deadline = 0.0
        self.fixed = False  # the core's deadline: counted down whole, a touch gives no more
        self.showing = False

    @property
    def armed(self) -> bool:
        return self._then is not None

    def remaining(self) -> float:
        return max(0.0, self._deadline - self._now()) if self.armed else 0.0

    def arm(self, after_s: float, then: Callable[[], None], *, fixed: bool = False) -> None:
        """``then()`` after ``after_s`` seconds without a touch, the last ``answer_s`` of them
        (all of them, when shorter) counted down on screen with more time offered; ``fixed``: after
        ``after_s`` seconds whatever is touched, every one of them counted down."""
        self._then, self._length, self.fixed = then, after_s, fixed
        self._restart()
        self._timer.start(min(TICK_MS, max(10, int(after_s * 250))))
        self._tick()

    def more_time(self) -> None:
        """A touch, or "Thêm thời gian": the whole time again, the countdown taken away (not a
        ``fixed`` deadline's)."""
        if self.armed and not self.fixed:
            self._restart()
            self._tick()

    def stop(self) -> None:
        self._timer.stop()
        self._then, self.fixed = None, False
        self._set_showing(None)

    def _restart(self) -> None:
        self._deadline = self._now() + self._length

    def _tick(self) -> None:
        if self._then is None:
            return
        left = self._deadline - self._now()
        if left <= 0:
            then = self._then
            self.stop()
            then()
            return
        if not self.fixed:  # the core's own deadline ends the wait, whoever is there
            self._keep_alive()
        self._set_showing(left if self.fixed or left <= self.answer_s else None)

    def _set_showing(self, left: float | None) -> None:
        self.showing = left is not None
        self._show(left)
