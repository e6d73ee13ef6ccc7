"""The secrets events carry (a pickup PIN and QR token, a phone) are sealed in the outbox to the sync
service's key: a copied kiosk.db alone gives up no PIN that opens a compartment, whether the event
waits for the network or sits in the dead letters. What the attacker review did: copied the
database of a kiosk offline, read a dead letter's PIN, and opened the compartment with it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import sealed
from kiosk.journeys.pickup import Pickup, PickupJourney
from sync.client import BackendClient
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load
from tests.test_sync import kiosk_command, sync_config


@pytest.fixture
def backend(short_tmp: Path) -> Iterator[StandIn]:
    b = StandIn(short_tmp, seed=3)
    yield b
    b.stop()


def raw_bytes(m: Machine) -> bytes:
    """Everything the database holds on disk, its write-ahead log included: what a copy gives."""
    return b"".join(p.read_bytes() for p in sorted(m.cfg.data_dir.glob("kiosk.db*")) if p.is_file())


def test_with_the_sync_keys_no_pin_or_token_is_in_the_database(machine: Machine, backend: StandIn) -> None:
    opener = sealed.ensure_keys(machine.cfg.data_dir, group_shared=False)
    sent = load(machine)  # what the citizen is sent, kept by the load journey in memory
    payload = json.loads(
        machine.store.db.execute("SELECT payload FROM outbox WHERE kind = 'result-loaded'").fetchone()[0]
    )
    assert sealed.is_sealed(payload) and "pin" not in payload and "token" not in payload
    disk = raw_bytes(machine)
    assert sent["pin"].encode() not in disk and sent["token"].encode() not in disk
    assert (machine.cfg.data_dir / sealed.PRIVATE).stat().st_mode & 0o777 == 0o600
    section = backend.section()
    worker = SyncWorker(machine.store, BackendClient(section, KIOSK, clock=machine.store.clock), section,
                        sleep=lambda s: None, rng=random.Random(1), opener=opener)  # fmt: skip
    assert worker.drain().accepted == 1
    assert any(sent["pin"] in sms["text"] for sms in backend.get("sms")["sms"])  # the backend got it in clear
    delivered = json.loads(
        machine.store.db.execute("SELECT payload FROM outbox WHERE kind = 'result-loaded'").fetchone()[0]
    )
    assert not sealed.is_sealed(delivered) and "pin" not in delivered  # and the kiosk keeps nothing


def test_a_dead_letter_keeps_what_the_office_needs_sealed(
    machine: Machine, backend: StandIn, short_tmp: Path
) -> None:
    load(machine)  # written before the sync ever ran: in clear, for now
    backend.faults(reject=[CODE])
    config = sync_config(short_tmp, machine.cfg.data_dir, backend, backend.secret_file)
    done = kiosk_command(config, "sync", "--once")  # the keys made, the clear event sealed, sent
    assert done.returncode == 1 and "rejected" in done.stdout, done.stderr
    disk = raw_bytes(machine)
    letter = kiosk_command(config, "sync", "--letter", "1")
    assert letter.returncode == 0, letter.stderr
    whole = json.loads(letter.stdout)
    pin = whole["payload"]["pin"]
    assert len(pin) == 6 and pin.encode() not in disk  # the office can read it; a copy cannot
    pickup = PickupJourney(machine.core)
    pickup.submit_code(CODE)
    pickup.submit_pin(pin)  # and it is the citizen's real PIN
    assert pickup.state is Pickup.VERIFIED


def test_an_event_sealed_to_a_key_the_sync_does_not_hold_is_an_error_never_sent_in_the_dark(
    machine: Machine, backend: StandIn, tmp_path: Path
) -> None:
    sealed.ensure_keys(machine.cfg.data_dir, group_shared=False)
    load(machine)
    section = backend.section()
    worker = SyncWorker(machine.store, BackendClient(section, KIOSK, clock=machine.store.clock), section,
                        sleep=lambda s: None)  # fmt: skip
    with pytest.raises(sealed.SealError, match="holds no key"):
        worker.deliver_batch()
    other = tmp_path / "other"
    other.mkdir()
    worker.opener = sealed.ensure_keys(other, group_shared=False)
    with pytest.raises(sealed.SealError, match="cannot be opened"):
        worker.deliver_batch()
    assert backend.get("events", kiosk_id=KIOSK)["events"] == []


def test_a_lost_or_swapped_public_key_is_put_right_by_the_sync(machine: Machine, tmp_path: Path) -> None:
    first = sealed.ensure_keys(machine.cfg.data_dir, group_shared=False)
    public = machine.cfg.data_dir / sealed.PUBLIC
    public.unlink()
    sealed.ensure_keys(machine.cfg.data_dir, group_shared=False)
    (tmp_path / "other").mkdir()
    sealed.ensure_keys(tmp_path / "other", group_shared=False)
    public.write_bytes((tmp_path / "other" / sealed.PUBLIC).read_bytes())  # someone else's key put there
    again = sealed.ensure_keys(machine.cfg.data_dir, group_shared=False)
    closed = sealed.seal(machine.cfg.data_dir, {"pin": "123456"})
    assert again.open(closed) == first.open(closed) == {"pin": "123456"}
