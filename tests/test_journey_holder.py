"""A result only its holder may take (issue 14, item 5): after the code and PIN or the token, the
QR on the holder's chip ID card; a real officer load, a real store and the lock-board
simulator over a pty, as tests/test_journey_pickup.py."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import cccd
from kiosk.cccd import CCCDCard
from kiosk.holder import KEY_FILE, holder_hash, write_key
from kiosk.journeys.holder_check import CARD_TRIES
from kiosk.journeys.machine import IllegalStep
from kiosk.journeys.messages import Say
from kiosk.journeys.pickup import Pickup, PickupJourney, time_of_day
from kiosk.journeys.steps import step_of
from kiosk.procedures import Procedure, requires_holder
from kiosk.procedures import load as load_catalogue
from tests.machine import Machine
from tests.test_journey_pickup import CODE, take_and_close
from tests.test_journey_pickup import load as officer_loads

KEY = bytes(range(32))
HOLDER = CCCDCard(
    "079190012345", "025123456", "Phạm Thị Hoa", date(1990, 2, 1), "Nữ",
    "Số 12 đường Lê Lợi, Phường 1, Quận 3, TP. Hồ Chí Minh", date(2021, 6, 15),
)  # fmt: skip
SOMEONE_ELSE = CCCDCard(
    "001085009876",
    "",
    "Trần Văn Hùng",
    date(1985, 7, 30),
    "Nam",
    "Thôn 3, xã Tân Lập, Hà Nội",
    date(2022, 1, 4),
)
HOLDER_QR, OTHER_QR = cccd.build(HOLDER), cccd.build(SOMEONE_ELSE)
TORN = HOLDER_QR[:40]  # a card read half: too few fields
LAND = "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu"  # the backend's spelling of a catalogue entry


def load(
    m: Machine, *, requires: bool = True, hash_: str | None = "", fee: int = 0,
    procedure: str = "Đăng ký kết hôn", key: bytes | None = KEY,
) -> dict[str, str]:  # fmt: skip
    """An officer loads a result whose assignment asks for its holder (the sync's columns)."""
    if key is not None:
        write_key(m.cfg.data_dir, key)
    if hash_ == "":
        hash_ = holder_hash(KEY, CODE, HOLDER.id_number)
    m.store.db.execute(
        "INSERT INTO assignment (dossier_code, citizen, procedure, fee_due, requires_holder, holder_hash,"
        " synced_at) VALUES (?, 'N*** T** L**', ?, ?, ?, ?, 't')",
        [CODE, procedure, fee, int(requires), hash_],
    )
    return officer_loads(m)  # the assignment is there: it inserts none of its own


def scanned(m: Machine, sent: dict[str, str], **kw: Any) -> PickupJourney:
    pickup = PickupJourney(m.core, **kw)
    pickup.submit_code(sent["token"])
    return pickup


def refusals(m: Machine) -> list[dict[str, Any]]:
    rows = m.store.db.execute("SELECT payload, dossier_code FROM outbox WHERE kind = 'holder-refused'")
    return [dict(json.loads(payload), dossier=code) for payload, code in rows]


def item_state(m: Machine) -> str:
    return str(m.store.db.execute("SELECT state FROM item").fetchone()[0])


def test_the_load_copies_the_assignments_holder_columns_onto_the_result(machine: Machine) -> None:
    load(machine)
    row = machine.store.db.execute("SELECT requires_holder, holder_hash FROM item").fetchone()
    assert row == (1, holder_hash(KEY, CODE, HOLDER.id_number))


def test_the_holders_card_opens_after_the_token(machine: Machine) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent)
    assert pickup.state is Pickup.HOLDER_CHECK and pickup.said == Say.HOLDER_ASK.format()
    assert pickup.data["holder_tries"] == 0
    with pytest.raises(IllegalStep):
        pickup.open()  # no door before the card
    pickup.submit_card(HOLDER_QR + "\r\n")
    assert pickup.state is Pickup.VERIFIED and pickup.data["holder"] == "matched"
    pickup.open()
    take_and_close(machine, pickup)
    assert pickup.state is Pickup.DONE and refusals(machine) == []
    actions = [r[0] for r in machine.store.db.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert (
        actions.index("journey:pickup:holder-check")
        < actions.index("holder-matched")
        < actions.index("journey:pickup:verified")
    )


def test_the_holders_card_after_the_code_and_pin_then_the_fee(machine: Machine) -> None:
    sent = load(machine, fee=50_000)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    assert step_of(pickup) == (2, 4)  # the card is known to come once the code names the result
    pickup.submit_pin(sent["pin"])
    assert pickup.state is Pickup.HOLDER_CHECK and step_of(pickup) == (3, 4)
    pickup.submit_card(HOLDER_QR)
    assert pickup.state is Pickup.FEE_DUE and pickup.data["fee_due"] == 50_000  # the card before the fee


def test_with_auto_open_the_door_waits_for_the_card_then_opens_at_once(machine: Machine) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent, auto_open=True)
    assert pickup.state is Pickup.HOLDER_CHECK and step_of(pickup) == (2, 3)
    pickup.submit_card(HOLDER_QR)
    assert pickup.state is Pickup.DOOR_OPEN and step_of(pickup) == (3, 3)
    assert pickup.said == Say.TAKE_RESULT.format(compartment=sent["compartment"])


