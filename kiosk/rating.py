"""Citizens' satisfaction (Decision 766/QĐ-TTg scores one-stop offices on it): after a journey, one
touch on one of three faces, never asked for again and never in the way of leaving.

A rating must never say who gave it. So:
- it is counted, never recorded one by one: ``rating_tally`` holds how many of each face in each
  local hour, nothing else (no journey, no dossier, no phone, no time finer than the hour, and no
  row order to line up with the journeys of that hour);
- it is not audited: an audit row, with its time and its place in the chain next to the journey's
  own rows, would tie the face to the pickup;
- the backend hears of ratings only as a "satisfaction tally" event covering whole hours that have
  ended, holding at least ``[rules] rating_min_group`` ratings (a day's last span goes out with
  whatever it holds), sent when the kiosk is idle: its sequence number and time sit next to no
  journey's events, and one rating at 2 a.m. is never alone in its span unless it is the only one
  of that day's remaining hours, which cover many journeys;
- one rating per journey, remembered in memory only (the journey just ended), so a person cannot
  stuff the count, and nothing about it is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kiosk import events
from kiosk.core import Core
from kiosk.errors import KioskError
from kiosk.receipts import VIETNAM

FACES = ("very-satisfied", "satisfied", "dissatisfied")  # Rất hài lòng, Hài lòng, Không hài lòng
CITIZEN_JOURNEYS = frozenset({"pickup", "dropoff", "lookup"})
NOT_RATED = frozenset({"cancelled", "timed-out"})  # given up before anything was done for them


class RatingRefused(KioskError):
    """Not a face, not a citizen's finished journey, or that journey rated already."""


def hour_of(moment: datetime) -> str:
    """The local hour a moment falls in, as the tally keys it: 2026-11-23T15:00:00+07:00."""
    return moment.astimezone(VIETNAM).replace(minute=0, second=0, microsecond=0).isoformat()


class Ratings:
    def __init__(self, core: Core) -> None:
        self.core = core
        self._rated: str | None = None  # the journey last rated, in memory only

    def may_rate(self, journey: Any) -> bool:
        return (
            journey.kind in CITIZEN_JOURNEYS
            and journey.ended
            and journey.state.value not in NOT_RATED
            and journey.id != self._rated
        )

    def rate(self, journey: Any, face: str) -> None:
        if face not in FACES:
            raise RatingRefused(f"not a face: {face[:40]!r}")
        if not self.may_rate(journey):
            raise RatingRefused("this journey cannot be rated (not a citizen's, not ended, or rated)")
        self._rated = journey.id
        with self.core.store.transaction() as db:
            db.execute(
                "INSERT INTO rating_tally VALUES (?, ?, 1) ON CONFLICT (hour, face) DO UPDATE SET n = n + 1",
                [hour_of(self.core.now()), face],
            )


def report_due(core: Core) -> events.HandoverEvent | None:
    """The tally since the last one, up to the hour now begun (or to the end of a past day), as one
    event, when it holds enough ratings or its day is over; those counts then leave the kiosk's
    table in the same transaction. A span runs from where the day's last one ended (or midnight),
    so its bounds say nothing of when the ratings in it came."""
    current = hour_of(core.now())
    with core.store.transaction() as db:
        rows = db.execute(
            "SELECT hour, face, n FROM rating_tally WHERE hour < ? ORDER BY hour", [current]
        ).fetchall()
        if not rows:
            return None
        day = rows[0][0][:10]
        rows = [r for r in rows if r[0][:10] == day]  # a span never crosses a local day
        counts = {face: sum(n for _, f, n in rows if f == face) for face in FACES}
        midnight = datetime.fromisoformat(rows[0][0]).replace(hour=0)
        past_day = day < current[:10]
        if not past_day and sum(counts.values()) < core.rules.rating_min_group:
            return None
        end = (midnight + timedelta(days=1)).isoformat() if past_day else current
        db.execute("DELETE FROM rating_tally WHERE hour < ?", [end])
        payload = {"from": _last_end(core, day) or midnight.isoformat(), "to": end,
                   **{face.replace("-", "_"): n for face, n in counts.items()}}  # fmt: skip
        return events.emit(core.store, "satisfaction-tally", actor="kiosk", **payload)


def _last_end(core: Core, day: str) -> str | None:
    """Where the last tally sent for ``day`` ended, if one was."""
    row = core.store.db.execute(
        "SELECT json_extract(payload, '$.to') FROM outbox WHERE kind = 'satisfaction-tally'"
        " ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return str(row[0]) if row and row[0] and str(row[0])[:10] == day else None
