"""The sync client and worker against the stand-in backend, a real HTTP server on loopback:
delivery, de-duplication, dead letters, tokens, assignments, heartbeats, every bad answer, the
secret file at rest, and a lost or replaced database. (A hostile backend's tricks are in
tests/test_sync_hostile.py.)"""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk import events, flags
from kiosk.config import BackendSection
from kiosk.journeys.lookup import Lookup, LookupJourney
from kiosk.journeys.pickup import Pickup, PickupJourney
from kiosk.store import Store
from sync.client import BackendClient, StatusFromBackend, backoff
from sync.errors import (
    AnswerTooLarge,
    AuthFailed,
    BadAnswer,
    SecretUnusable,
    ServerBusy,
    TLSFailure,
    Unreachable,
)
from sync.secret import read_secret
from sync.worker import SyncWorker
from tests.backend import KIOSK, StandIn
from tests.machine import Machine
from tests.test_journey_pickup import CODE, load, pick_up


@pytest.fixture
def backend(short_tmp: Path) -> Iterator[StandIn]:
    b = StandIn(short_tmp, seed=5)
    yield b
    b.stop()


def worker_for(m: Machine, backend: StandIn, **changes: object) -> SyncWorker:
    section = backend.section(**changes)
    client = BackendClient(section, KIOSK, clock=m.store.clock)
    return SyncWorker(m.store, client, section, sleep=lambda s: None, rng=random.Random(1))


def undelivered(m: Machine) -> int:
    return int(m.store.db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0])


def outbox(m: Machine) -> list[tuple[int, str, str | None, str]]:
    rows = m.store.db.execute("SELECT seq, kind, outcome, payload FROM outbox ORDER BY seq").fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_events_from_real_journeys_are_delivered_in_order_and_their_secrets_scrubbed(
    machine: Machine, backend: StandIn
) -> None:
    sent = load(machine)
    pick_up(machine, sent)
    worker = worker_for(machine, backend)
    done = worker.drain()
    assert (done.accepted, done.duplicate, done.rejected) == (2, 0, 0)
    received = backend.get("events", kiosk_id=KIOSK)["events"]
    assert [(e["seq"], e["kind"]) for e in received] == [(1, "result-loaded"), (2, "result-picked-up")]
    assert received[0]["payload"]["pin"] == sent["pin"]  # the backend got the PIN for the SMS …
    assert any(sent["pin"] in sms["text"] for sms in backend.get("sms")["sms"])
    rows = outbox(machine)
    assert [r[2] for r in rows] == ["accepted", "accepted"]
    kept = json.loads(rows[0][3])
    assert "pin" not in kept and "token" not in kept  # … and the kiosk keeps it no more
    assert worker.deliver_batch().total == 0


def test_a_lost_answer_is_resent_and_answered_duplicate_never_applied_twice(
    machine: Machine, backend: StandIn
) -> None:
    load(machine)
    load(machine, "000.00.53.H48-220921-0100")
    worker = worker_for(machine, backend)
    worker.check_sequence()  # the token and the sequence check first, so the fault meets the events
    backend.faults(drop_after_rate=1.0)  # applied, then the connection is cut: the answer is lost
    with pytest.raises(Unreachable):
        worker.deliver_batch()
    assert undelivered(machine) == 2
    backend.faults()
    restarted = worker_for(machine, backend)  # a kill then: the new worker checks the numbering first
    done = restarted.drain()
    assert (done.accepted, done.duplicate) == (0, 2)
    assert backend.get("stats") == {"received": 2, "applied": 2, "duplicates": 2}
    # the backend's last event is this database's own, unrecorded answer: normal, nothing flagged
    assert flags.get(machine.store, flags.HISTORY) is None
    assert [r[1] for r in outbox(machine)] == ["result-loaded", "result-loaded"]  # and no alarm


