"""Steps, as a person alone at the machine takes them (issue 13, items 3, 5, 6 and the look-up's
way on): what was said belongs to the step it was said for, a wrong code is named, a lock says
until when, Back keeps what was given, the drop-off is reviewed before a door opens, the step
counter. Core only, against the lock-board simulator over a pty."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

import pytest

import kiosk.journeys.dropoff
import kiosk.journeys.load
import kiosk.journeys.lookup
import kiosk.journeys.officer
import kiosk.journeys.pickup
import kiosk.journeys.signin
import kiosk.journeys.technician
from kiosk.entries import masked_phone
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.lookup import LookupJourney
from kiosk.journeys.machine import IllegalStep, Journey
from kiosk.journeys.messages import Say, amount
from kiosk.journeys.officer import CollectJourney
from kiosk.journeys.pickup import Pickup, PickupJourney, time_of_day
from kiosk.journeys.signin import SignIn, SignInJourney
from kiosk.journeys.steps import step_of
from kiosk.journeys.technician import TechnicianJourney
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load

OTHER = "000.00.53.H48-220921-0100"  # well formed, not in this kiosk
DROPOFF = "000.00.19.H26-250701-0001"
# what a journey offers that is not a person's step: the machine's side, reads, touches
NOT_STEPS = frozenset(
    {
        "tick",
        "keep_alive",
        "seconds_in_state",
        "on_timeout",
        "items",
        "touch",
        "receipt_not_printed",
        "seconds_left",
    }
)  # the printer's news, not a person's step; the QR's countdown (kiosk/journeys/paying.py)


def journey_classes() -> list[type[Journey[Any]]]:
    modules = (kiosk.journeys.pickup, kiosk.journeys.dropoff, kiosk.journeys.lookup, kiosk.journeys.signin,
               kiosk.journeys.load, kiosk.journeys.officer, kiosk.journeys.technician)  # fmt: skip
    found = {
        cls
        for module in modules
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Journey) and getattr(cls, "kind", None)
    }
    return sorted(found, key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", journey_classes(), ids=lambda c: c.__name__)
def test_every_action_a_person_takes_is_a_step(cls: type[Journey[Any]]) -> None:
    """One mechanism for every journey: each public method is a ``step`` (it forgets what was
    said for the step before) or the machine's own side (``NOT_STEPS``)."""
    actions = [
        name
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and name not in NOT_STEPS
    ]
    assert actions, cls
    not_steps = [name for name in actions if not getattr(getattr(cls, name), "is_step", False)]
    assert not_steps == [], f"{cls.__name__}: {not_steps} are not @step"


def test_the_pin_step_does_not_show_the_wrong_code_before_it(machine: Machine) -> None:
    """What was seen: after a mistyped code and then the right one, the PIN screen still showed
    the red error."""
    load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(OTHER)
    assert pickup.said == Say.NOT_HERE.format(code=OTHER)  # the error names what was typed
    assert pickup.said[0] == f"Máy không có kết quả của hồ sơ {OTHER}. Vui lòng kiểm tra lại mã."
    pickup.submit_code(CODE)
    assert pickup.needs_pin and pickup.said is None and pickup.data["code"] == CODE


def test_each_kind_of_journey_forgets_what_it_said_for_the_step_before(machine: Machine) -> None:
    load(machine)
    session = SignInJourney(machine.core)
    session.submit_badge("not a badge")
    assert session.said == Say.BADGE_UNKNOWN.format()
    session.submit_badge("DKS1|CB-0042")
    assert session.state is SignIn.WAITING_PIN and session.said is None

    officer = machine.sign_in()
    loading = LoadJourney(machine.core, officer, bulk=True)
    loading.submit_code(CODE)  # already inside
    assert loading.said == Say.ALREADY_LOADED.format(code=CODE, compartment="A01")
    loading.finish()
    assert loading.said is None

    lookup = LookupJourney(machine.core)
    lookup.submit_code("nonsense")
    rejected = lookup.said
    lookup.submit_code(CODE)
    assert lookup.said != rejected and lookup.said is not None and CODE in lookup.said[0]

    dropoff = DropoffJourney(machine.core)
    dropoff.submit_code(DROPOFF)
    dropoff.review("12345")
    assert dropoff.said == Say.PHONE_FORMAT.format()
    dropoff.back()
    assert dropoff.state is Dropoff.WAITING_CODE and dropoff.said is None
    dropoff.cancel()

    tech = TechnicianJourney(machine.core, machine.sign_in("technician"))
    tech.open("Z99", "a typo")
    assert tech.said == Say.NO_SUCH_COMPARTMENT.format(compartment="Z99")
    tech.set_in_service("A04", False, "test")
    assert tech.said == Say.OUT_OF_SERVICE.format(compartment="A04")
    tech.finish()
    assert tech.said is None

    collect = CollectJourney(machine.core, machine.sign_in())
    collect.finish()
    assert collect.said is None


