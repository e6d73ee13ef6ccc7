"""The day and night themes: contrast computed by WCAG 2's formula from the theme's colours, those
colours found again in the pixels of the real window, and the night theme put on and taken off by
the kiosk's clock (a clock the test moves; never the machine's time of day)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPoint
from PyQt6.QtGui import QColor, QImage
from PyQt6.QtWidgets import QApplication, QWidget

from kiosk import config
from kiosk.core import Core
from kiosk.errors import ConfigError
from kiosk.lockers import Lockers
from kiosk.store import Store
from tests.machine import FakeClock
from ui.bridge import CoreBridge, View
from ui.i18n import Language
from ui.shooting import example_machine
from ui.style import DAY, NIGHT, NightHours, Theme, theme_at
from ui.theme import EVERY_MS
from ui.window import KioskWindow

THEMES = [DAY, NIGHT]
ICT = 7  # Vietnam: UTC+7, no daylight saving


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    c = QColor(colour)

    def linear(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.red()) + 0.7152 * linear(c.green()) + 0.0722 * linear(c.blue())


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_wcag_contrast_is_computed_as_the_standard_says() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the well-known near miss
    assert contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)


# (what a person reads or must see, its colour, what it stands on, the least ratio)
def pairs(t: Theme) -> list[tuple[str, str, str, float]]:
    return [
        ("body text", t.ink, t.paper, 7.0),
        ("an error", t.warning, t.paper, 7.0),
        ("a button's label", t.on_action, t.action, 7.0),
        ("a secondary button's label", t.accent, t.paper, 7.0),
        ("a key's letter", t.on_key, t.key, 7.0),
        ("a tone key's name", t.on_tone, t.tone, 7.0),
        ("the header's office and time", t.on_band, t.band, 7.0),
        ("the countdown before going back", t.on_tone, t.tone, 7.0),
        ("a title (large text)", t.ink, t.paper, 4.5),
        ("a locked key's label (large text)", t.on_off, t.off, 4.5),
        # WCAG 1.4.11: where a thing to touch ends, against the background
        ("a button's edge", t.action_edge, t.paper, 3.0),
        ("a secondary button's edge", t.accent, t.paper, 3.0),
        ("a key's edge", t.key_edge, t.paper, 3.0),
        ("a tone key's edge", t.tone_edge, t.paper, 3.0),
        ("a field's edge", t.edge, t.paper, 3.0),
    ]


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_everything_a_person_reads_has_contrast_by_day_and_by_night(theme: Theme) -> None:
    low = [
        f"{what}: {fg} on {bg} is {contrast(fg, bg):.2f}:1, under {least}:1"
        for what, fg, bg, least in pairs(theme)
        if contrast(fg, bg) < least
    ]
    assert low == []


def test_the_night_is_darker_than_the_day() -> None:
    assert luminance(NIGHT.paper) < 0.02 < 0.9 < luminance(DAY.paper)
    assert luminance(NIGHT.action) < luminance(DAY.paper) and luminance(NIGHT.key) < luminance(DAY.key)


def vietnam(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=UTC) - timedelta(hours=ICT)


def test_night_hours_are_vietnam_time_and_may_cross_midnight() -> None:
    night = NightHours()  # 18:00 to 06:00
    assert [
        theme_at(vietnam(h, m), night).name for h, m in [(17, 59), (18, 0), (23, 59), (0, 0), (5, 59)]
    ] == [
        "day",
        "night",
        "night",
        "night",
        "night",
    ]
    assert theme_at(vietnam(6, 0), night) is DAY and theme_at(vietnam(12, 0), night) is DAY
    assert theme_at(datetime(2026, 12, 1, 11, 0, tzinfo=UTC), night) is NIGHT  # 18:00 in Hậu Giang
    early = NightHours.of("01:00", "05:00")
    assert [
        vietnam(0, 59) in early,
        vietnam(1, 0) in early,
        vietnam(4, 59) in early,
        vietnam(5, 0) in early,
    ] == [
        False,
        True,
        True,
        False,
    ]
    never = NightHours.of("18:00", "18:00")
    assert not any(vietnam(h) in never for h in range(24))
    assert theme_at(vietnam(23), None) is DAY  # no night hours given: the day's theme at every hour


def ui_config(**ui: Any) -> dict[str, Any]:
    return {"kiosk": {"id": "HG-VT-01", "data_dir": "/tmp/unused"}, "ui": ui}


def test_the_night_hours_come_from_the_config_and_a_wrong_one_is_named() -> None:
    cfg = config.parse(ui_config())
    assert NightHours.of(cfg.ui.night_from, cfg.ui.night_until) == NightHours(time(18), time(6))
    cfg = config.parse(ui_config(night_from="19:30", night_until="05:15"))
    assert NightHours.of(cfg.ui.night_from, cfg.ui.night_until) == NightHours(time(19, 30), time(5, 15))
    for wrong in ("24:00", "7:00", "18h", "18:00:00", "١٨:٠٠"):
        with pytest.raises(ConfigError) as err:
            config.parse(ui_config(night_from=wrong), source="site.toml")
        assert any(p.startswith("ui.night_from") for p in err.value.problems), err.value.problems


@pytest.fixture
def bridge(qapp: QApplication, tmp_path: Path) -> Iterator[CoreBridge]:
    cfg = config.parse({"kiosk": {"id": "HG-VT-01", "data_dir": str(tmp_path)}})
    store = Store.open(tmp_path, kiosk_id=cfg.kiosk.id)
    bridge = CoreBridge(Core(cfg, store, Lockers(cfg, store, {})))
    yield bridge
    bridge.close()
    store.close()


@pytest.fixture
def clock() -> FakeClock:
    clock = FakeClock()
    clock.now = vietnam(17, 59)
    return clock


@pytest.fixture
def window(qapp: QApplication, bridge: CoreBridge, clock: FakeClock) -> Iterator[KioskWindow]:
    machine = example_machine("/var/lib/kiosk", "portrait")
    w = KioskWindow(
        bridge, Language("vi"), done_return_s=3600, machine=machine, clock=clock, night=NightHours()
    )
    w.show()
    qapp.processEvents()
    yield w
    w.allow_close()
    w.close()
    sip.delete(w)


def pixel(image: QImage, widget: QWidget, window: QWidget, x: int, y: int) -> str:
    at = widget.mapTo(window, QPoint(x, y))
    return image.pixelColor(at).name().upper()


def colours(image: QImage) -> set[str]:
    return {
        image.pixelColor(x, y).name().upper()
        for x in range(0, image.width(), 2)
        for y in range(image.height())
    }


def wears(qapp: QApplication, window: KioskWindow, t: Theme) -> None:
    """The window's pixels are the theme's colours: the paper, a choice's face and label, its
    pictogram, and on the scan-or-type screen a key's face."""
    window.home()
    qapp.processEvents()
    shot = window.grab().toImage()
    idle = window.idle
    assert pixel(shot, idle, window, 4, idle.height() // 2) == t.paper
    pickup = idle.buttons["pickup"]
    assert pixel(shot, pickup, window, pickup.width() - 40, pickup.height() // 2) == t.action
    label = pickup.grab().toImage()
    assert t.on_action in colours(label)
    icon = pickup.icon().pixmap(pickup.iconSize()).toImage()
    assert {t.on_action, t.action} <= colours(icon)  # the pictogram drawn in this theme's colours
    window.show_view(View("j", "pickup", "waiting-code", None))
    qapp.processEvents()
    shot = window.grab().toImage()
    key = window.entries["code"].keyboard.keys["5"]
    assert pixel(shot, key, window, 10, key.height() // 2) == t.key
    # the machine's map: its closed doors in the theme's paper (a white machine glares at night)
    window.show_view(View("j", "pickup", "door-open", None, {"compartment": "A05"}))
    qapp.processEvents()
    drawing = window.message.map
    door = drawing.rect_of("C08").toRect()
    assert (
        drawing.isVisible()
        and pixel(window.grab().toImage(), drawing, window, door.x() + 6, door.y() + 6) == t.paper
    )


def test_the_window_turns_dark_at_night_and_light_in_the_morning_by_the_kiosks_clock(
    qapp: QApplication, window: KioskWindow, clock: FakeClock
) -> None:
    assert window.property("theme") == "day"
    wears(qapp, window, DAY)
    assert window.theme.timer.isActive() and window.theme.timer.interval() == EVERY_MS == 60_000
    clock.advance(60)  # 18:00 in Vietnam: the minute's look comes
    window.theme.timer.timeout.emit()
    assert window.property("theme") == "night"
    wears(qapp, window, NIGHT)
    clock.now = vietnam(6, 0)
    window.theme.timer.timeout.emit()
    assert window.property("theme") == "day"
    wears(qapp, window, DAY)


def test_a_window_without_night_hours_stays_in_the_day_theme(
    qapp: QApplication, bridge: CoreBridge, clock: FakeClock
) -> None:
    clock.now = vietnam(23, 0)
    w = KioskWindow(bridge, Language("vi"), clock=clock)
    try:
        w.theme.timer.timeout.emit()
        assert w.property("theme") == "day"
    finally:
        w.allow_close()
        w.close()
        sip.delete(w)


def test_a_window_started_at_night_is_dark_from_its_first_screen(
    qapp: QApplication, bridge: CoreBridge, clock: FakeClock
) -> None:
    clock.now = vietnam(2, 0)  # a restart at 2 a.m. (a power cut, an update)
    w = KioskWindow(
        bridge,
        Language("vi"),
        machine=example_machine("/var/lib/kiosk", "portrait"),
        clock=clock,
        night=NightHours(),
    )
    w.show()
    try:
        assert w.property("theme") == "night"
        wears(qapp, w, NIGHT)
    finally:
        w.allow_close()
        w.close()
        sip.delete(w)
