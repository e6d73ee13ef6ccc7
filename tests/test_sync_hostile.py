"""The sync against a hostile backend (tests/hostile.py, raw sockets on loopback): redirects on
every path, slow headers and bodies, cut bodies, numbers out of range, format characters, odd
dates and Retry-After values, CR/LF in a token, an endless feed, SIGTERM mid-request.

Each test says what another host received (nothing), what the outbox says, and how long the call
took against its deadline (short deadlines, generous margins for a loaded CI machine)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from kiosk import events
from kiosk.config import BackendSection
from kiosk.status import BackendUnreachable
from kiosk.store import Store
from sync.client import BackendClient, StatusFromBackend, backoff
from sync.errors import BadAnswer, ServerBusy, Unreachable
from sync.worker import SyncWorker
from tests.hostile import (
    CUT,
    KIOSK,
    ROUTES,
    TOKEN,
    Counter,
    Dribble,
    Hostile,
    Recorder,
    Reply,
    Request,
    answer,
    head,
)
from tests.test_sync import sync_config

CODE = "000.00.53.H48-220921-0099"
SECRET = "hostile-secret-for-tests-only"
PIN, QR, PHONE = "482913", "DKP1|qr-token-secret", "0987654321"
DEADLINE_S = 1.5  # connect_timeout_s + read_timeout_s below
LOOKUP_S = 1.0
MARGIN_S = 1.0  # a loaded 2-core machine may be slow to wake a thread; a dribble takes minutes


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    h = Hostile()
    yield h
    h.stop()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    r = Recorder()
    yield r
    r.stop()


@pytest.fixture
def secret_file(short_tmp: Path) -> Path:
    path = short_tmp / "backend-secret"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def store(short_tmp: Path) -> Iterator[Store]:
    data = short_tmp / "data"
    data.mkdir()
    s = Store.open(data, kiosk_id=KIOSK)
    yield s
    s.close()


@pytest.fixture
def core(store: Store) -> Iterator[Store]:
    """The same database through its own connection, as the core's process has it: the test
    thread writes and reads through this while the worker's thread uses ``store``."""
    s = Store.open(store.path.parent, kiosk_id=KIOSK)
    yield s
    s.close()


@dataclass
class Kiosk:
    store: Store
    client: BackendClient
    worker: SyncWorker
    section: BackendSection


def section_for(url: str, secret_file: Path, **changes: Any) -> BackendSection:
    raw = {
        "url": url, "client_id": KIOSK, "client_secret_file": str(secret_file), "connect_timeout_s": 0.5,
        "read_timeout_s": 1.0, "lookup_timeout_s": LOOKUP_S, "max_backoff_s": 2.0, "idle_s": 0.1,
    } | changes  # fmt: skip
    return BackendSection.model_validate(raw)


@pytest.fixture
def kiosk(hostile: Hostile, store: Store, secret_file: Path) -> Kiosk:
    section = section_for(hostile.url, secret_file)
    client = BackendClient(section, KIOSK, clock=store.clock)
    return Kiosk(store, client, SyncWorker(store, client, section, sleep=lambda s: None), section)


def queue(store: Store) -> None:
    """Two events with every secret the outbox carries: a PIN, a pickup token, a phone number."""
    events.emit(store, "result-loaded", actor="officer:CB-0042", dossier_code=CODE, compartment="A01",
                pin=PIN, token=QR)  # fmt: skip
    events.emit(store, "dossier-deposited", actor="citizen", dossier_code="000.00.53.H48-261123-0005",
                compartment="A02", phone=PHONE, procedure="1.001234")  # fmt: skip


def undelivered(store: Store) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0])


def timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    start = time.monotonic()
    try:
        call()
    except Exception as exc:
        return time.monotonic() - start, exc
    return time.monotonic() - start, None


CALLS: dict[str, Callable[[Kiosk], object]] = {  # the kiosk's call that meets each route first
    "token": lambda k: k.worker.send_heartbeat(),
    "sequence": lambda k: k.worker.deliver_batch(),
    "events": lambda k: k.worker.deliver_batch(),
    "assignments": lambda k: k.worker.pull_assignments(),
    "dossier": lambda k: k.client.dossier(CODE),
    "heartbeat": lambda k: k.worker.send_heartbeat(),
}


