"""Look-ups through the sync process, so that only it holds the backend's secret: the process that
parses strangers' QR codes (the UI's) asks over a Unix socket, ``data_dir/lookup.sock``.

The protocol is one line of JSON each way on a fresh connection, both bounded:
  → {"code": "000.00.53.H48-220921-0099"}
  ← {"status": {code, status, procedure, citizen, kiosk, updated_at}}   the backend's, validated
  ← {"unknown": true}                                                   the backend has no such code
  ← {"error": "unreachable" | "bad-request" | "failed", "detail": "…"}

``LookupService`` (a thread in ``kiosk sync``) has its own BackendClient (a requests session is
not shared between threads), serves one connection at a time, drops a client that sends nothing
or dribbles after ``REQUEST_DEADLINE_S``, and answers anything it is sent without dying.
``StatusFromSync`` (the UI's ``StatusSource``) bounds the whole exchange (connect, send,
receive) by ``lookup_timeout_s``; with no sync process it answers "unreachable" at once, and the
look-up falls back to the cache.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import stat
import threading
import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from kiosk.errors import KioskError
from kiosk.names import masked
from kiosk.status import BackendUnreachable, shown_text
from sync.client import BackendClient, is_dossier_code
from sync.errors import BadAnswer, SyncError
from sync.models import DossierStatus, parse

log = logging.getLogger("kiosk.sync.lookup")
SOCKET_NAME = "lookup.sock"
MAX_REQUEST = 256  # bytes of the request line: {"code": …} with a code of at most 40 characters
MAX_ANSWER = 8192  # bytes of the answer line: the bounded fields, in UTF-8
REQUEST_DEADLINE_S = 1.0  # for the client to send its line, and for it to take the answer
ANSWER_MARGIN_S = 0.25  # the backend's deadline is this much shorter than the UI's, so an
#                         "unreachable" from here reaches the UI before it stops waiting


class LookupServiceError(KioskError):
    """The look-up service cannot listen at its socket."""


class _Closed(Exception):
    """The other end closed, sent too much, or let its deadline pass."""


def read_line(sock: socket.socket, deadline: float, cap: int) -> bytes:
    """One line (without its newline), of at most ``cap`` bytes, before ``deadline``."""
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Closed("the deadline passed")
        sock.settimeout(left)
        try:
            chunk = sock.recv(cap + 1 - len(data))
        except TimeoutError:
            raise _Closed("the deadline passed") from None
        if not chunk:
            raise _Closed("closed before a whole line")
        data += chunk
        if len(data) > cap and b"\n" not in data[: cap + 1]:
            raise _Closed(f"a line longer than {cap} bytes")
    return data.split(b"\n", 1)[0]


def send_line(sock: socket.socket, message: dict[str, Any], deadline: float) -> None:
    view = memoryview(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Closed("the deadline passed")
        sock.settimeout(left)
        try:
            view = view[sock.send(view) :]
        except TimeoutError:
            raise _Closed("the deadline passed") from None


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    code: Annotated[str, Field(max_length=64)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    status: DossierStatus | None = None
    unknown: bool = False
    error: Annotated[str, Field(max_length=40)] | None = None
    detail: Annotated[str, Field(max_length=400)] | None = None


class LookupService:
    def __init__(self, client: BackendClient, path: Path) -> None:
        self.client = client
        self.path = path
        self.timeout_s = client.section.lookup_timeout_s
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._inode: int | None = None
        self._thread: threading.Thread | None = None

    # -- the socket --------------------------------------------------------------------------------

    def start(self) -> None:
        self._listener = _listen(self.path)
        self._inode = self.path.stat().st_ino
        self._thread = threading.Thread(target=self._serve, name="lookup-service", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """From a signal handler: stop serving and stop the backend call in flight."""
        self._stop.set()
        self.client.cancel()

    def stop(self) -> None:
        self.cancel()
        if self._thread is not None:
            self._thread.join(5)
        if self._listener is not None:
            self._listener.close()
        with contextlib.suppress(OSError):  # only our socket: another process's may be there now
            if self._inode is not None and self.path.lstat().st_ino == self._inode:
                self.path.unlink()
        self.client.close()

    def _serve(self) -> None:
        assert self._listener is not None
        self._listener.settimeout(0.5)  # to see the stop flag
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError as exc:
                if self._stop.is_set():
                    return
                log.warning("look-up service: accept failed: %s", exc)
                time.sleep(0.1)
                continue
            with conn:
                self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        try:
            line = read_line(conn, time.monotonic() + REQUEST_DEADLINE_S, MAX_REQUEST)
            answer = self.answer(line)
            send_line(conn, answer, time.monotonic() + REQUEST_DEADLINE_S)
        except (_Closed, OSError) as exc:
            log.info("look-up service: a client dropped: %s", exc)
        except Exception:  # whatever it was, the next client is served
            log.exception("look-up service: a request failed")

    # -- the answer ----------------------------------------------------------------------------

    def answer(self, line: bytes) -> dict[str, Any]:
        try:
            code = parse(_Request, line, "the request").code
        except BadAnswer as exc:
            return {"error": "bad-request", "detail": str(exc)}
        if not is_dossier_code(code):
            return {"error": "bad-request", "detail": "not a dossier code the contract allows"}
        try:
            found = self.client.dossier(code, timeout_s=max(0.1, self.timeout_s - ANSWER_MARGIN_S))
        except SyncError as exc:
            return {"error": "unreachable", "detail": shown_text(str(exc), 300)}
        except Exception:
            log.exception("look-up of a dossier failed")
            return {"error": "failed", "detail": "the sync service failed; see its log"}
        if found is None:
            return {"unknown": True}
        # the UI's process needs the name only masked: it never gets more than it shows
        return {"status": found.model_dump() | {"citizen": masked(found.citizen)}}


def _listen(path: Path) -> socket.socket:
    """Listen at ``path`` (mode 0660: the UI's group may connect), replacing a stale socket."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISSOCK(info.st_mode):
            raise LookupServiceError(f"{path} is there and is not a socket; move it away")
        if _answers(path):
            raise LookupServiceError(f"another kiosk sync already serves look-ups at {path}")
        path.unlink()  # stale: left by a sync that was killed
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        os.chmod(path, 0o660)  # before listen(): nobody can connect in between
        listener.listen(4)
    except OSError as exc:
        listener.close()
        raise LookupServiceError(f"cannot listen at {path}: {exc.strerror or exc}") from exc
    return listener


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


class StatusFromSync:
    """The UI's ``StatusSource``: the sync service's look-up, within ``timeout_s`` in all."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self.path = path
        self.timeout_s = timeout_s

    def dossier_status(self, code: str) -> dict[str, Any] | None:
        if not is_dossier_code(code):
            raise BackendUnreachable("not a dossier code the backend's contract allows; not asked")
        deadline = time.monotonic() + self.timeout_s
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout_s)
                sock.connect(str(self.path))
                send_line(sock, {"code": code}, deadline)
                line = read_line(sock, deadline, MAX_ANSWER)
        except (FileNotFoundError, ConnectionRefusedError):
            raise BackendUnreachable("the sync service is not running") from None
        except (_Closed, OSError) as exc:
            why = f"the sync service did not answer within {self.timeout_s:g} s: {exc}"
            raise BackendUnreachable(why) from None
        found = _status_of(line)
        if found is not None and found.get("code") != code:  # no socket answers for another dossier
            raise BackendUnreachable("the sync service answered about another dossier than the one asked")
        return found


def _status_of(line: bytes) -> dict[str, Any] | None:
    """The service's answer, checked again here: this process trusts no socket."""
    try:
        answer = parse(_Answer, line, "the sync service's answer")
    except BadAnswer as exc:
        raise BackendUnreachable(str(exc)) from None
    if answer.status is not None:
        return answer.status.model_dump()
    if answer.unknown:
        return None
    raise BackendUnreachable(shown_text(answer.detail or answer.error or "the sync service failed", 200))
