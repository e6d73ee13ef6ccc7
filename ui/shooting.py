"""How a screenshot is taken (``ui/screenshots.py`` lists them): each in a fresh window on a fresh
core and store, checked against what it claims to show, then compared with the others."""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QRect, Qt
from PyQt6.QtGui import QColor, QFont, QImage, QPainter
from PyQt6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from kiosk import config, layout
from kiosk.core import Core
from kiosk.lockers import Lockers
from kiosk.office import Opening
from kiosk.store import Store
from ui.bridge import CoreBridge
from ui.i18n import Language
from ui.screens.help import OfficeInfo
from ui.window import SIZES, KioskWindow, OutOfServiceWindow

LANGUAGES = ("vi", "en")
ORIENTATIONS = ("portrait", "landscape")
MACHINE = [f"{column}{row:02d}" for column in "ABC" for row in range(1, 9)]  # as examples/kiosk.toml
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kiosk.toml"
KIOSK = "HG-VT-01"
DAMAGED = "28-out-of-service-damaged-database"  # its own window, both languages at once
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = datetime(2026, 12, 1, 10, 5, tzinfo=VIETNAM)  # a Tuesday morning: officers at the counter
NIGHT = datetime(2026, 12, 2, 2, 10, tzinfo=VIETNAM)  # and the person alone at 2 a.m.


class ShotMismatch(Exception):
    """A screenshot that would not show what its name says."""


