"""A citizen drops off a dossier: its code (from the QR of an online submission or a receipt, or
typed) or, for a dossier without one, the procedure it is for (the kiosk then gives it a reference
of its own: HG-VT-01-261123-0003); a contact phone; a compartment of the chosen size opens (a low
one for those who ask); the dossier goes in and the door closes: "dossier deposited", and a receipt.

  waiting-code --code or procedure--> waiting-phone --phone--> opening --proven--> door-open
  waiting-phone --phone to review--> reviewing --confirm--> opening;  back: one step, kept
  door-open --closed, dossier in--> deposited | --closed empty--> not-deposited
  opening --jam--> opening (another) | no-space;  --unprovable--> uncertain;  cancel or idle before
  door-open --"the door did not open", believed--> opening (another) | no-space
  after the end, once, within [rules] reopen_grace_s ("Mở lại ngăn", kiosk/journeys/after.py):
  not-deposited --reopen--> opening (the same compartment first)
  deposited --reopen--> reopening --proven--> reopened --closed on the dossier--> deposited
       reopened --closed empty--> taken-back ("dossier taken back") | --closed, no sensor--> uncertain
       reopening --jam--> deposited (still inside) | --unprovable--> uncertain

The screen reviews before the door opens (``review``, ``choose``, ``confirm``): the procedure, the
phone masked, the size ("hồ sơ dày / nhiều": a large compartment) and a low door, with what is
free now (a read: nothing is reserved until ``confirm``). ``submit_phone`` with the choices still
opens at once, for the scenario runner and the tools.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from drivers.printer.document import Document
from kiosk import assignment, codes, compartments, entries, events, flags, procedures, receipts
from kiosk.compartments import Compartment
from kiosk.core import Core
from kiosk.journeys.machine import IllegalStep, step
from kiosk.journeys.messages import Say
from kiosk.journeys.placing import PlacingJourney
from kiosk.store import Store

CITIZEN = "citizen"


class Dropoff(enum.Enum):
    WAITING_CODE = "waiting-code"
    WAITING_PHONE = "waiting-phone"
    REVIEWING = "reviewing"
    OPENING = "opening"
    DOOR_OPEN = "door-open"
    DEPOSITED = "deposited"
    NOT_DEPOSITED = "not-deposited"
    NO_SPACE = "no-space"
    UNCERTAIN = "uncertain"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed-out"
    REOPENING = "reopening"
    REOPENED = "reopened"
    TAKEN_BACK = "taken-back"


BEFORE_UNLOCK = frozenset({Dropoff.WAITING_CODE, Dropoff.WAITING_PHONE, Dropoff.REVIEWING})
LARGE = "L"  # "hồ sơ dày / nhiều"


class DropoffJourney(PlacingJourney[Dropoff]):
    kind = "dropoff"
    ITEM_KIND, SAY_ALREADY, SAY_NO_SPACE = "deposit", Say.ALREADY_DEPOSITED, Say.NO_SPACE_DROPOFF
    INITIAL = Dropoff.WAITING_CODE
    OPENING, DOOR_OPEN = Dropoff.OPENING, Dropoff.DOOR_OPEN
    NO_SPACE, UNCERTAIN = Dropoff.NO_SPACE, Dropoff.UNCERTAIN
    PLACED, NOT_PLACED = Dropoff.DEPOSITED, Dropoff.NOT_DEPOSITED
    REOPENING, REOPENED = Dropoff.REOPENING, Dropoff.REOPENED
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        Dropoff.WAITING_CODE: frozenset({Dropoff.WAITING_PHONE, Dropoff.CANCELLED, Dropoff.TIMED_OUT}),
        Dropoff.WAITING_PHONE: frozenset(
            {Dropoff.OPENING, Dropoff.NO_SPACE, Dropoff.REVIEWING, Dropoff.WAITING_CODE}
            | {Dropoff.CANCELLED, Dropoff.TIMED_OUT}
        ),
        Dropoff.REVIEWING: frozenset(
            {Dropoff.OPENING, Dropoff.NO_SPACE, Dropoff.WAITING_PHONE, Dropoff.CANCELLED, Dropoff.TIMED_OUT}
        ),
        Dropoff.OPENING: frozenset({Dropoff.OPENING, Dropoff.DOOR_OPEN, Dropoff.NO_SPACE, Dropoff.UNCERTAIN}),
        Dropoff.DOOR_OPEN: frozenset(
            {Dropoff.DEPOSITED, Dropoff.NOT_DEPOSITED, Dropoff.OPENING, Dropoff.NO_SPACE}
        ),
        # after the end (kiosk/journeys/after.py)
        Dropoff.NOT_DEPOSITED: frozenset({Dropoff.OPENING, Dropoff.NO_SPACE}),
        Dropoff.DEPOSITED: frozenset({Dropoff.REOPENING}),
        Dropoff.REOPENING: frozenset({Dropoff.REOPENED, Dropoff.DEPOSITED, Dropoff.UNCERTAIN}),
        Dropoff.REOPENED: frozenset({Dropoff.DEPOSITED, Dropoff.TAKEN_BACK, Dropoff.UNCERTAIN}),
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {
        s: ("idle_timeout_s", Dropoff.TIMED_OUT) for s in BEFORE_UNLOCK
    }
    CANCELLABLE, CANCELLED = BEFORE_UNLOCK, Dropoff.CANCELLED
    # the ends it may be reopened from, and the states a door of the citizen's is open in
    AFTER_END = frozenset({Dropoff.DEPOSITED, Dropoff.NOT_DEPOSITED})
    DOOR_SHOWN = frozenset({Dropoff.DOOR_OPEN, Dropoff.REOPENED})
    # at the cap on the kiosk's own disk use no dossier is taken in; pickups go on (kiosk/space.py)
    BLOCKED_BY = frozenset({flags.HISTORY, flags.DISK_LOW, flags.DISK_CAP})
    TERMINAL = frozenset({Dropoff.DEPOSITED, Dropoff.NOT_DEPOSITED, Dropoff.NO_SPACE, Dropoff.UNCERTAIN,
                          Dropoff.CANCELLED, Dropoff.TIMED_OUT, Dropoff.TAKEN_BACK})  # fmt: skip

    def __init__(self, core: Core) -> None:
        super().__init__(core, CITIZEN)
        self.receipt: Document | None = None
        self.phone: str | None = None  # goes to the backend in the event; never into the audit log
        self.sms_to: str | None = None  # the phone, masked, once the code is to be texted to it

    @step
    def submit_code(self, text: str) -> None:
        self._require(Dropoff.WAITING_CODE)
        parsed = self._parse(text)
        dossier = self._code_to_place(parsed)
        if dossier is None:
            return
        procedure = parsed.procedure if isinstance(parsed, codes.ReceiptQR) else None
        self._dossier(dossier.code, procedure=procedure, procedure_name=None, size=None)
        self._change_state(Dropoff.WAITING_PHONE, dossier=dossier.code)

    @step
    def choose_procedure(self, key: str) -> None:
        """A dossier without a code: the procedure it is for, from the kiosk's catalogue."""
        self._require(Dropoff.WAITING_CODE)
        procedure = procedures.named(self.core.procedures, key)
        if procedure is None:
            self.said = Say.UNKNOWN_PROCEDURE.format()
            return
        reference = self._new_reference()
        self._dossier(reference, procedure=procedure.reported, procedure_name=procedure.vi,
                      size=procedure.size, procedure_key=procedure.key)  # fmt: skip
        self._change_state(Dropoff.WAITING_PHONE, dossier=reference, procedure=procedure.key)

    def _dossier(self, code: str, *, size: str | None, **about: str | None) -> None:
        """The dossier this drop-off is for, all of it anew (a code typed after Back replaces what
        a procedure had set, and the other way round)."""
        for key in ("procedure_name", "procedure_key", "usual_size"):
            self.data.pop(key, None)
        self.data.update(code=code, size=size, tried=[], **{k: v for k, v in about.items() if v is not None})
        self.data.setdefault("procedure", None)
        self.data["usual_size"] = size or "M"

    @step
    def back(self) -> None:
        """One step back, keeping what was given: from the review to the phone, from the phone
        to the code or procedure (the screen finds them in ``data``; the phone stays in memory)."""
        if self.state is Dropoff.REVIEWING:
            self._change_state(Dropoff.WAITING_PHONE, reason="back")
        elif self.state is Dropoff.WAITING_PHONE:
            self._change_state(Dropoff.WAITING_CODE, reason="back")
        else:
            raise IllegalStep(f"dropoff is {self.state.value}: no step to go back to")

    def _new_reference(self) -> str:
        """The kiosk's id, the local day and the day's next number. Numbers are counted from the
        items placed, so a reference never given to a dossier may be given again, never one in use."""
        day = self.core.now().astimezone(receipts.VIETNAM).strftime("%y%m%d")
        kiosk = self.core.kiosk_id.upper().replace("_", "-")[:28]  # a dossier code has at most 40
        prefix = f"{kiosk}-{day}-"
        rows = self.core.store.db.execute(
            "SELECT dossier_code FROM item WHERE kind = 'deposit' AND dossier_code LIKE ? || '%'", [prefix]
        ).fetchall()
        numbers = [code[len(prefix) :] for (code,) in rows]
        used = [int(n) for n in numbers if entries.ascii_digits(n) and len(n) <= 6]
        return f"{prefix}{max(used, default=0) + 1:04d}"

    @step
    def submit_phone(self, phone: str, *, size: str | None = None, prefer_low: bool = False) -> None:
        """The contact phone, the size the citizen chose (else the procedure's, else medium), and
        whether they asked for a low door: the door opens now, with no review."""
        self._require(Dropoff.WAITING_PHONE)
        if self._take_phone(phone):
            self.data["size"] = _size(size) or self.data.get("size") or "M"
            self.data["prefer_low"] = prefer_low
            self._open()

    @step
    def review(self, phone: str) -> None:
        """The contact phone, to review with the size and the door before anything opens."""
        self._require(Dropoff.WAITING_PHONE)
        if not self._take_phone(phone):
            return
        self.data["size"] = self.data.get("size") or self.data["usual_size"]
        self.data.setdefault("prefer_low", False)
        self._look_at_what_is_free()
        if not self.data["free"]:  # nothing at all: said now, not after "Tiếp tục"
            self.said = self.SAY_NO_SPACE.format()
            self._change_state(Dropoff.NO_SPACE, dossier=self.data["code"], tried=self.data["tried"])
            return
        self._change_state(Dropoff.REVIEWING, size=self.data["size"], low=self.data["prefer_low"])
        self._say_what_is_free()

    @step
    def choose(self, *, size: str | None = None, prefer_low: bool | None = None) -> None:
        """On the review: a large compartment ("L") or the usual one, a low door or not."""
        self._require(Dropoff.REVIEWING)
        if size is not None:
            chosen = _size(size)
            if chosen is None:
                raise IllegalStep(f"no compartment size {size!r}")
            self.data["size"] = chosen
        if prefer_low is not None:
            self.data["prefer_low"] = bool(prefer_low)
        self._look_at_what_is_free()
        self._say_what_is_free()

    @step
    def confirm(self) -> None:
        """ "Tiếp tục" on the review: a compartment of the chosen kind opens (or the nearest free)."""
        self._require(Dropoff.REVIEWING)
        self._open()

    def _take_phone(self, phone: str) -> bool:
        digits = entries.mobile_number(phone)
        if digits is None:
            self.said = Say.PHONE_FORMAT.format()
            return False
        self.phone = digits
        self.data["phone_masked"] = masked_phone(digits)
        return True

    def _look_at_what_is_free(self) -> None:
        """Which kinds of compartment (size, low door) would open now: a read, nothing reserved."""
        sizes = dict.fromkeys((self.data["usual_size"], self.data["size"], LARGE))
        kinds = assignment.free_kinds(self.core.compartments(), sizes, exclude=self.data["tried"])
        self.data["free"] = [[size, low] for size, low in kinds]

    def _say_what_is_free(self) -> None:
        free = {(size, low) for size, low in self.data["free"]}
        size, low = self.data["size"], self.data["prefer_low"]
        if (size, False) not in free:
            self.said = (Say.NO_LARGE_FREE if size == LARGE else Say.NO_SPACE).format()
        elif low and (size, True) not in free:
            self.said = Say.NO_LOW_FREE.format()
        else:
            self.said = Say.REVIEW.format()

    def _open(self) -> None:
        info = {"procedure": self.data.get("procedure")}
        self._open_a_compartment(info, prefer_low=self.data["prefer_low"])
        self._say_where()

    def _say_where(self) -> None:
        if self.state is Dropoff.DOOR_OPEN:
            opened, tried = self.data["compartment"], self.data["tried"]
            self.said = (
                Say.PUT_DOSSIER_INSTEAD.format(jammed=tried[-1], compartment=opened)
                if tried
                else Say.PUT_DOSSIER.format(compartment=opened)
            )

    def reopen(self) -> None:
        """ "Mở lại ngăn": the same compartment once more, soon after the end."""
        tried = len(self.data["tried"])
        self._reopen()
        if self.state is Dropoff.DOOR_OPEN:
            fresh = len(self.data["tried"]) == tried  # the same door, not another after a jam
            self.said = Say.PUT_DOSSIER.format(compartment=self.data["compartment"]) if fresh else None
            if not fresh:
                self._say_where()

    def door_not_opened(self) -> None:
        """ "Cửa không mở?": the person says the door did not open."""
        was = self.data.get("compartment")
        self._door_not_opened()
        if self.state is Dropoff.DOOR_OPEN and self.data["compartment"] != was:
            self._say_where()

    def receipt_not_printed(self, why: str) -> None:
        """The receipt could not be printed: the backend is asked to text the dossier's code to the
        phone given (only the sealed outbox and the backend see the number); the screen says where
        it goes, masked."""
        if self.state is not Dropoff.DEPOSITED or self.phone is None or self.data.get("sms_asked"):
            return
        self.data["sms_asked"] = True
        events.emit(self.core.store, "receipt-not-printed", actor="kiosk", dossier_code=self.data["code"],
                    compartment=self.data["compartment"], phone=self.phone, cause=why[:200])  # fmt: skip
        self.sms_to = entries.masked_phone(self.phone)
        self.said = Say.CODE_BY_SMS.format(phone=self.sms_to)

    def tick(self) -> None:
        super().tick()
        if self.state is Dropoff.DOOR_OPEN:
            self._watch_placing()
        elif self.state is Dropoff.REOPENED:
            self._watch_reopened()

    def _taken_back(self, comp: Compartment) -> None:
        record_taken_back(
            self.core.store, item=self.data["item"], code=self.data["code"], compartment=comp.id
        )
        self._change_state(Dropoff.TAKEN_BACK, compartment=comp.id, dossier=self.data["code"])
        self.said = Say.TAKEN_BACK.format()

    def _nothing_placed(self, comp: Compartment) -> None:
        self._change_state(Dropoff.NOT_DEPOSITED, compartment=comp.id)
        self.said = Say.NOTHING_DEPOSITED.format()

    def _placed(self, comp: Compartment) -> None:
        store = self.core.store
        code = self.data["code"]
        procedure = self.data.get("procedure") or ""
        with store.transaction():
            record_deposited(store, item=self.data["item"], code=code, compartment=comp.id, phone=self.phone,
                             procedure=procedure)  # fmt: skip
            self._change_state(Dropoff.DEPOSITED, compartment=comp.id, dossier=code)
        office = receipts.Office(self.core.cfg.kiosk.office, self.core.kiosk_id)
        tracking = self.core.cfg.kiosk.tracking_url.format(code=code)
        named = self.data.get("procedure_name") or procedure or "-"
        self.receipt = receipts.dropoff_receipt(office, code, named, self.core.now(), comp.id, tracking)
        self.said = Say.DEPOSITED.format()


def record_deposited(
    store: Store, *, item: int, code: str, compartment: str, phone: str | None, procedure: str
) -> None:
    """The dossier is proven inside: "dossier deposited", inside the caller's transaction."""
    store.update("item", item, {"state": "held", "updated_at": store.now()})
    compartments.record_door(store, compartment, "closed")
    events.emit(store, "dossier-deposited", actor=CITIZEN, dossier_code=code, compartment=compartment,
                phone=phone, procedure=procedure)  # fmt: skip


def record_taken_back(store: Store, *, item: int, code: str, compartment: str) -> None:
    """A deposited dossier proven taken back out (a reopened door closed on an empty compartment):
    "dossier taken back", inside the caller's transaction."""
    store.update("item", item, {"state": "gone", "outcome": "taken back", "updated_at": store.now()})
    compartments.record_door(store, compartment, "closed")
    events.emit(store, "dossier-taken-back", actor=CITIZEN, dossier_code=code, compartment=compartment)


def masked_phone(digits: str) -> str:
    """A phone number as the review shows it: enough to recognise one's own, not to read a
    stranger's ("09** *** 678")."""
    return f"{digits[:2]}** *** {digits[-3:]}"


def _size(size: str | None) -> str | None:
    return size if size in assignment.SIZES else None
