"""An officer loads results: scan the result's dossier code, the kiosk picks a compartment by size,
opens it, the officer places the result and closes the door, and a "result loaded" event carries
the pickup PIN and QR token for the backend to send the citizen. Bulk mode loops.

  scanning --code--> opening --proven--> door-open --closed, result in--> loaded --> scanning|done
           opening --jam--> opening (another compartment) | no-space;  --unprovable--> uncertain
           door-open --closed empty--> scanning|done
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any, ClassVar

from drivers.errors import DeviceError
from drivers.lockboard.errors import DoorJammed
from kiosk import assignment, codes, compartments, events
from kiosk.compartments import Compartment
from kiosk.core import Core
from kiosk.journeys.machine import Journey
from kiosk.journeys.messages import Say
from kiosk.migrations import ACTIVE_ITEM
from kiosk.pickup_codes import hash_secret, make_token, new_pin

DEFAULT_SIZE = "S"  # a result is an envelope of papers


class Load(enum.Enum):
    SCANNING = "scanning"
    OPENING = "opening"
    DOOR_OPEN = "door-open"
    LOADED = "loaded"
    NO_SPACE = "no-space"
    UNCERTAIN = "uncertain"
    DONE = "done"


class LoadJourney(Journey[Load]):
    kind = "load"
    INITIAL = Load.SCANNING
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        Load.SCANNING: frozenset({Load.OPENING, Load.NO_SPACE, Load.DONE}),
        Load.OPENING: frozenset({Load.OPENING, Load.DOOR_OPEN, Load.NO_SPACE, Load.UNCERTAIN}),
        Load.DOOR_OPEN: frozenset({Load.LOADED, Load.SCANNING, Load.DONE}),
        Load.LOADED: frozenset({Load.SCANNING, Load.DONE}),
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {Load.SCANNING: ("idle_timeout_s", Load.DONE)}
    TERMINAL = frozenset({Load.NO_SPACE, Load.UNCERTAIN, Load.DONE})

    def __init__(self, core: Core, officer: str, *, bulk: bool = False) -> None:
        super().__init__(core, f"officer:{officer}")
        self.bulk = bulk
        self.said: tuple[str, str] | None = None
        self.loaded: list[tuple[str, str]] = []  # (dossier code, compartment), for the load slip

    # -- what the officer does -------------------------------------------------------------------

    def submit_code(self, text: str) -> None:
        """A result's dossier code, scanned or typed."""
        self._require(Load.SCANNING)
        try:
            code = _dossier_code(codes.parse(text))
        except codes.CodeRejected as exc:
            self.said = Say.CODE_REJECTED.format(reason_vi=exc.rejection.vi, reason_en=exc.rejection.en)
            return
        held = self.core.store.db.execute(
            "SELECT compartment FROM item WHERE kind = 'result' AND dossier_code = ?"
            f" AND state IN {ACTIVE_ITEM}",
            [code],
        ).fetchone()
        if held:
            self.said = Say.ALREADY_LOADED.format(compartment=held[0])
            return
        info = self._assignment(code)
        self.data.update(code=code, size=info.get("size_hint") or DEFAULT_SIZE, tried=[])
        self._open_a_compartment(info)

    def finish(self) -> None:
        self._require(Load.SCANNING)
        self._change_state(Load.DONE)

    def tick(self) -> None:
        super().tick()
        if self.state is Load.DOOR_OPEN:
            self._watch()

    # -- the machine's side ----------------------------------------------------------------------

    def _open_a_compartment(self, info: dict[str, Any]) -> None:
        while True:
            comp = assignment.choose(self.core.compartments(), self.data["size"], exclude=self.data["tried"])
            if comp is None:
                self.said = Say.NO_SPACE.format()
                self._change_state(Load.NO_SPACE, dossier=self.data["code"], tried=self.data["tried"])
                return
            item = self._place_intent(comp, info)
            try:
                self.core.unlock(comp, actor=self.actor, journey=self.id, intent_recorded=True)
            except DoorJammed:
                self._item_gone(item, "compartment jammed")
                self.data["tried"].append(comp.id)
                self.said = Say.JAM_RETRYING.format(compartment=comp.id)
                if len(self.data["tried"]) > self.core.rules.jam_retries:
                    self.said = Say.NO_SPACE.format()
                    self._change_state(Load.NO_SPACE, tried=self.data["tried"])
                    return
                continue
            except DeviceError as exc:
                self._uncertain(comp, item, str(exc))
                return
            self._change_state(Load.DOOR_OPEN, compartment=comp.id)
            return

    def _place_intent(self, comp: Compartment, info: dict[str, Any]) -> int:
        """The item and the journey's move to "opening", durable before the unlock frame."""
        now = self.core.store.now()
        with self.core.store.transaction() as db:
            row = {
                "kind": "result", "dossier_code": self.data["code"], "compartment": comp.id,
                "state": "placing", "procedure": info.get("procedure"), "citizen": info.get("citizen"),
                "fee_due": info.get("fee_due") or 0, "created_at": now, "updated_at": now,
            }  # fmt: skip
            item = int(db.table("item").insert(row).last_pk or 0)
            self.data.update(compartment=comp.id, item=item, hold_days=info.get("hold_days"))
            db.table("journey").update(self.id, {"compartment": comp.id, "item": item})
            self._change_state(Load.OPENING, compartment=comp.id, dossier=self.data["code"])
            self.core.record_intent(comp, actor=self.actor, journey=self.id)
        return item

    def _watch(self) -> None:
        comp = compartments.get(self.core.store, self.data["compartment"])
        reading = self._watch_door(comp)
        if reading is None:
            return
        if reading.item is False:  # the board senses items: the officer closed it empty
            with self.core.store.transaction():
                compartments.record_door(self.core.store, comp.id, "closed")
                self._item_gone(self.data["item"], "nothing placed")
                self._next(reason="nothing placed")
            self.said = Say.NOTHING_PLACED.format()
            return
        self._loaded(comp)

    def _loaded(self, comp: Compartment) -> None:
        now = self.core.now()
        hold_days = self.data.get("hold_days") or self.core.rules.hold_days
        expires = now + timedelta(days=hold_days)
        pin = new_pin()
        token = make_token(
            self.core.token_key, self.core.kiosk_id, self.data["code"], comp.id, int(expires.timestamp())
        )
        store = self.core.store
        with store.transaction() as db:
            db.table("item").update(self.data["item"], {
                "state": "held", "pin_hash": hash_secret(pin), "token_expires": int(expires.timestamp()),
                "expires_at": expires.isoformat(timespec="seconds"), "updated_at": store.now(),
            })  # fmt: skip
            compartments.record_door(store, comp.id, "closed")
            events.emit(
                store, "result-loaded", actor=self.actor, dossier_code=self.data["code"],
                compartment=comp.id, pin=pin, token=token, expires=expires.isoformat(timespec="seconds"),
            )  # fmt: skip
            self._change_state(Load.LOADED, compartment=comp.id, dossier=self.data["code"])
            self._next()
        self.loaded.append((self.data["code"], comp.id))
        self.said = Say.LOADED.format(compartment=comp.id)

    def _next(self, **detail: Any) -> None:
        self._change_state(Load.SCANNING if self.bulk else Load.DONE, **detail)

    def _item_gone(self, item: int, outcome: str) -> None:
        self.core.store.db.table("item").update(
            item, {"state": "gone", "outcome": outcome, "updated_at": self.core.store.now()}
        )

    def _uncertain(self, comp: Compartment, item: int, cause: str) -> None:
        store = self.core.store
        with store.transaction() as db:
            db.table("item").update(item, {"state": "uncertain", "outcome": cause, "updated_at": store.now()})
            events.emit(store, "outcome-uncertain", actor=self.actor, dossier_code=self.data["code"],
                        compartment=comp.id, cause=cause, journey=self.id)  # fmt: skip
            self._change_state(Load.UNCERTAIN, compartment=comp.id, cause=cause)
        self.said = Say.UNCERTAIN.format(compartment=comp.id)

    def _assignment(self, code: str) -> dict[str, Any]:
        row = self.core.store.db.execute(
            "SELECT citizen, procedure, fee_due, hold_days, size_hint FROM assignment WHERE dossier_code = ?",
            [code],
        ).fetchone()
        keys = ("citizen", "procedure", "fee_due", "hold_days", "size_hint")
        return dict(zip(keys, row, strict=True)) if row else {}


def _dossier_code(parsed: codes.ScannedCode) -> str:
    if isinstance(parsed, codes.DossierCode):
        return parsed.code
    if isinstance(parsed, codes.ReceiptQR):
        return parsed.dossier.code
    raise codes.CodeRejected(codes.Rejection.UNKNOWN, f"a {parsed.kind} code is not a result's dossier code")
