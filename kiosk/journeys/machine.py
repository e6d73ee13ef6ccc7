"""The seam every journey shares: states, a transition table, timeouts as transitions, and one
``_change_state()`` that persists, journals, logs and announces (OctoPrint's single
``_changeState()``, without its monolith).
"""

from __future__ import annotations

import enum
import functools
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar

from kiosk import codes, events, flags
from kiosk.clock import stamp
from kiosk.compartments import Compartment
from kiosk.core import Core
from kiosk.errors import KioskError
from kiosk.journeys.messages import Say

S = TypeVar("S", bound=enum.Enum)
P = ParamSpec("P")
R = TypeVar("R")
J = TypeVar("J", bound="Journey[Any]")
log = logging.getLogger("kiosk.journeys")
# a dossier code names a citizen's case: it goes to the audit log, never to the journal (DESIGN §5)
NOT_LOGGED = frozenset({"dossier"})


class IllegalTransition(KioskError):
    """A bug, not a person's mistake: the code asked for a move the table does not allow."""


class IllegalStep(KioskError):
    """The UI asked for a step the journey is not at (a double tap, a stale screen)."""


def step(action: Callable[Concatenate[J, P], R]) -> Callable[Concatenate[J, P], R]:
    """A person's step (a code, a PIN, a choice, Back): what was said for the previous step is
    gone before it acts, so an old error never shows on the next screen. A step refused before it
    acts (a stale tap, a step the journey is not at) leaves the journey, and what it says, as they
    were. Every public action of every journey is one (tests/test_journey_steps.py checks)."""

    def run(self: J, /, *args: P.args, **kwargs: P.kwargs) -> R:
        before = self.said
        self.said = None
        try:
            return action(self, *args, **kwargs)
        except Exception:
            self.said = before
            raise

    functools.update_wrapper(run, action)
    run.is_step = True  # type: ignore[attr-defined]
    return run


