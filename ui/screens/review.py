"""The drop-off's review, before any door opens: the dossier, its procedure, the phone (masked),
the compartment's size ("hồ sơ dày / nhiều": a large one) and a low door (for a wheelchair, or one
who cannot reach high). What is free is the core's answer (a read; nothing is reserved until
"Tiếp tục"); a choice that nothing free fits is said, and only what is free can be chosen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton

from ui.i18n import N_, Language
from ui.screens.base import Screen, button, plain, text, title

LARGE = "L"
CHOICES = {  # button -> its words
    "usual": N_("Usual size"),
    "large": N_("Thick or many papers"),
    "high": N_("Any height"),
    "low": N_("A low compartment"),
}
EXPLAINED = N_(
    "Thick or many papers: a large compartment. A low compartment: for a wheelchair, or for one who"
    " cannot reach high."
)


class ReviewScreen(Screen):
    def __init__(
        self,
        language: Language,
        choose: Callable[..., None],
        confirm: Callable[[], None],
        previous: Callable[[], None],
        home: Callable[[], None],
    ) -> None:
        """``choose(size=…)`` or ``choose(prefer_low=…)``: the core's ``DropoffJourney.choose``."""
        super().__init__(language)
        self.choose_ = choose
        self.heading = title()
        self.lines: dict[str, tuple[QLabel, QLabel]] = {}
        grid = QGridLayout()
        for line_no, key in enumerate(("dossier", "procedure", "phone")):
            label, value = plain(), plain()
            label.setObjectName("label")
            value.setAccessibleName(f"review {key}")
            grid.addWidget(label, line_no, 0)
            grid.addWidget(value, line_no, 1)
            self.lines[key] = (label, value)
        self.layout_.addWidget(self.heading)
        self.layout_.addLayout(grid)
        self.choices: dict[str, QPushButton] = {}
        pairs = QGridLayout()  # the size on one line, the height on the next
        for n, key in enumerate(CHOICES):
            b = button(secondary=True, name=key)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, k=key: self._chosen(k))
            pairs.addWidget(b, n // 2, n % 2)
            self.choices[key] = b
        self.layout_.addLayout(pairs)
        self.explained = text(name="explained")
        self.layout_.addWidget(self.explained)
        self.words = text(name="message")  # the core's word: check and continue, or what is not free
        self.layout_.addWidget(self.words)
        self.layout_.addStretch(1)
        self.confirm = button(name="continue")
        self.confirm.clicked.connect(confirm)
        self.layout_.addWidget(self.confirm)
        row = QHBoxLayout()
        self.previous = button(secondary=True, name="previous step")
        self.previous.clicked.connect(previous)
        self.home = button(secondary=True, name="home")
        self.home.clicked.connect(home)
        row.addWidget(self.previous)
        row.addWidget(self.home)
        self.layout_.addLayout(row)
        self._data: dict[str, Any] = {}
        self._said: tuple[str, str] | None = None
        self.retranslate()

    def present(self, data: dict[str, Any], said: tuple[str, str] | None) -> None:
        """The journey's review as the core has it now (``View.data``)."""
        self._data, self._said = data, said
        size, low = data.get("size"), bool(data.get("prefer_low"))
        usual = data.get("usual_size") or "M"
        free = {(s, bool(lo)) for s, lo in data.get("free") or ()}
        self.choices["usual"].setChecked(size != LARGE or usual == LARGE)
        self.choices["large"].setChecked(size == LARGE)
        self.choices["large"].setVisible(usual != LARGE)  # the procedure's own size is large already
        self.choices["low"].setChecked(low)
        self.choices["high"].setChecked(not low)
        # what the person may choose: what is free now, and what is chosen (to be taken back)
        self.choices["usual"].setEnabled((usual, False) in free or size == usual)
        self.choices["large"].setEnabled((LARGE, False) in free or size == LARGE)
        self.choices["low"].setEnabled((str(size), True) in free or low)
        self.confirm.setEnabled((str(size), False) in free)
        self.retranslate()

    def _chosen(self, key: str) -> None:
        usual = self._data.get("usual_size") or "M"
        if key in ("usual", "large"):
            self.choose_(size=LARGE if key == "large" else usual)
        else:
            self.choose_(prefer_low=key == "low")

    def retranslate(self) -> None:
        self.heading.setText(self.t("Please check before the compartment opens"))
        data = self._data
        procedure = data.get("procedure_name") or data.get("procedure") or "-"
        shown = {
            "dossier": (self.t("Dossier"), str(data.get("code") or "")),
            "procedure": (self.t("Procedure"), str(procedure)),
            "phone": (self.t("Phone"), str(data.get("phone_masked") or "")),
        }
        for key, (label, value) in self.lines.items():
            label.setText(shown[key][0])
            value.setText(shown[key][1])
        for key, b in self.choices.items():  # what is chosen is marked in words, not by colour alone
            b.setText(("✓ " if b.isChecked() else "") + self.t(CHOICES[key]))
        self.explained.setText(self.t(EXPLAINED))
        self.words.setText(self.language.pick(self._said))
        self.previous.setText(self.t("Go back"))
        self.home.setText(self.t("Back to start"))
        self.confirm.setText(self.t("Continue"))