def test_a_rejected_event_goes_to_the_dead_letters_with_an_alarm_and_the_queue_moves_on(
    machine: Machine, backend: StandIn
) -> None:
    load(machine)
    load(machine, "000.00.53.H48-220921-0100")
    backend.faults(reject=[CODE])
    sent = json.loads(machine.store.db.execute("SELECT payload FROM outbox WHERE seq = 1").fetchone()[0])
    worker = worker_for(machine, backend)
    worker.drain()
    letters = machine.store.db.execute(
        "SELECT seq, kind, dossier_code, reason, payload FROM dead_letter"
    ).fetchall()
    assert len(letters) == 1 and letters[0][:3] == (1, "result-loaded", CODE)
    assert "refused by the province" in letters[0][3]
    whole = json.loads(letters[0][4])  # the event as sent, PIN and token too: the office helps the citizen
    assert whole["payload"] == sent and "pin" in whole["payload"] and whole["seq"] == 1
    rows = outbox(machine)
    assert [(r[1], r[2]) for r in rows] == [
        ("result-loaded", "rejected"), ("result-loaded", "accepted"), ("alarm", "accepted"),
    ]  # fmt: skip
    assert "pin" not in json.loads(rows[0][3])
    assert worker.health()["dead_letters"] == 1


def test_an_expired_token_is_refreshed_once(machine: Machine, backend: StandIn) -> None:
    load(machine)
    worker = worker_for(machine, backend)
    worker.send_heartbeat()
    first = worker.client.token
    backend.post("expire-tokens", {})
    worker.drain()
    assert worker.client.token is not None and first is not None and worker.client.token.value != first.value


def test_wrong_credentials_are_a_plain_refusal(machine: Machine, backend: StandIn, short_tmp: Path) -> None:
    wrong = short_tmp / "wrong-secret"
    wrong.write_text("not-it")
    wrong.chmod(0o600)
    worker = worker_for(machine, backend, client_secret_file=str(wrong))
    with pytest.raises(AuthFailed, match="does not accept this kiosk's client id and secret") as err:
        worker.send_heartbeat()
    assert not err.value.retry
    missing = worker_for(machine, backend, client_secret_file=str(short_tmp / "nowhere"))
    with pytest.raises(SecretUnusable, match="cannot read the client secret file"):
        missing.send_heartbeat()


def test_busy_backend_and_retry_after(machine: Machine, backend: StandIn) -> None:
    load(machine)
    worker = worker_for(machine, backend)
    backend.faults(error_rate=1.0, retry_after=7)
    with pytest.raises(ServerBusy) as err:
        worker.deliver_batch()
    assert err.value.retry_after == 7
    assert backoff(1, 300, random.Random(0), err.value.retry_after) >= 7
    backend.faults(error_rate=1.0, html_errors=True)
    with pytest.raises(ServerBusy, match="text/html"):
        worker.deliver_batch()


def test_backoff_is_full_jitter_and_capped() -> None:
    rng = random.Random(3)
    waits = [backoff(n, 60, rng) for n in range(1, 12) for _ in range(50)]
    assert min(waits) >= 0 and max(waits) <= 60
    assert max(backoff(1, 60, rng) for _ in range(200)) <= 2  # the first ceiling is 2 s
    assert max(backoff(20, 60, rng) for _ in range(200)) > 30  # spread across the cap, not pinned to it


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ({"bad_json_rate": 1.0}, BadAnswer, "not JSON"),
        ({"wrong_shape_rate": 1.0}, BadAnswer, "the wrong shape"),
        ({"huge_body_rate": 1.0}, AnswerTooLarge, "at most 4,194,304 are read"),
        ({"stall_rate": 1.0, "stall_s": 5}, Unreachable, "the answer stopped"),
        ({"down": True}, Unreachable, "POST /oauth/token"),
    ],
)
def test_bad_answers_are_typed_and_nothing_is_half_marked(
    machine: Machine, backend: StandIn, fault: dict[str, object], error: type[Exception], words: str
) -> None:
    load(machine)
    worker = worker_for(machine, backend, read_timeout_s=0.5)
    if "down" not in fault:
        worker.check_sequence()  # the token and the sequence check first, so the fault meets the events
    backend.faults(**fault)
    with pytest.raises(error, match=words) as err:
        worker.deliver_batch()
    assert getattr(err.value, "retry", False)
    assert undelivered(machine) == 1
    backend.faults()
    assert worker.drain().total == 1


