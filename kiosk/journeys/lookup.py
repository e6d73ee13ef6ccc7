"""Anyone looks up a dossier's status: a code scanned (the receipt's QR, a pickup QR) or typed.
The answer comes from the backend when it can be reached, else from the cache with its age ("as
of 14:02, 3 hours ago; the network is down"), and what this kiosk holds always shows.

  waiting-code --code--> answered | not-found;  cancel or idle --> cancelled | timed-out
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any, ClassVar

from kiosk import codes, status
from kiosk.core import Core
from kiosk.journeys.machine import Journey, step
from kiosk.journeys.messages import Say

ANYONE = "citizen"


class Lookup(enum.Enum):
    WAITING_CODE = "waiting-code"
    ANSWERED = "answered"
    NOT_FOUND = "not-found"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed-out"


class LookupJourney(Journey[Lookup]):
    kind = "lookup"
    INITIAL = Lookup.WAITING_CODE
    TRANSITIONS: ClassVar[dict[Any, frozenset[Any]]] = {
        Lookup.WAITING_CODE: frozenset(
            {Lookup.ANSWERED, Lookup.NOT_FOUND, Lookup.CANCELLED, Lookup.TIMED_OUT}
        ),
    }
    TIMEOUTS: ClassVar[dict[Any, tuple[str, Any]]] = {
        Lookup.WAITING_CODE: ("idle_timeout_s", Lookup.TIMED_OUT)
    }
    CANCELLABLE, CANCELLED = frozenset({Lookup.WAITING_CODE}), Lookup.CANCELLED
    TERMINAL = frozenset({Lookup.ANSWERED, Lookup.NOT_FOUND, Lookup.CANCELLED, Lookup.TIMED_OUT})

    def __init__(self, core: Core) -> None:
        super().__init__(core, ANYONE)
        self.answer: status.DossierStatus | None = None

    @step
    def submit_code(self, text: str) -> None:
        self._require(Lookup.WAITING_CODE)
        parsed = self._parse(text)
        if parsed is None:
            return
        dossier = codes.dossier_of(parsed)
        if dossier is None:
            self._reject(codes.Rejection.UNKNOWN)
            return
        core = self.core
        answer, reached = status.look_up(core.store, core.kiosk_id, dossier.code, core.status_source)
        self.answer = answer
        # a result waiting here: the screen offers to pick it up, the code carried over
        self.data.update(code=dossier.code, ready_here=answer is not None and answer.status == "ready-here")
        if answer is None:
            unknown = Say.STATUS_UNKNOWN if reached else Say.STATUS_UNKNOWN_OFFLINE
            self.said = unknown.format(code=dossier.code)
            self._change_state(Lookup.NOT_FOUND, dossier=dossier.code)
            return
        self.said = self._words(answer)
        self._change_state(Lookup.ANSWERED, dossier=dossier.code, status=answer.status, source=answer.source)

    def _words(self, answer: status.DossierStatus) -> tuple[str, str]:
        vi, en = answer.words()
        age = answer.age(self.core.now())
        if age is None or answer.fetched_at is None:
            return Say.STATUS.format(code=answer.code, vi=vi, en=en)
        return Say.STATUS_CACHED.format(
            code=answer.code, vi=vi, en=en, when=status.local_time(answer.fetched_at), hours=_hours(age)
        )


def _hours(age: timedelta) -> int:
    return max(0, int(age.total_seconds() // 3600))
