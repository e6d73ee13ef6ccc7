"""The holder's chip ID card, for a result only its holder may take (issue 14): a step of the
citizen's pickup between the verified code and the fee or the door.

  verified code --> holder-check --the card's ID matches--> (the pickup goes on: fee-due | verified)
  holder-check --another card, or a card unreadable twice--> holder-refused (terminal)
  no key file, or no hash from the backend --> holder-refused at once, before a card is tried

The QR printed on the card (kiosk/cccd.py, read by ``holder_reader``) gives an ID number,
compared as the keyed hash the backend sent (kiosk/holder.py). Nothing read from the card is kept:
the journey, the audit and the outbox hear only whether it matched and, when not, why
("mismatch", "unreadable", "no-key"). A card that cannot be read may be scanned again, up to
``CARD_TRIES`` times in all, the last one said; a pickup QR or a dossier code scanned instead is
not a try. A card that does not match counts as a wrong
PIN does across the kiosk, so someone holding a forwarded code and PIN cannot try ID numbers at
speed; after ``[rules] pin_tries`` of them on one result, no card is read for it any more and an
officer hands it over.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any, ClassVar

from kiosk import cccd, events, lockout, procedures
from kiosk.holder import KEY_FILE, HolderKeyError, holder_key, same_holder
from kiosk.journeys.machine import Journey, S, step
from kiosk.journeys.messages import Say
from kiosk.store import Store

log = logging.getLogger("kiosk.journeys")
# the holder's card: a card that cannot be read is scanned at most this often (a misread is shaky
# hands or the wrong side, not a guess: cards that do not match are counted apart, ``mismatches``);
# the hash the backend sends (kiosk/holder.py: 64 lower-case hex digits), anything else no hash at all
CARD_TRIES = 4
HOLDER_HASH = re.compile(r"[0-9a-f]{64}", re.ASCII)
HOLDER_REFUSALS = {"mismatch": Say.HOLDER_MISMATCH, "unreadable": Say.HOLDER_UNREADABLE,
                   "no-key": Say.HOLDER_NO_KEY}  # fmt: skip


class HolderChecking(Journey[S]):
    HOLDER_CHECK: ClassVar[Any]
    HOLDER_REFUSED: ClassVar[Any]
    # what says whose card it is: the QR on its back now; a chip reader later (kiosk/cccd.py)
    holder_reader: cccd.HolderReader = cccd.QRHolderReader()
    locked_until: datetime | None

    # the pickup's own, which this part uses
    def _held(self, code: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def _why_not_here(self, code: str) -> tuple[str, str]:
        raise NotImplementedError

    def _verified(self, item: dict[str, Any]) -> None:
        raise NotImplementedError

    def _kiosk_busy(self, now: datetime) -> timedelta | None:
        raise NotImplementedError

    def _lock_keys(self, until: datetime, say: Say, **values: object) -> None:
        raise NotImplementedError

    @step
    def submit_card(self, text: str) -> None:
        """The QR on the holder's chip ID card (CCCD), from the scanner or the camera."""
        self._require(self.HOLDER_CHECK)
        if self.locked_until is not None:
            self.said = Say.CARD_BUSY.format(until=self.data["locked_until"])
            return
        item = self._held(self.data["code"])
        if item is None:  # taken out by an officer since
            self.said = self._why_not_here(self.data["code"])
            return
        key, expected = self._holder_key(), holder_hash_of(item)
        if key is None or expected is None:  # the key file went away since the card was asked for
            self._holder_refused(item, "no-key")
            return
        try:
            card = self.holder_reader.read(text)
        except cccd.CardUnreadable as exc:
            self._card_unreadable(item, exc.reason)
            return
        if not same_holder(key, item["dossier_code"], card.id_number, expected):
            self._holder_refused(item, "mismatch")
            return
        self.data["holder"] = "matched"  # the match, and nothing of the card
        self.core.store.audit(self.actor, "holder-matched", self.id)
        self._verified(item)

    def _holder_to_check(self, item: dict[str, Any]) -> bool:
        """A result for its holder only, not yet matched: the card is asked for (or, where no card
        can match, the citizen is sent to an officer before trying one). False: nothing to check."""
        if self.data.get("holder") == "matched" or not self._requires_holder(item):
            return False
        columns = {"item": item["id"], "compartment": item["compartment"]}
        self.data.update(holder="asked", holder_tries=0)
        if self._holder_key() is None or holder_hash_of(item) is None:
            self._holder_refused(item, "no-key", columns=columns)
            return True
        if mismatches(self.core.store, item) >= self.core.rules.pin_tries:
            self._holder_guessed(item, columns)
            return True
        self._change_state(self.HOLDER_CHECK, columns=columns, dossier=item["dossier_code"])
        self.said = Say.HOLDER_ASK.format()
        now = self.core.now()
        busy = self._kiosk_busy(now)
        if busy is not None:
            self._lock_keys(now + busy, Say.CARD_BUSY)
        return True

    def _requires_holder(self, item: dict[str, Any]) -> bool:
        """The assignment's flag, copied at loading, or the catalogue's on the procedure now."""
        return bool(item["requires_holder"]) or procedures.requires_holder(
            self.core.procedures, item["procedure"]
        )

    def _holder_key(self) -> bytes | None:
        """Read at each check: a key provisioned while the kiosk runs counts from the next pickup."""
        try:
            key = holder_key(self.core.cfg.data_dir)
        except HolderKeyError as exc:  # a technician's to fix; until then no card can match
            log.warning("holder-ID key refused: %s", exc)
            return None
        if key is None:
            log.warning("no holder-ID key (%s): results for their holder only go to an officer", KEY_FILE)
        return key

    def _card_unreadable(self, item: dict[str, Any], reason: cccd.Unreadable) -> None:
        if not reason.counts:
            self.said = (
                Say.CARD_NOTHING_READ if reason is cccd.Unreadable.EMPTY else Say.CARD_NOT_A_CARD
            ).format()
            return
        self.data["holder_tries"] = self.data.get("holder_tries", 0) + 1
        if self.data["holder_tries"] >= CARD_TRIES:
            self._holder_refused(item, "unreadable")
            return
        last = self.data["holder_tries"] == CARD_TRIES - 1
        self.said = (Say.CARD_UNREADABLE_LAST if last else Say.CARD_UNREADABLE).format()

    def _holder_refused(
        self, item: dict[str, Any], reason: str, columns: dict[str, Any] | None = None
    ) -> None:
        """Audited and sent to the office with its reason only; the result stays held."""
        store = self.core.store
        with store.transaction():
            events.emit(store, "holder-refused", actor=self.actor, dossier_code=item["dossier_code"],
                        compartment=item["compartment"], reason=reason)  # fmt: skip
            if reason == "mismatch":  # a guess at an ID number is slowed as a guess at a PIN
                lockout.record_failure(store, "pin_failure", self.core.now())
            self._change_state(
                self.HOLDER_REFUSED, columns=columns, reason=reason, dossier=item["dossier_code"]
            )
        if reason == "mismatch":
            self.core.pin_failures.add(self.core.monotonic())
        self.said = HOLDER_REFUSALS[reason].format()

    def _holder_guessed(self, item: dict[str, Any], columns: dict[str, Any]) -> None:
        """Enough cards that did not match: no more are read for this result, whoever comes; an
        officer hands it over at the counter. The office heard of each card already (no event)."""
        self._change_state(
            self.HOLDER_REFUSED, columns=columns, reason="too-many-cards", dossier=item["dossier_code"]
        )
        self.said = Say.HOLDER_GUESSED.format()


def mismatches(store: Store, item: dict[str, Any]) -> int:
    """Cards that did not match this result since it was loaded: the PIN's counter is reset by the
    right PIN, which a forwarded code and PIN always is, so ID numbers are counted on their own."""
    row = store.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'holder-refused' AND dossier_code = ? AND at >= ?"
        " AND json_extract(payload, '$.reason') = 'mismatch'",
        [item["dossier_code"], item["created_at"]],
    ).fetchone()
    return int(row[0])


def holder_hash_of(item: dict[str, Any]) -> str | None:
    """The applicant's keyed ID hash on a result, when it has the one shape the backend sends."""
    value = item.get("holder_hash")
    return value if isinstance(value, str) and HOLDER_HASH.fullmatch(value) else None
