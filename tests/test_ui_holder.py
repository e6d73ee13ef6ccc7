"""The holder's ID card at the kiosk, by touches and a scan (issue 14): a real Qt window offscreen,
the lock-board simulator and the serial QR scanner's simulator on ptys; the card's QR goes from
the scanner through the bridge to the journey's ``submit_card``, as any scanned code goes to the
step waiting for it. What the person sees: where the QR is on either card, which step it is, what
the core said of a card that could not be read, and an officer's hours when the card is refused."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from hardware_sim.control import ControlClient
from kiosk.journeys.messages import Say
from tests.machine import Machine
from tests.test_journey_holder import HOLDER_QR, OTHER_QR, TORN, load
from tests.test_ui import click, peek, pick_up_by_code_and_pin
from tests.test_ui import scanning_kiosk as scanning_kiosk  # the window, the scanner's simulator
from ui.window import KioskWindow


def at_the_card(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    pick_up_by_code_and_pin(qtbot, window, pin)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.holder, timeout=10_000)


def test_the_holders_own_card_opens_the_compartment(
    machine: Machine, scanning_kiosk: tuple[KioskWindow, ControlClient], qtbot: QtBot
) -> None:
    window, scanner = scanning_kiosk
    sent = load(machine)
    at_the_card(qtbot, window, sent["pin"])
    holder = window.holder
    assert holder.heading.text() == "Đưa mã QR trên thẻ Căn cước vào máy quét"
    assert holder.frame is not None and holder.frame.header.step.text() == "Bước 3/4"
    assert [c.text() for c in holder.captions] == [
        "Thẻ Căn cước cấp từ 1/7/2024: mặt sau",
        "Thẻ Căn cước công dân gắn chip cấp trước đó: mặt trước, góc trên bên phải",
    ]
    assert all(p.isVisible() and p.pixmap() is not None and p.width() >= 400 for p in holder.pictures)
    assert holder.words.text() == Say.HOLDER_ASK.vi and holder.problem.text() == ""
    assert holder.cancel.text() == "Hủy"
    scanner.call("scan", TORN)  # a card read half: said, and one more try
    qtbot.waitUntil(lambda: holder.problem.text() == Say.CARD_UNREADABLE.vi, timeout=10_000)
    assert window.stack.currentWidget() is holder
    scanner.call("scan", HOLDER_QR)
    compartment = sent["compartment"]
    qtbot.waitUntil(lambda: window.message.heading.text() == f"Ngăn tủ {compartment} đang mở", timeout=10_000)
    assert window.message.frame is not None and window.message.frame.header.step.text() == "Bước 4/4"
    machine.person("take", compartment)
    machine.person("close", compartment)
    qtbot.waitUntil(lambda: window.message.heading.text() == "Xin cảm ơn ông/bà")
    assert peek(machine, "SELECT count(*) FROM outbox WHERE kind = 'holder-refused'") == [(0,)]


def test_another_persons_card_sends_the_citizen_to_an_officer_and_the_screen_stays(
    machine: Machine, scanning_kiosk: tuple[KioskWindow, ControlClient], qtbot: QtBot
) -> None:
    window, scanner = scanning_kiosk
    sent = load(machine)
    at_the_card(qtbot, window, sent["pin"])
    scanner.call("scan", OTHER_QR)
    message = window.message
    qtbot.waitUntil(lambda: window.stack.currentWidget() is message, timeout=10_000)
    assert message.heading.text() == "Không thể trả kết quả tại máy"
    assert message.words.text() == Say.HOLDER_MISMATCH.vi
    assert message.reference.text().startswith("Mã tham chiếu: ")
    assert message.what_now.text().startswith("Cán bộ Bộ phận Một cửa hỗ trợ trong giờ làm việc: Thứ Hai")
    assert message.home.text() == "Xong" and window.countdown.remaining() > 200  # a proof: it stays
    assert peek(machine, "SELECT state FROM item") == [("held",)]  # the result stays, safe
    refused = peek(
        machine, "SELECT json_extract(payload, '$.reason') FROM outbox WHERE kind = 'holder-refused'"
    )
    assert refused == [("mismatch",)]
    click(qtbot, message.home)
    qtbot.waitUntil(lambda: window.stack.currentWidget() in (window.rating, window.idle))


def test_cancel_on_the_card_step_ends_the_pickup(
    machine: Machine, scanning_kiosk: tuple[KioskWindow, ControlClient], qtbot: QtBot
) -> None:
    window, _ = scanning_kiosk
    sent = load(machine)
    at_the_card(qtbot, window, sent["pin"])
    click(qtbot, window.holder.cancel)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle, timeout=10_000)
    qtbot.waitUntil(
        lambda: peek(machine, "SELECT state FROM journey WHERE kind = 'pickup'") == [("cancelled",)]
    )