def test_a_stale_answer_on_a_reused_connection_is_not_taken_for_ours(
    machine: Machine, backend: StandIn
) -> None:
    load(machine)
    worker = worker_for(machine, backend)
    worker.send_heartbeat()
    backend.faults(twice_rate=1.0)  # every answer written twice on the connection
    worker.send_heartbeat()
    backend.faults()
    done = worker.drain()  # the copy left behind must not pass as the events' answer
    assert done.accepted == 1
    assert outbox(machine)[0][2] == "accepted"


def test_clock_skew_is_measured_and_reported(machine: Machine, backend: StandIn) -> None:
    from kiosk.clock import utc_now

    section = backend.section()
    client = BackendClient(section, KIOSK, clock=utc_now)
    worker = SyncWorker(machine.store, client, section, sleep=lambda s: None)
    backend.faults(clock_skew_s=300)
    worker.send_heartbeat()
    assert client.skew_s is not None and -302 <= client.skew_s <= -298
    worker.run_once()
    beats = backend.get("heartbeats", kiosk_id=KIOSK)["heartbeats"]
    # as measured before that heartbeat went (the Date header counts whole seconds)
    assert -302 <= beats[-1]["clock_skew_s"] <= -298 and beats[-1]["queue_depth"] == 0


def test_assignments_are_pulled_into_the_cache_and_withdrawn_ones_removed(
    machine: Machine, backend: StandIn
) -> None:
    worker = worker_for(machine, backend)
    assert worker.pull_assignments() == (5, False)  # the stand-in seeded five
    cached = machine.store.db.execute("SELECT dossier_code, procedure, fee_due FROM assignment").fetchall()
    assert len(cached) == 5 and all(row[1] for row in cached)
    gone = cached[0][0]
    backend.post("assignments", {"kiosk_id": KIOSK, "assignments": [
        {"dossier_code": gone, "procedure": cached[0][1], "fee_due": 0, "active": False},
        {"dossier_code": "000.00.53.H48-261123-0777", "procedure": "Đăng ký khai sinh", "fee_due": 0,
         "size_hint": "S", "citizen": "Lê Thị Mai", "active": True},  # a backend that forgot to mask
    ]})  # fmt: skip
    assert worker.pull_assignments() == (2, False)  # only what changed since the cursor
    codes = dict(machine.store.db.execute("SELECT dossier_code, citizen FROM assignment").fetchall())
    assert gone not in codes and codes["000.00.53.H48-261123-0777"] == "Lê* T** M**"  # masked here
    assert worker.pull_assignments() == (0, False)


def test_the_lookup_asks_the_backend_and_falls_back_to_the_cache(machine: Machine, backend: StandIn) -> None:
    section = backend.section()
    machine.core.status_source = StatusFromBackend(BackendClient(section, KIOSK, clock=machine.store.clock))
    dossier = {
        "code": "000.00.53.H48-261101-0007",
        "status": "needs-documents",
        "procedure": "Đăng ký hộ kinh doanh",
    }
    assert backend.post("dossiers", {"dossiers": [dossier]}) == {"added": 1}
    online = LookupJourney(machine.core)
    online.submit_code("000.00.53.H48-261101-0007")
    assert online.state is Lookup.ANSWERED and online.answer is not None and online.answer.source == "backend"
    assert "Cần bổ sung hồ sơ" in online.said[0]
    backend.faults(down=True)
    offline = LookupJourney(machine.core)
    offline.submit_code("000.00.53.H48-261101-0007")
    assert offline.answer is not None and offline.answer.source == "cache"
    nobody = LookupJourney(machine.core)
    backend.faults()
    nobody.submit_code("000.00.53.H48-200101-0001")
    assert nobody.state is Lookup.NOT_FOUND


