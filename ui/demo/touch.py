"""A person's hand on the real window: it finds a button by what it says (or its accessible name,
for the keys and list entries), clicks it with QTest as a finger would, and waits for what the
screen says next. It never calls the bridge: whatever the tour does, a person could do."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QLabel, QPushButton, QWidget

from ui.window import KioskWindow

SPACE = " "


class TourFailed(Exception):
    """The screen did not show what the tour waited for; says what it showed instead."""


# PyQt6's stubs declare QTest's static functions as methods, hence the two ignores
def click(widget: QWidget) -> None:
    """A finger's tap: press and release at the widget's centre, through Qt's event queue."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def pause(ms: int) -> None:
    """``ms`` of the event loop running (the window drawing, the core's signals arriving)."""
    QTest.qWait(ms)  # type: ignore[call-arg, arg-type]


def _words(text: str) -> str:
    return " ".join(text.split())  # a wrapped label reads as one line


class Hand:
    def __init__(self, window: KioskWindow, screens: Path) -> None:
        self.window = window
        self.screens = screens
        self.shots: list[Path] = []

    # -- what the person sees ------------------------------------------------------------------------

    def screen(self) -> QWidget:
        current = self.window.stack.currentWidget()
        assert current is not None
        return current

    def texts(self) -> list[str]:
        """The visible words of the screen shown, labels first, then buttons."""
        screen = self.screen()
        labels = [_words(w.text()) for w in screen.findChildren(QLabel) if w.isVisible() and w.text()]
        buttons = [_words(b.text()) for b in self.buttons() if b.text()]
        return labels + buttons

    def shows(self, words: str) -> bool:
        return any(words in text for text in self.texts())

    def find(self, pattern: str) -> re.Match[str] | None:
        """The first visible text on the screen matching ``pattern``."""
        for text in self.texts():
            if found := re.search(pattern, text):
                return found
        return None

    def buttons(self) -> list[QPushButton]:
        return [b for b in self.screen().findChildren(QPushButton) if b.isVisible()]

    # -- what the person does -------------------------------------------------------------------------

    def touch(self, label: str) -> None:
        """The button on the screen that says ``label`` (or is named so, like a key or a list entry)."""
        for b in self.buttons():
            if label in (_words(b.text()), b.accessibleName()):
                click(b)
                return
        raise TourFailed(f"no button «{label}» on the screen; it shows: {' | '.join(self.texts())}")

    def tap(self, words: str) -> None:
        """A tap on a label (the idle screen's title takes five, for a technician without a badge)."""
        for label in self.screen().findChildren(QLabel):
            if label.isVisible() and _words(label.text()) == words:
                click(label)
                return
        raise TourFailed(f"no «{words}» on the screen; it shows: {' | '.join(self.texts())}")

    def hold_corners(self, hold_s: float) -> None:
        """Staff without a badge: the top-left corner pressed and held for ``hold_s``, then the
        top-right corner touched (ui/staff_gesture.py)."""
        width = self.window.width()
        left, right = QPoint(20, 20), QPoint(width - 20, 20)
        self._press(left)
        pause(int(hold_s * 1000) + 100)
        self._press(left, release=True)
        self._press(right)
        self._press(right, release=True)

    def _press(self, where: QPoint, *, release: bool = False) -> None:
        widget = self.window.childAt(where) or self.window
        local = widget.mapFrom(self.window, where)
        act = QTest.mouseRelease if release else QTest.mousePress
        act(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, local)  # type: ignore[call-overload]

    def type(self, text: str) -> None:
        """Each character on the on-screen keys."""
        for ch in text:
            self.touch("key space" if ch == SPACE else f"key {ch}")

    # -- waiting for the machine ----------------------------------------------------------------------

    def wait(self, what: str, ready: Callable[[], object], timeout: float = 15.0) -> None:
        """Let the window (and the core's thread) run until ``ready()``; TourFailed after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise TourFailed(
                    f"waited {timeout:.0f} s for {what}; the screen shows: {' | '.join(self.texts())}"
                )
            pause(20)

    def wait_for(self, words: str, timeout: float = 15.0) -> None:
        self.wait(f"«{words}»", lambda: self.shows(words), timeout)

    def wait_match(self, pattern: str, timeout: float = 15.0) -> re.Match[str]:
        self.wait(f"text like «{pattern}»", lambda: self.find(pattern), timeout)
        found = self.find(pattern)
        assert found is not None
        return found

    def settle(self, ms: int = 50) -> None:
        pause(ms)

    # -- the record ------------------------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        """The window as it is now, as ``screens/NN-name.png``."""
        self.settle()
        self.screens.mkdir(parents=True, exist_ok=True)
        path = self.screens / f"{len(self.shots) + 1:02d}-{name}.png"
        if not self.window.grab().save(str(path)):
            raise TourFailed(f"could not save {path}")
        self.shots.append(path)
        return path
