"""Help at any hour (issue 13, item 1; DESIGN §8): a help button on every citizen screen opens the
office's hotline, hours and address and a reference for what just happened; help goes back to
where the person was with nothing lost; an error screen shows the reference; an officer finds
the journey by it later (``kiosk journey REF``), with no citizen data in what it prints."""

from __future__ import annotations

import argparse
import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from commands import journey as journey_command
from kiosk import config, trail
from kiosk.errors import ConfigError
from kiosk.journeys.dropoff import DropoffJourney
from kiosk.office import Opening
from kiosk.reference import BadReference, id_prefix, reference_of
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load
from tests.test_ui import click, pick_up_by_code_and_pin
from tests.ui_windows import Windows
from ui.screens.help import OfficeInfo
from ui.window import KioskWindow

OFFICE = OfficeInfo(
    "Bộ phận Một cửa UBND phường Vị Thanh",
    hotline="0293 3870 123",
    address="Số 1 Đường 3 Tháng 2, phường Vị Thanh",
    openings=[Opening.parse("mon-fri 07:30-11:30"), Opening.parse("mon-fri 13:30-17:00")],
)


@pytest.fixture
def windows(machine: Machine, qtbot: QtBot) -> Iterator[Windows]:
    opened = Windows(machine, qtbot)
    yield opened
    opened.close()


def open_window(windows: Windows, **settings: float) -> KioskWindow:
    return windows.open(office=OFFICE, clock=windows.machine.clock, done_return_s=30, **settings)


@pytest.fixture
def window(windows: Windows) -> KioskWindow:
    return open_window(windows)


def test_help_from_the_idle_screen_says_whom_to_call_and_when_the_office_is_open(
    machine: Machine, window: KioskWindow, qtbot: QtBot
) -> None:
    machine.clock.now = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # Tuesday 2 a.m. in Vị Thanh
    click(qtbot, window.idle.frame.footer.help)  # type: ignore[union-attr]
    help_ = window.help
    assert window.stack.currentWidget() is help_
    assert help_.heading.text() == "Trợ giúp / Help"
    assert help_.words.text().startswith("Giờ này không có cán bộ tại quầy.")
    assert help_.hotline.text() == "Đường dây nóng: 0293 3870 123"
    assert help_.hours.text() == "Giờ làm việc:\nThứ Hai – Thứ Sáu: 7:30 – 11:30, 13:30 – 17:00"
    assert help_.address.text() == "Địa chỉ: Số 1 Đường 3 Tháng 2, phường Vị Thanh"
    assert help_.happened_words.text() == ""  # nothing has happened yet
    click(qtbot, help_.frame.footer.language)  # type: ignore[union-attr]
    assert help_.hours.text().startswith("Opening hours:\nMonday – Friday: 7:30 – 11:30")
    click(qtbot, help_.back)
    assert window.stack.currentWidget() is window.idle


def test_help_in_office_hours_says_officers_are_at_the_counter(
    machine: Machine, window: KioskWindow, qtbot: QtBot
) -> None:
    machine.clock.now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 in Vị Thanh
    click(qtbot, window.idle.frame.footer.help)  # type: ignore[union-attr]
    assert window.help.words.text() == "Cán bộ đang làm việc tại quầy: Bộ phận Một cửa UBND phường Vị Thanh."


def test_help_mid_journey_goes_back_with_what_was_typed_and_names_the_journey(
    machine: Machine, windows: Windows, qtbot: QtBot
) -> None:
    load(machine)
    window = open_window(windows)
    click(qtbot, window.idle.buttons["pickup"])
    code = window.entries["code"]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is code)
    for ch in "000.00.53":
        click(qtbot, code.keyboard.keys[ch])
    click(qtbot, code.frame.footer.help)  # type: ignore[union-attr]
    assert window.stack.currentWidget() is window.help
    lines = window.help.happened_words.text().splitlines()
    assert lines[0] == f"Mã tham chiếu: {reference_of(window.view.journey)}"  # type: ignore[union-attr]
    assert lines[1] == "Nhận kết quả" and lines[2] == "15:00 23/11/2026"  # the kiosk's clock, local time
    click(qtbot, window.help.back)  # "Quay lại"
    assert window.stack.currentWidget() is code and code.field.text() == "000.00.53"
    for ch in CODE[len("000.00.53") :]:
        click(qtbot, code.keyboard.keys[ch])
    click(qtbot, code.ok)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.entries["pin"])  # the journey went on