def test_a_fee_from_the_assignment_reaches_the_pickup(machine: Machine, backend: StandIn) -> None:
    worker = worker_for(machine, backend)
    backend.post("assignments", {"kiosk_id": KIOSK, "assignments": [
        {"dossier_code": CODE, "procedure": "Cấp Phiếu lý lịch tư pháp", "fee_due": 200000, "active": True},
    ]})  # fmt: skip
    worker.pull_assignments()
    sent = load(machine)
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    assert pickup.state is Pickup.FEE_DUE and pickup.data["procedure"] == "Cấp Phiếu lý lịch tư pháp"


def test_plain_http_only_on_loopback() -> None:
    with pytest.raises(ValueError, match="must be https"):
        BackendSection.model_validate(
            {"url": "http://motcua.example.gov.vn/api", "client_id": "K", "client_secret_file": "/x"}
        )


def self_signed(where: Path, name: str) -> tuple[Path, Path]:
    cert, key = where / f"{name}.pem", where / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_a_certificate_that_does_not_verify_is_refused(machine: Machine, short_tmp: Path) -> None:
    cert, key = self_signed(short_tmp, "backend")
    tls = StandIn(short_tmp, tls=(cert, key))
    try:
        load(machine)
        untrusting = worker_for(machine, tls)  # the system's CAs: our self-signed one is not among them
        with pytest.raises(TLSFailure, match="certificate verify failed"):
            untrusting.drain()
        trusting = worker_for(machine, tls, ca_bundle=str(cert))
        assert trusting.drain().accepted == 1
    finally:
        tls.stop()


def test_a_backend_that_asks_for_the_kiosks_certificate(machine: Machine, short_tmp: Path) -> None:
    server = self_signed(short_tmp, "backend")
    kiosk_cert, kiosk_key = self_signed(short_tmp, "HG-VT-01")
    tls = StandIn(short_tmp, tls=server, client_ca=kiosk_cert)
    try:
        load(machine)
        anonymous = worker_for(machine, tls, ca_bundle=str(server[0]))
        with pytest.raises((TLSFailure, Unreachable)):
            anonymous.drain()
        known = worker_for(machine, tls, ca_bundle=str(server[0]), client_cert=str(kiosk_cert),
                           client_key=str(kiosk_key))  # fmt: skip
        assert known.drain().accepted == 1
    finally:
        tls.stop()


def test_every_exchange_follows_the_contract(machine: Machine, backend: StandIn) -> None:
    """Both sides checked against sync/openapi.yaml: each request the client makes and each answer
    the stand-in gives, over a whole round of journeys, sync, look-ups and refusals."""
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    from hardware_sim.backend.contract import openapi

    checked: list[str] = []

    def check(response: requests.Response, *args: object, **kwargs: object) -> None:
        openapi().validate_request(RequestsOpenAPIRequest(response.request))
        openapi().validate_response(
            RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response)
        )
        checked.append(f"{response.request.method} {response.status_code}")

    worker = worker_for(machine, backend)
    worker.client.session.hooks["response"].append(check)
    sent = load(machine)
    worker.run_once()
    source = StatusFromBackend(worker.client)
    assert source.dossier_status(CODE) is not None  # the result-loaded event made it "finished"
    assert source.dossier_status("000.00.53.H48-200101-0001") is None  # 404
    backend.post("expire-tokens", {})
    pickup = PickupJourney(machine.core)
    pickup.submit_code(sent["token"])
    pickup.cancel()
    worker.send_heartbeat()  # 401, a new token, then 200
    backend.faults(error_rate=1.0, retry_after=1)
    with pytest.raises(ServerBusy):
        worker.send_heartbeat()
    assert {"POST 200", "GET 200", "GET 404", "POST 401", "POST 503"} <= set(checked)


