"""One look for every screen: large type, large targets, high contrast, by day and by night.

A button's size is set on the widget (``ui.screens.base.button``, ``ui.screens.keyboard``), never as
``min-height`` in the style sheet: a sheet's minimum overrides the widget's own ``setMinimumHeight``
when the widget is polished (the idle choices were meant 180 px and came out 112), and it counts
without padding and border, so what it says is not what is drawn. tests/test_ui_geometry.py
measures what is drawn.

Two themes with the same layout: the day's (near-black on white) and a darker one for the night,
chosen by the kiosk's clock (``theme_at``), so that a bright white screen does not glare in a dark
street. Every pair of colours a person reads is at least 7:1 (WCAG AAA for body text) in both, and
every edge that shows where a button is at least 3:1 against the background (tests/test_ui_theme.py
computes them from these colours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from PyQt6.QtWidgets import QWidget

from kiosk.receipts import VIETNAM

BODY_PX = 32
TITLE_PX = 48
KEY_FONT_PX = 40  # a letter or digit on a key
WORD_KEY_FONT_PX = 30  # "Xóa", "Dấu cách", the tone keys' names
TARGET_PX = 96  # every touch target, wide and tall (about 24 mm on a 22" portrait screen)
CHOICE_PX = 180  # the idle screen's three choices, each with its pictogram
PICTOGRAM_PX = 144
KEY_GAP_PX = 8  # between keys: a finger that lands between two presses neither
# a screen's margins and the gap between its parts: ten keys of TARGET_PX and their gaps need
# 1032 of the portrait's 1080 px; a landscape screen's 1080 px of height hold the header, the
# footer and three rows of keys with the field and buttons only with little to spare
SIDE_PX, TOP_PX, GAP_PX = 24, 24, 16


@dataclass(frozen=True)
class Theme:
    name: str
    ink: str  # body text
    paper: str  # the background
    action: str  # a button's face
    on_action: str  # a button's label
    action_edge: str  # a button's border: where it ends, against the paper
    accent: str  # a secondary button's label and border, on the paper
    warning: str  # what went wrong, on the paper
    key: str  # an on-screen key's face
    on_key: str
    key_edge: str
    tone: str  # a tone key's face: not a letter, and it looks it
    on_tone: str
    tone_edge: str
    off: str  # a button that cannot be touched now (a locked keypad)
    on_off: str
    edge: str  # a field's border
    band: str  # the header's band (the office's name and the time: ui/screens/chrome.py)
    on_band: str


DAY = Theme(
    name="day",
    ink="#111111",
    paper="#FFFFFF",
    action="#0B3D91",
    on_action="#FFFFFF",
    action_edge="#0B3D91",
    accent="#0B3D91",
    warning="#8E1414",
    key="#E4EAF3",
    on_key="#111111",
    key_edge="#4A5A70",
    tone="#FFE9A6",
    on_tone="#111111",
    tone_edge="#6B4700",
    off="#D5D9DF",
    on_off="#444444",
    edge="#111111",
    band="#0B3D91",
    on_band="#FFFFFF",
)
NIGHT = Theme(
    name="night",
    ink="#E6EAF0",
    paper="#0F1722",
    action="#1D4487",
    on_action="#FFFFFF",
    action_edge="#A9C8FF",
    accent="#A9C8FF",
    warning="#FF9C9C",
    key="#1F2B3A",
    on_key="#E6EAF0",
    key_edge="#7D8FA6",
    tone="#3A2F12",
    on_tone="#FFE4A0",
    tone_edge="#C9A24A",
    off="#2A323C",
    on_off="#B8BEC6",
    edge="#8596AD",
    band="#16263D",
    on_band="#E6EAF0",
)
THEMES = {t.name: t for t in (DAY, NIGHT)}
# the day's colours by name, for what was written before there were themes
INK, PAPER, ACTION, WARNING = DAY.ink, DAY.paper, DAY.action, DAY.warning


@dataclass(frozen=True)
class NightHours:
    """When the night theme is on, in the office's time (Vietnam's, UTC+7, unless ``[office]
    timezone`` says otherwise): from ``start`` until ``end``, across midnight when ``end`` is
    earlier; the same time twice: never."""

    start: time = time(18, 0)
    end: time = time(6, 0)
    zone: tzinfo = VIETNAM

    @classmethod
    def of(cls, start: str, end: str, zone: tzinfo = VIETNAM) -> NightHours:
        """From the config's "HH:MM" (``[ui] night_from``, ``night_until``)."""
        return cls(time.fromisoformat(start), time.fromisoformat(end), zone)

    def __contains__(self, moment: datetime) -> bool:
        now = moment.astimezone(self.zone).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end


def theme_at(moment: datetime, night: NightHours | None) -> Theme:
    return NIGHT if night is not None and moment in night else DAY


def theme_of(widget: QWidget) -> Theme:
    """The theme a widget's window wears now, for widgets that paint their own colours."""
    window = widget.window()
    name = window.property("theme") if window is not None else None
    return THEMES.get(str(name), DAY)


def sheet(t: Theme) -> str:
    return f"""
QWidget {{ background: {t.paper}; color: {t.ink}; font-size: {BODY_PX}px; }}
QLabel#title {{ font-size: {TITLE_PX}px; font-weight: bold; }}
QLabel#message {{ font-size: 40px; }}
QLabel#error {{ color: {t.warning}; font-weight: bold; }}
QPushButton {{ background: {t.action}; color: {t.on_action}; border: 3px solid {t.action_edge};
              border-radius: 12px; padding: 8px 24px; font-size: {BODY_PX + 4}px; font-weight: bold; }}
QPushButton#secondary {{ background: {t.paper}; color: {t.accent}; border: 3px solid {t.accent}; }}
QPushButton#choice {{ font-size: 44px; padding: 8px 32px; text-align: left; }}
QPushButton#key, QPushButton#wordkey {{ background: {t.key}; color: {t.on_key};
              border: 2px solid {t.key_edge}; padding: 0 4px; font-size: {KEY_FONT_PX}px; }}
QPushButton#wordkey {{ font-size: {WORD_KEY_FONT_PX}px; }}
QPushButton#tone {{ background: {t.tone}; color: {t.on_tone}; border: 3px dashed {t.tone_edge};
              border-radius: 24px; padding: 0 4px; font-size: {WORD_KEY_FONT_PX}px; }}
QPushButton:disabled, QPushButton#key:disabled, QPushButton#wordkey:disabled,
QPushButton#tone:disabled {{ background: {t.off}; color: {t.on_off}; border-color: {t.on_off}; }}
QWidget#header, QWidget#header QLabel {{ background: {t.band}; color: {t.on_band}; font-weight: bold; }}
QWidget#countdown, QWidget#countdown QLabel {{ background: {t.tone}; color: {t.on_tone}; font-weight: bold; }}
QFrame#chrome-rule {{ color: {t.key_edge}; }}
QLineEdit {{ font-size: 44px; min-height: {TARGET_PX}px; border: 3px solid {t.edge}; padding: 0 16px; }}
QScrollBar:vertical {{ width: {TARGET_PX}px; background: {t.paper}; border: 2px solid {t.key_edge}; }}
QScrollBar::handle:vertical {{ background: {t.key}; border: 2px solid {t.key_edge};
              min-height: {TARGET_PX}px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
"""


SHEET = sheet(DAY)
