"""A hostile backend of the tests' own, on raw sockets (the stand-in is too polite to misbehave at
the byte level): ``Hostile`` on 127.0.0.1 answers each request with what a test scripts (bytes,
pauses, a dribble, a cut), honestly by default; ``Recorder`` on 127.0.0.2 keeps every byte anyone
sends it, so a test can say that nothing went to another host.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

KIOSK = "HG-VT-01"
TOKEN = "hostile-token-0123456789abcdef"
REASONS = {
    200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
    308: "Permanent Redirect", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable",
}  # fmt: skip


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Dribble:
    """``data`` a byte at a time, one every ``every_s``, for at most ``for_s`` (then the cut)."""

    data: bytes
    every_s: float
    for_s: float = 6.0


CUT = object()  # close the connection here
Part = bytes | Pause | Dribble | object
Reply = list[Part]
Handler = Callable[[Request], Reply]


def http_date(moment: datetime | None = None) -> str:
    return format_datetime(moment or datetime.now(UTC), usegmt=True)


def head(status: int, length: int | None, headers: dict[str, str] | None = None,
         content_type: str = "application/json") -> bytes:  # fmt: skip
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Whatever')}", f"Content-Type: {content_type}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    all_headers = {"Date": http_date()} | (headers or {})
    lines += [f"{name}: {value}" for name, value in all_headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    raw = body if isinstance(body, bytes) else json.dumps({} if body is None else body).encode()
    return [head(status, len(raw), headers) + raw]


def raw_header(name: str, value: bytes) -> bytes:
    """A header line of raw bytes (a non-ASCII digit, say), for ``head()``'s callers to splice."""
    return name.encode() + b": " + value + b"\r\n"


class Honest:
    """What a backend that keeps the contract answers: every route the kiosk calls."""

    def __init__(self) -> None:
        token = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
        self.routes: dict[str, Handler] = {
            "POST /oauth/token": lambda r: answer(body=token),
            f"GET /v1/kiosks/{KIOSK}/sequence": lambda r: answer(body={"last_seq": None, "last_uuid": None}),
            f"POST /v1/kiosks/{KIOSK}/events": self.events,
            f"GET /v1/kiosks/{KIOSK}/assignments": lambda r: answer(
                body={"assignments": [], "cursor": "0", "more": False}
            ),
            f"POST /v1/kiosks/{KIOSK}/heartbeat": lambda r: answer(
                body={"server_time": datetime.now(UTC).isoformat()}
            ),
        }

    @staticmethod
    def events(request: Request) -> Reply:
        sent = request.json()["events"]
        return answer(body={"results": [{"uuid": e["uuid"], "status": "accepted"} for e in sent]})

    def __call__(self, request: Request) -> Reply:
        if request.path.startswith("/v1/dossiers/"):
            code = request.path.rsplit("/", 1)[1]
            status = {"code": code, "status": "in-process", "updated_at": "2026-11-23T08:00:00+07:00"}
            return answer(body=status)
        handler = self.routes.get(request.route)
        return handler(request) if handler else answer(404, {"error": "no such route"})


ROUTES = {  # the kiosk's calls by name, as a test names the one it spoils
    "token": "POST /oauth/token",
    "sequence": f"GET /v1/kiosks/{KIOSK}/sequence",
    "events": f"POST /v1/kiosks/{KIOSK}/events",
    "assignments": f"GET /v1/kiosks/{KIOSK}/assignments",
    "dossier": "GET /v1/dossiers/*",
    "heartbeat": f"POST /v1/kiosks/{KIOSK}/heartbeat",
}


def route_of(request: Request) -> str:
    return "GET /v1/dossiers/*" if request.path.startswith("/v1/dossiers/") else request.route


class _Listener:
    def __init__(self, host: str) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.host, self.port = host, self.sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.stopping = threading.Event()
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._guarded, args=(conn,), daemon=True).start()

    def _guarded(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the kiosk went away: some tests make it
            self.serve(conn)

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() at once
        self.sock.close()
        self._thread.join(2)


class Hostile(_Listener):
    def __init__(self) -> None:
        self.honest = Honest()
        self.spoil: dict[str, Handler] = {}  # route (ROUTES' values) -> the reply instead
        self.requests: list[Request] = []
        super().__init__("127.0.0.1")

    def on(self, name: str, handler: Handler) -> None:
        self.spoil[ROUTES[name]] = handler

    def seen(self, name: str) -> list[Request]:
        return [r for r in self.requests if route_of(r) == ROUTES[name]]

    def serve(self, conn: socket.socket) -> None:
        buffer = b""
        while not self.stopping.is_set():
            request, buffer = _read_request(conn, buffer)
            if request is None:
                return
            self.requests.append(request)
            handler = self.spoil.get(route_of(request), self.honest)
            if not _play(conn, handler(request), self.stopping):
                return


class Recorder(_Listener):
    """Takes anything on 127.0.0.2 and keeps it; answers a bland 200 so a client would go on."""

    def __init__(self) -> None:
        self.received = bytearray()
        super().__init__("127.0.0.2")

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(2)
        try:
            while chunk := conn.recv(65536):
                self.received += chunk
                if b"\r\n\r\n" in chunk:
                    conn.sendall(head(200, 2) + b"{}")
        except TimeoutError:
            pass


def _read_request(conn: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
    conn.settimeout(30)
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    top, buffer = buffer.split(b"\r\n\r\n", 1)
    line, *lines = top.decode("latin-1").split("\r\n")
    method, target, _ = line.split(" ", 2)
    headers = {}
    for each in lines:
        name, _, value = each.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buffer) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    path, _, query = target.partition("?")
    return Request(method, path, query, headers, buffer[:length]), buffer[length:]


def _play(conn: socket.socket, reply: Reply, stopping: threading.Event) -> bool:
    """Send the reply's parts; False when the connection is to end."""
    for part in reply:
        if part is CUT:
            return False
        if isinstance(part, Pause):
            stopping.wait(part.seconds)
        elif isinstance(part, Dribble):
            ends = time.monotonic() + part.for_s
            for byte in part.data:
                if time.monotonic() > ends or stopping.wait(part.every_s):
                    return False
                conn.sendall(bytes([byte]))
        elif isinstance(part, bytes):
            conn.sendall(part)
    return True


@dataclass
class Counter:
    """Answers the n-th request with ``replies[n]`` (and honestly once they run out)."""

    replies: list[Reply]
    honest: Handler = field(default_factory=Honest)
    n: int = 0

    def __call__(self, request: Request) -> Reply:
        self.n += 1
        return self.replies[self.n - 1] if self.n <= len(self.replies) else self.honest(request)
