"""The few widgets every screen is made of, made one way: labels that show text as text, buttons
that take no keyboard focus."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel, QPushButton

from ui.style import TARGET_PX


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
