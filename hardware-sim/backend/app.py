"""``kiosk-backend``: the provincial one-stop backend's stand-in, a real HTTP server (aiohttp) on
loopback implementing the whole contract (``sync/openapi.yaml``), every request checked against it.

The admin API (``/_admin/…``, not part of the contract) injects faults and reads back what arrived:
  POST /_admin/faults      {"latency_ms": 100, "error_rate": 0.2, "retry_after": 1, "drop_rate": 0.1,
                            "drop_after_rate": 0.1, "twice_rate": 0.1, "clock_skew_s": 300,
                            "html_errors": true, "bad_json_rate": 0.1, "wrong_shape_rate": 0.1,
                            "huge_body_rate": 0.1, "stall_rate": 0.1, "stall_s": 30, "down": true,
                            "reject": ["result-picked-up", "000.00.53.H48-…"], "token_lifetime_s": 3600,
                            "seed": 1}   (each key optional; {} clears every fault)
  POST /_admin/expire-tokens, POST /_admin/assignments {"kiosk_id": …, "assignments": […]} (an
      assignment may carry "holder_id", the applicant's ID number in clear: only its holder_hash is
      kept, made with the key of --holder-key; "requires_holder" is then true unless said false),
  POST /_admin/dossiers {"dossiers": […]}, POST /_admin/clients {"client_id", "secret", "kiosk_id"},
  POST /_admin/payments/{reference}/confirm {"amount": N, "transaction": "…"} (a bank notification;
      each key optional: the amount asked, a new transaction id),
  POST /_admin/payments/mode {"mode": "manual"|"auto"|"late"|"twice"|"wrong-amount"|"never",
      "delay_s": S, "amount": N} (how the pretend bank confirms the payments asked for from then on;
      hardware_sim/backend/payments.py says what each does),
  GET /_admin/events[?kiosk_id=], /_admin/stats, /_admin/sms, /_admin/heartbeats?kiosk_id=,
      /_admin/satisfaction[?kiosk_id=] (the ratings' spans and totals),
      /_admin/payments (every payment asked for, its confirmations, and the mode)
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

from aiohttp import web
from openapi_core.contrib.aiohttp import AIOHTTPOpenAPIWebRequest

from hardware_sim.backend.contract import openapi
from hardware_sim.backend.payments import PaymentMode, PaymentRefused
from hardware_sim.backend.store import BackendStore, now_utc
from kiosk.holder import holder_hash

log = logging.getLogger("kiosk-backend")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HUGE_BODY = 50 * 1024 * 1024
HOLDER_ID = re.compile(r"[0-9]{9}|[0-9]{12}")  # an old ID card's 9 digits, a CCCD's 12


@dataclass
class Faults:
    latency_ms: float = 0
    error_rate: float = 0  # answered 503 before anything is done
    retry_after: int | None = None
    drop_rate: float = 0  # connection closed before anything is done
    drop_after_rate: float = 0  # the request is applied, then the connection closed: the answer is lost
    twice_rate: float = 0  # the answer written twice on the connection
    clock_skew_s: float = 0  # added to the Date header and server_time
    html_errors: bool = False  # error answers as a proxy's HTML page
    bad_json_rate: float = 0  # 200 with a body that is not JSON
    wrong_shape_rate: float = 0  # 200 with JSON of the wrong shape
    huge_body_rate: float = 0  # 200 with a 50 MB body
    stall_rate: float = 0  # half the body, then silence for stall_s
    stall_s: float = 30
    down: bool = False  # every connection closed at once
    reject: list[str] = field(default_factory=list)  # event kinds or dossier codes to refuse
    token_lifetime_s: int = 3600
    seed: int | None = None

    def roll(self, rng: random.Random, rate: float) -> bool:
        return rate > 0 and rng.random() < rate


class Backend:
    def __init__(self, store: BackendStore, holder_key: bytes | None = None) -> None:
        self.store = store
        self.holder_key = holder_key  # the province's key for applicants' ID numbers (kiosk/holder.py)
        self.faults = Faults()
        self.rng = random.Random()

    # -- the contract ----------------------------------------------------------------------------

    async def token(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        token = self.store.issue_token(
            str(form["client_id"]), str(form["client_secret"]), self.faults.token_lifetime_s
        )
        if token is None:
            return web.json_response(
                {"error": "invalid_client", "error_description": "unknown client"}, status=401
            )
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.faults.token_lifetime_s}
        )

    async def events(self, request: web.Request) -> web.StreamResponse:
        kiosk = self._kiosk(request)
        body = request["json"]
        answers = self.store.receive(kiosk, body["events"], set(self.faults.reject))
        return web.json_response({"results": [a.as_json() for a in answers]})

    async def assignments(self, request: web.Request) -> web.StreamResponse:
        kiosk = self._kiosk(request)
        since = request.query.get("since", "0")
        if not since.isdigit():
            return _error(400, "bad cursor", f"since={since!r} is not a cursor this backend gave")
        limit = int(request.query.get("limit", "200"))
        rows, cursor, more = self.store.assignments(kiosk, int(since), limit)
        return web.json_response({"assignments": rows, "cursor": str(cursor), "more": more})

    async def dossier(self, request: web.Request) -> web.StreamResponse:
        found = self.store.dossier(request.match_info["code"])
        if found is None:
            return _error(404, "no such dossier")
        return web.json_response(found)

    async def sequence(self, request: web.Request) -> web.StreamResponse:
        seq, uuid = self.store.last_accepted(self._kiosk(request))
        return web.json_response({"last_seq": seq, "last_uuid": uuid})

    async def heartbeat(self, request: web.Request) -> web.StreamResponse:
        kiosk = self._kiosk(request)
        self.store.heartbeat(kiosk, request["json"])
        return web.json_response({"server_time": self._server_now().isoformat()})

    async def put_payment(self, request: web.Request) -> web.StreamResponse:
        ref = request.match_info["reference"]
        return _paid(lambda: self.store.payments.put(request["kiosk"], ref, request["json"]))

    async def payment(self, request: web.Request) -> web.StreamResponse:
        return _paid(lambda: self.store.payments.get(request["kiosk"], request.match_info["reference"]))

    async def cancel_payment(self, request: web.Request) -> web.StreamResponse:
        return _paid(lambda: self.store.payments.cancel(request["kiosk"], request.match_info["reference"]))

    def _kiosk(self, request: web.Request) -> str:
        kiosk: str = request["kiosk"]
        if request.match_info.get("kiosk_id", kiosk) != kiosk:
            raise _raise(403, "this token is for another kiosk")
        return kiosk

    def _server_now(self) -> Any:
        return now_utc() + timedelta(seconds=self.faults.clock_skew_s)

    # -- admin -----------------------------------------------------------------------------------

    async def set_faults(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        known = {f.name for f in fields(Faults)}
        unknown = sorted(set(body) - known)
        if unknown:
            return _error(
                400, f"unknown fault(s): {', '.join(unknown)}", f"known: {', '.join(sorted(known))}"
            )
        self.faults = Faults(**body)
        self.rng = random.Random(self.faults.seed)
        log.info("faults now %s", body)
        return web.json_response(asdict(self.faults))

    async def expire_tokens(self, request: web.Request) -> web.StreamResponse:
        self.store.expire_tokens()
        return web.json_response({"expired": True})

    async def add_assignments(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        try:
            assignments = [self._hashed(a) for a in body["assignments"]]
        except ValueError as exc:
            return _error(400, str(exc))
        for a in assignments:
            self.store.assign(body["kiosk_id"], a)
        return web.json_response({"added": len(assignments)})

    def _hashed(self, a: dict[str, Any]) -> dict[str, Any]:
        """The applicant's ID number in clear becomes its keyed hash; the number is not kept."""
        if "holder_id" not in a:
            return a
        a = dict(a)
        holder = a.pop("holder_id")
        if self.holder_key is None:
            raise ValueError("a holder_id needs the key: start kiosk-backend with --holder-key FILE")
        if not isinstance(holder, str) or not HOLDER_ID.fullmatch(holder):
            raise ValueError("a holder_id is an ID card's number: 12 digits (or an old card's 9)")
        return (
            {"requires_holder": True}
            | a
            | {"holder_hash": holder_hash(self.holder_key, a["dossier_code"], holder)}
        )

    async def payment_mode(self, request: web.Request) -> web.StreamResponse:
        try:
            self.store.payments.mode = PaymentMode.parse(await request.json())
        except PaymentRefused as exc:
            return _error(exc.status, str(exc))
        log.info("payments now %s", self.store.payments.mode)
        return web.json_response(asdict(self.store.payments.mode))

    async def confirm_payment(self, request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else {}
        return _paid(lambda: self.store.payments.confirm(request.match_info["reference"], body))

    async def read_payments(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.store.payments.listing())

    async def add_dossiers(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        for d in body["dossiers"]:
            self.store.add_dossier(d["code"], d["status"], d["procedure"], d.get("citizen"), d.get("kiosk"))
        return web.json_response({"added": len(body["dossiers"])})

    async def add_client(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.store.add_client(body["client_id"], body["secret"], body["kiosk_id"])
        return web.json_response({"added": body["client_id"]})

    async def read_events(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"events": self.store.events(request.query.get("kiosk_id"))})

    async def stats(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.store.counters())

    async def read_sms(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"sms": self.store.sms()})

    async def read_satisfaction(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.store.satisfaction(request.query.get("kiosk_id")))

    async def read_heartbeats(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"heartbeats": self.store.heartbeats(request.query.get("kiosk_id", ""))})

    # -- the middleware: faults, the contract check, authentication ------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_admin/"):
            return await handler(request)
        faults, rng = self.faults, self.rng
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.down or faults.roll(rng, faults.drop_rate):
            return _drop(request)
        if faults.roll(rng, faults.error_rate):
            return self._stamped(self._server_error(), faults)
        try:
            body = await request.read()
        except ConnectionResetError:  # the kiosk went away mid-request (killed, unplugged): normal
            return _drop(request)
        problem = _contract_problem(request, body) or _not_text(request, body)
        if problem:
            return self._stamped(_error(400, "the request does not follow the contract", problem), faults)
        if request.path != "/oauth/token":
            kiosk = self._authenticated(request)
            if kiosk is None:
                return self._stamped(_error(401, "no valid bearer token"), faults)
            request["kiosk"] = kiosk
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        except Exception:  # a bug in the stand-in: still an answer the contract describes
            log.exception("%s %s failed", request.method, request.path)
            response = _error(500, "the stand-in backend failed; see its log")
        if faults.roll(rng, faults.drop_after_rate):
            return _drop(request)
        return await self._spoil(request, self._stamped(response, faults), faults, rng)

    def _authenticated(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return self.store.kiosk_of_token(header[len("Bearer ") :])

    def _server_error(self) -> web.Response:
        headers = {"Retry-After": str(self.faults.retry_after)} if self.faults.retry_after is not None else {}
        if self.faults.html_errors:
            page = "<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body>"
            return web.Response(status=503, text=page, content_type="text/html", headers=headers)
        return _error(503, "the backend is busy", headers=headers)

    def _stamped(self, response: web.StreamResponse, faults: Faults) -> web.StreamResponse:
        response.headers["Date"] = format_datetime(self._server_now(), usegmt=True)
        return response

    async def _spoil(
        self, request: web.Request, response: web.StreamResponse, faults: Faults, rng: random.Random
    ) -> web.StreamResponse:
        """The answer-side faults, on a successful answer only."""
        if not isinstance(response, web.Response) or response.status != 200:
            return response
        if faults.roll(rng, faults.bad_json_rate):
            response.body = b'{"results": [{"uuid": '
        elif faults.roll(rng, faults.wrong_shape_rate):
            response.body = b'{"ok": true, "items": "not what you asked for"}'
        elif faults.roll(rng, faults.huge_body_rate):
            return await _stream(request, HUGE_BODY, stall_s=0)
        elif faults.roll(rng, faults.stall_rate):
            size = len(response.body) if isinstance(response.body, bytes) else 1024
            return await _stream(request, size or 1024, stall_s=faults.stall_s)
        elif faults.roll(rng, faults.twice_rate) and request.transport is not None:
            raw = response.body if isinstance(response.body, bytes) else b""
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
            request.transport.write(head.encode() + raw)  # a stale copy left on the connection
        return response


def _paid(answer: Callable[[], dict[str, Any]]) -> web.Response:
    try:
        return web.json_response(answer())
    except PaymentRefused as exc:
        return _error(exc.status, str(exc))


def _contract_problem(request: web.Request, body: bytes) -> str | None:
    try:
        openapi().validate_request(AIOHTTPOpenAPIWebRequest(request, body=body))
    except Exception as exc:  # openapi-core raises a family of errors; each is the same answer here
        cause = exc.__cause__ or exc
        detail = getattr(cause, "schema_errors", None)
        return f"{exc}" + (f": {'; '.join(str(e.message) for e in detail)}" if detail else "")
    return None


def _not_text(request: web.Request, body: bytes) -> str | None:
    """JSON may escape what UTF-8 cannot hold (a lone surrogate): refused, not stored. The body,
    parsed once here, is kept for the handler as ``request["json"]``."""
    if request.content_type != "application/json":
        return None
    try:
        parsed = json.loads(body)
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:
        return f"the body is not valid UTF-8 JSON text: {exc}"
    request["json"] = parsed
    return None


def _error(
    status: int, error: str, detail: str | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": error} | ({"detail": detail} if detail else {})
    return web.json_response(body, status=status, headers=headers)


def _raise(status: int, error: str) -> web.HTTPException:
    exc = web.HTTPException(text=json.dumps({"error": error}), content_type="application/json")
    exc.set_status(status)
    return exc


def _drop(request: web.Request) -> web.StreamResponse:
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)  # never written: the connection is gone


async def _stream(request: web.Request, size: int, *, stall_s: float) -> web.StreamResponse:
    """A 200 whose body is ``size`` bytes; with ``stall_s``, only half of it, then silence."""
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.content_length = size
    await response.prepare(request)
    chunk = b" " * 65536
    sent = 0
    limit = size // 2 if stall_s else size
    while sent < limit:
        part = chunk[: min(len(chunk), limit - sent)]
        await response.write(part)
        sent += len(part)
    if stall_s:
        await asyncio.sleep(stall_s)
    if request.transport is not None:
        request.transport.close()
    return response


def build_app(store: BackendStore, holder_key: bytes | None = None) -> web.Application:
    backend = Backend(store, holder_key)
    app = web.Application(middlewares=[backend.middleware], client_max_size=2 * 1024 * 1024)
    app["backend"] = backend
    app.add_routes(
        [
            web.post("/oauth/token", backend.token),
            web.post("/v1/kiosks/{kiosk_id}/events", backend.events),
            web.get("/v1/kiosks/{kiosk_id}/assignments", backend.assignments),
            web.get("/v1/dossiers/{code}", backend.dossier),
            web.post("/v1/kiosks/{kiosk_id}/heartbeat", backend.heartbeat),
            web.get("/v1/kiosks/{kiosk_id}/sequence", backend.sequence),
            web.put("/v1/payments/{reference}", backend.put_payment),
            web.get("/v1/payments/{reference}", backend.payment),
            web.post("/v1/payments/{reference}/cancel", backend.cancel_payment),
            web.post("/_admin/faults", backend.set_faults),
            web.post("/_admin/expire-tokens", backend.expire_tokens),
            web.post("/_admin/assignments", backend.add_assignments),
            web.post("/_admin/dossiers", backend.add_dossiers),
            web.post("/_admin/clients", backend.add_client),
            web.get("/_admin/events", backend.read_events),
            web.get("/_admin/stats", backend.stats),
            web.get("/_admin/sms", backend.read_sms),
            web.get("/_admin/heartbeats", backend.read_heartbeats),
            web.get("/_admin/satisfaction", backend.read_satisfaction),
            web.post("/_admin/payments/mode", backend.payment_mode),
            web.post("/_admin/payments/{reference}/confirm", backend.confirm_payment),
            web.get("/_admin/payments", backend.read_payments),
        ]
    )
    return app
