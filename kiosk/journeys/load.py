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

from kiosk import compartments, events, procedures
from kiosk.compartments import Compartment
from kiosk.config import MAX_HOLD_DAYS
from kiosk.core import Core
from kiosk.journeys.machine import step
from kiosk.journeys.messages import Say
from kiosk.journeys.placing import PlacingJourney
from kiosk.journeys.signin import SignInJourney
from kiosk.journeys.staffed import OFFICERS, StaffJourney
from kiosk.pickup_codes import hash_secret, make_token, new_loading, new_pin

DEFAULT_SIZE = "S"  # a result is an envelope of papers


class Load(enum.Enum):
    SCANNING = "scanning"
    OPENING = "opening"
    DOOR_OPEN = "door-open"
    LOADED = "loaded"
    NO_SPACE = "no-space"
    UNCERTAIN = "uncertain"
    DONE = "done"


class LoadJourney(StaffJourney[Load], PlacingJourney[Load]):
    kind = "load"
    ROLES, WAITING, FINISHED = OFFICERS, Load.SCANNING, Load.DONE
    ITEM_KIND, SAY_ALREADY = "result", Say.ALREADY_LOADED
    OPENING, DOOR_OPEN, NO_SPACE, UNCERTAIN = Load.OPENING, Load.DOOR_OPEN, Load.NO_SPACE, Load.UNCERTAIN
    INITIAL = Load.SCANNING
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        Load.SCANNING: frozenset({Load.OPENING, Load.NO_SPACE, Load.DONE}),
        Load.OPENING: frozenset({Load.OPENING, Load.DOOR_OPEN, Load.NO_SPACE, Load.UNCERTAIN}),
        Load.DOOR_OPEN: frozenset({Load.LOADED, Load.SCANNING, Load.DONE}),
        Load.LOADED: frozenset({Load.SCANNING, Load.DONE}),
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {Load.SCANNING: ("idle_timeout_s", Load.DONE)}
    TERMINAL = frozenset({Load.NO_SPACE, Load.UNCERTAIN, Load.DONE})

    def __init__(self, core: Core, session: SignInJourney, *, bulk: bool = False) -> None:
        super().__init__(core, session)
        self.bulk = bulk
        self.loaded: list[tuple[str, str]] = []  # (dossier code, compartment), for the load slip
        self.sent: list[events.HandoverEvent] = []  # what the citizens are sent (PIN, QR), in memory only

    # -- what the officer does -------------------------------------------------------------------

    @step
    def submit_code(self, text: str) -> None:
        """A result's dossier code, scanned or typed."""
        self._require(Load.SCANNING)
        self.staff.touch()
        dossier = self._code_to_place(self._parse(text))
        if dossier is None:
            return
        code = dossier.code
        info = self._assignment(code)
        size = info.get("size_hint") or DEFAULT_SIZE
        self.data.update(code=code, size=size, hold_days=info.get("hold_days"), tried=[])
        self._open_a_compartment(info)

    @step
    def finish(self) -> None:
        self._require(Load.SCANNING)
        self._change_state(Load.DONE)

    def _watch(self) -> None:
        self._watch_placing()

    # -- the machine's side ----------------------------------------------------------------------

    def _nothing_placed(self, comp: Compartment) -> None:
        self._next(reason="nothing placed")
        self.said = Say.NOTHING_PLACED.format()

    def _placed(self, comp: Compartment) -> None:
        store = self.core.store
        with store.transaction():
            sent = record_loaded(
                self.core, item=self.data["item"], code=self.data["code"], compartment=comp.id,
                hold_days=self.data.get("hold_days"), actor=self.actor,
            )  # fmt: skip
            self._change_state(Load.LOADED, compartment=comp.id, dossier=self.data["code"])
            self._next()
        self.loaded.append((self.data["code"], comp.id))
        self.sent.append(sent)
        self.said = Say.LOADED.format(compartment=comp.id)

    def _next(self, **detail: Any) -> None:
        self._change_state(Load.SCANNING if self.bulk else Load.DONE, **detail)

    def _assignment(self, code: str) -> dict[str, Any]:
        keys = ("citizen", "procedure", "fee_due", "hold_days", "size_hint", "requires_holder", "holder_hash")
        row = self.core.store.db.execute(
            f"SELECT {', '.join(keys)} FROM assignment WHERE dossier_code = ?", [code]
        ).fetchone()
        info = dict(zip(keys, row, strict=True)) if row else {}
        # the backend's word on this dossier, or the catalogue's on its procedure (issue 14)
        info["requires_holder"] = bool(info.get("requires_holder")) or procedures.requires_holder(
            self.core.procedures, info.get("procedure")
        )
        return info


def record_loaded(
    core: Core, *, item: int, code: str, compartment: str, hold_days: int | None, actor: str
) -> events.HandoverEvent:
    """A result proven inside: its PIN (only the hash kept) and QR token go to the backend with the
    "result loaded" event. Call inside the transaction that moves the journey (or settles it, in
    recovery)."""
    store = core.store
    expires = core.now() + timedelta(days=hold_period(hold_days, core.rules.hold_days))
    pin, loading = new_pin(), new_loading()
    token = make_token(core.token_key, core.kiosk_id, code, compartment, int(expires.timestamp()), loading)
    store.update("item", item, {
        "state": "held", "pin_hash": hash_secret(pin, core.pepper), "token_expires": int(expires.timestamp()),
        "expires_at": expires.isoformat(timespec="seconds"), "loading": loading, "updated_at": store.now(),
    })  # fmt: skip
    compartments.record_door(store, compartment, "closed")
    return events.emit(store, "result-loaded", actor=actor, dossier_code=code, compartment=compartment,
                       pin=pin, token=token, expires=expires.isoformat(timespec="seconds"))  # fmt: skip


def hold_period(days: object, default: int) -> int:
    """The backend's hold period for a result when it is a sane whole number of days, else the
    site's: a stored value from before bounds were checked must not stop a load or a recovery."""
    if isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= MAX_HOLD_DAYS:
        return days
    return default
