"""Dropping a repeat of the same code within a window, for every kind of scanner.

A person holding a slip under the reader must not trigger twice; a held code keeps the window
open, so it triggers again only after it has been out of view for the whole window.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RepeatFilter:
    def __init__(self, window_s: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._monotonic = monotonic
        self._last: tuple[str, float] | None = None

    def fresh(self, code: str) -> bool:
        """Whether ``code`` is a new read, not a repeat within the window; records the read."""
        now = self._monotonic()
        last, self._last = self._last, (code, now)
        return not (last and last[0] == code and now - last[1] < self.window_s)