def test_another_persons_card_is_refused_at_once_and_audited(machine: Machine) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent)
    pickup.submit_card(OTHER_QR)
    assert pickup.state is Pickup.HOLDER_REFUSED and pickup.ended
    assert pickup.said == Say.HOLDER_MISMATCH.format()
    assert pickup.said[0].endswith("Kết quả vẫn được giữ an toàn tại máy.")
    assert refusals(machine) == [{"reason": "mismatch", "dossier": CODE}]
    audit = machine.store.db.execute(
        "SELECT detail FROM audit_log WHERE action = 'journey:pickup:holder-refused'"
    ).fetchone()
    assert json.loads(audit[0])["reason"] == "mismatch"
    assert item_state(machine) == "held"
    assert machine.store.db.execute("SELECT COUNT(*) FROM pin_failure").fetchone() == (1,)
    with pytest.raises(IllegalStep):
        pickup.submit_card(HOLDER_QR)  # ended: the right card now does not reopen it


def test_a_card_that_cannot_be_read_may_be_scanned_once_more(machine: Machine) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent)
    pickup.submit_card(TORN)
    assert pickup.state is Pickup.HOLDER_CHECK and pickup.said == Say.CARD_UNREADABLE.format()
    assert pickup.data["holder_tries"] == 1
    pickup.submit_card(HOLDER_QR)
    assert pickup.state is Pickup.VERIFIED


def test_a_card_unreadable_four_times_sends_the_citizen_to_an_officer(machine: Machine) -> None:
    """Shaky hands and the wrong side get four scans, the last one said as such."""
    sent = load(machine)
    pickup = scanned(machine, sent)
    for _ in range(CARD_TRIES - 2):
        pickup.submit_card(TORN)
        assert pickup.state is Pickup.HOLDER_CHECK and pickup.said == Say.CARD_UNREADABLE.format()
    pickup.submit_card(TORN)
    assert pickup.state is Pickup.HOLDER_CHECK and pickup.said == Say.CARD_UNREADABLE_LAST.format()
    pickup.submit_card(HOLDER_QR.replace("01021990", "31021990"))  # no 31 February
    assert pickup.state is Pickup.HOLDER_REFUSED and pickup.said == Say.HOLDER_UNREADABLE.format()
    assert refusals(machine) == [{"reason": "unreadable", "dossier": CODE}]
    assert machine.store.db.execute("SELECT COUNT(*) FROM pin_failure").fetchone() == (0,)


@pytest.mark.parametrize("wrong", ["token", CODE, "DKS1|CB-0042", "", "   "])
def test_a_pickup_qr_or_a_dossier_code_is_not_the_card_and_not_a_try(machine: Machine, wrong: str) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent)
    for _ in range(3):
        pickup.submit_card(sent["token"] if wrong == "token" else wrong)
    assert pickup.state is Pickup.HOLDER_CHECK and pickup.data["holder_tries"] == 0
    expected = Say.CARD_NOTHING_READ if not wrong.strip() else Say.CARD_NOT_A_CARD
    assert pickup.said == expected.format()
    pickup.submit_card(TORN)  # the one try left after all that
    assert pickup.state is Pickup.HOLDER_CHECK and pickup.said == Say.CARD_UNREADABLE.format()


