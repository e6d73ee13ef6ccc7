"""Putting an item into a free compartment, for every journey that does (officer load, citizen
drop-off): choose a fitting compartment, commit the item and the intent, unlock, try another after
a jam, then watch the door close with (on boards that sense items) something inside.

A citizen's drop-off may be reopened once after it ends (kiosk/journeys/after.py): after "not
deposited" the same compartment is given to the dossier again (a placing like the first); after
"deposited" the dossier may be added to or taken back (reopening, reopened): the door closed on it
leaves it deposited (nothing new for the backend), closed on an empty compartment it was taken
back ("dossier taken back"), and with no sensor to say, it is uncertain. "The door did not open" is
not believed when the sensor shows the dossier inside; else the compartment goes out of service
(an alarm) and another opens, as after a jam.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drivers.errors import DeviceError
from drivers.lockboard.bus import AskedStatus
from drivers.lockboard.errors import DoorJammed
from kiosk import assignment, codes, compartments, events
from kiosk.compartments import Compartment
from kiosk.errors import DoorFoundOpen, ItemFoundInside
from kiosk.journeys import after
from kiosk.journeys.machine import IllegalStep, Journey, S
from kiosk.journeys.messages import Say
from kiosk.store import Store


class PlacingJourney(Journey[S]):
    ITEM_KIND: ClassVar[str]  # "result" or "deposit"
    SAY_ALREADY: ClassVar[Say]  # what to say when that dossier is already inside
    SAY_NO_SPACE: ClassVar[Say] = Say.NO_SPACE  # and when no compartment is free for it
    # the subclass's own states for the four steps every placing journey goes through
    OPENING: ClassVar[Any]
    DOOR_OPEN: ClassVar[Any]
    NO_SPACE: ClassVar[Any]
    UNCERTAIN: ClassVar[Any]
    # a citizen's drop-off only: its two ends, and a deposited dossier's compartment opened again
    PLACED: ClassVar[Any] = None
    NOT_PLACED: ClassVar[Any] = None
    REOPENING: ClassVar[Any] = None
    REOPENED: ClassVar[Any] = None

    def _placed(self, comp: Compartment) -> None:
        """The door closed with the item inside (or with no sensor to say otherwise)."""
        raise NotImplementedError

    def _nothing_placed(self, comp: Compartment) -> None:
        """The door closed and the sensor says the compartment is empty."""
        raise NotImplementedError

    def _taken_back(self, comp: Compartment) -> None:
        """A reopened door closed on an empty compartment: the dossier was taken back out."""
        raise NotImplementedError

    def _code_to_place(self, parsed: codes.ScannedCode | None) -> codes.DossierCode | None:
        """The dossier to put in, or None with ``said`` saying why not (not a dossier's code, or
        that dossier already inside)."""
        if parsed is None:
            return None
        dossier = codes.dossier_of(parsed)
        if dossier is None or isinstance(parsed, codes.PickupToken):
            self._reject(codes.Rejection.UNKNOWN)
            return None
        inside = compartments.where_is(self.core.store, self.ITEM_KIND, dossier.code)
        if inside:
            self.said = self.SAY_ALREADY.format(code=dossier.code, compartment=inside)
            return None
        return dossier

    def _open_a_compartment(
        self, info: dict[str, Any], *, prefer_low: bool = False, first: str | None = None
    ) -> None:
        """Needs ``data`` code, size and tried. Ends door-open, no-space or uncertain. ``first``:
        the compartment to try before any other, while it is free (the same one, on a reopen)."""
        while True:
            every = self.core.compartments()
            again = [c for c in every if c.id == first and c.usable and c.id not in self.data["tried"]]
            first = None
            comp = again[0] if again else assignment.choose(
                every, self.data["size"], prefer_low=prefer_low, exclude=self.data["tried"]
            )  # fmt: skip
            if comp is None:
                self.said = self.SAY_NO_SPACE.format()
                self._change_state(self.NO_SPACE, dossier=self.data["code"], tried=self.data["tried"])
                return
            item, before = self._place_intent(comp, info)
            try:
                self.core.unlock(comp, actor=self.actor, journey=self.id, before=before, expect_empty=True)
            except ItemFoundInside:
                with self.core.store.transaction():  # never given to a new item; the officer is shown it
                    self._item_gone(item, "an unknown item was inside")
                    record_unknown_item(self.core.store, comp.id, actor=self.actor)
                self.data["tried"].append(comp.id)
                continue
            except (DoorJammed, DoorFoundOpen) as exc:
                found_open = isinstance(exc, DoorFoundOpen)
                if found_open:  # a door that does not latch, or was forced: not for a new item
                    self.core.take_out_of_service(comp.id, "door found open before unlock", actor=self.actor)
                self._item_gone(item, "door found open" if found_open else "compartment jammed")
                self.data["tried"].append(comp.id)
                self.said = Say.JAM_RETRYING.format(compartment=comp.id)
                if len(self.data["tried"]) > self.core.rules.jam_retries:
                    self.said = self.SAY_NO_SPACE.format()
                    self._change_state(self.NO_SPACE, tried=self.data["tried"])
                    return
                continue
            except DeviceError as exc:
                self._uncertain(comp, item, str(exc))
                return
            self._change_state(self.DOOR_OPEN, compartment=comp.id)
            return

    def _place_intent(self, comp: Compartment, info: dict[str, Any]) -> tuple[int, AskedStatus]:
        """The item, the journey's move to "opening" and the unlock intent: one commit, before
        the unlock frame; with the board's status for ``core.unlock``."""
        store = self.core.store
        now = store.now()
        db = store.db
        with self.core.intent_to_open(comp, actor=self.actor, journey=self.id) as before:
            row = {
                "kind": self.ITEM_KIND, "dossier_code": self.data["code"], "compartment": comp.id,
                "state": "placing", "procedure": info.get("procedure"), "citizen": info.get("citizen"),
                "fee_due": info.get("fee_due") or 0, "created_at": now, "updated_at": now,
            }  # fmt: skip
            # a result for its holder only carries the applicant's keyed ID hash (kiosk/holder.py)
            row.update(
                requires_holder=int(bool(info.get("requires_holder"))), holder_hash=info.get("holder_hash")
            )
            item = int(db.table("item").insert(row).last_pk or 0)
            self.data.update(compartment=comp.id, item=item)
            self._change_state(self.OPENING, columns={"compartment": comp.id, "item": item},
                               compartment=comp.id, dossier=self.data["code"])  # fmt: skip
        return item, before

    def _watch_placing(self) -> None:
        comp = compartments.get(self.core.store, self.data["compartment"])
        reading = self._watch_door(comp)
        if reading is None:
            return
        if reading.item is False:
            with self.core.store.transaction():
                compartments.record_door(self.core.store, comp.id, "closed")
                self._item_gone(self.data["item"], "nothing placed")
                self._nothing_placed(comp)
            return
        self._placed(comp)

    # -- after the end: "Mở lại ngăn" ------------------------------------------------------------

    def _reopen(self) -> None:
        refused = after.reopen_refused(self)
        if refused is not None:
            self.said = refused
            return
        self.data["reopened"] = True
        if self.state is self.NOT_PLACED:  # nothing went in: the same compartment, a placing again
            info = {"procedure": self.data.get("procedure")}
            self._open_a_compartment(info, prefer_low=self.data.get("prefer_low", False),
                                     first=self.data["compartment"])  # fmt: skip
            return
        store = self.core.store
        comp = compartments.get(store, self.data["compartment"])
        item = self.data["item"]
        with self.core.intent_to_open(comp, actor=self.actor, journey=self.id) as before:
            store.update("item", item, {"state": "releasing", "updated_at": store.now()})  # may come out
            self._change_state(self.REOPENING, compartment=comp.id, reopen=True)
        try:
            self.core.unlock(comp, actor=self.actor, journey=self.id, before=before)
        except DoorJammed:  # it stays inside, behind a door out of service: still deposited
            with store.transaction():
                store.update("item", item, {"state": "held", "updated_at": store.now()})
                self._change_state(self.PLACED, compartment=comp.id, cause="jammed")
            self.said = Say.DOSSIER_SAFE_INSIDE.format(compartment=comp.id)
            return
        except (DeviceError, DoorFoundOpen) as exc:
            if isinstance(exc, DoorFoundOpen):
                self.core.take_out_of_service(comp.id, "door found open before unlock", actor=self.actor)
            self._uncertain(comp, item, str(exc))
            return
        self._change_state(self.REOPENED, compartment=comp.id)
        self.said = Say.REOPENED_DOSSIER.format(compartment=comp.id)

    def _watch_reopened(self) -> None:
        store = self.core.store
        comp = compartments.get(store, self.data["compartment"])
        reading = self._watch_door(comp)
        if reading is None:
            return
        if reading.item is None:  # no sensor: added to, or taken back? Only an officer can say
            with store.transaction():
                compartments.record_door(store, comp.id, "closed")
                self._uncertain(comp, self.data["item"], "reopened; no sensor can say what is inside")
            return
        with store.transaction():
            compartments.record_door(store, comp.id, "closed")
            if reading.item:
                store.update("item", self.data["item"], {"state": "held", "updated_at": store.now()})
                self._change_state(self.PLACED, compartment=comp.id)
                self.said = Say.DOSSIER_STILL_INSIDE.format(compartment=comp.id)
                return
            self._taken_back(comp)

    # -- "Cửa không mở?" -------------------------------------------------------------------------

    def _door_not_opened(self) -> None:
        """The person says the door did not open; the sensor decides what is believed."""
        if self.state not in (self.DOOR_OPEN, self.REOPENED):
            raise IllegalStep(f"{self.kind} is {self.state.value}: no door is open")
        comp = compartments.get(self.core.store, self.data["compartment"])
        door, item, read = after.read_door(self, comp)
        inside = item is True or self.state is self.REOPENED  # the dossier was proven in
        if inside or not after.may_believe(self):
            after.record_claim(self, after.NOT_BELIEVED if inside else after.OVER_LIMIT, comp.id, **read)
            if door == "closed":
                self.tick()  # the door's own reading ends the step, as it would have
            if self.state in (self.DOOR_OPEN, self.REOPENED):
                words = Say.SEEN_DOSSIER_INSIDE if item else Say.DOOR_REPORTED
                self.said = words.format(compartment=comp.id)
            return
        store = self.core.store
        with store.transaction():
            after.report_believed(self, comp, door, read)
            if item is None:  # no sensor: the dossier may be inside after all; an officer looks
                cause = "the citizen reports the door did not open; no sensor can say what is inside"
                store.update("item", self.data["item"], {"state": "uncertain", "outcome": cause,
                                                         "updated_at": store.now()})  # fmt: skip
                events.emit(store, "outcome-uncertain", actor=self.actor, dossier_code=self.data["code"],
                            compartment=comp.id, cause=cause, journey=self.id)  # fmt: skip
            else:
                self._item_gone(self.data["item"], "not placed: the door was reported not to open")
            self.data["tried"].append(comp.id)
        info = {"procedure": self.data.get("procedure")}
        self._open_a_compartment(info, prefer_low=self.data.get("prefer_low", False))

    def _item_gone(self, item: int, outcome: str) -> None:
        self.core.store.update(
            "item", item, {"state": "gone", "outcome": outcome, "updated_at": self.core.store.now()}
        )

    def _uncertain(self, comp: Compartment, item: int, cause: str) -> None:
        store = self.core.store
        with store.transaction():
            store.update("item", item, {"state": "uncertain", "outcome": cause, "updated_at": store.now()})
            events.emit(
                store, "outcome-uncertain", actor=self.actor, dossier_code=self.data["code"],
                compartment=comp.id, cause=cause, journey=self.id,
            )  # fmt: skip
            self._change_state(self.UNCERTAIN, compartment=comp.id, cause=cause)
        self.said = Say.UNCERTAIN.format(compartment=comp.id)


UNKNOWN_PREFIX = "UNKNOWN-"  # an item found by a sensor that no record explains is named after its place


def record_unknown_item(
    store: Store, compartment: str, *, actor: str,
    cause: str = "the sensor shows an item that the kiosk has no record of",
) -> None:  # fmt: skip
    """The sensor shows an item the store does not know: it becomes an uncertain item, so the
    compartment is given to no one and the next officer settles it (opens it, takes out what is
    there) from the settle list; the office hears of it. Inside the caller's transaction."""
    now = store.now()
    store.db.execute(
        "INSERT INTO item (kind, dossier_code, compartment, state, outcome, created_at, updated_at)"
        " VALUES ('deposit', ?, ?, 'uncertain', ?, ?, ?)",
        [f"{UNKNOWN_PREFIX}{compartment}", compartment, cause, now, now],
    )
    events.emit(store, "outcome-uncertain", actor=actor, compartment=compartment, cause=cause)
