"""The backend client (sync/openapi.yaml) over requests: one hardened session (sync/deadline.py: a
total deadline on every call, no redirect followed, nothing from the environment), OAuth2
client-credentials tokens refreshed before they expire (and once on a 401), answers read with a
size cap and taken only whole and within their bounds (sync/models.py), the clock skew against
the server's ``Date`` measured.

Each call has one deadline for everything it does (the token it may need, connect, TLS, request,
headers, body): ``connect_timeout_s + read_timeout_s``, or its own (a look-up's
``lookup_timeout_s``). Retrying is the caller's (the worker's) business, with ``backoff()``: full
jitter, capped, and never sooner than a ``Retry-After`` (itself capped).
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
import urllib3

from kiosk.clock import Clock, utc_now
from kiosk.config import BackendSection
from kiosk.status import BackendUnreachable, shown_text
from sync import headers
from sync.adapters import Adapter, ContractAdapter
from sync.deadline import Deadline, hardened_session
from sync.errors import (
    AnswerTooLarge,
    AuthFailed,
    BadAnswer,
    Cancelled,
    NotSent,
    Refused,
    ServerBusy,
    SyncError,
    TLSFailure,
    Unreachable,
)
from sync.models import (
    DOSSIER_CODE,
    PAYMENT_REFERENCE,
    STATUS_WORDS,
    AssignmentsAnswer,
    DossierAnswer,
    DossierStatus,
    EventResult,
    EventsAnswer,
    HeartbeatAnswer,
    M,
    PaymentAnswer,
    SequenceAnswer,
    TokenAnswer,
    parse,
)
from sync.secret import read_secret

log = logging.getLogger("kiosk.sync.client")
TOKEN_MARGIN_S = 30  # a token this close to expiry is renewed first
PAGE = 200  # assignments asked for per page
DOSSIER_PATH = "/v1/dossiers/"
PAYMENT_PATH = "/v1/payments/"
_TRANSPORT = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


def is_dossier_code(code: str) -> bool:
    return re.fullmatch(DOSSIER_CODE, code) is not None


@dataclass
class Token:
    value: str
    expires_at: float  # on our clock


class BackendClient:
    def __init__(
        self,
        section: BackendSection,
        kiosk_id: str,
        *,
        secret: str | None = None,
        clock: Clock = utc_now,
        adapter: Adapter | None = None,
    ) -> None:
        self.section = section
        self.kiosk_id = kiosk_id
        self.base = section.url.rstrip("/")
        self.clock = clock
        self._secret = secret
        self.adapter = adapter or ContractAdapter()
        self.deadline = Deadline()
        self.session = hardened_session(self.deadline)
        self.session.verify = section.ca_bundle or True
        if section.client_cert and section.client_key:
            self.session.cert = (section.client_cert, section.client_key)
        self.session.headers.update({
            "User-Agent": f"dossier-kiosk/{kiosk_id}", "Accept": "application/json",
            "Accept-Encoding": "identity",  # what is capped is what is read: no decompression bomb
        })  # fmt: skip
        self.token: Token | None = None
        self.skew_s: float | None = None  # our clock minus the server's, as last measured
        self.last_request: str | None = None  # "POST /v1/kiosks/…/events": what an error was about

    def close(self) -> None:
        self.session.close()

    def cancel(self) -> None:
        """Stop the call in flight within half a second, and refuse every later one (SIGTERM)."""
        self.deadline.cancel()

    # -- the contract ----------------------------------------------------------------------------

    def post_events(self, events: list[dict[str, Any]]) -> list[EventResult]:
        body = {"events": [self.adapter.event_out(e) for e in events]}
        answer = self._call("POST", f"/v1/kiosks/{self.kiosk_id}/events", EventsAnswer, json_body=body)
        sent = [e["uuid"] for e in events]
        if [r.uuid for r in answer.results] != sent:
            # e.g. a stale answer left on a reused connection: not an answer to what we sent
            raise BadAnswer(f"the answer names other events than the {len(sent)} sent")
        return answer.results

    def assignments(self, since: str | None, limit: int = PAGE) -> AssignmentsAnswer:
        params = {"limit": str(limit)} | ({"since": since} if since else {})
        path = f"/v1/kiosks/{self.kiosk_id}/assignments"
        answer = self._call("GET", path, AssignmentsAnswer, params=params)
        if len(answer.assignments) > limit:
            raise BadAnswer(f"{len(answer.assignments)} assignments in a page of at most {limit}")
        if answer.more and answer.cursor == since:
            raise BadAnswer("the assignments feed says there is more but its cursor did not move")
        return answer

    def dossier(self, code: str, *, timeout_s: float | None = None) -> DossierStatus | None:
        """The backend's status of ``code`` in our words, None when it does not know the code;
        ``timeout_s`` bounds the whole call (the look-up's person is waiting)."""
        if not is_dossier_code(code):
            raise NotSent(f"{code[:60]!r} is not a dossier code the contract allows; it was not sent")
        try:
            answer = self._call(
                "GET", DOSSIER_PATH + quote(code, safe=""), DossierAnswer, deadline_s=timeout_s
            )
        except Refused as exc:
            if exc.status == 404:
                return None
            raise
        if answer.code != code:
            raise BadAnswer("the answer is about another dossier than the one asked for")
        ours = self.adapter.status_in(answer.status)
        if ours not in STATUS_WORDS:
            raise BadAnswer(f"the dossier's status {answer.status!r} is none the kiosk knows")
        return DossierStatus(**(answer.model_dump() | {"status": ours}))

    def heartbeat(self, body: dict[str, Any]) -> HeartbeatAnswer:
        return self._call("POST", f"/v1/kiosks/{self.kiosk_id}/heartbeat", HeartbeatAnswer, json_body=body)

    def sequence(self) -> SequenceAnswer:
        """The last event of this kiosk the backend accepted (its sequence number and UUID)."""
        return self._call("GET", f"/v1/kiosks/{self.kiosk_id}/sequence", SequenceAnswer)

    def put_payment(self, reference: str, request: dict[str, Any]) -> PaymentAnswer:
        """Ask for a payment (idempotent by ``reference``): the payment as the backend has it now."""
        body = self.adapter.payment_out(request)
        return self._payment("PUT", self._payment_path(reference), reference, json_body=body)

    def payment(self, reference: str) -> PaymentAnswer:
        return self._payment("GET", self._payment_path(reference), reference)

    def cancel_payment(self, reference: str) -> PaymentAnswer:
        answer = self._payment("POST", self._payment_path(reference) + "/cancel", reference)
        if answer.state != "cancelled":
            raise BadAnswer(
                f"the backend answered the cancellation of {reference} with a {answer.state} payment"
            )
        return answer

    def _payment(self, method: str, path: str, reference: str, json_body: Any = None) -> PaymentAnswer:
        answer = self._call(method, path, PaymentAnswer, json_body=json_body)
        if answer.reference != reference:
            raise BadAnswer(f"the answer to {method} {path} is about another payment ({answer.reference})")
        return answer

    @staticmethod
    def _payment_path(reference: str) -> str:
        if re.fullmatch(PAYMENT_REFERENCE, reference) is None:
            raise NotSent(f"{reference[:40]!r} is not a payment reference the contract allows; not sent")
        return PAYMENT_PATH + reference

    # -- the exchange ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        shape: type[M],
        *,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        deadline_s: float | None = None,
    ) -> M:
        if self.deadline.cancelled:
            raise Cancelled(f"{method} {_said(path)}: not sent, the sync is stopping")
        with self.deadline.running(deadline_s or self.default_deadline_s):
            for attempt in (1, 2):
                token = self._token()
                response = self._send(
                    method, path, json_body=json_body, params=params,
                    headers={"Authorization": f"Bearer {token}"},
                )  # fmt: skip
                if response.status_code == 401 and attempt == 1:
                    log.info("token refused (401); getting a new one")
                    self.token = None
                    response.close()
                    continue
                return self._parse(response, shape, method, path)
        raise AuthFailed(401, "a fresh token was refused too")

    @property
    def default_deadline_s(self) -> float:
        return self.section.connect_timeout_s + self.section.read_timeout_s

    def _token(self) -> str:
        now = self.clock().timestamp()
        if self.token is not None and self.token.expires_at - TOKEN_MARGIN_S > now:
            return self.token.value
        with self.deadline.running(self.default_deadline_s):  # within the call's, when in one
            return self._new_token(now)

    def _new_token(self, now: float) -> str:
        secret = self._secret if self._secret is not None else read_secret(self.section.client_secret_file)
        form = {
            "grant_type": "client_credentials",
            "client_id": self.section.client_id,
            "client_secret": secret,
        }
        response = self._send("POST", "/oauth/token", form=form)
        if response.status_code in (400, 401):
            response.close()
            raise AuthFailed(
                response.status_code, "the backend does not accept this kiosk's client id and secret"
            )
        answer = self._parse(response, TokenAnswer, "POST", "/oauth/token")
        self.token = Token(answer.access_token, now + answer.expires_in)
        return answer.access_token

    def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        self.last_request = f"{method} {_said(path)}"
        try:
            left = self.deadline.left()
            response = self.session.request(
                method,
                self.base + path,
                json=json_body,
                data=form,
                params=params,
                headers=headers,
                timeout=(min(self.section.connect_timeout_s, left), left),
                stream=True,
                allow_redirects=False,
                # explicit, or requests lets $REQUESTS_CA_BUNDLE override the configured bundle
                verify=self.session.verify,
                proxies={},
            )
        except (*_TRANSPORT, TimeoutError) as exc:
            raise self._failure(exc, method, path) from exc
        self._measure_skew(response)
        return response

    def _failure(self, exc: BaseException, method: str, path: str, during: str = "") -> SyncError:
        where = f"{method} {_said(path)}{during}"
        if self.deadline.cancelled:
            return Cancelled(f"{where}: stopped, the sync is stopping")
        if self.deadline.passed:
            return Unreachable(f"{where}: no whole answer within the call's {self.deadline.seconds:g} s")
        if isinstance(exc, requests.exceptions.SSLError):
            return TLSFailure(f"TLS with {self.base} failed: {_root(exc)}")
        return Unreachable(f"{where}: {shown_text(_root(exc), 200)}")

    def _parse(self, response: requests.Response, shape: type[M], method: str, path: str) -> M:
        with response:
            body = self._read(response, method, path)
        status = response.status_code
        what = f"the {status} answer to {method} {_said(path)}"
        if 300 <= status < 400:
            where = shown_text(response.headers.get("Location", "nowhere"), 80)
            raise BadAnswer(f"{what} is a redirect (to {where}); redirects are never followed")
        if status == 429 or status >= 500:
            cap = self.section.max_backoff_s
            wait = headers.retry_after(response.headers.get("Retry-After"), self.clock(), cap)
            raise ServerBusy(status, _detail(body, response), wait)
        if status >= 400:
            raise Refused(status, _detail(body, response))
        if status != 200:
            raise BadAnswer(f"{what}: the contract answers 200")
        kind = headers.media_type(response.headers.get("Content-Type"))
        if kind != "application/json":
            raise BadAnswer(f"{what} is not JSON ({shown_text(kind, 60) or 'no content type'})")
        return parse(shape, body, what)

    def _read(self, response: requests.Response, method: str, path: str) -> bytes:
        cap = self.section.max_answer_bytes
        declared = headers.content_length(response.headers.get("Content-Length"))
        if declared is not None and declared > cap:
            raise AnswerTooLarge(f"the answer would be {declared:,} bytes; at most {cap:,} are read")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > cap:
                    raise AnswerTooLarge(f"the answer ran past {cap:,} bytes")
                chunks.append(chunk)
        except (*_TRANSPORT, TimeoutError) as exc:
            raise self._failure(exc, method, path, f": the answer stopped after {size:,} bytes") from exc
        return b"".join(chunks)

    def _measure_skew(self, response: requests.Response) -> None:
        server = headers.http_date(response.headers.get("Date"))
        if server is not None:  # no Date, one without a zone or garbage: not measured this time
            self.skew_s = round((self.clock() - server).total_seconds(), 1)


