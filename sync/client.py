"""The backend client (sync/openapi.yaml) over requests: one session, timeouts on every call,
OAuth2 client-credentials tokens refreshed before they expire (and once on a 401), answers read
with a size cap and checked for shape, the clock skew against the server's ``Date`` measured.

Retrying is the caller's (the worker's) business, with ``backoff()``: full jitter, capped, and
never sooner than a ``Retry-After``.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ConfigDict, ValidationError

from kiosk.clock import Clock, utc_now
from kiosk.config import BackendSection
from kiosk.status import BackendUnreachable
from sync.adapters import Adapter, ContractAdapter
from sync.errors import (
    AnswerTooLarge,
    AuthFailed,
    BadAnswer,
    Refused,
    ServerBusy,
    SyncError,
    TLSFailure,
    Unreachable,
)

log = logging.getLogger("kiosk.sync.client")
M = TypeVar("M", bound=BaseModel)
TOKEN_MARGIN_S = 30  # a token this close to expiry is renewed first


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TokenAnswer(_Answer):
    access_token: str
    token_type: Literal["Bearer", "bearer"]
    expires_in: int


class EventResult(_Answer):
    uuid: str
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None


class EventsAnswer(_Answer):
    results: list[EventResult]


class Assignment(_Answer):
    dossier_code: str
    citizen: str | None = None
    procedure: str
    fee_due: int
    hold_days: int | None = None
    size_hint: Literal["S", "M", "L"] | None = None
    active: bool


class AssignmentsAnswer(_Answer):
    assignments: list[Assignment]
    cursor: str
    more: bool


class DossierAnswer(_Answer):
    code: str
    status: str
    procedure: str | None = None
    citizen: str | None = None
    kiosk: str | None = None
    updated_at: str


class HeartbeatAnswer(_Answer):
    server_time: str


@dataclass
class Token:
    value: str
    expires_at: float  # on our clock


def read_secret(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AuthFailed(0, f"cannot read the client secret file {path}: {exc.strerror}") from exc


class BackendClient:
    def __init__(
        self,
        section: BackendSection,
        kiosk_id: str,
        *,
        secret: str | None = None,
        clock: Clock = utc_now,
        session: requests.Session | None = None,
        adapter: Adapter | None = None,
    ) -> None:
        self.section = section
        self.kiosk_id = kiosk_id
        self.base = section.url.rstrip("/")
        self.clock = clock
        self._secret = secret
        self.adapter = adapter or ContractAdapter()
        self.session = session or requests.Session()
        self.session.verify = section.ca_bundle or True
        if section.client_cert and section.client_key:
            self.session.cert = (section.client_cert, section.client_key)
        self.session.headers["User-Agent"] = f"dossier-kiosk/{kiosk_id}"
        self.token: Token | None = None
        self.skew_s: float | None = None  # our clock minus the server's, as last measured

    def close(self) -> None:
        self.session.close()

    # -- the contract ----------------------------------------------------------------------------

    def post_events(self, events: list[dict[str, Any]]) -> list[EventResult]:
        body = {"events": [self.adapter.event_out(e) for e in events]}
        answer = self._call("POST", f"/v1/kiosks/{self.kiosk_id}/events", EventsAnswer, json_body=body)
        sent = [e["uuid"] for e in events]
        if [r.uuid for r in answer.results] != sent:
            # e.g. a stale answer left on a reused connection: not an answer to what we sent
            raise BadAnswer(f"the answer names other events than the {len(sent)} sent")
        return answer.results

    def assignments(self, since: str | None) -> AssignmentsAnswer:
        params = {"since": since} if since else None
        return self._call("GET", f"/v1/kiosks/{self.kiosk_id}/assignments", AssignmentsAnswer, params=params)

    def dossier(self, code: str, *, timeout_s: float | None = None) -> DossierAnswer | None:
        try:
            answer = self._call(
                "GET", f"/v1/dossiers/{quote(code, safe='')}", DossierAnswer, timeout_s=timeout_s
            )
        except Refused as exc:
            if exc.status == 404:
                return None
            raise
        return answer.model_copy(update={"status": self.adapter.status_in(answer.status)})

    def heartbeat(self, body: dict[str, Any]) -> HeartbeatAnswer:
        return self._call("POST", f"/v1/kiosks/{self.kiosk_id}/heartbeat", HeartbeatAnswer, json_body=body)

    # -- the exchange ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        shape: type[M],
        *,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> M:
        for attempt in (1, 2):
            token = self._token()
            response = self._send(
                method,
                path,
                json_body=json_body,
                params=params,
                headers={"Authorization": f"Bearer {token}"},
                timeout_s=timeout_s,
            )
            if response.status_code == 401 and attempt == 1:
                log.info("token refused (401); getting a new one")
                self.token = None
                response.close()
                continue
            return self._parse(response, shape)
        raise AuthFailed(401, "a fresh token was refused too")

    def _token(self) -> str:
        now = self.clock().timestamp()
        if self.token is not None and self.token.expires_at - TOKEN_MARGIN_S > now:
            return self.token.value
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
        answer = self._parse(response, TokenAnswer)
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
        timeout_s: float | None = None,
    ) -> requests.Response:
        timeout = (self.section.connect_timeout_s, timeout_s or self.section.read_timeout_s)
        try:
            response = self.session.request(
                method,
                self.base + path,
                json=json_body,
                data=form,
                params=params,
                headers=headers,
                timeout=timeout,
                stream=True,
                # explicit, or requests lets $REQUESTS_CA_BUNDLE override the configured bundle
                verify=self.session.verify,
            )
        except requests.exceptions.SSLError as exc:
            raise TLSFailure(f"TLS with {self.base} failed: {_root(exc)}") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Unreachable(f"{method} {path}: {_root(exc)}") from exc
        self._measure_skew(response)
        return response

    def _parse(self, response: requests.Response, shape: type[M]) -> M:
        with response:
            body = self._read(response)
        status = response.status_code
        if status == 429 or status >= 500:
            raise ServerBusy(status, _detail(body, response), _retry_after(response))
        if status >= 400:
            raise Refused(status, _detail(body, response))
        if "json" not in response.headers.get("Content-Type", ""):
            raise BadAnswer(f"a {status} answer that is not JSON ({response.headers.get('Content-Type')})")
        try:
            return shape.model_validate_json(body)
        except ValidationError as exc:
            kind = "not JSON" if any(e["type"] == "json_invalid" for e in exc.errors()) else "the wrong shape"
            raise BadAnswer(f"a {status} answer that is {kind}: {exc.errors()[0]['msg']}") from None

    def _read(self, response: requests.Response) -> bytes:
        cap = self.section.max_answer_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise AnswerTooLarge(f"the answer would be {int(declared):,} bytes; at most {cap:,} are read")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > cap:
                    raise AnswerTooLarge(f"the answer ran past {cap:,} bytes")
                chunks.append(chunk)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Unreachable(f"the answer stopped after {size:,} bytes: {_root(exc)}") from exc
        return b"".join(chunks)

    def _measure_skew(self, response: requests.Response) -> None:
        date = response.headers.get("Date")
        if not date:
            return
        try:
            server = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return
        self.skew_s = round((self.clock() - server).total_seconds(), 1)


def backoff(failures: int, cap_s: float, rng: random.Random, retry_after: float | None = None) -> float:
    """How long to wait after ``failures`` failures in a row: full jitter (a random time up to an
    exponentially growing ceiling, capped), and never less than the backend asked for."""
    ceiling = min(cap_s, 1.0 * 2 ** min(failures, 30))
    wait = rng.uniform(0, ceiling)
    return max(wait, retry_after or 0.0)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)  # the other form: an HTTP date
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


def _detail(body: bytes, response: requests.Response) -> str:
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict) and "error" in parsed:
            return str(parsed["error"]) + (f" ({parsed['detail']})" if parsed.get("detail") else "")
    except ValueError:
        pass
    kind = response.headers.get("Content-Type", "no content type")
    return f"{response.reason or 'no reason'} ({kind}, {len(body)} bytes)"


def _root(exc: BaseException) -> str:
    """The innermost cause's words: "Connection refused", not three layers of urllib3."""
    for _ in range(10):
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return str(exc) or type(exc).__name__


class StatusFromBackend:
    """The look-up journey's ``StatusSource``: one quick try, since a person waits at the screen;
    any failure is "unreachable", and the cache answers."""

    def __init__(self, client: BackendClient) -> None:
        self.client = client

    def dossier_status(self, code: str) -> dict[str, Any] | None:
        try:
            answer = self.client.dossier(code, timeout_s=self.client.section.lookup_timeout_s)
        except SyncError as exc:
            raise BackendUnreachable(str(exc)) from exc
        return None if answer is None else answer.model_dump()
