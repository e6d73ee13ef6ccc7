"""Where the open compartment is: the machine drawn to its proportions (kiosk/layout.py: the
columns, each compartment as tall as its size, the screen's own column where it stands), the
open door filled, named and pulsing, so a person standing at the screen finds it at a glance; and
the caption that names it and says where it is in words."""

from __future__ import annotations

import math

from PyQt6.QtCore import QElapsedTimer, QEvent, QLineF, QPointF, QRectF, QSize, Qt, QTimer
from PyQt6.QtGui import (
    QColor,
    QFont,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QShowEvent,
)
from PyQt6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.layout import Door, Machine, Rect
from ui.i18n import Language
from ui.style import Theme, theme_of

PULSE_MS = 50  # 20 frames a second: smooth for a slow breath, and little for two cores
PULSE_PERIOD_MS = 1200  # one breath of the halo
HALO = "#F2A900"  # amber: seen against the blue door and the white machine alike
HALO_MIN_PX, HALO_MAX_PX = 6, 20  # the halo's width, at rest and at its brightest
OUTLINE = "#1F2A3A"  # around what is amber: it shows on white, on the night's dark and on a lit screen
GAP_PX = 3  # between doors, so each reads as its own
OPEN_SCALE = 1.4  # the open door drawn this much larger than its place: the eye goes to it first
MIN_LABEL_PX = 14  # the other doors' ids are drawn only when they can be read


