"""A total deadline for every HTTP call, and a way to cancel one half-way.

requests only knows per-read timeouts: a body dribbled a byte a second keeps a call alive for
ever. Here every connection's socket is wrapped, once connected (and after its TLS handshake),
in ``DeadlineSocket``: each receive and send waits at most until the deadline of the call being
made, in slices of half a second, so a cancel (SIGTERM) is seen within a slice. The TCP connect
and the TLS handshake are bounded by the connect timeout and by what is left of the deadline
(CPython bounds a whole handshake by the socket's timeout); the name is resolved in a thread of
its own, within the deadline too (the C library's resolver has no timeout of ours). A deadline
passed or a cancel is a ``TimeoutError`` from the socket, which urllib3 and requests report in
their usual way; the client tells which it was from ``Deadline``. Connections are reused as
before: the wrapper stays on the pooled connection and follows whichever call uses it next.

``hardened_session()`` builds the client's session: these adapters, no redirect ever followed
(not even looked at: requests reads a redirect's whole body to prepare the next request), and
nothing taken from the environment (proxies, ``.netrc`` credentials, ``REQUESTS_CA_BUNDLE``), no
cookie kept.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import io
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

SLICE_S = 0.5  # how often a waiting call looks at the cancel flag


class Deadline:
    """The end of the call a client is making (one call at a time: a session is not shared
    between threads), and the flag that cancels it from anywhere (a signal handler, another
    thread)."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._ends: float | None = None
        self.seconds = 0.0
        self.last_active = time.monotonic()  # when a call last began or ended (sync/liveness.py)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def passed(self) -> bool:
        return self._ends is not None and time.monotonic() >= self._ends

    @property
    def ends(self) -> float | None:
        """When the call running now must be over (``time.monotonic()``); None between calls."""
        return self._ends

    @contextlib.contextmanager
    def running(self, seconds: float) -> Iterator[None]:
        """A call of ``seconds`` in all; one inside another keeps the outer's deadline."""
        if self._ends is not None:
            yield
            return
        self.last_active = time.monotonic()
        self._ends, self.seconds = self.last_active + seconds, seconds
        try:
            yield
        finally:
            self._ends = None
            self.last_active = time.monotonic()

    def left(self) -> float:
        """Seconds left for the call; TimeoutError when none are, when it was cancelled, or
        when no call is running (a socket is never used outside one: fail closed)."""
        if self._cancelled.is_set():
            raise TimeoutError("the call was cancelled")
        if self._ends is None:
            raise TimeoutError("no call is running")
        left = self._ends - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the call's deadline of {self.seconds:g} s passed")
        return left


