"""A simulated camera: a QR drawn into frames the way a kiosk camera sees a phone or a slip.

``Scene`` says what is in view (a code or nothing) and how badly: rotation, perspective tilt, blur,
noise, a contrast drop. ``SimulatedCamera`` is a frame source for the camera driver;
``write_video`` makes a real video file from scenes for the driver's OpenCV path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import qrcode

Frame = np.ndarray[Any, np.dtype[np.uint8]]


@dataclass(frozen=True)
class Scene:
    text: str | None  # None: no code in view
    size: tuple[int, int] = (640, 480)
    scale: float = 0.45  # the code's side as a part of the frame's height
    rotation: float = 0.0  # degrees
    tilt: float = 0.0  # perspective, 0 (facing the camera) to about 0.3
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # standard deviation of added noise, in grey levels
    contrast: float = 1.0  # 1: black on white; 0.35: a washed-out screen
    seed: int = 0


def render(scene: Scene) -> Frame:
    rng = np.random.default_rng(scene.seed)
    width, height = scene.size
    frame = _background(width, height, rng)
    if scene.text is not None:
        _draw_code(frame, scene, rng)
    if scene.contrast != 1.0:
        frame = (128 + (frame.astype(np.float32) - 128) * scene.contrast).clip(0, 255).astype(np.uint8)
    if scene.blur > 0:
        frame = np.asarray(cv2.GaussianBlur(frame, (0, 0), scene.blur), dtype=np.uint8)
    if scene.noise > 0:
        noisy = frame.astype(np.float32) + rng.normal(0, scene.noise, frame.shape)
        frame = noisy.clip(0, 255).astype(np.uint8)
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), dtype=np.uint8)


def _background(width: int, height: int, rng: np.random.Generator) -> Frame:
    """A counter top and a hand: a gradient with a few soft shapes, not a blank page."""
    ramp = np.linspace(90, 170, width, dtype=np.float32)[None, :] + np.linspace(0, 40, height)[:, None]
    frame = ramp.astype(np.uint8)
    for _ in range(6):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        cv2.circle(frame, (x, y), int(rng.integers(20, height // 3)), int(rng.integers(40, 220)), -1)
    return frame


def _draw_code(frame: Frame, scene: Scene, rng: np.random.Generator) -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(scene.text)
    modules = np.array(code.get_matrix(), dtype=np.uint8)
    side = int(frame.shape[0] * scene.scale)
    tile = cv2.resize(
        np.where(modules, 0, 255).astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST
    )
    height, width = frame.shape
    cx, cy = width / 2 + rng.uniform(-0.1, 0.1) * width, height / 2 + rng.uniform(-0.08, 0.08) * height
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=np.float32) * side / 2
    shrink = np.array([1 - scene.tilt, 1 - scene.tilt, 1 + scene.tilt, 1 + scene.tilt], dtype=np.float32)
    corners[:, 0] *= shrink  # the far edge looks narrower: the code leans back
    angle = np.deg2rad(scene.rotation)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    target = corners @ turn.T + np.array([cx, cy], dtype=np.float32)
    source = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float32)
    warp = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(tile, warp, (width, height), borderValue=0)
    mask = cv2.warpPerspective(np.full_like(tile, 255), warp, (width, height)) > 0
    frame[mask] = warped[mask]


class SimulatedCamera:
    """Frames of ``scenes`` in turn, each held for ``frames_each`` frames; None at the end."""

    def __init__(self, scenes: Iterable[Scene], frames_each: int = 1, fps: float = 30.0) -> None:
        rendered: dict[Scene, Frame] = {}  # a scene repeated is drawn once
        self._frames: list[Frame] = []
        for scene in scenes:
            if scene not in rendered:
                rendered[scene] = render(scene)
            self._frames.append(rendered[scene])
        self.frames_each = frames_each
        self.fps = fps
        self._index = 0

    def read(self) -> Frame | None:
        which = self._index // self.frames_each
        if which >= len(self._frames):
            return None
        self._index += 1
        return self._frames[which]

    def close(self) -> None:
        self._index = len(self._frames) * self.frames_each


def write_video(path: Path, scenes: Iterable[Scene], frames_each: int = 1, fps: float = 30.0) -> Path:
    """A lossless-enough MJPG .avi of the scenes, as a camera recording would be."""
    frames = [render(scene) for scene in scenes]
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    for frame in frames:
        for _ in range(frames_each):
            writer.write(frame)
    writer.release()
    return path
