"""What every screen shares: the language, a big title, a way home."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ui.i18n import Language
from ui.style import GAP_PX, SIDE_PX, TARGET_PX, TOP_PX


class Screen(QWidget):
    def __init__(self, language: Language) -> None:
        super().__init__()
        self.language = language
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(SIDE_PX, TOP_PX, SIDE_PX, TOP_PX)
        self.layout_.setSpacing(GAP_PX)

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


def title(text: str = "") -> QLabel:
    label = plain(text)
    label.setObjectName("title")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def text(text: str = "", name: str = "") -> QLabel:
    label = plain(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if name:
        label.setObjectName(name)
    return label


def plain(text: str = "") -> QLabel:
    """A label that shows its text as text: Qt would otherwise render anything that looks like
    HTML as markup, and a dossier's procedure, a citizen's name or a scanned code come from outside."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def button(label: str = "", *, secondary: bool = False, name: str = "") -> QPushButton:
    b = QPushButton(label)
    b.setMinimumSize(TARGET_PX, TARGET_PX)  # here, not in the style sheet (see ui/style.py)
    if secondary:
        b.setObjectName("secondary")
    if name:
        b.setAccessibleName(name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return b


def drop(buttons: dict[str, QPushButton]) -> None:
    """Take a list's buttons off the screen now (a hidden widget takes no room in a layout); they
    are deleted when the event loop next runs, never while one may be inside its own click."""
    for b in buttons.values():
        b.hide()
        b.deleteLater()
    buttons.clear()
