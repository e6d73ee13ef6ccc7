"""The health endpoint ``kiosk sync`` serves on loopback (``[health]``): ``GET /healthz`` (JSON, 200
when the kiosk can serve citizens, 503 when not: kiosk/health.py) and ``GET /metrics``
(Prometheus exposition, sync/health_metrics.py). Anything else is 404 (another method 405).

It must never cost delivery anything, and any local process can connect to it, so:
- it listens on 127.0.0.1 or ::1 only (kiosk/config.py refuses any other host);
- each connection is served in a thread of its own, at most ``MAX_CLIENTS`` at once (more are
  closed at once), each with a total deadline (a client that trickles its request is cut off),
  HTTP/1.0 (no connection is kept open after its answer);
- a Host header other than loopback's is refused (a web page in a browser on this machine, by DNS
  rebinding, cannot read it);
- the database is read on its own connection, each reading bounded in time (SQLite's progress
  handler) and never holding the write lock for more than an empty BEGIN IMMEDIATE;
- a port already taken is said and tried again every ``RETRY_S``, never the end of the sync.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from prometheus_client.exposition import choose_encoder
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import CollectorRegistry

from kiosk import health
from kiosk.clock import Clock
from kiosk.config import HealthSection, KioskConfig
from sync.health_metrics import KioskCollector

log = logging.getLogger("kiosk.sync.health")
MAX_CLIENTS = 8
DEADLINE_S = 5.0  # a whole connection: request, reading, answer
READ_TIMEOUT_S = 2.0  # each read of the request
READING_BUDGET_S = 1.0  # the database's part of one answer
RETRY_S = 30.0
MAX_HEADERS = 32
STATE_NOTE = "health_endpoint"  # in sync_state, for ``kiosk sync --status`` (commands/sync.py)


class DatabaseReader:
    """Its own connection to the kiosk's database, one reading at a time, each bounded in time."""

    def __init__(
        self, path: Path, cfg: KioskConfig, clock: Clock, budget_s: float = READING_BUDGET_S
    ) -> None:
        self.path = path
        self.cfg = cfg
        self.clock = clock
        self.budget_s = budget_s
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def read(self) -> health.Reading:
        with self._lock:
            try:
                conn = self._connection()
            except sqlite3.Error as exc:
                problem = f"the database cannot be opened: {exc}"
                return health.Reading(
                    now=self.clock(), version=health.software_version(), store_problem=problem
                )
            deadline = time.monotonic() + self.budget_s
            conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
            try:
                return health.read(conn, self.cfg, self.clock())
            finally:
                conn.set_progress_handler(None, 0)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # mode=rw: never made if it is missing; a short busy wait: the probe of the write lock
            # gives way to the touch screen's commit
            uri = f"file:{quote(str(self.path))}?mode=rw"
            self._conn = sqlite3.connect(
                uri, uri=True, isolation_level=None, timeout=0.25, check_same_thread=False
            )
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True  # a restart does not wait out TIME_WAIT; a live listener still refuses

    def __init__(
        self, endpoint: HealthEndpoint, address: tuple[str, int], family: socket.AddressFamily
    ) -> None:
        self.address_family = family
        self.endpoint = endpoint
        self.slots = threading.BoundedSemaphore(endpoint.max_clients)
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away or was cut off is nothing for the journal; anything else is a
        fault of ours, said with its traceback (the endpoint serves on)."""
        if isinstance(sys.exc_info()[1], OSError):
            log.debug("health endpoint: a connection ended early", exc_info=True)
        else:
            log.error("health endpoint: a request failed", exc_info=True)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):  # too many at once: this one is closed unanswered
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        cut = threading.Timer(self.endpoint.deadline_s, _cut_off, [request])
        cut.daemon = True
        cut.start()
        try:
            super().process_request_thread(request, client_address)
        finally:
            cut.cancel()
            self.slots.release()


def _cut_off(request: socket.socket) -> None:
    with contextlib.suppress(OSError):  # it ended by itself meanwhile
        request.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = READ_TIMEOUT_S
    server_version = "kiosk-health"
    sys_version = ""
    default_request_version = "HTTP/1.0"  # a status line even for a request that is not HTTP
    # the error's code only: the stock page quotes the request back
    error_message_format = '{"error": %(code)d}\n'
    error_content_type = "application/json"

    def do_GET(self) -> None:
        if len(self.headers) > MAX_HEADERS or not self._loopback_host():
            self._answer(403, "application/json", b'{"error": "loopback only"}\n')
            return
        route = ROUTES.get(urlsplit(self.path).path)
        if route is None:
            self._answer(404, "application/json", b'{"error": "not found; GET /healthz or /metrics"}\n')
            return
        status, content_type, body = route(self.server.endpoint, self.headers.get("Accept", ""))
        self._answer(status, content_type, body)

    def _not_allowed(self) -> None:
        self._answer(405, "application/json", b'{"error": "only GET"}\n', allow=True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _not_allowed

    def _loopback_host(self) -> bool:
        host = self.headers.get("Host")
        if host is None:
            return True  # an HTTP/1.0 client may send none; browsers always do
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.strip("[]").lower() in ("127.0.0.1", "::1", "localhost")

    def _answer(self, status: int, content_type: str, body: bytes, *, allow: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if allow:
            self.send_header("Allow", "GET")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("health endpoint: " + format, *args)  # not on stderr for every scrape


def _healthz(endpoint: HealthEndpoint, accept: str) -> tuple[int, str, bytes]:
    ok, body = health.healthz(endpoint.reader.read(), endpoint.section.stale_s)
    text = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return (200 if ok else 503), "application/json; charset=utf-8", text.encode()


def _metrics(endpoint: HealthEndpoint, accept: str) -> tuple[int, str, bytes]:
    encoder, content_type = choose_encoder(accept)
    return 200, content_type, encoder(endpoint.registry)


ROUTES: dict[str, Callable[[HealthEndpoint, str], tuple[int, str, bytes]]] = {
    "/healthz": _healthz,
    "/metrics": _metrics,
}


class HealthEndpoint:
    def __init__(
        self, cfg: KioskConfig, db_path: Path, clock: Clock, sync_errors: Callable[[], dict[str, int]],
        *, deadline_s: float = DEADLINE_S, max_clients: int = MAX_CLIENTS,
    ) -> None:  # fmt: skip
        self.section: HealthSection = cfg.health
        self.reader = DatabaseReader(db_path, cfg, clock)
        self.deadline_s = deadline_s
        self.max_clients = max_clients
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(KioskCollector(self.reader.read, sync_errors, self.section.stale_s))
        ProcessCollector(registry=self.registry)  # the sync process's own memory and CPU
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._starting = threading.Lock()  # the retry thread and stop() never cross

    @property
    def url(self) -> str:
        return self.section.url or ""

    def start(self) -> None:
        """Listen and serve in a thread; ``OSError`` when the port cannot be had."""
        family = socket.AF_INET6 if ":" in self.section.host else socket.AF_INET
        with self._starting:
            if self._stopped or self._server is not None:
                return
            self._server = _Server(self, (self.section.host, self.section.port), family)
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.25,),
                                            name="health-endpoint", daemon=True)  # fmt: skip
            self._thread.start()

    @property
    def serving(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        with self._starting:
            self._stopped = True
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
                self._server = None
        self.reader.close()


def serve(
    endpoint: HealthEndpoint, notes: dict[str, str], stopping: threading.Event, retry_s: float = RETRY_S
) -> None:
    """Serve now, or keep trying every ``retry_s`` in a thread until ``stopping``; ``notes`` (the
    worker's, written to sync_state by its own thread) says which."""
    if _try(endpoint, notes, retry_s):
        return

    def again() -> None:
        while not stopping.wait(retry_s) and not _try(endpoint, notes, retry_s):
            pass

    threading.Thread(target=again, name="health-start", daemon=True).start()


def _try(endpoint: HealthEndpoint, notes: dict[str, str], retry_s: float) -> bool:
    try:
        endpoint.start()
    except OSError as exc:
        log.error("the health endpoint is not served at %s: %s; trying again every %g s",
                  endpoint.url, exc.strerror or exc, retry_s)  # fmt: skip
        notes[STATE_NOTE] = f"not served at {endpoint.url}: {exc.strerror or exc}"
        return False
    notes[STATE_NOTE] = f"served at {endpoint.url}/healthz and /metrics"
    log.info("health endpoint at %s", endpoint.url)
    return True


def endpoint_for(
    cfg: KioskConfig, db_path: Path, clock: Clock, sync_errors: Callable[[], dict[str, int]]
) -> HealthEndpoint | None:
    """The endpoint ``[health]`` asks for; None when its port is 0."""
    if not cfg.health.port:
        return None
    return HealthEndpoint(cfg, db_path, clock, sync_errors)
