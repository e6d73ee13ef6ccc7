"""What every screen shares: the language, a big title, a way home; and, on the screens a citizen
sees, the chrome (ui/screens/chrome.py): the office and the time above, help and the language
switch below."""

from __future__ import annotations

from typing import ClassVar

from PyQt6.QtWidgets import QVBoxLayout, QWidget

from ui.i18n import Language
from ui.screens.chrome import Chrome, Frame
from ui.screens.widgets import button, drop, plain, text, title
from ui.style import GAP_PX, SIDE_PX, TOP_PX

__all__ = ["Screen", "button", "drop", "plain", "text", "title"]


class Screen(QWidget):
    # a screen a citizen sees: it wears the chrome (help, language, the office and the time);
    # staff screens set False
    citizen: ClassVar[bool] = True

    def __init__(self, language: Language) -> None:
        super().__init__()
        self.language = language
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        body = QWidget()
        body.setObjectName("body")
        # what a screen lays out goes here, between the header and the footer
        self.layout_ = QVBoxLayout(body)
        self.layout_.setContentsMargins(SIDE_PX, TOP_PX, SIDE_PX, TOP_PX)
        self.layout_.setSpacing(GAP_PX)
        self.frame: Frame | None = None
        if self.citizen:
            self.frame = Frame(outer, body)
        else:
            outer.addWidget(body)

    def dress(self, chrome: Chrome) -> None:
        """Wear the window's chrome (a citizen screen only; a staff screen has none)."""
        if self.frame is not None:
            self.frame.dress(chrome)
            self.frame.retranslate(self.language)

    def set_step(self, number: int | None, of: int | None = None) -> None:
        """Where the person is on a journey of several steps ("Bước 2/4"); None: not shown."""
        if self.frame is not None:
            self.frame.step = (number, of)
            self.frame.retranslate(self.language)

    def relabel(self) -> None:
        """Everything again in ``self.language``: the screen's own words and its chrome's."""
        self.retranslate()
        if self.frame is not None:
            self.frame.retranslate(self.language)

    def retranslate(self) -> None:
        """Say everything again in ``self.language`` (after a switch)."""

    def spoken(self) -> str:
        """What is read aloud when the screen appears: its title and message, not its buttons."""
        return " ".join(
            w.text()
            for w in (
                getattr(self, "heading", None),
                getattr(self, "words", None),
                getattr(self, "problem", None),
            )
            if w is not None and w.text()
        )

    def t(self, key: str, **values: object) -> str:
        """``key`` in the screen's language (found by ``pybabel extract -k t``)."""
        return self.language.tr(key, **values)
