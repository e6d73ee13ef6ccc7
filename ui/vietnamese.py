"""Putting a tone mark on a typed Vietnamese word, where the spelling rules put it. Pure: no Qt.

The on-screen keyboard has keys for ă â đ ê ô ơ ư and five tone keys; a tone key marks the last
word typed, so a person types "hoa" then the grave key and gets "hòa", as they would write it.
The tone goes on the vowel with a mark of its own (ơ in "ươ"), else the one vowel, else the last
vowel before a final consonant ("toán"), else the middle of three ("khuỷu"), else the first of
two (the traditional "hòa", "thủy", still the most common in administrative documents).
Pressing the same tone again takes it off, as in the Telex and VNI habits.
"""

from __future__ import annotations

import unicodedata

TONES = {"acute": "\u0301", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}
VOWEL_MARKS = frozenset({"\u0302", "\u0306", "\u031b"})  # circumflex (â ê ô), breve (ă), horn (ơ ư)
VOWELS = frozenset("aeiouy")


def add_tone(text: str, tone: str) -> str:
    """``text`` with ``tone`` (a key of TONES) on its last word, or taken off if already there."""
    head, space, word = text.rpartition(" ")
    if not word:
        return text
    letters = [_split(ch) for ch in word]
    wanted = TONES[tone]
    had = next((t for _, _, t in letters if t), "")
    letters = [(base, marks, "") for base, marks, _ in letters]
    where = _tone_position(letters)
    if where is not None and had != wanted:
        base, marks, _ = letters[where]
        letters[where] = (base, marks, wanted)
    return head + space + "".join(unicodedata.normalize("NFC", b + m + t) for b, m, t in letters)


def _split(ch: str) -> tuple[str, str, str]:
    """A letter as (base letter, vowel marks, tone mark)."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, rest = decomposed[0], decomposed[1:]
    marks = "".join(c for c in rest if c in VOWEL_MARKS)
    tone = "".join(c for c in rest if c in TONES.values())
    return base, marks, tone


def _tone_position(letters: list[tuple[str, str, str]]) -> int | None:
    bases = "".join(b.lower() for b, _, _ in letters)
    vowels = [i for i, b in enumerate(bases) if b in VOWELS]
    if bases.startswith("qu") or (bases.startswith("gi") and len(vowels) > 1):
        vowels = vowels[1:]  # the u of "qu" and the i of "gi" + vowel are consonant sounds
    if not vowels:
        return None
    nucleus = _first_run(vowels)
    marked = [i for i in nucleus if letters[i][1]]
    if marked:
        return marked[-1]
    if len(nucleus) == 1:
        return nucleus[0]
    if nucleus[-1] < len(letters) - 1:  # a final consonant follows
        return nucleus[-1]
    return nucleus[1] if len(nucleus) == 3 else nucleus[0]


def _first_run(indexes: list[int]) -> list[int]:
    run = indexes[:1]
    for i in indexes[1:]:
        if i != run[-1] + 1:
            break
        run.append(i)
    return run
