"""Citizen drop-off against the lock-board simulator over a pty."""

from __future__ import annotations

import json

import pytest

from drivers.printer.document import QR, Field
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say
from tests.machine import Machine

CODE = "000.00.19.H26-250701-0001"


def deposit(m: Machine, code: str = CODE, **phone_kw: object) -> DropoffJourney:
    journey = DropoffJourney(m.core)
    journey.submit_code(code)
    journey.submit_phone("0912 345 678", **phone_kw)  # type: ignore[arg-type]
    return journey


def test_a_dossier_is_deposited_with_a_receipt(machine: Machine) -> None:
    journey = deposit(machine)
    assert journey.state is Dropoff.DOOR_OPEN and journey.data["compartment"] == "A05"  # smallest M
    assert journey.said == Say.PUT_DOSSIER.format(compartment="A05")
    machine.person("put", "A05")
    machine.person("close", "A05")
    journey.tick()
    assert journey.state is Dropoff.DEPOSITED and journey.said == Say.DEPOSITED.format()
    assert machine.outbox() == [("dossier-deposited", CODE, "A05")]
    payload = json.loads(machine.store.db.execute("SELECT payload FROM outbox").fetchone()[0])
    assert payload["phone"] == "0912345678"
    assert "0912345678" not in json.dumps(
        [r for r in machine.store.db.execute("SELECT detail FROM audit_log")]
    )
    assert journey.receipt is not None
    fields = {e.label: e.value for e in journey.receipt.elements if isinstance(e, Field)}
    assert fields["Mã hồ sơ / Dossier"] == CODE and fields["Ngăn / Compartment"] == "A05"
    qr = next(e for e in journey.receipt.elements if isinstance(e, QR))
    assert qr.data.endswith("maHoSo=" + CODE)


def test_the_receipt_qr_of_a_submission_carries_its_procedure(machine: Machine) -> None:
    journey = DropoffJourney(machine.core)
    journey.submit_code(f"Mã hồ sơ: {CODE}\nThủ tục: 1.001193.000.00.00.H48")
    assert journey.data["procedure"] == "1.001193.000.00.00.H48"


def test_a_low_compartment_for_those_who_ask(machine: Machine) -> None:
    assert deposit(machine, size="S", prefer_low=True).data["compartment"] == "A05"
    assert deposit(machine, "G22.39-240517-0012", size="S").data["compartment"] == "A01"


def test_a_bad_phone_number_is_refused_and_can_be_retyped(machine: Machine) -> None:
    journey = DropoffJourney(machine.core)
    journey.submit_code(CODE)
    journey.submit_phone("12345")
    assert journey.state is Dropoff.WAITING_PHONE and journey.said == Say.PHONE_FORMAT.format()
    journey.submit_phone("+84 912 345 678")
    assert journey.state is Dropoff.DOOR_OPEN


def test_a_dossier_already_in_the_machine(machine: Machine) -> None:
    first = deposit(machine)
    machine.person("put", "A05")
    machine.person("close", "A05")
    first.tick()
    again = DropoffJourney(machine.core)
    again.submit_code(CODE)
    assert again.state is Dropoff.WAITING_CODE and again.said == Say.ALREADY_DEPOSITED.format(
        code=CODE, compartment="A05"
    )


def test_door_closed_with_nothing_inside(machine: Machine) -> None:
    journey = deposit(machine)
    machine.person("close", "A05")
    journey.tick()
    assert journey.state is Dropoff.NOT_DEPOSITED and machine.outbox() == []


def test_cancel_before_the_unlock_and_timeout(machine: Machine) -> None:
    journey = DropoffJourney(machine.core)
    journey.submit_code(CODE)
    journey.cancel()
    assert journey.state is Dropoff.CANCELLED
    walked_away = DropoffJourney(machine.core)
    machine.clock.advance(61)
    walked_away.tick()
    assert walked_away.state is Dropoff.TIMED_OUT
    opened = deposit(machine)
    with pytest.raises(IllegalStep):
        opened.cancel()


def test_a_jam_opens_another_fitting_compartment(machine: Machine) -> None:
    machine.person("jam", "A05", "on")
    assert deposit(machine).data["compartment"] == "A06"
    assert machine.outbox() == [("maintenance", None, "A05")]


def test_a_jam_is_told_with_the_compartment_opened_instead(machine: Machine) -> None:
    machine.person("jam", "A05", "on")
    journey = deposit(machine)
    assert journey.said == Say.PUT_DOSSIER_INSTEAD.format(jammed="A05", compartment="A06")
    assert journey.said[0].startswith("Ngăn tủ A05 bị kẹt nên máy đã mở ngăn tủ A06")


def hand_in_for(m: Machine, key: str) -> DropoffJourney:
    journey = DropoffJourney(m.core)
    journey.choose_procedure(key)
    journey.submit_phone("0912345678")
    m.person("put", journey.data["compartment"])
    m.person("close", journey.data["compartment"])
    journey.tick()
    return journey


def test_a_dossier_without_a_code_is_handed_in_for_a_procedure(machine: Machine) -> None:
    first = hand_in_for(machine, "land-change")
    assert first.state is Dropoff.DEPOSITED
    assert first.data["code"] == "HG-VT-01-261123-0001"  # the kiosk's reference, the local day
    assert first.data["compartment"] == "A07"  # a land dossier is thick: the catalogue says L
    assert first.receipt is not None
    fields = {e.label: e.value for e in first.receipt.elements if isinstance(e, Field)}
    assert fields["Thủ tục / Procedure"].startswith("Đăng ký biến động đất đai")
    assert fields["Mã hồ sơ / Dossier"] == "HG-VT-01-261123-0001"
    payload = json.loads(machine.store.db.execute("SELECT payload FROM outbox").fetchone()[0])
    assert payload["procedure"] == "land-change"  # the national code where the province filled it
    second = hand_in_for(machine, "birth")
    assert second.data["code"] == "HG-VT-01-261123-0002" and second.data["compartment"] == "A01"
    machine.clock.advance(17 * 3600)  # 01:00 the next day, Vietnam time
    assert hand_in_for(machine, "other").data["code"] == "HG-VT-01-261124-0001"


def test_an_unknown_procedure_is_refused_and_the_citizen_chooses_again(machine: Machine) -> None:
    journey = DropoffJourney(machine.core)
    journey.choose_procedure("no-such-thing")
    assert journey.state is Dropoff.WAITING_CODE and journey.said == Say.UNKNOWN_PROCEDURE.format()
    journey.choose_procedure("birth")
    assert journey.state is Dropoff.WAITING_PHONE and journey.said is None
