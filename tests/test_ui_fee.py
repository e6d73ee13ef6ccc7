"""A fee paid at the kiosk, by touches (issue 14): a real Qt window offscreen on the core, the
lock-board simulator on a pty, the bank's word written into ``payment_backend`` on a connection of
the test's own as the sync process writes it, and notes into the bill-validator simulator on a pty
read by the real NoteValidator. What a person sees at each step is checked as they see it: the
amount, the VietQR read back from the screen's pixels as a phone would, the notes taken, "no
change" before a note goes in, what has gone in, and the fee said paid on the way to the door."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage
from pytestqt.qtbot import QtBot

from drivers.scanner.decoders import ZxingDecoder
from kiosk import vietqr
from kiosk.cash_session import CashSession
from kiosk.config import FeesSection
from kiosk.journeys.messages import Say
from tests.cash_rig import CashRig
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load
from tests.test_ui import click, peek, pick_up_by_code_and_pin
from tests.ui_windows import Windows
from ui.window import KioskWindow

BANK, ACCOUNT, NAME = "970416", "257678859", "UBND PHUONG VI THANH"


@pytest.fixture
def windows(machine: Machine, qtbot: QtBot) -> Iterator[Windows]:
    opened = Windows(machine, qtbot)
    yield opened
    opened.close()


def with_fees(m: Machine, *methods: str) -> None:
    fees = FeesSection(bin=BANK, account=ACCOUNT, name=NAME, methods=list(methods))
    m.core.cfg = m.cfg.model_copy(update={"fees": fees})


def bank_says(m: Machine, reference: str, paid: int) -> None:
    """What the sync process writes after the backend's answer, on its own connection."""
    conn = sqlite3.connect(m.store.path, timeout=10)
    try:
        with conn:
            conn.execute(
                "INSERT INTO payment_backend (reference, created_at, checked_at, paid_amount, paid_at,"
                " transactions) VALUES (?, ?, ?, ?, ?, 1)",
                [reference, "2026-11-23T08:00:00.000+00:00", "2026-11-23T08:01:00.000+00:00", paid,
                 "2026-11-23T08:01:00.000+00:00"],
            )  # fmt: skip
    finally:
        conn.close()


def on(qtbot: QtBot, window: KioskWindow, screen: object) -> None:
    qtbot.waitUntil(lambda: window.stack.currentWidget() is screen, timeout=10_000)


def at_the_fee(
    windows: Windows, machine: Machine, qtbot: QtBot, fee: int, *methods: str, **settings: Any
) -> tuple[KioskWindow, dict[str, str]]:
    """A result with ``fee`` due, a kiosk taking it by ``methods``, and a citizen who typed the code
    and the PIN: the fee's screen is up."""
    sent = load(machine, fee=fee)
    with_fees(machine, *methods)
    window = windows.open(**settings)
    pick_up_by_code_and_pin(qtbot, window, sent["pin"])
    on(qtbot, window, window.fee_due)
    return window, sent


def paying(
    windows: Windows, machine: Machine, qtbot: QtBot, fee: int, method: str, **settings: Any
) -> tuple[KioskWindow, dict[str, str]]:
    """As ``at_the_fee`` (both ways offered), and the way ``method`` touched."""
    window, sent = at_the_fee(windows, machine, qtbot, fee, "vietqr", "cash", **settings)
    click(qtbot, window.fee_due.methods[method])
    on(qtbot, window, window.paying_qr if method == "vietqr" else window.paying_cash)
    return window, sent


