"""Phone-photo-like frames of a QR, drawn from a seed: the camera benchmark's corpus.

Each frame is what a kiosk camera sees when a person holds up a slip, a phone or a printed
t-shirt: a colour picture with the code in perspective (each corner of the quad moved on its own),
on paper, on a phone's screen or printed on cloth that wrinkles; a shadow across it, uneven light
and vignetting, defocus or motion blur, sensor noise, a washed-out contrast, a colour cast, and
the phone camera's JPEG. Frames without a code are the same scenes with nothing, or with a
QR-like pattern that is no code (a checked cloth, a stamp of squares). The same seed always
draws the same frames; nothing is downloaded.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import qrcode

Image = np.ndarray[Any, np.dtype[Any]]


@dataclass(frozen=True)
class Photo:
    text: str | None  # what the code holds; None: no code in the frame
    bgr: Image  # the frame as the camera delivers it (H x W x 3, uint8, BGR)
    surface: str  # paper, screen, cloth or none


def corpus(seed: int, with_code: int, without: int, size: tuple[int, int] = (640, 480)) -> list[Photo]:
    """``with_code`` frames holding a code, then ``without`` frames holding none."""
    rng = random.Random(seed)
    photos = [draw(_text(rng), size, rng.randrange(2**32)) for _ in range(with_code)]
    return photos + [draw(None, size, rng.randrange(2**32)) for _ in range(without)]


def _text(rng: random.Random) -> str:
    day = f"{rng.randint(22, 26):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    code = f"000.00.{rng.randint(1, 99):02d}.H{rng.randint(10, 99)}-{day}-{rng.randint(0, 9999):04d}"
    pick = rng.random()
    if pick < 0.3:  # a pickup token: a longer code, more modules
        expiry = rng.randint(1_760_000_000, 1_800_000_000)
        tail = "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(22)
        )
        return f"DKP1|HG-VT-01|{code}|A{rng.randint(1, 24):02d}|{expiry}|{tail}"
    if pick < 0.4:  # a receipt's QR with Vietnamese text in it (UTF-8 bytes)
        return f"Mã hồ sơ: {code}"
    return code


def draw(text: str | None, size: tuple[int, int], seed: int) -> Photo:
    rng = np.random.default_rng(seed)
    width, height = size
    surface = "none" if text is None else str(rng.choice(["paper", "paper", "screen", "cloth"]))
    frame = _shirt(width, height, rng) if surface == "cloth" else _background(width, height, rng)
    if text is not None:
        _place(
            frame,
            *_surface(text, surface, rng, dark_shirt=float(frame.mean()) < 100),
            rng,
            surface == "cloth",
        )
    elif rng.random() < 0.35:
        _place(frame, *_decoy(rng), rng, cloth=rng.random() < 0.5)
    frame = _light(frame, rng)
    frame = _blur(frame, rng)
    frame = _sensor(frame, rng)
    return Photo(text, _jpeg(frame, rng), surface)


# -- backgrounds (float32 BGR in 0..255) ----------------------------------------------------------


def _cloth(width: int, height: int, rng: np.random.Generator) -> Image:
    """A woven fabric: two thread directions at a fine pitch, fibre noise, folds in the light."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    u, v = x * np.cos(angle) + y * np.sin(angle), -x * np.sin(angle) + y * np.cos(angle)
    pitch = rng.uniform(2.0, 4.0)
    weave = 0.5 + 0.25 * (np.sin(2 * np.pi * u / pitch) + np.sin(2 * np.pi * v / pitch))
    fibre = cv2.GaussianBlur(rng.standard_normal((height, width), dtype=np.float32), (0, 0), 0.8)
    folds = _smooth_field(width, height, rng, scale=rng.uniform(60, 160), amplitude=0.35)
    grey = (0.55 + 0.3 * weave + 0.08 * fibre) * (1 + folds)
    return _tint(grey, rng)


