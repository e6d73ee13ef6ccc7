"""Where to hold the QR: a picture on the scan-or-type screen of a phone (or the appointment slip)
showing its code to the scanner's lit window, about a hand's breadth away. It has no words, so it
says the same in every language; the screen's heading says it in words.

Drawn with QPainter in the theme's colours (ui/style.py), in a 2:1 box scaled to the room it gets:
beside the keys in landscape, above them in portrait (``BesideKeys``).
"""

from __future__ import annotations

import random

from PyQt6.QtCore import QPointF, QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF, QResizeEvent
from PyQt6.QtWidgets import QBoxLayout, QSizePolicy, QWidget

from ui.style import KEY_GAP_PX, Theme, theme_of

WIDE, HIGH = 400.0, 200.0  # the drawing's own units
SMALLEST_PX = 160  # drawn from this height up; where the screen has less room, nothing is drawn
MIN_WIDTH_PX = 2 * SMALLEST_PX  # beside the keys
MODULES = 15  # a QR-like pattern, not a code: nothing here can be read as one
_rng = random.Random(13)
PATTERN = frozenset((x, y) for x in range(MODULES) for y in range(MODULES) if _rng.random() < 0.45)


class QrHint(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("where to hold the QR code")
        # no minimum height: the picture takes the room left, and never pushes the keys or the
        # buttons off a screen whose other parts need it (a window grows to its minimum size)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(640, 320)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        if self.height() < SMALLEST_PX:
            return
        t = theme_of(self)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = min(self.width() / WIDE, self.height() / HIGH)
        painter.translate((self.width() - WIDE * scale) / 2, (self.height() - HIGH * scale) / 2)
        painter.scale(scale, scale)
        _phone(painter, t)
        _arrow(painter, t)
        _scanner(painter, t)
        painter.end()


def _phone(p: QPainter, t: Theme) -> None:
    p.setPen(QPen(QColor(t.ink), 6))
    p.setBrush(QColor(t.key))
    p.drawRoundedRect(QRectF(20, 10, 110, 180), 14, 14)
    side = 84.0
    left, top = 75 - side / 2, 100 - side / 2
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(t.paper))
    p.drawRect(QRectF(left - 6, top - 6, side + 12, side + 12))
    cell = side / MODULES
    p.setBrush(QColor(t.ink))
    finders = ((0, 0), (MODULES - 5, 0), (0, MODULES - 5))
    for x, y in PATTERN:
        if not any(fx - 1 <= x <= fx + 5 and fy - 1 <= y <= fy + 5 for fx, fy in finders):
            p.drawRect(QRectF(left + x * cell, top + y * cell, cell, cell))
    for fx, fy in finders:  # the three corner squares everyone knows a QR code by
        corner = QRectF(left + fx * cell, top + fy * cell, 5 * cell, 5 * cell)
        p.setPen(QPen(QColor(t.ink), cell))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(corner.adjusted(cell / 2, cell / 2, -cell / 2, -cell / 2))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(t.ink))
        p.drawRect(corner.adjusted(1.6 * cell, 1.6 * cell, -1.6 * cell, -1.6 * cell))


def _arrow(p: QPainter, t: Theme) -> None:
    p.setPen(QPen(QColor(t.accent), 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(150, 100), QPointF(236, 100))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(t.accent))
    p.drawPolygon(QPolygonF([QPointF(232, 78), QPointF(262, 100), QPointF(232, 122)]))
    font = QFont(p.font())
    font.setPixelSize(24)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor(t.ink))
    p.drawText(QRectF(140, 124, 130, 40), Qt.AlignmentFlag.AlignCenter, "≈ 10 cm")


def _scanner(p: QPainter, t: Theme) -> None:
    p.setPen(QPen(QColor(t.ink), 6))
    p.setBrush(QColor(t.key))
    p.drawRoundedRect(QRectF(300, 20, 80, 160), 10, 10)
    window = QRectF(312, 60, 44, 80)
    p.setBrush(QColor(t.ink))
    p.drawRoundedRect(window, 6, 6)
    p.setPen(QPen(QColor(t.warning), 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(334, 72), QPointF(334, 128))  # the scanner's light
    beams = QPainterPath()
    for dy in (-40.0, 0.0, 40.0):
        beams.moveTo(300, 100 + dy / 4)
        beams.lineTo(276, 100 + dy)
    p.setPen(QPen(QColor(t.warning), 4, Qt.PenStyle.DashLine, Qt.PenCapStyle.RoundCap))
    p.drawPath(beams)


class BesideKeys(QWidget):
    """The keys with the picture: side by side where the width has room for both (landscape), the
    picture above the keys where it has not (portrait: ten keys fill the row)."""

    def __init__(self, keys: QWidget, hint: QWidget) -> None:
        super().__init__()
        self.keys, self.hint = keys, hint
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(3 * KEY_GAP_PX)
        self.box.addWidget(hint, 1)
        self.box.addWidget(keys)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        both = self.keys.minimumSizeHint().width() + self.box.spacing() + MIN_WIDTH_PX
        direction = (
            QBoxLayout.Direction.LeftToRight if self.width() >= both else QBoxLayout.Direction.TopToBottom
        )
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)
