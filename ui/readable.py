"""Values as a person reads them on the screen, in its language: sums of đồng with their thousands
grouped ("8.000 đồng" in Vietnamese, "8,000 đồng" in English, by Babel's locale data) and the
office's opening hours in words ("Thứ Hai – Thứ Sáu: 7:30 – 11:30")."""

from __future__ import annotations

from collections.abc import Mapping

from babel.numbers import format_decimal

from kiosk import office
from kiosk.office import Opening

AMOUNTS = frozenset({"fee_due"})  # the values a screen shows that are sums of đồng


def amount(value: int, language: str) -> str:
    return format_decimal(value, locale=language)


def hours(openings: list[Opening], language: str) -> str:
    """The opening hours in one line, the groups of days apart by " · " (none configured: "—")."""
    return " · ".join(office.describe_all(openings, language)) or "—"


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