# -- 1. redirects, and the environment -----------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("name", list(ROUTES))
def test_no_call_follows_a_redirect_and_nothing_goes_to_the_other_host(
    kiosk: Kiosk, hostile: Hostile, recorder: Recorder, name: str, status: int
) -> None:
    queue(kiosk.store)

    def elsewhere(r: Request) -> Reply:
        return answer(status, {"error": "moved"}, {"Location": f"{recorder.url}{r.path}?{r.query}"})

    hostile.on(name, elsewhere)
    took, error = timed(lambda: CALLS[name](kiosk))
    assert isinstance(error, BadAnswer) and "redirect" in str(error) and error.retry, error
    assert bytes(recorder.received) == b""  # not a byte: no PIN, token, phone or secret
    assert undelivered(kiosk.store) == 2
    assert took < MARGIN_S


def test_no_proxy_netrc_or_ca_bundle_is_taken_from_the_environment(
    kiosk: Kiosk, hostile: Hostile, recorder: Recorder, short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, recorder.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    netrc = short_tmp / "netrc"
    netrc.write_text("machine 127.0.0.1\nlogin netrc-user\npassword netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(short_tmp / "no-such-bundle.pem"))
    queue(kiosk.store)
    assert kiosk.worker.drain().accepted == 2
    assert bytes(recorder.received) == b""
    assert [r.headers.get("authorization") for r in hostile.seen("token")] == [None]  # no netrc login
    assert {r.headers.get("authorization") for r in hostile.seen("events")} == {f"Bearer {TOKEN}"}


def test_a_cookie_the_backend_sets_is_never_sent_back(kiosk: Kiosk, hostile: Hostile) -> None:
    cookie = {"Set-Cookie": "tracker=" + "x" * 3000 + "; Path=/"}
    status = {"code": CODE, "status": "finished", "updated_at": "2026-11-23T08:00:00Z"}
    hostile.on("dossier", lambda r: answer(body=status, headers=cookie))
    kiosk.client.dossier(CODE)
    kiosk.worker.send_heartbeat()
    assert all("cookie" not in r.headers for r in hostile.requests)


# -- 4. deadlines --------------------------------------------------------------------------------

HEADERS = b"Content-Type: application/json\r\nX-Pad: " + b"x" * 40
SLOW: dict[str, Callable[[Request], Reply]] = {
    "headers": lambda r: [b"HTTP/1.1 200 OK\r\n", Dribble(HEADERS, 0.5)],
    "body": lambda r: [head(200, 64), Dribble(b" " * 64, 0.5)],
}


@pytest.mark.parametrize("slow", list(SLOW))
@pytest.mark.parametrize("name", ["token", "events", "dossier"])
def test_a_dribbling_server_is_stopped_at_the_calls_deadline(
    kiosk: Kiosk, hostile: Hostile, name: str, slow: str
) -> None:
    queue(kiosk.store)
    hostile.on(name, SLOW[slow])
    if name == "dossier":  # the look-up: a person waits at the screen, with its own deadline
        took, error = timed(lambda: StatusFromBackend(kiosk.client).dossier_status(CODE))
        assert isinstance(error, BackendUnreachable), error
        deadline = LOOKUP_S
    else:
        took, error = timed(lambda: CALLS[name](kiosk))
        assert isinstance(error, Unreachable), error
        deadline = DEADLINE_S
    assert deadline - 0.1 <= took < deadline + MARGIN_S
    assert undelivered(kiosk.store) == 2
    hostile.spoil.clear()  # the backend mends: the next round goes through, on a new connection
    assert kiosk.worker.drain().accepted == 2


def test_a_deadline_leaves_the_connection_reusable(kiosk: Kiosk, hostile: Hostile) -> None:
    for _ in range(3):
        kiosk.worker.send_heartbeat()
    assert hostile.connections == 1  # the deadline socket stays on the pooled connection


CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
CUTS: dict[str, Callable[[Request], Reply]] = {
    "content-length": lambda r: [head(200, 500) + b'{"results": [', CUT],
    "chunked": lambda r: [CHUNKED + b'40\r\n{"results": [', CUT],
    "chunk size": lambda r: [CHUNKED + b"zz\r\n{}", CUT],
}


@pytest.mark.parametrize("cut", list(CUTS))
def test_a_body_cut_short_is_unreachable_and_the_events_stay(
    kiosk: Kiosk, hostile: Hostile, cut: str
) -> None:
    queue(kiosk.store)
    hostile.on("events", CUTS[cut])
    took, error = timed(kiosk.worker.deliver_batch)
    assert isinstance(error, Unreachable), error
    assert undelivered(kiosk.store) == 2 and took < MARGIN_S


# -- 3. values from the backend are bounded ---------------------------------------------------------

GOOD_ASSIGNMENT = {"dossier_code": CODE, "procedure": "Cấp Phiếu lý lịch tư pháp", "fee_due": 200000,
                   "hold_days": 30, "size_hint": "S", "active": True, "citizen": "Ng*** V** A*"}  # fmt: skip
OUT_OF_RANGE = [
    *[("token", "expires_in", v) for v in (0, -1, 10**12, 3600.5, "3600", True)],
    *[("assignments", "fee_due", v) for v in (-1, 10**12 + 1, "200000")],
    *[("assignments", "hold_days", v) for v in (0, 3651, 10**12, 30.0)],
    *[("sequence", "last_seq", v) for v in (0, -1, 2**53, "7")],
]


def spoiled(name: str, changes: dict[str, Any]) -> Callable[[Request], Reply]:
    bodies: dict[str, dict[str, Any]] = {
        "token": {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600},
        "sequence": {"last_seq": 7, "last_uuid": "00000000-0000-4000-8000-000000000007"},
        "assignments": {"assignments": [GOOD_ASSIGNMENT | changes], "cursor": "1", "more": False},
        "dossier": {"code": CODE, "status": "finished", "procedure": "Đăng ký khai sinh",
                    "citizen": None, "kiosk": "HG-VT-02", "updated_at": "2026-11-23T08:00:00+07:00"},
        "events": {},
    }  # fmt: skip
    body = bodies[name] if name == "assignments" else bodies[name] | changes
    return lambda r: answer(body=body)


@pytest.mark.parametrize(("name", "field", "value"), OUT_OF_RANGE)
def test_a_number_out_of_its_bounds_refuses_the_whole_answer(
    kiosk: Kiosk, hostile: Hostile, name: str, field: str, value: object
) -> None:
    queue(kiosk.store)
    hostile.on(name, spoiled(name, {field: value}))
    _, error = timed(lambda: CALLS[name](kiosk))
    assert isinstance(error, BadAnswer) and error.retry, error
    db = kiosk.store.db
    assert db.execute("SELECT COUNT(*) FROM assignment").fetchone()[0] == 0  # nothing of it taken
    assert db.execute("SELECT COUNT(*) FROM sync_state WHERE key = 'assignments_cursor'").fetchone()[0] == 0
    assert undelivered(kiosk.store) == 2 and not hostile.seen("heartbeat")


def test_a_page_longer_than_the_limit_asked_is_refused(kiosk: Kiosk, hostile: Hostile) -> None:
    many = [GOOD_ASSIGNMENT | {"dossier_code": f"000.00.53.H48-261123-{n:04d}"} for n in range(201)]
    hostile.on("assignments", lambda r: answer(body={"assignments": many, "cursor": "9", "more": False}))
    _, error = timed(kiosk.worker.pull_assignments)
    assert isinstance(error, BadAnswer), error
    assert "limit=200" in hostile.seen("assignments")[0].query
    assert kiosk.store.db.execute("SELECT COUNT(*) FROM assignment").fetchone()[0] == 0


FORMAT = "{kiosk} {0} %s %(x)s }{"
PATTERNED = [
    ("dossier", "status", "{0}"), ("dossier", "status", "%s"), ("dossier", "code", "{kiosk}"),
    ("dossier", "kiosk", "{kiosk}"), ("dossier", "updated_at", "{}"),
    ("dossier", "updated_at", "2026-11-23T08:00:00"), ("dossier", "updated_at", "2026-02-31T08:00:00Z"),
    ("assignments", "dossier_code", "{0}-220921-0099"), ("assignments", "size_hint", "{"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "field", "value"), PATTERNED)
def test_format_characters_where_the_contract_has_a_pattern_are_refused(
    kiosk: Kiosk, hostile: Hostile, name: str, field: str, value: str
) -> None:
    hostile.on(name, spoiled(name, {field: value}))
    _, error = timed(lambda: CALLS[name](kiosk))
    assert isinstance(error, BadAnswer), error
    assert kiosk.store.db.execute("SELECT COUNT(*) FROM assignment").fetchone()[0] == 0


def test_format_characters_in_free_text_are_kept_as_data(kiosk: Kiosk, hostile: Hostile) -> None:
    from kiosk.status import look_up

    hostile.on("assignments", spoiled("assignments", {"procedure": FORMAT, "citizen": FORMAT}))
    kiosk.worker.pull_assignments()
    assert kiosk.store.db.execute("SELECT procedure FROM assignment").fetchone()[0] == FORMAT
    hostile.on("dossier", spoiled("dossier", {"procedure": FORMAT, "citizen": FORMAT}))
    found, reached = look_up(kiosk.store, KIOSK, CODE, StatusFromBackend(kiosk.client))
    assert reached and found is not None and found.procedure == FORMAT
    assert found.words()[1] == "The result is waiting at kiosk HG-VT-02"
    queue(kiosk.store)
    refused = {"status": "rejected", "code": "refused", "reason": FORMAT}
    hostile.on("events", lambda r: answer(body={"results": [
        {"uuid": e["uuid"]} | refused for e in r.json()["events"]
    ]}))  # fmt: skip
    kiosk.worker.deliver_batch()
    reasons = [r[0] for r in kiosk.store.db.execute("SELECT reason FROM dead_letter")]
    assert reasons == [FORMAT, FORMAT]
    alarms = [json.loads(r[0])["problem"] for r in kiosk.store.db.execute(
        "SELECT payload FROM outbox WHERE kind = 'alarm'")]  # fmt: skip
    assert all(a.endswith(FORMAT) for a in alarms) and len(alarms) == 2


# -- 5. headers: dates, Retry-After, a token with CR/LF ------------------------------------------

DATES = ["Mon, 23 Nov 2026 08:00:00", "Mon, 23 Nov 2026 08:00:00 -0000", "Mon, 23 Nov 2026 08:00:00 +0700",
         "garbage", "Tue, 31 Feb 2026 08:00:00 GMT", "Mon, 23 Nov 99999 08:00:00 GMT", ""]  # fmt: skip


@pytest.mark.parametrize("date", DATES)
def test_a_date_header_without_a_zone_or_garbage_leaves_the_skew_unmeasured(
    kiosk: Kiosk, hostile: Hostile, date: str
) -> None:
    hostile.on("heartbeat", lambda r: answer(body={"server_time": "2026-11-23T08:00:00+07:00"},
                                             headers={"Date": date}))  # fmt: skip
    kiosk.client.dossier(CODE)  # measured on an honest Date
    assert kiosk.client.skew_s is not None
    kiosk.client.skew_s = None
    kiosk.worker.send_heartbeat()
    assert kiosk.client.skew_s is None


RETRY_AFTER = [b"\xd9\xa3", b"\xb2", b"99999999999", b"-1", b"Fri, 31 Dec 9999 23:59:59 GMT", b"1e3",
               b"\xef\xbc\x97", b"1"]  # fmt: skip


@pytest.mark.parametrize("value", RETRY_AFTER)
def test_odd_retry_after_values_are_ignored_or_capped(kiosk: Kiosk, hostile: Hostile, value: bytes) -> None:
    body = b'{"error": "busy"}'
    top = head(503, len(body)).replace(b"\r\n\r\n", b"\r\nRetry-After: " + value + b"\r\n\r\n")
    hostile.on("token", lambda r: [top + body])
    _, error = timed(kiosk.worker.send_heartbeat)
    assert isinstance(error, ServerBusy), error
    cap = kiosk.section.max_backoff_s
    wait = error.retry_after
    assert wait is None or 0 <= wait <= cap
    assert wait == 1 or value != b"1"  # the one honest value, taken
    assert backoff(1, cap, random.Random(1), wait) <= cap  # threading.Event.wait(1e11) overflows


def test_a_token_with_cr_lf_is_refused_and_never_sent(kiosk: Kiosk, hostile: Hostile) -> None:
    forged = "abcdefghijklmnop\r\nX-Injected: yes"
    token = {"access_token": forged, "token_type": "Bearer", "expires_in": 3600}
    hostile.on("token", lambda r: answer(body=token))
    _, error = timed(kiosk.worker.send_heartbeat)
    assert isinstance(error, BadAnswer), error
    assert not hostile.seen("heartbeat") and all("x-injected" not in r.headers for r in hostile.requests)


# -- 5 and 6. the worker survives, bounds its work, and stops ----------------------------------------


class Running:
    """``SyncWorker.run`` in a thread, as ``kiosk sync`` runs it, with a stop flag."""

    def __init__(self, worker: SyncWorker) -> None:
        self.stop = threading.Event()
        self.waits: list[float] = []
        self.worker = worker
        worker.sleep = self._sleep
        self.thread = threading.Thread(target=worker.run, args=(self.stop.is_set,), daemon=True)
        self.thread.start()

    def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.stop.wait(min(seconds, 0.05))

    def until(self, condition: Callable[[], bool], within_s: float) -> bool:
        ends = time.monotonic() + within_s
        while time.monotonic() < ends:
            if condition():
                return True
            time.sleep(0.02)
        return condition()

    def end(self) -> float:
        start = time.monotonic()
        self.stop.set()
        self.thread.join(5)
        return time.monotonic() - start

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()  # before the store closes under it, whatever the test found


def test_no_exception_of_a_round_ends_the_worker_and_each_is_recorded(
    kiosk: Kiosk, core: Store, hostile: Hostile, short_tmp: Path
) -> None:
    queue(core)
    good = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
    body = b'{"error": "busy"}'
    hostile.on("token", Counter([
        [head(503, len(body)).replace(b"\r\n\r\n", b"\r\nRetry-After: \xb2\r\n\r\n") + body],
        answer(503, {"error": "busy"}, {"Retry-After": "99999999999"}),
        answer(body=good | {"access_token": "abcdefghijklmnop\r\nX-Injected: yes"}),
        [CHUNKED + b"40\r\n{", CUT],
        answer(body=good, headers={"Date": "Mon, 23 Nov 2026 08:00:00"}),
    ]))  # fmt: skip
    with Running(kiosk.worker) as running:
        assert running.until(lambda: undelivered(core) == 0 and bool(hostile.seen("heartbeat")), 10)
        assert running.thread.is_alive()
        assert max(running.waits) <= kiosk.section.max_backoff_s
        last = hostile.seen("heartbeat")[-1].json()["last_error"]
        assert last["kind"] == "Unreachable" and last["request"] == "POST /oauth/token", last
        assert running.end() < 2 and not running.thread.is_alive()
    config = short_tmp / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "{KIOSK}"\ndata_dir = "{kiosk.store.path.parent}"\n\n[backend]\n'
        f'url = "{hostile.url}"\nclient_id = "{KIOSK}"\nclient_secret_file = "/nowhere"\n'
    )
    from commands.main import main

    out = StringIO()
    main(["--config", str(config), "sync", "--status"], out=out)
    assert "last error: Unreachable in POST /oauth/token at " in out.getvalue(), out.getvalue()


def test_an_endless_assignments_feed_neither_starves_events_nor_outlives_a_stop(
    kiosk: Kiosk, core: Store, hostile: Hostile
) -> None:
    def more(r: Request) -> Reply:
        since = dict(p.split("=", 1) for p in r.query.split("&") if "=" in p).get("since", "0")
        return answer(body={"assignments": [], "cursor": str(int(since) + 1), "more": True})

    hostile.on("assignments", more)
    kiosk.worker.section = kiosk.section.model_copy(update={"heartbeat_s": 0.01})
    queue(core)
    with Running(kiosk.worker) as running:
        assert running.until(lambda: undelivered(core) == 0, 3)
        queue(core)  # events that come while the feed never ends go out the next round
        assert running.until(lambda: undelivered(core) == 0, 3)
        assert running.end() < 2 and not running.thread.is_alive()
    runs, run = [], 0  # assignment pages between two other requests: one round's
    for r in hostile.requests:
        run = run + 1 if r.path.endswith("/assignments") else 0
        runs.append(run)
    assert 0 < max(runs) <= 5


def test_sigterm_ends_kiosk_sync_in_the_middle_of_a_slow_request(
    hostile: Hostile, store: Store, secret_file: Path, short_tmp: Path
) -> None:
    queue(store)
    hostile.on("events", lambda r: [head(200, 100), Dribble(b" " * 100, 0.5, for_s=30)])
    config = sync_config(short_tmp, store.path.parent, hostile.url, secret_file, read_timeout_s=60)
    argv = [sys.executable, "-m", "commands", "--config", str(config), "sync"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ends = time.monotonic() + 15
        while not hostile.seen("events") and time.monotonic() < ends:
            time.sleep(0.05)
        assert hostile.seen("events"), "kiosk sync never sent the events"
        time.sleep(0.5)  # in the dribble now
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=5)
        took = time.monotonic() - sent
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert took < 3, took
    assert undelivered(store) == 2


# -- the backend and the numbering --------------------------------------------------------------------


def test_a_last_sequence_at_the_contracts_ceiling_never_renumbers_past_it(
    hostile: Hostile, kiosk: Kiosk
) -> None:
    """What broke: one answer of last_seq = 2^53-1 renumbered the waiting events past the
    contract's maximum, and no conforming backend could take an event of this kiosk again."""
    queue(kiosk.store)
    ceiling = {"last_seq": 2**53 - 1, "last_uuid": "00000000-0000-4000-8000-000000000001"}
    hostile.on("sequence", lambda r: answer(body=ceiling))
    with pytest.raises(BadAnswer, match="leaves no room"):
        kiosk.worker.deliver_batch()
    assert [r[0] for r in kiosk.store.db.execute("SELECT seq FROM outbox ORDER BY seq")] == [1, 2]
    events.emit(kiosk.store, "alarm", actor="kiosk", problem="next")
    assert kiosk.store.db.execute("SELECT MAX(seq) FROM outbox").fetchone()[0] == 3
    assert kiosk.store.db.execute("SELECT COUNT(*) FROM kiosk_flag").fetchone()[0] == 0


def test_a_seq_used_answer_the_backends_own_sequence_contradicts_changes_nothing(
    hostile: Hostile, kiosk: Kiosk
) -> None:
    """What broke: a backend answering "seq-used" while its own /sequence said it had nothing took
    the kiosk out of service (the history flag) and renumbered every round, unseen by --status."""
    queue(kiosk.store)

    def used(request: Request) -> Reply:
        sent = request.json()["events"]
        results = [
            {"uuid": e["uuid"], "status": "rejected", "code": "seq-used", "reason": "used"} for e in sent
        ]
        return answer(body={"results": results})

    hostile.on("events", used)
    for _ in range(3):
        with pytest.raises(BadAnswer, match="yet the last event it says it accepted is this kiosk's own"):
            kiosk.worker.deliver_batch()
    assert [r[0] for r in kiosk.store.db.execute("SELECT seq FROM outbox ORDER BY seq")] == [1, 2]
    assert undelivered(kiosk.store) == 2
    assert kiosk.store.db.execute("SELECT COUNT(*) FROM kiosk_flag").fetchone()[0] == 0


def test_a_resolver_that_never_answers_is_within_the_deadline_too(
    secret_file: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the attacker review did: a DNS server that never answers held a look-up with a 2 s
    deadline for 10 s, and SIGTERM's cancel was not seen meanwhile. The resolver here is the C
    library's getaddrinfo, made to hang as a blackholed DNS server makes it (a real one needs a
    mount namespace to replace /etc/resolv.conf, which a CI runner may not grant)."""
    import socket as sockets

    hung = threading.Event()

    def no_answer(*args: Any, **kwargs: Any) -> Any:
        hung.wait(30)  # the resolver's own timeouts, far past the deadline
        raise sockets.gaierror("no answer")

    monkeypatch.setattr(sockets, "getaddrinfo", no_answer)
    section = section_for("http://localhost:9", secret_file)
    client = BackendClient(section, KIOSK, clock=store.clock, secret=SECRET)
    took, error = timed(lambda: client.heartbeat({}))
    hung.set()
    assert isinstance(error, Unreachable), error
    assert took < DEADLINE_S + MARGIN_S, took
