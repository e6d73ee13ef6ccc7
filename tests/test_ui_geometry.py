"""Touch targets, measured on the real widgets: every screen the window can show (each view of
``ui.screenshots.views()``, so a screen someone adds there is measured too, and a few states of
this file's own: fields typed full, long lists), in both orientations and both languages.

What a finger needs, and what the README claims: every visible thing that can be touched is at
least ``TARGET_PX`` wide and tall, lies wholly inside the window, overlaps no other target, and
shows all of its label (the label's font metrics fit the button's contents); no text on the
screen is cut off or pushed outside the window.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPoint, QRect, Qt
from PyQt6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from kiosk import config
from kiosk.core import Core
from kiosk.lockers import Lockers
from kiosk.store import Store
from ui.bridge import CoreBridge, View
from ui.i18n import Language
from ui.screenshots import CODE, views
from ui.shooting import example_machine
from ui.style import TARGET_PX
from ui.window import SIZES, KioskWindow

# Qt's own input widgets; a widget of ours that takes presses itself counts too (see clickable)
INPUTS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractSlider)
PRESSES = ("mousePressEvent", "mouseReleaseEvent", "mouseDoubleClickEvent")
BIG = 100_000
# sizes only: aligned to a corner, so that centring in a huge rectangle adds no rounding
CORNER = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop


def clickable(w: QWidget) -> bool:
    if isinstance(w, INPUTS):
        return True
    ours = [k for k in type(w).__mro__ if k.__module__.startswith("ui.")]
    return any(name in vars(k) for k in ours for name in PRESSES)


def shown_rect(w: QWidget, window: QWidget) -> QRect:
    """Where ``w`` is in the window's coordinates, cut to what its scroll areas let be seen (a list
    taller than the screen scrolls; what is scrolled away is not on the screen now)."""
    rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            port = parent.viewport()
            assert port is not None
            rect = rect.intersected(QRect(port.mapTo(window, QPoint(0, 0)), port.size()))
        parent = parent.parentWidget()
    return rect


def name_of(w: QWidget) -> str:
    said = w.text() if isinstance(w, (QAbstractButton, QLabel, QLineEdit)) else ""
    return f"{type(w).__name__} {w.accessibleName() or said.replace(chr(10), ' ')[:40]!r}"


def label_clipped(b: QPushButton) -> str | None:
    """The label (and icon) as the button's font draws them, against the room the style (with the
    sheet's padding and border) leaves for them."""
    option = QStyleOptionButton()
    b.initStyleOption(option)
    style = b.style()
    assert style is not None
    room = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, b)
    flags = CORNER | Qt.TextFlag.TextShowMnemonic
    need = b.fontMetrics().boundingRect(QRect(0, 0, BIG, BIG), int(flags), b.text()).size()
    if not b.icon().isNull():
        icon = b.iconSize()
        need.setWidth(need.width() + icon.width() + 4 * bool(b.text()))
        need.setHeight(max(need.height(), icon.height()))
    if need.width() > room.width() or need.height() > room.height():
        return f"needs {need.width()}×{need.height()}, has {room.width()}×{room.height()}"
    return None


def text_clipped(label: QLabel) -> str | None:
    if not label.text():  # nothing, or a picture (setPixmap clears the text)
        return None
    room = label.contentsRect()
    metrics = label.fontMetrics()
    wrap = Qt.TextFlag.TextWordWrap if label.wordWrap() else Qt.TextFlag(0)
    width = room.width() if label.wordWrap() else BIG
    need = metrics.boundingRect(QRect(0, 0, width, BIG), int(CORNER | wrap), label.text()).size()
    if need.width() > room.width() or need.height() > room.height():
        return f"needs {need.width()}×{need.height()}, has {room.width()}×{room.height()}"
    return None


