"""Letting an item out of its compartment, for every journey that does (citizen pickup, officer
collect and withdraw): the item marked releasing, the journey's move to "opening" and the unlock
intent in one commit; the unlock; then the door watched until it closes with the item gone
(released: its event) or still inside (not taken). A jam keeps the item held for an officer; an
unprovable unlock makes it uncertain.

A citizen's pickup may be reopened once after it ends (kiosk/journeys/after.py): after "not taken"
the result is still inside, so that is a release like the first; after "done" the compartment is
empty, it opens for the person (reopening, reopened) and a door closed on an item makes that item
uncertain, for an officer. "The door did not open" is believed when the item sensor shows the
result still inside (it stays held, behind a compartment out of service) and recorded as uncertain
when no sensor can say; when the sensor shows it gone, it is not believed.
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
from kiosk.journeys import after
from kiosk.journeys.machine import IllegalStep, Journey, S
from kiosk.journeys.messages import Say
from kiosk.journeys.placing import record_unknown_item
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
    # a citizen's pickup only: an empty compartment opened again after "done", a door closed on
    # something after that, and a door the person says did not open
    REOPENING: ClassVar[Any] = None
    REOPENED: ClassVar[Any] = None
    ITEM_LEFT: ClassVar[Any] = None
    NOT_OPENED: ClassVar[Any] = None

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
        self._when_closed(self._released_or_not)

    def _released_or_not(self, comp: Compartment, item: bool | None) -> tuple[str, str]:
        store = self.core.store
        if item:
            self._item_state("held")
            self._change_state(self.NOT_TAKEN, compartment=comp.id)
            return Say.NOT_TAKEN.format()
        record_released(store, type(self), item=self.data["item"], code=self.data["code"],
                        compartment=comp.id, actor=self.actor, sensed=item is not None)  # fmt: skip
        self._change_state(self.RELEASED, compartment=comp.id)
        return self.SAY_RELEASED.format()

    def _when_closed(self, closed: Callable[[Compartment, bool | None], tuple[str, str]]) -> None:
        """The open door watched; once it is closed, the closing and what ``closed`` makes of it
        (given whether the board senses an item inside: None where it cannot tell) in one commit,
        then what it says."""
        comp = compartments.get(self.core.store, self.data["compartment"])
        reading = self._watch_door(comp)
        if reading is None:
            return
        with self.core.store.transaction():
            compartments.record_door(self.core.store, comp.id, "closed")
            said = closed(comp, reading.item)
        self.said = said

    # -- after the end: "Mở lại ngăn" ------------------------------------------------------------

    def _reopen(self) -> None:
        """Open the same compartment once more, from "not taken" (the result inside: released as
        the first time) or from the released end (the compartment empty)."""
        refused = after.reopen_refused(self)
        if refused is not None:
            self.said = refused
            return
        self.data["reopened"] = True
        if self.state is self.NOT_TAKEN:
            self._release(was="held")
            return
        comp = compartments.get(self.core.store, self.data["compartment"])
        with self.core.intent_to_open(comp, actor=self.actor, journey=self.id) as before:
            self._change_state(self.REOPENING, compartment=comp.id, reopen=True)
        try:
            self.core.unlock(comp, actor=self.actor, journey=self.id, before=before)
        except (DeviceError, DoorFoundOpen) as exc:  # nothing of the result's depends on it: it is out
            if isinstance(exc, DoorFoundOpen):
                self.core.take_out_of_service(comp.id, "door found open before unlock", actor=self.actor)
            self._change_state(self.RELEASED, compartment=comp.id, cause=type(exc).__name__)
            self.said = Say.REOPEN_JAMMED.format(compartment=comp.id)
            return
        self._change_state(self.REOPENED, compartment=comp.id)
        self.said = Say.REOPENED.format(compartment=comp.id)

    def _watch_reopened(self) -> None:
        self._when_closed(self._closed_after_reopen)

    def _closed_after_reopen(self, comp: Compartment, item: bool | None) -> tuple[str, str]:
        if item:  # the result put back, or something of the person's: an officer looks
            cause = "an item was left inside after its result was picked up and the door reopened"
            record_unknown_item(self.core.store, comp.id, actor=self.actor, cause=cause)
            self._change_state(self.ITEM_LEFT, compartment=comp.id)
            return Say.ITEM_LEFT.format(compartment=comp.id)
        self._change_state(self.RELEASED, compartment=comp.id)
        return Say.CLOSED_EMPTY.format()

    # -- "Cửa không mở?" -------------------------------------------------------------------------

    def _door_not_opened(self) -> None:
        """The person says the door did not open; the sensor decides what is believed."""
        if self.state not in (self.DOOR_OPEN, self.REOPENED):
            raise IllegalStep(f"{self.kind} is {self.state.value}: no door is open")
        comp = compartments.get(self.core.store, self.data["compartment"])
        door, item, read = after.read_door(self, comp)
        emptied = item is False or self.state is self.REOPENED  # the result is out: not believed
        if emptied or not after.may_believe(self):
            action = after.NOT_BELIEVED if emptied else after.OVER_LIMIT
            after.record_claim(self, action, comp.id, **read)
            if door == "closed":
                self.tick()  # the door's own reading ends the journey, as it would have
            if self.state in (self.DOOR_OPEN, self.REOPENED):
                self.said = (Say.SEEN_OPEN_EMPTY if emptied else Say.DOOR_REPORTED).format(
                    compartment=comp.id
                )
            return
        store = self.core.store
        with store.transaction():
            after.report_believed(self, comp, door, read)
            if item:  # the sensor shows the result inside: still theirs, behind a door out of service
                self._item_state("held")
            else:  # no sensor (or no reading) can say whether it was taken: an officer settles it
                cause = "the citizen reports the door did not open; no sensor can say whether it was taken"
                self._item_state("uncertain", outcome=cause)
                events.emit(store, "outcome-uncertain", actor=self.actor, dossier_code=self.data["code"],
                            compartment=comp.id, cause=cause, journey=self.id)  # fmt: skip
            self._change_state(self.NOT_OPENED, compartment=comp.id)
        self.said = Say.NOT_OPENED.format(compartment=comp.id)

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
