"""A signed-in technician at the maintenance screen: test-opens compartments (each with a reason
for the audit log) and switches them out of service and back.

  choosing --open C--> opening --proven--> door-open --closed--> closed --> choosing
           opening --jam--> jammed --> choosing;  --unprovable--> uncertain --> choosing
  choosing --finish, idle or signed out--> done

Opening a compartment that holds an item is allowed (that is often why the technician is there),
but the item is watched: a door that closes with the sensor reading empty makes it uncertain,
with an event, for an officer to settle.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from drivers.errors import DeviceError
from drivers.lockboard.errors import DoorJammed
from kiosk import compartments, events
from kiosk.compartments import Compartment
from kiosk.core import Core
from kiosk.errors import DoorFoundOpen, UnknownCompartment
from kiosk.journeys.machine import DoorReading, step
from kiosk.journeys.messages import Say
from kiosk.journeys.signin import SignInJourney
from kiosk.journeys.staffed import TECHNICIANS, StaffJourney


class Tech(enum.Enum):
    CHOOSING = "choosing"
    OPENING = "opening"
    DOOR_OPEN = "door-open"
    CLOSED = "closed"
    JAMMED = "jammed"
    UNCERTAIN = "uncertain"
    DONE = "done"


BACK_TO_LIST = frozenset({Tech.CLOSED, Tech.JAMMED, Tech.UNCERTAIN})


class TechnicianJourney(StaffJourney[Tech]):
    kind = "technician"
    ROLES, WAITING, DOOR_OPEN, FINISHED = TECHNICIANS, Tech.CHOOSING, Tech.DOOR_OPEN, Tech.DONE
    INITIAL = Tech.CHOOSING
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        Tech.CHOOSING: frozenset({Tech.OPENING, Tech.DONE}),
        Tech.OPENING: frozenset({Tech.DOOR_OPEN, Tech.JAMMED, Tech.UNCERTAIN}),
        Tech.DOOR_OPEN: frozenset({Tech.CLOSED}),
        **{state: frozenset({Tech.CHOOSING}) for state in BACK_TO_LIST},
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {Tech.CHOOSING: ("idle_timeout_s", Tech.DONE)}
    TERMINAL = frozenset({Tech.DONE})
    BLOCKED_BY = frozenset()  # the technician is who puts things right: never kept out

    def __init__(self, core: Core, session: SignInJourney) -> None:
        super().__init__(core, session)

    # -- what the technician does ----------------------------------------------------------------

    @step
    def open(self, compartment_id: str, reason: str) -> None:
        self._require(Tech.CHOOSING)
        self.staff.touch()
        comp = self._compartment(compartment_id)
        if comp is None:
            return
        with self.core.intent_to_open(comp, actor=self.actor, journey=self.id) as before:
            item = self._item_in(comp.id)
            self.data.update(compartment=comp.id, reason=reason, item=item)
            columns = {"compartment": comp.id, "item": item}
            self._change_state(Tech.OPENING, columns=columns, compartment=comp.id, reason=reason)
        try:
            self.core.unlock(comp, actor=self.actor, journey=self.id, before=before)
        except DoorFoundOpen:
            self.said = Say.TECH_FOUND_OPEN.format(compartment=comp.id)
            self._change_state(Tech.DOOR_OPEN, compartment=comp.id, found_open=True)
        except DoorJammed:
            self.said = Say.TECH_JAMMED.format(compartment=comp.id)
            self._change_state(Tech.JAMMED, compartment=comp.id)
        except DeviceError as exc:
            self.said = Say.UNCERTAIN.format(compartment=comp.id)
            self._change_state(Tech.UNCERTAIN, compartment=comp.id, cause=str(exc))
        else:
            self.said = Say.TECH_OPEN.format(compartment=comp.id)
            self._change_state(Tech.DOOR_OPEN, compartment=comp.id)
        self._back_to_list()

    @step
    def set_in_service(self, compartment_id: str, in_service: bool, note: str) -> None:
        """The out-of-service switch; ``note`` says why, for the next technician."""
        self._require(Tech.CHOOSING)
        self.staff.touch()
        comp = self._compartment(compartment_id)
        if comp is None:
            return
        if in_service:
            self.core.return_to_service(comp.id, note, actor=self.actor)
            self.said = Say.BACK_IN_SERVICE.format(compartment=comp.id)
        else:
            self.core.take_out_of_service(comp.id, note, actor=self.actor)
            self.said = Say.OUT_OF_SERVICE.format(compartment=comp.id)

    @step
    def switch_service(self, compartment_id: str, note: str) -> None:
        """The switch as a touch works it: out of service if in, back if out."""
        comp = self._compartment(compartment_id)
        if comp is not None:
            self.set_in_service(comp.id, not comp.in_service, note)

    @step
    def finish(self) -> None:
        self._require(Tech.CHOOSING)
        self._change_state(Tech.DONE)

    def _watch(self) -> None:
        comp = compartments.get(self.core.store, self.data["compartment"])
        reading = self._watch_door(comp)
        if reading is not None:
            self._closed(comp, reading)

    # -- the machine's side ----------------------------------------------------------------------

    def _closed(self, comp: Compartment, reading: DoorReading) -> None:
        store = self.core.store
        item = self.data.get("item")
        with store.transaction():
            compartments.record_door(store, comp.id, "closed")
            if item is not None and reading.item is False:
                cause = "a technician opened the compartment; it closed with the sensor reading empty"
                store.update(
                    "item", item, {"state": "uncertain", "outcome": cause, "updated_at": store.now()}
                )
                events.emit(store, "outcome-uncertain", actor=self.actor, dossier_code=comp.holds,
                            compartment=comp.id, cause=cause, journey=self.id)  # fmt: skip
            self._change_state(Tech.CLOSED, compartment=comp.id, item=reading.item)
        self.said = Say.TECH_CLOSED.format(compartment=comp.id)
        self._back_to_list()

    def _compartment(self, compartment_id: str) -> Compartment | None:
        try:
            return compartments.get(self.core.store, compartment_id.strip().upper())
        except UnknownCompartment:
            self.said = Say.NO_SUCH_COMPARTMENT.format(compartment=compartment_id)
            return None

    def _item_in(self, compartment_id: str) -> int | None:
        row = self.core.store.db.execute(
            "SELECT id FROM item WHERE compartment = ? AND state = 'held'", [compartment_id]
        ).fetchone()
        return int(row[0]) if row else None

    def _back_to_list(self) -> None:
        if self.state in BACK_TO_LIST:
            self._change_state(Tech.CHOOSING)
