"""Officers collect deposited dossiers and withdraw expired results; expiry reminders."""

from __future__ import annotations

import pytest

from kiosk import expiry
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say
from kiosk.journeys.officer import CollectJourney, Release, SettleJourney, WithdrawJourney
from tests.machine import Machine
from tests.test_journey_dropoff import deposit
from tests.test_journey_pickup import CODE, load

DAY = 24 * 3600


def deposited(m: Machine, code: str) -> str:
    journey = deposit(m, code)
    compartment = journey.data["compartment"]
    m.person("put", compartment)
    m.person("close", compartment)
    journey.tick()
    return str(compartment)


def test_an_officer_collects_every_deposited_dossier(machine: Machine) -> None:
    first = deposited(machine, "000.00.19.H26-250701-0001")
    second = deposited(machine, "000.00.19.H26-250701-0002")
    collect = CollectJourney(machine.core, machine.sign_in())
    assert [i["dossier_code"] for i in collect.items()] == [
        "000.00.19.H26-250701-0001",
        "000.00.19.H26-250701-0002",
    ]
    for code, compartment in (("000.00.19.H26-250701-0001", first), ("000.00.19.H26-250701-0002", second)):
        collect.take(code)
        assert collect.state is Release.DOOR_OPEN and collect.said == Say.TAKE_ITEM.format(
            compartment=compartment
        )
        machine.person("take", compartment)
        machine.person("close", compartment)
        collect.tick()
        assert collect.state is Release.CHOOSING and collect.said == Say.TAKEN.format()
    assert collect.items() == []
    collect.finish()
    assert [e[0] for e in machine.outbox()][-2:] == ["dossier-collected", "dossier-collected"]


def test_a_dossier_left_inside_is_still_on_the_list(machine: Machine) -> None:
    compartment = deposited(machine, "000.00.19.H26-250701-0001")
    collect = CollectJourney(machine.core, machine.sign_in())
    collect.take("000.00.19.H26-250701-0001")
    machine.person("close", compartment)
    collect.tick()
    assert collect.state is Release.CHOOSING and collect.said == Say.NOT_TAKEN.format()
    assert len(collect.items()) == 1
    with pytest.raises(IllegalStep):
        collect.take("G22.39-240517-0012")


def test_expired_results_are_listed_reminded_and_withdrawn(machine: Machine) -> None:
    load(machine)  # held for 14 days (the default hold)
    withdraw = WithdrawJourney(machine.core, machine.sign_in())
    assert withdraw.items() == []
    machine.clock.advance(11 * DAY + 60)  # 3 days before the end
    assert [(e.kind, e.payload["days_before"]) for e in expiry.send_reminders(machine.core)] == [
        ("expiry-reminder", 3)
    ]
    assert expiry.send_reminders(machine.core) == []  # once
    machine.clock.advance(2 * DAY)  # 1 day before
    assert [e.payload["days_before"] for e in expiry.send_reminders(machine.core)] == [1]
    machine.clock.advance(DAY)
    withdraw = WithdrawJourney(machine.core, machine.sign_in())
    assert [i["dossier_code"] for i in withdraw.items()] == [CODE]
    withdraw.take(CODE)
    machine.person("take", "A01")
    machine.person("close", "A01")
    withdraw.tick()
    withdraw.finish()
    assert machine.outbox()[-1] == ("result-withdrawn", CODE, "A01")
    assert machine.store.db.execute("SELECT state, outcome FROM item").fetchone() == ("gone", "withdrawn")


def test_an_officer_who_walks_away_is_signed_off_the_journey(machine: Machine) -> None:
    collect = CollectJourney(machine.core, machine.sign_in())
    machine.clock.advance(61)
    collect.tick()
    assert collect.state is Release.DONE


def test_an_officer_settles_what_could_not_be_proven(machine: Machine) -> None:
    first = load(machine)
    second = load(machine, "000.00.53.H48-220921-0100")
    machine.store.db.execute("UPDATE item SET state = 'uncertain'")  # as recovery leaves them
    settle = SettleJourney(machine.core, machine.sign_in())
    assert [i["dossier_code"] for i in settle.items()] == [CODE, "000.00.53.H48-220921-0100"]
    settle.take(CODE)
    machine.person("close", first["compartment"])  # it is there: the officer leaves it
    settle.tick()
    settle.take("000.00.53.H48-220921-0100")
    machine.person("take", second["compartment"])
    machine.person("close", second["compartment"])
    settle.tick()
    assert settle.state is Release.CHOOSING and settle.items() == []
    states = dict(machine.store.db.execute("SELECT dossier_code, state FROM item").fetchall())
    assert states == {CODE: "held", "000.00.53.H48-220921-0100": "gone"}  # the first is back for its citizen
    assert machine.outbox()[-1] == ("item-settled", "000.00.53.H48-220921-0100", second["compartment"])


def test_a_jam_while_settling_leaves_the_item_uncertain(machine: Machine) -> None:
    sent = load(machine)
    machine.store.db.execute("UPDATE item SET state = 'uncertain'")
    machine.person("jam", sent["compartment"])
    settle = SettleJourney(machine.core, machine.sign_in())
    settle.take(CODE)
    assert machine.store.db.execute("SELECT state FROM item").fetchone() == ("uncertain",)
