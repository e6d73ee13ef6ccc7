"""QR decoding: the camera's full path against bare zxing-cpp on phone-photo-like frames, and
the decoders on the simulated camera's frames.

The photo corpus (bench/photos.py, seed 2026): 400 colour 640x480 frames with a code (on paper, a
phone's screen or a t-shirt; perspective, shadows, blur, noise, low contrast, JPEG) and 200
without. "Full path" is what ``CameraScanner`` does with a frame from the camera: the grey
conversion, then ``ZxingDecoder.decode``. "Bare zxing-cpp" is one ``read_barcodes`` call, QR only,
default (local-average) binarizer, on a grey made by ``cv2.cvtColor`` beforehand and not timed.
"Previous path" is the camera path before issue 13 (numpy's float grey, then a fixed-threshold
pass before the local average), kept here to show nothing it read is lost. Each frame is timed
``ROUNDS`` times, the paths interleaved, and its fastest round kept: on a shared machine the
other processes' load lands on single rounds, not on the path that happens to run then.
Target: full path p50 and p95 <= 1.5x bare zxing-cpp's in the same run, reading every code
either of the others reads.

The simulated camera's corpus (hardware-sim/camera.py, seed 2026): grey frames at any rotation,
leaning back up to 0.3, blurred up to 2 px, noisy, washed out to a third of the contrast, from a
fifth to a half of the frame's height, and frames with no code at all.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

import cv2
import numpy as np
import zxingcpp

from bench import photos
from drivers.scanner.camera import gray
from drivers.scanner.decoders import Decoder, DecoderUnavailable, ZxingDecoder, decoder_for
from hardware_sim.camera import Scene, render

WITH_CODE, WITHOUT = 400, 200
SIZES = ((640, 480), (1280, 720))
SEED = 2026
ROUNDS = 5
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

Frame = np.ndarray[Any, np.dtype[np.uint8]]


def previous_path(frame: Frame) -> list[str]:
    """The camera path as it was before issue 13: numpy's ITU-R 601 grey (truncated), then
    zxing-cpp with a fixed threshold, then with the local average if that read nothing."""
    grey = frame if frame.ndim == 2 else frame[..., 0] * 0.114 + frame[..., 1] * 0.587 + frame[..., 2] * 0.299
    grey = np.asarray(grey, dtype=np.uint8)
    for binarizer in (zxingcpp.Binarizer.FixedThreshold, zxingcpp.Binarizer.LocalAverage):
        texts = [
            b.text for b in zxingcpp.read_barcodes(grey, formats=QR_ONLY, binarizer=binarizer) if b.valid
        ]
        if texts:
            return texts
    return []


def bare_zxing(grey: Frame) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(grey, formats=QR_ONLY) if b.valid]


def full_path(decoder: Decoder) -> Callable[[Frame], list[str]]:
    return lambda frame: decoder.decode(gray(frame))


def sim_corpus(
    size: tuple[int, int], seed: int, with_code: int = WITH_CODE, without: int = WITHOUT
) -> list[tuple[str | None, Frame]]:
    rng = random.Random(seed)
    frames: list[tuple[str | None, Frame]] = []
    for i in range(with_code + without):
        text = None
        if i < with_code:
            day = f"{rng.randint(22, 26):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            text = f"000.00.{rng.randint(1, 99):02d}.H{rng.randint(10, 99)}-{day}-{rng.randint(0, 9999):04d}"
            if rng.random() < 0.3:  # a pickup token: a longer code, more modules
                expiry = rng.randint(1_760_000_000, 1_800_000_000)
                text = f"DKP1|HG-VT-01|{text}|A{rng.randint(1, 24):02d}|{expiry}|{'x' * 22}"
        scene = Scene(
            text, size, scale=rng.uniform(0.2, 0.55), rotation=rng.uniform(-180, 180),
            tilt=rng.uniform(0, 0.3), blur=rng.uniform(0, 2.0), noise=rng.uniform(0, 12),
            contrast=rng.uniform(0.35, 1.0), seed=i,
        )  # fmt: skip
        frames.append((text, np.asarray(cv2.cvtColor(render(scene), cv2.COLOR_BGR2GRAY), dtype=np.uint8)))
    return frames


class Tally:
    """What one path read on a corpus, frame by frame, and how long each frame took."""

    def __init__(self) -> None:
        self.read: list[bool] = []  # per frame with a code: its text was among the results
        self.wrong = 0  # a frame with a code gave other text
        self.false_positives = 0  # a frame without a code gave any text
        self.ms_with: list[float] = []
        self.ms_without: list[float] = []

    def add(self, truth: str | None, texts: list[str], ms: float) -> None:
        if truth is None:
            self.false_positives += bool(texts)
            self.ms_without.append(ms)
            return
        self.read.append(truth in texts)
        self.wrong += bool(texts) and truth not in texts
        self.ms_with.append(ms)

    def missed_from(self, other: Tally) -> int:
        """Frames the other path read and this one did not."""
        return sum(theirs and not ours for ours, theirs in zip(self.read, other.read, strict=True))


def _quantiles(ms: list[float]) -> str:
    qs = statistics.quantiles(ms, n=100, method="inclusive")
    return f"{qs[49]:.2f} / {qs[94]:.2f}"


def _p(ms: list[float], at: int) -> float:
    return statistics.quantiles(ms, n=100, method="inclusive")[at - 1]


def run_photos(seed: int = SEED) -> dict[str, Tally]:
    corpus = photos.corpus(seed, WITH_CODE, WITHOUT)
    full = full_path(ZxingDecoder())
    paths: dict[str, Callable[[Frame, Frame], list[str]]] = {
        "full path (camera grey + ZxingDecoder)": lambda frame, _grey: full(frame),
        "bare zxing-cpp (QR, local average, cvtColor grey given)": lambda _frame, grey: bare_zxing(grey),
        "previous path (numpy grey, fixed threshold, local average)": lambda frame, _grey: previous_path(
            frame
        ),
    }
    tallies = {name: Tally() for name in paths}
    for photo in corpus:
        grey = np.asarray(cv2.cvtColor(photo.bgr, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        fastest = dict.fromkeys(paths, float("inf"))
        results: dict[str, list[str]] = {}
        for _ in range(ROUNDS):
            for name, path in paths.items():
                start = time.perf_counter()
                results[name] = path(photo.bgr, grey)
                fastest[name] = min(fastest[name], (time.perf_counter() - start) * 1000)
        for name in paths:
            tallies[name].add(photo.text, results[name], fastest[name])
    return tallies


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
        f"load average {load} at the end, Python {platform.python_version()}, zxing-cpp "
        f"{metadata.version('zxing-cpp')}, OpenCV {cv2.__version__}"
    )


def print_photos(tallies: dict[str, Tally]) -> None:
    print(f"\n## QR decoding: the camera path on phone-like photos ({WITH_CODE} frames with a code, "
          f"{WITHOUT} without, 640x480, seed {SEED}, fastest of {ROUNDS} rounds a frame)\n")  # fmt: skip
    print("| path | read | wrong | false positives | with a code p50 / p95 ms | without p50 / p95 ms |")
    print("|---|---|---|---|---|---|")
    for name, t in tallies.items():
        print(f"| {name} | {sum(t.read)}/{WITH_CODE} | {t.wrong} | {t.false_positives}/{WITHOUT} | "
              f"{_quantiles(t.ms_with)} | {_quantiles(t.ms_without)} |")  # fmt: skip
    full, bare, previous = tallies.values()
    print()
    for label, ms_full, ms_bare in (("with a code", full.ms_with, bare.ms_with),
                                    ("without a code", full.ms_without, bare.ms_without)):  # fmt: skip
        ratios = [_p(ms_full, q) / _p(ms_bare, q) for q in (50, 95)]
        print(
            f"- full path / bare zxing-cpp, {label}: p50 {ratios[0]:.2f}x, p95 {ratios[1]:.2f}x "
            "(target <= 1.5x)"
        )
    print(
        f"- codes bare zxing-cpp read that the full path missed: {full.missed_from(bare)}; "
        f"the previous path read and it missed: {full.missed_from(previous)}; "
        f"it read and bare zxing-cpp missed: {bare.missed_from(full)}"
    )
    print(f"- machine: {machine()}")


def measure(name: str, frames: list[tuple[str | None, Frame]]) -> str:
    decoder = decoder_for(name)
    tally = Tally()
    for truth, grey in frames:
        start = time.perf_counter()
        texts = decoder.decode(grey)
        tally.add(truth, texts, (time.perf_counter() - start) * 1000)
    ms = tally.ms_with + tally.ms_without
    times = _quantiles(ms).replace(" / ", " | ")
    return f"{sum(tally.read) / WITH_CODE:.1%} | {tally.wrong} | {tally.false_positives} | {times}"


def print_sim() -> None:
    print(
        f"\n## QR decoding: the simulated camera ({WITH_CODE} grey frames with a code, "
        f"{WITHOUT} without, per size)\n"
    )
    print("| decoder | size | detection | wrong decodes | false positives | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for size in SIZES:
        frames = sim_corpus(size, seed=SEED)
        for name in ("zxing", "pyzbar"):
            try:
                row = measure(name, frames)
            except DecoderUnavailable as exc:
                row = f"not run: {exc} | | | |"
            print(f"| {name} | {size[0]}x{size[1]} | {row} |")
        if size == SIZES[0]:
            read = sum(truth is not None and truth in previous_path(grey) for truth, grey in frames)
            print(f"| previous zxing path | {size[0]}x{size[1]} | {read / WITH_CODE:.1%} | | | | |")


def main() -> None:
    print_photos(run_photos())
    print_sim()


if __name__ == "__main__":
    main()
