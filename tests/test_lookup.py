"""Status look-up: the backend's answer when reachable (and cached), else the cache with its age;
what this kiosk holds always shows. The backend side here is a ``StatusSource`` standing in for
the sync client of issue 5, whose own tests run it against the loopback stand-in backend."""

from __future__ import annotations

from typing import Any

from kiosk.journeys.lookup import Lookup, LookupJourney
from kiosk.journeys.messages import Say
from kiosk.journeys.pickup import PickupJourney
from kiosk.status import BackendUnreachable
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load

ELSEWHERE = "000.00.53.H48-261110-0042"


class Backend:
    """What the province's system knows, and whether the network reaches it now."""

    def __init__(self) -> None:
        self.known: dict[str, dict[str, Any]] = {
            ELSEWHERE: {
                "status": "finished",
                "kiosk": "HG-VT-02",
                "procedure": "Cấp bản sao trích lục khai tử",
            },
            "000.00.53.H48-261101-0007": {"status": "in-process", "citizen": "Ng*** V** A*"},
        }
        self.up = True
        self.asked: list[str] = []

    def dossier_status(self, code: str) -> dict[str, Any] | None:
        self.asked.append(code)
        if not self.up:
            raise BackendUnreachable("connection refused")
        return self.known.get(code)


def look(m: Machine, text: str) -> LookupJourney:
    journey = LookupJourney(m.core)
    journey.submit_code(text)
    return journey


def test_the_backend_answers_and_the_answer_is_kept_for_when_it_cannot(machine: Machine) -> None:
    backend = Backend()
    machine.core.status_source = backend
    online = look(machine, "000.00.53.H48-261101-0007")
    assert online.state is Lookup.ANSWERED
    assert online.said == ("Hồ sơ 000.00.53.H48-261101-0007: Đang giải quyết.",
                           "Dossier 000.00.53.H48-261101-0007: Being processed.")  # fmt: skip
    backend.up = False
    machine.clock.advance(3 * 3600 + 60)
    offline = look(machine, "000.00.53.H48-261101-0007")
    assert offline.answer is not None and offline.answer.source == "cache"
    assert offline.said == Say.STATUS_CACHED.format(
        code="000.00.53.H48-261101-0007",
        vi="Đang giải quyết",
        en="Being processed",
        when="15:00 23/11/2026",
        hours=3,
    )  # fmt: skip  (08:00 UTC is 15:00 in Vietnam)


def test_a_code_nobody_knows_online_and_offline(machine: Machine) -> None:
    backend = Backend()
    machine.core.status_source = backend
    unknown = look(machine, "000.00.53.H48-200101-0001")
    assert unknown.state is Lookup.NOT_FOUND
    assert unknown.said == Say.STATUS_UNKNOWN.format(code="000.00.53.H48-200101-0001")
    backend.up = False
    offline = look(machine, "000.00.53.H48-200101-0002")
    assert offline.said == Say.STATUS_UNKNOWN_OFFLINE.format(code="000.00.53.H48-200101-0002")
    machine.core.status_source = None  # a kiosk with no backend configured is offline too
    assert look(machine, "000.00.53.H48-200101-0003").said == Say.STATUS_UNKNOWN_OFFLINE.format(
        code="000.00.53.H48-200101-0003"
    )


def test_what_this_kiosk_holds_wins_over_a_lagging_backend(machine: Machine) -> None:
    sent = load(machine)
    backend = Backend()
    backend.known[CODE] = {"status": "in-process"}  # our "result loaded" has not reached it yet
    machine.core.status_source = backend
    here = look(machine, sent["token"])  # the pickup QR names the dossier too
    assert here.answer is not None and (here.answer.status, here.answer.source) == ("ready-here", "kiosk")
    assert "Kết quả đã có tại máy này" in here.said[0]


def test_a_result_at_another_kiosk(machine: Machine) -> None:
    machine.core.status_source = Backend()
    elsewhere = look(machine, ELSEWHERE)
    assert elsewhere.said == (
        f"Hồ sơ {ELSEWHERE}: Kết quả đang chờ tại máy HG-VT-02.",
        f"Dossier {ELSEWHERE}: The result is waiting at kiosk HG-VT-02.",
    )
    pickup = PickupJourney(machine.core)  # then tries to pick it up here: told where it is, offline
    pickup.submit_code(ELSEWHERE)
    assert pickup.said == Say.AT_OTHER_KIOSK.format(code=ELSEWHERE, kiosk="HG-VT-02")


def test_not_a_dossier_code_and_walking_away(machine: Machine) -> None:
    badge = look(machine, "DKS1|CB-0042")
    assert badge.state is Lookup.WAITING_CODE and badge.said is not None
    machine.clock.advance(61)
    badge.tick()
    assert badge.state is Lookup.TIMED_OUT


def test_text_from_the_backend_is_data_never_a_template(machine: Machine) -> None:
    """What broke: a status text containing "{" crashed the look-up, and its cached copy crashed it
    offline too. (The sync client now refuses such an answer whole; this is the core's own depth,
    for a cache written before, or a StatusSource of another kind.)"""
    backend = Backend()
    odd = "000.00.53.H48-261101-0009"
    backend.known[odd] = {"status": "in-{process}%s{0}\n", "kiosk": "{kiosk}", "procedure": "{x}"}
    machine.core.status_source = backend
    online = look(machine, odd)
    assert online.state is Lookup.ANSWERED and online.said is not None
    assert "in-{process}%s{0}" in online.said[1]
    backend.up = False
    offline = look(machine, odd)  # from the cache: the same words, no crash
    assert offline.state is Lookup.ANSWERED and offline.said is not None and "in-{process}" in offline.said[1]
    machine.store.db.execute("UPDATE dossier_status SET answer = '{not json', fetched_at = 'soon'")
    damaged = look(machine, odd)  # a cached row that cannot be read is no answer, not a crash
    assert damaged.state is Lookup.NOT_FOUND
