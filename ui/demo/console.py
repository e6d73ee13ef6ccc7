"""The technician's console beside the kiosk's window in ``make demo``: the person at the machine
and the fault injector in one small window. It reaches the simulators only through their control
sockets and the stand-in backend only through its admin API (``hardware_sim.machine.Controls``),
never the kiosk's core: what it does, a person or a fault at the real machine could do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hardware_sim.backend.admin import SMS_SECRETS
from hardware_sim.machine import Controls
from ui.style import ACTION, WARNING

SHEET = """
QWidget { font-size: 30px; }
QGroupBox { font-weight: bold; margin-top: 18px; }
QPushButton { min-height: 64px; padding: 4px 16px; }
"""
# (button, what the person or the fault does at the chosen compartment)
DOOR_ACTIONS = (
    ("Close door", ("close",)),
    ("Force door open", ("open",)),
    ("Put item in", ("put",)),
    ("Take item out", ("take",)),
    ("Jam lock", ("jam", "on")),
    ("Free lock", ("jam", "off")),
)
PRINTER_ACTIONS = (
    ("Pull the paper", ("paper", "out")),
    ("Paper nearly out", ("paper", "near")),
    ("New roll", ("paper", "ok")),
    ("Open cover", ("cover", "open")),
    ("Close cover", ("cover", "closed")),
)
# (button, what the citizen or the fault does at the bill validator; the note is the one chosen)
CASH_ACTIONS = (
    ("Insert note", ("insert",)),
    ("Insert a note it refuses", ("insert-reject",)),
    ("Jam the note", ("jam", "safe")),
    ("Stacker full", ("stacker-full", "on")),
    ("Empty the cashbox", ("stacker-full", "off")),
    ("Power-cycle", ("reset",)),
)
NOTES = (10_000, 20_000, 50_000, 100_000, 200_000, 500_000)
SMS_EVERY_MS = 2000


class Console(QWidget):
    closed = pyqtSignal()

    def __init__(self, controls: Controls, codes: list[tuple[str, str]]) -> None:
        super().__init__()
        self.controls = controls
        self.setWindowTitle("Technician's console — the simulated machine")
        self.setStyleSheet(SHEET)
        self.buttons: dict[str, QPushButton] = {}
        self.said = QLabel("Act as the person at the machine, or break something.")
        self.said.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._scanner(codes))
        layout.addWidget(self._doors())
        layout.addWidget(self._printer_and_network())
        if controls.cash is not None:
            layout.addWidget(self._validator())
        layout.addWidget(self._phones())
        layout.addWidget(self.said)
        self._sms_seen = -1
        self._poll = QTimer(self)
        self._poll.timeout.connect(self.read_phones)
        self._poll.start(SMS_EVERY_MS)

    # -- the parts ---------------------------------------------------------------------------------------

    def _scanner(self, codes: list[tuple[str, str]]) -> QGroupBox:
        box = QGroupBox("QR scanner: hold a code to it")
        row = QHBoxLayout(box)
        self.code = QComboBox()
        self.code.setEditable(True)  # any text at all: a stranger can hold any QR to the kiosk
        for label, code in codes:
            self.code.addItem(label, code)
        self.code.setAccessibleName("code to present")
        row.addWidget(self.code, 1)
        row.addWidget(self._button("Present QR", lambda: self.controls.present(self._chosen_code())))
        return box

    def _doors(self) -> QGroupBox:
        box = QGroupBox("A compartment: the person's hands, or a fault")
        grid = QGridLayout(box)
        self.compartment = QComboBox()
        self.compartment.addItems(sorted(self.controls.locks))
        self.compartment.setAccessibleName("compartment")
        grid.addWidget(QLabel("Compartment"), 0, 0)
        grid.addWidget(self.compartment, 0, 1)
        for n, (label, action) in enumerate(DOOR_ACTIONS):
            grid.addWidget(self._button(label, self._at_door(action)), 1 + n // 3, n % 3)
        return box

    def _printer_and_network(self) -> QWidget:
        both = QWidget()
        row = QHBoxLayout(both)
        printer = QGroupBox("Receipt printer")
        grid = QGridLayout(printer)
        for n, (label, (verb, state)) in enumerate(PRINTER_ACTIONS):
            grid.addWidget(self._button(label, self._printer(verb, state)), n // 2, n % 2)
        row.addWidget(printer)
        network = QGroupBox("The province's network")
        column = QVBoxLayout(network)
        column.addWidget(self._button("Cut network", lambda: self.controls.network(up=False)))
        column.addWidget(self._button("Restore network", lambda: self.controls.network(up=True)))
        row.addWidget(network)
        return both

    def _validator(self) -> QGroupBox:
        box = QGroupBox("Bill validator: the citizen's notes, or a fault")
        grid = QGridLayout(box)
        self.note = QComboBox()
        for value in NOTES:
            self.note.addItem(f"{value:,} đồng".replace(",", "."), value)
        self.note.setAccessibleName("note")
        grid.addWidget(QLabel("Note"), 0, 0)
        grid.addWidget(self.note, 0, 1)
        for n, (label, action) in enumerate(CASH_ACTIONS):
            grid.addWidget(self._button(label, self._at_validator(action)), 1 + n // 3, n % 3)
        return box

    def _phones(self) -> QGroupBox:
        box = QGroupBox("The citizens' phones: SMS sent by the backend")
        column = QVBoxLayout(box)
        self.phones = QListWidget()
        self.phones.setAccessibleName("sms")
        column.addWidget(self.phones)
        column.addWidget(self._button("Present the QR of the SMS chosen", self._present_sms))
        return box

    def _button(self, label: str, act: Callable[[], Any]) -> QPushButton:
        b = QPushButton(label)
        b.clicked.connect(lambda: self.act(label, act))
        self.buttons[label] = b
        return b

    # -- what the buttons do -----------------------------------------------------------------------------

    def act(self, label: str, act: Callable[[], Any]) -> None:
        """One action; what it met is said on the console (a simulator gone, a refused command),
        never an exception out of a slot."""
        try:
            answer = act()
        except Exception as exc:
            self.said.setStyleSheet(f"color: {WARNING}; font-weight: bold;")
            self.said.setText(f"{label}: {exc}")
        else:  # a simulator that says how it went (a note not drawn in by a disabled validator)
            outcome = answer.get("outcome") if isinstance(answer, dict) else None
            self.said.setStyleSheet(f"color: {ACTION};")
            self.said.setText(f"{label}: {outcome or 'done'}")

    def _at_door(self, action: tuple[str, ...]) -> Callable[[], Any]:
        return lambda: self.controls.person(action[0], self.compartment.currentText(), *action[1:])

    def _at_validator(self, action: tuple[str, ...]) -> Callable[[], Any]:
        def act() -> Any:
            assert self.controls.cash is not None  # the group is shown only with a validator
            takes_note = action[0].startswith("insert")
            return self.controls.cash.call(*action, *([self.note.currentData()] if takes_note else []))

        return act

    def _printer(self, verb: str, state: str) -> Callable[[], Any]:
        return lambda: self.controls.printer.call(verb, state)

    def _chosen_code(self) -> str:
        typed = self.code.currentText()
        index = self.code.findText(typed)
        data = self.code.itemData(index) if index >= 0 else None
        code = str(data) if data else typed.strip()
        if not code:
            raise ValueError("choose or type a code first")
        return code

    def _present_sms(self) -> None:
        item = self.phones.currentItem()
        found = SMS_SECRETS.search(item.text()) if item is not None else None
        if found is None:
            raise ValueError("choose an SMS with a QR first")
        self.controls.present(found[2])

    def read_phones(self) -> None:
        """What the backend has texted so far (its admin API), newest last."""
        if self.controls.backend is None:
            return
        try:
            texts = [sms["text"] for sms in self.controls.backend.sms()]
        except OSError:  # the network cut is the backend's fault injection; its admin API stays up
            return
        if len(texts) != self._sms_seen:
            self._sms_seen = len(texts)
            self.phones.clear()
            self.phones.addItems(texts)

    # -- the window ---------------------------------------------------------------------------------------

    def show_beside(self, other: QWidget) -> None:
        self.show()
        self.move(other.frameGeometry().right() + 16, other.frameGeometry().top())

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self._poll.stop()
        self.closed.emit()
        if event is not None:
            event.accept()
