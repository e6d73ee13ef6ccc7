"""No citizen data in any log line (DESIGN §5): what the demo tour and the soak check their logs with.

A run collects what identifies its citizens (names, phone numbers, pickup PINs, QR tokens, the
dossier codes of pickups) and every line any of its processes logged; ``leaks`` lists each line
that holds one of them, in any of the spellings a log could use.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SHORTEST = 4  # a shorter value (a PIN's part, a compartment id) would match by chance
DELIMITED = frozenset({"pins", "phones"})  # all digits: found only where they stand alone


@dataclass
class CitizenData:
    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    pins: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)  # dossier codes of pickups

    def add(self, *, name: str = "", phone: str = "", pin: str = "", token: str = "", code: str = "") -> None:
        for kind, value in (("names", name), ("phones", phone), ("pins", pin), ("tokens", token),
                            ("codes", code)):  # fmt: skip
            if value:
                getattr(self, kind).add(value)

    def needles(self) -> dict[str, str]:
        """Each value, and its other spellings (a token in hex, a phone without its 0), to its kind."""
        found: dict[str, str] = {}
        for kind in ("names", "phones", "pins", "tokens", "codes"):
            for value in getattr(self, kind):
                for spelling in _spellings(kind, value):
                    if len(spelling) >= SHORTEST:
                        found[spelling] = kind
        return found

    def __len__(self) -> int:
        return sum(len(getattr(self, k)) for k in ("names", "phones", "pins", "tokens", "codes"))


def _spellings(kind: str, value: str) -> set[str]:
    out = {value, value.encode("utf-8").hex()}
    if kind == "phones":
        digits = re.sub(r"\D", "", value)
        out |= {digits, digits.lstrip("0"), "84" + digits.lstrip("0")}
    if kind == "pins":
        out.discard(value.encode("utf-8").hex())  # the hex of 6 digits is 12 digits: too likely by chance
    return out


def leaks(lines: Iterable[str], data: CitizenData) -> list[str]:
    """Every line that holds a citizen's value, each with what it holds (the first one in it)."""
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)  # a needle's first characters: needles
    for needle, kind in data.needles().items():
        folded = needle.casefold()
        index[folded[:SHORTEST]].append((folded, kind))
    found = []
    for line in lines:
        kind = _first_held(line.casefold(), index)
        if kind is not None:
            found.append(f"{kind}: {line.strip()[:200]}")  # one finding a line is enough to name it
    return found


def _first_held(folded: str, index: dict[str, list[tuple[str, str]]]) -> str | None:
    """A look-up at each position of the line, not a search for each needle: the soak's logs are
    hundreds of thousands of lines, its needles tens of thousands."""
    for start in range(len(folded) - SHORTEST + 1):
        for needle, kind in index.get(folded[start : start + SHORTEST], ()):
            if folded.startswith(needle, start) and (
                kind not in DELIMITED or _alone(folded, start, start + len(needle))
            ):
                return kind
    return None


def _alone(text: str, start: int, end: int) -> bool:
    """Not inside a longer run of letters and digits: six digits of a PIN turn up by chance in a
    journey's hex id or a hash; a PIN a log gave away stands on its own ("PIN 482913")."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def log_lines(*paths: Path) -> list[str]:
    """The lines of every log file (a process's stderr) under the paths given."""
    lines: list[str] = []
    for path in paths:
        for file in sorted(path.rglob("*.log")) if path.is_dir() else [path]:
            lines += file.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines
