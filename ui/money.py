"""Sums of money as a person reads them: the thousands grouped the way of the language on the
screen ("8.000 đồng" in Vietnamese, "8,000 đồng" in English), by Babel's locale data."""

from __future__ import annotations

from collections.abc import Mapping

from babel.numbers import format_decimal

AMOUNTS = frozenset({"fee_due"})  # the values a screen shows that are sums of đồng


def amount(value: int, language: str) -> str:
    return format_decimal(value, locale=language)


def shown(values: Mapping[str, object], language: str) -> dict[str, object]:
    """``values`` with every sum of đồng written out for ``language``; the rest as they are."""
    return {
        k: amount(v, language) if k in AMOUNTS and isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in values.items()
    }
