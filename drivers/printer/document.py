"""What a receipt says, as the printer driver takes it: a sequence of simple elements.

The core builds documents (kiosk/receipts.py); the renderer lays them out for a paper width and a
way of printing Vietnamese. Nothing here knows bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    align: Align = "left"
    big: bool = False  # double width and height


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class QR:
    data: str
    caption: str = ""


Element = Text | Field | Rule | QR


@dataclass(frozen=True)
class Document:
    name: str  # e.g. "drop-off receipt", for logs and the simulator's file names
    elements: tuple[Element, ...]
