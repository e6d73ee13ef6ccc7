"""The production ReceiptPrinter against the printer simulator over a real pty, and the CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.errors import LinkLost, LinkUnavailable
from drivers.printer.errors import PrinterNotReady, PrintInterrupted, StatusUnreadable
from drivers.printer.printer import ReceiptPrinter
from drivers.printer.render import PrinterProfile, VietnameseMode
from hardware_sim.control import ControlClient
from hardware_sim.printer import PrinterSim
from tests.printing import dropoff


class Rig:
    def __init__(self, root: Path, profile: str = "TM-T20II", paper: str = "80mm") -> None:
        self.out = root / "receipts"
        self.sim = PrinterSim(root / "printer", out=self.out, profile=profile, paper=paper).start_in_thread()
        self.ctl = ControlClient(self.sim.control_path)
        self.printer = ReceiptPrinter.from_url(str(root / "printer"), PrinterProfile(profile, paper))
        self.printer.status_timeout_s = 0.2

    def receipts(self, wait: float = 0.5) -> list[str]:
        """The receipts saved once the printer has had ``wait`` seconds to finish (and, with no
        cutter, to tear off); waiting also lets a test show that nothing came out."""
        time.sleep(wait)
        return list(self.ctl.call("state")["receipts"])


@pytest.fixture
def rig(short_tmp: Path) -> Iterator[Rig]:
    r = Rig(short_tmp)
    yield r
    r.printer.close()
    r.sim.stop()


def test_status_of_a_healthy_printer(rig: Rig) -> None:
    status = rig.printer.status()
    assert status.can_print and not status.warnings


def test_a_receipt_comes_out_as_png_and_text(rig: Rig) -> None:
    result = rig.printer.print(dropoff())
    assert result.bytes_sent == 993 and result.warnings == []
    assert rig.receipts() == ["receipt-0001"]
    text = (rig.out / "receipt-0001.txt").read_text(encoding="utf-8")
    assert "BIÊN NHẬN NỘP HỒ SƠ" in text and "Mã hồ sơ / Dossier: 000.00.53.H48-220921-0099" in text
    assert (rig.out / "receipt-0001.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (("paper", "out"), "the paper has run out: load a new roll"),
        (("cover", "open"), "the cover is open: close it"),
        (("offline", "on"), "the printer is offline: check its power and error light"),
    ],
)
def test_a_print_that_cannot_happen_sends_nothing(rig: Rig, fault: tuple[str, str], problem: str) -> None:
    rig.ctl.call(*fault)
    with pytest.raises(PrinterNotReady) as err:
        rig.printer.print(dropoff())
    assert err.value.problems == [problem]
    assert rig.receipts() == []


def test_paper_near_end_prints_with_a_warning(rig: Rig) -> None:
    rig.ctl.call("paper", "near")
    result = rig.printer.print(dropoff())
    assert result.warnings == ["the paper is nearly out: load a new roll soon"]


@pytest.mark.parametrize("mode", ["garbage", "silent"])
def test_a_status_that_makes_no_sense_is_unreadable(rig: Rig, mode: str) -> None:
    rig.ctl.call("status", mode)
    with pytest.raises(StatusUnreadable):
        rig.printer.print(dropoff())
    assert rig.receipts() == []


def test_paper_running_out_mid_print_is_reported_not_retried(rig: Rig) -> None:
    rig.ctl.call("runout", 300)
    with pytest.raises(PrintInterrupted, match=r"was cut off .*paper has run out"):
        rig.printer.print(dropoff())
    assert rig.receipts() == ["receipt-0001"]  # the part that came out
    assert "[CUT OFF" in (rig.out / "receipt-0001.txt").read_text(encoding="utf-8")


def test_a_printer_that_is_not_there(rig: Rig) -> None:
    rig.ctl.call("link", "down")
    with pytest.raises((LinkUnavailable, LinkLost)):
        rig.printer.status()


def test_cheap_58mm_printer_gets_vietnamese_as_user_defined_characters(short_tmp: Path) -> None:
    rig = Rig(short_tmp, "POS-5890", "58mm")
    try:
        assert rig.printer.mode is VietnameseMode.USER_CHARS
        result = rig.printer.print(dropoff())
        assert result.bytes_sent < 8 * 19200 / 10  # within 8 s at 19200 baud
        assert rig.receipts(wait=0.8) == ["receipt-0001"]  # torn off: this printer has no cutter
        text = (rig.out / "receipt-0001.txt").read_text(encoding="utf-8")
        assert "Thủ tục / Procedure: Đăng ký" in text and "[image " in text  # no QR command: an image
    finally:
        rig.printer.close()
        rig.sim.stop()


# -- kiosk printer ---------------------------------------------------------------------------------


def kiosk(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "commands", "--config", str(cfg), *args], capture_output=True, text=True
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture
def cli(rig: Rig, short_tmp: Path) -> Path:
    cfg = short_tmp / "kiosk.toml"
    cfg.write_text(
        f'[kiosk]\nid = "HG-VT-01"\ndata_dir = "{short_tmp}/data"\noffice = "UBND phường Vị Thanh"\n'
        f'[printer]\nurl = "{short_tmp}/printer"\nprofile = "TM-T20II"\n'
    )
    return cfg


def test_kiosk_printer_status(rig: Rig, cli: Path) -> None:
    done = kiosk(cli, "printer", "status")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "Ready to print."
    rig.ctl.call("cover", "open")
    done = kiosk(cli, "printer", "status")
    assert done.returncode == 1
    assert "  cover:  OPEN" in done.stdout and "  ! the cover is open: close it" in done.stdout


def test_kiosk_printer_test_prints_every_tone_mark(rig: Rig, cli: Path) -> None:
    done = kiosk(cli, "printer", "test")
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("Test page printed:")
    assert rig.receipts() == ["receipt-0001"]
    text = (rig.out / "receipt-0001.txt").read_text(encoding="utf-8")
    assert "TRANG IN THỬ" in text and "u ù ủ ũ ú ụ ư ừ ử ữ ứ ự y ỳ ỷ ỹ ý ỵ" in text


def test_kiosk_printer_test_refuses_without_paper(rig: Rig, cli: Path) -> None:
    rig.ctl.call("paper", "out")
    done = kiosk(cli, "printer", "test")
    assert done.returncode == 1
    assert done.stdout.strip() == "The test page was not printed: the paper has run out: load a new roll."
    assert rig.receipts() == []
