"""Where the open compartment is: the machine's compartments drawn as they stand (a column per
letter, a row per number), the open one filled and named, so a person finds it at a glance."""

from __future__ import annotations

import re

from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QWidget

from ui.style import ACTION, INK, PAPER

ID = re.compile(r"^([A-Z])(\d+)$")


class CompartmentMap(QWidget):
    def __init__(self, compartments: list[str]) -> None:
        super().__init__()
        self.cells: dict[str, tuple[int, int]] = {}
        columns = sorted({m[1] for c in compartments if (m := ID.match(c))})
        for c in compartments:
            if m := ID.match(c):
                self.cells[c] = (columns.index(m[1]), int(m[2]) - 1)
        self.columns = max((x for x, _ in self.cells.values()), default=0) + 1
        self.rows = max((y for _, y in self.cells.values()), default=0) + 1
        self.open: str | None = None
        self.setMinimumHeight(360)
        self.setAccessibleName("where the compartment is")

    def show_open(self, compartment: str | None) -> None:
        self.open = compartment
        self.setVisible(compartment in self.cells)
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width() / self.columns, self.height() / self.rows) * 0.95
        left = (self.width() - side * self.columns) / 2
        font = QFont(painter.font())
        font.setPixelSize(max(12, int(side / 3)))
        painter.setFont(font)
        for name, (x, y) in self.cells.items():
            box = QRectF(left + x * side + 3, y * side + 3, side - 6, side - 6)
            is_open = name == self.open
            painter.setPen(QPen(QColor(INK), 3 if is_open else 1))
            painter.setBrush(QColor(ACTION if is_open else PAPER))
            painter.drawRect(box)
            painter.setPen(QColor(PAPER if is_open else INK))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, name)
        painter.end()