class CompartmentMap(QWidget):
    def __init__(self, machine: Machine | None) -> None:
        super().__init__()
        self.machine = machine
        self.open: str | None = None
        self.pulse = QTimer(self)  # a child: it dies with the widget
        self.pulse.setInterval(PULSE_MS)
        self.pulse.timeout.connect(self._repaint_door)
        self._clock = QElapsedTimer()
        self._clock.start()
        self._still: QPixmap | None = None
        self._still_for: tuple[str | None, str] | None = None  # the open door and the theme drawn
        self.setMinimumSize(240, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("where the compartment is")

    def sizeHint(self) -> QSize:
        return QSize(800, 1000)

    def show_open(self, compartment: str | None) -> None:
        known = self.machine is not None and compartment in self.machine.doors
        self.open = compartment if known else None
        self.setVisible(known)
        self._pulse_while_shown()
        self.update()

    # the pulse runs only while a door is open and the map is on screen: a hidden map, or one on a
    # screen the stack has put away, costs nothing
    def showEvent(self, event: QShowEvent | None) -> None:
        self._pulse_while_shown()

    def hideEvent(self, event: QHideEvent | None) -> None:
        self.pulse.stop()

    def _pulse_while_shown(self) -> None:
        if self.open is not None and self.isVisible():
            self.pulse.start()
        else:
            self.pulse.stop()

    def _repaint_door(self) -> None:
        """Only the open door and its halo change with the pulse: the rest is not drawn again."""
        if self.open is not None:
            reach = HALO_MAX_PX + 2
            self.update(self.open_rect().adjusted(-reach, -reach, reach, reach).toAlignedRect())

    def phase(self) -> float:
        """Where the pulse is, 0–1 (0 at rest, 1 at its brightest)."""
        t = (self._clock.elapsed() % PULSE_PERIOD_MS) / PULSE_PERIOD_MS
        return 0.5 - 0.5 * math.cos(2 * math.pi * t)

    # -- geometry (the tests measure what is drawn by these) --------------------------------------

    def machine_rect(self) -> QRectF:
        """The machine's outline in the widget: as large as fits, in its own proportions."""
        aspect = self.machine.aspect if self.machine is not None else 1.0
        margin = 12.0
        w, h = max(1.0, self.width() - 2 * margin), max(1.0, self.height() - 2 * margin)
        if w / h > aspect:
            w = h * aspect
        else:
            h = w / aspect
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def rect_of(self, compartment: str) -> QRectF:
        """Where ``compartment``'s door is drawn."""
        if self.machine is None:
            raise KeyError(compartment)
        return self._place(self.machine.door(compartment).rect).adjusted(GAP_PX, GAP_PX, -GAP_PX, -GAP_PX)

    def open_rect(self) -> QRectF:
        """Where the open door is drawn: its place, drawn larger (``OPEN_SCALE``) about its own
        middle, so that even a small door stands out; kept inside the widget with its halo."""
        if self.open is None:
            return QRectF()
        place = self.rect_of(self.open)
        w, h = place.width() * OPEN_SCALE, place.height() * OPEN_SCALE
        room = HALO_MAX_PX + 2
        x = min(max(place.center().x() - w / 2, room), self.width() - room - w)
        y = min(max(place.center().y() - h / 2, room), self.height() - room - h)
        return QRectF(x, y, w, h)

    def screen_rect(self) -> QRectF:
        """Where the screen's panel is drawn."""
        if self.machine is None:
            return QRectF()
        return self._place(self.machine.screen)

    def _place(self, r: Rect) -> QRectF:
        box = self.machine_rect()
        return QRectF(
            box.x() + r.x * box.width(), box.y() + r.y * box.height(), r.w * box.width(), r.h * box.height()
        )

    # -- drawing ----------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent | None) -> None:
        if self.machine is None:
            return
        painter = QPainter(self)
        still = self._still_picture()
        region = event.rect() if event is not None else self.rect()  # the pulse repaints only its door
        ratio = still.devicePixelRatio()
        source = QRectF(
            region.x() * ratio, region.y() * ratio, region.width() * ratio, region.height() * ratio
        )
        painter.drawPixmap(QRectF(region), still, source)
        if self.open is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._draw_open(painter, self.machine.doors[self.open])
        painter.end()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        self._still = None

    def changeEvent(self, event: QEvent | None) -> None:
        if event is not None and event.type() == QEvent.Type.StyleChange:
            self.update()  # the night's theme, or the day's: drawn again in its colours
        super().changeEvent(event)

    def _still_picture(self) -> QPixmap:
        """The machine and its closed doors, drawn once for a size and an open door: each frame of
        the pulse draws only the open door over it (7 ms of CPU for the machine, 1.3 for a frame)."""
        t = theme_of(self)
        if self._still is None or self._still_for != (self.open, t.name):
            ratio = self.devicePixelRatioF()
            still = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
            still.setDevicePixelRatio(ratio)
            still.fill(QColor(t.paper))
            painter = QPainter(still)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(t.ink), 3))
            painter.setBrush(QColor(t.off))
            painter.drawRect(self.machine_rect())
            self._draw_screen(painter, t)
            assert self.machine is not None
            for door in self.machine.doors.values():
                if door.id != self.open:
                    self._draw_door(painter, door, t)
            self._draw_arrow(painter, t)
            painter.end()
            self._still, self._still_for = still, (self.open, t.name)
        return self._still

    def _draw_screen(self, painter: QPainter, t: Theme) -> None:
        assert self.machine is not None
        column = self._place(self.machine.screen_column)
        painter.setPen(QPen(QColor(t.ink), 2))
        painter.setBrush(QColor(t.key))
        painter.drawRect(column.adjusted(GAP_PX, GAP_PX, -GAP_PX, -GAP_PX))
        panel = self.screen_rect()
        # the screen in the ink's colour: dark on the day's machine, lit on the night's
        painter.setPen(QPen(QColor(t.edge), 2))
        painter.setBrush(QColor(t.ink))
        painter.drawRoundedRect(panel, 6, 6)
        # a person at the panel: "you are here"
        head = min(panel.width(), panel.height()) * 0.16
        cx, cy = panel.center().x(), panel.center().y()
        painter.setPen(QPen(QColor(OUTLINE), 2))
        painter.setBrush(QColor(HALO))
        painter.drawEllipse(QRectF(cx - head / 2, cy - head * 1.4, head, head))
        painter.drawRoundedRect(
            QRectF(cx - head * 0.8, cy - head * 0.3, head * 1.6, head * 1.6), head / 3, head / 3
        )

    def arrow(self) -> QLineF | None:
        """From the screen's panel to the open door's halo; None when no door is open."""
        if self.open is None:
            return None
        panel, door = self.screen_rect(), self.open_rect()
        reach = HALO_MAX_PX + 4
        start = _edge(panel, panel.center(), door.center())
        return QLineF(start, _edge(door.adjusted(-reach, -reach, reach, reach), door.center(), start))

    def _draw_arrow(self, painter: QPainter, t: Theme) -> None:
        """From the person at the screen to the open door: the way to turn, at a glance."""
        line = self.arrow()
        width = max(6.0, min(16.0, self.screen_rect().width() * 0.08))
        if line is None or line.length() < 4 * width:
            return  # the door is right beside the screen: the halo says enough
        start, end = line.p1(), line.p2()
        head = line.unitVector()
        head.setLength(3 * width)
        back = end - (head.p2() - head.p1())
        normal = line.normalVector().unitVector()
        normal.setLength(1.5 * width)
        side = normal.p2() - normal.p1()
        painter.setPen(QPen(QColor(OUTLINE), width + 4, cap=Qt.PenCapStyle.RoundCap))
        painter.drawLine(QLineF(start, back))
        painter.setPen(QPen(QColor(HALO), width, cap=Qt.PenCapStyle.RoundCap))
        painter.drawLine(QLineF(start, back))
        painter.setPen(QPen(QColor(OUTLINE), 2))
        painter.setBrush(QColor(HALO))
        painter.drawPolygon(QPolygonF([end, back + side, back - side]))

    def _draw_door(self, painter: QPainter, door: Door, t: Theme) -> None:
        box = self.rect_of(door.id)
        painter.setPen(QPen(QColor(t.ink), 1.5))
        painter.setBrush(QColor(t.paper))
        painter.drawRect(box)
        px = int(min(box.height() * 0.45, box.width() / 4))
        if px >= MIN_LABEL_PX:
            self._label(painter, box, door.id, px, t.on_off)

    def _draw_open(self, painter: QPainter, door: Door) -> None:
        box = self.open_rect()
        glow = self.phase()
        ring = HALO_MIN_PX + (HALO_MAX_PX - HALO_MIN_PX) * glow
        halo = QColor(HALO)
        halo.setAlphaF(0.35 + 0.65 * glow)
        painter.setPen(QPen(halo, ring))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box.adjusted(-ring / 2, -ring / 2, ring / 2, ring / 2))
        t = theme_of(self)
        painter.setPen(QPen(QColor(t.ink), 4))
        painter.setBrush(QColor(t.action))
        painter.drawRect(box)
        # the id as large as the door allows: white on the door's blue is 10.3:1
        self._label(
            painter, box, door.id, int(min(box.height() * 0.6, box.width() / 3)), t.on_action, bold=True
        )

    def _label(
        self, painter: QPainter, box: QRectF, words: str, px: int, colour: str, bold: bool = False
    ) -> None:
        font = QFont(painter.font())
        font.setPixelSize(max(1, px))
        font.setBold(bold)
        painter.setFont(font)
        painter.setPen(QColor(colour))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)


