"""After a citizen's journey: how satisfied were they (Decision 766/QĐ-TTg)? Three large faces with
their words, one touch, and nothing asked of anyone who does not want to answer: the screen goes
back to the start by itself (the window's countdown), and "Bỏ qua" goes at once. The rating says
nothing of who gave it (kiosk/rating.py)."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QPointF, QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PyQt6.QtWidgets import QPushButton

from kiosk.rating import FACES
from ui.i18n import N_, Language
from ui.screens.base import Screen, button, text, title

# each face: its words, its colour (dark enough for white-free line work on the light button), and
# how its mouth curves (+1 a broad smile, 0 a small one, -1 a frown)
WORDS = {
    "very-satisfied": N_("Very satisfied"),
    "satisfied": N_("Satisfied"),
    "dissatisfied": N_("Not satisfied"),
}
COLOURS = {"very-satisfied": "#1b5e20", "satisfied": "#33691e", "dissatisfied": "#b71c1c"}
MOUTHS = {"very-satisfied": 1.0, "satisfied": 0.45, "dissatisfied": -0.7}
FACE_PX = 160


def face_pixmap(face: str, size: int = FACE_PX) -> QPixmap:
    """A face drawn plainly: a ring, two eyes, a mouth that smiles or frowns."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(COLOURS[face])
    line = max(4.0, size / 18)
    painter.setPen(QPen(colour, line))
    painter.setBrush(QColor("#fff8e1"))
    margin = line
    painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    eye = size / 14
    for x in (0.36, 0.64):
        painter.drawEllipse(QPointF(size * x, size * 0.4), eye, eye)
    curve = MOUTHS[face]
    mouth = QPainterPath(QPointF(size * 0.3, size * 0.66))
    mouth.quadTo(QPointF(size * 0.5, size * (0.66 + 0.2 * curve)), QPointF(size * 0.7, size * 0.66))
    painter.setPen(QPen(colour, line, cap=Qt.PenCapStyle.RoundCap))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(mouth)
    painter.end()
    return pixmap


class RatingScreen(Screen):
    def __init__(self, language: Language, rate: Callable[[str], None], leave: Callable[[], None]) -> None:
        super().__init__(language)
        self.heading = title()
        self.words = text(name="message")
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.words)
        self.faces: dict[str, QPushButton] = {}
        for face in FACES:  # one under the other: each face large, its words beside it, in any orientation
            b = button(name=face)
            b.setIcon(QIcon(face_pixmap(face)))
            b.setIconSize(QSize(FACE_PX, FACE_PX))
            b.setMinimumHeight(FACE_PX + 40)
            b.clicked.connect(lambda _=False, chosen=face: self._chosen(chosen, rate))
            self.layout_.addWidget(b)
            self.faces[face] = b
        self.layout_.addStretch(2)
        self.leave = button(secondary=True, name="skip")
        self.leave.clicked.connect(leave)
        self.layout_.addWidget(self.leave)
        self.thanked = False
        self.retranslate()

    def ask(self) -> None:
        """A new person's answer to ask for (no touch needed to skip it)."""
        self.thanked = False
        for b in self.faces.values():
            b.setVisible(True)
        self.retranslate()

    def _chosen(self, face: str, rate: Callable[[str], None]) -> None:
        if self.thanked:  # a second touch on the way out counts for nothing
            return
        self.thanked = True
        for b in self.faces.values():
            b.setVisible(False)
        rate(face)
        self.retranslate()

    def retranslate(self) -> None:
        if self.thanked:
            self.heading.setText(self.t("Thank you for your rating."))
            self.words.setText("")
            self.leave.setText(self.t("Back to start"))
        else:
            self.heading.setText(self.t("How satisfied are you with this service?"))
            self.words.setText(self.t("Touch one face. You may also just leave."))
            self.leave.setText(self.t("Skip"))
        for face, b in self.faces.items():
            b.setText(self.t(WORDS[face]))
