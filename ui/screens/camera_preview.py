"""The camera's live picture on the scan-or-type screen, so a person sees where to hold the QR.
Frames come from the camera's own capture thread; this only draws the newest, a few times a
second, and never waits for one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import QLabel

PREVIEW_FPS = 10


class CameraPreview(QLabel):
    def __init__(self, latest: Callable[[], Any], width: int = 480) -> None:
        super().__init__()
        self.latest = latest
        self.width_px = width
        self.frames_shown = 0
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.PlainText)  # a picture only; never markup
        self.setAccessibleName("camera")
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(1000 // PREVIEW_FPS)

    def refresh(self) -> None:
        if not self.isVisible():
            return
        frame = self.latest()
        if frame is None:
            return
        self.setPixmap(to_pixmap(frame).scaledToWidth(self.width_px))
        self.frames_shown += 1


def to_pixmap(frame: np.ndarray[Any, Any]) -> QPixmap:
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    data = frame.tobytes()
    if frame.ndim == 2:
        image = QImage(data, width, height, width, QImage.Format.Format_Grayscale8)
    else:  # OpenCV's BGR
        image = QImage(data, width, height, 3 * width, QImage.Format.Format_BGR888)
    return QPixmap.fromImage(image.copy())