def backoff(failures: int, cap_s: float, rng: random.Random, retry_after: float | None = None) -> float:
    """How long to wait after ``failures`` failures in a row: full jitter (a random time up to an
    exponentially growing ceiling, capped), never less than the backend asked for, never more
    than the cap whatever it asked."""
    ceiling = min(cap_s, 1.0 * 2 ** min(failures, 30))
    wait = rng.uniform(0, ceiling)
    return min(max(wait, retry_after or 0.0), cap_s)


def _detail(body: bytes, response: requests.Response) -> str:
    """An error answer's words, bounded and flattened: they go into logs and messages."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        detail = parsed.get("detail")
        words = parsed["error"] + (f" ({detail})" if isinstance(detail, str) and detail else "")
        return shown_text(words, 200)
    kind = shown_text(response.headers.get("Content-Type", "no content type"), 60)
    return f"{shown_text(response.reason or 'no reason', 60)} ({kind}, {len(body)} bytes)"


def _root(exc: BaseException) -> str:
    """The innermost cause's words: "Connection refused", not three layers of urllib3."""
    for _ in range(10):
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return str(exc) or type(exc).__name__


class StatusFromBackend:
    """A look-up ``StatusSource`` that asks the backend itself, for a process that may hold the
    secret (the sync's, tools, tests); the UI's process asks the sync's look-up service
    (sync/lookup.py) instead. One quick try, since a person waits at the screen; any failure is
    "unreachable", and the cache answers."""

    def __init__(self, client: BackendClient) -> None:
        self.client = client

    def dossier_status(self, code: str) -> dict[str, Any] | None:
        try:
            answer = self.client.dossier(code, timeout_s=self.client.section.lookup_timeout_s)
        except SyncError as exc:
            raise BackendUnreachable(str(exc)) from exc
        return None if answer is None else answer.model_dump()


def _said(path: str) -> str:
    """A request as errors and logs name it: a look-up's path holds the citizen's dossier code,
    which never goes into a log line (DESIGN §5)."""
    if path.startswith(DOSSIER_PATH):
        return DOSSIER_PATH + "{code}"
    return path
