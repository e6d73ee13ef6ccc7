"""A client of the stand-in backend's admin API (``/_admin/…``, hardware_sim/backend/app.py): its
faults (``down``/``up`` is the demo's network cut), seeding it with the demo's dossiers, what it
texted the citizens, the payments (a bank's word that a citizen paid, how the pretend bank
behaves), and the read-back of what arrived against what the kiosk wrote."""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from hardware_sim.samples import LOOKED_UP, RESULTS
from kiosk.names import masked


class Backend:
    """The stand-in backend's admin API (``/_admin/…``): faults (``down``/``up`` is the network cut),
    seeding, and reading back what arrived."""

    def __init__(self, url: str) -> None:
        self.url = url

    def faults(self, verb: str) -> dict[str, bool]:
        return {"down": True} if verb == "down" else {}

    def describe(self, verb: str) -> str:
        return f"$ curl -X POST {self.url}/_admin/faults -d '{json.dumps(self.faults(verb))}'"

    def call(self, verb: str) -> None:
        """``down`` (every connection closed at once) or ``up`` (every fault cleared)."""
        self.post("_admin/faults", self.faults(verb))

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}/{path}", timeout=5) as answer:
            return json.load(answer)

    def post(self, path: str, body: object) -> Any:
        request = urllib.request.Request(
            f"{self.url}/{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.load(answer)

    def seed(self, kiosk_id: str) -> None:
        """The demo's results assigned to the kiosk (names masked, as a province sends them), and
        the dossier a citizen looks up."""
        self.post("_admin/assignments", {"kiosk_id": kiosk_id, "assignments": [
            {"dossier_code": d.code, "citizen": masked(d.citizen), "procedure": d.procedure, "fee_due": 0,
             "size_hint": d.size} for d in RESULTS
        ]})  # fmt: skip
        self.post("_admin/dossiers", {"dossiers": [
            {"code": d.code, "status": d.status, "procedure": d.procedure, "citizen": masked(d.citizen)}
            for d in (*RESULTS, LOOKED_UP)
        ]})  # fmt: skip

    def sms(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get("_admin/sms")["sms"]
        return found

    def satisfaction(self) -> dict[str, Any]:
        """The citizens' ratings the kiosks have reported: each span, and the totals."""
        found: dict[str, Any] = self.get("_admin/satisfaction")
        return found

    def confirm(self, reference: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The bank's word that ``reference`` was paid: the payment as the kiosk will then see it."""
        found: dict[str, Any] = self.post(f"_admin/payments/{quote(reference, safe='')}/confirm", body or {})
        return found

    def payment_mode(self, mode: str, delay_s: float = 5.0, amount: int | None = None) -> None:
        self.post("_admin/payments/mode", {"mode": mode, "delay_s": delay_s, "amount": amount})

    def payments(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get("_admin/payments")["payments"]
        return found

    def events(self, kiosk_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get(f"_admin/events?kiosk_id={kiosk_id}")["events"]
        return found


SMS_SECRETS = re.compile(r"Ma PIN: (\d+)\. Ma QR: (\S+)")


def pickup_secrets(backend: Backend, code: str) -> tuple[str, str] | None:
    """The PIN and the QR token the backend sent the citizen of ``code`` by SMS (the citizen's
    phone, as the demo plays it), or None before it has."""
    for sms in reversed(backend.sms()):
        found = SMS_SECRETS.search(sms["text"])
        if sms["dossier_code"] == code and found:
            return found[1], found[2]
    return None


@dataclass(frozen=True)
class ReadBack:
    """Every event the kiosk wrote, against what the backend applied (DESIGN §5: at least once on
    the wire, exactly once in effect)."""

    written: int
    applied: int
    missing: tuple[str, ...]  # written, never applied
    twice: tuple[str, ...]  # applied more than once
    strangers: tuple[str, ...]  # applied, never written by this kiosk
    not_accepted: tuple[str, ...]  # arrived but rejected
    duplicates_answered: int  # deliveries the backend recognised as a repeat (and did not apply)

    @property
    def exactly_once(self) -> bool:
        return self.written > 0 and not (self.missing or self.twice or self.strangers or self.not_accepted)

    @classmethod
    def compare(cls, written: list[str], arrived: list[dict[str, Any]], stats: dict[str, int]) -> ReadBack:
        seen: dict[str, int] = {}
        for event in arrived:
            seen[event["uuid"]] = seen.get(event["uuid"], 0) + 1
        mine = set(written)
        return cls(
            written=len(written),
            applied=sum(1 for e in arrived if e["status"] == "accepted"),
            missing=tuple(u for u in written if u not in seen),
            twice=tuple(u for u, n in seen.items() if n > 1),
            strangers=tuple(u for u in seen if u not in mine),
            not_accepted=tuple(e["uuid"] for e in arrived if e["status"] != "accepted"),
            duplicates_answered=int(stats.get("duplicates", 0)),
        )
