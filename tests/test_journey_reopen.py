"""Reopening a compartment after the end ("Mở lại ngăn") and "the door did not open" ("Cửa không
mở?"), against the lock-board simulator over a pty, with the test's own clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import recovery
from kiosk.journeys import after
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say
from kiosk.journeys.pickup import Pickup, PickupJourney
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load, take_and_close

DEPOSIT = "000.00.53.H26-261123-0007"


@pytest.fixture
def no_sensors(short_tmp: Path) -> Iterator[Machine]:
    """A machine whose boards (CU48) sense no items."""
    m = Machine(short_tmp, "cu48")
    yield m
    m.close()


def picked_up(m: Machine) -> PickupJourney:
    pickup = PickupJourney(m.core, auto_open=True)
    pickup.submit_code(load(m)["token"])
    assert pickup.state is Pickup.DOOR_OPEN
    take_and_close(m, pickup)
    assert pickup.state is Pickup.DONE
    return pickup


def deposit(m: Machine, *, put: bool = True) -> DropoffJourney:
    dropoff = DropoffJourney(m.core)
    dropoff.submit_code(DEPOSIT)
    dropoff.submit_phone("0912345123")
    assert dropoff.state is Dropoff.DOOR_OPEN
    comp = dropoff.data["compartment"]
    if put:
        m.person("put", comp)
    m.person("close", comp)
    dropoff.tick()
    return dropoff


def audit_actions(m: Machine) -> list[str]:
    return [r[0] for r in m.store.db.execute("SELECT action FROM audit_log ORDER BY seq")]


def kinds(m: Machine) -> list[str]:
    return [kind for kind, _, _ in m.outbox()]


def open_journeys(m: Machine) -> int:
    sql = "SELECT COUNT(*) FROM journey WHERE ended_at IS NULL AND kind IN ('pickup', 'dropoff')"
    return int(m.store.db.execute(sql).fetchone()[0])


# -- reopen after a pickup ---------------------------------------------------------------------


def test_a_pickup_reopens_once_and_then_not_again(machine: Machine) -> None:
    pickup = picked_up(machine)
    comp = pickup.data["compartment"]
    machine.clock.advance(20)
    pickup.reopen()
    assert pickup.state is Pickup.REOPENED and not pickup.ended
    assert pickup.said == Say.REOPENED.format(compartment=comp)
    assert open_journeys(machine) == 1  # the row is open again: recovery would see it
    assert "journey:pickup:reopening" in audit_actions(machine)
    assert audit_actions(machine).count("unlock-intent") == 3  # load, pickup, reopen
    machine.person("close", comp)
    pickup.tick()
    assert pickup.state is Pickup.DONE and pickup.said == Say.CLOSED_EMPTY.format()
    assert kinds(machine).count("result-picked-up") == 1  # the backend heard of it once
    pickup.reopen()
    assert pickup.state is Pickup.DONE and pickup.said == Say.REOPEN_ONCE.format()
    assert audit_actions(machine).count("unlock-intent") == 3


def test_no_reopen_after_the_grace_period(machine: Machine) -> None:
    pickup = picked_up(machine)
    machine.clock.advance(machine.core.rules.reopen_grace_s)
    pickup.reopen()
    assert pickup.state is Pickup.DONE and pickup.said == Say.REOPEN_TOO_LATE.format()
    assert "journey:pickup:reopening" not in audit_actions(machine)


def test_a_result_not_taken_is_released_by_the_reopen(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    comp = pickup.data["compartment"]
    machine.person("close", comp)  # the result left inside
    pickup.tick()
    assert pickup.state is Pickup.NOT_TAKEN
    pickup.reopen()
    assert pickup.state is Pickup.DOOR_OPEN
    take_and_close(machine, pickup)
    assert pickup.state is Pickup.DONE
    assert machine.outbox()[-1] == ("result-picked-up", CODE, comp)


def test_something_left_after_a_reopen_is_for_an_officer(machine: Machine) -> None:
    pickup = picked_up(machine)
    comp = pickup.data["compartment"]
    pickup.reopen()
    machine.person("put", comp)  # the result put back, or the person's own bag: nobody knows which
    machine.person("close", comp)
    pickup.tick()
    assert pickup.state is Pickup.ITEM_LEFT and pickup.said == Say.ITEM_LEFT.format(compartment=comp)
    assert machine.outbox()[-1] == ("outcome-uncertain", None, comp)
    # the compartment is given to no one until an officer settles what is inside
    assert not next(c for c in machine.core.compartments() if c.id == comp).usable


def test_a_reopen_from_a_state_with_nothing_to_reopen_is_a_stale_tap(machine: Machine) -> None:
    pickup = PickupJourney(machine.core)
    with pytest.raises(IllegalStep):
        pickup.reopen()


# -- reopen after a drop-off -------------------------------------------------------------------


def test_a_dossier_taken_back_after_a_reopen_is_told_to_the_backend(machine: Machine) -> None:
    dropoff = deposit(machine)
    assert dropoff.state is Dropoff.DEPOSITED
    comp = dropoff.data["compartment"]
    dropoff.reopen()
    assert dropoff.state is Dropoff.REOPENED
    assert dropoff.said == Say.REOPENED_DOSSIER.format(compartment=comp)
    machine.person("take", comp)
    machine.person("close", comp)
    dropoff.tick()
    assert dropoff.state is Dropoff.TAKEN_BACK and dropoff.said == Say.TAKEN_BACK.format()
    assert kinds(machine)[-2:] == ["dossier-deposited", "dossier-taken-back"]
    item = machine.store.db.execute("SELECT state, outcome FROM item WHERE dossier_code = ?", [DEPOSIT])
    assert item.fetchone() == ("gone", "taken back")
    with pytest.raises(IllegalStep):  # taken back is not a state that reopens
        dropoff.reopen()


def test_a_dossier_added_to_after_a_reopen_stays_deposited_with_nothing_new_sent(machine: Machine) -> None:
    dropoff = deposit(machine)
    comp = dropoff.data["compartment"]
    before = kinds(machine)
    dropoff.reopen()
    machine.person("close", comp)  # a page added; the dossier still inside
    dropoff.tick()
    assert dropoff.state is Dropoff.DEPOSITED
    assert dropoff.said == Say.DOSSIER_STILL_INSIDE.format(compartment=comp)
    assert kinds(machine) == before


def test_nothing_put_in_then_reopened_opens_the_same_compartment(machine: Machine) -> None:
    dropoff = deposit(machine, put=False)
    assert dropoff.state is Dropoff.NOT_DEPOSITED
    comp = dropoff.data["compartment"]
    dropoff.reopen()
    assert dropoff.state is Dropoff.DOOR_OPEN and dropoff.data["compartment"] == comp
    assert dropoff.said == Say.PUT_DOSSIER.format(compartment=comp)
    machine.person("put", comp)
    machine.person("close", comp)
    dropoff.tick()
    assert dropoff.state is Dropoff.DEPOSITED and kinds(machine)[-1] == "dossier-deposited"


def test_without_item_sensors_a_reopened_dossier_is_uncertain(no_sensors: Machine) -> None:
    m = no_sensors
    dropoff = deposit(m, put=False)  # no sensor: the closed door is taken as the dossier in
    assert dropoff.state is Dropoff.DEPOSITED
    dropoff.reopen()
    m.person("close", dropoff.data["compartment"])
    dropoff.tick()
    assert dropoff.state is Dropoff.UNCERTAIN
    assert kinds(m)[-1] == "outcome-uncertain"


# -- "the door did not open" -----------------------------------------------------------------------


def test_a_pickup_door_that_did_not_open_keeps_the_result_for_the_citizen(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    comp = pickup.data["compartment"]
    pickup.door_not_opened()  # the sensor still shows the result inside: believed
    assert pickup.state is Pickup.NOT_OPENED and pickup.said == Say.NOT_OPENED.format(compartment=comp)
    assert kinds(machine)[-2:] == ["maintenance", "alarm"]
    assert machine.store.db.execute("SELECT state FROM item WHERE dossier_code = ?", [CODE]).fetchone() == (
        "held",
    )
    assert "result-picked-up" not in kinds(machine)
    assert not next(c for c in machine.core.compartments() if c.id == comp).in_service
    assert after.BELIEVED in audit_actions(machine)


def test_taking_the_result_and_saying_the_door_did_not_open_is_not_believed(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    comp = pickup.data["compartment"]
    machine.person("take", comp)
    pickup.door_not_opened()
    assert pickup.state is Pickup.DOOR_OPEN
    assert pickup.said == Say.SEEN_OPEN_EMPTY.format(compartment=comp)
    assert next(c for c in machine.core.compartments() if c.id == comp).in_service
    machine.person("close", comp)
    pickup.tick()
    assert pickup.state is Pickup.DONE and kinds(machine)[-1] == "result-picked-up"
    assert after.NOT_BELIEVED in audit_actions(machine)


def test_without_a_sensor_the_door_report_makes_the_result_uncertain(no_sensors: Machine) -> None:
    loading = LoadJourney(no_sensors.core, no_sensors.sign_in())
    loading.submit_code(CODE)
    no_sensors.person("close", loading.data["compartment"])  # no sensor: a closed door is a load
    loading.tick()
    sent = dict(loading.sent[-1].payload)
    pickup = PickupJourney(no_sensors.core, auto_open=True)
    pickup.submit_code(sent["token"])
    pickup.door_not_opened()
    assert pickup.state is Pickup.NOT_OPENED
    assert kinds(no_sensors)[-1] == "outcome-uncertain"
    assert "result-picked-up" not in kinds(no_sensors)


def test_a_dropoff_door_that_did_not_open_gives_another_compartment(machine: Machine) -> None:
    dropoff = DropoffJourney(machine.core)
    dropoff.submit_code(DEPOSIT)
    dropoff.submit_phone("0912345123")
    first = dropoff.data["compartment"]
    dropoff.door_not_opened()
    second = dropoff.data["compartment"]
    assert dropoff.state is Dropoff.DOOR_OPEN and second != first
    assert dropoff.said == Say.PUT_DOSSIER_INSTEAD.format(jammed=first, compartment=second)
    assert not next(c for c in machine.core.compartments() if c.id == first).in_service
    # one report believed per journey: a second one only sends the person for help
    dropoff.door_not_opened()
    assert dropoff.data["compartment"] == second and dropoff.said == Say.DOOR_REPORTED.format()
    assert next(c for c in machine.core.compartments() if c.id == second).in_service
    assert audit_actions(machine).count(after.OVER_LIMIT) == 1


def test_a_dossier_already_inside_is_not_reported_as_a_door_that_did_not_open(machine: Machine) -> None:
    dropoff = DropoffJourney(machine.core)
    dropoff.submit_code(DEPOSIT)
    dropoff.submit_phone("0912345123")
    comp = dropoff.data["compartment"]
    machine.person("put", comp)
    dropoff.door_not_opened()
    assert dropoff.state is Dropoff.DOOR_OPEN
    assert dropoff.said == Say.SEEN_DOSSIER_INSIDE.format(compartment=comp)
    assert next(c for c in machine.core.compartments() if c.id == comp).in_service


def test_door_reports_cannot_take_the_machine_out_of_service(machine: Machine) -> None:
    """Someone who starts drop-off after drop-off to say each door did not open: only
    ``door_claims`` compartments go out of service in the window; the rest is recorded."""
    limit = machine.core.rules.door_claims
    for n in range(limit + 2):
        dropoff = DropoffJourney(machine.core)
        dropoff.submit_code(f"000.00.53.H26-261123-{n:04d}")
        dropoff.submit_phone("0912345123", size="S")
        dropoff.door_not_opened()
        if dropoff.state is Dropoff.DOOR_OPEN:  # then gives up: nothing put in, the door closed
            machine.person("close", dropoff.data["compartment"])
            dropoff.tick()
    out = [c.id for c in machine.core.compartments() if not c.in_service]
    assert len(out) == limit
    assert audit_actions(machine).count(after.BELIEVED) == limit
    assert audit_actions(machine).count(after.OVER_LIMIT) >= 1
    machine.clock.advance(machine.core.rules.door_claims_window_s)  # a new window: believed again
    dropoff = DropoffJourney(machine.core)
    dropoff.submit_code("000.00.53.H26-261123-0900")
    dropoff.submit_phone("0912345123", size="S")
    dropoff.door_not_opened()
    assert len([c for c in machine.core.compartments() if not c.in_service]) == limit + 1


# -- the code by SMS when no receipt is printed ------------------------------------------------


def test_no_receipt_asks_the_backend_to_text_the_code_and_never_audits_the_phone(machine: Machine) -> None:
    dropoff = deposit(machine)
    dropoff.receipt_not_printed("paper out")
    assert dropoff.said == Say.CODE_BY_SMS.format(phone="09** *** 123")
    dropoff.receipt_not_printed("paper out")  # asked once
    rows = machine.store.db.execute("SELECT kind, dossier_code, payload FROM outbox ORDER BY seq").fetchall()
    asked = [json.loads(p) for k, _, p in rows if k == "receipt-not-printed"]
    assert len(asked) == 1 and asked[0]["phone"] == "0912345123" and asked[0]["cause"] == "paper out"
    audit = " ".join(r[0] for r in machine.store.db.execute("SELECT detail FROM audit_log"))
    assert "0912345123" not in audit and "345123" not in audit


# -- recovery after a crash in the middle of a reopen --------------------------------------------


def test_recovery_of_a_reopened_dossier_taken_back_or_left(machine: Machine) -> None:
    dropoff = deposit(machine)
    comp = dropoff.data["compartment"]
    dropoff.reopen()
    machine.person("take", comp)
    machine.person("close", comp)  # then the power goes: nobody saw the door close
    settled = recovery.reconcile(machine.core, sleep=lambda s: None)
    assert [(s.kind, s.state, s.outcome) for s in settled] == [("dropoff", "reopened", "completed")]
    assert kinds(machine)[-1] == "dossier-taken-back"
    assert open_journeys(machine) == 0


def test_recovery_of_a_pickup_reopened_ends_it_as_done(machine: Machine) -> None:
    pickup = picked_up(machine)
    pickup.reopen()
    settled = recovery.reconcile(machine.core, sleep=lambda s: None)
    assert [(s.kind, s.outcome) for s in settled if s.kind == "pickup"] == [("pickup", "completed")]
    row = machine.store.db.execute("SELECT outcome FROM journey WHERE id = ?", [pickup.id]).fetchone()
    assert row == ("done",) and open_journeys(machine) == 0
