"""The screenshots tell the truth (issue 13, item 13): every entry of ``ui.screenshots.views()``
drawn offscreen in a fresh window on a fresh core, on the screen its name says, with its heading
and its words, at the screen's size, and no two alike; and the committed pictures likewise."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6.QtWidgets import QApplication

from kiosk.journeys.messages import Say
from ui.screenshots import OFFLINE, offline, view, views
from ui.shooting import (
    DAMAGED,
    LANGUAGES,
    ORIENTATIONS,
    Shot,
    ShotMismatch,
    damaged_database,
    duplicates,
    fingerprint,
    render,
)

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "docs" / "screens"
IDLE = "Dossier kiosk, open 24 hours"


@pytest.mark.parametrize(("language", "orientation"), [("vi", "portrait"), ("en", "landscape")])
def test_every_screenshot_is_the_screen_its_name_says_and_no_two_are_alike(
    qapp: QApplication, language: str, orientation: str
) -> None:
    drawn = {shot.name: fingerprint(render(qapp, shot, language, orientation)) for shot in views()}
    drawn[DAMAGED] = fingerprint(damaged_database(qapp, orientation))
    assert duplicates(drawn) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_every_screen_fits_the_display_in_each_language_and_orientation(
    qapp: QApplication, language: str, orientation: str
) -> None:
    """A button too wide for the display widens the whole window past it (the stack takes the
    widest of its screens), in the combinations not drawn above too."""
    render(qapp, Shot("01-idle", "idle", IDLE), language, orientation)


def test_each_entry_has_a_name_of_its_own() -> None:
    names = [shot.name for shot in views()]
    assert len(set(names)) == len(names)
    assert DAMAGED not in names
    for name in names:
        assert re.fullmatch(r"\d{2}-[a-z0-9]+(-[a-z0-9]+)*", name), name


def signed_in_then_offline(w: object) -> None:
    view("signin", "signed-in", role="officer")(w)  # type: ignore[arg-type]
    offline(w)  # type: ignore[arg-type]


def test_a_screenshot_left_on_another_screen_is_refused(qapp: QApplication) -> None:
    """What the committed 19-idle-network-down pictures once were: the officer's menu."""
    stale = Shot("19-idle-network-down", "idle", IDLE, signed_in_then_offline, shows=(OFFLINE,))
    with pytest.raises(ShotMismatch, match=r"shows MenuScreen \('Chọn công việc'\), not idle"):
        render(qapp, stale, "vi", "portrait")


def test_a_heading_or_words_that_do_not_match_the_name_are_refused(qapp: QApplication) -> None:
    jammed = view("pickup", "jammed", Say.JAMMED.format(compartment="A05"), ended=True)
    with pytest.raises(
        ShotMismatch, match="the heading says 'Ngăn tủ không mở được', not 'Xin cảm ơn ông/bà'"
    ):
        render(qapp, Shot("05-thank-you", "message", "Thank you", jammed), "vi", "portrait")
    with pytest.raises(ShotMismatch, match=r"'Mạng đang gián đoạn\..*' is not on the screen"):
        render(qapp, Shot("19-idle-network-down", "idle", IDLE, shows=(OFFLINE,)), "vi", "portrait")
    with pytest.raises(ShotMismatch, match=r"the window has no screen 'entries\.nothing'"):
        render(qapp, Shot("99-nothing", "entries.nothing", IDLE), "vi", "portrait")


def test_two_screens_drawn_alike_are_told(qapp: QApplication) -> None:
    idle = render(qapp, Shot("01-idle", "idle", IDLE), "vi", "portrait")
    again = render(qapp, Shot("19-idle-network-down", "idle", IDLE), "vi", "portrait")  # offline forgotten
    down = render(qapp, Shot("19-idle-network-down", "idle", IDLE, offline), "vi", "portrait")
    assert duplicates({"01": fingerprint(idle), "19": fingerprint(again)}) == [("01", "19")]
    assert duplicates({"01": fingerprint(idle), "19": fingerprint(down)}) == []


def test_the_committed_screenshots_are_each_an_entry_and_no_two_are_alike() -> None:
    expected = {f"{shot.name}-{lang}-{o}" for shot in views() for lang in LANGUAGES for o in ORIENTATIONS}
    expected |= {f"{DAMAGED}-{o}" for o in ORIENTATIONS}
    committed = {png.stem: hashlib.sha256(png.read_bytes()).hexdigest() for png in SCREENS.glob("*.png")}
    committed.pop("contact-sheet-vi-portrait")  # KeyError: `make screenshots` draws it, the README shows it
    assert set(committed) <= expected, "pictures of no entry (renamed or gone): run make screenshots"
    assert duplicates(committed) == []
    assert "docs/screens/contact-sheet-vi-portrait.png" in (ROOT / "README.md").read_text(encoding="utf-8")
