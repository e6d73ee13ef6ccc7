"""The camera scanner against the simulated camera and against a video file made here."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from drivers.scanner.camera import CameraScanner, CameraUnavailable, OpenCVSource
from drivers.scanner.decoders import DecoderUnavailable, ZxingDecoder, decoder_for
from hardware_sim.camera import Scene, SimulatedCamera, render, write_video

CODE = "000.00.53.H48-220921-0099"
TOKEN = "DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|1764000000|q3Jx0bV1uA7dLk2mN9pR4s"


def scanner(camera: SimulatedCamera, **kw: float) -> CameraScanner:
    return CameraScanner(camera, ZxingDecoder(), **kw)


def test_a_code_in_view_is_read_once_while_held() -> None:
    cam = SimulatedCamera([Scene(None), Scene(CODE, rotation=10), Scene(None, seed=2)], frames_each=15)
    sc = scanner(cam, idle_fps=0)
    try:
        assert sc.read_code(3) == CODE
        assert sc.read_code(3) is None  # the same code held in view is not read again; then the end
    finally:
        sc.close()


def test_two_different_codes_are_both_read() -> None:
    cam = SimulatedCamera([Scene(CODE), Scene(None), Scene(TOKEN, tilt=0.15, blur=0.8)], frames_each=10)
    sc = scanner(cam, idle_fps=0)
    try:
        assert [sc.read_code(3), sc.read_code(3)] == [CODE, TOKEN]
    finally:
        sc.close()


class SlowDecoder(ZxingDecoder):
    """A decoder slower than the camera, to show frames are skipped and not queued."""

    def decode(self, gray):  # type: ignore[no-untyped-def]
        time.sleep(0.02)
        return super().decode(gray)


def test_frames_are_skipped_so_decoding_never_lags() -> None:
    cam = SimulatedCamera([Scene(None)] * 60 + [Scene(CODE)], fps=200)  # renders each scene once
    sc = CameraScanner(cam, SlowDecoder(), idle_fps=0)
    try:
        assert sc.read_code(5) == CODE  # the last frame: reached though most were never decoded
        assert sc.stats.frames_skipped > sc.stats.frames_decoded
    finally:
        sc.close()


def test_idle_decoding_is_capped() -> None:
    cam = SimulatedCamera([Scene(None)], frames_each=400, fps=200)  # 2 s of empty frames
    sc = scanner(cam, idle_fps=5)
    try:
        assert sc.read_code(1.0) is None
        assert sc.stats.frames_decoded <= 7  # about 5 a second, not 200
        assert sc.stats.frames_in > 100
    finally:
        sc.close()


def test_a_video_file_through_opencv(tmp_path: Path) -> None:
    video = write_video(tmp_path / "counter.avi", [Scene(None), Scene(CODE, rotation=-20, noise=6, blur=1.0)],
                        frames_each=10, fps=30)  # fmt: skip
    sc = CameraScanner(OpenCVSource(str(video)), ZxingDecoder(), idle_fps=0)
    try:
        assert sc.read_code(5) == CODE
        assert sc.read_code(2) is None  # the file ended
    finally:
        sc.close()


def test_a_camera_that_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable, match="cannot open the camera"):
        OpenCVSource(str(tmp_path / "no-such-video.avi"))


def test_unknown_decoder_and_pyzbar_without_its_library() -> None:
    with pytest.raises(DecoderUnavailable, match="unknown decoder 'zbar'"):
        decoder_for("zbar")
    try:
        decoder = decoder_for("pyzbar")
    except DecoderUnavailable as exc:
        assert "apt-get install libzbar0" in str(exc)
    else:  # where libzbar0 and the extra are installed, it must read what zxing reads
        gray = render(Scene(CODE))[..., 1]
        assert decoder.decode(np.ascontiguousarray(gray)) == [CODE]


def test_kiosk_scan_from_a_camera(tmp_path: Path) -> None:
    import subprocess
    import sys

    video = write_video(
        tmp_path / "slip.avi", [Scene(None), Scene("Mã hồ sơ: " + CODE, rotation=15)], frames_each=8
    )
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[kiosk]\nid = "K1"\ndata_dir = "{tmp_path}/data"\n[camera]\nsource = "{video}"\n')
    done = subprocess.run(
        [sys.executable, "-m", "commands", "--config", str(cfg), "scan", "--once", "--timeout", "10"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "kind: receipt" in done.stdout and f"dossier.code: {CODE}" in done.stdout


def test_kiosk_scan_with_a_camera_that_is_not_there(tmp_path: Path) -> None:
    import subprocess
    import sys

    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(
        f'[kiosk]\nid = "K1"\ndata_dir = "{tmp_path}/data"\n[camera]\nsource = "{tmp_path}/none.avi"\n'
    )
    done = subprocess.run([sys.executable, "-m", "commands", "--config", str(cfg), "scan", "--once"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: cannot open the camera")


def test_kiosk_sim_writes_a_camera_video_the_driver_reads(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "held.avi"
    argv = [sys.executable, "-m", "hardware_sim", "camera-video", "--out", str(out), "--text", CODE,
            "--seconds", "0.5", "--rotation", "30", "--blur", "0.8"]  # fmt: skip
    subprocess.run(argv, check=True, capture_output=True)
    sc = CameraScanner(OpenCVSource(str(out)), ZxingDecoder(), idle_fps=0)
    try:
        assert sc.read_code(5) == CODE
    finally:
        sc.close()