def as_a_phone_sees(image: QImage) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The code at arm's length: a third of its size in the camera's frame, a little blurred."""
    import cv2

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    bits = gray.constBits()
    assert bits is not None
    bits.setsize(gray.sizeInBytes())
    pixels = np.frombuffer(bits.asstring(), np.uint8).reshape(gray.height(), gray.bytesPerLine())
    pixels = pixels[:, : gray.width()]
    small = cv2.resize(pixels, None, fx=0.33, fy=0.33, interpolation=cv2.INTER_AREA)
    framed = cv2.copyMakeBorder(small, 80, 80, 120, 120, cv2.BORDER_CONSTANT, value=200)  # a wall behind
    return np.asarray(cv2.GaussianBlur(framed, (0, 0), 0.8), dtype=np.uint8)


def test_a_fee_paid_by_vietqr_opens_the_door_once_the_bank_says_so(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window, sent = at_the_fee(windows, machine, qtbot, 8000, "vietqr")
    fee = window.fee_due
    assert fee.heading.text() == "Phí cần nộp: 8.000 đồng"
    assert fee.dossier.text().startswith(f"Hồ sơ {CODE}")
    assert fee.frame is not None and fee.frame.header.step.text() == "Bước 3/4"
    assert fee.methods["vietqr"].isVisible() and not fee.methods["cash"].isVisible()  # no validator
    assert fee.methods["vietqr"].text() == "Quét mã VietQR" and fee.cancel.text() == "Hủy"
    click(qtbot, fee.methods["vietqr"])
    qr = window.paying_qr
    on(qtbot, window, qr)
    assert qr.heading.text() == "Chuyển khoản 8.000 đồng"
    assert qr.to.text() == f"Người nhận: {NAME}\nSố tài khoản: {ACCOUNT}"
    assert [line.text() for line in qr.steps] == [
        "1. Mở ứng dụng ngân hàng trên điện thoại.",
        "2. Chọn quét mã QR và quét mã trên màn hình này.",
        "3. Kiểm tra số tiền 8.000 đồng rồi xác nhận chuyển khoản.",
    ]
    assert qr.another.text() == "Quay lại"  # back to the ways to pay
    # the code is large, in whole pixels with its quiet zone, and a phone at arm's length reads it
    pixmap = qr.qr.pixmap()
    assert pixmap is not None and pixmap.width() >= 500
    image = pixmap.toImage()
    assert all(image.pixelColor(x, 20).lightness() == 255 for x in range(0, image.width(), 7))
    (read,) = ZxingDecoder().decode(as_a_phone_sees(image))
    asked = vietqr.parse(read)
    assert (asked.bank_bin, asked.account, asked.amount, asked.purpose) == (BANK, ACCOUNT, 8000, CODE)
    # the bank's time, counted down on the screen by the window's countdown, and no touch extends it
    assert window.countdown.fixed and qr.left.isVisible()
    assert qr.left.text() in (
        "Thời gian còn lại để thanh toán: 5:00",
        "Thời gian còn lại để thanh toán: 4:59",
    )
    left = window.countdown.remaining()
    qtbot.mouseClick(qr.qr, Qt.MouseButton.LeftButton)  # a finger on the code itself
    assert window.countdown.remaining() <= left
    reference = str(peek(machine, "SELECT reference FROM payment WHERE state = 'requested'")[0][0])
    assert qr.reference.text() == f"Mã thanh toán: {reference}"
    qtbot.wait(200)
    assert window.stack.currentWidget() is qr  # nothing from the bank: the door stays shut
    bank_says(machine, reference, 8000)
    compartment, message = sent["compartment"], window.message
    qtbot.waitUntil(lambda: message.heading.text() == "Đã nhận thanh toán", timeout=10_000)  # the moment
    assert message.paid.isVisible() and message.paid.text() == "✓ Đã nhận đủ lệ phí 8.000 đồng."
    qtbot.waitUntil(lambda: message.heading.text() == f"Ngăn tủ {compartment} đang mở")  # then the door
    assert message.paid.text() == "✓ Đã nhận đủ lệ phí 8.000 đồng."
    assert message.words.text() == Say.TAKE_RESULT.format(compartment=compartment)[0]
    machine.person("take", compartment)
    machine.person("close", compartment)
    qtbot.waitUntil(lambda: window.message.heading.text() == "Xin cảm ơn ông/bà")
    kinds = [kind for kind, *_ in peek(machine, "SELECT kind FROM outbox ORDER BY seq")]
    assert kinds.index("fee-paid") < kinds.index("result-picked-up")


def test_the_fee_by_qr_given_up_goes_back_to_the_fee_and_cancel_ends_it(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window, _ = at_the_fee(windows, machine, qtbot, 8000, "vietqr")
    click(qtbot, window.fee_due.methods["vietqr"])
    on(qtbot, window, window.paying_qr)
    click(qtbot, window.paying_qr.another)
    on(qtbot, window, window.fee_due)
    assert not window.countdown.fixed  # the fee screen's own time again: it waits for the person
    click(qtbot, window.fee_due.cancel)
    # a QR was shown on this visit: a transfer may be on its way, and the proof says what becomes of it
    on(qtbot, window, window.message)
    assert window.message.words.text() == Say.QR_CANCELLED.vi
    qtbot.waitUntil(
        lambda: peek(machine, "SELECT state FROM journey WHERE kind = 'pickup'") == [("cancelled",)]
    )
    assert peek(machine, "SELECT state FROM payment") == [("cancelled",)]


@pytest.fixture
def cash(machine: Machine, short_tmp: Path) -> Iterator[CashRig]:
    """The validator simulator on a pty, the real NoteValidator on it, as the core's cash."""
    rig = CashRig(short_tmp)
    rig.validator.connect()
    machine.core.cash = CashSession(machine.store, rig.validator)
    yield rig
    rig.close()


