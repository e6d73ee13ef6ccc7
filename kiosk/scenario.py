"""``kiosk scenario FILE``: a scripted journey file run against the configured (simulated) devices.

A TOML file of ``[[step]]`` tables, each with one key:
- ``do``: what a person does at the screen. Starting a journey:
  ``sign-in BADGE PIN`` (an officer or technician; later staff steps act for this session),
  ``load CODE`` / ``bulk-load``, ``collect``, ``withdraw``, ``settle``, ``technician`` (staff);
  ``pickup`` (then ``code``/``pin``), ``pickup token`` / ``pickup pin`` (with what was sent for the
  last loaded result), ``pickup code CODE PIN``, ``dropoff CODE PHONE [S|M|L] [low]``,
  ``lookup CODE`` (citizens).
  Steps within the journey: ``code TEXT``, ``procedure KEY`` (a drop-off without a code),
  ``pin PIN``, ``phone NUMBER [S|M|L] [low]``, ``open``,
  ``settle-fee`` (or ``pay-qr`` / ``pay-cash`` and ``back``: the fee paid at the kiosk),
  ``take CODE``, ``test-open COMPARTMENT REASON…``, ``service COMPARTMENT on|off
  NOTE…``, ``cancel``, ``finish``, ``sign-out``;
- ``person``: what the person does at the machine, sent to the simulator's control channel
  (LINK.ctl beside each bus's link): ``put``, ``take``, ``close``, ``jam on``, … for the journey's
  compartment, or with a compartment named (``put A03``);
- ``wait``: seconds pass (on the scenario's clock, so timeouts need no real waiting);
- ``expect``: the journey's state now; a scenario whose expectation fails exits 1.
Optional ``[[staff]]`` tables (id, name, role, pin) enrol the staff the scenario signs in as.
Every state change, reminder and message is printed as it happens.
"""

from __future__ import annotations

import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from hardware_sim.control import ControlClient
from kiosk import expiry, staff
from kiosk.clock import utc_now
from kiosk.core import Announcement, Core
from kiosk.entries import ascii_digits
from kiosk.errors import KioskError
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.lookup import LookupJourney
from kiosk.journeys.machine import IllegalStep, Journey
from kiosk.journeys.officer import CollectJourney, SettleJourney, WithdrawJourney
from kiosk.journeys.pickup import PickupJourney
from kiosk.journeys.signin import SignInJourney
from kiosk.journeys.staffed import NotSignedIn
from kiosk.journeys.technician import TechnicianJourney

ACTIONS = ("do", "person", "wait", "expect")


class ScenarioError(KioskError):
    pass


