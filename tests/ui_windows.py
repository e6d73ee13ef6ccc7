"""Kiosk windows for the UI tests, each on its own bridge, opened when the test asks: after it has
set the machine up (a result loaded by the core on the test's thread), so that nothing else drives
the core meanwhile. Closed at the test's end."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from kiosk.core import Core
from tests.machine import Machine
from ui.bridge import CoreBridge
from ui.i18n import Language
from ui.window import KioskWindow


class Windows:
    def __init__(self, machine: Machine, qtbot: QtBot) -> None:
        self.machine, self.qtbot = machine, qtbot
        self.bridges: list[CoreBridge] = []

    def open(self, core: Core | None = None, **settings: Any) -> KioskWindow:
        bridge = CoreBridge(core or self.machine.core, tick_ms=20)
        self.bridges.append(bridge)
        window = KioskWindow(bridge, Language("vi"), **settings)
        self.qtbot.addWidget(window)
        window.show()
        return window

    def close(self) -> None:
        for bridge in self.bridges:
            bridge.close()
