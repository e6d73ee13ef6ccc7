"""``kiosk run``: the touch UI with the core and the configured devices (real or simulated)."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from types import TracebackType

from PyQt6 import sip
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QApplication

from kiosk import assembly, layout
from kiosk.config import KioskConfig
from kiosk.core import Core
from kiosk.notify import Notifier
from ui.bridge import CoreBridge
from ui.health import ScreenHealth
from ui.i18n import Language
from ui.screens.help import OfficeInfo
from ui.speech import Speaker
from ui.style import NightHours
from ui.window import KioskWindow, NoWayOut, OutOfServiceWindow

log = logging.getLogger("kiosk.ui")


def build(core: Core, cfg: KioskConfig, devices: assembly.Devices) -> tuple[CoreBridge, KioskWindow]:
    camera = devices.camera
    readers = [camera] if camera is not None else []
    bridge = CoreBridge(core, reader=devices.scanner, printer=devices.printer, readers=readers)
    office = OfficeInfo(cfg.office_name, hotline=cfg.office.hotline, address=cfg.office.address,
                        openings=cfg.office.openings)  # fmt: skip
    window = KioskWindow(bridge, Language(cfg.ui.language), orientation=cfg.ui.orientation,
                         done_return_s=cfg.ui.done_return_s, ask_more_time_s=cfg.ui.ask_more_time_s,
                         answer_s=cfg.ui.answer_s, proof_timeout_s=cfg.ui.proof_timeout_s,
                         staff_hold_s=cfg.ui.staff_hold_s, speaker=Speaker(cfg.ui.speech),
                         machine=layout.machine_of(cfg), office=office, clock=core.store.clock,
                         zone=cfg.office.zone, keep_alive_s=min(5.0, cfg.rules.idle_timeout_s / 3),
                         night=NightHours.of(cfg.ui.night_from, cfg.ui.night_until, cfg.office.zone),
                         camera=getattr(camera, "latest_frame", None))  # fmt: skip
    return bridge, window


def run(core: Core, cfg: KioskConfig, notifier: Notifier | None = None) -> int:
    app = application(cfg)
    devices = assembly.devices(cfg, core)  # the bill validator recovered into core.cash
    bridge, window = build(core, cfg, devices)
    sys.excepthook = guard(window)  # before the first slot can run
    health = ScreenHealth.of_kiosk(bridge, core.store.path, notifier)

    def close() -> None:
        bridge.close()
        devices.close()

    return show_until_stopped(app, window, cfg, "the idle screen", before_delete=close, health=health)


def application(cfg: KioskConfig) -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if cfg.ui.hide_cursor:
        QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
    return app  # type: ignore[return-value]


def show_until_stopped(
    app: QApplication, window: NoWayOut, cfg: KioskConfig, shown: str,
    before_delete: Callable[[], None] = lambda: None, health: ScreenHealth | None = None,
) -> int:  # fmt: skip
    """Show ``window`` until SIGTERM (systemd) or SIGINT (Ctrl+C from a technician's terminal),
    the one clean end; ``before_delete`` (the core's thread stopped) runs while the window still
    lives. ``health`` tells systemd (ui/health.py). Returns the event loop's exit code."""

    def stop(*_: object) -> None:
        if health is not None:
            health.stopping()
        window.allow_close()
        app.quit()

    def drawn() -> None:
        print(f"ready: {shown} is shown", flush=True)
        if health is not None:
            health.shown()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Python runs signal handlers only between bytecodes; Qt's loop must hand it control now and then
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    if cfg.ui.fullscreen:
        window.showFullScreen()
    else:
        window.show()
    # once the event loop has drawn the screen: for the technician, scripts and the benchmark
    QTimer.singleShot(0, drawn)
    try:
        return app.exec()
    finally:
        wake.stop()
        if health is not None:  # first: its questions to the threads would go unanswered now
            health.closed()
        before_delete()
        # now, while the application lives: left to the interpreter's exit, a widget's running
        # timer (a line edit's cursor) is stopped after the application is gone, and that crashes
        sip.delete(window)


def guard(window: KioskWindow) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """The hook for exceptions that escape a slot on the GUI thread. Without one, PyQt6 ends the
    process on the first (qFatal): one crafted scan would kill the kiosk (exit 134)."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("unexpected %s on the screen", kind.__name__, exc_info=(kind, exc, tb))
        try:
            window.recover(exc)
        except Exception as again:  # even telling the core failed: the window still lives
            log.error("could not end the journey after %s: %s", kind.__name__, again)

    return hook


def run_out_of_service(cfg: KioskConfig, reason: str, notifier: Notifier | None = None) -> int:
    """The screen when the kiosk cannot serve at all (its database is damaged): says so, in both
    languages, until the service is stopped; never a black screen or a restart loop."""
    app = application(cfg)
    log.error("out of service: %s", reason)
    health = ScreenHealth.of_out_of_service(reason, notifier)
    show_until_stopped(app, OutOfServiceWindow(cfg.kiosk.office, orientation=cfg.ui.orientation), cfg,
                       "the out-of-service screen", health=health)  # fmt: skip
    return 1