def _counter(width: int, height: int, rng: np.random.Generator) -> Image:
    """A counter top or a desk: wood-like grain and a few soft objects (a hand, a bag)."""
    x = np.arange(width, dtype=np.float32)[None, :]
    grain = np.sin(x / rng.uniform(3, 9) + 4 * _smooth_field(width, height, rng, 40, 1.0))
    grey = 0.6 + 0.08 * grain + _smooth_field(width, height, rng, 120, 0.15)
    for _ in range(int(rng.integers(2, 6))):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (int(rng.integers(20, width // 3)), int(rng.integers(20, height // 3)))
        cv2.ellipse(grey, centre, axes, float(rng.uniform(0, 180)), 0, 360, float(rng.uniform(0.2, 0.95)), -1)
    return _tint(cv2.GaussianBlur(grey, (0, 0), 2.0), rng)


def _clutter(width: int, height: int, rng: np.random.Generator) -> Image:
    """Papers on a desk: light sheets at angles, lines of print, edges everywhere."""
    grey = np.full((height, width), rng.uniform(0.3, 0.6), np.float32)
    for _ in range(int(rng.integers(2, 5))):
        quad = _random_quad(width, height, rng, rng.uniform(0.3, 0.8) * height, perspective=0.2)
        cv2.fillConvexPoly(grey, quad.astype(np.int32), float(rng.uniform(0.75, 1.0)))
    for _ in range(int(rng.integers(10, 40))):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        cv2.line(grey, (x0, y0), (x0 + int(rng.integers(20, 120)), y0), float(rng.uniform(0.1, 0.4)), 1)
    return _tint(grey, rng)


def _shirt(width: int, height: int, rng: np.random.Generator) -> Image:
    """A t-shirt the code is printed on: light, or (one in three) dark with a light print."""
    cloth = _cloth(width, height, rng)
    return cloth * np.float32(0.3) if rng.random() < 0.33 else cloth


def _background(width: int, height: int, rng: np.random.Generator) -> Image:
    return BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))](width, height, rng)


BACKGROUNDS: tuple[Callable[[int, int, np.random.Generator], Image], ...] = (_cloth, _counter, _clutter)


def _tint(grey: Image, rng: np.random.Generator) -> Image:
    colour = rng.uniform(0.45, 1.0, 3).astype(np.float32)
    colour /= colour.max()
    return np.clip(grey[..., None] * colour * 255, 0, 255).astype(np.float32)


def _smooth_field(width: int, height: int, rng: np.random.Generator, scale: float, amplitude: float) -> Image:
    """Smooth random values in about -amplitude..amplitude, changing over ``scale`` pixels."""
    small = rng.normal(0, 1, (max(2, int(height / scale) + 2), max(2, int(width / scale) + 2)))
    field = cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return np.asarray(field * amplitude / 2, dtype=np.float32)


# -- what holds the code ----------------------------------------------------------------------------


def _modules(text: str, rng: np.random.Generator) -> Image:
    level = [qrcode.constants.ERROR_CORRECT_M, qrcode.constants.ERROR_CORRECT_L][int(rng.random() < 0.3)]
    # any mask will do for a picture, and scoring all eight is most of qrcode's time
    code = qrcode.QRCode(error_correction=level, border=4, box_size=1, mask_pattern=int(rng.integers(8)))
    code.add_data(text.encode("utf-8"))
    return np.array(code.get_matrix(), dtype=np.float32)  # 1: a dark module


def _surface(text: str, kind: str, rng: np.random.Generator, dark_shirt: bool) -> tuple[Image, int]:
    """The code as drawn on its surface, BGRA float32 (alpha: where the surface is), and the
    code's side in it in pixels."""
    modules = _modules(text, rng)
    box = int(rng.integers(8, 14))  # pixels a module before the surface is placed in the frame
    dark = cv2.resize(modules, None, fx=box, fy=box, interpolation=cv2.INTER_NEAREST)
    side = dark.shape[0]
    if kind == "screen":  # a phone: bright, bluish, with a black bezel around the code
        bezel = int(side * rng.uniform(0.08, 0.2))
        light = np.array([255, 245, 235], np.float32) * rng.uniform(0.85, 1.0)
        body = np.zeros((side + 2 * bezel, side + 2 * bezel, 3), np.float32)
        body[bezel:-bezel, bezel:-bezel] = (1 - dark[..., None] * rng.uniform(0.85, 0.97)) * light
        return _with_alpha(body), side
    if kind == "cloth":  # ink on the shirt itself: the weave shows through it and around it
        ink = rng.uniform(190, 245, 3) if dark_shirt else rng.uniform(5, 60, 3)
        body = np.broadcast_to(np.asarray(ink, np.float32), (*dark.shape, 3))
        return np.dstack([body, dark * 255 * rng.uniform(0.7, 0.95)]), side
    paper = np.array(rng.uniform(215, 250, 3), np.float32)
    ink = rng.uniform(0, 60)
    body = paper * (1 - dark[..., None]) + ink * dark[..., None]
    margin = int(side * rng.uniform(0.0, 0.3))  # the slip around the code
    slip = cv2.copyMakeBorder(body, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=paper.tolist())
    return _with_alpha(slip), side


def _decoy(rng: np.random.Generator) -> tuple[Image, int]:
    """Squares that look like a code and are none: a checked cloth, a stamp, a sudoku."""
    cells = int(rng.integers(8, 30))
    blocks = (rng.random((cells, cells)) < rng.uniform(0.3, 0.6)).astype(np.float32)
    box = int(rng.integers(8, 14))
    dark = cv2.resize(blocks, None, fx=box, fy=box, interpolation=cv2.INTER_NEAREST)
    body = np.array(rng.uniform(200, 250, 3), np.float32) * (1 - dark[..., None] * rng.uniform(0.6, 0.95))
    return _with_alpha(body), body.shape[0]