def problems(window: KioskWindow) -> list[str]:
    """Everything wrong with the screen as it is drawn now."""
    bounds = window.rect()
    seen = [w for w in window.findChildren(QWidget) if w.isVisible()]
    found: list[str] = []
    targets: list[tuple[QWidget, QRect]] = []
    for w in seen:
        rect = shown_rect(w, window)
        if rect.isEmpty():
            continue  # scrolled out of sight
        if not bounds.contains(rect):
            found.append(f"{name_of(w)} reaches outside the window: {rect.getRect()}")
        if isinstance(w, QLabel) and (why := text_clipped(w)):
            found.append(f"{name_of(w)} cut off: {why}")
        if not clickable(w):
            continue
        if w.width() < TARGET_PX or w.height() < TARGET_PX:
            found.append(f"{name_of(w)} is {w.width()}×{w.height()}, under {TARGET_PX}×{TARGET_PX}")
        if isinstance(w, QPushButton) and (why := label_clipped(w)):
            found.append(f"{name_of(w)} label cut off: {why}")
        targets.append((w, rect))
    for i, (a, ra) in enumerate(targets):
        for b, rb in targets[i + 1 :]:
            if ra.intersects(rb) and not (a.isAncestorOf(b) or b.isAncestorOf(a)):
                found.append(f"{name_of(a)} and {name_of(b)} overlap")
    return found


State = tuple[str, Callable[[KioskWindow], None]]


def typed_full() -> list[State]:
    """States the shared views leave empty: each field with the longest thing a person types in
    it, and a list taller than the screen (a technician's every compartment)."""

    def typed(kind: str, state: str, field: str, value: str, **extra: object) -> State:
        def show(w: KioskWindow) -> None:
            w.show_view(View("j", kind, state, None, {}, **extra))  # type: ignore[arg-type]
            w.entries[field].field.setText(value)

        return f"{field} typed", show

    def every_compartment(w: KioskWindow) -> None:
        doors = w.message.map.machine.doors if w.message.map.machine is not None else {}
        w.show_view(View("t", "technician", "choosing", None, items=tuple((c, c) for c in doors)))
        w.maintain("open")

    return [
        typed("pickup", "waiting-code", "code", CODE),
        typed("pickup", "waiting-code", "pin", "123456", needs_pin=True),
        typed("dropoff", "waiting-phone", "phone", "0912345678"),
        ("every compartment to test-open", every_compartment),
    ]


@pytest.fixture(scope="module")
def bridge(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CoreBridge]:
    tmp: Path = tmp_path_factory.mktemp("geometry")
    cfg = config.parse({"kiosk": {"id": "HG-VT-01", "data_dir": str(tmp)}})
    store = Store.open(tmp, kiosk_id=cfg.kiosk.id)
    bridge = CoreBridge(Core(cfg, store, Lockers(cfg, store, {})))
    yield bridge
    bridge.close()
    store.close()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_target_on_every_screen_is_large_whole_apart_and_inside(
    qapp: QApplication, bridge: CoreBridge, orientation: str, language: str
) -> None:
    machine = example_machine("/var/lib/kiosk", orientation)
    window = KioskWindow(bridge, Language(language), orientation=orientation, done_return_s=3600,
                         machine=machine)  # fmt: skip
    window.show()
    try:
        assert (window.width(), window.height()) == SIZES[orientation]
        states = [*views(), *typed_full()]
        found: list[str] = []
        measured = 0
        for name, show in states:
            show(window)
            qapp.processEvents()
            if (window.width(), window.height()) != SIZES[orientation]:  # grown to fit what it holds
                found.append(f"{name}: the window is {window.width()}×{window.height()}")
            found += [f"{name}: {p}" for p in problems(window)]
            measured += sum(clickable(w) for w in window.findChildren(QWidget) if w.isVisible())
        assert len(states) >= 30 and measured >= 300  # the screens were drawn, and measured
        assert found == [], f"{len(found)} problems ({orientation}, {language}):\n" + "\n".join(found)
    finally:
        window.allow_close()
        window.close()
        sip.delete(window)
