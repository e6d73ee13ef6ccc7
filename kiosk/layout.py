"""The machine as a person sees it from the front, for the map that shows the open door: where
each compartment is drawn, and where it is in words. Pure: no Qt, no I/O.

Columns stand left to right in the alphabetical order of their letters, with the screen's own
column among them (``[machine] screen_column``, counted from the left). In a column the
compartments stack in the order of their row numbers, row 01 at the top (or at the bottom:
``[machine] row_one``), each as tall as its size (``[machine] heights``); a column shorter than the
tallest stands on the floor, as a cabinet does.

In words a compartment is found from the screen, where the person stands: its column counted
outward from the screen ("the second column left of the screen"), then its place in that column
counted from the end the person is told of: a low compartment from the bottom, a high one from the
top ("the third low compartment from the bottom"). Every compartment in the column counts, so the
words stay true even where low and high ones are mixed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from kiosk.config import KioskConfig, MachineSection
from kiosk.errors import UnknownCompartment

SIDES = {"left": ("bên trái", "left of"), "right": ("bên phải", "right of")}
# a low compartment is counted from the bottom, a high one from the top: from the end it is near
ENDS = {"low": ("thấp", "từ dưới lên", "low", "bottom"), "high": ("cao", "từ trên xuống", "high", "top")}
VI_ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")
EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
# the screen's panel in its column: the share of the column's width it takes, where its middle is
# (from the top, as a share of the machine's height: about eye height), and its shape (width/height)
PANEL_WIDTH, PANEL_MIDDLE, PANEL_SHAPE = 0.8, 0.3, {"portrait": 9 / 16, "landscape": 16 / 9}


class Placed(Protocol):
    """What the map needs of a compartment (a config section or the store's ``Compartment``)."""

    @property
    def id(self) -> str: ...
    @property
    def size(self) -> str: ...
    @property
    def position(self) -> str: ...


@dataclass(frozen=True)
class Rect:
    """A rectangle in the unit square: x to the right, y down, as a screen draws."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Rect, tolerance: float = 1e-9) -> bool:
        """True when the two share more than an edge."""
        return (
            self.x < other.right - tolerance
            and other.x < self.right - tolerance
            and self.y < other.bottom - tolerance
            and other.y < self.bottom - tolerance
        )


@dataclass(frozen=True)
class Door:
    """One compartment on the map: where it is drawn and where it is in words."""

    id: str
    size: str
    position: str
    column: str
    rect: Rect
    words: tuple[str, str]  # (Vietnamese, English), as the core's messages are


@dataclass(frozen=True)
class Machine:
    doors: Mapping[str, Door]
    columns: tuple[str, ...]  # the compartments' columns, left to right
    screen_slot: int  # where the screen's column stands among all columns, 0 at the left
    screen_column: Rect
    screen: Rect  # the screen's panel in its column
    aspect: float  # the machine's width over its height, to draw it in its proportions

    def door(self, compartment: str) -> Door:
        try:
            return self.doors[compartment]
        except KeyError:
            raise UnknownCompartment(compartment, list(self.doors)) from None

    def where(self, compartment: str) -> tuple[str, str]:
        """Where ``compartment`` is, in words (Vietnamese, English), from the screen."""
        return self.door(compartment).words


def machine_of(cfg: KioskConfig) -> Machine:
    return build(cfg.compartment, cfg.machine, cfg.ui.orientation)


def build(compartments: Iterable[Placed], section: MachineSection, orientation: str = "portrait") -> Machine:
    """The machine's map from its compartments (ids: a column letter and a row number)."""
    stacks = _stacks(compartments, section.row_one)
    columns = tuple(sorted(stacks))
    place = section.screen_column or len(columns) // 2 + 1
    if not 1 <= place <= len(columns) + 1:
        raise ValueError(f"screen_column {place}: expected 1–{len(columns) + 1}")  # the config refuses it
    screen_slot = place - 1
    slots = [*columns[:screen_slot], None, *columns[screen_slot:]]
    heights = {"S": section.heights.S, "M": section.heights.M, "L": section.heights.L}
    totals = {col: sum(heights[c.size] for c in stack) for col, stack in stacks.items()}
    # with no compartments, the screen's column alone, twice as tall as it is wide
    tall = max([*totals.values(), 2 * section.column_width])
    wide = len(slots) * section.column_width
    doors: dict[str, Door] = {}
    for slot, col in enumerate(slots):
        if col is None:
            continue
        top = tall - totals[col]  # a shorter column stands on the floor
        stack = stacks[col]
        for i, c in enumerate(stack):
            h = heights[c.size]
            rect = Rect(slot / len(slots), top / tall, 1 / len(slots), h / tall)
            words = _words(slot - screen_slot, i, len(stack), c.position)
            doors[c.id] = Door(c.id, c.size, c.position, col, rect, words)
            top += h
    screen_column = Rect(screen_slot / len(slots), 0.0, 1 / len(slots), 1.0)
    aspect = wide / tall
    return Machine(
        doors, columns, screen_slot, screen_column, _panel(screen_column, aspect, orientation), aspect
    )


def _stacks(compartments: Iterable[Placed], row_one: str) -> dict[str, list[Placed]]:
    """Each column's compartments from the top down."""
    stacks: dict[str, list[Placed]] = {}
    for c in compartments:
        stacks.setdefault(c.id[0], []).append(c)
    for stack in stacks.values():
        stack.sort(key=lambda c: (int(c.id[1:]), c.id), reverse=row_one == "bottom")
    return stacks


def _panel(column: Rect, aspect: float, orientation: str) -> Rect:
    """The screen's panel: most of its column's width, at about eye height, in the screen's shape,
    never taller than half the machine (a machine of few compartments is short)."""
    w = column.w * PANEL_WIDTH
    h = w * aspect / PANEL_SHAPE.get(orientation, PANEL_SHAPE["portrait"])  # units: the machine's height
    if h > 0.5:
        w, h = w * 0.5 / h, 0.5
    top = min(max(PANEL_MIDDLE - h / 2, 0.0), 1.0 - h)
    return Rect(column.x + (column.w - w) / 2, top, w, h)


def _words(offset: int, index: int, count: int, position: str) -> tuple[str, str]:
    """``offset``: the column's place from the screen (negative: to its left); ``index``: the
    compartment's place in its column from the top, of ``count``."""
    vi_side, en_side = SIDES["left" if offset < 0 else "right"]
    vi_level, vi_from, en_level, en_from = ENDS["low" if position == "low" else "high"]
    nth = count - index if position == "low" else index + 1
    column = abs(offset)
    return (
        f"cột thứ {vi_ordinal(column)} {vi_side} màn hình, "
        f"ngăn tủ {vi_level} thứ {vi_ordinal(nth)} {vi_from}",
        f"the {en_ordinal(column)} column {en_side} the screen, "
        f"the {en_ordinal(nth)} {en_level} compartment from the {en_from}",
    )


def vi_ordinal(n: int) -> str:
    """``thứ`` takes a word for the first ten ("thứ nhất", "thứ tư": a digit would be read aloud
    as "thứ một", "thứ bốn"), digits after (read "thứ mười một")."""
    return VI_ORDINALS[n - 1] if 1 <= n <= len(VI_ORDINALS) else str(n)


def en_ordinal(n: int) -> str:
    if 1 <= n <= len(EN_ORDINALS):
        return EN_ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
