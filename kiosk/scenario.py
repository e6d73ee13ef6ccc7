"""``kiosk scenario FILE``: a scripted journey file run against the configured (simulated) devices.

A TOML file of ``[[step]]`` tables, each with one key:
- ``do``: what a person does at the screen: ``load CODE`` (an officer loads a result),
  ``pickup token`` / ``pickup pin`` (a citizen uses what was sent for the last loaded result),
  ``pickup code CODE PIN``, ``open``, ``cancel``, ``finish``;
- ``person``: what the person does at the machine, sent to the simulator's control channel
  (LINK.ctl beside each bus's link): ``put``, ``take``, ``close``, ``jam on``, … for the journey's
  compartment, or with a compartment named (``put A03``);
- ``wait``: seconds pass (on the scenario's clock, so timeouts need no real waiting);
- ``expect``: the journey's state now; a scenario whose expectation fails exits 1.
Every state change, reminder and message is printed as it happens.
"""

from __future__ import annotations

import json
import shlex
import tomllib
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from hardware_sim.control import ControlClient
from kiosk.clock import utc_now
from kiosk.core import Announcement, Core
from kiosk.errors import KioskError
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.machine import Journey
from kiosk.journeys.pickup import PickupJourney

ACTIONS = ("do", "person", "wait", "expect")


class ScenarioError(KioskError):
    pass


class ScenarioClock:
    """Real time plus what the scenario has waited."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset


def load_steps(path: Path) -> list[tuple[str, Any]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"scenario {path}: {exc}") from exc
    steps = []
    for i, step in enumerate(raw.get("step", [])):
        keys = [k for k in step if k in ACTIONS]
        if len(keys) != 1 or len(step) != 1:
            raise ScenarioError(f"scenario {path}: step[{i}] must have exactly one of {', '.join(ACTIONS)}")
        steps.append((keys[0], step[keys[0]]))
    if not steps:
        raise ScenarioError(f"scenario {path}: no [[step]] tables")
    return steps


class Runner:
    def __init__(self, core: Core, clock: ScenarioClock, out: TextIO) -> None:
        self.core = core
        self.clock = clock
        self.out = out
        self.journey: Journey[Any] | None = None
        self.failures = 0
        core.listen(self._heard)

    def run(self, steps: list[tuple[str, Any]]) -> int:
        handlers: dict[str, Callable[[Any], None]] = {
            "do": self._do, "person": self._person, "wait": self._wait, "expect": self._expect,
        }  # fmt: skip
        for action, value in steps:
            print(f"> {action}: {value}", file=self.out)
            handlers[action](value)
            self._settle()
        verdict = "all expectations met" if not self.failures else f"{self.failures} expectation(s) failed"
        print(f"scenario finished: {verdict}", file=self.out)
        return 1 if self.failures else 0

    def _do(self, text: str) -> None:
        verb, *args = shlex.split(text)
        if verb == "load":
            self.journey = LoadJourney(self.core, "scenario", bulk=len(args) > 1)
            for code in args:
                self._as(LoadJourney).submit_code(code)
                self._say()
        elif verb == "pickup":
            self._pickup(args)
        elif verb in ("open", "cancel", "finish"):
            getattr(self.journey, verb)()
            self._say()
        else:
            raise ScenarioError(f"unknown action 'do = \"{text}\"'")

    def _pickup(self, args: list[str]) -> None:
        pickup = PickupJourney(self.core)
        self.journey = pickup
        sent = self._last_sent()
        how = args[0] if args else "token"
        if how == "token":
            pickup.submit_code(sent["token"])
        elif how == "pin":
            pickup.submit_code(sent["dossier_code"])
            pickup.submit_pin(sent["pin"])
        elif how == "code" and len(args) == 3:
            pickup.submit_code(args[1])
            pickup.submit_pin(args[2])
        else:
            raise ScenarioError("pickup takes: token | pin | code CODE PIN")
        self._say()

    def _person(self, text: str) -> None:
        words = text.split()
        named = len(words) > 1 and words[1][:1].isalpha() and words[1][1:].isdigit()
        compartment = words[1] if named else (self.journey.data.get("compartment") if self.journey else None)
        if compartment is None:
            raise ScenarioError(f"person '{text}': no compartment is open; name one")
        comp = next(c for c in self.core.compartments() if c.id == compartment)
        extra = words[2:] if named else words[1:]
        bus = self.core.cfg.bus_named(comp.bus)
        ControlClient(f"{bus.url}.ctl").call(words[0], comp.board, comp.lock, *extra)

    def _wait(self, seconds: float) -> None:
        self.clock.offset += timedelta(seconds=float(seconds))

    def _expect(self, state: str) -> None:
        now = self.journey.state.value if self.journey else "none"
        if now != state:
            self.failures += 1
            print(f"  EXPECTED {state}, the journey is {now}", file=self.out)

    def _settle(self) -> None:
        if self.journey is not None and not self.journey.ended:
            self.journey.tick()

    def _say(self) -> None:
        said = getattr(self.journey, "said", None)
        if said:
            print(f"  screen: {said[0]} / {said[1]}", file=self.out)

    def _heard(self, a: Announcement) -> None:
        if a.topic == "journey":
            print(
                f"  {a.detail['kind']}: {a.detail.get('previous', '·')} -> {a.detail['state']}", file=self.out
            )
        else:
            print(f"  {a.topic}: {a.detail}", file=self.out)

    def _last_sent(self) -> dict[str, Any]:
        row = self.core.store.db.execute(
            "SELECT dossier_code, payload FROM outbox WHERE kind = 'result-loaded' ORDER BY seq DESC"
        ).fetchone()
        if row is None:
            raise ScenarioError("pickup: no result has been loaded yet")
        return dict(json.loads(row[1]), dossier_code=row[0])

    def _as(self, kind: type[LoadJourney]) -> LoadJourney:
        assert isinstance(self.journey, kind)
        return self.journey