def test_a_fee_paid_in_notes_counts_each_note_and_opens_the_door_when_paid(
    windows: Windows, machine: Machine, cash: CashRig, qtbot: QtBot
) -> None:
    window, sent = at_the_fee(windows, machine, qtbot, 30_000, "vietqr", "cash")
    fee = window.fee_due
    assert fee.methods["cash"].isVisible() and fee.methods["cash"].text() == "Nộp tiền mặt"
    assert fee.meanings["cash"].text() == "Chỉ nhận tiền giấy. Máy không trả tiền thừa."
    click(qtbot, fee.methods["cash"])
    screen = window.paying_cash
    on(qtbot, window, screen)
    # before a note goes in: no change, and only the notes that fit what is due
    assert screen.no_change.isVisible() and screen.no_change.text() == "Máy không trả tiền thừa."
    assert screen.notes.text() == "Máy nhận các tờ tiền: 10.000 · 20.000 đồng"
    assert screen.heading.text() == "Còn phải nộp: 30.000 đồng"
    assert screen.inserted.text() == "Đã đưa vào: 0 đồng" and not screen.kept.isVisible()
    assert screen.another.text() == "Quay lại"  # as the core's words name it
    cash.ctl.call("insert", 20_000)
    qtbot.waitUntil(lambda: screen.inserted.text() == "Đã đưa vào: 20.000 đồng", timeout=10_000)
    assert screen.heading.text() == "Còn phải nộp: 10.000 đồng"
    assert screen.notes.text() == "Máy nhận các tờ tiền: 10.000 đồng"  # no 20.000 for 10.000 due
    assert screen.kept.isVisible() and screen.kept.text().startswith("Số tiền 20.000 đồng đã đưa vào")
    assert screen.spoken().startswith("Đã đưa vào: 20.000 đồng")  # heard first: the note was counted
    cash.ctl.call("insert", 10_000)
    compartment = sent["compartment"]
    qtbot.waitUntil(lambda: window.message.heading.text() == f"Ngăn tủ {compartment} đang mở", timeout=10_000)
    assert window.message.paid.text() == "✓ Đã nhận đủ lệ phí 30.000 đồng."
    machine.person("take", compartment)
    machine.person("close", compartment)
    qtbot.waitUntil(lambda: window.message.heading.text() == "Xin cảm ơn ông/bà")
    credited = peek(
        machine, "SELECT json_extract(payload, '$.value') FROM outbox WHERE kind = 'cash-credited'"
    )
    assert sorted(v for (v,) in credited) == [10_000, 20_000]
    assert peek(machine, "SELECT state, received FROM payment") == [("paid", 30_000)]


def test_another_way_after_a_note_keeps_it_counted_on_the_fee_screen(
    windows: Windows, machine: Machine, cash: CashRig, qtbot: QtBot
) -> None:
    window, _ = paying(windows, machine, qtbot, 30_000, "cash")
    cash.ctl.call("insert", 10_000)
    qtbot.waitUntil(lambda: window.paying_cash.inserted.text() == "Đã đưa vào: 10.000 đồng", timeout=10_000)
    click(qtbot, window.paying_cash.another)
    on(qtbot, window, window.fee_due)
    assert window.fee_due.heading.text() == "Phí cần nộp: 20.000 đồng"
    assert window.fee_due.so_far.isVisible() and window.fee_due.so_far.text() == "Đã nộp: 10.000 đồng."
    click(qtbot, window.fee_due.methods["vietqr"])  # the rest by transfer: the QR asks only for it
    on(qtbot, window, window.paying_qr)
    assert window.paying_qr.heading.text() == "Chuyển khoản 20.000 đồng"


