"""Values as a person reads them on the screen, in its language: sums of đồng with their thousands
grouped ("8.000 đồng" in Vietnamese, "8,000 đồng" in English, by Babel's locale data) and the
office's opening hours in words ("Thứ Hai – Thứ Sáu: 7:30 – 11:30")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from babel.numbers import format_decimal

from kiosk.office import DAY_NAMES, Opening

AMOUNTS = frozenset({"fee_due"})  # the values a screen shows that are sums of đồng


def amount(value: int, language: str) -> str:
    return format_decimal(value, locale=language)


def hours(openings: list[Opening], language: str) -> str:
    """The periods of the same days said once: "Thứ Hai – Thứ Sáu: 7:30 – 11:30, 13:30 – 17:00"
    (the groups apart by " · "; none configured: "—")."""
    names = DAY_NAMES.get(language, DAY_NAMES["vi"])
    by_days: dict[tuple[int, int], list[str]] = {}
    for o in openings:
        by_days.setdefault((o.first, o.last), []).append(f"{_clock(o.opens)} – {_clock(o.closes)}")
    said = []
    for (first, last), periods in by_days.items():
        days = names[first] if first == last else f"{names[first]} – {names[last]}"
        said.append(f"{days}: {', '.join(periods)}")
    return " · ".join(said) or "—"


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def shown(values: Mapping[str, object], language: str) -> dict[str, object]:
    """``values`` with every sum of đồng and the opening hours (``hours``) written out for
    ``language``; the rest as they are."""
    out = dict(values)
    for k, v in values.items():
        if k in AMOUNTS and isinstance(v, int) and not isinstance(v, bool):
            out[k] = amount(v, language)
    given = values.get("hours")
    if isinstance(given, list) and all(isinstance(o, Opening) for o in given):
        out["hours"] = hours(given, language)
    return out
