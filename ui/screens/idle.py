"""The idle screen: three large choices; the language switch is the chrome's (every citizen screen
has it). Staff sign in here by their badge, or by the corner gesture (ui/staff_gesture.py)."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.board_outage import Outage
from ui.i18n import N_, Language
from ui.screens.base import Screen, text, title
from ui.screens.pictograms import ChoiceButton

OFFLINE = N_(
    "The network is down. Picking up and handing in work as usual; look-ups show what was last known."
)
# a lock board that does not answer (kiosk/board_outage.py): what still works
SOME_OUT = N_(
    "Some compartments are out of service for a while. Picking up and handing in at the other"
    " compartments still works."
)
ALL_OUT = N_(
    "The compartments are out of service for a while. Looking up a dossier still works; please come"
    " back later to pick up or hand in."
)


class IdleScreen(Screen):
    CHOICES = (
        ("pickup", N_("Pick up a result")),
        ("dropoff", N_("Hand in a dossier")),
        ("lookup", N_("Look up a dossier")),
    )

    def __init__(self, language: Language, choose: Callable[[str], None]) -> None:
        super().__init__(language)
        self.heading = title()
        self.hint = text()
        self.notice = text(name="error")
        self.notice.setObjectName("error")
        self.offline = False
        self.outage = Outage()
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.hint)
        self.layout_.addWidget(self.notice)
        self.layout_.addStretch(1)
        self.buttons = {}
        for kind, _ in self.CHOICES:
            b = ChoiceButton(kind)
            b.clicked.connect(lambda _=False, k=kind: choose(k))
            self.layout_.addWidget(b)
            self.buttons[kind] = b
        self.layout_.addStretch(1)
        assert self.frame is not None  # a citizen screen
        self.language_button = self.frame.footer.language
        self.retranslate()

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        self.retranslate()

    def set_outage(self, outage: Outage) -> None:
        self.outage = outage
        self.retranslate()

    def retranslate(self) -> None:
        notices = [self.t(OFFLINE)] if self.offline else []
        if self.outage.some:
            notices.append(self.t(ALL_OUT if self.outage.all else SOME_OUT))
        self.notice.setText("\n".join(notices))
        self.heading.setText(self.t("Dossier kiosk, open 24 hours"))
        self.hint.setText(self.t("Touch what you came to do."))
        for kind, key in self.CHOICES:
            self.buttons[kind].setText(self.t(key))
