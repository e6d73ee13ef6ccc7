"""The touch screen of the demo, in the demo's own process: built exactly as ``kiosk run`` builds
it (``kiosk.assembly`` for the store, buses, core and devices; ``ui.app.build`` for the bridge and
the window), so the tour touches the product's window and nothing else."""

from __future__ import annotations

import contextlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PyQt6 import sip
from PyQt6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PyQt6.QtWidgets import QApplication

from kiosk import assembly, config
from kiosk.compartments import sync_from_config
from kiosk.config import KioskConfig
from ui import app
from ui.bridge import CoreBridge
from ui.window import KioskWindow

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to(path: Path) -> None:
    """This process's log (the touch screen's, at INFO) in ``path``, as a service's journal would
    hold it; the demo's narrative goes to stdout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # force: python-escpos calls basicConfig() when imported, which would print INFO on stderr too
    logging.basicConfig(filename=path, encoding="utf-8", level=logging.INFO, format=LOG_FORMAT, force=True)
    qInstallMessageHandler(_qt_to_log)


QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO}


def _qt_to_log(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
    """What Qt itself says (the offscreen platform's remarks among it) into the log, not stdout."""
    logging.getLogger("qt").log(QT_LEVELS.get(kind, logging.WARNING), "%s", message)


@dataclass
class Kiosk:
    cfg: KioskConfig
    application: QApplication
    bridge: CoreBridge
    window: KioskWindow
    _close: contextlib.ExitStack

    def close(self) -> None:
        """The window's end as ``kiosk run``'s on SIGTERM: the core's thread stopped, the devices
        closed, the window deleted while the application lives, then the buses and the store."""
        self.bridge.close()
        if not sip.isdeleted(self.window):  # ``ui.app.show_until_stopped`` deletes it itself
            self.window.allow_close()
            self.window.close()
            sip.delete(self.window)
        self._close.close()

    def quit(self) -> None:
        """The event loop's end (the console closed): the window refuses any other close."""
        self.window.allow_close()
        self.application.quit()


def open_kiosk(path: Path) -> Kiosk:
    cfg = config.load(path)
    stack = contextlib.ExitStack()
    try:
        store = assembly.open_store(cfg)
        stack.callback(store.close)
        sync_from_config(store, cfg)  # as every ``kiosk`` command does first
        lockers = stack.enter_context(assembly.lockers_of(cfg, store))
        core, settled = assembly.build_core(cfg, store, lockers)
        for one in settled:
            logging.getLogger("kiosk.ui").info("recovered: %s %s -> %s", one.kind, one.state, one.outcome)
        application = app.application(cfg)
        devices = assembly.devices(cfg, core)  # as kiosk run: the bill validator into core.cash
        stack.callback(devices.close)
        bridge, window = app.build(core, cfg, devices)
    except BaseException:
        stack.close()
        raise
    sys.excepthook = app.guard(window)  # as kiosk run: an exception in a slot never ends the window
    return Kiosk(cfg, application, bridge, window, stack)
