"""The technician's maintenance screen: device health and the sync queue, the printer's test page,
a scanner test (whatever is scanned here is shown, not acted on), test-opening compartments and
switching them out of service and back."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.maintenance import Finding
from ui.i18n import N_, Language
from ui.screens.base import Screen, button, text, title

ACTIONS = (
    ("health", N_("Check the devices and the sync queue")),
    ("print_test", N_("Print the test page")),
    ("open", N_("Test-open a compartment")),
    ("service", N_("Take a compartment out of service, or back")),
)


class MaintenanceScreen(Screen):
    citizen = False  # staff only: no citizen chrome

    def __init__(self, language: Language, act: Callable[[str], None], done: Callable[[], None]) -> None:
        super().__init__(language)
        self.heading = title()
        self.layout_.addWidget(self.heading)
        self.buttons = {}
        for action, _ in ACTIONS:
            b = button(name=action)
            b.clicked.connect(lambda _=False, a=action: act(a))
            self.layout_.addWidget(b)
            self.buttons[action] = b
        self.report = text()
        self.report.setAccessibleName("findings")
        self.layout_.addWidget(self.report, 1)
        self.done = button(secondary=True, name="done")
        self.done.clicked.connect(done)
        self.layout_.addWidget(self.done)
        self.findings: list[Finding] = []
        self.retranslate()

    def show_findings(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.t("Maintenance"))
        for action, key in ACTIONS:
            self.buttons[action].setText(self.t(key))
        self.done.setText(self.t("Done"))
        lines = [
            ("✔ " if f.ok else "✘ ") + (f.vi if self.language.code == "vi" else f.en) for f in self.findings
        ]
        self.report.setText("\n".join(lines) or self.t("Scan any code to test the scanner."))