class Journey(Generic[S]):
    kind: ClassVar[str]
    INITIAL: ClassVar[Any]
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]]
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {}  # state -> (Rules attribute, next state)
    TERMINAL: ClassVar[frozenset[Any]]
    CANCELLABLE: ClassVar[frozenset[Any]] = frozenset()  # states a cancel may leave, and its target
    CANCELLED: ClassVar[Any] = None
    # what keeps this kind of journey from starting (kiosk/flags.py): a kiosk whose history is
    # lost serves no citizen and loads nothing; a nearly full disk takes no new work
    BLOCKED_BY: ClassVar[frozenset[str]] = frozenset({flags.HISTORY, flags.DISK_LOW})
    STAFF: ClassVar[bool] = False  # whose words an out-of-service refusal is in
    said: tuple[str, str] | None  # what the screen tells the person after their last step (``step``)

    def __init__(self, core: Core, actor: str) -> None:
        core.admit(self.BLOCKED_BY, staff=self.STAFF)  # OutOfService before anything is written
        self.core = core
        self.actor = actor
        self.id = str(uuid.uuid4())
        self.state: S = self.INITIAL
        self.data: dict[str, Any] = {}
        self.said = None
        self.entered_at = core.now()
        now = stamp(self.entered_at)
        with core.store.transaction() as db:
            db.table("journey").insert(
                {"id": self.id, "kind": self.kind, "state": self.state.value, "actor": actor,
                 "data": "{}", "started_at": now, "updated_at": now}
            )  # fmt: skip
            core.store.audit(actor, f"journey:{self.kind}:{self.state.value}", self.id)
        core.announce("journey", self.id, kind=self.kind, state=self.state.value)

    @property
    def ended(self) -> bool:
        return self.state in self.TERMINAL

    def _change_state(
        self, new: S, *, outcome: str | None = None, columns: dict[str, Any] | None = None, **detail: Any
    ) -> None:
        """The one place a journey moves: persisted and journaled in one transaction (inside the
        caller's, when the move goes with other changes), then logged and announced. ``columns``:
        other columns of the journey's row that change with the move (its item, its compartment)."""
        if new not in self.TRANSITIONS.get(self.state, frozenset()):
            raise IllegalTransition(f"{self.kind}: {self.state.value} -> {new.value} is not in the table")
        old, was_entered = self.state, self.entered_at
        self.state, self.entered_at = new, self.core.now()
        now = stamp(self.entered_at)
        row: dict[str, Any] = {
            "state": new.value,
            "updated_at": now,
            "data": json.dumps(self.data, ensure_ascii=False),
        }
        if new in self.TERMINAL:
            row.update(ended_at=now, outcome=outcome or new.value)
        elif old in self.TERMINAL:  # reopened after its end ("Mở lại ngăn"): open again, for recovery too
            row.update(ended_at=None, outcome=None)
        row.update(columns or {})
        with self.core.store.transaction():
            # a move that is not committed (a full disk) is not made: the journey stays where the
            # store says it is, whichever transaction around this one fails
            self.core.store.on_rollback(lambda: self._back_to(old, was_entered))
            self.core.store.update("journey", self.id, row)
            self.core.store.audit(self.actor, f"journey:{self.kind}:{new.value}", self.id, **detail)
        shown = {k: v for k, v in detail.items() if k not in NOT_LOGGED}
        log.info("%s %s: %s -> %s %s", self.kind, self.id[:8], old.value, new.value, shown or "")
        self.core.announce("journey", self.id, kind=self.kind, state=new.value, previous=old.value, **detail)

    def _back_to(self, state: S, entered_at: datetime) -> None:
        self.state, self.entered_at = state, entered_at

    @step
    def cancel(self) -> None:
        """The person gives up: allowed only while nothing has been unlocked for them."""
        if self.state not in self.CANCELLABLE:
            raise IllegalStep("too late to cancel: the compartment has been unlocked")
        self._change_state(self.CANCELLED)

    def _parse(self, text: str) -> codes.ScannedCode | None:
        """The code a person gave, or None with ``said`` telling them why it was refused."""
        try:
            return codes.parse(text)
        except codes.CodeRejected as exc:
            self._reject(exc.rejection)
            return None

    def _reject(self, rejection: codes.Rejection) -> None:
        self.said = Say.CODE_REJECTED.format(reason_vi=rejection.vi, reason_en=rejection.en)

    def _require(self, state: S) -> None:
        if self.state is not state:
            raise IllegalStep(f"{self.kind} is {self.state.value}, not {state.value}")

    def keep_alive(self) -> None:
        """The person is still there (typing, or "I need more time"): a waiting state's timeout
        starts again. Only waiting states time out, so nothing else is touched."""
        if self.state in self.TIMEOUTS:
            self.entered_at = self.core.now()

    def seconds_in_state(self, now: datetime | None = None) -> float:
        """How long the journey has been in its state; when the clock has gone back past the
        moment it entered, from now on (a timeout, a door alarm lasts its length from now, never
        until the clock catches up)."""
        now = now or self.core.now()
        if now < self.entered_at:
            self.entered_at = now
        return (now - self.entered_at).total_seconds()

    def tick(self) -> None:
        """Call often (the UI's timer, the scenario runner): timeouts and door watching happen here."""
        timeout = self.TIMEOUTS.get(self.state)
        if timeout is not None:
            rule, next_state = timeout
            if self.seconds_in_state() >= getattr(self.core.rules, rule):
                self.on_timeout(next_state)

    def on_timeout(self, next_state: S) -> None:
        self._change_state(next_state, reason="timeout")

    def _watch_door(self, comp: Compartment) -> DoorReading | None:
        """Read the door of ``comp`` while it is open: None while it stays open (raising the
        reminder, then the alarm event, as time passes) or cannot be read; else what it shows."""
        status = self.core.read(comp)
        if status is not None and status.is_locked(comp.lock):
            return DoorReading(item=status.has_item(comp.lock))
        open_for = self.seconds_in_state()
        rules = self.core.rules
        if open_for >= rules.door_alarm_s and not self.data.get("alarm"):
            self.data["alarm"] = True
            events.emit(self.core.store, "alarm", actor="kiosk", compartment=comp.id,
                         problem=f"door open for {open_for:.0f} s", journey=self.id)  # fmt: skip
            self.core.announce("door-alarm", self.id, compartment=comp.id)
        elif open_for >= rules.door_reminder_s and not self.data.get("reminded"):
            self.data["reminded"] = True
            self.core.announce("door-reminder", self.id, compartment=comp.id)
        return None


@dataclass(frozen=True)
class DoorReading:
    """A door read closed (hook latched); ``item`` is what the sensor says, None without one."""

    item: bool | None