def test_a_week_without_the_backend_then_everything_in_order_once(machine: Machine, backend: StandIn) -> None:
    """The link is down for seven days of journeys (simulated time: the worker's waits move the
    clock); when it comes back every event is delivered in sequence order and applied once."""
    worker = worker_for(machine, backend, max_backoff_s=600)
    worker.sleep = machine.clock.advance
    day = 24 * 3600.0
    backend.faults(down=True)
    loaded = 0
    for d in range(7):
        for n in range(2):
            sent = load(machine, f"000.00.53.H48-2611{d + 10:02d}-{n:04d}")
            loaded += 1
            if n == 0:  # one a day is picked up at once; the others wait (and expire, later)
                pick_up(machine, sent)
        end = machine.clock.now.timestamp() + day
        worker.run(
            lambda end=end: machine.clock.now.timestamp() >= end, clock=lambda: machine.clock.now.timestamp()
        )
    health = worker.health()
    assert health["queue_depth"] == undelivered(machine) == 7 * 3
    assert health["oldest_undelivered_age_s"] >= 6.9 * day
    assert worker.failures > 7 * 100  # it kept trying, all week, with backoff capped at 10 minutes
    backend.faults()
    stop_when_empty = lambda: undelivered(machine) == 0  # noqa: E731
    worker.run(stop_when_empty, clock=lambda: machine.clock.now.timestamp())
    received = backend.get("events", kiosk_id=KIOSK)["events"]
    seqs = [e["seq"] for e in received]
    assert seqs == sorted(seqs) == list(range(1, 7 * 3 + 1))
    assert backend.get("stats") == {"received": 21, "applied": 21}  # none twice, none a duplicate
    assert [e["kind"] for e in received].count("result-loaded") == loaded


def test_the_words_agree_everywhere() -> None:
    """Event kinds and dossier statuses: the kiosk's, the contract's, and the adapter table's."""
    from hardware_sim.backend.contract import spec_dict
    from kiosk import events, status
    from sync.adapters.one_stop import STATUS_AFTER

    schemas = spec_dict()["components"]["schemas"]
    assert set(schemas["EventKind"]["enum"]) == events.KINDS == set(STATUS_AFTER)
    contract_statuses = set(schemas["DossierStatus"]["properties"]["status"]["enum"])
    assert {s for s in STATUS_AFTER.values() if s} <= contract_statuses
    assert contract_statuses <= set(status.STATUSES)  # the kiosk can say each one, in both languages


def test_kiosk_sync_as_a_command(machine: Machine, backend: StandIn, short_tmp: Path) -> None:
    """``kiosk sync --once`` and ``--status`` as a technician runs them, on a real config file."""
    load(machine)
    config = sync_config(short_tmp, machine.cfg.data_dir, backend, backend.secret_file)

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return kiosk_command(config, *args)

    status = kiosk("sync", "--status")
    assert status.returncode == 0 and "queued events: 1" in status.stdout, status.stdout + status.stderr
    backend.faults(down=True)
    down = kiosk("sync", "--once")
    assert down.returncode == 1 and "1 event(s) stay queued and go when the backend answers" in down.stderr
    assert "Traceback" not in down.stderr
    backend.faults()
    done = kiosk("sync", "--once")
    assert done.returncode == 0 and "delivered 1 events (1 accepted" in done.stdout
    after = kiosk("sync", "--status")
    assert "queued events: 0" in after.stdout and "last error: Unreachable in " in after.stdout


def test_kiosk_sync_stops_at_once_on_sigterm_even_while_backing_off(
    machine: Machine, backend: StandIn, short_tmp: Path
) -> None:
    import signal
    import sys
    import time

    config = sync_config(short_tmp, machine.cfg.data_dir, backend, backend.secret_file, max_backoff_s=600)
    backend.faults(down=True)
    argv = [sys.executable, "-m", "commands", "--config", str(config), "sync"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().startswith("syncing HG-VT-01")
    time.sleep(3)  # a few failures in: it is waiting out a backoff now
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=5)
    assert proc.returncode == 0 and "Traceback" not in err


# -- the client secret at rest ------------------------------------------------------------------


def sync_config(
    where: Path, data_dir: Path, backend: StandIn | str, secret: Path, **backend_keys: float
) -> Path:
    """A config for ``kiosk sync`` against ``backend`` (the stand-in, or a URL), with any other
    ``[backend]`` keys given."""
    url = backend if isinstance(backend, str) else backend.url
    extra = "".join(f"{key} = {value}\n" for key, value in backend_keys.items())
    config = where / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "{KIOSK}"\ndata_dir = "{data_dir}"\n\n[backend]\nurl = "{url}"\n'
        f'client_id = "{KIOSK}"\nclient_secret_file = "{secret}"\n{extra}'
    )
    return config


