"""The holder's ID card (issue 14): a result that goes only to its holder asks, after the PIN, for
the QR code of the citizen's chip ID card, held to the scanner. The code goes to the journey
(``submit_card``, by ui/bridge.py, as any scanned code goes to the step waiting for it); the core
says whether it matches, and nothing from the card is kept.

Two cards are in people's pockets: the Căn cước card issued from 1 July 2024 has its QR code on the
back; the Căn cước công dân with a chip issued before it has it at the top right of the front. The
screen draws both, the code marked, so that nobody turns the wrong side to the scanner.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.journeys.messages import Say
from ui.i18n import N_, Language
from ui.screens.base import Screen, button, text, title
from ui.screens.pictograms import Picture

CARDS = (  # the picture, and what it shows
    ("card-back", N_("ID card issued from July 2024: on the back")),
    ("cccd-front", N_("Citizen ID card with a chip, issued before: on the front, top right")),
)
CARD_PX = {"portrait": 480, "landscape": 420}


class HolderScreen(Screen):
    def __init__(self, language: Language, cancel: Callable[[], None], orientation: str = "portrait") -> None:
        super().__init__(language)
        self.heading = title()
        self.dossier = text(name="dossier")
        self.why = text(name="why")
        self.words = text(name="message")  # the core's ask, in plain words
        self.problem = text(name="error")  # what the core said of the last card (unreadable: once more)
        self.problem.setObjectName("error")
        self.kept = text(name="nothing kept")
        self.pictures: list[Picture] = []
        self.captions = []
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setSpacing(48)
        row.addStretch(1)
        for kind, _ in CARDS:
            card = QWidget()
            column = QVBoxLayout(card)
            column.setContentsMargins(0, 0, 0, 0)
            picture = Picture(kind, CARD_PX[orientation], name=f"where the QR code is: {kind}")
            caption = text(name=f"{kind} caption")
            caption.setMaximumWidth(CARD_PX[orientation])
            column.addWidget(picture)
            column.addWidget(caption)
            row.addWidget(card)
            self.pictures.append(picture)
            self.captions.append(caption)
        row.addStretch(1)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.dossier)
        self.layout_.addWidget(self.why)
        self.layout_.addStretch(1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.words)
        self.layout_.addWidget(self.problem)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.kept)
        self.cancel = button(secondary=True, name="cancel")
        self.cancel.clicked.connect(cancel)
        self.layout_.addWidget(self.cancel)
        self._code: str | None = None
        self._said: tuple[str, str] | None = None
        self.retranslate()

    def present(self, code: str | None, said: tuple[str, str] | None) -> None:
        """The dossier it is for, and what the core said of the last card scanned (or None)."""
        self._code, self._said = code, said
        self.retranslate()

    def retranslate(self) -> None:
        asked = self._said is None or self._said == Say.HOLDER_ASK.format()  # the ask itself: not red
        # a card not read changes the heading too, not only the red line (a person who sees poorly)
        ask, again = self.t("Scan the QR code on your ID card"), self.t("Please scan the card again")
        self.heading.setText(ask if asked else again)
        self.dossier.setText(self.t("Dossier {code}", code=self._code) if self._code else "")
        self.dossier.setVisible(bool(self._code))
        self.why.setText(self.t("This result is handed over only to the person it was issued for."))
        self.why.setVisible(self._said != Say.HOLDER_ASK.format())  # the ask says it already
        for caption, (_, words) in zip(self.captions, CARDS, strict=True):
            caption.setText(self.t(words))
        self.words.setText(self.language.pick(self._said) if asked else "")
        self.problem.setText("" if asked or self._said is None else self.language.pick(self._said))
        self.kept.setText(self.t("The kiosk only checks the ID number. Nothing from the card is kept."))
        self.cancel.setText(self.t("Cancel"))