def test_the_banks_time_over_says_a_late_transfer_still_counts_and_stays(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window, _ = paying(windows, machine, qtbot, 8000, "vietqr", proof_timeout_s=600)
    machine.clock.advance(301)  # nobody paid within [fees] qr_wait_s, on the core's clock
    message = window.message
    on(qtbot, window, message)
    assert message.heading.text() == "Đã hết thời gian thanh toán"
    assert message.words.text() == Say.QR_EXPIRED.vi
    assert message.reference.text().startswith("Mã tham chiếu: ") and message.home.text() == "Xong"
    assert peek(machine, "SELECT state FROM payment") == [("expired",)]


def test_cancel_after_a_note_says_where_the_money_is(
    windows: Windows, machine: Machine, cash: CashRig, qtbot: QtBot
) -> None:
    window, _ = paying(windows, machine, qtbot, 30_000, "cash", proof_timeout_s=600)
    cash.ctl.call("insert", 20_000)
    qtbot.waitUntil(lambda: window.paying_cash.kept.isVisible(), timeout=10_000)
    said_before = window.paying_cash.kept.text()
    click(qtbot, window.paying_cash.cancel)  # "Hủy" once: the machine gives nothing back, said first
    assert window.stack.currentWidget() is window.paying_cash
    assert (
        "Chạm «Hủy» lần nữa" in window.paying_cash.kept.text()
        and "20.000 đồng" in window.paying_cash.kept.text()
    )
    click(qtbot, window.paying_cash.cancel)  # and again: given up
    message = window.message
    on(qtbot, window, message)
    assert message.heading.text() == "Đã hủy thanh toán" and message.words.text() == said_before
    assert "20.000 đồng" in said_before and message.home.text() == "Xong"
    assert peek(machine, "SELECT received FROM payment") == [(20_000,)]
    flagged = peek(machine, "SELECT count(*) FROM outbox WHERE kind = 'payment-flagged'")
    assert flagged == [(1,)]  # for an officer: a refund, or the rest at the next visit


def test_walking_away_with_a_note_in_ends_on_where_the_money_is_not_the_start(
    windows: Windows, machine: Machine, cash: CashRig, qtbot: QtBot
) -> None:
    """A person searching a purse for the second note lets the time run out: the screen that
    follows says what became of the first one, with the reference and the officers' hours, and
    stays; it does not go silently back to the start."""
    window, _ = paying(windows, machine, qtbot, 30_000, "cash", proof_timeout_s=600)
    cash.ctl.call("insert", 10_000)
    qtbot.waitUntil(lambda: window.paying_cash.kept.isVisible(), timeout=10_000)
    machine.clock.advance(machine.core.rules.idle_timeout_s + 1)  # no touch since
    message = window.message
    on(qtbot, window, message)
    assert message.heading.text() == "Đã hết thời gian thanh toán"
    assert "10.000 đồng" in message.words.text() and message.home.text() == "Xong"
    assert peek(machine, "SELECT state, received FROM payment") == [("expired", 10_000)]


def test_no_to_more_time_with_a_note_in_ends_on_where_the_money_is(
    windows: Windows, machine: Machine, cash: CashRig, qtbot: QtBot
) -> None:
    """The "more time?" question answered "no" (or left to run out) while a note is in: the pickup
    is cancelled and its proof says what became of the note; the start screen does not come first."""
    window, _ = paying(windows, machine, qtbot, 30_000, "cash", proof_timeout_s=600)
    cash.ctl.call("insert", 10_000)
    qtbot.waitUntil(lambda: window.paying_cash.kept.isVisible(), timeout=10_000)
    window.ask_more_time()
    on(qtbot, window, window.more_time)
    shown: list[object] = []
    window.stack.currentChanged.connect(lambda _: shown.append(window.stack.currentWidget()))
    click(qtbot, window.more_time.no)
    message = window.message
    on(qtbot, window, message)
    assert window.idle not in shown
    assert message.heading.text() == "Đã hủy thanh toán" and "10.000 đồng" in message.words.text()
    assert peek(machine, "SELECT state, received FROM payment") == [("cancelled", 10_000)]


def test_no_screen_can_move_a_pickup_past_its_fee_without_the_ledger(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    """settle_fee is the scenario runner's: the bridge refuses it (and any private name) from a
    screen, so no bug in a screen can open a door that was not paid for."""
    window, _ = at_the_fee(windows, machine, qtbot, 8_000, "vietqr")
    refused: list[str] = []
    window.bridge.refused.connect(refused.append)
    for name in ("settle_fee", "_paid_by_cash"):
        window.bridge.step(name)
    qtbot.waitUntil(lambda: len(refused) == 2, timeout=10_000)
    assert all("not a step a screen takes" in r for r in refused)
    assert window.stack.currentWidget() is window.fee_due
    assert peek(machine, "SELECT state FROM journey WHERE kind = 'pickup'") == [("fee-due",)]


def test_paid_while_help_is_open_the_door_s_screen_comes_forward(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    """Help touched while waiting for the bank: the door opens by itself when the bank confirms,
    so the person is shown it at once, not help's page over an open door."""
    window, _ = paying(windows, machine, qtbot, 8000, "vietqr")
    reference = str(peek(machine, "SELECT reference FROM payment WHERE state = 'requested'")[0][0])
    assert window.paying_qr.frame is not None
    click(qtbot, window.paying_qr.frame.footer.help)
    on(qtbot, window, window.help)
    bank_says(machine, reference, 8000)
    on(qtbot, window, window.message)
    qtbot.waitUntil(lambda: window.view is not None and window.view.state == "door-open", timeout=10_000)


def test_cancel_on_the_qr_says_a_transfer_made_still_counts(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    """ "Hủy" on the QR screen, perhaps after transferring while the bank was slow: not the start
    screen, but a proof that the money still counts and how to get the result once it arrives."""
    window, _ = paying(windows, machine, qtbot, 8000, "vietqr")
    click(qtbot, window.paying_qr.cancel)
    on(qtbot, window, window.message)
    assert window.message.heading.text() == "Đã hủy thanh toán"
    assert window.message.words.text() == Say.QR_CANCELLED.vi and window.message.home.text() == "Xong"


def test_help_over_the_qr_leaves_the_banks_time_running(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window, _ = paying(windows, machine, qtbot, 8000, "vietqr")
    qr = window.paying_qr
    left = window.countdown.remaining()
    assert qr.frame is not None
    click(qtbot, qr.frame.footer.help)
    on(qtbot, window, window.help)
    qtbot.wait(300)
    click(qtbot, window.help.back)
    on(qtbot, window, qr)
    assert window.countdown.fixed and window.countdown.remaining() < left - 0.2  # not started again
    assert qr.left.text() in (
        "Thời gian còn lại để thanh toán: 5:00",
        "Thời gian còn lại để thanh toán: 4:59",
    )


def test_the_qr_screen_in_english_writes_the_amount_as_english_does(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window, _ = paying(windows, machine, qtbot, 1_250_000, "vietqr")
    qr = window.paying_qr
    assert qr.frame is not None
    click(qtbot, qr.frame.footer.language)
    assert qr.heading.text() == "Transfer 1,250,000 đồng"
    assert qr.steps[2].text() == "3. Check the amount of 1,250,000 đồng and confirm."
    assert qr.left.text().startswith("Time left to pay: ") and qr.another.text() == "Go back"


def test_the_banks_time_is_the_cores_and_more_of_it_is_asked_for_near_its_end(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window, _ = paying(windows, machine, qtbot, 8000, "vietqr", keep_alive_s=0.05, answer_s=65)
    qr = window.paying_qr
    assert window.view is not None
    until = window.view.data["wait_until"]
    assert not qr.more.isVisible()  # nearly 5 minutes left: nothing to ask for
    machine.clock.advance(250)  # the core's clock: 50 s left
    qtbot.wait(300)
    assert window.view.data["wait_until"] == until  # the screen alone keeps nothing alive
    qtbot.mouseClick(qr.qr, Qt.MouseButton.LeftButton)  # a touch: the person is there
    qtbot.waitUntil(lambda: window.view is not None and window.view.data["wait_until"] != until)
    assert qr.left.text() == "Thời gian còn lại để thanh toán: 1:00" and qr.more.isVisible()
    assert qr.more.text() == "Thêm thời gian"
    until = window.view.data["wait_until"]
    machine.clock.advance(40)
    click(qtbot, qr.more)
    qtbot.waitUntil(lambda: window.view is not None and window.view.data["wait_until"] != until)
    machine.clock.advance(61)  # and then nobody: the core ends the wait
    on(qtbot, window, window.message)
    assert window.message.heading.text() == "Đã hết thời gian thanh toán"
