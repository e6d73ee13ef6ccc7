"""One look for every screen: large type, large targets, high contrast (WCAG AA at least).

Body text 32 px (the issue asks at least 28), buttons at least 96 px tall (at least 64 asked).
Colours: near-black #111111 on white is 18.9:1; white on #0B3D91 is 10.3:1; white on #A61B1B
(a warning) is 7.4:1 — all above AA's 4.5:1 for body text.
"""

from __future__ import annotations

BODY_PX = 32
TITLE_PX = 48
TARGET_PX = 96
KEY_PX = 84  # on-screen keys: ten to a row fit a portrait screen, each still above 64 px
INK, PAPER, ACTION, WARNING = "#111111", "#FFFFFF", "#0B3D91", "#A61B1B"

SHEET = f"""
QWidget {{ background: {PAPER}; color: {INK}; font-size: {BODY_PX}px; }}
QLabel#title {{ font-size: {TITLE_PX}px; font-weight: bold; }}
QLabel#message {{ font-size: 40px; }}
QPushButton {{ background: {ACTION}; color: {PAPER}; border-radius: 12px; min-height: {TARGET_PX}px;
              padding: 8px 24px; font-size: {BODY_PX + 4}px; font-weight: bold; }}
QPushButton#secondary {{ background: {PAPER}; color: {ACTION}; border: 3px solid {ACTION}; }}
QPushButton#key {{ min-width: {KEY_PX}px; min-height: {KEY_PX}px; padding: 0; font-size: 40px; }}
QLineEdit {{ font-size: 44px; min-height: {TARGET_PX}px; border: 3px solid {INK}; padding: 0 16px; }}
QLabel#error {{ color: {WARNING}; font-weight: bold; }}
"""
