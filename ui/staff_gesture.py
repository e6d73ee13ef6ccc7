"""Staff without a badge at hand sign in by a gesture no citizen makes by accident: press and hold
the top-left corner of the idle screen for several seconds, let go, then touch the top-right
corner within a few seconds. Impatient taps anywhere, the title included, do nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

from PyQt6.QtCore import QEvent, QPoint
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtWidgets import QWidget

CORNER_PX = 160  # a square this big at each top corner
THEN_WITHIN_S = 5.0


class CornerGesture:
    def __init__(
        self,
        window: QWidget,
        *,
        hold_s: float,
        then: Callable[[], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window, self.hold_s, self.then, self._now = window, hold_s, then, monotonic
        self._pressed_at: float | None = None  # a press in the first corner, held since
        self._held_at: float | None = None  # the first corner held long enough, let go then

    def feel(self, event: QEvent) -> None:
        """Every mouse (or synthesised touch) event on the idle screen."""
        if not isinstance(event, QMouseEvent):
            return
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            return
        where = self.window.mapFromGlobal(event.globalPosition().toPoint())
        now = self._now()
        if kind is QEvent.Type.MouseButtonPress:
            self._press(where, now)
        else:
            self._release(where, now)

    def _press(self, where: QPoint, now: float) -> None:
        if self._held_at is not None and now - self._held_at <= THEN_WITHIN_S and self._in_right(where):
            self._held_at = None
            self.then()
            return
        self._held_at = None
        self._pressed_at = now if self._in_left(where) else None

    def _release(self, where: QPoint, now: float) -> None:
        pressed, self._pressed_at = self._pressed_at, None
        if pressed is not None and self._in_left(where) and now - pressed >= self.hold_s:
            self._held_at = now

    def _in_left(self, where: QPoint) -> bool:
        return 0 <= where.x() < CORNER_PX and 0 <= where.y() < CORNER_PX

    def _in_right(self, where: QPoint) -> bool:
        width = self.window.width()
        return width - CORNER_PX <= where.x() < width and 0 <= where.y() < CORNER_PX