@pytest.mark.parametrize(
    ("case", "load_kw"),
    [
        ("no key file", {"key": None}),
        ("no hash from the backend", {"hash_": None}),
        ("a hash of another shape", {"hash_": "ABCD" * 16}),
    ],
)
def test_where_no_card_can_match_the_citizen_is_told_before_trying(
    machine: Machine, case: str, load_kw: dict[str, Any]
) -> None:
    sent = load(machine, **load_kw)
    pickup = scanned(machine, sent)
    assert pickup.state is Pickup.HOLDER_REFUSED, case
    assert pickup.data["holder"] == "asked" and step_of(pickup) is None  # an end: no step to count
    assert pickup.said == Say.HOLDER_NO_KEY.format()
    assert refusals(machine) == [{"reason": "no-key", "dossier": CODE}]
    assert item_state(machine) == "held"


def test_a_key_file_others_can_read_is_no_key(machine: Machine, caplog: pytest.LogCaptureFixture) -> None:
    sent = load(machine)
    (machine.cfg.data_dir / KEY_FILE).chmod(0o644)
    pickup = scanned(machine, sent)
    assert pickup.state is Pickup.HOLDER_REFUSED and refusals(machine)[0]["reason"] == "no-key"
    assert any("holder-ID key refused" in r.getMessage() for r in caplog.records)


def test_a_key_file_removed_after_the_card_was_asked_for(machine: Machine) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent)
    (machine.cfg.data_dir / KEY_FILE).unlink()
    pickup.submit_card(HOLDER_QR)
    assert pickup.state is Pickup.HOLDER_REFUSED and refusals(machine)[0]["reason"] == "no-key"


def test_a_result_not_requiring_its_holder_is_picked_up_as_before(machine: Machine) -> None:
    sent = load(machine, requires=False, hash_=None)
    pickup = scanned(machine, sent)
    assert pickup.state is Pickup.VERIFIED and "holder" not in pickup.data and step_of(pickup) is None
    with pytest.raises(IllegalStep):
        pickup.submit_card(HOLDER_QR)


def test_the_catalogue_marks_a_procedure_for_its_holder(machine: Machine) -> None:
    sent = load(machine, requires=False, procedure=LAND)  # the backend did not flag it; the catalogue does
    assert machine.store.db.execute("SELECT requires_holder FROM item").fetchone() == (1,)
    pickup = scanned(machine, sent)
    assert pickup.state is Pickup.HOLDER_CHECK
    pickup.submit_card(HOLDER_QR)
    assert pickup.state is Pickup.VERIFIED


def test_the_catalogue_marked_after_the_loading_still_counts(machine: Machine) -> None:
    sent = load(machine, requires=False, procedure="Đăng ký kết hôn")
    machine.store.db.execute("UPDATE item SET procedure = ?", [LAND])  # as a catalogue changed since
    assert scanned(machine, sent).state is Pickup.HOLDER_CHECK


def test_cancel_at_the_card(machine: Machine) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent)
    pickup.cancel()
    assert pickup.state is Pickup.CANCELLED and item_state(machine) == "held" and refusals(machine) == []


def test_a_citizen_who_walks_away_at_the_card(machine: Machine) -> None:
    sent = load(machine)
    pickup = scanned(machine, sent)
    machine.clock.advance(61)
    pickup.tick()
    assert pickup.state is Pickup.TIMED_OUT and item_state(machine) == "held"