def _with_alpha(body: Image) -> Image:
    return np.dstack([body, np.full(body.shape[:2], 255, np.float32)])


def _random_quad(width: int, height: int, rng: np.random.Generator, side: float, perspective: float) -> Image:
    """A quad of about ``side`` pixels, turned any way, its corners moved apart (a photo's lean)."""
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32) * side / 2
    corners += rng.uniform(-perspective, perspective, (4, 2)).astype(np.float32) * side / 2
    angle = rng.uniform(0, 2 * np.pi)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    centre = np.array([width * rng.uniform(0.35, 0.65), height * rng.uniform(0.35, 0.65)], np.float32)
    return np.asarray(corners @ turn.T + centre, np.float32)


def _place(frame: Image, surface: Image, code_px: int, rng: np.random.Generator, cloth: bool) -> None:
    """Warp the surface into the frame in perspective; cloth also wrinkles."""
    height, width = frame.shape[:2]
    if cloth:
        surface = _wrinkle(surface, rng)
    # the code's own side, a sixth to 0.6 of the frame's height (the surface is larger by its margin)
    side = height * rng.uniform(0.17, 0.6) * surface.shape[0] / code_px
    target = _random_quad(width, height, rng, side, perspective=rng.uniform(0.0, 0.3))
    h, w = surface.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    warp = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(
        surface, warp, (width, height), flags=cv2.INTER_AREA if side < w else cv2.INTER_LINEAR
    )
    alpha = warped[..., 3:] / 255
    frame[:] = frame * (1 - alpha) + warped[..., :3] * alpha


def _wrinkle(surface: Image, rng: np.random.Generator) -> Image:
    h, w = surface.shape[:2]
    strength = rng.uniform(0.0, 0.012) * w
    dx = _smooth_field(w, h, rng, w / rng.uniform(2, 5), strength)
    dy = _smooth_field(w, h, rng, h / rng.uniform(2, 5), strength)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    bent = cv2.remap(surface, x + dx, y + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    shade = 1 + _smooth_field(w, h, rng, w / 4, 0.3)  # the light on the folds
    bent[..., :3] *= shade[..., None]
    return np.asarray(bent, np.float32)


# -- light, optics, sensor --------------------------------------------------------------------------


def _light(frame: Image, rng: np.random.Generator) -> Image:
    height, width = frame.shape[:2]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    gain = 1 + _smooth_field(width, height, rng, width / 2, rng.uniform(0.1, 0.5))
    radius = ((x - width / 2) ** 2 + (y - height / 2) ** 2) / (width**2 / 4 + height**2 / 4)
    gain *= 1 - rng.uniform(0.0, 0.45) * radius  # vignetting
    if rng.random() < 0.6:  # a shadow across the frame: a hand, a head, the kiosk's own hood
        mask = np.zeros((height, width), np.float32)
        cv2.fillConvexPoly(
            mask, _random_quad(width, height, rng, height * rng.uniform(0.5, 1.2), 0.5).astype(np.int32), 1.0
        )
        mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(2, 25))
        gain *= 1 - rng.uniform(0.3, 0.7) * mask
    contrast = rng.uniform(0.3, 1.0)  # a washed-out picture: low contrast about a mid grey
    mean = float(rng.uniform(90, 160))
    lit = frame * gain[..., None]
    return mean + (lit - lit.mean()) * contrast + rng.uniform(-20, 20, 3).astype(np.float32)


def _blur(frame: Image, rng: np.random.Generator) -> Image:
    pick = rng.random()
    if pick < 0.35:  # defocus
        return np.asarray(cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.3, 2.2)), np.float32)
    if pick < 0.6:  # a hand that moved
        length = int(rng.integers(3, 10))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1 / length
        turn = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), rng.uniform(0, 180), 1)
        kernel = cv2.warpAffine(kernel, turn, (length, length))
        return np.asarray(cv2.filter2D(frame, -1, kernel / max(kernel.sum(), 1e-6)), np.float32)
    return frame


def _sensor(frame: Image, rng: np.random.Generator) -> Image:
    """Shot noise (its variance grows with the light) and read noise, drawn as one Gaussian."""
    shot, read = rng.uniform(0, 0.8), rng.uniform(0, 8)
    spread = cv2.sqrt(cv2.max(frame, 1.0) * np.float32(shot**2) + np.float32(read**2))
    noise = np.empty(frame.shape, np.float32)
    cv2.setRNGSeed(int(rng.integers(2**31)))  # OpenCV's generator: a tenth of numpy's time here
    cv2.randn(noise, 0.0, 1.0)
    return np.asarray(frame + noise * spread, np.float32)


def _jpeg(frame: Image, rng: np.random.Generator) -> Image:
    quality = int(rng.integers(55, 95))
    ok, data = cv2.imencode(
        ".jpg", np.clip(frame, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), np.uint8)
