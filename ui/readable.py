"""Values as a person reads them on the screen, in its language: sums of đồng with their thousands
grouped ("8.000 đồng" in Vietnamese, "8,000 đồng" in English, by Babel's locale data) and the
office's opening hours in words ("Thứ Hai – Thứ Sáu: 7:30 – 11:30")."""

from __future__ import annotations

from collections.abc import Mapping

from babel.numbers import format_decimal

from kiosk import office
from kiosk.office import Opening

# the values a screen shows that are sums of đồng (a fee, and issue 14's payment: what was paid,
# what is still due, the notes put in so far)
AMOUNTS = frozenset({"fee_due", "paid", "remaining", "inserted"})
NOTES = "accepted"  # the notes a validator takes now: a list of sums of đồng


def amount(value: int, language: str) -> str:
    return format_decimal(value, locale=language)


def notes(values: object, language: str) -> str:
    """The notes taken, smallest first, apart by " · " ("10.000 · 20.000 · 50.000"); none: "—"."""
    if not isinstance(values, list | tuple):
        return "—"
    sums = sorted({v for v in values if isinstance(v, int) and not isinstance(v, bool) and v > 0})
    return " · ".join(amount(v, language) for v in sums) or "—"


def hours(openings: list[Opening], language: str) -> str:
    """The opening hours in one line, the groups of days apart by " · " (none configured: "—")."""
    return " · ".join(office.describe_all(openings, language)) or "—"


def shown(values: Mapping[str, object], language: str) -> dict[str, object]:
    """``values`` with every sum of đồng, the notes taken (``accepted``) and the opening hours
    (``hours``) written out for ``language``; the rest as they are."""
    out = dict(values)
    for k, v in values.items():
        if k in AMOUNTS and isinstance(v, int) and not isinstance(v, bool):
            out[k] = amount(v, language)
    if NOTES in values:
        out[NOTES] = notes(values[NOTES], language)
    given = values.get("hours")
    if isinstance(given, list) and all(isinstance(o, Opening) for o in given):
        out["hours"] = hours(given, language)
    return out


def no_widow(text: str) -> str:
    """The last two words held together, so a wrapped line never leaves one alone below: a place
    name ("phường Vị Thanh") is read as one, not as "Vị" then "Thanh" on the next line."""
    head, space, last = text.rpartition(" ")
    return f"{head}\u00a0{last}" if space and head and " " not in last else text
