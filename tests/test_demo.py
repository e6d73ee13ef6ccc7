"""``make demo``: the whole machine's tour without a display, as a newcomer runs it, and the
technician's console acting on a simulator through its control socket."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import zxingcpp
from PIL import Image
from PyQt6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hardware_sim.backend.admin import SMS_SECRETS
from hardware_sim.cash import CashSim
from hardware_sim.control import ControlClient
from hardware_sim.lockboard import LockboardSim
from hardware_sim.machine import Controls, set_keys
from hardware_sim.printer import PrinterSim
from hardware_sim.samples import DROPOFF, FEE_RESULTS, LOOKED_UP, RESULTS
from hardware_sim.scanner import ScannerSim
from kiosk.names import masked
from tests.logscan import CitizenData, leaks, log_lines

ROOT = Path(__file__).resolve().parent.parent
LOADED = (*RESULTS, *(f.dossier for f in FEE_RESULTS))  # every result the officer loads
# every screen the tour passes, in order (ui/demo/tour.py)
SCREENS = [
    "idle-at-start", "staff-pin", "officer-menu", "load-scan-a-result", "load-door-open", "idle",
    "pickup-qr-door-open", "pickup-qr-thank-you", "rating",
    "fee-due", "fee-vietqr", "fee-vietqr-door-open", "fee-vietqr-thank-you",
    "lookup-typed", "lookup-answer", "pickup-jammed",
    "staff-number", "technician-menu", "maintenance-health", "back-in-service",
    "pickup-after-repair-door-open", "pickup-after-repair-thank-you", "pickup-code-typed", "pickup-pin",
    "pickup-pin-door-open", "pickup-pin-thank-you",
    "fee-cash", "fee-cash-counted", "fee-cash-door-open", "fee-cash-thank-you",
    "dropoff-scan-or-type", "find-procedure",
    "dropoff-phone", "dropoff-review", "dropoff-door-open", "dropoff-thank-you", "idle-network-down",
    "idle-network-back",
]  # fmt: skip


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.CompletedProcess[str], Path]]:
    """``python -m ui.demo`` with no display, as ``make demo`` runs it on a server (once for all
    the checks below: it is the whole machine, some 30 s)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kd") as tmp:  # short: Unix socket paths are ~108 bytes
        work = Path(tmp) / "demo"
        env = {
            k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
        }
        done = subprocess.run([sys.executable, "-m", "ui.demo", "--workdir", str(work)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=240, check=False)  # fmt: skip
        yield done, work


@pytest.mark.timeout(270)
def test_the_tour_ends_with_every_event_applied_exactly_once(
    tour: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, work = tour
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "exactly once: yes" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    # the sync's health endpoint answered during the run: 200, and metrics prometheus-client parses
    assert re.search(r"/healthz: 200, status ok", done.stdout), done.stdout[-2000:]
    assert re.search(r"/metrics: \d+ metric families .* [1-9]\d* journeys ended", done.stdout)
    # read back on our own: every event of the kiosk's outbox is in the backend's, once, accepted
    written = _rows(work / "data" / "kiosk.db", "SELECT uuid, delivered_at FROM outbox ORDER BY seq")
    arrived = _rows(work / "backend" / "backend.db", "SELECT uuid, status FROM event")
    assert len(written) >= 9 and all(delivered for _, delivered in written)
    assert sorted(u for u, _ in written) == sorted(u for u, _ in arrived)
    assert {status for _, status in arrived} == {"accepted"}
    kinds = [k for (k,) in _rows(work / "backend" / "backend.db", "SELECT kind FROM event")]
    assert kinds.count("result-loaded") == 5 and kinds.count("result-picked-up") == 5
    assert kinds.count("dossier-deposited") == 1
    # the two fees: one by VietQR (confirmed by the stand-in's pretend bank), one in two notes
    paid = _rows(
        work / "data" / "kiosk.db", "SELECT method, amount, received, state FROM payment ORDER BY created_at"
    )
    assert paid == [("vietqr", 75_000, 75_000, "paid"), ("cash", 30_000, 30_000, "paid")]
    assert kinds.count("fee-paid") == 2 and kinds.count("cash-credited") == 2
    assert "payment-flagged" not in kinds


@pytest.mark.timeout(270)
def test_the_tour_saves_every_screen_and_the_receipt(
    tour: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, work = tour
    shots = sorted((work / "screens").glob("*.png"))
    assert [p.stem for p in shots] == [f"{n:02d}-{name}" for n, name in enumerate(SCREENS, 1)], done.stdout
    for shot in shots:
        with Image.open(shot) as image:
            image.verify()  # a whole PNG, not a truncated one
        with Image.open(shot) as image:
            assert image.format == "PNG" and image.size == (1080, 1920), shot.name  # the portrait screen
            assert len(image.getcolors(1 << 16) or range(257)) > 2, shot.name  # drawn, not blank
        assert shot.stat().st_size > 20_000, shot.name
    receipts = sorted((work / "receipts").glob("*.png"))
    assert [p.name for p in receipts] == ["01.png", "02.png", "03.png"]  # two fees paid, then the drop-off
    with Image.open(receipts[2]) as receipt:
        assert receipt.format == "PNG" and receipt.width == 576 and receipt.height > 400  # 80 mm paper
        found = zxingcpp.read_barcodes(receipt.convert("L"))
    code = _rows(
        work / "data" / "kiosk.db", "SELECT dossier_code FROM outbox WHERE kind = 'dossier-deposited'"
    )[0][0]
    assert any(code in f.text for f in found), [f.text for f in found]  # the tracking QR names the dossier
    assert code in (work / "printed" / "receipt-0003.txt").read_text(encoding="utf-8")
    for n, fee in ((1, "75.000"), (2, "30.000")):  # what was paid, and how
        text = (work / "printed" / f"receipt-000{n}.txt").read_text(encoding="utf-8")
        assert fee in text and "KP" in text, text


@pytest.mark.timeout(270)
def test_no_log_line_of_any_process_holds_citizen_data(
    tour: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, work = tour
    data = CitizenData()
    for dossier in (*LOADED, LOOKED_UP):
        data.add(name=dossier.citizen)
        data.add(name=masked(dossier.citizen) or "")
    for dossier in LOADED:
        data.add(code=dossier.code)
    data.add(phone=DROPOFF.phone)
    texts = [t for (t,) in _rows(work / "backend" / "backend.db", "SELECT text FROM sms")]
    for found in filter(None, map(SMS_SECRETS.search, texts)):  # what each citizen was sent
        data.add(pin=found[1], token=found[2])
    assert len(data.pins) == len(data.tokens) == len(LOADED)
    lines = log_lines(work / "logs")
    logged = {path.stem for path in (work / "logs").glob("*.log") if path.stat().st_size}
    assert {"ui", "sync", "lockbus0", "printer", "scanner", "cash"} <= logged  # every process said something
    assert sum("kiosk.journeys" in line for line in lines) >= 30, lines  # the journeys were logged
    assert leaks(lines, data) == []
    # the narrative shows dossier codes and masked names on purpose, never a PIN or a token
    secrets_only = CitizenData(pins=data.pins, tokens=data.tokens)
    assert leaks(done.stdout.splitlines(), secrets_only) == []


def _rows(db: Path, sql: str) -> list[tuple[str, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- the technician's console -----------------------------------------------------------------------------


@pytest.fixture
def controls(short_tmp: Path) -> Iterator[Controls]:
    lockbus = LockboardSim("cu16", [0, 1], short_tmp / "lockbus0", release_ms=2).start_in_thread()
    scanner = ScannerSim(short_tmp / "scanner").start_in_thread()
    printer = PrinterSim(short_tmp / "printer", out=short_tmp / "printed").start_in_thread()
    cash = CashSim(short_tmp / "cash").start_in_thread()
    locks = {"A01": (0, 1), "B02": (0, 10), "C03": (1, 3)}
    yield Controls(ControlClient(lockbus.control_path), ControlClient(scanner.control_path),
                   ControlClient(printer.control_path), locks,
                   cash=ControlClient(cash.control_path))  # fmt: skip
    for sim in (cash, printer, scanner, lockbus):
        sim.stop()


def test_the_console_acts_on_the_simulators_through_their_control_sockets(
    controls: Controls, qtbot: QtBot
) -> None:
    from ui.demo.console import Console

    console = Console(controls, [("officer's badge", "DKS1|CB-0042")])
    qtbot.addWidget(console)
    console.show()
    console.compartment.setCurrentText("C03")

    def press(label: str) -> None:
        qtbot.mouseClick(console.buttons[label], Qt.MouseButton.LeftButton)

    press("Jam lock")
    assert controls.lockbus.call("state")["boards"]["1"]["jammed"] == [3]  # the board itself says so
    assert console.said.text() == "Jam lock: done"
    press("Free lock")
    assert controls.lockbus.call("state")["boards"]["1"]["jammed"] == []
    press("Put item in")  # a closed door: nobody can reach in, and the console says why
    assert console.said.text().startswith("Put item in: ") and console.said.text() != "Put item in: done"
    press("Force door open")
    press("Put item in")
    press("Close door")
    board = controls.lockbus.call("state")["boards"]["1"]
    assert board["items"] == [3] and board["open"] == []
    press("Present QR")
    assert controls.scanner.call("state")["reads_sent"] == 1
    press("Pull the paper")
    assert controls.printer.call("state")["status"]["paper_out"] is True
    press("Cut network")  # no backend in this machine: said on the console, no exception out of a slot
    assert console.said.text() == "Cut network: no backend runs in this machine"
    console.note.setCurrentIndex(console.note.findData(50_000))
    press("Insert note")  # no payment in progress: the validator is disabled and draws nothing in
    assert console.said.text() == "Insert note: not drawn in: the validator is disabled"
    press("Stacker full")
    assert controls.cash is not None and controls.cash.call("state")["stacker_full"] is True


def test_the_demo_config_keeps_each_comment_and_adds_what_is_missing() -> None:
    text = (
        '[kiosk]\nid = "X"\n\n[backend]   # the province\nurl = "https://a"  # always\nidle = 1\n\n[printer]'
    )
    changed = set_keys(text, "backend", {"url": '"http://127.0.0.1:9"', "max_backoff_s": "2"})
    assert changed.splitlines()[3:8] == [
        "[backend]   # the province", 'url = "http://127.0.0.1:9"  # always', "idle = 1",
        "max_backoff_s = 2", "",
    ]  # fmt: skip
    assert set_keys(text, "ui", {"fullscreen": "false"}).endswith("\n[ui]\nfullscreen = false\n")