class ScenarioClock:
    """Real time plus what the scenario has waited."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset


@dataclass
class Scenario:
    steps: list[tuple[str, Any]]
    staff: list[dict[str, str]] = field(default_factory=list)


def load_steps(path: Path) -> Scenario:
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
    members = raw.get("staff", [])
    for i, member in enumerate(members):
        if sorted(member) != ["id", "name", "pin", "role"]:
            raise ScenarioError(f"scenario {path}: staff[{i}] must have id, name, role and pin")
    return Scenario(steps, members)


class Runner:
    def __init__(self, core: Core, clock: ScenarioClock, out: TextIO) -> None:
        self.core = core
        self.clock = clock
        self.out = out
        self.journey: Journey[Any] | None = None
        self.session: SignInJourney | None = None
        self.loads: list[LoadJourney] = []  # each load's journey keeps what its citizens were sent
        self.failures = 0
        self._last_said: tuple[Any, tuple[str, str]] | None = None
        core.listen(self._heard)

    def run(self, scenario: Scenario) -> int:
        for member in scenario.staff:
            if staff.find(self.core.store, member["id"]) is None:
                staff.add(self.core.store, member["id"], member["name"], member["role"], member["pin"],
                          by="scenario")  # fmt: skip
        handlers: dict[str, Callable[[Any], None]] = {
            "do": self._do, "person": self._person, "wait": self._wait, "expect": self._expect,
        }  # fmt: skip
        for action, value in scenario.steps:
            print(f"> {action}: {value}", file=self.out)
            handlers[action](value)
            self._settle()
        verdict = "all expectations met" if not self.failures else f"{self.failures} expectation(s) failed"
        print(f"scenario finished: {verdict}", file=self.out)
        return 1 if self.failures else 0

    # -- do: what a person does at the screen ----------------------------------------------------

    def _do(self, text: str) -> None:
        verb, *args = shlex.split(text)
        start = self._starts().get(verb)
        step = self._steps().get(verb)
        if start is None and step is None:
            raise ScenarioError(f"unknown action 'do = \"{text}\"'")
        try:
            if start is not None:
                self.journey = start(args)
                if isinstance(self.journey, LoadJourney):
                    self.loads.append(self.journey)
            elif self.journey is None:
                raise ScenarioError(f"'{verb}': no journey has been started")
            else:
                assert step is not None
                step(args)
        except NotSignedIn as exc:
            print(f"  screen: {exc.said[0]} / {exc.said[1]}", file=self.out)
            return
        except (IllegalStep, TypeError, ValueError) as exc:
            raise ScenarioError(f"'{text}' cannot be done now: {exc}") from exc
        self._say()

    def _starts(self) -> dict[str, Callable[[list[str]], Journey[Any]]]:
        core = self.core
        return {
            "sign-in": self._sign_in,
            "load": lambda codes: self._then(LoadJourney(core, self._staff()), "submit_code", *codes[:1]),
            "bulk-load": lambda _: LoadJourney(core, self._staff(), bulk=True),
            "collect": lambda _: CollectJourney(core, self._staff()),
            "withdraw": lambda _: WithdrawJourney(core, self._staff()),
            "settle": lambda _: SettleJourney(core, self._staff()),
            "technician": lambda _: TechnicianJourney(core, self._staff()),
            "pickup": self._pickup,
            "dropoff": self._dropoff,
            "lookup": lambda code: self._then(LookupJourney(core), "submit_code", *code[:1]),
        }

    def _steps(self) -> dict[str, Callable[[list[str]], None]]:
        j: Any = self.journey
        return {
            "code": lambda a: j.submit_code(" ".join(a)),
            "pin": lambda a: j.submit_pin(*a),
            "phone": lambda a: self._phone(j, a),
            "procedure": lambda a: j.choose_procedure(" ".join(a)),
            "open": lambda _: j.open(),
            "settle-fee": lambda _: j.settle_fee(),
            "pay-qr": lambda _: j.pay_by_qr(),
            "pay-cash": lambda _: j.pay_by_cash(),
            "back": lambda _: j.back(),
            "take": lambda a: j.take(*a),
            "test-open": lambda a: j.open(a[0], " ".join(a[1:])),
            "service": lambda a: j.set_in_service(a[0], a[1] == "on", " ".join(a[2:])),
            "cancel": lambda _: j.cancel(),
            "finish": lambda _: j.finish(),
            "sign-out": lambda _: self._staff().sign_out(),
        }

    def _then(self, journey: Journey[Any], method: str, *args: str) -> Journey[Any]:
        self.journey = journey
        if args:
            getattr(journey, method)(*args)
        return journey

    def _sign_in(self, args: list[str]) -> Journey[Any]:
        if len(args) != 2:
            raise ScenarioError("sign-in takes: BADGE-ID PIN")
        session = SignInJourney(self.core)
        self.journey = self.session = session
        session.submit_badge(f"DKS1|{args[0]}")
        self._say()
        if session.badge is not None:
            session.submit_pin(args[1])
        return session

    def _staff(self) -> SignInJourney:
        if self.session is None:
            raise ScenarioError('no one has signed in: add do = "sign-in BADGE PIN" first')
        return self.session

    def _pickup(self, args: list[str]) -> Journey[Any]:
        pickup = PickupJourney(self.core)
        self.journey = pickup
        if not args:
            return pickup
        how = args[0]
        if how == "token":
            pickup.submit_code(self._last_sent()["token"])
        elif how == "pin":
            sent = self._last_sent()
            pickup.submit_code(sent["dossier_code"])
            pickup.submit_pin(sent["pin"])
        elif how == "code" and len(args) == 3:
            pickup.submit_code(args[1])
            pickup.submit_pin(args[2])
        else:
            raise ScenarioError("pickup takes: token | pin | code CODE PIN, or nothing")
        return pickup

    def _dropoff(self, args: list[str]) -> Journey[Any]:
        dropoff = DropoffJourney(self.core)
        self.journey = dropoff
        if args:
            dropoff.submit_code(args[0])
            if len(args) > 1 and dropoff.state is Dropoff.WAITING_PHONE:
                self._phone(dropoff, args[1:])
        return dropoff

    def _phone(self, journey: Any, args: list[str]) -> None:
        if not args:
            raise ScenarioError("phone takes: NUMBER [S|M|L] [low]")
        size = next((a for a in args[1:] if a in ("S", "M", "L")), None)
        journey.submit_phone(args[0], size=size, prefer_low="low" in args[1:])

    # -- the rest --------------------------------------------------------------------------------

    def _person(self, text: str) -> None:
        words = text.split()
        named = len(words) > 1 and words[1][:1].isalpha() and ascii_digits(words[1][1:])
        compartment = words[1] if named else (self.journey.data.get("compartment") if self.journey else None)
        if compartment is None:
            raise ScenarioError(f"person '{text}': no compartment is open; name one")
        comp = next((c for c in self.core.compartments() if c.id == compartment), None)
        if comp is None:
            raise ScenarioError(f"person '{text}': there is no compartment {compartment}")
        extra = words[2:] if named else words[1:]
        bus = self.core.cfg.bus_named(comp.bus)
        ControlClient(f"{bus.url}.ctl").call(words[0], comp.board, comp.lock, *extra)

    def _wait(self, seconds: float) -> None:
        """Time passes; the kiosk's own rounds (expiry reminders) run, as they would meanwhile."""
        self.clock.offset += timedelta(seconds=float(seconds))
        for event in expiry.send_reminders(self.core):
            days = event.payload["days_before"]
            print(f"  kiosk: expiry-reminder for {event.dossier_code} ({days} days before)", file=self.out)

    def _expect(self, state: str) -> None:
        now = self.journey.state.value if self.journey else "none"
        if now != state:
            self.failures += 1
            print(f"  EXPECTED {state}, the journey is {now}", file=self.out)

    def _settle(self) -> None:
        if self.journey is not None and not self.journey.ended:
            self.journey.tick()
        if self.session is not None and self.session is not self.journey and not self.session.ended:
            self.session.tick()

    def _say(self) -> None:
        said = getattr(self.journey, "said", None)
        if said and (self.journey, said) != self._last_said:
            self._last_said = (self.journey, said)
            print(f"  screen: {said[0]} / {said[1]}", file=self.out)

    def _heard(self, a: Announcement) -> None:
        if a.topic == "journey":
            print(
                f"  {a.detail['kind']}: {a.detail.get('previous', '·')} -> {a.detail['state']}", file=self.out
            )
        else:
            print(f"  {a.topic}: {a.detail}", file=self.out)

    def _last_sent(self) -> dict[str, Any]:
        """What the citizen of the last result loaded was sent (the SMS): kept by the load journey
        in memory, since the outbox seals it (kiosk/sealed.py)."""
        sent = [event for journey in self.loads for event in journey.sent]
        if not sent:
            raise ScenarioError("pickup: no result has been loaded yet")
        return dict(sent[-1].payload, dossier_code=sent[-1].dossier_code)