def test_a_step_refused_before_it_acts_keeps_what_was_said(machine: Machine) -> None:
    """A double tap or a stale screen must not wipe the message the person is reading."""
    pickup = PickupJourney(machine.core)
    pickup.submit_code(OTHER)
    said = pickup.said
    with pytest.raises(IllegalStep):
        pickup.submit_pin("123456")  # no code was accepted
    with pytest.raises(IllegalStep):
        pickup.back()  # nothing before the code
    assert pickup.said == said


def test_back_from_the_pin_keeps_the_code_and_a_new_code_replaces_it(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    assert step_of(pickup) == (2, 3)
    pickup.submit_pin("000000" if sent["pin"] != "000000" else "111111")
    assert pickup.said is not None and "Còn 4 lần thử" in pickup.said[0]
    pickup.back()
    assert not pickup.needs_pin and pickup.data["code"] == CODE and pickup.said is None
    assert step_of(pickup) == (1, 3)
    pickup.submit_code(OTHER)  # a different one, mistyped
    assert not pickup.needs_pin and pickup.said == Say.NOT_HERE.format(code=OTHER)
    pickup.submit_code(CODE)
    pickup.submit_pin(sent["pin"])
    assert pickup.state is Pickup.VERIFIED and pickup.said is None


def test_a_lock_says_until_when_and_lifts_by_itself(machine: Machine) -> None:
    sent = load(machine)
    wrong = f"{(int(sent['pin']) + 1) % 10**6:06d}"
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    for _ in range(5):
        pickup.submit_pin(wrong)
    until = machine.clock.now + timedelta(minutes=15)
    assert pickup.locked_until == until and pickup.data["locked_until"] == "15:15"  # 08:00 UTC + 15 min
    assert pickup.said == Say.LOCKED.format(code=CODE, until="15:15")
    assert pickup.said[0] == (
        f"Hồ sơ {CODE} tạm khóa do nhập sai mã PIN nhiều lần. Vui lòng thử lại sau 15:15."
    )
    # someone comes back with the same code: told at once, before typing a PIN for nothing
    again = PickupJourney(machine.core)
    again.submit_code(CODE)
    assert again.needs_pin and again.locked_until == until and again.said == pickup.said
    machine.clock.advance(15 * 60)
    again.keep_alive()  # the person is still there ("Thêm thời gian")
    again.tick()
    assert again.locked_until is None and "locked_until" not in again.data and again.said is None
    again.submit_pin(sent["pin"])
    assert again.state is Pickup.VERIFIED


def test_the_kiosk_wide_throttle_says_until_when_too(machine: Machine) -> None:
    load(machine)
    for n in range(machine.core.rules.kiosk_pin_failures):
        if n % 4 == 0:  # a new journey every 4 tries, so no single dossier locks
            pickup = PickupJourney(machine.core)
            pickup.submit_code(CODE)
            machine.store.db.execute("UPDATE item SET failed_tries = 0")
        pickup.submit_pin(f"{n + 100000:06d}")
    pickup.submit_pin("123456")
    assert pickup.locked_until is not None
    assert pickup.said == Say.KIOSK_BUSY.format(until=time_of_day(pickup.locked_until))


def test_a_fee_is_said_with_a_thousands_separator(machine: Machine) -> None:
    sent = load(machine, fee=8000)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.FEE_DUE and pickup.said is not None
    assert pickup.said[0].startswith("Hồ sơ còn phải nộp phí 8.000 đồng. Vui lòng nộp tại Bộ phận Một cửa")
    assert "8,000 đồng" in pickup.said[1]
    assert amount(1_250_000, "vi") == "1.250.000" and amount(500, "en") == "500"


def test_a_qr_pickup_counts_no_steps_a_typed_one_three(machine: Machine) -> None:
    sent = load(machine)
    scanned = PickupJourney(machine.core, auto_open=True)
    scanned.submit_code(sent["token"])
    assert scanned.state is Pickup.DOOR_OPEN and step_of(scanned) is None
    assert LookupJourney(machine.core).kind == "lookup" and step_of(LookupJourney(machine.core)) is None


def review(m: Machine, code: str = DROPOFF) -> DropoffJourney:
    dropoff = DropoffJourney(m.core)
    dropoff.submit_code(code)
    dropoff.review("0912 345 678")
    return dropoff


def test_the_dropoff_is_reviewed_before_its_door_opens(machine: Machine) -> None:
    dropoff = DropoffJourney(machine.core)
    assert step_of(dropoff) == (1, 4)
    dropoff.choose_procedure("land-change")
    assert step_of(dropoff) == (2, 4)
    dropoff.review("0912 345 678")
    assert dropoff.state is Dropoff.REVIEWING and step_of(dropoff) == (3, 4)
    assert dropoff.data["phone_masked"] == "09** *** 678" and dropoff.phone == "0912345678"
    assert dropoff.data["procedure_name"].startswith("Đăng ký biến động đất đai")
    assert dropoff.data["size"] == "L" and dropoff.data["prefer_low"] is False  # the procedure's size
    assert dropoff.said == Say.REVIEW.format()
    opened = [row for row in machine.store.db.execute("SELECT action FROM audit_log") if "unlock" in row[0]]
    assert opened == []  # a review reserves nothing and opens nothing
    dropoff.confirm()
    assert dropoff.state is Dropoff.DOOR_OPEN and dropoff.data["compartment"] == "A07"
    assert step_of(dropoff) == (4, 4)


def test_a_thick_dossier_and_a_low_door_are_chosen_on_the_review(machine: Machine) -> None:
    dropoff = review(machine)
    assert dropoff.data["size"] == "M" and ["L", True] in dropoff.data["free"]
    dropoff.choose(size="L", prefer_low=True)
    assert dropoff.said == Say.REVIEW.format()
    dropoff.confirm()
    assert dropoff.data["compartment"] == "A07"  # large and low
    with pytest.raises(IllegalStep):
        review(machine, "G22.39-240517-0012").choose(size="XL")


def test_when_no_compartment_of_the_chosen_kind_is_free_the_review_says_what_is(machine: Machine) -> None:
    for large in ("A07", "A08"):
        machine.core.take_out_of_service(large, "test", actor="test")
    dropoff = review(machine)
    assert sorted(map(tuple, dropoff.data["free"])) == [("M", False), ("M", True)]
    dropoff.choose(size="L")
    assert dropoff.said == Say.NO_LARGE_FREE.format()
    dropoff.choose(size="M")
    assert dropoff.said == Say.REVIEW.format()
    dropoff.cancel()
    for low in ("A05", "A06"):  # no low one left either: a small dossier goes high
        machine.core.take_out_of_service(low, "test", actor="test")
    small = DropoffJourney(machine.core)
    small.choose_procedure("birth")
    small.review("0912345678")
    small.choose(prefer_low=True)
    assert small.said == Say.NO_LOW_FREE.format() and ["S", True] not in small.data["free"]
    small.confirm()
    assert small.state is Dropoff.DOOR_OPEN and small.data["compartment"] == "A01"


def test_nothing_free_at_all_is_said_at_the_review_not_after_it(machine: Machine) -> None:
    for n in range(5, 9):
        machine.core.take_out_of_service(f"A0{n}", "test", actor="test")
    dropoff = review(machine)
    assert dropoff.state is Dropoff.NO_SPACE and dropoff.said == Say.NO_SPACE_DROPOFF.format()


def test_back_through_the_dropoff_keeps_what_was_given(machine: Machine) -> None:
    dropoff = review(machine)
    dropoff.choose(size="L", prefer_low=True)
    dropoff.back()
    assert dropoff.state is Dropoff.WAITING_PHONE and dropoff.phone == "0912345678"
    dropoff.back()
    assert dropoff.state is Dropoff.WAITING_CODE and dropoff.data["code"] == DROPOFF
    dropoff.submit_code(DROPOFF)
    dropoff.review("0912345678")
    assert dropoff.data["size"] == "M" and dropoff.data["prefer_low"] is True  # the door is the person's
    dropoff.back()
    dropoff.back()
    dropoff.choose_procedure("birth")  # a procedure instead of the code: nothing of the code is left
    assert dropoff.data["code"].startswith("HG-VT-01-") and dropoff.data["usual_size"] == "S"
    with pytest.raises(IllegalStep):
        DropoffJourney(machine.core).back()


def test_the_old_api_opens_at_once_with_the_choices(machine: Machine) -> None:
    """kiosk/scenario.py, the soak, tests/crash.py and bench keep ``submit_phone``."""
    dropoff = DropoffJourney(machine.core)
    dropoff.submit_code(DROPOFF)
    dropoff.submit_phone("0912345678", size="L")
    assert dropoff.state is Dropoff.DOOR_OPEN and dropoff.data["compartment"] == "A07"


def test_a_phone_is_masked_to_its_first_two_and_last_three_digits() -> None:
    assert masked_phone("0987654321") == "09** *** 321"


def test_a_lookup_of_a_result_waiting_here_offers_to_pick_it_up(machine: Machine) -> None:
    load(machine)
    here = LookupJourney(machine.core)
    here.submit_code(CODE)
    assert here.data == {"code": CODE, "ready_here": True}
    elsewhere = LookupJourney(machine.core)
    elsewhere.submit_code(OTHER)
    assert elsewhere.data == {"code": OTHER, "ready_here": False}


def test_the_last_digits_of_the_code_are_enough_where_they_name_one_result(machine: Machine) -> None:
    """So that a pickup by code and PIN takes at most 12 touches: "0099", not 25 characters."""
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code("0099")
    assert pickup.needs_pin and pickup.data["code"] == CODE  # the PIN step names the whole code
    pickup.submit_pin(sent["pin"])
    assert pickup.state is Pickup.VERIFIED
    load(machine, "000.00.53.H48-221001-0099")  # another day's 0099
    twice = PickupJourney(machine.core)
    twice.submit_code("0099")
    assert not twice.needs_pin and twice.said == Say.TAIL_AMBIGUOUS.format(tail="0099")
    twice.submit_code("221001-0099")  # the date too: one again
    assert twice.data["code"] == "000.00.53.H48-221001-0099"
    for typed in ("0098", "099", "٠٠٩٩", "0099%", "_099"):  # none held, too short, other digits, wildcards
        other = PickupJourney(machine.core)
        other.submit_code(typed)
        assert not other.needs_pin, typed
