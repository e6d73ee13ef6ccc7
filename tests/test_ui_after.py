"""The end of a citizen's journey by touches, in a real Qt window (offscreen) against the simulators
and the stand-in backend on loopback: "Mở lại ngăn" once and not twice, not after the grace period;
"Cửa không mở?"; the code by SMS when no receipt is printed; the rating, given or skipped."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from kiosk import layout, rating
from sync.client import BackendClient
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load
from tests.test_ui import PrinterRig, peek, pick_up_by_code_and_pin, printer_rig, type_in
from ui.bridge import CoreBridge
from ui.i18n import Language
from ui.style import TARGET_PX
from ui.window import KioskWindow

__all__ = ["printer_rig"]  # the fixture, used by name
DEPOSIT = "000.00.53.H26-261123-0005"
REOPEN, NOT_OPENED = "reopen", "door did not open"


@pytest.fixture
def kiosk(machine: Machine, qtbot: QtBot) -> Iterator[KioskWindow]:
    bridge = CoreBridge(machine.core, tick_ms=20)
    window = KioskWindow(bridge, Language("vi"), done_return_s=30, machine=layout.machine_of(machine.cfg))
    qtbot.addWidget(window)
    window.show()
    yield window
    bridge.close()


def click(qtbot: QtBot, b: QAbstractButton) -> None:
    assert b.isVisible(), b.text()
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def offered(kiosk: KioskWindow) -> list[str]:
    return [name for name, b in kiosk.message.action_buttons.items() if not b.isHidden()]


def offers(qtbot: QtBot, kiosk: KioskWindow, names: list[str]) -> None:
    """The message screen comes to offer these buttons (a layout shows a new one on its next turn)."""
    qtbot.waitUntil(lambda: offered(kiosk) == names)


def door_open(kiosk: KioskWindow, qtbot: QtBot) -> str:
    qtbot.waitUntil(lambda: "đang mở" in kiosk.message.heading.text(), timeout=10_000)
    offers(qtbot, kiosk, [NOT_OPENED])  # on every open-door screen
    assert kiosk.message.action_buttons[NOT_OPENED].text() == "Cửa không mở?"
    assert kiosk.view is not None
    return str(kiosk.view.data["compartment"])


def tallied(m: Machine) -> list[tuple[object, ...]]:
    return peek(m, "SELECT face, n FROM rating_tally")


def test_a_citizen_reopens_once_then_rates_on_the_way_out(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    sent = load(machine)
    pick_up_by_code_and_pin(qtbot, kiosk, sent["pin"])
    where = door_open(kiosk, qtbot)
    machine.person("take", where)
    machine.person("close", where)
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == "Xin cảm ơn ông/bà")
    offers(qtbot, kiosk, [REOPEN])
    assert kiosk.message.action_buttons[REOPEN].text() == "Mở lại ngăn tủ"
    click(qtbot, kiosk.message.action_buttons[REOPEN])  # "I left my glasses in there"
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == f"Ngăn tủ {where} đã mở lại")
    offers(qtbot, kiosk, [NOT_OPENED])
    assert kiosk.message.map.isVisible()
    machine.person("close", where)
    qtbot.waitUntil(lambda: kiosk.message.words.text() == "Cửa đã đóng. Xin cảm ơn!")
    offers(qtbot, kiosk, [])  # once: no second reopen
    assert peek(machine, "SELECT COUNT(*) FROM outbox WHERE kind = 'result-picked-up'") == [(1,)]
    click(qtbot, kiosk.message.home)
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.rating)
    faces = kiosk.rating.faces
    assert [faces[f].text() for f in rating.FACES] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    click(qtbot, faces["very-satisfied"])
    assert kiosk.rating.heading.text() == "Cảm ơn ông/bà đã đánh giá."
    qtbot.waitUntil(lambda: tallied(machine) == [("very-satisfied", 1)])
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.idle, timeout=10_000)


def test_reopening_too_late_says_so_and_the_button_goes(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    sent = load(machine)
    pick_up_by_code_and_pin(qtbot, kiosk, sent["pin"])
    where = door_open(kiosk, qtbot)
    machine.person("take", where)
    machine.person("close", where)
    offers(qtbot, kiosk, [REOPEN])
    machine.clock.advance(machine.core.rules.reopen_grace_s + 1)  # read the screen slowly
    click(qtbot, kiosk.message.action_buttons[REOPEN])
    qtbot.waitUntil(lambda: "Đã quá thời gian mở lại ngăn" in kiosk.message.words.text())
    offers(qtbot, kiosk, [])
    assert peek(machine, "SELECT COUNT(*) FROM audit_log WHERE action = 'journey:pickup:reopening'") == [(0,)]


def test_a_door_that_did_not_open_keeps_the_result_and_sends_for_help(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    sent = load(machine)
    pick_up_by_code_and_pin(qtbot, kiosk, sent["pin"])
    where = door_open(kiosk, qtbot)
    click(qtbot, kiosk.message.action_buttons[NOT_OPENED])
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == "Ngăn tủ không mở được")
    assert "Kết quả vẫn được giữ cho ông/bà" in kiosk.message.words.text()
    assert kiosk.message.reference.text()  # the reference to give when asking for help
    assert kiosk.message.home.text() == "Xong"  # it stays until the person says so
    assert peek(machine, f"SELECT state FROM item WHERE dossier_code = '{CODE}'") == [("held",)]
    assert peek(machine, f"SELECT in_service FROM compartment WHERE id = '{where}'") == [(0,)]
    assert [k for (k,) in peek(machine, "SELECT kind FROM outbox ORDER BY seq")][-2:] == [
        "maintenance",
        "alarm",
    ]


def test_a_dropoff_door_that_did_not_open_opens_another(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    click(qtbot, kiosk.idle.buttons["dropoff"])
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.entries["code"])
    type_in(qtbot, kiosk.entries["code"], DEPOSIT)
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.entries["phone"])
    type_in(qtbot, kiosk.entries["phone"], "0912345123")
    first = door_open(kiosk, qtbot)
    click(qtbot, kiosk.message.action_buttons[NOT_OPENED])
    qtbot.waitUntil(lambda: kiosk.view is not None and kiosk.view.data.get("compartment") != first)
    second = door_open(kiosk, qtbot)
    assert f"Ngăn {first} bị kẹt nên máy đã mở ngăn {second}" in kiosk.message.words.text()
    machine.person("put", second)
    machine.person("close", second)
    qtbot.waitUntil(lambda: kiosk.view is not None and kiosk.view.state == "deposited")
    assert ("dossier-deposited", second) in peek(machine, "SELECT kind, compartment FROM outbox ORDER BY seq")


def test_a_rating_skipped_costs_no_touch(machine: Machine, qtbot: QtBot) -> None:
    bridge = CoreBridge(machine.core, tick_ms=20)
    window = KioskWindow(bridge, Language("vi"), done_return_s=0.5)
    qtbot.addWidget(window)
    window.show()
    try:
        click(qtbot, window.idle.buttons["lookup"])
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
        type_in(qtbot, window.entries["code"], CODE)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message)
        click(qtbot, window.message.home)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.rating)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle)  # by itself
        assert tallied(machine) == []
    finally:
        bridge.close()


def test_no_paper_the_code_is_texted_to_the_phone_given_and_the_rating_names_nobody(
    machine: Machine, qtbot: QtBot, printer_rig: PrinterRig, short_tmp: Path
) -> None:
    printer_rig.control.call("paper", "out")
    bridge = CoreBridge(machine.core, tick_ms=20, printer=printer_rig.printer)
    window = KioskWindow(bridge, Language("vi"), done_return_s=30, machine=layout.machine_of(machine.cfg))
    qtbot.addWidget(window)
    window.show()
    backend = StandIn(short_tmp / "backend")
    try:
        click(qtbot, window.idle.buttons["dropoff"])
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
        type_in(qtbot, window.entries["code"], DEPOSIT)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["phone"])
        type_in(qtbot, window.entries["phone"], "0912345123")
        where = door_open(window, qtbot)
        machine.person("put", where)
        machine.person("close", where)
        qtbot.waitUntil(lambda: window.message.qr.isVisible(), timeout=10_000)
        words = window.message.words.text()
        assert DEPOSIT in words and "Mã hồ sơ sẽ được gửi qua tin nhắn tới số 09** *** 123." in words
        click(qtbot, window.message.home)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.rating)
        click(qtbot, window.rating.faces["dissatisfied"])  # no paper: fair enough
        qtbot.waitUntil(lambda: tallied(machine) == [("dissatisfied", 1)])
        bridge.close()
        machine.clock.advance(24 * 3600)  # the day is over: its ratings go out
        assert rating.report_due(machine.core) is not None
        section = backend.section()
        client = BackendClient(section, KIOSK, clock=machine.store.clock)
        SyncWorker(machine.store, client, section, sleep=lambda s: None, rng=random.Random(1)).drain()
        texted = [s for s in backend.get("sms")["sms"] if s["dossier_code"] == DEPOSIT]
        assert len(texted) == 1 and texted[0]["phone"] == "0912345123"
        assert backend.get("satisfaction")["totals"] == {
            "very_satisfied": 0,
            "satisfied": 0,
            "dissatisfied": 1,
        }
        tally = next(
            e for e in backend.get("events", kiosk_id=KIOSK)["events"] if e["kind"] == "satisfaction-tally"
        )
        assert tally["dossier_code"] is None and tally["compartment"] is None
        assert DEPOSIT not in str(tally) and "0912345123" not in str(tally)
        audit = " ".join(str(r[0]) for r in peek(machine, "SELECT detail FROM audit_log"))
        assert "0912345123" not in audit
    finally:
        bridge.close()
        backend.stop()


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_faces_and_the_door_buttons_are_large_targets(
    machine: Machine, qtbot: QtBot, orientation: str
) -> None:
    bridge = CoreBridge(machine.core, tick_ms=20)
    window = KioskWindow(
        bridge, Language("vi"), orientation=orientation, machine=layout.machine_of(machine.cfg)
    )
    qtbot.addWidget(window)
    window.show()
    try:
        window.rating.ask()
        window._show(window.rating)
        qtbot.waitUntil(lambda: all(b.isVisible() for b in window.rating.faces.values()))
        for b in [*window.rating.faces.values(), window.rating.leave]:
            assert min(b.width(), b.height()) >= TARGET_PX, (b.accessibleName(), b.size())
        assert window.rating.faces["dissatisfied"].iconSize().height() >= 120  # a face, not an emoji
        window.home()
        sent = load(machine)
        pick_up_by_code_and_pin(qtbot, window, sent["pin"])
        door_open(window, qtbot)
        b = window.message.action_buttons[NOT_OPENED]
        assert min(b.width(), b.height()) >= TARGET_PX, b.size()
    finally:
        bridge.close()