@dataclass(frozen=True)
class Key:
    """A translation key with the values it is formatted with; a value given as a mapping is
    per language ({"vi": "8.000", "en": "8,000"})."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def words(self, language: Language) -> str:
        values = {k: v[language.code] if isinstance(v, Mapping) else v for k, v in self.values.items()}
        return language.tr(self.key, **values)


def key(k: str, **values: object) -> Key:
    return Key(k, values)


Words = str | tuple[str, str] | Key  # a translation key, the core's (vi, en), or a key with values


def words(w: Words, language: Language) -> str:
    if isinstance(w, Key):
        return w.words(language)
    if isinstance(w, tuple):
        return language.pick(w)
    return language.tr(w)


@dataclass(frozen=True)
class Shot:
    """One screenshot; see the top of ui/screenshots.py."""

    name: str
    screen: str
    title: Words
    show: Callable[[KioskWindow], None] = lambda w: None
    shows: tuple[Words, ...] = ()
    at: datetime = DAY

    def __iter__(self) -> Iterator[Any]:
        """``for name, show in views()``, as the entries were once (name, show) pairs: a test that
        walks the states in one window (tests/test_ui_geometry.py) reads them so."""
        return iter((self.name, self.show))


def example(data_dir: str, orientation: str) -> config.KioskConfig:
    """examples/kiosk.toml: the machine the map draws (its compartments and [machine])."""
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw["kiosk"]["data_dir"] = data_dir
    raw["ui"] = {"orientation": orientation}
    return config.parse(raw, source=str(EXAMPLE))


def example_machine(data_dir: str, orientation: str) -> layout.Machine:
    return layout.machine_of(example(data_dir, orientation))


def office() -> OfficeInfo:
    """The office the pictures name, with all that help can say of one ([office] in the config)."""
    hours = ("mon-fri 07:30-11:30", "mon-fri 13:30-17:00", "sat 07:30-11:30")
    return OfficeInfo("Bộ phận Một cửa UBND phường Vị Thanh", hotline="0293 3870 123",
                      address="Số 1 Đường 3 Tháng 2, phường Vị Thanh, Hậu Giang",
                      openings=[Opening.parse(h) for h in hours])  # fmt: skip


@cache
def _new_store() -> Path:
    """A store just made (its migrations run once, not for every picture: they fsync)."""
    folder = Path(tempfile.mkdtemp(prefix="screens-store"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "data").mkdir(mode=0o700)
    Store.open(folder / "data", kiosk_id=KIOSK).close()
    return folder / "data"


@contextmanager
def stage(app: QApplication, language: str, orientation: str, at: datetime = DAY) -> Iterator[KioskWindow]:
    """A fresh machine: a new store in a folder of its own, its core, the bridge and the window,
    whose clock stands at ``at`` (the header's time, the office open or not)."""
    with tempfile.TemporaryDirectory(prefix="screens") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(_new_store(), data)
        cfg = config.parse({"kiosk": {"id": KIOSK, "data_dir": str(data)}})  # no boards to read
        store = Store.open(data, kiosk_id=cfg.kiosk.id)
        bridge = CoreBridge(Core(cfg, store, Lockers(cfg, store, {})))
        window = KioskWindow(bridge, Language(language), orientation=orientation, done_return_s=3600,
                             machine=example_machine(str(data), orientation), office=office(), zone=VIETNAM,
                             clock=lambda: at.astimezone(UTC))  # fmt: skip
        try:
            window.show()
            settle(app, bridge)
            yield window
        finally:
            window.allow_close()
            window.close()
            sip.delete(window)  # while the application lives (see ui.app.run)
            bridge.close()
            store.close()


def settle(app: QApplication, bridge: CoreBridge) -> None:
    """Until the core has done every command sent and the window has shown what it said back."""
    for _ in range(3):  # a view shown may send a command, whose view follows
        app.processEvents()
        answered = threading.Event()
        bridge.ask_core(answered)
        if not answered.wait(5):
            raise ShotMismatch("the core did not answer within 5 s")
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def render(app: QApplication, shot: Shot, language: str, orientation: str) -> QImage:
    """``shot`` drawn in a fresh window, once it is checked (``ShotMismatch`` otherwise)."""
    with stage(app, language, orientation, shot.at) as window:
        shot.show(window)
        settle(app, window.bridge)
        try:
            check(shot, window, orientation)
        except ShotMismatch as exc:
            raise ShotMismatch(f"{exc} (in {language}, {orientation})") from None
        return window.grab().toImage()


def current(window: KioskWindow, path: str) -> QWidget:
    """``"entries.pin"``: ``window.entries["pin"]``; ``"message"``: ``window.message``."""
    first, _, rest = path.partition(".")
    found: Any = getattr(window, first, None)
    if rest:
        found = found.get(rest) if isinstance(found, dict) else None
    if not isinstance(found, QWidget):
        raise ShotMismatch(f"the window has no screen {path!r}")
    return found


def check(shot: Shot, window: KioskWindow, orientation: str) -> None:
    """``ShotMismatch`` unless the window is on ``shot.screen``, its heading says ``shot.title`` and
    ``shot.shows`` can be read, at the screen's own size (a screen wider than the display pushes
    the window out of it)."""
    size = (window.width(), window.height())
    if size != SIZES[orientation]:
        raise ShotMismatch(f"{shot.name}: the window is {size[0]}x{size[1]}, not the {orientation} screen's")
    expected = current(window, shot.screen)
    shown = window.stack.currentWidget()
    if shown is not expected:
        heading = getattr(shown, "heading", None)
        said = heading.text() if isinstance(heading, QLabel) else "?"
        raise ShotMismatch(
            f"{shot.name}: the window shows {type(shown).__name__} ({said!r}), not {shot.screen}"
        )
    heading = getattr(shown, "heading", None)
    if not isinstance(heading, QLabel):
        raise ShotMismatch(f"{shot.name}: {shot.screen} has no heading to check")
    title = words(shot.title, window.language)
    if not title or title not in heading.text():
        raise ShotMismatch(f"{shot.name}: the heading says {heading.text()!r}, not {title!r}")
    on_screen = "\n".join(visible_texts(window))
    for w in shot.shows:
        wanted = words(w, window.language)
        if not wanted or wanted not in on_screen:
            raise ShotMismatch(f"{shot.name}: {wanted!r} is not on the screen")


def visible_texts(window: QWidget) -> list[str]:
    """What a person can read in the window now: labels, buttons and fields that are shown."""
    out = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            out.append(widget.text())
    return out


def damaged_database(app: QApplication, orientation: str) -> QImage:
    office = config.parse({"kiosk": {"id": KIOSK, "data_dir": "unused"}}).kiosk.office
    window = OutOfServiceWindow(office, orientation=orientation)
    try:
        window.show()
        app.processEvents()
        if (window.width(), window.height()) != SIZES[orientation]:
            raise ShotMismatch(f"{DAMAGED}: the window is {window.width()}x{window.height()}")
        for language in LANGUAGES:
            title = Language(language).tr("This kiosk is out of service")
            if title not in window.heading.text():
                raise ShotMismatch(f"{DAMAGED}: the heading says {window.heading.text()!r}, not {title!r}")
        return window.grab().toImage()
    finally:
        window.allow_close()
        window.close()
        sip.delete(window)


def fingerprint(image: QImage) -> str:
    """The pixels' own hash: two screens drawn alike have the same one."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    bits = image.constBits()
    if bits is None:  # a null image: nothing drawn at all
        raise ShotMismatch("nothing was drawn")
    bits.setsize(image.sizeInBytes())
    return hashlib.sha256(bits.asstring()).hexdigest()


def duplicates(fingerprints: Mapping[str, str]) -> list[tuple[str, str]]:
    """Pairs of names drawn alike (each with the first of its kind)."""
    first: dict[str, str] = {}
    alike = []
    for name, fp in fingerprints.items():
        if fp in first:
            alike.append((first[fp], name))
        else:
            first[fp] = name
    return alike


THUMB_W, COLUMNS, GAP, LABEL_H = 216, 6, 16, 40


def contact_sheet(images: Mapping[str, QImage]) -> QImage:
    """Thumbnails in rows of six, each with its name under it, on white."""
    thumbs = {name: image.scaledToWidth(THUMB_W, Qt.TransformationMode.SmoothTransformation)
              for name, image in images.items()}  # fmt: skip
    cell_h = max((t.height() for t in thumbs.values()), default=0) + LABEL_H
    rows = -(-len(thumbs) // COLUMNS)
    sheet = QImage(GAP + COLUMNS * (THUMB_W + GAP), GAP + rows * (cell_h + GAP), QImage.Format.Format_RGB32)
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    try:
        font = QFont("DejaVu Sans")
        font.setPixelSize(13)
        painter.setFont(font)
        for i, (name, thumb) in enumerate(thumbs.items()):
            x = GAP + (i % COLUMNS) * (THUMB_W + GAP)
            y = GAP + (i // COLUMNS) * (cell_h + GAP)
            painter.drawImage(x, y, thumb)
            painter.setPen(QColor("#888888"))
            painter.drawRect(x, y, thumb.width() - 1, thumb.height() - 1)
            painter.setPen(QColor("black"))
            label = QRect(x, y + thumb.height() + 4, THUMB_W, LABEL_H - 4)
            breakable = name.replace("-", "-\u200b")  # a long name wraps at its hyphens
            flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            painter.drawText(label, int(flags.value), breakable)
    finally:
        painter.end()
    return sheet
