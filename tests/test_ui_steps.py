"""Issue 13's steps by touches (a real Qt window, offscreen, against the lock-board simulator), as
a person alone at night takes them: mistype the code, correct it, get the PIN wrong, go back,
come back; locked keys with the time; the drop-off's review with its size and low door; Back that
keeps what was typed; "Nhận kết quả" after a look-up; a pickup by code and PIN in 12 touches."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from kiosk.journeys.messages import Say
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load
from tests.test_ui import OUTBOX, peek
from ui.bridge import CoreBridge
from ui.i18n import Language
from ui.screens.entry import EntryScreen
from ui.window import KioskWindow

DROPOFF = "000.00.53.H26-261123-0005"


class Touches(QObject):
    """Counts every press of a finger on the window, wherever it lands."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        pressed = event is not None and event.type() == QEvent.Type.MouseButtonPress
        if pressed and isinstance(watched, QPushButton):
            self.count += 1
        return False


@pytest.fixture
def kiosk(machine: Machine, qtbot: QtBot) -> Iterator[KioskWindow]:
    bridge = CoreBridge(machine.core, tick_ms=20)
    window = KioskWindow(bridge, Language("vi"), done_return_s=30)
    qtbot.addWidget(window)
    window.show()
    yield window
    bridge.close()


def click(qtbot: QtBot, b: QPushButton) -> None:
    assert b.isVisible() and b.isEnabled(), b.text()
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def keys(qtbot: QtBot, screen: EntryScreen, typed: str) -> None:
    for ch in typed:
        click(qtbot, screen.keyboard.keys[ch])


def on(qtbot: QtBot, kiosk: KioskWindow, screen: object) -> None:
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is screen)


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**6:06d}"


def test_alone_at_night_a_mistyped_code_a_wrong_pin_back_and_again(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    sent = load(machine)
    code, pin = kiosk.entries["code"], kiosk.entries["pin"]
    click(qtbot, kiosk.idle.buttons["pickup"])
    on(qtbot, kiosk, code)
    assert code.hint.isVisible() and code.hint.text() == "Chỉ cần nhập 4 số cuối của mã hồ sơ."
    typo = CODE[:-1] + "8"
    keys(qtbot, code, typo)
    click(qtbot, code.ok)
    qtbot.waitUntil(lambda: code.problem.text() != "")
    # the error names what was typed, and it stays in the field to be corrected
    assert code.problem.text() == f"Máy không có kết quả của hồ sơ {typo}. Vui lòng kiểm tra lại mã."
    assert code.field.text() == typo
    keys(qtbot, code, "⌫9")
    click(qtbot, code.ok)
    on(qtbot, kiosk, pin)
    assert pin.problem.text() == ""  # not the old red error of the code step
    assert pin.dossier.isVisible() and pin.dossier.text() == f"Hồ sơ {CODE}"  # which dossier it is for
    assert pin.boxes is not None and [b.text() for b in pin.boxes.boxes] == [""] * 6
    keys(qtbot, pin, wrong(sent["pin"])[:5])
    assert [b.text() for b in pin.boxes.boxes] == ["●"] * 5 + [""]
    keys(qtbot, pin, wrong(sent["pin"])[5])  # the sixth box: in it goes, no OK to find
    qtbot.waitUntil(lambda: pin.problem.text() == "Mã PIN không đúng. Còn 4 lần thử.")
    assert pin.field.text() == "" and [b.text() for b in pin.boxes.boxes] == [""] * 6
    assert pin.previous is not None
    click(qtbot, pin.previous)  # "Quay lại": to the code, which is kept
    on(qtbot, kiosk, code)
    assert code.field.text() == CODE and code.problem.text() == ""
    click(qtbot, code.ok)
    on(qtbot, kiosk, pin)
    qtbot.waitUntil(lambda: pin.problem.text() == "")  # what was said belongs to its step
    keys(qtbot, pin, sent["pin"])
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == f"Ngăn tủ {sent['compartment']} đang mở")
    machine.person("take", sent["compartment"])
    machine.person("close", sent["compartment"])
    qtbot.waitUntil(lambda: kiosk.message.words.text() == "Ông/bà đã nhận kết quả. Xin cảm ơn!")
    assert peek(machine, OUTBOX)[-1] == ("result-picked-up", CODE, sent["compartment"])


def test_the_pin_takes_six_digits_and_no_seventh(kiosk: KioskWindow) -> None:
    pin = kiosk.entries["pin"]
    sent: list[str] = []
    pin.submit_ = sent.append  # what the keys hand on (the screen alone: no journey needed)
    for key in "1234567":
        pin.press(key)
    assert sent == ["123456"] and len(pin.field.text()) <= 6


