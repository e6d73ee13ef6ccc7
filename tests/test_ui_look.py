"""What a person sees before reading a word: the keys say what they do, the PIN pad is laid out as
on every ATM and phone, the idle choices carry pictograms, the scan-or-type screen shows where
to hold the QR. Driven by touches on the real window (offscreen)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QApplication, QBoxLayout, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk import config
from kiosk.core import Core
from kiosk.lockers import Lockers
from kiosk.store import Store
from ui.bridge import CoreBridge, View
from ui.i18n import Language
from ui.screens.keyboard import BACK, SPACE
from ui.screens.pictograms import KINDS, svg
from ui.screens.qr_hint import QrHint
from ui.style import CHOICE_PX, DAY, PICTOGRAM_PX
from ui.window import KioskWindow


@pytest.fixture
def bridge(qapp: QApplication, tmp_path: Path) -> Iterator[CoreBridge]:
    cfg = config.parse({"kiosk": {"id": "HG-VT-01", "data_dir": str(tmp_path)}})
    store = Store.open(tmp_path, kiosk_id=cfg.kiosk.id)
    bridge = CoreBridge(Core(cfg, store, Lockers(cfg, store, {})))
    yield bridge
    bridge.close()
    store.close()


@pytest.fixture(params=["portrait", "landscape"])
def window(request: pytest.FixtureRequest, qapp: QApplication, bridge: CoreBridge) -> Iterator[KioskWindow]:
    w = KioskWindow(bridge, Language("vi"), orientation=request.param, done_return_s=3600)
    w.show()
    qapp.processEvents()
    yield w
    w.allow_close()
    w.close()
    sip.delete(w)


def centre(w: QWidget) -> QPoint:
    return w.mapTo(w.window(), w.rect().center())


def touch_key(qtbot: QtBot, keys: dict[str, QPushButton], label: str) -> None:
    """Touch the key whose face shows ``label``, as a person finds it."""
    found = [b for b in keys.values() if b.isVisible() and label in b.text().split("\n")]
    assert len(found) == 1, (label, [b.text() for b in keys.values()])
    qtbot.mouseClick(found[0], Qt.MouseButton.LeftButton)


def test_the_pin_pad_has_0_at_the_bottom_centre_and_a_delete_key_that_says_so(
    qapp: QApplication, qtbot: QtBot, window: KioskWindow
) -> None:
    window.show_view(View("j", "pickup", "waiting-code", None, needs_pin=True))
    qapp.processEvents()
    pin = window.entries["pin"]
    keys = pin.keyboard.keys
    assert window.stack.currentWidget() is pin
    rows = [[keys[k] for k in "123"], [keys[k] for k in "456"], [keys[k] for k in "789"]]
    for row in rows:
        assert (
            len({centre(b).y() for b in row}) == 1
            and centre(row[0]).x() < centre(row[1]).x() < centre(row[2]).x()
        )
    assert centre(keys["0"]).x() == centre(keys["8"]).x() and centre(keys["0"]).y() > centre(keys["8"]).y()
    assert centre(keys[BACK]).x() == centre(keys["9"]).x() and keys[BACK].text() == "Xóa"
    for ch in "1239":  # a mistyped last digit, deleted, then the right one
        touch_key(qtbot, keys, ch)
    touch_key(qtbot, keys, "Xóa")
    touch_key(qtbot, keys, "0")
    assert pin.field.text() == "1230"


def test_the_vietnamese_keys_say_what_they_do_and_a_tone_key_is_named_and_looks_apart(
    qapp: QApplication, qtbot: QtBot, window: KioskWindow
) -> None:
    window.show_view(View("d", "dropoff", "waiting-code", None))
    window.find_procedure()
    qapp.processEvents()
    screen = window.procedure
    keys = screen.keyboard.keys
    assert (keys[SPACE].text(), keys[BACK].text()) == ("Dấu cách", "Xóa")
    assert [keys[t].text() for t in ("acute", "grave", "hook", "tilde", "dot")] == [
        "á\ndấu sắc",
        "à\ndấu huyền",
        "ả\ndấu hỏi",
        "ã\ndấu ngã",
        "ạ\ndấu nặng",
    ]
    # a tone key does not look like a letter: another face, another edge
    shot = window.grab().toImage()

    def face(b: QPushButton) -> str:
        return shot.pixelColor(b.mapTo(window, QPoint(12, b.height() // 2))).name().upper()

    assert face(keys["a"]) == DAY.key and face(keys["grave"]) == DAY.tone != DAY.key
    for label in ["n", "g", "ư", "ơ", "u", "Xóa", "i", "dấu huyền"]:  # a slip of the finger, corrected
        touch_key(qtbot, keys, label)
    touch_key(qtbot, keys, "Dấu cách")
    assert screen.field.text() == "người "
    window.switch_language()
    assert (keys[SPACE].text(), keys[BACK].text(), keys["acute"].text()) == ("Space", "Delete", "á\nacute")


def test_the_three_choices_are_as_tall_as_meant_with_a_pictogram_each(
    qapp: QApplication, window: KioskWindow
) -> None:
    window.home()
    qapp.processEvents()
    drawn: list[bytes] = []
    for kind in KINDS:
        b = window.idle.buttons[kind]
        assert b.height() >= CHOICE_PX and b.iconSize().height() >= PICTOGRAM_PX
        image = b.icon().pixmap(b.iconSize()).toImage().convertToFormat(QImage.Format.Format_ARGB32)
        assert image.width() >= PICTOGRAM_PX
        ink = sum(
            image.pixelColor(x, y).alpha() > 128 for x in range(image.width()) for y in range(image.height())
        )
        assert ink > image.width() * image.height() * 0.15, kind  # a picture, not a speck
        drawn.append(bytes(image.constBits().asstring(image.sizeInBytes())))
    assert len(set(drawn)) == len(KINDS)  # three different pictures
    with pytest.raises(KeyError):
        svg("../../etc/passwd", "day")  # a name is one of the three, never a path


def test_the_scan_or_type_screen_shows_where_to_hold_the_qr(qapp: QApplication, window: KioskWindow) -> None:
    window.show_view(View("j", "pickup", "waiting-code", None))
    qapp.processEvents()
    code = window.entries["code"]
    hints = code.findChildren(QrHint)
    assert len(hints) == 1 and hints[0].isVisible()
    hint, keys = hints[0], code.keyboard
    beside = hint.parentWidget()
    assert beside is not None
    box = beside.layout()
    assert isinstance(box, QBoxLayout)
    if window.width() > window.height():  # landscape: beside the keys, as tall as they are
        assert box.direction() is QBoxLayout.Direction.LeftToRight
        assert centre(hint).x() < centre(keys).x() and hint.height() >= keys.height() * 0.9
    else:  # portrait: above the keys, in the room they leave
        assert box.direction() is QBoxLayout.Direction.TopToBottom
        assert centre(hint).y() < centre(keys).y() and hint.height() >= 300
    picture = hint.grab().toImage()
    seen = {
        picture.pixelColor(x, y).name().upper()
        for x in range(0, picture.width(), 3)
        for y in range(0, picture.height(), 3)
    }
    assert {DAY.ink, DAY.accent, DAY.warning, DAY.paper} <= seen  # the phone's code, the arrow, the light
    for what in ("pin", "phone", "staffpin", "result", "staffid"):
        assert window.entries[what].findChildren(QrHint) == []
