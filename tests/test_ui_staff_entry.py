"""Staff enter at the idle screen by their badge, or by a gesture no citizen makes by accident
(ui/staff_gesture.py): the top-left corner held, then the top-right corner touched. Five
impatient taps on the title (the old way in) do nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from tests.machine import Machine
from ui.bridge import CoreBridge
from ui.i18n import Language
from ui.window import KioskWindow


def press(qtbot: QtBot, window: KioskWindow, where: QPoint, *, release: bool = False) -> None:
    """A finger on the window at ``where``, on whatever widget is there."""
    widget = window.childAt(where) or window
    local = widget.mapFrom(window, where)
    act = qtbot.mouseRelease if release else qtbot.mousePress
    act(widget, Qt.MouseButton.LeftButton, pos=local)


def hold_corners(qtbot: QtBot, window: KioskWindow, *, held_s: float | None = None) -> None:
    left, right = QPoint(20, 20), QPoint(window.width() - 20, 20)
    press(qtbot, window, left)
    qtbot.wait(int((window.gesture.hold_s if held_s is None else held_s) * 1000) + 50)
    press(qtbot, window, left, release=True)
    press(qtbot, window, right)
    press(qtbot, window, right, release=True)


@pytest.fixture
def window(machine: Machine, qtbot: QtBot) -> Iterator[KioskWindow]:
    bridge = CoreBridge(machine.core, tick_ms=20)
    w = KioskWindow(bridge, Language("vi"), staff_hold_s=1.0)
    qtbot.addWidget(w)
    w.show()
    yield w
    bridge.close()


def test_five_impatient_taps_on_the_title_do_nothing(window: KioskWindow, qtbot: QtBot) -> None:
    for _ in range(7):
        qtbot.mouseClick(window.idle.heading, Qt.MouseButton.LeftButton)
    for corner in (QPoint(20, 20), QPoint(window.width() - 20, 20)):  # nor quick taps in the corners
        for _ in range(3):
            press(qtbot, window, corner)
            press(qtbot, window, corner, release=True)
    qtbot.wait(300)
    assert window.stack.currentWidget() is window.idle


def test_a_short_hold_of_the_corner_does_nothing(window: KioskWindow, qtbot: QtBot) -> None:
    hold_corners(qtbot, window, held_s=0.05)
    qtbot.wait(300)
    assert window.stack.currentWidget() is window.idle


def test_the_corner_gesture_opens_the_staff_sign_in(window: KioskWindow, qtbot: QtBot) -> None:
    hold_corners(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["staffid"])
    assert window.entries["staffid"].heading.text() == "Quét thẻ cán bộ, hoặc nhập mã số cán bộ."
    assert window.entries["staffid"].frame is None  # a staff screen: no citizen chrome