def test_a_locked_pin_step_holds_its_keys_and_says_until_when(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    sent = load(machine)
    code, pin = kiosk.entries["code"], kiosk.entries["pin"]
    click(qtbot, kiosk.idle.buttons["pickup"])
    on(qtbot, kiosk, code)
    keys(qtbot, code, "0099")
    click(qtbot, code.ok)
    on(qtbot, kiosk, pin)
    for left in (4, 3, 2, 1):
        keys(qtbot, pin, wrong(sent["pin"]))
        qtbot.waitUntil(lambda n=left: f"Còn {n} lần thử" in pin.problem.text())
    keys(qtbot, pin, wrong(sent["pin"]))
    locked = Say.LOCKED.format(code=CODE, until="15:15")[0]  # the kiosk's clock: 15:00 in Vietnam
    qtbot.waitUntil(lambda: pin.problem.text() == locked)
    assert not pin.keyboard.isEnabled() and not pin.ok.isEnabled() and pin.locked
    assert pin.back.isEnabled()  # the way home is never held
    click(qtbot, pin.back)
    on(qtbot, kiosk, kiosk.idle)
    # the same person comes back before 15:15: told at once, the keys held
    click(qtbot, kiosk.idle.buttons["pickup"])
    on(qtbot, kiosk, code)
    assert code.field.text() == ""  # a new journey: nothing of the last person's typing
    keys(qtbot, code, "0099")
    click(qtbot, code.ok)
    on(qtbot, kiosk, pin)
    qtbot.waitUntil(lambda: pin.problem.text() == locked)
    assert not pin.keyboard.isEnabled()


def test_the_dropoff_is_reviewed_with_its_size_and_a_low_door_and_back_keeps_the_phone(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    code, phone, review = kiosk.entries["code"], kiosk.entries["phone"], kiosk.review
    click(qtbot, kiosk.idle.buttons["dropoff"])
    on(qtbot, kiosk, code)
    keys(qtbot, code, DROPOFF)
    click(qtbot, code.ok)
    on(qtbot, kiosk, phone)
    assert phone.dossier.text() == f"Hồ sơ {DROPOFF}"
    keys(qtbot, phone, "0912345678")
    click(qtbot, phone.ok)
    on(qtbot, kiosk, review)
    assert kiosk.size().width() == 1080  # no screen wider than the kiosk's
    shown = {key: value.text() for key, (_, value) in review.lines.items()}
    assert shown == {"dossier": DROPOFF, "procedure": "-", "phone": "09** *** 678"}
    assert review.heading.text() == "Vui lòng kiểm tra trước khi mở ngăn tủ"
    assert review.choices["usual"].isChecked() and review.choices["high"].isChecked()
    assert review.choices["large"].text() == "Hồ sơ dày / nhiều"
    assert review.choices["usual"].text() == "✓ Cỡ thường"  # the choice marked in words
    click(qtbot, review.choices["large"])
    qtbot.waitUntil(lambda: review.choices["large"].isChecked() and not review.choices["usual"].isChecked())
    click(qtbot, review.choices["low"])
    qtbot.waitUntil(lambda: review.choices["low"].isChecked())
    click(qtbot, review.previous)  # back to the phone: still typed
    on(qtbot, kiosk, phone)
    assert phone.field.text() == "0912345678"
    click(qtbot, phone.ok)
    on(qtbot, kiosk, review)
    assert review.choices["large"].isChecked() and review.choices["low"].isChecked()  # kept
    click(qtbot, review.confirm)
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == "Ngăn tủ A07 đang mở")  # large and low
    assert peek(machine, "SELECT compartment FROM item WHERE kind = 'deposit'") == [("A07",)]


def test_the_review_offers_only_what_is_free(machine: Machine, kiosk: KioskWindow, qtbot: QtBot) -> None:
    for large in ("A07", "A08"):  # before any touch: the core is idle
        machine.core.take_out_of_service(large, "test", actor="test")
    code, phone, review = kiosk.entries["code"], kiosk.entries["phone"], kiosk.review
    click(qtbot, kiosk.idle.buttons["dropoff"])
    on(qtbot, kiosk, code)
    keys(qtbot, code, DROPOFF)
    click(qtbot, code.ok)
    on(qtbot, kiosk, phone)
    keys(qtbot, phone, "0912345678")
    click(qtbot, phone.ok)
    on(qtbot, kiosk, review)
    assert not review.choices["large"].isEnabled()  # no large one is free: not offered
    assert review.choices["low"].isEnabled() and review.confirm.isEnabled()
    assert review.words.text() == Say.REVIEW.vi


def test_back_from_the_phone_goes_to_the_procedure_it_was_for(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    code, phone = kiosk.entries["code"], kiosk.entries["phone"]
    click(qtbot, kiosk.idle.buttons["dropoff"])
    on(qtbot, kiosk, code)
    assert code.alternative is not None
    click(qtbot, code.alternative)
    for key in "khai":
        click(qtbot, kiosk.procedure.keyboard.keys[key])
    click(qtbot, kiosk.procedure.found["birth"])
    on(qtbot, kiosk, phone)
    assert phone.previous is not None
    click(qtbot, phone.previous)
    on(qtbot, kiosk, kiosk.procedure)
    assert kiosk.procedure.field.text() == "khai" and "birth" in kiosk.procedure.found


def test_a_pickup_by_code_and_pin_takes_at_most_12_touches(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    sent = load(machine)
    touches = Touches()
    QApplication.instance().installEventFilter(touches)  # type: ignore[union-attr]
    try:
        click(qtbot, kiosk.idle.buttons["pickup"])
        on(qtbot, kiosk, kiosk.entries["code"])
        keys(qtbot, kiosk.entries["code"], "0099")  # the end of the code from the SMS
        click(qtbot, kiosk.entries["code"].ok)
        on(qtbot, kiosk, kiosk.entries["pin"])
        keys(qtbot, kiosk.entries["pin"], sent["pin"])
        qtbot.waitUntil(lambda: kiosk.message.heading.text() == f"Ngăn tủ {sent['compartment']} đang mở")
    finally:
        QApplication.instance().removeEventFilter(touches)  # type: ignore[union-attr]
    assert touches.count == 12


def step(screen: object) -> str:
    frame = getattr(screen, "frame", None)
    assert frame is not None, screen
    return str(frame.header.step.text())


def test_each_step_says_where_the_person_is(machine: Machine, kiosk: KioskWindow, qtbot: QtBot) -> None:
    code, phone, review = kiosk.entries["code"], kiosk.entries["phone"], kiosk.review
    click(qtbot, kiosk.idle.buttons["dropoff"])
    on(qtbot, kiosk, code)
    assert step(code) == "Bước 1/4"
    assert code.alternative is not None
    click(qtbot, code.alternative)
    assert step(kiosk.procedure) == "Bước 1/4"  # finding the procedure is the same first step
    click(qtbot, kiosk.procedure.back)
    keys(qtbot, code, DROPOFF)
    click(qtbot, code.ok)
    on(qtbot, kiosk, phone)
    assert step(phone) == "Bước 2/4"
    keys(qtbot, phone, "0912345678")
    click(qtbot, phone.ok)
    on(qtbot, kiosk, review)
    assert step(review) == "Bước 3/4"
    click(qtbot, review.confirm)
    qtbot.waitUntil(lambda: kiosk.message.heading.text().endswith("đang mở"))
    assert step(kiosk.message) == "Bước 4/4"
    machine.person("put", "A05")
    machine.person("close", "A05")
    qtbot.waitUntil(lambda: step(kiosk.message) == "")  # the end is no step


def test_a_lookup_of_a_result_waiting_here_picks_it_up_with_the_code_carried_over(
    machine: Machine, kiosk: KioskWindow, qtbot: QtBot
) -> None:
    sent = load(machine)
    code, pin = kiosk.entries["code"], kiosk.entries["pin"]
    click(qtbot, kiosk.idle.buttons["lookup"])
    on(qtbot, kiosk, code)
    keys(qtbot, code, CODE)
    click(qtbot, code.ok)
    qtbot.waitUntil(lambda: "pick up" in kiosk.message.action_buttons)
    assert "Kết quả đã có tại máy này" in kiosk.message.words.text()
    button = kiosk.message.action_buttons["pick up"]
    assert button.text() == "Nhận kết quả"
    click(qtbot, button)
    on(qtbot, kiosk, pin)  # the code is not asked again: the PIN, for that dossier
    assert pin.dossier.text() == f"Hồ sơ {CODE}" and step(pin) == "Bước 2/3"
    assert pin.previous is not None
    click(qtbot, pin.previous)  # and back, the code is there to see
    on(qtbot, kiosk, code)
    assert code.field.text() == CODE
    click(qtbot, code.ok)
    on(qtbot, kiosk, pin)
    keys(qtbot, pin, sent["pin"])
    qtbot.waitUntil(lambda: kiosk.message.heading.text() == f"Ngăn tủ {sent['compartment']} đang mở")


def test_a_lookup_of_a_result_elsewhere_offers_no_pickup(kiosk: KioskWindow, qtbot: QtBot) -> None:
    code = kiosk.entries["code"]
    click(qtbot, kiosk.idle.buttons["lookup"])
    on(qtbot, kiosk, code)
    keys(qtbot, code, "000.00.53.H48-250101-0001")
    click(qtbot, code.ok)
    qtbot.waitUntil(lambda: kiosk.stack.currentWidget() is kiosk.message)
    assert kiosk.message.action_buttons == {}
