"""An officer takes items out: deposited dossiers (collect), results past their hold period
(withdraw), or items whose outcome could not be proven (settle). The list is shown; each chosen
item's compartment opens; the officer takes it out and closes the door; back to the list until
the officer is done.

  choosing --take CODE--> opening --proven--> door-open --closed, item gone--> taken --> choosing
  door-open --closed, item inside--> not-taken --> choosing;  jammed / uncertain --> choosing
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from kiosk import expiry, flags
from kiosk.core import Core
from kiosk.journeys.machine import IllegalStep, step
from kiosk.journeys.messages import Say
from kiosk.journeys.releasing import ReleasingJourney
from kiosk.journeys.signin import SignInJourney
from kiosk.journeys.staffed import OFFICERS, StaffJourney


class Release(enum.Enum):
    CHOOSING = "choosing"
    OPENING = "opening"
    DOOR_OPEN = "door-open"
    TAKEN = "taken"
    NOT_TAKEN = "not-taken"
    JAMMED = "jammed"
    UNCERTAIN = "uncertain"
    DONE = "done"


BACK_TO_LIST = frozenset({Release.TAKEN, Release.NOT_TAKEN, Release.JAMMED, Release.UNCERTAIN})


class OfficerReleaseJourney(StaffJourney[Release], ReleasingJourney[Release]):
    INITIAL = Release.CHOOSING
    ROLES, WAITING, FINISHED = OFFICERS, Release.CHOOSING, Release.DONE
    OPENING, DOOR_OPEN, RELEASED = Release.OPENING, Release.DOOR_OPEN, Release.TAKEN
    NOT_TAKEN, JAMMED, UNCERTAIN = Release.NOT_TAKEN, Release.JAMMED, Release.UNCERTAIN
    SAY_OPEN, SAY_RELEASED = Say.TAKE_ITEM, Say.TAKEN
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        Release.CHOOSING: frozenset({Release.OPENING, Release.DONE}),
        Release.OPENING: frozenset({Release.DOOR_OPEN, Release.JAMMED, Release.UNCERTAIN}),
        Release.DOOR_OPEN: frozenset({Release.TAKEN, Release.NOT_TAKEN}),
        **{state: frozenset({Release.CHOOSING}) for state in BACK_TO_LIST},
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {Release.CHOOSING: ("idle_timeout_s", Release.DONE)}
    TERMINAL = frozenset({Release.DONE})
    # taking items out is how an officer empties a kiosk whose history is lost
    BLOCKED_BY = frozenset({flags.DISK_LOW})

    def __init__(self, core: Core, session: SignInJourney) -> None:
        super().__init__(core, session)

    def items(self) -> list[dict[str, Any]]:
        """What can be taken out now."""
        raise NotImplementedError

    @step
    def take(self, dossier_code: str) -> None:
        self._require(Release.CHOOSING)
        self.staff.touch()
        item = next((i for i in self.items() if i["dossier_code"] == dossier_code), None)
        if item is None:
            raise IllegalStep(f"{dossier_code} is not on the list to take out")
        self.data.update(item=item["id"], code=dossier_code, compartment=item["compartment"])
        self._release()
        self._back_to_list()

    @step
    def finish(self) -> None:
        self._require(Release.CHOOSING)
        self._change_state(Release.DONE)

    def _watch(self) -> None:
        self._watch_release()
        self._back_to_list()

    def _back_to_list(self) -> None:
        if self.state in BACK_TO_LIST:
            self._change_state(Release.CHOOSING)


class CollectJourney(OfficerReleaseJourney):
    kind = "collect"
    RELEASE_EVENT, RELEASE_OUTCOME = "dossier-collected", "collected"

    def items(self) -> list[dict[str, Any]]:
        return list(self.core.store.db.query("SELECT * FROM item WHERE kind = 'deposit' AND state = 'held'"))


class WithdrawJourney(OfficerReleaseJourney):
    kind = "withdraw"
    RELEASE_EVENT, RELEASE_OUTCOME = "result-withdrawn", "withdrawn"

    def items(self) -> list[dict[str, Any]]:
        return expiry.due_for_withdrawal(self.core)


class SettleJourney(OfficerReleaseJourney):
    """Items whose outcome could not be proven (after a crash, a lost link, a door found open):
    the officer opens each and takes out what is there. A door closed with the sensor showing the
    item still inside proves it held again (for its citizen); one closed empty settles it, with an
    event for the office, which follows up on what the officer has in hand."""

    kind = "settle"
    RELEASE_EVENT, RELEASE_OUTCOME = "item-settled", "settled by an officer"

    def items(self) -> list[dict[str, Any]]:
        return list(self.core.store.db.query("SELECT * FROM item WHERE state = 'uncertain' ORDER BY id"))
