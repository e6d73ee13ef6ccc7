"""Journeys only staff may run (officer load, collect, withdraw; technician open) act for a live
sign-in session: started only while it is signed in with the right role, each step counts as a
touch, and a step after the session has ended is refused. The journey ticks the session, so an
officer who walks away is signed out and the journey ends at its next safe state.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.core import Core
from kiosk.errors import KioskError
from kiosk.journeys.machine import Journey, S
from kiosk.journeys.messages import Say
from kiosk.journeys.signin import SignInJourney

OFFICERS = frozenset({"officer"})
TECHNICIANS = frozenset({"technician"})


class NotSignedIn(KioskError):
    """A staff journey without a signed-in member of the right role: the screen asks to sign in."""

    def __init__(self, say: Say) -> None:
        self.said = say.format()
        super().__init__(self.said[1])


class StaffSession:
    def __init__(self, signin: SignInJourney, roles: frozenset[str]) -> None:
        if signin.role is None or signin.member is None:
            raise NotSignedIn(Say.SIGN_IN_FIRST)
        if signin.role not in roles:
            raise NotSignedIn(Say.WRONG_ROLE)
        self.signin = signin
        self.staff_id: str = signin.member["id"]
        self.role: str = signin.role

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.staff_id}"

    @property
    def live(self) -> bool:
        return self.signin.role is not None

    def touch(self) -> None:
        """A step by the staff member: refused once signed out, else it keeps the session alive."""
        if not self.live:
            raise NotSignedIn(Say.SIGN_IN_FIRST)
        self.signin.touch()

    def tick(self, *, at_the_machine: bool) -> bool:
        """Let the session time out, unless the member is busy at an open compartment (a door
        being watched counts as a touch); True while it is still signed in."""
        if at_the_machine and self.live:
            self.signin.touch()
        elif not self.signin.ended:
            self.signin.tick()
        return self.live


class StaffJourney(Journey[S]):
    """The part every staff journey shares: acting for the session, and ending with it."""

    ROLES: ClassVar[frozenset[str]]
    STAFF = True
    WAITING: ClassVar[Any]  # where the member chooses what to do next (scan, pick from the list)
    DOOR_OPEN: ClassVar[Any]
    FINISHED: ClassVar[Any]

    def __init__(self, core: Core, session: SignInJourney) -> None:
        self.staff = StaffSession(session, self.ROLES)
        super().__init__(core, self.staff.actor)

    def keep_alive(self) -> None:
        """A touch on this journey's screens is a touch on the session too."""
        super().keep_alive()
        if self.staff.live:
            self.staff.signin.touch()

    def _watch(self) -> None:
        """One look at the open door (the journey's own handling of what it shows)."""
        raise NotImplementedError

    def tick(self) -> None:
        super().tick()
        signed_in = self.staff.tick(at_the_machine=self.state is self.DOOR_OPEN)
        if self.state is self.DOOR_OPEN:
            self._watch()
        elif self.state is self.WAITING and not signed_in:
            self._change_state(self.FINISHED, reason="signed out")