def kiosk_command(config: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    import sys

    argv = [sys.executable, "-m", "commands", "--config", str(config), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o610], ids=oct)
def test_a_secret_file_other_users_could_read_is_refused(short_tmp: Path, mode: int) -> None:
    secret = short_tmp / "backend-secret"
    secret.write_text("s3cret\n")
    secret.chmod(mode)
    with pytest.raises(SecretUnusable, match=f"can be read by other users .*chmod 600 {secret}$"):
        read_secret(str(secret))
    secret.chmod(0o600)
    assert read_secret(str(secret)) == "s3cret"


def test_a_tls_client_key_other_users_could_read_is_refused(short_tmp: Path) -> None:
    from sync.secret import check_client_key

    key = short_tmp / "kiosk.key"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    key.chmod(0o640)
    with pytest.raises(SecretUnusable, match=f"TLS client key {key} can be read by other users .*chmod 600"):
        check_client_key(str(key))
    key.chmod(0o600)
    check_client_key(str(key))
    check_client_key(None)  # no client certificate configured: nothing to check


@pytest.mark.parametrize(("text", "words"), [("", "is empty"), ("  \n", "is empty"),
                                             ("a\nb", "one line"), ("x" * 201, "one line")])  # fmt: skip
def test_an_empty_or_odd_secret_is_refused(short_tmp: Path, text: str, words: str) -> None:
    secret = short_tmp / "backend-secret"
    secret.write_text(text)
    secret.chmod(0o600)
    with pytest.raises(SecretUnusable, match=words):
        read_secret(str(secret))


@pytest.mark.parametrize("how", [("sync", "--once"), ("sync",)])
def test_kiosk_sync_refuses_to_start_with_a_secret_others_can_read(
    machine: Machine, backend: StandIn, short_tmp: Path, how: tuple[str, ...]
) -> None:
    load(machine)
    backend.secret_file.chmod(0o644)
    config = sync_config(short_tmp, machine.cfg.data_dir, backend, backend.secret_file)
    done = kiosk_command(config, *how, timeout=20)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"chmod 600 {backend.secret_file}" in done.stderr and "Traceback" not in done.stderr
    assert backend.get("heartbeats", kiosk_id=KIOSK)["heartbeats"] == []  # nothing was done
    assert undelivered(machine) == 1 and not (machine.cfg.data_dir / "lookup.sock").exists()


def test_kiosk_sync_once_exits_1_and_says_how_many_events_were_rejected(
    machine: Machine, backend: StandIn, short_tmp: Path
) -> None:
    load(machine)
    load(machine, "000.00.53.H48-220921-0100")
    backend.faults(reject=[CODE])
    config = sync_config(short_tmp, machine.cfg.data_dir, backend, backend.secret_file)
    done = kiosk_command(config, "sync", "--once")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 event(s) were rejected by the backend and kept whole in the dead letters" in done.stdout
    status = kiosk_command(config, "sync", "--status")
    assert f"event 1 (result-loaded, {CODE}) at " in status.stdout
    assert "refused by the province" in status.stdout


# -- a lost or replaced database ----------------------------------------------------------------


def emit_loads(store: Store, first: int, count: int) -> None:
    for n in range(first, first + count):
        code = f"000.00.53.H48-261123-{n:04d}"
        events.emit(store, "result-loaded", actor="officer:CB-0042", dossier_code=code, compartment="A01",
                    pin=f"{n:06d}", token=f"DKP1|t{n}")  # fmt: skip


def plain_worker(store: Store, backend: StandIn) -> SyncWorker:
    section = backend.section()
    return SyncWorker(store, BackendClient(section, KIOSK, clock=store.clock), section, sleep=lambda s: None)


