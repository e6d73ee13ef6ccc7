"""What issue 13's events bring the backend, through the real sync to the stand-in on loopback: a
receipt not printed becomes an SMS with the code to the phone given; a dossier taken back out after
a reopen is withdrawn; ratings arrive as counts with nobody in them."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import events, rating
from kiosk.journeys.dropoff import Dropoff, DropoffJourney
from kiosk.journeys.lookup import LookupJourney
from sync.client import BackendClient
from sync.errors import Refused
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.machine import Machine

DEPOSIT = "000.00.53.H26-261123-0007"
PHONE = "0912345123"


@pytest.fixture
def backend(short_tmp: Path) -> Iterator[StandIn]:
    b = StandIn(short_tmp)
    yield b
    b.stop()


def worker_for(m: Machine, backend: StandIn) -> SyncWorker:
    section = backend.section()
    client = BackendClient(section, KIOSK, clock=m.store.clock)
    return SyncWorker(m.store, client, section, sleep=lambda s: None, rng=random.Random(1))


def deposited(m: Machine) -> DropoffJourney:
    dropoff = DropoffJourney(m.core)
    dropoff.submit_code(DEPOSIT)
    dropoff.submit_phone(PHONE)
    comp = dropoff.data["compartment"]
    m.person("put", comp)
    m.person("close", comp)
    dropoff.tick()
    assert dropoff.state is Dropoff.DEPOSITED
    return dropoff


def test_no_receipt_the_backend_texts_the_code_to_the_phone_given(machine: Machine, backend: StandIn) -> None:
    dropoff = deposited(machine)
    dropoff.receipt_not_printed("paper out")
    done = worker_for(machine, backend).drain()
    assert (done.accepted, done.rejected) == (2, 0)
    texts = [s for s in backend.get("sms")["sms"] if s["dossier_code"] == DEPOSIT]
    assert len(texts) == 1 and texts[0]["phone"] == PHONE and DEPOSIT in texts[0]["text"]
    kept = machine.store.db.execute(
        "SELECT payload FROM outbox WHERE kind = 'receipt-not-printed'"
    ).fetchone()
    assert "phone" not in json.loads(kept[0])  # scrubbed once delivered


def test_a_dossier_taken_back_is_withdrawn_at_the_backend(machine: Machine, backend: StandIn) -> None:
    dropoff = deposited(machine)
    dropoff.reopen()
    machine.person("take", dropoff.data["compartment"])
    machine.person("close", dropoff.data["compartment"])
    dropoff.tick()
    assert dropoff.state is Dropoff.TAKEN_BACK
    worker_for(machine, backend).drain()
    assert backend.get("events", kiosk_id=KIOSK)["events"][-1]["kind"] == "dossier-taken-back"


def test_ratings_reach_the_backend_as_counts_with_no_identity(machine: Machine, backend: StandIn) -> None:
    ratings = rating.Ratings(machine.core)
    dropoff = deposited(machine)
    ratings.rate(dropoff, "very-satisfied")
    for face in ("satisfied", "dissatisfied", "satisfied"):
        lookup = LookupJourney(machine.core)
        lookup.submit_code("000.00.53.H48-220921-0001")
        ratings.rate(lookup, face)
    machine.clock.advance(24 * 3600)
    assert rating.report_due(machine.core) is not None
    worker_for(machine, backend).drain()
    received = backend.get("satisfaction")
    assert received["totals"] == {"very_satisfied": 1, "satisfied": 2, "dissatisfied": 1}
    event = next(
        e for e in backend.get("events", kiosk_id=KIOSK)["events"] if e["kind"] == "satisfaction-tally"
    )
    assert event["dossier_code"] is None and event["compartment"] is None
    assert set(event["payload"]) == {"from", "to", "very_satisfied", "satisfied", "dissatisfied"}


def test_the_contract_refuses_a_rating_that_names_a_dossier(machine: Machine, backend: StandIn) -> None:
    """Should a later change put the dossier in, the backend's contract check refuses the batch."""
    payload = {"from": "2026-11-23T00:00:00+07:00", "to": "2026-11-24T00:00:00+07:00",
               "very_satisfied": 1, "satisfied": 0, "dissatisfied": 0}  # fmt: skip
    events.emit(machine.store, "satisfaction-tally", actor="kiosk", dossier_code=DEPOSIT, **payload)
    with pytest.raises(Refused, match="does not follow the contract"):
        worker_for(machine, backend).run_once()
    assert backend.get("satisfaction")["spans"] == []
    assert machine.store.db.execute("SELECT delivered_at FROM outbox").fetchone() == (None,)
