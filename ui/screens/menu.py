"""After a staff sign-in: what an officer (or a technician) can do, and signing out."""

from __future__ import annotations

from collections.abc import Callable

from ui.i18n import N_, Language
from ui.screens.base import Screen, button, title

TASKS = {
    "officer": (
        ("load", N_("Load results")),
        ("collect", N_("Collect handed-in dossiers")),
        ("withdraw", N_("Withdraw results past their hold")),
        ("settle", N_("Settle compartments not confirmed")),
    ),
    "technician": (("technician", N_("Maintenance: test-open compartments")),),
}


class MenuScreen(Screen):
    citizen = False  # staff only: no citizen chrome

    def __init__(
        self, language: Language, choose: Callable[[str], None], sign_out: Callable[[], None]
    ) -> None:
        super().__init__(language)
        self.heading = title()
        self.layout_.addWidget(self.heading)
        self.layout_.addStretch(1)
        self.buttons = {}
        for tasks in TASKS.values():
            for kind, _ in tasks:
                b = button(name=kind)
                b.clicked.connect(lambda _=False, k=kind: choose(k))
                self.layout_.addWidget(b)
                self.buttons[kind] = b
        self.layout_.addStretch(1)
        self.sign_out = button(secondary=True, name="sign out")
        self.sign_out.clicked.connect(sign_out)
        self.layout_.addWidget(self.sign_out)
        self.role = "officer"
        self.retranslate()

    def for_role(self, role: str) -> None:
        self.role = role
        mine = {kind for kind, _ in TASKS.get(role, ())}
        for kind, b in self.buttons.items():
            b.setVisible(kind in mine)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.t("What would you like to do?"))
        for tasks in TASKS.values():
            for kind, key in tasks:
                self.buttons[kind].setText(self.t(key))
        self.sign_out.setText(self.t("Sign out"))
