"""Letting an item out of its compartment, for every journey that does (citizen pickup, officer
collect and withdraw): the item marked releasing, the journey's move to "opening" and the unlock
intent in one commit; the unlock; then the door watched until it closes with the item gone
(released: its event) or still inside (not taken). A jam keeps the item held for an officer; an
unprovable unlock makes it uncertain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from drivers.errors import DeviceError
from drivers.lockboard.bus import AskedStatus
from drivers.lockboard.errors import DoorJammed
from kiosk import compartments, events
from kiosk.compartments import Compartment
from kiosk.errors import DoorFoundOpen
from kiosk.journeys.machine import Journey, S
from kiosk.journeys.messages import Say
from kiosk.store import Store


class ReleasingJourney(Journey[S]):
    OPENING: ClassVar[Any]
    DOOR_OPEN: ClassVar[Any]
    RELEASED: ClassVar[Any]
    NOT_TAKEN: ClassVar[Any]
    JAMMED: ClassVar[Any]
    UNCERTAIN: ClassVar[Any]
    RELEASE_EVENT: ClassVar[str]  # "result-picked-up", "dossier-collected", "result-withdrawn"
    RELEASE_OUTCOME: ClassVar[str]  # the item's outcome: "picked up", "collected", "withdrawn"
    SAY_OPEN: ClassVar[Say]
    SAY_RELEASED: ClassVar[Say]

    def _release(self, *, first: Callable[[], None] | None = None, was: str | None = None) -> None:
        """Open for the item in ``data`` (item, code, compartment): ``first`` (the journey's move
        that leads here), the item marked releasing, the move to "opening" and the unlock intent in
        one commit, then the unlock. ``was``: the item's state, when the caller has just read it."""
        comp = compartments.get(self.core.store, self.data["compartment"])
        with self.core.intent_to_open(comp, actor=self.actor, journey=self.id) as before:
            if first is not None:
                first()
            if was is None:
                was = self.core.store.db.execute(
                    "SELECT state FROM item WHERE id = ?", [self.data["item"]]
                ).fetchone()[0]
            self.data["was"] = was  # "held", or "uncertain" for an officer settling it
            self._item_state("releasing")
            columns = {"item": self.data["item"], "compartment": comp.id}
            self._change_state(self.OPENING, columns=columns, compartment=comp.id)
        self._unlock_release(comp, before)

    def _unlock_release(self, comp: Compartment, before: AskedStatus) -> None:
        store = self.core.store
        try:
            self.core.unlock(comp, actor=self.actor, journey=self.id, before=before)
        except DoorJammed:
            with store.transaction():
                self._item_state(self.data["was"])  # still inside, behind a jammed door: an officer's job
                self._change_state(self.JAMMED, compartment=comp.id)
            self.said = Say.JAMMED.format(compartment=comp.id)
            return
        except (DeviceError, DoorFoundOpen) as exc:
            if isinstance(exc, DoorFoundOpen):
                self.core.take_out_of_service(comp.id, "door found open before unlock", actor=self.actor)
            with store.transaction():
                self._item_state("uncertain", outcome=str(exc))
                events.emit(
                    store, "outcome-uncertain", actor=self.actor, dossier_code=self.data["code"],
                    compartment=comp.id, cause=str(exc), journey=self.id,
                )  # fmt: skip
                self._change_state(self.UNCERTAIN, compartment=comp.id)
            found_open = isinstance(exc, DoorFoundOpen)
            self.said = (Say.FOUND_OPEN if found_open else Say.UNCERTAIN).format(compartment=comp.id)
            return
        self._change_state(self.DOOR_OPEN, compartment=comp.id)
        self.said = self.SAY_OPEN.format(compartment=comp.id)

    def _watch_release(self) -> None:
        comp = compartments.get(self.core.store, self.data["compartment"])
        reading = self._watch_door(comp)
        if reading is None:
            return
        store = self.core.store
        with store.transaction():
            compartments.record_door(store, comp.id, "closed")
            if reading.item:
                self._item_state("held")
                self._change_state(self.NOT_TAKEN, compartment=comp.id)
                self.said = Say.NOT_TAKEN.format()
                return
            sensed = reading.item is not None
            record_released(store, type(self), item=self.data["item"], code=self.data["code"],
                            compartment=comp.id, actor=self.actor, sensed=sensed)  # fmt: skip
            self._change_state(self.RELEASED, compartment=comp.id)
        self.said = self.SAY_RELEASED.format()

    def _item_state(self, state: str, outcome: str | None = None) -> None:
        change = {"state": state, "updated_at": self.core.store.now()}
        if outcome:
            change["outcome"] = outcome
        self.core.store.update("item", self.data["item"], change)


def record_released(
    store: Store, journey: type[ReleasingJourney[Any]], *, item: int, code: str, compartment: str,
    actor: str, sensed: bool,
) -> None:  # fmt: skip
    """The item is proven out (or, on a board without sensors, the door closed after the person was
    told to take it): its event. Inside the caller's transaction."""
    store.update(
        "item", item, {"state": "gone", "outcome": journey.RELEASE_OUTCOME, "updated_at": store.now()}
    )
    events.emit(store, journey.RELEASE_EVENT, actor=actor, dossier_code=code, compartment=compartment,
                sensed=sensed)  # fmt: skip
