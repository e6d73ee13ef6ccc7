"""A citizen's name as a screen or a receipt may show it: masked (DESIGN §2, "name masked").

The province's backend sends names already masked; the kiosk masks again wherever a name comes
in, so that a backend which sends a full name never has it shown or kept at the kiosk.
"""

from __future__ import annotations

import unicodedata


def masked(name: str | None) -> str | None:
    """Nguyễn Văn An -> Ng**** V** A*: enough for the citizen to recognise, no more. A word
    already masked (it has a *) is left as it is, so masking twice changes nothing."""
    if not name:
        return name
    words = unicodedata.normalize("NFC", name).split()
    return " ".join(_word(word, keep=2 if i == 0 else 1) for i, word in enumerate(words))


def _word(word: str, *, keep: int) -> str:
    if _already_masked(word, keep):
        return word
    bare = word.replace("*", "")  # "Nguyễn*" is not masked: it shows the whole name
    return bare[:keep] + "*" * max(len(bare) - keep, 1 if len(bare) > 1 else 0)


def _already_masked(word: str, keep: int) -> bool:
    """At most ``keep`` letters, then only stars: masking it again changes nothing."""
    shown = word.rstrip("*")
    return len(shown) < len(word) and len(shown) <= keep and "*" not in shown
