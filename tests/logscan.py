"""No citizen data in any log line (DESIGN §5): what the demo tour and the soak check their logs with.

A run collects what identifies its citizens (names, phone numbers, pickup PINs, QR tokens, the
dossier codes of pickups) and every line any of its processes logged; ``leaks`` lists each line
that holds one of them, in any of the spellings a log could use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SHORTEST = 4  # a shorter value (a PIN's part, a compartment id) would match by chance


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
    """Every line that holds a citizen's value, each with what it holds."""
    needles = data.needles()
    found = []
    for line in lines:
        folded = line.casefold()
        for needle, kind in needles.items():
            if needle.casefold() in folded:
                found.append(f"{kind}: {line.strip()[:200]}")
                break  # one finding a line is enough to name it
    return found


def log_lines(*paths: Path) -> list[str]:
    """The lines of every log file (a process's stderr) under the paths given."""
    lines: list[str] = []
    for path in paths:
        for file in sorted(path.rglob("*.log")) if path.is_dir() else [path]:
            lines += file.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines
