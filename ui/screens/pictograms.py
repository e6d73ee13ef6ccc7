"""The idle screen's three choices, each with a large pictogram (drawn for this project as SVG in
ui/pictograms/), so that a person who cannot read the words (poor sight, no glasses at 2 a.m.,
another language) still tells picking up from handing in from looking up.

The SVGs are drawn in two placeholder colours, the label's and the face's, replaced by the theme's
when drawn: the pictogram follows the day and night themes with its button. The pictures that
explain a step (where the QR is on an ID card) are drawn the same way, with a third placeholder,
the warning's, for the mark that says "here", and shown on the paper (``Picture``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from PyQt6.QtCore import QByteArray, QEvent, QSize, Qt
from PyQt6.QtGui import QIcon, QImage, QPainter, QPixmap
from PyQt6.QtSvg import QSvgRenderer
from PyQt6.QtWidgets import QLabel, QPushButton, QWidget

from ui.style import CHOICE_PX, PICTOGRAM_PX, THEMES, Theme, theme_of

FOLDER = Path(__file__).resolve().parent.parent / "pictograms"
KINDS = ("pickup", "dropoff", "lookup")
WAYS_TO_PAY = ("vietqr", "cash")  # the fee screen's choices (ui/screens/fee.py), drawn as the idle's
# the holder's card, where its QR code is (ui/screens/holder.py); a note into the validator (fee.py)
PICTURES = ("card-back", "cccd-front", "note-in")
LABEL, FACE, MARK = "#FFFFFF", "#0B3D91", "#8E1414"  # the placeholders in the files


@cache
def svg(kind: str, theme: str) -> bytes:
    """The pictogram's SVG in ``theme``'s colours."""
    if kind not in (*KINDS, *WAYS_TO_PAY, *PICTURES):
        raise KeyError(kind)
    t = THEMES[theme]
    drawing = (FOLDER / f"{kind}.svg").read_text(encoding="utf-8")
    placeholders = {LABEL: t.on_action, FACE: t.action, MARK: t.warning}
    for n, placeholder in enumerate(placeholders):  # first apart: a theme's colour may be a placeholder
        drawing = drawing.replace(placeholder, f"@{n}@")
    for n, colour in enumerate(placeholders.values()):
        drawing = drawing.replace(f"@{n}@", colour)
    return drawing.encode()


def pictogram(kind: str, theme: Theme, px: int = PICTOGRAM_PX, high: int | None = None) -> QPixmap:
    """``kind`` drawn ``px`` wide and ``high`` tall (square when None)."""
    renderer = QSvgRenderer(QByteArray(svg(kind, theme.name)))
    image = QImage(px, high or px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return QPixmap.fromImage(image)


class ThemeWatch:
    """A widget's drawing in the theme its window wears: drawn at once, and again when the theme
    changes (a new style sheet on the window, ui.theme.ThemeClock, reaches every widget as a
    StyleChange; a widget put into the window, as a ParentChange)."""

    def __init__(self, widget: QWidget, draw: Callable[[Theme], None]) -> None:
        self.widget, self.draw = widget, draw
        self.drawn_in = ""
        self.heard(None)

    def heard(self, event: QEvent | None) -> None:
        if event is not None and event.type() not in (QEvent.Type.StyleChange, QEvent.Type.ParentChange):
            return
        theme = theme_of(self.widget)
        if theme.name != self.drawn_in:
            self.drawn_in = theme.name
            self.draw(theme)


class ChoiceButton(QPushButton):
    """A large button with its pictogram before the words, redrawn when the theme changes."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.setObjectName("choice")
        self.setAccessibleName(kind)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumHeight(CHOICE_PX)
        self.setIconSize(QSize(PICTOGRAM_PX, PICTOGRAM_PX))
        self._theme = ThemeWatch(self, lambda theme: self.setIcon(QIcon(pictogram(self.kind, theme))))

    def changeEvent(self, event: QEvent | None) -> None:
        self._theme.heard(event)
        super().changeEvent(event)


class Picture(QLabel):
    """A picture of ``PICTURES`` on the paper, ``width`` pixels wide at its drawing's proportions,
    redrawn when the theme changes."""

    def __init__(self, kind: str, width: int, name: str) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # a picture, but a label's text is never markup
        self.kind, self.wide = kind, width
        renderer = QSvgRenderer(QByteArray(svg(kind, "day")))
        box = renderer.viewBoxF()
        self.high = round(width * box.height() / box.width())
        self.setFixedSize(width, self.high)
        self.setAccessibleName(name)
        self._theme = ThemeWatch(self, lambda theme: self.setPixmap(pictogram(kind, theme, width, self.high)))

    def changeEvent(self, event: QEvent | None) -> None:
        self._theme.heard(event)
        super().changeEvent(event)
