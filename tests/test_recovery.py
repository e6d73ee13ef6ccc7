"""Reconciliation at start: journeys a crash left open are settled by what the boards prove."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import audit
from kiosk.core import Core
from kiosk.journeys.dropoff import DropoffJourney
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.pickup import Pickup, PickupJourney
from kiosk.recovery import reconcile
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load


@pytest.fixture
def cu48(short_tmp: Path) -> Iterator[Machine]:
    m = Machine(short_tmp, "cu48")
    yield m
    m.close()


def restart(m: Machine) -> list[tuple[str, str, str]]:
    """A new core on the same file and boards, as after a power cut, and its reconciliation."""
    m.core = Core(m.cfg, m.store, m.lockers)
    return [(s.kind, s.state, s.outcome) for s in reconcile(m.core) if s.kind != "signin"]


def states(m: Machine) -> list[tuple[str, str]]:
    return [tuple(r) for r in m.store.db.execute("SELECT dossier_code, state FROM item ORDER BY id")]  # type: ignore[misc]


def assert_consistent(m: Machine) -> None:
    assert m.store.db.execute("SELECT COUNT(*) FROM journey WHERE ended_at IS NULL").fetchone() == (0,)
    assert audit.verify(m.store.db).ok
    board = m.lockers.buses["lockbus0"].status(0)
    for comp in m.core.compartments():
        assert comp.door == ("closed" if board.is_locked(comp.lock) else "open"), comp.id


def test_a_journey_before_any_unlock_is_just_interrupted(machine: Machine) -> None:
    LoadJourney(machine.core, machine.sign_in())
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])  # verified, not yet opened
    assert restart(machine) == [("load", "scanning", "interrupted"), ("pickup", "verified", "interrupted")]
    assert states(machine) == [(CODE, "held")]
    assert_consistent(machine)


def test_a_load_cut_off_with_the_door_closed_empty_placed_nothing(machine: Machine) -> None:
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code(CODE)
    machine.person("close", "A01")  # power comes back; the door was pushed shut, nothing inside
    assert restart(machine) == [("load", "door-open", "not placed")]
    assert states(machine) == [(CODE, "gone")]
    assert_consistent(machine)


def test_a_load_cut_off_with_the_result_proven_inside_is_completed(machine: Machine) -> None:
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code(CODE)
    machine.person("put", "A01")
    machine.person("close", "A01")
    assert restart(machine) == [("load", "door-open", "completed")]
    assert states(machine) == [(CODE, "held")]
    assert machine.outbox()[-1] == ("result-loaded", CODE, "A01")
    sent = json.loads(machine.store.db.execute("SELECT payload FROM outbox ORDER BY seq DESC").fetchone()[0])
    pickup = PickupJourney(machine.core)  # the citizen's SMS works as if nothing had happened
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.VERIFIED
    pickup.cancel()
    assert_consistent(machine)


def test_a_load_cut_off_on_a_board_without_sensors_is_flagged_not_guessed(cu48: Machine) -> None:
    machine = cu48  # KR-CU48 boards sense no items
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code(CODE)
    machine.person("close", "A01")
    assert restart(machine) == [("load", "door-open", "uncertain")]
    assert states(machine) == [(CODE, "uncertain")]
    assert machine.outbox()[-1] == ("outcome-uncertain", CODE, "A01")
    assert_consistent(machine)


def test_a_pickup_cut_off_after_the_result_was_taken_is_completed(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    machine.person("take", "A01")
    machine.person("close", "A01")
    assert restart(machine) == [("pickup", "door-open", "completed")]
    assert states(machine) == [(CODE, "gone")]
    assert [e[0] for e in machine.outbox()] == ["result-loaded", "result-picked-up"]
    assert_consistent(machine)


def test_a_dropoff_cut_off_with_the_dossier_inside_is_completed(machine: Machine) -> None:
    dropoff = DropoffJourney(machine.core)
    dropoff.submit_code("000.00.53.H26-261123-0005")
    dropoff.submit_phone("0912345678")
    where = dropoff.data["compartment"]
    machine.person("put", where)
    machine.person("close", where)
    assert restart(machine) == [("dropoff", "door-open", "completed")]
    assert machine.outbox() == [("dossier-deposited", "000.00.53.H26-261123-0005", where)]
    assert_consistent(machine)


def test_a_pickup_cut_off_with_the_result_still_inside(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    machine.person("close", "A01")
    assert restart(machine) == [("pickup", "door-open", "not taken")]
    assert states(machine) == [(CODE, "held")]
    assert_consistent(machine)


def test_a_pickup_cut_off_with_the_door_open_is_uncertain(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    assert restart(machine) == [("pickup", "door-open", "uncertain")]
    assert states(machine) == [(CODE, "uncertain")]
    assert [e[0] for e in machine.outbox()] == ["result-loaded", "outcome-uncertain"]
    assert_consistent(machine)


def test_an_unlock_still_in_flight_at_restart_is_waited_for(machine: Machine) -> None:
    machine.ctl.call("release", 100)  # the lock releases 100 ms after its frame arrives
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.data.update(code=CODE, size="S", tried=[])
    comp = machine.core.compartments()[0]
    journey._place_intent(comp, {})  # intent committed: the journey is "opening"
    bus = machine.lockers.buses["lockbus0"]
    bus._send(bus.codec.encode_unlock(comp.board, comp.lock))  # the frame leaves, then the crash
    assert restart(machine) == [("load", "opening", "uncertain")]
    assert_consistent(machine)  # the door was read after it sprang open, not before
    machine.ctl.call("release", 2)


def test_a_silent_board_at_restart_proves_nothing(machine: Machine) -> None:
    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code(CODE)
    machine.ctl.call("silent", 0, "on")
    assert restart(machine) == [("load", "door-open", "uncertain")]
    assert [c.door for c in machine.core.compartments()] == ["unknown"] * 8  # none will be assigned
    machine.ctl.call("clear")


def test_kiosk_lockers_shows_uncertain_items_to_the_next_officer(cu48: Machine) -> None:
    machine = cu48
    import io

    from commands.main import cmd_lockers

    journey = LoadJourney(machine.core, machine.sign_in())
    journey.submit_code(CODE)
    machine.person("close", "A01")
    restart(machine)
    out = io.StringIO()
    assert cmd_lockers.__wrapped__(None, machine.lockers, out) == 1  # type: ignore[attr-defined]
    text = out.getvalue()
    assert f"result: {CODE} (UNCERTAIN)" in text
    assert "! A01: what is inside could not be proven after an interruption" in text
