"""The serial scanner: framing (pure), the driver against the simulator over a real pty, the CLI."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.scanner.errors import IncompleteRead, NotUtf8, ReadTooLong
from drivers.scanner.framing import TERMINATORS, LineFramer, decode
from drivers.scanner.serial_scanner import ScannerSettings, SerialScanner
from hardware_sim.control import ControlClient
from hardware_sim.scanner import ScannerSim

CODE = "000.00.53.H48-220921-0099"

# -- framing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terminator", "stream", "reads"),
    [
        ("CR", b"A1-1\rB2-2\r", [b"A1-1", b"B2-2"]),
        ("LF", b"A1-1\nB2", [b"A1-1"]),
        ("CRLF", b"A1-1\r\nB2-2\r\n", [b"A1-1", b"B2-2"]),
        ("TAB", b"A1-1\t\t", [b"A1-1"]),  # an empty read is no read
    ],
)
def test_terminators(terminator: str, stream: bytes, reads: list[bytes]) -> None:
    assert LineFramer(TERMINATORS[terminator], 64).feed(stream) == reads


def test_a_terminator_split_across_feeds() -> None:
    framer = LineFramer(b"\r\n", 64)
    assert framer.feed(b"ABC\r") == []
    assert framer.feed(b"\nDEF\r\n") == [b"ABC", b"DEF"]


def test_an_overlong_line_is_one_error_and_bounded_memory() -> None:
    framer = LineFramer(b"\r", 32)
    out: list[object] = []
    for _ in range(100):  # 10 KB in 100-byte pieces
        out += framer.feed(b"x" * 100)
        assert framer.pending <= 32
    out += framer.feed(b"\rOK-1\r")
    assert [type(o) for o in out] == [ReadTooLong, bytes] and out[-1] == b"OK-1"


def test_decode_strips_prefix_and_suffix_and_refuses_non_utf8() -> None:
    assert decode(b"]Q1" + CODE.encode() + b"#", prefix="]Q1", suffix="#") == CODE
    assert decode("Mã hồ sơ".encode()) == "Mã hồ sơ"
    with pytest.raises(NotUtf8):
        decode(b"\xff\xfe\x00abc")


@given(reads=st.lists(st.binary(min_size=1, max_size=40).filter(lambda b: b"\r" not in b), max_size=8),
       cuts=st.lists(st.integers(0, 400), max_size=6))  # fmt: skip
def test_framing_does_not_depend_on_how_bytes_arrive(reads: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(r + b"\r" for r in reads)
    framer = LineFramer(b"\r", 64)
    got: list[object] = []
    start = 0
    for cut in [*sorted(c for c in cuts if c < len(stream)), len(stream)]:
        got += framer.feed(stream[start:cut])
        start = cut
    assert got == reads


# -- the driver against the simulator ---------------------------------------------------------


class Rig:
    def __init__(self, root: Path, **settings: object) -> None:
        self.sim = ScannerSim(root / "scanner", prefix="]Q1").start_in_thread()
        self.ctl = ControlClient(self.sim.control_path)
        defaults: dict[str, object] = {"prefix": "]Q1", "repeat_window_s": 0.5, "idle_reset_s": 0.1,
                                       "reconnect_s": 0.05, "max_length": 512}  # fmt: skip
        self.scanner = SerialScanner.from_url(
            str(root / "scanner"), settings=ScannerSettings(**{**defaults, **settings})
        )  # type: ignore[arg-type]

        assert self.scanner.connect()

    def send_soon(self, *cmd: str, after: float = 0.05) -> threading.Timer:
        timer = threading.Timer(after, self.ctl.call, cmd)
        timer.start()
        return timer


@pytest.fixture
def rig(short_tmp: Path) -> Iterator[Rig]:
    r = Rig(short_tmp)
    yield r
    r.scanner.close()
    r.sim.stop()


def test_a_scanned_code_arrives_without_its_prefix(rig: Rig) -> None:
    rig.send_soon("scan", CODE)
    assert rig.scanner.read_code(2) == CODE


def test_vietnamese_text_arrives_intact(rig: Rig) -> None:
    rig.ctl.call("scan", "Mã hồ sơ: " + CODE)
    assert rig.scanner.read_code(2) == "Mã hồ sơ: " + CODE


def test_a_repeat_within_the_window_is_dropped_after_it_is_read_again(rig: Rig) -> None:
    rig.ctl.call("scan", CODE)
    rig.ctl.call("scan", CODE)
    rig.ctl.call("scan", "G22.39-240517-0012")
    assert rig.scanner.read_code(2) == CODE
    assert rig.scanner.read_code(2) == "G22.39-240517-0012"
    rig.send_soon("scan", CODE, after=0.6)
    assert rig.scanner.read_code(2) == CODE


def test_garbage_spoils_one_read_only(rig: Rig) -> None:
    rig.ctl.call("raw", "ff fe 80 0d")
    rig.ctl.call("scan", CODE)
    with pytest.raises(NotUtf8):
        rig.scanner.read_code(2)
    assert rig.scanner.read_code(2) == CODE


def test_a_10_kb_line_is_refused_and_reading_goes_on(rig: Rig) -> None:
    rig.ctl.call("flood", 10_000)
    rig.ctl.call("scan", CODE)
    with pytest.raises(ReadTooLong):
        rig.scanner.read_code(2)
    assert rig.scanner.read_code(2) == CODE


def test_half_a_code_then_silence_is_dropped(rig: Rig) -> None:
    rig.ctl.call("half", CODE)
    with pytest.raises(IncompleteRead):
        rig.scanner.read_code(2)
    rig.ctl.call("scan", CODE)
    assert rig.scanner.read_code(2) == CODE


def test_nothing_in_time_is_none(rig: Rig) -> None:
    assert rig.scanner.read_code(0.1) is None


def test_unplug_and_replug(rig: Rig) -> None:
    rig.ctl.call("scan", CODE)
    assert rig.scanner.read_code(2) == CODE
    rig.ctl.call("link", "down")
    assert rig.scanner.read_code(0.2) is None
    assert rig.scanner.link_error is not None
    rig.ctl.call("link", "up")
    rig.send_soon("scan", "G22.39-240517-0012", after=0.2)
    assert rig.scanner.read_code(3) == "G22.39-240517-0012"
    assert rig.scanner.link_error is None


# -- kiosk scan ----------------------------------------------------------------------------------


@pytest.fixture
def scan_cli(short_tmp: Path) -> Iterator[tuple[Callable[..., subprocess.Popen[str]], ControlClient]]:
    sim = ScannerSim(short_tmp / "scanner").start_in_thread()
    cfg = short_tmp / "kiosk.toml"
    cfg.write_text(
        f'[kiosk]\nid = "K1"\ndata_dir = "{short_tmp}/data"\n[scanner]\nurl = "{short_tmp}/scanner"\n'
    )

    def start(*args: str) -> subprocess.Popen[str]:
        argv = [sys.executable, "-m", "commands", "--config", str(cfg), "scan", *args]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    yield start, ControlClient(sim.control_path)
    sim.stop()


def wait_then(proc: subprocess.Popen[str], client: ControlClient, *cmd: str) -> None:
    """Scan once the kiosk says it is listening (a port flushes its input when opened)."""
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("Scan a code now")
    client.call(*cmd)


def test_kiosk_scan_once_prints_kind_and_fields(scan_cli) -> None:  # type: ignore[no-untyped-def]
    start, ctl = scan_cli
    proc = start("--once", "--timeout", "10")
    wait_then(proc, ctl, "scan", CODE)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.splitlines()[:4] == ["kind: dossier", f"code: {CODE}", "regulated: yes", "unit: 000.00.53.H48"]


def test_kiosk_scan_once_says_why_a_code_is_rejected(scan_cli) -> None:  # type: ignore[no-untyped-def]
    start, ctl = scan_cli
    proc = start("--once", "--timeout", "10")
    wait_then(proc, ctl, "scan", "https://evil.example.com/?code=" + CODE)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and "Traceback" not in err
    assert out.startswith("rejected: Đường dẫn này không thuộc cổng dịch vụ công. / This link is not from")


def test_kiosk_scan_times_out_plainly(scan_cli) -> None:  # type: ignore[no-untyped-def]
    start, _ = scan_cli
    out, _err = start("--once", "--timeout", "0.3").communicate(timeout=20)
    assert out.splitlines()[-1] == "no code within 0.3 s"


@pytest.mark.parametrize(
    "text",
    [
        "DKP1|HG-VT-01|000.00.53.H48-220921-0099|A05|²|q3Jx0bV1uA7dLk2mN9pR4s",  # what gave a traceback
        "http://[::1/?code=000.00.53.H48-220921-0099",
    ],
)
def test_kiosk_scan_prints_a_rejection_for_what_once_gave_a_traceback(scan_cli, text: str) -> None:  # type: ignore[no-untyped-def]
    start, ctl = scan_cli
    proc = start("--once", "--timeout", "10")
    wait_then(proc, ctl, "scan", text)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert out.startswith("rejected: ")