def test_cards_tried_at_speed_slow_the_kiosk_as_wrong_pins_do(machine: Machine) -> None:
    machine.core.rules = machine.core.rules.model_copy(update={"kiosk_pin_failures": 3})
    sent = load(machine)
    for _ in range(3):
        scanned(machine, sent).submit_card(OTHER_QR)
    pickup = scanned(machine, sent)
    until = time_of_day(machine.clock.now + timedelta(seconds=machine.core.rules.kiosk_pin_window_s))
    assert pickup.state is Pickup.HOLDER_CHECK and pickup.said == Say.CARD_BUSY.format(until=until)
    pickup.submit_card(HOLDER_QR)  # not taken, even the right one
    assert pickup.state is Pickup.HOLDER_CHECK and pickup.said == Say.CARD_BUSY.format(until=until)
    assert len(refusals(machine)) == 3


def test_nothing_of_a_card_reaches_the_store_or_the_log(
    machine: Machine, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.logscan import CitizenData, leaks

    with caplog.at_level("DEBUG"):
        sent = load(machine)
        scanned(machine, sent).submit_card(OTHER_QR)
        scanned(machine, sent).submit_card(TORN)
        pickup = scanned(machine, sent)
        pickup.submit_card(HOLDER_QR)
        pickup.open()
        take_and_close(machine, pickup)
    assert pickup.state is Pickup.DONE
    secrets = {card.id_number for card in (HOLDER, SOMEONE_ELSE)} | {HOLDER.name, SOMEONE_ELSE.name}
    secrets |= {HOLDER.address, SOMEONE_ELSE.address, HOLDER.old_id}
    lines = [r.getMessage() for r in caplog.records]
    assert lines and leaks(lines, CitizenData(names=secrets)) == []
    stored = []
    for (table,) in machine.store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    ).fetchall():
        stored += [repr(row) for row in machine.store.db.execute(f'SELECT * FROM "{table}"').fetchall()]
    assert leaks(stored, CitizenData(names=secrets)) == []
    machine.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    on_disk = b"".join(p.read_bytes() for p in machine.cfg.data_dir.glob("kiosk.db*"))
    assert not [s for s in secrets if s.encode() in on_disk]


def test_the_catalogue_finds_a_procedure_by_its_national_code_or_name_folded() -> None:
    catalogue = (
        Procedure("land", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "First land use right certificate",
                  code="1.004227", requires_holder=True),
        Procedure("birth", "Đăng ký khai sinh", "Birth registration", code="1.001193"),
    )  # fmt: skip
    found = [requires_holder(catalogue, p) for p in ("1.004227", LAND, " first LAND use right certificate ")]
    assert found == [True, True, True]
    assert not any(
        requires_holder(catalogue, p) for p in ("1.001193", "Đăng ký khai sinh", "", None, "1.00422")
    )
    shipped = [p.key for p in load_catalogue() if p.requires_holder]
    assert shipped == ["household-business", "land-first-certificate", "land-change"]


def test_a_pickup_at_the_card_when_the_kiosk_stopped_is_ended_and_the_result_kept(machine: Machine) -> None:
    from kiosk.recovery import reconcile

    sent = load(machine)
    pickup = scanned(machine, sent)
    pickup.submit_card(TORN)
    settled = [(s.kind, s.state, s.outcome) for s in reconcile(machine.core) if s.kind == "pickup"]
    assert settled == [("pickup", "holder-check", "interrupted")]
    assert item_state(machine) == "held"
    again = scanned(machine, sent)  # the next visit starts again, with both tries
    assert again.state is Pickup.HOLDER_CHECK and again.data["holder_tries"] == 0


LOADED: dict[int, dict[str, str]] = {}  # one loading a machine, for all of hypothesis's examples on it


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=300), min_size=1, max_size=3))
def test_whatever_is_scanned_at_the_card_the_door_stays_shut(machine: Machine, texts: list[str]) -> None:
    if not machine.store.db.execute("SELECT 1 FROM item").fetchone():  # the first example of a machine
        LOADED[id(machine)] = load(machine)
    pickup = scanned(machine, LOADED[id(machine)])
    for text in texts:
        if pickup.ended:
            break
        pickup.submit_card(text)
        assert pickup.state in (Pickup.HOLDER_CHECK, Pickup.HOLDER_REFUSED) and pickup.said is not None
    assert item_state(machine) == "held" and pickup.data["holder_tries"] <= CARD_TRIES
