"""Time to act (issue 13, items 2 and 7; DESIGN §8): every automatic return is counted down on
screen with more time offered (KioskWindow.countdown); a screen carrying what the person needs
stays until "Xong"; the core's own idle timeout never ends a journey while the screen still
offers more time. Times are configured short (fractions of a second) instead of waited out."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from kiosk import config
from kiosk.config import RulesSection
from kiosk.core import Core
from kiosk.errors import ConfigError
from tests.machine import Machine
from tests.test_journey_pickup import load
from tests.test_ui import click, peek, pick_up_by_code_and_pin, type_in
from tests.ui_windows import Windows
from ui.window import KioskWindow


@pytest.fixture
def windows(machine: Machine, qtbot: QtBot) -> Iterator[Windows]:
    opened = Windows(machine, qtbot)
    yield opened
    opened.close()


def patient_core(machine: Machine) -> Core:
    """The machine's core with the default idle timeout of 60 s (on the machine's own clock)."""
    cfg = machine.cfg.model_copy(update={"rules": RulesSection(idle_timeout_s=60)})
    return Core(cfg, machine.store, machine.lockers, monotonic=machine.clock.monotonic)


def hand_in_without_paper(qtbot: QtBot, machine: Machine, window: KioskWindow) -> str:
    """A drop-off by touches on a kiosk with no printer: the code is shown instead of a receipt."""
    click(qtbot, window.idle.buttons["dropoff"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
    type_in(qtbot, window.entries["code"], "000.00.53.H26-261123-0005")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["phone"])
    type_in(qtbot, window.entries["phone"], "0912345678")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.review)  # the review before the door
    click(qtbot, window.review.confirm)
    qtbot.waitUntil(lambda: "đang mở" in window.message.heading.text())
    where = str(window.view.data["compartment"])  # type: ignore[union-attr]
    machine.person("put", where)
    machine.person("close", where)
    qtbot.waitUntil(lambda: window.message.qr.isVisible(), timeout=10_000)
    return where


def test_the_question_counts_down_and_more_time_keeps_what_was_typed(windows: Windows, qtbot: QtBot) -> None:
    window = windows.open(ask_more_time_s=1.5, answer_s=2.5)
    click(qtbot, window.idle.buttons["lookup"])
    code = window.entries["code"]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is code)
    for ch in "000.00":
        click(qtbot, code.keyboard.keys[ch])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.more_time)  # nobody touches
    assert window.more_time.left.text() == "Về màn hình chính sau 3 giây."
    qtbot.waitUntil(lambda: window.more_time.left.text().endswith("sau 2 giây."))  # it counts down
    click(qtbot, window.more_time.yes)  # "Có, tôi cần thêm thời gian"
    assert window.stack.currentWidget() is code and code.field.text() == "000.00"  # nothing lost
    assert window.countdown.remaining() > 2.0  # the whole time again
    # the person goes on typing; a touch gives the whole time again each time
    click(qtbot, code.keyboard.keys["5"])
    assert window.countdown.remaining() > 3.0  # of 4 s (1.5 s quiet, then 2.5 s to answer)
    assert code.field.text() == "000.005"


def test_a_touch_on_the_question_itself_does_not_take_it_away_before_its_button_is_heard(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window = windows.open(ask_more_time_s=0.2, answer_s=3)
    click(qtbot, window.idle.buttons["lookup"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.more_time)
    click(qtbot, window.more_time.no)  # "Không, tôi đã xong"
    assert window.stack.currentWidget() is window.idle
    outcome = "SELECT outcome FROM journey WHERE kind = 'lookup'"
    qtbot.waitUntil(lambda: peek(machine, outcome) == [("cancelled",)])


def test_the_cores_idle_timeout_never_ends_a_journey_while_more_time_is_offered(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    """The core's idle timeout (rules.idle_timeout_s: 60 s here) is a backstop for a screen that
    died; while the screen counts down, the core hears the person may still be there. The core's
    clock is moved on 30 s at a time (more than its timeout in all), the screen's runs for real."""
    window = windows.open(patient_core(machine), ask_more_time_s=0.2, answer_s=30, keep_alive_s=0.05)
    click(qtbot, window.idle.buttons["pickup"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.more_time)
    for _ in range(6):  # three minutes of the core's time with nobody touching
        machine.clock.advance(30)
        qtbot.wait(300)
        assert window.stack.currentWidget() is window.more_time
    assert peek(machine, "SELECT state, outcome FROM journey WHERE kind = 'pickup'") == [
        ("waiting-code", None)
    ]
    click(qtbot, window.more_time.yes)
    assert window.stack.currentWidget() is window.entries["code"]  # still the same journey


def test_the_code_shown_instead_of_a_receipt_stays_until_xong(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window = windows.open(done_return_s=0.2, proof_timeout_s=600, answer_s=1)
    hand_in_without_paper(qtbot, machine, window)
    message = window.message
    assert message.home.text() == "Xong"
    assert message.reference.text().startswith("Mã tham chiếu: ")
    qtbot.wait(800)  # long past a thank-you's time
    assert window.stack.currentWidget() is message and message.qr.isVisible()
    assert not message.frame.countdown.isVisible()  # type: ignore[union-attr]  # far from its end
    click(qtbot, message.home)
    click(qtbot, window.rating.leave)  # issue 13: the rating offered on the way out, skipped
    assert window.stack.currentWidget() is window.idle


def test_a_proof_left_untouched_goes_back_after_its_long_timeout_counted_down_near_its_end(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    window = windows.open(done_return_s=0.2, proof_timeout_s=2.0, answer_s=1.2)
    hand_in_without_paper(qtbot, machine, window)
    bar = window.message.frame.countdown  # type: ignore[union-attr]
    assert not bar.isVisible()
    qtbot.waitUntil(bar.isVisible, timeout=2000)  # near its end
    assert bar.words.text() in (
        "Về màn hình chính sau 2 giây.",
        "Về màn hình chính sau 1 giây.",
    )
    click(qtbot, bar.more)  # "Thêm thời gian"
    assert not bar.isVisible() and window.countdown.remaining() > 1.2  # the whole time again
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle, timeout=8000)


def test_a_fee_due_stays_and_the_core_keeps_the_journey_open(
    windows: Windows, machine: Machine, qtbot: QtBot
) -> None:
    """A fee screen (an amount the person needs) is not left by the core's timeout either."""
    sent = load(machine, fee=8000)
    window = windows.open(patient_core(machine), done_return_s=0.2, proof_timeout_s=600, keep_alive_s=0.05)
    pick_up_by_code_and_pin(qtbot, window, sent["pin"])
    qtbot.waitUntil(
        lambda: "8000" in window.message.heading.text() or "8.000" in window.message.heading.text()
    )
    for _ in range(4):
        machine.clock.advance(30)
        qtbot.wait(300)
    assert window.stack.currentWidget() is window.message
    assert window.message.home.text() == "Xong"
    assert peek(machine, "SELECT state FROM journey WHERE kind = 'pickup'") == [("fee-due",)]
    click(qtbot, window.message.home)
    assert window.stack.currentWidget() is window.idle


def test_a_thank_you_goes_back_soon_counted_down(windows: Windows, machine: Machine, qtbot: QtBot) -> None:
    sent = load(machine)
    window = windows.open(done_return_s=3.0, answer_s=3.0)
    pick_up_by_code_and_pin(qtbot, window, sent["pin"])
    qtbot.waitUntil(lambda: "đang mở" in window.message.heading.text())
    bar = window.message.frame.countdown  # type: ignore[union-attr]
    assert not bar.isVisible()  # a door open: the core watches it, nothing counts down
    machine.person("take", sent["compartment"])
    machine.person("close", sent["compartment"])
    qtbot.waitUntil(lambda: window.message.heading.text() == "Xin cảm ơn ông/bà")
    assert bar.isVisible() and "giây" in bar.words.text()
    assert window.message.home.text() == "Về màn hình chính"  # nothing to keep: not "Xong"
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle, timeout=8000)


def test_the_ui_section_gives_at_least_20_seconds_to_answer(short_tmp: Path) -> None:
    base = {"kiosk": {"id": "HG-VT-01", "data_dir": str(short_tmp)}}
    cfg = config.parse(base)
    assert cfg.ui.answer_s >= 20 and cfg.ui.speech is True
    assert cfg.ui.proof_timeout_s > cfg.ui.done_return_s
    with pytest.raises(ConfigError, match="answer_s"):
        config.parse({**base, "ui": {"answer_s": 15}})
    with pytest.raises(ConfigError, match="proof_timeout_s"):
        config.parse({**base, "ui": {"proof_timeout_s": 5}})
