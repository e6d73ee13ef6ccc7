"""The few HTTP headers the client reads, parsed totally: one spelling each, ASCII digits only
(``str.isdigit()`` takes "²" and "٣"), every number bounded. Anything else is as if the header
were absent; none of these can fail a call."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# RFC 9110's preferred form, the only one servers may send: "Sun, 06 Nov 1994 08:49:37 GMT"
_IMF_FIXDATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SECONDS = re.compile(r"[0-9]{1,10}")
_LENGTH = re.compile(r"[0-9]{1,18}")


def http_date(value: str | None) -> datetime | None:
    """An IMF-fixdate as an aware UTC datetime; None for anything else (no zone, garbage)."""
    match = _IMF_FIXDATE.fullmatch((value or "").strip())
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        return datetime(
            int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:  # 31 Feb, 25:00
        return None


def retry_after(value: str | None, now: datetime, cap_s: float) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), never more than ``cap_s``; None
    when absent or not one of those ("-1", "²", a date without a zone)."""
    text = (value or "").strip()
    if _SECONDS.fullmatch(text):
        return min(float(text), cap_s)
    when = http_date(text)
    if when is None:
        return None
    return min(max(0.0, (when - now).total_seconds()), cap_s)


def content_length(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if _LENGTH.fullmatch(text) else None


def media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()
