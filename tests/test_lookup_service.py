"""Look-ups through the sync process (sync/lookup.py), so the UI's process never holds the
backend's secret: a real Unix socket, the service's thread with its own client against the
stand-in (or a hostile backend), the UI's ``StatusSource``, and ``kiosk sync`` serving it."""

from __future__ import annotations

import json
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import config
from kiosk.assembly import status_source
from kiosk.journeys.lookup import Lookup, LookupJourney
from kiosk.status import BackendUnreachable, look_up, remember
from sync.client import BackendClient, StatusFromBackend
from sync.lookup import REQUEST_DEADLINE_S, LookupService, LookupServiceError, StatusFromSync, _status_of
from sync.models import DossierStatus
from tests.backend import KIOSK, StandIn
from tests.hostile import Dribble, Hostile, head
from tests.machine import Machine
from tests.test_sync import sync_config
from tests.test_sync_models import JSON, as_bytes, near

CODE = "000.00.53.H48-261101-0007"
DOSSIER = {"code": CODE, "status": "needs-documents", "procedure": "Đăng ký hộ kinh doanh",
           "citizen": "Trần Thị Bình"}  # fmt: skip
MARGIN_S = 1.0  # generous: a loaded 2-core machine


@pytest.fixture
def backend(short_tmp: Path) -> Iterator[StandIn]:
    b = StandIn(short_tmp / "sb")
    b.post("dossiers", {"dossiers": [DOSSIER]})
    yield b
    b.stop()


def start_service(path: Path, section: config.BackendSection) -> LookupService:
    service = LookupService(BackendClient(section, KIOSK), path)
    service.start()
    return service


@pytest.fixture
def sock_path(short_tmp: Path) -> Path:
    return short_tmp / "lookup.sock"


@pytest.fixture
def service(backend: StandIn, sock_path: Path) -> Iterator[LookupService]:
    s = start_service(sock_path, backend.section(lookup_timeout_s=2))
    yield s
    s.stop()


def timed_lookup(source: StatusFromSync, code: str = CODE) -> tuple[float, object]:
    start = time.monotonic()
    try:
        found: object = source.dossier_status(code)
    except BackendUnreachable as exc:
        found = exc
    return time.monotonic() - start, found