class DeadlineSocket:
    """A connected socket (plain or TLS) whose every wait ends at the deadline of the call."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def _wait(self, operation: Any, *args: Any) -> Any:
        while True:
            self._sock.settimeout(min(self._deadline.left(), SLICE_S))
            try:
                return operation(*args)
            except TimeoutError:
                continue  # a slice ended, not the call: look at the deadline and the flag again

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        if nbytes or flags:
            return int(self._wait(self._sock.recv_into, buffer, nbytes, flags))
        return int(self._wait(self._sock.recv_into, buffer))

    def recv(self, size: int, flags: int = 0) -> bytes:
        return bytes(self._wait(self._sock.recv, size, *([flags] if flags else [])))

    def send(self, data: Any, flags: int = 0) -> int:
        return int(self._wait(self._sock.send, data, *([flags] if flags else [])))

    def sendall(self, data: Any, flags: int = 0) -> None:
        view = memoryview(data).cast("B")
        while view:
            view = view[self.send(view, flags) :]

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        if mode != "rb":  # http.client reads answers through makefile("rb"), and nothing else
            raise ValueError(f"a DeadlineSocket reads only in binary (not {mode!r})")
        return io.BufferedReader(_Reader(self))

    def settimeout(self, value: float | None) -> None:
        pass  # urllib3 sets its per-read timeout here; the deadline decides each wait instead

    def gettimeout(self) -> float | None:
        return self._sock.gettimeout()

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:  # shutdown, getpeercert, version, …: the socket's own
        return getattr(self._sock, name)


class _Reader(io.RawIOBase):
    def __init__(self, sock: DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)


def _bounded(timeout: object, deadline: Deadline) -> float:
    """The connect timeout, cut to what is left of the call."""
    left = deadline.left()
    return min(float(timeout), left) if isinstance(timeout, int | float) else left


def resolve(host: str, port: int, deadline: Deadline) -> list[str]:
    """The backend's addresses, within the call's deadline: the C library's resolver has no
    timeout of ours, so it runs in a thread of its own, which is left to the resolver's own
    timeouts when the deadline passes (or SIGTERM cancels) first."""
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    found: list[Any] = []

    def ask() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            found.append(exc)

    asking = threading.Thread(target=ask, name="resolve", daemon=True)
    asking.start()
    while asking.is_alive():
        try:
            left = deadline.left()
        except TimeoutError:
            raise TimeoutError(f"the name {host} was not resolved within the call's deadline") from None
        asking.join(min(SLICE_S, left))
    if isinstance(found[0], OSError):
        raise socket.gaierror(str(found[0]))
    addresses = list(dict.fromkeys(info[4][0] for info in found[0]))
    return sorted(addresses, key=lambda a: ":" in a)  # IPv4 first: the likelier to be routed


def _connect(conn: HTTPConnection, deadline: Deadline, connect: Any) -> socket.socket:
    """``connect`` (urllib3's) to each of the host's addresses in turn, the name resolved once,
    within the deadline; ``conn.host`` stays the name, for TLS."""
    conn.timeout = _bounded(conn.timeout, deadline)
    try:
        addresses = resolve(conn._dns_host, conn.port, deadline)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    except TimeoutError as exc:
        raise ConnectTimeoutError(conn, str(exc)) from exc
    name = conn._dns_host
    last: BaseException | None = None
    try:
        for address in addresses:
            conn._dns_host = address
            conn.timeout = _bounded(conn.timeout, deadline)
            try:
                sock: socket.socket = connect()
                return sock
            except (ConnectTimeoutError, NewConnectionError) as exc:
                last = exc
                if deadline.passed:
                    break
    finally:
        conn._dns_host = name
    assert last is not None
    raise last


class _Plain(HTTPConnection):
    deadline: Deadline  # set on the per-client subclass

    def _new_conn(self) -> socket.socket:
        return _connect(self, self.deadline, super()._new_conn)

    def connect(self) -> None:
        super().connect()
        self.sock = DeadlineSocket(self.sock, self.deadline)


class _TLS(HTTPSConnection):
    deadline: Deadline

    def _new_conn(self) -> socket.socket:
        sock = _connect(self, self.deadline, super()._new_conn)
        try:  # the handshake that follows is bounded as a whole by this timeout
            sock.settimeout(_bounded(self.timeout, self.deadline))
        except TimeoutError:
            sock.close()
            raise
        return sock

    def connect(self) -> None:
        super().connect()
        self.sock = DeadlineSocket(self.sock, self.deadline)


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections whose sockets keep ``deadline``; no retries (the
    worker decides those)."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **kw: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **kw)
        plain = type("DeadlineHTTPConnection", (_Plain,), {"deadline": self.deadline})
        tls = type("DeadlineHTTPSConnection", (_TLS,), {"deadline": self.deadline})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("DeadlineHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("DeadlineHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": tls}),
        }


class _NoRedirects(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None  # no call follows a redirect, whatever it is asked: the client refuses 3xx


def hardened_session(deadline: Deadline) -> requests.Session:
    session = _NoRedirects()
    session.trust_env = False  # no $HTTPS_PROXY, $ALL_PROXY, ~/.netrc or $REQUESTS_CA_BUNDLE
    session.proxies = {}
    # the contract has no cookies: none kept, so none grows every later request
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.max_redirects = 0
    adapter = DeadlineAdapter(deadline)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
