"""Injectable time: the core asks a clock, never the system, so tests need no real hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, the one form times are stored in."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
