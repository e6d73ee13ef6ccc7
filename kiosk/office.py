"""The office behind the kiosk, as a person alone at the machine needs it: when it is open, in
words in both languages. Pure: no Qt, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_DAY = "|".join(DAYS)
_HOUR = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
OPENING = re.compile(rf"^({_DAY})(?:-({_DAY}))? ({_HOUR})-({_HOUR})$")


class BadOpening(ValueError):
    """An opening period that is not ``mon-fri 07:30-11:30``."""


@dataclass(frozen=True)
class Opening:
    """One period the office is open: days ``first``..``last`` (0 = Monday), from ``opens`` to
    ``closes`` local time."""

    first: int
    last: int
    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> Opening:
        match = OPENING.fullmatch(text)
        if match is None:
            raise BadOpening(f"expected days and hours like 'mon-fri 07:30-11:30', got {text!r}")
        first_day, last_day, opens, closes = match.groups()
        first, last = DAYS.index(first_day), DAYS.index(last_day or first_day)
        opening = cls(first, last, time.fromisoformat(opens), time.fromisoformat(closes))
        if last < first:
            raise BadOpening(f"{text!r}: the days go backwards (write mon-fri, not fri-mon)")
        if opening.closes <= opening.opens:
            raise BadOpening(f"{text!r}: it closes before it opens")
        return opening

    def covers(self, moment: datetime) -> bool:
        """Whether the office is open at ``moment`` (local time)."""
        return self.first <= moment.weekday() <= self.last and self.opens <= moment.time() < self.closes

    def describe(self, language: str) -> str:
        return f"{self.days(language)}: {self.period()}"

    def days(self, language: str) -> str:
        names = DAY_NAMES.get(language, DAY_NAMES["vi"])
        return names[self.first] if self.first == self.last else f"{names[self.first]} – {names[self.last]}"

    def period(self) -> str:
        return f"{_clock(self.opens)} – {_clock(self.closes)}"


def describe_all(openings: list[Opening], language: str) -> list[str]:
    """The periods of the same days said once: ["Thứ Hai – Thứ Sáu: 7:30 – 11:30, 13:30 – 17:00",
    "Thứ Bảy: 7:30 – 11:30"]."""
    by_days: dict[tuple[int, int], list[Opening]] = {}
    for o in openings:
        by_days.setdefault((o.first, o.last), []).append(o)
    return [
        f"{group[0].days(language)}: {', '.join(o.period() for o in group)}" for group in by_days.values()
    ]


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def is_open(openings: list[Opening], moment: datetime) -> bool:
    return any(o.covers(moment) for o in openings)
