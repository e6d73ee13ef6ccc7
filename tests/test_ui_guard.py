"""The window never dies on input (DESIGN §7): a few hundred random and crafted scans at every
screen are rejections, never faults; an unexpected exception, in the core's thread or in a slot on
the GUI thread, ends the journey safely through the core, says so, and leaves the kiosk ready; a
kiosk that cannot serve says so on screen.

What broke: one scan of a QR with a digit from another script (or a URL urllib refuses) raised an
exception out of a Qt slot, and PyQt6 ended the process (``kiosk run`` exit 134)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from hardware_sim.control import ControlClient
from kiosk import flags, history
from kiosk.journeys.pickup import PickupJourney
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load
from tests.test_ui import badge_and_pin, click, kiosk, peek, pick_up_by_code_and_pin, scanning_kiosk, type_in
from ui.bridge import View
from ui.window import KioskWindow

__all__ = ["kiosk", "scanning_kiosk"]  # fixtures, used by name

MAC = "q3Jx0bV1uA7dLk2mN9pR4s"
CRAFTED = [
    f"DKP1|HG-VT-01|{CODE}|A01|²|{MAC}",  # the scan that killed kiosk run
    f"DKP2|HG-VT-01|{CODE}|A01|١٧٦٤٠٠٠٠٠٠|abcdefghijkl|{MAC}",
    "http://[::1/ma=" + CODE,
    "https://[dichvucong.gov.vn/?code=" + CODE,
    "000.00.53.H48-٢٢٠٩٢١-0099",
    "000.00.53.H48-２２０９２１-0099",
    "DKS1|" + "A" * 40,
    "DKS1|ı",
    "DKP2|" + "|" * 40,
    "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F",
    "Mã hồ sơ: {code} %s %n {0}",
    "\u202e" + CODE,
    CODE.lower(),
    "A" * 511,
]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcxyz.-|:=/?&%#{}[]@ ²³٣３ıſﬁÆđơư\u200b\u202e\ufeff"


def hostile_scans(seed: int, n: int) -> list[str]:
    """Crafted codes, then random and mutated ones: each different (the scanner drops a repeat)."""
    rng = random.Random(seed)
    scans = [f"{c}" for c in CRAFTED]
    bases = [CODE, f"DKP2|HG-VT-01|{CODE}|A01|1764000000|abcdefghijkl|{MAC}", "DKS1|CB-0042"]
    while len(scans) < n:
        if rng.random() < 0.5:
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60)))
        else:
            base = list(rng.choice(bases))
            for _ in range(rng.randint(1, 4)):
                base[rng.randrange(len(base))] = rng.choice(ALPHABET)
            text = "".join(base)
        scans.append(f"{text}#{len(scans)}")
    return scans


def faults(views: list[View]) -> list[View]:
    return [v for v in views if v.kind == "kiosk" and v.state in ("fault", "out-of-service")]


def scan_all(scanner: ControlClient, scans: list[str]) -> None:
    for text in scans:
        scanner.call("raw", text.encode("utf-8", "surrogatepass").hex() + "0d")


def test_hundreds_of_hostile_scans_at_every_screen_are_rejections_never_faults(
    machine: Machine, scanning_kiosk: tuple[KioskWindow, ControlClient], qtbot: QtBot
) -> None:
    window, scanner = scanning_kiosk
    views: list[View] = []
    window.bridge.changed.connect(views.append)
    sent = load(machine)
    screens = 0

    def batch(seed: int) -> None:
        nonlocal screens
        screens += 1
        scan_all(scanner, hostile_scans(seed, 30))
        qtbot.wait(150)  # the worker reads them all; the window keeps drawing meanwhile
        assert window.isVisible() and faults(views) == [], faults(views)

    batch(1)  # the idle screen
    for choice, seed in (("pickup", 2), ("dropoff", 3), ("lookup", 4)):
        click(qtbot, window.idle.buttons[choice])
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
        batch(seed)  # the scan-or-type screen (a code in lower case is the same code: on it goes)
        here = window.stack.currentWidget()
        if here is not window.idle:
            click(qtbot, getattr(here, "back", None) or here.home)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle)
    click(qtbot, window.idle.buttons["pickup"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
    type_in(qtbot, window.entries["code"], CODE)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["pin"])
    batch(5)  # the PIN screen
    click(qtbot, window.entries["pin"].back)
    click(qtbot, window.idle.buttons["dropoff"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
    type_in(qtbot, window.entries["code"], "000.00.53.H48-220921-0200")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["phone"])
    batch(6)  # the phone screen
    click(qtbot, window.entries["phone"].back)
    badge_and_pin(machine, window, scanner, qtbot, "officer")
    batch(7)  # the officer's menu
    click(qtbot, window.menu.buttons["load"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["result"])
    batch(8)  # scanning results to load
    scanner.call("scan", "000.00.53.H48-220921-0300")
    qtbot.waitUntil(lambda: "A02" in window.message.heading.text())
    batch(9)  # a compartment open, the officer at it
    machine.person("put", "A02")
    machine.person("close", "A02")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["result"])
    click(qtbot, window.entries["result"].back)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.menu)
    click(qtbot, window.menu.sign_out)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle)
    assert screens == 9
    scanner.call("scan", sent["token"])  # and the kiosk still serves: the real QR opens at once
    qtbot.waitUntil(lambda: window.message.heading.text() == f"Ngăn tủ {sent['compartment']} đang mở")


def test_an_unexpected_error_in_the_core_ends_the_journey_safely_and_says_so(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug the core did not expect (here one put into a journey's step on purpose) is caught in
    the core's thread: the journey is settled as after a crash and the person is told."""
    sent = load(machine)

    def broken(self: PickupJourney, text: str) -> None:
        raise ZeroDivisionError("a bug no test had named")

    click(qtbot, kiosk.idle.buttons["pickup"])
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.entries["code"])
    monkeypatch.setattr(PickupJourney, "submit_code", broken)
    type_in(qtbot, kiosk.entries["code"], CODE)
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == "Đã có lỗi xảy ra")
    assert "Máy đã sẵn sàng trở lại" in kiosk.message.words.text() and kiosk.message.home.isVisible()
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.idle)  # by itself, shortly after
    assert peek(machine, "SELECT outcome FROM journey WHERE kind = 'pickup'") == [("interrupted",)]
    monkeypatch.undo()
    pick_up_by_code_and_pin(qtbot, kiosk, sent["pin"])  # ready again: the next citizen picks up
    qtbot.waitUntil(lambda: "đang mở" in kiosk.message.heading.text())


