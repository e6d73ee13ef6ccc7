"""A validator is taken money from only when its SETUP names Vietnamese notes (redteam finding 5):
a credit is counted at the value SETUP gives, so a unit loaded with another dataset, or one made
to name a note of billions, would pay any fee. The simulator on a real pty says what it is told."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.cash.errors import SetupRefused
from drivers.cash.validator import VND_NOTES
from tests.cash_rig import cash_rig


@pytest.mark.parametrize(
    "notes",
    [(10_000, 20_000, 0xFFFF_FFFF), (10_000, 25_000), (5, 10), (0, 0)],
    ids=["billions", "25k", "cents", "none"],
)
def test_a_setup_naming_notes_the_dong_has_not_is_refused(short_tmp: Path, notes: tuple[int, ...]) -> None:
    with cash_rig(short_tmp, notes=notes) as rig:  # type: ignore[arg-type]
        with pytest.raises(SetupRefused, match="load the VND dataset") as refused:
            rig.validator.connect()
        assert rig.validator.setup is None  # nothing to count credits by
        assert str(rig.link) in str(refused.value)


def test_every_dong_note_and_an_unused_channel_are_taken(short_tmp: Path) -> None:
    notes = (0, *sorted(VND_NOTES))
    with cash_rig(short_tmp, notes=notes) as rig:
        assert rig.validator.connect().channels == notes
        assert rig.validator.accept_up_to(1_000) == (100, 200, 500, 1_000)
