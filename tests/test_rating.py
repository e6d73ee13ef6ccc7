"""Satisfaction ratings (kiosk/rating.py): counted by the hour, one per journey, reported in spans
that say nothing of who rated or when, against the lock-board simulator and the test's clock."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from kiosk import rating
from kiosk.journeys.dropoff import DropoffJourney
from kiosk.journeys.lookup import LookupJourney
from kiosk.journeys.pickup import Pickup, PickupJourney
from tests.machine import Machine
from tests.test_journey_pickup import load, take_and_close


def tallies(m: Machine) -> list[dict[str, object]]:
    rows = m.store.db.execute("SELECT payload FROM outbox WHERE kind = 'satisfaction-tally' ORDER BY seq")
    return [json.loads(p) for (p,) in rows]


def ended_lookup(m: Machine) -> LookupJourney:
    journey = LookupJourney(m.core)
    journey.submit_code("000.00.53.H48-220921-0001")
    assert journey.ended
    return journey


def test_one_rating_per_journey_and_never_before_its_end(machine: Machine) -> None:
    ratings = rating.Ratings(machine.core)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(load(machine)["token"])
    with pytest.raises(rating.RatingRefused):
        ratings.rate(pickup, "satisfied")  # the door is still open
    take_and_close(machine, pickup)
    assert pickup.state is Pickup.DONE
    ratings.rate(pickup, "very-satisfied")
    with pytest.raises(rating.RatingRefused):
        ratings.rate(pickup, "dissatisfied")
    with pytest.raises(rating.RatingRefused):
        ratings.rate(ended_lookup(machine), "<script>")
    given_up = DropoffJourney(machine.core)
    given_up.cancel()
    assert not ratings.may_rate(given_up)
    assert machine.store.db.execute("SELECT face, n FROM rating_tally").fetchall() == [("very-satisfied", 1)]


def test_a_rating_is_not_audited_and_the_tally_names_nobody(machine: Machine) -> None:
    ratings = rating.Ratings(machine.core)
    pickup = PickupJourney(machine.core, auto_open=True)
    pickup.submit_code(load(machine)["token"])
    take_and_close(machine, pickup)
    audit_before = machine.store.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()
    ratings.rate(pickup, "dissatisfied")
    assert machine.store.db.execute("SELECT COUNT(*) FROM audit_log").fetchone() == audit_before
    machine.clock.advance(24 * 3600)  # the day is over: its span goes out, however small
    event = rating.report_due(machine.core)
    assert event is not None and event.dossier_code is None and event.compartment is None
    assert event.actor == "kiosk"
    assert set(event.payload) == {"from", "to", "very_satisfied", "satisfied", "dissatisfied"}
    assert event.payload["dissatisfied"] == 1
    assert event.payload["from"].endswith("T00:00:00+07:00") and event.payload["to"].endswith(
        "T00:00:00+07:00"
    )
    assert pickup.id not in json.dumps(event.payload) and "H48" not in json.dumps(event.payload)
    assert machine.store.db.execute("SELECT COUNT(*) FROM rating_tally").fetchone() == (0,)


def test_the_hour_now_and_small_spans_wait(machine: Machine) -> None:
    ratings = rating.Ratings(machine.core)
    group = machine.core.rules.rating_min_group
    for n in range(group):
        ratings.rate(ended_lookup(machine), rating.FACES[n % 3])
        if n == 0:
            assert rating.report_due(machine.core) is None  # its hour has not ended
            machine.clock.advance(3600)
            assert rating.report_due(machine.core) is None  # one rating alone: it waits for more
    assert rating.report_due(machine.core) is None  # the rest are in the hour now
    machine.clock.advance(3600)
    event = rating.report_due(machine.core)
    assert event is not None and sum(event.payload[f.replace("-", "_")] for f in rating.FACES) == group
    # the span starts at midnight, not at the first rating's hour: its bounds place no rating
    assert event.payload["from"].endswith("T00:00:00+07:00")
    assert rating.report_due(machine.core) is None
    ratings.rate(ended_lookup(machine), "satisfied")
    machine.clock.advance(timedelta(days=1).total_seconds())
    later = rating.report_due(machine.core)
    assert later is not None and later.payload["from"] == event.payload["to"]
    assert [t["satisfied"] for t in tallies(machine)] == [event.payload["satisfied"], 1]