def test_a_lost_database_goes_on_after_the_backends_last_sequence_and_is_flagged(
    backend: StandIn, short_tmp: Path
) -> None:
    data = short_tmp / "kiosk-data"
    data.mkdir()
    before = Store.open(data, kiosk_id=KIOSK)
    emit_loads(before, 1, 3)
    assert plain_worker(before, backend).drain().accepted == 3
    before.close()
    for file in data.iterdir():  # the disk was replaced: the database, its WAL, whatever lay beside it
        file.unlink()
    store = Store.open(data, kiosk_id=KIOSK)
    emit_loads(store, 4, 2)  # numbered 1 and 2 again by the new database
    worker = plain_worker(store, backend)
    done = worker.drain()
    assert (done.accepted, done.rejected) == (3, 0)  # the two, and the alarm
    received = backend.get("events", kiosk_id=KIOSK)["events"]
    assert [(e["seq"], e["status"]) for e in received] == [(n, "accepted") for n in range(1, 7)]
    assert [e["dossier_code"][-4:] for e in received[3:5]] == ["0004", "0005"]
    assert received[5]["kind"] == "alarm" and "history is not whole" in received[5]["payload"]["problem"]
    assert store.db.execute("SELECT COUNT(*) FROM dead_letter").fetchone()[0] == 0
    flag = flags.get(store, flags.HISTORY)
    assert flag is not None and flag.value == "behind-backend" and "renumbered from 4" in flag.detail
    assert {"000004", "000005"} <= {sms["text"].split("Ma PIN: ")[1][:6] for sms in backend.get("sms")["sms"]}
    emit_loads(store, 6, 1)  # new events follow the renumbered ones
    assert store.db.execute("SELECT MAX(seq) FROM outbox").fetchone()[0] == 7
    assert worker.drain().accepted == 1 and backend.get("events", kiosk_id=KIOSK)["events"][-1]["seq"] == 7


def test_another_kiosks_database_put_in_place_never_sends_its_events_as_ours(
    backend: StandIn, short_tmp: Path
) -> None:
    data = short_tmp / "kiosk-data"
    data.mkdir()
    theirs = Store.open(data, kiosk_id="HG-VT-02")
    emit_loads(theirs, 1, 2)  # HG-VT-02's, never delivered
    theirs.close()
    (data / "kiosk-identity.json").unlink()  # as if copied in alone
    store = Store.open(data, kiosk_id=KIOSK)
    flag = flags.get(store, flags.HISTORY)
    assert flag is not None and flag.value == "foreign"
    plain_worker(store, backend).drain()
    received = backend.get("events", kiosk_id=KIOSK)["events"]
    assert [e["kind"] for e in received] == ["alarm"]  # the kiosk's own word that it is so, nothing else
    assert "belongs to another kiosk" in received[0]["payload"]["problem"]


def test_an_event_answered_seq_used_is_renumbered_and_sent_again_not_dead_lettered(
    backend: StandIn, short_tmp: Path
) -> None:
    """Two databases for one kiosk (a copy put back while the worker ran): the numbering was
    checked at start, then the other one delivered under the same numbers."""
    (short_tmp / "a").mkdir()
    (short_tmp / "b").mkdir()
    ours = Store.open(short_tmp / "a", kiosk_id=KIOSK)
    other = Store.open(short_tmp / "b", kiosk_id=KIOSK)
    worker = plain_worker(ours, backend)
    worker.check_sequence()  # the backend has nothing yet: all is well
    emit_loads(other, 1, 3)
    assert plain_worker(other, backend).drain().accepted == 3
    emit_loads(ours, 10, 2)
    first = worker.deliver_batch()
    assert (first.total, first.renumbered) == (0, 2)  # "sequence number already used": not dead letters
    assert ours.db.execute("SELECT COUNT(*) FROM dead_letter").fetchone()[0] == 0
    renumbered = [r[0] for r in ours.db.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert renumbered == [4, 5, 6]  # and the alarm
    assert worker.drain().accepted == 3
    seqs = [(e["seq"], e["dossier_code"]) for e in backend.get("events", kiosk_id=KIOSK)["events"]]
    assert seqs[3:5] == [(4, "000.00.53.H48-261123-0010"), (5, "000.00.53.H48-261123-0011")]
    assert flags.get(ours, flags.HISTORY) is not None
    ours.close()
    other.close()
