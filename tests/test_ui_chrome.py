"""The chrome of the citizen's screens (issue 13, items 7 and 12): the office's name and the time
above, "Trợ giúp / Help", "Nghe lại" and the language switch below, on every citizen screen and
on no staff screen; the step a person is at; every return to the idle screen in Vietnamese."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from tests.machine import Machine
from tests.test_journey_pickup import load
from tests.test_ui import click, pick_up_by_code_and_pin, type_in
from tests.ui_windows import Windows
from ui.screens.base import Screen
from ui.screens.help import OfficeInfo
from ui.speech import Speaker
from ui.window import KioskWindow

STAFF_SCREENS = ("menu", "choose_items", "maintenance")


@pytest.fixture
def windows(machine: Machine, qtbot: QtBot) -> Iterator[Windows]:
    opened = Windows(machine, qtbot)
    yield opened
    opened.close()


def open_window(windows: Windows) -> KioskWindow:
    return windows.open(clock=windows.machine.clock, done_return_s=2.5, answer_s=1, ask_more_time_s=2,
                        office=OfficeInfo("UBND phường Vị Thanh"))  # fmt: skip


@pytest.fixture
def window(windows: Windows) -> KioskWindow:
    return open_window(windows)


def screens(window: KioskWindow) -> list[Screen]:
    found = [window.stack.widget(i) for i in range(window.stack.count())]
    assert all(isinstance(s, Screen) for s in found)
    return found  # type: ignore[return-value]


def test_every_citizen_screen_has_help_and_the_language_switch_and_staff_screens_have_none(
    window: KioskWindow,
) -> None:
    citizen = [s for s in screens(window) if s.citizen]
    staff = [s for s in screens(window) if not s.citizen]
    assert {window.idle, window.entries["code"], window.entries["pin"], window.entries["phone"],
            window.procedure, window.message, window.more_time, window.help} <= set(citizen)  # fmt: skip
    assert {getattr(window, n) for n in STAFF_SCREENS} | {
        window.entries[w] for w in ("staffid", "staffpin", "result")
    } == set(staff)
    for screen in citizen:
        window.stack.setCurrentWidget(screen)
        frame = screen.frame
        assert frame is not None, type(screen).__name__
        assert frame.footer.help.isVisible() and frame.footer.help.text() == "Trợ giúp / Help"
        assert frame.footer.language.isVisible() and frame.footer.language.text() == "English"
        assert frame.header.office.text() == "UBND phường Vị\u00a0Thanh"  # its last two words held together
        assert frame.header.clock.isVisible()
        assert not frame.footer.repeat.isVisible()  # nothing speaks here: no button that does nothing
    for screen in staff:
        assert screen.frame is None


def test_the_header_shows_the_kiosks_time_in_the_offices_zone(
    machine: Machine, window: KioskWindow, qtbot: QtBot
) -> None:
    clock = window.idle.frame.header.clock  # type: ignore[union-attr]
    assert clock.text() == "15:00  23/11/2026"  # 08:00 UTC is 15:00 in Vị Thanh
    machine.clock.now = datetime(2026, 11, 23, 19, 5, tzinfo=UTC)
    qtbot.waitUntil(lambda: clock.text() == "02:05  24/11/2026", timeout=2500)


def test_the_step_is_shown_in_the_persons_language(window: KioskWindow, qtbot: QtBot) -> None:
    screen = window.entries["phone"]
    screen.set_step(2, 4)
    step = screen.frame.header.step  # type: ignore[union-attr]
    assert step.text() == "Bước 2/4"
    window.switch_language()
    assert step.text() == "Step 2 of 4"
    screen.set_step(3)
    assert step.text() == "Step 3"
    screen.set_step(None)
    assert step.text() == ""
    window.entries["staffpin"].set_step(1, 2)  # a staff screen has no chrome: nothing to show, no error


def test_the_message_screen_shows_a_views_own_actions_above_xong(window: KioskWindow, qtbot: QtBot) -> None:
    touched: list[str] = []
    message = window.message
    message.present("Thank you", ("Cảm ơn", "Thanks"), proof=True)
    message.set_actions([("reopen", "Look up a dossier", lambda: touched.append("reopen")),
                         ("help", "Help", lambda: touched.append("help"))])  # fmt: skip
    window.stack.setCurrentWidget(message)
    reopen, other = message.action_buttons["reopen"], message.action_buttons["help"]
    assert reopen.text() == "Tra cứu hồ sơ" and reopen.y() < other.y() < message.home.y()
    click(qtbot, reopen)
    assert touched == ["reopen"]
    message.present("Thank you", ("Cảm ơn", "Thanks"))  # the next view: its own buttons or none
    assert message.action_buttons == {}


def test_english_for_one_person_then_vietnamese_for_the_next(
    machine: Machine, windows: Windows, qtbot: QtBot
) -> None:
    sent = load(machine)
    window = open_window(windows)
    click(qtbot, window.idle.language_button)
    assert window.idle.buttons["pickup"].text() == "Pick up a result"
    pick_up_by_code_and_pin(qtbot, window, sent["pin"])
    qtbot.waitUntil(lambda: "is open" in window.message.heading.text())
    assert window.message.frame.footer.language.text() == "Tiếng Việt"  # type: ignore[union-attr]
    machine.person("take", sent["compartment"])
    machine.person("close", sent["compartment"])
    qtbot.waitUntil(lambda: window.message.heading.text() == "Thank you")  # still English for them
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle, timeout=8000)  # by itself
    assert window.language.code == "vi" and window.idle.buttons["pickup"].text() == "Nhận kết quả"
    # switched on one screen, it is switched on all: the next person who switches, then walks away
    window.ask_more_time_s = 0.3
    click(qtbot, window.idle.language_button)
    click(qtbot, window.idle.buttons["lookup"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
    assert window.entries["code"].ok.text() == "Continue"
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.more_time)
    assert window.more_time.heading.text() == "Do you need more time?"
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.idle, timeout=8000)
    assert window.idle.heading.text() == "Máy nhận và trả hồ sơ 24 giờ"


def test_home_from_a_screen_in_english_is_vietnamese_again(window: KioskWindow, qtbot: QtBot) -> None:
    click(qtbot, window.idle.buttons["lookup"])
    code = window.entries["code"]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is code)
    click(qtbot, code.frame.footer.language)  # type: ignore[union-attr]  # switched mid-journey
    assert code.back.text() == "Back to start"
    type_in(qtbot, code, "X")  # a refusal, then the person gives up
    click(qtbot, code.back)
    assert window.stack.currentWidget() is window.idle and window.language.code == "vi"


def test_hear_again_reads_the_screen_once_more(windows: Windows, qtbot: QtBot, short_tmp: Path) -> None:
    heard = short_tmp / "heard"
    heard.mkdir()
    speaker = Speaker(True, record_to=heard)  # espeak-ng on purpose, writing WAV files
    assert speaker.program is not None, "espeak-ng is installed by make (scripts/system-deps.sh)"
    window = windows.open(speaker=speaker)
    repeat = window.idle.frame.footer.repeat  # type: ignore[union-attr]
    assert repeat.isVisible() and repeat.text() == "Nghe lại"
    click(qtbot, window.idle.buttons["lookup"])
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["code"])
    click(qtbot, window.entries["code"].frame.footer.repeat)  # type: ignore[union-attr]
    speaker.close()
    # the code screen's prompt, then the same again (the first cut short by the second, as a new
    # prompt does)
    again = heard / "prompt-0002.wav"
    assert again.read_bytes()[:4] == b"RIFF" and again.stat().st_size > 10_000
    assert windows.open().speaker.program is None  # silent unless given a voice
