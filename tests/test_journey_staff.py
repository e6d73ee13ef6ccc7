"""Staff journeys act for a live sign-in session; the technician's test-open and service switch."""

from __future__ import annotations

import pytest

from kiosk.journeys.load import Load, LoadJourney
from kiosk.journeys.messages import Say
from kiosk.journeys.officer import CollectJourney, Release
from kiosk.journeys.signin import SignIn, SignInJourney
from kiosk.journeys.staffed import NotSignedIn
from kiosk.journeys.technician import Tech, TechnicianJourney
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load


def test_no_staff_journey_without_a_signed_in_member_of_the_right_role(machine: Machine) -> None:
    half_way = SignInJourney(machine.core)
    half_way.submit_badge("DKS1|CB-0042")  # not enrolled yet: refused
    with pytest.raises(NotSignedIn) as err:
        LoadJourney(machine.core, half_way)
    assert err.value.said == Say.SIGN_IN_FIRST.format()
    with pytest.raises(NotSignedIn) as err:
        TechnicianJourney(machine.core, machine.sign_in("officer"))
    assert err.value.said == Say.WRONG_ROLE.format()
    with pytest.raises(NotSignedIn):
        CollectJourney(machine.core, machine.sign_in("technician"))
    assert machine.store.db.execute("SELECT COUNT(*) FROM journey WHERE kind = 'load'").fetchone() == (0,)


def test_the_journey_acts_as_the_signed_in_officer(machine: Machine) -> None:
    load(machine)
    actors = {r[0] for r in machine.store.db.execute("SELECT actor FROM outbox WHERE kind = 'result-loaded'")}
    assert actors == {"officer:CB-0042"}


def test_signing_out_ends_the_journey_and_refuses_further_steps(machine: Machine) -> None:
    session = machine.sign_in()
    bulk = LoadJourney(machine.core, session, bulk=True)
    session.sign_out()
    with pytest.raises(NotSignedIn):
        bulk.submit_code(CODE)
    bulk.tick()
    assert bulk.state is Load.DONE


def test_an_officer_at_an_open_door_is_not_signed_out(machine: Machine) -> None:
    session = machine.sign_in()
    bulk = LoadJourney(machine.core, session, bulk=True)
    bulk.submit_code(CODE)
    assert bulk.state is Load.DOOR_OPEN
    machine.clock.advance(90)  # placing a thick result takes a while; no touch meanwhile
    bulk.tick()
    assert session.state is SignIn.SIGNED_IN
    machine.person("put", "A01")
    machine.person("close", "A01")
    bulk.tick()
    assert bulk.state is Load.SCANNING
    machine.clock.advance(61)  # then she walks away: signed out, and the bulk load ends
    bulk.tick()
    assert session.state is SignIn.SIGNED_OUT and bulk.state is Load.DONE


def test_a_collect_ends_when_the_session_does(machine: Machine) -> None:
    session = machine.sign_in()
    collect = CollectJourney(machine.core, session)
    machine.clock.advance(30)
    session.sign_out()
    collect.tick()
    assert collect.state is Release.DONE


def test_technician_test_opens_and_sees_the_door_closed(machine: Machine) -> None:
    tech = TechnicianJourney(machine.core, machine.sign_in("technician"))
    tech.open("a03", "monthly check")  # typed in lower case
    assert tech.state is Tech.DOOR_OPEN and tech.said == Say.TECH_OPEN.format(compartment="A03")
    machine.person("close", "A03")
    tech.tick()
    assert tech.state is Tech.CHOOSING and tech.said == Say.TECH_CLOSED.format(compartment="A03")
    actions = [r[0] for r in machine.store.db.execute("SELECT action FROM audit_log WHERE subject = 'A03'")]
    assert actions == ["compartment-added", "unlock-intent", "unlocked"]
    assert machine.outbox() == []  # nothing was handed over


def test_technician_taking_a_held_result_out_leaves_it_uncertain(machine: Machine) -> None:
    sent = load(machine)
    tech = TechnicianJourney(machine.core, machine.sign_in("technician"))
    tech.open(sent["compartment"], "door sticks")
    machine.person("take", sent["compartment"])
    machine.person("close", sent["compartment"])
    tech.tick()
    item = machine.store.db.execute("SELECT state FROM item WHERE dossier_code = ?", [CODE]).fetchone()
    assert item == ("uncertain",)
    assert machine.outbox()[-1] == ("outcome-uncertain", CODE, sent["compartment"])


def test_technician_jam_takes_it_out_and_the_switch_puts_it_back(machine: Machine) -> None:
    tech = TechnicianJourney(machine.core, machine.sign_in("technician"))
    machine.person("jam", "A02")
    tech.open("A02", "stiff door reported")
    assert tech.state is Tech.CHOOSING and tech.said == Say.TECH_JAMMED.format(compartment="A02")
    assert not next(c for c in machine.core.compartments() if c.id == "A02").in_service
    machine.person("jam", "A02", "off")
    tech.set_in_service("A02", True, "lock replaced")
    assert next(c for c in machine.core.compartments() if c.id == "A02").in_service
    assert [e[0] for e in machine.outbox()] == ["maintenance", "back-in-service"]
    tech.open("Z99", "typo")
    assert tech.said == Say.NO_SUCH_COMPARTMENT.format(compartment="Z99") and tech.state is Tech.CHOOSING
    tech.finish()
    assert tech.state is Tech.DONE


def test_technician_finds_a_door_already_open(machine: Machine) -> None:
    machine.person("open", "A04")
    tech = TechnicianJourney(machine.core, machine.sign_in("technician"))
    tech.open("A04", "alarm at night")
    assert tech.state is Tech.DOOR_OPEN and tech.said == Say.TECH_FOUND_OPEN.format(compartment="A04")
    machine.person("close", "A04")
    tech.tick()
    assert tech.state is Tech.CHOOSING


def test_the_maintenance_report_names_what_is_wrong(machine: Machine) -> None:
    from kiosk import maintenance

    load(machine)  # one event queued, not yet synced
    machine.core.take_out_of_service("A03", "hinge broken", actor="technician:KT-0007")
    machine.ctl.call("silent", 0, "on")
    findings = maintenance.health(machine.core)
    machine.ctl.call("clear")
    bad = [f.en for f in findings if not f.ok]
    assert any(line.startswith("lockbus0 board 0: not answering") for line in bad)
    assert "A03 out of service: hinge broken" in bad
    assert any(f.en.startswith("Sync queue: 2 events") for f in findings)  # the load and the maintenance
    assert "Last successful sync: never" in bad
    assert (
        machine.store.db.execute("SELECT state FROM device_state").fetchone()[0].startswith("not answering")
    )


def test_touches_on_the_menu_and_the_lists_keep_the_session(machine: Machine) -> None:
    session = machine.sign_in()
    machine.clock.advance(50)
    session.keep_alive()  # a touch on the menu
    machine.clock.advance(50)
    collect = CollectJourney(machine.core, session)
    collect.tick()
    assert session.state is SignIn.SIGNED_IN and collect.state is Release.CHOOSING
    machine.clock.advance(50)
    collect.keep_alive()  # a touch on the list
    machine.clock.advance(50)
    collect.tick()
    assert session.state is SignIn.SIGNED_IN and collect.state is Release.CHOOSING
