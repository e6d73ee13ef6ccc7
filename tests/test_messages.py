"""What the core tells a person comes in Vietnamese and English, both filled, with the same blanks.

(The screens' own words are checked against the gettext catalogues in test_ui.)
"""

from __future__ import annotations

import string

import pytest

from kiosk.codes import Rejection
from kiosk.journeys.messages import Say
from kiosk.status import STATUSES

FORMATTER = string.Formatter()


def blanks(text: str) -> set[str]:
    """The blanks to fill; a blank for one language's own words ({vi}, {reason_en}) counts as one."""
    names = {name for _, name, _, _ in FORMATTER.parse(text) if name}
    return {"words" if n in ("vi", "en") else n.removesuffix("_vi").removesuffix("_en") for n in names}


@pytest.mark.parametrize("said", [*Say, *Rejection], ids=lambda s: s.name)
def test_every_message_has_both_languages_and_the_same_blanks(said: Say | Rejection) -> None:
    vi, en = said.vi, said.en
    assert vi.strip() and en.strip()
    assert blanks(vi) == blanks(en)
    if said is not Say.CODE_REJECTED:  # only a frame for a Rejection's two texts
        assert vi != en, "the Vietnamese is a copy of the English"


def test_every_status_has_both_languages() -> None:
    for status, words in STATUSES.items():
        assert all(w.strip() for w in words) and words[0] != words[1], status
