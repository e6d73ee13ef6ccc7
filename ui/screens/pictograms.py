"""The idle screen's three choices, each with a large pictogram (drawn for this project as SVG in
ui/pictograms/), so that a person who cannot read the words (poor sight, no glasses at 2 a.m.,
another language) still tells picking up from handing in from looking up.

The SVGs are drawn in two placeholder colours, the label's and the face's, replaced by the theme's
when drawn: the pictogram follows the day and night themes with its button.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PyQt6.QtCore import QByteArray, QEvent, QSize, Qt
from PyQt6.QtGui import QIcon, QImage, QPainter, QPixmap
from PyQt6.QtSvg import QSvgRenderer
from PyQt6.QtWidgets import QPushButton

from ui.style import CHOICE_PX, PICTOGRAM_PX, THEMES, Theme, theme_of

FOLDER = Path(__file__).resolve().parent.parent / "pictograms"
KINDS = ("pickup", "dropoff", "lookup")
LABEL, FACE = "#FFFFFF", "#0B3D91"  # the placeholders in the files


@cache
def svg(kind: str, theme: str) -> bytes:
    """The pictogram's SVG in ``theme``'s colours."""
    if kind not in KINDS:
        raise KeyError(kind)
    t = THEMES[theme]
    drawing = (FOLDER / f"{kind}.svg").read_text(encoding="utf-8")
    return drawing.replace(LABEL, "@label@").replace(FACE, t.action).replace("@label@", t.on_action).encode()


def pictogram(kind: str, theme: Theme, px: int = PICTOGRAM_PX) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg(kind, theme.name)))
    image = QImage(px, px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return QPixmap.fromImage(image)


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
        self._drawn_in = ""
        self._draw()

    def _draw(self) -> None:
        theme = theme_of(self)
        if theme.name != self._drawn_in:
            self._drawn_in = theme.name
            self.setIcon(QIcon(pictogram(self.kind, theme)))

    def changeEvent(self, event: QEvent | None) -> None:
        # a new style sheet on the window (ui.theme.ThemeClock) reaches every widget as a StyleChange
        if event is not None and event.type() in (QEvent.Type.StyleChange, QEvent.Type.ParentChange):
            self._draw()
        super().changeEvent(event)
