"""Help, from the footer of every citizen screen: whom to call at any hour, when the office is open
and where, and a short reference for what just happened that an officer can look up later
(``kiosk journey REF``). "Quay lại" goes back to where the person was, nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.office import Opening, describe_all, is_open
from ui.i18n import N_, Language
from ui.screens.base import Screen, button, text, title

# what the person was doing, in words (the journey's kind)
DOING = {
    "pickup": N_("Picking up a result"),
    "dropoff": N_("Handing in a dossier"),
    "lookup": N_("Looking up a dossier"),
}


@dataclass(frozen=True)
class OfficeInfo:
    """What the help screen says of the office ([office] in the config)."""

    name: str
    hotline: str | None = None
    address: str | None = None
    openings: list[Opening] = field(default_factory=list)


@dataclass(frozen=True)
class Happened:
    """What just happened at the screen, for the person to quote on the phone or at the counter."""

    reference: str
    kind: str
    at: datetime  # local time, when it began
    compartment: str | None = None
    journey: str = ""  # its id (not shown: the reference stands for it)


class HelpScreen(Screen):
    def __init__(
        self, language: Language, office: OfficeInfo, back: Callable[[], None], now: Callable[[], datetime]
    ) -> None:
        super().__init__(language)
        self.office, self.now = office, now
        self.heading = title()
        self.words = text(name="message")
        self.hotline = text(name="hotline")
        self.hotline.setAccessibleName("hotline")
        self.hours = text()
        self.hours.setAccessibleName("opening hours")
        self.address = text()
        self.address.setAccessibleName("address")
        self.happened_words = text(name="reference")
        self.happened_words.setAccessibleName("reference")
        for label in (self.heading, self.words, self.hotline, self.hours, self.address, self.happened_words):
            self.layout_.addWidget(label)
        self.layout_.addStretch(1)
        self.back = button(name="back")
        self.back.clicked.connect(back)
        self.layout_.addWidget(self.back)
        self.happened: Happened | None = None
        self.retranslate()

    def present(self, happened: Happened | None) -> None:
        self.happened = happened
        self.retranslate()

    def retranslate(self) -> None:
        office = self.office
        self.heading.setText(self.t("Help"))
        open_now = is_open(office.openings, self.now())
        self.words.setText(
            self.t("Officers are at the counter now: {office}.", office=office.name)
            if open_now
            else self.t("No officer is at the counter now. You can call, or come back during opening hours.")
        )
        self.hotline.setText(self.t("Hotline: {number}", number=office.hotline) if office.hotline else "")
        self.hotline.setVisible(bool(office.hotline))
        # the periods of the same days said once, a line for each group of days
        hours = "\n".join(describe_all(office.openings, self.language.code))
        self.hours.setText(self.t("Opening hours:") + "\n" + hours if hours else "")
        self.address.setText(self.t("Address: {address}", address=office.address) if office.address else "")
        self.address.setVisible(bool(office.address))
        self.happened_words.setText(self._happened())
        self.back.setText(self.t("Go back"))

    def _happened(self) -> str:
        h = self.happened
        if h is None:
            return ""
        lines = [self.t("Reference: {reference}", reference=h.reference)] if h.reference else []
        doing = DOING.get(h.kind)
        if doing is not None:
            lines.append(self.t(doing))
        lines.append(h.at.strftime("%H:%M %d/%m/%Y"))
        if h.compartment:
            lines.append(self.t("Compartment {compartment}", compartment=h.compartment))
        if h.reference:
            lines.append(self.t("Say this reference when you call or come to the counter."))
        return "\n".join(lines)
