"""What frames every citizen screen: a header with the office's name, the step and the time; a bar
that counts down before the screen goes back by itself; a footer with help, the language switch
and "hear it again". The window gives each screen the same ``Chrome`` (what the buttons do)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ui import readable
from ui.i18n import N_, Language
from ui.screens.widgets import button, plain, text

HELP = N_("Help")
SWITCH = N_("Switch language")
HEAR_AGAIN = N_("Hear again")
STEP = N_("Step {number}/{of}")
STEP_ALONE = N_("Step {number}")
RETURNS_IN = N_("Going back to the start in {seconds} seconds.")
MORE_TIME = N_("More time")


@dataclass(frozen=True)
class Chrome:
    """What the chrome's buttons do, the same on every screen; ``repeat`` is None where nothing
    speaks (no espeak-ng, or speech off), and then there is no button for it."""

    office: str
    help: Callable[[], None]
    switch_language: Callable[[], None]
    more_time: Callable[[], None]
    repeat: Callable[[], None] | None = None
    orientation: str = "portrait"


def rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setObjectName("chrome-rule")
    return line


class Header(QWidget):
    """The office's name, where the person is ("Bước 2/4") and the time."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # the theme's band (ui/style.py)
        row = QHBoxLayout(self)
        row.setContentsMargins(32, 12, 32, 12)
        self.office = plain()
        self.office.setObjectName("office")
        self.office.setWordWrap(True)
        self.office.setAccessibleName("office")
        self.step = plain()
        self.step.setObjectName("step")
        self.step.setAccessibleName("step")
        self.step.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clock = plain()
        self.clock.setObjectName("clock")
        self.clock.setAccessibleName("clock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.office, 3)
        row.addWidget(self.step, 1)
        row.addWidget(self.clock, 1)


class CountdownBar(QWidget):
    """Shown for the last seconds before an automatic return: how many are left, and more time."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("countdown")
        row = QHBoxLayout(self)
        row.setContentsMargins(32, 8, 32, 8)
        self.words = text(name="countdown-words")
        self.words.setAccessibleName("countdown")
        self.more = button(name="more time")
        row.addWidget(self.words, 1)
        row.addWidget(self.more)  # as wide as its words: "Thêm thời gian" must be read whole
        self.hide()

    def show_left(self, language: Language, seconds: float) -> None:
        self.words.setText(language.tr(RETURNS_IN, seconds=max(0, math.ceil(seconds))))
        self.more.setText(language.tr(MORE_TIME))
        self.show()


class Footer(QWidget):
    """Help, "hear it again" and the language switch, on every citizen screen."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("footer")
        row = QHBoxLayout(self)
        row.setContentsMargins(32, 12, 32, 24)
        self.help = button(secondary=True, name="help")
        self.repeat = button(secondary=True, name="hear again")
        self.language = button(secondary=True, name="language")
        row.addWidget(self.help, 1)
        row.addWidget(self.repeat, 1)
        row.addWidget(self.language, 1)


class Frame:
    """The chrome of one screen: built hidden; shown once the window gives it a ``Chrome``."""

    def __init__(self, outer: QVBoxLayout, body: QWidget) -> None:
        self.body = body
        self.header = Header()
        self.countdown = CountdownBar()
        self.footer = Footer()
        self._rules = (rule(), rule())
        outer.addWidget(self.header)
        outer.addWidget(self._rules[0])
        outer.addWidget(body, 1)
        outer.addWidget(self.countdown)
        outer.addWidget(self._rules[1])
        outer.addWidget(self.footer)
        self.chrome: Chrome | None = None
        self._landscape = False
        self.step: tuple[int | None, int | None] = (None, None)
        for part in (self.header, *self._rules, self.footer):
            part.hide()

    def dress(self, chrome: Chrome) -> None:
        self.chrome = chrome
        self.header.office.setText(readable.no_widow(chrome.office))
        self.footer.help.clicked.connect(chrome.help)
        self.footer.language.clicked.connect(chrome.switch_language)
        self.countdown.more.clicked.connect(chrome.more_time)
        if chrome.repeat is not None:
            self.footer.repeat.clicked.connect(chrome.repeat)
        self.footer.repeat.setVisible(chrome.repeat is not None)
        if chrome.orientation == "landscape":
            self._one_bar()
        for part in (self.header, *self._rules, self.footer):
            part.show()
        if chrome.orientation == "landscape":
            self._rules[0].hide()

    def _one_bar(self) -> None:
        """Landscape has height for the screen's own content only (a keyboard beside a list): the
        office, the step and the time go into the footer's bar, left of its buttons, one above the
        other; the screen's own margins above and below shrink."""
        header_row = self.header.layout()
        footer_row = self.footer.layout()
        assert isinstance(header_row, QBoxLayout) and isinstance(footer_row, QBoxLayout)
        header_row.setDirection(QBoxLayout.Direction.TopToBottom)
        header_row.setContentsMargins(0, 0, 0, 0)
        header_row.setSpacing(0)
        self.header.clock.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.header.step.setAlignment(Qt.AlignmentFlag.AlignLeft)
        footer_row.insertWidget(0, self.header, 1)
        # the countdown, when it shows, takes the place of the office and the time in that bar
        footer_row.insertWidget(1, self.countdown, 2)
        footer_row.setContentsMargins(32, 6, 32, 8)
        self._landscape = True
        body = self.body.layout()
        if body is not None:
            margins = body.contentsMargins()
            body.setContentsMargins(margins.left(), 0, margins.right(), 0)

    def show_countdown(self, language: Language, seconds: float) -> None:
        self.countdown.show_left(language, seconds)
        if self._landscape:
            self.header.hide()

    def hide_countdown(self) -> None:
        self.countdown.hide()
        if self._landscape and self.chrome is not None:
            self.header.show()

    def retranslate(self, language: Language) -> None:
        number, of = self.step
        if number is None:
            self.header.step.setText("")
        elif of is None:
            self.header.step.setText(language.tr(STEP_ALONE, number=number))
        else:
            self.header.step.setText(language.tr(STEP, number=number, of=of))
        self.header.step.setVisible(number is not None)  # no empty line where no step is shown
        self.footer.help.setText(language.tr(HELP))
        self.footer.repeat.setText(language.tr(HEAR_AGAIN))
        self.footer.language.setText(language.tr(SWITCH))
        self.countdown.more.setText(language.tr(MORE_TIME))

    def set_time(self, shown: str) -> None:
        self.header.clock.setText(shown)
