"""Citizen pickup against the lock-board simulator over a pty, after a real officer load."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk import codes
from kiosk.journeys.load import LoadJourney
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say
from kiosk.journeys.pickup import Pickup, PickupJourney, time_of_day
from kiosk.pickup_codes import make_token
from tests.machine import Machine

CODE = "000.00.53.H48-220921-0099"


def load(m: Machine, code: str = CODE, fee: int = 0) -> dict[str, str]:
    """An officer loads ``code``; returns what the citizen was sent (PIN, token)."""
    if fee:
        m.store.db.execute(
            "INSERT INTO assignment (dossier_code, fee_due, synced_at) VALUES (?, ?, 't')", [code, fee]
        )
    journey = LoadJourney(m.core, m.sign_in())
    journey.submit_code(code)
    compartment = journey.data["compartment"]
    m.person("put", compartment)
    m.person("close", compartment)
    journey.tick()
    # as the SMS has it: the outbox seals it once the sync's keys exist (kiosk/sealed.py)
    return dict(journey.sent[-1].payload, compartment=compartment)


def pick_up(m: Machine, sent: dict[str, str]) -> PickupJourney:
    """A citizen scans the QR from the SMS, takes the result and closes the door."""
    pickup = PickupJourney(m.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    take_and_close(m, pickup)
    return pickup


def take_and_close(m: Machine, journey: PickupJourney) -> None:
    m.person("take", journey.data["compartment"])
    m.person("close", journey.data["compartment"])
    journey.tick()


def test_pickup_with_the_qr_token(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.VERIFIED and pickup.data["compartment"] == sent["compartment"]
    pickup.open()
    assert pickup.state is Pickup.DOOR_OPEN and pickup.said == Say.TAKE_RESULT.format(compartment="A01")
    take_and_close(machine, pickup)
    assert pickup.state is Pickup.DONE and pickup.said == Say.THANK_YOU.format()
    assert machine.outbox()[-1] == ("result-picked-up", CODE, "A01")
    assert machine.store.db.execute("SELECT state, outcome FROM item").fetchone() == ("gone", "picked up")


def test_pickup_with_code_and_pin(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    assert pickup.state is Pickup.WAITING_CODE and pickup.needs_pin
    pickup.submit_pin(sent["pin"])
    assert pickup.state is Pickup.VERIFIED
    pickup.open()
    take_and_close(machine, pickup)
    assert pickup.state is Pickup.DONE


def test_a_replayed_token_after_pickup_is_refused(machine: Machine) -> None:
    sent = load(machine)
    first = PickupJourney(machine.core)
    first.submit_code(sent["token"])
    first.open()
    take_and_close(machine, first)
    again = PickupJourney(machine.core)
    again.submit_code(sent["token"])
    assert again.state is Pickup.WAITING_CODE and again.said == Say.ALREADY_PICKED_UP.format(code=CODE)


def test_a_token_opens_only_the_loading_it_was_issued_for(machine: Machine) -> None:
    """The attack that worked: after a pickup the same dossier was loaded again (into the same
    compartment) and the first, already used token opened it."""
    first = load(machine)
    pick_up(machine, first)
    second = load(machine)
    assert second["compartment"] == first["compartment"] and second["token"] != first["token"]
    stale = PickupJourney(machine.core)
    stale.submit_code(first["token"])
    assert stale.state is Pickup.WAITING_CODE and stale.said == Say.ALREADY_PICKED_UP.format(code=CODE)
    fresh = PickupJourney(machine.core)
    fresh.submit_code(second["token"])
    assert fresh.state is Pickup.VERIFIED


def test_a_legacy_token_opens_only_a_result_loaded_before_loadings_were_named(machine: Machine) -> None:
    import hashlib
    import hmac

    from kiosk.pickup_codes import _b64

    def legacy_token(expires: int) -> str:
        signed = f"DKP1|HG-VT-01|{CODE}|A01|{expires}"
        mac = _b64(hmac.new(machine.core.token_key, signed.encode(), hashlib.sha256).digest()[:16])
        return f"{signed}|{mac}"

    load(machine)
    expires = int(machine.store.db.execute("SELECT token_expires FROM item").fetchone()[0])
    named = PickupJourney(machine.core)
    named.submit_code(legacy_token(expires))
    assert named.state is Pickup.WAITING_CODE  # this loading's token names it; a DKP1 one cannot
    machine.store.db.execute("UPDATE item SET loading = NULL")  # as a row from before schema v7
    old = PickupJourney(machine.core)
    old.submit_code(legacy_token(expires))
    assert old.state is Pickup.VERIFIED


@pytest.mark.parametrize(
    "respell",
    [
        lambda t: t.replace("|A01|", "|a01|"),
        lambda t: t.replace("H48", "h48"),
        lambda t: t.replace("|17", "|017").replace("|18", "|018").replace("|19", "|019"),
        lambda t: t + "=",
        lambda t: t.replace("DKP2|", "dkp2|"),
    ],
)
def test_a_token_in_another_spelling_is_not_a_second_valid_token(machine: Machine, respell: object) -> None:
    sent = load(machine)
    other = respell(sent["token"])  # type: ignore[operator]
    assert other != sent["token"]
    pickup = PickupJourney(machine.core)
    pickup.submit_code(other)
    assert pickup.state is Pickup.WAITING_CODE


def test_tokens_from_another_kiosk_forged_or_expired(machine: Machine) -> None:
    sent = load(machine)
    key = machine.core.token_key
    loading = str(codes.parse(sent["token"]).loading)  # type: ignore[union-attr]
    other = make_token(key, "HG-VT-02", CODE, "A01", 1_900_000_000, loading)
    forged = sent["token"].rsplit("|", 1)[0] + "|" + "A" * 22
    expired = make_token(key, "HG-VT-01", CODE, "A01", int(machine.clock.now.timestamp()) - 1, loading)
    said = []
    for text in (other, forged, expired):
        pickup = PickupJourney(machine.core)
        pickup.submit_code(text)
        assert pickup.state is Pickup.WAITING_CODE
        said.append(pickup.said)
    assert said[0] == Say.OTHER_KIOSK.format(kiosk="HG-VT-02") and said[2] == Say.EXPIRED.format()
    assert said[1] is not None and said[1][1] == "The pickup code is not valid."


def test_a_dossier_that_is_not_here(machine: Machine) -> None:
    pickup = PickupJourney(machine.core)
    pickup.submit_code("G22.39-240517-0012")
    assert pickup.said == Say.NOT_HERE.format(code="G22.39-240517-0012") and not pickup.needs_pin


def test_a_pin_with_letters_is_refused_without_counting(machine: Machine) -> None:
    load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    pickup.submit_pin("12a456")
    assert pickup.said == Say.PIN_FORMAT.format()
    assert machine.store.db.execute("SELECT failed_tries FROM item").fetchone() == (0,)


def test_five_wrong_pins_lock_the_dossier_for_15_minutes(machine: Machine) -> None:
    sent = load(machine)
    wrong = f"{(int(sent['pin']) + 1) % 10**6:06d}"
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    for left in (4, 3, 2, 1):
        pickup.submit_pin(wrong)
        assert pickup.said == Say.PIN_WRONG.format(left=left)
    pickup.submit_pin(wrong)
    locked = Say.LOCKED.format(code=CODE, until=time_of_day(machine.clock.now + timedelta(minutes=15)))
    assert pickup.said == locked and pickup.locked_until is not None
    pickup.submit_pin(sent["pin"])  # even the right PIN, while locked
    assert pickup.state is Pickup.WAITING_CODE and pickup.said == locked
    machine.clock.advance(15 * 60 + 1)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    pickup.submit_pin(sent["pin"])
    assert pickup.state is Pickup.VERIFIED


def test_guessing_across_dossiers_is_slowed(machine: Machine) -> None:
    load(machine)
    for n in range(20):
        if n % 4 == 0:  # a new journey every 4 tries, so no single dossier locks
            pickup = PickupJourney(machine.core)
            pickup.submit_code(CODE)
            machine.store.db.execute("UPDATE item SET failed_tries = 0")
        pickup.submit_pin(f"{n:06d}" if f"{n:06d}" != "000000" else "999999")
    pickup.submit_pin("123456")
    assert pickup.said is not None and pickup.said[1].startswith("Too many wrong PINs at this kiosk")


def test_a_fee_must_be_settled_before_opening(machine: Machine) -> None:
    sent = load(machine, fee=50_000)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.FEE_DUE and pickup.data["fee_due"] == 50_000
    with pytest.raises(IllegalStep):
        pickup.open()
    pickup.settle_fee()
    pickup.open()
    assert pickup.state is Pickup.DOOR_OPEN


def test_cancel_until_the_unlock_is_sent_not_after(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.cancel()
    assert pickup.state is Pickup.CANCELLED
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    with pytest.raises(IllegalStep, match="too late to cancel"):
        pickup.cancel()


def test_a_door_closed_with_the_result_inside_is_not_a_pickup(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    machine.person("close", "A01")
    pickup.tick()
    assert pickup.state is Pickup.NOT_TAKEN and machine.outbox()[-1][0] == "result-loaded"
    assert machine.store.db.execute("SELECT state FROM item").fetchone() == ("held",)


def test_a_jammed_door_keeps_the_result_and_calls_an_officer(machine: Machine) -> None:
    sent = load(machine)
    machine.person("jam", "A01", "on")
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    assert pickup.state is Pickup.JAMMED and pickup.said == Say.JAMMED.format(compartment="A01")
    assert machine.store.db.execute("SELECT state FROM item").fetchone() == ("held",)
    assert machine.outbox()[-1] == ("maintenance", None, "A01")


def test_a_person_who_walks_away_before_opening(machine: Machine) -> None:
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    machine.clock.advance(61)
    pickup.tick()
    assert pickup.state is Pickup.TIMED_OUT
    assert machine.store.db.execute("SELECT state FROM item").fetchone() == ("held",)


def test_a_door_found_open_before_the_unlock_sends_the_citizen_to_an_officer(machine: Machine) -> None:
    sent = load(machine)
    machine.person("open", sent["compartment"])  # someone forced it since
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.open()
    assert pickup.state is Pickup.UNCERTAIN
    assert pickup.said == Say.FOUND_OPEN.format(compartment=sent["compartment"])
    item = machine.store.db.execute("SELECT state FROM item WHERE dossier_code = ?", [CODE]).fetchone()
    assert item == ("uncertain",)
    kinds = [e[0] for e in machine.outbox()]
    assert kinds == ["result-loaded", "maintenance", "outcome-uncertain"]
    actions = [r[0] for r in machine.store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert "door-found-open" in actions and "unlocked" not in actions[actions.index("door-found-open") :]


def test_the_scanned_token_opens_after_one_commit_of_verification_opening_and_intent(
    machine: Machine,
) -> None:
    sent = load(machine)
    commits = []
    machine.store.db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    pickup = PickupJourney(machine.core, auto_open=True)
    commits.clear()
    pickup.submit_code(sent["token"])
    machine.store.db.conn.set_trace_callback(None)
    assert pickup.state is Pickup.DOOR_OPEN
    # the intent's commit, then "unlocked" and the door-open move after the frame
    assert len(commits) == 3
    actions = [r[0] for r in machine.store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
    before_frame = ["journey:pickup:verified", "journey:pickup:opening", "unlock-intent"]
    assert actions[-5:] == [*before_frame, "unlocked", "journey:pickup:door-open"]
    row = machine.store.db.execute("SELECT state, item, compartment FROM journey WHERE id = ?", [pickup.id])
    assert row.fetchone() == ("door-open", pickup.data["item"], sent["compartment"])


def test_a_door_forced_while_the_intent_commits_is_seen_when_the_look_is_stale(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the board is asked for its status before the intent's COMMIT and answers at once; a commit
    # that takes longer than FRESH_READ_S (here: any) has the door looked at again before the frame
    import kiosk.core

    sent = load(machine)
    monkeypatch.setattr(kiosk.core, "FRESH_READ_S", -1.0)
    record_intent = machine.core.record_intent

    def forced_meanwhile(*args: object, **kwargs: object) -> None:
        record_intent(*args, **kwargs)  # type: ignore[arg-type]
        machine.person("open", sent["compartment"])

    monkeypatch.setattr(machine.core, "record_intent", forced_meanwhile)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.UNCERTAIN
    assert pickup.said == Say.FOUND_OPEN.format(compartment=sent["compartment"])


def test_someone_still_typing_is_not_timed_out(machine: Machine) -> None:
    pickup = PickupJourney(machine.core)
    machine.clock.advance(50)
    pickup.keep_alive()  # a key pressed
    machine.clock.advance(50)
    pickup.tick()
    assert pickup.state is Pickup.WAITING_CODE
    machine.clock.advance(11)
    pickup.tick()
    assert pickup.state is Pickup.TIMED_OUT


def test_no_log_line_of_a_load_and_pickup_names_the_dossier(
    machine: Machine, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.logscan import CitizenData, leaks

    with caplog.at_level("DEBUG"):
        sent = load(machine)
        pick_up(machine, sent)
    lines = [r.getMessage() for r in caplog.records]
    assert any("pickup" in line and "-> done" in line for line in lines)  # the journey was logged
    data = CitizenData(codes={CODE}, pins={sent["pin"]}, tokens={sent["token"]})
    assert leaks(lines, data) == []
