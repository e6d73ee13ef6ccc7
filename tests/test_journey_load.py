"""Officer load, single and bulk, against the lock-board simulator over a pty."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk import codes
from kiosk.config import RulesSection
from kiosk.core import Core
from kiosk.journeys.load import Load, LoadJourney
from kiosk.journeys.messages import Say
from kiosk.pickup_codes import check_secret, token_is_genuine
from tests.machine import Machine

CODE = "000.00.53.H48-220921-0099"
CODE2 = "G22.39-240517-0012"


def loaded_item(m: Machine, code: str) -> dict[str, object]:
    rows = list(m.store.db.query("SELECT * FROM item WHERE dossier_code = ? AND state = 'held'", [code]))
    assert len(rows) == 1
    return rows[0]


def test_a_result_is_loaded_and_the_citizen_gets_a_pin_and_a_token(machine: Machine) -> None:
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    assert load.state is Load.DOOR_OPEN and load.data["compartment"] == "A01"  # the smallest that fits
    load.tick()
    assert load.state is Load.DOOR_OPEN  # still open
    machine.person("put", "A01")
    machine.person("close", "A01")
    load.tick()
    assert load.state is Load.DONE and load.said == Say.LOADED.format(compartment="A01")
    item = loaded_item(machine, CODE)
    assert item["compartment"] == "A01"
    payload = json.loads(
        machine.store.db.execute("SELECT payload FROM outbox WHERE kind = 'result-loaded'").fetchone()[0]
    )
    assert check_secret(payload["pin"], str(item["pin_hash"]), machine.core.pepper)
    token = codes.parse(payload["token"])
    assert isinstance(token, codes.PickupToken) and token_is_genuine(machine.core.token_key, token)
    assert (token.dossier.code, token.compartment) == (CODE, "A01")
    states = [a.detail["state"] for a in machine.heard if a.topic == "journey" and a.detail["kind"] == "load"]
    assert states == ["scanning", "opening", "door-open", "loaded", "done"]


def test_bulk_mode_loops_without_going_back_to_the_menu(machine: Machine) -> None:
    load = LoadJourney(machine.core, machine.sign_in(), bulk=True)
    for code, compartment in ((CODE, "A01"), (CODE2, "A02")):
        load.submit_code(code)
        assert load.data["compartment"] == compartment
        machine.person("put", compartment)
        machine.person("close", compartment)
        load.tick()
        assert load.state is Load.SCANNING
    load.finish()
    assert load.state is Load.DONE and load.loaded == [(CODE, "A01"), (CODE2, "A02")]
    assert [e[0] for e in machine.outbox()] == ["result-loaded", "result-loaded"]


def test_a_door_closed_empty_loads_nothing(machine: Machine) -> None:
    load = LoadJourney(machine.core, machine.sign_in(), bulk=True)
    load.submit_code(CODE)
    machine.person("close", "A01")
    load.tick()
    assert load.state is Load.SCANNING and load.said == Say.NOTHING_PLACED.format()
    assert machine.outbox() == [] and not list(
        machine.store.db.query("SELECT * FROM item WHERE state != 'gone'")
    )


def test_a_result_already_in_the_machine_is_refused(machine: Machine) -> None:
    test_a_result_is_loaded_and_the_citizen_gets_a_pin_and_a_token(machine)
    again = LoadJourney(machine.core, machine.sign_in())
    again.submit_code(CODE)
    assert again.state is Load.SCANNING and again.said == Say.ALREADY_LOADED.format(
        code=CODE, compartment="A01"
    )


def test_a_jam_takes_the_compartment_out_and_opens_another(machine: Machine) -> None:
    machine.person("jam", "A01", "on")
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    assert load.state is Load.DOOR_OPEN and load.data["compartment"] == "A02"
    a01 = machine.store.db.execute(
        "SELECT in_service, service_note FROM compartment WHERE id = 'A01'"
    ).fetchone()
    assert a01 == (0, "door jammed")
    assert machine.outbox() == [("maintenance", None, "A01")]
    assert any(a.topic == "maintenance" for a in machine.heard)


def test_no_compartment_free_is_an_outcome(machine: Machine) -> None:
    for n in range(1, 9):
        machine.person("jam", f"A0{n}", "on")
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    assert load.state is Load.NO_SPACE and load.said == Say.NO_SPACE.format()
    assert len(load.data["tried"]) == 3  # the first choice and two retries
    assert not list(machine.store.db.query("SELECT * FROM item WHERE state != 'gone'"))


def test_the_sites_rules_decide_how_many_jams_are_retried(machine: Machine) -> None:
    strict = machine.cfg.model_copy(update={"rules": RulesSection(jam_retries=0)})
    machine.core = Core(strict, machine.store, machine.lockers)
    machine.person("jam", "A01", "on")
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    assert load.state is Load.NO_SPACE and load.data["tried"] == ["A01"]


def test_an_unprovable_unlock_is_recorded_as_uncertain(machine: Machine) -> None:
    machine.ctl.call("silent", 0, "on")
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    assert load.state is Load.UNCERTAIN
    assert machine.outbox() == [("outcome-uncertain", CODE, "A01")]
    item = machine.store.db.execute("SELECT state FROM item WHERE dossier_code = ?", [CODE]).fetchone()
    assert item == ("uncertain",)


def test_a_door_left_open_reminds_then_alarms(machine: Machine) -> None:
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    machine.clock.advance(61)
    load.tick()
    assert [a.topic for a in machine.heard][-1] == "door-reminder"
    machine.clock.advance(60)
    load.tick()
    load.tick()
    assert machine.outbox() == [("alarm", None, "A01")]  # once
    assert load.state is Load.DOOR_OPEN


def test_an_officer_who_walks_away_ends_the_journey(machine: Machine) -> None:
    load = LoadJourney(machine.core, machine.sign_in(), bulk=True)
    machine.clock.advance(59)
    load.tick()
    assert load.state is Load.SCANNING
    machine.clock.advance(2)
    load.tick()
    assert load.state is Load.DONE


def test_the_backends_hold_period_and_size_are_used(machine: Machine) -> None:
    machine.store.db.execute(
        "INSERT INTO assignment (dossier_code, hold_days, size_hint, synced_at) VALUES (?, 7, 'M', 't')",
        [CODE],
    )
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    assert load.data["compartment"] == "A05"  # an M compartment, as the backend said
    machine.person("put", "A05")
    machine.person("close", "A05")
    load.tick()
    assert loaded_item(machine, CODE)["expires_at"] == "2026-11-30T08:00:00+00:00"  # 7 days, not 14


def test_rejected_codes_say_why(machine: Machine) -> None:
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code("hello")
    assert (
        load.state is Load.SCANNING and load.said is not None and load.said[1].startswith("This code is not")
    )


def test_cu48_without_item_sensors_loads_on_door_closed(short_tmp: Path) -> None:
    m = Machine(short_tmp, "cu48")
    try:
        load = LoadJourney(m.core, m.sign_in())
        load.submit_code(CODE)
        m.person("close", "A01")
        load.tick()
        assert load.state is Load.DONE and loaded_item(m, CODE)["compartment"] == "A01"
    finally:
        m.close()


def test_a_door_found_open_before_the_unlock_is_not_used(machine: Machine) -> None:
    machine.person("open", "A01")  # forced, or it never latched; the store still thinks it closed
    load = LoadJourney(machine.core, machine.sign_in())
    load.submit_code(CODE)
    assert load.state is Load.DOOR_OPEN and load.data["compartment"] == "A02"
    a01 = next(c for c in machine.core.compartments() if c.id == "A01")
    assert (a01.in_service, a01.service_note, a01.door) == (False, "door found open before unlock", "open")
    assert machine.outbox() == [("maintenance", None, "A01")]
