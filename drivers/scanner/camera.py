"""``CameraScanner``: QR codes from a camera (a device index, a video file or a stream URL).

A capture thread keeps only the newest frame, so decoding never lags the camera: frames that
arrive while one is being decoded are skipped, not queued. While no code has been seen for
``active_s``, decoding is capped at ``idle_fps`` frames a second, which caps the CPU an empty
kiosk spends. A video file is played at its own frame rate, as a camera would deliver it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from drivers.scanner.decoders import Decoder, Frame
from drivers.scanner.errors import ScannerError
from drivers.scanner.repeat import RepeatFilter


class CameraUnavailable(ScannerError):
    pass


class FrameSource(Protocol):
    fps: float  # frames a second a file is played at; 0 for a live camera (as fast as it gives)

    def read(self) -> Frame | None: ...  # None: the file ended or the camera is gone

    def close(self) -> None: ...


class OpenCVSource:
    def __init__(self, source: int | str, width: int | None = None, height: int | None = None) -> None:
        self.capture = cv2.VideoCapture(source)
        if not self.capture.isOpened():
            raise CameraUnavailable(f"cannot open the camera {source!r}: no such device, file or stream")
        if width and height:
            self.capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            self.capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        is_file = isinstance(source, str) and "://" not in source
        self.fps = float(self.capture.get(cv2.CAP_PROP_FPS) or 0) if is_file else 0.0

    def read(self) -> Frame | None:
        ok, frame = self.capture.read()
        return np.asarray(frame, dtype=np.uint8) if ok else None

    def close(self) -> None:
        self.capture.release()


@dataclass
class CameraStats:
    frames_in: int = 0
    frames_decoded: int = 0

    @property
    def frames_skipped(self) -> int:
        return self.frames_in - self.frames_decoded


class CameraScanner:
    def __init__(
        self,
        source: FrameSource,
        decoder: Decoder,
        *,
        idle_fps: float = 5.0,
        active_s: float = 2.0,
        repeat_window_s: float = 1.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.decoder = decoder
        self.idle_fps = idle_fps
        self.active_s = active_s
        self.stats = CameraStats()
        self._repeats = RepeatFilter(repeat_window_s, monotonic)
        self._monotonic = monotonic
        self._new_frame = threading.Condition()
        self._latest: Frame | None = None
        self._preview: Frame | None = None  # the newest frame, decoded or not, for a screen to show
        self._ended = False
        self._stop = threading.Event()
        self._last_seen = -1e9
        self._next_idle_decode = 0.0
        self._thread = threading.Thread(target=self._capture, name="camera", daemon=True)
        self._thread.start()
        self.log = logging.getLogger("drivers.camera")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.source.close()

    def latest_frame(self) -> Frame | None:
        """The newest frame the camera gave (for a live preview; frames are never changed after)."""
        return self._preview

    def read_code(self, timeout: float) -> str | None:
        """The next new QR code within ``timeout`` seconds, or None (also when a file has ended)."""
        deadline = self._monotonic() + timeout
        while self._monotonic() < deadline:
            frame = self._take(deadline)
            if frame is None:
                if self._ended:
                    return None
                continue
            for text in self.decoder.decode(gray(frame)):
                self._last_seen = self._monotonic()
                if self._repeats.fresh(text):
                    return text
        return None

    def _take(self, deadline: float) -> Frame | None:
        """The newest frame not yet decoded, respecting the idle cap."""
        now = self._monotonic()
        idle = now - self._last_seen > self.active_s
        if idle and now < self._next_idle_decode:
            time.sleep(min(self._next_idle_decode, deadline) - now)
            return None
        with self._new_frame:
            if self._latest is None and not self._ended:
                self._new_frame.wait(max(0.0, min(0.1, deadline - now)))
            frame, self._latest = self._latest, None
        if frame is not None:
            self.stats.frames_decoded += 1
            if idle and self.idle_fps > 0:
                self._next_idle_decode = self._monotonic() + 1.0 / self.idle_fps
        return frame

    def _capture(self) -> None:
        interval = 1.0 / self.source.fps if self.source.fps else 0.0
        next_at = time.monotonic()
        while not self._stop.is_set():
            frame = self.source.read()
            with self._new_frame:
                if frame is None:
                    self._ended = True
                    self._new_frame.notify_all()
                    return
                self._latest = frame  # an undecoded older frame is dropped here
                self._preview = frame
                self.stats.frames_in += 1
                self._new_frame.notify_all()
            if interval:
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))


def gray(frame: Frame) -> Frame:
    """The frame's ITU-R 601 luma, as the decoders take it (a grey frame is passed as it is)."""
    if frame.ndim == 2:
        return frame
    # OpenCV's fixed-point conversion: about a tenth of the time of numpy's float arithmetic
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