def test_a_jammed_door_shows_the_reference_help_repeats_it_and_the_officer_finds_the_journey(
    machine: Machine, windows: Windows, qtbot: QtBot
) -> None:
    sent = load(machine)
    window = open_window(windows)
    machine.person("jam", sent["compartment"])
    pick_up_by_code_and_pin(qtbot, window, sent["pin"])
    message = window.message
    qtbot.waitUntil(lambda: message.heading.text() == "Ngăn tủ không mở được", timeout=10_000)
    reference = reference_of(window.view.journey)  # type: ignore[union-attr]
    assert message.reference.text() == f"Mã tham chiếu: {reference}"
    assert message.home.text() == "Xong"  # it stays: the person needs the reference
    assert message.what_now.text() == (
        "Ông/bà có thể gọi đường dây nóng 0293 3870 123 và đọc mã tham chiếu, hoặc chạm «Trợ giúp»."
    )
    click(qtbot, message.frame.footer.help)  # type: ignore[union-attr]
    assert f"Mã tham chiếu: {reference}" in window.help.happened_words.text()
    assert f"Ngăn tủ {sent['compartment']}" in window.help.happened_words.text()
    click(qtbot, window.help.back)
    assert window.stack.currentWidget() is message and message.reference.text().endswith(reference)
    click(qtbot, message.home)
    click(qtbot, window.rating.leave)  # issue 13: the rating offered on the way out, skipped
    assert window.stack.currentWidget() is window.idle
    click(qtbot, window.idle.frame.footer.help)  # type: ignore[union-attr]
    assert window.help.happened_words.text() == ""  # the next person sees nothing of it
    # the officer, the next morning: kiosk journey 4F3A-91C2
    out = io.StringIO()
    args = argparse.Namespace(reference=reference.lower().replace("-", ""))  # typed any way
    assert journey_command.cmd_journey(args, machine.cfg, machine.store, out) == 0
    printed = out.getvalue()
    assert printed.startswith(f"{reference}  pickup  journey ")
    assert "outcome jammed" in printed and f"compartment {sent['compartment']}" in printed
    assert "journey:pickup:jammed" in printed
    assert sent["pin"] not in printed and sent["token"] not in printed


def test_the_trail_of_a_drop_off_holds_no_phone_number(machine: Machine) -> None:
    dropoff = DropoffJourney(machine.core)
    dropoff.submit_code("000.00.53.H26-261123-0005")
    dropoff.submit_phone("0912345678")
    where = dropoff.data["compartment"]
    machine.person("put", where)
    machine.person("close", where)
    dropoff.tick()
    (found,) = trail.find(machine.store, reference_of(dropoff.id))
    assert found.kind == "dropoff" and found.compartment == where
    actions = [s.action for s in found.steps]
    assert "journey:dropoff:deposited" in actions and "unlock-intent" in actions
    out = io.StringIO()
    journey_command.cmd_journey(
        argparse.Namespace(reference=reference_of(dropoff.id)), machine.cfg, machine.store, out
    )
    assert "0912345678" not in out.getvalue() and "912345678" not in out.getvalue()


def test_an_unknown_or_malformed_reference_is_refused_with_a_message(machine: Machine) -> None:
    out = io.StringIO()
    assert (
        journey_command.cmd_journey(
            argparse.Namespace(reference="0000-0000"), machine.cfg, machine.store, out
        )
        == 1
    )
    assert "no journey has the reference 0000-0000" in out.getvalue()
    assert reference_of("4f3a91c2-7d1e-4b7a-9c55-0e2f6a1b3c4d") == "4F3A-91C2"
    assert reference_of("not-a-journey") == ""  # no reference shown for what no journey is
    for bad in ("", "4F3A", "4F3A-91C2-77", "'; DROP TABLE journey; --", "٤F3A-91C2", "4F3A-91C%"):
        with pytest.raises(BadReference):
            id_prefix(bad)
        with pytest.raises(trail.UnknownReference):
            trail.find(machine.store, bad)


def test_the_office_section_has_defaults_and_refuses_what_would_mislead(short_tmp: Path) -> None:
    base = {"kiosk": {"id": "HG-VT-01", "data_dir": str(short_tmp), "office": "Bộ phận Một cửa huyện X"}}
    cfg = config.parse(base)
    assert cfg.office_name == "Bộ phận Một cửa huyện X"  # the receipts' name unless set
    assert (
        cfg.office.hotline is None
        and cfg.office.openings[0].describe("vi") == "Thứ Hai – Thứ Sáu: 7:30 – 11:30"
    )
    assert str(cfg.office.zone) == "Asia/Ho_Chi_Minh"
    good = config.parse({**base, "office": {"name": "UBND phường Vị Thanh", "hotline": "1022",
                                            "hours": ["sat 07:30-11:30"], "address": "Số 1"}})  # fmt: skip
    assert good.office_name == "UBND phường Vị Thanh" and good.office.openings[0].first == 5
    for bad, key in (
        ({"hotline": "call 1022"}, "hotline"),
        ({"hotline": "１０２２"}, "hotline"),  # full-width digits are not a number to dial
        ({"hours": ["fri-mon 07:30-11:30"]}, "hours"),
        ({"hours": ["mon 17:00-07:30"]}, "hours"),
        ({"hours": ["every day"]}, "hours"),
        ({"name": "Office\nfake line"}, "name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
    ):
        with pytest.raises(ConfigError, match=key):
            config.parse({**base, "office": bad})


def test_help_left_open_at_an_open_door_goes_back_to_the_door_not_home(
    machine: Machine, windows: Windows, qtbot: QtBot
) -> None:
    """A person reads help while the compartment is open, then turns to the door: help goes back to
    the open door's screen (which waits for the door), never to the idle screen."""
    sent = load(machine)
    window = open_window(windows, ask_more_time_s=3, answer_s=1)
    pick_up_by_code_and_pin(qtbot, window, sent["pin"])
    qtbot.waitUntil(lambda: "đang mở" in window.message.heading.text())
    click(qtbot, window.message.frame.footer.help)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.more_time, timeout=8000)  # nobody answers
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=8000)
    assert "đang mở" in window.message.heading.text()
    qtbot.wait(800)
    assert window.stack.currentWidget() is window.message  # the open door: nothing counts down
    machine.person("take", sent["compartment"])
    machine.person("close", sent["compartment"])
    qtbot.waitUntil(lambda: window.message.heading.text() == "Xin cảm ơn ông/bà")