def exchange(path: Path, raw: bytes, *, wait_s: float = 3) -> bytes:
    """What a stranger on the machine could send the service, and what it answers (b"" if dropped)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(wait_s)
        s.connect(str(path))
        if raw:
            s.sendall(raw)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return got


def test_a_look_up_is_answered_through_the_sync_service(service: LookupService, sock_path: Path) -> None:
    source = StatusFromSync(sock_path, 3)
    found = source.dossier_status(CODE)
    assert found is not None and found["status"] == "needs-documents"
    assert found["procedure"] == DOSSIER["procedure"]
    assert found["citizen"] == "Tr** T** B***"  # the backend forgot to mask it: masked before the socket
    assert set(found) == {"code", "status", "procedure", "citizen", "kiosk", "updated_at"}
    assert source.dossier_status("000.00.53.H48-200101-0001") is None  # the backend does not know it


def test_the_ui_looks_up_through_the_socket_and_never_holds_the_secret(
    machine: Machine, service: LookupService, backend: StandIn, short_tmp: Path
) -> None:
    cfg = config.parse({
        "kiosk": {"id": KIOSK, "data_dir": str(short_tmp)},
        "backend": {"url": backend.url, "client_id": KIOSK, "client_secret_file": str(short_tmp / "nowhere")},
    })  # fmt: skip
    source = status_source(cfg)
    assert isinstance(source, StatusFromSync) and not isinstance(source, StatusFromBackend)
    machine.core.status_source = source
    journey = LookupJourney(machine.core)
    journey.submit_code(CODE)  # answered, though this process could not read the secret file
    assert journey.state is Lookup.ANSWERED and journey.answer is not None
    assert journey.answer.source == "backend" and journey.answer.citizen == "Tr** T** B***"


def test_without_the_sync_process_a_look_up_answers_from_the_cache_at_once(
    machine: Machine, short_tmp: Path
) -> None:
    remember(machine.store, CODE, {"status": "in-process", "procedure": "Đăng ký hộ kinh doanh"})
    nobody = StatusFromSync(short_tmp / "lookup.sock", 3)
    took, found = timed_lookup(nobody)
    assert isinstance(found, BackendUnreachable) and "not running" in str(found) and took < 0.2
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # a socket left by a killed sync
    stale.bind(str(short_tmp / "lookup.sock"))
    stale.close()
    took, found = timed_lookup(nobody)
    assert isinstance(found, BackendUnreachable) and took < 0.2
    answer, reached = look_up(machine.store, KIOSK, CODE, nobody)
    assert not reached and answer is not None and answer.source == "cache"


def test_the_socket_is_0660_replaces_a_stale_one_and_goes_at_exit(backend: StandIn, sock_path: Path) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(sock_path))
    stale.close()
    service = start_service(sock_path, backend.section())
    try:
        assert stat.S_IMODE(sock_path.stat().st_mode) == 0o660
        with pytest.raises(LookupServiceError, match="another kiosk sync already serves look-ups"):
            start_service(sock_path, backend.section())  # a live one is not taken over
        assert StatusFromSync(sock_path, 3).dossier_status(CODE) is not None
    finally:
        service.stop()
    assert not sock_path.exists()
    sock_path.write_text("not a socket")
    with pytest.raises(LookupServiceError, match="is not a socket"):
        start_service(sock_path, backend.section())


def test_a_hung_or_dribbling_sync_process_never_holds_the_core_past_the_timeout(sock_path: Path) -> None:
    hung = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # connects (the backlog), never answers
    hung.bind(str(sock_path))
    hung.listen(4)
    try:
        took, found = timed_lookup(StatusFromSync(sock_path, 1.0))
        assert isinstance(found, BackendUnreachable) and 1.0 - 0.05 <= took < 1.0 + MARGIN_S
    finally:
        hung.close()
    sock_path.unlink()
    dribbler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dribbler.bind(str(sock_path))
    dribbler.listen(4)
    stop = threading.Event()

    def dribble() -> None:
        conn, _ = dribbler.accept()
        with conn:
            while not stop.wait(0.2):
                conn.sendall(b" ")  # an answer that never ends its line

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    try:
        took, found = timed_lookup(StatusFromSync(sock_path, 1.0))
        assert isinstance(found, BackendUnreachable) and took < 1.0 + MARGIN_S
    finally:
        stop.set()
        thread.join(2)
        dribbler.close()


def test_a_slow_backend_behind_the_service_never_holds_the_core_past_the_timeout(
    sock_path: Path, short_tmp: Path
) -> None:
    hostile = Hostile()
    hostile.on("dossier", lambda r: [head(200, 64), Dribble(b" " * 64, 0.3)])
    secret = short_tmp / "secret"
    secret.write_text("s3cret-for-tests\n")
    secret.chmod(0o600)
    section = config.BackendSection.model_validate(
        {"url": hostile.url, "client_id": KIOSK, "client_secret_file": str(secret), "lookup_timeout_s": 1.0}
    )
    service = start_service(sock_path, section)
    try:
        took, found = timed_lookup(StatusFromSync(sock_path, 1.0))
        assert isinstance(found, BackendUnreachable) and took < 1.0 + MARGIN_S
        assert "within the call's 0.75 s" in str(found)  # the service's own answer, before the UI's deadline
    finally:
        service.stop()
        hostile.stop()


STRANGERS = [
    b"",
    b"\n",
    b"not json\n",
    b"[1, 2]\n",
    b'{"code": 5}\n',
    b'{"code": "../../etc/passwd"}\n',
    b'{"code": "{0}{kiosk}%s"}\n',
    b'{"code": "' + b"A" * 1000 + b'"}\n',
    b'{"code": "ab"}\n',
    b'{"code": "000.00.53.H48-261101-0007", "more": 1}\n',
    b"\xff\xfe\x00garbage\n",
    b"x" * 10_000,
    b'{"code": "000.00.53.H48-2611',  # and then nothing: the line never ends
    b"[" * 200 + b"\n",
]


def test_whatever_a_local_stranger_sends_the_service_answers_or_drops_it_and_goes_on(
    service: LookupService, sock_path: Path
) -> None:
    for raw in STRANGERS:
        start = time.monotonic()
        got = exchange(sock_path, raw)
        assert time.monotonic() - start < REQUEST_DEADLINE_S + MARGIN_S
        if got:
            answer = json.loads(got)
            assert answer["error"] == "bad-request" and got.endswith(b"\n"), (raw, got)
    assert StatusFromSync(sock_path, 3).dossier_status(CODE) is not None  # still serving


def test_a_silent_stranger_is_dropped_in_time_for_the_core_to_be_answered(
    service: LookupService, sock_path: Path
) -> None:
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(str(sock_path))  # connects first and sends nothing
    try:
        time.sleep(0.1)
        took, found = timed_lookup(StatusFromSync(sock_path, 3))
        assert isinstance(found, dict) and REQUEST_DEADLINE_S - 0.2 <= took < 3, (took, found)
        assert silent.recv(10) == b""  # it was dropped
    finally:
        silent.close()


def test_kiosk_sync_serves_look_ups_and_removes_its_socket_at_exit(
    machine: Machine, backend: StandIn, short_tmp: Path
) -> None:
    config_file = sync_config(short_tmp, machine.cfg.data_dir, backend, backend.secret_file)
    argv = [sys.executable, "-m", "commands", "--config", str(config_file), "sync"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    path = machine.cfg.data_dir / "lookup.sock"
    try:
        assert proc.stdout is not None and f"look-ups at {path}" in proc.stdout.readline()
        assert stat.S_IMODE(path.stat().st_mode) == 0o660
        found = StatusFromSync(path, 3).dossier_status(CODE)
        assert found is not None and found["status"] == "needs-documents"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=5)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert not path.exists()


def test_a_stranger_on_the_socket_never_stops_event_delivery(
    machine: Machine, backend: StandIn, short_tmp: Path
) -> None:
    """What broke: anything listening on lookup.sock while the sync was down (the UI's user can
    make one there) made kiosk sync refuse to start: no events, no heartbeats, until it went."""
    from tests.test_journey_pickup import load

    load(machine)
    path = machine.cfg.data_dir / "lookup.sock"
    squatter = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    squatter.bind(str(path))
    squatter.listen(1)
    config_file = sync_config(short_tmp, machine.cfg.data_dir, backend, backend.secret_file, idle_s=0.1)
    argv = [sys.executable, "-m", "commands", "--config", str(config_file), "sync"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not backend.get("events", kiosk_id=KIOSK)["events"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [e["kind"] for e in backend.get("events", kiosk_id=KIOSK)["events"]] == ["result-loaded"]
        status = subprocess.run([*argv, "--status"], capture_output=True, text=True, timeout=30)
        assert "look-ups for the touch screen: not served: another kiosk sync already serves" in status.stdout
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
        proc.wait()
        squatter.close()
    assert proc.returncode == 0 and "Traceback" not in err, err


# -- parsing is total at both ends ----------------------------------------------------------------


def refusing_service(tmp: Path) -> LookupService:
    # a client whose every call fails at once: nothing listens on port 9
    section = config.BackendSection.model_validate(
        {"url": "http://127.0.0.1:9", "client_id": "HG-VT-01", "client_secret_file": "/nowhere"}
    )
    return LookupService(BackendClient(section, "HG-VT-01", secret="s3cret"), tmp / "lookup.sock")


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.binary(max_size=300)
    | JSON.map(as_bytes)
    | st.builds(lambda c: as_bytes({"code": c}), JSON)
    | st.just(as_bytes({"code": CODE}))  # well formed: the backend is asked, and cannot be reached
)
def test_the_look_up_service_answers_any_request_with_an_answer(tmp_path: Path, raw: bytes) -> None:
    answer = refusing_service(tmp_path).answer(raw)
    assert set(answer) <= {"status", "unknown", "error", "detail"} and answer
    assert answer.get("error") in ("bad-request", "unreachable")


@settings(max_examples=200)
@given(
    st.binary(max_size=300) | JSON.map(as_bytes) | near(DossierStatus).map(lambda d: as_bytes({"status": d}))
)
def test_the_ui_takes_any_answer_of_the_socket_or_calls_it_unreachable(raw: bytes) -> None:
    try:
        found = _status_of(raw)
    except BackendUnreachable:
        return
    assert found is None or set(found) == set(DossierStatus.model_fields)