def _edge(box: QRectF, inside: QPointF, towards: QPointF) -> QPointF:
    """Where the line from ``inside`` (in ``box``) to ``towards`` leaves ``box``."""
    dx, dy = towards.x() - inside.x(), towards.y() - inside.y()
    t = 1.0
    if dx:
        t = min(t, ((box.right() if dx > 0 else box.left()) - inside.x()) / dx)
    if dy:
        t = min(t, ((box.bottom() if dy > 0 else box.top()) - inside.y()) / dy)
    return QPointF(inside.x() + t * dx, inside.y() + t * dy)


class DoorCaption(QLabel):
    """The open door's id and where it is, in words, for the map's side: what the drawing shows,
    said for a person who reads it (and, spoken, for one who cannot see it well)."""

    def __init__(self, machine: Machine | None, language: Language) -> None:
        super().__init__()
        self.machine = machine
        self.language = language
        self.door: str | None = None
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("where")
        self.setStyleSheet("QLabel#where { font-size: 40px; font-weight: bold; }")
        self.setVisible(False)

    def show_door(self, compartment: str | None) -> None:
        known = self.machine is not None and compartment in self.machine.doors
        self.door = compartment if known else None
        self.setVisible(known)
        self.retranslate()

    def words(self) -> str:
        """Where the open door is, as a sentence in the screen's language ("" when none is open):
        what is read aloud after the heading, which names the door already."""
        if self.machine is None or self.door is None:
            return ""
        where = self.language.pick(self.machine.where(self.door))
        return f"{where[:1].upper()}{where[1:]}."

    def retranslate(self) -> None:
        self.setText(f"{self.door}\n{self.words()}" if self.door else "")


def beside(column: QBoxLayout, drawing: QWidget) -> QVBoxLayout:
    """A column inside ``column`` with ``drawing`` to its right, half the width each; returns
    the new column, for what was to go in ``column``. In landscape the map beside the message
    gets the screen's whole height, where under it it would get what the words leave."""
    row = QHBoxLayout()
    row.setSpacing(48)
    inner = QVBoxLayout()
    inner.setSpacing(column.spacing())
    row.addLayout(inner, 1)
    row.addWidget(drawing, 1)
    column.addLayout(row)
    return inner