def test_an_error_with_the_door_open_leaves_the_item_uncertain_for_an_officer(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settled from the store and the boards, never from the half-changed journey: the door is
    open, so what happens next cannot be proven; an officer is told."""
    sent = load(machine)
    pick_up_by_code_and_pin(qtbot, kiosk, sent["pin"])
    qtbot.waitUntil(lambda: "đang mở" in kiosk.message.heading.text())

    def broken(self: PickupJourney) -> None:
        raise KeyError("a bug while the door was watched")

    monkeypatch.setattr(PickupJourney, "tick", broken)
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == "Đã có lỗi xảy ra")
    qtbot.waitUntil(lambda: peek(machine, "SELECT state FROM item") == [("uncertain",)])
    assert ("outcome-uncertain", CODE, sent["compartment"]) in peek(
        machine, "SELECT kind, dossier_code, compartment FROM outbox"
    )


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_on_the_screen_is_caught_and_the_window_lives(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.app import guard

    monkeypatch.setattr(sys, "excepthook", guard(kiosk))  # as kiosk run installs it
    click(qtbot, kiosk.idle.buttons["lookup"])
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.entries["code"])

    def broken(words: str) -> None:
        raise IndexError("a bug in a screen")

    monkeypatch.setattr(kiosk.entries["code"], "show_problem", broken)
    type_in(qtbot, kiosk.entries["code"], "XYZ")  # its refusal reaches the broken screen
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == "Đã có lỗi xảy ra")
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.idle)
    assert peek(machine, "SELECT outcome FROM journey WHERE kind = 'lookup'") == [("interrupted",)]


def test_a_kiosk_whose_history_is_lost_says_it_is_out_of_service(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    history.report(machine.store, "lost", "kiosk.db deleted")
    click(qtbot, kiosk.idle.buttons["pickup"])
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == "Máy tạm ngừng phục vụ")
    assert "Vui lòng quay lại sau" in kiosk.message.words.text()
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.idle)
    assert peek(machine, "SELECT COUNT(*) FROM journey WHERE kind = 'pickup'") == [(0,)]
    flags.lower_flag(machine.store, flags.HISTORY, actor="technician:an", reason="checked")


# -- a full disk: the screen tells the truth ---------------------------------------------------------


@contextlib.contextmanager
def small_disk(root: Path) -> Iterator[bool]:
    """A 4 MB tmpfs at ``root`` where the machine allows mounting one (True), else nothing (False)."""
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(root)], capture_output=True
    ).returncode == 0  # fmt: skip
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(root)], check=False)


def fill(root: Path) -> Path:
    filler = root / "filler"
    with filler.open("wb", buffering=0) as f:
        for chunk in (65536, 1):  # to the last byte
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * chunk)
    return filler


def test_on_a_full_disk_the_screen_never_says_opening_for_what_was_rolled_back(
    qtbot: QtBot, short_tmp: Path
) -> None:
    """What broke: on a full disk the screen was told "opening" for a change that had been rolled
    back. The disk fills as the officer scans a result: the unlock intent cannot be saved, so no
    frame goes out, and the screen says the kiosk is out of service, which is the truth."""
    from ui.bridge import CoreBridge
    from ui.i18n import Language

    with small_disk(short_tmp / "disk") as mounted:
        m = Machine(short_tmp / "disk")
        # the floor would refuse the journey before the disk is full (its own test is elsewhere)
        m.core.cfg = m.cfg.model_copy(update={"kiosk": m.cfg.kiosk.model_copy(update={"min_free_mb": 0})})
        bridge = CoreBridge(m.core, tick_ms=20)
        try:
            window = KioskWindow(bridge, Language("vi"), done_return_s=0.3)
            qtbot.addWidget(window)
            window.show()
            m.sign_in()  # enrolled, and the journey rows exist
            from tests.machine import STAFF

            staff_id, _, pin = STAFF["officer"]
            bridge.start("signin")
            bridge.step("submit_badge", f"DKS1|{staff_id}")
            qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["staffpin"])
            type_in(qtbot, window.entries["staffpin"], pin)
            qtbot.waitUntil(lambda: window.stack.currentWidget() is window.menu)
            click(qtbot, window.menu.buttons["load"])
            qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["result"])
            m.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no room left in the log either
            if mounted:
                filler = fill(short_tmp / "disk")
            else:  # no tmpfs here: SQLite refuses every write on the core's connection instead
                bridge.step("keep_alive")
                m.store.db.execute("PRAGMA query_only = ON")
            type_in(qtbot, window.entries["result"], CODE)
            qtbot.waitUntil(lambda: window.message.heading.text() == "Máy tạm ngừng phục vụ")
            assert "đang mở" not in window.message.heading.text().lower()
            assert m.ctl.call("state")["boards"]["0"]["open"] == []  # no unlock frame went out
            if mounted:
                filler.unlink()
            else:
                m.store.db.execute("PRAGMA query_only = OFF")
            qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle)
        finally:
            bridge.close()
            m.close()


# -- kiosk run as a process ---------------------------------------------------------------------------


def test_kiosk_run_survives_the_scan_that_used_to_kill_it(short_tmp: Path) -> None:
    from hardware_sim.scanner import ScannerSim
    from tests.test_cli import Machine as Site

    site = Site(short_tmp)
    sim = ScannerSim(short_tmp / "scanner").start_in_thread()
    try:
        with site.config.open("a") as f:
            f.write(f'\n[scanner]\nurl = "{short_tmp / "scanner"}"\n')
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        argv = [sys.executable, "-m", "commands", "--config", str(site.config), "run"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("ready: the idle screen is shown")
        scan_all(ControlClient(sim.control_path), hostile_scans(11, 40))
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(2)  # time to die, had it been going to
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0 and "Traceback" not in err, err
    finally:
        sim.stop()
        site.stop()


def test_kiosk_run_on_a_damaged_database_shows_out_of_service(short_tmp: Path) -> None:
    from tests.test_at_rest import damage, filled
    from tests.test_cli import Machine as Site

    site = Site(short_tmp)
    try:
        site.data.mkdir(mode=0o700, exist_ok=True)
        damage(filled(site.data))
        said, status, err = site.run_until_shown()
        assert said.startswith("ready: the out-of-service screen is shown")
        assert status == 1 and "is damaged" in err and "Traceback" not in err, err
    finally:
        site.stop()


def test_text_from_outside_is_shown_as_text_never_as_markup(
    machine: Machine, scanning_kiosk: tuple[KioskWindow, ControlClient], qtbot: QtBot
) -> None:
    """A QLabel renders whatever looks like HTML as markup; a scanned code, a procedure's or a
    citizen's name come from strangers and from the backend."""
    from PyQt6.QtCore import Qt

    window, scanner = scanning_kiosk
    markup = '<h1 style="color:red">SẬP</h1><img src="/etc/kiosk/x.png">'
    badge_and_pin(machine, window, scanner, qtbot, "technician")
    click(qtbot, window.menu.buttons["technician"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.maintenance)
    scanner.call("scan", markup)  # the technician's scanner test shows what was read
    qtbot.waitUntil(lambda: markup in window.maintenance.report.text())
    assert window.maintenance.report.textFormat() == Qt.TextFormat.PlainText
    machine.store.db.execute(
        "INSERT INTO assignment (dossier_code, citizen, procedure, synced_at) VALUES (?, ?, ?, 't')",
        [CODE, "<b>Ng</b>", "<i>Khai sinh</i>"],
    )
    window.show_view(View("j", "pickup", "door-open", None, {"compartment": "A01", "code": CODE,
                                                              "citizen": "<b>Ng</b>"}))  # fmt: skip
    assert "<b>Ng</b>" in window.message.dossier.text()
    for label in window.findChildren(type(window.message.dossier)):  # every label of every screen
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


def test_a_forged_pickup_qr_at_the_idle_screen_is_refused_and_writes_nothing(
    machine: Machine, scanning_kiosk: tuple[KioskWindow, ControlClient], qtbot: QtBot
) -> None:
    """Each made-up token used to start a pickup: a journey row and two audit entries that can
    never be deleted, about 900 bytes a scan, enough to fill the disk in a few days of scanning."""
    window, scanner = scanning_kiosk
    sent = load(machine)
    before = peek(machine, "SELECT COUNT(*) FROM journey")[0][0]
    forged = sent["token"].rsplit("|", 1)[0] + "|" + "A" * 22
    scanner.call("scan", forged)
    qtbot.waitUntil(lambda: window.message.heading.text() == "Không dùng được mã này")
    assert "nhập mã hồ sơ và mã PIN trong tin nhắn" in window.message.words.text()  # what to do instead
    assert peek(machine, "SELECT COUNT(*) FROM journey")[0][0] == before
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle)
    scanner.call("scan", sent["token"])  # the genuine one still opens at once
    qtbot.waitUntil(lambda: window.message.heading.text() == f"Ngăn tủ {sent['compartment']} đang mở")
